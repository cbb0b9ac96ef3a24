//! The declarative operation catalog. An operation is one entry composed of named parts — a
//! requester (method, path template, base), fields, a paginator, a split, a replay rule, status
//! rules and an output — each with a default, written with const builders:
//!
//! ```ignore
//! op(APP | BETA, "newsletter.list", "List newsletters", "…").get("/newsletters").paged("newsletters"),
//! op(TRACK, "segment.add_customers", "…", "…").post("/v1/segments/{segment_id}/add_customers")
//!     .fields(&[f::SEGMENT_ID, f::IDS, f::ID_TYPE_QUERY]).split("ids", 1000).replay(Replay::Safe),
//! ```
//!
//! A new knob is one field of [`Operation`] plus its default in [`op`]; no entry changes. The
//! APIs an entry exists on are data (`APP | BETA`): Beta ids, descriptors and base URLs are
//! derived at run time, so a Beta twin costs no bytes and cannot drift from its App entry.

use serde_json::{Map, Value};

use crate::call::Call;
use crate::error::ConnectorError;
use crate::http::Method;
use crate::schema::{self, Field};
use crate::types::{ConnectorKind, Hints, OperationDescriptor, OperationKind};

pub mod app;
pub mod content;
pub mod data;
pub mod fields;
pub mod raw;
pub mod track;

/// A set of APIs an entry exists on, as bits (`APP | BETA`), so entries can combine them in
/// const context.
pub type Apis = u8;

/// The Track API.
pub const TRACK: Apis = 1;
/// The App API.
pub const APP: Apis = 2;
/// The Beta API (same key and paths as App under `/v1/api`).
pub const BETA: Apis = 4;

/// Whether the set holds the API.
pub fn has(apis: Apis, api: ConnectorKind) -> bool {
    let bit = match api {
        ConnectorKind::Track => TRACK,
        ConnectorKind::App => APP,
        ConnectorKind::Beta => BETA,
    };
    apis & bit != 0
}

/// Which root a path template hangs off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    /// The API's base URL (`…/api`, `…/v1`, `…/v1/api`).
    Api,
    /// The Track host root (`/unsubscribe/{delivery_id}` lives outside `/api`).
    HostRoot,
}

/// Method, path template and root of an operation's request.
#[derive(Clone, Copy, Debug)]
pub struct Requester {
    /// HTTP method.
    pub method: Method,
    /// Path with `{field}` placeholders.
    pub path: &'static str,
    /// Root of the path.
    pub base: Base,
    /// The route takes no credentials (Customer.io's OpenAPI gives it `security: []`): the
    /// request goes out without `Authorization`, so the workspace's key is not handed to a
    /// route that has no use for it.
    pub public: bool,
}

/// How a list is paged. Its inputs (`limit`, `start`, `return_all`, `max_pages`) are added to the
/// schema and validation automatically.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paginator {
    /// One request.
    None,
    /// Opaque cursor: `?start=<cursor>&limit=<n>`, the answer's `next` is the next cursor.
    Cursor,
    /// Integer offset: `?start=<n>&limit=<n>`, the answer's `next` is the next offset
    /// (broadcast trigger errors).
    Offset,
    /// `?limit=<n>&offset=<n>`; the last page is the one shorter than `limit` (ESP suppressions).
    LimitOffset,
    /// `?page=<n>&limit=<n>` from 1; the answer's `meta.pagination.total` (or a page shorter
    /// than `limit`) tells where it ends (assets, Design Studio).
    Page,
}

