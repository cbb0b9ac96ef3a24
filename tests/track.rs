//! The built component under the reference host, against the emulator, in both regions:
//! every Track operation of the catalog and `authenticate`.

mod common;

use cio_emulator::{Fault, FaultAction};
use cio_host::{ConnectorKind, ErrorKind, Region};
use common::*;
use serde_json::{json, Value};

fn regions() -> [(Region, &'static str, &'static str); 2] {
    [
        (Region::Us, "track.customer.io", "demo-site"),
        (Region::Eu, "track-eu.customer.io", "eu-site"),
    ]
}

#[test]
fn identify_in_both_regions_with_hostile_identifiers() {
    let emu = emulator();
    let host = host(&emu);
    for (region, hostname, site) in regions() {
        for (id, encoded) in [
            ("jane+1@example.com", "jane%2B1%40example.com"),
            ("a/b", "a%2Fb"),
            ("with space", "with%20space"),
            ("zoë-東京", "zo%C3%AB-%E6%9D%B1%E4%BA%AC"),
        ] {
            emu.clear_requests();
            let out = host
                .execute(&request(
                    "track.customer.identify",
                    track(region),
                    json!({"id": id, "attributes": {"plan": "pro"}}),
                ))
                .unwrap()
                .unwrap_or_else(|e| panic!("{id}: {e:?}"));
            assert_eq!(
                (out.status, out.output.as_str(), out.requests),
                (200, "{}", 1)
            );
            let reqs = emu.requests();
            assert_eq!(reqs.len(), 1);
            let r = &reqs[0];
            assert_eq!((r.method.as_str(), r.host.as_str()), ("PUT", hostname));
            assert_eq!(r.path, format!("/api/v1/customers/{encoded}"));
            let (user, _) = r.basic_auth().expect("basic auth");
            assert_eq!(user, site);
            assert_eq!(r.json().unwrap(), json!({"plan": "pro"}));
            let person = emu
                .person(site, id)
                .unwrap_or_else(|| panic!("{id} not stored"));
            assert_eq!(person.attributes["plan"], "pro");
        }
    }
}

#[test]
fn delete_removes_the_person() {
    let emu = emulator();
    let host = host(&emu);
    for (region, _, site) in regions() {
        host.execute(&request(
            "track.customer.identify",
            track(region),
            json!({"id": "42", "email": "x@example.com"}),
        ))
        .unwrap()
        .unwrap();
        assert!(emu.person(site, "42").is_some());
        let out = host
            .execute(&request(
                "track.customer.delete",
                track(region),
                json!({"id": "42"}),
            ))
            .unwrap()
            .unwrap();
        assert_eq!(out.status, 200);
        assert!(emu.person(site, "42").is_none());
        assert_eq!(emu.requests().last().unwrap().method, "DELETE");
    }
}

#[test]
fn events_with_large_payloads_arrive_intact() {
    let emu = emulator();
    let host = host(&emu);
    let big = "x".repeat(70 * 1024);
    for (region, _, site) in regions() {
        let out = host
            .execute(&request(
                "track.event.track",
                track(region),
                json!({"id": "jane@example.com", "name": "purchase", "data": {"blob": big}, "timestamp": "2026-11-23T10:00:00Z"}),
            ))
            .unwrap()
            .unwrap();
        assert_eq!(out.status, 200);
        let events = emu.events(site);
        let e = events.last().unwrap();
        assert_eq!(
            (e.name.as_str(), e.timestamp),
            ("purchase", Some(1_795_428_000))
        );
        assert_eq!(e.data["blob"].as_str().map(str::len), Some(70 * 1024));
        assert_eq!(e.id.as_deref().map(str::len), Some(26), "ULID event id");
    }
}

#[test]
fn a_one_mebibyte_body_is_sent_whole() {
    let emu = emulator();
    let host = host(&emu);
    let big = "y".repeat(1024 * 1024);
    let input = json!({"id": "1", "name": "big", "data": {"blob": big}});
    // The catalog operation refuses it before sending: Customer.io caps event data at 100,000 bytes.
    let err = host
        .execute(&request(
            "track.event.track",
            track(Region::Us),
            input.clone(),
        ))
        .unwrap()
        .unwrap_err();
    assert_eq!(
        (err.kind, err.pointers.clone()),
        (ErrorKind::InvalidInput, vec!["/data".to_string()])
    );
    assert!(err.message.contains("at most 100000"), "{}", err.message);
    assert!(emu.requests().is_empty());
    // The raw request sends it as it is; the point is that all of it gets there.
    let err = host
        .execute(&request(
            "track.raw_http_request",
            track(Region::Us),
            json!({"method": "POST", "endpoint": "/v1/customers/1/events", "body": {"name": "big", "data": {"blob": input["data"]["blob"]}}}),
        ))
        .unwrap()
        .unwrap_err();
    assert_eq!((err.kind, err.status), (ErrorKind::Upstream, Some(400)));
    let r = emu.requests().pop().unwrap();
    assert!(r.body.len() > 1024 * 1024, "{}", r.body.len());
    assert_eq!(
        r.json().unwrap()["data"]["blob"].as_str().unwrap().len(),
        1024 * 1024
    );
}

