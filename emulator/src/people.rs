//! The App API's people half (§6.7, §6.12): people lookup, search and attributes, a person's
//! segments, messages, activities, relationships, subscription preferences and opt-outs, the
//! subscription center token and the opt-out list. Everything reads the workspace state the Track
//! API writes, so a person identified through Track is found here at once. [`route`] also hands
//! the segment, message, activity, export, import, data index and object routes to their modules.
//!
//! Person path ids follow `id_type` (`id` by default, `email`, `phone`, `cio_id` with or without
//! the `cio_` prefix); an unknown person is a 404.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::check::{self, Obj};
use crate::filter::{self, Filter, Subject};
use crate::fixtures::{self, cursor, cursor_offset, DEFAULT_LIMIT};
use crate::records::Out;
use crate::state::{IdKind, SiteData};
use crate::util::{no_content, query_param, respond, AppError};
use crate::{deliveries, exports, objects, segments, Person};

/// At most this many ids per `POST /v1/customers/attributes`.
pub(crate) const MAX_ATTRIBUTE_IDS: usize = 100;
/// How long exports and imports take to finish unless a test says otherwise.
pub(crate) const DEFAULT_JOB_DELAY: Duration = Duration::from_secs(1);

/// What the App people routes keep per workspace besides the Track data.
#[derive(Debug)]
pub(crate) struct PeopleApp {
    pub(crate) exports: Vec<exports::Job>,
    pub(crate) imports: Vec<exports::Job>,
    /// Opt-outs by cio_id: `(channel, from)` → opted out.
    pub(crate) optouts: BTreeMap<String, BTreeMap<(String, String), bool>>,
    /// `POST /v1/data_index/attributes` and `/events` definitions, by kind then name.
    pub(crate) data_index: BTreeMap<String, BTreeMap<String, Value>>,
    /// Ids of created segments count on from here (after the seeded 3 and 7).
    pub(crate) next_segment: u64,
    /// How long exports and imports take; `None` keeps them pending for ever.
    pub(crate) job_delay: Option<Duration>,
}

impl Default for PeopleApp {
    fn default() -> Self {
        PeopleApp {
            exports: Vec::new(),
            imports: Vec::new(),
            optouts: BTreeMap::new(),
            data_index: BTreeMap::new(),
            next_segment: 8,
            job_delay: Some(DEFAULT_JOB_DELAY),
        }
    }
}

/// Serves the routes of this half; `None` for any other path, which goes on to the fixtures.
pub(crate) fn route(
    site: &mut SiteData,
    method: &str,
    segments: &[&str],
    query: Option<&str>,
    body: &[u8],
) -> Option<Response> {
    let response = match (method, segments) {
        ("GET", ["v1", "customers"]) => respond(by_email(site, query)),
        ("POST", ["v1", "customers"]) => respond(search(site, query, body)),
        ("POST", ["v1", "customers", "attributes"]) => respond(attributes(site, query, body)),
        ("GET", ["v1", "customers", id, "segments"]) => respond(person_segments(site, id, query)),
        ("GET", ["v1", "customers", id, "messages"]) => respond(
            person(site, id, query).and_then(|i| deliveries::person_messages(site, i, query)),
        ),
        ("GET", ["v1", "customers", id, "activities"]) => respond(
            person(site, id, query).and_then(|i| deliveries::person_activities(site, i, query)),
        ),
        ("GET", ["v1", "customers", id, "relationships"]) => {
            respond(person_relationships(site, id, query))
        }
        ("GET", ["v1", "customers", id, "subscription_preferences"]) => {
            respond(preferences(site, id, query))
        }
        ("GET", ["v1", "customers", id, "optouts"]) => respond(person_optouts(site, id, query)),
        ("PUT", ["v1", "customers", id, "optouts"]) => match put_optouts(site, id, query, body) {
            Ok(()) => no_content(),
            Err(error) => error.response(),
        },
        ("GET", ["v1", "subscription_center", id, "token"]) => respond(token(site, id)),
        ("GET", ["v1", "optouts"]) => respond(optouts(site, query)),
        ("GET", ["v1", "activities"]) => respond(deliveries::activities(site, query)),
        ("GET", ["v1", "messages"]) => respond(deliveries::messages(site, query)),
        ("GET", ["v1", "messages", id]) => respond(deliveries::message(site, id)),
        ("GET", ["v1", "messages", id, "archived_message"]) => {
            respond(deliveries::archived(site, id))
        }
        (_, ["v1", "segments", ..]) => return segments::route(site, method, segments, query, body),
        (_, ["v1", "exports" | "imports" | "data_index", ..]) => {
            return exports::route(site, method, segments, query, body)
        }
        (_, ["v1", "objects" | "object_types", ..]) => {
            return objects::route(site, method, segments, query, body)
        }
        _ => return None,
    };
    Some(response)
}

