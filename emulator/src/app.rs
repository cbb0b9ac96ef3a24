//! The App API (and Beta, which serves `/v1/api/X` as App `/v1/X`): the workspace list, a
//! person's attributes and API-triggered broadcasts, behind Bearer auth, region checks and an
//! optional rate limit. Every other path is a 404 with the App error body, whatever the method;
//! `HEAD` is routed like `GET` (the server leaves the body out).

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use crate::broadcast;
use crate::state::{IdKind, Shared, SiteData};
use crate::util::{app_error, json_value, query_param, with_location};
use crate::{Person, RecordedRequest, Region, WrongRegionMode};

fn not_found() -> Response {
    app_error(StatusCode::NOT_FOUND, "not found")
}

/// Serves one request addressed to an App (`beta == false`) or Beta host of `host_region`;
/// `segments` is `None` when the path did not decode to UTF-8.
pub(crate) fn handle(
    shared: &Shared,
    host_region: Region,
    beta: bool,
    rec: &RecordedRequest,
    segments: Option<&[String]>,
) -> Response {
    let mut state = shared.lock();
    let token = rec.bearer();
    let Some(index) = token
        .as_deref()
        .and_then(|t| state.workspaces.iter().position(|w| w.app_key == t))
    else {
        return app_error(StatusCode::UNAUTHORIZED, "unauthorized");
    };
    let ws = state.workspaces[index].clone();
    match (ws.region, host_region) {
        (Region::Eu, Region::Us) => {
            if state.app_wrong_region == WrongRegionMode::Unauthorized401 {
                return app_error(StatusCode::UNAUTHORIZED, "unauthorized");
            }
            let target = if beta {
                "https://beta-api-eu.customer.io"
            } else {
                "https://api-eu.customer.io"
            };
            let response = app_error(StatusCode::MOVED_PERMANENTLY, "wrong datacenter");
            return with_location(response, target, rec);
        }
        (Region::Us, Region::Eu) => return app_error(StatusCode::UNAUTHORIZED, "unauthorized"),
        _ => {}
    }
    if let Some(limit) = state.app_rate_limit {
        if !state.admit_app_request(&ws.app_key, limit) {
            let mut response = app_error(
                StatusCode::TOO_MANY_REQUESTS,
                &format!("rate limited to {limit} requests per 1s (reference emulator)"),
            );
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("1"));
            return response;
        }
    }

    let Some(segments) = segments else {
        return app_error(
            StatusCode::BAD_REQUEST,
            "the request path is not valid UTF-8 after percent-decoding",
        );
    };
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let app_segments: Vec<&str> = if beta {
        match segments.as_slice() {
            ["v1", "api", rest @ ..] => std::iter::once("v1").chain(rest.iter().copied()).collect(),
            _ => return not_found(),
        }
    } else {
        segments
    };

    let site = state.site_mut(&ws.site_id);
    let method = match rec.method.as_str() {
        "HEAD" => "GET",
        other => other,
    };
    match (method, app_segments.as_slice()) {
        ("GET", ["v1", "workspaces"]) => json_value(
            StatusCode::OK,
            &json!({"workspaces": [{
                "id": index + 1,
                "name": ws.site_id,
                "messages_sent": 0,
                "billable_messages_sent": 0,
                "people": site.people.len(),
                "object_types": 0,
                "objects": 0,
            }]}),
        ),
        ("GET", ["v1", "customers", customer_id, "attributes"]) => {
            customer_attributes(site, customer_id, rec.query.as_deref())
        }
        ("POST", ["v1", "campaigns", broadcast_id, "triggers"]) => {
            broadcast::trigger(&mut site.broadcasts, broadcast_id, &rec.body)
        }
        ("GET", ["v1", "campaigns", broadcast_id, "triggers", trigger_id]) => {
            broadcast::get_trigger(&site.broadcasts, broadcast_id, trigger_id)
        }
        ("GET", ["v1", "broadcasts", broadcast_id, "triggers"]) => {
            broadcast::list_triggers(&site.broadcasts, broadcast_id)
        }
        _ => not_found(),
    }
}

fn customer_attributes(site: &SiteData, customer_id: &str, query: Option<&str>) -> Response {
    let id_type = query_param(query, "id_type").unwrap_or_else(|| "id".to_string());
    let kind = match id_type.as_str() {
        "id" => IdKind::Id(customer_id),
        "email" => IdKind::Email(customer_id),
        // The documentation does not say whether the path form wants the prefix; take either.
        "cio_id" => IdKind::Cio(customer_id.strip_prefix("cio_").unwrap_or(customer_id)),
        other => {
            return app_error(
                StatusCode::BAD_REQUEST,
                &format!("id_type must be one of id, email, cio_id (got {other:?})"),
            )
        }
    };
    match site.find(kind) {
        Some(index) => json_value(StatusCode::OK, &customer_json(&site.people[index])),
        None => not_found(),
    }
}

fn customer_json(person: &Person) -> Value {
    let mut attributes = person.attributes.clone();
    attributes.insert("cio_id".to_string(), json!(person.cio_id));
    if let Some(id) = &person.id {
        attributes.insert("id".to_string(), json!(id));
    }
    if let Some(email) = &person.email {
        attributes.insert("email".to_string(), json!(email));
    }
    let unsubscribed = match attributes.get("unsubscribed") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true") || s == "1",
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        _ => false,
    };
    json!({"customer": {
        "id": person.id,
        "identifiers": {"id": person.id, "email": person.email, "cio_id": person.cio_id},
        "attributes": attributes,
        "timestamps": {},
        "unsubscribed": unsubscribed,
        "devices": [],
    }})
}
