//! The raw HTTP operations under the host against the emulator, in both regions, for all three
//! APIs: methods, body types, response types, retries, timeouts, debug output and hostile input.

mod common;

use base64::Engine as _;
use cio_emulator::{Emulator, Fault, FaultAction};
use cio_host::{
    ConnectionConfig, ConnectorHost, ConnectorKind, ErrorKind, ExecuteResponse, Region,
};
use common::*;
use serde_json::{json, Value};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn all_connections() -> Vec<(ConnectionConfig, &'static str, &'static str)> {
    let mut out = Vec::new();
    for region in [Region::Us, Region::Eu] {
        let eu = region == Region::Eu;
        out.push((
            track(region),
            if eu {
                "track-eu.customer.io"
            } else {
                "track.customer.io"
            },
            "/api",
        ));
        out.push((
            app(ConnectorKind::App, region),
            if eu {
                "api-eu.customer.io"
            } else {
                "api.customer.io"
            },
            "/v1",
        ));
        out.push((
            app(ConnectorKind::Beta, region),
            if eu {
                "beta-api-eu.customer.io"
            } else {
                "beta-api.customer.io"
            },
            "/v1/api",
        ));
    }
    out
}

fn op(config: &ConnectionConfig) -> &'static str {
    match config.connector {
        ConnectorKind::Track => "track.raw_http_request",
        ConnectorKind::App => "app.raw_http_request",
        ConnectorKind::Beta => "beta.raw_http_request",
    }
}

fn raw(
    host: &ConnectorHost,
    config: &ConnectionConfig,
    input: Value,
) -> Result<(Value, ExecuteResponse), cio_host::ConnectorError> {
    let r = host
        .execute(&request(op(config), config.clone(), input))
        .expect("no trap")?;
    Ok((serde_json::from_str(&r.output).unwrap(), r))
}

fn respond(emu: &Emulator, path: &str, status: u16, headers: &[(&str, &str)], body: &[u8]) {
    emu.inject(Fault {
        path_prefix: Some(path.into()),
        times: 1,
        action: FaultAction::Respond {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_vec(),
        },
    });
}

