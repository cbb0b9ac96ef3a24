//! The catalog's own tests: every entry is well formed, and every operation has a test vector
//! (input → method, path, query, body; canned answer → output) that runs on the fake transport
//! for each API and region of its entry.

use serde_json::{json, Value};

use super::*;
use crate::region;
use crate::testing::{answer, FakeClock, FakeTransport};
use crate::types::{ConnectionConfig, Credentials, ExecuteRequest, Region, TrackCredentials};

/// The vectors, shared with the integration tests under the host.
pub const VECTORS: &str = include_str!("vectors.json");

#[test]
fn every_entry_is_well_formed() {
    let mut seen = std::collections::HashSet::new();
    for b in all() {
        let id = b.id();
        assert!(seen.insert(id.clone()), "duplicate id {id}");
        let parts: Vec<&str> = id.split('.').collect();
        assert!(
            parts.len() == 3 || id.ends_with(".raw_http_request"),
            "{id} is not <api>.<resource>.<action>"
        );
        assert!(
            id.bytes()
                .all(|c| c.is_ascii_lowercase() || c == b'_' || c == b'.'),
            "{id} is not snake_case"
        );
        let d = b.descriptor();
        let out: Value = serde_json::from_str(&d.output_schema).expect(&id);
        assert!(
            out.is_object() && out.get("$schema").is_some(),
            "{id} output schema"
        );
        let ex = b.example_value();
        assert!(ex.is_object(), "{id} example");
        let input: Value = serde_json::from_str(&d.input_schema).unwrap();
        assert_eq!(input["examples"][0], ex, "{id}");
        crate::schema::validate(&b.field_groups(), &ex)
            .unwrap_or_else(|e| panic!("{id} example invalid: {e}"));
        let path = b.op.requester.path;
        assert!(path.starts_with('/'), "{id}");
        for f in b.op.fields.iter().filter(|f| {
            matches!(
                f.place,
                crate::schema::Place::Path
                    | crate::schema::Place::Ident(
                        crate::identity::Wire::TrackPath | crate::identity::Wire::AppPath,
                        _
                    )
            )
        }) {
            assert!(
                path.contains(&format!("{{{}}}", f.name)),
                "{id} lacks {{{}}}",
                f.name
            );
        }
        for name in
            b.op.fields
                .iter()
                .filter(|f| f.lookup.is_some())
                .map(|f| f.name)
        {
            let input: Value = serde_json::from_str(&d.input_schema).unwrap();
            let lookup = input["properties"][name]["x-lookup"]
                .as_str()
                .unwrap()
                .to_string();
            let target =
                find(&lookup).unwrap_or_else(|| panic!("{id} names a missing lookup {lookup}"));
            assert_eq!(
                target.op.kind,
                crate::types::OperationKind::Lookup,
                "{lookup}"
            );
        }
    }
}

fn config(api: ConnectorKind, region: Region) -> ConnectionConfig {
    let credentials = match api {
        ConnectorKind::Track => Credentials::Track(TrackCredentials {
            site_id: "site-1".into(),
            api_key: "track-key-1".into(),
        }),
        _ => Credentials::App("app-key-1".into()),
    };
    ConnectionConfig {
        connector: api,
        region,
        credentials,
    }
}

/// Whether `actual` has everything `expected` has (`"$ulid"` matches any ULID).
pub fn matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::String(e), Value::String(a)) if e == "$ulid" => a.len() == 26,
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| matches(v, av))),
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(e, a)| matches(e, a))
        }
        (e, a) => e == a,
    }
}

