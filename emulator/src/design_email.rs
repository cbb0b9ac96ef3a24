//! The Design Studio email routes beyond records (current App spec, `design_studio_email`):
//! saved versions (list, get, save, delete, restore), inbox previews (start, poll, download a
//! capture; the workspace's runs, clients and credits), link, preview, render, review,
//! unpublished changes, publish and publish status.
//!
//! Seeds (every workspace): version `…-000000000010` ("Launch copy") of the Welcome email;
//! inbox preview run 1 of it in `gmail_chrome` and `outlook_2019`; the email `…-000000000004`
//! ("Order receipt"), linked to transactional message 3, with a pending publish `pub_1`.
//! Translations have no ids of their own here, so a route "for a translation" takes the email's.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::assets::conflict;
use crate::check::{Invalid, Obj};
use crate::content::{body_object, missing, ok, reject_unknown};
use crate::design_studio::{Design, Kind, Node};
use crate::records::{Out, EPOCH};
use crate::util::{no_content, query_param, unix_now, AppError};

/// The seeded version of the Welcome email.
pub(crate) const SEED_VERSION: &str = "00000000-0000-4000-8000-000000000010";
/// The seeded email linked to a workflow.
pub(crate) const SEED_LINKED_EMAIL: &str = "00000000-0000-4000-8000-000000000004";
/// The email clients previews render in: id, client, os, category, browser.
const CLIENTS: [(&str, &str, &str, &str, &str); 4] = [
    ("gmail_chrome", "Gmail", "Windows 11", "Web", "Chrome"),
    (
        "outlook_2019",
        "Outlook 2019",
        "Windows 10",
        "Application",
        "",
    ),
    ("iphone15_mail", "Apple Mail", "iOS 17", "Mobile", ""),
    (
        "android12_gmailapp_pixel6_dm",
        "Gmail app (dark)",
        "Android 12",
        "Mobile",
        "",
    ),
];
/// Free credits every workspace starts with; a preview costs one per client.
const FREE_CREDITS: u64 = 100;
/// A 1×1 transparent PNG: what every capture downloads as.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// A saved version: a snapshot of an email's default-language parts.
#[derive(Clone, Debug)]
pub(crate) struct Version {
    node: String,
    id: String,
    name: String,
    description: Option<String>,
    created: i64,
    created_on_publish: bool,
    parts: Map<String, Value>,
}

/// An inbox preview run.
#[derive(Clone, Debug)]
struct Run {
    id: u64,
    node: String,
    name: String,
    clients: Vec<String>,
    created: i64,
}

/// What these routes keep per workspace.
#[derive(Debug)]
pub(crate) struct Work {
    versions: Vec<Version>,
    runs: Vec<Run>,
    /// Publishes: id, email, whether done.
    publishes: Vec<(String, String)>,
    /// When each email was last published.
    published: Vec<(String, i64)>,
    /// What each linked email is linked to (`{type, <id key>}`).
    links: Vec<(String, Value)>,
    next: u64,
}

impl Default for Work {
    fn default() -> Self {
        let at = EPOCH - 86_400;
        Work {
            versions: vec![Version {
                node: crate::design_studio::SEED_EMAIL.to_string(),
                id: SEED_VERSION.to_string(),
                name: "Launch copy".into(),
                description: Some("As first sent".into()),
                created: at,
                created_on_publish: false,
                parts: Map::new(),
            }],
            runs: vec![Run {
                id: 1,
                node: crate::design_studio::SEED_EMAIL.to_string(),
                name: "Launch check".into(),
                clients: vec!["gmail_chrome".into(), "outlook_2019".into()],
                created: at,
            }],
            publishes: vec![("pub_1".into(), SEED_LINKED_EMAIL.into())],
            published: Vec::new(),
            links: vec![(
                SEED_LINKED_EMAIL.into(),
                json!({"type": "transactional_message", "transactional_message_id": 3}),
            )],
            next: 2,
        }
    }
}

