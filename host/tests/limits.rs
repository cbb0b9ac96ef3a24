//! The host's limits: per-call deadlines (computing guest, guest waiting in the host, stalled and
//! dripping servers), response size and memory caps, the bounded egress log, the checked artifact
//! cache, and user-facing errors without backtraces.
//!
//! Servers here are plain `std::net` listeners, so they can misbehave in ways a real HTTP server
//! would not. `guest.wat` is a tiny stand-in component for what the real one never does (spin,
//! sleep forever, trap).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cio_host::{
    ConnectionConfig, ConnectorError, ConnectorHost, ConnectorKind, Credentials, ErrorKind,
    ExecuteRequest, ExecuteResponse, FixBy, HostOptions, Region, TrackCredentials,
};
use serde_json::{json, Value};

/// A fresh, private scratch folder.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cio-host-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn guest_wat() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guest.wat")
}

/// The real component (`$CIO_COMPONENT` or this workspace's release build).
fn component() -> PathBuf {
    let path = HostOptions::default().component;
    assert!(
        path.exists(),
        "{} is missing: cargo build --release --target wasm32-wasip2 -p customerio-connector",
        path.display()
    );
    path
}

/// A loopback server that misbehaves on request: the `mode` query parameter says how.
/// - `stall`: reads the request, never answers;
/// - `drip`: sends headers announcing 1 MB, then one body byte every 100 ms (for at most 20 s);
/// - `big`: 3 MiB of `application/octet-stream` with a `content-length`;
/// - `bigchunked`: the same without `content-length` (chunked);
/// - `badchunk`: a chunked body with an invalid chunk size (an error without a WASI error code);
/// - anything else: a small JSON answer.
struct Server {
    url: String,
    stop: Arc<AtomicBool>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn server() -> Server {
    server_with("ok")
}

/// A server whose mode is `default` for requests without a `mode` parameter.
fn server_with(default: &'static str) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let flag = flag.clone();
            std::thread::spawn(move || serve(stream, default, &flag));
        }
    });
    Server { url, stop }
}

fn serve(mut s: TcpStream, default: &str, stop: &AtomicBool) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mode = head
        .split_whitespace()
        .nth(1)
        .and_then(|target| target.split("mode=").nth(1))
        .map(|m| m.split('&').next().unwrap_or("").to_string())
        .unwrap_or_else(|| default.to_string());
    let started = Instant::now();
    match mode.as_str() {
        "stall" => {
            // Hold the connection until the client gives up.
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 || stop.load(Ordering::Relaxed) {
                    return;
                }
            }
        }
        "drip" => {
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000000\r\n\r\n",
            );
            while started.elapsed() < Duration::from_secs(20) && !stop.load(Ordering::Relaxed) {
                if s.write_all(b" ").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        "badchunk" => {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n");
            std::thread::sleep(Duration::from_millis(200));
        }
        "big" | "bigchunked" => {
            let body = vec![b'a'; 3 << 20];
            let _ = if mode == "big" {
                s.write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        body.len()
                    )
                    .as_bytes(),
                )
                .and_then(|()| s.write_all(&body))
            } else {
                s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n")
                    .and_then(|()| {
                        for chunk in body.chunks(64 << 10) {
                            s.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                            s.write_all(chunk)?;
                            s.write_all(b"\r\n")?;
                        }
                        s.write_all(b"0\r\n\r\n")
                    })
            };
        }
        _ => {
            let body = br#"{"region":"us","answer":"ok"}"#;
            let _ = s.write_all(
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            );
            let _ = s.write_all(body);
        }
    }
}

fn track() -> ConnectionConfig {
    ConnectionConfig {
        connector: ConnectorKind::Track,
        region: Region::Us,
        credentials: Credentials::Track(TrackCredentials {
            site_id: "site".into(),
            api_key: "key".into(),
        }),
    }
}

/// `track.raw_http_request` GET `/v1/accounts/region?mode=…` with a budget, no retries.
fn region_request(mode: &str, timeout_ms: u32) -> ExecuteRequest {
    ExecuteRequest {
        operation_id: "track.raw_http_request".into(),
        config: track(),
        input: json!({"method": "GET", "endpoint": "/v1/accounts/region", "query": {"mode": mode}, "max_retries": 0})
            .to_string(),
        timeout_ms: Some(timeout_ms),
        request_id: None,
    }
}

