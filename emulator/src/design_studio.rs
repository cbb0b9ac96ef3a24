//! Design Studio (`/v1/design_studio`): folders, components and emails with their translations,
//! the 20 routes of the public OpenAPI file. Ids are UUIDs; lists page by `page` (≥ 1, default 1)
//! and `limit` (1..=10000, default 1000) and take `parent_folder_id`, `direct_descendants_only`,
//! `sort_by` (created|updated|name), `sort_order` (asc|desc) and `created_before|after`,
//! `updated_before|after`; each answers `meta: {pagination: {page, limit, total}, filters}`. Writes
//! by `PUT` answer 204, deletes 204; unknown body fields are a 400, as the API documents.
//!
//! Seeds (every workspace): folder `00000000-0000-4000-8000-000000000001` ("Newsletters", at the
//! root); component `…-000000000002` (name "Button", tag `button`, in that folder); email
//! `…-000000000003` ("Welcome", at the root) with translation `fr`; email `…-000000000004`
//! ("Order receipt"), linked to transactional message 3. New ids count on from 5. The email
//! routes beyond records (versions, previews, publish, …) are in `design_email.rs`.

use axum::response::Response;
use serde_json::{json, Map, Value};

use crate::assets::{conflict, page_of, paging, query_bool};
use crate::check::{Invalid, Obj};
use crate::content::{body_object, missing, ok, opt_bool, reject_unknown, Content};
use crate::records::{Out, EPOCH};
use crate::util::{no_content, query_param, unix_now, AppError};

/// The seeded folder, component and email.
pub(crate) const SEED_FOLDER: &str = "00000000-0000-4000-8000-000000000001";
pub(crate) const SEED_COMPONENT: &str = "00000000-0000-4000-8000-000000000002";
pub(crate) const SEED_EMAIL: &str = "00000000-0000-4000-8000-000000000003";
/// Email senders (the sender identities with an address) that `from_id`/`reply_to_id` may name.
const EMAIL_SENDERS: [(u64, &str); 4] = [
    (1, "Demo hello <hello@example.com>"),
    (2, "Demo support <support@example.com>"),
    (3, "Demo billing <billing@example.com>"),
    (4, "Demo news <news@example.com>"),
];
const FOLDER_FORBIDDEN: &[char] = &['<', '>', ':', '"', '/', '\\', '|', '?', '*', '.'];
const CONTENT_FIELDS: &[&str] = &["subject", "preheader_text", "html", "amp", "text"];
const ENVELOPE_FIELDS: &[&str] = &[
    "from_id",
    "reply_to_id",
    "recipient",
    "bcc",
    "fake_bcc",
    "headers",
];
const TRANSFORMERS: &[&str] = &[
    "url_parameters",
    "css_variables",
    "css_inliner",
    "accessibility",
    "formatter",
    "prevent_widows",
    "encode_entities",
    "remove_unused_css",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Folder,
    Component,
    Email,
}

/// A translation of an email: its own content, envelope and transformers.
#[derive(Clone, Debug)]
pub(crate) struct Translation {
    pub(crate) language: String,
    pub(crate) content: Map<String, Value>,
    pub(crate) envelope: Map<String, Value>,
    pub(crate) transformers: Map<String, Value>,
    pub(crate) created: i64,
    pub(crate) updated: i64,
}

/// A folder, component or email.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) kind: Kind,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) parent: Option<String>,
    pub(crate) created: i64,
    pub(crate) updated: i64,
    /// A component's `tag` and `content`; an email's `is_template` and `is_linked`.
    pub(crate) fields: Map<String, Value>,
    /// An email's default-language content, envelope and transformers (`language` empty).
    pub(crate) main: Option<Translation>,
    pub(crate) translations: Vec<Translation>,
}

#[derive(Debug)]
pub(crate) struct Design {
    pub(crate) nodes: Vec<Node>,
    next_id: u64,
    /// Versions, inbox previews, links and publishes (see `design_email.rs`).
    pub(crate) work: crate::design_email::Work,
}

fn uuid(n: u64) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

