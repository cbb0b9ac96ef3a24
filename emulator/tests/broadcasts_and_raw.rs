//! End-to-end tests for API-triggered broadcasts, arbitrary methods and paths (the connector's raw
//! HTTP operation), byte-exact recording and the large-body and delay faults.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use cio_emulator::{Emulator, EmulatorConfig, Fault, FaultAction, Workspace};
use common::*;
use serde_json::{json, Value};

const SEEDED_TIME: i64 = 1_767_225_600;

/// An App call with the demo workspace's key.
fn demo(emu: &Emulator, method: &str, target: &str, body: &str) -> Reply {
    app(emu, method, APP, target, DEMO_KEY, body)
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn app_404(detail: &str) -> Value {
    json!({"errors": [{"detail": detail, "status": "404"}]})
}

#[test]
fn demo_trigger_is_seeded_on_app_and_beta_hosts() {
    let emu = start();
    let seeded =
        json!({"id": 1, "broadcast_id": 8, "created_at": SEEDED_TIME, "processed_at": SEEDED_TIME});
    for (host, target) in [
        (APP, "/v1/campaigns/8/triggers/1"),
        (BETA, "/v1/api/campaigns/8/triggers/1"),
    ] {
        let r = app(&emu, "GET", host, target, DEMO_KEY, "");
        assert_eq!(r.status, 200, "{host}{target}");
        assert_eq!(r.json(), seeded, "{host}{target}");
        assert_eq!(
            r.header("content-type"),
            Some("application/json; charset=utf-8")
        );
    }
    for (host, target) in [
        (APP, "/v1/broadcasts/8/triggers"),
        (BETA, "/v1/api/broadcasts/8/triggers"),
    ] {
        let r = app(&emu, "GET", host, target, DEMO_KEY, "");
        assert_eq!(r.status, 200);
        assert_eq!(r.json(), json!({"triggers": [seeded]}));
    }
    let mut expected = seeded.clone();
    expected["request"] = json!({});
    assert_eq!(emu.broadcast_triggers("demo-site", 8), vec![expected]);
    assert!(emu.broadcast_triggers("demo-site", 9).is_empty());
    assert!(emu.broadcast_triggers("nobody", 8).is_empty());

    // Without the demo workspace's key there is nothing to see.
    let r = app(&emu, "GET", APP, "/v1/campaigns/8/triggers/1", "nope", "");
    assert_eq!(r.status, 401);
}

#[test]
fn trigger_is_created_then_rate_limited_for_ten_seconds() {
    let emu = start();
    let body = r#"{"data":{"headline":"Hi"},"ids":["1","2"],"id_ignore_missing":true}"#;
    let before = unix_now();
    let r = demo(&emu, "POST", "/v1/campaigns/8/triggers", body);
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"id": 2}));

    let r = demo(&emu, "GET", "/v1/campaigns/8/triggers/2", "");
    assert_eq!(r.status, 200);
    let trigger = r.json();
    assert_eq!(
        (trigger["id"].clone(), trigger["broadcast_id"].clone()),
        (json!(2), json!(8))
    );
    let created = trigger["created_at"].as_i64().unwrap();
    assert!(created >= before && created <= unix_now() + 1, "{trigger}");
    assert_eq!(trigger["processed_at"], trigger["created_at"]);
    assert_eq!(trigger.as_object().unwrap().len(), 4, "{trigger}");

    // A second trigger of the same broadcast within 10 s, on either host.
    for (host, target) in [
        (APP, "/v1/campaigns/8/triggers"),
        (BETA, "/v1/api/campaigns/8/triggers"),
    ] {
        let r = app(&emu, "POST", host, target, DEMO_KEY, "{}");
        assert_eq!(r.status, 429, "{host}");
        assert_eq!(r.header("retry-after"), Some("10"));
        let errors = r.json()["errors"].clone();
        assert_eq!(errors[0]["status"], "429");
        assert!(errors[0]["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }

    let stored = emu.broadcast_triggers("demo-site", 8);
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[1]["id"], 2);
    assert_eq!(
        stored[1]["request"],
        serde_json::from_str::<Value>(body).unwrap()
    );
    let r = demo(&emu, "GET", "/v1/broadcasts/8/triggers", "");
    let ids: Vec<Value> = r.json()["triggers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(1), json!(2)]);
}

#[test]
fn trigger_errors_and_other_workspaces() {
    let mut config = EmulatorConfig::default();
    config
        .workspaces
        .push(Workspace::parse("other:other-track:other-app:us").unwrap());
    let emu = Emulator::start(config).unwrap();

    for bad in ["", "[]", "null", "\"x\"", "not json", "{\"data\":"] {
        let r = demo(&emu, "POST", "/v1/campaigns/8/triggers", bad);
        assert_eq!(r.status, 400, "{bad:?}");
        let errors = r.json()["errors"].clone();
        assert_eq!(errors[0]["status"], "400", "{bad:?}");
        assert!(errors[0]["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    for target in [
        "/v1/campaigns/9/triggers",
        "/v1/campaigns/abc/triggers",
        "/v1/campaigns/-8/triggers",
    ] {
        let r = demo(&emu, "POST", target, "{}");
        assert_eq!(r.status, 404, "{target}");
        assert_eq!(r.json(), app_404("The broadcast_id does not exist"));
    }
    let r = demo(
        &emu,
        "POST",
        "/v1/campaigns/8/triggers",
        r#"{"recipients":{},"data":{"a":1}}"#,
    );
    assert_eq!(r.status, 422);
    assert_eq!(
        r.body,
        br#"{"errors":[{"detail":"empty recipients filter is not valid","source":{"pointer":"/recipients"},"status":"422"}]}"#
    );
    // None of the refused requests used up the 10-second window or a trigger id.
    let r = demo(
        &emu,
        "POST",
        "/v1/campaigns/8/triggers",
        r#"{"recipients":{"segment":{"id":3}}}"#,
    );
    assert_eq!((r.status, r.json()), (200, json!({"id": 2})));

    for (target, detail) in [
        (
            "/v1/campaigns/8/triggers/99",
            "The trigger_id does not exist",
        ),
        (
            "/v1/campaigns/8/triggers/x",
            "The trigger_id does not exist",
        ),
        (
            "/v1/campaigns/9/triggers/1",
            "The broadcast_id does not exist",
        ),
        (
            "/v1/broadcasts/9/triggers",
            "The broadcast_id does not exist",
        ),
    ] {
        let r = demo(&emu, "GET", target, "");
        assert_eq!((r.status, r.json()), (404, app_404(detail)), "{target}");
    }
    // Wrong methods on the trigger paths are unknown resources.
    for (method, target) in [
        ("PUT", "/v1/campaigns/8/triggers"),
        ("GET", "/v1/campaigns/8/triggers"),
        ("DELETE", "/v1/campaigns/8/triggers/1"),
        ("POST", "/v1/broadcasts/8/triggers"),
    ] {
        let r = demo(&emu, method, target, "{}");
        assert_eq!(
            (r.status, r.json()),
            (404, app_404("not found")),
            "{method} {target}"
        );
    }

    // Another workspace has broadcast 8 without triggers, its own ids and its own window.
    // In order: the POST creates the trigger the last GET reads; `None` checks the status only.
    for (method, host, target, body, status, expected) in [
        (
            "GET",
            APP,
            "/v1/broadcasts/8/triggers",
            "",
            200,
            Some(json!({"triggers": []})),
        ),
        ("GET", APP, "/v1/campaigns/8/triggers/1", "", 404, None),
        (
            "POST",
            BETA,
            "/v1/api/campaigns/8/triggers",
            "{}",
            200,
            Some(json!({"id": 1})),
        ),
        ("GET", BETA, "/v1/api/campaigns/8/triggers/1", "", 200, None),
    ] {
        let r = app(&emu, method, host, target, "other-app", body);
        assert_eq!(r.status, status, "{method} {host}{target}");
        if let Some(expected) = expected {
            assert_eq!(r.json(), expected, "{method} {host}{target}");
        }
    }
    assert_eq!(emu.broadcast_triggers("other", 8)[0]["request"], json!({}));
    assert_eq!(emu.broadcast_triggers("demo-site", 8).len(), 2);
}

#[test]
fn demo_site_id_gets_the_seeded_trigger_with_other_keys() {
    let emu = Emulator::start(EmulatorConfig {
        workspaces: vec![Workspace::parse("demo-site:t:custom-app:us").unwrap()],
        ..EmulatorConfig::default()
    })
    .unwrap();
    let r = app(
        &emu,
        "GET",
        APP,
        "/v1/campaigns/8/triggers/1",
        "custom-app",
        "",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["created_at"], SEEDED_TIME);
}

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

#[test]
fn unknown_paths_are_app_404s_for_every_method_and_head_has_no_body() {
    let emu = start();
    let expected = serde_json::to_vec(&app_404("not found")).unwrap();
    for (host, target) in [
        (APP, "/v1/raw/echo?x=1"),
        (APP, "/"),
        (APP, "/v1/campaignz"),
        (BETA, "/v1/api/raw/echo"),
        (BETA, "/v1/workspaces"),
    ] {
        for method in METHODS {
            let r = app(&emu, method, host, target, DEMO_KEY, "{}");
            assert_eq!(r.status, 404, "{method} {host}{target}");
            assert_eq!(
                r.header("content-type"),
                Some("application/json; charset=utf-8"),
                "{method} {host}{target}"
            );
            assert_eq!(
                r.header("content-length"),
                Some(expected.len().to_string().as_str()),
                "{method} {host}{target}"
            );
            if method == "HEAD" {
                assert!(r.body.is_empty(), "HEAD {host}{target}: {:?}", r.body);
            } else {
                assert_eq!(r.body, expected, "{method} {host}{target}");
            }
        }
    }
    // An extension method is an unknown resource too.
    let r = demo(&emu, "PROPFIND", "/v1/workspaces", "");
    assert_eq!((r.status, r.json()), (404, app_404("not found")));
    // Auth still comes first, for every method.
    for method in METHODS {
        let r = send(&emu, method, APP, "/v1/raw/echo", &[], b"");
        assert_eq!(r.status, 401, "{method}");
    }
}

#[test]
fn head_is_answered_like_get_without_a_body() {
    let emu = start();
    let basic = demo_basic();
    let bearer = bearer(DEMO_KEY);
    for (host, target, auth) in [
        (APP, "/v1/workspaces", bearer.as_str()),
        (BETA, "/v1/api/campaigns/8/triggers/1", bearer.as_str()),
        (TRACK, "/api/v1/accounts/region", basic.as_str()),
    ] {
        let get = send_auth(&emu, "GET", host, target, auth, b"");
        let head = send_auth(&emu, "HEAD", host, target, auth, b"");
        assert_eq!(get.status, 200, "{host}{target}");
        assert_eq!(head.status, get.status, "{host}{target}");
        assert!(head.body.is_empty(), "{host}{target}");
        assert_eq!(head.header("content-type"), get.header("content-type"));
        assert_eq!(
            head.header("content-length"),
            Some(get.body.len().to_string().as_str()),
            "{host}{target}"
        );
    }
    let recorded: Vec<String> = emu.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(recorded, ["GET", "HEAD", "GET", "HEAD", "GET", "HEAD"]);
}

#[test]
fn bodies_are_recorded_byte_exact_for_every_method() {
    let emu = start();
    let binary: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let mut multipart =
        b"--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\n\r\n{\"a\":1}\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\n\
Content-Type: application/octet-stream\r\n\r\n"
            .to_vec();
    multipart.extend_from_slice(&[0, 255, 13, 10, 13, 10, 0x80, 0xfe]);
    multipart.extend_from_slice(b"\r\n--XyZ--\r\n");
    let bearer = bearer(DEMO_KEY);
    let cases: Vec<(&str, &str, &[u8])> = vec![
        ("POST", "application/octet-stream", &binary),
        ("PUT", "multipart/form-data; boundary=XyZ", &multipart),
        ("PATCH", "text/plain", "ünïcödé\n".as_bytes()),
        ("DELETE", "application/json", b"{\"ids\":[1]}"),
        ("GET", "application/json", b"{\"q\":1}"),
        ("OPTIONS", "text/plain", b"x"),
        ("HEAD", "text/plain", b""),
    ];
    for (method, content_type, body) in &cases {
        let r = send(
            &emu,
            method,
            APP,
            "/v1/raw/anything",
            &[("Authorization", &bearer), ("Content-Type", content_type)],
            body,
        );
        assert_eq!(r.status, 404, "{method}");
    }
    // A chunked upload is recorded as the decoded body.
    let mut chunked = format!(
        "POST /v1/raw/chunked HTTP/1.1\r\nHost: {APP}\r\nConnection: close\r\n\
         Authorization: {bearer}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for chunk in binary.chunks(30_000) {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(send_raw(&emu, &chunked).status, 404);

    let requests = emu.requests();
    assert_eq!(requests.len(), cases.len() + 1);
    for ((method, content_type, body), rec) in cases.iter().zip(&requests) {
        assert_eq!(rec.method, *method);
        assert_eq!(rec.body, *body, "{method}");
        assert_eq!(rec.header("content-type"), Some(*content_type));
    }
    assert_eq!(requests[cases.len()].body, binary);
    assert_eq!(requests[cases.len()].path, "/v1/raw/chunked");

    // The HTTP inspection view carries the same bytes.
    let list = send(&emu, "GET", "x", "/__emulator__/requests", &[], b"").json();
    let first = base64::engine::general_purpose::STANDARD
        .decode(list[0]["body_base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(first, binary);
}

#[test]
fn respond_fault_sends_five_mib_of_binary_byte_exact() {
    let emu = start();
    // A simple LCG gives bytes of every value without a pattern that compression could hide.
    let mut seed = 0x2545_f491_u32;
    let body: Vec<u8> = (0..5 * 1024 * 1024)
        .map(|_| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 24) as u8
        })
        .collect();
    emu.inject(Fault {
        path_prefix: Some("/v1/files/".into()),
        times: 1,
        action: FaultAction::Respond {
            status: 200,
            headers: vec![("Content-Type".into(), "application/octet-stream".into())],
            body: body.clone(),
        },
    });
    let r = demo(&emu, "GET", "/v1/files/big.bin", "");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    assert_eq!(r.header("content-length"), Some("5242880"));
    assert!(r.body == body, "body differs ({} bytes)", r.body.len());
    // Used up: the next request is served normally.
    assert_eq!(demo(&emu, "GET", "/v1/files/big.bin", "").status, 404);
}

#[test]
fn delay_fault_holds_back_the_response_headers() {
    let emu = start();
    emu.inject(Fault {
        path_prefix: None,
        times: 1,
        action: FaultAction::Delay { ms: 700 },
    });
    let mut stream = TcpStream::connect(emu.addr()).unwrap();
    let started = Instant::now();
    stream
        .write_all(&request_bytes(
            "GET",
            APP,
            "/v1/workspaces",
            &[("Authorization", &bearer(DEMO_KEY))],
            b"",
        ))
        .unwrap();
    // A client with a 200 ms first-byte timeout sees nothing at all: not even the status line.
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut first = [0u8; 1];
    let err = stream
        .read(&mut first)
        .expect_err("no byte before the delay");
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err:?}"
    );
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    assert!(started.elapsed() >= Duration::from_millis(700));
    let r = parse_reply(&raw).expect("an HTTP reply");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["workspaces"][0]["name"], "demo-site");
}
