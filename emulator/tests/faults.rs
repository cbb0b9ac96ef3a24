//! Every fault action end to end: what a client sees on the wire, what the emulator's state and
//! counters say afterwards, the HTTP control and the `--fault` command-line flag.

mod common;

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cio_emulator::{Emulator, Fault, FaultAction, Rate};
use common::*;
use serde_json::{json, Value};

const FAULTS: &str = "/__emulator__/faults";

/// Opens a connection and writes one request, leaving the reading to the test.
fn open(emu: &Emulator, raw: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(emu.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(raw).unwrap();
    stream
}

fn workspaces_request() -> Vec<u8> {
    request_bytes(
        "GET",
        APP,
        "/v1/workspaces",
        &[("Authorization", &bearer(DEMO_KEY))],
        b"",
    )
}

/// Reads up to the end of the head; returns it parsed and the body bytes that came with it.
fn read_head(stream: &mut TcpStream) -> (Reply, Vec<u8>) {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).expect("head");
        assert!(n > 0, "connection closed before the head ended");
        raw.extend_from_slice(&buf[..n]);
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let reply = parse_reply(&raw[..end + 4]).unwrap();
            return (reply, raw[end + 4..].to_vec());
        }
    }
}

fn timed_out(err: &std::io::Error) -> bool {
    matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

fn control(emu: &Emulator, method: &str, path: &str, body: &[u8]) -> Reply {
    send(emu, method, "emulator", path, &[], body)
}

fn identify(emu: &Emulator, id: &str) -> std::io::Result<Reply> {
    let auth = demo_basic();
    try_send_raw(
        emu,
        &request_bytes(
            "PUT",
            TRACK,
            &format!("/api/v1/customers/{id}"),
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            b"{\"plan\":\"pro\"}",
        ),
    )
}

/// The emulator still answers normally (a fault left nothing stuck behind).
fn assert_healthy(emu: &Emulator) {
    let r = app_get(emu, APP, "/v1/workspaces", DEMO_KEY);
    assert_eq!(r.status, 200, "{}", r.text());
}

#[test]
fn drip_sends_the_head_at_once_and_the_body_byte_by_byte() {
    let emu = start();
    emu.inject(
        Fault::new(FaultAction::Drip {
            interval_ms: 40,
            body: br#"{"k":"vv"}"#.to_vec(),
        })
        .with_path("/api/v1/customers"),
    );
    let auth = demo_basic();
    let started = Instant::now();
    let mut stream = open(
        &emu,
        &request_bytes(
            "PUT",
            TRACK,
            "/api/v1/customers/a",
            &[("Authorization", &auth)],
            b"{}",
        ),
    );
    let (head, mut body) = read_head(&mut stream);
    let head_after = started.elapsed();
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("10"));
    assert!(body.len() < 3, "the body must not come at once: {body:?}");
    // A deadline shorter than the drip sees an incomplete body.
    stream
        .set_read_timeout(Some(Duration::from_millis(150)))
        .unwrap();
    let mut buf = [0u8; 16];
    while body.len() < 10 {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => body.extend_from_slice(&buf[..n]),
            Err(err) if timed_out(&err) => panic!("more than 150 ms between two bytes"),
            Err(err) => panic!("{err}"),
        }
    }
    let total = started.elapsed();
    assert_eq!(body, br#"{"k":"vv"}"#);
    assert!(head_after < Duration::from_millis(300), "{head_after:?}");
    assert!(total >= Duration::from_millis(350), "{total:?}");
    assert!(
        total - head_after >= Duration::from_millis(300),
        "{total:?}"
    );
    // Not applied.
    assert!(emu.person("demo-site", "a").is_none());
    assert_eq!(emu.fault_counts()["drip"], 1);
    assert_healthy(&emu);
}

