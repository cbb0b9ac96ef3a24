//! The records behind the App API's messaging reads, which the fixture table serves. Four
//! "families" — campaigns, broadcasts, newsletters and transactional templates — each have
//! children (actions of campaigns and broadcasts, contents of newsletters and transactional
//! templates, with translations), deliveries and metrics. Every value derives from ids, so a
//! record reads the same on every call and in every workspace; what a workspace changed (its
//! broadcasts, created or deleted newsletters, `PUT` edits) comes from its state.
//!
//! Ids: campaigns 1..=250; broadcasts 8, 15, 16; newsletters 1..=120 (created ones count on from
//! 121); transactional templates 1..=3. Each family has its own ids, as each has its own paths. A
//! child of parent `p` is `p * 10 + k`, `k` from 1 to 2 (campaigns: 2 + `p % 4`). Newsletters
//! have test groups 1 ("A") and 2 ("B"), group `g` showing content `p * 10 + g`; every child has
//! translations `de`, `es` and `fr` (another language is a 400, as the API answers).

use std::ops::RangeInclusive;

use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::check;
use crate::fixtures::Req;
use crate::state::SiteData;
use crate::util::{parse_id, unix_now, AppError};

/// An answer, or the App error that replaces it.
pub(crate) type Out<T> = Result<T, AppError>;

/// Generated timestamps count back from 2026-01-01T00:00:00Z.
pub(crate) const EPOCH: i64 = crate::broadcast::SEEDED_TRIGGER_TIME;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
pub(crate) const CAMPAIGN_IDS: RangeInclusive<u64> = 1..=250;
pub(crate) const NEWSLETTER_IDS: RangeInclusive<u64> = 1..=120;
/// Transactional templates: id, trigger name, name.
pub(crate) const TRANSACTIONAL: [(u64, &str, &str); 3] = [
    (1, "welcome", "Welcome email"),
    (2, "password_reset", "Password reset"),
    (3, "receipt", "Order receipt"),
];
/// The translations every action and content has besides its default language.
pub(crate) const LANGUAGES: [&str; 3] = ["de", "es", "fr"];
/// Test group ids with their names; a path may name a group either way. Groups added by
/// `POST …/test_groups` go on as 3 ("C"), 4 ("D"), ….
const TEST_GROUPS: [(u64, &str); 2] = [(1, "A"), (2, "B")];

/// The number of the test group a path names by number or letter ("2" or "B").
pub(crate) fn test_group_number(value: &str) -> Option<u64> {
    if let Some(n) = parse_id(value).filter(|n| (1..=9).contains(n)) {
        return Some(n);
    }
    match value.as_bytes() {
        [c] if c.is_ascii_alphabetic() && (c.to_ascii_uppercase() - b'A') < 9 => {
            Some(u64::from(c.to_ascii_uppercase() - b'A') + 1)
        }
        _ => None,
    }
}
/// Deliveries of each campaign, broadcast, newsletter or template (`/messages`).
pub(crate) const DELIVERIES: usize = 1_200;
const SENDER_IDS: RangeInclusive<u64> = 1..=6;
const ACTION_TYPES: [&str; 5] = ["email", "push", "twilio", "webhook", "in_app"];

/// Records of a list, made on demand so a page of a long list costs only its own records.
pub(crate) struct List<'a> {
    pub(crate) len: usize,
    pub(crate) item: Box<dyn Fn(usize) -> Value + 'a>,
}

impl<'a> List<'a> {
    fn new(len: usize, item: impl Fn(usize) -> Value + 'a) -> List<'a> {
        List {
            len,
            item: Box::new(item),
        }
    }

    fn of(ids: Vec<u64>, record: impl Fn(u64) -> Value + 'a) -> List<'a> {
        List::new(ids.len(), move |i| record(ids[i]))
    }
}

fn bad(detail: &str) -> AppError {
    AppError::bad_request(detail)
}

fn pick<T: Copy>(list: &[T], n: u64) -> T {
    list[(n % list.len() as u64) as usize]
}

/// A timestamp `n` steps of `step` seconds before [`EPOCH`].
fn before(n: u64, step: i64) -> i64 {
    EPOCH - i64::try_from(n).unwrap_or(0) * step
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    Campaign,
    Broadcast,
    Newsletter,
    Transactional,
}

impl Family {
    /// The family of an App path's collection segment.
    fn of(collection: &str) -> Option<Family> {
        Some(match collection {
            "campaigns" => Family::Campaign,
            "broadcasts" => Family::Broadcast,
            "newsletters" => Family::Newsletter,
            "transactional" => Family::Transactional,
            _ => return None,
        })
    }

    /// The field children and deliveries name their parent by.
    fn key(self) -> &'static str {
        match self {
            Family::Campaign => "campaign_id",
            Family::Broadcast => "broadcast_id",
            Family::Newsletter => "newsletter_id",
            Family::Transactional => "transactional_message_id",
        }
    }

    /// The field deliveries name the child by.
    fn child_key(self) -> &'static str {
        match self {
            Family::Campaign | Family::Broadcast => "action_id",
            Family::Newsletter | Family::Transactional => "content_id",
        }
    }