fn default_envelope() -> Map<String, Value> {
    let Value::Object(map) = json!({
        "from_id": 1,
        "from": EMAIL_SENDERS[0].1,
        "reply_to_id": null,
        "reply_to": "",
        "bcc": "",
        "fake_bcc": true,
        "headers": [],
        "recipient": "{{customer.email}}",
    }) else {
        unreachable!()
    };
    map
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn blank_content() -> Map<String, Value> {
    CONTENT_FIELDS
        .iter()
        .map(|k| (k.to_string(), json!("")))
        .collect()
}

impl Default for Design {
    fn default() -> Self {
        let at = EPOCH - 2 * 86_400;
        let node = |kind, id: &str, name: &str, parent: Option<&str>| Node {
            kind,
            id: id.to_string(),
            name: name.to_string(),
            parent: parent.map(str::to_string),
            created: at,
            updated: at,
            fields: Map::new(),
            main: None,
            translations: Vec::new(),
        };
        let mut component = node(Kind::Component, SEED_COMPONENT, "Button", Some(SEED_FOLDER));
        component.fields = object(json!({
            "tag": "button",
            "content": "<a class=\"button\" href=\"{{ href }}\">{{ label }}</a>",
        }));
        let mut email = node(Kind::Email, SEED_EMAIL, "Welcome", None);
        email.fields = object(json!({"is_template": false, "is_linked": false}));
        let version = |language: &str, subject: &str, html: &str| Translation {
            language: language.to_string(),
            content: object(json!({
                "subject": subject,
                "preheader_text": "",
                "html": html,
                "amp": "",
                "text": "",
            })),
            envelope: default_envelope(),
            transformers: Map::new(),
            created: at,
            updated: at,
        };
        email.main = Some(version(
            "",
            "Welcome, {{customer.first_name}}",
            "<p>Welcome aboard!</p>",
        ));
        email.translations = vec![version(
            "fr",
            "Bienvenue, {{customer.first_name}}",
            "<p>Bienvenue à bord !</p>",
        )];
        let mut receipt = node(
            Kind::Email,
            crate::design_email::SEED_LINKED_EMAIL,
            "Order receipt",
            None,
        );
        receipt.fields = object(json!({"is_template": false, "is_linked": true}));
        receipt.main = Some(version(
            "",
            "Your order {{event.order_id}}",
            "<p>Thanks for your order.</p><p><a href=\"{% unsubscribe_url %}\">unsubscribe</a></p>",
        ));
        Design {
            nodes: vec![
                node(Kind::Folder, SEED_FOLDER, "Newsletters", None),
                component,
                email,
                receipt,
            ],
            next_id: 5,
            work: Default::default(),
        }
    }
}

impl Design {
    fn index(&self, kind: Kind, id: &str) -> Out<usize> {
        self.nodes
            .iter()
            .position(|n| n.kind == kind && n.id == id)
            .ok_or_else(AppError::not_found)
    }

    fn is_folder(&self, id: &str) -> bool {
        self.nodes
            .iter()
            .any(|n| n.kind == Kind::Folder && n.id == id)
    }

    /// Whether `id` is `ancestor` or lies below it.
    fn within(&self, id: Option<&str>, ancestor: &str) -> bool {
        let mut current = id.map(str::to_string);
        for _ in 0..=self.nodes.len() {
            match current {
                Some(c) if c == ancestor => return true,
                Some(c) => {
                    current = self
                        .nodes
                        .iter()
                        .find(|n| n.kind == Kind::Folder && n.id == c)
                        .and_then(|n| n.parent.clone())
                }
                None => return false,
            }
        }
        false
    }

    fn fresh_id(&mut self) -> String {
        let id = uuid(self.next_id);
        self.next_id += 1;
        id
    }
}

impl Node {
    fn base_json(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("id".into(), json!(self.id));
        map.insert("name".into(), json!(self.name));
        map.insert("parent_folder_id".into(), json!(self.parent));
        map.insert("created".into(), json!(self.created));
        map.insert("updated".into(), json!(self.updated));
        map
    }

    fn languages(&self) -> Vec<&str> {
        self.translations
            .iter()
            .map(|t| t.language.as_str())
            .collect()
    }

    /// The record as a list shows it (components without `content`, emails without their parts).
    fn summary(&self) -> Value {
        let mut map = self.base_json();
        match self.kind {
            Kind::Folder => {}
            Kind::Component => {
                map.insert("tag".into(), self.fields["tag"].clone());
            }
            Kind::Email => {
                map.insert("is_template".into(), self.fields["is_template"].clone());
                map.insert("is_linked".into(), self.fields["is_linked"].clone());
                map.insert(
                    "has_translations".into(),
                    json!(!self.translations.is_empty()),
                );
            }
        }
        Value::Object(map)
    }

    /// The whole record, as a single read shows it.
    fn full(&self) -> Value {
        let mut map = self.base_json();
        match self.kind {
            Kind::Folder => {}
            Kind::Component => map.extend(self.fields.clone()),
            Kind::Email => {
                map.extend(self.fields.clone());
                map.insert("available_languages".into(), json!(self.languages()));
                if let Some(main) = &self.main {
                    map.insert("content".into(), Value::Object(main.content.clone()));
                    map.insert("envelope".into(), Value::Object(main.envelope.clone()));
                    map.insert(
                        "transformers".into(),
                        Value::Object(main.transformers.clone()),
                    );
                }
            }
        }
        Value::Object(map)
    }

    fn translation_json(&self, t: &Translation) -> Value {
        json!({
            "language_group_id": self.id,
            "language": t.language,
            "is_template": self.fields["is_template"],
            "is_linked": self.fields["is_linked"],
            "parent_folder_id": self.parent,
            "available_languages": self.languages(),
            "created": t.created,
            "updated": t.updated,
            "content": t.content,
            "envelope": t.envelope,
            "transformers": t.transformers,
        })
    }
}

pub(crate) fn serve(
    content: &mut Content,
    method: &str,
    rest: &[&str],
    query: Option<&str>,
    body: &[u8],
) -> Out<Response> {
    let design = &mut content.design;
    let kind_of = |segment: &str| match segment {
        "folders" => Some((Kind::Folder, "folder", "folders")),
        "components" => Some((Kind::Component, "component", "components")),
        "emails" => Some((Kind::Email, "email", "emails")),
        _ => None,
    };
    if let ["emails", id, sub @ ..] = rest {
        if let Some(answer) = crate::design_email::serve_email(design, method, id, sub, query, body)
        {
            return answer;
        }
    }
    if let ["inbox_previews", sub @ ..] = rest {
        return crate::design_email::serve_previews(design, method, sub, query)
            .unwrap_or_else(missing);
    }
    match (method, rest) {
        ("GET", [email, id, "languages"]) if *email == "emails" => {
            let node = &design.nodes[design.index(Kind::Email, id)?];
            let list: Vec<Value> = node
                .translations
                .iter()
                .map(|t| node.translation_json(t))
                .collect();
            Ok(ok(json!({ "email_translations": list })))
        }
        ("POST", [email, id, "languages"]) if *email == "emails" => {
            add_translation(design, id, body).map(ok)
        }
        (_, [email, id, "languages", language]) if *email == "emails" => {
            let index = design.index(Kind::Email, id)?;
            let node = &mut design.nodes[index];
            let t = node
                .translations
                .iter()
                .position(|t| t.language == *language)
                .ok_or_else(AppError::not_found)?;
            match method {
                "GET" => {
                    let record = node.translation_json(&node.translations[t]);
                    Ok(ok(json!({ "email_translation": record })))
                }
                "PUT" => {
                    let fields = body_object(body)?;
                    reject_unknown(&fields, &["content", "envelope", "transformers"])?;
                    require_some(&fields)?;
                    let mut edited = node.translations[t].clone();
                    apply_parts(&mut edited, &fields)?;
                    edited.updated = unix_now();
                    node.translations[t] = edited;
                    Ok(no_content())
                }
                "DELETE" => {
                    linked(node)?;
                    node.translations.remove(t);
                    Ok(no_content())
                }
                _ => missing(),
            }
        }
        (_, [segment]) => {
            let Some((kind, one, many)) = kind_of(segment) else {
                return missing();
            };
            match method {
                "GET" => list(design, kind, many, query).map(ok),
                "POST" => create(design, kind, body).map(|record| ok(json!({ one: record }))),
                _ => missing(),
            }
        }
        (_, [segment, id]) => {
            let Some((kind, one, _)) = kind_of(segment) else {
                return missing();
            };
            let index = design.index(kind, id)?;
            match method {
                "GET" => Ok(ok(json!({ one: design.nodes[index].full() }))),
                "PUT" => update(design, index, body).map(|()| no_content()),
                "DELETE" => delete(design, index).map(|()| no_content()),
                _ => missing(),
            }
        }
        _ => missing(),
    }
}

fn require_some(fields: &Map<String, Value>) -> Out<()> {
    if fields.is_empty() {
        let message = "the request body must set at least one field".to_string();
        return Err(Invalid::new("", "required", message).into());
    }
    Ok(())
}

fn linked(node: &Node) -> Out<()> {
    if node.fields.get("is_linked") == Some(&json!(true)) {
        return Err(conflict("the email is linked to a workflow"));
    }
    Ok(())
}

/// An integer query parameter (unix timestamps).
fn query_int(query: Option<&str>, name: &str) -> Out<Option<i64>> {
    match query_param(query, name).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| {
            AppError::bad_request(format!("{name} must be a unix timestamp, not {text:?}"))
        }),
    }
}