#[test]
fn drip_forever_keeps_sending_until_the_client_leaves() {
    let emu = start();
    emu.inject(Fault::new(FaultAction::drip_forever(20)));
    let mut stream = open(&emu, &workspaces_request());
    let (head, mut body) = read_head(&mut stream);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("transfer-encoding"), Some("chunked"));
    let until = Instant::now() + Duration::from_millis(500);
    let mut buf = [0u8; 256];
    while Instant::now() < until {
        match stream.read(&mut buf) {
            Ok(0) => panic!("the drip ended"),
            Ok(n) => body.extend_from_slice(&buf[..n]),
            Err(err) => panic!("{err}"),
        }
    }
    // Each byte is its own chunk: "1\r\nX\r\n".
    let chunks = body.len() / 6;
    assert!((5..=30).contains(&chunks), "{chunks} chunks in 500 ms");
    assert!(body.starts_with(b"1\r\n{\r\n1\r\n\"\r\n"), "{body:?}");
    drop(stream);
    assert_healthy(&emu);
}

#[test]
fn stall_reads_the_request_and_never_answers() {
    let emu = start();
    emu.inject(Fault::new(FaultAction::Stall).with_path("/api/v1/customers"));
    let auth = demo_basic();
    let mut stream = open(
        &emu,
        &request_bytes(
            "PUT",
            TRACK,
            "/api/v1/customers/a",
            &[("Authorization", &auth)],
            b"{}",
        ),
    );
    stream
        .set_read_timeout(Some(Duration::from_millis(400)))
        .unwrap();
    let mut byte = [0u8; 1];
    let err = stream.read(&mut byte).expect_err("no answer");
    assert!(timed_out(&err), "{err:?}");
    assert_eq!(emu.requests().len(), 1);
    assert_eq!(emu.requests()[0].body, b"{}");
    assert!(emu.person("demo-site", "a").is_none());
    drop(stream);
    assert_healthy(&emu);
}

#[test]
fn reset_before_body_drops_the_connection_without_reading_it() {
    let emu = start();
    emu.inject(Fault::new(FaultAction::ResetBeforeBody).with_path("/api/v1/events"));
    let auth = demo_basic();
    let request = request_bytes(
        "POST",
        TRACK,
        "/api/v1/events",
        &[("Authorization", &auth)],
        br#"{"name":"e","id":"evt-1"}"#,
    );
    assert!(try_send_raw(&emu, &request).is_err(), "expected a reset");
    assert!(emu.events("demo-site").is_empty());
    let recorded = emu.requests();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].path, "/api/v1/events");
    assert!(recorded[0].body.is_empty(), "the body was never read");
    assert_eq!(try_send_raw(&emu, &request).unwrap().status, 200);
    assert_eq!(emu.events("demo-site").len(), 1);
}

#[test]
fn reset_after_apply_stores_the_event_then_drops_the_connection() {
    let emu = start();
    emu.inject(
        Fault::new(FaultAction::ResetAfterApply)
            .with_path("/api/v1/events")
            .with_times(1),
    );
    let auth = demo_basic();
    let request = request_bytes(
        "POST",
        TRACK,
        "/api/v1/events",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        br#"{"name":"signup","id":"01HZX3K6V2C0Q3Q7B5T9W8E4NA","anonymous_id":"anon-1"}"#,
    );
    let Err(err) = try_send_raw(&emu, &request) else {
        panic!("the client must see a dropped connection");
    };
    assert!(
        matches!(
            err.kind(),
            ErrorKind::ConnectionReset | ErrorKind::UnexpectedEof | ErrorKind::Other
        ),
        "{err:?}"
    );
    let events = emu.events("demo-site");
    assert_eq!(events.len(), 1, "the request took effect");
    assert_eq!(events[0].id.as_deref(), Some("01HZX3K6V2C0Q3Q7B5T9W8E4NA"));
    // The client's retry is accepted and de-duplicated by id: still one event.
    assert_eq!(try_send_raw(&emu, &request).unwrap().status, 200);
    assert_eq!(emu.events("demo-site").len(), 1);

    emu.inject(Fault::new(FaultAction::ResetAfterApply));
    assert!(identify(&emu, "kept").is_err());
    assert_eq!(
        emu.person("demo-site", "kept").unwrap().attributes["plan"],
        "pro"
    );
}

