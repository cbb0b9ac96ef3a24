//! Reliability and security under the reference host, against the emulator's faults: every call
//! ends within its budget, answers are capped, secrets never come back in any form, no event is
//! lost or duplicated under a storm of faults, and many threads can share one host. The figures
//! they print are the ones RELIABILITY.md quotes.

mod common;

use std::time::{Duration, Instant};

use cio_emulator::{Fault, FaultAction, Rate};
use cio_host::{ConnectorKind, Credentials, ErrorKind, Region, TrackCredentials};
use common::*;
use serde_json::{json, Value};

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn raw_get(endpoint: &str, extra: Value) -> Value {
    let mut input = json!({"method": "GET", "endpoint": endpoint});
    for (k, v) in extra.as_object().unwrap() {
        input[k] = v.clone();
    }
    input
}

#[test]
fn a_dripping_or_stalled_answer_ends_within_the_budget_and_the_next_call_works() {
    let emu = emulator();
    let host = host(&emu);
    for action in [
        FaultAction::drip(1000),
        FaultAction::drip_forever(500),
        FaultAction::Stall,
    ] {
        emu.clear_faults();
        emu.inject(Fault::new(action.clone()).with_path("/api/v1/accounts/region"));
        let mut req = request(
            "track.raw_http_request",
            track(Region::Us),
            raw_get("/v1/accounts/region", json!({"timeout_ms": 3000})),
        );
        req.timeout_ms = Some(3000);
        let (r, took) = timed(|| host.execute(&req).unwrap());
        let e = r.unwrap_err();
        println!("{action:?}: ended after {took:?} with {:?}", e.kind);
        assert_eq!(e.kind, ErrorKind::Timeout, "{e:?}");
        assert!(
            took < Duration::from_millis(4500),
            "{action:?} took {took:?} on a 3 s budget"
        );
        let ok = host
            .execute(&request(
                "track.account.get_region",
                track(Region::Us),
                json!({}),
            ))
            .unwrap();
        assert!(ok.is_ok(), "the next call failed: {ok:?}");
    }
}

#[test]
fn huge_and_endless_answers_are_cut_at_the_cap_with_a_typed_error() {
    let emu = emulator();
    let host = host(&emu);
    for action in [
        FaultAction::huge_body(300 << 20),
        FaultAction::endless_body(),
    ] {
        emu.clear_faults();
        emu.inject(Fault::new(action.clone()).with_path("/api/v1/accounts/region"));
        let (r, took) = timed(|| {
            host.execute(&request(
                "track.account.get_region",
                track(Region::Us),
                json!({}),
            ))
            .unwrap()
        });
        let e = r.unwrap_err();
        println!("{action:?}: {:?} after {took:?}", e.kind);
        assert_eq!(e.kind, ErrorKind::Upstream, "{e:?}");
        // The host's 64 MiB cap refuses a 300 MiB answer by its length; the component's 16 MiB
        // cap cuts an endless one.
        assert!(e.message.contains("cap"), "{}", e.message);
        assert!(!e.retryable);
    }
    // A raw request chooses its own cap.
    emu.inject(Fault::new(FaultAction::huge_body(2 << 20)).with_path("/api/v1/accounts/region"));
    let e = host
        .execute(&request(
            "track.raw_http_request",
            track(Region::Us),
            raw_get(
                "/v1/accounts/region",
                json!({"max_response_bytes": 1 << 20}),
            ),
        ))
        .unwrap()
        .unwrap_err();
    assert!(e.message.contains("1 MiB cap"), "{}", e.message);
    assert!(host
        .execute(&request(
            "track.account.get_region",
            track(Region::Us),
            json!({})
        ))
        .unwrap()
        .is_ok());
}