#[test]
fn base_url_region_and_auth_come_from_the_connection() {
    let emu = emulator();
    let host = host(&emu);
    for (config, hostname, base) in all_connections() {
        emu.clear_requests();
        let path = format!("{base}/things/1");
        respond(&emu, &path, 200, &[("x-thing", "1")], br#"{"thing":1}"#);
        let (out, r) = raw(&host, &config, json!({"method": "GET", "endpoint": "/things/1", "query": {"a": "x y", "ids": ["1", "2"]}})).unwrap();
        assert_eq!((r.status, r.requests), (200, 1));
        assert_eq!(out["body"], json!({"thing": 1}));
        assert_eq!(out["headers"]["x-thing"], "1");
        assert_eq!(
            out["url"],
            format!("https://{hostname}{path}?a=x+y&ids=1&ids=2")
        );
        let reqs = emu.requests();
        assert_eq!(reqs.len(), 1);
        assert_eq!(
            (
                reqs[0].host.as_str(),
                reqs[0].path.as_str(),
                reqs[0].query.as_deref()
            ),
            (hostname, path.as_str(), Some("a=x+y&ids=1&ids=2"))
        );
        match config.connector {
            ConnectorKind::Track => assert!(reqs[0].basic_auth().is_some()),
            _ => assert!(reqs[0].bearer().is_some()),
        }
    }
}

#[test]
fn the_tray_examples_work() {
    let emu = emulator();
    let host = host(&emu);
    let (out, _) = raw(
        &host,
        &app(ConnectorKind::App, Region::Us),
        json!({"method": "GET", "endpoint": "/campaigns/8/triggers/1"}),
    )
    .unwrap();
    assert_eq!(
        out["url"],
        "https://api.customer.io/v1/campaigns/8/triggers/1"
    );
    assert_eq!(out["body"]["id"], 1, "{out}");
    let (out, _) = raw(
        &host,
        &track(Region::Eu),
        json!({"method": "GET", "endpoint": "/v1/accounts/region"}),
    )
    .unwrap();
    assert_eq!(
        out["url"],
        "https://track-eu.customer.io/api/v1/accounts/region"
    );
    assert_eq!(out["body"]["region"], "eu");
    host.execute(&request(
        "track.customer.identify",
        track(Region::Us),
        json!({"id": "jane@example.com", "attributes": {"plan": "pro"}}),
    ))
    .unwrap()
    .unwrap();
    let (out, _) = raw(&host, &app(ConnectorKind::App, Region::Us), json!({"method": "GET", "endpoint": "/customers/jane@example.com/attributes?id_type=email"})).unwrap();
    assert_eq!(
        out["body"]["customer"]["attributes"]["plan"], "pro",
        "{out}"
    );
    assert_eq!(
        emu.requests().last().unwrap().path,
        "/v1/customers/jane@example.com/attributes"
    );
}

#[test]
fn every_method_and_body_type_arrives_as_sent_in_every_api_and_region() {
    let emu = emulator();
    let host = host(&emu);
    let bin: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let file = vec![0u8, 159, 146, 150, 255, 13, 10];
    for (config, hostname, base) in all_connections() {
        let at = |p: &str| format!("{base}{p}");
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] {
            emu.clear_requests();
            respond(&emu, &at("/m"), 200, &[], b"{}");
            let (out, _) =
                raw(&host, &config, json!({"method": method, "endpoint": "/m"})).unwrap();
            assert_eq!(out["status"], 200, "{method} {hostname}");
            let r = &emu.requests()[0];
            assert_eq!((r.method.as_str(), r.host.as_str()), (method, hostname));
        }
        let cases = vec![
            (
                json!({"body": {"a": [1, 2]}}),
                "application/json",
                br#"{"a":[1,2]}"#.to_vec(),
            ),
            (
                json!({"body_type": "json", "body": "str"}),
                "application/json",
                br#""str""#.to_vec(),
            ),
            (
                json!({"body_type": "text", "body": "héllo\nworld"}),
                "text/plain; charset=utf-8",
                "héllo\nworld".as_bytes().to_vec(),
            ),
            (
                json!({"body_type": "form_urlencoded", "body": {"a": "x y&z", "n": [1, 2]}}),
                "application/x-www-form-urlencoded",
                b"a=x+y%26z&n=1&n=2".to_vec(),
            ),
            (
                json!({"body_type": "binary", "body": B64.encode(&bin)}),
                "application/octet-stream",
                bin.clone(),
            ),
            (
                json!({"body_type": "binary", "body": B64.encode(b"x"), "headers": {"Content-Type": "image/png"}}),
                "image/png",
                b"x".to_vec(),
            ),
        ];
        for (extra, ctype, expected) in cases {
            emu.clear_requests();
            respond(&emu, &at("/b"), 200, &[], b"{}");
            let mut input = json!({"method": "POST", "endpoint": "/b"});
            input
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            raw(&host, &config, input.clone()).unwrap();
            let r = &emu.requests()[0];
            assert_eq!(r.header("content-type"), Some(ctype), "{input} {hostname}");
            assert!(
                r.body == expected,
                "{input} {hostname}: body differs ({} vs {} bytes)",
                r.body.len(),
                expected.len()
            );
        }
        // multipart with a text field and a binary file
        emu.clear_requests();
        respond(&emu, &at("/upload"), 200, &[], b"{}");
        raw(
            &host,
            &config,
            json!({"method": "POST", "endpoint": "/upload", "body": {"name": "people"},
                   "files": [{"field": "file", "filename": "people.csv", "content_type": "text/csv", "content_base64": B64.encode(&file)}]}),
        )
        .unwrap();
        let r = &emu.requests()[0];
        let ctype = r.header("content-type").unwrap();
        let boundary = ctype
            .strip_prefix("multipart/form-data; boundary=")
            .expect(ctype);
        let mut expected = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\npeople\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\nContent-Type: text/csv\r\n\r\n").into_bytes();
        expected.extend_from_slice(&file);
        expected.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        assert!(r.body == expected, "multipart body differs on {hostname}");
    }
}