#[test]
fn truncated_body_promises_more_than_it_sends_then_closes() {
    let emu = start();
    emu.inject(Fault::new(FaultAction::truncated()));
    let mut stream = open(&emu, &workspaces_request());
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("a clean close");
    let reply = parse_reply(&raw).unwrap();
    assert_eq!(reply.status, 200);
    let promised: usize = reply.header("content-length").unwrap().parse().unwrap();
    assert_eq!(promised, reply.body.len() + 1024);
    assert!(reply.body.starts_with(br#"{"customers":["#));
    assert!(serde_json::from_slice::<Value>(&reply.body).is_err());

    emu.inject(Fault::new(FaultAction::Truncated {
        status: 502,
        body: b"{}".to_vec(),
        missing: 0,
    }));
    let r = send_raw(&emu, &workspaces_request());
    assert_eq!((r.status, r.body.as_slice()), (502, &b"{}"[..]));
    assert_eq!(r.header("content-length"), Some("3"));
}

#[test]
fn invalid_json_comes_with_a_json_content_type() {
    let emu = start();
    emu.inject(Fault::new(FaultAction::invalid_json()));
    let r = send_raw(&emu, &workspaces_request());
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    assert!(
        serde_json::from_slice::<Value>(&r.body).is_err(),
        "{}",
        r.text()
    );
}

#[cfg(target_os = "linux")]
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[test]
fn huge_body_is_streamed_and_can_be_abandoned() {
    let emu = start();
    // 300 MiB announced; the client reads 1 MiB and walks away.
    emu.inject(Fault::new(FaultAction::huge_body(300 << 20)));
    let mut stream = open(&emu, &workspaces_request());
    let (head, mut body) = read_head(&mut stream);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("314572800"));
    let mut buf = vec![0u8; 64 * 1024];
    while body.len() < 1 << 20 {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0);
        body.extend_from_slice(&buf[..n]);
    }
    assert!(body.starts_with(br#"{"data":"aaaa"#));
    drop(stream);
    assert_healthy(&emu);

    // 96 MiB read to the end without keeping it: exact length, valid JSON framing, and the
    // emulator (same process) does not grow by anything like the body's size.
    #[cfg(target_os = "linux")]
    let before = resident_bytes();
    let size: u64 = 96 << 20;
    emu.inject(Fault::new(FaultAction::huge_body(size)));
    let mut stream = open(&emu, &workspaces_request());
    let (head, first) = read_head(&mut stream);
    assert_eq!(
        head.header("content-length"),
        Some(size.to_string().as_str())
    );
    let mut total = first.len() as u64;
    let mut last = Vec::new();
    loop {
        let n = stream.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        total += n as u64;
        // Keep the tail across reads: the last read may bring only a byte or two.
        last.extend_from_slice(&buf[..n]);
        let cut = last.len().saturating_sub(16);
        last.drain(..cut);
    }
    assert_eq!(total, size);
    assert!(last.ends_with(b"aa\"}"));
    #[cfg(target_os = "linux")]
    {
        let grown = resident_bytes().saturating_sub(before);
        assert!(grown < 40 << 20, "resident memory grew by {grown} bytes");
    }
}

#[test]
fn endless_body_never_ends() {
    let emu = start();
    emu.inject(Fault::new(FaultAction::endless_body()).with_path("/v1/"));
    let mut stream = open(&emu, &workspaces_request());
    let (head, mut received) = read_head(&mut stream);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("transfer-encoding"), Some("chunked"));
    assert_eq!(head.header("content-length"), None);
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = received.len();
    while total < 8 << 20 {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "the endless body ended after {total} bytes");
        total += n;
        if received.len() < 64 {
            received.extend_from_slice(&buf[..n.min(64)]);
        }
    }
    assert!(received.starts_with(b"9\r\n{\"data\":\"\r\n10000\r\naaaa"));
    drop(stream);
    assert_healthy(&emu);
}