    pub(crate) fn children(self, parent: u64) -> impl Iterator<Item = u64> {
        let count = match self {
            Family::Campaign => 2 + parent % 4,
            _ => 2,
        };
        (1..=count).map(move |k| parent * 10 + k)
    }

    fn child_type(self, child: u64) -> &'static str {
        match self {
            Family::Campaign | Family::Broadcast => pick(&ACTION_TYPES, child),
            Family::Newsletter | Family::Transactional => "email",
        }
    }

    /// Every id of the family in the workspace, ascending.
    fn ids(self, site: &SiteData) -> Vec<u64> {
        match self {
            Family::Campaign => CAMPAIGN_IDS.collect(),
            Family::Broadcast => site.broadcasts.names.keys().copied().collect(),
            Family::Newsletter => site.newsletters.ids(),
            Family::Transactional => TRANSACTIONAL.iter().map(|t| t.0).collect(),
        }
    }

    fn record(self, site: &SiteData, id: u64) -> Option<Value> {
        match self {
            Family::Campaign => CAMPAIGN_IDS.contains(&id).then(|| campaign(id)),
            Family::Broadcast => site.broadcasts.names.get(&id).map(|n| broadcast(id, n)),
            Family::Newsletter => site.newsletters.get(id),
            Family::Transactional => transactional(id),
        }
    }

    /// `[{id, type}]` of the children, as parents list them. An SMS action is `twilio` in its
    /// own record and its deliveries but `sms` in its parent's list: the spec types it so in
    /// each place.
    fn refs(self, parent: u64) -> Vec<Value> {
        self.children(parent)
            .map(|id| match self.child_type(id) {
                "twilio" => json!({"id": id, "type": "sms"}),
                kind => json!({"id": id, "type": kind}),
            })
            .collect()
    }
}

/// What a path names below a family: the parent, a child (an action, a content or the content of
/// a test group) and a language, each checked against the workspace.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Target<'a> {
    family: Family,
    collection: &'a str,
    parent: u64,
    child: Option<u64>,
    language: Option<&'a str>,
}

impl Target<'_> {
    /// The child a path without one stands for: the first.
    fn child_or_first(&self) -> u64 {
        self.child.unwrap_or(self.parent * 10 + 1)
    }

    /// Where an edit of this record is kept.
    fn key(&self) -> String {
        let mut key = format!(
            "{}/{}/{}",
            self.collection,
            self.parent,
            self.child_or_first()
        );
        if let Some(language) = self.language {
            key.push('/');
            key.push_str(language);
        }
        key
    }

    /// Whether the record has a translation in `language`: a newsletter's as its writes left
    /// them, any other's [`LANGUAGES`].
    fn has_language(&self, site: &SiteData, language: &str) -> bool {
        if self.family != Family::Newsletter {
            return LANGUAGES.contains(&language);
        }
        let group = self.child.map_or(1, |c| c - self.parent * 10);
        site.newsletters
            .languages(self.parent, group)
            .iter()
            .any(|l| l == language)
    }

    fn seed(&self) -> u64 {
        self.parent * 1_009 + self.child.unwrap_or(0) % 1_009
    }
}

fn family(req: &Req<'_>) -> Out<Family> {
    req.segments
        .get(1)
        .copied()
        .and_then(Family::of)
        .ok_or_else(AppError::not_found)
}

