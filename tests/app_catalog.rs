//! Every App and Beta operation of the catalog, built into the component and loaded in the
//! reference host, against the emulator in the US and the EU: the shared test vectors, paging
//! over several pages with `return_all` and its cap, pacing at 10 requests per second, 429
//! handling, lookups, and a typed error for malformed input of every field.

mod common;

use std::time::{Duration, Instant};

use cio_emulator::{Fault, FaultAction};
use cio_host::{ConnectorKind, ErrorKind, Region};
use common::*;
use serde_json::{json, Value};

const VECTORS: &str = include_str!("../src/catalog/vectors.json");

fn kind_name(kind: ConnectorKind) -> &'static str {
    if kind == ConnectorKind::Beta {
        "beta"
    } else {
        "app"
    }
}

fn base_path(kind: ConnectorKind) -> &'static str {
    if kind == ConnectorKind::Beta {
        "/v1/api"
    } else {
        "/v1"
    }
}

fn hostname(kind: ConnectorKind, region: Region) -> &'static str {
    match (kind, region) {
        (ConnectorKind::Beta, Region::Eu) => "beta-api-eu.customer.io",
        (ConnectorKind::Beta, _) => "beta-api.customer.io",
        (_, Region::Eu) => "api-eu.customer.io",
        _ => "api.customer.io",
    }
}