// ---- paging ----------------------------------------------------------------------------------

/// The offset a `start` cursor stands for (0 when absent).
pub(crate) fn start(query: Option<&str>) -> Out<usize> {
    match query_param(query, "start").filter(|s| !s.is_empty()) {
        None => Ok(0),
        Some(token) => cursor_offset(&token).ok_or_else(|| {
            AppError::bad_request(format!(
                "start {token:?} is not a cursor this list returned as next"
            ))
        }),
    }
}

/// One page of `items` for `start` and `limit` (at most [`fixtures::MAX_LIMIT`]), with the
/// `next` cursor (`""` after the last).
pub(crate) fn page<T>(items: Vec<T>, query: Option<&str>, default: usize) -> Out<(Vec<T>, String)> {
    page_within(items, query, default, fixtures::MAX_LIMIT)
}

/// [`page`] with another largest `limit` (a larger one is served as `max`).
pub(crate) fn page_within<T>(
    items: Vec<T>,
    query: Option<&str>,
    default: usize,
    max: usize,
) -> Out<(Vec<T>, String)> {
    let limit = match query_param(query, "limit").filter(|v| !v.is_empty()) {
        None => default,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n > 0 => n.min(max),
            _ => {
                return Err(AppError::bad_request(format!(
                    "limit must be a positive integer (at most {max} are returned), not {text:?}"
                )))
            }
        },
    };
    let start = start(query)?.min(items.len());
    let end = start.saturating_add(limit).min(items.len());
    let next = if end < items.len() {
        cursor(end)
    } else {
        String::new()
    };
    let page = items.into_iter().skip(start).take(end - start).collect();
    Ok((page, next))
}

// ---- people --------------------------------------------------------------------------------

/// The person a path id names, by `id_type`.
pub(crate) fn person(site: &SiteData, id: &str, query: Option<&str>) -> Out<usize> {
    let id_type = query_param(query, "id_type").unwrap_or_else(|| "id".to_string());
    let kind = id_kind(&id_type, id)?;
    site.find(kind).ok_or_else(AppError::not_found)
}

/// An identifier read the way `id_type` says.
pub(crate) fn id_kind<'a>(id_type: &str, value: &'a str) -> Out<IdKind<'a>> {
    Ok(match id_type {
        "" | "id" => IdKind::Id(value),
        "email" => IdKind::Email(value),
        "phone" => IdKind::Phone(value),
        // The documentation does not say whether the path form wants the prefix; take either.
        "cio_id" => IdKind::Cio(value.strip_prefix("cio_").unwrap_or(value)),
        other => {
            return Err(AppError::bad_request(format!(
                "id_type must be one of id, email, phone, cio_id (got {other:?})"
            )))
        }
    })
}

/// `{"cio_id", "email", "id"}`, null where the person has none.
pub(crate) fn identifiers(person: &Person) -> Value {
    json!({"cio_id": person.cio_id, "email": person.email, "id": person.id})
}

/// A field of a person as filters read it: `id`, `email` and `cio_id` are identifiers, anything
/// else an attribute.
fn field(person: &Person, name: &str) -> Option<Value> {
    match name {
        "id" => person.id.clone().map(Value::String),
        "email" => person.email.clone().map(Value::String),
        "cio_id" => Some(Value::String(person.cio_id.clone())),
        _ => person.attributes.get(name).cloned(),
    }
}

/// Whether a person matches a filter in this workspace.
pub(crate) fn matches(site: &SiteData, filter: &Filter, person: &Person) -> bool {
    let in_segment = |id: u64| {
        site.segments
            .get(&id)
            .is_some_and(|s| s.members.contains(&person.cio_id))
    };
    filter.eval(&|name| field(person, name), &in_segment)
}

/// The people (indexes, creation order) a body's filter at `key` selects.
pub(crate) fn select(site: &SiteData, fields: &Map<String, Value>, key: &str) -> Out<Vec<usize>> {
    let filter = filter::parse(fields.get(key), &format!("/{key}"), Subject::People)?;
    Ok((0..site.people.len())
        .filter(|&i| matches(site, &filter, &site.people[i]))
        .collect())
}

/// `{"identifiers": […], "ids": […], "next"}` for one page of people; `null` lists when `empty_null`
/// and there is nobody (as the live API answers for an empty segment).
pub(crate) fn identifier_page(
    site: &SiteData,
    people: Vec<usize>,
    query: Option<&str>,
    empty_null: bool,
) -> Out<Value> {
    let (page, next) = page(people, query, DEFAULT_LIMIT)?;
    identifiers_json(site, page, next, empty_null)
}