/// The parts a version keeps of an email.
fn parts(node: &Node) -> Map<String, Value> {
    let mut map = Map::new();
    if let Some(main) = &node.main {
        map.insert("content".into(), Value::Object(main.content.clone()));
        map.insert("envelope".into(), Value::Object(main.envelope.clone()));
        map.insert(
            "transformers".into(),
            Value::Object(main.transformers.clone()),
        );
    }
    map
}

fn version_json(v: &Version) -> Value {
    let mut out = json!({
        "id": v.id,
        "name": v.name,
        "created": v.created,
        "created_on_publish": v.created_on_publish,
        "feedback": false,
        "node_id": v.node,
        "node_type": "EMAIL",
    });
    if let Some(d) = &v.description {
        out["description"] = json!(d);
    }
    out
}

fn email<'a>(design: &'a Design, id: &str) -> Out<&'a Node> {
    design
        .nodes
        .iter()
        .find(|n| n.kind == Kind::Email && n.id == id)
        .ok_or_else(AppError::not_found)
}

fn email_mut<'a>(design: &'a mut Design, id: &str) -> Out<&'a mut Node> {
    design
        .nodes
        .iter_mut()
        .find(|n| n.kind == Kind::Email && n.id == id)
        .ok_or_else(AppError::not_found)
}

fn content_text(node: &Node, key: &str) -> String {
    node.main
        .as_ref()
        .and_then(|m| m.content.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn bad(message: &str) -> AppError {
    AppError::bad_request(message.to_string())
}

/// Serves `/v1/design_studio/emails/{id}/<rest>` when `rest` is one of this module's routes.
pub(crate) fn serve_email(
    design: &mut Design,
    method: &str,
    id: &str,
    rest: &[&str],
    query: Option<&str>,
    body: &[u8],
) -> Option<Out<Response>> {
    let answer = match (method, rest) {
        ("GET", ["versions"]) => list_versions(design, id, query).map(ok),
        ("POST", ["versions"]) => save_version(design, id, body).map(ok),
        ("GET", ["versions", version]) => get_version(design, id, version).map(ok),
        ("DELETE", ["versions", version]) => delete_version(design, id, version),
        ("POST", ["versions", version, "restore"]) => restore(design, id, version).map(ok),
        ("POST", ["inbox_previews"]) => start_preview(design, id, body).map(ok),
        ("GET", ["inbox_previews", run]) => preview_run(design, id, run).map(ok),
        ("GET", ["inbox_previews", run, "captures", client]) => {
            capture(design, id, run, client, query)
        }
        ("POST", ["link"]) => link(design, id, body).map(ok),
        ("POST", ["preview"]) => preview(design, id, body).map(ok),
        ("GET", ["render"]) => render(design, id).map(ok),
        ("GET", ["review"]) => review(design, id).map(ok),
        ("GET", ["unpublished_changes"]) => unpublished(design, id).map(ok),
        ("POST", ["publish"]) => publish(design, id).map(ok),
        ("GET", ["publish_status"]) => publish_status(design, id, query).map(ok),
        _ => return None,
    };
    Some(answer)
}

/// Serves `/v1/design_studio/inbox_previews/{jobs,clients,credits}`.
pub(crate) fn serve_previews(
    design: &Design,
    method: &str,
    rest: &[&str],
    query: Option<&str>,
) -> Option<Out<Response>> {
    let answer = match (method, rest) {
        ("GET", ["jobs"]) => jobs(design, query).map(ok),
        ("GET", ["clients"]) => Ok(ok(
            json!({"clients": CLIENTS.iter().map(|(id, client, os, category, browser)| json!({
            "id": id, "client": client, "os": os, "category": category, "browser": browser,
        })).collect::<Vec<_>>()}),
        )),
        ("GET", ["credits"]) => {
            let used: usize = design.work.runs.iter().map(|r| r.clients.len()).sum();
            let remaining = FREE_CREDITS.saturating_sub(used as u64);
            Ok(ok(
                json!({"credits": [{"tier": "free", "credits_original": FREE_CREDITS, "credits_remaining": remaining, "expires_at": null}]}),
            ))
        }
        _ => return None,
    };
    Some(answer)
}

fn list_versions(design: &Design, id: &str, query: Option<&str>) -> Out<Value> {
    email(design, id)?;
    let int = |name: &str| -> Out<Option<i64>> {
        match query_param(query, name).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(text) => text
                .parse::<i64>()
                .map(Some)
                .map_err(|_| bad(&format!("{name} must be a unix timestamp"))),
        }
    };
    let (start, end) = (int("start_date")?, int("end_date")?);
    if end.is_some() && start.is_none() {
        return Err(bad("end_date requires start_date"));
    }
    let mut list: Vec<&Version> = design
        .work
        .versions
        .iter()
        .filter(|v| v.node == id)
        .filter(|v| start.is_none_or(|s| v.created >= s) && end.is_none_or(|e| v.created <= e))
        .collect();
    list.sort_by_key(|v| std::cmp::Reverse(v.created));
    Ok(json!({"versions": list.into_iter().map(version_json).collect::<Vec<_>>()}))
}

fn save_version(design: &mut Design, id: &str, body: &[u8]) -> Out<Value> {
    let fields = body_object(body)?;
    reject_unknown(&fields, &["name", "description"])?;
    let obj = Obj::root(&fields);
    let name = obj.req_str("name")?;
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Invalid::new("name", "invalid", "name is 1 to 100 characters".into()).into());
    }
    let description = obj.opt_str("description")?.map(str::to_string);
    let snapshot = parts(email(design, id)?);
    let latest = design
        .work
        .versions
        .iter()
        .filter(|v| v.node == id && !v.parts.is_empty())
        .max_by_key(|v| v.created);
    if let Some(v) = latest.filter(|v| v.parts == snapshot) {
        return Ok(json!({"created": false, "version": version_json(v)}));
    }
    let version = Version {
        node: id.to_string(),
        id: fresh(design),
        name: name.to_string(),
        description,
        created: unix_now(),
        created_on_publish: false,
        parts: snapshot,
    };
    let out = json!({"created": true, "version": version_json(&version)});
    design.work.versions.push(version);
    Ok(out)
}

