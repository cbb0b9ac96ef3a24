//! How faults reach the wire. Answers that are ordinary HTTP (echo, redirects, 429 variants, invalid
//! JSON) are built as axum responses; answers that HTTP servers never produce on purpose
//! (dripping, truncated, huge or endless bodies, stalls, resets) take the socket over from hyper
//! and write it by hand.

use std::io;
use std::net::Shutdown;
use std::time::Duration;

use axum::body::Body;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::json;
use tokio::net::TcpStream;

use crate::util::{app_error, unix_now, JSON_CONTENT_TYPE, STANDARD_LENIENT, URL_SAFE_LENIENT};
use crate::{FaultAction, RecordedRequest};

/// What the connection task does with the socket once hyper has let go of it.
pub(crate) enum Takeover {
    /// Zero linger, then close: a TCP reset.
    Reset,
    /// Never write; wait for the client to close.
    Stall,
    /// Write `head` (status line and headers), then `body`, then close cleanly.
    Write { head: Vec<u8>, body: RawBody },
}

/// A body written by hand.
pub(crate) enum RawBody {
    /// These bytes at once (a truncated body: the head promised more).
    Fixed(Vec<u8>),
    /// These bytes one at a time, `interval` before each.
    Drip { bytes: Vec<u8>, interval: Duration },
    /// Chunked, one byte per chunk, `interval` before each, forever.
    DripForever { interval: Duration },
    /// `bytes` bytes generated on the way out.
    Huge { bytes: u64 },
    /// Chunked, 64 KiB chunks, forever.
    Endless,
}

const CHUNK: usize = 64 * 1024;
static FILLER: [u8; CHUNK] = [b'a'; CHUNK];
const HUGE_PREFIX: &[u8] = b"{\"data\":\"";
const HUGE_SUFFIX: &[u8] = b"\"}";
/// How long a clean close waits for the client to finish before the socket is dropped anyway.
const LINGER: Duration = Duration::from_secs(5);

/// The hand-written answer of a fault, if it has one.
pub(crate) fn takeover_for(action: &FaultAction) -> Option<Takeover> {
    let length = |n: u64| format!("content-length: {n}");
    let chunked = || "transfer-encoding: chunked".to_string();
    Some(match action {
        FaultAction::Stall => Takeover::Stall,
        FaultAction::Drip { interval_ms, body } => Takeover::Write {
            head: head(200, &length(body.len() as u64)),
            body: RawBody::Drip {
                bytes: body.clone(),
                interval: Duration::from_millis(*interval_ms),
            },
        },
        FaultAction::DripForever { interval_ms } => Takeover::Write {
            head: head(200, &chunked()),
            body: RawBody::DripForever {
                interval: Duration::from_millis(*interval_ms),
            },
        },
        FaultAction::Truncated {
            status,
            body,
            missing,
        } => Takeover::Write {
            head: head(
                *status,
                &length((body.len() as u64).saturating_add((*missing).max(1))),
            ),
            body: RawBody::Fixed(body.clone()),
        },
        FaultAction::HugeBody { status, bytes } => Takeover::Write {
            head: head(*status, &length(*bytes)),
            body: RawBody::Huge { bytes: *bytes },
        },
        FaultAction::EndlessBody { status } => Takeover::Write {
            head: head(*status, &chunked()),
            body: RawBody::Endless,
        },
        _ => return None,
    })
}

fn head(status: u16, framing: &str) -> Vec<u8> {
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Fault");
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: {JSON_CONTENT_TYPE}\r\n{framing}\r\n\
         connection: close\r\ndate: {}\r\n\r\n",
        http_date(unix_now())
    )
    .into_bytes()
}

/// Serves a taken-over connection; `stream` is a second handle on the socket hyper used.
pub(crate) async fn serve(stream: std::net::TcpStream, takeover: Takeover) {
    if let Takeover::Reset = takeover {
        // Zero linger turns the close into a TCP reset, like a crashed peer.
        let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
        return;
    }
    let Ok(stream) = stream
        .set_nonblocking(true)
        .and_then(|()| TcpStream::from_std(stream))
    else {
        return;
    };
    match takeover {
        Takeover::Reset => {}
        Takeover::Stall => drain(&stream).await,
        Takeover::Write { head, body } => {
            if write_all(&stream, &head).await.is_ok() && write_body(&stream, body).await.is_ok() {
                // A clean FIN, then let the client read everything before the socket goes:
                // closing with unread input would turn into a reset that discards what was sent.
                let _ = socket2::SockRef::from(&stream).shutdown(Shutdown::Write);
                let _ = tokio::time::timeout(LINGER, drain(&stream)).await;
            }
        }
    }
}