/// The target of a request's path parameters: 404 unless each id names something that exists,
/// 400 for a language no child has.
pub(crate) fn target<'a>(req: &Req<'a>) -> Out<Target<'a>> {
    let family = family(req)?;
    let mut target = Target {
        family,
        collection: req.segments[1],
        parent: 0,
        child: None,
        language: None,
    };
    for &(name, value) in &req.params {
        let id = parse_id(value);
        let found = match name {
            "id" => id
                .filter(|id| family.record(req.site, *id).is_some())
                .map(|id| target.parent = id),
            "action_id" | "content_id" => id
                .filter(|id| family.children(target.parent).any(|c| c == *id))
                .map(|id| target.child = Some(id)),
            "test_group_id" => test_group_number(value)
                .filter(|g| *g <= req.site.newsletters.group_count(target.parent))
                .map(|g| target.child = Some(target.parent * 10 + g)),
            "language" if target.has_language(req.site, value) => {
                target.language = Some(value);
                Some(())
            }
            "language" => {
                let detail = format!("language {value:?} does not exist for this message");
                return Err(bad(&detail));
            }
            _ => Some(()),
        };
        if found.is_none() {
            return Err(AppError::not_found());
        }
    }
    Ok(target)
}

fn campaign(id: u64) -> Value {
    let n = id - CAMPAIGN_IDS.start();
    let created = before(CAMPAIGN_IDS.end() - id, DAY);
    let updated = created + i64::try_from(n % 24).unwrap_or(0) * HOUR;
    let kind = pick(&["segment", "event", "date", "webhook"], id);
    let draft = id.is_multiple_of(7);
    json!({
        "id": id,
        "deduplicate_id": format!("{id}:{updated}"),
        "name": format!("{} {}", pick(&["Onboarding", "Win-back", "Cart reminder", "Renewal", "Feedback"], id), n + 1),
        "type": kind,
        "created": created,
        "updated": updated,
        "active": !draft,
        "state": if draft { "draft" } else { "running" },
        "actions": Family::Campaign.refs(id),
        "msg_templates": Family::Campaign.refs(id),
        "first_started": json!(created + DAY),
        "created_by": "owner@example.com",
        "tags": [pick(&["lifecycle", "retention", "revenue"], id)],
        "trigger_segment_ids": if kind == "segment" { json!([3]) } else { json!([]) },
        "filter_segment_ids": if id.is_multiple_of(3) { json!([7]) } else { json!([]) },
        "frequency": "once",
        "date_attribute": if kind == "date" { json!("signed_up_at") } else { Value::Null },
        "event_name": if kind == "event" { json!("purchase") } else { Value::Null },
        "start_hour": id % 24,
        "start_minutes": (id * 5) % 60,
        "timezone": "UTC",
        "use_customer_timezone": id.is_multiple_of(2),
        "description": format!("Generated campaign {id}"),
        "webhook_id": if kind == "webhook" { json!(1) } else { Value::Null },
    })
}

pub(crate) fn broadcast(id: u64, name: &str) -> Value {
    let created = before(100 - id % 100, DAY);
    json!({
        "id": id,
        "deduplicate_id": format!("{id}:{created}"),
        "name": name,
        "type": "triggered_broadcast",
        "created": created,
        "updated": created,
        "active": true,
        "state": "running",
        "actions": Family::Broadcast.refs(id),
        "msg_template_ids": Family::Broadcast.refs(id),
        "first_started": created + HOUR,
        "tags": [],
    })
}

/// A newsletter as generated (or as created, with `created` now); its contents follow its id.
pub(crate) fn newsletter(id: u64, name: &str, kind: &str, created: i64) -> Value {
    let sent = (!id.is_multiple_of(3) && created < EPOCH).then_some(created + DAY);
    let mut record = json!({
        "id": id,
        "deduplicate_id": format!("{id}:{created}"),
        "name": name,
        "type": kind,
        "content_ids": Family::Newsletter.children(id).collect::<Vec<_>>(),
        "sent_at": sent,
        "created": created,
        "updated": created,
        "tags": if id.is_multiple_of(4) { json!(["digest"]) } else { json!([]) },
        "recipient_segment_ids": [pick(&[3, 7], id)],
        "subscription_topic_id": if id.is_multiple_of(2) { json!(1) } else { Value::Null },
    });
    drop_nulls(&mut record, &["sent_at", "subscription_topic_id"]);
    record
}

