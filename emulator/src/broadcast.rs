//! API-triggered broadcasts (App API §6.3): every workspace has broadcasts 8, 15 and 16, the
//! demo workspace also has one processed trigger of 8 so that a trigger lookup works in a fresh
//! emulator. A trigger body is checked against the six audience shapes and their flags (422 with
//! a pointer otherwise) and kept as sent; the people it names who do not exist (unless the
//! matching `*_ignore_missing` flag is set) become the trigger's errors.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use crate::fixtures::{limit, DEFAULT_LIMIT};
use crate::state::{IdKind, SiteData};
use crate::util::{app_error, json_value, parse_id, query_param, respond, unix_now, AppError};

/// The broadcast every workspace starts with.
pub(crate) const DEMO_BROADCAST_ID: u64 = 8;
/// Every workspace's broadcasts.
pub(crate) const BROADCASTS: [(u64, &str); 3] = [
    (DEMO_BROADCAST_ID, "Demo broadcast"),
    (15, "Weekly promotion"),
    (16, "Product launch"),
];
/// `created_at`/`processed_at` of the demo workspace's pre-seeded trigger (2026-01-01T00:00:00Z).
pub(crate) const SEEDED_TRIGGER_TIME: i64 = 1_767_225_600;
/// The real API accepts one trigger per broadcast per 10 seconds.
pub(crate) const TRIGGER_INTERVAL: Duration = Duration::from_secs(10);

/// One trigger of a broadcast, with the body that created it.
#[derive(Clone, Debug)]
pub(crate) struct Trigger {
    pub(crate) id: u64,
    pub(crate) broadcast_id: u64,
    pub(crate) created_at: i64,
    pub(crate) processed_at: i64,
    pub(crate) request: Value,
    /// What `…/triggers/{id}/errors` lists, e.g. `line 2: no person with id "u-9"`.
    pub(crate) errors: Vec<String>,
}

impl Trigger {
    /// The API's unwrapped trigger object.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "broadcast_id": self.broadcast_id,
            "created_at": self.created_at,
            "processed_at": self.processed_at,
        })
    }
}

/// One workspace's broadcasts and their triggers.
#[derive(Debug)]
pub(crate) struct Broadcasts {
    /// Broadcast id → name.
    pub(crate) names: BTreeMap<u64, String>,
    /// Every trigger, in creation order (ids ascending).
    pub(crate) triggers: Vec<Trigger>,
    /// When each broadcast last accepted a trigger over the API, for the 10-second limit.
    last_accepted: HashMap<u64, Instant>,
}

impl Default for Broadcasts {
    fn default() -> Self {
        Broadcasts {
            names: BROADCASTS
                .iter()
                .map(|&(id, name)| (id, name.to_string()))
                .collect(),
            triggers: Vec::new(),
            last_accepted: HashMap::new(),
        }
    }
}

impl Broadcasts {
    /// The demo workspace's starting state: broadcast 8 with processed trigger 1. The seeded
    /// trigger does not count against the rate limit.
    pub(crate) fn demo() -> Broadcasts {
        let mut broadcasts = Broadcasts::default();
        broadcasts.triggers.push(Trigger {
            id: 1,
            broadcast_id: DEMO_BROADCAST_ID,
            created_at: SEEDED_TRIGGER_TIME,
            processed_at: SEEDED_TRIGGER_TIME,
            request: json!({}),
            errors: Vec::new(),
        });
        broadcasts
    }

    fn next_trigger_id(&self) -> u64 {
        self.triggers.iter().map(|t| t.id).max().unwrap_or(0) + 1
    }

    /// Whether `broadcast_id` may take a trigger at `now`.
    pub(crate) fn may_trigger(&self, broadcast_id: u64, now: Instant) -> bool {
        self.last_accepted
            .get(&broadcast_id)
            .is_none_or(|last| now.saturating_duration_since(*last) >= TRIGGER_INTERVAL)
    }

    /// Stores a new trigger created at `now` and returns its id.
    pub(crate) fn create_trigger(
        &mut self,
        broadcast_id: u64,
        request: Value,
        errors: Vec<String>,
        now: Instant,
    ) -> u64 {
        let id = self.next_trigger_id();
        let created_at = unix_now();
        self.triggers.push(Trigger {
            id,
            broadcast_id,
            created_at,
            // The emulator sends nothing, so a trigger is processed the moment it is created.
            processed_at: created_at,
            request,
            errors,
        });
        self.last_accepted.insert(broadcast_id, now);
        id
    }