#[test]
fn response_types_and_large_binary_round_trips_in_every_api_and_region() {
    let emu = emulator();
    let host = host(&emu);
    let big: Vec<u8> = (0..5 * 1024 * 1024)
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let bytes: Vec<u8> = (0..=255u8).rev().collect();
    for (config, hostname, base) in all_connections() {
        let at = |p: &str| format!("{base}{p}");
        respond(
            &emu,
            &at("/blob"),
            200,
            &[("content-type", "application/octet-stream")],
            &big,
        );
        let (out, _) = raw(
            &host,
            &config,
            json!({"method": "GET", "endpoint": "/blob", "response_type": "binary"}),
        )
        .unwrap();
        assert_eq!(out["body_encoding"], "base64");
        assert!(
            B64.decode(out["body"].as_str().unwrap()).unwrap() == big,
            "5 MiB binary body must round-trip byte for byte ({hostname})"
        );

        // A binary upload comes back byte for byte when the server echoes it.
        respond(
            &emu,
            &at("/echo"),
            200,
            &[("content-type", "application/octet-stream")],
            &bytes,
        );
        let (out, _) = raw(&host, &config, json!({"method": "PUT", "endpoint": "/echo", "body_type": "binary", "body": B64.encode(&bytes)})).unwrap();
        assert_eq!(emu.requests().last().unwrap().body, bytes);
        assert_eq!(
            out["body_encoding"], "base64",
            "auto falls back to base64 for non-UTF-8"
        );
        assert_eq!(B64.decode(out["body"].as_str().unwrap()).unwrap(), bytes);

        for (rtype, body, expect, enc) in [
            ("auto", &b"{\"a\":1}"[..], json!({"a": 1}), "json"),
            ("auto", b"plain words", json!("plain words"), "text"),
            ("text", b"{\"a\":1}", json!("{\"a\":1}"), "text"),
            ("json", b"[1,2]", json!([1, 2]), "json"),
            ("binary", b"hi", json!("aGk="), "base64"),
            ("auto", b"", Value::Null, "none"),
        ] {
            respond(&emu, &at("/r"), 200, &[], body);
            let (out, _) = raw(
                &host,
                &config,
                json!({"method": "GET", "endpoint": "/r", "response_type": rtype}),
            )
            .unwrap();
            assert_eq!(
                (out["body"].clone(), out["body_encoding"].as_str().unwrap()),
                (expect, enc),
                "{rtype} {hostname}"
            );
        }
        respond(&emu, &at("/r"), 200, &[], b"not json");
        let e = raw(
            &host,
            &config,
            json!({"method": "GET", "endpoint": "/r", "response_type": "json"}),
        )
        .unwrap_err();
        assert!(e.message.contains("not JSON"), "{}", e.message);
    }
}

#[test]
fn errors_are_typed_unless_returned_as_output() {
    let emu = emulator();
    let host = host(&emu);
    let config = app(ConnectorKind::App, Region::Us);
    let e = raw(
        &host,
        &config,
        json!({"method": "GET", "endpoint": "/v1/campaigns"}),
    )
    .unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::NotFound, Some(404)));
    assert!(e.message.contains("drop the /v1 prefix"), "{}", e.message);
    assert!(e.body.as_deref().unwrap_or("").contains("not found"));
    respond(
        &emu,
        "/v1/fail",
        422,
        &[],
        br#"{"errors":[{"detail":"bad filter","status":"422"}]}"#,
    );
    let e = raw(
        &host,
        &config,
        json!({"method": "POST", "endpoint": "/fail", "body": {}}),
    )
    .unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::Upstream, Some(422)));
    assert!(e.message.contains("bad filter"));
    respond(&emu, "/v1/fail", 422, &[], br#"{"errors":[]}"#);
    let (out, r) = raw(
        &host,
        &config,
        json!({"method": "POST", "endpoint": "/fail", "body": {}, "return_error_responses": true}),
    )
    .unwrap();
    assert_eq!((out["status"].clone(), r.status), (json!(422), 422));
    // The wrong region is named, and the redirect is not followed.
    let mut eu_on_us = app(ConnectorKind::App, Region::Eu);
    eu_on_us.region = Region::Us;
    emu.clear_requests();
    let e = raw(
        &host,
        &eu_on_us,
        json!({"method": "GET", "endpoint": "/workspaces"}),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::WrongRegion);
    assert_eq!(emu.requests().len(), 1);
}

