//! Exports, imports and the data index (App API §6.10, §6.12). An export is `pending` with
//! `total: 0` when created and `done` (with its `total`) once the workspace's job delay has
//! passed — one second unless [`crate::Emulator::set_job_delay`] says otherwise; its download is
//! a 400 until then. An import walks `preprocessing` → `validated` → `importing` → `imported`
//! over the same delay. Times are measured with `Instant`, so they follow the emulator's clock.
//! The demo workspace starts with export 1 and import 1, both finished (see [`seed_demo`]).

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use crate::check::{self, Obj};
use crate::deliveries::METRICS;
use crate::records::{self, Out, DELIVERIES};
use crate::state::SiteData;
use crate::util::{no_content, parse_id, respond, unix_now, AppError};

/// An export or an import.
#[derive(Clone, Debug)]
pub(crate) struct Job {
    pub(crate) id: u64,
    /// `customers` or `deliveries` for exports; the import type for imports.
    pub(crate) kind: String,
    pub(crate) started: Instant,
    pub(crate) created_at: i64,
    /// What the job counts once it is done.
    pub(crate) total: usize,
    pub(crate) description: String,
    /// The request body, kept for the record.
    pub(crate) request: Map<String, Value>,
    /// Finished before the emulator started (a seeded job): done whatever the job delay.
    pub(crate) finished: bool,
}

impl Job {
    /// How far along the job is: 0.0 at creation, 1.0 (or more) when done.
    fn progress(&self, delay: Option<Duration>) -> f64 {
        if self.finished {
            return 1.0;
        }
        match delay {
            None => 0.0,
            Some(d) if d.is_zero() => 1.0,
            Some(d) => self.started.elapsed().as_secs_f64() / d.as_secs_f64(),
        }
    }

    fn updated_at(&self, done: bool, delay: Option<Duration>) -> i64 {
        if self.finished {
            return self.created_at + SEEDED_JOB_SECONDS;
        }
        let delay = delay.map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
        if done {
            self.created_at + delay
        } else {
            self.created_at
        }
    }
}

/// How long the demo workspace's seeded export and import took.
const SEEDED_JOB_SECONDS: i64 = 60;

/// The demo workspace's finished jobs, created a week before [`records::EPOCH`]: export 1 of the
/// people in manual segment 7 and import 1 of people from a CSV file.
pub(crate) fn seed_demo(site: &mut SiteData) {
    let created_at = records::EPOCH - 7 * 86_400;
    let filters = json!({"filters": {"segment": {"id": crate::state::MANUAL_SEGMENT.0}}});
    let request = filters.as_object().cloned().unwrap_or_default();
    let total = crate::people::select(site, &request, "filters").map_or(0, |people| people.len());
    let import = json!({"name": "November signups", "data_file_url": "https://example.com/people.csv",
                        "type": "people", "identifier": "email"});
    let jobs = &mut site.people_app;
    jobs.exports.push(Job {
        id: 1,
        kind: "customers".to_string(),
        started: Instant::now(),
        created_at,
        total,
        description: "customers export".to_string(),
        request,
        finished: true,
    });
    jobs.imports.push(Job {
        id: 1,
        kind: "people".to_string(),
        started: Instant::now(),
        created_at,
        total: 100,
        description: String::new(),
        request: import.as_object().cloned().unwrap_or_default(),
        finished: true,
    });
}

fn bad(detail: impl Into<String>, pointer: &str) -> AppError {
    AppError::at(StatusCode::BAD_REQUEST, detail, pointer)
}

pub(crate) fn route(
    site: &mut SiteData,
    method: &str,
    segments: &[&str],
    _query: Option<&str>,
    body: &[u8],
) -> Option<Response> {
    Some(match (method, segments) {
        ("POST", ["v1", "exports", kind @ ("customers" | "deliveries")]) => {
            respond(create_export(site, kind, body))
        }
        ("GET", ["v1", "exports"]) => {
            let delay = site.people_app.job_delay;
            let list: Vec<Value> = site
                .people_app
                .exports
                .iter()
                .map(|job| export_json(job, delay))
                .collect();
            let list = if list.is_empty() {
                Value::Null
            } else {
                Value::Array(list)
            };
            respond(Ok(json!({ "exports": list })))
        }
        ("GET", ["v1", "exports", id]) => respond(
            find(&site.people_app.exports, id)
                .map(|job| json!({"export": export_json(job, site.people_app.job_delay)})),
        ),
        ("GET", ["v1", "exports", id, "download"]) => respond(download(site, id)),
        ("POST", ["v1", "imports"]) => respond(create_import(site, body)),
        ("GET", ["v1", "imports", id]) => respond(
            find(&site.people_app.imports, id)
                .map(|job| json!({"import": import_json(job, site.people_app.job_delay)})),
        ),
        ("POST", ["v1", "data_index", kind @ ("attributes" | "events")]) => {
            match data_index(site, kind, body) {
                Ok(()) => no_content(),
                Err(error) => error.response(),
            }
        }
        _ => return None,
    })
}

