//! Every Track operation of the catalog, built into the component and loaded in the reference
//! host, against the emulator in the US and the EU: the shared test vectors, tricky identifiers,
//! every timestamp form, large splits and batches, and a typed error for malformed input of
//! every field.

mod common;

use cio_host::{ConnectorKind, ErrorKind, Region};
use common::*;
use serde_json::{json, Value};

const VECTORS: &str = include_str!("../src/catalog/vectors.json");

fn regions() -> [(Region, &'static str, &'static str); 2] {
    [
        (Region::Us, "track.customer.io", "demo-site"),
        (Region::Eu, "track-eu.customer.io", "eu-site"),
    ]
}

/// Whether `actual` has everything `expected` has (`"$ulid"` matches any 26-character id).
fn matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::String(e), Value::String(a)) if e == "$ulid" => a.len() == 26,
        (Value::Object(e), Value::Object(a)) => {
            e.len() == a.len()
                && e.iter()
                    .all(|(k, v)| a.get(k).is_some_and(|av| matches(v, av)))
        }
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(e, a)| matches(e, a))
        }
        (e, a) => e == a,
    }
}

#[test]
fn every_track_vector_runs_against_the_emulator_in_both_regions() {
    let emu = emulator();
    let host = host(&emu);
    let vectors: Vec<Value> = serde_json::from_str(VECTORS).unwrap();
    let track_vectors: Vec<&Value> = vectors
        .iter()
        .filter(|v| v["op"].as_str().unwrap().starts_with("track."))
        .collect();
    let ids: std::collections::HashSet<String> = track_vectors
        .iter()
        .map(|v| v["op"].as_str().unwrap().to_string())
        .collect();
    let ops = host.list_operations().unwrap();
    for d in ops.iter().filter(|d| d.connector == ConnectorKind::Track) {
        assert!(ids.contains(&d.id), "{} has no vector", d.id);
    }
    for (region, hostname, _) in regions() {
        // The people and objects the vectors name exist first, as they would in a workspace.
        for id in ["42", "jane@example.com", "jane+1@example.com"] {
            host.execute(&request(
                "track.customer.identify",
                track(region),
                json!({"id": id}),
            ))
            .unwrap()
            .unwrap();
        }
        for v in &track_vectors {
            let id = v["op"].as_str().unwrap();
            let input = v
                .get("input")
                .cloned()
                .unwrap_or_else(|| example(&host, id));
            emu.clear_requests();
            let out = host
                .execute(&request(id, track(region), input.clone()))
                .unwrap()
                .unwrap_or_else(|e| panic!("{id} {region:?} {input}: {e:?}"));
            assert!((200..300).contains(&out.status), "{id}: {}", out.status);
            let reqs = emu.requests();
            let r = reqs.first().unwrap_or_else(|| panic!("{id} sent nothing"));
            let prefix = if v["root"] == json!(true) { "" } else { "/api" };
            assert_eq!(
                (r.method.as_str(), r.host.as_str()),
                (v["method"].as_str().unwrap(), hostname),
                "{id}"
            );
            assert_eq!(
                r.path,
                format!("{prefix}{}", v["path"].as_str().unwrap()),
                "{id}"
            );
            assert_eq!(
                r.query.as_deref().unwrap_or(""),
                v["query"].as_str().unwrap_or(""),
                "{id}"
            );
            let body = r.json().unwrap_or(Value::Null);
            assert!(matches(&v["body"], &body), "{id} sent {body}");
            let output: Value = serde_json::from_str(&out.output).unwrap();
            assert!(output.is_object(), "{id} output {output}");
        }
    }
}

