//! End-to-end tests: a started emulator spoken to over real loopback HTTP/1.1.

mod common;

use std::net::TcpStream;
use std::time::{Duration, Instant};

use base64::Engine as _;
use cio_emulator::{
    Emulator, EmulatorConfig, Fault, FaultAction, Region, Workspace, WrongRegionMode,
};
use common::*;
use serde_json::{json, Value};

const UNAUTHORIZED_TRACK: &str = r#"{"meta":{"errors":["Unauthorized request. Make sure that you provided the right credentials."]}}"#;
const UNAUTHORIZED_APP: &str = r#"{"errors":[{"detail":"unauthorized","status":"401"}]}"#;

/// A Track call with the demo workspace's Basic credentials and a JSON body.
fn track(emu: &Emulator, method: &str, target: &str, body: &str) -> Reply {
    let auth = demo_basic();
    send(
        emu,
        method,
        TRACK,
        target,
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    )
}

/// `PUT /api/v1/customers/{id}` through [`track`], which must succeed.
fn identify_ok(emu: &Emulator, id: &str, body: &str) {
    assert_track_ok(&track(emu, "PUT", &format!("/api/v1/customers/{id}"), body));
}

const FAULTS: &str = "/__emulator__/faults";

/// A call to the emulator's own `/__emulator__/` endpoints, which need no host or credentials.
fn control(emu: &Emulator, method: &str, path: &str, body: &[u8]) -> Reply {
    send(emu, method, "x", path, &[], body)
}

fn eu_workspace() -> Workspace {
    Workspace::parse("eu-site:eu-track:eu-app:eu").unwrap()
}

fn start_with_eu(mode: WrongRegionMode) -> Emulator {
    let mut config = EmulatorConfig {
        app_wrong_region: mode,
        ..EmulatorConfig::default()
    };
    config.workspaces.push(eu_workspace());
    Emulator::start(config).unwrap()
}

fn assert_track_ok(reply: &Reply) {
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.body, b"{}\n");
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(reply.header("content-length"), Some("3"));
}

/// A 401 with exactly `body` (one of the `UNAUTHORIZED_*` bodies).
fn assert_unauthorized(reply: &Reply, body: &str) {
    assert_eq!(reply.status, 401);
    assert_eq!(reply.text(), body);
}

/// A wrong-datacenter redirect with `status` to `location`.
fn assert_moved(reply: &Reply, status: u16, location: &str) {
    assert_eq!(reply.status, status);
    assert_eq!(reply.header("location"), Some(location));
}

#[test]
fn emulator_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Emulator>();
}

#[test]
fn region_endpoint_answers_on_both_hosts() {
    let emu = start_with_eu(WrongRegionMode::Redirect301);
    let region =
        |host, auth: String| send_auth(&emu, "GET", host, "/api/v1/accounts/region", &auth, b"");
    for host in [TRACK, TRACK_EU] {
        let us = region(host, demo_basic());
        assert_eq!(us.status, 200);
        assert_eq!(
            us.json(),
            json!({"url": "https://track.customer.io", "region": "us", "environment_id": 1})
        );
        let eu = region(host, basic("eu-site", "eu-track"));
        assert_eq!(
            eu.json(),
            json!({"url": "https://track-eu.customer.io", "region": "eu", "environment_id": 2})
        );
    }
}