/// `{"identifiers", "ids", "next"}` of these people.
pub(crate) fn identifiers_json(
    site: &SiteData,
    page: Vec<usize>,
    next: String,
    empty_null: bool,
) -> Out<Value> {
    if page.is_empty() && empty_null {
        return Ok(json!({"identifiers": null, "ids": null, "next": next}));
    }
    let people = page.iter().map(|&i| &site.people[i]);
    let identifiers: Vec<Value> = people.clone().map(identifiers).collect();
    let ids: Vec<Value> = people
        .map(|p| json!(p.id.clone().unwrap_or_default()))
        .collect();
    Ok(json!({"identifiers": identifiers, "ids": ids, "next": next}))
}

/// `GET /v1/customers?email=`: the identifiers (`cio_id`, `email`, `id`) of everyone with that
/// email (case-insensitive).
fn by_email(site: &SiteData, query: Option<&str>) -> Out<Value> {
    let email = query_param(query, "email")
        .filter(|e| !e.is_empty())
        .ok_or_else(|| AppError::bad_request("email is required"))?;
    let results: Vec<Value> = site
        .people
        .iter()
        .filter(|p| IdKind::Email(&email).matches(p))
        .map(identifiers)
        .collect();
    Ok(json!({ "results": results }))
}

/// `POST /v1/customers`: `{"filter": …}`, paged by `start` and `limit` (at most 1000).
fn search(site: &SiteData, query: Option<&str>, body: &[u8]) -> Out<Value> {
    let fields = check::parse_body(body, false)?;
    let people = select(site, &fields, "filter")?;
    identifier_page(site, people, query, false)
}

/// `POST /v1/customers/attributes`: `{"ids": […]}` (at most 100) read by `id_type`; unknown ids
/// are left out.
fn attributes(site: &SiteData, query: Option<&str>, body: &[u8]) -> Out<Value> {
    let fields = check::parse_body(body, false)?;
    let ids = Obj::root(&fields).array("ids", true)?;
    if ids.len() > MAX_ATTRIBUTE_IDS {
        let detail = format!(
            "ids has {} items; the limit is {MAX_ATTRIBUTE_IDS}",
            ids.len()
        );
        return Err(AppError::at(StatusCode::BAD_REQUEST, detail, "/ids"));
    }
    let id_type = query_param(query, "id_type").unwrap_or_default();
    let mut customers = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let text = filter::text(id).ok_or_else(|| {
            let detail = "every item of ids must be a string".to_string();
            AppError::at(StatusCode::BAD_REQUEST, detail, format!("/ids/{i}"))
        })?;
        if let Some(index) = site.find(id_kind(&id_type, &text)?) {
            // The live API lists the customer objects themselves, not wrapped in "customer".
            let wrapped = crate::app::customer_json(site, &site.people[index]);
            customers.push(wrapped["customer"].clone());
        }
    }
    Ok(json!({ "customers": customers }))
}

fn person_segments(site: &SiteData, id: &str, query: Option<&str>) -> Out<Value> {
    let cio = &site.people[person(site, id, query)?].cio_id;
    let list: Vec<Value> = site
        .segments
        .iter()
        .filter(|(_, s)| s.members.contains(cio))
        .map(|(id, s)| segments::segment_json(*id, s))
        .collect();
    Ok(json!({ "segments": list }))
}

/// `…/relationships`: the objects the person is linked with, paged.
fn person_relationships(site: &SiteData, id: &str, query: Option<&str>) -> Out<Value> {
    let cio = site.people[person(site, id, query)?].cio_id.clone();
    let rels: Vec<Value> = site
        .relationships
        .iter()
        .filter(|r| r.person == crate::state::RelPerson::Cio(cio.clone()))
        .map(|r| {
            let cio_object_id = objects::cio_object_id(site, &r.object_type_id, &r.object_id);
            json!({
                "identifiers": {"object_id": r.object_id, "cio_object_id": cio_object_id},
                "object_type_id": r.object_type_id,
                "attributes": r.attributes,
                "timestamps": {},
            })
        })
        .collect();
    let (page, next) = page(rels, query, DEFAULT_LIMIT)?;
    Ok(json!({"cio_relationships": page, "next": next}))
}

/// The seeded subscription topics (the `/v1/subscription_topics` fixture): id, name, default.
const TOPICS: [(u64, &str, &str, bool); 2] = [
    (1, "Product updates", "News about the product", true),
    (3, "Offers", "Discounts and promotions", false),
];

/// A topic preference from `cio_subscription_preferences` (`{"topics": {"topic_1": bool}}`) or
/// the dotted attribute `cio_subscription_preferences.topics.topic_1`.
fn topic_choice(person: &Person, topic: u64) -> Option<bool> {
    let key = format!("topic_{topic}");
    let nested = person
        .attributes
        .get("cio_subscription_preferences")
        .and_then(|p| p.get("topics"))
        .and_then(|t| t.get(&key))
        .cloned();
    let dotted = person
        .attributes
        .get(&format!("cio_subscription_preferences.topics.{key}"))
        .cloned();
    match dotted.or(nested)? {
        Value::Bool(b) => Some(b),
        Value::String(s) => Some(s.eq_ignore_ascii_case("true")),
        _ => None,
    }
}

