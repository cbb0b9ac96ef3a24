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
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

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
}
