//! Workspace settings with state: reporting webhooks (CRUD), ESP suppressions (lists by type and
//! by sending domain, add, remove, search), sender-identity usage and subscription channels.
//!
//! Seeds: reporting webhooks 1–3 (as the fixtures had them); ESP bounces `bounced@example.com`
//! and `gone@example.com` on sending domain `mail.example.com`, the other types empty; sender 1
//! is used by campaigns 1–3, sent newsletters 1–2 and draft newsletter 3 (other senders by none).

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use crate::check::{Invalid, Obj};
use crate::content::{body_object, missing, ok, opt_bool, reject_unknown, Content};
use crate::fixtures::{cursor, cursor_offset};
use crate::records::{Out, EPOCH};
use crate::util::{no_content, parse_id, query_param, unix_now, AppError};

/// The ESP suppression lists.
pub(crate) const SUPPRESSION_TYPES: [&str; 4] =
    ["blocks", "bounces", "spam_reports", "invalid_emails"];
/// The sending domain seeded suppressions and added ones are on.
pub(crate) const SENDING_DOMAIN: &str = "mail.example.com";
const SENDER_IDS: std::ops::RangeInclusive<u64> = 1..=6;

/// The events a reporting webhook may subscribe to.
const WEBHOOK_EVENTS: &[&str] = &[
    "customer_subscribed",
    "customer_unsubscribed",
    "customer_subscription_preferences_changed",
    "email_drafted",
    "email_attempted",
    "email_sent",
    "email_delivered",
    "email_opened",
    "email_clicked",
    "email_converted",
    "email_bounced",
    "email_dropped",
    "email_deferred",
    "email_spammed",
    "email_failed",
    "email_unsubscribed",
    "email_undeliverable",
    "in_app_drafted",
    "in_app_attempted",
    "in_app_sent",
    "in_app_opened",
    "in_app_clicked",
    "in_app_converted",
    "in_app_failed",
    "in_app_undeliverable",
    "push_drafted",
    "push_attempted",
    "push_sent",
    "push_delivered",
    "push_opened",
    "push_clicked",
    "push_converted",
    "push_bounced",
    "push_dropped",
    "push_failed",
    "push_undeliverable",
    "slack_drafted",
    "slack_attempted",
    "slack_sent",
    "slack_clicked",
    "slack_converted",
    "slack_failed",
    "sms_drafted",
    "sms_attempted",
    "sms_sent",
    "sms_delivered",
    "sms_clicked",
    "sms_converted",
    "sms_bounced",
    "sms_dropped",
    "sms_failed",
    "sms_undeliverable",
    "sms_replied",
    "whatsapp_drafted",
    "whatsapp_attempted",
    "whatsapp_sent",
    "whatsapp_delivered",
    "whatsapp_opened",
    "whatsapp_clicked",
    "whatsapp_converted",
    "whatsapp_bounced",
    "whatsapp_dropped",
    "whatsapp_failed",
    "whatsapp_undeliverable",
    "whatsapp_replied",
    "webhook_drafted",
    "webhook_attempted",
    "webhook_sent",
    "webhook_clicked",
    "webhook_converted",
    "webhook_failed",
    "webhook_undeliverable",
];

/// One ESP-suppressed address.
#[derive(Clone, Debug)]
pub(crate) struct Suppression {
    pub(crate) kind: &'static str,
    pub(crate) email: String,
    pub(crate) domain: String,
    pub(crate) created: i64,
    pub(crate) reason: String,
    pub(crate) status: String,
}

impl Suppression {
    fn to_json(&self) -> Value {
        json!({"created": self.created, "email": self.email, "reason": self.reason, "status": self.status})
    }
}

#[derive(Debug)]
pub(crate) struct Settings {
    /// Reporting webhooks by id, ascending.
    pub(crate) webhooks: Vec<Value>,
    next_webhook: u64,
    /// ESP suppressions in the order they were added.
    pub(crate) suppressions: Vec<Suppression>,
}