fn fresh(design: &mut Design) -> String {
    design.work.next += 1;
    format!("00000000-0000-4000-9000-{:012x}", design.work.next)
}

fn find_version<'a>(design: &'a Design, id: &str, version: &str) -> Out<&'a Version> {
    design
        .work
        .versions
        .iter()
        .find(|v| v.node == id && v.id == version)
        .ok_or_else(AppError::not_found)
}

fn get_version(design: &Design, id: &str, version: &str) -> Out<Value> {
    let node = email(design, id)?;
    let v = find_version(design, id, version)?;
    let parts = if v.parts.is_empty() {
        parts(node)
    } else {
        v.parts.clone()
    };
    let content = parts.get("content").cloned().unwrap_or_else(|| json!({}));
    let text = |k: &str| content.get(k).cloned().unwrap_or_else(|| json!(""));
    Ok(json!({
        "version": version_json(v),
        "node": {
            "node_id": id, "node_type": "EMAIL", "name": node.name,
            "subject": text("subject"), "content": text("html"), "amp": text("amp"), "text": text("text"),
            "preheader_text": text("preheader_text"),
            "envelope": parts.get("envelope").cloned().unwrap_or_else(|| json!({})),
            "transformers": parts.get("transformers").cloned().unwrap_or_else(|| json!({})),
        },
        "dependencies": [],
    }))
}

fn delete_version(design: &mut Design, id: &str, version: &str) -> Out<Response> {
    email(design, id)?;
    let v = find_version(design, id, version)?;
    if v.created_on_publish {
        return Err(conflict(
            "the version was created automatically during a publish and can't be deleted",
        ));
    }
    design
        .work
        .versions
        .retain(|v| !(v.node == id && v.id == version));
    Ok(no_content())
}

