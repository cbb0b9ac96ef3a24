//! Objects (App API §6.12): object search, object types, an object's attributes and its people.
//! The objects are those Track v2 (and v1 `cio_relationships`) created, plus the seeded object
//! type 1, "Companies", with `acme`, `globex` and `initech` (cio_object_ids `oc0000000001`…),
//! which every workspace reads without Track having written them. A Track identify of a seeded
//! company adds to its seeded attributes; it keeps its seeded `cio_object_id`.

use serde_json::{json, Map, Value};

use crate::filter::{self, Subject};
use crate::fixtures::DEFAULT_LIMIT;
use crate::people::{identifiers, page};
use crate::records::Out;
use crate::state::{RelPerson, SiteData};
use crate::util::{query_param, respond, AppError};

/// The seeded object type: id, name, singular name.
pub(crate) const COMPANIES: (&str, &str, &str) = ("1", "Companies", "Company");
/// The seeded companies: object id, name, plan, employees.
const SEEDED: [(&str, &str, &str, u64); 3] = [
    ("acme", "Acme Inc.", "enterprise", 1200),
    ("globex", "Globex Corporation", "pro", 340),
    ("initech", "Initech", "basic", 45),
];

/// An object as the App API reads it.
struct View {
    type_id: String,
    object_id: String,
    cio_object_id: String,
    attributes: Map<String, Value>,
}

fn seeded_cio(index: usize) -> String {
    format!("oc{:010x}", index + 1)
}

/// Every object of the workspace: the seeded companies (with what Track added) first, then the
/// Track objects in creation order.
fn views(site: &SiteData) -> Vec<View> {
    let mut list: Vec<View> = SEEDED
        .iter()
        .enumerate()
        .map(|(i, &(id, name, plan, employees))| {
            let mut attributes = Map::new();
            attributes.insert("name".into(), json!(name));
            attributes.insert("plan".into(), json!(plan));
            attributes.insert("employees".into(), json!(employees));
            View {
                type_id: COMPANIES.0.to_string(),
                object_id: id.to_string(),
                cio_object_id: seeded_cio(i),
                attributes,
            }
        })
        .collect();
    for object in &site.objects {
        let seeded = list
            .iter_mut()
            .take(SEEDED.len())
            .find(|v| v.type_id == object.object_type_id && v.object_id == object.object_id);
        match seeded {
            Some(view) => view.attributes.extend(object.attributes.clone()),
            None => list.push(View {
                type_id: object.object_type_id.clone(),
                object_id: object.object_id.clone(),
                cio_object_id: object.cio_object_id.clone(),
                attributes: object.attributes.clone(),
            }),
        }
    }
    list
}

/// The `cio_object_id` the App API shows for an object (seeded or from Track).
pub(crate) fn cio_object_id(site: &SiteData, type_id: &str, object_id: &str) -> Option<String> {
    views(site)
        .into_iter()
        .find(|v| v.type_id == type_id && v.object_id == object_id)
        .map(|v| v.cio_object_id)
}

pub(crate) fn route(
    site: &mut SiteData,
    method: &str,
    segments: &[&str],
    query: Option<&str>,
    body: &[u8],
) -> Option<Response> {
    Some(match (method, segments) {
        ("POST", ["v1", "objects"]) => respond(search(site, query, body)),
        ("GET", ["v1", "object_types"]) => respond(Ok(types(site))),
        ("GET", ["v1", "objects", type_id, object_id, "attributes"]) => {
            respond(find(site, type_id, object_id, query).map(|v| {
                json!({"object": {
                    "identifiers": {"object_id": v.object_id, "cio_object_id": v.cio_object_id},
                    "object_type_id": v.type_id,
                    "attributes": v.attributes,
                    "timestamps": {},
                }})
            }))
        }
        ("GET", ["v1", "objects", type_id, object_id, "relationships"]) => {
            respond(relationships(site, type_id, object_id, query))
        }
        _ => return None,
    })
}

use axum::response::Response;

