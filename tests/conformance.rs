//! Customer.io's own OpenAPI documents judge the connector and the emulator (`spec/customerio/`,
//! with PROVENANCE.md): every operation's example is sent through the host to the emulator, and
//!
//! 1. every request the connector sends must match a route of the spec (method + path template) and
//!    pass that route's checks: required path and query parameters, only query names the spec knows,
//!    the body's content type and JSON against the route's request schema, no body where the route
//!    takes none, and the auth scheme (Basic for Track, Bearer for App, none where `security: []`).
//!    App routes the older App revision lacks are checked for route and auth against the current
//!    spec's route map. Beta (`beta-api…/v1/api/…`) is checked as the App route it mirrors.
//! 2. every 2xx JSON answer of the emulator to a route with a response schema must validate against
//!    it; at least 98% must, and each one that does not is listed below with the reason.
//!
//! Nothing is allow-listed for the connector: a request that does not conform fails the test.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use cio_emulator::{RecordedRequest, RecordedResponse, Workspace};
use cio_host::{ConnectorKind, Region};
use common::*;
use serde_json::{json, Value};

/// Emulator answers that do not validate, each with why it is left so. Keyed by
/// `METHOD /spec/template STATUS`.
const RESPONSE_EXCEPTIONS: &[(&str, &str)] = &[];

