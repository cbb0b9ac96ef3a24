//! The App API (and Beta, which serves `/v1/api/X` as App `/v1/X`): the workspace list, a
//! person's attributes, the messaging writes (transactional sends, broadcast triggers,
//! newsletters, live notifications) and the reads of the fixture table, behind Bearer auth
//! (except public fixtures), region checks and an optional rate limit. Every other path is a 404
//! with the App error body, whatever the method; `HEAD` is routed like `GET` (the server leaves
//! the body out).

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use crate::state::{IdKind, Shared, SiteData};
use crate::util::{
    app_error, as_strs, json_value, not_found, query_param, route_method, with_location, Api,
};
use crate::{broadcast, fixtures, live, newsletters, transactional};
use crate::{Person, RecordedRequest, Region, WrongRegionMode};

/// Serves one request addressed to an App (`beta == false`) or Beta host of `host_region`;
/// `segments` is `None` when the path did not decode to UTF-8.
pub(crate) fn handle(
    shared: &Shared,
    host_region: Region,
    beta: bool,
    rec: &RecordedRequest,
    segments: Option<&[String]>,
) -> Response {
    let method = route_method(&rec.method);
    let segments = as_strs(segments);
    let app_segments = segments
        .as_deref()
        .and_then(|segments| app_path(beta, segments));
    if let Some(response) = app_segments
        .as_deref()
        .and_then(|segments| fixtures::public(Api::App, method, segments))
    {
        return response;
    }
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

    if segments.is_none() {
        return app_error(
            StatusCode::BAD_REQUEST,
            "the request path is not valid UTF-8 after percent-decoding",
        );
    }
    let Some(app_segments) = app_segments else {
        return not_found();
    };

    let site = state.site_mut(&ws.site_id);
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
        ("POST", ["v1", "send", channel]) if transactional::CHANNELS.contains(channel) => {
            transactional::send(site, channel, &rec.body)
        }
        ("POST", ["v1", "campaigns", broadcast_id, "triggers"]) => {
            broadcast::trigger(site, broadcast_id, &rec.body)
        }
        ("GET", ["v1", "campaigns", broadcast_id, "triggers", trigger_id]) => {
            broadcast::get_trigger(&site.broadcasts, broadcast_id, trigger_id)
        }
        ("GET", ["v1", "campaigns", broadcast_id, "triggers", trigger_id, "errors"]) => {
            let query = rec.query.as_deref();
            broadcast::trigger_errors(&site.broadcasts, broadcast_id, trigger_id, query)
        }
        ("GET", ["v1", "broadcasts", broadcast_id, "triggers"]) => {
            broadcast::list_triggers(&site.broadcasts, broadcast_id)
        }
        ("POST", ["v1", "newsletters"]) => newsletters::create(site, &rec.body),
        ("DELETE", ["v1", "newsletters", id]) => newsletters::delete(site, id),
        ("POST", ["v1", "newsletters", id, action @ ("send" | "schedule")]) => {
            newsletters::send(site, id, action, &rec.body)
        }
        ("POST", ["v1", "newsletters", id, "language"]) => {
            newsletters::add_language(site, id, None, &rec.body)
        }
        ("POST", ["v1", "newsletters", id, "test_group", group, "language"]) => {
            newsletters::add_language(site, id, Some(group), &rec.body)
        }
        ("DELETE", ["v1", "newsletters", id, "language", language]) => {
            newsletters::delete_language(site, id, None, language)
        }
        ("DELETE", ["v1", "newsletters", id, "test_group", group, "language", language]) => {
            newsletters::delete_language(site, id, Some(group), language)
        }
        ("POST", ["v1", "newsletters", id, "test_groups"]) => newsletters::add_test_group(site, id),
        ("POST", ["v1", "live_notifications", operation @ ("start" | "update" | "end")]) => {
            live::post(site, operation, &rec.body)
        }
        ("GET", ["v1", "live_notifications", instance_id]) => live::get(site, instance_id),
        (method, segments) if crate::content::owns(segments) => {
            crate::content::serve(site, method, segments, rec.query.as_deref(), &rec.body)
        }
        (method, segments) => {
            let query = rec.query.as_deref();
            crate::people::route(site, method, segments, query, &rec.body)
                .or_else(|| fixtures::serve(Api::App, method, segments, query, &rec.body, site))
                .unwrap_or_else(not_found)
        }
    }
}

/// The App path of a request: Beta's `/v1/api/X` is App's `/v1/X`; `None` for a Beta path
/// outside `/v1/api`.
fn app_path<'a>(beta: bool, segments: &[&'a str]) -> Option<Vec<&'a str>> {
    if !beta {
        return Some(segments.to_vec());
    }
    match segments {
        ["v1", "api", rest @ ..] => {
            Some(std::iter::once("v1").chain(rest.iter().copied()).collect())
        }
        _ => None,
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
        Some(index) => json_value(StatusCode::OK, &customer_json(site, &site.people[index])),
        None => not_found(),
    }
}

pub(crate) fn customer_json(site: &SiteData, person: &Person) -> Value {
    let mut attributes = person.attributes.clone();
    attributes.insert("cio_id".to_string(), json!(person.cio_id));
    if let Some(id) = &person.id {
        attributes.insert("id".to_string(), json!(id));
    }
    if let Some(email) = &person.email {
        attributes.insert("email".to_string(), json!(email));
    }
    let devices: Vec<Value> = site
        .devices
        .get(&person.cio_id)
        .into_iter()
        .flatten()
        .map(crate::inspect::device_json)
        .collect();
    json!({"customer": {
        "id": person.id,
        "identifiers": {"id": person.id, "email": person.email, "cio_id": person.cio_id},
        "attributes": attributes,
        "timestamps": {},
        "unsubscribed": person.unsubscribed(),
        "devices": devices,
    }})
}