/// Reads an IMF-fixdate back into Unix seconds.
fn parse_http_date(text: &str) -> i64 {
    let parts: Vec<&str> = text.split([' ', ':']).collect();
    assert_eq!(parts.len(), 8, "{text}");
    assert!(parts[0].ends_with(',') && parts[7] == "GMT", "{text}");
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let day: i64 = parts[1].parse().unwrap();
    let month = months.iter().position(|m| *m == parts[2]).unwrap() as i64 + 1;
    let year: i64 = parts[3].parse().unwrap();
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let [h, mi, s] = [4, 5, 6].map(|i| parts[i].parse::<i64>().unwrap());
    days * 86_400 + h * 3600 + mi * 60 + s
}

#[test]
fn rate_limits_with_every_retry_after_form() {
    let emu = start();
    emu.inject(Fault::new(FaultAction::rate_limit_date(30)));
    emu.inject(Fault::new(FaultAction::rate_limit_absurd()));
    emu.inject(Fault::new(FaultAction::RateLimitHeader {
        retry_after: "-5".into(),
    }));

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let r = send_raw(&emu, &workspaces_request());
    assert_eq!(r.status, 429);
    assert_eq!(r.json()["errors"][0]["status"], "429");
    let date = r.header("retry-after").unwrap();
    assert!(date.ends_with(" GMT") && date.len() == 29, "{date}");
    let delta = parse_http_date(date) - now;
    assert!((28..=32).contains(&delta), "{date} is {delta} s from now");

    let r = send_raw(&emu, &workspaces_request());
    assert_eq!(
        (r.status, r.header("retry-after")),
        (429, Some("99999999999999999999"))
    );
    let r = send_raw(&emu, &workspaces_request());
    assert_eq!((r.status, r.header("retry-after")), (429, Some("-5")));
    assert_healthy(&emu);
}

#[test]
fn storms_are_exact_per_window_and_reproducible_per_seed() {
    let emu = start();
    emu.inject(
        Fault::new(FaultAction::storm(503, Rate::KOfN { k: 3, n: 10 }, 1))
            .with_path("/v1/workspaces")
            .forever(),
    );
    let statuses: Vec<u16> = (0..30)
        .map(|_| send_raw(&emu, &workspaces_request()).status)
        .collect();
    for window in statuses.chunks(10) {
        assert_eq!(
            window.iter().filter(|s| **s == 503).count(),
            3,
            "{statuses:?}"
        );
        assert_eq!(
            window.iter().filter(|s| **s == 200).count(),
            7,
            "{statuses:?}"
        );
    }
    let counts = emu.fault_counts();
    assert_eq!((counts["respond_503"], counts["pass"]), (9, 21));

    let run = |seed| {
        let emu = start();
        emu.inject(Fault::new(FaultAction::storm(500, Rate::Probability(0.5), seed)).forever());
        (0..24)
            .map(|_| send_raw(&emu, &workspaces_request()).status)
            .collect::<Vec<_>>()
    };
    let a = run(7);
    assert_eq!(a, run(7));
    assert_ne!(a, run(8), "another seed, another storm");
    assert!(a.contains(&500) && a.contains(&200), "{a:?}");
}