#[test]
fn tricky_identifiers_reach_the_right_person_in_every_operation() {
    let emu = emulator();
    let host = host(&emu);
    for (region, _, site) in regions() {
        for id in [
            "jane+1@example.com",
            "a/b",
            "with space",
            "zoë-東京",
            "50%off",
            "...",
            "a.b",
            "%2e%2e",
            "?x=1#y",
        ] {
            let cfg = track(region);
            let run = |op: &str, input: Value| {
                host.execute(&request(op, cfg.clone(), input.clone()))
                    .unwrap()
                    .unwrap_or_else(|e| panic!("{op} {id} {input}: {e:?}"))
            };
            run(
                "track.customer.identify",
                json!({"id": id, "attributes": {"plan": "pro"}}),
            );
            assert_eq!(
                emu.person(site, id)
                    .unwrap_or_else(|| panic!("{id}"))
                    .attributes["plan"],
                "pro"
            );
            run("track.event.track", json!({"id": id, "name": "clicked"}));
            run(
                "track.event.page_view",
                json!({"id": id, "name": "/pricing"}),
            );
            run(
                "track.device.upsert",
                json!({"id": id, "device_id": "tok/1+2", "platform": "ios"}),
            );
            run(
                "track.device.delete",
                json!({"id": id, "device_id": "tok/1+2"}),
            );
            run("track.customer.delete", json!({"id": id}));
            assert!(emu.person(site, id).is_none(), "{id} still there");
        }
        // cio_ ids address a person by cio_id; `.` and `..` would change the path and are refused.
        let cfg = track(region);
        host.execute(&request(
            "track.customer.identify",
            cfg.clone(),
            json!({"id": "cio-user", "attributes": {"a": "1"}}),
        ))
        .unwrap()
        .unwrap();
        let cio = emu.person(site, "cio-user").unwrap().cio_id;
        emu.clear_requests();
        host.execute(&request(
            "track.customer.identify",
            cfg.clone(),
            json!({"id": cio, "id_type": "cio_id", "attributes": {"a": "2"}}),
        ))
        .unwrap()
        .unwrap();
        assert_eq!(
            emu.requests()[0].path,
            format!("/api/v1/customers/cio_{cio}")
        );
        assert_eq!(emu.person(site, "cio-user").unwrap().attributes["a"], "2");
        for bad in [".", ".."] {
            emu.clear_requests();
            for op in [
                "track.customer.identify",
                "track.customer.delete",
                "track.customer.suppress",
            ] {
                let e = host
                    .execute(&request(op, cfg.clone(), json!({"id": bad})))
                    .unwrap()
                    .unwrap_err();
                assert_eq!(
                    (e.kind, e.pointers.clone()),
                    (ErrorKind::InvalidInput, vec!["/id".to_string()]),
                    "{op} {bad}"
                );
            }
            assert!(emu.requests().is_empty(), "{bad} was sent");
        }
    }
}

#[test]
fn every_timestamp_form_arrives_as_integer_seconds() {
    let emu = emulator();
    let host = host(&emu);
    for (region, _, _) in regions() {
        for (form, want) in [
            (json!(1700000000), 1700000000),
            (json!(1700000000.75), 1700000000),
            (json!("1700000000"), 1700000000),
            (json!("1700000000.5"), 1700000000),
            (json!("2023-11-14T22:13:20Z"), 1700000000),
            (json!("2023-11-14T23:13:20.250+01:00"), 1700000000),
            (json!("2023-11-14"), 1699920000),
        ] {
            emu.clear_requests();
            host.execute(&request(
                "track.event.track",
                track(region),
                json!({"id": "42", "name": "t", "timestamp": form}),
            ))
            .unwrap()
            .unwrap();
            host.execute(&request(
                "track.customer.identify",
                track(region),
                json!({"id": "42", "created_at": form}),
            ))
            .unwrap()
            .unwrap();
            host.execute(&request(
                "track.device.upsert",
                track(region),
                json!({"id": "42", "device_id": "d", "platform": "ios", "last_used": form}),
            ))
            .unwrap()
            .unwrap();
            let bodies: Vec<Value> = emu.requests().iter().map(|r| r.json().unwrap()).collect();
            assert_eq!(bodies[0]["timestamp"], json!(want), "{form}");
            assert_eq!(bodies[1]["created_at"], json!(want), "{form}");
            assert_eq!(bodies[2]["device"]["last_used"], json!(want), "{form}");
        }
        let e = host
            .execute(&request(
                "track.event.track",
                track(region),
                json!({"id": "42", "name": "t", "timestamp": "next tuesday"}),
            ))
            .unwrap()
            .unwrap_err();
        assert_eq!(
            (e.kind, e.pointers),
            (ErrorKind::InvalidInput, vec!["/timestamp".to_string()])
        );
    }
}

