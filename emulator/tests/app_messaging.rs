//! End-to-end tests for the App API's messaging half: campaigns, broadcasts, newsletters,
//! transactional templates and sends, live notifications and the lookup sources, on the App and
//! Beta hosts of both regions, with their pagination, 404s and validation errors.

mod common;

use cio_emulator::{Emulator, EmulatorConfig, Workspace};
use common::*;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::{json, Value};

const BETA_EU: &str = "beta-api-eu.customer.io";
const EU_KEY: &str = "eu-app-key";

/// The demo workspace (US) and one in the EU.
fn start_two() -> Emulator {
    let mut config = EmulatorConfig::default();
    config
        .workspaces
        .push(Workspace::parse("eu-site:eu-track:eu-app-key:eu").unwrap());
    Emulator::start(config).unwrap()
}

/// Every host a workspace is served on: App and Beta of its region, with its key.
const HOSTS: [(&str, &str, &str); 4] = [
    (APP, "/v1", DEMO_KEY),
    (BETA, "/v1/api", DEMO_KEY),
    (APP_EU, "/v1", EU_KEY),
    (BETA_EU, "/v1/api", EU_KEY),
];

/// `/v1/x` on the host whose base is `base` (`/v1` or Beta's `/v1/api`).
fn on(base: &str, target: &str) -> String {
    format!("{base}{}", target.strip_prefix("/v1").unwrap())
}

fn demo(emu: &Emulator, method: &str, target: &str, body: &str) -> Reply {
    app(emu, method, APP, target, DEMO_KEY, body)
}

/// The App error body: `{"errors": [{"detail", "source": {"pointer"} (unless empty), "status"}]}`.
fn app_error(status: u16, detail: &str, pointer: &str) -> Value {
    let mut item = json!({"detail": detail, "status": status.to_string()});
    if !pointer.is_empty() {
        item["source"] = json!({ "pointer": pointer });
    }
    json!({ "errors": [item] })
}

/// Asserts that `r` is that App error.
fn refused(r: &Reply, status: u16, detail: &str, pointer: &str, what: &str) {
    assert_eq!(
        (r.status, r.json()),
        (status, app_error(status, detail, pointer)),
        "{what}"
    );
}

fn not_found() -> Value {
    app_error(404, "not found", "")
}

