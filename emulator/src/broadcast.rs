//! API-triggered broadcasts (App API §6.3): every workspace has broadcast 8, the demo workspace
//! also has one processed trigger so that a trigger lookup works in a fresh emulator.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use crate::util::{app_error, json_value, parse_id, unix_now};

/// The broadcast every workspace starts with.
pub(crate) const DEMO_BROADCAST_ID: u64 = 8;
const DEMO_BROADCAST_NAME: &str = "Demo broadcast";
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
            names: BTreeMap::from([(DEMO_BROADCAST_ID, DEMO_BROADCAST_NAME.to_string())]),
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

fn broadcast_not_found() -> Response {
    app_error(StatusCode::NOT_FOUND, "The broadcast_id does not exist")
}

fn known_broadcast(broadcasts: &Broadcasts, segment: &str) -> Option<u64> {
    parse_id(segment).filter(|id| broadcasts.names.contains_key(id))
}

/// `POST /v1/campaigns/{broadcast_id}/triggers`.
pub(crate) fn trigger(broadcasts: &mut Broadcasts, broadcast_id: &str, body: &[u8]) -> Response {
    let request = match serde_json::from_slice::<Value>(body) {
        Ok(value @ Value::Object(_)) => value,
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
    let Some(broadcast_id) = known_broadcast(broadcasts, broadcast_id) else {
        return broadcast_not_found();
    };
    if request
        .get("recipients")
        .and_then(Value::as_object)
        .is_some_and(|r| r.is_empty())
    {
        return json_value(
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!({"errors": [{
                "detail": "empty recipients filter is not valid",
                "source": {"pointer": "/recipients"},
                "status": "422",
            }]}),
        );
    }
    let now = Instant::now();
    if !broadcasts.may_trigger(broadcast_id, now) {
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
    let id = broadcasts.create_trigger(broadcast_id, request, now);
    json_value(StatusCode::OK, &json!({ "id": id }))
}

/// `GET /v1/campaigns/{broadcast_id}/triggers/{trigger_id}`.
pub(crate) fn get_trigger(
    broadcasts: &Broadcasts,
    broadcast_id: &str,
    trigger_id: &str,
) -> Response {
    let Some(broadcast_id) = known_broadcast(broadcasts, broadcast_id) else {
        return broadcast_not_found();
    };
    let trigger = parse_id(trigger_id)
        .and_then(|id| broadcasts.triggers_of(broadcast_id).find(|t| t.id == id));
    match trigger {
        Some(trigger) => json_value(StatusCode::OK, &trigger.to_json()),
        None => app_error(StatusCode::NOT_FOUND, "The trigger_id does not exist"),
    }
}

/// `GET /v1/broadcasts/{broadcast_id}/triggers`.
pub(crate) fn list_triggers(broadcasts: &Broadcasts, broadcast_id: &str) -> Response {
    let Some(broadcast_id) = known_broadcast(broadcasts, broadcast_id) else {
        return broadcast_not_found();
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
        assert_eq!(demo.create_trigger(8, json!({}), now), 2);
        let mut other = Broadcasts::default();
        assert_eq!(other.create_trigger(8, json!({}), now), 1);
    }

    #[test]
    fn one_trigger_per_broadcast_per_ten_seconds() {
        let mut broadcasts = Broadcasts::demo();
        let start = Instant::now();
        // The seeded trigger does not block the first API trigger.
        assert!(broadcasts.may_trigger(8, start));
        broadcasts.create_trigger(8, json!({}), start);
        assert!(!broadcasts.may_trigger(8, start));
        assert!(!broadcasts.may_trigger(8, start + Duration::from_millis(9_999)));
        assert!(broadcasts.may_trigger(8, start + TRIGGER_INTERVAL));
        // Other broadcasts have their own window.
        assert!(broadcasts.may_trigger(9, start));
    }
}