/// How a correction changes the spec at its pointer.
enum Fix {
    /// Drops a name from the `required` list at the pointer.
    Unrequire(&'static str),
    /// An `{"type": "array", "items": X}` schema becomes X.
    ItemsOnly,
    /// The schema at the pointer also accepts this one (`anyOf` of both).
    AlsoAccept(&'static str),
}

/// Where the spec contradicts itself, the correction applied before checking, with the spec's
/// own words that contradict it. Each must still apply (the test fails when the spec no longer
/// says it), and none excuses a connector or emulator defect: the value is still checked
/// against the corrected schema.
const SPEC_CORRECTIONS: &[(&str, &str, Fix, &str)] = &[
    (
        "track.json",
        "/components/schemas/eventsRequest/oneOf/2/required",
        Fix::Unrequire("anonymous_id"),
        "the Mobile screen view shape of POST /api/v1/customers/{identifier}/events requires anonymous_id, \
         yet its own example (/components/schemas/eventsRequest/oneOf/2/example: name, type, data) has none, \
         and the person is already named by the path",
    ),
    (
        "app.json",
        "/paths/~1v1~1send~1push/post/requestBody/content/application~1json/schema/allOf/2/required",
        Fix::Unrequire("to"),
        "the same schema documents `to` as \"Defaults to 'all'\" (allOf/1/properties/to/default), \
         and the route's own example (…/content/application~1json/example) sends no `to`",
    ),
    (
        "app.json",
        "/paths/~1v1~1transactional~1{transactional_id}~1language~1{language}/get/responses/200/content/application~1json/schema/properties/content",
        Fix::ItemsOnly,
        "one translation is typed as an array, while the same property says \"The object represents a variant.\" \
         and every other family's one-translation route (campaign, broadcast, newsletter) answers one object",
    ),
    (
        "app.json",
        "/paths/~1v1~1transactional~1{transactional_id}~1language~1{language}/put/responses/200/content/application~1json/schema/properties/content",
        Fix::ItemsOnly,
        "as the GET of the same path: \"The object represents a variant.\"",
    ),
    (
        "app.json",
        "/paths/~1v1~1transactional~1{transactional_id}~1content~1{content_id}/put/responses/200/content/application~1json/schema/properties/content",
        Fix::ItemsOnly,
        "one content is typed as an array, while the property says \"The object represents a variant.\"",
    ),
    (
        "app.json",
        "/paths/~1v1~1customers~1{customer_id}~1subscription_preferences/get/responses/200/content/application~1json/schema/properties/customer/properties/topics/items/properties/id",
        Fix::AlsoAccept(r#"{"type": "integer"}"#),
        "topic ids are typed as strings, while the route's own example \
         (…/responses/200/content/application~1json/example/customer/topics) and the topics list \
         (GET /v1/subscription_topics) give integers",
    ),
    (
        "app.json",
        "/paths/~1v1~1collections~1{collection_id}~1content/get/responses/200/content/application~1json/schema",
        Fix::AlsoAccept(r#"{"type": "array", "items": {"type": "object"}}"#),
        "the contents are \"the data from when you created or updated a collection\", and creating one \
         (POST /v1/collections, requestBody …/properties/data) takes an array of objects, which reads back as that array",
    ),
];

const TRACK_URI: &str = "https://spec.invalid/track.json";
const APP_URI: &str = "https://spec.invalid/app.json";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Api {
    Track,
    App,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Source {
    /// `track.json` (OpenAPI 3.1, current).
    Track,
    /// `app.json` (OpenAPI 3.0, an older complete revision).
    App,
    /// `app-routes-vox.json`: route and auth only.
    RouteMap,
}

#[derive(Debug)]
struct Route {
    api: Api,
    method: String,
    template: String,
    segments: Vec<String>,
    source: Source,
    /// JSON pointer of the operation object in its document (Track/App sources).
    pointer: Option<String>,
    /// Whether the route wants credentials.
    auth: bool,
}

impl Route {
    fn key(&self) -> String {
        format!("{} {}", self.method, self.template)
    }

    fn literal_count(&self) -> usize {
        self.segments.iter().filter(|s| !s.starts_with('{')).count()
    }

    fn matches(&self, method: &str, segments: &[&str]) -> bool {
        self.method == method
            && self.segments.len() == segments.len()
            && self.segments.iter().zip(segments).all(|(t, s)| {
                if t.starts_with('{') {
                    !s.is_empty()
                } else {
                    t == s
                }
            })
    }
}

fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("spec/customerio")
}

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(spec_dir().join(name)).expect("read spec");
    serde_json::from_str(&text).expect("spec is JSON")
}

/// OpenAPI 3.0's schema dialect differs from JSON Schema 2020-12 in `nullable` and the boolean
/// `exclusiveMinimum`/`exclusiveMaximum`; translate those so the validator reads them as the
/// 3.0 document means them.
fn from_openapi30(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for value in map.values_mut() {
                from_openapi30(value);
            }
            for (flag, bound) in [
                ("exclusiveMinimum", "minimum"),
                ("exclusiveMaximum", "maximum"),
            ] {
                if let Some(Value::Bool(b)) = map.get(flag).cloned() {
                    map.remove(flag);
                    if b {
                        if let Some(n) = map.remove(bound) {
                            map.insert(flag.into(), n);
                        }
                    }
                }
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                if let Some(Value::String(t)) = map.get("type").cloned() {
                    map.insert("type".into(), json!([t, "null"]));
                    if let Some(Value::Array(e)) = map.get_mut("enum") {
                        e.push(Value::Null);
                    }
                } else if !map.contains_key("type") {
                    let inner = Value::Object(std::mem::take(map));
                    map.insert("anyOf".into(), json!([inner, {"type": "null"}]));
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(from_openapi30),
        _ => {}
    }
}

/// The spec writes its choices as `oneOf` lists whose alternatives are not exclusive: object
/// alternatives that require nothing (merge's `primary: oneOf [{id}, {email}, {cio_id}]`, the
/// audience filters, a broadcast trigger's "Default audience" beside "IDs"), or that share
/// values (the Email and In-app alternatives of `POST /api/v1/metrics` both take
/// `metric: clicked`). A value that fits its intended alternative then fits another too, and
/// `oneOf` rejects it; the spec's own examples fail so (`object_add_relationships.example`,
/// through `v2_cio_relationships.items.identifiers`). Every `oneOf` is therefore read as
/// `anyOf`, which still rejects a value that fits no alternative. Returns how many were read so.
fn one_of_as_any_of(v: &mut Value) -> usize {
    match v {
        Value::Object(map) => {
            let mut count = 0;
            if let Some(alts) = map.remove("oneOf") {
                map.insert("anyOf".into(), alts);
                count += 1;
            }
            count
                + map
                    .iter_mut()
                    .filter(|(key, _)| *key != "example" && *key != "examples")
                    .map(|(_, value)| one_of_as_any_of(value))
                    .sum::<usize>()
        }
        Value::Array(items) => items.iter_mut().map(one_of_as_any_of).sum(),
        _ => 0,
    }
}

fn escape(seg: &str) -> String {
    seg.replace('~', "~0").replace('/', "~1")
}

struct Spec {
    track: Value,
    app: Value,
    routes: Vec<Route>,
}

impl Spec {
    fn load() -> Spec {
        let mut track = load("track.json");
        let mut app = load("app.json");
        for (file, pointer, fix, why) in SPEC_CORRECTIONS {
            let doc = if *file == "track.json" {
                &mut track
            } else {
                &mut app
            };
            let at = doc.pointer_mut(pointer).unwrap_or_else(|| {
                panic!("correction no longer applies: {file}#{pointer} is gone ({why})")
            });
            match fix {
                Fix::Unrequire(name) => {
                    let list = at.as_array_mut().expect("a required list");
                    let before = list.len();
                    list.retain(|v| v != name);
                    assert!(list.len() < before, "correction no longer applies: {file}#{pointer} does not require {name} ({why})");
                }
                Fix::ItemsOnly => {
                    assert_eq!(
                        at["type"], "array",
                        "correction no longer applies: {file}#{pointer} ({why})"
                    );
                    *at = at["items"].clone();
                }
                Fix::AlsoAccept(other) => {
                    let other: Value = serde_json::from_str(other).unwrap();
                    *at = json!({ "anyOf": [at.clone(), other] });
                }
            }
        }
        from_openapi30(&mut app);
        let loose = one_of_as_any_of(&mut track) + one_of_as_any_of(&mut app);
        println!("{loose} oneOf lists read as anyOf");
        let map = load("app-routes-vox.json");
        let mut routes = Vec::new();
        for (doc, api, source) in [
            (&track, Api::Track, Source::Track),
            (&app, Api::App, Source::App),
        ] {
            let global_auth = doc
                .get("security")
                .map(|s| s.as_array().is_some_and(|a| !a.is_empty()));
            for (path, item) in doc["paths"].as_object().unwrap() {
                for (method, op) in item.as_object().unwrap() {
                    if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                        continue;
                    }
                    let auth = match op.get("security") {
                        Some(s) => s.as_array().is_some_and(|a| !a.is_empty()),
                        None => global_auth.unwrap_or(true),
                    };
                    routes.push(Route {
                        api,
                        method: method.to_uppercase(),
                        template: path.clone(),
                        segments: path.split('/').map(str::to_string).collect(),
                        source,
                        pointer: Some(format!("/paths/{}/{method}", escape(path))),
                        auth,
                    });
                }
            }
        }
        for r in map["routes"].as_array().unwrap() {
            let method = r["method"].as_str().unwrap().to_string();
            let path = r["path"].as_str().unwrap().to_string();
            let segments: Vec<String> = path.split('/').map(str::to_string).collect();
            // A route of the older revision with the same shape is the same route.
            let known = routes.iter().any(|k| {
                k.api == Api::App
                    && k.method == method
                    && k.segments.len() == segments.len()
                    && k.segments
                        .iter()
                        .zip(&segments)
                        .all(|(a, b)| a == b || (a.starts_with('{') && b.starts_with('{')))
            });
            if known {
                continue;
            }
            routes.push(Route {
                api: Api::App,
                method,
                template: path,
                segments,
                source: Source::RouteMap,
                pointer: None,
                auth: r["authentication"] != "Not required",
            });
        }
        Spec { track, app, routes }
    }

    fn doc(&self, source: Source) -> (&Value, &'static str) {
        match source {
            Source::Track => (&self.track, TRACK_URI),
            _ => (&self.app, APP_URI),
        }
    }

    /// The most specific route (most literal segments) for a request.
    fn route(&self, api: Api, method: &str, path: &str) -> Option<&Route> {
        let segments: Vec<&str> = path.split('/').collect();
        self.routes
            .iter()
            .filter(|r| r.api == api && r.matches(method, &segments))
            .max_by_key(|r| r.literal_count())
    }

    /// The route's parameters, path-level ones included, resolved through `$ref`.
    fn parameters(&self, route: &Route) -> Vec<Value> {
        let (doc, _) = self.doc(route.source);
        let pointer = route.pointer.as_deref().unwrap();
        let item_pointer = &pointer[..pointer.rfind('/').unwrap()];
        let mut out = Vec::new();
        for p in [item_pointer, pointer] {
            if let Some(Value::Array(list)) = doc.pointer(&format!("{p}/parameters")) {
                for param in list {
                    out.push(resolve(doc, param).clone());
                }
            }
        }
        out
    }
}

fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) if r.starts_with("#/") => resolve(doc, doc.pointer(&r[1..]).unwrap_or(v)),
        _ => v,
    }
}

