//! `/__emulator__/…`: the recorded requests, the fault queue and counts and a workspace's state over HTTP,
//! for hosts that cannot call the Rust API. These requests are not themselves recorded or faulted.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use serde_json::{json, Value};

use crate::fault_json::{fault_json, parse_fault};
use crate::state::{Shared, SiteData};
use crate::util::{app_error, json_bytes, json_value, query_param};
use crate::{Device, Person, StoredEvent};

pub(crate) const PREFIX: &str = "/__emulator__";

pub(crate) fn is_inspection_path(path: &str) -> bool {
    path == PREFIX || path.starts_with("/__emulator__/")
}

pub(crate) fn handle(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> Response {
    let ok = || json_bytes(StatusCode::OK, b"{}".to_vec());
    match (method.as_str(), path) {
        ("GET", "/__emulator__/state") => {
            let Some(site_id) = query_param(query, "site") else {
                return app_error(
                    StatusCode::BAD_REQUEST,
                    "the site query parameter is required, e.g. /__emulator__/state?site=demo-site",
                );
            };
            let state = shared.lock();
            match state.sites.get(&site_id) {
                Some(site) => json_value(StatusCode::OK, &state_json(site, &state.metrics)),
                None => app_error(
                    StatusCode::NOT_FOUND,
                    &format!("no workspace with site id {site_id:?}"),
                ),
            }
        }
        ("GET", "/__emulator__/requests") => {
            let state = shared.lock();
            let list: Vec<Value> = state
                .requests
                .iter()
                .map(|r| {
                    json!({
                        "method": r.method,
                        "host": r.host,
                        "path": r.path,
                        "query": r.query,
                        "headers": r.headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
                        "body_base64": base64::engine::general_purpose::STANDARD.encode(&r.body),
                    })
                })
                .collect();
            json_value(StatusCode::OK, &Value::Array(list))
        }
        ("DELETE", "/__emulator__/requests") => {
            shared.lock().requests.clear();
            ok()
        }
        ("POST", "/__emulator__/faults") => match parse_fault(body) {
            Ok(fault) => {
                let listed = fault_json(&fault);
                shared.lock().push_fault(fault);
                json_value(StatusCode::OK, &json!({"queued": listed}))
            }
            Err(message) => app_error(StatusCode::BAD_REQUEST, &message),
        },
        ("GET", "/__emulator__/faults") => {
            let state = shared.lock();
            let pending: Vec<Value> = state.pending_faults().iter().map(fault_json).collect();
            json_value(
                StatusCode::OK,
                &json!({"pending": pending, "counts": state.fault_counts}),
            )
        }
        ("DELETE", "/__emulator__/faults") => {
            shared.lock().clear_faults();
            ok()
        }
        ("GET", "/__emulator__/faults/counts") => {
            json_value(StatusCode::OK, &json!(shared.lock().fault_counts))
        }
        ("DELETE", "/__emulator__/faults/counts") => {
            shared.lock().fault_counts.clear();
            ok()
        }
        _ => app_error(
            StatusCode::NOT_FOUND,
            "unknown emulator endpoint: use GET or DELETE /__emulator__/requests, \
             POST, GET or DELETE /__emulator__/faults, GET or DELETE \
             /__emulator__/faults/counts, GET /__emulator__/state?site=SITE",
        ),
    }
}

pub(crate) fn device_json(device: &Device) -> Value {
    json!({
        "id": device.id,
        "platform": device.platform,
        "last_used": device.last_used,
        "attributes": device.attributes,
    })
}

fn person_json(site: &SiteData, person: &Person) -> Value {
    let devices: Vec<Value> = site
        .devices
        .get(&person.cio_id)
        .into_iter()
        .flatten()
        .map(device_json)
        .collect();
    let segments: Vec<u64> = site
        .segments
        .iter()
        .filter(|(_, s)| s.members.contains(&person.cio_id))
        .map(|(id, _)| *id)
        .collect();
    json!({
        "cio_id": person.cio_id,
        "id": person.id,
        "email": person.email,
        "attributes": person.attributes,
        "unsubscribed": person.unsubscribed(),
        "devices": devices,
        "segments": segments,
    })
}

fn event_json(event: &StoredEvent) -> Value {
    json!({
        "person": event.person,
        "name": event.name,
        "type": event.event_type,
        "id": event.id,
        "timestamp": event.timestamp,
        "data": event.data,
        "anonymous_id": event.anonymous_id,
    })
}

/// The document of `GET /__emulator__/state?site=SITE` and `Emulator::state_json`.
pub(crate) fn state_json(site: &SiteData, metrics: &[Value]) -> Value {
    let segments: Vec<Value> = site
        .segments
        .iter()
        .map(|(id, segment)| {
            json!({
                "id": id,
                "name": segment.name,
                "type": if segment.manual { "manual" } else { "dynamic" },
                "members": site.member_labels(segment),
            })
        })
        .collect();
    let objects: Vec<Value> = site
        .objects
        .iter()
        .map(|o| {
            json!({
                "object_type_id": o.object_type_id,
                "object_id": o.object_id,
                "cio_object_id": o.cio_object_id,
                "attributes": o.attributes,
            })
        })
        .collect();
    let relationships: Vec<Value> = site
        .relationships_out()
        .into_iter()
        .map(|r| {
            json!({
                "person": r.person,
                "cio_id": r.cio_id,
                "object_type_id": r.object_type_id,
                "object_id": r.object_id,
                "attributes": r.attributes,
            })
        })
        .collect();
    let forms: Vec<Value> = site
        .forms
        .iter()
        .map(|f| json!({"form_id": f.form_id, "data": f.data}))
        .collect();
    json!({
        "people": site.people.iter().map(|p| person_json(site, p)).collect::<Vec<_>>(),
        "events": site.events.iter().map(event_json).collect::<Vec<_>>(),
        "segments": segments,
        "suppressed": site.suppressions.iter().flatten().collect::<Vec<_>>(),
        "objects": objects,
        "relationships": relationships,
        "form_submissions": forms,
        "deliveries": site.deliveries,
        "transactional_deliveries": site.transactional,
        "newsletters": site.newsletters.to_json(),
        "live_notifications": site.live.to_json(),
        "edits": site.edits,
        "metrics": metrics,
    })
}