/// `…/subscription_preferences`: each topic with whether the person is subscribed (their choice,
/// else the topic's default); unsubscribed people are subscribed to nothing.
fn preferences(site: &SiteData, id: &str, query: Option<&str>) -> Out<Value> {
    let p = &site.people[person(site, id, query)?];
    let language = query_param(query, "language").unwrap_or_default();
    let topics: Vec<Value> = TOPICS
        .iter()
        .map(|&(topic, name, description, default)| {
            let subscribed = !p.unsubscribed() && topic_choice(p, topic).unwrap_or(default);
            json!({
                "id": topic,
                "identifier": format!("topic_{topic}"),
                "name": name,
                "description": description,
                "subscribed_by_default": default,
                "subscribed": subscribed,
            })
        })
        .collect();
    Ok(json!({"customer": {
        "id": p.id,
        "identifiers": identifiers(p),
        "language": language,
        "unsubscribed": p.unsubscribed(),
        "topics": topics,
    }}))
}

fn optout_list(site: &SiteData, cio: &str) -> Vec<Value> {
    site.people_app
        .optouts
        .get(cio)
        .into_iter()
        .flatten()
        .filter(|(_, out)| **out)
        .map(|((channel, from), _)| json!({"channel": channel, "from": from}))
        .collect()
}

fn person_optouts(site: &SiteData, id: &str, query: Option<&str>) -> Out<Value> {
    let cio = &site.people[person(site, id, query)?].cio_id;
    Ok(json!({ "optouts": optout_list(site, cio) }))
}

/// `PUT …/optouts`: `{"optouts": [{"from"*, "optout"* bool, "channel": sms|whatsapp}]}` → 204.
fn put_optouts(site: &mut SiteData, id: &str, query: Option<&str>, body: &[u8]) -> Out<()> {
    let cio = site.people[person(site, id, query)?].cio_id.clone();
    let fields = check::parse_body(body, false)?;
    let items = Obj::root(&fields).array("optouts", true)?;
    let mut changes = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let bad =
            |detail: &str| AppError::at(StatusCode::BAD_REQUEST, detail, format!("/optouts/{i}"));
        let map = item
            .as_object()
            .ok_or_else(|| bad("each opt-out must be an object"))?;
        let from = match map.get("from") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => return Err(bad("from is required: the sender (phone number or id)")),
        };
        let out = map
            .get("optout")
            .and_then(Value::as_bool)
            .ok_or_else(|| bad("optout is required: true to opt out, false to opt back in"))?;
        let channel = match map.get("channel") {
            None | Some(Value::Null) => "sms",
            Some(Value::String(c)) if c == "sms" || c == "whatsapp" => c.as_str(),
            Some(_) => return Err(bad("channel must be sms or whatsapp")),
        };
        changes.push(((channel.to_string(), from), out));
    }
    site.people_app
        .optouts
        .entry(cio)
        .or_default()
        .extend(changes);
    Ok(())
}

/// `GET /v1/optouts`: everyone with an opt-out, filtered by `from`, paged (default 100).
fn optouts(site: &SiteData, query: Option<&str>) -> Out<Value> {
    let from = query_param(query, "from").filter(|f| !f.is_empty());
    let list: Vec<Value> = site
        .people
        .iter()
        .filter_map(|p| {
            let mut list = optout_list(site, &p.cio_id);
            if let Some(from) = &from {
                list.retain(|o| o["from"] == *from.as_str());
            }
            (!list.is_empty()).then(|| {
                json!({
                    "customer_id": p.id.clone().unwrap_or_default(),
                    "cio_id": p.cio_id,
                    "optouts": list,
                })
            })
        })
        .collect();
    let (page, next) = page(list, query, 100)?;
    Ok(json!({"optouts": page, "next": next}))
}

/// `GET /v1/subscription_center/{id}/token`: the id or email (no `id_type`); an unknown person
/// is a 400, as the API documents.
fn token(site: &SiteData, id: &str) -> Out<Value> {
    let index = site
        .find(IdKind::Id(id))
        .or_else(|| site.find(IdKind::Email(id)))
        .ok_or_else(|| AppError::bad_request(format!("no person with id or email {id:?}")))?;
    let cio = &site.people[index].cio_id;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
        "sub-center:{cio}:{}",
        crate::util::unix_now() / 86_400
    ));
    let url = format!("https://track.customer.io/u/i/{token}/");
    Ok(json!({"token": token, "url": url}))
}
