//! The host as a server embeds it: connections kept alive across calls, many calls in flight at
//! once through the async API from the embedder's own runtime, the blocking API usable anywhere,
//! and a host that can be dropped inside an async context.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cio_host::{
    ConnectionConfig, ConnectorHost, ConnectorKind, Credentials, ExecuteRequest, HostOptions,
    Region, TrackCredentials,
};
use serde_json::json;

/// An HTTP/1.1 server that keeps connections open, answers every request after `delay`, and
/// counts the connections it accepted.
struct KeepAlive {
    url: String,
    accepted: Arc<AtomicUsize>,
}

fn keep_alive_server(delay: Duration) -> KeepAlive {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            count.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || serve(stream, delay));
        }
    });
    KeepAlive { url, accepted }
}

fn serve(mut s: TcpStream, delay: Duration) {
    let mut pending = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let end = loop {
            if let Some(i) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match s.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => pending.extend_from_slice(&buf[..n]),
            }
        };
        let head = String::from_utf8_lossy(&pending[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while pending.len() < end + length {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => pending.extend_from_slice(&buf[..n]),
            }
        }
        pending.drain(..end + length);
        std::thread::sleep(delay);
        let body = br#"{"region":"us","answer":"ok"}"#;
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        if s.write_all(head.as_bytes())
            .and_then(|()| s.write_all(body))
            .is_err()
        {
            return;
        }
    }
}

fn request() -> ExecuteRequest {
    ExecuteRequest {
        operation_id: "track.raw_http_request".into(),
        config: ConnectionConfig {
            connector: ConnectorKind::Track,
            region: Region::Us,
            credentials: Credentials::Track(TrackCredentials {
                site_id: "site".into(),
                api_key: "key".into(),
            }),
        },
        input: json!({"method": "GET", "endpoint": "/v1/accounts/region", "max_retries": 0})
            .to_string(),
        timeout_ms: Some(10_000),
        request_id: None,
    }
}

fn host(server: &KeepAlive, idle: usize) -> ConnectorHost {
    let options = HostOptions {
        route_to: Some(server.url.clone()),
        max_idle_connections_per_host: idle,
        ..HostOptions::default()
    };
    assert!(
        options.component.exists(),
        "{} is missing: cargo build --release --target wasm32-wasip2 -p customerio-connector",
        options.component.display()
    );
    ConnectorHost::load(&options).expect("load the component")
}

fn ok(r: anyhow::Result<Result<cio_host::ExecuteResponse, cio_host::ConnectorError>>) {
    match r {
        Ok(Ok(resp)) => assert!(resp.output.contains("ok"), "{}", resp.output),
        Ok(Err(e)) => panic!("typed error: {}", e.message),
        Err(e) => panic!("host error: {e:#}"),
    }
}

#[test]
fn calls_reuse_one_kept_alive_connection_unless_the_pool_is_off() {
    let server = keep_alive_server(Duration::ZERO);
    let pooled = host(&server, 32);
    for _ in 0..10 {
        ok(pooled.execute(&request()));
    }
    assert_eq!(
        server.accepted.load(Ordering::SeqCst),
        1,
        "10 calls, one connection"
    );

    let server = keep_alive_server(Duration::ZERO);
    let unpooled = host(&server, 0);
    for _ in 0..5 {
        ok(unpooled.execute(&request()));
    }
    assert_eq!(
        server.accepted.load(Ordering::SeqCst),
        5,
        "no idle pool: a connection per call"
    );
}

#[test]
fn many_async_calls_run_at_once_from_the_embedders_own_runtime() {
    // Each answer takes 300 ms; 16 calls one after another would take 4.8 s.
    let server = keep_alive_server(Duration::from_millis(300));
    let host = host(&server, 32);
    let embedder = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    embedder.block_on(async {
        let calls: Vec<_> = (0..16)
            .map(|_| {
                let host = host.clone();
                tokio::spawn(async move { host.execute_async(request()).await })
            })
            .collect();
        for call in calls {
            ok(call.await.expect("task"));
        }
    });
    let took = started.elapsed();
    assert!(took < Duration::from_millis(2400), "16 calls took {took:?}");
    assert!(
        server.accepted.load(Ordering::SeqCst) >= 8,
        "calls ran on parallel connections"
    );

    // The blocking API works inside a runtime too (it blocks that thread, nothing panics), and
    // the last clone of a host may be dropped there.
    embedder.block_on(async move {
        ok(host.execute(&request()));
        drop(host);
    });
}

#[test]
fn a_watched_call_reports_its_requests_as_they_go() {
    let emulator = cio_emulator::Emulator::start(cio_emulator::EmulatorConfig::default()).unwrap();
    let options = HostOptions {
        route_to: Some(emulator.url()),
        ..HostOptions::default()
    };
    let host = ConnectorHost::load(&options).expect("load the component");
    let request = ExecuteRequest {
        operation_id: "app.campaign.list_messages".into(),
        config: ConnectionConfig {
            connector: ConnectorKind::App,
            region: Region::Us,
            credentials: Credentials::App("demo-app-key".into()),
        },
        input: json!({"campaign_id": 1, "limit": 1, "return_all": true}).to_string(),
        timeout_ms: Some(20_000),
        request_id: None,
    };
    let mut seen = Vec::new();
    let r = host
        .execute_watched(&request, Duration::from_millis(1), &mut |n| seen.push(n))
        .expect("no host error")
        .expect("the messages");
    assert!(r.requests >= 2, "one page per message: {}", r.requests);
    assert_eq!(
        seen.last().copied(),
        Some(u64::from(r.requests)),
        "{seen:?}"
    );
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
}