/// A generated newsletter.
pub(crate) fn seeded_newsletter(id: u64) -> Value {
    let name = format!(
        "{} #{}",
        pick(&["Weekly digest", "Product news", "Monthly roundup"], id),
        id - NEWSLETTER_IDS.start() + 1
    );
    newsletter(
        id,
        &name,
        "email",
        before(NEWSLETTER_IDS.end() + 1 - id, DAY),
    )
}

fn transactional(id: u64) -> Option<Value> {
    let &(id, trigger, name) = TRANSACTIONAL.iter().find(|t| t.0 == id)?;
    let created = before(30 - id, DAY);
    Some(json!({
        "id": id,
        "name": name,
        "trigger_name": trigger,
        "description": format!("Sent by the application ({trigger})"),
        "send_to_unsubscribed": id != 3,
        "link_tracking": true,
        "open_tracking": true,
        "hide_message_body": false,
        "queue_drafts": false,
        "created_at": created,
        "updated_at": created + HOUR,
    }))
}

/// The template a transactional send names: its id (a number or digits) or its trigger name
/// (any case).
pub(crate) fn transactional_template(name_or_id: &str) -> Option<u64> {
    TRANSACTIONAL
        .iter()
        .find(|(id, trigger, _)| {
            parse_id(name_or_id) == Some(*id) || trigger.eq_ignore_ascii_case(name_or_id)
        })
        .map(|t| t.0)
}

/// An action or content as generated.
fn content_json(t: &Target<'_>) -> Value {
    let id = t.child_or_first();
    let kind = t.family.child_type(id);
    let created = before(id % 90 + 1, DAY);
    let updated = created + i64::try_from(id % 7).unwrap_or(0) * HOUR;
    let language = t.language.unwrap_or("");
    let greeting = match language {
        "de" => "Hallo",
        "es" => "Hola",
        "fr" => "Bonjour",
        _ => "Hello",
    };
    json!({
        "id": id,
        (t.family.key()): t.parent,
        "deduplicate_id": format!("{id}:{updated}"),
        "name": format!("{kind} {}", id % 10),
        "type": kind,
        "language": language,
        "layout": "<html><body>{{ content }}</body></html>",
        "subject": format!("{greeting} {{{{customer.first_name}}}}"),
        "preheader_text": "",
        "body": format!("<p>{greeting} {{{{customer.first_name}}}}, message {id}.</p>"),
        "body_amp": "",
        "from": "Demo Team <hello@example.com>",
        "from_id": 1,
        "reply_to": "",
        "reply_to_id": Value::Null,
        "recipient": "{{customer.email}}",
        "bcc": "",
        "cc": "",
        "fake_bcc": false,
        "preprocessor": "premailer",
        // A JSON text, as the spec has it ("A JSON string containing an array of header objects").
        "headers": "[]",
        "created": created,
        "updated": updated,
    })
}

/// An action or content as the workspace has it: generated, or as last edited.
fn content_of(site: &SiteData, t: &Target<'_>) -> Value {
    site.edits
        .get(&t.key())
        .cloned()
        .unwrap_or_else(|| content_json(t))
}

/// Delivery `i` (newest first) of the target.
fn delivery(t: &Target<'_>, i: usize) -> Value {
    let index = u64::try_from(i).unwrap_or(0);
    let children: Vec<u64> = t.family.children(t.parent).collect();
    let child = t.child.unwrap_or(children[i % children.len()]);
    let person = (t.parent * 7 + index) % 500 + 1;
    let created = before(index * 10 + 1, 60);
    let mut bytes = vec![t.family as u8 + 0xa0];
    bytes.extend((t.parent as u32).to_be_bytes());
    bytes.extend((index as u32).to_be_bytes());
    bytes.extend([0x5e, 0x9a]);
    let id = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut metrics = json!({"sent": created, "delivered": created + 4});
    if index.is_multiple_of(3) {
        metrics["opened"] = json!(created + 600);
    }
    if index.is_multiple_of(9) {
        metrics["clicked"] = json!(created + 660);
    }
    let mut record = json!({
        "id": id,
        "deduplicate_id": format!("{id}:{created}"),
        "customer_id": format!("user-{person}"),
        "customer_identifiers": {
            "id": format!("user-{person}"),
            "email": format!("user-{person}@example.com"),
            "cio_id": format!("{:08x}", 0x0400_0000 + person),
        },
        "recipient": format!("user-{person}@example.com"),
        "subject": format!("Message {child}"),
        "type": t.family.child_type(child),
        "created": created,
        "metrics": metrics,
        "failure_message": Value::Null,
        "forgotten": false,
        "parent_action_id": Value::Null,
        "trigger_event_id": Value::Null,
        "message_template_id": child,
        "campaign_id": Value::Null,
        "broadcast_id": Value::Null,
        "newsletter_id": Value::Null,
        "transactional_message_id": Value::Null,
        "action_id": Value::Null,
        "content_id": Value::Null,
    });
    record[t.family.key()] = json!(t.parent);
    record[t.family.child_key()] = json!(child);
    drop_nulls(&mut record, DELIVERY_INTEGERS);
    record
}