fn types(site: &SiteData) -> Value {
    let mut ids: Vec<String> = vec![COMPANIES.0.to_string()];
    for object in &site.objects {
        if !ids.contains(&object.object_type_id) {
            ids.push(object.object_type_id.clone());
        }
    }
    let types: Vec<Value> = ids
        .iter()
        .map(|id| {
            let (name, singular) = if id == COMPANIES.0 {
                (COMPANIES.1.to_string(), COMPANIES.2.to_string())
            } else {
                (format!("Object type {id}"), format!("Object type {id}"))
            };
            json!({
                "id": id,
                "name": name,
                "singular_name": singular,
                "slug": name.to_ascii_lowercase().replace(' ', "_"),
                "singular_slug": singular.to_ascii_lowercase().replace(' ', "_"),
                "icon": "building",
                "enabled": true,
            })
        })
        .collect();
    json!({ "types": types })
}

/// The object a path names: `id_type` is `object_id` (default) or `cio_object_id`.
fn find(site: &SiteData, type_id: &str, object_id: &str, query: Option<&str>) -> Out<View> {
    let id_type = query_param(query, "id_type").unwrap_or_default();
    let by_cio = match id_type.as_str() {
        "" | "object_id" => false,
        "cio_object_id" => true,
        other => {
            return Err(AppError::bad_request(format!(
                "id_type must be object_id or cio_object_id (got {other:?})"
            )))
        }
    };
    views(site)
        .into_iter()
        .find(|v| {
            v.type_id == type_id
                && if by_cio {
                    v.cio_object_id == object_id
                } else {
                    v.object_id == object_id
                }
        })
        .ok_or_else(AppError::not_found)
}

/// `POST /v1/objects`: `{"object_type_id"*, "filter"*}`, paged; the filter reads the object's
/// attributes (and `object_id`, `cio_object_id`) through `object_attribute` nodes (whose
/// `type_id` is not checked).
fn search(site: &SiteData, query: Option<&str>, body: &[u8]) -> Out<Value> {
    let fields = crate::check::parse_body(body, false)?;
    let type_id = match fields.get("object_type_id") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => {
            return Err(AppError::at(
                axum::http::StatusCode::BAD_REQUEST,
                "object_type_id is required",
                "/object_type_id",
            ))
        }
    };
    let filter = filter::parse(fields.get("filter"), "/filter", Subject::Objects)?;
    let found: Vec<View> = views(site)
        .into_iter()
        .filter(|v| v.type_id == type_id)
        .filter(|v| {
            let attr = |name: &str| match name {
                "object_id" => Some(json!(v.object_id)),
                "cio_object_id" => Some(json!(v.cio_object_id)),
                _ => v.attributes.get(name).cloned(),
            };
            filter.eval(&attr, &|_| false)
        })
        .collect();
    let (page, next) = page(found, query, DEFAULT_LIMIT)?;
    let identifiers: Vec<Value> = page
        .iter()
        .map(|v| json!({"object_id": v.object_id, "cio_object_id": v.cio_object_id}))
        .collect();
    let ids: Vec<&str> = page.iter().map(|v| v.object_id.as_str()).collect();
    Ok(json!({"identifiers": identifiers, "ids": ids, "next": next}))
}

/// `…/relationships`: the people linked with the object (anonymous links are left out).
fn relationships(
    site: &SiteData,
    type_id: &str,
    object_id: &str,
    query: Option<&str>,
) -> Out<Value> {
    let view = find(site, type_id, object_id, query)?;
    let list: Vec<Value> = site
        .relationships
        .iter()
        .filter(|r| r.object_type_id == view.type_id && r.object_id == view.object_id)
        .filter_map(|r| match &r.person {
            RelPerson::Cio(cio) => site.people.iter().find(|p| p.cio_id == *cio).map(|p| {
                json!({
                    "identifiers": identifiers(p),
                    "object_type_id": r.object_type_id,
                    "object_type_disabled": false,
                })
            }),
            RelPerson::Anonymous(_) => None,
        })
        .collect();
    let (page, next) = page(list, query, DEFAULT_LIMIT)?;
    Ok(json!({"cio_relationships": page, "next": next}))
}
