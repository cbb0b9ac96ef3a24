//! Property tests: whatever the input, `execute` answers with output or a typed error (never a
//! panic), and a raw endpoint either stays under the base URL or is refused before sending.

use proptest::prelude::*;
use serde_json::{json, Value};

use crate::testing::{FakeClock, FakeTransport};
use crate::types::*;
use crate::{catalog, Connector, ErrorKind};

fn config(kind: ConnectorKind) -> ConnectionConfig {
    let credentials = match kind {
        ConnectorKind::Track => Credentials::Track(TrackCredentials {
            site_id: "s".into(),
            api_key: "k".into(),
        }),
        _ => Credentials::App("key".into()),
    };
    ConnectionConfig {
        connector: kind,
        region: Region::Eu,
        credentials,
    }
}

/// Cases per property: 256 in the test suite; `PROPTEST_CASES=1000000` for the long run
/// (RELIABILITY.md).
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn run(
    op: &str,
    kind: ConnectorKind,
    input: &Value,
) -> (
    Result<ExecuteResponse, crate::ConnectorError>,
    Vec<crate::http::HttpRequest>,
) {
    let (t, c) = (FakeTransport::default(), FakeClock::default());
    let r = Connector::new(&t, &c).execute(&ExecuteRequest {
        operation_id: op.into(),
        config: config(kind),
        input: input.to_string(),
        timeout_ms: Some(1000),
        request_id: None,
    });
    let sent = t.sent.borrow().clone();
    (r, sent)
}

