//! Newsletter writes (App API §6.6): create, delete, send and schedule. The reads are fixture
//! rows over [`Newsletters::ids`] and [`Newsletters::get`]: the generated newsletters 1..=120,
//! less the deleted ones, plus the created ones, with what sends and schedules set.

use std::collections::{BTreeMap, BTreeSet};

use axum::response::Response;
use serde_json::{json, Value};

use crate::check::{self, Invalid, Obj};
use crate::records::{newsletter, seeded_newsletter, NEWSLETTER_IDS};
use crate::state::SiteData;
use crate::util::{no_content, not_found, parse_id, respond, unix_now, AppError};

/// The longest name a newsletter may have, in characters.
pub(crate) const MAX_NAME: usize = 190;
pub(crate) const TYPES: &[&str] = &["email", "sms", "push", "in_app", "inbox", "webhook"];

/// One workspace's newsletters, as far as they differ from the generated ones.
#[derive(Debug, Default)]
pub(crate) struct Newsletters {
    /// Created newsletters, and generated ones a send or schedule changed, by id.
    changed: BTreeMap<u64, Value>,
    deleted: BTreeSet<u64>,
    /// Every send and schedule, in order.
    sends: Vec<Value>,
}

impl Newsletters {
    pub(crate) fn get(&self, id: u64) -> Option<Value> {
        if self.deleted.contains(&id) {
            return None;
        }
        self.changed
            .get(&id)
            .cloned()
            .or_else(|| NEWSLETTER_IDS.contains(&id).then(|| seeded_newsletter(id)))
    }

    /// Every newsletter id, ascending (which is also creation order).
    pub(crate) fn ids(&self) -> Vec<u64> {
        NEWSLETTER_IDS
            .chain(self.changed.keys().copied())
            .filter(|id| !self.deleted.contains(id))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    fn next_id(&self) -> u64 {
        let used = self.changed.keys().chain(&self.deleted).copied();
        used.chain([*NEWSLETTER_IDS.end()]).max().unwrap_or(0) + 1
    }

    /// The `/__emulator__/state` view.
    pub(crate) fn to_json(&self) -> Value {
        json!({"changed": self.changed, "deleted": self.deleted, "sends": self.sends})
    }
}

/// `POST /v1/newsletters`: `name` (at most 190 characters) and `type` are required; the other
/// fields are kept as sent.
pub(crate) fn create(site: &mut SiteData, body: &[u8]) -> Response {
    respond(created(&mut site.newsletters, body))
}

fn created(newsletters: &mut Newsletters, body: &[u8]) -> Result<Value, AppError> {
    let fields = check::parse_body(body, false)?;
    let obj = Obj::root(&fields);
    let name = obj.req_str("name")?;
    let count = name.chars().count();
    if count > MAX_NAME {
        let message = format!("name is {count} characters; the limit is {MAX_NAME}");
        return Err(Invalid::new("name", "too_large", message).into());
    }
    let kind = obj.one_of("type", TYPES)?;
    let id = newsletters.next_id();
    let mut record = newsletter(id, name, kind, unix_now());
    if let Value::Object(map) = &mut record {
        let named = ["id", "created", "updated", "content_ids", "deduplicate_id"];
        map.extend(
            fields
                .into_iter()
                .filter(|(k, _)| !named.contains(&k.as_str())),
        );
    }
    newsletters.changed.insert(id, record.clone());
    Ok(json!({ "newsletter": record }))
}

/// `DELETE /v1/newsletters/{id}`: 204.
pub(crate) fn delete(site: &mut SiteData, id: &str) -> Response {
    let newsletters = &mut site.newsletters;
    match parse_id(id).filter(|id| newsletters.get(*id).is_some()) {
        Some(id) => {
            newsletters.changed.remove(&id);
            newsletters.deleted.insert(id);
            no_content()
        }
        None => not_found(),
    }
}

/// `POST /v1/newsletters/{id}/send` (any body) and `/schedule` (`{"scheduled_at": <unix>}`):
/// the newsletter gets `sent_at` or `scheduled_at`, and the request joins the log.
pub(crate) fn send(site: &mut SiteData, id: &str, action: &str, body: &[u8]) -> Response {
    respond(sent(&mut site.newsletters, id, action, body))
}

fn sent(
    newsletters: &mut Newsletters,
    id: &str,
    action: &str,
    body: &[u8],
) -> Result<Value, AppError> {
    let (id, mut record) = parse_id(id)
        .and_then(|id| newsletters.get(id).map(|record| (id, record)))
        .ok_or_else(AppError::not_found)?;
    let now = unix_now();
    let mut entry = json!({"newsletter_id": id, "action": action, "at": now});
    if action == "schedule" {
        let fields = check::parse_body(body, false)?;
        let at = Obj::root(&fields).opt_int("scheduled_at")?.ok_or_else(|| {
            let message = "scheduled_at is required: a unix timestamp".to_string();
            Invalid::new("scheduled_at", "required", message)
        })?;
        record["scheduled_at"] = json!(at);
        entry["scheduled_at"] = json!(at);
    } else {
        record["sent_at"] = json!(now);
    }
    record["updated"] = json!(now);
    newsletters.sends.push(entry);
    newsletters.changed.insert(id, record.clone());
    Ok(json!({ "newsletter": record }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_creations_and_deletions() {
        let mut n = Newsletters::default();
        assert_eq!(n.ids().len(), 120);
        assert_eq!(n.next_id(), 121);
        n.deleted.insert(120);
        assert_eq!(n.next_id(), 121);
        n.changed.insert(121, json!({}));
        assert_eq!(n.ids().last(), Some(&121));
        assert!(n.get(120).is_none() && n.get(1).is_some() && n.get(0).is_none());
    }
}