fn enc(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

enum Check {
    Eq(Value),
    Len(usize),
}
use Check::{Eq, Len};

#[test]
fn every_read_answers_on_app_and_beta_hosts_of_both_regions() {
    let emu = start_two();
    #[rustfmt::skip]
    let rows: &[(&str, &str, Check)] = &[
        ("/v1/campaigns", "/campaigns", Len(250)),
        ("/v1/campaigns", "/campaigns/249/id", Eq(json!(250))),
        ("/v1/campaigns/101", "/campaign/actions/2/id", Eq(json!(1013))),
        ("/v1/campaigns/101/metrics", "/metric/series/sent", Len(45)),
        ("/v1/campaigns/101/metrics?period=hours&steps=5", "/metric/series/clicked", Len(5)),
        ("/v1/campaigns/101/metrics?period=months", "/metric/series/opened", Len(12)),
        ("/v1/campaigns/101/metrics?period=months&steps=500", "/metric/series/delivered", Len(121)),
        ("/v1/campaigns/101/metrics/links?period=weeks", "/links/1/metric/series/human_clicked", Len(12)),
        ("/v1/campaigns/101/journey_metrics?start=1767139200&end=1767225600&resolution=hourly", "/journey_metrics/series/converted", Len(24)),
        ("/v1/campaigns/101/journey_metrics?start=0&end=604800&res=days", "/journey_metrics/resolution", Eq(json!("daily"))),
        ("/v1/campaigns/101/actions", "/actions/2/campaign_id", Eq(json!(101))),
        ("/v1/campaigns/101/actions", "/next", Eq(json!(""))),
        ("/v1/campaigns/101/actions/1011", "/action/id", Eq(json!(1011))),
        ("/v1/campaigns/101/actions/1011/language/es", "/action/language", Eq(json!("es"))),
        ("/v1/campaigns/101/actions/1012/metrics?steps=3", "/metric/series/sent", Len(3)),
        ("/v1/campaigns/101/actions/1012/metrics/links", "/links", Len(2)),
        ("/v1/campaigns/101/messages", "/messages", Len(50)),
        ("/v1/campaigns/101/messages", "/messages/0/campaign_id", Eq(json!(101))),
        ("/v1/broadcasts", "/broadcasts", Len(3)),
        ("/v1/broadcasts", "/broadcasts/0/name", Eq(json!("Demo broadcast"))),
        ("/v1/broadcasts/15", "/broadcast/type", Eq(json!("triggered_broadcast"))),
        ("/v1/broadcasts/16/metrics?period=days&steps=7", "/metric/series/opened", Len(7)),
        ("/v1/broadcasts/16/metrics/links", "/links/0/link/href", Eq(json!("https://example.com/broadcasts/16/link-1"))),
        ("/v1/broadcasts/8/actions", "/actions", Len(2)),
        ("/v1/broadcasts/8/actions/82", "/action/broadcast_id", Eq(json!(8))),
        ("/v1/broadcasts/8/actions/82/language/fr", "/action/language", Eq(json!("fr"))),
        ("/v1/broadcasts/8/actions/81/metrics", "/metric/series/clicked", Len(45)),
        ("/v1/broadcasts/8/actions/81/metrics/links", "/links/1/link/id", Eq(json!(81_532))),
        ("/v1/broadcasts/8/messages?limit=3", "/messages/2/broadcast_id", Eq(json!(8))),
        ("/v1/newsletters", "/newsletters", Len(50)),
        ("/v1/newsletters", "/newsletters/0/id", Eq(json!(120))),
        ("/v1/newsletters/1", "/newsletter/content_ids", Eq(json!([11, 12]))),
        ("/v1/newsletters/1/metrics", "/metric/series/sent", Len(45)),
        ("/v1/newsletters/1/metrics/links", "/links", Len(2)),
        ("/v1/newsletters/1/messages", "/messages/0/newsletter_id", Eq(json!(1))),
        ("/v1/newsletters/1/contents", "/contents/1/id", Eq(json!(12))),
        ("/v1/newsletters/1/contents/12", "/content/newsletter_id", Eq(json!(1))),
        ("/v1/newsletters/1/contents/12/metrics", "/metric/series/delivered", Len(45)),
        ("/v1/newsletters/1/contents/12/metrics/links", "/links", Len(2)),
        ("/v1/newsletters/1/language/fr", "/content/language", Eq(json!("fr"))),
        ("/v1/newsletters/1/language/es", "/content/id", Eq(json!(11))),
        ("/v1/newsletters/1/test_groups", "/test_groups/1/content_ids", Eq(json!(["12"]))),
        ("/v1/newsletters/1/test_group/2/language/fr", "/content/id", Eq(json!(12))),
        ("/v1/newsletters/1/test_group/a/language/de", "/content/id", Eq(json!(11))),
        ("/v1/newsletters/1/test_groups", "/test_groups/1/name", Eq(json!("B"))),
        ("/v1/campaigns/1/actions/13/language/de", "/action/subject", Eq(json!("Hallo {{customer.first_name}}"))),
        ("/v1/transactional", "/messages/1/trigger_name", Eq(json!("password_reset"))),
        ("/v1/transactional/3", "/message/name", Eq(json!("Order receipt"))),
        ("/v1/transactional/3/contents", "/contents/0/id", Eq(json!(31))),
        ("/v1/transactional/3/contents/32", "/content/transactional_message_id", Eq(json!(3))),
        ("/v1/transactional/3/language/es", "/content/language", Eq(json!("es"))),
        ("/v1/transactional/3/metrics?period=weeks", "/metric/series/sent", Len(12)),
        ("/v1/transactional/3/metrics/links", "/links", Len(2)),
        ("/v1/transactional/2/messages", "/messages/0/transactional_message_id", Eq(json!(2))),
        ("/v1/transactional/2/messages", "/messages/0/campaign_id", Eq(Value::Null)),
        ("/v1/sender_identities", "/sender_identities", Len(6)),
        ("/v1/sender_identities", "/next", Eq(json!(""))),
        ("/v1/sender_identities/5", "/sender_identity/template_type", Eq(json!("phone"))),
        ("/v1/reporting_webhooks", "/reporting_webhooks/2/id", Eq(json!(3))),
    ];
    for (host, base, key) in HOSTS {
        for (target, pointer, check) in rows {
            let target = on(base, target);
            let r = app_get(&emu, host, &target, key);
            assert_eq!(r.status, 200, "{host}{target}: {}", r.text());
            let body = r.json();
            let found = body
                .pointer(pointer)
                .unwrap_or_else(|| panic!("{host}{target}: no {pointer} in {body}"));
            match check {
                Eq(expected) => assert_eq!(found, expected, "{host}{target} {pointer}"),
                Len(n) => assert_eq!(
                    found.as_array().map(Vec::len),
                    Some(*n),
                    "{host}{target} {pointer}"
                ),
            }
        }
    }
    // A record reads the same everywhere.
    let one = |host, target: &str, key| app_get(&emu, host, target, key).json();
    assert_eq!(
        one(APP, "/v1/campaigns/222", DEMO_KEY),
        one(BETA_EU, "/v1/api/campaigns/222", EU_KEY)
    );
}

/// Follows `next` from the first page to the last; returns the records and the page count.
fn walk(emu: &Emulator, host: &str, key: &str, target: &str, list: &str) -> (Vec<Value>, usize) {
    let (mut records, mut pages, mut start) = (Vec::new(), 0, String::new());
    loop {
        let sep = if target.contains('?') { '&' } else { '?' };
        let url = if start.is_empty() {
            target.to_string()
        } else {
            format!("{target}{sep}start={}", enc(&start))
        };
        let r = app_get(emu, host, &url, key);
        assert_eq!(r.status, 200, "{url}: {}", r.text());
        let body = r.json();
        records.extend(body[list].as_array().unwrap().iter().cloned());
        pages += 1;
        start = body["next"].as_str().unwrap().to_string();
        if start.is_empty() {
            return (records, pages);
        }
        assert!(pages < 100, "{target} does not end");
    }
}

fn ids(records: &[Value]) -> Vec<u64> {
    records.iter().map(|r| r["id"].as_u64().unwrap()).collect()
}

#[test]
fn cursor_pages_cover_every_record_once() {
    let emu = start_two();
    // Newsletters: newest first by default, `sort=asc` reverses, on every host.
    for (host, base, key) in HOSTS {
        let (records, pages) = walk(
            &emu,
            host,
            key,
            &on(base, "/v1/newsletters?limit=7"),
            "newsletters",
        );
        assert_eq!(pages, 18, "{host}");
        assert_eq!(ids(&records), (1..=120).rev().collect::<Vec<_>>(), "{host}");
        let (records, _) = walk(
            &emu,
            host,
            key,
            &on(base, "/v1/newsletters?limit=100&sort=asc"),
            "newsletters",
        );
        assert_eq!(ids(&records), (1..=120).collect::<Vec<_>>(), "{host}");
    }
    #[rustfmt::skip]
    let cases = [
        ("/v1/campaigns/103/actions?limit=2", "actions", 2, 5, 3),
        ("/v1/sender_identities?limit=2", "sender_identities", 2, 6, 3),
        ("/v1/sender_identities?limit=4&sort=desc", "sender_identities", 4, 6, 2),
        ("/v1/campaigns/101/messages?limit=500", "messages", 500, 1200, 3),
        ("/v1/transactional/1/messages?limit=5000", "messages", 1000, 1200, 2),
        ("/v1/newsletters/5/messages", "messages", 50, 1200, 24),
    ];
    for (target, list, limit, total, pages) in cases {
        let (records, walked) = walk(&emu, APP, DEMO_KEY, target, list);
        assert_eq!((records.len(), walked), (total, pages), "{target}");
        let first = app_get(&emu, APP, target, DEMO_KEY).json();
        assert_eq!(
            first[list].as_array().unwrap().len(),
            limit.min(total),
            "{target}"
        );
        let mut unique: Vec<String> = records.iter().map(|r| r["id"].to_string()).collect();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), total, "{target}");
    }
    let desc = walk(
        &emu,
        APP,
        DEMO_KEY,
        "/v1/sender_identities?sort=desc",
        "sender_identities",
    )
    .0;
    assert_eq!(ids(&desc), [6, 5, 4, 3, 2, 1]);

    // The cursor is opaque and carries characters a client must escape.
    let next = app_get(&emu, APP, "/v1/newsletters?limit=1", DEMO_KEY).json()["next"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        next.contains('+') && next.contains('/') && next.ends_with('='),
        "{next}"
    );
    let r = app_get(
        &emu,
        APP,
        &format!("/v1/newsletters?limit=1&start={next}"),
        DEMO_KEY,
    );
    assert_eq!(r.status, 400, "an unescaped + reads as a space");
}

