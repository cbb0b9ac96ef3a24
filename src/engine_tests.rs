//! Unit tests of the core against the fake transport.

use serde_json::{json, Value};

use crate::http::{HttpResponse, Method, TransportError};
use crate::testing::{answer, exec, FakeClock, FakeTransport};
use crate::types::*;
use crate::{Connector, ErrorKind};

fn track(region: Region) -> ConnectionConfig {
    ConnectionConfig {
        connector: ConnectorKind::Track,
        region,
        credentials: Credentials::Track(TrackCredentials {
            site_id: "site-1".into(),
            api_key: "sekrit-key".into(),
        }),
    }
}

fn app(region: Region) -> ConnectionConfig {
    ConnectionConfig {
        connector: ConnectorKind::App,
        region,
        credentials: Credentials::App("app-sekrit".into()),
    }
}

fn header<'a>(req: &'a crate::http::HttpRequest, name: &str) -> &'a str {
    req.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

#[test]
fn identify_builds_the_documented_request() {
    let (t, c) = (FakeTransport::default(), FakeClock::default());
    let r = exec(&t, &c, "track.customer.identify", track(Region::Eu), json!({"id": "jane+1@example.com", "attributes": {"plan": "pro"}, "created_at": "2023-11-14T22:13:20Z"})).unwrap();
    assert_eq!((r.status, r.requests, r.output.as_str()), (200, 1, "{}"));
    let sent = t.sent.borrow();
    assert_eq!(sent[0].method, Method::Put);
    assert_eq!(
        sent[0].url.as_str(),
        "https://track-eu.customer.io/api/v1/customers/jane%2B1%40example.com"
    );
    assert_eq!(
        header(&sent[0], "authorization"),
        format!("Basic {}", crate::util::b64(b"site-1:sekrit-key"))
    );
    let body: Value = serde_json::from_slice(&sent[0].body).unwrap();
    assert_eq!(body, json!({"plan": "pro", "created_at": 1700000000}));
}

#[test]
fn identifier_types_shape_the_path() {
    let (t, c) = (FakeTransport::default(), FakeClock::default());
    exec(
        &t,
        &c,
        "track.customer.delete",
        track(Region::Us),
        json!({"id": "03000001", "id_type": "cio_id"}),
    )
    .unwrap();
    exec(
        &t,
        &c,
        "track.customer.delete",
        track(Region::Us),
        json!({"id": "a/b c zoë"}),
    )
    .unwrap();
    let sent = t.sent.borrow();
    assert_eq!(sent[0].url.path(), "/api/v1/customers/cio_03000001");
    assert_eq!(sent[1].url.path(), "/api/v1/customers/a%2Fb%20c%20zo%C3%AB");
    assert!(sent[0].body.is_empty());
    for bad in [
        json!({"id": "nope", "id_type": "email"}),
        json!({"id": "cio_1", "id_type": "id"}),
    ] {
        let e = exec(&t, &c, "track.customer.delete", track(Region::Us), bad).unwrap_err();
        assert_eq!(
            (e.kind, e.pointers.clone()),
            (ErrorKind::InvalidInput, vec!["/id".to_string()])
        );
    }
}

#[test]
fn events_carry_a_ulid_reused_across_retries() {
    let t = FakeTransport::with(vec![
        answer(503, "oops"),
        Err(TransportError::Connection("reset".into())),
        answer(200, "{}"),
    ]);
    let c = FakeClock::default();
    let r = exec(
        &t,
        &c,
        "track.event.track",
        track(Region::Us),
        json!({"id": "42", "name": "purchase", "timestamp": 1700000000.7}),
    )
    .unwrap();
    assert_eq!(r.requests, 3);
    let sent = t.sent.borrow();
    let ids: Vec<Value> = sent
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap()["id"].clone())
        .collect();
    assert_eq!(ids[0].as_str().unwrap().len(), 26);
    assert!(ids.iter().all(|i| i == &ids[0]), "{ids:?}");
    assert_eq!(
        serde_json::from_slice::<Value>(&sent[0].body).unwrap()["timestamp"],
        json!(1700000000)
    );
    assert_eq!(*c.sleeps.borrow(), vec![500, 1000]);
}

