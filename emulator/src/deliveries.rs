//! Messages and activities (App API §6.9). Messages are the workspace's transactional sends
//! (newest first, ids as `POST /v1/send/…` returned them) followed by the generated deliveries of
//! every campaign, broadcast, newsletter and transactional template (records.rs; interleaved by
//! age, newest first), filtered by `type`, `metric`, `drafts`, `campaign_id`, `newsletter_id`,
//! `action_id`, `start_ts` and `end_ts` (inclusive). Cursors count raw positions, so a page
//! costs only what it scans. Activities are the events Track stored (`event`, `page`, `screen`).

use serde_json::{json, Value};

use crate::fixtures::{self, cursor, DEFAULT_LIMIT};
use crate::people::{self, identifiers, page};
use crate::records::{self, Family, Out, DELIVERIES, EPOCH};
use crate::state::{IdKind, SiteData};
use crate::util::{query_param, AppError};
use crate::{Person, StoredEvent};

/// The metrics a delivery export or message filter may name.
pub(crate) const METRICS: [&str; 13] = [
    "created",
    "attempted",
    "sent",
    "delivered",
    "opened",
    "clicked",
    "converted",
    "bounced",
    "spammed",
    "unsubscribed",
    "dropped",
    "failed",
    "undeliverable",
];
/// Activities per page when `limit` is absent.
const ACTIVITY_LIMIT: usize = 10;
/// A larger activity `limit` is served as this one.
const ACTIVITY_MAX: usize = 100;

/// The message types generated deliveries have.
const GENERATED_TYPES: [&str; 5] = ["email", "push", "sms", "webhook", "in_app"];

fn int_param(query: Option<&str>, name: &str) -> Out<Option<i64>> {
    match query_param(query, name).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|_| AppError::bad_request(format!("{name} must be an integer, not {text:?}"))),
    }
}

fn bool_param(query: Option<&str>, name: &str) -> Out<bool> {
    match query_param(query, name).as_deref() {
        None | Some("" | "false" | "0") => Ok(false),
        Some("true" | "1") => Ok(true),
        Some(other) => Err(AppError::bad_request(format!(
            "{name} must be true or false, not {other:?}"
        ))),
    }
}

/// The message a transactional send became.
fn transactional_message(site: &SiteData, send: &Value) -> Value {
    let id = send["delivery_id"].as_str().unwrap_or_default();
    let created = send["queued_at"].as_i64().unwrap_or(0);
    let template = send["transactional_message_id"].as_u64().unwrap_or(0);
    let channel = send["channel"].as_str().unwrap_or("email");
    let person = site
        .deliveries
        .get(id)
        .and_then(|label| site.find(IdKind::of(label)))
        .map(|i| &site.people[i]);
    let request = &send["request"];
    let scheduled = send["send_at"].as_i64().filter(|at| *at > created);
    let metrics = match scheduled {
        Some(_) => json!({"created": created}),
        None => json!({"created": created, "sent": created}),
    };
    json!({
        "id": id,
        "deduplicate_id": format!("{id}:{created}"),
        "customer_id": person.map_or(send["identifiers"]["id"].clone(), |p| json!(p.id)),
        "customer_identifiers": person.map_or(send["identifiers"].clone(), identifiers),
        "recipient": request.get("to").cloned().unwrap_or(Value::Null),
        "subject": request.get("subject").cloned().unwrap_or(Value::Null),
        "type": if channel == "inbox_message" { "inbox" } else { channel },
        "created": created,
        "metrics": metrics,
        "failure_message": null,
        "forgotten": false,
        "trigger_event_id": null,
        "message_template_id": template * 10 + 1,
        "campaign_id": null,
        "broadcast_id": null,
        "newsletter_id": null,
        "transactional_message_id": template,
        "content_id": template * 10 + 1,
    })
}