/// Compiles schemas of both documents on demand, `$ref`s resolved against their document.
struct Validators<'a> {
    registry: jsonschema::Registry<'a>,
    cache: HashMap<(String, String), Result<jsonschema::Validator, String>>,
}

impl<'a> Validators<'a> {
    fn new(spec: &'a Spec) -> Self {
        let registry = jsonschema::Registry::new()
            .add(TRACK_URI, &spec.track)
            .unwrap()
            .add(APP_URI, &spec.app)
            .unwrap()
            .prepare()
            .expect("the spec documents form a registry");
        Validators {
            registry,
            cache: HashMap::new(),
        }
    }

    /// Validation errors of `instance` against the schema at `pointer` of the document at `uri`.
    ///
    /// The schema is reached through a `$ref` into the registered document rather than compiled
    /// as a fragment, so the fragment's own `#/components/...` references resolve against the
    /// whole document.
    fn check(&mut self, uri: &str, pointer: &str, instance: &Value) -> Vec<String> {
        let registry = &self.registry;
        let validator = self
            .cache
            .entry((uri.to_string(), pointer.to_string()))
            .or_insert_with(|| {
                let root = json!({ "$ref": format!("{uri}#{}", fragment(pointer)) });
                jsonschema::options()
                    .with_registry(registry)
                    .with_base_uri("https://spec.invalid/check.json")
                    .build(&root)
                    .map_err(|e| format!("schema does not compile: {e}"))
            });
        match validator {
            Ok(v) => v
                .iter_errors(instance)
                .take(4)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect(),
            Err(e) => vec![e.clone()],
        }
    }
}