fn restore(design: &mut Design, id: &str, version: &str) -> Out<Value> {
    let snapshot = find_version(design, id, version)?.parts.clone();
    let node = email_mut(design, id)?;
    if let Some(main) = node.main.as_mut() {
        let part = |k: &str| snapshot.get(k).and_then(Value::as_object).cloned();
        if let Some(c) = part("content") {
            main.content = c;
        }
        if let Some(e) = part("envelope") {
            main.envelope = e;
        }
        if let Some(t) = part("transformers") {
            main.transformers = t;
        }
        main.updated = unix_now();
    }
    node.updated = unix_now();
    Ok(json!({"node_id": id, "restored_node_ids": [id], "version_id": version}))
}

fn start_preview(design: &mut Design, id: &str, body: &[u8]) -> Out<Value> {
    email(design, id)?;
    let fields = body_object(body)?;
    reject_unknown(&fields, &["client_ids", "name", "sample_data", "lax_mode"])?;
    let clients: Vec<String> = match fields.get("client_ids") {
        Some(Value::Array(items)) if (1..=150).contains(&items.len()) => items
            .iter()
            .map(|c| match c.as_str() {
                Some(c) if CLIENTS.iter().any(|k| k.0 == c) => Ok(c.to_string()),
                _ => Err(bad(&format!("unknown email client {c}"))),
            })
            .collect::<Out<_>>()?,
        _ => {
            return Err(Invalid::new(
                "client_ids",
                "required",
                "client_ids is 1 to 150 client ids".into(),
            )
            .into())
        }
    };
    let name = Obj::root(&fields)
        .opt_str("name")?
        .unwrap_or("")
        .to_string();
    let used: usize = design.work.runs.iter().map(|r| r.clients.len()).sum();
    if used + clients.len() > FREE_CREDITS as usize {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not enough inbox preview credits",
        ));
    }
    let run = design.work.runs.iter().map(|r| r.id).max().unwrap_or(0) + 1;
    design.work.runs.push(Run {
        id: run,
        node: id.to_string(),
        name,
        clients,
        created: unix_now(),
    });
    Ok(json!({"run_id": run, "replayed": false}))
}

fn find_run<'a>(design: &'a Design, id: &str, run: &str) -> Out<&'a Run> {
    let n: u64 = run.parse().map_err(|_| AppError::not_found())?;
    design
        .work
        .runs
        .iter()
        .find(|r| r.id == n && r.node == id)
        .ok_or_else(AppError::not_found)
}

fn run_summary(r: &Run) -> Value {
    let n = r.clients.len();
    json!({
        "run_id": r.id, "name": r.name, "created_at": r.created, "updated_at": r.created,
        "is_processed": true, "total_previews_requested": n, "total_previews_ready": n,
        "total_previews_succeeded": n, "total_previews_cached": 0, "total_previews_bounced": 0,
    })
}

fn preview_run(design: &Design, id: &str, run: &str) -> Out<Value> {
    let r = find_run(design, id, run)?;
    let mut out = run_summary(r);
    out["client_ids"] = json!(r.clients);
    out["previews"] = json!(r
        .clients
        .iter()
        .map(|c| {
            let (_, client, os, category, browser) = CLIENTS.iter().find(|k| k.0 == c).copied().unwrap_or((c, c, "", "Web", ""));
            let url = format!("https://previews.example.com/{}/{}/{c}.png", id, r.id);
            json!({"client_id": c, "display_name": client, "category": category, "os": os, "browser": browser,
                   "status": "Complete", "screenshots": {"default": url}, "thumbnail": url, "full_thumbnail": url})
        })
        .collect::<Vec<_>>());
    Ok(out)
}

fn capture(
    design: &Design,
    id: &str,
    run: &str,
    client: &str,
    query: Option<&str>,
) -> Out<Response> {
    let r = find_run(design, id, run)?;
    if !r.clients.iter().any(|c| c == client) {
        return missing();
    }
    if let Some(v) = query_param(query, "variant")
        .filter(|v| !["screenshot", "thumbnail", "full_thumbnail"].contains(&v.as_str()))
    {
        return Err(bad(&format!("invalid variant {v:?}")));
    }
    if query_param(query, "key").is_some_and(|k| k != "default") {
        return missing();
    }
    Ok(([(header::CONTENT_TYPE, "image/png")], PNG).into_response())
}

