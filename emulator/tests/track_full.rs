//! End-to-end tests for the whole Track API over loopback HTTP: v1 suppressions, devices, merges,
//! manual segments, forms, the unauthenticated metric/push/unsubscribe endpoints, v2 entity and
//! batch, size limits, regions, the fixture table and the state inspection routes.

mod common;

use cio_emulator::{
    Device, Emulator, EmulatorConfig, FormSubmission, Relationship, StoredObject, Workspace,
};
use common::*;
use serde_json::{json, Map, Value};

const SITE: &str = "demo-site";
const UNAUTHORIZED: &str = r#"{"meta":{"errors":["Unauthorized request. Make sure that you provided the right credentials."]}}"#;

/// A Track call with the demo workspace's credentials and a JSON body.
fn demo(emu: &Emulator, method: &str, target: &str, body: &str) -> Reply {
    track_json(emu, TRACK, Some(&demo_basic()), method, target, body)
}

/// The people of the demo workspace, each as their id, else email.
fn people(emu: &Emulator) -> Vec<String> {
    emu.people(SITE)
        .into_iter()
        .map(|p| p.id.or(p.email).unwrap_or_default())
        .collect()
}

fn assert_ok(reply: &Reply) {
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.body, b"{}\n");
}

fn demo_ok(emu: &Emulator, method: &str, target: &str, body: &str) {
    let reply = demo(emu, method, target, body);
    assert!(
        reply.status == 200,
        "{method} {target} {body}: {}",
        reply.text()
    );
    assert_ok(&reply);
}

/// A v1 error: `status` with `{"meta":{"errors":[message]}}`.
fn assert_v1_error(reply: &Reply, status: u16, message: &str) {
    assert_eq!(
        (reply.status, reply.json()),
        (status, json!({"meta": {"errors": [message]}})),
        "{}",
        reply.text()
    );
}

fn entity(emu: &Emulator, op: &Value) -> Reply {
    demo(emu, "POST", "/api/v2/entity", &op.to_string())
}

fn batch(emu: &Emulator, ops: &[Value]) -> Reply {
    demo(
        emu,
        "POST",
        "/api/v2/batch",
        &json!({ "batch": ops }).to_string(),
    )
}

fn map(value: Value) -> Map<String, Value> {
    value.as_object().cloned().expect("an object")
}

fn start_with_eu() -> Emulator {
    let mut config = EmulatorConfig::default();
    config
        .workspaces
        .push(Workspace::parse("eu-site:eu-track:eu-app:eu").unwrap());
    Emulator::start(config).unwrap()
}

/// An identify operation whose attributes make it about `attributes` KB of JSON.
fn padded_identify(id: &str, attributes: usize) -> Value {
    let attrs: Map<String, Value> = (0..attributes)
        .map(|i| (format!("a{i}"), json!("v".repeat(1000))))
        .collect();
    json!({"type": "person", "action": "identify", "identifiers": {"id": id}, "attributes": attrs})
}

#[test]
fn suppress_deletes_and_blocks_identify_until_unsuppressed() {
    let emu = start();
    // The demo workspace's Jane (42), with her email written as a client might.
    demo_ok(
        &emu,
        "PUT",
        "/api/v1/customers/42",
        r#"{"email":"Jane@Example.com","plan":"pro"}"#,
    );
    demo_ok(&emu, "POST", "/api/v1/customers/42/suppress", "");
    assert!(emu.person(SITE, "42").is_none());
    assert_eq!(emu.suppressed(SITE), ["42", "Jane@Example.com"]);
    // Each is dropped with 200: the id, the email in any case, a body naming either, an event.
    for (method, target, body) in [
        ("PUT", "/api/v1/customers/42", "{}"),
        ("PUT", "/api/v1/customers/jane%40example.com", "{}"),
        (
            "PUT",
            "/api/v1/customers/new",
            r#"{"email":"JANE@example.com"}"#,
        ),
        (
            "POST",
            "/api/v1/customers/42/events",
            r#"{"name":"ignored"}"#,
        ),
        (
            "PUT",
            "/api/v1/customers/42/devices",
            r#"{"device":{"id":"t","platform":"ios"}}"#,
        ),
    ] {
        demo_ok(&emu, method, target, body);
    }
    assert_eq!(
        people(&emu),
        ["43"],
        "the demo workspace's other person is left"
    );
    assert!(emu.events(SITE).is_empty());
    // An identifier nobody has can be suppressed too; the body may be `{}`.
    demo_ok(&emu, "POST", "/api/v1/customers/ghost/suppress", "{}");
    assert_eq!(emu.suppressed(SITE), ["42", "Jane@Example.com", "ghost"]);
    // Unsuppressing either identifier of a person frees both, without restoring the person.
    demo_ok(
        &emu,
        "POST",
        "/api/v1/customers/jane%40example.com/unsuppress",
        "",
    );
    assert_eq!(emu.suppressed(SITE), ["ghost"]);
    assert!(emu.person(SITE, "42").is_none());
    demo_ok(&emu, "PUT", "/api/v1/customers/42", "{}");
    assert!(emu.person(SITE, "42").is_some());

    let r = demo(&emu, "POST", "/api/v1/customers/42/suppress", "[1]");
    assert_v1_error(&r, 400, "the request body must be a JSON object");
}