#[test]
fn authenticate_resolves_and_checks_regions() {
    let emu = emulator();
    let host = host(&emu);
    for (region, expect) in [(Region::Us, Region::Us), (Region::Auto, Region::Us)] {
        let info = host.authenticate(&track(region)).unwrap().unwrap();
        assert_eq!(
            (info.region, info.base_url.as_str()),
            (expect, "https://track.customer.io/api")
        );
    }
    let mut eu_auto = track(Region::Eu);
    eu_auto.region = Region::Auto;
    let info = host.authenticate(&eu_auto).unwrap().unwrap();
    assert_eq!(
        (info.region, info.base_url.as_str()),
        (Region::Eu, "https://track-eu.customer.io/api")
    );

    let mut us_on_eu = track(Region::Us);
    us_on_eu.region = Region::Eu;
    let e = host.authenticate(&us_on_eu).unwrap().unwrap_err();
    assert_eq!(e.kind, ErrorKind::WrongRegion, "{e:?}");
    assert!(e.message.contains("region to us"), "{}", e.message);

    let mut bad = track(Region::Us);
    bad.credentials = cio_host::Credentials::Track(cio_host::TrackCredentials {
        site_id: "demo-site".into(),
        api_key: "wrong".into(),
    });
    let e = host.authenticate(&bad).unwrap().unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    assert!(
        !e.message.contains("wrong\"") && e.message.contains("Track site id and API key"),
        "{}",
        e.message
    );

    for kind in [ConnectorKind::App, ConnectorKind::Beta] {
        let info = host.authenticate(&app(kind, Region::Us)).unwrap().unwrap();
        assert_eq!(info.region, Region::Us);
        let mut eu = app(kind, Region::Eu);
        eu.region = Region::Auto;
        let info = host.authenticate(&eu).unwrap().unwrap();
        assert_eq!(info.region, Region::Eu);
        assert!(info.base_url.starts_with(if kind == ConnectorKind::Beta {
            "https://beta-api-eu"
        } else {
            "https://api-eu"
        }));
        let mut eu_on_us = app(kind, Region::Eu);
        eu_on_us.region = Region::Us;
        let e = host.authenticate(&eu_on_us).unwrap().unwrap_err();
        assert_eq!(e.kind, ErrorKind::WrongRegion);
        assert!(e.message.contains("region to eu"), "{}", e.message);
        let e = host
            .authenticate(&cio_host::ConnectionConfig {
                credentials: cio_host::Credentials::App("nope".into()),
                ..app(kind, Region::Auto)
            })
            .unwrap()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unauthorized);
        assert!(
            e.message.contains("both the US and the EU"),
            "{}",
            e.message
        );
    }
    let probes: Vec<String> = emu
        .requests()
        .iter()
        .map(|r| format!("{} {}{}", r.method, r.host, r.path))
        .collect();
    assert!(
        probes.contains(&"GET api.customer.io/v1/workspaces".to_string()),
        "{probes:?}"
    );
    assert!(probes.contains(&"GET track.customer.io/api/v1/accounts/region".to_string()));
}

#[test]
fn bad_input_gets_typed_errors_and_sends_nothing() {
    let emu = emulator();
    let host = host(&emu);
    let cases: Vec<(&str, Value, ErrorKind, &str)> = vec![
        (
            "track.customer.identify",
            json!({"attributes": {}}),
            ErrorKind::InvalidInput,
            "/id",
        ),
        (
            "track.customer.identify",
            json!({"id": 42}),
            ErrorKind::InvalidInput,
            "/id",
        ),
        (
            "track.customer.identify",
            json!({"id": "1", "attributes": "plan=pro"}),
            ErrorKind::InvalidInput,
            "/attributes",
        ),
        (
            "track.event.track",
            json!({"id": "1"}),
            ErrorKind::InvalidInput,
            "/name",
        ),
        (
            "track.event.track",
            json!({"id": "1", "name": "n", "timestamp": "soon"}),
            ErrorKind::InvalidInput,
            "/timestamp",
        ),
        (
            "track.customer.delete",
            json!({"id": "x".repeat(151)}),
            ErrorKind::InvalidInput,
            "/id",
        ),
        (
            "track.customer.explode",
            json!({}),
            ErrorKind::UnknownOperation,
            "",
        ),
    ];
    for (op, input, kind, pointer) in cases {
        let e = host
            .execute(&request(op, track(Region::Us), input.clone()))
            .unwrap()
            .unwrap_err();
        assert_eq!(e.kind, kind, "{op} {input}: {e:?}");
        if !pointer.is_empty() {
            assert!(
                e.pointers.contains(&pointer.to_string()),
                "{op} {input}: {:?}",
                e.pointers
            );
        }
    }
    let e = host
        .execute(&request(
            "track.customer.delete",
            app(ConnectorKind::App, Region::Us),
            json!({"id": "1"}),
        ))
        .unwrap()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidConfig);
    assert!(
        emu.requests().is_empty(),
        "nothing may be sent for bad input"
    );

    let mut wrong = track(Region::Us);
    wrong.credentials = cio_host::Credentials::Track(cio_host::TrackCredentials {
        site_id: "demo-site".into(),
        api_key: "bad-key-123".into(),
    });
    let e = host
        .execute(&request("track.customer.delete", wrong, json!({"id": "1"})))
        .unwrap()
        .unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::Unauthorized, Some(401)));
    assert!(!format!("{e:?}").contains("bad-key-123"));
}