/// Keys of a delivery the spec types as integers: left out when they do not apply, not `null`.
pub(crate) const DELIVERY_INTEGERS: &[&str] = &["parent_action_id", "action_id", "content_id"];

/// Removes `keys` from the object where they are `null`: the spec types them without `null`.
pub(crate) fn drop_nulls(record: &mut Value, keys: &[&str]) {
    if let Value::Object(map) = record {
        map.retain(|k, v| !(v.is_null() && keys.contains(&k.as_str())));
    }
}

/// Funnel-shaped series: each name scales the same base curve by its percentage.
fn series(seed: u64, names: &[(&str, u64)], steps: usize) -> Value {
    let base: Vec<u64> = (0..steps as u64)
        .map(|j| 40 + (seed.wrapping_mul(31) + j * 17) % 60)
        .collect();
    let map: Map<String, Value> = names
        .iter()
        .map(|&(name, percent)| {
            let values: Vec<u64> = base.iter().map(|b| b * percent / 100).collect();
            (name.to_string(), json!(values))
        })
        .collect();
    Value::Object(map)
}

/// `period` (hours|days|weeks|months, default days) and `steps` (default and at most 24, 45, 12,
/// and 12 of at most 121 months).
fn steps(req: &Req<'_>) -> Out<usize> {
    let period = req.query("period").unwrap_or_else(|| "days".to_string());
    let (default, max) = match period.as_str() {
        "hours" => (24, 24),
        "days" => (45, 45),
        "weeks" => (12, 12),
        "months" => (12, 121),
        other => {
            return Err(bad(&format!(
                "period must be one of hours, days, weeks, months, not {other:?}"
            )))
        }
    };
    match req.query("steps").filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n.min(max)),
            _ => Err(bad(&format!(
                "steps must be a positive integer, not {text:?}"
            ))),
        },
    }
}

/// `…/metrics`: `{"metric": {"series": {sent, delivered, opened, clicked}}}`.
pub(crate) fn metrics(req: &Req<'_>) -> Out<Value> {
    let t = target(req)?;
    let names = [
        ("sent", 100),
        ("delivered", 96),
        ("opened", 41),
        ("clicked", 9),
    ];
    Ok(json!({"metric": {"series": series(t.seed(), &names, steps(req)?)}}))
}

/// `…/metrics/links`: two tracked links, each with click series.
pub(crate) fn links(req: &Req<'_>) -> Out<Value> {
    let t = target(req)?;
    let steps = steps(req)?;
    let names = [
        ("clicked", 20),
        ("human_clicked", 16),
        ("machine_clicked", 4),
    ];
    let links: Vec<Value> = (1..=2)
        .map(|k| {
            json!({
                "link": {
                    "id": t.seed() * 10 + k,
                    "href": format!("https://example.com/{}/{}/link-{k}", t.collection, t.parent),
                },
                "metric": {"series": series(t.seed() + k, &names, steps)},
            })
        })
        .collect();
    Ok(json!({ "links": links }))
}

