//! Segments (App API §6.8) over the workspace's segment state, which Track's `add_customers` and
//! `remove_customers` change: list, create (always manual), get, delete, the customer count, the
//! membership (cursor paged) and what uses a segment. Every workspace starts with manual segment
//! 7 ("VIP customers") and data-driven segment 3 ("Active users"); created ones count on from 8.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use crate::check::{self, Obj};
use crate::people;
use crate::records::{self, Out};
use crate::state::{Segment, SiteData};
use crate::util::{no_content, not_found, parse_id, respond, unix_now, AppError};

/// Membership pages hold this many people when `limit` is absent, and at most `MEMBERSHIP_MAX`.
const MEMBERSHIP_LIMIT: usize = 1_000;
const MEMBERSHIP_MAX: usize = 30_000;
/// The longest segment name, in characters.
const MAX_NAME: usize = 255;

pub(crate) fn route(
    site: &mut SiteData,
    method: &str,
    segments: &[&str],
    query: Option<&str>,
    body: &[u8],
) -> Option<Response> {
    Some(match (method, segments) {
        ("GET", ["v1", "segments"]) => {
            let list: Vec<Value> = site
                .segments
                .iter()
                .map(|(id, s)| segment_json(*id, s))
                .collect();
            respond(Ok(json!({ "segments": list })))
        }
        ("POST", ["v1", "segments"]) => respond(create(site, body)),
        ("GET", ["v1", "segments", id]) => {
            respond(find(site, id).map(|(id, s)| json!({ "segment": segment_json(id, s) })))
        }
        ("DELETE", ["v1", "segments", id]) => match parse_id(id) {
            Some(id) if site.segments.remove(&id).is_some() => no_content(),
            _ => not_found(),
        },
        ("GET", ["v1", "segments", id, "customer_count"]) => respond(
            find(site, id)
                .map(|(id, s)| json!({"segment_id": id, "count": members(site, s).len()})),
        ),
        ("GET", ["v1", "segments", id, "membership"]) => respond(membership(site, id, query)),
        ("GET", ["v1", "segments", id, "used_by"]) => {
            respond(find(site, id).map(|(id, _)| used_by(site, id)))
        }
        _ => return None,
    })
}

fn find<'a>(site: &'a SiteData, id: &str) -> Out<(u64, &'a Segment)> {
    parse_id(id)
        .and_then(|id| site.segments.get(&id).map(|s| (id, s)))
        .ok_or_else(AppError::not_found)
}

/// `…/membership`: paged by `start` and `limit` (default 1000, at most 30000); `ids` and
/// `identifiers` are `null` for an empty segment, as the live API answers.
fn membership(site: &SiteData, id: &str, query: Option<&str>) -> Out<Value> {
    let (id, segment) = find(site, id)?;
    let (page, next) = people::page_within(
        members(site, segment),
        query,
        MEMBERSHIP_LIMIT,
        MEMBERSHIP_MAX,
    )?;
    let mut answer = people::identifiers_json(site, page, next, true)?;
    answer["segment_id"] = json!(id);
    Ok(answer)
}

/// The members as people indexes, in creation order of the people.
fn members(site: &SiteData, segment: &Segment) -> Vec<usize> {
    (0..site.people.len())
        .filter(|&i| segment.members.contains(&site.people[i].cio_id))
        .collect()
}

/// The segment object (TRACK-OAS `segmentResponseObject`).
pub(crate) fn segment_json(id: u64, segment: &Segment) -> Value {
    json!({
        "id": id,
        "deduplicate_id": format!("{id}:{}", segment.created_at),
        "name": segment.name,
        "description": segment.description,
        "state": "finished",
        "progress": null,
        "type": if segment.manual { "manual" } else { "dynamic" },
        "tags": null,
        "created_at": segment.created_at,
        "updated_at": segment.created_at,
    })
}

/// `POST /v1/segments`: `{"segment": {"name"*, "description"}}` makes a manual segment.
fn create(site: &mut SiteData, body: &[u8]) -> Out<Value> {
    let fields = check::parse_body(body, false)?;
    let segment = Obj::root(&fields).req_obj("segment")?;
    let name = segment.req_str("name")?;
    if name.trim().is_empty() {
        return Err(AppError::at(
            StatusCode::BAD_REQUEST,
            "segment.name must not be blank",
            "/segment/name",
        ));
    }
    if name.chars().count() > MAX_NAME {
        return Err(AppError::at(
            StatusCode::BAD_REQUEST,
            format!("segment.name is longer than {MAX_NAME} characters"),
            "/segment/name",
        ));
    }
    let description = segment.opt_str("description")?.unwrap_or("").to_string();
    let app = &mut site.people_app;
    let used = site.segments.keys().next_back().copied().unwrap_or(0);
    let id = app.next_segment.max(used + 1);
    app.next_segment = id + 1;
    let created = Segment {
        name: name.to_string(),
        manual: true,
        members: BTreeSet::new(),
        description,
        created_at: unix_now(),
    };
    let answer = json!({ "segment": segment_json(id, &created) });
    site.segments.insert(id, created);
    Ok(answer)
}

/// `…/used_by`: `{"segment_id", "used_by": {"campaigns", "sent_newsletters",
/// "draft_newsletters"}}`, ids of what triggers on or filters by the segment or sends to it.
fn used_by(site: &SiteData, id: u64) -> Value {
    let names = |record: &Value, keys: &[&str]| {
        keys.iter().any(|k| {
            record[*k]
                .as_array()
                .is_some_and(|ids| ids.iter().any(|v| v.as_u64() == Some(id)))
        })
    };
    let campaigns: Vec<u64> = records::CAMPAIGN_IDS
        .filter(|&c| {
            names(
                &records::campaign_record(c),
                &["trigger_segment_ids", "filter_segment_ids"],
            )
        })
        .collect();
    let (mut sent, mut draft) = (Vec::new(), Vec::new());
    for n in site.newsletters.ids() {
        let Some(record) = site.newsletters.get(n) else {
            continue;
        };
        if names(&record, &["recipient_segment_ids"]) {
            if record["sent_at"].is_null() {
                draft.push(n);
            } else {
                sent.push(n);
            }
        }
    }
    json!({"segment_id": id, "used_by": {
        "campaigns": campaigns,
        "sent_newsletters": sent,
        "draft_newsletters": draft,
    }})
}