/// A message that is only a delivery id (`Emulator::add_delivery`, the demo's `dlv_demo_1`).
fn bare_message(site: &SiteData, id: &str, label: &str) -> Value {
    let person = site.find(IdKind::of(label)).map(|i| &site.people[i]);
    json!({
        "id": id,
        "deduplicate_id": format!("{id}:{EPOCH}"),
        "customer_id": person.map_or(json!(label), |p| json!(p.id)),
        "customer_identifiers": person.map(identifiers),
        "recipient": person.and_then(|p| p.email.clone()),
        "subject": null,
        "type": "email",
        "created": EPOCH,
        "metrics": {"sent": EPOCH, "delivered": EPOCH + 4},
        "failure_message": null,
        "forgotten": false,
        "campaign_id": null,
        "broadcast_id": null,
        "newsletter_id": null,
        "transactional_message_id": null,
    })
}

/// What `GET /v1/messages` filters by.
struct Filters {
    kind: Option<String>,
    metric: Option<String>,
    drafts: bool,
    campaign: Option<u64>,
    newsletter: Option<u64>,
    action: Option<u64>,
    from: Option<i64>,
    to: Option<i64>,
}

impl Filters {
    fn read(query: Option<&str>) -> Out<Filters> {
        let id = |name: &str| -> Out<Option<u64>> {
            match int_param(query, name)? {
                None => Ok(None),
                Some(n) => u64::try_from(n).map(Some).map_err(|_| {
                    AppError::bad_request(format!("{name} must be a positive integer"))
                }),
            }
        };
        let metric = query_param(query, "metric").filter(|m| !m.is_empty());
        if let Some(metric) = &metric {
            if !METRICS.contains(&metric.as_str()) {
                return Err(AppError::bad_request(format!(
                    "metric must be one of {}, not {metric:?}",
                    METRICS.join(", ")
                )));
            }
        }
        Ok(Filters {
            kind: query_param(query, "type").filter(|t| !t.is_empty()),
            metric,
            drafts: bool_param(query, "drafts")?,
            campaign: id("campaign_id")?,
            newsletter: id("newsletter_id")?,
            action: id("action_id")?,
            from: int_param(query, "start_ts")?,
            to: int_param(query, "end_ts")?,
        })
    }

    fn keeps(&self, message: &Value) -> bool {
        let created = message["created"].as_i64().unwrap_or(0);
        let id_is = |key: &str, want: Option<u64>| want.is_none_or(|w| message[key] == json!(w));
        self.kind.as_deref().is_none_or(|k| message["type"] == k)
            && self
                .metric
                .as_deref()
                .is_none_or(|m| message["metrics"].get(m).is_some())
            && id_is("campaign_id", self.campaign)
            && id_is("newsletter_id", self.newsletter)
            && id_is("action_id", self.action)
            && self.from.is_none_or(|f| created >= f)
            && self.to.is_none_or(|t| created <= t)
    }

    /// Whether a generated parent can have matching deliveries at all.
    fn source(&self, (family, parent): (Family, u64)) -> bool {
        let wanted = |want: Option<u64>, of: &[Family]| {
            want.is_none_or(|w| of.contains(&family) && parent == w)
        };
        wanted(self.campaign, &[Family::Campaign])
            && wanted(self.newsletter, &[Family::Newsletter])
            && wanted(
                self.action.map(|a| a / 10),
                &[Family::Campaign, Family::Broadcast],
            )
    }

    fn generated_possible(&self) -> bool {
        !self.drafts
            && self
                .kind
                .as_deref()
                .is_none_or(|k| GENERATED_TYPES.contains(&k))
            && self
                .metric
                .as_deref()
                .is_none_or(|m| ["sent", "delivered", "opened", "clicked"].contains(&m))
    }
}

