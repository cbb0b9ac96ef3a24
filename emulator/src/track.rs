//! The Track API: region discovery, every v1 route (people, devices, events, merges, manual
//! segments, forms, and the unauthenticated metrics, push and unsubscribe endpoints) and the v2
//! routes (in `track_v2`).

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use crate::check::{self, parse_body, Invalid, Obj};
use crate::fixtures;
use crate::parse::{self, Near, MERGE_KEYS};
use crate::site::PersonSel;
use crate::state::{IdKind, Shared, SiteData, State};
use crate::track_v2::{self, Origin};
use crate::util::{
    as_strs, json_bytes, json_value, meta_error, no_content, parse_id, query_param, route_method,
    track_error, track_ok, with_location, Api,
};
use crate::{FormSubmission, RecordedRequest, Region};

const UNAUTHORIZED: &str =
    "Unauthorized request. Make sure that you provided the right credentials.";
/// The `metric` values of `POST /api/v1/metrics`.
const DELIVERY_METRICS: &[&str] = &[
    "bounced",
    "clicked",
    "converted",
    "deferred",
    "delivered",
    "dropped",
    "opened",
    "spammed",
];
/// The `event` values of `POST /api/v1/push/events`.
const PUSH_EVENTS: &[&str] = &["opened", "converted", "delivered"];
/// Keys of form data that are not person attributes.
const FORM_KEYS: &[&str] = &[
    "form_id",
    "form_name",
    "form_type",
    "form_url",
    "form_url_param",
];
const MAX_SEGMENT_IDS: usize = 1000;