/// `true`, `false` or `any` (the default) for the email list's flags.
fn tristate(query: Option<&str>, name: &str) -> Out<Option<bool>> {
    match query_param(query, name).as_deref() {
        None | Some("") | Some("any") => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(AppError::bad_request(format!(
            "{name} must be true, false or any, not {other:?}"
        ))),
    }
}

fn list(design: &Design, kind: Kind, key: &str, query: Option<&str>) -> Out<Value> {
    let (page, limit) = paging(query)?;
    let parent = query_param(query, "parent_folder_id").filter(|p| !p.is_empty());
    if let Some(parent) = &parent {
        if !design.is_folder(parent) {
            return Err(AppError::new(
                axum::http::StatusCode::NOT_FOUND,
                "parent_folder_id: folder not found",
            ));
        }
    }
    let direct = query_bool(query, "direct_descendants_only")?.unwrap_or(false);
    let sort_by = query_param(query, "sort_by").filter(|s| !s.is_empty());
    let sort_by = sort_by.as_deref().unwrap_or("created");
    if !["created", "updated", "name"].contains(&sort_by) {
        return Err(AppError::bad_request(format!(
            "sort_by must be created, updated or name, not {sort_by:?}"
        )));
    }
    let sort_order = query_param(query, "sort_order").filter(|s| !s.is_empty());
    let descending = match sort_order.as_deref() {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(AppError::bad_request(format!(
                "sort_order must be asc or desc, not {other:?}"
            )))
        }
    };
    let times = [
        ("created_before", query_int(query, "created_before")?),
        ("created_after", query_int(query, "created_after")?),
        ("updated_before", query_int(query, "updated_before")?),
        ("updated_after", query_int(query, "updated_after")?),
    ];
    let mut filters = json!({
        "parent_folder_id": parent,
        "direct_descendants_only": direct,
        "sort_by": sort_by,
        "sort_order": if descending { "desc" } else { "asc" },
    });
    for (name, value) in times {
        filters[name] = json!(value);
    }
    let mut flags = Vec::new();
    if kind == Kind::Email {
        for name in ["is_template", "has_translations", "is_linked"] {
            let flag = tristate(query, name)?;
            filters[name] = json!(flag.map_or("any", |b| if b { "true" } else { "false" }));
            flags.extend(flag.map(|b| (name, b)));
        }
    }
    let tag = query_param(query, "tag").filter(|t| !t.is_empty());
    if kind == Kind::Component {
        filters["tag"] = json!(tag);
    }
    let placed = |n: &&Node| match (&parent, direct) {
        (_, true) => n.parent == parent,
        (None, false) => true,
        (Some(p), false) => design.within(n.parent.as_deref(), p),
    };
    let in_time = |n: &&Node| {
        let [cb, ca, ub, ua] = times.map(|(_, v)| v);
        cb.is_none_or(|t| n.created < t)
            && ca.is_none_or(|t| n.created > t)
            && ub.is_none_or(|t| n.updated < t)
            && ua.is_none_or(|t| n.updated > t)
    };
    let mut nodes: Vec<&Node> = design
        .nodes
        .iter()
        .filter(|n| n.kind == kind)
        .filter(placed)
        .filter(in_time)
        .filter(|n| {
            tag.as_deref()
                .is_none_or(|t| n.fields.get("tag") == Some(&json!(t)))
        })
        .filter(|n| {
            flags.iter().all(|&(name, want)| {
                let value = match name {
                    "has_translations" => !n.translations.is_empty(),
                    _ => n.fields.get(name) == Some(&json!(true)),
                };
                value == want
            })
        })
        .collect();
    nodes.sort_by(|a, b| {
        let order = match sort_by {
            "name" => a.name.cmp(&b.name),
            "updated" => a.updated.cmp(&b.updated),
            _ => a.created.cmp(&b.created),
        };
        order.then_with(|| a.id.cmp(&b.id))
    });
    if descending {
        nodes.reverse();
    }
    let items: Vec<Value> = nodes.iter().map(|n| n.summary()).collect();
    let (records, pagination) = page_of(items, page, limit);
    let mut answer =
        json!({ key: records, "meta": {"pagination": pagination, "filters": filters} });
    if kind != Kind::Folder {
        let folders: Vec<Value> = design
            .nodes
            .iter()
            .filter(|n| n.kind == Kind::Folder)
            .filter(placed)
            .map(Node::summary)
            .collect();
        answer["folders"] = json!(folders);
    }
    Ok(answer)
}

