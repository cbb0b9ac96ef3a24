//! Live notifications (App API): `POST /v1/live_notifications/start` mints a ULID `instance_id`,
//! `update` and `end` change the instance it names, `GET /v1/live_notifications/{instance_id}`
//! reports it. Problems are App errors: 400 with a pointer into the body, 404 for an unknown
//! instance. The demo workspace starts with one active instance, [`DEMO_INSTANCE`].

use axum::response::Response;
use serde_json::{json, Map, Value};

use crate::check::{self, Invalid, Obj};
use crate::parse::{self, MERGE_KEYS};
use crate::state::SiteData;
use crate::util::{respond, unix_now, AppError};

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// A live notification expires this long after it starts (Apple's limit for Live Activities).
const LIFETIME: i64 = 8 * 3_600;

#[derive(Clone, Debug)]
pub(crate) struct Instance {
    instance_id: String,
    notification_type: String,
    identifiers: Value,
    attributes: Value,
    content_state: Value,
    started_at: i64,
    ended_at: Option<i64>,
    /// The last operation sent to the device, its delivery id and when.
    last: (&'static str, String, i64),
    updates: u32,
}

impl Instance {
    /// The API's status object; `full` adds what was sent, for the state view.
    fn to_json(&self, full: bool) -> Value {
        let (operation, id, created_at) = &self.last;
        let mut value = json!({
            "instance_id": self.instance_id,
            "notification_type": self.notification_type,
            "platform": Value::Null,
            "state": if self.ended_at.is_some() { "ended" } else { "active" },
            "failure_reason": Value::Null,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "expires_at": self.started_at + LIFETIME,
            "last_delivery": {
                "id": id,
                "operation": operation,
                "status": "queued",
                "source": "api",
                "created_at": created_at,
            },
        });
        if full {
            value["identifiers"] = self.identifiers.clone();
            value["attributes"] = self.attributes.clone();
            value["content_state"] = self.content_state.clone();
            value["updates"] = json!(self.updates);
        }
        value
    }
}

/// One workspace's live notifications, in start order.
#[derive(Debug, Default)]
pub(crate) struct LiveNotifications {
    instances: Vec<Instance>,
    /// ULIDs minted so far (instances and deliveries), which keeps them distinct within one ms.
    minted: u64,
}

/// The live notification the demo workspace starts with: Jane's (`42`) order A-1, packed.
pub(crate) const DEMO_INSTANCE: &str = "01HF7YAT000440Y5GX4GNK4EA0";

impl LiveNotifications {
    /// The demo workspace's: [`DEMO_INSTANCE`], active, started when the workspace was (so it
    /// has not expired).
    pub(crate) fn demo() -> LiveNotifications {
        let mut live = LiveNotifications::default();
        let now = unix_now();
        let delivery = live.mint();
        live.instances.push(Instance {
            instance_id: DEMO_INSTANCE.to_string(),
            notification_type: "order_status".to_string(),
            identifiers: json!({"id": "42"}),
            attributes: json!({"order": "A-1"}),
            content_state: json!({"step": "packed"}),
            started_at: now,
            ended_at: None,
            last: ("start", delivery, now),
            updates: 0,
        });
        live
    }

    fn mint(&mut self) -> String {
        self.minted += 1;
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        ulid(ms, self.minted)
    }

    /// The `/__emulator__/state` view.
    pub(crate) fn to_json(&self) -> Value {
        Value::Array(self.instances.iter().map(|i| i.to_json(true)).collect())
    }
}

/// A ULID of `ms` with `sequence` in its random part.
fn ulid(ms: u64, sequence: u64) -> String {
    let value = (u128::from(ms) << 80) | (0xc10e_u128 << 64) | u128::from(sequence);
    (0..26)
        .map(|i| CROCKFORD[((value >> (125 - 5 * i)) & 31) as usize] as char)
        .collect()
}

fn is_ulid(text: &str) -> bool {
    text.len() == 26
        && text.as_bytes()[0] <= b'7'
        && text
            .bytes()
            .all(|b| CROCKFORD.contains(&b.to_ascii_uppercase()))
}

/// The instance `id` names: 400 unless a ULID, 404 unless started here.
fn find<'a>(live: &'a mut LiveNotifications, id: &str) -> Result<&'a mut Instance, AppError> {
    if !is_ulid(id) {
        return Err(AppError::bad_request(format!(
            "instance_id {id:?} is not a valid ULID"
        )));
    }
    live.instances
        .iter_mut()
        .find(|i| i.instance_id.eq_ignore_ascii_case(id))
        .ok_or_else(AppError::not_found)
}