/// A JSON pointer as a URI fragment (RFC 6901 section 6): characters outside the unreserved
/// set and the pointer's own `/` and `~` are percent-encoded.
fn fragment(pointer: &str) -> String {
    let mut out = String::new();
    for b in pointer.bytes() {
        if b.is_ascii_alphanumeric() || b"/~-._".contains(&b) {
            out.push(b as char);
        } else {
            out += &format!("%{b:02X}");
        }
    }
    out
}

/// The pointer where the value at `pointer` really lives, following `$ref`s within the document.
fn locate(doc: &Value, pointer: &str) -> String {
    let mut at = pointer.to_string();
    for _ in 0..16 {
        match doc
            .pointer(&at)
            .and_then(|v| v.get("$ref"))
            .and_then(Value::as_str)
        {
            Some(r) if r.starts_with("#/") => at = r[1..].to_string(),
            _ => break,
        }
    }
    at
}

/// A route with its parameter names blanked and Beta's `/v1/api` read as `/v1`, to compare an
/// operation's `x-route` with the spec route its request matched.
fn route_shape(route: &str) -> String {
    let route = route.replacen(" /v1/api/", " /v1/", 1);
    route
        .split('/')
        .map(|seg| if seg.starts_with('{') { "{}" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

fn query_names(query: Option<&str>) -> Vec<String> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(name, _)| name.into_owned())
        .collect()
}

/// Which API a request went to and its path in the spec's terms.
fn spec_path(rec: &RecordedRequest) -> (Api, String) {
    if rec.host.starts_with("track") {
        (Api::Track, rec.path.clone())
    } else if rec.host.starts_with("beta-api") {
        let rest = rec.path.strip_prefix("/v1/api").unwrap_or(&rec.path);
        (Api::App, format!("/v1{rest}"))
    } else {
        (Api::App, rec.path.clone())
    }
}

/// Everything wrong with one request, by the spec.
fn check_request(
    spec: &Spec,
    validators: &mut Validators,
    rec: &RecordedRequest,
) -> Result<String, Vec<String>> {
    let (api, path) = spec_path(rec);
    let Some(route) = spec.route(api, &rec.method, &path) else {
        return Err(vec![format!(
            "{} {} ({}) is no route of the spec",
            rec.method, path, rec.host
        )]);
    };
    let mut problems = Vec::new();
    let authorization = rec.header("authorization").unwrap_or("");
    let expected = if api == Api::Track {
        "Basic "
    } else {
        "Bearer "
    };
    if route.auth && !authorization.starts_with(expected) {
        problems.push(format!(
            "wants {expected}auth, sent {:?}",
            authorization.split(' ').next()
        ));
    }
    if !route.auth && !authorization.is_empty() {
        problems.push("sends credentials to a route that takes none".to_string());
    }
    let Some(pointer) = route.pointer.as_deref() else {
        return if problems.is_empty() {
            Ok(route.key())
        } else {
            Err(problems)
        };
    };
    let (doc, uri) = spec.doc(route.source);
    let sent: Vec<String> = query_names(rec.query.as_deref());
    let params = spec.parameters(route);
    let known: BTreeSet<&str> = params
        .iter()
        .filter(|p| p["in"] == "query")
        .filter_map(|p| p["name"].as_str())
        .collect();
    for name in &sent {
        // `a[]=1&a[]=2` is how an array parameter `a` goes out.
        let base = name.trim_end_matches("[]");
        if !known.contains(name.as_str()) && !known.contains(base) {
            problems.push(format!(
                "query parameter {name:?} is not in the spec (known: {known:?})"
            ));
        }
    }
    for p in params
        .iter()
        .filter(|p| p["in"] == "query" && p["required"] == true)
    {
        let name = p["name"].as_str().unwrap_or("");
        if !sent
            .iter()
            .any(|s| s == name || s.trim_end_matches("[]") == name)
        {
            problems.push(format!("required query parameter {name:?} not sent"));
        }
    }
    let op = doc.pointer(pointer).unwrap();
    let content_type = rec
        .header("content-type")
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match op.get("requestBody").map(|b| resolve(doc, b)) {
        None => {
            if !rec.body.is_empty() {
                problems.push(format!(
                    "sends a {}-byte body where the route takes none",
                    rec.body.len()
                ));
            }
        }
        Some(body) => {
            if rec.body.is_empty() {
                if body["required"] == true {
                    problems.push("the route requires a body; none sent".into());
                }
            } else if let Some(media) = body["content"].get(&content_type) {
                if content_type == "application/json" {
                    match serde_json::from_slice::<Value>(&rec.body) {
                        Ok(instance) => {
                            if media.get("schema").is_some() {
                                let body_at = locate(doc, &format!("{pointer}/requestBody"));
                                let at =
                                    format!("{body_at}/content/{}/schema", escape(&content_type));
                                for e in validators.check(uri, &at, &instance) {
                                    problems.push(format!("body: {e}"));
                                }
                            }
                        }
                        Err(e) => problems.push(format!("body is not JSON: {e}")),
                    }
                }
            } else {
                let offered: Vec<&String> = body["content"]
                    .as_object()
                    .map(|m| m.keys().collect())
                    .unwrap_or_default();
                problems.push(format!(
                    "content type {content_type:?}, the spec takes {offered:?}"
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(route.key())
    } else {
        Err(problems)
    }
}

/// `Some(errors)` for a checkable answer (a 2xx JSON answer to a route with a response schema).
fn check_response(
    spec: &Spec,
    validators: &mut Validators,
    rec: &RecordedRequest,
    response: &RecordedResponse,
) -> Option<(String, Vec<String>)> {
    if !(200..300).contains(&response.status) {
        return None;
    }
    let (api, path) = spec_path(rec);
    let route = spec.route(api, &rec.method, &path)?;
    let pointer = route.pointer.as_deref()?;
    let (doc, uri) = spec.doc(route.source);
    let declared_at = locate(doc, &format!("{pointer}/responses/{}", response.status));
    doc.pointer(&declared_at)?
        .get("content")?
        .get("application/json")?
        .get("schema")?;
    let key = format!("{} {}", route.key(), response.status);
    let Some(instance) = response.json() else {
        return Some((key, vec!["answer is not JSON".into()]));
    };
    let at = format!("{declared_at}/content/application~1json/schema");
    let errors = validators.check(uri, &at, &instance);
    // CONFORMANCE_DUMP=<file> keeps each failing answer with its schema's place, to study.
    if let (false, Ok(file)) = (errors.is_empty(), std::env::var("CONFORMANCE_DUMP")) {
        use std::io::Write as _;
        let line = json!({"key": key, "uri": uri, "pointer": at, "instance": instance});
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .unwrap();
        writeln!(f, "{line}").unwrap();
    }
    Some((key, errors))
}

#[test]
fn every_request_and_every_answer_conforms_to_customer_io_openapi() {
    let spec = Spec::load();
    let mut validators = Validators::new(&spec);
    let emu = emulator();
    let host = host(&emu);
    let demo = Workspace::demo();
    let mut request_failures = Vec::new();
    let mut reached: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut answers = 0;
    let mut answer_failures: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    let mut answered_ok = 0;
    let mut route_mismatches = Vec::new();
    for d in host.list_operations().unwrap() {
        let schema: Value = serde_json::from_str(&d.input_schema).unwrap();
        let example = schema["examples"][0].clone();
        emu.reset();
        let mut config = if d.connector == ConnectorKind::Track {
            track(Region::Us)
        } else {
            app(d.connector, Region::Us)
        };
        config.credentials = match config.credentials {
            cio_host::Credentials::Track(_) => {
                cio_host::Credentials::Track(cio_host::TrackCredentials {
                    site_id: demo.site_id.clone(),
                    api_key: demo.track_key.clone(),
                })
            }
            cio_host::Credentials::App(_) => cio_host::Credentials::App(demo.app_key.clone()),
        };
        let _ = host.execute(&request(&d.id, config, example));
        let named = schema["x-route"].as_str().map(route_shape);
        let mut called = Vec::new();
        for (rec, response) in emu.exchanges() {
            match check_request(&spec, &mut validators, &rec) {
                Ok(route) => {
                    called.push(route_shape(&route));
                    reached.entry(route).or_default().insert(d.id.clone());
                }
                Err(problems) => request_failures.push(format!(
                    "{}: {} {}{}\n    {}",
                    d.id,
                    rec.method,
                    rec.path,
                    rec.query
                        .as_deref()
                        .map(|q| format!("?{q}"))
                        .unwrap_or_default(),
                    problems.join("\n    ")
                )),
            }
            if let Some(response) = response {
                if let Some((key, errors)) = check_response(&spec, &mut validators, &rec, &response)
                {
                    answers += 1;
                    if errors.is_empty() {
                        answered_ok += 1;
                    } else {
                        answer_failures
                            .entry(format!("{key} ({})", d.id))
                            .or_insert((key, errors));
                    }
                }
            }
        }
        if let Some(named) = named {
            if !called.is_empty() && !called.contains(&named) {
                route_mismatches.push(format!("{}: names {named}, calls {called:?}", d.id));
            }
        }
    }

    // Every route of the Track spec and of the current App route map is reached by an operation.
    let unreached: Vec<String> = spec
        .routes
        .iter()
        .filter(|r| !reached.contains_key(&r.key()))
        .map(|r| format!("{:?} {}", r.source, r.key()))
        .collect();
    let unexplained: Vec<String> = answer_failures
        .iter()
        .filter(|(_, (key, _))| !RESPONSE_EXCEPTIONS.iter().any(|(k, _)| k == key))
        .map(|(label, (_, errors))| format!("{label}\n    {}", errors.join("\n    ")))
        .collect();
    let rate = answered_ok as f64 / answers.max(1) as f64;
    println!(
        "requests: {} failures; routes reached: {} of {}; answers: {answered_ok} of {answers} validate ({:.1}%)",
        request_failures.len(),
        reached.len(),
        spec.routes.len(),
        rate * 100.0
    );
    let mut report = String::new();
    if !request_failures.is_empty() {
        report += &format!(
            "\n{} requests do not conform:\n{}\n",
            request_failures.len(),
            request_failures.join("\n")
        );
    }
    if !route_mismatches.is_empty() {
        report += &format!(
            "\n{} operations name a route (x-route, docs/operations.md) they do not call:\n  {}\n",
            route_mismatches.len(),
            route_mismatches.join("\n  ")
        );
    }
    if !unreached.is_empty() {
        report += &format!(
            "\n{} spec routes no operation reaches:\n  {}\n",
            unreached.len(),
            unreached.join("\n  ")
        );
    }
    if !unexplained.is_empty() {
        report += &format!(
            "\n{} emulator answers do not validate and are not listed as exceptions:\n{}\n",
            unexplained.len(),
            unexplained.join("\n")
        );
    }
    if rate < 0.98 {
        report += &format!(
            "\nonly {:.1}% of the emulator's answers validate (at least 98% must)\n",
            rate * 100.0
        );
    }
    assert!(report.is_empty(), "{report}");
}