/// `parent_folder_id`: `null` (the root) or an existing folder's id; `""` is a 400.
fn parent_ref(design: &Design, value: Option<&Value>) -> Out<Option<String>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Err(Invalid::new(
            "parent_folder_id",
            "invalid",
            "parent_folder_id must not be empty; use null for the root".into(),
        )
        .into()),
        Some(Value::String(s)) if design.is_folder(s) => Ok(Some(s.clone())),
        Some(Value::String(_)) => Err(AppError::new(
            axum::http::StatusCode::NOT_FOUND,
            "parent folder not found",
        )),
        Some(_) => Err(Invalid::new(
            "parent_folder_id",
            "invalid",
            "parent_folder_id must be a folder id (a UUID) or null".into(),
        )
        .into()),
    }
}

/// A name of 1..=`max` characters; folder names may not hold `< > : " / \ | ? * .`.
fn valid_name(kind: Kind, name: &str) -> Out<String> {
    let max = if kind == Kind::Folder { 170 } else { 255 };
    let count = name.chars().count();
    if name.trim().is_empty() || count > max {
        let message = format!("name must have 1 to {max} characters");
        return Err(Invalid::new("name", "invalid", message).into());
    }
    if kind == Kind::Folder && name.contains(FOLDER_FORBIDDEN) {
        let message = "name may not contain < > : \" / \\ | ? * .".to_string();
        return Err(Invalid::new("name", "invalid", message).into());
    }
    Ok(name.to_string())
}