#[test]
fn a_5000_event_batch_is_split_within_the_size_limits() {
    let emu = emulator();
    let host = host(&emu);
    for (region, _, site) in regions() {
        let batch: Vec<Value> = (0..5000)
            .map(|i| json!({"type": "person", "action": "event", "identifiers": {"id": format!("batch-{}", i % 50)}, "name": "viewed", "attributes": {"n": i, "pad": "x".repeat(150)}}))
            .collect();
        emu.clear_requests();
        let before = emu.events(site).len();
        let out = host
            .execute(&request(
                "track.batch.submit",
                track(region),
                json!({"batch": batch}),
            ))
            .unwrap()
            .unwrap();
        let output: Value = serde_json::from_str(&out.output).unwrap();
        let reqs = emu.requests();
        assert!(reqs.len() >= 3, "{} requests", reqs.len());
        assert!(
            reqs.iter().all(|r| r.body.len() <= 500 * 1024),
            "a request over 500 KB"
        );
        let sent: usize = reqs
            .iter()
            .map(|r| r.json().unwrap()["batch"].as_array().unwrap().len())
            .sum();
        assert_eq!(sent, 5000);
        assert_eq!(
            output,
            json!({"complete": true, "requests": reqs.len(), "total": 5000, "accepted": 5000, "errors": []})
        );
        assert_eq!(emu.events(site).len() - before, 5000);
        // Every event got its own ULID, so Customer.io de-duplicates a retried request.
        let ids: std::collections::HashSet<String> = reqs
            .iter()
            .flat_map(|r| {
                r.json().unwrap()["batch"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["id"].as_str().unwrap().to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(ids.len(), 5000);

        // An item over 32 KB is refused before anything is sent.
        emu.clear_requests();
        let mut big = json!({"batch": [{"type": "person", "action": "identify", "identifiers": {"id": "1"}}, {"type": "person", "action": "identify", "identifiers": {"id": "2"}, "attributes": {"blob": "x".repeat(33 * 1024)}}]});
        let e = host
            .execute(&request("track.batch.submit", track(region), big.clone()))
            .unwrap()
            .unwrap_err();
        assert_eq!(
            (e.kind, e.pointers.clone()),
            (ErrorKind::InvalidInput, vec!["/batch/1".to_string()]),
            "{e:?}"
        );
        assert!(emu.requests().is_empty());
        // A refused item is reported by its index in the whole input, the rest applied.
        big["batch"][1] =
            json!({"type": "person", "action": "event", "identifiers": {"id": "2"}, "name": "ok"});
        let mut items = big["batch"].as_array().unwrap().clone();
        items.push(json!({"type": "person", "action": "add_device", "identifiers": {"id": "2"}, "device": {"token": "t", "platform": "ios"}}));
        let out = host
            .execute(&request(
                "track.batch.submit",
                track(region),
                json!({"batch": items}),
            ))
            .unwrap()
            .unwrap();
        assert_eq!(out.status, 200, "{}", out.output);
    }
}

#[test]
fn segment_requests_over_1000_ids_are_split() {
    let emu = emulator();
    let host = host(&emu);
    for (region, _, _) in regions() {
        let ids: Vec<String> = (0..2500).map(|i| format!("seg-{i}")).collect();
        emu.clear_requests();
        let out = host
            .execute(&request(
                "track.segment.add_customers",
                track(region),
                json!({"segment_id": 7, "ids": ids}),
            ))
            .unwrap()
            .unwrap();
        let output: Value = serde_json::from_str(&out.output).unwrap();
        assert_eq!(
            output,
            json!({"complete": true, "requests": 3, "sent": 2500, "total": 2500})
        );
        let sizes: Vec<usize> = emu
            .requests()
            .iter()
            .map(|r| r.json().unwrap()["ids"].as_array().unwrap().len())
            .collect();
        assert_eq!(sizes, [1000, 1000, 500]);
        // A segment that does not exist fails on the first slice: nothing applied, a typed error.
        let e = host
            .execute(&request(
                "track.segment.add_customers",
                track(region),
                json!({"segment_id": 999_999, "ids": ids}),
            ))
            .unwrap()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound, "{e:?}");
        assert!(e.message.contains("nothing was applied"), "{}", e.message);
    }
}

#[test]
fn malformed_input_of_every_field_gets_a_typed_error_and_sends_nothing() {
    let emu = emulator();
    let host = host(&emu);
    every_field_refuses_malformed_input(&host, &emu, &[ConnectorKind::Track]);
}

/// A call that did only part of its work fails, with what was applied, instead of answering
/// success with the failure inside its output.
#[test]
fn a_split_call_whose_later_slice_fails_fails_with_what_was_applied() {
    use cio_emulator::{Fault, FaultAction};
    let emu = emulator();
    let host = host(&emu);
    let ids: Vec<String> = (0..2500).map(|i| format!("seg-{i}")).collect();
    let path = "/api/v1/segments/7/add_customers";
    // The first slice goes through (a zero delay); every later request is answered 500.
    emu.inject(Fault::new(FaultAction::Delay { ms: 0 }).with_path(path));
    let boom = FaultAction::Respond {
        status: 500,
        headers: Vec::new(),
        body: r#"{"meta":{"error":"boom"}}"#.into(),
    };
    emu.inject(Fault::new(boom).with_path(path).forever());
    let e = host
        .execute(&request(
            "track.segment.add_customers",
            track(Region::Us),
            json!({"segment_id": 7, "ids": ids}),
        ))
        .unwrap()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Upstream, "{e:?}");
    assert!(
        !e.retryable,
        "re-running would apply the first 1,000 again: {e:?}"
    );
    assert!(
        e.message.starts_with("1000 of 2500 items were applied"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("items 1000 to 1999 failed"),
        "{}",
        e.message
    );
    let body: Value = serde_json::from_str(e.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        (body["complete"].clone(), body["sent"].clone()),
        (json!(false), json!(1000))
    );
    assert_eq!(body["failed"]["from"], 1000);
}

/// Events sent with ids the call made up, whose answer was lost: without a request id a new
/// run would make new ids, so the error says it is not safe to run again; with one, the ids
/// come back the same and Customer.io keeps one copy, so it is.
#[test]
fn a_lost_event_answer_is_retryable_only_when_a_rerun_repeats_its_ids() {
    use cio_emulator::{Fault, FaultAction};
    let emu = emulator();
    let host = host(&emu);
    let input = json!({"id": "42", "name": "purchase", "data": {"total": 9}});
    let lose = || {
        emu.inject(
            Fault::new(FaultAction::ResetAfterApply)
                .with_path("/api/v1/customers/42/events")
                .forever(),
        )
    };
    lose();
    let e = host
        .execute(&request(
            "track.event.track",
            track(Region::Us),
            input.clone(),
        ))
        .unwrap()
        .unwrap_err();
    assert!(!e.retryable, "{e:?}");
    assert!(e.message.contains("request id"), "{}", e.message);
    emu.clear_faults();
    emu.clear_requests();
    let with_id = |id: &str| {
        let mut r = request("track.event.track", track(Region::Us), input.clone());
        r.request_id = Some(id.to_string());
        r
    };
    lose();
    let e = host.execute(&with_id("run-7")).unwrap().unwrap_err();
    assert!(e.retryable, "{e:?}");
    emu.clear_faults();
    host.execute(&with_id("run-7")).unwrap().unwrap();
    let sent: Vec<Value> = emu
        .requests()
        .iter()
        .map(|r| r.json().unwrap()["id"].clone())
        .collect();
    assert!(
        sent.len() >= 2 && sent.iter().all(|id| *id == sent[0]),
        "the re-run repeats the id: {sent:?}"
    );
    // Another request id, or another input under the same one, makes another id.
    emu.clear_requests();
    host.execute(&with_id("run-8")).unwrap().unwrap();
    let other = emu.requests()[0].json().unwrap()["id"].clone();
    assert_ne!(other, sent[0]);
}