async fn write_body(stream: &TcpStream, body: RawBody) -> io::Result<()> {
    match body {
        RawBody::Fixed(bytes) => write_all(stream, &bytes).await,
        RawBody::Drip { bytes, interval } => {
            for byte in bytes {
                tokio::time::sleep(interval).await;
                write_all(stream, &[byte]).await?;
            }
            Ok(())
        }
        RawBody::DripForever { interval } => {
            for byte in HUGE_PREFIX.iter().chain(std::iter::repeat(&b'a')) {
                tokio::time::sleep(interval).await;
                write_all(stream, &[b'1', b'\r', b'\n', *byte, b'\r', b'\n']).await?;
            }
            Ok(())
        }
        RawBody::Huge { bytes } => {
            let framed = bytes >= (HUGE_PREFIX.len() + HUGE_SUFFIX.len()) as u64;
            let mut filler = bytes;
            if framed {
                write_all(stream, HUGE_PREFIX).await?;
                filler -= (HUGE_PREFIX.len() + HUGE_SUFFIX.len()) as u64;
            }
            while filler > 0 {
                let n = filler.min(CHUNK as u64) as usize;
                write_all(stream, &FILLER[..n]).await?;
                filler -= n as u64;
            }
            if framed {
                write_all(stream, HUGE_SUFFIX).await?;
            }
            Ok(())
        }
        RawBody::Endless => {
            let mut first = format!("{:x}\r\n", HUGE_PREFIX.len()).into_bytes();
            first.extend_from_slice(HUGE_PREFIX);
            first.extend_from_slice(b"\r\n");
            write_all(stream, &first).await?;
            let mut chunk = format!("{CHUNK:x}\r\n").into_bytes();
            chunk.extend_from_slice(&FILLER);
            chunk.extend_from_slice(b"\r\n");
            loop {
                write_all(stream, &chunk).await?;
            }
        }
    }
}

/// Writes everything, waiting for the client to make room: memory stays at one chunk.
async fn write_all(stream: &TcpStream, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        stream.writable().await?;
        match stream.try_write(bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// Reads and discards until the client closes (or the socket fails).
async fn drain(stream: &TcpStream) {
    let mut buf = [0u8; 8192];
    loop {
        if stream.readable().await.is_err() {
            return;
        }
        match stream.try_read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
    }
}

/// The ordinary-HTTP answer of a fault, if it has one.
pub(crate) fn response_for(action: &FaultAction, rec: &RecordedRequest) -> Option<Response> {
    let rate_limited = |retry_after: &str| {
        fault_response(
            429,
            &[("retry-after".to_string(), retry_after.to_string())],
            error_body(429, "rate limited (reference emulator fault)"),
        )
    };
    Some(match action {
        FaultAction::Respond {
            status,
            headers,
            body,
        } => fault_response(*status, headers, body.clone()),
        FaultAction::InvalidJson { status } => fault_response(
            *status,
            &[],
            b"{\"meta\": {\"request_id\": \"emulator\"}, \"data\": [1, 2,, 3}".to_vec(),
        ),
        FaultAction::RateLimitDate { retry_after_secs } => {
            rate_limited(&http_date(unix_now() + i64::from(*retry_after_secs)))
        }
        FaultAction::RateLimitHeader { retry_after } => rate_limited(retry_after),
        FaultAction::Redirect { status, location } => {
            let mut path = rec.path.clone();
            if let Some(query) = &rec.query {
                path.push('?');
                path.push_str(query);
            }
            let target = location
                .replace("{other_host}", other_region_host(&rec.host))
                .replace("{host}", &rec.host)
                .replace("{path}", &path);
            if HeaderValue::from_str(&target).is_err() {
                return Some(app_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &format!("redirect fault: Location {target:?} is not a header value"),
                ));
            }
            let detail = format!("moved to {target} (reference emulator fault)");
            fault_response(
                *status,
                &[("location".to_string(), target)],
                error_body(*status, &detail),
            )
        }
        FaultAction::EchoAuth { status } => echo_auth(*status, rec),
        _ => return None,
    })
}

fn error_body(status: u16, detail: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"errors": [{"detail": detail, "status": status.to_string()}]}))
        .unwrap_or_default()
}

/// The same API's host in the other data centre; other hosts stay themselves.
fn other_region_host(host: &str) -> &str {
    match host {
        "track.customer.io" => "track-eu.customer.io",
        "track-eu.customer.io" => "track.customer.io",
        "api.customer.io" => "api-eu.customer.io",
        "api-eu.customer.io" => "api.customer.io",
        "beta-api.customer.io" => "beta-api-eu.customer.io",
        "beta-api-eu.customer.io" => "beta-api.customer.io",
        other => other,
    }
}