fn jobs(design: &Design, query: Option<&str>) -> Out<Value> {
    let limit = match query_param(query, "limit").filter(|v| !v.is_empty()) {
        None => 50,
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| bad("limit is 1 to 200"))?,
    };
    let start = match query_param(query, "cursor").filter(|v| !v.is_empty()) {
        None => 0,
        Some(t) => t.parse::<usize>().map_err(|_| bad("invalid cursor"))?,
    };
    let node = query_param(query, "node_id");
    let mut runs: Vec<&Run> = design
        .work
        .runs
        .iter()
        .filter(|r| node.as_deref().is_none_or(|n| r.node == n))
        .collect();
    runs.sort_by_key(|r| std::cmp::Reverse(r.id));
    let page: Vec<Value> = runs
        .iter()
        .skip(start)
        .take(limit)
        .map(|r| {
            let mut v = run_summary(r);
            v["node_id"] = json!(r.node);
            v["node_count"] = json!(1);
            v
        })
        .collect();
    let mut pagination = json!({"limit": limit});
    if start + limit < runs.len() {
        pagination["next_cursor"] = json!((start + limit).to_string());
    }
    Ok(json!({"preview_jobs": page, "meta": {"pagination": pagination}}))
}

fn link(design: &mut Design, id: &str, body: &[u8]) -> Out<Value> {
    let fields = body_object(body)?;
    reject_unknown(&fields, &["target", "force"])?;
    let Some(Value::Object(target)) = fields.get("target") else {
        return Err(Invalid::new("target", "required", "target is required".into()).into());
    };
    let kind = Obj::root(target).one_of(
        "type",
        &["campaign_action", "newsletter", "transactional_message"],
    )?;
    let key = match kind {
        "campaign_action" => "action_id",
        "newsletter" => "newsletter_id",
        _ => "transactional_message_id",
    };
    let Some(target_id) = target.get(key).and_then(Value::as_u64) else {
        return Err(bad(&format!("a {kind} target needs {key}")));
    };
    let force = fields
        .get("force")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let link = json!({"type": kind, key: target_id});
    let taken = design.work.links.iter().any(|(n, l)| n != id && *l == link);
    if taken && !force {
        return Err(conflict(
            "the destination is linked to other content; pass force: true to replace it",
        ));
    }
    email_mut(design, id)?
        .fields
        .insert("is_linked".into(), json!(true));
    design.work.links.retain(|(n, l)| n != id && *l != link);
    design.work.links.push((id.to_string(), link.clone()));
    Ok(json!({"node_id": id, "target": link, "template_id": target_id * 10 + 1}))
}

/// `{{customer.x}}` and friends replaced from the sample data; other liquid is left as it is.
fn fill(text: &str, data: &Map<String, Value>) -> String {
    let mut out = text.to_string();
    for (scope, value) in data {
        if let Value::Object(map) = value {
            for (k, v) in map {
                let shown = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                for pattern in [
                    format!("{{{{{scope}.{k}}}}}"),
                    format!("{{{{ {scope}.{k} }}}}"),
                ] {
                    out = out.replace(&pattern, &shown);
                }
            }
        }
    }
    out
}

fn preview(design: &Design, id: &str, body: &[u8]) -> Out<Value> {
    let node = email(design, id)?;
    let fields = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        body_object(body)?
    };
    reject_unknown(
        &fields,
        &[
            "customer", "event", "trigger", "campaign", "journey", "message", "objects", "lax",
        ],
    )?;
    let errors: Map<String, Value> = [
        "bcc",
        "body",
        "body_amp",
        "body_plain",
        "cc",
        "event",
        "from",
        "layout",
        "message",
        "preheader_text",
        "reply_to",
        "snippets",
        "subject",
        "to",
        "trigger",
    ]
    .iter()
    .map(|k| (k.to_string(), json!([])))
    .collect();
    Ok(json!({
        "node_id": id, "node_type": "EMAIL",
        "subject": fill(&content_text(node, "subject"), &fields),
        "html": fill(&content_text(node, "html"), &fields),
        "text": fill(&content_text(node, "text"), &fields),
        "preheader_text": fill(&content_text(node, "preheader_text"), &fields),
        "language": "",
        "links": [],
        "errors": errors,
    }))
}

