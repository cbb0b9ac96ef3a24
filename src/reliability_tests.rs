//! Unit tests of the reliability and security classes of the hardening issue: retry truth,
//! Retry-After forms, secret forms in every output path, raw endpoint escapes. Each failed on
//! the code before its fix.

use serde_json::{json, Value};

use crate::http::{HttpResponse, TransportError};
use crate::testing::{answer, exec, FakeClock, FakeTransport};
use crate::types::*;
use crate::{Connector, ErrorKind};

fn track_with(site: &str, key: &str) -> ConnectionConfig {
    ConnectionConfig {
        connector: ConnectorKind::Track,
        region: Region::Us,
        credentials: Credentials::Track(TrackCredentials {
            site_id: site.into(),
            api_key: key.into(),
        }),
    }
}

fn with_header(status: u16, name: &str, value: &str) -> Result<HttpResponse, TransportError> {
    Ok(HttpResponse {
        status,
        headers: vec![(name.into(), value.into())],
        body: b"{}".to_vec(),
    })
}

#[test]
fn retryable_is_false_wherever_repeating_could_apply_twice() {
    let cfg = track_with("site-1", "key-123");
    let c = FakeClock::default();
    // A form submission is a POST Customer.io does not de-duplicate: a 503 or a reset is final.
    for failure in [
        answer(503, "{}"),
        Err(TransportError::Connection("reset".into())),
        Err(TransportError::Timeout("read".into())),
    ] {
        let t = FakeTransport::with(vec![failure]);
        let e = exec(
            &t,
            &c,
            "track.form.submit",
            cfg.clone(),
            json!({"form_id": "f", "data": {"email": "a@b.co"}}),
        )
        .unwrap_err();
        assert!(!e.retryable, "{e:?}");
        assert!(
            e.message.contains("may already have applied"),
            "{}",
            e.message
        );
        assert_eq!(t.sent.borrow().len(), 1, "a POST was repeated");
    }
    // An idempotent PUT may be repeated: retried, and still retryable when it keeps failing.
    let t = FakeTransport::with(vec![
        answer(503, "{}"),
        answer(503, "{}"),
        answer(503, "{}"),
    ]);
    let e = exec(
        &t,
        &c,
        "track.customer.identify",
        cfg.clone(),
        json!({"id": "1"}),
    )
    .unwrap_err();
    assert!(e.retryable && e.kind == ErrorKind::Upstream, "{e:?}");
    assert_eq!(t.sent.borrow().len(), 3);
    // An event carries its ULID: Customer.io de-duplicates it, so it is safe to repeat.
    let t = FakeTransport::with(vec![
        Err(TransportError::Connection("reset".into())),
        answer(200, "{}"),
    ]);
    exec(
        &t,
        &c,
        "track.event.track",
        cfg.clone(),
        json!({"id": "1", "name": "x"}),
    )
    .unwrap();
    // A final 408 is a timeout upstream, not the user's fault.
    let t = FakeTransport::with(vec![
        answer(408, "{}"),
        answer(408, "{}"),
        answer(408, "{}"),
    ]);
    let e = exec(&t, &c, "track.customer.delete", cfg, json!({"id": "1"})).unwrap_err();
    assert_eq!(
        (e.kind, e.fix_by),
        (ErrorKind::Timeout, crate::FixBy::Upstream)
    );
}

#[test]
fn retry_after_dates_are_honoured_and_huge_values_clamped() {
    let cfg = track_with("site-1", "key-123");
    let c = FakeClock::default(); // 2023-11-14T22:13:20Z
    let t = FakeTransport::with(vec![
        with_header(429, "retry-after", "Tue, 14 Nov 2023 22:13:27 GMT"),
        answer(200, "{}"),
    ]);
    exec(
        &t,
        &c,
        "track.customer.identify",
        cfg.clone(),
        json!({"id": "1"}),
    )
    .unwrap();
    assert_eq!(c.sleeps.borrow().last(), Some(&7000));
    // 99999999999999999999 seconds is more than any budget: clamped, the error says when to retry.
    let t = FakeTransport::with(vec![with_header(
        429,
        "retry-after",
        "99999999999999999999",
    )]);
    let e = exec(&t, &c, "track.customer.identify", cfg, json!({"id": "1"})).unwrap_err();
    assert_eq!(
        (e.kind, e.retry_after_ms, e.retryable),
        (ErrorKind::RateLimited, Some(300_000), true)
    );
}