fn host(options: HostOptions) -> ConnectorHost {
    ConnectorHost::load(&options).expect("load the component")
}

fn real_host(server: &Server) -> HostOptions {
    HostOptions {
        component: component(),
        route_to: Some(server.url.clone()),
        ..Default::default()
    }
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn typed_error(r: anyhow::Result<Result<ExecuteResponse, ConnectorError>>) -> ConnectorError {
    match r {
        Ok(Err(e)) => e,
        Ok(Ok(resp)) => panic!("expected a typed error, got {resp:?}"),
        Err(e) => panic!("expected a typed error, got a host error: {e:#}"),
    }
}

fn answer(host: &ConnectorHost, n: usize) -> Value {
    let mut request = region_request("ok", 5000);
    request.input = json!({"method": "GET", "endpoint": "/v1/accounts/region", "query": {"mode": "ok", "n": n.to_string()}})
        .to_string();
    let r = host
        .execute(&request)
        .expect("no host error")
        .expect("a normal answer");
    serde_json::from_str(&r.output).unwrap()
}

#[test]
fn a_stalled_or_dripping_server_cannot_hold_a_call_past_its_budget() {
    let server = server();
    let host = host(real_host(&server));
    let budget = Duration::from_millis(1000);
    for mode in ["stall", "drip"] {
        let (r, took) = timed(|| host.execute(&region_request(mode, 1000)));
        let e = typed_error(r);
        eprintln!(
            "{mode}: a {budget:?} budget ended after {took:?}: {:?} {:?}: {}",
            e.kind, e.fix_by, e.message
        );
        assert_eq!(e.kind, ErrorKind::Timeout, "{mode}: {e:?}");
        assert!(e.retryable, "{mode}");
        assert!(
            took >= budget - Duration::from_millis(50)
                && took < budget + Duration::from_millis(600),
            "{mode}: a {budget:?} budget took {took:?}"
        );
    }
    // Instances are per call: the next call on the same host works.
    assert_eq!(answer(&host, 1)["body"]["answer"], "ok");
}

/// `authenticate` runs with the component's default budget (30 s), so only the host's bound
/// (1 s here) stops it: every request ends at that bound, and the call (retries, back-off sleeps)
/// at the bound plus grace.
#[test]
fn authenticate_is_bounded_by_the_host_against_a_stalled_or_dripping_server() {
    for mode in ["stall", "drip"] {
        let server = server_with(mode);
        let host = host(HostOptions {
            authenticate_timeout: Duration::from_secs(1),
            deadline_grace: Duration::from_millis(500),
            ..real_host(&server)
        });
        let (r, took) = timed(|| host.authenticate(&track()));
        let e = match r {
            Ok(Err(e)) => e,
            other => panic!("{mode}: expected a typed error, got {other:?}"),
        };
        eprintln!(
            "authenticate, {mode}: a 1 s bound (+0.5 s grace) ended after {took:?}: {:?} {:?}: {}",
            e.kind, e.fix_by, e.message
        );
        assert_eq!(
            (e.kind, e.retryable),
            (ErrorKind::Timeout, true),
            "{mode}: {e:?}"
        );
        assert!(
            took >= Duration::from_millis(950) && took < Duration::from_millis(1900),
            "{mode}: took {took:?}"
        );
        assert!(host.egress_log().iter().all(|r| r.allowed));
    }
}

#[test]
fn a_computing_or_sleeping_guest_is_stopped_at_its_deadline() {
    let dir = scratch("deadline");
    let host = host(HostOptions {
        component: guest_wat(),
        cache_dir: Some(dir.clone()),
        deadline_grace: Duration::from_millis(300),
        ..Default::default()
    });
    let call = |op: &str, timeout_ms| {
        timed(|| {
            host.execute(&ExecuteRequest {
                operation_id: op.into(),
                config: track(),
                input: "{}".into(),
                timeout_ms: Some(timeout_ms),
                request_id: None,
            })
        })
    };
    for (op, fix_by) in [
        ("track.loop", FixBy::Host),
        ("track.sleep", FixBy::Upstream),
    ] {
        let (r, took) = call(op, 200);
        let e = typed_error(r);
        eprintln!(
            "{op}: 200 ms + 300 ms grace ended after {took:?}: {}",
            e.message
        );
        assert_eq!(
            (e.kind, e.fix_by, e.retryable),
            (ErrorKind::Timeout, fix_by, true),
            "{op}"
        );
        assert!(
            took >= Duration::from_millis(500) && took < Duration::from_millis(900),
            "{op}: took {took:?}"
        );
    }
    // A trap stays a host error, with a clean message.
    let (r, _) = call("track.unreachable", 1000);
    let e = r.expect_err("a trap is a host error");
    let text = format!("{e:#}");
    assert!(text.contains("unreachable"), "{text}");
    assert!(
        !text.contains("backtrace") && !text.contains("0x"),
        "{text}"
    );
    // The host is unharmed.
    assert!(host.list_operations().unwrap().is_empty());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_corrupted_cached_artifact_is_recompiled() {
    let dir = scratch("cache");
    let options = HostOptions {
        component: guest_wat(),
        cache_dir: Some(dir.clone()),
        ..Default::default()
    };
    assert!(!host(options.clone()).from_cache, "first load compiles");
    assert!(
        host(options.clone()).from_cache,
        "second load uses the cache"
    );
    let artifact = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "cwasm"))
        .expect("an artifact");
    let sum = PathBuf::from(format!("{}.sha256", artifact.display()));
    assert!(sum.exists(), "a checksum beside the artifact");

    // Bytes flipped in the middle (code, not the header wasmtime checks itself).
    let mut bytes = std::fs::read(&artifact).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 16] {
        *b ^= 0xff;
    }
    std::fs::write(&artifact, &bytes).unwrap();
    let h = host(options.clone());
    assert!(!h.from_cache, "a corrupted artifact must be recompiled");
    assert!(h.list_operations().unwrap().is_empty());
    assert!(host(options.clone()).from_cache, "and the cache rewritten");

    // A missing checksum means recompiling too.
    std::fs::remove_file(&sum).unwrap();
    assert!(!host(options.clone()).from_cache);
    assert!(host(options.clone()).from_cache);

    // So does an artifact others may write.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&artifact, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert!(!host(options.clone()).from_cache);
        let mode = std::fs::metadata(&artifact).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "rewritten private: {mode:o}");
        assert!(host(options).from_cache);
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_egress_log_keeps_only_the_newest_records() {
    let server = server();
    let h = host(HostOptions {
        egress_log_limit: 3,
        ..real_host(&server)
    });
    for n in 0..5 {
        answer(&h, n);
    }
    let log = h.egress_log();
    let uris: Vec<&str> = log.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(log.len(), 3, "{uris:?}");
    for (record, n) in log.iter().zip(2..) {
        assert!(record.allowed);
        assert!(record.uri.ends_with(&format!("n={n}")), "{uris:?}");
    }
    let off = host(HostOptions {
        egress_log_limit: 0,
        ..real_host(&server)
    });
    answer(&off, 0);
    assert!(off.egress_log().is_empty());
    assert_eq!(HostOptions::default().egress_log_limit, 1000);
}