#[test]
fn rate_limits_and_server_errors_are_retried_safely() {
    let emu = emulator();
    let host = host(&emu);
    emu.inject(Fault {
        path_prefix: Some("/api/v1/customers/r1".into()),
        times: 1,
        action: FaultAction::RateLimit {
            retry_after_secs: 1,
        },
    });
    let start = std::time::Instant::now();
    let out = host
        .execute(&request(
            "track.customer.identify",
            track(Region::Us),
            json!({"id": "r1"}),
        ))
        .unwrap()
        .unwrap();
    assert_eq!((out.status, out.requests), (200, 2));
    assert!(start.elapsed().as_millis() >= 900, "Retry-After honoured");

    // An event carries its ULID, so a 503 is retried and the id stays the same.
    emu.inject(Fault {
        path_prefix: Some("/api/v1/customers/r2/events".into()),
        times: 1,
        action: FaultAction::Respond {
            status: 503,
            headers: vec![],
            body: b"{}".to_vec(),
        },
    });
    let out = host
        .execute(&request(
            "track.event.track",
            track(Region::Us),
            json!({"id": "r2", "name": "n"}),
        ))
        .unwrap()
        .unwrap();
    assert_eq!(out.requests, 2);
    let ids: Vec<Value> = emu
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("r2/events"))
        .map(|r| r.json().unwrap()["id"].clone())
        .collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1]);
    assert_eq!(
        emu.events("demo-site")
            .iter()
            .filter(|e| e.name == "n")
            .count(),
        1
    );
}

#[test]
fn the_component_imports_http_but_no_files_or_sockets() {
    let emu = emulator();
    let host = host(&emu);
    let imports = host.imports();
    eprintln!("component imports: {imports:?}");
    assert!(
        imports
            .iter()
            .any(|i| i.starts_with("wasi:http/outgoing-handler@")),
        "{imports:?}"
    );
    for i in imports {
        let package = i.split('/').next().unwrap();
        assert!(
            [
                "wasi:http",
                "wasi:io",
                "wasi:clocks",
                "wasi:random",
                "wasi:cli",
                "customerio:connector"
            ]
            .iter()
            .any(|p| package.starts_with(p)),
            "unexpected import {i}"
        );
    }
}

/// A request without a body goes out as the official clients send it: no body, no
/// `Transfer-Encoding: chunked` and no empty chunked stream (Customer.io's spec gives DELETE and
/// GET no request body). Writes keep their `Content-Length`.
#[test]
fn bodiless_requests_carry_no_body_framing() {
    let emu = emulator();
    let host = host(&emu);
    for (op, input, method) in [
        ("track.customer.delete", json!({"id": "42"}), "DELETE"),
        ("app.segment.get", json!({"segment_id": 7}), "GET"),
        ("app.segment.delete", json!({"segment_id": 7}), "DELETE"),
    ] {
        emu.clear_requests();
        let config = if op.starts_with("track.") {
            track(Region::Us)
        } else {
            app(ConnectorKind::App, Region::Us)
        };
        host.execute(&request(op, config, input))
            .unwrap()
            .unwrap_or_else(|e| panic!("{op}: {e:?}"));
        let reqs = emu.requests();
        let r = reqs.last().unwrap();
        assert_eq!(r.method, method, "{op}");
        let framing: Vec<&(String, String)> = r
            .headers
            .iter()
            .filter(|(k, _)| k == "transfer-encoding" || k == "content-length")
            .collect();
        assert!(framing.is_empty(), "{op}: {framing:?}");
        assert!(r.body.is_empty(), "{op}");
    }
    emu.clear_requests();
    host.execute(&request(
        "track.customer.identify",
        track(Region::Us),
        json!({"id": "42", "attributes": {"plan": "pro"}}),
    ))
    .unwrap()
    .unwrap();
    let r = emu.requests().pop().unwrap();
    assert!(
        r.headers
            .iter()
            .any(|(k, v)| k == "content-length" && v == "14"),
        "{:?}",
        r.headers
    );
    assert!(
        !r.headers.iter().any(|(k, _)| k == "transfer-encoding"),
        "{:?}",
        r.headers
    );
}