    pub(crate) fn triggers_of(&self, broadcast_id: u64) -> impl Iterator<Item = &Trigger> {
        self.triggers
            .iter()
            .filter(move |t| t.broadcast_id == broadcast_id)
    }
}

fn broadcast_not_found() -> AppError {
    AppError::new(StatusCode::NOT_FOUND, "The broadcast_id does not exist")
}

fn known_broadcast(broadcasts: &Broadcasts, segment: &str) -> Option<u64> {
    parse_id(segment).filter(|id| broadcasts.names.contains_key(id))
}

/// `POST /v1/campaigns/{broadcast_id}/triggers`.
pub(crate) fn trigger(site: &mut SiteData, broadcast_id: &str, body: &[u8]) -> Response {
    let request = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => {
            return app_error(
                StatusCode::BAD_REQUEST,
                "the request body must be a JSON object",
            )
        }
        Err(err) => {
            return app_error(
                StatusCode::BAD_REQUEST,
                &format!("the request body is not a valid JSON object: {err}"),
            )
        }
    };
    let Some(broadcast_id) = known_broadcast(&site.broadcasts, broadcast_id) else {
        return broadcast_not_found().response();
    };
    let errors = match audience(&request, site) {
        Ok(errors) => errors,
        Err(error) => return error.response(),
    };
    let now = Instant::now();
    if !site.broadcasts.may_trigger(broadcast_id, now) {
        let mut response = app_error(
            StatusCode::TOO_MANY_REQUESTS,
            "broadcast triggers are limited to 1 request per 10 seconds per broadcast \
             (reference emulator)",
        );
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static("10"));
        return response;
    }
    let id = site
        .broadcasts
        .create_trigger(broadcast_id, Value::Object(request), errors, now);
    json_value(StatusCode::OK, &json!({ "id": id }))
}

/// The flags a trigger body may carry.
const FLAGS: [&str; 3] = [
    "email_add_duplicates",
    "email_ignore_missing",
    "id_ignore_missing",
];
/// The audience keys (at most one per body), each with the flags it allows; without any, the
/// broadcast's own audience takes all three.
const AUDIENCES: [(&str, &[&str]); 5] = [
    ("recipients", &[]),
    ("emails", &["email_ignore_missing", "email_add_duplicates"]),
    ("ids", &["id_ignore_missing"]),
    ("per_user_data", &FLAGS),
    ("data_file_url", &FLAGS),
];

fn unprocessable(pointer: &str, detail: &str) -> AppError {
    AppError::at(StatusCode::UNPROCESSABLE_ENTITY, detail, pointer)
}

/// The items of a non-empty array, or a 422 at `pointer`.
fn non_empty<'a>(value: &'a Value, pointer: &str, detail: &str) -> Result<&'a [Value], AppError> {
    match value.as_array() {
        Some(items) if !items.is_empty() => Ok(items),
        _ => Err(unprocessable(pointer, detail)),
    }
}