#[test]
fn retries_backoff_and_retry_after_are_counted_at_the_emulator_in_every_api_and_region() {
    let emu = emulator();
    let host = host(&emu);
    for (config, hostname, base) in all_connections() {
        let at = |p: &str| format!("{base}{p}");
        let count = |p: &str| emu.requests().iter().filter(|q| q.path == at(p)).count();
        // Two 503s then success, GET is idempotent: three requests.
        for _ in 0..2 {
            respond(&emu, &at("/flaky"), 503, &[], b"{}");
        }
        respond(&emu, &at("/flaky"), 200, &[], b"{\"ok\":true}");
        let start = std::time::Instant::now();
        let (out, r) = raw(
            &host,
            &config,
            json!({"method": "GET", "endpoint": "/flaky", "max_retries": 3, "retry_delay_ms": 100}),
        )
        .unwrap();
        assert_eq!(
            (
                out["body"]["ok"].clone(),
                r.requests,
                out["attempts"].clone()
            ),
            (json!(true), 3, json!(3)),
            "{hostname}"
        );
        assert!(
            start.elapsed().as_millis() >= 300,
            "100 ms then 200 ms of exponential backoff"
        );
        assert_eq!(count("/flaky"), 3);

        // POST is not retried after a 503 by default...
        respond(&emu, &at("/post"), 503, &[], b"{}");
        let e = raw(&host, &config, json!({"method": "POST", "endpoint": "/post", "body": {}, "max_retries": 3, "retry_delay_ms": 10})).unwrap_err();
        assert_eq!((e.kind, e.status), (ErrorKind::Upstream, Some(503)));
        assert_eq!(count("/post"), 1);
        // ...unless retry_on_all_errors says so (and then a 400 is retried too).
        respond(&emu, &at("/post"), 400, &[], b"{}");
        emu.clear_requests();
        let e = raw(&host, &config, json!({"method": "POST", "endpoint": "/post", "body": {}, "max_retries": 1, "retry_delay_ms": 10, "retry_on_all_errors": true})).unwrap_err();
        assert_eq!(
            e.status,
            Some(404),
            "the retry reached the emulator's own answer"
        );
        assert_eq!(count("/post"), 2);

        // A 429 is retried for any method, after Retry-After (1 s) rather than the 10 ms delay.
        emu.inject(Fault {
            path_prefix: Some(at("/limited")),
            times: 1,
            action: FaultAction::RateLimit {
                retry_after_secs: 1,
            },
        });
        respond(&emu, &at("/limited"), 200, &[], b"{}");
        let start = std::time::Instant::now();
        let (_, r) = raw(&host, &config, json!({"method": "POST", "endpoint": "/limited", "body": {}, "max_retries": 1, "retry_delay_ms": 10})).unwrap();
        assert_eq!(r.requests, 2);
        assert!(
            start.elapsed().as_millis() >= 950,
            "Retry-After honoured: {:?}",
            start.elapsed()
        );
        // Without retries the 429 surfaces as rate-limited with the wait.
        emu.inject(Fault {
            path_prefix: Some(at("/limited")),
            times: 1,
            action: FaultAction::RateLimit {
                retry_after_secs: 7,
            },
        });
        let e = raw(
            &host,
            &config,
            json!({"method": "GET", "endpoint": "/limited"}),
        )
        .unwrap_err();
        assert_eq!(
            (e.kind, e.retry_after_ms, e.retryable),
            (ErrorKind::RateLimited, Some(7000), true)
        );
    }
}

#[test]
fn a_timeout_fires_in_every_api_and_region() {
    let emu = emulator();
    let host = host(&emu);
    for (config, hostname, base) in all_connections() {
        emu.inject(Fault {
            path_prefix: Some(format!("{base}/slow")),
            times: 1,
            action: FaultAction::Delay { ms: 3000 },
        });
        let start = std::time::Instant::now();
        let e = raw(
            &host,
            &config,
            json!({"method": "GET", "endpoint": "/slow", "timeout_ms": 400}),
        )
        .unwrap_err();
        let took = start.elapsed().as_millis();
        assert_eq!(
            (e.kind, e.retryable),
            (ErrorKind::Timeout, true),
            "{hostname}: {e:?}"
        );
        assert!(
            (350..2500).contains(&took),
            "{hostname}: timed out after {took} ms"
        );
    }
}