#[test]
fn upstream_misbehaviour_becomes_typed_errors_with_honest_retry_flags() {
    let emu = emulator();
    let host = host(&emu);
    let form = json!({"form_id": "f1", "data": {"email": "jane@example.com"}});
    let cases: Vec<(FaultAction, &str, ErrorKind, bool)> = vec![
        (
            FaultAction::ResetAfterApply,
            "track.form.submit",
            ErrorKind::Transport,
            false,
        ),
        (
            FaultAction::ResetBeforeBody,
            "track.form.submit",
            ErrorKind::Transport,
            false,
        ),
        (
            FaultAction::error(503),
            "track.form.submit",
            ErrorKind::Upstream,
            false,
        ),
        (
            FaultAction::truncated(),
            "track.form.submit",
            ErrorKind::Transport,
            false,
        ),
        (
            FaultAction::redirect(302, "https://evil.example.com{path}"),
            "track.form.submit",
            ErrorKind::WrongRegion,
            false,
        ),
        (
            FaultAction::redirect_other_region(301),
            "track.customer.delete",
            ErrorKind::WrongRegion,
            false,
        ),
    ];
    for (action, op, kind, retryable) in cases {
        emu.clear_faults();
        emu.clear_requests();
        emu.inject(Fault::new(action.clone()).forever());
        let input = if op == "track.form.submit" {
            form.clone()
        } else {
            json!({"id": "42"})
        };
        let e = host
            .execute(&request(op, track(Region::Us), input))
            .unwrap()
            .unwrap_err();
        assert_eq!(
            (e.kind, e.retryable),
            (kind, retryable),
            "{action:?}: {e:?}"
        );
        // A POST that may have been applied is never sent twice; nothing follows a redirect.
        let sent = emu.requests().len();
        assert_eq!(sent, 1, "{action:?} led to {sent} requests");
    }
    emu.clear_faults();
    // A 429 with an HTTP date is waited out; an absurd Retry-After is clamped to the budget.
    emu.inject(Fault::new(FaultAction::rate_limit_date(2)));
    let (r, took) = timed(|| {
        host.execute(&request(
            "track.customer.identify",
            track(Region::Us),
            json!({"id": "42"}),
        ))
        .unwrap()
    });
    assert!(
        r.is_ok() && took >= Duration::from_millis(900),
        "{r:?} after {took:?}"
    );
    emu.inject(Fault::new(FaultAction::rate_limit_absurd()));
    let e = host
        .execute(&request(
            "track.customer.identify",
            track(Region::Us),
            json!({"id": "42"}),
        ))
        .unwrap()
        .unwrap_err();
    assert_eq!(
        (e.kind, e.retry_after_ms),
        (ErrorKind::RateLimited, Some(300_000))
    );
    // Invalid JSON from a 200 is passed on as text, not a crash.
    emu.inject(Fault::new(FaultAction::invalid_json()));
    let out = host
        .execute(&request(
            "track.customer.identify",
            track(Region::Us),
            json!({"id": "42"}),
        ))
        .unwrap()
        .unwrap();
    assert!(out.output.starts_with('"'), "{}", out.output);
}

fn recognisable() -> cio_host::ConnectionConfig {
    cio_host::ConnectionConfig {
        connector: ConnectorKind::Track,
        region: Region::Us,
        credentials: Credentials::Track(TrackCredentials {
            site_id: "sweep-site".into(),
            api_key: "SWEEPKEY-7f3a\"q\\z".into(),
        }),
    }
}