/// How one input is cut into several requests within the API's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// One request.
    None,
    /// The array input `field` is sent `max` items per request.
    Count(&'static str, usize),
    /// The array input `field` is packed into requests of at most `request` bytes; one item over
    /// `item` bytes is refused before anything is sent.
    Bytes(&'static str, usize, usize),
}

/// Whether a request may be sent again after a 5xx or a lost connection (a 429 means "not
/// processed" and is always retried). The only thing the retry policy reads.
#[derive(Clone, Copy, Debug)]
pub enum Replay {
    /// Idempotent methods (GET, PUT, DELETE, HEAD, OPTIONS) only.
    FromMethod,
    /// Always: the API de-duplicates it (events with an id) or repeating it is harmless.
    Safe,
    /// Safe unless the body holds something Customer.io does not de-duplicate (this returns
    /// true for such a body): a v2 batch of person events is safe, one with a delivery metric not.
    SafeUnless(fn(&Value) -> bool),
    /// Never (transactional sends, broadcast triggers).
    Never,
}

/// What the output is, from which the output schema is generated.
#[derive(Clone, Copy, Debug)]
pub enum Output {
    /// Customer.io answers `{}` (or nothing) when it accepted the request.
    Empty,
    /// Customer.io's answer, with one object under this key.
    One(&'static str),
    /// Records under this key (all pages' records when paginated).
    List(&'static str),
    /// A dropdown source: records under `list`, each shown by `text` and chosen by `value`.
    Lookup(&'static str, &'static str, &'static str),
    /// The answer as it is, described by this JSON Schema text.
    Schema(&'static str),
    /// The answer placed under this key, for answers that are not objects (a collection's rows
    /// are an array): a step's output is always an object.
    Wrapped(&'static str),
    /// A file (an image): its bytes as base64 with the content type and size, never read as
    /// text, which would change them.
    File,
}

/// A cross-field rule run after validation (shapes JSON Schema cannot say), which may also fill
/// values (a ULID per event); returns the problems found, each with its JSON Pointer.
pub type Rule = fn(&mut Map<String, Value>, &dyn Fn() -> String) -> Vec<(String, String)>;

/// A hand-written runner for a true one-off (Segment's `perform`).
pub type Custom =
    fn(&mut Call<'_>, Bound, Map<String, Value>) -> Result<(Value, u16), ConnectorError>;

/// How `execute` runs the operation.
#[derive(Clone, Copy, Debug)]
pub enum Runner {
    /// The generic request builder with the paginator and split.
    Rest,
    /// The universal raw HTTP request.
    Raw,
    /// A hand-written runner.
    Custom(Custom),
}

/// One catalog entry.
#[derive(Clone, Copy, Debug)]
pub struct Operation {
    /// The APIs it exists on.
    pub apis: Apis,
    /// The id after `<api>.`: `customer.identify`.
    pub name: &'static str,
    /// Short title.
    pub title: &'static str,
    /// Description for the builder's help panel.
    pub description: &'static str,
    /// Action, lookup or raw.
    pub kind: OperationKind,
    /// Scheduling hints (defaults follow the method).
    pub hints: Hints,
    /// The request.
    pub requester: Requester,
    /// Input fields.
    pub fields: &'static [Field],
    /// More input fields shared by a family of entries (send flags, metrics filters).
    pub common: &'static [Field],
    /// Fixed body values: (pointer without `/`, JSON text).
    pub set: &'static [(&'static str, &'static str)],
    /// Paging.
    pub paginator: Paginator,
    /// The paginator's inputs when the API's page size differs from the usual 1..1000.
    pub page_inputs: Option<&'static [Field]>,
    /// Splitting.
    pub split: Split,
    /// Retry safety.
    pub replay: Replay,
    /// Statuses that are a result, not an error: (status, output JSON text).
    pub statuses: &'static [(u16, &'static str)],
    /// Largest JSON body Customer.io takes in one request, checked before sending.
    pub max_body: Option<usize>,
    /// Cross-field rule.
    pub rule: Option<Rule>,
    /// Output shape.
    pub output: Output,
    /// How it runs.
    pub runner: Runner,
    /// An example input (JSON text).
    pub example: &'static str,
}

const fn hints(read_only: bool, destructive: bool, idempotent: bool) -> Hints {
    Hints {
        read_only,
        destructive,
        idempotent,
        paginated: false,
    }
}

/// The output schema of an answer passed on as it is, one object with no documented key to pick.
pub const ANSWER: &str = r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Customer.io's answer","type":"object"}"#;

/// Reads one object under `key` (a GET), on the APIs `apis`.
pub const fn read(
    apis: Apis,
    name: &'static str,
    title: &'static str,
    description: &'static str,
    path: &'static str,
    ids: &'static [Field],
    key: &'static str,
) -> Operation {
    op(apis, name, title, description)
        .get(path)
        .fields(ids)
        .one(key)
}

/// A new entry with every part at its default: a GET of `/` with no fields and no paging.
pub const fn op(
    apis: Apis,
    name: &'static str,
    title: &'static str,
    description: &'static str,
) -> Operation {
    Operation {
        apis,
        name,
        title,
        description,
        kind: OperationKind::Action,
        hints: hints(true, false, true),
        requester: Requester {
            method: Method::Get,
            path: "/",
            base: Base::Api,
            public: false,
        },
        fields: &[],
        common: &[],
        set: &[],
        paginator: Paginator::None,
        page_inputs: None,
        split: Split::None,
        replay: Replay::FromMethod,
        statuses: &[],
        max_body: None,
        rule: None,
        output: Output::Empty,
        runner: Runner::Rest,
        example: "{}",
    }
}

impl Operation {
    const fn request(mut self, method: Method, path: &'static str, hints: Hints) -> Self {
        self.requester.method = method;
        self.requester.path = path;
        self.hints = hints;
        self
    }
    /// A GET (read-only, idempotent).
    pub const fn get(self, path: &'static str) -> Self {
        self.request(Method::Get, path, hints(true, false, true))
    }
    /// A POST (neither idempotent nor destructive unless marked).
    pub const fn post(self, path: &'static str) -> Self {
        self.request(Method::Post, path, hints(false, false, false))
    }
    /// A PUT (idempotent).
    pub const fn put(self, path: &'static str) -> Self {
        self.request(Method::Put, path, hints(false, false, true))
    }
    /// A DELETE (idempotent, destructive).
    pub const fn delete(self, path: &'static str) -> Self {
        self.request(Method::Delete, path, hints(false, true, true))
    }
    /// A PATCH.
    pub const fn patch(self, path: &'static str) -> Self {
        self.request(Method::Patch, path, hints(false, false, false))
    }
    /// The path hangs off the host root, not the API base.
    pub const fn host_root(mut self) -> Self {
        self.requester.base = Base::HostRoot;
        self
    }
    /// The route takes no credentials (see [`Requester::public`]).
    pub const fn public(mut self) -> Self {
        self.requester.public = true;
        self
    }
    /// The input fields.
    pub const fn fields(mut self, fields: &'static [Field]) -> Self {
        self.fields = fields;
        self
    }
    /// Fields shared by a family of entries, after the entry's own.
    pub const fn common(mut self, fields: &'static [Field]) -> Self {
        self.common = fields;
        self
    }
    /// Fixed body values.
    pub const fn set(mut self, set: &'static [(&'static str, &'static str)]) -> Self {
        self.set = set;
        self
    }
    /// Marks it destructive (deletes or overwrites data).
    pub const fn destructive(mut self) -> Self {
        self.hints.destructive = true;
        self
    }
    /// The retry rule; `Safe` also makes the step idempotent for the builder.
    pub const fn replay(mut self, replay: Replay) -> Self {
        self.replay = replay;
        if matches!(replay, Replay::Safe | Replay::SafeUnless(_)) {
            self.hints.idempotent = true;
        }
        self
    }
    /// One object under `key` in the answer.
    pub const fn one(mut self, key: &'static str) -> Self {
        self.output = Output::One(key);
        self
    }
    /// An unpaged list under `key`.
    pub const fn list(mut self, key: &'static str) -> Self {
        self.output = Output::List(key);
        self
    }
    /// A cursor-paged list under `key`.
    pub const fn paged(mut self, key: &'static str) -> Self {
        self.output = Output::List(key);
        self.paginator = Paginator::Cursor;
        self.hints.paginated = true;
        self
    }
    /// A list under `key` paged by an integer offset in `start` / `next`.
    pub const fn paged_offset(mut self, key: &'static str) -> Self {
        self = self.paged(key);
        self.paginator = Paginator::Offset;
        self
    }
    /// A list under `key` paged by page number and `limit`.
    pub const fn paged_number(mut self, key: &'static str) -> Self {
        self = self.paged(key);
        self.paginator = Paginator::Page;
        self
    }
    /// Paging inputs with the API's own page-size bounds (activities: at most 100).
    pub const fn page_inputs(mut self, fields: &'static [Field]) -> Self {
        self.page_inputs = Some(fields);
        self
    }
    /// A POST that only reads (a search): safe to repeat, and shown as read-only.
    pub const fn reads(mut self) -> Self {
        self.hints = hints(true, false, true);
        self.replay = Replay::Safe;
        self
    }
    /// A list under `key` paged by `limit` and `offset`.
    pub const fn paged_limit_offset(mut self, key: &'static str) -> Self {
        self = self.paged(key);
        self.paginator = Paginator::LimitOffset;
        self
    }
    /// A dropdown source over the records under `key`.
    pub const fn lookup(
        mut self,
        key: &'static str,
        text: &'static str,
        value: &'static str,
    ) -> Self {
        self.output = Output::Lookup(key, text, value);
        self.kind = OperationKind::Lookup;
        self
    }
    /// The answer is a file (see [`Output::File`]).
    pub const fn file(mut self) -> Self {
        self.output = Output::File;
        self
    }
    /// The answer as it is, with this output schema.
    pub const fn output(mut self, schema: &'static str) -> Self {
        self.output = Output::Schema(schema);
        self
    }
    /// The answer, whatever its JSON type, under `key`.
    pub const fn wrapped(mut self, key: &'static str) -> Self {
        self.output = Output::Wrapped(key);
        self
    }
    /// Sends the array `field` at most `max` items per request.
    pub const fn split(mut self, field: &'static str, max: usize) -> Self {
        self.split = Split::Count(field, max);
        self
    }
    /// Packs the array `field` into requests of at most `request` bytes, items of at most `item`.
    pub const fn split_bytes(mut self, field: &'static str, request: usize, item: usize) -> Self {
        self.split = Split::Bytes(field, request, item);
        self
    }
    /// Statuses that are results.
    pub const fn statuses(mut self, statuses: &'static [(u16, &'static str)]) -> Self {
        self.statuses = statuses;
        self
    }
    /// The largest body one request may carry.
    pub const fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = Some(bytes);
        self
    }
    /// A cross-field rule.
    pub const fn rule(mut self, rule: Rule) -> Self {
        self.rule = Some(rule);
        self
    }
    /// A hand-written runner.
    pub const fn custom(mut self, f: Custom) -> Self {
        self.runner = Runner::Custom(f);
        self
    }
    /// The example input (JSON text).
    pub const fn example(mut self, json: &'static str) -> Self {
        self.example = json;
        self
    }
}

impl Operation {
    /// Whether it is a raw HTTP entry (one per API, all named `raw_http_request`).
    pub fn runner_is_raw(&self) -> bool {
        matches!(self.runner, Runner::Raw)
    }
}

/// An entry bound to one of its APIs: what a user sees as one operation.
#[derive(Clone, Copy, Debug)]
pub struct Bound {
    /// The API.
    pub api: ConnectorKind,
    /// The entry.
    pub op: &'static Operation,
}

impl Bound {
    /// `<api>.<name>`.
    pub fn id(&self) -> String {
        format!("{}.{}", self.api.as_str(), self.op.name)
    }

    /// The field groups validation and the schema use: the entry's fields plus its paginator's.
    pub fn field_groups(&self) -> Vec<&'static [Field]> {
        let mut g = vec![self.op.fields, self.op.common];
        if let Some(inputs) = self.op.page_inputs {
            g.push(inputs);
            return g;
        }
        match self.op.paginator {
            Paginator::Cursor => g.push(fields::PAGE),
            Paginator::Offset | Paginator::LimitOffset => g.push(fields::PAGE_OFFSET),
            Paginator::Page => g.push(fields::PAGE_NUMBER),
            Paginator::None if matches!(self.op.output, Output::Lookup(..)) => g.push(fields::PAGE),
            Paginator::None => {}
        }
        if matches!(self.op.output, Output::Lookup(..)) {
            g.push(fields::SEARCH);
        }
        g
    }

    /// The example input as JSON.
    pub fn example_value(&self) -> Value {
        serde_json::from_str(self.op.example).unwrap_or(Value::Null)
    }

    /// The method and path template of the Customer.io route the operation calls, as
    /// Customer.io's OpenAPI names it (`POST /v1/newsletters/{newsletter_id}/language`; Beta's
    /// under `/v1/api`); none for the raw request, whose route the person gives.
    pub fn route(&self) -> Option<String> {
        if self.op.runner_is_raw() {
            return None;
        }
        let base = match self.op.requester.base {
            Base::Api => crate::region::base_path(self.api, crate::types::Region::Us),
            Base::HostRoot => "",
        };
        Some(format!(
            "{} {base}{}",
            self.op.requester.method.as_str(),
            self.op.requester.path
        ))
    }

    /// The descriptor `list-operations` returns.
    pub fn descriptor(&self) -> OperationDescriptor {
        let api = self.api.as_str();
        let mut input = schema::input_schema(
            self.op.title,
            self.op.description,
            api,
            &self.field_groups(),
            &self.example_value(),
        );
        if let Some(route) = self.route() {
            input["x-route"] = Value::String(route);
        }
        OperationDescriptor {
            id: self.id(),
            title: self.op.title.into(),
            description: self.op.description.into(),
            connector: self.api,
            kind: self.op.kind,
            hints: self.op.hints,
            input_schema: input.to_string(),
            output_schema: output_schema(self.op).to_string(),
        }
    }
}

/// Output schemas, as compact JSON text: parsed when a descriptor is made, which is smaller in
/// the component than code that builds them.
const SPLIT_OUT: &str = r#"{"type":"object","required":["complete","requests","sent"],"properties":{"complete":{"type":"boolean","description":"every slice was accepted"},"requests":{"type":"integer","description":"requests sent (one per slice)"},"sent":{"type":"integer","description":"items accepted by Customer.io"},"total":{"type":"integer","description":"items in the input"},"failed":{"type":"object","description":"the slice that failed and why; later slices were not sent","properties":{"slice":{"type":"integer","description":"the failed slice's number, from 0"},"from":{"type":"integer","description":"index in the input of the slice's first item"},"count":{"type":"integer","description":"items in the slice"},"error":{"type":"object","description":"the connector error of the slice's request"}}}}}"#;
const BATCH_OUT: &str = r#"{"type":"object","required":["complete","requests","accepted"],"properties":{"complete":{"type":"boolean","description":"every item was accepted"},"requests":{"type":"integer","description":"requests sent"},"total":{"type":"integer","description":"items in the input"},"accepted":{"type":"integer","description":"items Customer.io accepted"},"errors":{"type":"array","description":"items Customer.io refused, by their index in the input","items":{"type":"object","properties":{"index":{"type":"integer","description":"the item's index in the input"},"reason":{"type":"string","description":"Customer.io's reason code"},"field":{"type":"string","description":"the item's field Customer.io names"},"message":{"type":"string","description":"Customer.io's explanation"}}}},"failed":{"type":"object","description":"a request that failed as a whole; its items and later ones were not applied"}}}"#;
const EMPTY_OUT: &str = r#"{"type":"object","description":"Customer.io answers an empty JSON object when it accepted the request."}"#;
const FILE_OUT: &str = r#"{"type":"object","required":["content_type","size","base64"],"properties":{"content_type":{"type":"string","description":"the file's media type as Customer.io sent it, e.g. image/png"},"size":{"type":"integer","description":"the file's length in bytes"},"base64":{"type":"string","description":"the file's bytes, base64 (standard alphabet)"}}}"#;
const PAGED_OUT: &str = r#"{"type":"object","properties":{"next":{"type":["string","integer","null"],"description":"where the next page starts: give it back as start (page for page-numbered lists); null at the end"},"pages":{"type":"integer","description":"pages read"},"truncated":{"type":"boolean","description":"the list may be incomplete: return_all stopped at max_pages, or Customer.io gave back a cursor it had given before"}}}"#;
const LOOKUP_OUT: &str = r#"{"type":"object","required":["result"],"properties":{"result":{"type":"array","items":{"type":"object","required":["text","value"],"properties":{"text":{"type":"string","description":"what the dropdown shows"},"value":{"description":"what the field is set to"}}},"description":"the options, in Customer.io's order"},"truncated":{"type":"boolean","description":"more options exist beyond max_pages"}}}"#;

/// The output schema generated from an entry's output part (and split).
pub fn output_schema(op: &Operation) -> Value {
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    let (title, mut s) = match (op.split, op.output) {
        (Split::Count(..), _) => ("Split result", parse(SPLIT_OUT)),
        (Split::Bytes(..), _) => ("Batch result", parse(BATCH_OUT)),
        (_, Output::Empty) => ("Customer.io's answer", parse(EMPTY_OUT)),
        (_, Output::One(key)) => (
            "Customer.io's answer",
            parse(&format!(
                r#"{{"type":"object","required":["{key}"],"properties":{{"{key}":{{"type":"object","description":"the {key} as Customer.io returns it"}}}}}}"#
            )),
        ),
        (_, Output::List(key)) => {
            let mut s = if op.paginator != Paginator::None {
                parse(PAGED_OUT)
            } else {
                parse(r#"{"type":"object","properties":{}}"#)
            };
            s["required"] = Value::from(vec![key]);
            s["properties"][key] = parse(r#"{"type":"array","items":{"type":"object"}}"#);
            s["properties"][key]["description"] = Value::from(if op.paginator != Paginator::None {
                format!("the {key} of every page read, as Customer.io returns them")
            } else {
                format!("the {key}, as Customer.io returns them")
            });
            ("Records", s)
        }
        (_, Output::Lookup(..)) => ("Dropdown options", parse(LOOKUP_OUT)),
        (_, Output::File) => ("A file", parse(FILE_OUT)),
        (_, Output::Wrapped(key)) => (
            "Customer.io's answer",
            parse(&format!(
                r#"{{"type":"object","required":["{key}"],"properties":{{"{key}":{{"description":"Customer.io's answer as it is"}}}}}}"#
            )),
        ),
        (_, Output::Schema(s)) => {
            let mut s = parse(s);
            schema::document(&mut s);
            return s;
        }
    };
    s["$schema"] = Value::from("https://json-schema.org/draft/2020-12/schema");
    s["title"] = Value::from(title);
    schema::document(&mut s);
    s
}

/// Every entry, Track first.
fn entries() -> impl Iterator<Item = &'static Operation> {
    track::OPERATIONS
        .iter()
        .chain(app::OPERATIONS)
        .chain(data::OPERATIONS)
        .chain(content::OPERATIONS)
        .chain(raw::OPERATIONS)
}

/// Every operation, bound to each API its entry exists on, grouped by API.
pub fn all() -> impl Iterator<Item = Bound> {
    ConnectorKind::ALL.into_iter().flat_map(|api| {
        entries()
            .filter(move |op| has(op.apis, api))
            .map(move |op| Bound { api, op })
    })
}

/// Finds an operation by id.
pub fn find(id: &str) -> Option<Bound> {
    let (api, name) = id.split_once('.')?;
    let api = ConnectorKind::parse(api)?;
    entries()
        .find(|op| op.name == name && has(op.apis, api))
        .map(|op| Bound { api, op })
}

/// All descriptors, in catalog order.
pub fn descriptors() -> Vec<OperationDescriptor> {
    all().map(|b| b.descriptor()).collect()
}

/// The ids nearest to `id` (edit distance), for "did you mean" messages.
pub fn nearest(id: &str, n: usize) -> Vec<String> {
    let mut scored: Vec<(usize, String)> = all()
        .map(|b| b.id())
        .map(|c| (distance(id, &c), c))
        .collect();
    scored.sort();
    scored.into_iter().take(n).map(|(_, c)| c).collect()
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests;
