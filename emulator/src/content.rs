//! The App API's content and settings families, each with per-workspace state: collections and
//! snippets (here), assets ([`crate::assets`]), Design Studio ([`crate::design_studio`]),
//! reporting webhooks, ESP suppressions, sender-identity usage and subscription channels
//! ([`crate::settings`]). `app.rs` hands every path these families own to [`serve`]; a path or
//! method they do not serve is the App 404.
//!
//! Seeds: collection 1 ("products", two rows), snippet `footer`; see the other modules for theirs.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use crate::check::{self, Invalid, Obj};
use crate::records::{Out, EPOCH};
use crate::state::SiteData;
use crate::util::{json_value, no_content, parse_id, unix_now, AppError};
use crate::{assets, design_studio, settings};

/// One workspace's content and settings state.
#[derive(Debug)]
pub(crate) struct Content {
    pub(crate) collections: Vec<Collection>,
    next_collection: u64,
    /// Snippets in creation order.
    pub(crate) snippets: Vec<Snippet>,
    pub(crate) assets: assets::Assets,
    pub(crate) design: design_studio::Design,
    pub(crate) settings: settings::Settings,
}

impl Default for Content {
    fn default() -> Self {
        Content {
            collections: vec![Collection {
                id: 1,
                name: "products".to_string(),
                data: vec![
                    json!({"sku": "A-100", "name": "T-shirt", "price": 20}),
                    json!({"sku": "B-200", "name": "Mug", "price": 12}),
                ],
                url: None,
                document: None,
                created_at: EPOCH - 86_400,
                updated_at: EPOCH - 86_400,
            }],
            next_collection: 2,
            snippets: vec![Snippet {
                name: "footer".to_string(),
                value: "<p>Demo Inc. · 1 Example Street · <a href=\"{% unsubscribe_url %}\">Unsubscribe</a></p>"
                    .to_string(),
                updated_at: EPOCH - 3_600,
            }],
            assets: assets::Assets::default(),
            design: design_studio::Design::default(),
            settings: settings::Settings::default(),
        }
    }
}

/// Whether `segments` (an App path, Beta's `/v1/api` already made `/v1`) belongs to a family
/// served here.
pub(crate) fn owns(segments: &[&str]) -> bool {
    matches!(
        segments,
        [
            "v1",
            "collections"
                | "snippets"
                | "assets"
                | "design_studio"
                | "reporting_webhooks"
                | "esp"
                | "subscription_channels",
            ..
        ] | ["v1", "sender_identities", _, "used_by"]
    )
}

/// Serves a request [`owns`] accepted.
pub(crate) fn serve(
    site: &mut SiteData,
    method: &str,
    segments: &[&str],
    query: Option<&str>,
    body: &[u8],
) -> Response {
    let content = &mut site.content;
    let result = match (method, segments) {
        ("GET", ["v1", "collections"]) => Ok(ok(collections_json(content))),
        ("POST", ["v1", "collections"]) => create_collection(content, body).map(ok),
        ("GET", ["v1", "collections", id]) => {
            collection(content, id).map(|c| ok(json!({"collection": c.to_json()})))
        }
        ("PUT", ["v1", "collections", id]) => update_collection(content, id, body).map(ok),
        ("DELETE", ["v1", "collections", id]) => delete_collection(content, id),
        ("GET", ["v1", "collections", id, "content"]) => {
            collection(content, id).map(|c| ok(c.contents()))
        }
        ("PUT", ["v1", "collections", id, "content"]) => {
            replace_contents(content, id, body).map(ok)
        }
        ("GET", ["v1", "snippets"]) => Ok(ok(snippets_json(content))),
        ("POST", ["v1", "snippets"]) => put_snippet(content, None, body, false).map(ok),
        ("PUT", ["v1", "snippets"]) => put_snippet(content, None, body, true).map(ok),
        ("PUT", ["v1", "snippets", name]) => put_snippet(content, Some(name), body, true).map(ok),
        ("DELETE", ["v1", "snippets", name]) => delete_snippet(content, name),
        (method, ["v1", "assets", rest @ ..]) => assets::serve(content, method, rest, query, body),
        (method, ["v1", "design_studio", rest @ ..]) => {
            design_studio::serve(content, method, rest, query, body)
        }
        (method, segments) => settings::serve(content, method, segments, query, body),
    };
    result.unwrap_or_else(|error| error.response())
}

/// A 200 with a JSON body.
pub(crate) fn ok(value: Value) -> Response {
    json_value(StatusCode::OK, &value)
}

/// The request body as a JSON object (400 otherwise).
pub(crate) fn body_object(body: &[u8]) -> Out<Map<String, Value>> {
    Ok(check::parse_body(body, false)?)
}

/// 400 for a field the operation does not take.
pub(crate) fn reject_unknown(fields: &Map<String, Value>, known: &[&str]) -> Out<()> {
    match fields.keys().find(|k| !known.contains(&k.as_str())) {
        Some(key) => Err(Invalid::new(
            key.as_str(),
            "not_allowed",
            format!(
                "unknown field {key:?}; expected one of {}",
                known.join(", ")
            ),
        )
        .into()),
        None => Ok(()),
    }
}