#[test]
fn unknown_ids_are_404s() {
    let emu = start_two();
    for target in [
        "/v1/campaigns/0",
        "/v1/campaigns/251",
        "/v1/campaigns/abc",
        "/v1/campaigns/1.5",
        "/v1/campaigns/251/metrics",
        "/v1/campaigns/101/actions/1014",
        "/v1/campaigns/101/actions/1021",
        "/v1/campaigns/101/actions/1011/metrics/links/x",
        "/v1/campaigns/999/journey_metrics?start=0&end=10&res=hourly",
        "/v1/broadcasts/9",
        "/v1/broadcasts/9/metrics",
        "/v1/broadcasts/8/actions/83",
        "/v1/broadcasts/9/messages",
        "/v1/newsletters/0",
        "/v1/newsletters/121",
        "/v1/newsletters/1/contents/13",
        "/v1/newsletters/1/test_group/3/language/es",
        "/v1/newsletters/1/test_group/c/language/es",
        "/v1/transactional/4",
        "/v1/transactional/0/contents",
        "/v1/transactional/1/contents/21",
        "/v1/sender_identities/7",
        "/v1/live_notifications/01ARZ3NDEKTSV4RRFFQ69G5FAV",
        "/v1/send/email",
    ] {
        for (host, base, key) in [HOSTS[0], HOSTS[3]] {
            let target = on(base, target);
            let r = app_get(&emu, host, &target, key);
            assert_eq!((r.status, r.json()), (404, not_found()), "{host}{target}");
        }
    }
    for (method, target) in [
        ("POST", "/v1/send/fax"),
        ("PUT", "/v1/campaigns/101"),
        ("DELETE", "/v1/campaigns/101/actions/1011"),
        ("PUT", "/v1/transactional/1/contents/11"),
        ("PUT", "/v1/campaigns/101/actions/1099"),
        ("DELETE", "/v1/newsletters/777"),
        ("POST", "/v1/newsletters/777/send"),
        ("POST", "/v1/newsletters/1/publish"),
    ] {
        let r = demo(&emu, method, target, "{}");
        assert_eq!(
            (r.status, r.json()),
            (404, not_found()),
            "{method} {target}"
        );
    }
}

#[test]
fn bad_query_parameters_are_400s() {
    let emu = start();
    #[rustfmt::skip]
    let cases = [
        ("/v1/newsletters?limit=0", "limit must be a positive integer (at most 1000 are returned), not \"0\""),
        ("/v1/newsletters?limit=ten", "limit must be a positive integer (at most 1000 are returned), not \"ten\""),
        ("/v1/newsletters?start=abc", "start \"abc\" is not a cursor this list returned as next"),
        ("/v1/newsletters?sort=newest", "sort must be asc or desc, not \"newest\""),
        ("/v1/campaigns/101/metrics?period=years", "period must be one of hours, days, weeks, months, not \"years\""),
        ("/v1/campaigns/101/metrics?steps=-1", "steps must be a positive integer, not \"-1\""),
        ("/v1/campaigns/101/journey_metrics", "start is required: a unix timestamp"),
        ("/v1/campaigns/101/journey_metrics?start=10&end=20", "resolution is required: hourly, daily, weekly or monthly"),
        ("/v1/campaigns/101/journey_metrics?start=20&end=10&res=daily", "end must be after start"),
        ("/v1/campaigns/8/triggers/1/errors?start=x", "start must be an integer offset, not \"x\""),
        ("/v1/live_notifications/not-a-ulid", "instance_id \"not-a-ulid\" is not a valid ULID"),
        ("/v1/campaigns/101/actions/1011/language/xx", "language \"xx\" does not exist for this message"),
        ("/v1/transactional/1/language/EN", "language \"EN\" does not exist for this message"),
        ("/v1/newsletters/1/test_group/a/language/pt", "language \"pt\" does not exist for this message"),
    ];
    for (target, detail) in cases {
        refused(
            &app_get(&emu, APP, target, DEMO_KEY),
            400,
            detail,
            "",
            target,
        );
    }
}

