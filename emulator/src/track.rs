//! The Track API v1: identify, delete, person and anonymous events, region discovery.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use crate::state::{IdKind, Shared, SiteData};
use crate::util::{json_bytes, json_value, track_error, track_ok, with_location};
use crate::{RecordedRequest, Region, StoredEvent};

const UNAUTHORIZED: &str =
    "Unauthorized request. Make sure that you provided the right credentials.";
const MAX_IDENTIFIER: usize = 150;
const MAX_ATTRIBUTE_NAME: usize = 150;
const MAX_ATTRIBUTE_VALUE: usize = 1000;
const MAX_ATTRIBUTES: usize = 300;
const MAX_EVENT_NAME: usize = 100;
const MAX_EVENT_DATA: usize = 100_000;

fn unauthorized() -> Response {
    track_error(StatusCode::UNAUTHORIZED, UNAUTHORIZED)
}

fn bad_request(message: &str) -> Response {
    track_error(StatusCode::BAD_REQUEST, message)
}

fn host_url(region: Region) -> &'static str {
    match region {
        Region::Us => "https://track.customer.io",
        Region::Eu => "https://track-eu.customer.io",
    }
}

/// Serves one request addressed to a Track host of `host_region`; `segments` is `None` when the
/// path did not decode to UTF-8.
pub(crate) fn handle(
    shared: &Shared,
    host_region: Region,
    rec: &RecordedRequest,
    segments: Option<&[String]>,
) -> Response {
    let mut state = shared.lock();
    let credentials = rec.basic_auth();
    let Some(index) = credentials.and_then(|(user, password)| {
        state
            .workspaces
            .iter()
            .position(|w| w.site_id == user && w.track_key == password)
    }) else {
        return unauthorized();
    };
    let ws = state.workspaces[index].clone();
    let Some(segments) = segments else {
        return bad_request("the request path is not valid UTF-8 after percent-decoding");
    };
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    // HEAD is answered like GET; the server leaves the body out.
    let method = match rec.method.as_str() {
        "HEAD" => "GET",
        other => other,
    };

    if method == "GET" && segments == ["api", "v1", "accounts", "region"] {
        return json_value(
            StatusCode::OK,
            &json!({
                "url": host_url(ws.region),
                "region": ws.region.as_str(),
                "environment_id": index + 1,
            }),
        );
    }
    match (ws.region, host_region) {
        (Region::Eu, Region::Us) => {
            let response = json_bytes(StatusCode::TEMPORARY_REDIRECT, b"{}".to_vec());
            return with_location(response, host_url(Region::Eu), rec);
        }
        (Region::Us, Region::Eu) => return unauthorized(),
        _ => {}
    }

    let site = state.site_mut(&ws.site_id);
    let outcome = match (method, segments.as_slice()) {
        ("PUT", ["api", "v1", "customers", identifier]) => identify(site, identifier, &rec.body),
        ("DELETE", ["api", "v1", "customers", identifier]) => delete(site, identifier),
        ("POST", ["api", "v1", "customers", identifier, "events"]) => {
            check_identifier(identifier).and_then(|()| track_event(site, Some(identifier), rec))
        }
        ("POST", ["api", "v1", "events"]) => track_event(site, None, rec),
        _ => return track_error(StatusCode::NOT_FOUND, "not found"),
    };
    match outcome {
        Ok(()) => track_ok(),
        Err(message) => bad_request(&message),
    }
}

fn check_identifier(identifier: &str) -> Result<(), String> {
    if identifier.is_empty() {
        return Err("the customer identifier in the path is empty".to_string());
    }
    if identifier.len() > MAX_IDENTIFIER {
        return Err(format!(
            "the customer identifier is {} bytes; the limit is {MAX_IDENTIFIER}",
            identifier.len()
        ));
    }
    Ok(())
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("the request body is empty; expected a JSON object".to_string());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("the request body must be a JSON object".to_string()),
        Err(err) => Err(format!("the request body is not valid JSON: {err}")),
    }
}

/// An optional identifier field of a body: strings as they are, integers as text (clients send
/// numeric ids), null or empty as absent.
fn optional_identifier(body: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) if key == "id" && (n.is_i64() || n.is_u64()) => {
            Ok(Some(n.to_string()))
        }
        Some(_) => Err(format!("{key} must be a string")),
    }
}