fn object(obj: &Obj<'_>, key: &str, required: bool) -> Result<Option<Value>, Invalid> {
    let inner = if required {
        Some(obj.req_obj(key)?)
    } else {
        obj.opt_obj(key)?
    };
    Ok(inner.map(|o| Value::Object(o.map.clone())))
}

/// `POST /v1/live_notifications/{start,update,end}`: `{"instance_id"}`.
pub(crate) fn post(site: &mut SiteData, operation: &str, body: &[u8]) -> Response {
    respond(
        check::parse_body(body, false)
            .map_err(AppError::from)
            .and_then(|map| {
                let obj = Obj::root(&map);
                let id = if operation == "start" {
                    start(&mut site.live, &obj)?
                } else {
                    change(&mut site.live, operation, &obj)?
                };
                Ok(json!({ "instance_id": id }))
            }),
    )
}

/// `start`: `notification_type`, `identifiers` (one of id, email, cio_id), `attributes` and
/// `content_state` are required.
fn start(live: &mut LiveNotifications, obj: &Obj<'_>) -> Result<String, Invalid> {
    let notification_type = obj.req_str("notification_type")?.to_string();
    let ids = obj.req_obj("identifiers")?;
    parse::person(&ids, MERGE_KEYS)?;
    let attributes = object(obj, "attributes", true)?.unwrap_or_default();
    let content_state = object(obj, "content_state", true)?.unwrap_or_default();
    let now = unix_now();
    let instance_id = live.mint();
    let delivery = live.mint();
    live.instances.push(Instance {
        instance_id: instance_id.clone(),
        notification_type,
        identifiers: Value::Object(ids.map.clone()),
        attributes,
        content_state,
        started_at: now,
        ended_at: None,
        last: ("start", delivery, now),
        updates: 0,
    });
    Ok(instance_id)
}

/// `update` (`instance_id` and `content_state` required) or `end` (`instance_id`; a final
/// `content_state` optional) of an instance that has not ended.
fn change(
    live: &mut LiveNotifications,
    operation: &str,
    obj: &Obj<'_>,
) -> Result<String, AppError> {
    let id = obj.req_str("instance_id")?;
    let content_state = object(obj, "content_state", operation == "update")?;
    let delivery = live.mint();
    let instance = find(live, id)?;
    if instance.ended_at.is_some() {
        return Err(AppError::bad_request(format!(
            "live notification {id} has already ended"
        )));
    }
    if let Some(state) = content_state {
        instance.content_state = state;
    }
    if let Some(Value::Object(attributes)) = obj.get("attributes") {
        merge(&mut instance.attributes, attributes);
    }
    let now = unix_now();
    if operation == "end" {
        instance.ended_at = Some(now);
        instance.last = ("end", delivery, now);
    } else {
        instance.updates += 1;
        instance.last = ("update", delivery, now);
    }
    Ok(instance.instance_id.clone())
}

fn merge(into: &mut Value, fields: &Map<String, Value>) {
    if let Value::Object(map) = into {
        map.extend(fields.clone());
    }
}

/// `GET /v1/live_notifications/{instance_id}`.
pub(crate) fn get(site: &mut SiteData, id: &str) -> Response {
    respond(find(&mut site.live, id).map(|instance| instance.to_json(false)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ulids_are_valid_and_ordered() {
        let a = ulid(1_767_225_600_000, 1);
        let b = ulid(1_767_225_600_000, 2);
        assert!(is_ulid(&a) && is_ulid(&b), "{a} {b}");
        assert!(a < b);
        assert!(is_ulid(&a.to_ascii_lowercase()));
        for bad in [
            "",
            "01ARZ3NDEKTSV4RRFFQ69G5FA",
            "81ARZ3NDEKTSV4RRFFQ69G5FAV",
            "01ARZ3NDEKTSV4RRFFQ69G5FAU",
        ] {
            assert!(!is_ulid(bad), "{bad}");
        }
    }
}