/// `GET /v1/messages`.
pub(crate) fn messages(site: &SiteData, query: Option<&str>) -> Out<Value> {
    let filters = Filters::read(query)?;
    let limit = fixtures::limit(query, DEFAULT_LIMIT)?;
    let mut position = people::start(query)?;
    let sends: Vec<Value> = if filters.drafts {
        Vec::new()
    } else {
        site.transactional
            .iter()
            .rev()
            .map(|send| transactional_message(site, send))
            .collect()
    };
    let sources: Vec<(Family, u64)> = if filters.generated_possible() {
        records::delivery_sources(site)
            .into_iter()
            .filter(|s| filters.source(*s))
            .collect()
    } else {
        Vec::new()
    };
    // Generated deliveries are created at the same times for every parent: index i of every
    // source, then index i + 1. The time range picks a range of indexes.
    let first_index = filters.to.map_or(0, |to| {
        (0..DELIVERIES)
            .find(|&i| records::delivery_created(i) <= to)
            .unwrap_or(DELIVERIES)
    });
    let end_index = filters.from.map_or(DELIVERIES, |from| {
        (0..DELIVERIES)
            .find(|&i| records::delivery_created(i) < from)
            .unwrap_or(DELIVERIES)
    });
    let total = sends.len() + sources.len() * DELIVERIES;
    let mut found = Vec::new();
    while position < total && found.len() < limit {
        let message = if position < sends.len() {
            Some(sends[position].clone())
        } else {
            let p = position - sends.len();
            let index = p / sources.len();
            if index < first_index {
                position = sends.len() + first_index * sources.len();
                continue;
            }
            if index >= end_index {
                position = total;
                break;
            }
            let (family, parent) = sources[p % sources.len()];
            Some(records::generated_delivery(family, parent, index))
        };
        position += 1;
        found.extend(message.filter(|m| filters.keeps(m)));
    }
    let next = if position < total && found.len() == limit {
        cursor(position)
    } else {
        String::new()
    };
    Ok(json!({"messages": found, "next": next}))
}

fn find_message(site: &SiteData, id: &str) -> Out<Value> {
    if let Some(send) = site.transactional.iter().find(|s| s["delivery_id"] == id) {
        return Ok(transactional_message(site, send));
    }
    if let Some(label) = site.deliveries.get(id) {
        return Ok(bare_message(site, id, label));
    }
    records::decode_delivery(site, id)
        .map(|(family, parent, index)| records::generated_delivery(family, parent, index))
        .ok_or_else(AppError::not_found)
}

/// `GET /v1/messages/{message_id}`.
pub(crate) fn message(site: &SiteData, id: &str) -> Out<Value> {
    Ok(json!({ "message": find_message(site, id)? }))
}

/// `GET /v1/messages/{message_id}/archived_message`: the content as it was sent.
pub(crate) fn archived(site: &SiteData, id: &str) -> Out<Value> {
    let message = find_message(site, id)?;
    let request = site
        .transactional
        .iter()
        .find(|s| s["delivery_id"] == id)
        .map(|s| s["request"].clone())
        .unwrap_or(Value::Null);
    let subject = message["subject"].as_str().unwrap_or("Hello").to_string();
    let text = |key: &str, default: &str| {
        request
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string()
    };
    let body = text("body", &format!("<p>{subject}</p>"));
    Ok(json!({"archived_message": {
        "id": message["id"],
        "type": message["type"],
        "created": message["created"],
        "subject": subject,
        "from": text("from", "Demo Team <hello@example.com>"),
        "reply_to": request.get("reply_to").cloned().unwrap_or(json!("")),
        "to": message["recipient"],
        "recipient": message["recipient"],
        "bcc": text("bcc", ""),
        "body": body,
        "body_amp": "",
        "body_plain": text("plaintext_body", &subject),
        // A JSON text, as the spec types it.
        "headers": match request.get("headers") {
            Some(Value::String(text)) => json!(text),
            Some(other) => json!(other.to_string()),
            None => json!("[]"),
        },
        "attachments": [],
        "forgotten": false,
    }}))
}

