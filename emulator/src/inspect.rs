//! `/__emulator__/…`: the recorded requests, the fault queue and a workspace's state over HTTP,
//! for hosts that cannot call the Rust API. These requests are not themselves recorded or faulted.

use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use serde_json::{json, Value};

use crate::state::{Shared, SiteData};
use crate::util::{app_error, json_bytes, json_value, query_param, STANDARD_LENIENT};
use crate::{Device, Fault, FaultAction, Person, StoredEvent};

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
                if fault.times > 0 {
                    shared.lock().faults.push(fault);
                }
                ok()
            }
            Err(message) => app_error(StatusCode::BAD_REQUEST, &message),
        },
        ("DELETE", "/__emulator__/faults") => {
            shared.lock().faults.clear();
            ok()
        }
        _ => app_error(
            StatusCode::NOT_FOUND,
            "unknown emulator endpoint: use GET or DELETE /__emulator__/requests, \
             POST or DELETE /__emulator__/faults, GET /__emulator__/state?site=SITE",
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
        "metrics": metrics,
    })
}

fn parse_fault(body: &[u8]) -> Result<Fault, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("fault body is not valid JSON: {e}"))?;
    let Value::Object(fault) = value else {
        return Err("fault body must be a JSON object".to_string());
    };
    let path_prefix = match fault.get("path_prefix") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) => Some(p.clone()),
        Some(_) => return Err("path_prefix must be a string or null".to_string()),
    };
    let times = match fault.get("times") {
        None | Some(Value::Null) => 1,
        Some(v) => v
            .as_u64()
            .and_then(|t| u32::try_from(t).ok())
            .ok_or("times must be a non-negative 32-bit integer")?,
    };
    let action = parse_action(fault.get("action").ok_or("action is required")?)?;
    Ok(Fault {
        path_prefix,
        times,
        action,
    })
}

fn parse_action(action: &Value) -> Result<FaultAction, String> {
    const SHAPES: &str = "action must be \"reset\" or an object with one key: respond, delay, \
                          rate_limit or reset";
    let (kind, params) = match action {
        Value::String(kind) => (kind.as_str(), &Value::Null),
        Value::Object(map) if map.len() == 1 => match map.iter().next() {
            Some((kind, params)) => (kind.as_str(), params),
            None => return Err(SHAPES.to_string()),
        },
        _ => return Err(SHAPES.to_string()),
    };
    let number = |key: &str| params.get(key).and_then(Value::as_u64);
    match kind {
        "reset" => Ok(FaultAction::Reset),
        "delay" => Ok(FaultAction::Delay {
            ms: number("ms").ok_or("delay.ms must be a non-negative integer")?,
        }),
        "rate_limit" => Ok(FaultAction::RateLimit {
            retry_after_secs: number("retry_after_secs")
                .and_then(|s| u32::try_from(s).ok())
                .ok_or("rate_limit.retry_after_secs must be a non-negative integer")?,
        }),
        "respond" => parse_respond(params),
        _ => Err(SHAPES.to_string()),
    }
}

fn parse_respond(params: &Value) -> Result<FaultAction, String> {
    let status = params
        .get("status")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .filter(|s| (200..=999).contains(s))
        .ok_or("respond.status must be an integer from 200 to 999")?;
    let mut headers = Vec::new();
    match params.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for item in list {
                let pair = item
                    .as_array()
                    .filter(|p| p.len() == 2)
                    .and_then(|p| Some((p[0].as_str()?, p[1].as_str()?)))
                    .ok_or("respond.headers must be a list of [name, value] string pairs")?;
                if HeaderName::from_bytes(pair.0.as_bytes()).is_err()
                    || HeaderValue::from_str(pair.1).is_err()
                {
                    return Err(format!("respond.headers: invalid header {pair:?}"));
                }
                headers.push((pair.0.to_string(), pair.1.to_string()));
            }
        }
        Some(_) => return Err("respond.headers must be a list of [name, value] pairs".to_string()),
    }
    let body = match (params.get("body_base64"), params.get("body")) {
        (Some(Value::String(b64)), _) => STANDARD_LENIENT
            .decode(b64)
            .map_err(|e| format!("respond.body_base64 is not valid base64: {e}"))?,
        (None | Some(Value::Null), Some(Value::String(text))) => text.clone().into_bytes(),
        (None | Some(Value::Null), None | Some(Value::Null)) => Vec::new(),
        _ => {
            return Err(
                "respond.body_base64 (or respond.body, as text) must be a string".to_string(),
            )
        }
    };
    Ok(FaultAction::Respond {
        status,
        headers,
        body,
    })
}