impl Default for Settings {
    fn default() -> Self {
        let seeded: [(u64, &[&str]); 3] = [
            (1, &["sms_sent", "sms_delivered", "push_sent"]),
            (2, &["email_sent", "email_opened"]),
            (3, &["customer_subscribed"]),
        ];
        let webhooks = seeded
            .iter()
            .map(|&(id, events)| {
                json!({
                    "id": id,
                    "name": format!("Webhook {id}"),
                    "endpoint": format!("https://hooks.example.com/customerio/{id}"),
                    "events": events,
                    "type": "webhook",
                    "disabled": id == 3,
                    "full_resolution": id == 1,
                    "with_content": id != 2,
                })
            })
            .collect();
        let bounce = |email: &str, created: i64, reason: &str| Suppression {
            kind: "bounces",
            email: email.to_string(),
            domain: SENDING_DOMAIN.to_string(),
            created,
            reason: reason.to_string(),
            status: "550".to_string(),
        };
        Settings {
            webhooks,
            next_webhook: 4,
            suppressions: vec![
                bounce("bounced@example.com", EPOCH, "mailbox does not exist"),
                bounce("gone@example.com", EPOCH + 86_400, "domain not found"),
            ],
        }
    }
}

pub(crate) fn serve(
    content: &mut Content,
    method: &str,
    segments: &[&str],
    query: Option<&str>,
    body: &[u8],
) -> Out<Response> {
    let settings = &mut content.settings;
    match (method, segments) {
        ("GET", ["v1", "reporting_webhooks"]) => {
            Ok(ok(json!({"reporting_webhooks": settings.webhooks})))
        }
        ("POST", ["v1", "reporting_webhooks"]) => create_webhook(settings, body).map(ok),
        ("GET", ["v1", "reporting_webhooks", id]) => {
            let index = webhook_index(settings, id)?;
            Ok(ok(settings.webhooks[index].clone()))
        }
        ("PUT", ["v1", "reporting_webhooks", id]) => update_webhook(settings, id, body).map(ok),
        ("DELETE", ["v1", "reporting_webhooks", id]) => {
            let index = webhook_index(settings, id)?;
            settings.webhooks.remove(index);
            Ok(empty_ok())
        }
        ("GET", ["v1", "esp", "suppression", kind]) => by_type(settings, kind, query).map(ok),
        ("GET", ["v1", "esp", "domains", domain, "suppression", kind]) => {
            by_domain(settings, domain, kind, query).map(ok)
        }
        ("POST", ["v1", "esp", "suppression", kind, email]) => {
            suppress(settings, kind, email).map(ok)
        }
        ("DELETE", ["v1", "esp", "suppression", kind, email]) => {
            let kind = suppression_type(kind)?;
            let email = address(email)?;
            settings
                .suppressions
                .retain(|s| !(s.kind == kind && s.email.eq_ignore_ascii_case(email)));
            Ok(no_content())
        }
        ("GET", ["v1", "esp", "search_suppression", email]) => {
            let email = address(email)?;
            let found: Vec<&Suppression> = settings
                .suppressions
                .iter()
                .filter(|s| s.email.eq_ignore_ascii_case(email))
                .collect();
            let items: Vec<Value> = found
                .iter()
                .map(|s| {
                    let mut item = s.to_json();
                    item["category"] = json!(s.kind);
                    item
                })
                .collect();
            // No category when the address is not suppressed: the spec's `category` is a string.
            let mut answer = json!({"suppressions": items});
            if let Some(s) = found.first() {
                answer["category"] = json!(s.kind);
            }
            Ok(ok(answer))
        }
        ("GET", ["v1", "sender_identities", id, "used_by"]) => used_by(id).map(ok),
        ("GET", ["v1", "subscription_channels"]) => Ok(ok(json!({"channels": [
            {"id": 1, "type": "email", "name": "Email", "description": "Email messages", "subscribed_by_default": true},
            {"id": 2, "type": "twilio", "name": "SMS", "description": "Text messages", "subscribed_by_default": false},
            {"id": 3, "type": "push", "name": "Push", "description": "Push notifications", "subscribed_by_default": true},
            {"id": 4, "type": "in_app", "name": "In-app", "description": "In-app messages", "subscribed_by_default": true},
        ]}))),
        _ => missing(),
    }
}

/// 200 with an empty body (a deleted reporting webhook).
fn empty_ok() -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::OK;
    response
}

fn webhook_index(settings: &Settings, id: &str) -> Out<usize> {
    parse_id(id)
        .and_then(|id| {
            settings
                .webhooks
                .iter()
                .position(|w| w["id"].as_u64() == Some(id))
        })
        .ok_or_else(AppError::not_found)
}

