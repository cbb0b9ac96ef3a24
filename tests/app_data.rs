//! App part 2 under the host against the emulator: one state shared by the Track and App
//! connectors (an identify read back as attributes, events as activities, segment membership,
//! objects), identifiers percent-encoded in App paths, audience filters passed through exactly,
//! people search paged to the end, and export-and-wait returning a download link.

mod common;

use cio_host::{ConnectorKind, ErrorKind, Region};
use common::*;
use serde_json::{json, Value};

fn run(
    host: &cio_host::ConnectorHost,
    op: &str,
    cfg: cio_host::ConnectionConfig,
    input: Value,
) -> Value {
    run_ok(host, op, cfg, input)
}

#[test]
fn an_identify_through_track_is_read_back_through_app_and_beta_in_both_regions() {
    let emu = emulator();
    let host = host(&emu);
    for region in [Region::Us, Region::Eu] {
        let ids = [
            "jane+1@example.com",
            "a/b c",
            "zoë 42",
            "o'neil#1?",
            "+14155550100",
        ];
        for (i, id) in ids.iter().enumerate() {
            let mut input = json!({"id": id, "attributes": {"plan": "pro", "n": i}});
            if id.contains('@') {
                input["id_type"] = json!("email");
            }
            run(&host, "track.customer.identify", track(region), input);
        }
        for kind in [ConnectorKind::App, ConnectorKind::Beta] {
            let api = if kind == ConnectorKind::App {
                "app"
            } else {
                "beta"
            };
            for (i, id) in ids.iter().enumerate() {
                let mut input = json!({ "id": id });
                if !id.contains('@') {
                    input["id_type"] = json!("id");
                }
                emu.clear_requests();
                let out = run(
                    &host,
                    &format!("{api}.customer.get_attributes"),
                    app(kind, region),
                    input,
                );
                let attrs = &out["customer"]["attributes"];
                assert_eq!(attrs["plan"], "pro", "{id}: {out}");
                assert_eq!(
                    attrs["n"].to_string().trim_matches('"'),
                    i.to_string(),
                    "{id}: {out}"
                );
                // The identifier arrived as one path segment, percent-encoded.
                let r = &emu.requests()[0];
                assert_eq!(
                    r.path.matches('/').count(),
                    if kind == ConnectorKind::App { 4 } else { 5 },
                    "{}",
                    r.path
                );
            }
        }
        // An event tracked through Track is an activity of the person on the App API.
        run(
            &host,
            "track.event.track",
            track(region),
            json!({"id": "a/b c", "name": "purchase", "data": {"total": 9}}),
        );
        let out = run(
            &host,
            "app.customer.activities",
            app(ConnectorKind::App, region),
            json!({"id": "a/b c", "id_type": "id", "type": "event"}),
        );
        let acts = out["activities"].as_array().unwrap();
        assert!(acts.iter().any(|a| a["name"] == "purchase"), "{out}");
        // Unknown people are not found, with a typed error.
        let e = host
            .execute(&request(
                "app.customer.get_attributes",
                app(ConnectorKind::App, region),
                json!({"id": "nobody-here", "id_type": "id"}),
            ))
            .unwrap()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound, "{e:?}");
    }
}