fn find<'a>(jobs: &'a [Job], id: &str) -> Out<&'a Job> {
    parse_id(id)
        .and_then(|id| jobs.iter().find(|j| j.id == id))
        .ok_or_else(AppError::not_found)
}

/// The export object (TRACK-OAS `exportObject`).
fn export_json(job: &Job, delay: Option<Duration>) -> Value {
    let done = job.progress(delay) >= 1.0;
    let updated = job.updated_at(done, delay);
    json!({
        "id": job.id,
        "user_id": 1,
        "user_email": "owner@example.com",
        "type": job.kind,
        "status": if done { "done" } else { "pending" },
        "failed": false,
        "total": if done { job.total } else { 0 },
        "downloads": 0,
        "description": job.description,
        "deduplicate_id": format!("{}:{updated}", job.id),
        "created_at": job.created_at,
        "updated_at": updated,
    })
}

fn create_export(site: &mut SiteData, kind: &str, body: &[u8]) -> Out<Value> {
    let fields = check::parse_body(body, false)?;
    let obj = Obj::root(&fields);
    if let Some(attributes) = fields.get("attributes") {
        let strings = attributes
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string));
        if !strings {
            return Err(bad(
                "attributes must be an array of attribute names",
                "/attributes",
            ));
        }
    }
    let (total, description) = if kind == "customers" {
        let people = crate::people::select(site, &fields, "filters")?;
        (people.len(), "customers export".to_string())
    } else {
        delivery_export(site, &obj)?
    };
    let app = &mut site.people_app;
    let job = Job {
        id: app.exports.last().map_or(1, |j| j.id + 1),
        kind: kind.to_string(),
        started: Instant::now(),
        created_at: unix_now(),
        total,
        description,
        request: fields,
        finished: false,
    };
    let answer = json!({"export": export_json(&job, app.job_delay)});
    app.exports.push(job);
    Ok(answer)
}

/// A delivery export names exactly one of `newsletter_id`, `campaign_id`, `action_id`,
/// `transactional_message_id`, which must exist; `start`/`end` (unix seconds) narrow it, `metric`
/// must be a delivery metric. Returns the count and a description.
fn delivery_export(site: &SiteData, obj: &Obj<'_>) -> Out<(usize, String)> {
    const KEYS: [&str; 4] = [
        "newsletter_id",
        "campaign_id",
        "action_id",
        "transactional_message_id",
    ];
    let named: Vec<&str> = KEYS
        .into_iter()
        .filter(|k| obj.get(k).is_some_and(|v| !v.is_null()))
        .collect();
    let [key] = named.as_slice() else {
        return Err(bad(
            format!("exactly one of {} is required", KEYS.join(", ")),
            "",
        ));
    };
    let pointer = format!("/{key}");
    let id = obj
        .get(key)
        .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(parse_id)))
        .ok_or_else(|| bad(format!("{key} must be an integer id"), &pointer))?;
    let path = match *key {
        "newsletter_id" => format!("newsletters/{id}"),
        "campaign_id" => format!("campaigns/{id}"),
        "action_id" => format!("campaigns/{}/actions/{id}", id / 10),
        _ => format!("transactional/{id}"),
    };
    let exists = records::delivery_sources(site)
        .iter()
        .any(|&(family, parent)| {
            let parent_key = match family {
                records::Family::Newsletter => "newsletter_id",
                records::Family::Campaign => "campaign_id",
                records::Family::Transactional => "transactional_message_id",
                records::Family::Broadcast => "broadcast_id",
            };
            match *key {
                "action_id" => {
                    family == records::Family::Campaign
                        && family.children(parent).any(|child| child == id)
                }
                _ => parent_key == *key && parent == id,
            }
        });
    if !exists {
        return Err(AppError::at(
            StatusCode::NOT_FOUND,
            format!("{key} {id} not found"),
            pointer,
        ));
    }
    if let Some(metric) = obj.opt_str("metric")? {
        if !METRICS.contains(&metric) {
            return Err(bad(
                format!("metric must be one of {}", METRICS.join(", ")),
                "/metric",
            ));
        }
    }
    let (start, end) = (obj.opt_int("start")?, obj.opt_int("end")?);
    let in_window = (0..DELIVERIES)
        .filter(|&i| {
            let created = records::delivery_created(i);
            start.is_none_or(|s| created >= s) && end.is_none_or(|e| created <= e)
        })
        .count();
    // An action gets its share of its campaign's deliveries, which rotate over the actions.
    let total = if *key == "action_id" {
        let actions = records::Family::Campaign.children(id / 10).count().max(1);
        in_window / actions
    } else {
        in_window
    };
    Ok((total, format!("deliveries export of {path}")))
}