/// Creates what an operation on a created thing (a delete, a Design Studio email's translation,
/// an uploaded asset) needs, puts its id in `input`, and returns (example id, new id) pairs.
fn fresh_ids(
    host: &cio_host::ConnectorHost,
    cfg: &cio_host::ConnectionConfig,
    kind: ConnectorKind,
    id: &str,
    input: &mut Value,
) -> Vec<(String, String)> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let api = kind_name(kind);
    let name = id.split_once('.').unwrap().1;
    let (resource, action) = name.split_once('.').unwrap();
    let create = |op: &str, body: Value, key: &str| -> Value {
        let out = host
            .execute(&request(&format!("{api}.{op}"), cfg.clone(), body))
            .unwrap()
            .unwrap_or_else(|e| panic!("{op}: {e:?}"));
        let out: Value = serde_json::from_str(&out.output).unwrap();
        out.pointer(key)
            .cloned()
            .unwrap_or_else(|| panic!("{op} gave no {key}: {out}"))
    };
    fn text(v: &Value) -> String {
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string())
    }
    let mut pairs = Vec::new();
    fn swap(input: &mut Value, field: &str, new: Value, pairs: &mut Vec<(String, String)>) {
        pairs.push((text(&input[field]), text(&new)));
        input[field] = new;
    }
    let reads = matches!(action, "list" | "create" | "upload" | "lookup");
    // Names and tags are unique in a workspace: each run creates its own.
    if matches!(action, "create" | "upload" | "update") {
        for key in ["name", "tag"] {
            if let Some(v) = input.get(key).and_then(Value::as_str).map(str::to_string) {
                input[key] = json!(format!("{v}-{n}"));
            }
        }
    }
    match (resource, action) {
        ("newsletter", "delete") => swap(
            input,
            "newsletter_id",
            create(
                "newsletter.create",
                json!({"name": "to delete", "type": "email"}),
                "/newsletter/id",
            ),
            &mut pairs,
        ),
        // Translations and test groups change an unsent newsletter: each run takes a new one.
        (
            "newsletter",
            "add_language"
            | "delete_language"
            | "create_test_group"
            | "add_test_group_language"
            | "delete_test_group_language",
        ) => swap(
            input,
            "newsletter_id",
            create(
                "newsletter.create",
                json!({"name": format!("variants {n}"), "type": "email"}),
                "/newsletter/id",
            ),
            &mut pairs,
        ),
        ("segment", "delete") => swap(
            input,
            "segment_id",
            create(
                "segment.create",
                json!({"name": format!("to delete {n}")}),
                "/segment/id",
            ),
            &mut pairs,
        ),
        ("collection", "delete") => swap(
            input,
            "collection_id",
            create(
                "collection.create",
                json!({"name": format!("c{n}"), "data": [{"a": 1}]}),
                "/collection/id",
            ),
            &mut pairs,
        ),
        ("reporting_webhook", "delete") => swap(
            input,
            "webhook_id",
            create(
                "reporting_webhook.create",
                json!({"name": "w", "endpoint": "https://example.com/w", "events": ["email_sent"]}),
                "/id",
            ),
            &mut pairs,
        ),
        ("snippet", "delete") => {
            create(
                "snippet.upsert",
                json!({"name": format!("s{n}"), "value": "x"}),
                "/snippet",
            );
            swap(input, "snippet_name", json!(format!("s{n}")), &mut pairs);
        }
        ("esp_suppression", "remove") => {
            let again = json!({"suppression_type": "bounces", "email": "jane@example.com"});
            create("esp_suppression.add", again, "");
        }
        ("asset", _) if !reads => swap(
            input,
            "asset_id",
            create(
                "asset.upload",
                {
                    let mut file = example(host, "app.asset.upload");
                    file["name"] = json!(format!("a{n}"));
                    file
                },
                "/asset/id",
            ),
            &mut pairs,
        ),
        ("asset_folder", _) if !reads => swap(
            input,
            "folder_id",
            create(
                "asset_folder.create",
                json!({"name": format!("f{n}")}),
                "/folder/id",
            ),
            &mut pairs,
        ),
        ("design_folder", _) if !reads => swap(
            input,
            "folder_id",
            create(
                "design_folder.create",
                json!({"name": format!("f{n}")}),
                "/folder/id",
            ),
            &mut pairs,
        ),
        ("design_component", _) if !reads => swap(
            input,
            "component_id",
            create(
                "design_component.create",
                json!({"name": "c", "tag": format!("x-c{n}"), "content": "<p>c</p>"}),
                "/component/id",
            ),
            &mut pairs,
        ),
        ("design_email", _)
            if (!reads || action == "create_language") && input.get("email_id").is_some() =>
        {
            let email = create(
                "design_email.create",
                json!({"name": format!("e{n}")}),
                "/email/id",
            );
            if action.ends_with("_language") && action != "create_language" {
                create(
                    "design_email.create_language",
                    json!({"email_id": email, "language": "fr"}),
                    "/email_translation",
                );
            }
            // What the action works on, made on the new email as a workflow would.
            let on = |op: &str, extra: Value, key: &str| {
                let mut body = json!({"email_id": email.clone()});
                body.as_object_mut()
                    .unwrap()
                    .extend(extra.as_object().unwrap().clone());
                create(op, body, key)
            };
            if action.ends_with("_version") && action != "save_version" {
                let version = on(
                    "design_email.save_version",
                    json!({"name": format!("v{n}")}),
                    "/version/id",
                );
                swap(input, "version_id", version, &mut pairs);
            }
            if action.starts_with("get_inbox_preview") {
                let run = on(
                    "design_email.start_inbox_preview",
                    json!({"client_ids": ["gmail_chrome"]}),
                    "/run_id",
                );
                swap(input, "run_id", run, &mut pairs);
            }
            if action.starts_with("publish") {
                let target =
                    json!({"type": "transactional_message", "transactional_message_id": 1});
                on(
                    "design_email.link",
                    json!({"target": target, "force": true}),
                    "/node_id",
                );
            }
            if action == "publish_status" {
                let publish = on("design_email.publish", json!({}), "/publish_id");
                swap(input, "publish_id", publish, &mut pairs);
            }
            swap(input, "email_id", email, &mut pairs);
        }
        _ => {}
    }
    if input.get("instance_id").is_some() {
        let start = example(host, "app.live_notification.start");
        let new = create("live_notification.start", start, "/instance_id");
        swap(input, "instance_id", new, &mut pairs);
    }
    pairs
}