#[test]
fn manual_segments_and_objects_share_state_with_track() {
    let emu = emulator();
    let host = host(&emu);
    let cfg = app(ConnectorKind::App, Region::Us);
    let seg = run(
        &host,
        "app.segment.create",
        cfg.clone(),
        json!({"name": "Beta testers", "description": "from a test"}),
    );
    let id = seg["segment"]["id"].clone();
    assert!(id.is_u64(), "{seg}");
    for p in ["p1", "p2", "p3"] {
        run(
            &host,
            "track.customer.identify",
            track(Region::Us),
            json!({"id": p, "attributes": {"plan": "pro"}}),
        );
    }
    run(
        &host,
        "track.segment.add_customers",
        track(Region::Us),
        json!({"segment_id": id, "ids": ["p1", "p2", "p3"]}),
    );
    let count = run(
        &host,
        "app.segment.customer_count",
        cfg.clone(),
        json!({"segment_id": id}),
    );
    assert_eq!(count["count"], 3, "{count}");
    let members = run(
        &host,
        "beta.segment.members",
        app(ConnectorKind::Beta, Region::Us),
        json!({"segment_id": id, "limit": 2, "return_all": true}),
    );
    let got: Vec<&str> = members["identifiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(got.len(), 3, "{members}");
    assert!(members["pages"].as_u64().unwrap() >= 2, "{members}");
    let listed = run(&host, "app.segment.list", cfg.clone(), json!({}));
    assert!(
        listed["segments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == id),
        "{listed}"
    );
    run(
        &host,
        "app.segment.delete",
        cfg.clone(),
        json!({"segment_id": id}),
    );
    let e = host
        .execute(&request(
            "app.segment.get",
            cfg.clone(),
            json!({"segment_id": id}),
        ))
        .unwrap()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e:?}");
    // An object identified through Track is read through App, with its people.
    run(
        &host,
        "track.object.identify",
        track(Region::Us),
        json!({"object_type_id": "1", "object_id": "acme/eu", "attributes": {"seats": 50},
        "relationships": [{"identifiers": {"id": "p1"}}]}),
    );
    let obj = run(
        &host,
        "app.object.get_attributes",
        cfg.clone(),
        json!({"object_type_id": "1", "object_id": "acme/eu"}),
    );
    assert_eq!(
        obj["object"]["attributes"]["seats"]
            .to_string()
            .trim_matches('"'),
        "50",
        "{obj}"
    );
    let rel = run(
        &host,
        "app.object.relationships",
        cfg.clone(),
        json!({"object_type_id": "1", "object_id": "acme/eu"}),
    );
    assert_eq!(
        rel["cio_relationships"].as_array().map(Vec::len),
        Some(1),
        "{rel}"
    );
    let person = run(
        &host,
        "app.customer.relationships",
        cfg,
        json!({"id": "p1"}),
    );
    assert_eq!(
        person["cio_relationships"].as_array().map(Vec::len),
        Some(1),
        "{person}"
    );
}

#[test]
fn people_search_passes_the_filter_through_exactly_and_pages_to_the_end() {
    let emu = emulator();
    let host = host(&emu);
    for i in 0..25 {
        // "team", a plan the demo workspace's own people (42 on pro, 43 on free) do not have.
        let plan = if i % 5 == 0 { "free" } else { "team" };
        run(
            &host,
            "track.customer.identify",
            track(Region::Us),
            json!({"id": format!("s{i}"), "attributes": {"plan": plan}}),
        );
    }
    let filter = json!({"and": [{"attribute": {"field": "plan", "operator": "eq", "value": "team"}},
        {"not": {"attribute": {"field": "plan", "operator": "eq", "value": "free"}}}]});
    emu.clear_requests();
    let out = run(
        &host,
        "app.customer.search",
        app(ConnectorKind::App, Region::Us),
        json!({"filter": filter, "limit": 7, "return_all": true}),
    );
    let ids: Vec<&str> = out["identifiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.len() >= 20 && ids.iter().all(|i| i.starts_with('s')),
        "{out}"
    );
    assert_eq!(out["next"], Value::Null);
    let reqs = emu.requests();
    assert!(reqs.len() >= 3, "{} pages", reqs.len());
    for r in &reqs {
        let sent: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            sent,
            json!({ "filter": filter }),
            "the filter is sent exactly as given"
        );
    }
    // A malformed filter is refused with a pointer, before sending.
    emu.clear_requests();
    let e = host
        .execute(&request("app.customer.search", app(ConnectorKind::App, Region::Us),
            json!({"filter": {"and": [{"attribute": {"field": "plan", "operator": "gt", "value": 1}}]}})))
        .unwrap()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert_eq!(
        e.pointers,
        vec!["/filter/and/0/attribute/operator".to_string()],
        "{e:?}"
    );
    assert!(emu.requests().is_empty());
}

#[test]
fn export_and_wait_returns_a_download_link_in_both_regions() {
    let emu = emulator();
    let host = host(&emu);
    for (kind, region) in [
        (ConnectorKind::App, Region::Us),
        (ConnectorKind::Beta, Region::Eu),
    ] {
        let api = if kind == ConnectorKind::App {
            "app"
        } else {
            "beta"
        };
        let started = std::time::Instant::now();
        let out = run(
            &host,
            &format!("{api}.export.customers_and_wait"),
            app(kind, region),
            json!({"filters": {"segment": {"id": 7}}}),
        );
        assert_eq!(out["export"]["status"], "done", "{out}");
        assert!(
            out["url"].as_str().unwrap().starts_with("https://"),
            "{out}"
        );
        assert!(out["polls"].as_u64().unwrap() >= 1, "{out}");
        assert!(started.elapsed().as_secs() < 20);
        let id = out["export"]["id"].clone();
        let got = run(
            &host,
            &format!("{api}.export.get"),
            app(kind, region),
            json!({"export_id": id}),
        );
        assert_eq!(got["export"]["status"], "done");
    }
    // A budget too short for the export: a timeout naming the export, not a second export.
    let mut req = request(
        "app.export.deliveries_and_wait",
        app(ConnectorKind::App, Region::Us),
        json!({"newsletter_id": 12}),
    );
    req.timeout_ms = Some(1500);
    let e = host.execute(&req).unwrap().unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e:?}");
    assert!(!e.retryable);
    assert!(e.message.contains("export.get"), "{}", e.message);
}

#[test]
fn page_numbered_lists_page_to_the_end_and_next_feeds_back_as_page() {
    let emu = emulator();
    let host = host(&emu);
    let cfg = app(ConnectorKind::App, Region::Eu);
    for i in 0..4 {
        run(
            &host,
            "app.design_folder.create",
            cfg.clone(),
            json!({"name": format!("Folder {i}")}),
        );
    }
    let all = run(
        &host,
        "app.design_folder.list",
        cfg.clone(),
        json!({"limit": 2, "return_all": true}),
    );
    let n = all["folders"].as_array().unwrap().len();
    assert!(n >= 5, "the seeded folder and four new ones: {all}");
    assert!(all["pages"].as_u64().unwrap() >= 3, "{all}");
    assert_eq!(all["next"], Value::Null);
    // One page at a time, as a workflow loop does it.
    let mut page = Value::Null;
    let mut seen = 0;
    for _ in 0..10 {
        let mut input = json!({"limit": 2});
        if !page.is_null() {
            input["page"] = page.clone();
        }
        let out = run(&host, "app.design_folder.list", cfg.clone(), input);
        seen += out["folders"].as_array().unwrap().len();
        page = out["next"].clone();
        if page.is_null() {
            break;
        }
        assert!(page.is_u64(), "{out}");
    }
    assert_eq!(seen, n);
}
