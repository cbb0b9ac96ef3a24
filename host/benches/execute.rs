//! Side-by-side costs of one call through the component versus the same request sent natively,
//! all against the same loopback emulator in one run, so the ratio is what to read (BENCHMARKS.md).

use std::io::{Read, Write};
use std::net::TcpStream;

use cio_emulator::{Emulator, EmulatorConfig};
use cio_host::{
    ConnectionConfig, ConnectorHost, ConnectorKind, Credentials, ExecuteRequest, HostOptions,
    Region, TrackCredentials,
};
use criterion::{criterion_group, criterion_main, Criterion};

const BODY: &str = r#"{"plan":"pro"}"#;

/// The floor: the same PUT written by hand on a fresh TCP connection (as wasmtime's default
/// sender does), with the answer read to the end.
fn native_identify(addr: std::net::SocketAddr, auth: &str) {
    let mut s = TcpStream::connect(addr).unwrap();
    let req = format!(
        "PUT /api/v1/customers/jane%2B1%40example.com HTTP/1.1\r\nhost: track.customer.io\r\nauthorization: {auth}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{BODY}",
        BODY.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    assert!(out.starts_with(b"HTTP/1.1 200"));
}

fn bench(c: &mut Criterion) {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let host = ConnectorHost::load(&HostOptions {
        route_to: Some(emu.url()),
        ..HostOptions::default()
    })
    .unwrap();
    let config = ConnectionConfig {
        connector: ConnectorKind::Track,
        region: Region::Us,
        credentials: Credentials::Track(TrackCredentials {
            site_id: "demo-site".into(),
            api_key: "demo-track-key".into(),
        }),
    };
    let request = ExecuteRequest {
        operation_id: "track.customer.identify".into(),
        config: config.clone(),
        input: r#"{"id":"jane+1@example.com","attributes":{"plan":"pro"}}"#.into(),
        timeout_ms: None,
        request_id: None,
    };
    use base64::Engine as _;
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("demo-site:demo-track-key")
    );

    let mut g = c.benchmark_group("identify over loopback");
    g.bench_function("native request (floor)", |b| {
        b.iter(|| native_identify(emu.addr(), &auth))
    });
    g.bench_function("component execute via host", |b| {
        b.iter(|| host.execute(&request).unwrap().unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("no network");
    g.bench_function(
        "list-operations (after the first call: the host's copy)",
        |b| b.iter(|| host.list_operations().unwrap()),
    );
    g.bench_function("execute rejecting bad input", |b| {
        let bad = ExecuteRequest {
            input: r#"{"id":5}"#.into(),
            ..request.clone()
        };
        b.iter(|| host.execute(&bad).unwrap().unwrap_err())
    });
    g.finish();

    let mut g = c.benchmark_group("load");
    g.sample_size(20);
    g.bench_function("ConnectorHost::load (cached artifact)", |b| {
        b.iter(|| {
            ConnectorHost::load(&HostOptions {
                route_to: Some(emu.url()),
                ..HostOptions::default()
            })
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