#[test]
fn every_app_and_beta_vector_runs_against_the_emulator_in_both_regions() {
    let emu = emulator();
    let host = host(&emu);
    let vectors: Vec<Value> = serde_json::from_str(VECTORS).unwrap();
    let ops = host.list_operations().unwrap();
    // The people the examples name, identified through Track as a workflow would.
    for region in [Region::Us, Region::Eu] {
        for (id, attributes) in [
            ("42", json!({"email": "jane@example.com", "plan": "pro"})),
            ("43", json!({"plan": "free"})),
        ] {
            let input = json!({"id": id, "id_type": "id", "attributes": attributes});
            host.execute(&request("track.customer.identify", track(region), input))
                .unwrap()
                .unwrap();
        }
    }
    let mut ran = 0;
    for kind in [ConnectorKind::App, ConnectorKind::Beta] {
        for region in [Region::Us, Region::Eu] {
            for d in ops.iter().filter(|d| {
                d.connector == kind && d.id.split_once('.').unwrap().1 != "raw_http_request"
            }) {
                let app_id = format!("app.{}", d.id.split_once('.').unwrap().1);
                let v = vectors
                    .iter()
                    .find(|v| v["op"] == d.id.as_str() || v["op"] == app_id.as_str())
                    .unwrap_or_else(|| panic!("{} has no vector", d.id));
                let mut input = v
                    .get("input")
                    .cloned()
                    .unwrap_or_else(|| example(&host, &d.id));
                // Operations on something a call creates get a fresh one, as a workflow would.
                let cfg = app(kind, region);
                let fresh = fresh_ids(&host, &cfg, kind, &d.id, &mut input);
                emu.clear_requests();
                // Broadcast triggers are limited to one per 10 s per broadcast; start each run fresh.
                let out = host
                    .execute(&request(&d.id, app(kind, region), input.clone()))
                    .unwrap()
                    .unwrap_or_else(|e| panic!("{} {region:?} {input}: {e:?}", d.id));
                assert!((200..300).contains(&out.status), "{}: {}", d.id, out.status);
                let reqs = emu.requests();
                let r = reqs
                    .first()
                    .unwrap_or_else(|| panic!("{} sent nothing", d.id));
                assert_eq!(
                    (r.method.as_str(), r.host.as_str()),
                    (v["method"].as_str().unwrap(), hostname(kind, region)),
                    "{}",
                    d.id
                );
                // A created id replaces the vector's example id in the path.
                let mut want = format!("{}{}", base_path(kind), v["path"].as_str().unwrap());
                for (old, new) in &fresh {
                    want = want.replacen(&format!("/{old}"), &format!("/{new}"), 1);
                }
                assert_eq!(r.path, want, "{}", d.id);
                let output: Value = serde_json::from_str(&out.output).unwrap();
                assert!(output.is_object(), "{} output {output}", d.id);
                ran += 1;
            }
        }
    }
    println!("{ran} App and Beta operation runs against the emulator");
}

#[test]
fn lists_page_to_the_end_or_the_cap_and_are_paced_at_ten_per_second() {
    let emu = emulator();
    let host = host(&emu);
    for (kind, region) in [
        (ConnectorKind::App, Region::Us),
        (ConnectorKind::Beta, Region::Eu),
    ] {
        let id = format!(
            "{}.campaign.list_messages",
            if kind == ConnectorKind::Beta {
                "beta"
            } else {
                "app"
            }
        );
        emu.clear_requests();
        let start = Instant::now();
        let out = host
            .execute(&request(
                &id,
                app(kind, region),
                json!({"campaign_id": 1, "limit": 10, "return_all": true, "max_pages": 30}),
            ))
            .unwrap()
            .unwrap();
        let took = start.elapsed();
        let output: Value = serde_json::from_str(&out.output).unwrap();
        println!("{id}: 30 pages of 10 in {took:?}");
        assert_eq!(output["messages"].as_array().unwrap().len(), 300);
        assert_eq!(
            (output["pages"].clone(), output["truncated"].clone()),
            (json!(30), json!(true))
        );
        assert!(output["next"].is_string());
        assert_eq!(emu.requests().len(), 30);
        assert!(
            took >= Duration::from_millis(2900),
            "30 pages at 10/s took only {took:?}"
        );
        // The cursor continues where the cap stopped.
        let rest = host
            .execute(&request(
                &id,
                app(kind, region),
                json!({"campaign_id": 1, "limit": 10, "start": output["next"]}),
            ))
            .unwrap()
            .unwrap();
        let rest: Value = serde_json::from_str(&rest.output).unwrap();
        assert_ne!(rest["messages"][0], output["messages"][0]);
    }
    // Without return_all, one page; a 429 on a page is waited out.
    emu.inject(
        Fault::new(FaultAction::RateLimit {
            retry_after_secs: 1,
        })
        .with_path("/v1/newsletters"),
    );
    let out = host
        .execute(&request(
            "app.newsletter.list",
            app(ConnectorKind::App, Region::Us),
            json!({"limit": 5}),
        ))
        .unwrap()
        .unwrap();
    let out: Value = serde_json::from_str(&out.output).unwrap();
    assert_eq!(
        (
            out["newsletters"].as_array().unwrap().len(),
            out["pages"].clone()
        ),
        (5, json!(1))
    );
    let all = host
        .execute(&request(
            "app.newsletter.list",
            app(ConnectorKind::App, Region::Us),
            json!({"limit": 50, "return_all": true}),
        ))
        .unwrap()
        .unwrap();
    let all: Value = serde_json::from_str(&all.output).unwrap();
    assert_eq!(
        (all["truncated"].clone(), all["next"].clone()),
        (json!(false), Value::Null)
    );
}