/// Why a v1 request failed; each maps to one documented status and body.
enum Failure {
    /// 400 `{"meta":{"errors":[...]}}`.
    Bad(String),
    /// 404 `{"meta":{"errors":[...]}}`.
    NotFound(&'static str),
    /// 400 `{"meta":{"error":...}}` (merge).
    Merge(String),
}

impl From<Invalid> for Failure {
    fn from(invalid: Invalid) -> Failure {
        Failure::Bad(invalid.into_message())
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Bad(message)
    }
}

type Outcome = Result<(), Failure>;

fn finish(outcome: Outcome, success: fn() -> Response) -> Response {
    match outcome {
        Ok(()) => success(),
        Err(Failure::Bad(message)) => bad_request(&message),
        Err(Failure::NotFound(message)) => track_error(StatusCode::NOT_FOUND, message),
        Err(Failure::Merge(message)) => meta_error(StatusCode::BAD_REQUEST, &message),
    }
}

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

/// How every metric is recorded (see `Emulator::metrics`).
pub(crate) fn metric_entry(
    path: &str,
    region: Region,
    site_id: Option<&str>,
    body: Value,
) -> Value {
    json!({"endpoint": path, "region": region.as_str(), "site_id": site_id, "body": body})
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
    let method = route_method(&rec.method);
    let segments = as_strs(segments);
    if let Some(segments) = &segments {
        if let Some(response) = unauthenticated(&mut state, host_region, method, rec, segments) {
            return response;
        }
    }
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

    let (site, metrics) = state.site_and_metrics(&ws.site_id);
    let body = rec.body.as_slice();
    let outcome = match (method, segments.as_slice()) {
        ("PUT", ["api", "v1", "customers", identifier]) => identify(site, identifier, body),
        ("DELETE", ["api", "v1", "customers", identifier]) => {
            // Python's client sends `{}` here and others nothing; the body is not read.
            person_call(site, identifier, b"", SiteData::delete)
        }
        ("POST", ["api", "v1", "customers", identifier, "suppress"]) => {
            person_call(site, identifier, body, SiteData::suppress)
        }
        ("POST", ["api", "v1", "customers", identifier, "unsuppress"]) => {
            person_call(site, identifier, body, SiteData::unsuppress)
        }
        ("PUT", ["api", "v1", "customers", identifier, "devices"]) => {
            put_device(site, identifier, body)
        }
        ("DELETE", ["api", "v1", "customers", identifier, "devices", token]) => {
            delete_device(site, identifier, token)
        }
        ("POST", ["api", "v1", "customers", identifier, "events"]) => {
            check_identifier(identifier).and_then(|()| track_event(site, Some(identifier), body))
        }
        ("POST", ["api", "v1", "events"]) => track_event(site, None, body),
        ("POST", ["api", "v1", "merge_customers"]) => merge(site, body),
        (
            "POST",
            ["api", "v1", "segments", segment_id, action @ ("add_customers" | "remove_customers")],
        ) => {
            let add = *action == "add_customers";
            change_segment(site, segment_id, rec.query.as_deref(), body, add)
        }
        ("POST", ["api", "v1", "forms", form_id, "submit"]) => {
            return finish(submit_form(site, form_id, body), no_content)
        }
        ("POST", ["api", "v2", route @ ("entity" | "batch")]) => {
            let origin = Origin {
                path: &rec.path,
                region: host_region,
                site_id: &ws.site_id,
            };
            return track_v2::handle(*route == "batch", site, metrics, &origin, body);
        }
        (method, segments) => {
            return fixtures::serve(
                Api::Track,
                method,
                segments,
                rec.query.as_deref(),
                body,
                site,
            )
            .unwrap_or_else(|| track_error(StatusCode::NOT_FOUND, "not found"))
        }
    };
    finish(outcome, track_ok)
}

/// The endpoints that need no credentials (the delivery links and SDKs that call them have
/// none), so they answer whatever `Authorization` says. `None` for every other route.
fn unauthenticated(
    state: &mut State,
    host_region: Region,
    method: &str,
    rec: &RecordedRequest,
    segments: &[&str],
) -> Option<Response> {
    let body = &rec.body;
    let recorded = match (method, segments) {
        ("POST", ["api", "v1", "metrics"]) => metric(body, "metric", DELIVERY_METRICS),
        ("POST", ["api", "v1", "push", "events"] | ["push", "events"]) => {
            metric(body, "event", PUSH_EVENTS)
        }
        ("POST", ["unsubscribe", rest @ ..]) => unsubscribe(state, rest, rec),
        _ => return fixtures::public(Api::Track, method, segments),
    };
    Some(match recorded {
        Ok(body) => {
            let entry = metric_entry(&rec.path, host_region, None, Value::Object(body));
            state.metrics.push(entry);
            track_ok()
        }
        Err(message) => bad_request(&message),
    })
}

/// A delivery or push metric: `delivery_id`, the `kind_key` value from `kinds`, optional
/// integer `timestamp` and optional strings (`recipient` may also be an SMS phone integer).
fn metric(body: &[u8], kind_key: &str, kinds: &[&str]) -> Result<Map<String, Value>, String> {
    let map = parse_body(body, false)?;
    let obj = Obj::root(&map);
    obj.req_str("delivery_id")?;
    obj.one_of(kind_key, kinds)?;
    obj.opt_int("timestamp")?;
    for key in ["reason", "href", "device_id"] {
        obj.opt_str(key)?;
    }
    if !obj.get("recipient").is_some_and(Value::is_i64) {
        obj.opt_str("recipient")?;
    }
    Ok(map)
}

/// Delivery ids are URL-safe tokens (base64 or prefixed ids such as `dlv_demo_1`).
fn valid_delivery_id(id: &str) -> bool {
    (1..=200).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=+/.".contains(&b))
}

/// `POST /unsubscribe/{delivery_id}` with `{"unsubscribe": true}` as JSON: the person the
/// delivery went to (in whichever workspace knows it) gets `unsubscribed: true`.
fn unsubscribe(
    state: &mut State,
    rest: &[&str],
    rec: &RecordedRequest,
) -> Result<Map<String, Value>, String> {
    let delivery_id = match rest {
        [id] => *id,
        _ => "",
    };
    if !valid_delivery_id(delivery_id) {
        return Err(format!("the delivery id {:?} is malformed", rest.join("/")));
    }
    let content_type = rec.header("content-type").unwrap_or("");
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    if !media_type.eq_ignore_ascii_case("application/json") {
        return Err(format!(
            "Content-Type must be application/json, not {content_type:?}"
        ));
    }
    let map = parse_body(&rec.body, false)?;
    if map.get("unsubscribe") != Some(&Value::Bool(true)) {
        return Err(r#"the body must be {"unsubscribe": true}"#.to_string());
    }
    for site in state.sites.values_mut() {
        if let Some(person) = site.deliveries.get(delivery_id).cloned() {
            let attributes = Map::from_iter([("unsubscribed".to_string(), Value::Bool(true))]);
            site.identify(IdKind::of(&person), None, None, attributes);
        }
    }
    Ok(map)
}

fn check_identifier(identifier: &str) -> Outcome {
    Ok(check::identifier("the customer identifier", identifier)?)
}

fn identify(site: &mut SiteData, identifier: &str, body: &[u8]) -> Outcome {
    check_identifier(identifier)?;
    let mut body = parse_body(body, false)?;
    let (body_id, body_email) = check::attributes(&Obj::root(&body))?;
    // `{"cio_relationships": {"action", "relationships": [...]}}` links objects, as in v2.
    let relationships = body.remove("cio_relationships");
    let kind = IdKind::of(identifier);
    let (links, add) = match &relationships {
        Some(Value::Object(map)) => {
            let obj = Obj::at(map, "cio_relationships");
            let action = obj.one_of("action", &["add_relationships", "delete_relationships"])?;
            let near = Near::Person(PersonSel::Known(kind));
            let links = parse::links(&obj, "relationships", near, true)?;
            (links, action == "add_relationships")
        }
        Some(other) if !other.is_null() => {
            return Err(Failure::Bad(
                "cio_relationships must be an object with action and relationships".to_string(),
            ))
        }
        _ => (Vec::new(), true),
    };
    let identified = site.identify(kind, body_id.as_deref(), body_email.as_deref(), body);
    if identified.is_some() {
        site.relate(&links, add);
    }
    Ok(())
}

/// A call on `/customers/{identifier}/...` whose body is empty or an ignored JSON object.
fn person_call(
    site: &mut SiteData,
    identifier: &str,
    body: &[u8],
    call: fn(&mut SiteData, IdKind<'_>),
) -> Outcome {
    check_identifier(identifier)?;
    parse_body(body, true)?;
    call(site, IdKind::of(identifier));
    Ok(())
}

fn put_device(site: &mut SiteData, identifier: &str, body: &[u8]) -> Outcome {
    check_identifier(identifier)?;
    let map = parse_body(body, false)?;
    let device = parse::device(&Obj::root(&map).req_obj("device")?, "id")?;
    site.add_device(IdKind::of(identifier), device);
    Ok(())
}

fn delete_device(site: &mut SiteData, identifier: &str, token: &str) -> Outcome {
    check_identifier(identifier)?;
    if token.is_empty() {
        return Err(Failure::Bad(
            "the device id in the path is empty".to_string(),
        ));
    }
    site.delete_device(IdKind::of(identifier), token);
    Ok(())
}

fn track_event(site: &mut SiteData, person: Option<&str>, body: &[u8]) -> Outcome {
    let map = parse_body(body, false)?;
    let obj = Obj::root(&map);
    let event_type = obj
        .get("type")
        .and_then(Value::as_str)
        .filter(|t| matches!(*t, "page" | "screen"))
        .unwrap_or("event");
    let event = parse::event(&obj, "data", event_type, person.map(str::to_string))?;
    site.push_event(event);
    Ok(())
}

fn merge(site: &mut SiteData, body: &[u8]) -> Outcome {
    let merge_error = |invalid: Invalid| Failure::Merge(invalid.into_message());
    let map = parse_body(body, false).map_err(merge_error)?;
    let obj = Obj::root(&map);
    let side = |key| {
        obj.req_obj(key)
            .and_then(|ids| parse::person(&ids, MERGE_KEYS))
            .map_err(merge_error)
    };
    let (primary, secondary) = (side("primary")?, side("secondary")?);
    site.merge(primary, secondary);
    Ok(())
}

fn change_segment(
    site: &mut SiteData,
    segment_id: &str,
    query: Option<&str>,
    body: &[u8],
    add: bool,
) -> Outcome {
    let id = parse_id(segment_id)
        .ok_or_else(|| format!("segment_id must be an integer, not {segment_id:?}"))?;
    let id_type = query_param(query, "id_type").unwrap_or_else(|| "id".to_string());
    if !matches!(id_type.as_str(), "id" | "email" | "cio_id") {
        return Err(Failure::Bad(format!(
            "id_type must be one of id, email, cio_id, not {id_type:?}"
        )));
    }
    let map = parse_body(body, false)?;
    let items = Obj::root(&map).array("ids", true)?;
    if items.len() > MAX_SEGMENT_IDS {
        return Err(Failure::Bad(format!(
            "ids has {} items; the limit is {MAX_SEGMENT_IDS}",
            items.len()
        )));
    }
    let ids = items
        .iter()
        .map(|v| v.as_str().ok_or("every item of ids must be a string"))
        .collect::<Result<Vec<&str>, _>>()
        .map_err(str::to_string)?;
    match site.segments.get(&id) {
        None => return Err(Failure::NotFound("segment not found")),
        Some(segment) if !segment.manual => {
            return Err(Failure::Bad("segment is not a manual segment".to_string()))
        }
        Some(_) => {}
    }
    let kinds = ids.into_iter().map(|value| match id_type.as_str() {
        "email" => IdKind::Email(value),
        "cio_id" => IdKind::Cio(value.strip_prefix("cio_").unwrap_or(value)),
        _ => IdKind::Id(value),
    });
    site.change_segment(id, kinds, add);
    Ok(())
}

fn submit_form(site: &mut SiteData, form_id: &str, body: &[u8]) -> Outcome {
    if form_id.is_empty() {
        return Err(Failure::Bad("the form id in the path is empty".to_string()));
    }
    let map = parse_body(body, false)?;
    let obj = Obj::root(&map);
    obj.req_obj("data")?;
    let data = obj.string_values("data")?;
    let mut attributes = data.clone();
    attributes.retain(|key, _| !FORM_KEYS.contains(&key.as_str()));
    let text = |key| attributes.get(key).and_then(Value::as_str);
    let kind = match (text("email"), text("id")) {
        (Some(email), None) if !email.is_empty() => IdKind::Email(email),
        (None, Some(id)) if !id.is_empty() => IdKind::Id(id),
        _ => {
            return Err(Failure::Bad(
                "data must contain exactly one of email or id, as a non-empty string".to_string(),
            ))
        }
    };
    check::identifier("the form's identifier", kind.value())?;
    site.identify(kind, None, None, attributes.clone());
    site.forms.push(FormSubmission {
        form_id: form_id.to_string(),
        data,
    });
    Ok(())
}