/// One chaos run: the outcome of each identify (status, or 0 for a dropped connection), the
/// counts from Rust and over HTTP, and how many people were stored.
fn chaos_run(seed: u64) -> (Vec<u16>, Value, usize) {
    let emu = start();
    emu.inject(
        Fault::new(FaultAction::Chaos {
            rate: Rate::percent(40.0),
            seed,
            choices: vec![
                (2, FaultAction::error(503)),
                (1, FaultAction::error(500)),
                (
                    1,
                    FaultAction::RateLimit {
                        retry_after_secs: 1,
                    },
                ),
                (1, FaultAction::ResetBeforeBody),
                (1, FaultAction::ResetAfterApply),
                (1, FaultAction::Delay { ms: 5 }),
            ],
        })
        .with_path("/api/v1/customers/")
        .forever(),
    );
    let outcomes: Vec<u16> = (0..80)
        .map(|i| identify(&emu, &format!("p{i}")).map_or(0, |r| r.status))
        .collect();
    let counts = emu.fault_counts();
    let over_http = control(&emu, "GET", "/__emulator__/faults/counts", b"").json();
    assert_eq!(over_http, json!(counts));
    let listed = control(&emu, "GET", FAULTS, b"").json();
    assert_eq!(listed["counts"], over_http);
    assert_eq!(listed["pending"][0]["action"]["chaos"]["seed"], seed);
    // The people this run identified (the demo workspace starts with people of its own).
    let identified = emu
        .people("demo-site")
        .iter()
        .filter(|p| p.id.as_deref().is_some_and(|id| id.starts_with('p')))
        .count();
    (outcomes, over_http, identified)
}

#[test]
fn chaos_with_a_seed_is_reproducible_and_counted() {
    let (outcomes, counts, people) = chaos_run(42);
    assert_eq!((outcomes.clone(), counts.clone()), {
        let (o, c, _) = chaos_run(42);
        (o, c)
    });
    let count = |label: &str| counts[label].as_u64().unwrap_or(0) as usize;
    let total: u64 = counts
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total, 80);
    assert!((15..=50).contains(&(80 - count("pass"))), "{counts}");
    assert_eq!(
        outcomes.iter().filter(|s| **s == 503).count(),
        count("respond_503")
    );
    assert_eq!(
        outcomes.iter().filter(|s| **s == 429).count(),
        count("rate_limit")
    );
    assert_eq!(
        outcomes.iter().filter(|s| **s == 0).count(),
        count("reset_before_body") + count("reset_after_apply")
    );
    // Applied: the passes, the delayed ones and those reset after applying.
    assert_eq!(
        people,
        count("pass") + count("delay") + count("reset_after_apply")
    );
    assert_ne!(chaos_run(43).0, outcomes);

    // The standard mix, and resetting the counters.
    let emu = start();
    emu.inject(Fault::new(FaultAction::chaos(Rate::Always, 3)).with_times(2));
    let _ = try_send_raw(&emu, &workspaces_request());
    let _ = try_send_raw(&emu, &workspaces_request());
    assert_eq!(emu.fault_counts().values().sum::<u64>(), 2);
    assert!(emu.pending_faults().is_empty());
    assert_eq!(
        control(&emu, "DELETE", "/__emulator__/faults/counts", b"").status,
        200
    );
    assert!(emu.fault_counts().is_empty());
}

#[test]
fn redirects_to_other_hosts() {
    let emu = start();
    emu.inject(Fault::new(FaultAction::redirect(
        302,
        "https://evil.example.com{path}",
    )));
    emu.inject(Fault::new(FaultAction::redirect_other_region(307)));
    emu.inject(Fault::new(FaultAction::redirect(
        301,
        "https://{other_host}/moved",
    )));

    let auth = demo_basic();
    let get = |target: &str| send_auth(&emu, "GET", TRACK, target, &auth, b"");
    let r = get("/api/v1/customers/a%40b/attributes?x=1");
    assert_eq!(r.status, 302);
    assert_eq!(
        r.header("location"),
        Some("https://evil.example.com/api/v1/customers/a%40b/attributes?x=1")
    );
    assert_eq!(r.json()["errors"][0]["status"], "302");
    let r = get("/api/v1/accounts/region");
    assert_eq!(
        (r.status, r.header("location")),
        (
            307,
            Some("https://track-eu.customer.io/api/v1/accounts/region")
        )
    );
    let r = app_get(&emu, APP_EU, "/v1/workspaces", DEMO_KEY);
    assert_eq!(
        (r.status, r.header("location")),
        (301, Some("https://api.customer.io/moved"))
    );
}