#[test]
fn lookups_fill_dropdowns_with_search() {
    let emu = emulator();
    let host = host(&emu);
    for id in [
        "app.campaign.lookup",
        "beta.broadcast.lookup",
        "app.newsletter.lookup",
        "app.transactional.lookup",
        "app.segment.lookup",
        "app.sender_identity.lookup",
        "beta.reporting_webhook.lookup",
    ] {
        let kind = if id.starts_with("beta") {
            ConnectorKind::Beta
        } else {
            ConnectorKind::App
        };
        let out = host
            .execute(&request(id, app(kind, Region::Us), json!({})))
            .unwrap()
            .unwrap();
        let out: Value = serde_json::from_str(&out.output).unwrap();
        let options = out["result"].as_array().unwrap();
        assert!(!options.is_empty(), "{id}: {out}");
        assert!(
            options
                .iter()
                .all(|o| o["text"].is_string() && !o["value"].is_null()),
            "{id}: {out}"
        );
        let word: String = options[0]["text"]
            .as_str()
            .unwrap()
            .chars()
            .take(4)
            .collect();
        let found = host
            .execute(&request(
                id,
                app(kind, Region::Us),
                json!({"search": word.to_uppercase()}),
            ))
            .unwrap()
            .unwrap();
        let found: Value = serde_json::from_str(&found.output).unwrap();
        assert!(
            found["result"].as_array().unwrap().iter().all(|o| o["text"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains(&word.to_lowercase())),
            "{id}: {found}"
        );
    }
}

#[test]
fn malformed_input_of_every_app_field_gets_a_typed_error_and_sends_nothing() {
    let emu = emulator();
    let host = host(&emu);
    every_field_refuses_malformed_input(&host, &emu, &[ConnectorKind::App, ConnectorKind::Beta]);
}

#[test]
fn a_wrong_region_is_named_and_sends_are_not_repeated() {
    let emu = emulator();
    let host = host(&emu);
    // The EU workspace's key on the US host: Customer.io answers 301 or 401; either way the
    // error names the region.
    let mut eu_key_on_us = app(ConnectorKind::App, Region::Eu);
    eu_key_on_us.region = Region::Us;
    let e = host
        .execute(&request("app.campaign.list", eu_key_on_us, json!({})))
        .unwrap()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::WrongRegion, "{e:?}");
    assert!(e.message.contains("eu"), "{}", e.message);
    // A transactional send that lost its answer is reported, not repeated.
    emu.inject(Fault::new(FaultAction::ResetAfterApply).with_path("/v1/send/email"));
    emu.clear_requests();
    let e = host
        .execute(&request(
            "app.transactional.send_email",
            app(ConnectorKind::App, Region::Us),
            example(&host, "app.transactional.send_email"),
        ))
        .unwrap()
        .unwrap_err();
    assert!(!e.retryable, "{e:?}");
    assert_eq!(emu.requests().len(), 1);
}