fn valid_tag(design: &Design, tag: &str, except: &str) -> Out<String> {
    let ok_chars = tag
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if tag.is_empty() || !ok_chars || !tag.starts_with(|c: char| c.is_ascii_alphabetic()) {
        let message =
            format!("tag {tag:?} must start with a letter and hold only letters, digits, - and _");
        return Err(Invalid::new("tag", "invalid", message).into());
    }
    let taken = design.nodes.iter().any(|n| {
        n.kind == Kind::Component && n.id != except && n.fields.get("tag") == Some(&json!(tag))
    });
    if taken {
        return Err(conflict(&format!(
            "a component with tag {tag:?} already exists"
        )));
    }
    Ok(tag.to_string())
}

fn fields_of(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Folder => &["name", "parent_folder_id"],
        Kind::Component => &["name", "tag", "content", "parent_folder_id"],
        Kind::Email => &[
            "name",
            "is_template",
            "parent_folder_id",
            "content",
            "envelope",
            "transformers",
        ],
    }
}

fn create(design: &mut Design, kind: Kind, body: &[u8]) -> Out<Value> {
    let fields = body_object(body)?;
    reject_unknown(&fields, fields_of(kind))?;
    let obj = Obj::root(&fields);
    let name = valid_name(kind, obj.req_str("name")?)?;
    let parent = parent_ref(design, fields.get("parent_folder_id"))?;
    let mut extra = Map::new();
    let mut main = None;
    match kind {
        Kind::Folder => {}
        Kind::Component => {
            let tag = valid_tag(design, obj.req_str("tag")?, "")?;
            let html = obj.opt_str("content")?.ok_or_else(|| {
                Invalid::new("content", "required", "content is required".to_string())
            })?;
            extra.insert("tag".into(), json!(tag));
            extra.insert("content".into(), json!(html));
        }
        Kind::Email => {
            let template = opt_bool(&fields, "is_template")?.unwrap_or(false);
            extra.insert("is_template".into(), json!(template));
            extra.insert("is_linked".into(), json!(false));
            let now = unix_now();
            let mut version = Translation {
                language: String::new(),
                content: blank_content(),
                envelope: default_envelope(),
                transformers: Map::new(),
                created: now,
                updated: now,
            };
            apply_parts(&mut version, &fields)?;
            main = Some(version);
        }
    }
    let now = unix_now();
    let node = Node {
        kind,
        id: design.fresh_id(),
        name,
        parent,
        created: now,
        updated: now,
        fields: extra,
        main,
        translations: Vec::new(),
    };
    let record = node.full();
    design.nodes.push(node);
    Ok(record)
}