const WEBHOOK_FIELDS: &[&str] = &[
    "name",
    "endpoint",
    "events",
    "disabled",
    "full_resolution",
    "with_content",
    "id",
    "type",
];

/// Checks the writable fields present in `fields` and stores them over `record`.
fn apply_webhook(record: &mut Map<String, Value>, fields: &Map<String, Value>) -> Out<()> {
    reject_unknown(fields, WEBHOOK_FIELDS)?;
    let obj = Obj::root(fields);
    for key in ["name", "endpoint"] {
        if fields.contains_key(key) {
            record.insert(key.into(), json!(obj.req_str(key)?));
        }
    }
    if let Some(endpoint) = record.get("endpoint").and_then(Value::as_str) {
        if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
            let message = "endpoint must be an http(s) URL".to_string();
            return Err(Invalid::new("endpoint", "invalid", message).into());
        }
    }
    if fields.contains_key("events") {
        let events = obj.array("events", true)?;
        for (i, event) in events.iter().enumerate() {
            match event.as_str() {
                Some(name) if WEBHOOK_EVENTS.contains(&name) => {}
                _ => {
                    let field = format!("events[{i}]");
                    let message = format!("{field} is not a reporting webhook event: {event}");
                    return Err(Invalid::new(field, "invalid", message).into());
                }
            }
        }
        record.insert("events".into(), Value::Array(events.to_vec()));
    }
    for key in ["disabled", "full_resolution", "with_content"] {
        if let Some(flag) = opt_bool(fields, key)? {
            record.insert(key.into(), json!(flag));
        }
    }
    Ok(())
}

/// `POST /v1/reporting_webhooks`: `name`, `endpoint` and at least one of `events` are required.
fn create_webhook(settings: &mut Settings, body: &[u8]) -> Out<Value> {
    let fields = body_object(body)?;
    let obj = Obj::root(&fields);
    obj.req_str("name")?;
    obj.req_str("endpoint")?;
    obj.array("events", true)?;
    let mut record = Map::new();
    record.insert("id".into(), json!(settings.next_webhook));
    record.insert("type".into(), json!("webhook"));
    record.insert("disabled".into(), json!(false));
    record.insert("full_resolution".into(), json!(false));
    record.insert("with_content".into(), json!(false));
    apply_webhook(&mut record, &fields)?;
    settings.next_webhook += 1;
    let record = Value::Object(record);
    settings.webhooks.push(record.clone());
    Ok(record)
}

/// `PUT /v1/reporting_webhooks/{id}`: a full replacement, so `name`, `endpoint` and `events` are
/// required as on create; flags not sent keep their values.
fn update_webhook(settings: &mut Settings, id: &str, body: &[u8]) -> Out<Value> {
    let index = webhook_index(settings, id)?;
    let fields = body_object(body)?;
    let obj = Obj::root(&fields);
    obj.req_str("name")?;
    obj.req_str("endpoint")?;
    obj.array("events", true)?;
    let Value::Object(mut record) = settings.webhooks[index].clone() else {
        return missing();
    };
    apply_webhook(&mut record, &fields)?;
    let record = Value::Object(record);
    settings.webhooks[index] = record.clone();
    Ok(record)
}

fn suppression_type(kind: &str) -> Out<&'static str> {
    SUPPRESSION_TYPES
        .iter()
        .copied()
        .find(|t| *t == kind)
        .ok_or_else(|| {
            AppError::bad_request(format!(
                "suppression_type must be one of {}, not {kind:?}",
                SUPPRESSION_TYPES.join(", ")
            ))
        })
}

fn address(email: &str) -> Out<&str> {
    let valid = email
        .char_indices()
        .any(|(i, c)| c == '@' && i > 0 && i + 1 < email.len());
    if valid {
        Ok(email)
    } else {
        Err(AppError::bad_request(format!(
            "{email:?} is not an email address"
        )))
    }
}

/// A non-negative integer query parameter, `default` when absent.
fn number(query: Option<&str>, name: &str, default: usize) -> Out<usize> {
    match query_param(query, name).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(text) => text.parse::<usize>().map_err(|_| {
            AppError::bad_request(format!(
                "{name} must be a non-negative integer, not {text:?}"
            ))
        }),
    }
}