fn echo_auth(status: u16, rec: &RecordedRequest) -> Response {
    let raw = rec.header("authorization").map(str::to_string);
    let (scheme, credentials) = match raw.as_deref().map(str::trim) {
        None => (None, None),
        Some(value) => match value.split_once(' ') {
            Some((scheme, rest)) => (Some(scheme.to_string()), Some(rest.trim().to_string())),
            None => (None, Some(value.to_string())),
        },
    };
    let basic = scheme
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("basic"));
    let decoded = credentials.as_deref().filter(|_| basic).and_then(|c| {
        let bytes = STANDARD_LENIENT
            .decode(c)
            .or_else(|_| URL_SAFE_LENIENT.decode(c))
            .ok()?;
        String::from_utf8(bytes).ok()
    });
    let (user, secret) = match (&decoded, basic) {
        (Some(text), _) => match text.split_once(':') {
            Some((user, key)) => (Some(user.to_string()), Some(key.to_string())),
            None => (None, Some(text.clone())),
        },
        (None, false) => (None, credentials.clone()),
        (None, true) => (None, None),
    };
    let url = |v: &Option<String>| {
        v.as_deref()
            .map(|v| utf8_percent_encode(v, NON_ALPHANUMERIC).to_string())
    };
    let json_escaped = raw
        .as_deref()
        .map(|r| serde_json::to_string(r).unwrap_or_default());
    let shown = decoded.clone().or_else(|| credentials.clone());
    let detail = match (&raw, &shown) {
        (Some(raw), Some(shown)) => {
            format!("invalid credentials {raw} ({shown}) (reference emulator echo fault)")
        }
        _ => "no Authorization header (reference emulator echo fault)".to_string(),
    };
    let body = json!({
        "errors": [{"detail": detail, "status": status.to_string()}],
        "meta": {"errors": [format!("unauthorized: {}", shown.as_deref().unwrap_or(""))]},
        "echo": {
            "authorization": raw,
            "scheme": scheme,
            "credentials": credentials,
            "decoded": decoded,
            "user": user,
            "secret": secret,
            "json_escaped": json_escaped,
            "url_encoded": url(&raw),
            "url_encoded_credentials": url(&credentials),
            "url_encoded_decoded": url(&decoded),
        },
    });
    let mut text = serde_json::to_string(&body).unwrap_or_default();
    // Written by hand: serde_json never escapes printable characters.
    text.pop();
    text.push_str(",\"unicode_escaped\":");
    match &raw {
        Some(raw) => {
            text.push('"');
            for unit in raw.encode_utf16() {
                text.push_str(&format!("\\u{unit:04x}"));
            }
            text.push('"');
        }
        None => text.push_str("null"),
    }
    text.push('}');
    let headers: Vec<(String, String)> = [
        ("x-echo-authorization", raw.clone()),
        ("x-echo-credentials", credentials.clone()),
        ("x-echo-decoded", decoded.clone()),
        ("x-echo-url-encoded", url(&raw)),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name.to_string(), value?)))
    .collect();
    fault_response(status, &headers, text.into_bytes())
}

/// A canned answer. Without a `content-type` header the JSON one is added; `content-length` and
/// `transfer-encoding` are the server's to compute.
pub(crate) fn fault_response(status: u16, headers: &[(String, String)], body: Vec<u8>) -> Response {
    let Ok(status) = StatusCode::from_u16(status).map_err(|_| ()).and_then(|s| {
        if s.is_informational() {
            Err(())
        } else {
            Ok(s)
        }
    }) else {
        return app_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("fault has an unusable status {status}; use 200 to 999"),
        );
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let map = response.headers_mut();
    for (name, value) in headers {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) else {
            continue;
        };
        if name == CONTENT_LENGTH || name == TRANSFER_ENCODING {
            continue;
        }
        map.append(name, value);
    }
    if !map.contains_key(CONTENT_TYPE) {
        map.insert(CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
    }
    response
}

/// IMF-fixdate (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
pub(crate) fn http_date(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil from days (H. Hinnant), 1970-01-01 being a Thursday.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{}, {day:02} {} {year:04} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(http_date(4_102_444_799), "Thu, 31 Dec 2099 23:59:59 GMT");
    }

    #[test]
    fn other_region_hosts_swap() {
        assert_eq!(
            other_region_host("track.customer.io"),
            "track-eu.customer.io"
        );
        assert_eq!(
            other_region_host("beta-api-eu.customer.io"),
            "beta-api.customer.io"
        );
        assert_eq!(other_region_host("example.com"), "example.com");
    }
}