#[test]
fn debug_shows_the_exchange_without_secrets_in_every_api_and_region() {
    let emu = emulator();
    let host = host(&emu);
    let big = "z".repeat(20_000);
    for (config, hostname, base) in all_connections() {
        respond(&emu, &format!("{base}/dbg"), 200, &[], big.as_bytes());
        let (out, r) = raw(&host, &config, json!({"method": "POST", "endpoint": "/dbg?x=1", "body": {"k": "v"}, "headers": {"X-Trace": "t-1"}, "debug": true})).unwrap();
        let d = &out["debug"];
        assert_eq!(d["request"]["method"], "POST");
        assert_eq!(
            d["request"]["url"],
            format!("https://{hostname}{base}/dbg?x=1")
        );
        assert_eq!(d["request"]["headers"]["authorization"], "[redacted]");
        assert_eq!(d["request"]["headers"]["x-trace"], "t-1");
        assert_eq!(d["request"]["body"], "{\"k\":\"v\"}");
        assert_eq!(d["response"]["body"], "[20000 bytes elided]");
        let secrets: Vec<String> = match &config.credentials {
            cio_host::Credentials::Track(t) => vec![
                t.api_key.clone(),
                B64.encode(format!("{}:{}", t.site_id, t.api_key)),
            ],
            cio_host::Credentials::App(k) => vec![k.clone()],
        };
        for secret in secrets {
            assert!(
                !r.output.contains(&secret),
                "secret {secret} in debug output on {hostname}"
            );
        }
    }
}

#[test]
fn hostile_endpoints_and_headers_are_rejected_before_any_request() {
    let emu = emulator();
    let host = host(&emu);
    let endpoints = [
        "https://evil.example/x",
        "HTTPS://evil.example/x",
        "http://evil.example",
        " https://evil.example/x",
        "\thttps://evil.example",
        "javascript:alert(1)",
        "ftp://evil.example/x",
        "evil.example/x",
        "//evil.example/x",
        "///evil.example/x",
        "/\\evil.example",
        "\\\\evil.example\\x",
        "/%5cevil.example",
        "/%5Cevil.example",
        "/..",
        "/../x",
        "/campaigns/../../x",
        "/campaigns/..",
        "/./x",
        "/%2e%2e/x",
        "/%2E%2E/x",
        "/.%2e/x",
        "/%2e./x",
        "/%252e%252e/x",
        "/campaigns/..%2f..%2fx",
        "/campaigns/%2e%2e%2f%2e%2e%2fx",
        "/x\r\nHost: evil.example",
        "/x\nX-Injected: 1",
        "/x%0d%0aX-Injected:%201",
        "/x%0AX-Injected:1",
        "/x%00",
        "/x\u{0}y",
        "/x%09y",
        "/x y",
        "/x\u{7f}",
        "/x%7f",
        "/x#frag",
        "/%2f%2fevil.example/x",
        "/x?y=%0d%0aInjected",
        "",
        "/x%zz",
        "/x%2",
        "/x\u{202e}",
        "/x\u{200b}",
        "@evil.example/x",
        ":443@evil.example/x",
        "/%c0%ae%c0%ae/x",
        "/%ff/x",
        "/\u{ff0e}\u{ff0e}/x",
        "/%EF%BC%8E%EF%BC%8E/x",
        "/x\u{ff0f}..\u{ff0f}y",
        "/x%E2%88%95y",
        "/\u{2024}/x",
    ];
    let headers = [
        json!({"Authorization": "Bearer stolen"}),
        json!({"authorization": "Basic eDp5"}),
        json!({"Host": "evil.example"}),
        json!({"X-Forwarded-Host": "evil.example"}),
        json!({"Content-Length": "5"}),
        json!({"Transfer-Encoding": "chunked"}),
        json!({"Connection": "close"}),
        json!({"Proxy-Authorization": "x"}),
        json!({"X-Ok": "a\r\nInjected: 1"}),
        json!({"X-Ok": "a\nb"}),
        json!({"X-Ok": "a\u{0}"}),
        json!({"Bad Name": "x"}),
        json!({"X:Colon": "x"}),
        json!({"": "x"}),
        json!({"X-Ok": {"nested": 1}}),
    ];
    let mut count = 0;
    for (config, _, _) in all_connections() {
        let mut auto = config.clone();
        auto.region = Region::Auto; // would probe first if validation came too late
        for ep in endpoints {
            let e = raw(&host, &auto, json!({"method": "GET", "endpoint": ep})).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidInput, "{ep:?}: {e:?}");
            assert_eq!(e.pointers, vec!["/endpoint".to_string()], "{ep:?}");
            count += 1;
        }
        for h in &headers {
            let e = raw(
                &host,
                &auto,
                json!({"method": "GET", "endpoint": "/ok", "headers": h}),
            )
            .unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidInput, "{h}: {e:?}");
            assert!(
                e.pointers[0].starts_with("/headers/"),
                "{h}: {:?}",
                e.pointers
            );
            count += 1;
        }
    }
    assert!(count >= 40 * 6);
    assert!(
        emu.requests().is_empty(),
        "the emulator must see nothing: {:?}",
        emu.requests()
    );
    assert!(
        host.egress_log().is_empty(),
        "the component must not even try"
    );

    // What is legal in a path stays usable.
    for ep in [
        "/customers/jane@example.com/attributes?id_type=email",
        "/customers/a%2Fb/attributes",
        "/customers/zoë+1/x",
        "/x;y=1/%23z",
        "/x.y/..z/...",
        "/v1/x:y",
    ] {
        let (out, _) = raw(
            &host,
            &app(ConnectorKind::App, Region::Us),
            json!({"method": "GET", "endpoint": ep, "return_error_responses": true}),
        )
        .unwrap();
        assert!(
            out["url"]
                .as_str()
                .unwrap()
                .starts_with("https://api.customer.io/v1/"),
            "{ep}: {out}"
        );
    }
}