/// `GET /v1/customers/{id}/messages`: the person's transactional sends and known deliveries,
/// newest first, within `start_ts`..=`end_ts`.
pub(crate) fn person_messages(site: &SiteData, index: usize, query: Option<&str>) -> Out<Value> {
    let person = &site.people[index];
    let (from, to) = (int_param(query, "start_ts")?, int_param(query, "end_ts")?);
    let mine = |label: &String| IdKind::of(label).matches(person);
    let mut list: Vec<Value> = site
        .transactional
        .iter()
        .rev()
        .filter(|s| {
            let id = s["delivery_id"].as_str().unwrap_or_default();
            site.deliveries.get(id).is_some_and(mine)
        })
        .map(|s| transactional_message(site, s))
        .collect();
    list.extend(
        site.deliveries
            .iter()
            .filter(|(id, label)| {
                mine(label) && !site.transactional.iter().any(|s| s["delivery_id"] == **id)
            })
            .map(|(id, label)| bare_message(site, id, label)),
    );
    list.retain(|m| {
        let created = m["created"].as_i64().unwrap_or(0);
        from.is_none_or(|f| created >= f) && to.is_none_or(|t| created <= t)
    });
    let (page, next) = page(list, query, DEFAULT_LIMIT)?;
    Ok(json!({"messages": page, "next": next}))
}

// ---- activities ------------------------------------------------------------------------------

/// A ULID-like id, fixed for the event's place in the workspace.
fn activity_id(index: usize) -> String {
    format!("01HZ{:022X}", index + 1)
}

fn activity(index: usize, event: &StoredEvent, person: Option<&Person>) -> Value {
    let url = (event.event_type == "page").then(|| event.name.clone());
    json!({
        "id": activity_id(index),
        "type": event.event_type,
        "timestamp": event.timestamp.unwrap_or(EPOCH),
        "customer_id": person.map_or_else(|| json!(event.person), |p| json!(p.id)),
        "customer_identifiers": person.map(identifiers),
        "delivery_id": null,
        "delivery_type": null,
        "name": event.name,
        "url": url,
        "data": event.data,
    })
}

/// Which person's events an activity list shows (the event, the person if they still exist).
type Who<'a> = dyn Fn(&StoredEvent, Option<&Person>) -> bool + 'a;

/// Which events an activity list shows: by `type`, `name` and `deleted` (only events of people
/// that no longer exist), newest first.
fn activity_list(site: &SiteData, query: Option<&str>, who: Option<&Who<'_>>) -> Out<Value> {
    let kind = query_param(query, "type").filter(|t| !t.is_empty());
    let name = query_param(query, "name").filter(|n| !n.is_empty());
    let deleted = bool_param(query, "deleted")?;
    let list: Vec<Value> = site
        .events
        .iter()
        .enumerate()
        .rev()
        .filter_map(|(i, event)| {
            let label = event.person.as_deref()?;
            let person = site.find(IdKind::of(label)).map(|p| &site.people[p]);
            let keep = person.is_some() != deleted
                && kind.as_deref().is_none_or(|k| event.event_type == k)
                && name.as_deref().is_none_or(|n| event.name == n)
                && who.is_none_or(|w| w(event, person));
            keep.then(|| activity(i, event, person))
        })
        .collect();
    let (page, next) = people::page_within(list, query, ACTIVITY_LIMIT, ACTIVITY_MAX)?;
    Ok(json!({"activities": page, "next": next}))
}

/// `GET /v1/activities`: `customer_id` (a `cio_` prefix for cio ids) read by `id_type`.
pub(crate) fn activities(site: &SiteData, query: Option<&str>) -> Out<Value> {
    let Some(customer) = query_param(query, "customer_id").filter(|c| !c.is_empty()) else {
        return activity_list(site, query, None);
    };
    let id_type = query_param(query, "id_type").unwrap_or_default();
    let kind = match customer.strip_prefix("cio_") {
        Some(cio) if id_type.is_empty() || id_type == "cio_id" => IdKind::Cio(cio),
        _ => people::id_kind(&id_type, &customer)?,
    };
    let who = |event: &StoredEvent, person: Option<&Person>| match person {
        Some(p) => kind.matches(p),
        // A deleted person is known only by the label their events carry.
        None => event.person.as_deref() == Some(kind.value()),
    };
    activity_list(site, query, Some(&who))
}

/// `GET /v1/customers/{id}/activities`.
pub(crate) fn person_activities(site: &SiteData, index: usize, query: Option<&str>) -> Out<Value> {
    let cio = site.people[index].cio_id.clone();
    let who =
        move |_: &StoredEvent, person: Option<&Person>| person.is_some_and(|p| p.cio_id == cio);
    activity_list(site, query, Some(&who))
}