/// Identifier-ish strings: the characters that break paths, plus any unicode.
fn identifier() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just(".".to_string()),
        Just("..".to_string()),
        Just("/".to_string()),
        Just("%".to_string()),
        Just("%2e".to_string()),
        Just("?".to_string()),
        Just("#".to_string()),
        Just("+".to_string()),
        Just("@".to_string()),
        Just("cio_".to_string()),
        Just(" ".to_string()),
        Just("\\".to_string()),
        "\\PC{1,4}",
        "[a-z0-9]{1,8}",
    ];
    prop::collection::vec(piece, 1..6).prop_map(|v| v.concat())
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Endpoint-ish strings: path pieces mixed with the characters attacks are made of.
fn endpoint() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("/".to_string()),
        Just("..".to_string()),
        Just(".".to_string()),
        Just("%2e".to_string()),
        Just("%2f".to_string()),
        Just("%5c".to_string()),
        Just("\\".to_string()),
        Just("//".to_string()),
        Just("@".to_string()),
        Just(":".to_string()),
        Just("?".to_string()),
        Just("#".to_string()),
        Just("%0d%0a".to_string()),
        Just("http:".to_string()),
        Just("evil.example".to_string()),
        "[a-zA-Z0-9_~+=;,-]{1,6}",
        ".{1,3}",
    ];
    prop::collection::vec(piece, 1..8).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn execute_never_panics(op_index in 0usize..256, input in json_value()) {
        let ops: Vec<_> = catalog::all().collect();
        let op = ops[op_index % ops.len()];
        let (t, c) = (FakeTransport::default(), FakeClock::default());
        let r = Connector::new(&t, &c).execute(&ExecuteRequest {
            operation_id: op.id(),
            config: config(op.api),
            input: input.to_string(),
            timeout_ms: Some(1000),
            request_id: None,
        });
        if let Err(e) = r {
            prop_assert!(e.kind != ErrorKind::Internal, "{} {}: {e:?}", op.id(), input);
        }
    }

    #[test]
    fn raw_endpoints_stay_under_the_base_url(ep in endpoint(), kind_index in 0usize..3) {
        let kind = ConnectorKind::ALL[kind_index];
        let (t, c) = (FakeTransport::default(), FakeClock::default());
        let r = Connector::new(&t, &c).execute(&ExecuteRequest {
            operation_id: format!("{}.raw_http_request", kind.as_str()),
            config: config(kind),
            input: json!({"method": "GET", "endpoint": ep, "return_error_responses": true}).to_string(),
            timeout_ms: Some(1000),
            request_id: None,
        });
        let sent = t.sent.borrow();
        match r {
            Ok(_) => {
                prop_assert_eq!(sent.len(), 1);
                let url = &sent[0].url;
                let base = crate::region::base_url(kind, Region::Eu);
                prop_assert!(url.as_str().starts_with(&format!("{base}/")), "{ep:?} -> {url}");
                prop_assert!(!url.path().split('/').any(|s| s == ".." || s == "."), "{ep:?} -> {url}");
            }
            Err(e) => {
                prop_assert_eq!(e.kind, ErrorKind::InvalidInput, "{:?}: {:?}", ep, e);
                prop_assert!(sent.is_empty());
            }
        }
    }

    #[test]
    fn every_field_of_every_operation_takes_any_value_without_panicking(op_index in 0usize..256, field_index in 0usize..32, value in json_value()) {
        let ops: Vec<_> = catalog::all().filter(|b| !b.op.fields.is_empty()).collect();
        let b = ops[op_index % ops.len()];
        let mut input = b.example_value();
        let names: Vec<&str> = b.field_groups().iter().flat_map(|g| g.iter().map(|f| f.name)).collect();
        let name = names[field_index % names.len()];
        input[name] = value;
        let (r, sent) = run(&b.id(), b.api, &input);
        match r {
            Ok(_) => prop_assert!(!sent.is_empty()),
            Err(e) => {
                prop_assert!(e.kind != ErrorKind::Internal, "{} {}: {:?}", b.id(), input, e);
                if e.kind == ErrorKind::InvalidInput {
                    prop_assert!(sent.is_empty(), "{} sent a request and then refused its input", b.id());
                }
            }
        }
    }

    #[test]
    fn identifiers_never_change_the_path(id in identifier(), op_index in 0usize..8) {
        let ops = ["track.customer.identify", "track.customer.delete", "track.customer.suppress", "track.event.track", "track.device.upsert", "track.device.delete", "track.form.submit", "track.customer.unsuppress"];
        let op = ops[op_index];
        let b = catalog::find(op).unwrap();
        let mut input = b.example_value();
        let field = if op == "track.form.submit" { "form_id" } else { "id" };
        input[field] = json!(id);
        if op == "track.device.delete" { input["device_id"] = json!(id); }
        input.as_object_mut().unwrap().remove("id_type");
        let (r, sent) = run(op, ConnectorKind::Track, &input);
        if r.is_ok() {
            let template = format!("/api{}", b.op.requester.path);
            let path = sent[0].url.path().to_string();
            prop_assert_eq!(path.split('/').count(), template.split('/').count(), "{:?} -> {}", id, path);
            for (t, p) in template.split('/').zip(path.split('/')) {
                if !t.starts_with('{') { prop_assert_eq!(t, p); }
            }
            prop_assert!(sent[0].url.query().is_none() && sent[0].url.fragment().is_none(), "{:?} -> {}", id, sent[0].url);
        } else {
            prop_assert!(sent.is_empty());
        }
    }

    #[test]
    fn raw_headers_are_refused_or_sent_clean(headers in prop::collection::btree_map(".{0,12}", ".{0,40}", 0..6)) {
        let input = json!({"method": "GET", "endpoint": "/v1/accounts/region", "headers": headers});
        let (r, sent) = run("track.raw_http_request", ConnectorKind::Track, &input);
        match r {
            Ok(_) => {
                for (k, v) in &sent[0].headers {
                    prop_assert!(!k.is_empty() && k.bytes().all(|b| b.is_ascii_graphic()), "{:?}", k);
                    prop_assert!(!v.contains(['\r', '\n', '\0']), "{:?}", v);
                }
                let auth = sent[0].headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("authorization")).count();
                prop_assert_eq!(auth, 1);
            }
            Err(e) => prop_assert_eq!(e.kind, ErrorKind::InvalidInput),
        }
    }
}