#[test]
fn a_non_idempotent_post_is_not_retried_after_5xx_but_is_after_429() {
    assert!(matches!(
        crate::catalog::find("track.event.track").unwrap().op.replay,
        crate::catalog::Replay::Safe
    ));
    let call_cfg = track(Region::Us);
    let c = FakeClock::default();
    let conn_t = FakeTransport::with(vec![answer(503, "{}")]);
    let connector = Connector::new(&conn_t, &c);
    let mut call = connector_call(&connector, &call_cfg);
    let req = crate::http::HttpRequest {
        method: Method::Post,
        url: "https://track.customer.io/api/x".parse().unwrap(),
        headers: vec![],
        body: vec![],
        timeout: Default::default(),
        max_response: crate::http::MAX_RESPONSE_DEFAULT,
    };
    let resp = call
        .send(req.clone(), &crate::call::RetryPolicy::standard(false))
        .unwrap();
    assert_eq!((resp.status, call.requests), (503, 1));
    let t2 = FakeTransport::with(vec![
        Ok(HttpResponse {
            status: 429,
            headers: vec![("retry-after".into(), "2".into())],
            body: vec![],
        }),
        answer(200, "{}"),
    ]);
    let connector = Connector::new(&t2, &c);
    let mut call = connector_call(&connector, &call_cfg);
    let resp = call
        .send(req, &crate::call::RetryPolicy::standard(false))
        .unwrap();
    assert_eq!((resp.status, call.requests), (200, 2));
    assert_eq!(c.sleeps.borrow().last(), Some(&2000));
}

fn connector_call<'a>(c: &'a Connector<'a>, cfg: &'a ConnectionConfig) -> crate::call::Call<'a> {
    c.call_for_tests(cfg)
}