/// Checks a trigger body's `data`, audience and flags; returns the errors the trigger reports.
fn audience(body: &Map<String, Value>, site: &SiteData) -> Result<Vec<String>, AppError> {
    let present = |key: &str| body.get(key).filter(|v| !v.is_null());
    if present("data").is_some_and(|data| !data.is_object()) {
        return Err(unprocessable("/data", "data must be an object"));
    }
    let given: Vec<&(&str, &[&str])> = AUDIENCES
        .iter()
        .filter(|(key, _)| present(key).is_some())
        .collect();
    let (shape, allowed): (&str, &[&str]) = match given.as_slice() {
        [] => ("the broadcast's own audience", &FLAGS),
        [(key, flags)] => (key, flags),
        [(first, _), (second, _), ..] => {
            let detail = format!(
                "give only one of recipients, emails, ids, per_user_data and data_file_url, \
                 not both {first} and {second}"
            );
            return Err(unprocessable(&format!("/{second}"), &detail));
        }
    };
    for flag in FLAGS {
        let detail = match present(flag) {
            None => continue,
            Some(Value::Bool(_)) if allowed.contains(&flag) => continue,
            Some(Value::Bool(_)) => format!("{flag} cannot be used with {shape}"),
            Some(_) => format!("{flag} must be true or false"),
        };
        return Err(unprocessable(&format!("/{flag}"), &detail));
    }
    let Some(value) = present(shape) else {
        return Ok(Vec::new());
    };
    let pointer = format!("/{shape}");
    match shape {
        "recipients" => filter(value, &pointer).map(|()| Vec::new()),
        "data_file_url" => match value.as_str() {
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                Ok(Vec::new())
            }
            _ => Err(unprocessable(
                &pointer,
                "data_file_url must be an http(s) URL",
            )),
        },
        _ => {
            let items = non_empty(
                value,
                &pointer,
                &format!("{shape} must be a non-empty array"),
            )?;
            let ignore =
                |key: &str| present(&format!("{key}_ignore_missing")) == Some(&Value::Bool(true));
            let mut errors = Vec::new();
            for (index, item) in items.iter().enumerate() {
                let (key, value) = person(shape, item).ok_or_else(|| {
                    unprocessable(&format!("{pointer}/{index}"), &person_rule(shape))
                })?;
                let kind = if key == "email" {
                    IdKind::Email(&value)
                } else {
                    IdKind::Id(&value)
                };
                if site.find(kind).is_none() && !ignore(key) {
                    errors.push(format!(
                        "line {}: no person with {key} {value:?}",
                        index + 1
                    ));
                }
            }
            Ok(errors)
        }
    }
}

/// What each item of an `emails`, `ids` or `per_user_data` list must be.
fn person_rule(shape: &str) -> String {
    match shape {
        "emails" => "each email must be a string with an @".to_string(),
        "ids" => "each id must be a non-empty string or an integer".to_string(),
        _ => "each entry must be an object with exactly one of id and email, and an optional data \
              object"
            .to_string(),
    }
}

/// The identifier an audience list item names: `("id" | "email", value)`.
fn person(shape: &str, item: &Value) -> Option<(&'static str, String)> {
    let id = |value: &Value| match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) if n.as_u64().is_some() => Some(n.to_string()),
        _ => None,
    };
    let email = |value: &Value| {
        value
            .as_str()
            .filter(|s| s.contains('@'))
            .map(str::to_string)
    };
    match shape {
        "emails" => email(item).map(|e| ("email", e)),
        "ids" => id(item).map(|i| ("id", i)),
        _ => {
            let entry = item.as_object()?;
            if entry
                .get("data")
                .is_some_and(|d| !d.is_object() && !d.is_null())
            {
                return None;
            }
            match (entry.get("id"), entry.get("email")) {
                (Some(value), None) => id(value).map(|i| ("id", i)),
                (None, Some(value)) => email(value).map(|e| ("email", e)),
                _ => None,
            }
        }
    }
}

/// An audience filter: exactly one of `and`/`or` (non-empty lists of filters), `not` (a filter),
/// `segment` (`{"id": <integer>}`) or `attribute` (`{"field", "operator", "value"?}`).
fn filter(value: &Value, pointer: &str) -> Result<(), AppError> {
    let Some(map) = value.as_object() else {
        return Err(unprocessable(
            pointer,
            "an audience filter must be an object",
        ));
    };
    let (key, inner) = match map.iter().next() {
        None => {
            return Err(unprocessable(
                pointer,
                "empty recipients filter is not valid",
            ))
        }
        Some(_) if map.len() > 1 => {
            return Err(unprocessable(
                pointer,
                "an audience filter has exactly one of and, or, not, segment, attribute",
            ))
        }
        Some(entry) => entry,
    };
    let at = format!("{pointer}/{key}");
    match key.as_str() {
        "and" | "or" => {
            let detail = format!("{key} must be a non-empty array of filters");
            let items = non_empty(inner, &at, &detail)?;
            items
                .iter()
                .enumerate()
                .try_for_each(|(index, item)| filter(item, &format!("{at}/{index}")))
        }
        "not" => filter(inner, &at),
        "segment" if inner.get("id").and_then(Value::as_u64).is_some() => Ok(()),
        "segment" => Err(unprocessable(
            &format!("{at}/id"),
            "a segment filter needs an integer id",
        )),
        "attribute" => ["field", "operator"].iter().try_for_each(|name| {
            match inner.get(*name).and_then(Value::as_str) {
                Some(text) if !text.is_empty() => Ok(()),
                _ => Err(unprocessable(
                    &format!("{at}/{name}"),
                    &format!("an attribute filter needs a non-empty {name}"),
                )),
            }
        }),
        other => Err(unprocessable(
            pointer,
            &format!("unknown audience filter {other:?}: use and, or, not, segment or attribute"),
        )),
    }
}