#[test]
fn every_operation_has_a_vector_that_holds_in_every_api_and_region() {
    let vectors: Vec<Value> = serde_json::from_str(VECTORS).expect("vectors.json");
    let mut covered = std::collections::HashSet::new();
    for v in &vectors {
        let id = v["op"].as_str().unwrap();
        let b = find(id).unwrap_or_else(|| panic!("vector for unknown {id}"));
        covered.insert(b.op.name.to_string() + if b.op.runner_is_raw() { id } else { "" });
        let input = v.get("input").cloned().unwrap_or_else(|| b.example_value());
        let (status, body) = (
            v["answer"]["status"].as_u64().unwrap_or(200) as u16,
            v["answer"].get("body").cloned().unwrap_or(json!({})),
        );
        let body_text = match &body {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        // Several requests (export and wait) take their answers in order.
        let script = || match v.get("answers").and_then(Value::as_array) {
            Some(list) => list
                .iter()
                .map(|a| {
                    answer(
                        a["status"].as_u64().unwrap_or(200) as u16,
                        &a["body"].to_string(),
                    )
                })
                .collect(),
            None => vec![answer(status, &body_text)],
        };
        for api in ConnectorKind::ALL
            .into_iter()
            .filter(|a| has(b.op.apis, *a))
        {
            for r in [Region::Us, Region::Eu] {
                let t = FakeTransport::with(script());
                let c = FakeClock::default();
                let id = format!("{}.{}", api.as_str(), b.op.name);
                let result = crate::Connector::new(&t, &c).execute(&ExecuteRequest {
                    operation_id: id.clone(),
                    config: config(api, r),
                    input: input.to_string(),
                    timeout_ms: None,
                    request_id: None,
                });
                // A vector with "error" expects the call to fail: that kind, and the error's
                // body (a partial result) matching.
                let out = match (result, v.get("error")) {
                    (Ok(out), None) => out,
                    (Err(e), Some(want)) => {
                        assert_eq!(e.kind.as_str(), want["kind"], "{id} {r:?}: {e:?}");
                        let got: Value =
                            serde_json::from_str(e.body.as_deref().unwrap_or("null")).unwrap();
                        assert!(matches(&want["body"], &got), "{id} error body: {got}");
                        crate::types::ExecuteResponse {
                            output: "{}".into(),
                            status: 0,
                            requests: 0,
                        }
                    }
                    (other, _) => panic!("{id} {r:?}: {other:?}"),
                };
                let sent = t.sent.borrow();
                let req = &sent[0];
                let root = if v["root"] == json!(true) {
                    format!("https://{}", region::host(api, r))
                } else {
                    region::base_url(api, r).to_string()
                };
                assert_eq!(req.method.as_str(), v["method"], "{id} method");
                assert_eq!(
                    req.url.path(),
                    url::Url::parse(&format!("{root}{}", v["path"].as_str().unwrap()))
                        .unwrap()
                        .path(),
                    "{id} {r:?} path"
                );
                assert_eq!(req.url.host_str(), Some(region::host(api, r)), "{id} host");
                assert_eq!(
                    req.url.query().unwrap_or(""),
                    v["query"].as_str().unwrap_or(""),
                    "{id} query"
                );
                // A body that is not JSON (a multipart upload) is checked for these parts.
                if let Some(parts) = v.get("body_contains").and_then(Value::as_array) {
                    let text = String::from_utf8_lossy(&req.body);
                    for p in parts {
                        assert!(
                            text.contains(p.as_str().unwrap()),
                            "{id} body lacks {p}: {text}"
                        );
                    }
                    let output: Value = serde_json::from_str(&out.output).unwrap();
                    assert!(matches(&v["output"], &output), "{id} output: {output}");
                    continue;
                }
                let sent_body: Value = if req.body.is_empty() {
                    Value::Null
                } else {
                    serde_json::from_slice(&req.body).unwrap()
                };
                if !v["body"].is_null() || v.get("body").is_some() {
                    assert!(
                        matches(&v["body"], &sent_body)
                            && (v["body"].is_null() == sent_body.is_null()),
                        "{id} body: {sent_body}"
                    );
                    if let (Value::Object(e), Value::Object(a)) = (&v["body"], &sent_body) {
                        assert_eq!(e.len(), a.len(), "{id} body has extra keys: {sent_body}");
                    }
                }
                if v.get("error").is_some() {
                    continue;
                }
                let output: Value = serde_json::from_str(&out.output).unwrap();
                let want = v.get("output").cloned().unwrap_or(if body.is_string() {
                    json!({})
                } else {
                    body.clone()
                });
                assert!(matches(&want, &output), "{id} output: {output}");
            }
        }
    }
    for b in all() {
        let key = b.op.name.to_string()
            + if b.op.runner_is_raw() {
                b.id()
            } else {
                String::new()
            }
            .as_str();
        assert!(
            covered.contains(&key),
            "{} has no test vector in src/catalog/vectors.json",
            b.id()
        );
    }
}

#[test]
fn cursor_pages_are_followed_to_the_end_or_the_cap_and_paced() {
    let page = |items: &[u32], next: Option<&str>| {
        answer(200, &json!({"newsletters": items.iter().map(|i| json!({"id": i, "name": format!("n{i}")})).collect::<Vec<_>>(), "next": next}).to_string())
    };
    let t = FakeTransport::with(vec![
        page(&[1, 2], Some("Tk/2+==")),
        page(&[3], Some("c3")),
        page(&[4], None),
    ]);
    let c = FakeClock::default();
    let run = |input: Value| {
        crate::Connector::new(&t, &c)
            .execute(&ExecuteRequest {
                operation_id: "beta.newsletter.list".into(),
                config: config(ConnectorKind::Beta, Region::Eu),
                input: input.to_string(),
                timeout_ms: None,
                request_id: None,
            })
            .unwrap()
    };
    let out: Value =
        serde_json::from_str(&run(json!({"return_all": true, "limit": 2})).output).unwrap();
    assert_eq!(out["newsletters"].as_array().unwrap().len(), 4);
    assert_eq!(
        (
            out["next"].clone(),
            out["pages"].clone(),
            out["truncated"].clone()
        ),
        (Value::Null, json!(3), json!(false))
    );
    let urls: Vec<String> = t.sent.borrow().iter().map(|r| r.url.to_string()).collect();
    assert_eq!(
        urls,
        [
            "https://beta-api-eu.customer.io/v1/api/newsletters?limit=2",
            "https://beta-api-eu.customer.io/v1/api/newsletters?limit=2&start=Tk%2F2%2B%3D%3D",
            "https://beta-api-eu.customer.io/v1/api/newsletters?limit=2&start=c3",
        ]
    );
    assert_eq!(
        *c.sleeps.borrow(),
        [100, 100],
        "App pages are paced at 10 requests per second"
    );
    t.script
        .borrow_mut()
        .extend([page(&[1], Some("c2")), page(&[2], Some("c3"))]);
    let out: Value =
        serde_json::from_str(&run(json!({"return_all": true, "max_pages": 2})).output).unwrap();
    assert_eq!(
        (out["next"].clone(), out["truncated"].clone()),
        (json!("c3"), json!(true))
    );
}

#[test]
fn bad_identifiers_are_refused_before_sending() {
    for (id, input) in [
        ("track.customer.identify", json!({"id": ".."})),
        ("track.customer.identify", json!({"id": "."})),
        ("track.customer.delete", json!({"id": ".."})),
        (
            "track.device.delete",
            json!({"id": "42", "device_id": ".."}),
        ),
        ("track.customer.identify", json!({"id": "x".repeat(151)})),
        (
            "track.customer.identify",
            json!({"id": "42", "id_type": "email"}),
        ),
        (
            "track.event.track",
            json!({"id": "cio_1", "id_type": "id", "name": "x"}),
        ),
        (
            "track.event.track",
            json!({"id": "42", "name": "x".repeat(101)}),
        ),
        (
            "track.event.track",
            json!({"id": "42", "name": "x", "data": {"big": "x".repeat(100_001)}}),
        ),
        (
            "track.customer.identify",
            json!({"id": "42", "attributes": {"a": "x".repeat(1001)}}),
        ),
        (
            "track.segment.add_customers",
            json!({"segment_id": "seven", "ids": ["1"]}),
        ),
        (
            "track.object.identify",
            json!({"object_type_id": "1", "object_id": "a", "attributes": {"blob": "x".repeat(900)}, "relationships": (0..60).map(|i| json!({"identifiers": {"id": format!("person-{i}-{}", "y".repeat(500))}})).collect::<Vec<_>>()}),
        ),
    ] {
        let t = FakeTransport::default();
        let c = FakeClock::default();
        let e = crate::Connector::new(&t, &c)
            .execute(&ExecuteRequest {
                operation_id: id.into(),
                config: config(ConnectorKind::Track, Region::Auto),
                input: input.to_string(),
                timeout_ms: None,
                request_id: None,
            })
            .expect_err(id);
        assert_eq!(
            e.kind,
            crate::ErrorKind::InvalidInput,
            "{id} {input}: {e:?}"
        );
        assert!(
            t.sent.borrow().is_empty(),
            "{id} sent a request for {input}"
        );
    }
}

#[test]
fn beta_twins_are_derived_from_app_entries() {
    for b in all().filter(|b| b.api == ConnectorKind::Beta && !b.op.runner_is_raw()) {
        let app =
            find(&format!("app.{}", b.op.name)).expect("every Beta operation has its App entry");
        assert!(
            std::ptr::eq(app.op, b.op),
            "{} is a copy, not the App entry",
            b.id()
        );
    }
}

#[test]
fn the_operations_page_lists_every_operation() {
    // docs/operations.md is generated by `cio-host docs` (tests/cli.rs checks it is current).
    let page = include_str!("../../docs/operations.md");
    for b in all() {
        let id = b.id();
        assert!(
            page.contains(&format!("| `{id}` |")),
            "docs/operations.md does not list {id}"
        );
    }
}

fn exec(
    t: &FakeTransport,
    id: &str,
    api: ConnectorKind,
    input: Value,
) -> Result<crate::ExecuteResponse, crate::ConnectorError> {
    let c = FakeClock::default();
    crate::Connector::new(t, &c).execute(&ExecuteRequest {
        operation_id: id.into(),
        config: config(api, Region::Us),
        input: input.to_string(),
        timeout_ms: None,
        request_id: None,
    })
}

#[test]
fn what_the_schema_refuses_execute_refuses_and_no_value_is_dropped() {
    let track = ConnectorKind::Track;
    for (id, input, at) in [
        (
            "track.customer.merge",
            json!({"primary": "1", "secondary": "2", "primary_type": null, "secondary_type": "phone"}),
            "/secondary_type",
        ),
        (
            "track.entity.submit",
            json!({"type": "person", "action": "merge", "primary": {"id": null}, "secondary": {"id": "2"}}),
            "/primary",
        ),
        (
            "track.object.add_relationships",
            json!({"object_type_id": "1", "object_id": "a", "relationships": [{"identifiers": {"email": null}}]}),
            "/relationships/0/identifiers",
        ),
        (
            "track.segment.add_customers",
            json!({"segment_id": 18446744073709551615u64, "ids": ["1"]}),
            "/segment_id",
        ),
        (
            "track.customer.identify",
            json!({"id": "42", "email": "new@x.co", "attributes": {"email": "old@x.co"}}),
            "/attributes/email",
        ),
        (
            "track.customer.identify",
            json!({"id": "42", "attributes": {"created_at": "last week"}}),
            "/attributes/created_at",
        ),
        (
            "track.event.track",
            json!({"id": "42", "name": "x", "timestamp": 1700000000000u64}),
            "/timestamp",
        ),
    ] {
        let t = FakeTransport::default();
        let e = exec(&t, id, track, input.clone()).expect_err(id);
        assert!(e.pointers.contains(&at.to_string()), "{id} {input}: {e:?}");
        assert!(t.sent.borrow().is_empty());
    }
    // JSON Schema counts 7.0 as an integer, so execute takes it too (sent as 7).
    let t = FakeTransport::default();
    exec(
        &t,
        "track.segment.add_customers",
        track,
        json!({"segment_id": 7.0, "ids": ["1"]}),
    )
    .unwrap();
    assert_eq!(
        t.sent.borrow()[0].url.path(),
        "/api/v1/segments/7/add_customers"
    );
    // An entity that is not an event gets no generated id.
    let t = FakeTransport::default();
    exec(
        &t,
        "track.entity.submit",
        track,
        json!({"type": "person", "action": "identify", "identifiers": {"id": "42"}}),
    )
    .unwrap();
    let body: Value = serde_json::from_slice(&t.sent.borrow()[0].body).unwrap();
    assert!(body.get("id").is_none(), "{body}");
    // A delivery metric is not de-duplicated: a batch holding one is not repeated after a 502.
    let t = FakeTransport::with(vec![answer(502, "{}")]);
    let e = exec(&t, "track.batch.submit", track, json!({"batch": [{"type": "delivery", "action": "event", "identifiers": {"id": "d"}, "name": "converted", "attributes": {"device_token": "t"}}]})).unwrap_err();
    assert_eq!((t.sent.borrow().len(), e.retryable), (1, false));
}

#[test]
fn a_lookup_stops_on_a_repeated_cursor_and_lists_each_option_once() {
    let page = answer(200, r#"{"segments":[{"id":7,"name":"VIP"}],"next":"same"}"#);
    let t = FakeTransport::with(vec![page.clone(), page.clone(), page]);
    let out = exec(&t, "app.segment.lookup", ConnectorKind::App, json!({})).unwrap();
    let out: Value = serde_json::from_str(&out.output).unwrap();
    assert_eq!(
        out,
        // The repeat ends the reading, and the list may be cut: truncated says so.
        json!({"result": [{"text": "VIP", "value": 7}], "truncated": true})
    );
    assert_eq!(t.sent.borrow().len(), 2);
}

#[test]
fn offset_and_limit_offset_pages_are_followed() {
    let errors = |n: u32, next: u32| {
        answer(200, &json!({"errors": (0..n).map(|i| format!("line {i}")).collect::<Vec<_>>(), "next": next}).to_string())
    };
    let t = FakeTransport::with(vec![errors(2, 2), errors(2, 4), errors(1, 4)]);
    let out = exec(
        &t,
        "app.broadcast.trigger_errors",
        ConnectorKind::App,
        json!({"broadcast_id": 8, "trigger_id": 1, "return_all": true, "limit": 2}),
    )
    .unwrap();
    let out: Value = serde_json::from_str(&out.output).unwrap();
    assert_eq!(
        (out["errors"].as_array().unwrap().len(), out["next"].clone()),
        (5, Value::Null)
    );
    let queries: Vec<String> = t
        .sent
        .borrow()
        .iter()
        .map(|r| r.url.query().unwrap_or("").to_string())
        .collect();
    assert_eq!(queries, ["limit=2", "limit=2&start=2", "limit=2&start=4"]);
    let page = |n: u32| {
        answer(200, &json!({"suppressions": (0..n).map(|i| json!({"email": format!("{i}@x.co")})).collect::<Vec<_>>()}).to_string())
    };
    let t = FakeTransport::with(vec![page(2), page(2), page(1)]);
    let out = exec(
        &t,
        "beta.esp_suppression.list",
        ConnectorKind::Beta,
        json!({"suppression_type": "bounces", "return_all": true, "limit": 2}),
    )
    .unwrap();
    let out: Value = serde_json::from_str(&out.output).unwrap();
    assert_eq!(out["suppressions"].as_array().unwrap().len(), 5);
    let queries: Vec<String> = t
        .sent
        .borrow()
        .iter()
        .map(|r| r.url.query().unwrap_or("").to_string())
        .collect();
    assert_eq!(queries, ["limit=2", "limit=2&offset=2", "limit=2&offset=4"]);
}

#[test]
fn sends_are_checked_before_sending_and_never_repeated() {
    let app = ConnectorKind::App;
    for (id, input, at) in [
        (
            "app.transactional.send_email",
            json!({"transactional_message_id": 1, "to": "a@b.co", "identifier": "a@b.co", "attachments": {"noext": "aGk="}}),
            "/attachments/noext",
        ),
        (
            "app.transactional.send_email",
            json!({"transactional_message_id": 1, "to": "a@b.co", "identifier": "a@b.co", "attachments": {"a.txt": "not base64!"}}),
            "/attachments/a.txt",
        ),
        (
            "app.transactional.send_email",
            json!({"transactional_message_id": 1, "to": "a@b.co", "identifier": "a@b.co", "attachments": {"big.bin": crate::util::b64(&vec![0u8; 2 * 1024 * 1024])}}),
            "/attachments",
        ),
        (
            "app.broadcast.trigger",
            json!({"broadcast_id": 8, "ids": ["1"], "emails": ["a@b.co"]}),
            "/ids",
        ),
        (
            "app.broadcast.trigger",
            json!({"broadcast_id": 8, "recipients": {}}),
            "/recipients",
        ),
    ] {
        let t = FakeTransport::default();
        let e = exec(&t, id, app, input).expect_err(id);
        assert!(e.pointers.contains(&at.to_string()), "{id}: {e:?}");
        assert!(t.sent.borrow().is_empty());
    }
    for id in ["app.transactional.send_email", "app.broadcast.trigger"] {
        let b = find(id).unwrap();
        let t = FakeTransport::with(vec![answer(503, "{}"), answer(200, "{}")]);
        let e = exec(&t, id, app, b.example_value()).unwrap_err();
        assert_eq!(
            (t.sent.borrow().len(), e.retryable),
            (1, false),
            "{id} was repeated"
        );
        // A 429 says the request was not processed: it is retried after Retry-After.
        let t = FakeTransport::with(vec![
            answer(429, "{}"),
            answer(200, r#"{"id":1,"delivery_id":"d","queued_at":1}"#),
        ]);
        exec(&t, id, app, b.example_value()).unwrap();
        assert_eq!(t.sent.borrow().len(), 2);
    }
    // Flags are sent exactly as given, false included.
    let t = FakeTransport::default();
    exec(&t, "app.broadcast.trigger", app, json!({"broadcast_id": 8, "emails": ["a@b.co"], "email_ignore_missing": false, "email_add_duplicates": false})).unwrap();
    let body: Value = serde_json::from_slice(&t.sent.borrow()[0].body).unwrap();
    assert_eq!(
        body,
        json!({"emails": ["a@b.co"], "email_ignore_missing": false, "email_add_duplicates": false})
    );
}

/// A tool for writing vectors, not a test: prints the request each operation without a vector
/// makes for its example (`cargo test --lib dump_uncovered -- --ignored --nocapture`), to be
/// checked by hand against the API reference before it goes into vectors.json.
#[test]
#[ignore]
fn dump_uncovered() {
    let vectors: Vec<Value> = serde_json::from_str(VECTORS).unwrap();
    let covered: std::collections::HashSet<String> = vectors
        .iter()
        .map(|v| v["op"].as_str().unwrap().to_string())
        .collect();
    for b in all().filter(|b| b.api != ConnectorKind::Beta) {
        if covered.contains(&b.id()) {
            continue;
        }
        let t = FakeTransport::with(vec![]);
        let c = FakeClock::default();
        let r = crate::Connector::new(&t, &c).execute(&ExecuteRequest {
            operation_id: b.id(),
            config: config(b.api, Region::Us),
            input: b.example_value().to_string(),
            timeout_ms: None,
            request_id: None,
        });
        let sent = t.sent.borrow();
        let req = &sent[0];
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let mut row = json!({"op": b.id(), "method": req.method.as_str(), "path": req.url.path().trim_start_matches("/v1"), "body": body});
        if let Some(q) = req.url.query() {
            row["query"] = json!(q);
        }
        println!(" {row},");
        if r.is_err() {
            println!("   ERR {:?}", r.err());
        }
    }
}

fn app_us() -> ConnectionConfig {
    config(ConnectorKind::App, Region::Us)
}

/// Runs an App (US) operation that must be refused before anything is sent; its error.
fn refused(op: &str, input: Value) -> crate::ConnectorError {
    let (t, c) = (FakeTransport::with(vec![]), FakeClock::default());
    let e = crate::testing::exec(&t, &c, op, app_us(), input.clone()).unwrap_err();
    assert!(
        t.sent.borrow().is_empty(),
        "{op} sent a request for {input}"
    );
    e
}

#[test]
fn page_numbers_are_followed_until_the_total() {
    let page = |ids: &[u32], page: u32| {
        answer(200, &json!({"assets": ids.iter().map(|i| json!({"id": i})).collect::<Vec<_>>(), "meta": {"pagination": {"page": page, "limit": 2, "total": 5}}}).to_string())
    };
    let t = FakeTransport::with(vec![page(&[1, 2], 1), page(&[3, 4], 2), page(&[5], 3)]);
    let c = FakeClock::default();
    let out = crate::testing::exec(
        &t,
        &c,
        "app.asset.list",
        app_us(),
        json!({"limit": 2, "return_all": true}),
    )
    .unwrap();
    let out: Value = serde_json::from_str(&out.output).unwrap();
    assert_eq!(out["assets"].as_array().unwrap().len(), 5, "{out}");
    assert_eq!(
        (out["next"].clone(), out["pages"].clone()),
        (Value::Null, json!(3))
    );
    let queries: Vec<String> = t
        .sent
        .borrow()
        .iter()
        .map(|r| r.url.query().unwrap_or("").to_string())
        .collect();
    assert_eq!(queries, ["limit=2", "limit=2&page=2", "limit=2&page=3"]);
    // Without a total, a short page is the last.
    let t = FakeTransport::with(vec![
        answer(200, r#"{"folders":[{"id":1},{"id":2}]}"#),
        answer(200, r#"{"folders":[{"id":3}]}"#),
    ]);
    let out = crate::testing::exec(
        &t,
        &c,
        "app.asset_folder.list",
        app_us(),
        json!({"limit": 2, "return_all": true}),
    )
    .unwrap();
    let out: Value = serde_json::from_str(&out.output).unwrap();
    assert_eq!(out["folders"].as_array().unwrap().len(), 3, "{out}");
    assert_eq!(t.sent.borrow().len(), 2);
}

#[test]
fn export_and_wait_polls_paced_and_ends_within_the_budget_naming_the_export() {
    let pending = || answer(200, r#"{"export":{"id":9,"status":"pending"}}"#);
    let t = FakeTransport::with((0..50).map(|_| pending()).collect());
    let c = FakeClock::default();
    let start = c.now.get();
    let e = crate::testing::exec(
        &t,
        &c,
        "app.export.customers_and_wait",
        app_us(),
        json!({"filters": {"segment": {"id": 7}}}),
    )
    .unwrap_err();
    assert_eq!(e.kind, crate::error::ErrorKind::Timeout, "{e:?}");
    assert!(!e.retryable, "running it again would start a second export");
    assert!(
        e.message.contains("export 9") && e.message.contains("export.get"),
        "{}",
        e.message
    );
    assert!(c.now.get() - start <= 20_000, "within the 20 s budget");
    let sleeps = c.sleeps.borrow().clone();
    assert_eq!(&sleeps[..3], &[1000, 1500, 2250], "waits grow from 1 s");
    assert!(sleeps.iter().all(|s| *s <= 15_000));
    let sent = t.sent.borrow();
    assert_eq!(sent[0].method.as_str(), "POST");
    assert!(sent[1..]
        .iter()
        .all(|r| r.method.as_str() == "GET" && r.url.path() == "/v1/exports/9"));
    // A failed export is an upstream error, with the export in the body.
    let t = FakeTransport::with(vec![
        pending(),
        answer(200, r#"{"export":{"id":9,"status":"failed"}}"#),
    ]);
    let e = crate::testing::exec(
        &t,
        &c,
        "app.export.deliveries_and_wait",
        app_us(),
        json!({"campaign_id": 1}),
    )
    .unwrap_err();
    assert_eq!(e.kind, crate::error::ErrorKind::Upstream, "{e:?}");
    assert!(e.body.unwrap().contains("failed"));
    // A deliveries export needs exactly one source.
    for input in [json!({}), json!({"campaign_id": 1, "newsletter_id": 2})] {
        let e = refused("app.export.create_deliveries", input.clone());
        assert_eq!(e.kind, crate::error::ErrorKind::InvalidInput, "{input}");
    }
}

#[test]
fn an_asset_upload_is_checked_and_sent_as_a_multipart_form() {
    let c = FakeClock::default();
    for (input, pointer) in [
        (
            json!({"file_name": "notes.txt", "content": "aGk="}),
            "/file_name",
        ),
        (
            json!({"file_name": "a.png", "content": "not base64!"}),
            "/content",
        ),
        (json!({"file_name": "a.png", "content": ""}), "/content"),
        (
            json!({"file_name": "a.pdf", "content": crate::util::b64(&vec![0u8; 2 * 1024 * 1024 + 1])}),
            "/content",
        ),
    ] {
        let e = refused("app.asset.upload", input.clone());
        assert_eq!(e.pointers, vec![pointer.to_string()], "{input}: {e:?}");
    }
    let t = FakeTransport::with(vec![answer(200, r#"{"asset":{"id":3}}"#)]);
    let bytes: Vec<u8> = (0..=255u8).collect();
    crate::testing::exec(&t, &c, "app.asset.upload", app_us(), json!({"file_name": "q\"x.PDF", "content": crate::util::b64(&bytes), "parent_folder_id": 1})).unwrap();
    let sent = t.sent.borrow();
    let ct = sent[0]
        .headers
        .iter()
        .find(|(k, _)| k == "content-type")
        .unwrap()
        .1
        .clone();
    let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
    let body = &sent[0].body;
    let head = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"parent_folder_id\"\r\n\r\n1\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"q%22x.PDF\"\r\nContent-Type: application/pdf\r\n\r\n");
    assert!(
        body.starts_with(head.as_bytes()),
        "{}",
        String::from_utf8_lossy(body)
    );
    let tail = format!("\r\n--{boundary}--\r\n");
    assert_eq!(
        &body[head.len()..body.len() - tail.len()],
        &bytes[..],
        "the file's bytes, unchanged"
    );
}

#[test]
fn after_an_export_is_created_no_error_invites_a_second_one() {
    let c = FakeClock::default();
    let t = FakeTransport::with(vec![
        answer(200, r#"{"export":{"id":9,"status":"pending"}}"#),
        answer(503, "{}"),
        answer(503, "{}"),
        answer(503, "{}"),
        answer(503, "{}"),
    ]);
    let e = crate::testing::exec(
        &t,
        &c,
        "app.export.customers_and_wait",
        app_us(),
        json!({"filters": {"segment": {"id": 7}}}),
    )
    .unwrap_err();
    assert!(!e.retryable, "{e:?}");
    assert!(e.message.contains("export 9 was started"), "{}", e.message);
    assert_eq!(
        t.sent
            .borrow()
            .iter()
            .filter(|r| r.method.as_str() == "POST")
            .count(),
        1
    );
}

#[test]
fn updates_move_to_the_root_only_when_asked_and_need_a_change() {
    let c = FakeClock::default();
    let t = FakeTransport::with(vec![answer(204, "")]);
    crate::testing::exec(
        &t,
        &c,
        "app.asset.update",
        app_us(),
        json!({"asset_id": 2, "move_to_root": true}),
    )
    .unwrap();
    let body: Value = serde_json::from_slice(&t.sent.borrow()[0].body).unwrap();
    assert_eq!(body, json!({"parent_folder_id": null}));
    for (op, input, pointer) in [
        ("app.asset.update", json!({"asset_id": 2}), ""),
        (
            "app.asset.update",
            json!({"asset_id": 2, "move_to_root": false}),
            "",
        ),
        (
            "app.design_email.update",
            json!({"email_id": "e", "move_to_root": true, "parent_folder_id": "f"}),
            "/move_to_root",
        ),
        (
            "app.asset_folder.update",
            json!({"folder_id": 1, "parent_folder_id": null}),
            "",
        ),
    ] {
        let e = refused(op, input.clone());
        assert_eq!(e.pointers, vec![pointer.to_string()], "{input}: {e:?}");
    }
}

#[test]
fn imports_are_checked_for_what_their_type_needs() {
    let c = FakeClock::default();
    let base = |extra: Value| {
        let mut v = json!({"name": "n", "data_file_url": "https://example.com/a.csv"});
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    for (input, pointer) in [
        (base(json!({"type": "people"})), "/identifier"),
        (
            base(json!({"type": "people", "identifier": "cio_id"})),
            "/identifier",
        ),
        (
            base(json!({"type": "object", "identifier": "id", "object_type_id": "1"})),
            "/identifier",
        ),
        (base(json!({"type": "object"})), "/object_type_id"),
        (
            base(json!({"type": "event", "identifier": "id", "data_to_process": "only_new"})),
            "/data_to_process",
        ),
    ] {
        let e = refused("app.import.create", input.clone());
        assert_eq!(e.pointers, vec![pointer.to_string()], "{input}: {e:?}");
    }
    for input in [
        base(json!({"type": "relationship", "identifier": "cio_id"})),
        base(json!({"type": "object", "object_type_id": "1"})),
    ] {
        let t = FakeTransport::with(vec![answer(200, r#"{"import":{"id":1}}"#)]);
        crate::testing::exec(&t, &c, "app.import.create", app_us(), input.clone())
            .unwrap_or_else(|e| panic!("{input}: {e:?}"));
    }
}

#[test]
fn upload_files_come_in_the_forms_tools_write_and_the_boundary_never_hangs() {
    use crate::run::upload::decode_file;
    let bytes: Vec<u8> = (0..200u8).collect();
    let std = crate::util::b64(&bytes);
    let wrapped: String = std
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned() + "\r\n")
        .collect();
    let url_safe = std
        .replace('+', "-")
        .replace('/', "_")
        .trim_end_matches('=')
        .to_string();
    for text in [
        std.clone(),
        wrapped,
        url_safe,
        format!("data:image/png;base64,{std}"),
    ] {
        assert_eq!(decode_file(&text).as_deref(), Some(&bytes[..]), "{text}");
    }
    assert!(decode_file("data:image/png,plain").is_none());
    // The fake clock gives the same boundaries every time: a file holding all of them is an
    // error, not an endless search.
    let boundaries: String = (0..8)
        .map(|n| format!("cio-connector-01HF7YAT000440Y5GX4GNK4EA0-{n} "))
        .collect();
    let e = refused(
        "app.asset.upload",
        json!({"file_name": "a.pdf", "content": crate::util::b64(boundaries.as_bytes())}),
    );
    assert_eq!(e.kind, crate::error::ErrorKind::Internal, "{e:?}");
}

#[test]
fn activities_pages_are_at_most_100() {
    let e = refused("app.activity.list", json!({"limit": 500}));
    assert_eq!(e.pointers, vec!["/limit".to_string()]);
}