#[test]
fn echo_auth_reflects_the_credentials_in_every_form() {
    let emu = start();
    emu.inject(Fault::new(FaultAction::echo_auth(400)));
    let auth = basic("demo-site", "demo-track-key");
    let r = send_auth(&emu, "GET", TRACK, "/api/v1/accounts/region", &auth, b"");
    assert_eq!(r.status, 400);
    let body = r.json();
    let echo = &body["echo"];
    let encoded = auth.strip_prefix("Basic ").unwrap();
    assert_eq!(echo["authorization"], auth.as_str());
    assert_eq!(echo["scheme"], "Basic");
    assert_eq!(echo["credentials"], encoded);
    assert_eq!(echo["decoded"], "demo-site:demo-track-key");
    assert_eq!(
        (&echo["user"], &echo["secret"]),
        (&json!("demo-site"), &json!("demo-track-key"))
    );
    assert_eq!(echo["json_escaped"], format!("\"{auth}\""));
    assert_eq!(
        echo["url_encoded_decoded"],
        "demo%2Dsite%3Ademo%2Dtrack%2Dkey"
    );
    assert_eq!(
        echo["url_encoded"],
        format!("Basic%20{}", encoded.replace('=', "%3D"))
    );
    assert_eq!(body["unicode_escaped"], auth.as_str());
    assert!(
        r.text().contains("\\u0042\\u0061\\u0073\\u0069\\u0063"),
        "{}",
        r.text()
    );
    let detail = body["errors"][0]["detail"].as_str().unwrap();
    assert!(detail.contains(&auth) && detail.contains("demo-site:demo-track-key"));
    assert_eq!(r.header("x-echo-authorization"), Some(auth.as_str()));
    assert_eq!(r.header("x-echo-credentials"), Some(encoded));
    assert_eq!(r.header("x-echo-decoded"), Some("demo-site:demo-track-key"));

    emu.inject(Fault::new(FaultAction::echo_auth(500)));
    let r = app_get(&emu, APP, "/v1/workspaces", DEMO_KEY);
    assert_eq!(r.status, 500);
    let body = r.json();
    assert_eq!(body["echo"]["secret"], DEMO_KEY);
    assert_eq!(body["echo"]["decoded"], Value::Null);
    assert_eq!(r.header("x-echo-credentials"), Some(DEMO_KEY));

    emu.inject(Fault::new(FaultAction::echo_auth(200)));
    let r = send(&emu, "GET", APP, "/v1/workspaces", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["echo"]["authorization"], Value::Null);
    assert_eq!(r.header("x-echo-authorization"), None);
}