/// An optional boolean field.
pub(crate) fn opt_bool(fields: &Map<String, Value>, key: &str) -> Out<Option<bool>> {
    match fields.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(Invalid::new(key, "invalid", format!("{key} must be a boolean")).into()),
    }
}

/// A data collection: rows of JSON objects, sent inline or (for a URL collection) not kept.
#[derive(Clone, Debug)]
pub(crate) struct Collection {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) data: Vec<Value>,
    pub(crate) url: Option<String>,
    /// The contents as a `PUT …/content` with a JSON object left them (`data` is then that one
    /// object as its only row).
    pub(crate) document: Option<Value>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

impl Collection {
    /// What `GET …/content` answers: the rows, or the object `PUT …/content` stored.
    fn contents(&self) -> Value {
        self.document
            .clone()
            .unwrap_or_else(|| Value::Array(self.data.clone()))
    }

    /// `{bytes, created_at, id, name, rows, schema, updated_at}` (and `url` for a URL collection).
    pub(crate) fn to_json(&self) -> Value {
        let schema: BTreeSet<&str> = self
            .data
            .iter()
            .filter_map(Value::as_object)
            .flat_map(|row| row.keys().map(String::as_str))
            .collect();
        let bytes = serde_json::to_vec(&self.data).map_or(0, |b| b.len());
        let mut record = json!({
            "id": self.id,
            "name": self.name,
            "bytes": bytes,
            "rows": self.data.len(),
            "schema": schema,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        });
        if let Some(url) = &self.url {
            record["url"] = json!(url);
        }
        record
    }
}

fn collections_json(content: &Content) -> Value {
    let list: Vec<Value> = content
        .collections
        .iter()
        .map(Collection::to_json)
        .collect();
    json!({ "collections": list })
}

fn collection_index(content: &Content, id: &str) -> Out<usize> {
    parse_id(id)
        .and_then(|id| content.collections.iter().position(|c| c.id == id))
        .ok_or_else(AppError::not_found)
}

fn collection<'a>(content: &'a Content, id: &str) -> Out<&'a Collection> {
    Ok(&content.collections[collection_index(content, id)?])
}

/// `data`: an array of JSON objects.
fn rows(value: &Value, field: &str) -> Out<Vec<Value>> {
    let invalid = || {
        Invalid::new(
            field,
            "invalid",
            format!("{field} must be an array of objects"),
        )
    };
    let items = value.as_array().ok_or_else(invalid)?;
    if items.iter().any(|row| !row.is_object()) {
        return Err(invalid().into());
    }
    Ok(items.clone())
}

/// `data` or `url` from a create or update body; `None` when neither is there.
fn source(obj: &Obj<'_>) -> Out<Option<(Vec<Value>, Option<String>)>> {
    if let Some(data) = obj.get("data") {
        return Ok(Some((rows(data, "data")?, None)));
    }
    match obj.opt_str("url")? {
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            Ok(Some((Vec::new(), Some(url.to_string()))))
        }
        Some(_) => Err(Invalid::new("url", "invalid", "url must be an http(s) URL".into()).into()),
        None => Ok(None),
    }
}

/// `POST /v1/collections`: `name` and either `data` (rows) or `url` are required.
fn create_collection(content: &mut Content, body: &[u8]) -> Out<Value> {
    let fields = body_object(body)?;
    let obj = Obj::root(&fields);
    let name = obj.req_str("name")?.to_string();
    let (data, url) = source(&obj)?.ok_or_else(|| {
        Invalid::new(
            "data",
            "required",
            "data (an array of objects) or url is required".into(),
        )
    })?;
    let now = unix_now();
    let collection = Collection {
        id: content.next_collection,
        name,
        data,
        url,
        document: None,
        created_at: now,
        updated_at: now,
    };
    content.next_collection += 1;
    let record = collection.to_json();
    content.collections.push(collection);
    Ok(json!({ "collection": record }))
}

/// `PUT /v1/collections/{id}`: `name` and/or `data` or `url`.
fn update_collection(content: &mut Content, id: &str, body: &[u8]) -> Out<Value> {
    let index = collection_index(content, id)?;
    let fields = body_object(body)?;
    let obj = Obj::root(&fields);
    let name = obj.opt_str("name")?;
    let source = source(&obj)?;
    if name.is_none() && source.is_none() {
        let message = "name, data or url is required".to_string();
        return Err(Invalid::new("", "required", message).into());
    }
    let collection = &mut content.collections[index];
    if let Some(name) = name {
        if name.is_empty() {
            let message = "name must not be empty".to_string();
            return Err(Invalid::new("name", "required", message).into());
        }
        collection.name = name.to_string();
    }
    if let Some((data, url)) = source {
        collection.data = data;
        collection.url = url;
        collection.document = None;
    }
    collection.updated_at = unix_now();
    Ok(json!({ "collection": collection.to_json() }))
}