/// `GET /v1/exports/{id}/download`: a signed-looking URL once done; 400 while pending.
fn download(site: &SiteData, id: &str) -> Out<Value> {
    let job = find(&site.people_app.exports, id)?;
    if job.progress(site.people_app.job_delay) < 1.0 {
        return Err(AppError::bad_request(
            "export is not ready yet (status pending); try again when it is done",
        ));
    }
    let url = format!(
        "https://customerio-exports.s3.amazonaws.com/exports/{}/{}.csv?X-Amz-Expires=900&X-Amz-Signature=emulator",
        job.kind, job.id
    );
    Ok(json!({ "url": url }))
}

// ---- imports ---------------------------------------------------------------------------------

const IMPORT_TYPES: [&str; 4] = ["people", "event", "object", "relationship"];
const IMPORT_STATES: [&str; 4] = ["preprocessing", "validated", "importing", "imported"];

/// `POST /v1/imports`: `{"import": {"name"*, "data_file_url"*, "type"*, "identifier", …}}`.
fn create_import(site: &mut SiteData, body: &[u8]) -> Out<Value> {
    let fields = check::parse_body(body, false)?;
    let import = Obj::root(&fields).req_obj("import")?;
    import.req_str("name")?;
    let url = import.req_str("data_file_url")?;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(bad(
            "import.data_file_url must be an http(s) URL of the CSV file",
            "/import/data_file_url",
        ));
    }
    let kind = import.one_of("type", &IMPORT_TYPES)?;
    match kind {
        "object" => {
            import.req_str("object_type_id")?;
        }
        "relationship" => {
            import.one_of("identifier", &["id", "email", "cio_id"])?;
        }
        _ => {
            import.one_of("identifier", &["id", "email"])?;
        }
    }
    if import.get("data_to_process").is_some() {
        import.one_of("data_to_process", &["all", "only_new", "only_existing"])?;
    }
    let app = &mut site.people_app;
    let job = Job {
        id: app.imports.last().map_or(1, |j| j.id + 1),
        kind: kind.to_string(),
        started: Instant::now(),
        created_at: unix_now(),
        // A stand-in row count: the emulator does not fetch the file.
        total: 100,
        description: import.opt_str("description")?.unwrap_or("").to_string(),
        request: import.map.clone(),
        finished: false,
    };
    let answer = json!({"import": import_json(&job, app.job_delay)});
    app.imports.push(job);
    Ok(answer)
}

fn import_json(job: &Job, delay: Option<Duration>) -> Value {
    let progress = job.progress(delay);
    let step = ((progress * 3.0).floor() as usize).min(3);
    let done = step == 3;
    let mut record = job.request.clone();
    let imported = if done { job.total } else { 0 };
    let updated = job.updated_at(done, delay);
    for (key, value) in [
        ("id", json!(job.id)),
        ("type", json!(job.kind)),
        ("state", json!(IMPORT_STATES[step])),
        ("description", json!(job.description)),
        ("rows_to_import", json!(job.total)),
        ("rows_imported", json!(imported)),
        ("created_at", json!(job.created_at)),
        ("updated_at", json!(updated)),
    ] {
        record.insert(key.to_string(), value);
    }
    record
        .entry("data_to_process")
        .or_insert_with(|| json!("all"));
    Value::Object(record)
}

// ---- data index ------------------------------------------------------------------------------

/// `POST /v1/data_index/attributes` (`{"attributes": [{"name"*, "description", "privacy_level"}]}`)
/// and `/events` (`{"events": [{"name"*, "description"}]}`), 1 to 100 definitions: 204. An
/// empty or too long list is a 422, as the API documents.
fn data_index(site: &mut SiteData, kind: &str, body: &[u8]) -> Out<()> {
    let fields = check::parse_body(body, false)?;
    let pointer = format!("/{kind}");
    let items = match fields.get(kind) {
        Some(Value::Array(items)) => items,
        _ => return Err(bad(format!("{kind} is required: an array"), &pointer)),
    };
    if items.is_empty() || items.len() > 100 {
        return Err(AppError::at(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{kind} must have 1 to 100 items, not {}", items.len()),
            pointer,
        ));
    }
    let mut defined = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let here = format!("{pointer}/{i}");
        let map = item
            .as_object()
            .ok_or_else(|| bad("each definition must be an object", &here))?;
        let obj = Obj::at(map, &here);
        let name = match map.get("name") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => return Err(bad("name is required", &format!("{here}/name"))),
        };
        if let Some(description) = obj
            .opt_str("description")
            .map_err(|e| bad(e.message, &here))?
        {
            if description.chars().count() > 255 {
                return Err(bad(
                    "description is longer than 255 characters",
                    &format!("{here}/description"),
                ));
            }
        }
        if kind == "attributes" {
            match map.get("privacy_level") {
                None | Some(Value::Null) => {}
                Some(level) if level == &json!(0) || level == &json!(1) => {}
                Some(_) => {
                    return Err(AppError::at(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "privacy_level must be 0 or 1",
                        format!("{here}/privacy_level"),
                    ))
                }
            }
        }
        defined.push((name, item.clone()));
    }
    site.people_app
        .data_index
        .entry(kind.to_string())
        .or_default()
        .extend(defined);
    Ok(())
}
