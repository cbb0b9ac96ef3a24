//! Newsletter writes (App API §6.6): create, delete, send and schedule. The reads are fixture
//! rows over [`Newsletters::ids`] and [`Newsletters::get`]: the generated newsletters 1..=120,
//! less the deleted ones, plus the created ones, with what sends and schedules set.

use std::collections::{BTreeMap, BTreeSet};

use axum::response::Response;
use serde_json::{json, Value};

use crate::check::{self, Invalid, Obj};
use crate::records::{newsletter, seeded_newsletter, test_group_number, LANGUAGES, NEWSLETTER_IDS};
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
    /// Translations of a newsletter's content, by (newsletter, test group), where a write
    /// changed them; the others have [`LANGUAGES`]. The newsletter's own `/language` routes
    /// address its first test group.
    languages: BTreeMap<(u64, u64), Vec<String>>,
    /// Test groups added to a newsletter after its generated two ("A", "B").
    added_groups: BTreeMap<u64, u64>,
}

/// The test groups every newsletter starts with.
const GENERATED_GROUPS: u64 = 2;

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

    /// The translations of test group `group` of newsletter `id`.
    pub(crate) fn languages(&self, id: u64, group: u64) -> Vec<String> {
        self.languages
            .get(&(id, group))
            .cloned()
            .unwrap_or_else(|| LANGUAGES.iter().map(|l| l.to_string()).collect())
    }

    /// How many test groups newsletter `id` has (numbered from 1).
    pub(crate) fn group_count(&self, id: u64) -> u64 {
        GENERATED_GROUPS + self.added_groups.get(&id).copied().unwrap_or(0)
    }

    /// The `/__emulator__/state` view.
    pub(crate) fn to_json(&self) -> Value {
        let languages: BTreeMap<String, &Vec<String>> = self
            .languages
            .iter()
            .map(|((id, group), l)| (format!("{id}/{group}"), l))
            .collect();
        json!({"changed": self.changed, "deleted": self.deleted, "sends": self.sends,
               "languages": languages, "added_groups": self.added_groups})
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

/// The newsletter a path names and the test group it addresses (the first when it names none).
fn addressed(
    newsletters: &Newsletters,
    id: &str,
    group: Option<&str>,
) -> Result<(u64, Value, u64), AppError> {
    let (id, record) = parse_id(id)
        .and_then(|id| newsletters.get(id).map(|record| (id, record)))
        .ok_or_else(AppError::not_found)?;
    let group = match group {
        None => 1,
        Some(g) => test_group_number(g)
            .filter(|g| *g <= newsletters.group_count(id))
            .ok_or_else(AppError::not_found)?,
    };
    Ok((id, record, group))
}

/// Which fields a translation of a newsletter of this channel must have (the spec's body
/// alternatives for `createNewsletterLanguageVariant`).
fn required_content(kind: &str) -> &'static [&'static str] {
    match kind {
        "email" => &["subject", "body"],
        "sms" | "webhook" => &["body"],
        "in_app" | "inbox" => &["body_json"],
        _ => &[],
    }
}

/// `POST /v1/newsletters/{id}/language` and `…/test_group/{group}/language`: adds a
/// translation; 422 when `language` or the channel's content is missing or the translation
/// exists, 400 after the newsletter was sent. Answers `{newsletter}`.
pub(crate) fn add_language(
    site: &mut SiteData,
    id: &str,
    group: Option<&str>,
    body: &[u8],
) -> Response {
    respond(added_language(&mut site.newsletters, id, group, body))
}

fn added_language(
    newsletters: &mut Newsletters,
    id: &str,
    group: Option<&str>,
    body: &[u8],
) -> Result<Value, AppError> {
    let (id, record, group) = addressed(newsletters, id, group)?;
    let fields = check::parse_body(body, false)?;
    let obj = Obj::root(&fields);
    let language = obj.req_str("language")?;
    let kind = record["type"].as_str().unwrap_or("email");
    for key in required_content(kind) {
        obj.req_str(key)?;
    }
    if kind == "push" && obj.opt_str("subject")?.is_none() && obj.opt_str("body")?.is_none() {
        let message = "a push translation needs a subject or a body".to_string();
        return Err(Invalid::new("body", "required", message).into());
    }
    if record["sent_at"].is_number() {
        return Err(AppError::bad_request("the newsletter was already sent"));
    }
    let mut languages = newsletters.languages(id, group);
    if languages.iter().any(|l| l == language) {
        let message = format!("a {language:?} translation exists");
        return Err(Invalid::new("language", "taken", message).into());
    }
    languages.push(language.to_string());
    newsletters.languages.insert((id, group), languages);
    Ok(json!({ "newsletter": record }))
}

/// `DELETE /v1/newsletters/{id}/language/{language}` and the test group's: 204; 404 for a
/// translation that does not exist.
pub(crate) fn delete_language(
    site: &mut SiteData,
    id: &str,
    group: Option<&str>,
    language: &str,
) -> Response {
    let newsletters = &mut site.newsletters;
    let Ok((id, _, group)) = addressed(newsletters, id, group) else {
        return not_found();
    };
    let mut languages = newsletters.languages(id, group);
    let before = languages.len();
    languages.retain(|l| l != language);
    if languages.len() == before {
        return not_found();
    }
    newsletters.languages.insert((id, group), languages);
    no_content()
}

/// `POST /v1/newsletters/{id}/test_groups` (no body): adds a test group; 400 after the
/// newsletter was sent. Answers `{newsletter}` with the new group's content id.
pub(crate) fn add_test_group(site: &mut SiteData, id: &str) -> Response {
    let newsletters = &mut site.newsletters;
    respond((|| {
        let (id, mut record, _) = addressed(newsletters, id, None)?;
        if record["sent_at"].is_number() {
            return Err(AppError::bad_request("the newsletter was already sent"));
        }
        *newsletters.added_groups.entry(id).or_default() += 1;
        let group = newsletters.group_count(id);
        if let Some(ids) = record["content_ids"].as_array_mut() {
            ids.push(json!(id * 10 + group));
        }
        Ok(json!({ "newsletter": record }))
    })())
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