#[test]
fn identify_creates_then_updates_with_encoded_and_raw_plus_at() {
    let emu = start();
    identify_ok(
        &emu,
        "jane%2B1%40example.com",
        r#"{"plan":"basic","first_name":"Jane"}"#,
    );
    let jane = emu.person("demo-site", "jane+1@example.com").unwrap();
    assert_eq!(jane.cio_id, "03000003");
    assert_eq!(jane.email.as_deref(), Some("jane+1@example.com"));
    assert_eq!(jane.id, None);

    // Go's client sends '+' and '@' raw; it must reach the same person, and email is case-insensitive.
    identify_ok(&emu, "Jane+1@Example.com", r#"{"plan":"pro","id":"u1"}"#);
    assert_eq!(emu.people("demo-site").len(), DEMO_PEOPLE + 1);
    let jane = emu.person("demo-site", "JANE+1@EXAMPLE.COM").unwrap();
    assert_eq!(jane.attributes["plan"], "pro");
    assert_eq!(jane.attributes["first_name"], "Jane");
    assert_eq!(jane.id.as_deref(), Some("u1"));
    assert_eq!(emu.person("demo-site", "u1").unwrap().cio_id, "03000003");
    assert_eq!(
        emu.person("demo-site", "cio_03000003")
            .unwrap()
            .id
            .as_deref(),
        Some("u1")
    );

    // A cio_ identifier updates that person; an unknown one is dropped with 200.
    identify_ok(&emu, "cio_03000003", r#"{"email":"new@example.com"}"#);
    assert_eq!(
        emu.person("demo-site", "u1").unwrap().email.as_deref(),
        Some("new@example.com")
    );
    identify_ok(&emu, "cio_ffffffff", r#"{"a":1}"#);
    assert_eq!(emu.people("demo-site").len(), DEMO_PEOPLE + 1);

    // Path unknown but body id known: that person gets the path identifier.
    identify_ok(&emu, "other%40example.com", r#"{"id":"u1"}"#);
    assert_eq!(emu.people("demo-site").len(), DEMO_PEOPLE + 1);

    let segments = emu.requests()[1].decoded_segments();
    assert_eq!(
        segments,
        vec!["api", "v1", "customers", "Jane+1@Example.com"]
    );
}

#[test]
fn slash_in_id_and_unicode_stay_in_the_identifier() {
    let emu = start();
    identify_ok(&emu, "team%2Fa%20b", r#"{"x":1}"#);
    let person = emu.person("demo-site", "team/a b").unwrap();
    assert_eq!(person.id.as_deref(), Some("team/a b"));

    identify_ok(&emu, "j%C3%BCrgen-%E2%9C%93", r#"{"name":"Jürgen ✓"}"#);
    let person = emu.person("demo-site", "jürgen-✓").unwrap();
    assert_eq!(person.attributes["name"], "Jürgen ✓");

    // A raw '/' changes the route.
    let r = track(&emu, "PUT", "/api/v1/customers/team/a", "{}");
    assert_eq!(r.status, 404);
    assert_eq!(r.json(), json!({"meta": {"errors": ["not found"]}}));
}

#[test]
fn delete_removes_the_person() {
    let emu = start();
    identify_ok(&emu, "42", "{}");
    assert!(emu.person("demo-site", "42").is_some());
    assert_track_ok(&track(&emu, "DELETE", "/api/v1/customers/42", ""));
    assert!(emu.person("demo-site", "42").is_none());
    assert_track_ok(&track(&emu, "DELETE", "/api/v1/customers/42", "{}"));
}

#[test]
fn events_are_stored_and_deduplicated() {
    let emu = start();
    let body = r#"{"name":"  purchase ","id":"01HB4HBDKTFWYZCK01DMRSWRFD","timestamp":1561231234,"data":{"type":"socks"}}"#;
    assert_track_ok(&track(&emu, "POST", "/api/v1/customers/u%2B1/events", body));
    assert_track_ok(&track(&emu, "POST", "/api/v1/customers/u%2B1/events", body));
    assert_track_ok(&track(
        &emu,
        "POST",
        "/api/v1/customers/u1/events",
        r#"{"name":"/home","type":"page"}"#,
    ));
    assert_track_ok(&track(
        &emu,
        "POST",
        "/api/v1/events",
        r#"{"name":"invite","type":"weird","anonymous_id":"anon-1"}"#,
    ));
    let events = emu.events("demo-site");
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].person.as_deref(), Some("u+1"));
    assert_eq!(events[0].name, "purchase");
    assert_eq!(events[0].event_type, "event");
    assert_eq!(events[0].timestamp, Some(1561231234));
    assert_eq!(events[0].data, json!({"type": "socks"}));
    assert_eq!(events[1].event_type, "page");
    assert_eq!(events[1].data, Value::Null);
    assert_eq!(events[2].person, None);
    assert_eq!(events[2].event_type, "event");
    assert_eq!(events[2].anonymous_id.as_deref(), Some("anon-1"));
}

#[test]
fn invalid_track_bodies_get_400() {
    let emu = start();
    let long_id = "x".repeat(151);
    let long_name = "n".repeat(151);
    let long_value = "v".repeat(1001);
    let many: serde_json::Map<String, Value> =
        (0..301).map(|i| (format!("a{i}"), json!(i))).collect();
    let big_data = "d".repeat(100_001);
    let cases: Vec<(&str, String, String)> = vec![
        ("PUT", "/api/v1/customers/a".into(), "[1,2]".into()),
        ("PUT", "/api/v1/customers/a".into(), "not json".into()),
        ("PUT", "/api/v1/customers/a".into(), "".into()),
        ("PUT", format!("/api/v1/customers/{long_id}"), "{}".into()),
        (
            "PUT",
            "/api/v1/customers/a".into(),
            format!(r#"{{"{long_name}":1}}"#),
        ),
        (
            "PUT",
            "/api/v1/customers/a".into(),
            format!(r#"{{"k":"{long_value}"}}"#),
        ),
        (
            "PUT",
            "/api/v1/customers/a".into(),
            Value::Object(many).to_string(),
        ),
        ("PUT", "/api/v1/customers/%FF".into(), "{}".into()),
        ("POST", "/api/v1/customers/a/events".into(), "{}".into()),
        (
            "POST",
            "/api/v1/customers/a/events".into(),
            r#"{"name":"   "}"#.into(),
        ),
        (
            "POST",
            "/api/v1/customers/a/events".into(),
            format!(r#"{{"name":"{}"}}"#, "e".repeat(101)),
        ),
        (
            "POST",
            "/api/v1/customers/a/events".into(),
            r#"{"name":"e","timestamp":"yesterday"}"#.into(),
        ),
        (
            "POST",
            "/api/v1/customers/a/events".into(),
            r#"{"name":"e","timestamp":1.5}"#.into(),
        ),
        (
            "POST",
            "/api/v1/customers/a/events".into(),
            r#"{"name":"e","data":[1]}"#.into(),
        ),
        (
            "POST",
            "/api/v1/events".into(),
            format!(r#"{{"name":"e","data":{{"k":"{big_data}"}}}}"#),
        ),
    ];
    for (method, path, body) in cases {
        let r = track(&emu, method, &path, &body);
        assert_eq!(r.status, 400, "{method} {path} {body:.60}: {}", r.text());
        let errors = &r.json()["meta"]["errors"];
        assert!(
            errors[0].as_str().is_some_and(|e| !e.is_empty()),
            "{errors}"
        );
    }
    assert_eq!(emu.people("demo-site").len(), DEMO_PEOPLE);
    assert!(emu.events("demo-site").is_empty());
    // A name of exactly 100 bytes after trimming is fine.
    let ok = format!(r#"{{"name":" {} "}}"#, "e".repeat(100));
    assert_track_ok(&track(&emu, "POST", "/api/v1/events", &ok));
}

#[test]
fn track_auth_failures_get_401_and_url_safe_base64_works() {
    let mut config = EmulatorConfig::default();
    // This pair encodes to base64 containing '+' and '/' in the standard alphabet.
    config.workspaces.push(Workspace {
        site_id: "s>>?".into(),
        track_key: "k??>".into(),
        app_key: "a".into(),
        region: Region::Us,
    });
    let emu = Emulator::start(config).unwrap();
    let path = "/api/v1/customers/a";
    for auth in [
        None,
        Some(basic("demo-site", "wrong")),
        Some(bearer(DEMO_KEY)),
        Some("Basic !!!".to_string()),
    ] {
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("Authorization", a.as_str())).collect();
        let r = send(&emu, "PUT", TRACK, path, &headers, b"{}");
        assert_unauthorized(&r, UNAUTHORIZED_TRACK);
    }
    let standard = base64::engine::general_purpose::STANDARD.encode("s>>?:k??>");
    assert!(
        standard.contains('+') || standard.contains('/'),
        "{standard}"
    );
    let url_safe = base64::engine::general_purpose::URL_SAFE.encode("s>>?:k??>");
    for encoded in [standard, url_safe] {
        let auth = format!("Basic {encoded}");
        assert_track_ok(&send_auth(&emu, "PUT", TRACK, path, &auth, b"{}"));
    }
    assert_eq!(
        emu.requests()[4].basic_auth(),
        Some(("s>>?".into(), "k??>".into()))
    );
}

#[test]
fn track_wrong_region_redirects_or_refuses() {
    let emu = start_with_eu(WrongRegionMode::Redirect301);
    let auth = basic("eu-site", "eu-track");
    let event = |host, target| send_auth(&emu, "POST", host, target, &auth, br#"{"name":"e"}"#);
    let r = event(TRACK, "/api/v1/customers/a%40b.c/events?x=1");
    assert_moved(
        &r,
        307,
        "https://track-eu.customer.io/api/v1/customers/a%40b.c/events?x=1",
    );
    assert_eq!(r.body, b"{}");
    assert_track_ok(&event(TRACK_EU, "/api/v1/customers/a%40b.c/events"));
    assert_eq!(emu.events("eu-site").len(), 1);

    let r = send_auth(
        &emu,
        "PUT",
        TRACK_EU,
        "/api/v1/customers/a",
        &demo_basic(),
        b"{}",
    );
    assert_unauthorized(&r, UNAUTHORIZED_TRACK);
}

#[test]
fn app_wrong_region_301_mode() {
    let emu = start_with_eu(WrongRegionMode::Redirect301);
    let r = app_get(&emu, APP, "/v1/customers/a/attributes?id_type=id", "eu-app");
    assert_moved(
        &r,
        301,
        "https://api-eu.customer.io/v1/customers/a/attributes?id_type=id",
    );
    assert_eq!(
        r.json(),
        json!({"errors": [{"detail": "wrong datacenter", "status": "301"}]})
    );
    let r = app_get(&emu, BETA, "/v1/api/workspaces", "eu-app");
    assert_moved(&r, 301, "https://beta-api-eu.customer.io/v1/api/workspaces");
    assert_eq!(
        app_get(&emu, APP_EU, "/v1/workspaces", "eu-app").status,
        200
    );
    let r = app_get(&emu, APP_EU, "/v1/workspaces", DEMO_KEY);
    assert_unauthorized(&r, UNAUTHORIZED_APP);
}

#[test]
fn app_wrong_region_401_mode_and_bad_keys() {
    let emu = start_with_eu(WrongRegionMode::Unauthorized401);
    let r = app_get(&emu, APP, "/v1/workspaces", "eu-app");
    assert_unauthorized(&r, UNAUTHORIZED_APP);
    assert_eq!(app_get(&emu, APP, "/v1/workspaces", "nope").status, 401);
    let r = send(&emu, "GET", APP, "/v1/workspaces", &[], b"");
    assert_eq!(r.status, 401);
    let r = send_auth(&emu, "GET", APP, "/v1/workspaces", &demo_basic(), b"");
    assert_eq!(r.status, 401);
}

#[test]
fn app_workspaces_attributes_and_beta() {
    let emu = start();
    // The third person: the demo workspace has two of its own.
    identify_ok(&emu, "u%2F1", r#"{"email":"Ann@Example.com","plan":"pro"}"#);
    let r = app_get(&emu, APP, "/v1/workspaces", DEMO_KEY);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"workspaces": [{"id": 1, "name": "demo-site", "messages_sent": 0,
            "billable_messages_sent": 0, "people": 3, "object_types": 0, "objects": 0}]})
    );
    let r = app_get(&emu, BETA, "/v1/api/workspaces", DEMO_KEY);
    assert_eq!(r.json()["workspaces"][0]["people"], 3);

    for target in [
        "/v1/customers/u%2F1/attributes",
        "/v1/customers/ann%40example.com/attributes?id_type=email",
        "/v1/customers/03000003/attributes?id_type=cio_id",
        "/v1/customers/cio_03000003/attributes?id_type=cio_id",
    ] {
        let r = app_get(&emu, APP, target, DEMO_KEY);
        assert_eq!(r.status, 200, "{target}: {}", r.text());
        let customer = &r.json()["customer"];
        assert_eq!(customer["id"], "u/1");
        assert_eq!(customer["attributes"]["plan"], "pro");
        assert_eq!(customer["attributes"]["cio_id"], "03000003");
        assert_eq!(customer["unsubscribed"], false);
        assert_eq!(customer["devices"], json!([]));
        assert_eq!(customer["timestamps"], json!({}));
    }
    let not_found = json!({"errors": [{"detail": "not found", "status": "404"}]});
    for (host, target) in [
        (APP, "/v1/customers/nobody/attributes"),
        (APP, "/v1/campaigns/0"),
        (BETA, "/v1/workspaces"),
    ] {
        let r = app_get(&emu, host, target, DEMO_KEY);
        assert_eq!(
            (r.status, r.json()),
            (404, not_found.clone()),
            "{host}{target}"
        );
    }
    let r = app_get(
        &emu,
        APP,
        "/v1/customers/a/attributes?id_type=nonsense",
        DEMO_KEY,
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["errors"][0]["status"], "400");
}

#[test]
fn app_rate_limit_per_key() {
    let emu = Emulator::start(EmulatorConfig {
        app_rate_limit: Some(2),
        ..EmulatorConfig::default()
    })
    .unwrap();
    let workspaces = || app_get(&emu, APP, "/v1/workspaces", DEMO_KEY);
    assert_eq!(workspaces().status, 200);
    assert_eq!(workspaces().status, 200);
    let r = workspaces();
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(
        r.json(),
        json!({"errors": [{"detail": "rate limited to 2 requests per 1s (reference emulator)", "status": "429"}]})
    );
    // Track is not limited.
    identify_ok(&emu, "a", "{}");
}

#[test]
fn unknown_host_and_forwarded_host() {
    let emu = start();
    let r = send(&emu, "GET", "example.com:8080", "/", &[], b"");
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json(),
        json!({"errors": [{"detail": "unknown host example.com: the emulator serves the Customer.io Track, App and Beta hosts", "status": "404"}]})
    );
    let auth = demo_basic();
    let host = emu.addr().to_string();
    let r = send(
        &emu,
        "GET",
        &host,
        "/api/v1/accounts/region",
        &[
            ("X-Forwarded-Host", "Track.Customer.IO:443"),
            ("Authorization", &auth),
        ],
        b"",
    );
    assert_eq!(r.status, 200);
    let requests = emu.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].host, "example.com");
    assert_eq!(requests[1].host, "track.customer.io");
    assert_eq!(
        requests[1].header("X-FORWARDED-HOST"),
        Some("Track.Customer.IO:443")
    );
}

#[test]
fn large_bodies_are_accepted() {
    let emu = start();
    // A valid JSON object padded to 2 MiB with whitespace.
    let mut body = br#"{"plan":"big""#.to_vec();
    body.resize(2 * 1024 * 1024, b' ');
    body.push(b'}');
    let auth = demo_basic();
    let put_big = |body: &[u8]| send_auth(&emu, "PUT", TRACK, "/api/v1/customers/big", &auth, body);
    assert_track_ok(&put_big(&body));
    assert_eq!(emu.requests()[0].body.len(), body.len());
    assert_eq!(
        emu.person("demo-site", "big").unwrap().attributes["plan"],
        "big"
    );

    // 5 MiB that breaks the limits is read completely and answered with a 400, not 413.
    let big = format!(r#"{{"k":"{}"}}"#, "v".repeat(5 * 1024 * 1024));
    assert_eq!(put_big(big.as_bytes()).status, 400);
    assert_eq!(emu.requests()[1].body.len(), big.len());
}

#[test]
fn fault_respond_is_used_then_expires() {
    let emu = start();
    emu.inject(Fault {
        path_prefix: Some("/api/v1/customers/".into()),
        times: 2,
        action: FaultAction::Respond {
            status: 503,
            headers: vec![
                ("X-Test".into(), "yes".into()),
                ("Content-Type".into(), "text/plain".into()),
            ],
            body: b"down".to_vec(),
        },
    });
    // Not matching the prefix: served normally.
    assert_eq!(app_get(&emu, APP, "/v1/workspaces", DEMO_KEY).status, 200);
    for _ in 0..2 {
        // Faults come before auth.
        let r = send(&emu, "PUT", TRACK, "/api/v1/customers/a", &[], b"{}");
        assert_eq!(r.status, 503);
        assert_eq!(r.header("x-test"), Some("yes"));
        assert_eq!(r.header("content-type"), Some("text/plain"));
        assert_eq!(r.body, b"down");
    }
    identify_ok(&emu, "a", "{}");
    assert_eq!(emu.requests().len(), 4);

    emu.inject(Fault {
        path_prefix: None,
        times: 5,
        action: FaultAction::Respond {
            status: 500,
            headers: vec![],
            body: b"{}".to_vec(),
        },
    });
    emu.clear_faults();
    identify_ok(&emu, "a", "{}");
}

#[test]
fn fault_delay_rate_limit_and_reset() {
    let emu = start();
    emu.inject(Fault {
        path_prefix: None,
        times: 1,
        action: FaultAction::Delay { ms: 300 },
    });
    let started = Instant::now();
    identify_ok(&emu, "a", "{}");
    assert!(started.elapsed() >= Duration::from_millis(300));

    emu.inject(Fault {
        path_prefix: None,
        times: 1,
        action: FaultAction::RateLimit {
            retry_after_secs: 7,
        },
    });
    let r = track(&emu, "PUT", "/api/v1/customers/a", "{}");
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("7"));
    assert_eq!(r.json()["errors"][0]["status"], "429");

    emu.inject(Fault {
        path_prefix: Some("/api/v1/events".into()),
        times: 1,
        action: FaultAction::Reset,
    });
    let auth = demo_basic();
    let request = request_bytes(
        "POST",
        TRACK,
        "/api/v1/events",
        &[("Authorization", &auth)],
        br#"{"name":"e"}"#,
    );
    let result = try_send_raw(&emu, &request);
    assert!(result.is_err(), "expected a dropped connection");
    assert!(emu.events("demo-site").is_empty());
    // Recorded even though it was never answered; the next one goes through.
    assert_eq!(emu.requests().len(), 3);
    assert_track_ok(&track(&emu, "POST", "/api/v1/events", r#"{"name":"e"}"#));
    assert_eq!(emu.events("demo-site").len(), 1);
}

#[test]
fn inspection_endpoints() {
    let emu = start();
    identify_ok(&emu, "a%2Bb?x=1", r#"{"k":"v"}"#);
    let r = send(&emu, "GET", "anything", "/__emulator__/requests", &[], b"");
    assert_eq!(r.status, 200);
    let list = r.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "inspection calls are not recorded");
    assert_eq!(list[0]["method"], "PUT");
    assert_eq!(list[0]["host"], "track.customer.io");
    assert_eq!(list[0]["path"], "/api/v1/customers/a%2Bb");
    assert_eq!(list[0]["query"], "x=1");
    assert!(list[0]["headers"]
        .as_array()
        .unwrap()
        .contains(&json!(["content-type", "application/json"])));
    let body = base64::engine::general_purpose::STANDARD
        .decode(list[0]["body_base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(body, br#"{"k":"v"}"#);

    let r = control(&emu, "DELETE", "/__emulator__/requests", b"");
    assert_eq!(r.status, 200);
    assert!(emu.requests().is_empty());

    let faults = [
        json!({"path_prefix": "/api/v1/customers/", "times": 1,
               "action": {"respond": {"status": 502, "headers": [["x-a", "1"]], "body_base64": "YmFk"}}}),
        json!({"times": 1, "action": {"rate_limit": {"retry_after_secs": 3}}}),
        json!({"times": 1, "action": {"delay": {"ms": 10}}}),
        json!({"times": 1, "action": "reset"}),
    ];
    for fault in &faults {
        let r = control(&emu, "POST", FAULTS, fault.to_string().as_bytes());
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let r = track(&emu, "PUT", "/api/v1/customers/a", "{}");
    assert_eq!(
        (r.status, r.body.as_slice(), r.header("x-a")),
        (502, &b"bad"[..], Some("1"))
    );
    let r = track(&emu, "PUT", "/api/v1/customers/a", "{}");
    assert_eq!((r.status, r.header("retry-after")), (429, Some("3")));
    identify_ok(&emu, "a", "{}");
    assert!(try_send_raw(&emu, &request_bytes("GET", TRACK, "/", &[], b"")).is_err());
    assert_eq!(track(&emu, "GET", "/nothing", "").status, 404);

    let r = control(&emu, "POST", FAULTS, br#"{"times":1,"action":"reset"}"#);
    assert_eq!(r.status, 200);
    let r = control(&emu, "DELETE", FAULTS, b"");
    assert_eq!(r.status, 200);
    identify_ok(&emu, "a", "{}");

    for bad in [
        "nope",
        "[]",
        r#"{"times":1}"#,
        r#"{"action":"explode"}"#,
        r#"{"action":{"respond":{"status":42}}}"#,
        r#"{"action":{"respond":{"status":200,"headers":[["bad name","v"]]}}}"#,
        r#"{"action":{"delay":{}}}"#,
        r#"{"times":-1,"action":"reset"}"#,
    ] {
        let r = control(&emu, "POST", FAULTS, bad.as_bytes());
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.json()["errors"][0]["status"], "400");
    }
    let r = control(&emu, "GET", "/__emulator__/nothing", b"");
    assert_eq!(r.status, 404);
}

#[test]
fn the_demo_workspace_starts_in_use_and_reset_starts_it_over() {
    let emu = start();
    let seeded = |emu: &Emulator| {
        let jane = emu.person("demo-site", "42").expect("Jane");
        assert_eq!(jane.email.as_deref(), Some("jane@example.com"));
        assert_eq!(jane.attributes["plan"], "pro");
        assert_eq!(emu.people("demo-site").len(), DEMO_PEOPLE);
        assert_eq!(emu.segment_members("demo-site", 7), ["42"]);
        let live = app_get(
            emu,
            APP,
            "/v1/live_notifications/01HF7YAT000440Y5GX4GNK4EA0",
            DEMO_KEY,
        );
        assert_eq!(live.status, 200, "{}", live.text());
        assert_eq!(live.json()["state"], "active");
        for target in ["/v1/exports/1", "/v1/imports/1", "/v1/assets/folders/3"] {
            let r = app_get(emu, APP, target, DEMO_KEY);
            assert_eq!(r.status, 200, "{target}: {}", r.text());
        }
        assert_eq!(
            app_get(emu, APP, "/v1/exports/1", DEMO_KEY).json()["export"]["status"],
            "done"
        );
    };
    seeded(&emu);
    // Another workspace has none of it (but the content every workspace has).
    emu.add_workspace(Workspace::parse("late:late-key:late-app:us").unwrap());
    assert!(emu.people("late").is_empty());
    for (target, status) in [
        ("/v1/exports/1", 404),
        ("/v1/imports/1", 404),
        ("/v1/live_notifications/01HF7YAT000440Y5GX4GNK4EA0", 404),
        ("/v1/assets/folders/3", 200),
    ] {
        assert_eq!(
            app_get(&emu, APP, target, "late-app").status,
            status,
            "{target}"
        );
    }

    // Change what the demo workspace has, queue a fault, then start over.
    assert_track_ok(&track(&emu, "DELETE", "/api/v1/customers/42", ""));
    let end = r#"{"instance_id":"01HF7YAT000440Y5GX4GNK4EA0"}"#;
    let ended = app(
        &emu,
        "POST",
        APP,
        "/v1/live_notifications/end",
        DEMO_KEY,
        end,
    );
    assert_eq!(ended.status, 200, "{}", ended.text());
    let r = app(&emu, "DELETE", APP, "/v1/assets/folders/3", DEMO_KEY, "");
    assert_eq!(r.status, 204);
    emu.inject(
        Fault::new(FaultAction::RateLimit {
            retry_after_secs: 1,
        })
        .with_times(3),
    );
    emu.reset();
    assert!(emu.requests().is_empty());
    assert!(emu.pending_faults().is_empty());
    seeded(&emu);
    // The workspaces stay.
    let auth = basic("late", "late-key");
    let put = send_auth(&emu, "PUT", TRACK, "/api/v1/customers/a", &auth, b"{}");
    assert_track_ok(&put);
}

#[test]
fn add_workspace_and_workspace_parse() {
    let emu = start();
    let auth = basic("late", "late-key");
    let put = || send_auth(&emu, "PUT", TRACK, "/api/v1/customers/a", &auth, b"{}");
    assert_eq!(put().status, 401);
    emu.add_workspace(Workspace::parse("late:late-key:late-app:us").unwrap());
    assert_track_ok(&put());
    assert_eq!(emu.people("late").len(), 1);
    assert_eq!(emu.people("demo-site").len(), DEMO_PEOPLE);
    assert_eq!(
        app_get(&emu, APP, "/v1/workspaces", "late-app").json()["workspaces"][0]["id"],
        2
    );

    let ws = Workspace::parse("s:t:a:EU").unwrap();
    assert_eq!((ws.site_id.as_str(), ws.region), ("s", Region::Eu));
    for bad in ["s:t:a", "s:t:a:us:x", "s::a:us", "s:t:a:asia"] {
        let err = Workspace::parse(bad).unwrap_err();
        assert!(err.contains(bad), "{err}");
    }
}

#[test]
fn start_works_inside_a_tokio_runtime_and_drop_frees_the_port() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let addr = runtime.block_on(async {
        let emu = start();
        let addr = emu.addr();
        assert!(emu.url().starts_with("http://127.0.0.1:"));
        drop(emu);
        addr
    });
    assert!(TcpStream::connect(addr).is_err());
}

#[test]
fn per_host_ports_serve_each_customer_io_host_whatever_host_says() {
    use std::io::{Read as _, Write as _};
    let mut config = EmulatorConfig {
        per_host_ports: Some(0),
        ..EmulatorConfig::default()
    };
    config.workspaces.push(eu_workspace());
    let emu = Emulator::start(config).unwrap();
    let urls = emu.host_urls();
    assert_eq!(
        urls.iter().map(|(h, _)| *h).collect::<Vec<_>>(),
        cio_emulator::HOSTS.to_vec()
    );
    let call = |host: &str, target: &str, auth: &str| -> (u16, Value) {
        let url = &urls.iter().find(|(h, _)| *h == host).unwrap().1;
        let mut s = TcpStream::connect(url.trim_start_matches("http://")).unwrap();
        // The Host a JS runtime sends: the loopback address, not the API host.
        let req = format!("GET {target} HTTP/1.1\r\nHost: {}\r\nAuthorization: {auth}\r\nConnection: close\r\n\r\n", url.trim_start_matches("http://"));
        s.write_all(req.as_bytes()).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let status = text[9..12].parse().unwrap();
        let body = text.split_once("\r\n\r\n").unwrap().1;
        (
            status,
            serde_json::from_str(body.trim()).unwrap_or(Value::Null),
        )
    };
    let (status, body) = call(
        "track.customer.io",
        "/api/v1/accounts/region",
        &demo_basic(),
    );
    assert_eq!(
        (status, body["region"].clone()),
        (200, json!("us")),
        "{body}"
    );
    let (status, body) = call(
        "track-eu.customer.io",
        "/api/v1/accounts/region",
        &basic("eu-site", "eu-track"),
    );
    assert_eq!(
        (status, body["region"].clone()),
        (200, json!("eu")),
        "{body}"
    );
    let (status, _) = call("api-eu.customer.io", "/v1/workspaces", "Bearer eu-app");
    assert_eq!(status, 200);
    let (status, _) = call(
        "beta-api.customer.io",
        "/v1/api/segments",
        "Bearer demo-app-key",
    );
    assert_eq!(status, 200);
    // The US App host with the EU key: the wrong region, as on the real host.
    let (status, _) = call("api.customer.io", "/v1/workspaces", "Bearer eu-app");
    assert_ne!(status, 200);
    let hosts: Vec<String> = emu.requests().into_iter().map(|r| r.host).collect();
    assert_eq!(
        hosts,
        [
            "track.customer.io",
            "track-eu.customer.io",
            "api-eu.customer.io",
            "beta-api.customer.io",
            "api.customer.io"
        ]
    );
}
