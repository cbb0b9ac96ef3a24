//! End-to-end tests for the App API's content and settings families: collections, snippets,
//! assets, Design Studio, reporting webhooks, ESP suppressions, sender-identity usage and
//! subscription channels — stateful per workspace, on the App and Beta hosts of both regions.

mod common;

use cio_emulator::{Emulator, EmulatorConfig, Workspace};
use common::*;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::{json, Value};

const BETA_EU: &str = "beta-api-eu.customer.io";
const EU_KEY: &str = "eu-app-key";

fn start_two() -> Emulator {
    let mut config = EmulatorConfig::default();
    config
        .workspaces
        .push(Workspace::parse("eu-site:eu-track:eu-app-key:eu").unwrap());
    Emulator::start(config).unwrap()
}

fn demo(emu: &Emulator, method: &str, target: &str, body: &str) -> Reply {
    app(emu, method, APP, target, DEMO_KEY, body)
}

fn enc(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

/// Asserts an App error with this status (the body is the App error shape).
fn refused(r: &Reply, status: u16, what: &str) {
    assert_eq!(r.status, status, "{what}: {}", r.text());
    let body = r.json();
    assert_eq!(
        body["errors"][0]["status"],
        json!(status.to_string()),
        "{what}"
    );
    assert!(body["errors"][0]["detail"].is_string(), "{what}");
}

fn ok_json(r: &Reply, what: &str) -> Value {
    assert_eq!(r.status, 200, "{what}: {}", r.text());
    r.json()
}

#[test]
fn collections_crud_with_contents() {
    let emu = start();
    let list = ok_json(&demo(&emu, "GET", "/v1/collections", ""), "list");
    assert_eq!(list["collections"][0]["id"], json!(1));
    assert_eq!(
        list["collections"][0]["schema"],
        json!(["name", "price", "sku"])
    );
    let one = ok_json(&demo(&emu, "GET", "/v1/collections/1", ""), "get 1");
    assert_eq!(one["collection"]["rows"], json!(2));

    let created = demo(
        &emu,
        "POST",
        "/v1/collections",
        r#"{"name":"stores","data":[{"city":"Oslo"},{"city":"Lima","zip":"15001"}]}"#,
    );
    let created = ok_json(&created, "create");
    let id = created["collection"]["id"].as_u64().unwrap();
    assert_eq!(id, 2);
    assert_eq!(created["collection"]["schema"], json!(["city", "zip"]));
    let by_url = demo(
        &emu,
        "POST",
        "/v1/collections",
        r#"{"name":"remote","url":"https://example.com/data.csv"}"#,
    );
    assert_eq!(
        ok_json(&by_url, "by url")["collection"]["url"],
        json!("https://example.com/data.csv")
    );

    let path = format!("/v1/collections/{id}");
    let updated = ok_json(&demo(&emu, "PUT", &path, r#"{"name":"shops"}"#), "rename");
    assert_eq!(updated["collection"]["name"], json!("shops"));
    let contents = ok_json(
        &demo(&emu, "GET", &format!("{path}/content"), ""),
        "contents",
    );
    assert_eq!(contents[1]["city"], json!("Lima"));
    // The spec's body is one object; rows replace through PUT /v1/collections/{id}'s `data`.
    refused(
        &demo(
            &emu,
            "PUT",
            &format!("{path}/content"),
            r#"[{"city":"Rome"}]"#,
        ),
        400,
        "an array for the content",
    );
    let object = demo(
        &emu,
        "PUT",
        &format!("{path}/content"),
        r#"{"rome":{"zip":"00100"}}"#,
    );
    assert_eq!(
        ok_json(&object, "object contents")["collection"]["schema"],
        json!(["rome"])
    );
    let contents = ok_json(
        &demo(&emu, "GET", &format!("{path}/content"), ""),
        "contents 3",
    );
    assert_eq!(contents, json!({"rome": {"zip": "00100"}}));

    assert_eq!(demo(&emu, "DELETE", &path, "").status, 204);
    refused(&demo(&emu, "GET", &path, ""), 404, "deleted");
    refused(&demo(&emu, "DELETE", &path, ""), 404, "deleted twice");
    refused(
        &demo(&emu, "GET", "/v1/collections/abc", ""),
        404,
        "not an id",
    );
    refused(
        &demo(&emu, "POST", "/v1/collections", r#"{"data":[]}"#),
        400,
        "no name",
    );
    refused(
        &demo(&emu, "POST", "/v1/collections", r#"{"name":"x"}"#),
        400,
        "no data",
    );
    refused(
        &demo(
            &emu,
            "POST",
            "/v1/collections",
            r#"{"name":"x","data":[1]}"#,
        ),
        400,
        "rows not objects",
    );
    refused(
        &demo(&emu, "PUT", "/v1/collections/1", "{}"),
        400,
        "empty update",
    );
    let names: Vec<Value> = ok_json(&demo(&emu, "GET", "/v1/collections", ""), "list 2")
        ["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(names, [json!("products"), json!("remote")]);
}

#[test]
fn state_is_per_workspace_and_served_on_every_host() {
    let emu = start_two();
    let r = app(
        &emu,
        "POST",
        BETA_EU,
        "/v1/api/snippets",
        EU_KEY,
        r#"{"name":"eu only","value":"x"}"#,
    );
    ok_json(&r, "beta eu create");
    let eu = ok_json(&app_get(&emu, APP_EU, "/v1/snippets", EU_KEY), "eu list");
    assert_eq!(eu["snippets"].as_array().unwrap().len(), 2);
    let us = ok_json(
        &app_get(&emu, BETA, "/v1/api/snippets", DEMO_KEY),
        "us list",
    );
    assert_eq!(us["snippets"].as_array().unwrap().len(), 1);
    for (host, path, key) in [
        (APP, "/v1/collections/1", DEMO_KEY),
        (BETA, "/v1/api/collections/1", DEMO_KEY),
        (APP_EU, "/v1/assets/files/2", EU_KEY),
        (BETA_EU, "/v1/api/reporting_webhooks/1", EU_KEY),
        (APP_EU, "/v1/subscription_channels", EU_KEY),
        (APP, "/v1/sender_identities/1/used_by", DEMO_KEY),
    ] {
        ok_json(&app_get(&emu, host, path, key), path);
    }
    // Wrong region and no key are answered before the families.
    assert_eq!(
        app_get(&emu, APP_EU, "/v1/collections", DEMO_KEY).status,
        401
    );
    assert_eq!(send(&emu, "GET", APP, "/v1/snippets", &[], b"").status, 401);
}

#[test]
fn snippets_create_update_and_delete_by_encoded_name() {
    let emu = start();
    let list = ok_json(&demo(&emu, "GET", "/v1/snippets", ""), "list");
    assert_eq!(list["snippets"][0]["name"], json!("footer"));
    let name = "Grüße & news/letter+1";
    let body = json!({"name": name, "value": "<b>hi</b>"}).to_string();
    let created = ok_json(&demo(&emu, "POST", "/v1/snippets", &body), "create");
    assert_eq!(created["snippet"]["name"], json!(name));
    assert!(created["snippet"]["updated_at"].is_i64());
    let again = demo(&emu, "POST", "/v1/snippets", &body);
    refused(&again, 422, "create again");
    assert_eq!(
        again.json()["errors"][0]["source"]["pointer"],
        json!("/name")
    );
    let body = json!({"name": name, "value": "  <i>bye</i> "}).to_string();
    let updated = ok_json(&demo(&emu, "PUT", "/v1/snippets", &body), "upsert");
    assert_eq!(updated["snippet"]["value"], json!("<i>bye</i>"));
    let made = demo(&emu, "PUT", "/v1/snippets", r#"{"name":"new","value":"v"}"#);
    ok_json(&made, "upsert creates");
    let list = ok_json(&demo(&emu, "GET", "/v1/snippets", ""), "list 2");
    assert_eq!(list["snippets"].as_array().unwrap().len(), 3);
    assert_eq!(list["snippets"][1]["value"], json!("<i>bye</i>"));

    let path = format!("/v1/snippets/{}", enc(name));
    assert_eq!(demo(&emu, "DELETE", &path, "").status, 204);
    refused(&demo(&emu, "DELETE", &path, ""), 404, "gone");
    refused(
        &demo(&emu, "PUT", "/v1/snippets", r#"{"name":"x"}"#),
        400,
        "no value",
    );
    refused(
        &demo(&emu, "PUT", "/v1/snippets", r#"{"name":"x","value":" "}"#),
        400,
        "blank value",
    );
    refused(
        &demo(&emu, "POST", "/v1/snippets", r#"{"value":"x"}"#),
        422,
        "no name",
    );
    let long = json!({"name": "n".repeat(151), "value": "x"}).to_string();
    refused(&demo(&emu, "POST", "/v1/snippets", &long), 422, "long name");
    refused(
        &demo(&emu, "PUT", "/v1/snippets", "not json"),
        400,
        "not json",
    );
    assert_eq!(demo(&emu, "DELETE", "/v1/snippets/footer", "").status, 204);
}

#[test]
fn reporting_webhooks_crud() {
    let emu = start();
    let list = ok_json(&demo(&emu, "GET", "/v1/reporting_webhooks", ""), "list");
    assert_eq!(list["reporting_webhooks"].as_array().unwrap().len(), 3);
    let created = demo(
        &emu,
        "POST",
        "/v1/reporting_webhooks",
        r#"{"name":"mine","endpoint":"https://example.com/hook","events":["email_failed","webhook_failed"]}"#,
    );
    let created = ok_json(&created, "create");
    assert_eq!(
        created,
        json!({"id": 4, "name": "mine", "endpoint": "https://example.com/hook",
               "events": ["email_failed", "webhook_failed"], "type": "webhook",
               "disabled": false, "full_resolution": false, "with_content": false})
    );
    let updated = demo(
        &emu,
        "PUT",
        "/v1/reporting_webhooks/4",
        r#"{"name":"mine","endpoint":"https://example.com/hook","disabled":true,"events":["email_sent"]}"#,
    );
    let updated = ok_json(&updated, "update");
    assert_eq!(
        (updated["disabled"].clone(), updated["events"].clone()),
        (json!(true), json!(["email_sent"]))
    );
    let got = ok_json(&demo(&emu, "GET", "/v1/reporting_webhooks/4", ""), "get");
    assert_eq!(got, updated);
    let deleted = demo(&emu, "DELETE", "/v1/reporting_webhooks/4", "");
    assert_eq!((deleted.status, deleted.body.len()), (200, 0));
    refused(
        &demo(&emu, "GET", "/v1/reporting_webhooks/4", ""),
        404,
        "deleted",
    );
    refused(
        &demo(&emu, "PUT", "/v1/reporting_webhooks/99", "{}"),
        404,
        "unknown",
    );
    let partial = r#"{"disabled":true}"#;
    refused(
        &demo(&emu, "PUT", "/v1/reporting_webhooks/1", partial),
        400,
        "partial put",
    );
    for (body, what) in [
        (
            r#"{"endpoint":"https://e.com","events":["email_sent"]}"#,
            "no name",
        ),
        (r#"{"name":"n","events":["email_sent"]}"#, "no endpoint"),
        (r#"{"name":"n","endpoint":"https://e.com"}"#, "no events"),
        (
            r#"{"name":"n","endpoint":"https://e.com","events":[]}"#,
            "empty events",
        ),
        (
            r#"{"name":"n","endpoint":"https://e.com","events":["nope"]}"#,
            "unknown event",
        ),
    ] {
        refused(
            &demo(&emu, "POST", "/v1/reporting_webhooks", body),
            400,
            what,
        );
    }
    let list = ok_json(&demo(&emu, "GET", "/v1/reporting_webhooks", ""), "list 2");
    assert_eq!(list["reporting_webhooks"].as_array().unwrap().len(), 3);
}

#[test]
fn esp_suppressions_are_stateful() {
    let emu = start();
    let bounces = ok_json(
        &demo(&emu, "GET", "/v1/esp/suppression/bounces", ""),
        "bounces",
    );
    assert_eq!(bounces["category"], json!("bounces"));
    assert_eq!(
        bounces["suppressions"][1]["email"],
        json!("gone@example.com")
    );
    let blocks = ok_json(
        &demo(&emu, "GET", "/v1/esp/suppression/blocks", ""),
        "blocks",
    );
    assert_eq!(blocks, json!({"category": "blocks", "suppressions": null}));
    refused(
        &demo(&emu, "GET", "/v1/esp/suppression/spam", ""),
        400,
        "unknown type",
    );

    let email = "jane+esp@example.com";
    let path = format!("/v1/esp/suppression/blocks/{}", enc(email));
    assert_eq!(ok_json(&demo(&emu, "POST", &path, ""), "add"), json!({}));
    ok_json(&demo(&emu, "POST", &path, ""), "add again");
    let blocks = ok_json(
        &demo(&emu, "GET", "/v1/esp/suppression/blocks", ""),
        "blocks 2",
    );
    assert_eq!(blocks["suppressions"].as_array().unwrap().len(), 1);
    assert_eq!(blocks["suppressions"][0]["email"], json!(email));
    let found = ok_json(
        &demo(
            &emu,
            "GET",
            &format!("/v1/esp/search_suppression/{}", enc(email)),
            "",
        ),
        "search",
    );
    assert_eq!(
        (
            found["category"].clone(),
            found["suppressions"][0]["email"].clone()
        ),
        (json!("blocks"), json!(email))
    );
    let domain = ok_json(
        &demo(
            &emu,
            "GET",
            "/v1/esp/domains/mail.example.com/suppression/blocks",
            "",
        ),
        "domain",
    );
    assert_eq!(
        (
            domain["suppressions"][0]["email"].clone(),
            domain["next"].clone()
        ),
        (json!(email), json!(""))
    );

    // Paging: limit + offset on the type list, limit + start on the domain list.
    let page = ok_json(
        &demo(
            &emu,
            "GET",
            "/v1/esp/suppression/bounces?limit=1&offset=1",
            "",
        ),
        "offset",
    );
    assert_eq!(page["suppressions"][0]["email"], json!("gone@example.com"));
    let first = ok_json(
        &demo(
            &emu,
            "GET",
            "/v1/esp/domains/mail.example.com/suppression/bounces?limit=1",
            "",
        ),
        "p1",
    );
    let next = first["next"].as_str().unwrap().to_string();
    assert!(!next.is_empty());
    let target = format!(
        "/v1/esp/domains/mail.example.com/suppression/bounces?limit=1&start={}",
        enc(&next)
    );
    let second = ok_json(&demo(&emu, "GET", &target, ""), "p2");
    assert_eq!(
        (
            second["suppressions"][0]["email"].clone(),
            second["next"].clone()
        ),
        (json!("gone@example.com"), json!(""))
    );
    let filtered = ok_json(
        &demo(
            &emu,
            "GET",
            "/v1/esp/domains/mail.example.com/suppression/bounces?email=GONE%40example.com",
            "",
        ),
        "email filter",
    );
    assert_eq!(filtered["suppressions"].as_array().unwrap().len(), 1);
    refused(
        &demo(&emu, "GET", "/v1/esp/suppression/bounces?limit=x", ""),
        400,
        "bad limit",
    );
    refused(
        &demo(&emu, "POST", "/v1/esp/suppression/bounces/not-an-email", ""),
        400,
        "bad email",
    );
    refused(
        &demo(
            &emu,
            "POST",
            &format!("/v1/esp/suppression/nope/{}", enc(email)),
            "",
        ),
        400,
        "bad type",
    );

    assert_eq!(demo(&emu, "DELETE", &path, "").status, 204);
    let blocks = ok_json(
        &demo(&emu, "GET", "/v1/esp/suppression/blocks", ""),
        "blocks 3",
    );
    assert_eq!(blocks["suppressions"], Value::Null);
    let found = ok_json(
        &demo(
            &emu,
            "GET",
            &format!("/v1/esp/search_suppression/{}", enc(email)),
            "",
        ),
        "search 2",
    );
    assert_eq!(found["suppressions"], json!([]));
}

#[test]
fn sender_usage_and_subscription_channels() {
    let emu = start();
    let used = ok_json(
        &demo(&emu, "GET", "/v1/sender_identities/1/used_by", ""),
        "used_by",
    );
    assert_eq!(
        used,
        json!({"campaigns": [1, 2, 3], "sent_newsletters": [1, 2], "draft_newsletters": [3]})
    );
    let unused = ok_json(
        &demo(&emu, "GET", "/v1/sender_identities/5/used_by", ""),
        "unused",
    );
    assert_eq!(unused["campaigns"], json!([]));
    refused(
        &demo(&emu, "GET", "/v1/sender_identities/7/used_by", ""),
        404,
        "unknown sender",
    );
    ok_json(
        &demo(&emu, "GET", "/v1/sender_identities/1", ""),
        "sender still served",
    );
    let channels = ok_json(
        &demo(&emu, "GET", "/v1/subscription_channels", ""),
        "channels",
    );
    assert_eq!(channels["channels"][0]["type"], json!("email"));
    ok_json(
        &demo(&emu, "GET", "/v1/subscription_topics", ""),
        "topics still served",
    );
    ok_json(
        &demo(&emu, "GET", "/v1/info/ip_addresses", ""),
        "ip addresses still served",
    );
    refused(
        &demo(&emu, "PATCH", "/v1/snippets", ""),
        404,
        "other method",
    );
}

/// A multipart/form-data body with a `file` part and optional text fields.
fn multipart(filename: &str, bytes: &[u8], fields: &[(&str, &str)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!("--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend(
        format!("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .as_bytes(),
    );
    body.extend(bytes);
    body.extend(b"\r\n--XyZ--\r\n");
    body
}

fn upload(emu: &Emulator, body: &[u8]) -> Reply {
    let auth = bearer(DEMO_KEY);
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "multipart/form-data; boundary=XyZ"),
    ];
    send(emu, "POST", APP, "/v1/assets/files", &headers, body)
}

#[test]
fn assets_files_and_folders() {
    let emu = start();
    let all = ok_json(&demo(&emu, "GET", "/v1/assets", ""), "assets");
    assert_eq!(all["assets"][0]["id"], json!(2));
    assert_eq!(
        all["meta"]["pagination"],
        json!({"page": 1, "limit": 1000, "total": 1})
    );
    let folder = ok_json(
        &demo(
            &emu,
            "POST",
            "/v1/assets/folders",
            r#"{"name":"Promo","parent_folder_id":1}"#,
        ),
        "folder",
    );
    assert_eq!(
        (
            folder["folder"]["id"].clone(),
            folder["folder"]["parent_folder_id"].clone()
        ),
        (json!(4), json!(1))
    );
    refused(
        &demo(
            &emu,
            "POST",
            "/v1/assets/folders",
            r#"{"name":"Promo","parent_folder_id":1}"#,
        ),
        409,
        "dup folder",
    );
    refused(
        &demo(
            &emu,
            "POST",
            "/v1/assets/folders",
            r#"{"parent_folder_id":1}"#,
        ),
        400,
        "no name",
    );
    refused(
        &demo(
            &emu,
            "POST",
            "/v1/assets/folders",
            r#"{"name":"x","parent_folder_id":99}"#,
        ),
        404,
        "no parent",
    );

    let r = upload(
        &emu,
        &multipart("banner.PNG", b"\x89PNGdata", &[("parent_folder_id", "4")]),
    );
    let file = ok_json(&r, "upload");
    assert_eq!(
        (
            file["asset"]["id"].clone(),
            file["asset"]["name"].clone(),
            file["asset"]["size"].clone(),
            file["asset"]["parent_folder_id"].clone()
        ),
        (json!(5), json!("banner.PNG"), json!(8), json!(4))
    );
    let json_upload = demo(
        &emu,
        "POST",
        "/v1/assets/files",
        r#"{"name":"doc.pdf","content":"JVBERi0="}"#,
    );
    assert_eq!(
        ok_json(&json_upload, "json upload")["asset"]["parent_folder_id"],
        Value::Null
    );
    refused(
        &upload(&emu, &multipart("x.exe", b"MZ", &[])),
        400,
        "bad type",
    );
    refused(
        &upload(
            &emu,
            b"--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx.png\r\n--XyZ--\r\n",
        ),
        400,
        "no file",
    );

    let under = ok_json(
        &demo(&emu, "GET", "/v1/assets?parent_folder_id=1", ""),
        "under 1",
    );
    assert_eq!(under["assets"].as_array().unwrap().len(), 2);
    let direct = ok_json(
        &demo(
            &emu,
            "GET",
            "/v1/assets?parent_folder_id=1&direct_descendants_only=true",
            "",
        ),
        "direct",
    );
    assert_eq!(direct["assets"].as_array().unwrap().len(), 1);
    let paged = ok_json(
        &demo(&emu, "GET", "/v1/assets?limit=1&page=2", ""),
        "page 2",
    );
    assert_eq!(
        (
            paged["assets"][0]["id"].clone(),
            paged["meta"]["pagination"]["total"].clone()
        ),
        (json!(5), json!(3))
    );
    refused(
        &demo(&emu, "GET", "/v1/assets?limit=0", ""),
        400,
        "bad limit",
    );
    let folders = ok_json(&demo(&emu, "GET", "/v1/assets/folders", ""), "folders");
    // Brand (1), the seeded empty Archive (3) and Promo.
    assert_eq!(folders["folders"].as_array().unwrap().len(), 3);

    assert_eq!(
        demo(
            &emu,
            "PUT",
            "/v1/assets/files/5",
            r#"{"name":"hero.png","parent_folder_id":null}"#
        )
        .status,
        204
    );
    let got = ok_json(&demo(&emu, "GET", "/v1/assets/files/5", ""), "get file");
    assert_eq!(
        (
            got["asset"]["name"].clone(),
            got["asset"]["parent_folder_id"].clone()
        ),
        (json!("hero.png"), Value::Null)
    );
    refused(
        &demo(&emu, "PUT", "/v1/assets/files/5", "{}"),
        400,
        "empty update",
    );
    refused(
        &demo(
            &emu,
            "PUT",
            "/v1/assets/folders/1",
            r#"{"parent_folder_id":4}"#,
        ),
        409,
        "cycle",
    );
    refused(
        &demo(&emu, "GET", "/v1/assets/files/1", ""),
        404,
        "a folder is not a file",
    );
    refused(
        &demo(&emu, "DELETE", "/v1/assets/folders/1", ""),
        409,
        "not empty",
    );
    assert_eq!(demo(&emu, "DELETE", "/v1/assets/folders/4", "").status, 204);
    // The seeded Archive folder is empty.
    assert_eq!(demo(&emu, "DELETE", "/v1/assets/folders/3", "").status, 204);
    assert_eq!(demo(&emu, "DELETE", "/v1/assets/files/5", "").status, 204);
    refused(&demo(&emu, "GET", "/v1/assets/files/5", ""), 404, "deleted");
    assert_eq!(
        demo(&emu, "PUT", "/v1/assets/folders/1", r#"{"name":"Logos"}"#).status,
        204
    );
    let got = ok_json(&demo(&emu, "GET", "/v1/assets/folders/1", ""), "get folder");
    assert_eq!(got["folder"]["name"], json!("Logos"));
}

const DS: &str = "/v1/design_studio";
const SEED_FOLDER: &str = "00000000-0000-4000-8000-000000000001";
const SEED_COMPONENT: &str = "00000000-0000-4000-8000-000000000002";
const SEED_EMAIL: &str = "00000000-0000-4000-8000-000000000003";

#[test]
fn design_studio_folders() {
    let emu = start();
    let list = ok_json(&demo(&emu, "GET", &format!("{DS}/folders"), ""), "folders");
    assert_eq!(list["folders"][0]["id"], json!(SEED_FOLDER));
    assert_eq!(
        list["meta"]["pagination"],
        json!({"page": 1, "limit": 1000, "total": 1})
    );
    let body = json!({"name": "Promos", "parent_folder_id": SEED_FOLDER}).to_string();
    let made = ok_json(
        &demo(&emu, "POST", &format!("{DS}/folders"), &body),
        "create",
    );
    let child = made["folder"]["id"].as_str().unwrap().to_string();
    assert_eq!(made["folder"]["parent_folder_id"], json!(SEED_FOLDER));
    let root_only = ok_json(
        &demo(
            &emu,
            "GET",
            &format!("{DS}/folders?direct_descendants_only=true"),
            "",
        ),
        "root only",
    );
    assert_eq!(root_only["folders"].as_array().unwrap().len(), 1);
    let under = format!("{DS}/folders?parent_folder_id={SEED_FOLDER}&sort_by=name&sort_order=desc");
    let under = ok_json(&demo(&emu, "GET", &under, ""), "under");
    assert_eq!(under["folders"][0]["id"], json!(child));
    assert_eq!(under["meta"]["filters"]["sort_order"], json!("desc"));
    let path = format!("{DS}/folders/{child}");
    assert_eq!(
        demo(
            &emu,
            "PUT",
            &path,
            r#"{"name":"Deals","parent_folder_id":null}"#
        )
        .status,
        204
    );
    let got = ok_json(&demo(&emu, "GET", &path, ""), "get");
    assert_eq!(
        (
            got["folder"]["name"].clone(),
            got["folder"]["parent_folder_id"].clone()
        ),
        (json!("Deals"), Value::Null)
    );
    for (body, status, what) in [
        ("{}", 400, "no name"),
        (r#"{"name":"a/b"}"#, 400, "bad character"),
        (r#"{"name":"x","parent_folder_id":""}"#, 400, "empty parent"),
        (
            r#"{"name":"x","parent_folder_id":"00000000-0000-4000-8000-0000000000ff"}"#,
            404,
            "no parent",
        ),
        (r#"{"name":"x","color":"red"}"#, 400, "unknown field"),
    ] {
        refused(
            &demo(&emu, "POST", &format!("{DS}/folders"), body),
            status,
            what,
        );
    }
    refused(&demo(&emu, "PUT", &path, "{}"), 400, "empty update");
    let cycle = json!({"parent_folder_id": child}).to_string();
    refused(&demo(&emu, "PUT", &path, &cycle), 400, "into itself");
    refused(
        &demo(&emu, "GET", &format!("{DS}/folders?page=0"), ""),
        400,
        "page 0",
    );
    // Deleting the seeded folder takes the component in it along.
    assert_eq!(
        demo(&emu, "DELETE", &format!("{DS}/folders/{SEED_FOLDER}"), "").status,
        204
    );
    refused(
        &demo(
            &emu,
            "GET",
            &format!("{DS}/components/{SEED_COMPONENT}"),
            "",
        ),
        404,
        "component gone",
    );
    assert_eq!(demo(&emu, "DELETE", &path, "").status, 204);
    refused(&demo(&emu, "GET", &path, ""), 404, "deleted");
}

#[test]
fn design_studio_components() {
    let emu = start();
    let list = ok_json(&demo(&emu, "GET", &format!("{DS}/components"), ""), "list");
    assert_eq!(list["components"][0]["tag"], json!("button"));
    assert!(list["components"][0].get("content").is_none());
    assert_eq!(list["folders"][0]["id"], json!(SEED_FOLDER));
    let body = r#"{"name":"Header","tag":"site-header","content":"<header>Hi</header>"}"#;
    let made = ok_json(
        &demo(&emu, "POST", &format!("{DS}/components"), body),
        "create",
    );
    let id = made["component"]["id"].as_str().unwrap().to_string();
    assert_eq!(made["component"]["content"], json!("<header>Hi</header>"));
    refused(
        &demo(&emu, "POST", &format!("{DS}/components"), body),
        409,
        "tag taken",
    );
    refused(
        &demo(
            &emu,
            "POST",
            &format!("{DS}/components"),
            r#"{"name":"x","tag":"x"}"#,
        ),
        400,
        "no content",
    );
    refused(
        &demo(
            &emu,
            "POST",
            &format!("{DS}/components"),
            r#"{"name":"x","tag":"1 x","content":""}"#,
        ),
        400,
        "bad tag",
    );
    let by_tag = ok_json(
        &demo(&emu, "GET", &format!("{DS}/components?tag=site-header"), ""),
        "by tag",
    );
    assert_eq!(by_tag["components"].as_array().unwrap().len(), 1);
    let path = format!("{DS}/components/{id}");
    assert_eq!(
        demo(&emu, "PUT", &path, r#"{"content":"<header>Bye</header>"}"#).status,
        204
    );
    let got = ok_json(&demo(&emu, "GET", &path, ""), "get");
    assert_eq!(got["component"]["content"], json!("<header>Bye</header>"));
    refused(
        &demo(&emu, "PUT", &path, r#"{"tag":"button"}"#),
        409,
        "tag of another",
    );
    assert_eq!(demo(&emu, "DELETE", &path, "").status, 204);
    refused(&demo(&emu, "DELETE", &path, ""), 404, "deleted");
}

#[test]
fn design_studio_emails_and_translations() {
    let emu = start_two();
    let list = ok_json(
        &app_get(&emu, BETA_EU, "/v1/api/design_studio/emails", EU_KEY),
        "eu list",
    );
    assert_eq!(list["emails"][0]["id"], json!(SEED_EMAIL));
    assert_eq!(list["emails"][0]["has_translations"], json!(true));
    let seeded = ok_json(
        &demo(&emu, "GET", &format!("{DS}/emails/{SEED_EMAIL}"), ""),
        "seeded",
    );
    assert_eq!(seeded["email"]["available_languages"], json!(["fr"]));
    assert_eq!(
        seeded["email"]["envelope"]["recipient"],
        json!("{{customer.email}}")
    );

    let body = json!({
        "name": "Receipt",
        "is_template": true,
        "content": {"subject": "Your order", "html": "<p>Thanks</p>"},
        "envelope": {"from_id": 2, "headers": [{"name": "X-Tag", "value": "r"}]},
        "transformers": {"css_inliner": {"enabled": true}},
    })
    .to_string();
    let made = ok_json(
        &demo(&emu, "POST", &format!("{DS}/emails"), &body),
        "create",
    );
    let id = made["email"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        made["email"]["envelope"]["from"],
        json!("Demo support <support@example.com>")
    );
    assert_eq!(made["email"]["content"]["preheader_text"], json!(""));
    let templates = ok_json(
        &demo(&emu, "GET", &format!("{DS}/emails?is_template=true"), ""),
        "templates",
    );
    assert_eq!(templates["emails"].as_array().unwrap().len(), 1);
    for (body, what) in [
        (r#"{"content":{}}"#, "no name"),
        (
            r#"{"name":"x","content":{"body":"?"}}"#,
            "unknown content field",
        ),
        (
            r#"{"name":"x","envelope":{"from_id":99}}"#,
            "unknown sender",
        ),
        (
            r#"{"name":"x","transformers":{"magic":{}}}"#,
            "unknown transformer",
        ),
    ] {
        refused(
            &demo(&emu, "POST", &format!("{DS}/emails"), body),
            400,
            what,
        );
    }
    let path = format!("{DS}/emails/{id}");
    assert_eq!(
        demo(
            &emu,
            "PUT",
            &path,
            r#"{"content":{"subject":"Your receipt"}}"#
        )
        .status,
        204
    );
    let got = ok_json(&demo(&emu, "GET", &path, ""), "get");
    assert_eq!(
        (
            got["email"]["content"]["subject"].clone(),
            got["email"]["content"]["html"].clone()
        ),
        (json!("Your receipt"), json!("<p>Thanks</p>"))
    );
    refused(&demo(&emu, "PUT", &path, "{}"), 400, "empty update");

    let languages = format!("{path}/languages");
    let made = demo(
        &emu,
        "POST",
        &languages,
        r#"{"language":"pt-BR","content":{"subject":"Seu recibo"}}"#,
    );
    let made = ok_json(&made, "add translation");
    assert_eq!(
        (
            made["email_translation"]["language_group_id"].clone(),
            made["email_translation"]["content"]["html"].clone()
        ),
        (json!(id), json!("<p>Thanks</p>"))
    );
    refused(
        &demo(&emu, "POST", &languages, r#"{"language":"pt-BR"}"#),
        409,
        "twice",
    );
    refused(&demo(&emu, "POST", &languages, r#"{}"#), 400, "no language");
    refused(
        &demo(&emu, "POST", &languages, r#"{"language":"Portuguese!"}"#),
        400,
        "bad language",
    );
    let one = format!("{languages}/pt-BR");
    assert_eq!(
        demo(
            &emu,
            "PUT",
            &one,
            r#"{"content":{"html":"<p>Obrigado</p>"}}"#
        )
        .status,
        204
    );
    let got = ok_json(&demo(&emu, "GET", &one, ""), "get translation");
    assert_eq!(
        got["email_translation"]["content"]["html"],
        json!("<p>Obrigado</p>")
    );
    let all = ok_json(&demo(&emu, "GET", &languages, ""), "translations");
    assert_eq!(all["email_translations"].as_array().unwrap().len(), 1);
    refused(
        &demo(&emu, "GET", &format!("{languages}/de"), ""),
        404,
        "no such language",
    );
    assert_eq!(demo(&emu, "DELETE", &one, "").status, 204);
    refused(&demo(&emu, "GET", &one, ""), 404, "translation deleted");
    assert_eq!(demo(&emu, "DELETE", &path, "").status, 204);
    refused(&demo(&emu, "GET", &path, ""), 404, "email deleted");
    refused(
        &demo(&emu, "GET", &format!("{DS}/emails/nope/languages"), ""),
        404,
        "unknown email",
    );
    refused(
        &demo(&emu, "GET", &format!("{DS}/widgets"), ""),
        404,
        "unknown family",
    );
    // The EU workspace's seeded email was untouched by the US writes.
    let eu = ok_json(
        &app_get(
            &emu,
            APP_EU,
            &format!("{DS}/emails/{SEED_EMAIL}/languages/fr"),
            EU_KEY,
        ),
        "eu fr",
    );
    assert_eq!(eu["email_translation"]["language"], json!("fr"));
}