#[test]
fn responses_over_the_cap_or_the_memory_limit_end_in_typed_errors() {
    let server = server();
    let capped = host(HostOptions {
        max_response_bytes: 1 << 20,
        ..real_host(&server)
    });
    for mode in ["big", "bigchunked"] {
        let (r, took) = timed(|| capped.execute(&region_request(mode, 10_000)));
        let e = typed_error(r);
        eprintln!(
            "{mode} over a 1 MiB cap, after {took:?}: {:?}: {}",
            e.kind, e.message
        );
        assert_eq!(e.kind, ErrorKind::Upstream, "{mode}: {e:?}");
        assert!(e.message.contains("response cap"), "{mode}: {e:?}");
    }
    assert_eq!(HostOptions::default().max_response_bytes, 64 << 20);
    // Under the cap but over the memory limit: 3 MiB as bytes plus base64 does not fit in 8 MiB.
    let small = host(HostOptions {
        max_memory_bytes: 8 << 20,
        ..real_host(&server)
    });
    let e = typed_error(small.execute(&region_request("big", 10_000)));
    eprintln!(
        "big in 8 MiB of memory: {:?} {:?}: {}",
        e.kind, e.fix_by, e.message
    );
    assert_eq!(
        (e.kind, e.fix_by),
        (ErrorKind::Upstream, FixBy::Upstream),
        "{e:?}"
    );
    assert!(e.message.contains("response too large"), "{e:?}");
    assert!(!e.message.contains("backtrace"), "{e:?}");
    // Fresh instance per call: the next call works.
    assert_eq!(answer(&small, 0)["body"]["answer"], "ok");
}