#[test]
fn transactional_sends_validate_record_and_answer() {
    let emu = start();
    let big = |bytes: usize| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(vec![0u8; bytes])
    };
    let limit = 2 * 1024 * 1024;
    #[rustfmt::skip]
    let cases = [
        ("email", String::new(), "the request body is empty; expected a JSON object"),
        ("email", "[]".into(), "the request body must be a JSON object"),
        ("email", r#"{"to":"a@example.com","identifiers":{"id":"1"}}"#.into(), "transactional_message_id is required"),
        ("email", r#"{"transactional_message_id":"","to":"a@example.com","identifiers":{"id":"1"}}"#.into(), "transactional_message_id is required"),
        ("push", r#"{"transactional_message_id":true,"identifiers":{"id":"1"}}"#.into(), "transactional_message_id must be an integer id or a trigger name"),
        ("push", r#"{"transactional_message_id":1.5,"identifiers":{"id":"1"}}"#.into(), "transactional_message_id must be an integer id or a trigger name"),
        ("email", r#"{"transactional_message_id":4,"to":"a@example.com","identifiers":{"id":"1"}}"#.into(), "transactional message not found"),
        ("sms", r#"{"transactional_message_id":"newsletter","to":"+15550100","identifiers":{"id":"1"}}"#.into(), "transactional message not found"),
        ("push", r#"{"transactional_message_id":1}"#.into(), "identifiers is required"),
        ("push", r#"{"transactional_message_id":1,"identifiers":[]}"#.into(), "identifiers must be a JSON object"),
        ("push", r#"{"transactional_message_id":1,"identifiers":{}}"#.into(), "identifiers must have exactly one of id, email, cio_id (found none)"),
        ("in_app", r#"{"transactional_message_id":1,"identifiers":{"id":"1","email":"a@example.com"}}"#.into(), "identifiers must have exactly one of id, email, cio_id (found email, id)"),
        ("inbox_message", r#"{"transactional_message_id":1,"identifiers":{"phone":"+15550100"}}"#.into(), "identifiers must have exactly one of id, email, cio_id (found phone)"),
        ("email", r#"{"transactional_message_id":1,"identifiers":{"id":"1"}}"#.into(), "to is required"),
        ("sms", r#"{"transactional_message_id":1,"identifiers":{"id":"1"},"to":""}"#.into(), "to is required"),
        ("email", r#"{"transactional_message_id":1,"to":"a@example.com","identifiers":{"id":"1"},"attachments":{"notes":"aGk="}}"#.into(), "attachment \"notes\" needs a filename with an extension, such as receipt.pdf"),
        ("email", r#"{"transactional_message_id":1,"to":"a@example.com","identifiers":{"id":"1"},"attachments":{"a.txt":"*not base64*"}}"#.into(), "attachments.a.txt is not valid base64"),
        ("email", r#"{"transactional_message_id":1,"to":"a@example.com","identifiers":{"id":"1"},"attachments":{"a.txt":7}}"#.into(), "attachments.a.txt must be a base64 string"),
        ("email", format!(r#"{{"transactional_message_id":1,"to":"a@example.com","identifiers":{{"id":"1"}},"attachments":{{"a.bin":"{}","b.bin":"{}"}}}}"#, big(limit - 10), big(10)), "attachments are 2097152 bytes decoded; together they must be under 2 MB (2097152 bytes)"),
        ("whatsapp", r#"{"transactional_message_id":1,"identifiers":{"id":"1"},"send_at":"soon"}"#.into(), "send_at must be an integer"),
        ("in_app", r#"{"transactional_message_id":1,"identifiers":{"id":"1"},"message_data":[1]}"#.into(), "message_data must be a JSON object"),
    ];
    for (channel, body, error) in cases {
        for (host, base) in [(APP, "/v1"), (BETA, "/v1/api")] {
            let target = on(base, &format!("/v1/send/{channel}"));
            let r = app(&emu, "POST", host, &target, DEMO_KEY, &body);
            assert_eq!(
                (r.status, r.json()),
                (400, json!({"meta": {"error": error}})),
                "{host}{target} {}",
                &body[..body.len().min(200)]
            );
        }
    }
    assert!(emu.transactional_deliveries("demo-site").is_empty());

    let future: i64 = 4_102_444_800; // 2100-01-01
    #[rustfmt::skip]
    let sends = [
        ("email", json!({"transactional_message_id": 1, "to": "Sarah <sarah@example.com>", "identifiers": {"id": "sf3sd"}, "message_data": {"first_name": "Sarah"}, "attachments": {"big.bin": big(limit - 1)}}), 1),
        ("email", json!({"transactional_message_id": "WELCOME", "to": "a@example.com", "identifiers": {"email": "a@example.com"}, "send_at": future}), 1),
        ("sms", json!({"transactional_message_id": "2", "to": "+15550100", "identifiers": {"id": 42}, "send_at": 1}), 2),
        ("push", json!({"transactional_message_id": "Password_Reset", "identifiers": {"cio_id": "03000001"}}), 2),
        ("whatsapp", json!({"transactional_message_id": 3, "identifiers": {"id": "w"}, "attachments": {}}), 3),
        ("in_app", json!({"transactional_message_id": "receipt", "identifiers": {"id": "i"}, "queue_draft": true}), 3),
        ("inbox_message", json!({"transactional_message_id": 1, "identifiers": {"id": "x"}}), 1),
    ];
    let mut delivery_ids = Vec::new();
    for (channel, body, _) in &sends {
        let before = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let r = demo(
            &emu,
            "POST",
            &format!("/v1/send/{channel}"),
            &body.to_string(),
        );
        assert_eq!(r.status, 200, "{channel}: {}", r.text());
        let answer = r.json();
        let id = answer["delivery_id"].as_str().unwrap().to_string();
        assert!(!id.is_empty() && !delivery_ids.contains(&id), "{answer}");
        assert!(answer["queued_at"].as_i64().unwrap() >= before, "{answer}");
        let echoed = body["send_at"] == json!(future);
        let mut keys: Vec<&String> = answer.as_object().unwrap().keys().collect();
        keys.sort();
        let expected_keys: &[&str] = if echoed {
            &["delivery_id", "queued_at", "send_at"]
        } else {
            &["delivery_id", "queued_at"]
        };
        assert_eq!(keys, expected_keys, "{answer}");
        if echoed {
            assert_eq!(answer["send_at"], future);
        }
        delivery_ids.push(id);
    }
    let stored = emu.transactional_deliveries("demo-site");
    assert_eq!(stored.len(), sends.len());
    for ((record, (channel, body, template)), id) in stored.iter().zip(&sends).zip(&delivery_ids) {
        assert_eq!(record["delivery_id"], json!(id));
        assert_eq!(record["channel"], json!(channel));
        assert_eq!(record["transactional_message_id"], json!(template));
        assert_eq!(record["request"], *body);
    }
    assert_eq!(stored[2]["identifiers"], json!({"id": "42"}));
    assert_eq!(stored[2]["send_at"], 1);
    assert_eq!(
        emu.state_json("demo-site").unwrap()["transactional_deliveries"],
        Value::Array(stored.clone())
    );
    assert!(emu.transactional_deliveries("nobody").is_empty());

    // A transactional delivery's unsubscribe link works.
    let r = track_json(
        &emu,
        TRACK,
        None,
        "POST",
        &format!("/unsubscribe/{}", enc(&delivery_ids[0])),
        r#"{"unsubscribe":true}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(emu.person("demo-site", "sf3sd").unwrap().unsubscribed());
}

#[test]
fn put_edits_actions_and_contents_everywhere_they_show() {
    let emu = start();
    #[rustfmt::skip]
    let cases = [
        ("/v1/campaigns/101/actions/1012", &["/v1/campaigns/101/actions/1012", "/v1/campaigns/101/actions"][..]),
        ("/v1/broadcasts/8/actions/81/language/es", &["/v1/broadcasts/8/actions/81/language/es"]),
        ("/v1/transactional/2/content/21", &["/v1/transactional/2/contents/21", "/v1/transactional/2/contents"]),
        ("/v1/newsletters/1/language/fr", &["/v1/newsletters/1/language/fr", "/v1/newsletters/1/test_group/1/language/fr"]),
        ("/v1/newsletters/2/contents/22", &["/v1/newsletters/2/contents"]),
    ];
    for (put, reads) in cases {
        let body = r#"{"subject":"Edited","body":"<p>new</p>","id":1,"created":5}"#;
        let r = demo(&emu, "PUT", put, body);
        assert_eq!(r.status, 200, "{put}: {}", r.text());
        let answer = r.json();
        let record = answer.as_object().unwrap().values().next().unwrap().clone();
        assert_eq!(record["subject"], "Edited", "{put}");
        assert_ne!(record["id"], 1, "{put}: the id stays");
        assert_ne!(record["created"], 5, "{put}: created stays");
        for read in reads {
            let text = app_get(&emu, BETA, &on("/v1/api", read), DEMO_KEY).text();
            assert!(text.contains(r#""subject":"Edited""#), "{read}: {text}");
        }
    }
    // Untouched records keep their generated content; edits are per workspace state.
    let other = demo(&emu, "GET", "/v1/campaigns/101/actions/1011", "").json();
    assert_ne!(other["action"]["subject"], "Edited");
    let edits = emu.state_json("demo-site").unwrap()["edits"].clone();
    assert_eq!(edits.as_object().unwrap().len(), 5, "{edits}");
    assert_eq!(edits["campaigns/101/1012"]["subject"], "Edited");

    for (target, body, detail) in [
        (
            "/v1/campaigns/101/actions/1011",
            "[1]",
            "the request body must be a JSON object",
        ),
        (
            "/v1/transactional/1/content/11",
            "",
            "the request body is empty; expected a JSON object",
        ),
    ] {
        refused(&demo(&emu, "PUT", target, body), 400, detail, "", target);
    }
}

#[test]
fn newsletters_are_created_sent_scheduled_and_deleted() {
    let emu = start();
    let long = format!(r#"{{"name":"{}","type":"email"}}"#, "n".repeat(191));
    #[rustfmt::skip]
    let cases = [
        ("", "the request body is empty; expected a JSON object", ""),
        (r#"{"type":"email"}"#, "name is required", "/name"),
        (r#"{"name":7,"type":"email"}"#, "name must be a string", "/name"),
        (long.as_str(), "name is 191 characters; the limit is 190", "/name"),
        (r#"{"name":"Spring"}"#, "type is required", "/type"),
        (r#"{"name":"Spring","type":"fax"}"#, "type must be one of email, sms, push, in_app, inbox, webhook, not \"fax\"", "/type"),
    ];
    for (body, detail, pointer) in cases {
        let r = demo(&emu, "POST", "/v1/newsletters", body);
        refused(&r, 400, detail, pointer, body);
    }

    let name = "é".repeat(190);
    let created = demo(
        &emu,
        "POST",
        "/v1/newsletters",
        &json!({"name": name, "type": "sms", "subject": "Hi", "recipients": {"segment": {"id": 3}}}).to_string(),
    );
    assert_eq!(created.status, 200, "{}", created.text());
    let record = created.json()["newsletter"].clone();
    assert_eq!(
        (record["id"].clone(), record["type"].clone()),
        (json!(121), json!("sms"))
    );
    assert_eq!(record["recipients"], json!({"segment": {"id": 3}}));
    assert_eq!(record["content_ids"], json!([1211, 1212]));
    let r = app(
        &emu,
        "POST",
        BETA,
        "/v1/api/newsletters",
        DEMO_KEY,
        r#"{"name":"Beta","type":"inbox"}"#,
    );
    assert_eq!(r.json()["newsletter"]["id"], 122);

    for target in [
        "/v1/newsletters/121",
        "/v1/newsletters/121/contents/1212",
        "/v1/newsletters/122/test_groups",
    ] {
        assert_eq!(app_get(&emu, APP, target, DEMO_KEY).status, 200, "{target}");
    }
    let (all, _) = walk(
        &emu,
        APP,
        DEMO_KEY,
        "/v1/newsletters?limit=1000",
        "newsletters",
    );
    assert_eq!((all.len(), all[0]["id"].clone()), (122, json!(122)));

    let r = demo(&emu, "POST", "/v1/newsletters/121/send", "");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.json()["newsletter"]["sent_at"].as_i64().is_some());
    for (body, detail) in [
        ("{}", "scheduled_at is required: a unix timestamp"),
        (
            r#"{"scheduled_at":"tomorrow"}"#,
            "scheduled_at must be an integer",
        ),
    ] {
        let r = demo(&emu, "POST", "/v1/newsletters/1/schedule", body);
        refused(&r, 400, detail, "/scheduled_at", body);
    }
    let r = app(
        &emu,
        "POST",
        BETA,
        "/v1/api/newsletters/1/schedule",
        DEMO_KEY,
        r#"{"scheduled_at":1900000000}"#,
    );
    assert_eq!(r.json()["newsletter"]["scheduled_at"], 1_900_000_000);
    assert_eq!(
        demo(&emu, "GET", "/v1/newsletters/1", "").json()["newsletter"]["scheduled_at"],
        1_900_000_000
    );

    for id in [121, 1] {
        let r = demo(&emu, "DELETE", &format!("/v1/newsletters/{id}"), "");
        assert_eq!((r.status, r.body.len()), (204, 0), "{id}");
        let r = demo(&emu, "GET", &format!("/v1/newsletters/{id}/contents"), "");
        assert_eq!((r.status, r.json()), (404, not_found()), "{id}");
        assert_eq!(
            demo(&emu, "DELETE", &format!("/v1/newsletters/{id}"), "").status,
            404
        );
    }
    let (all, _) = walk(
        &emu,
        APP,
        DEMO_KEY,
        "/v1/newsletters?limit=1000&sort=asc",
        "newsletters",
    );
    assert_eq!((all.len(), all[0]["id"].clone()), (120, json!(2)));
    // A new id never reuses a deleted one.
    let r = demo(
        &emu,
        "POST",
        "/v1/newsletters",
        r#"{"name":"Again","type":"email"}"#,
    );
    assert_eq!(r.json()["newsletter"]["id"], 123);

    let state = emu.state_json("demo-site").unwrap()["newsletters"].clone();
    assert_eq!(state["deleted"], json!([1, 121]));
    let actions: Vec<Value> = state["sends"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| json!([s["newsletter_id"], s["action"]]))
        .collect();
    assert_eq!(actions, [json!([121, "send"]), json!([1, "schedule"])]);
    assert_eq!(state["sends"][1]["scheduled_at"], 1_900_000_000);
}

#[test]
fn broadcast_audiences_are_validated_and_stored_as_sent() {
    let emu = start();
    // Different broadcasts have their own 10-second windows: 8, 15 and 16 take one trigger each
    // (trigger ids count per workspace: 2, 3 and 4 after the seeded 1).
    #[rustfmt::skip]
    let cases = [
        (8, json!({"emails": ["a@example.com"], "email_ignore_missing": false, "email_add_duplicates": false, "data": {"x": 1}})),
        (15, json!({"per_user_data": [{"id": "u1", "data": {"a": 1}}, {"email": "b@example.com"}, {"id": 7}], "id_ignore_missing": true, "email_ignore_missing": false})),
        (16, json!({"recipients": {"and": [{"segment": {"id": 3}}, {"not": {"attribute": {"field": "plan", "operator": "eq", "value": "free"}}}]}})),
    ];
    for (broadcast, body) in cases {
        let r = demo(
            &emu,
            "POST",
            &format!("/v1/campaigns/{broadcast}/triggers"),
            &body.to_string(),
        );
        assert_eq!(r.status, 200, "{body}: {}", r.text());
        let stored = emu.broadcast_triggers("demo-site", broadcast);
        assert_eq!(
            stored.last().unwrap()["request"],
            body,
            "false flags are kept"
        );
    }
    let r = demo(&emu, "POST", "/v1/campaigns/15/triggers", "{}");
    assert_eq!((r.status, r.header("retry-after")), (429, Some("10")));

    // Errors list the people that do not exist unless the flag skips them.
    #[rustfmt::skip]
    let cases = [
        ("/v1/campaigns/8/triggers/2/errors", json!({"errors": ["line 1: no person with email \"a@example.com\""], "next": ""})),
        ("/v1/campaigns/15/triggers/3/errors", json!({"errors": ["line 2: no person with email \"b@example.com\""], "next": ""})),
        ("/v1/campaigns/16/triggers/4/errors", json!({"errors": [], "next": ""})),
        ("/v1/campaigns/8/triggers/1/errors", json!({"errors": [], "next": ""})),
    ];
    for (target, expected) in cases {
        let r = app_get(&emu, BETA, &on("/v1/api", target), DEMO_KEY);
        assert_eq!((r.status, r.json()), (200, expected), "{target}");
    }

    let emu = start();
    demo_ok_identify(&emu, "known");
    #[rustfmt::skip]
    let cases = [
        (r#"{"ids":["1"],"emails":["a@example.com"]}"#, "/ids", "give only one of recipients, emails, ids, per_user_data and data_file_url, not both emails and ids"),
        (r#"{"recipients":{"segment":{"id":3}},"data_file_url":"https://example.com/f.csv"}"#, "/data_file_url", "give only one of recipients, emails, ids, per_user_data and data_file_url, not both recipients and data_file_url"),
        (r#"{"recipients":{}}"#, "/recipients", "empty recipients filter is not valid"),
        (r#"{"recipients":[]}"#, "/recipients", "an audience filter must be an object"),
        (r#"{"recipients":{"or":[]}}"#, "/recipients/or", "or must be a non-empty array of filters"),
        (r#"{"recipients":{"and":[{"segment":{}}]}}"#, "/recipients/and/0/segment/id", "a segment filter needs an integer id"),
        (r#"{"recipients":{"not":{"attribute":{"field":"plan"}}}}"#, "/recipients/not/attribute/operator", "an attribute filter needs a non-empty operator"),
        (r#"{"recipients":{"segment":{"id":3},"not":{}}}"#, "/recipients", "an audience filter has exactly one of and, or, not, segment, attribute"),
        (r#"{"recipients":{"tag":"x"}}"#, "/recipients", "unknown audience filter \"tag\": use and, or, not, segment or attribute"),
        (r#"{"recipients":{"segment":{"id":3}},"id_ignore_missing":true}"#, "/id_ignore_missing", "id_ignore_missing cannot be used with recipients"),
        (r#"{"emails":["a@example.com"],"id_ignore_missing":false}"#, "/id_ignore_missing", "id_ignore_missing cannot be used with emails"),
        (r#"{"ids":["1"],"email_add_duplicates":true}"#, "/email_add_duplicates", "email_add_duplicates cannot be used with ids"),
        (r#"{"email_ignore_missing":"yes"}"#, "/email_ignore_missing", "email_ignore_missing must be true or false"),
        (r#"{"data":[1]}"#, "/data", "data must be an object"),
        (r#"{"emails":[]}"#, "/emails", "emails must be a non-empty array"),
        (r#"{"emails":["a@example.com","nobody"]}"#, "/emails/1", "each email must be a string with an @"),
        (r#"{"ids":"1"}"#, "/ids", "ids must be a non-empty array"),
        (r#"{"ids":["1",""]}"#, "/ids/1", "each id must be a non-empty string or an integer"),
        (r#"{"per_user_data":[{"id":"1","email":"a@example.com"}]}"#, "/per_user_data/0", "each entry must be an object with exactly one of id and email, and an optional data object"),
        (r#"{"per_user_data":[{"id":"1","data":5}]}"#, "/per_user_data/0", "each entry must be an object with exactly one of id and email, and an optional data object"),
        (r#"{"data_file_url":"ftp://example.com/f.csv"}"#, "/data_file_url", "data_file_url must be an http(s) URL"),
    ];
    for (body, pointer, detail) in cases {
        let r = demo(&emu, "POST", "/v1/campaigns/8/triggers", body);
        refused(&r, 422, detail, pointer, body);
    }
    // None of that used the window; the default audience takes every flag.
    let body = r#"{"data":{"a":1},"id_ignore_missing":false,"email_ignore_missing":true,"email_add_duplicates":false}"#;
    assert_eq!(
        demo(&emu, "POST", "/v1/campaigns/8/triggers", body).json(),
        json!({"id": 2})
    );

    // Several errors page by integer offset.
    let ids: Vec<String> = (0..7)
        .map(|i| {
            if i == 3 {
                "known".into()
            } else {
                format!("missing-{i}")
            }
        })
        .collect();
    let body = json!({ "ids": ids }).to_string();
    assert_eq!(
        demo(&emu, "POST", "/v1/campaigns/15/triggers", &body).json(),
        json!({"id": 3})
    );
    let mut lines = Vec::new();
    let mut start = 0;
    loop {
        let page = demo(
            &emu,
            "GET",
            &format!("/v1/campaigns/15/triggers/3/errors?limit=4&start={start}"),
            "",
        )
        .json();
        lines.extend(page["errors"].as_array().unwrap().iter().cloned());
        // The next offset as a string (the spec's type); "" after the last page.
        match page["next"].as_str().unwrap() {
            "" => break,
            next => start = next.parse::<u64>().unwrap(),
        }
    }
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[3], "line 5: no person with id \"missing-4\"");
    for (target, detail) in [
        (
            "/v1/campaigns/9/triggers/1/errors",
            "The broadcast_id does not exist",
        ),
        (
            "/v1/campaigns/15/triggers/2/errors",
            "The trigger_id does not exist",
        ),
    ] {
        refused(&demo(&emu, "GET", target, ""), 404, detail, "", target);
    }
}

/// Creates a person with this id through Track.
fn demo_ok_identify(emu: &Emulator, id: &str) {
    let r = track_json(
        emu,
        TRACK,
        Some(&demo_basic()),
        "PUT",
        &format!("/api/v1/customers/{id}"),
        "{}",
    );
    assert_eq!(r.status, 200);
}

#[test]
fn live_notifications_start_update_end_and_report() {
    let emu = start_two();
    let start_body = r#"{"notification_type":"io.customer.order-tracking","identifiers":{"email":"a@example.com"},"attributes":{"order":"A1"},"content_state":{"status":"received"}}"#;
    for (host, base, key) in HOSTS {
        let post = |operation: &str, body: &str| {
            app(
                &emu,
                "POST",
                host,
                &on(base, &format!("/v1/live_notifications/{operation}")),
                key,
                body,
            )
        };
        let r = post("start", start_body);
        assert_eq!(r.status, 200, "{host}: {}", r.text());
        let id = r.json()["instance_id"].as_str().unwrap().to_string();
        assert_eq!(id.len(), 26, "{id}");
        let status = |id: &str| {
            app_get(
                &emu,
                host,
                &on(base, &format!("/v1/live_notifications/{id}")),
                key,
            )
        };
        let first = status(&id).json();
        assert_eq!(
            (
                first["state"].clone(),
                first["last_delivery"]["operation"].clone(),
                first["notification_type"].clone()
            ),
            (
                json!("active"),
                json!("start"),
                json!("io.customer.order-tracking")
            ),
        );
        let update = json!({"instance_id": id, "content_state": {"status": "shipped"}}).to_string();
        assert_eq!(post("update", &update).json(), json!({ "instance_id": id }));
        assert_eq!(
            status(&id.to_ascii_lowercase()).json()["last_delivery"]["operation"],
            "update"
        );
        assert_eq!(
            post("end", &json!({ "instance_id": id }).to_string()).status,
            200
        );
        let ended = status(&id).json();
        assert_eq!(ended["state"], "ended");
        assert!(ended["ended_at"].as_i64().is_some());
        let detail = format!("live notification {id} has already ended");
        refused(&post("update", &update), 400, &detail, "", host);
    }

    #[rustfmt::skip]
    let cases = [
        ("start", "", "the request body is empty; expected a JSON object", ""),
        ("start", r#"{"identifiers":{"id":"1"},"attributes":{},"content_state":{}}"#, "notification_type is required", "/notification_type"),
        ("start", r#"{"notification_type":"t","attributes":{},"content_state":{}}"#, "identifiers is required", "/identifiers"),
        ("start", r#"{"notification_type":"t","identifiers":{},"attributes":{},"content_state":{}}"#, "identifiers must have exactly one of id, email, cio_id (found none)", "/identifiers"),
        ("start", r#"{"notification_type":"t","identifiers":{"id":"1"},"content_state":{}}"#, "attributes is required", "/attributes"),
        ("start", r#"{"notification_type":"t","identifiers":{"id":"1"},"attributes":{},"content_state":[]}"#, "content_state must be a JSON object", "/content_state"),
        ("update", r#"{"content_state":{}}"#, "instance_id is required", "/instance_id"),
        ("update", r#"{"instance_id":"01ARZ3NDEKTSV4RRFFQ69G5FAV"}"#, "content_state is required", "/content_state"),
        ("end", r#"{"instance_id":"nope"}"#, "instance_id \"nope\" is not a valid ULID", ""),
    ];
    for (operation, body, detail, pointer) in cases {
        let r = demo(
            &emu,
            "POST",
            &format!("/v1/live_notifications/{operation}"),
            body,
        );
        refused(&r, 400, detail, pointer, &format!("{operation} {body}"));
    }
    let r = demo(
        &emu,
        "POST",
        "/v1/live_notifications/end",
        r#"{"instance_id":"01ARZ3NDEKTSV4RRFFQ69G5FAV"}"#,
    );
    assert_eq!((r.status, r.json()), (404, not_found()));

    let state = emu.state_json("demo-site").unwrap()["live_notifications"].clone();
    let instances = state.as_array().unwrap();
    // The demo workspace's own instance, then one started through App and one through Beta.
    assert_eq!(instances.len(), 3, "App and Beta share the US workspace");
    assert_eq!(instances[0]["instance_id"], "01HF7YAT000440Y5GX4GNK4EA0");
    assert_eq!(instances[1]["content_state"], json!({"status": "shipped"}));
    assert_eq!(instances[1]["updates"], 1);
    assert_eq!(
        emu.state_json("eu-site").unwrap()["live_notifications"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn regions_auth_and_rate_limit_cover_the_new_routes() {
    let emu = start_two();
    for (host, target, key, status) in [
        (APP, "/v1/campaigns", "", 401),
        (APP_EU, "/v1/newsletters", DEMO_KEY, 401),
        (APP, "/v1/newsletters", EU_KEY, 301),
        (BETA, "/v1/api/transactional", EU_KEY, 301),
        (BETA_EU, "/v1/api/sender_identities", DEMO_KEY, 401),
    ] {
        let r = app_get(&emu, host, target, key);
        assert_eq!(r.status, status, "{host}{target}");
    }
    let r = app_get(&emu, APP, "/v1/campaigns/101?x=1", EU_KEY);
    assert_eq!(
        r.header("location"),
        Some("https://api-eu.customer.io/v1/campaigns/101?x=1")
    );
    let r = app(&emu, "POST", APP, "/v1/send/email", EU_KEY, "{}");
    assert_eq!(r.status, 301);
    assert!(emu.transactional_deliveries("eu-site").is_empty());

    let limited = Emulator::start(EmulatorConfig {
        app_rate_limit: Some(1),
        ..EmulatorConfig::default()
    })
    .unwrap();
    assert_eq!(
        app_get(&limited, APP, "/v1/campaigns", DEMO_KEY).status,
        200
    );
    let r = app_get(&limited, APP, "/v1/newsletters", DEMO_KEY);
    assert_eq!((r.status, r.header("retry-after")), (429, Some("1")));
}