#[test]
fn devices_are_upserted_by_token_and_deleted() {
    let emu = start();
    let path = "/api/v1/customers/u%2B1/devices";
    demo_ok(
        &emu,
        "PUT",
        path,
        r#"{"device":{"id":"tok/1","platform":"ios","last_used":1700000000,"attributes":{"app_version":"1.0"}}}"#,
    );
    assert!(
        emu.person(SITE, "u+1").is_some(),
        "a device creates the person"
    );
    assert_eq!(
        emu.devices(SITE, "u+1"),
        [Device {
            id: "tok/1".into(),
            platform: "ios".into(),
            last_used: 1_700_000_000,
            attributes: map(json!({"app_version": "1.0"})),
        }]
    );
    // The same token updates platform and last_used (now when absent) and merges attributes.
    demo_ok(
        &emu,
        "PUT",
        path,
        r#"{"device":{"id":"tok/1","platform":"android","attributes":{"push_enabled":"true"}}}"#,
    );
    demo_ok(
        &emu,
        "PUT",
        path,
        r#"{"device":{"id":"tok2","platform":"ios","attributes":null}}"#,
    );
    let devices = emu.devices(SITE, "u+1");
    assert_eq!(devices.len(), 2);
    assert_eq!(devices[0].platform, "android");
    assert!(devices[0].last_used > 1_700_000_000);
    assert_eq!(
        devices[0].attributes,
        map(json!({"app_version": "1.0", "push_enabled": "true"}))
    );
    let r = app_get(&emu, APP, "/v1/customers/u%2B1/attributes", DEMO_KEY);
    assert_eq!(r.json()["customer"]["devices"][1]["id"], "tok2");

    // The token in the path may hold an encoded '/'; an unknown token is fine.
    demo_ok(
        &emu,
        "DELETE",
        "/api/v1/customers/u%2B1/devices/tok%2F1",
        "",
    );
    demo_ok(
        &emu,
        "DELETE",
        "/api/v1/customers/u%2B1/devices/unknown",
        "",
    );
    let ids: Vec<String> = emu.devices(SITE, "u+1").into_iter().map(|d| d.id).collect();
    assert_eq!(ids, ["tok2"]);

    for (body, message) in [
        ("{}", "device is required"),
        (r#"{"device":[]}"#, "device must be a JSON object"),
        (r#"{"device":{"platform":"ios"}}"#, "device.id is required"),
        (
            r#"{"device":{"id":"","platform":"ios"}}"#,
            "device.id is required",
        ),
        (r#"{"device":{"id":"t"}}"#, "device.platform is required"),
        (
            r#"{"device":{"id":"t","platform":"web"}}"#,
            r#"device.platform must be one of ios, android, not "web""#,
        ),
        (
            r#"{"device":{"id":"t","platform":"ios","last_used":"1700000000"}}"#,
            "device.last_used must be an integer",
        ),
        (
            r#"{"device":{"id":"t","platform":"ios","attributes":{"n":1}}}"#,
            "device.attributes.n must be a string",
        ),
    ] {
        let r = demo(&emu, "PUT", "/api/v1/customers/v/devices", body);
        assert_v1_error(&r, 400, message);
    }
    assert!(emu.person(SITE, "v").is_none());
}

#[test]
fn merge_moves_the_secondary_into_the_primary() {
    let emu = start();
    demo_ok(&emu, "PUT", "/api/v1/customers/p", r#"{"plan":"pro"}"#);
    demo_ok(
        &emu,
        "PUT",
        "/api/v1/customers/s",
        r#"{"plan":"free","email":"s@example.com","city":"Oslo"}"#,
    );
    demo_ok(
        &emu,
        "PUT",
        "/api/v1/customers/s/devices",
        r#"{"device":{"id":"tok","platform":"ios"}}"#,
    );
    demo_ok(
        &emu,
        "POST",
        "/api/v1/segments/7/add_customers",
        r#"{"ids":["s"]}"#,
    );
    demo_ok(
        &emu,
        "POST",
        "/api/v1/customers/s/events",
        r#"{"name":"signup"}"#,
    );
    let merge = |body: &str| demo(&emu, "POST", "/api/v1/merge_customers", body);
    assert_ok(&merge(
        r#"{"primary":{"id":"p"},"secondary":{"email":"S@example.com"}}"#,
    ));

    assert!(emu.person(SITE, "s").is_none());
    let p = emu.person(SITE, "p").unwrap();
    assert_eq!(p.attributes["plan"], "pro", "the primary's values win");
    assert_eq!(p.attributes["city"], "Oslo");
    assert_eq!(p.email.as_deref(), Some("s@example.com"));
    assert_eq!(emu.devices(SITE, "p")[0].id, "tok");
    assert_eq!(
        emu.segment_members(SITE, 7),
        ["42", "p"],
        "42 is the demo's own"
    );
    assert_eq!(emu.events(SITE)[0].person.as_deref(), Some("p"));

    // An unknown primary: 200 and nothing happens. A cio_id (no prefix) names the primary.
    demo_ok(&emu, "PUT", "/api/v1/customers/t", "{}");
    assert_ok(&merge(
        r#"{"primary":{"cio_id":"ffffffff"},"secondary":{"id":"t"}}"#,
    ));
    assert!(emu.person(SITE, "t").is_some());
    let body = json!({"primary": {"cio_id": p.cio_id}, "secondary": {"id": "t"}});
    assert_ok(&merge(&body.to_string()));
    assert!(emu.person(SITE, "t").is_none());

    for (body, message) in [
        (
            r#"{"primary":{"id":"p","email":"x@y.z"},"secondary":{"id":"t"}}"#,
            "primary must have exactly one of id, email, cio_id (found email, id)",
        ),
        (r#"{"primary":{"id":"p"}}"#, "secondary is required"),
        (
            r#"{"primary":{"phone":"+1"},"secondary":{"id":"t"}}"#,
            "primary must have exactly one of id, email, cio_id (found phone)",
        ),
        (
            r#"{"primary":{"id":"p"},"secondary":{"id":""}}"#,
            "secondary.id is required",
        ),
        ("", "the request body is empty; expected a JSON object"),
    ] {
        let r = merge(body);
        assert_eq!(
            (r.status, r.json()),
            (400, json!({"meta": {"error": message}})),
            "{body}"
        );
    }
}

#[test]
fn manual_segment_membership_and_its_errors() {
    let emu = start();
    // Segment 7 starts with the demo workspace's Jane (42).
    for id in ["a", "b"] {
        let body = json!({ "email": format!("{id}@example.com") }).to_string();
        demo_ok(&emu, "PUT", &format!("/api/v1/customers/{id}"), &body);
    }
    let segment = |action: &str, query: &str, ids: Value| {
        let target = format!("/api/v1/segments/7/{action}{query}");
        demo(&emu, "POST", &target, &json!({ "ids": ids }).to_string())
    };
    assert_ok(&segment("add_customers", "", json!(["a", "b", "ghost"])));
    assert_eq!(emu.segment_members(SITE, 7), ["42", "a", "b"]);
    assert!(emu.person(SITE, "ghost").is_none());
    assert_ok(&segment(
        "remove_customers",
        "?id_type=email",
        json!(["A@example.com"]),
    ));
    assert_eq!(emu.segment_members(SITE, 7), ["42", "b"]);
    let cio = emu.person(SITE, "a").unwrap().cio_id;
    assert_ok(&segment("add_customers", "?id_type=cio_id", json!([cio])));
    // Values of another identifier type name nobody and are ignored.
    assert_ok(&segment("remove_customers", "", json!(["a@example.com"])));
    assert_eq!(emu.segment_members(SITE, 7), ["42", "a", "b"]);
    // Deleting a person ends their memberships; 1000 ids is the most one call may carry.
    demo_ok(&emu, "DELETE", "/api/v1/customers/b", "");
    assert_eq!(emu.segment_members(SITE, 7), ["42", "a"]);
    let thousand: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
    assert_ok(&segment("add_customers", "", json!(thousand)));
    assert!(emu.segment_members(SITE, 3).is_empty());

    let too_many: Vec<String> = (0..1001).map(|i| i.to_string()).collect();
    let too_many = json!({ "ids": too_many }).to_string();
    let cases = [
        (
            "/api/v1/segments/7/add_customers",
            too_many.as_str(),
            400,
            "ids has 1001 items; the limit is 1000",
        ),
        (
            "/api/v1/segments/7/add_customers",
            r#"{"ids":[]}"#,
            400,
            "ids must not be empty",
        ),
        (
            "/api/v1/segments/7/add_customers",
            "{}",
            400,
            "ids is required",
        ),
        (
            "/api/v1/segments/7/remove_customers",
            r#"{"ids":[1]}"#,
            400,
            "every item of ids must be a string",
        ),
        (
            "/api/v1/segments/7/add_customers?id_type=phone",
            r#"{"ids":["a"]}"#,
            400,
            r#"id_type must be one of id, email, cio_id, not "phone""#,
        ),
        (
            "/api/v1/segments/vip/add_customers",
            r#"{"ids":["a"]}"#,
            400,
            r#"segment_id must be an integer, not "vip""#,
        ),
        (
            "/api/v1/segments/3/add_customers",
            r#"{"ids":["a"]}"#,
            400,
            "segment is not a manual segment",
        ),
        (
            "/api/v1/segments/99/remove_customers",
            r#"{"ids":["a"]}"#,
            404,
            "segment not found",
        ),
    ];
    for (target, body, status, message) in cases {
        assert_v1_error(&demo(&emu, "POST", target, body), status, message);
    }
    // The thousand ids name the demo workspace's 42 and 43 too.
    assert_eq!(emu.segment_members(SITE, 7), ["42", "43", "a"]);
}

#[test]
fn form_submissions_answer_204_and_identify() {
    let emu = start();
    let r = demo(
        &emu,
        "POST",
        "/api/v1/forms/contact%20us/submit",
        r#"{"data":{"email":"f@example.com","name":"Fay","form_name":"Contact"}}"#,
    );
    assert_eq!(r.status, 204, "{}", r.text());
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-type"), None);
    let person = emu.person(SITE, "f@example.com").unwrap();
    assert_eq!(person.attributes["name"], "Fay");
    assert!(!person.attributes.contains_key("form_name"));
    let r = demo(
        &emu,
        "POST",
        "/api/v1/forms/f2/submit",
        r#"{"data":{"id":"u9"}}"#,
    );
    assert_eq!(r.status, 204);
    assert!(emu.person(SITE, "u9").is_some());
    assert_eq!(
        emu.form_submissions(SITE)[0],
        FormSubmission {
            form_id: "contact us".into(),
            data: map(json!({"email": "f@example.com", "name": "Fay", "form_name": "Contact"})),
        }
    );

    let one_of = "data must contain exactly one of email or id, as a non-empty string";
    for (body, message) in [
        ("{}", "data is required"),
        (r#"{"data":"x"}"#, "data must be a JSON object"),
        (r#"{"data":{"email":"a@b.c","id":"1"}}"#, one_of),
        (r#"{"data":{"email_address":"a@b.c"}}"#, one_of),
        (r#"{"data":{"email":""}}"#, one_of),
        (
            r#"{"data":{"email":"a@b.c","age":30}}"#,
            "data.age must be a string",
        ),
    ] {
        let r = demo(&emu, "POST", "/api/v1/forms/f/submit", body);
        assert_v1_error(&r, 400, message);
    }
    assert_eq!(emu.form_submissions(SITE).len(), 2);
}

#[test]
fn metrics_push_and_unsubscribe_need_no_credentials() {
    let emu = start_with_eu();
    let wrong = basic("demo-site", "wrong");
    let metric = r#"{"delivery_id":"dlv_1","metric":"clicked","timestamp":1700000000,"href":"https://x.example","recipient":"a@b.c"}"#;
    for (host, auth) in [(TRACK, None), (TRACK_EU, Some(wrong.as_str()))] {
        assert_ok(&track_json(
            &emu,
            host,
            auth,
            "POST",
            "/api/v1/metrics",
            metric,
        ));
    }
    let post = |target: &str, body: &str| track_json(&emu, TRACK, None, "POST", target, body);
    assert_ok(&post(
        "/api/v1/metrics",
        r#"{"delivery_id":"d","metric":"delivered","recipient":15551234567}"#,
    ));
    let push = r#"{"delivery_id":"d","event":"opened","device_id":"tok","timestamp":1}"#;
    assert_ok(&post("/api/v1/push/events", push));
    assert_ok(&post("/push/events", push));
    let metrics = emu.metrics();
    assert_eq!(metrics.len(), 5);
    assert_eq!(
        metrics[0],
        json!({"endpoint": "/api/v1/metrics", "region": "us", "site_id": null,
               "body": serde_json::from_str::<Value>(metric).unwrap()})
    );
    assert_eq!(metrics[1]["region"], "eu");
    assert_eq!(metrics[4]["endpoint"], "/push/events");

    // The seeded delivery unsubscribes the seeded person (created if they were never identified).
    let unsubscribe = |target: &str, content_type: &str, body: &str| {
        let headers = [("Content-Type", content_type)];
        send(&emu, "POST", TRACK, target, &headers, body.as_bytes())
    };
    assert!(emu.person(SITE, "demo-person").is_none());
    let json_utf8 = "application/json; charset=utf-8";
    let yes = r#"{"unsubscribe":true}"#;
    assert_ok(&unsubscribe("/unsubscribe/dlv_demo_1", json_utf8, yes));
    assert!(emu.person(SITE, "demo-person").unwrap().unsubscribed());
    let r = app_get(&emu, APP, "/v1/customers/demo-person/attributes", DEMO_KEY);
    assert_eq!(r.json()["customer"]["unsubscribed"], true);
    // Another workspace's delivery, and one nobody knows (200, recorded, nobody changes).
    emu.add_delivery("eu-site", "RPIyMTM6OjEyMzQ=", "eu@example.com");
    assert_ok(&unsubscribe(
        "/unsubscribe/RPIyMTM6OjEyMzQ=",
        "application/json",
        yes,
    ));
    assert!(emu
        .person("eu-site", "eu@example.com")
        .unwrap()
        .unsubscribed());
    assert_ok(&unsubscribe(
        "/unsubscribe/unknown_1",
        "application/json",
        yes,
    ));
    assert_eq!(emu.people(SITE).len(), DEMO_PEOPLE + 1, "demo-person added");
    assert_eq!(emu.metrics()[5]["endpoint"], "/unsubscribe/dlv_demo_1");

    let before = emu.metrics().len();
    for (target, content_type, body, message) in [
        (
            "/unsubscribe/dlv_demo_1",
            "text/plain",
            yes,
            r#"Content-Type must be application/json, not "text/plain""#,
        ),
        (
            "/unsubscribe/dlv_demo_1",
            "application/json",
            r#"{"unsubscribe":false}"#,
            r#"the body must be {"unsubscribe": true}"#,
        ),
        (
            "/unsubscribe/",
            "application/json",
            yes,
            r#"the delivery id "" is malformed"#,
        ),
        (
            "/unsubscribe/a%20b",
            "application/json",
            yes,
            r#"the delivery id "a b" is malformed"#,
        ),
        (
            "/api/v1/metrics",
            "application/json",
            r#"{"metric":"opened"}"#,
            "delivery_id is required",
        ),
        (
            "/api/v1/metrics",
            "application/json",
            r#"{"delivery_id":"d","metric":"read"}"#,
            r#"metric must be one of bounced, clicked, converted, deferred, delivered, dropped, opened, spammed, not "read""#,
        ),
        (
            "/api/v1/metrics",
            "application/json",
            r#"{"delivery_id":"d","metric":"opened","timestamp":"now"}"#,
            "timestamp must be an integer",
        ),
        (
            "/api/v1/push/events",
            "application/json",
            r#"{"delivery_id":"d","event":"clicked"}"#,
            r#"event must be one of opened, converted, delivered, not "clicked""#,
        ),
    ] {
        assert_v1_error(&unsubscribe(target, content_type, body), 400, message);
    }
    assert_eq!(emu.metrics().len(), before);
    // Only POST is open: other methods go through authentication like any route.
    let r = send(&emu, "GET", TRACK, "/api/v1/metrics", &[], b"");
    assert_eq!((r.status, r.text()), (401, UNAUTHORIZED.to_string()));
}

#[test]
fn v2_entity_operations_share_the_v1_state() {
    let emu = start();
    let acme = json!({"object_type_id": "1", "object_id": "acme"});
    let team = json!({"object_type_id": "2", "object_id": "team"});
    let person = |action: &str, ids: Value, extra: Value| {
        let mut op = map(json!({"type": "person", "action": action, "identifiers": ids}));
        op.extend(map(extra));
        Value::Object(op)
    };
    let object = |action: &str, ids: &Value, extra: Value| {
        let mut op = map(json!({"type": "object", "action": action, "identifiers": ids}));
        op.extend(map(extra));
        Value::Object(op)
    };
    let purchase = person(
        "event",
        json!({"email": "jane@example.com"}),
        json!({"name": "purchase", "id": "01HB4HBDKTFWYZCK01DMRSWRFD", "timestamp": 1700000000,
               "attributes": {"price": 5}}),
    );
    let delivery = json!({"type": "delivery", "action": "event", "identifiers": {"id": "dlv_demo_1"},
                          "name": "opened", "attributes": {"device_token": "tok"}});
    let ops = [
        person(
            "identify",
            json!({"id": "42"}),
            json!({"attributes": {"email": "jane@example.com", "plan": "pro"},
                   "cio_relationships": [{"identifiers": acme, "relationship_attributes": {"role": "admin"}}]}),
        ),
        purchase.clone(),
        purchase,
        person("page", json!({"id": "42"}), json!({"name": "/home"})),
        person(
            "screen",
            json!({"cio_id": "03000001"}),
            json!({"name": "Home"}),
        ),
        person(
            "add_device",
            json!({"id": "42"}),
            json!({"device": {"token": "tok", "platform": "android", "last_used": 1700000000,
                              "attributes": {"app_version": "2"}}}),
        ),
        person(
            "add_device",
            json!({"id": "42"}),
            json!({"device": {"token": "tok2", "platform": "ios"}}),
        ),
        person(
            "delete_device",
            json!({"id": "42"}),
            json!({"device": {"token": "tok2"}}),
        ),
        object(
            "identify",
            &acme,
            json!({"attributes": {"name": "Acme", "seats": 50}}),
        ),
        object("identify", &acme, json!({"attributes": {"seats": null}})),
        object(
            "identify_anonymous",
            &team,
            json!({"cio_relationships": [{"identifiers": {"anonymous_id": "anon-1"}}]}),
        ),
        object(
            "add_relationships",
            &team,
            json!({"cio_relationships": [{"identifiers": {"email": "jane@example.com"}}]}),
        ),
        delivery.clone(),
    ];
    for op in &ops {
        assert_ok(&entity(&emu, op));
    }
    let jane = emu.person(SITE, "42").unwrap();
    assert_eq!(jane.email.as_deref(), Some("jane@example.com"));
    assert_eq!(jane.attributes["plan"], "pro");
    let events: Vec<(Option<String>, String, String)> = emu
        .events(SITE)
        .into_iter()
        .map(|e| (e.person, e.name, e.event_type))
        .collect();
    let event = |person: &str, name: &str, ty: &str| {
        (Some(person.to_string()), name.to_string(), ty.to_string())
    };
    assert_eq!(
        events,
        [
            event("jane@example.com", "purchase", "event"),
            event("42", "/home", "page"),
            event("cio_03000001", "Home", "screen"),
        ]
    );
    assert_eq!(emu.events(SITE)[0].data, json!({"price": 5}));
    let devices = emu.devices(SITE, "42");
    assert_eq!((devices.len(), devices[0].id.as_str()), (1, "tok"));
    let objects = emu.objects(SITE);
    assert_eq!(
        objects[0],
        StoredObject {
            object_type_id: "1".into(),
            object_id: "acme".into(),
            cio_object_id: "ob0000000001".into(),
            attributes: map(json!({"name": "Acme"})),
        }
    );
    let relationships = emu.relationships(SITE);
    assert_eq!(
        relationships[0],
        Relationship {
            person: "42".into(),
            cio_id: Some("03000001".into()),
            object_type_id: "1".into(),
            object_id: "acme".into(),
            attributes: map(json!({"role": "admin"})),
        }
    );
    let pairs: Vec<(String, Option<String>, String)> = relationships
        .into_iter()
        .map(|r| (r.person, r.cio_id, r.object_id))
        .collect();
    assert_eq!(
        pairs[1..],
        [
            ("anon-1".to_string(), None, "team".to_string()),
            (
                "42".to_string(),
                Some("03000001".to_string()),
                "team".to_string()
            ),
        ]
    );
    let metric = emu.metrics().pop().unwrap();
    assert_eq!(
        metric,
        json!({"endpoint": "/api/v2/entity", "region": "us", "site_id": SITE, "body": delivery})
    );

    // Deleting an object ends its relationships; deleting some does too; then merge, suppress.
    let more = [
        object("delete", &team, json!({})),
        person(
            "delete_relationships",
            json!({"id": "42"}),
            json!({"cio_relationships": [{"identifiers": {"cio_object_id": "ob0000000001"}}]}),
        ),
        person(
            "identify",
            json!({"id": "s"}),
            json!({"attributes": {"x": 1}}),
        ),
        json!({"type": "person", "action": "merge", "primary": {"id": "42"}, "secondary": {"id": "s"}}),
        person("suppress", json!({"email": "jane@example.com"}), json!({})),
    ];
    for op in &more {
        assert_ok(&entity(&emu, op));
    }
    assert_eq!(emu.objects(SITE).len(), 1);
    assert!(emu.relationships(SITE).is_empty());
    assert_eq!(
        people(&emu),
        ["43"],
        "s merged into 42, 42 suppressed; the demo's 43 is left"
    );
    assert_eq!(emu.suppressed(SITE), ["42", "jane@example.com"]);
    demo_ok(&emu, "PUT", "/api/v1/customers/42", "{}");
    assert_eq!(people(&emu), ["43"]);
    let phone = json!({"phone": "+14155552671"});
    for op in [
        person("unsuppress", json!({"id": "42"}), json!({})),
        person("identify", phone.clone(), json!({})),
    ] {
        assert_ok(&entity(&emu, &op));
    }
    assert!(emu.suppressed(SITE).is_empty());
    assert_eq!(
        emu.people(SITE).last().unwrap().attributes["phone"],
        "+14155552671"
    );
    assert_ok(&entity(&emu, &person("delete", phone, json!({}))));
    assert_eq!(people(&emu), ["43"]);
}

#[test]
fn v2_entity_errors_name_the_field() {
    let emu = start();
    let p = |extra: Value| {
        let mut op = map(json!({"type": "person", "identifiers": {"id": "1"}}));
        op.extend(map(extra));
        Value::Object(op)
    };
    let acme = json!({"object_type_id": "1", "object_id": "a"});
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!([]), "", "invalid"),
        (json!({"action": "identify"}), "type", "required"),
        (
            json!({"type": "customer", "action": "identify"}),
            "type",
            "invalid",
        ),
        (p(json!({})), "action", "required"),
        (
            json!({"type": "object", "action": "event", "identifiers": acme, "name": "e"}),
            "action",
            "unsupported",
        ),
        (
            json!({"type": "delivery", "action": "identify"}),
            "action",
            "unsupported",
        ),
        (
            json!({"type": "person", "action": "identify"}),
            "identifiers",
            "required",
        ),
        (
            p(json!({"action": "identify", "identifiers": {"id": "1", "email": "a@b.c"}})),
            "identifiers",
            "invalid",
        ),
        (
            p(json!({"action": "identify", "identifiers": {"anonymous_id": "x"}})),
            "identifiers",
            "invalid",
        ),
        (
            p(json!({"action": "identify", "identifiers": {"cio_id": "cio_03000001"}})),
            "identifiers.cio_id",
            "invalid",
        ),
        (
            p(json!({"action": "identify", "identifiers": {"id": "x".repeat(151)}})),
            "identifiers.id",
            "too_large",
        ),
        (
            p(json!({"action": "identify", "attributes": [1]})),
            "attributes",
            "invalid",
        ),
        (
            p(json!({"action": "identify", "attributes": {"k": "v".repeat(1001)}})),
            "attributes.k",
            "too_large",
        ),
        (p(json!({"action": "event"})), "name", "required"),
        (
            p(json!({"action": "page", "name": "p", "timestamp": "x"})),
            "timestamp",
            "invalid",
        ),
        (
            p(json!({"action": "screen", "name": "e".repeat(101)})),
            "name",
            "too_large",
        ),
        (
            p(json!({"action": "add_device", "device": {"platform": "ios"}})),
            "device.token",
            "required",
        ),
        (
            p(json!({"action": "add_device", "device": {"token": "t"}})),
            "device.platform",
            "required",
        ),
        (p(json!({"action": "delete_device"})), "device", "required"),
        (
            p(json!({"action": "add_relationships"})),
            "cio_relationships",
            "required",
        ),
        (
            p(json!({"action": "delete_relationships", "cio_relationships": []})),
            "cio_relationships",
            "required",
        ),
        (
            p(
                json!({"action": "add_relationships", "cio_relationships": [{"identifiers": {"object_id": "a"}}]}),
            ),
            "cio_relationships[0].identifiers",
            "invalid",
        ),
        (
            p(json!({"action": "merge", "primary": {"id": "1"}, "secondary": {"id": "2"}})),
            "identifiers",
            "not_allowed",
        ),
        (
            json!({"type": "person", "action": "merge", "primary": {"id": "1"}}),
            "secondary",
            "required",
        ),
        (
            json!({"type": "object", "action": "identify", "identifiers": {"object_type_id": "1"}}),
            "identifiers",
            "invalid",
        ),
        (
            json!({"type": "object", "action": "add_relationships", "identifiers": acme,
                   "cio_relationships": [{"identifiers": {"anonymous_id": "x"}}]}),
            "cio_relationships[0].identifiers",
            "invalid",
        ),
        (
            json!({"type": "delivery", "action": "event", "identifiers": {"id": "d"},
                   "name": "clicked", "attributes": {"device_token": "t"}}),
            "name",
            "invalid",
        ),
        (
            json!({"type": "delivery", "action": "event", "identifiers": {"id": "d"}, "name": "opened"}),
            "attributes",
            "required",
        ),
        (
            json!({"type": "delivery", "action": "event", "identifiers": {"id": "d"},
                   "name": "opened", "attributes": {}}),
            "attributes.device_token",
            "required",
        ),
    ];
    for (op, field, reason) in &cases {
        let r = entity(&emu, op);
        assert_eq!(r.status, 400, "{op}: {}", r.text());
        let errors = r.json()["errors"].clone();
        assert_eq!(errors.as_array().map(Vec::len), Some(1), "{op}: {errors}");
        assert_eq!(
            (errors[0]["field"].as_str(), errors[0]["reason"].as_str()),
            (Some(*field), Some(*reason)),
            "{op}: {errors}"
        );
        assert!(errors[0]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let r = entity(&emu, &p(json!({"action": "event"})));
    assert_eq!(
        r.json(),
        json!({"errors": [{"reason": "required", "field": "name", "message": "name is required"}]})
    );
    let r = demo(&emu, "POST", "/api/v2/entity", "nope");
    assert_eq!(
        (r.status, &r.json()["errors"][0]["reason"]),
        (400, &json!("malformed"))
    );
    assert_eq!(emu.people(SITE).len(), DEMO_PEOPLE, "nobody added");
    assert!(emu.objects(SITE).is_empty());
    assert!(emu.metrics().is_empty());
}

#[test]
fn v2_batch_applies_the_good_items_and_reports_the_bad_with_207() {
    let emu = start();
    let ops = [
        json!({"type": "person", "action": "identify", "identifiers": {"id": "a"}}),
        json!({"type": "object", "action": "event",
               "identifiers": {"object_type_id": "1", "object_id": "x"}, "name": "e"}),
        json!({"type": "person", "action": "event", "identifiers": {"id": "a"}, "name": "signed_up"}),
        padded_identify("big", 33),
        json!({"type": "object", "action": "identify",
               "identifiers": {"object_type_id": "1", "object_id": "acme"}}),
    ];
    let r = batch(&emu, &ops);
    assert_eq!(r.status, 207, "{}", r.text());
    let errors = r.json()["errors"].clone();
    assert_eq!(
        errors[0],
        json!({"batch_index": 1, "reason": "unsupported", "field": "action",
               "message": "action \"event\" is not valid for type \"object\"; use one of identify, identify_anonymous, delete, add_relationships, delete_relationships"})
    );
    assert_eq!(errors.as_array().unwrap().len(), 2);
    assert_eq!(
        (&errors[1]["batch_index"], &errors[1]["reason"]),
        (&json!(3), &json!("too_large"))
    );
    assert!(emu.person(SITE, "a").is_some());
    assert!(emu.person(SITE, "big").is_none());
    assert_eq!(emu.events(SITE)[0].name, "signed_up");
    assert_eq!(emu.objects(SITE)[0].object_id, "acme");

    assert_ok(&batch(&emu, &[ops[0].clone(), ops[2].clone()]));
    assert_ok(&batch(&emu, &[]));
    for body in ["nope", "[]", "{}", r#"{"batch":{}}"#] {
        let r = demo(&emu, "POST", "/api/v2/batch", body);
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.json()["errors"][0]["reason"], "malformed", "{body}");
    }
}

#[test]
fn v2_size_limits() {
    let emu = start();
    // An entity of exactly 32 KiB is accepted; one byte more is refused whole.
    let mut body = json!({"type": "person", "action": "identify", "identifiers": {"id": "pad"}})
        .to_string()
        .into_bytes();
    body.resize(32 * 1024, b' ');
    let auth = demo_basic();
    let post = |target: &str, body: &[u8]| send_auth(&emu, "POST", TRACK, target, &auth, body);
    assert_ok(&post("/api/v2/entity", &body));
    body.push(b' ');
    let r = post("/api/v2/entity", &body);
    assert_eq!(
        (r.status, r.json()),
        (
            400,
            json!({"errors": [{"reason": "too_large", "field": "",
                               "message": "the request body is 32769 bytes; the limit is 32768 bytes"}]})
        )
    );
    let r = entity(&emu, &padded_identify("big", 33));
    assert_eq!(r.json()["errors"][0]["reason"], "too_large");

    // 16 items of ~30 KB fit in 500 KiB; 20 do not, and then nothing is applied.
    let items = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| padded_identify(&format!("p{i}"), 30))
            .collect()
    };
    assert_ok(&batch(&emu, &items(16)));
    // `pad`, the 16 and the demo workspace's own.
    assert_eq!(emu.people(SITE).len(), 17 + DEMO_PEOPLE);
    let r = batch(&emu, &items(20));
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["errors"][0]["reason"], "too_large");
    assert_eq!(emu.people(SITE).len(), 17 + DEMO_PEOPLE);
}

#[test]
fn eu_workspace_uses_the_eu_host_for_every_route() {
    let emu = start_with_eu();
    let eu = basic("eu-site", "eu-track");
    let us = demo_basic();
    let routes = [
        ("PUT", "/api/v1/customers/e1", "{}"),
        (
            "PUT",
            "/api/v1/customers/e1/devices",
            r#"{"device":{"id":"t","platform":"ios"}}"#,
        ),
        (
            "POST",
            "/api/v1/segments/7/add_customers",
            r#"{"ids":["e1"]}"#,
        ),
        (
            "POST",
            "/api/v2/entity",
            r#"{"type":"object","action":"identify","identifiers":{"object_type_id":"1","object_id":"eu-co"}}"#,
        ),
        (
            "POST",
            "/api/v2/batch",
            r#"{"batch":[{"type":"person","action":"event","identifiers":{"id":"e1"},"name":"e"}]}"#,
        ),
        ("POST", "/api/v1/customers/e2/suppress", ""),
        ("DELETE", "/api/v1/customers/e1/devices/none", ""),
        (
            "POST",
            "/api/v1/merge_customers",
            r#"{"primary":{"id":"e1"},"secondary":{"id":"nobody"}}"#,
        ),
    ];
    for (method, target, body) in routes {
        let r = track_json(&emu, TRACK, Some(&eu), method, target, body);
        assert_eq!(r.status, 307, "{method} {target}");
        let location = format!("https://track-eu.customer.io{target}");
        assert_eq!(r.header("location"), Some(location.as_str()));
        assert_ok(&track_json(&emu, TRACK_EU, Some(&eu), method, target, body));
        for (host, auth) in [(TRACK_EU, Some(us.as_str())), (TRACK, None)] {
            let r = track_json(&emu, host, auth, method, target, body);
            assert_eq!(
                (r.status, r.text()),
                (401, UNAUTHORIZED.to_string()),
                "{host} {target}"
            );
        }
    }
    let r = track_json(
        &emu,
        TRACK_EU,
        Some(&eu),
        "POST",
        "/api/v1/forms/f/submit",
        r#"{"data":{"id":"e3"}}"#,
    );
    assert_eq!(r.status, 204);
    assert_eq!(emu.devices("eu-site", "e1").len(), 1);
    assert_eq!(emu.segment_members("eu-site", 7), ["e1"]);
    assert_eq!(emu.objects("eu-site")[0].object_id, "eu-co");
    assert_eq!(emu.events("eu-site").len(), 1);
    assert_eq!(emu.suppressed("eu-site"), ["e2"]);
    assert_eq!(emu.form_submissions("eu-site").len(), 1);
    assert_eq!(emu.people(SITE).len(), DEMO_PEOPLE, "nobody added");
}

#[test]
fn new_v1_routes_keep_the_identifier_limit() {
    let emu = start();
    let long = "x".repeat(151);
    let message = "the customer identifier is 151 bytes; the limit is 150";
    for (method, suffix, body) in [
        ("POST", "/suppress", ""),
        ("POST", "/unsuppress", "{}"),
        (
            "PUT",
            "/devices",
            r#"{"device":{"id":"t","platform":"ios"}}"#,
        ),
        ("DELETE", "/devices/t", ""),
    ] {
        let target = format!("/api/v1/customers/{long}{suffix}");
        assert_v1_error(&demo(&emu, method, &target, body), 400, message);
    }
    let r = demo(&emu, "DELETE", "/api/v1/customers/a/devices/", "");
    assert_v1_error(&r, 400, "the device id in the path is empty");
    assert_eq!(emu.people(SITE).len(), DEMO_PEOPLE, "nobody added");
    assert!(emu.suppressed(SITE).is_empty());
}

#[test]
fn v1_identify_links_objects_through_cio_relationships() {
    let emu = start();
    let relationships = |action: &str| {
        json!({"plan": "pro", "cio_relationships": {"action": action, "relationships": [
            {"identifiers": {"object_type_id": "1", "object_id": "acme"},
             "relationship_attributes": {"role": "owner"}}]}})
        .to_string()
    };
    demo_ok(
        &emu,
        "PUT",
        "/api/v1/customers/42",
        &relationships("add_relationships"),
    );
    let person = emu.person(SITE, "42").unwrap();
    assert!(!person.attributes.contains_key("cio_relationships"));
    assert_eq!(emu.relationships(SITE)[0].attributes["role"], "owner");
    assert_eq!(emu.objects(SITE)[0].object_id, "acme");
    demo_ok(
        &emu,
        "PUT",
        "/api/v1/customers/42",
        &relationships("delete_relationships"),
    );
    assert!(emu.relationships(SITE).is_empty());
    let r = demo(&emu, "PUT", "/api/v1/customers/42", &relationships("link"));
    assert_v1_error(
        &r,
        400,
        r#"cio_relationships.action must be one of add_relationships, delete_relationships, not "link""#,
    );
}

#[test]
fn fixture_reads_are_served_public_or_behind_auth() {
    let emu = start();
    for (host, target) in [
        (APP, "/v1/info/ip_addresses"),
        (APP_EU, "/v1/info/ip_addresses"),
        (BETA, "/v1/api/info/ip_addresses"),
    ] {
        let r = send(&emu, "GET", host, target, &[], b"");
        assert_eq!(r.status, 200, "{host}{target}");
        let ips = r.json()["ip_addresses"].clone();
        assert!(ips.as_array().is_some_and(|a| !a.is_empty()), "{ips}");
    }
    let r = send(&emu, "GET", APP, "/v1/subscription_topics", &[], b"");
    assert_eq!(r.status, 401);
    let r = app_get(&emu, APP, "/v1/subscription_topics", DEMO_KEY);
    assert_eq!((r.status, &r.json()["topics"][0]["id"]), (200, &json!(1)));
    let r = app(&emu, "POST", APP, "/v1/subscription_topics", DEMO_KEY, "{}");
    assert_eq!(r.status, 404);
    assert_eq!(app_get(&emu, APP, "/v1/campaigns/0", DEMO_KEY).status, 404);
}

#[test]
fn state_is_inspectable_over_http_and_rust() {
    let emu = start();
    demo_ok(
        &emu,
        "PUT",
        "/api/v1/customers/42",
        r#"{"email":"a@example.com"}"#,
    );
    demo_ok(
        &emu,
        "PUT",
        "/api/v1/customers/42/devices",
        r#"{"device":{"id":"tok","platform":"ios","last_used":5}}"#,
    );
    demo_ok(
        &emu,
        "POST",
        "/api/v1/segments/7/add_customers",
        r#"{"ids":["42"]}"#,
    );
    let link = json!({"type": "object", "action": "identify",
                      "identifiers": {"object_type_id": "1", "object_id": "acme"},
                      "cio_relationships": [{"identifiers": {"id": "42"}}]});
    assert_ok(&entity(&emu, &link));
    let get = |target: &str| send(&emu, "GET", "x", target, &[], b"");
    let r = get("/__emulator__/state?site=demo-site");
    assert_eq!(r.status, 200);
    let state = r.json();
    assert_eq!(Some(state.clone()), emu.state_json(SITE));
    let person = &state["people"][0];
    assert_eq!(
        (&person["id"], &person["unsubscribed"], &person["segments"]),
        (&json!("42"), &json!(false), &json!([7]))
    );
    assert_eq!(
        person["devices"],
        json!([{"id": "tok", "platform": "ios", "last_used": 5, "attributes": {}}])
    );
    assert_eq!(
        state["segments"],
        json!([{"id": 3, "name": "Active users", "type": "dynamic", "members": []},
               {"id": 7, "name": "VIP customers", "type": "manual", "members": ["42"]}])
    );
    assert_eq!(state["deliveries"], json!({"dlv_demo_1": "demo-person"}));
    assert_eq!(state["relationships"][0]["person"], "42");
    assert_eq!(state["objects"][0]["object_id"], "acme");
    assert_eq!(state["suppressed"], json!([]));
    assert_eq!(get("/__emulator__/state").status, 400);
    assert_eq!(get("/__emulator__/state?site=nope").status, 404);
    assert_eq!(emu.state_json("nope"), None);
}