/// Checks an object of known string fields (`content`).
fn content_part(value: &Value) -> Out<&Map<String, Value>> {
    let map = value.as_object().ok_or_else(|| {
        Invalid::new("content", "invalid", "content must be a JSON object".into())
    })?;
    for (key, v) in map {
        if !CONTENT_FIELDS.contains(&key.as_str()) {
            let message = format!("unknown field content.{key}");
            return Err(Invalid::new(format!("content.{key}"), "not_allowed", message).into());
        }
        if !v.is_string() {
            let message = format!("content.{key} must be a string");
            return Err(Invalid::new(format!("content.{key}"), "invalid", message).into());
        }
    }
    Ok(map)
}

fn sender(field: &str, value: &Value) -> Out<Option<(u64, &'static str)>> {
    if value.is_null() {
        return Ok(None);
    }
    value
        .as_u64()
        .and_then(|id| EMAIL_SENDERS.iter().find(|s| s.0 == id).copied())
        .map(Some)
        .ok_or_else(|| {
            let message = format!("envelope.{field} must be the id of an email sender identity");
            Invalid::new(format!("envelope.{field}"), "invalid", message).into()
        })
}

/// Stores `content`, `envelope` and `transformers` from `fields` over `version`.
fn apply_parts(version: &mut Translation, fields: &Map<String, Value>) -> Out<()> {
    if let Some(value) = fields.get("content") {
        version.content.extend(content_part(value)?.clone());
    }
    if let Some(value) = fields.get("envelope") {
        let map = value.as_object().ok_or_else(|| {
            Invalid::new(
                "envelope",
                "invalid",
                "envelope must be a JSON object".into(),
            )
        })?;
        reject_unknown(map, ENVELOPE_FIELDS)
            .map_err(|e| AppError::at(e.status, e.detail, "/envelope"))?;
        for (key, v) in map {
            match key.as_str() {
                "from_id" | "reply_to_id" => {
                    let found = sender(key, v)?;
                    let address_key = key.trim_end_matches("_id");
                    version
                        .envelope
                        .insert(key.clone(), json!(found.map(|s| s.0)));
                    version
                        .envelope
                        .insert(address_key.into(), json!(found.map_or("", |s| s.1)));
                }
                "fake_bcc" => {
                    let flag = v.as_bool().ok_or_else(|| {
                        Invalid::new(
                            "envelope.fake_bcc",
                            "invalid",
                            "envelope.fake_bcc must be a boolean".into(),
                        )
                    })?;
                    version.envelope.insert(key.clone(), json!(flag));
                }
                "headers" => {
                    let valid = v.as_array().is_some_and(|items| {
                        items.iter().all(|h| {
                            h.get("name").is_some_and(Value::is_string)
                                && h.get("value").is_some_and(Value::is_string)
                        })
                    });
                    if !valid {
                        let message =
                            "envelope.headers must be [{\"name\", \"value\"}]".to_string();
                        return Err(Invalid::new("envelope.headers", "invalid", message).into());
                    }
                    version.envelope.insert(key.clone(), v.clone());
                }
                _ => {
                    let text = v.as_str().ok_or_else(|| {
                        let message = format!("envelope.{key} must be a string");
                        Invalid::new(format!("envelope.{key}"), "invalid", message)
                    })?;
                    version.envelope.insert(key.clone(), json!(text));
                }
            }
        }
    }
    if let Some(value) = fields.get("transformers") {
        let map = value.as_object().ok_or_else(|| {
            Invalid::new(
                "transformers",
                "invalid",
                "transformers must be a JSON object".into(),
            )
        })?;
        reject_unknown(map, TRANSFORMERS)
            .map_err(|e| AppError::at(e.status, e.detail, "/transformers"))?;
        if let Some((key, _)) = map.iter().find(|(_, v)| !v.is_object()) {
            let message = format!("transformers.{key} must be a JSON object");
            return Err(Invalid::new(format!("transformers.{key}"), "invalid", message).into());
        }
        version.transformers.extend(map.clone());
    }
    Ok(())
}