/// `limit`: default 100, at most 1000 served, at least 1.
fn suppression_limit(query: Option<&str>) -> Out<usize> {
    match number(query, "limit", 100)? {
        0 => Err(AppError::bad_request("limit must be at least 1")),
        n => Ok(n.min(1000)),
    }
}

/// The body of a page: `suppressions` is `null` when the page is empty, as the live API answers.
fn suppression_page(kind: &str, items: &[&Suppression]) -> Value {
    let list: Vec<Value> = items.iter().map(|s| s.to_json()).collect();
    let suppressions = if list.is_empty() {
        Value::Null
    } else {
        Value::Array(list)
    };
    json!({"category": kind, "suppressions": suppressions})
}

/// `GET /v1/esp/suppression/{type}`: `limit` (default 100, max 1000), `offset`, `domain`.
fn by_type(settings: &Settings, kind: &str, query: Option<&str>) -> Out<Value> {
    let kind = suppression_type(kind)?;
    let limit = suppression_limit(query)?;
    let offset = number(query, "offset", 0)?;
    let domain = query_param(query, "domain").filter(|d| !d.is_empty());
    let matching: Vec<&Suppression> = settings
        .suppressions
        .iter()
        .filter(|s| s.kind == kind)
        .filter(|s| {
            domain
                .as_deref()
                .is_none_or(|d| s.domain.eq_ignore_ascii_case(d))
        })
        .skip(offset)
        .take(limit)
        .collect();
    Ok(suppression_page(kind, &matching))
}

/// `GET /v1/esp/domains/{domain}/suppression/{type}`: `limit`, `start` cursor (`next` comes
/// back, `""` after the last page) and `email` (at most one result, no paging).
fn by_domain(settings: &Settings, domain: &str, kind: &str, query: Option<&str>) -> Out<Value> {
    let kind = suppression_type(kind)?;
    let limit = suppression_limit(query)?;
    let matching: Vec<&Suppression> = settings
        .suppressions
        .iter()
        .filter(|s| s.kind == kind && s.domain.eq_ignore_ascii_case(domain))
        .collect();
    if let Some(email) = query_param(query, "email").filter(|e| !e.is_empty()) {
        let one: Vec<&Suppression> = matching
            .into_iter()
            .filter(|s| s.email.eq_ignore_ascii_case(&email))
            .take(1)
            .collect();
        let mut page = suppression_page(kind, &one);
        page["next"] = json!("");
        return Ok(page);
    }
    let start = match query_param(query, "start").filter(|s| !s.is_empty()) {
        None => 0,
        Some(token) => cursor_offset(&token).ok_or_else(|| {
            AppError::bad_request(format!(
                "start {token:?} is not a cursor this list returned as next"
            ))
        })?,
    };
    let start = start.min(matching.len());
    let end = start.saturating_add(limit).min(matching.len());
    let mut page = suppression_page(kind, &matching[start..end]);
    page["next"] = json!(if end < matching.len() {
        cursor(end)
    } else {
        String::new()
    });
    Ok(page)
}

/// `POST /v1/esp/suppression/{type}/{email}`: 200 `{}`; suppressing again keeps one entry.
fn suppress(settings: &mut Settings, kind: &str, email: &str) -> Out<Value> {
    let kind = suppression_type(kind)?;
    let email = address(email)?;
    let exists = settings
        .suppressions
        .iter()
        .any(|s| s.kind == kind && s.email.eq_ignore_ascii_case(email));
    if !exists {
        settings.suppressions.push(Suppression {
            kind,
            email: email.to_string(),
            domain: SENDING_DOMAIN.to_string(),
            created: unix_now(),
            reason: "Uploaded manually via api.customer.io".to_string(),
            status: "550".to_string(),
        });
    }
    Ok(json!({}))
}

/// `GET /v1/sender_identities/{id}/used_by`: the lists at the top level (not under `used_by`
/// as for segments).
fn used_by(id: &str) -> Out<Value> {
    let id = parse_id(id)
        .filter(|id| SENDER_IDS.contains(id))
        .ok_or_else(AppError::not_found)?;
    let (campaigns, sent, draft): (&[u64], &[u64], &[u64]) = if id == 1 {
        (&[1, 2, 3], &[1, 2], &[3])
    } else {
        (&[], &[], &[])
    };
    Ok(json!({
        "campaigns": campaigns,
        "sent_newsletters": sent,
        "draft_newsletters": draft,
    }))
}