fn identify(site: &mut SiteData, identifier: &str, body: &[u8]) -> Result<(), String> {
    check_identifier(identifier)?;
    let body = parse_object(body)?;
    if body.len() > MAX_ATTRIBUTES {
        return Err(format!(
            "too many attributes: {}; the limit is {MAX_ATTRIBUTES}",
            body.len()
        ));
    }
    for (name, value) in &body {
        if name.len() > MAX_ATTRIBUTE_NAME {
            return Err(format!(
                "attribute name {name:?} is {} bytes; the limit is {MAX_ATTRIBUTE_NAME}",
                name.len()
            ));
        }
        if let Value::String(text) = value {
            if text.len() > MAX_ATTRIBUTE_VALUE {
                return Err(format!(
                    "attribute {name:?} has a value of {} bytes; the limit is {MAX_ATTRIBUTE_VALUE}",
                    text.len()
                ));
            }
        }
    }
    let body_id = optional_identifier(&body, "id")?;
    let body_email = optional_identifier(&body, "email")?;

    let kind = IdKind::of(identifier);
    let index = match kind {
        IdKind::Cio(_) => match site.find(kind) {
            Some(index) => index,
            // The real API drops updates for unknown cio_ids and still answers 200.
            None => return Ok(()),
        },
        IdKind::Email(_) | IdKind::Id(_) => {
            let existing = site
                .find(kind)
                .or_else(|| body_id.as_deref().and_then(|id| site.find(IdKind::Id(id))))
                .or_else(|| {
                    body_email
                        .as_deref()
                        .and_then(|email| site.find(IdKind::Email(email)))
                });
            let index = existing.unwrap_or_else(|| site.create_person());
            let person = &mut site.people[index];
            match kind {
                IdKind::Email(email) => person.email = Some(email.to_string()),
                IdKind::Id(id) => person.id = Some(id.to_string()),
                IdKind::Cio(_) => {}
            }
            index
        }
    };
    let person = &mut site.people[index];
    if let Some(id) = body_id {
        person.id = Some(id);
    }
    if let Some(email) = body_email {
        person.email = Some(email);
    }
    person.attributes.extend(body);
    Ok(())
}

fn delete(site: &mut SiteData, identifier: &str) -> Result<(), String> {
    check_identifier(identifier)?;
    if let Some(index) = site.find(IdKind::of(identifier)) {
        site.people.remove(index);
    }
    Ok(())
}

fn track_event(
    site: &mut SiteData,
    person: Option<&str>,
    rec: &RecordedRequest,
) -> Result<(), String> {
    let body = parse_object(&rec.body)?;
    let name = match body.get("name") {
        Some(Value::String(name)) => name.trim(),
        None | Some(Value::Null) => return Err("name is required".to_string()),
        Some(_) => return Err("name must be a string".to_string()),
    };
    if name.is_empty() {
        return Err("name must not be empty".to_string());
    }
    if name.len() > MAX_EVENT_NAME {
        return Err(format!(
            "event name is {} bytes; the limit is {MAX_EVENT_NAME}",
            name.len()
        ));
    }
    let event_type = body
        .get("type")
        .and_then(Value::as_str)
        .filter(|t| matches!(*t, "page" | "screen"))
        .unwrap_or("event");
    let id = match body.get("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) if id.is_empty() => None,
        Some(Value::String(id)) => Some(id.clone()),
        Some(_) => return Err("id must be a string".to_string()),
    };
    let timestamp = match body.get("timestamp") {
        None | Some(Value::Null) => None,
        Some(value) => match value.as_i64() {
            Some(ts) => Some(ts),
            None => return Err("timestamp must be an integer (unix seconds)".to_string()),
        },
    };
    let data = match body.get("data") {
        None | Some(Value::Null) => Value::Null,
        Some(data @ Value::Object(_)) => {
            let size = serde_json::to_vec(data).map(|v| v.len()).unwrap_or(0);
            if size > MAX_EVENT_DATA {
                return Err(format!(
                    "event data is {size} bytes; the limit is {MAX_EVENT_DATA}"
                ));
            }
            data.clone()
        }
        Some(_) => return Err("data must be a JSON object".to_string()),
    };
    let anonymous_id = match body.get("anonymous_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(a)) if a.is_empty() => None,
        Some(Value::String(a)) => Some(a.clone()),
        Some(_) => return Err("anonymous_id must be a string".to_string()),
    };
    if let Some(id) = &id {
        // A repeated id is a duplicate the real API silently ignores.
        if !site.event_ids.insert(id.clone()) {
            return Ok(());
        }
    }
    site.events.push(StoredEvent {
        person: person.map(str::to_string),
        name: name.to_string(),
        event_type: event_type.to_string(),
        id,
        timestamp,
        data,
        anonymous_id,
    });
    Ok(())
}