fn update(design: &mut Design, index: usize, body: &[u8]) -> Out<()> {
    let kind = design.nodes[index].kind;
    let id = design.nodes[index].id.clone();
    let fields = body_object(body)?;
    reject_unknown(&fields, fields_of(kind))?;
    require_some(&fields)?;
    let obj = Obj::root(&fields);
    let mut node = design.nodes[index].clone();
    if fields.contains_key("name") {
        node.name = valid_name(kind, obj.req_str("name")?)?;
    }
    if fields.contains_key("parent_folder_id") {
        let parent = parent_ref(design, fields.get("parent_folder_id"))?;
        if kind == Kind::Folder && design.within(parent.as_deref(), &id) {
            let message = "a folder cannot move into itself or its own subfolders".to_string();
            return Err(Invalid::new("parent_folder_id", "invalid", message).into());
        }
        node.parent = parent;
    }
    match kind {
        Kind::Folder => {}
        Kind::Component => {
            if fields.contains_key("tag") {
                let tag = valid_tag(design, obj.req_str("tag")?, &id)?;
                node.fields.insert("tag".into(), json!(tag));
            }
            if let Some(html) = obj.opt_str("content")? {
                node.fields.insert("content".into(), json!(html));
            }
        }
        Kind::Email => {
            if let Some(flag) = opt_bool(&fields, "is_template")? {
                node.fields.insert("is_template".into(), json!(flag));
            }
            if let Some(main) = &mut node.main {
                apply_parts(main, &fields)?;
                main.updated = unix_now();
            }
        }
    }
    node.updated = unix_now();
    design.nodes[index] = node;
    Ok(())
}

/// Deletes a record; a folder takes its subfolders and everything in them along.
fn delete(design: &mut Design, index: usize) -> Out<()> {
    let node = design.nodes[index].clone();
    match node.kind {
        Kind::Folder => {
            let doomed: Vec<bool> = design
                .nodes
                .iter()
                .map(|n| n.id == node.id || design.within(n.parent.as_deref(), &node.id))
                .collect();
            let blocked = design
                .nodes
                .iter()
                .zip(&doomed)
                .any(|(n, &d)| d && n.kind == Kind::Email && linked(n).is_err());
            if blocked {
                return Err(conflict("the folder holds emails linked to workflows"));
            }
            let mut flags = doomed.into_iter();
            design.nodes.retain(|_| !flags.next().unwrap_or(false));
        }
        Kind::Email => {
            linked(&node)?;
            design.nodes.remove(index);
        }
        Kind::Component => {
            design.nodes.remove(index);
        }
    }
    Ok(())
}

/// A language code such as `fr`, `pt-BR` or `zh_Hant`.
fn valid_language(language: &str) -> bool {
    let mut parts = language.split(['-', '_']);
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| (2..=4).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// `POST /v1/design_studio/emails/{id}/languages`: `language` is required; the parts not sent
/// are copied from the email.
fn add_translation(design: &mut Design, id: &str, body: &[u8]) -> Out<Value> {
    let index = design.index(Kind::Email, id)?;
    let fields = body_object(body)?;
    reject_unknown(
        &fields,
        &["language", "content", "envelope", "transformers"],
    )?;
    let language = Obj::root(&fields).req_str("language")?.to_string();
    if !valid_language(&language) {
        let message = format!("language {language:?} is not a language code");
        return Err(Invalid::new("language", "invalid", message).into());
    }
    let node = &mut design.nodes[index];
    if node.translations.iter().any(|t| t.language == language) {
        return Err(conflict(&format!(
            "the email already has a {language:?} translation"
        )));
    }
    let now = unix_now();
    let mut version = node.main.clone().unwrap_or_else(|| Translation {
        language: String::new(),
        content: blank_content(),
        envelope: default_envelope(),
        transformers: Map::new(),
        created: now,
        updated: now,
    });
    version.language = language;
    version.created = now;
    version.updated = now;
    apply_parts(&mut version, &fields)?;
    node.translations.push(version);
    node.updated = now;
    let record = node.translation_json(node.translations.last().expect("just pushed"));
    Ok(json!({ "email_translation": record }))
}
