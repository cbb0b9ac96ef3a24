//! Raw HTTP/1.1 client helpers shared by the end-to-end tests: each request goes over its own
//! loopback connection with `Connection: close`, and the reply is read to the end and parsed.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use base64::Engine as _;
use cio_emulator::{Emulator, EmulatorConfig};
use serde_json::Value;

pub const TRACK: &str = "track.customer.io";
pub const TRACK_EU: &str = "track-eu.customer.io";
pub const APP: &str = "api.customer.io";
pub const APP_EU: &str = "api-eu.customer.io";
pub const BETA: &str = "beta-api.customer.io";
pub const DEMO_KEY: &str = "demo-app-key";

/// How many people the demo workspace starts with: `42` (Jane, `jane@example.com`, in manual
/// segment 7) and `43`, cio ids `03000001` and `03000002`; people a test adds count on from
/// `03000003`.
pub const DEMO_PEOPLE: usize = 2;

/// How long one read may wait for the emulator before the request counts as failed.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Splits a complete raw HTTP/1.1 reply into status, lower-cased headers and body.
pub fn parse_reply(raw: &[u8]) -> std::io::Result<Reply> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no HTTP reply ({} bytes)", raw.len())))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("bad status line"))?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok(Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    })
}

/// The bytes of one request with `Connection: close` and a `Content-Length`.
pub fn request_bytes(
    method: &str,
    host: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut raw = head.into_bytes();
    raw.extend_from_slice(body);
    raw
}

/// Writes `raw` as the whole request (it must ask for `Connection: close`) and reads to the end;
/// `Err` when the connection ends without a reply.
pub fn try_send_raw(emu: &Emulator, raw: &[u8]) -> std::io::Result<Reply> {
    let mut stream = TcpStream::connect(emu.addr())?;
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    stream.write_all(raw)?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply)?;
    parse_reply(&reply)
}

pub fn send_raw(emu: &Emulator, raw: &[u8]) -> Reply {
    try_send_raw(emu, raw).expect("request failed")
}

/// Writes one request with `Connection: close` and reads the whole reply.
pub fn send(
    emu: &Emulator,
    method: &str,
    host: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    send_raw(emu, &request_bytes(method, host, target, headers, body))
}

/// A request whose only extra header is `Authorization: {auth}`.
pub fn send_auth(
    emu: &Emulator,
    method: &str,
    host: &str,
    target: &str,
    auth: &str,
    body: &[u8],
) -> Reply {
    send(emu, method, host, target, &[("Authorization", auth)], body)
}

pub fn basic(user: &str, password: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

/// Basic credentials of the seeded demo workspace's Track key.
pub fn demo_basic() -> String {
    basic("demo-site", "demo-track-key")
}

pub fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

/// An App/Beta GET with a Bearer key and nothing else.
pub fn app_get(emu: &Emulator, host: &str, target: &str, key: &str) -> Reply {
    send_auth(emu, "GET", host, target, &bearer(key), b"")
}

/// An App/Beta call with a Bearer key and a JSON body.
pub fn app(emu: &Emulator, method: &str, host: &str, target: &str, key: &str, body: &str) -> Reply {
    let auth = bearer(key);
    send(
        emu,
        method,
        host,
        target,
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    )
}

/// A Track call with Basic `auth` (none when `None`) and a JSON body.
pub fn track_json(
    emu: &Emulator,
    host: &str,
    auth: Option<&str>,
    method: &str,
    target: &str,
    body: &str,
) -> Reply {
    let mut headers = vec![("Content-Type", "application/json")];
    headers.extend(auth.map(|a| ("Authorization", a)));
    send(emu, method, host, target, &headers, body.as_bytes())
}

pub fn start() -> Emulator {
    Emulator::start(EmulatorConfig::default()).expect("emulator starts")
}