#[test]
fn errors_name_the_fix_and_never_leak_secrets() {
    let t = FakeTransport::with(vec![
        answer(401, r#"{"meta":{"errors":["bad key sekrit-key"]}}"#),
        answer(401, "{}"),
    ]);
    let c = FakeClock::default();
    let e = exec(
        &t,
        &c,
        "track.customer.delete",
        track(Region::Us),
        json!({"id": "1"}),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    // The other region was asked once (it refused too), so the key itself is wrong.
    assert_eq!(
        t.sent.borrow()[1].url.as_str(),
        "https://track-eu.customer.io/api/v1/accounts/region"
    );
    assert!(e.message.contains("region"), "{}", e.message);
    assert!(!format!("{e:?}").contains("sekrit-key"), "{e:?}");
    assert!(!format!("{:?}", track(Region::Us)).contains("sekrit"));

    let t = FakeTransport::with(vec![Ok(HttpResponse {
        status: 301,
        headers: vec![(
            "location".into(),
            "https://api-eu.customer.io/v1/workspaces".into(),
        )],
        body: br#"{"errors":[{"detail":"wrong datacenter","status":"301"}]}"#.to_vec(),
    })]);
    let e = Connector::new(&t, &c)
        .authenticate(&app(Region::Us))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::WrongRegion);
    assert!(
        e.message.contains("set the connection's region to eu"),
        "{}",
        e.message
    );

    let e = exec(
        &t,
        &c,
        "track.customer.identfy",
        track(Region::Us),
        json!({}),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownOperation);
    assert!(
        e.message.contains("did you mean `track.customer.identify`"),
        "{}",
        e.message
    );
    assert_eq!(e.message.matches("`track.").count(), 4, "{}", e.message);
    let e = exec(
        &t,
        &c,
        "track.customer.delete",
        app(Region::Us),
        json!({"id": "1"}),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidConfig);
    let e = Connector::new(&t, &c)
        .execute(&ExecuteRequest {
            operation_id: "track.customer.delete".into(),
            config: track(Region::Us),
            input: "{".into(),
            timeout_ms: None,
            request_id: None,
        })
        .unwrap_err();
    assert_eq!(
        (e.kind, e.pointers.clone()),
        (ErrorKind::InvalidInput, vec![String::new()])
    );
}

#[test]
fn auto_region_is_resolved_once_per_call() {
    let t = FakeTransport::with(vec![
        answer(
            200,
            r#"{"url":"https://track-eu.customer.io","region":"eu","environment_id":7}"#,
        ),
        answer(200, "{}"),
    ]);
    let c = FakeClock::default();
    let r = exec(
        &t,
        &c,
        "track.customer.delete",
        track(Region::Auto),
        json!({"id": "1"}),
    )
    .unwrap();
    assert_eq!(r.requests, 2);
    let sent = t.sent.borrow();
    assert_eq!(
        sent[0].url.as_str(),
        "https://track.customer.io/api/v1/accounts/region"
    );
    assert_eq!(sent[1].url.host_str(), Some("track-eu.customer.io"));

    let t = FakeTransport::with(vec![
        answer(
            401,
            r#"{"errors":[{"detail":"unauthorized","status":"401"}]}"#,
        ),
        answer(200, r#"{"workspaces":[{"id":3,"name":"Prod"}]}"#),
    ]);
    let info = Connector::new(&t, &c)
        .authenticate(&app(Region::Auto))
        .unwrap();
    assert_eq!(
        (info.region, info.base_url.as_str()),
        (Region::Eu, "https://api-eu.customer.io/v1")
    );
    assert!(info.details.contains("Prod"));
    assert_eq!(
        header(&t.sent.borrow()[1], "authorization"),
        "Bearer app-sekrit"
    );

    let t = FakeTransport::with(vec![answer(200, r#"{"region":"us"}"#)]);
    let e = Connector::new(&t, &c)
        .authenticate(&track(Region::Eu))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::WrongRegion);
}

#[test]
fn the_deadline_bounds_retries() {
    let t = FakeTransport::with(vec![Ok(HttpResponse {
        status: 429,
        headers: vec![("retry-after".into(), "60".into())],
        body: vec![],
    })]);
    let c = FakeClock::default();
    let e = Connector::new(&t, &c)
        .execute(&ExecuteRequest {
            operation_id: "track.customer.delete".into(),
            config: track(Region::Us),
            input: r#"{"id":"1"}"#.into(),
            timeout_ms: Some(5000),
            request_id: None,
        })
        .unwrap_err();
    assert_eq!(
        (e.kind, e.retry_after_ms, e.retryable),
        (ErrorKind::RateLimited, Some(60_000), true)
    );
    assert!(c.sleeps.borrow().is_empty());
}

#[test]
fn bad_credentials_are_config_errors_before_any_request() {
    let (t, c) = (FakeTransport::default(), FakeClock::default());
    let mut cfg = track(Region::Us);
    cfg.credentials = Credentials::Track(TrackCredentials {
        site_id: "a:b".into(),
        api_key: "k".into(),
    });
    assert_eq!(
        Connector::new(&t, &c).authenticate(&cfg).unwrap_err().kind,
        ErrorKind::InvalidConfig
    );
    let cfg = ConnectionConfig {
        connector: ConnectorKind::Beta,
        region: Region::Us,
        credentials: Credentials::App("key\r\nx".into()),
    };
    assert_eq!(
        Connector::new(&t, &c).authenticate(&cfg).unwrap_err().kind,
        ErrorKind::InvalidConfig
    );
    assert!(t.sent.borrow().is_empty());
}

#[test]
fn numbers_in_user_data_pass_through_exactly() {
    let t = FakeTransport::default();
    let c = FakeClock::default();
    let input = r#"{"id":"1","attributes":{"big":12345678901234567890123,"neg_zero":-0,"precise":0.1000000000000000055511151231257827,"exp":1e400}}"#;
    Connector::new(&t, &c)
        .execute(&ExecuteRequest {
            operation_id: "track.customer.identify".into(),
            config: track(Region::Us),
            input: input.into(),
            timeout_ms: None,
            request_id: None,
        })
        .unwrap();
    let body = String::from_utf8(t.sent.borrow()[0].body.clone()).unwrap();
    for exact in [
        "12345678901234567890123",
        ":-0",
        "0.1000000000000000055511151231257827",
        "1e+400",
    ] {
        assert!(body.contains(exact), "{exact} not in {body}");
    }
}

#[test]
fn a_401_the_other_region_accepts_is_a_wrong_region_error() {
    for (config, probe) in [
        (app(Region::Us), "https://api-eu.customer.io/v1/workspaces"),
        (
            track(Region::Eu),
            "https://track.customer.io/api/v1/accounts/region",
        ),
    ] {
        let t = FakeTransport::with(vec![answer(401, "{}"), answer(200, r#"{"workspaces":[]}"#)]);
        let c = FakeClock::default();
        let op = if config.connector == ConnectorKind::Track {
            "track.customer.delete"
        } else {
            "app.segment.lookup"
        };
        let e = exec(
            &t,
            &c,
            op,
            config,
            json!({"id": "1"})
                .as_object()
                .filter(|_| op.starts_with("track"))
                .map_or(json!({}), |o| Value::Object(o.clone())),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::WrongRegion, "{e:?}");
        assert!(
            e.message.contains("set the connection's region to"),
            "{}",
            e.message
        );
        assert_eq!(t.sent.borrow()[1].url.as_str(), probe);
    }
}

#[test]
fn a_zero_budget_is_refused_the_same_way_in_every_host() {
    let (t, c) = (FakeTransport::default(), FakeClock::default());
    let e = Connector::new(&t, &c)
        .execute(&ExecuteRequest {
            operation_id: "track.customer.delete".into(),
            config: track(Region::Us),
            input: r#"{"id":"1"}"#.into(),
            timeout_ms: Some(0),
            request_id: None,
        })
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("timeout-ms"), "{}", e.message);
    assert!(t.sent.borrow().is_empty());
}

/// The lower findings of the third hostile review, each refused or reported as what it is.
#[test]
fn hostile_round_three_lower_findings_hold() {
    let c = FakeClock::default();
    // An attribute list over 1,000 bytes as JSON is refused like a long string.
    let t = FakeTransport::default();
    let big: Vec<u32> = (0..50_000).collect();
    let e = exec(
        &t,
        &c,
        "track.customer.identify",
        track(Region::Us),
        json!({"id": "42", "attributes": {"scores": big}}),
    )
    .unwrap_err();
    assert_eq!(
        (e.kind, e.pointers.clone()),
        (
            ErrorKind::InvalidInput,
            vec!["/attributes/scores".to_string()]
        ),
        "{e:?}"
    );
    assert!(t.sent.borrow().is_empty());
    // A cursor Customer.io gives back twice ends the reading, and the output says it may be cut.
    let page = |next: &str| {
        answer(
            200,
            &json!({"newsletters": [{"id": 1}], "next": next}).to_string(),
        )
    };
    let t = FakeTransport::with(vec![page("a"), page("b"), page("a")]);
    let r = exec(
        &t,
        &c,
        "app.newsletter.list",
        app(Region::Us),
        json!({"return_all": true}),
    )
    .unwrap();
    let out: Value = serde_json::from_str(&r.output).unwrap();
    assert_eq!(out["truncated"], true, "{out}");
    // A file name with a control character never reaches a header line.
    let t = FakeTransport::default();
    let e = exec(
        &t,
        &c,
        "app.asset.upload",
        app(Region::Us),
        json!({"file_name": "a\tb.png", "content": "aGk="}),
    )
    .unwrap_err();
    assert_eq!(
        (e.kind, e.pointers.clone()),
        (ErrorKind::InvalidInput, vec!["/file_name".to_string()]),
        "{e:?}"
    );
    assert!(t.sent.borrow().is_empty());
    // Headers that re-route a request behind the URL the connector checked are refused.
    for name in ["X-Original-URL", "x-rewrite-url", "X-HTTP-Method-Override"] {
        let t = FakeTransport::default();
        let input =
            json!({"method": "GET", "endpoint": "/v1/campaigns", "headers": {name: "/v1/admin"}});
        let e = exec(&t, &c, "app.raw_http_request", app(Region::Us), input).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{name}: {e:?}");
        assert!(t.sent.borrow().is_empty(), "{name}");
    }
    // A URL too long to send is the input's fault, said before anything goes out.
    let t = FakeTransport::default();
    let long = "x".repeat(66 * 1024);
    let input = json!({"method": "GET", "endpoint": "/v1/campaigns", "query": {"q": long}});
    let e = exec(&t, &c, "app.raw_http_request", app(Region::Us), input).unwrap_err();
    assert_eq!(
        (e.kind, e.retryable),
        (ErrorKind::InvalidInput, false),
        "{e:?}"
    );
    assert!(t.sent.borrow().is_empty());
    // An answer nested deeper than the parser goes is an error, not a string posing as data.
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let t = FakeTransport::with(vec![answer(200, &deep)]);
    let e = exec(&t, &c, "app.campaign.list", app(Region::Us), json!({})).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Upstream, "{e:?}");
    // A redirect within the same region is no region mistake.
    let redirect = Ok(HttpResponse {
        status: 301,
        headers: vec![(
            "location".into(),
            "https://api.customer.io/v1/elsewhere".into(),
        )],
        body: Vec::new(),
    });
    let t = FakeTransport::with(vec![redirect]);
    let e = exec(&t, &c, "app.campaign.list", app(Region::Us), json!({})).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Upstream, "{e:?}");
    assert!(!e.message.contains("not US"), "{}", e.message);
}

/// Export-and-wait reads only the export it started: an answer about another one is refused.
#[test]
fn export_and_wait_refuses_a_poll_about_another_export() {
    let c = FakeClock::default();
    let t = FakeTransport::with(vec![
        answer(200, r#"{"export":{"id":5,"status":"pending"}}"#),
        answer(200, r#"{"export":{"id":6,"status":"done"}}"#),
    ]);
    let e = exec(
        &t,
        &c,
        "app.export.customers_and_wait",
        app(Region::Us),
        json!({"filters": {"segment": {"id": 7}}}),
    )
    .unwrap_err();
    assert_eq!((e.kind, e.retryable), (ErrorKind::Upstream, false), "{e:?}");
    assert!(
        e.message.contains("export 5") && e.message.contains('6'),
        "{}",
        e.message
    );
}