#[test]
fn bad_raw_inputs_get_pointers() {
    let emu = emulator();
    let host = host(&emu);
    let config = app(ConnectorKind::App, Region::Us);
    let cases = [
        (json!({"endpoint": "/x"}), "/method"),
        (json!({"method": "TRACE", "endpoint": "/x"}), "/method"),
        (json!({"method": "GET"}), "/endpoint"),
        (
            json!({"method": "POST", "endpoint": "/x", "body_type": "text", "body": 5}),
            "/body",
        ),
        (
            json!({"method": "POST", "endpoint": "/x", "body_type": "binary", "body": "%%%"}),
            "/body",
        ),
        (
            json!({"method": "POST", "endpoint": "/x", "body_type": "none", "body": {}}),
            "/body",
        ),
        (
            json!({"method": "POST", "endpoint": "/x", "files": [{"field": "f"}]}),
            "/files/0/filename",
        ),
        (
            json!({"method": "GET", "endpoint": "/x", "max_retries": 99}),
            "/max_retries",
        ),
        (
            json!({"method": "GET", "endpoint": "/x", "timeout_ms": 0}),
            "/timeout_ms",
        ),
        (
            json!({"method": "GET", "endpoint": "/x", "query": {"a": {"b": 1}}}),
            "/query/a",
        ),
        (
            json!({"method": "GET", "endpoint": "/x", "verbose": true}),
            "/verbose",
        ),
    ];
    for (input, pointer) in cases {
        let e = raw(&host, &config, input.clone()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{input}");
        assert!(
            e.pointers.contains(&pointer.to_string()),
            "{input}: {:?}",
            e.pointers
        );
    }
    assert!(emu.requests().is_empty());
}

#[test]
fn a_component_over_its_memory_limit_traps_without_harming_the_host() {
    let emu = emulator();
    let options = cio_host::HostOptions {
        component: component(),
        route_to: Some(emu.url()),
        max_memory_bytes: 8 << 20,
        ..Default::default()
    };
    let host = ConnectorHost::load(&options).unwrap();
    let big = vec![7u8; 6 * 1024 * 1024];
    respond(
        &emu,
        "/v1/huge",
        200,
        &[("content-type", "application/octet-stream")],
        &big,
    );
    let trap = host.execute(&request(
        "app.raw_http_request",
        app(ConnectorKind::App, Region::Us),
        json!({"method": "GET", "endpoint": "/huge"}),
    ));
    // A 6 MiB answer cannot fit in 8 MiB as bytes plus base64: the host turns the trap into a
    // typed error instead of a crash.
    let e = trap.unwrap().unwrap_err();
    assert_eq!(e.kind, cio_host::ErrorKind::Upstream, "{e:?}");
    // The next call gets a fresh instance and works.
    let (out, _) = raw(
        &host,
        &app(ConnectorKind::App, Region::Us),
        json!({"method": "GET", "endpoint": "/campaigns/8/triggers/1"}),
    )
    .unwrap();
    assert_eq!(out["status"], 200);
}