#[test]
fn cli_errors_carry_no_backtraces() {
    let dir = scratch("cli");
    let guest = dir.join("guest.wat");
    std::fs::copy(guest_wat(), &guest).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cio-host"))
            .args(args)
            .env("RUST_BACKTRACE", "1")
            .env("RUST_LIB_BACKTRACE", "1")
            .env("WASMTIME_BACKTRACE_DETAILS", "1")
            .env("CUSTOMERIO_SITE_ID", "site")
            .env("CUSTOMERIO_TRACK_API_KEY", "key")
            .env_remove("CIO_COMPONENT")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        for bad in [
            "backtrace",
            "at /rustc",
            "wasm function",
            "0x",
            "Caused by",
            "panicked",
        ] {
            assert!(
                !stderr
                    .to_ascii_lowercase()
                    .contains(&bad.to_ascii_lowercase()),
                "{args:?}: {bad:?} in {stderr}"
            );
        }
        let v: Value = serde_json::from_str(stderr.trim())
            .unwrap_or_else(|e| panic!("{args:?}: not one JSON object ({e}): {stderr}"));
        (out.status.code(), v["error"].clone())
    };
    let wat = guest.to_str().unwrap();
    let missing = dir.join("missing.wasm");
    // A missing component is a usage error that says how to build it or point to it.
    let (code, e) = run(&["--component", missing.to_str().unwrap(), "operations"]);
    assert_eq!(
        (code, e["kind"].as_str()),
        (Some(2), Some("invalid-config")),
        "{e}"
    );
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("there is no component at"));
    let trap = [
        "--component",
        wat,
        "execute",
        "track.unreachable",
        "--input",
        "{}",
    ];
    let (code, e) = run(&trap);
    assert_eq!(
        (code, e["kind"].as_str()),
        (Some(9), Some("internal")),
        "{e}"
    );
    assert!(
        e["message"].as_str().unwrap().contains("unreachable"),
        "{e}"
    );
    let (code, e) = run(&["--component", wat, "authenticate", "--connector", "track"]);
    assert_eq!(
        (code, e["kind"].as_str()),
        (Some(9), Some("internal")),
        "{e}"
    );
    // The real component quotes the host's description of an I/O error it has no code for.
    let server = server();
    let input = json!({"method": "GET", "endpoint": "/v1/accounts/region", "query": {"mode": "badchunk"}, "max_retries": 0}).to_string();
    let real = component();
    let bad = [
        "--component",
        real.to_str().unwrap(),
        "--route-to",
        &server.url,
        "execute",
        "track.raw_http_request",
        "--input",
        &input,
    ];
    let (code, e) = run(&bad);
    eprintln!("{e}");
    assert_eq!(
        (code, e["kind"].as_str()),
        (Some(8), Some("transport")),
        "{e}"
    );
    let looping = [
        "--component",
        wat,
        "execute",
        "track.loop",
        "--input",
        "{}",
        "--timeout-ms",
        "100",
    ];
    let (code, e) = run(&looping);
    assert_eq!(
        (code, e["kind"].as_str()),
        (Some(8), Some("timeout")),
        "{e}"
    );
    assert_eq!(e["retryable"], true, "{e}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn calls_beyond_the_instance_pool_wait_for_a_slot_within_their_budget() {
    let dir = scratch("pool");
    let host = std::sync::Arc::new(host(HostOptions {
        component: guest_wat(),
        cache_dir: Some(dir.clone()),
        max_instances: 1,
        deadline_grace: Duration::from_millis(200),
        ..Default::default()
    }));
    let call = |op: &str, timeout_ms| {
        host.execute(&ExecuteRequest {
            operation_id: op.into(),
            config: track(),
            input: "{}".into(),
            timeout_ms: Some(timeout_ms),
            request_id: None,
        })
    };
    // One slot: a sleeping call holds it for about a second.
    let busy = {
        let host = host.clone();
        std::thread::spawn(move || {
            host.execute(&ExecuteRequest {
                operation_id: "track.sleep".into(),
                config: track(),
                input: "{}".into(),
                timeout_ms: Some(800),
                request_id: None,
            })
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    // A call whose budget ends before the slot is free waits that long, then is told the host
    // was busy: typed, for the host to fix, and worth trying again.
    let started = std::time::Instant::now();
    let e = call("track.unreachable", 300)
        .expect("a typed error, not a host failure")
        .expect_err("no free slot within 300 ms");
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "it waited: {:?}",
        started.elapsed()
    );
    assert_eq!(
        (e.kind, e.fix_by, e.retryable),
        (ErrorKind::RateLimited, FixBy::Host, true),
        "{e:?}"
    );
    assert!(e.message.contains("max_instances"), "{}", e.message);
    // A call with budget to spare waits for the slot and then runs (and traps as this op does).
    let e = call("track.unreachable", 5_000).expect_err("a trap");
    assert!(format!("{e:#}").contains("unreachable"), "{e:#}");
    let _ = busy.join().unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

/// Reads are bounded before they are buffered: an endless stdin ends at once with a typed
/// error, and a huge or non-regular component file is refused without being read whole.
#[test]
fn endless_input_and_oversized_files_are_refused_before_they_are_read_whole() {
    let started = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cio-host"))
        .args(["execute", "track.customer.identify"])
        .env("CUSTOMERIO_SITE_ID", "site")
        .env("CUSTOMERIO_TRACK_API_KEY", "key")
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .output()
        .unwrap();
    let took = started.elapsed();
    let e: Value = serde_json::from_slice(&out.stderr).unwrap_or_else(|_| {
        panic!(
            "{} / {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(
        (out.status.code(), e["error"]["kind"].as_str()),
        (Some(3), Some("invalid-input")),
        "{e}"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let dir = scratch("oversized");
    // A component path that is a directory, and one far too large (sparse: no disk used).
    for (path, why) in [
        (dir.clone(), "not a regular file"),
        (dir.join("huge.wasm"), "wrong file"),
    ] {
        if why == "wrong file" {
            std::fs::File::create(&path)
                .unwrap()
                .set_len(3 << 30)
                .unwrap();
        }
        let e = ConnectorHost::load(&HostOptions {
            component: path.clone(),
            cache_dir: Some(dir.join("cache")),
            ..Default::default()
        })
        .err()
        .expect("refused");
        assert!(format!("{e:#}").contains(why), "{e:#}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// `route_to` sends the credentials over plain HTTP, so it takes only this machine.
#[test]
fn route_to_takes_only_loopback() {
    let dir = scratch("route");
    for (url, ok) in [
        ("http://127.0.0.1:9", true),
        ("http://[::1]:9", true),
        ("http://localhost:9", true),
        ("http://10.0.0.5:8080", false),
        ("http://emulator.example.com:8080", false),
    ] {
        let loaded = ConnectorHost::load(&HostOptions {
            component: guest_wat(),
            cache_dir: Some(dir.clone()),
            route_to: Some(url.into()),
            ..Default::default()
        });
        match (loaded, ok) {
            (Ok(_), true) => {}
            (Err(e), false) => assert!(format!("{e:#}").contains("this machine"), "{url}: {e:#}"),
            (Ok(_), false) => panic!("{url} was accepted"),
            (Err(e), true) => panic!("{url}: {e:#}"),
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}