#[test]
fn new_faults_over_http() {
    let emu = start();
    let posted = [
        json!({"spec": "error(503):/v1/workspaces:1"}),
        json!({"path_prefix": "/v1/", "action": {"rate_limit_date": {"retry_after_secs": 9}}}),
        json!({"action": "rate_limit_absurd"}),
        json!({"action": {"redirect": {"status": 308, "location": "https://evil.example.com{path}"}}}),
        json!({"action": {"echo_auth": {}}}),
        json!({"action": {"invalid_json": {"status": 500}}}),
        json!({"action": {"truncated": {"body": "{\"a\":", "missing": 10}}}),
        json!({"times": 2, "action": {"storm": {"rate": "1/2", "seed": 5, "status": 502}}}),
        json!({"times": "forever", "path_prefix": "/nowhere", "action": {"chaos": {
            "rate": 0.2, "seed": 9,
            "choices": [{"weight": 2, "action": "reset_after_apply"}, {"action": {"drip": {"interval_ms": 5}}}]}}}),
    ];
    for fault in &posted {
        let r = control(&emu, "POST", FAULTS, fault.to_string().as_bytes());
        assert_eq!(r.status, 200, "{fault}: {}", r.text());
        assert!(
            r.json()["queued"]["action"].is_object() || r.json()["queued"]["action"].is_string()
        );
    }
    let listed = control(&emu, "GET", FAULTS, b"").json();
    let pending = listed["pending"].as_array().unwrap();
    assert_eq!(pending.len(), posted.len());
    assert_eq!(pending[0]["action"]["respond"]["status"], 503);
    assert_eq!(pending[8]["times"], u32::MAX);
    assert_eq!(pending[8]["action"]["chaos"]["choices"][0]["weight"], 2);
    // A listed fault can be posted back as it is.
    let again = control(&emu, "POST", FAULTS, pending[3].to_string().as_bytes());
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["queued"], pending[3]);

    let w = || send_raw(&emu, &workspaces_request());
    assert_eq!(w().status, 503);
    let r = w();
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").unwrap().ends_with("GMT"));
    assert_eq!(w().header("retry-after"), Some("99999999999999999999"));
    let r = w();
    assert_eq!(
        (r.status, r.header("location")),
        (308, Some("https://evil.example.com/v1/workspaces"))
    );
    let r = w();
    assert_eq!(
        (r.status, r.header("x-echo-authorization")),
        (400, Some("Bearer demo-app-key"))
    );
    let r = w();
    assert_eq!(r.status, 500);
    assert!(serde_json::from_slice::<Value>(&r.body).is_err());
    let r = w();
    assert_eq!((r.status, r.body.as_slice()), (200, &b"{\"a\":"[..]));
    assert_eq!(r.header("content-length"), Some("15"));
    let storm: Vec<u16> = (0..2).map(|_| w().status).collect();
    assert_eq!(storm.iter().filter(|s| **s == 502).count(), 1, "{storm:?}");
    assert_eq!(w().status, 308, "the re-posted redirect");
    assert_healthy(&emu);
    assert_eq!(
        emu.pending_faults().len(),
        1,
        "only the chaos on /nowhere is left"
    );

    for bad in [
        json!({"spec": "drip"}),
        json!({"spec": 5}),
        json!({"action": {"drip": {}}}),
        json!({"action": {"redirect": {"status": 200, "location": "https://x"}}}),
        json!({"action": {"redirect": {"status": 302}}}),
        json!({"action": {"huge_body": {"bytes": "3 parsecs"}}}),
        json!({"action": {"chaos": {"rate": 2}}}),
        json!({"action": {"chaos": {"rate": {"k": 3, "n": 2}}}}),
        json!({"action": {"chaos": {"choices": [{"weight": 1}]}}}),
        json!({"action": {"rate_limit_header": {"retry_after": "a\nb"}}}),
        json!({"times": "sometimes", "action": "stall"}),
    ] {
        let r = control(&emu, "POST", FAULTS, bad.to_string().as_bytes());
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
    }
}

/// The binary built alongside these tests.
fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cio-emulator"))
}

#[test]
fn fault_flags_on_the_command_line() {
    let help = binary().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for needle in [
        "--fault <SPEC>",
        "ACTION[:PATH_PREFIX[:TIMES]]",
        "drip(MS[,BODY])",
        "chaos(RATE",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
    let bad = binary().args(["--fault", "drip(50):api"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("must start with '/'"));

    let mut child = binary()
        .args([
            "--fault",
            "error(503):/v1/workspaces:2",
            "--fault",
            "rate_limit_absurd",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line.trim().rsplit("http://").next().unwrap().to_string();
    let fetch = || {
        let mut stream = TcpStream::connect(&addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(&workspaces_request()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        parse_reply(&raw).unwrap()
    };
    let statuses: Vec<u16> = (0..4).map(|_| fetch().status).collect();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(statuses, [503, 503, 429, 200], "{line}");
}