/// The trigger a path names, or the 404 that says which id is unknown.
fn find_trigger<'a>(
    broadcasts: &'a Broadcasts,
    broadcast_id: &str,
    trigger_id: &str,
) -> Result<&'a Trigger, AppError> {
    let broadcast_id = known_broadcast(broadcasts, broadcast_id).ok_or_else(broadcast_not_found)?;
    parse_id(trigger_id)
        .and_then(|id| broadcasts.triggers_of(broadcast_id).find(|t| t.id == id))
        .ok_or_else(|| AppError::new(StatusCode::NOT_FOUND, "The trigger_id does not exist"))
}

/// `GET /v1/campaigns/{broadcast_id}/triggers/{trigger_id}`.
pub(crate) fn get_trigger(
    broadcasts: &Broadcasts,
    broadcast_id: &str,
    trigger_id: &str,
) -> Response {
    respond(find_trigger(broadcasts, broadcast_id, trigger_id).map(Trigger::to_json))
}

/// `GET /v1/campaigns/{broadcast_id}/triggers/{trigger_id}/errors`: pages by integer offset,
/// `start` in and `next` out (0 after the last page, as the documentation's example shows).
pub(crate) fn trigger_errors(
    broadcasts: &Broadcasts,
    broadcast_id: &str,
    trigger_id: &str,
    query: Option<&str>,
) -> Response {
    respond(
        find_trigger(broadcasts, broadcast_id, trigger_id).and_then(|trigger| {
            let start = match query_param(query, "start").filter(|s| !s.is_empty()) {
                None => 0,
                Some(text) => text.parse::<usize>().map_err(|_| {
                    AppError::bad_request(format!("start must be an integer offset, not {text:?}"))
                })?,
            };
            let limit = limit(query, DEFAULT_LIMIT)?;
            let all = &trigger.errors;
            let end = start.saturating_add(limit).min(all.len());
            // The spec types `next` as a string: the next offset, "" after the last page.
            let next = if end < all.len() {
                end.to_string()
            } else {
                String::new()
            };
            Ok(json!({"errors": &all[start.min(end)..end], "next": next}))
        }),
    )
}

/// `GET /v1/broadcasts/{broadcast_id}/triggers`.
pub(crate) fn list_triggers(broadcasts: &Broadcasts, broadcast_id: &str) -> Response {
    let Some(broadcast_id) = known_broadcast(broadcasts, broadcast_id) else {
        return broadcast_not_found().response();
    };
    let triggers: Vec<Value> = broadcasts
        .triggers_of(broadcast_id)
        .map(Trigger::to_json)
        .collect();
    json_value(StatusCode::OK, &json!({ "triggers": triggers }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_decimal() {
        assert_eq!(parse_id("8"), Some(8));
        assert_eq!(parse_id("008"), Some(8));
        for bad in ["", "+8", "-8", "8.0", "eight", "99999999999999999999999"] {
            assert_eq!(parse_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn trigger_ids_continue_after_the_seeded_one() {
        let mut demo = Broadcasts::demo();
        let now = Instant::now();
        assert_eq!(demo.create_trigger(8, json!({}), Vec::new(), now), 2);
        let mut other = Broadcasts::default();
        assert_eq!(other.create_trigger(8, json!({}), Vec::new(), now), 1);
    }

    #[test]
    fn one_trigger_per_broadcast_per_ten_seconds() {
        let mut broadcasts = Broadcasts::demo();
        let start = Instant::now();
        // The seeded trigger does not block the first API trigger.
        assert!(broadcasts.may_trigger(8, start));
        broadcasts.create_trigger(8, json!({}), Vec::new(), start);
        assert!(!broadcasts.may_trigger(8, start));
        assert!(!broadcasts.may_trigger(8, start + Duration::from_millis(9_999)));
        assert!(broadcasts.may_trigger(8, start + TRIGGER_INTERVAL));
        // Other broadcasts have their own window.
        assert!(broadcasts.may_trigger(9, start));
    }
}