fn render(design: &Design, id: &str) -> Out<Value> {
    let node = email(design, id)?;
    Ok(
        json!({"node_id": id, "node_type": "EMAIL", "html": content_text(node, "html"),
              "amp": content_text(node, "amp"), "text": content_text(node, "text"), "language": ""}),
    )
}

fn review(design: &Design, id: &str) -> Out<Value> {
    let node = email(design, id)?;
    let html = content_text(node, "html");
    let unsubscribe = html.contains("unsubscribe");
    let checks: Map<String, Value> = [
        "accessibility",
        "images",
        "links",
        "liquid",
        "preheader",
        "spam",
        "unsubscribe",
    ]
    .iter()
    .map(|c| (c.to_string(), json!({"status": "complete"})))
    .collect();
    let findings = if unsubscribe {
        json!([])
    } else {
        json!([{"id": "unsubscribe-missing", "check": "unsubscribe", "title": "No unsubscribe link",
                "severity": "warning", "state": "fail"}])
    };
    let warnings = usize::from(!unsubscribe);
    Ok(
        json!({"node_id": id, "status": "complete", "checks": checks, "findings": findings,
              "score": {"score": 100 - 10 * warnings, "counts": {"error": 0, "warning": warnings, "tip": 0}}}),
    )
}

fn unpublished(design: &Design, id: &str) -> Out<Value> {
    let node = email(design, id)?;
    let published = design
        .work
        .published
        .iter()
        .rev()
        .find(|(n, _)| n == id)
        .map(|(_, at)| *at);
    Ok(json!({"has_unpublished_changes": published.is_none_or(|at| node.updated > at)}))
}

fn publish(design: &mut Design, id: &str) -> Out<Value> {
    let node = email(design, id)?;
    if node.fields.get("is_linked") != Some(&json!(true)) {
        return Err(bad("the email is not linked to a workflow; link it first"));
    }
    let snapshot = parts(node);
    let version = Version {
        node: id.to_string(),
        id: fresh(design),
        name: "Published".into(),
        description: None,
        created: unix_now(),
        created_on_publish: true,
        parts: snapshot,
    };
    design.work.versions.push(version);
    design.work.next += 1;
    let publish_id = format!("pub_{}", design.work.next);
    design
        .work
        .publishes
        .push((publish_id.clone(), id.to_string()));
    design.work.published.push((id.to_string(), unix_now()));
    Ok(json!({"status": "pending", "publish_id": publish_id}))
}

fn publish_status(design: &Design, id: &str, query: Option<&str>) -> Out<Value> {
    email(design, id)?;
    let Some(publish_id) = query_param(query, "publish_id").filter(|v| !v.is_empty()) else {
        return Err(Invalid::new("publish_id", "required", "publish_id is required".into()).into());
    };
    if !design
        .work
        .publishes
        .iter()
        .any(|(p, n)| *p == publish_id && n == id)
    {
        return Err(AppError::new(
            StatusCode::NOT_FOUND,
            "publish job not found",
        ));
    }
    let version = design
        .work
        .versions
        .iter()
        .filter(|v| v.node == id)
        .max_by_key(|v| v.created)
        .map_or_else(String::new, |v| v.id.clone());
    let template = design
        .work
        .links
        .iter()
        .find(|(n, _)| n == id)
        .and_then(|(_, l)| {
            l.as_object()
                .and_then(|l| l.values().find_map(Value::as_u64))
        })
        .unwrap_or(0);
    Ok(
        json!({"status": "done", "mappings": [{"language": "", "node_id": id, "template_id": template * 10 + 1, "version_id": version}]}),
    )
}