fn delete_collection(content: &mut Content, id: &str) -> Out<Response> {
    let index = collection_index(content, id)?;
    content.collections.remove(index);
    Ok(no_content())
}

/// `PUT /v1/collections/{id}/content`: the body is the new contents, replacing the old: a JSON
/// array of row objects, or a JSON object (kept as sent, counted as one row).
fn replace_contents(content: &mut Content, id: &str, body: &[u8]) -> Out<Value> {
    let index = collection_index(content, id)?;
    let value: Value = serde_json::from_slice(body).map_err(|err| {
        AppError::bad_request(format!("the request body is not valid JSON: {err}"))
    })?;
    // The spec's request body is one free-form object (`PUT /v1/collections/{id}/content`).
    let (data, document) = match value {
        Value::Object(_) => (vec![value.clone()], Some(value)),
        _ => {
            return Err(AppError::bad_request(
                "the collection's content is one JSON object".to_string(),
            ))
        }
    };
    let collection = &mut content.collections[index];
    collection.data = data;
    collection.document = document;
    collection.url = None;
    collection.updated_at = unix_now();
    Ok(json!({ "collection": collection.to_json() }))
}

/// A snippet, `{{ snippets.<name> }}` in templates.
#[derive(Clone, Debug)]
pub(crate) struct Snippet {
    pub(crate) name: String,
    pub(crate) value: String,
    pub(crate) updated_at: i64,
}

impl Snippet {
    fn to_json(&self) -> Value {
        json!({"name": self.name, "value": self.value, "updated_at": self.updated_at})
    }
}

fn snippets_json(content: &Content) -> Value {
    let list: Vec<Value> = content.snippets.iter().map(Snippet::to_json).collect();
    json!({ "snippets": list })
}

/// The longest snippet name and value, in characters.
const MAX_SNIPPET_NAME: usize = 150;
const MAX_SNIPPET_VALUE: usize = 16_000;

/// `POST /v1/snippets` creates: a taken, blank or too long `name` or `value` is a 422 pointing
/// at the field. `PUT /v1/snippets` (and `PUT /v1/snippets/{name}`, an older form) creates or
/// updates, with a 400 for those. Both trim `name` and `value`.
fn put_snippet(
    content: &mut Content,
    path_name: Option<&str>,
    body: &[u8],
    upsert: bool,
) -> Out<Value> {
    let fields = body_object(body)?;
    let status = if upsert {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let text = |key: &str, max: usize| -> Out<String> {
        let refuse = |detail: String| AppError::at(status, detail, format!("/{key}"));
        let value = match (key, path_name) {
            ("name", Some(name)) => Some(name),
            _ => fields.get(key).and_then(Value::as_str),
        };
        let value = value.map(str::trim).unwrap_or("");
        if value.is_empty() {
            return Err(refuse(format!("{key} is required and may not be blank")));
        }
        let count = value.chars().count();
        if count > max {
            return Err(refuse(format!(
                "{key} has {count} characters; the limit is {max}"
            )));
        }
        Ok(value.to_string())
    };
    let name = text("name", MAX_SNIPPET_NAME)?;
    let value = text("value", MAX_SNIPPET_VALUE)?;
    let now = unix_now();
    let snippet = match content.snippets.iter_mut().find(|s| s.name == name) {
        Some(_) if !upsert => {
            let detail = format!("a snippet named {name:?} already exists");
            return Err(AppError::at(status, detail, "/name"));
        }
        Some(existing) => {
            existing.value = value;
            existing.updated_at = now;
            existing.clone()
        }
        None => {
            let snippet = Snippet {
                name,
                value,
                updated_at: now,
            };
            content.snippets.push(snippet.clone());
            snippet
        }
    };
    Ok(json!({ "snippet": snippet.to_json() }))
}

fn delete_snippet(content: &mut Content, name: &str) -> Out<Response> {
    let index = content
        .snippets
        .iter()
        .position(|s| s.name == name)
        .ok_or_else(AppError::not_found)?;
    content.snippets.remove(index);
    Ok(no_content())
}

/// The App 404, as a result.
pub(crate) fn missing<T>() -> Out<T> {
    Err(AppError::not_found())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owns_only_its_families() {
        assert!(owns(&["v1", "collections"]));
        assert!(owns(&["v1", "design_studio", "emails", "x"]));
        assert!(owns(&["v1", "sender_identities", "1", "used_by"]));
        assert!(!owns(&["v1", "sender_identities", "1"]));
        assert!(!owns(&["v1", "campaigns"]));
    }

    #[test]
    fn collection_schema_is_the_union_of_row_keys() {
        let c = Collection {
            id: 9,
            name: "x".into(),
            data: vec![json!({"b": 1}), json!({"a": 2, "b": 3})],
            url: None,
            document: None,
            created_at: 0,
            updated_at: 0,
        };
        assert_eq!(c.to_json()["schema"], json!(["a", "b"]));
        assert_eq!(c.to_json()["rows"], json!(2));
    }
}
