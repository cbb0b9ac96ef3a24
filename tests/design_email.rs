//! Design Studio email workflows through the host against the emulator: a version saved,
//! changed over and restored; an inbox preview started, polled and its capture downloaded as the
//! exact image bytes; an email linked, published and its publish followed to done.

mod common;

use cio_host::{ConnectorKind, Region};
use common::*;
use serde_json::{json, Value};

const EMAIL: &str = "00000000-0000-4000-8000-000000000003";

fn run(host: &cio_host::ConnectorHost, op: &str, input: Value) -> Value {
    run_ok(host, op, app(ConnectorKind::App, Region::Us), input)
}

#[test]
fn a_saved_version_brings_back_the_content_it_saved() {
    let emu = emulator();
    let host = host(&emu);
    let saved = run(
        &host,
        "app.design_email.save_version",
        json!({"email_id": EMAIL, "name": "before"}),
    );
    assert_eq!(saved["created"], true, "{saved}");
    let version = saved["version"]["id"].as_str().unwrap().to_string();
    // Nothing changed since: the same version comes back, not a new one.
    let again = run(
        &host,
        "app.design_email.save_version",
        json!({"email_id": EMAIL, "name": "same"}),
    );
    assert_eq!(
        (again["created"].clone(), again["version"]["id"].clone()),
        (json!(false), json!(version))
    );
    let edit = json!({"email_id": EMAIL, "content": {"subject": "Changed"}});
    run(&host, "app.design_email.update", edit);
    let changed = run(&host, "app.design_email.get", json!({"email_id": EMAIL}));
    assert_eq!(changed["email"]["content"]["subject"], "Changed");
    let listed = run(
        &host,
        "app.design_email.list_versions",
        json!({"email_id": EMAIL}),
    );
    assert!(
        listed["versions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["id"] == version.as_str()),
        "{listed}"
    );
    let restored = run(
        &host,
        "app.design_email.restore_version",
        json!({"email_id": EMAIL, "version_id": version}),
    );
    assert_eq!(restored["version_id"], version.as_str());
    let back = run(&host, "app.design_email.get", json!({"email_id": EMAIL}));
    assert_eq!(
        back["email"]["content"]["subject"],
        "Welcome, {{customer.first_name}}"
    );
}

#[test]
fn an_inbox_preview_capture_arrives_as_the_exact_image_bytes() {
    let emu = emulator();
    let host = host(&emu);
    let started = run(
        &host,
        "app.design_email.start_inbox_preview",
        json!({"email_id": EMAIL, "client_ids": ["iphone15_mail"], "name": "check"}),
    );
    let run_id = started["run_id"].as_i64().unwrap();
    let polled = run(
        &host,
        "app.design_email.get_inbox_preview",
        json!({"email_id": EMAIL, "run_id": run_id}),
    );
    assert_eq!(
        polled["previews"][0]["client_id"], "iphone15_mail",
        "{polled}"
    );
    let file = run(
        &host,
        "app.design_email.get_inbox_preview_capture",
        json!({"email_id": EMAIL, "run_id": run_id, "client_id": "iphone15_mail"}),
    );
    assert_eq!(file["content_type"], "image/png");
    let bytes = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        file["base64"].as_str().unwrap(),
    )
    .unwrap();
    // Read as text the PNG signature's 0x89 would have become U+FFFD: the bytes are kept.
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(file["size"], bytes.len());
}

#[test]
fn a_linked_email_publishes_and_its_publish_reports_done() {
    let emu = emulator();
    let host = host(&emu);
    let target = json!({"type": "newsletter", "newsletter_id": 12});
    let linked = run(
        &host,
        "app.design_email.link",
        json!({"email_id": EMAIL, "target": target}),
    );
    assert_eq!(linked["target"], target);
    let published = run(
        &host,
        "app.design_email.publish",
        json!({"email_id": EMAIL}),
    );
    assert_eq!(published["status"], "pending", "{published}");
    let id = published["publish_id"].as_str().unwrap();
    let status = run(
        &host,
        "app.design_email.publish_status",
        json!({"email_id": EMAIL, "publish_id": id}),
    );
    assert_eq!(status["status"], "done", "{status}");
    assert_eq!(status["mappings"][0]["node_id"], EMAIL);
    let changes = run(
        &host,
        "app.design_email.unpublished_changes",
        json!({"email_id": EMAIL}),
    );
    assert_eq!(changes["has_unpublished_changes"], false);
}