/// Every form in which the sweep's credentials could leak.
fn forms() -> Vec<String> {
    let key = "SWEEPKEY-7f3a\"q\\z";
    let pair = format!("sweep-site:{key}");
    let b64 = |s: &str| base64::Engine::encode(&base64::engine::general_purpose::STANDARD, s);
    let json_escaped = |s: &str| {
        Value::String(s.to_string())
            .to_string()
            .trim_matches('"')
            .to_string()
    };
    vec![
        key.into(),
        pair.clone(),
        b64(&pair),
        json_escaped(key),
        "SWEEPKEY-7f3a".into(),
        percent(&pair),
        percent(key),
    ]
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn secrets_never_come_back_in_any_form_from_any_operation_or_error() {
    let emu = emulator();
    emu.add_workspace(cio_emulator::Workspace {
        site_id: "sweep-site".into(),
        track_key: "SWEEPKEY-7f3a\"q\\z".into(),
        app_key: "sweep-app-key".into(),
        region: cio_emulator::Region::Us,
    });
    let host = host(&emu);
    let ops: Vec<_> = host
        .list_operations()
        .unwrap()
        .into_iter()
        .filter(|d| d.connector == ConnectorKind::Track)
        .collect();
    // Every operation of a round runs against the same echoing fault, 32 at a time: a 500 makes
    // each read wait out its retries (1.5 s), which one after another would take minutes.
    let sweep = |ops: &[cio_host::OperationDescriptor],
                 status: u16,
                 run: &(dyn Fn(&cio_host::OperationDescriptor) -> String + Sync),
                 secrets: &[String]| {
        emu.clear_faults();
        emu.inject(Fault::new(FaultAction::echo_auth(status)).forever());
        let chunk = ops.len().div_ceil(32).max(1);
        std::thread::scope(|s| {
            for part in ops.chunks(chunk) {
                s.spawn(move || {
                    for d in part {
                        let text = run(d);
                        for f in secrets {
                            assert!(
                                !text.contains(f.as_str()),
                                "{} with an echo {status} leaked {f:?}: {text}",
                                d.id
                            );
                        }
                    }
                });
            }
        });
        ops.len()
    };
    let mut checked = 0;
    let track_run = |d: &cio_host::OperationDescriptor| {
        let schema: Value = serde_json::from_str(&d.input_schema).unwrap();
        let mut input = schema["examples"][0].clone();
        if d.id == "track.raw_http_request" {
            input["debug"] = json!(true);
            input["return_error_responses"] = json!(true);
        }
        match host
            .execute(&request(&d.id, recognisable(), input))
            .unwrap()
        {
            Ok(out) => out.output,
            Err(e) => format!(
                "{} {} {:?}",
                e.message,
                e.body.clone().unwrap_or_default(),
                e.pointers
            ),
        }
    };
    for status in [200u16, 400, 401, 500] {
        checked += sweep(&ops, status, &track_run, &forms());
    }
    // App and Beta operations, with a recognisable App key.
    let app_key = "SWEEP-APP-KEY-9c1d";
    let app_ops: Vec<_> = host
        .list_operations()
        .unwrap()
        .into_iter()
        .filter(|d| d.connector != ConnectorKind::Track)
        .collect();
    let app_run = |d: &cio_host::OperationDescriptor| {
        let schema: Value = serde_json::from_str(&d.input_schema).unwrap();
        let input = schema["examples"][0].clone();
        let cfg = cio_host::ConnectionConfig {
            connector: d.connector,
            region: Region::Us,
            credentials: Credentials::App(app_key.into()),
        };
        match host.execute(&request(&d.id, cfg, input)).unwrap() {
            Ok(out) => out.output,
            Err(e) => format!("{} {}", e.message, e.body.unwrap_or_default()),
        }
    };
    for status in [200u16, 500] {
        checked += sweep(
            &app_ops,
            status,
            &app_run,
            &[app_key.to_string(), percent(app_key)],
        );
    }
    emu.clear_faults();
    emu.inject(Fault::new(FaultAction::echo_auth(200)).forever());
    let info = host.authenticate(&recognisable()).unwrap();
    let text = format!("{info:?}");
    for f in forms() {
        assert!(!text.contains(&f), "authenticate leaked {f:?}: {text}");
    }
    let log = format!("{:?}", host.egress_log());
    for f in forms() {
        assert!(!log.contains(&f), "the egress log holds {f:?}");
    }
    println!("secrets sweep: {checked} operation runs against echoing answers, 0 leaks");
}

#[test]
fn no_event_is_lost_or_duplicated_under_a_storm_of_faults() {
    // A host that runs a failed call again exactly when the error says `retryable` (up to ten
    // runs), giving each call a request id that stays the same across its runs.
    fn run_until_done(
        host: &cio_host::ConnectorHost,
        op: &str,
        input: Value,
        id: String,
    ) -> Result<(), ()> {
        for _ in 0..10 {
            let mut r = request(op, track(Region::Us), input.clone());
            r.request_id = Some(id.clone());
            match host.execute(&r).unwrap() {
                Ok(_) => return Ok(()),
                Err(e) if e.retryable => continue,
                Err(e) => {
                    assert!(
                        matches!(
                            e.kind,
                            ErrorKind::Upstream
                                | ErrorKind::Transport
                                | ErrorKind::RateLimited
                                | ErrorKind::Timeout
                        ),
                        "{e:?}"
                    );
                    return Err(());
                }
            }
        }
        Err(())
    }
    let emu = emulator();
    let host = host(&emu);
    let site = "demo-site";
    for path in ["/api/v2/batch", "/api/v1/customers/"] {
        emu.inject(
            Fault::new(FaultAction::chaos(Rate::percent(25.0), 7))
                .with_path(path)
                .forever(),
        );
    }
    // Batch form: 200 calls of 50 events.
    let (batches, per_batch) = (200usize, 50usize);
    let mut given_up = 0usize;
    for b in 0..batches {
        let items: Vec<Value> = (0..per_batch)
            .map(|i| json!({"type": "person", "action": "event", "identifiers": {"id": format!("soak-{}", i % 10)}, "name": "soak", "attributes": {"n": b * per_batch + i}}))
            .collect();
        if run_until_done(
            &host,
            "track.batch.submit",
            json!({"batch": items}),
            format!("batch-{b}"),
        )
        .is_err()
        {
            given_up += per_batch;
        }
    }
    // Single form: one event per call, from 8 threads (CIO_SOAK_SINGLE events, default 1,000).
    let singles: usize = std::env::var("CIO_SOAK_SINGLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let single_given_up: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let host = &host;
                s.spawn(move || {
                    (t..singles)
                        .step_by(8)
                        .filter(|n| {
                            let input = json!({"id": format!("soak-{}", n % 10), "name": "soak-single", "data": {"n": n}});
                            run_until_done(host, "track.event.track", input, format!("single-{n}")).is_err()
                        })
                        .count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let count = |name: &str| {
        let mut seen = std::collections::HashMap::new();
        for e in emu.events(site).iter().filter(|e| e.name == name) {
            *seen.entry(e.data["n"].as_u64().unwrap()).or_insert(0u32) += 1;
        }
        let duplicates: u32 = seen.values().map(|c| c - 1).sum();
        (seen.len(), duplicates)
    };
    let (stored, duplicates) = count("soak");
    let (single_stored, single_duplicates) = count("soak-single");
    let counts = emu.fault_counts();
    let sent = batches * per_batch;
    println!("soak: batch form sent {sent}, stored {stored}, given up {given_up}, duplicates {duplicates}; single form sent {singles}, stored {single_stored}, given up {single_given_up}, duplicates {single_duplicates}; faults injected {counts:?} on {} requests", emu.requests().len());
    let injected: u64 = counts.values().sum();
    assert!(
        injected as f64 >= 0.2 * emu.requests().len() as f64,
        "{injected} faults on {} requests",
        emu.requests().len()
    );
    assert_eq!((duplicates, single_duplicates), (0, 0));
    // Nothing is lost silently: every event is stored, or its call failed with an error that
    // said not to run it again.
    assert!(
        stored + given_up >= sent,
        "{} events vanished",
        sent - stored - given_up
    );
    assert!(
        single_stored + single_given_up >= singles,
        "{} single events vanished",
        singles - single_stored - single_given_up
    );
}

#[test]
fn twenty_thousand_calls_from_many_threads_share_one_host() {
    let emu = emulator();
    let host = host(&emu);
    let threads = 8;
    let per_thread = 2_500;
    let (failures, took) = timed(|| {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let host = &host;
                    s.spawn(move || {
                        (0..per_thread)
                            .filter(|i| {
                                let r = host.execute(&request("track.customer.identify", track(Region::Us), json!({"id": format!("load-{t}-{}", i % 100), "attributes": {"i": i}}))).unwrap();
                                r.is_err()
                            })
                            .count()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .sum::<usize>()
        })
    });
    let calls = threads * per_thread;
    let rss = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap_or("VmHWM: ?")
        .to_string();
    println!("load: {calls} executes on {threads} threads in {took:?} = {:.0} calls/s, {failures} failures, peak RSS {rss}", calls as f64 / took.as_secs_f64());
    assert_eq!(failures, 0);
}

#[test]
fn oversized_inputs_are_refused_before_sending_instead_of_trapping() {
    let emu = emulator();
    let host = host(&emu);
    // A 96 KB key would make an Authorization header no server takes.
    let cfg = cio_host::ConnectionConfig {
        connector: ConnectorKind::Track,
        region: Region::Us,
        credentials: Credentials::Track(TrackCredentials {
            site_id: "demo-site".into(),
            api_key: "k".repeat(96 * 1024),
        }),
    };
    let e = host
        .execute(&request("track.customer.identify", cfg, json!({"id": "1"})))
        .unwrap()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidConfig, "{e:?}");
    // A 200 MB input.
    let big = json!({"id": "1", "attributes": {"blob": "x".repeat(200 << 20)}});
    let e = host
        .execute(&request("track.customer.identify", track(Region::Us), big))
        .unwrap()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput, "{e:?}");
    assert!(e.message.contains("at most 16777216"), "{}", e.message);
    // Many or huge headers.
    let many: serde_json::Map<String, Value> =
        (0..500).map(|i| (format!("x-h{i}"), json!("v"))).collect();
    let huge = json!({"x-big": "v".repeat(40 * 1024)});
    for headers in [Value::Object(many), huge] {
        let e = host
            .execute(&request(
                "track.raw_http_request",
                track(Region::Us),
                json!({"method": "GET", "endpoint": "/v1/accounts/region", "headers": headers}),
            ))
            .unwrap()
            .unwrap_err();
        assert_eq!(
            (e.kind, e.pointers.clone()),
            (ErrorKind::InvalidInput, vec!["/headers".to_string()]),
            "{e:?}"
        );
    }
    assert!(emu.requests().is_empty(), "a request was sent");
    assert!(host
        .execute(&request(
            "track.account.get_region",
            track(Region::Us),
            json!({})
        ))
        .unwrap()
        .is_ok());
}

/// Calls beyond the instance pool wait for a slot (their budget running) instead of failing:
/// 500 concurrent calls, as an MCP server makes them, on a pool of 4 slots held 20 ms each
/// (without the wait, 488 of the 500 failed with "every slot of the instance pool is in use").
#[test]
fn five_hundred_concurrent_calls_on_a_small_pool_all_succeed() {
    let emu = emulator();
    emu.inject(
        Fault::new(FaultAction::Delay { ms: 20 })
            .with_path("/api/v1/customers/")
            .forever(),
    );
    let host = cio_host::ConnectorHost::load(&cio_host::HostOptions {
        component: component(),
        route_to: Some(emu.url()),
        max_instances: 4,
        ..Default::default()
    })
    .expect("load component");
    let calls = (0..500).map(|i| {
        let host = host.clone();
        let r = request(
            "track.customer.identify",
            track(Region::Us),
            json!({"id": format!("pool-{i}")}),
        );
        async move { host.execute_async(r).await }
    });
    let rt = host.runtime().clone();
    let handles: Vec<_> = calls.map(|c| rt.spawn(c)).collect();
    let results: Vec<_> = rt.block_on(async {
        let mut out = Vec::with_capacity(handles.len());
        for h in handles {
            out.push(h.await.expect("task"));
        }
        out
    });
    let failures: Vec<String> = results
        .into_iter()
        .filter_map(|r| match r {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => Some(format!("{e:?}")),
            Err(e) => Some(format!("{e:#}")),
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of 500 failed, e.g. {}",
        failures.len(),
        failures[0]
    );
}