#[test]
fn secrets_are_redacted_in_every_form_on_every_path() {
    for (site, key) in [("site-1", "trk-key-123"), ("site-2", "we\"ird\\key/+=")] {
        let cfg = track_with(site, key);
        let forms: Vec<String> = cfg.credentials.secrets();
        let basic = crate::util::b64(format!("{site}:{key}").as_bytes());
        assert!(forms.contains(&basic));
        let echo = json!({"raw": key, "basic": format!("Basic {basic}"), "url": crate::util::encode_segment(key), "pair": format!("{site}:{key}"), "site": site}).to_string();
        let c = FakeClock::default();
        // A 2xx echo in a raw request's output, with debug, and as text.
        for response_type in ["json", "text"] {
            let t = FakeTransport::with(vec![Ok(HttpResponse {
                status: 200,
                headers: vec![("x-echo".into(), format!("Basic {basic}"))],
                body: echo.clone().into_bytes(),
            })]);
            let out = exec(&t, &c, "track.raw_http_request", cfg.clone(), json!({"method": "GET", "endpoint": "/v1/accounts/region", "debug": true, "response_type": response_type})).unwrap();
            for f in &forms {
                assert!(
                    !out.output.contains(f.as_str()),
                    "{f} leaked in {}",
                    out.output
                );
            }
            assert!(
                out.output.contains(site),
                "the site id is not a secret and stays"
            );
        }
        // The key spelled with \u escapes inside JSON, and inside a binary body.
        let escaped: String = key
            .chars()
            .map(|ch| format!("\\u{:04x}", ch as u32))
            .collect();
        let mut binary = vec![0xFF, 0xFE];
        binary.extend_from_slice(key.as_bytes());
        for (body, response_type) in [
            (format!("{{\"k\":\"{escaped}\"}}").into_bytes(), "text"),
            (format!("{{\"k\":\"{escaped}\"}}").into_bytes(), "json"),
            (binary, "binary"),
        ] {
            let t = FakeTransport::with(vec![Ok(HttpResponse {
                status: 200,
                headers: vec![],
                body,
            })]);
            let out = exec(&t, &c, "track.raw_http_request", cfg.clone(), json!({"method": "GET", "endpoint": "/v1/accounts/region", "response_type": response_type, "debug": true})).unwrap();
            let decoded: Value = serde_json::from_str(&out.output).unwrap();
            assert!(!decoded["body"].is_null(), "{decoded}");
            let shown = match decoded["body"].as_str() {
                Some(b) if response_type == "binary" => {
                    String::from_utf8_lossy(&crate::util::b64_decode(b).unwrap()).into_owned()
                }
                _ => decoded["body"].to_string(),
            };
            assert!(
                !shown.contains(key) && !shown.contains(&escaped),
                "{response_type}: {shown}"
            );
        }
        // An error echo, with the secret placed across the 2 KB cut of the error body.
        let mut body = "x".repeat(2040);
        body.push_str(&echo);
        let t = FakeTransport::with(vec![answer(400, &body)]);
        let e = exec(
            &t,
            &c,
            "track.customer.identify",
            cfg.clone(),
            json!({"id": "1"}),
        )
        .unwrap_err();
        let text = format!("{} {}", e.message, e.body.clone().unwrap_or_default());
        for f in &forms {
            assert!(!text.contains(f.as_str()), "{f} leaked in {text}");
        }
        assert!(
            !text.contains(&key[..key.len() - 1]),
            "part of the key survived the cut"
        );
        // authenticate's details.
        let t = FakeTransport::with(vec![answer(
            200,
            &json!({"region": "us", "url": "x", "environment_id": key}).to_string(),
        )]);
        let info = Connector::new(&t, &c).authenticate(&cfg).unwrap();
        assert!(!info.details.contains(key), "{}", info.details);
    }
}

#[test]
fn raw_endpoints_refuse_the_remaining_escapes() {
    let cfg = track_with("site-1", "key-123");
    let c = FakeClock::default();
    for bad in [
        "/v1/..;/x",
        "/v1/..;foo=bar/admin",
        "/v1/.;/x",
        "/v1/a%3F/%252e%252e/x",
        "/v1/a%253F/%2e%2e",
        "/v1/\u{2025}/x",
        "/v1/%E2%80%A5/x",
        "/v1/\u{FF0E}\u{FF0E}/x",
        "/v1/.\u{2024}/x",
        "/v1/%25252525252525252525252525252525252e",
    ] {
        let t = FakeTransport::default();
        let e = exec(
            &t,
            &c,
            "track.raw_http_request",
            cfg.clone(),
            json!({"method": "GET", "endpoint": bad}),
        )
        .unwrap_err();
        assert_eq!(
            (e.kind, e.pointers.clone()),
            (ErrorKind::InvalidInput, vec!["/endpoint".to_string()]),
            "{bad}"
        );
        assert!(t.sent.borrow().is_empty(), "{bad} was sent");
    }
    for good in [
        "/v1/customers/jane@example.com/attributes?id_type=email",
        "/v1/a;b",
        "/v1/...",
        "/v1/a%3Fb",
    ] {
        let t = FakeTransport::default();
        exec(
            &t,
            &c,
            "track.raw_http_request",
            cfg.clone(),
            json!({"method": "GET", "endpoint": good}),
        )
        .unwrap_or_else(|e| panic!("{good}: {e:?}"));
    }
}