/// `/v1/campaigns/{id}/journey_metrics`: `start`, `end` (unix seconds) and `resolution` (or
/// `res`: hourly, daily, weekly, monthly, or hours, days, weeks, months) are required.
pub(crate) fn journey(req: &Req<'_>) -> Out<Value> {
    let t = target(req)?;
    let time = |name: &str| {
        req.query(name)
            .and_then(|v| v.parse::<i64>().ok())
            .ok_or_else(|| bad(&format!("{name} is required: a unix timestamp")))
    };
    let (start, end) = (time("start")?, time("end")?);
    let resolution = req.query("resolution").or_else(|| req.query("res"));
    let (name, seconds) = match resolution.as_deref() {
        Some("hourly" | "hours") => ("hourly", HOUR),
        Some("daily" | "days") => ("daily", DAY),
        Some("weekly" | "weeks") => ("weekly", 7 * DAY),
        Some("monthly" | "months") => ("monthly", 30 * DAY),
        _ => {
            return Err(bad(
                "resolution is required: hourly, daily, weekly or monthly",
            ))
        }
    };
    if end <= start {
        return Err(bad("end must be after start"));
    }
    let buckets = usize::try_from((end - start + seconds - 1) / seconds)
        .unwrap_or(usize::MAX)
        .min(1_000);
    let names = [
        ("triggered", 100),
        ("messaged", 85),
        ("converted", 12),
        ("exited_early", 6),
    ];
    Ok(json!({"journey_metrics": {
        "start": start,
        "end": end,
        "resolution": name,
        "series": series(t.seed(), &names, buckets),
    }}))
}

/// `GET /v1/{family}`.
pub(crate) fn family_list<'a>(req: &Req<'a>) -> Out<List<'a>> {
    let family = family(req)?;
    let site = req.site;
    let ids = family.ids(site);
    Ok(List::of(ids, move |id| {
        family.record(site, id).unwrap_or_default()
    }))
}

/// `GET /v1/{family}/{id}`.
pub(crate) fn family_record(req: &Req<'_>) -> Out<Value> {
    let t = target(req)?;
    t.family
        .record(req.site, t.parent)
        .ok_or_else(AppError::not_found)
}

/// Actions of a campaign or broadcast, contents of a newsletter or template.
pub(crate) fn children<'a>(req: &Req<'a>) -> Out<List<'a>> {
    let t = target(req)?;
    let site = req.site;
    Ok(List::of(t.family.children(t.parent).collect(), move |id| {
        content_of(
            site,
            &Target {
                child: Some(id),
                ..t
            },
        )
    }))
}

/// One action or content, in a language or of a test group if the path says so.
pub(crate) fn content(req: &Req<'_>) -> Out<Value> {
    Ok(content_of(req.site, &target(req)?))
}

pub(crate) fn test_groups<'a>(req: &Req<'a>) -> Out<List<'a>> {
    let t = target(req)?;
    let count = req.site.newsletters.group_count(t.parent);
    Ok(List::new(count as usize, move |i| {
        let group = i as u64 + 1;
        let name = TEST_GROUPS.iter().find(|(g, _)| *g == group).map_or_else(
            || char::from(b'A' + i as u8).to_string(),
            |(_, n)| n.to_string(),
        );
        json!({
            "id": group,
            "name": name,
            "label": format!("test {group}"),
            "winner": false,
            // Strings here, as the spec has them (a newsletter's own content_ids are integers).
            "content_ids": [(t.parent * 10 + group).to_string()],
        })
    }))
}

/// `…/messages`: [`DELIVERIES`] deliveries, newest first.
pub(crate) fn deliveries<'a>(req: &Req<'a>) -> Out<List<'a>> {
    let t = target(req)?;
    Ok(List::new(DELIVERIES, move |i| delivery(&t, i)))
}

fn sender(id: u64) -> Value {
    let phone = id > 4;
    let local = pick(&["hello", "support", "billing", "news"], id);
    let mut record = json!({
        "id": id,
        "deduplicate_id": format!("{id}:{EPOCH}"),
        "name": if phone { format!("SMS sender {id}") } else { format!("Demo {local}") },
        "email": if phone { Value::Null } else { json!(format!("{local}@example.com")) },
        "address": if phone { Value::Null } else { json!(format!("Demo {local} <{local}@example.com>")) },
        "template_type": if phone { "phone" } else { "email" },
        "auto_generated": id == 1,
        "phone": if phone { json!(format!("+1555010000{id}")) } else { Value::Null },
        "hidden": false,
    });
    // An SMS sender has no email address: the keys are absent, not null (the spec types them
    // as strings).
    drop_nulls(&mut record, &["email", "address"]);
    record
}

pub(crate) fn sender_identities<'a>(_: &Req<'a>) -> Out<List<'a>> {
    Ok(List::of(SENDER_IDS.collect(), sender))
}

pub(crate) fn sender_identity(req: &Req<'_>) -> Out<Value> {
    req.param("sender_id")
        .and_then(parse_id)
        .filter(|id| SENDER_IDS.contains(id))
        .map(sender)
        .ok_or_else(AppError::not_found)
}

/// A `PUT` of an action or content: `base` with the body's fields, except those that name the
/// record (`id`, its parent's id, `language`, `created`); returns where the edit is kept.
pub(crate) fn edit(req: &Req<'_>, base: Value, body: &[u8]) -> Out<(String, Value)> {
    let t = target(req)?;
    let fields = check::parse_body(body, false)?;
    let Value::Object(mut record) = base else {
        return Err(AppError::not_found());
    };
    let fixed = ["id", "language", "created", t.family.key()];
    record.extend(
        fields
            .into_iter()
            .filter(|(k, _)| !fixed.contains(&k.as_str())),
    );
    let now = unix_now();
    record.insert("updated".into(), json!(now));
    record.insert(
        "deduplicate_id".into(),
        json!(format!("{}:{now}", t.child_or_first())),
    );
    Ok((t.key(), Value::Object(record)))
}

// The people half (deliveries.rs, segments.rs) reads the generated records through these.

/// A generated campaign.
pub(crate) fn campaign_record(id: u64) -> Value {
    campaign(id)
}

/// Every family parent whose deliveries `GET /v1/messages` lists, in a fixed order.
pub(crate) fn delivery_sources(site: &SiteData) -> Vec<(Family, u64)> {
    let families = [
        Family::Campaign,
        Family::Broadcast,
        Family::Newsletter,
        Family::Transactional,
    ];
    families
        .into_iter()
        .flat_map(|f| f.ids(site).into_iter().map(move |id| (f, id)))
        .collect()
}

/// When generated delivery `index` (newest first) of any parent was created.
pub(crate) fn delivery_created(index: usize) -> i64 {
    before(u64::try_from(index).unwrap_or(u64::MAX) * 10 + 1, 60)
}

/// Generated delivery `index` of a parent, as its `…/messages` lists it.
pub(crate) fn generated_delivery(family: Family, parent: u64, index: usize) -> Value {
    let t = Target {
        family,
        collection: "",
        parent,
        child: None,
        language: None,
    };
    delivery(&t, index)
}

/// The parent and index a generated delivery id stands for, if it names one of the workspace.
pub(crate) fn decode_delivery(site: &SiteData, id: &str) -> Option<(Family, u64, usize)> {
    let bytes = crate::util::STANDARD_LENIENT.decode(id).ok()?;
    if bytes.len() != 11 || bytes[9..] != [0x5e, 0x9a] {
        return None;
    }
    let family = match bytes[0].wrapping_sub(0xa0) {
        0 => Family::Campaign,
        1 => Family::Broadcast,
        2 => Family::Newsletter,
        3 => Family::Transactional,
        _ => return None,
    };
    let parent = u64::from(u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]));
    let index = u32::from_be_bytes([bytes[5], bytes[6], bytes[7], bytes[8]]) as usize;
    let known = family.record(site, parent).is_some() && index < DELIVERIES;
    known.then_some((family, parent, index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_and_trigger_names() {
        assert_eq!(
            Family::Campaign.children(101).collect::<Vec<_>>(),
            [1011, 1012, 1013]
        );
        assert_eq!(Family::Campaign.children(103).count(), 5);
        assert_eq!(Family::Campaign.children(104).count(), 2);
        assert_eq!(Family::Broadcast.children(8).collect::<Vec<_>>(), [81, 82]);
        assert_eq!(transactional_template("Password_Reset"), Some(2));
        assert_eq!(transactional_template("3"), Some(3));
        assert_eq!(transactional_template("4"), None);
        assert_eq!(transactional_template("nope"), None);
    }

    #[test]
    fn series_follow_the_funnel() {
        let s = series(7, &[("sent", 100), ("opened", 41)], 5);
        let sent = s["sent"].as_array().unwrap();
        assert_eq!(sent.len(), 5);
        for (a, b) in sent.iter().zip(s["opened"].as_array().unwrap()) {
            assert!(a.as_u64() >= b.as_u64());
        }
    }
}
