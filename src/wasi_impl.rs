//! `Transport` and `Clock` over WASI 0.2 (`wasi:http/outgoing-handler`, clocks, random).

use std::time::Duration;

use wasi::clocks::monotonic_clock;
use wasi::http::outgoing_handler;
use wasi::http::types::{
    ErrorCode, Fields, IncomingBody, Method as WMethod, OutgoingBody, OutgoingRequest,
    RequestOptions, Scheme,
};
use wasi::io::poll::{poll, Pollable};
use wasi::io::streams::StreamError;

use crate::http::{Clock, HttpRequest, HttpResponse, Method, Transport, TransportError};

/// Largest single write: wasi:http streams refuse bigger writes than `check-write` allows
/// (a 4 KiB single write traps on some hosts), so bodies go out in permitted chunks.
const WRITE_CHUNK: usize = 64 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends requests through the host's `wasi:http/outgoing-handler`.
pub struct WasiTransport;

fn error(code: ErrorCode) -> TransportError {
    match code {
        ErrorCode::ConnectionTimeout
        | ErrorCode::ConnectionReadTimeout
        | ErrorCode::ConnectionWriteTimeout
        | ErrorCode::HttpResponseTimeout
        | ErrorCode::DnsTimeout => TransportError::Timeout(format!("{code:?}")),
        ErrorCode::HttpRequestDenied => TransportError::Denied("HttpRequestDenied".into()),
        // The host's own response cap (it may be lower than the call's; the code carries the
        // body's size, not the cap).
        ErrorCode::HttpResponseBodySize(_) => TransportError::TooLarge(0),
        other => TransportError::Connection(format!("{other:?}")),
    }
}

fn nanos(d: Duration) -> u64 {
    d.as_nanos().min(u64::MAX as u128) as u64
}

/// Waits until `ready` fires or the attempt's deadline passes, whichever is first: every wait of
/// a request (sending, the answer, each body chunk) obeys the call's budget, so a server that
/// drips one byte a second cannot stretch a 3 s budget.
fn wait(ready: &Pollable, deadline: u64) -> Result<(), TransportError> {
    if monotonic_clock::now() >= deadline {
        return Err(TransportError::Timeout("the call's deadline passed".into()));
    }
    let timer = monotonic_clock::subscribe_instant(deadline);
    if poll(&[ready, &timer]).contains(&0) {
        Ok(())
    } else {
        Err(TransportError::Timeout("the call's deadline passed".into()))
    }
}

impl Transport for WasiTransport {
    fn send(&self, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let deadline = monotonic_clock::now().saturating_add(nanos(req.timeout));
        let mut entries: Vec<(String, Vec<u8>)> = req
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.as_bytes().to_vec()))
            .collect();
        if !req.body.is_empty() || matches!(req.method, Method::Post | Method::Put | Method::Patch)
        {
            entries.push((
                "content-length".into(),
                req.body.len().to_string().into_bytes(),
            ));
        }
        let headers = Fields::from_list(&entries).map_err(|e| {
            TransportError::Connection(format!("header rejected by the host: {e:?}"))
        })?;
        let out = OutgoingRequest::new(headers);
        let method = match req.method {
            Method::Get => WMethod::Get,
            Method::Post => WMethod::Post,
            Method::Put => WMethod::Put,
            Method::Patch => WMethod::Patch,
            Method::Delete => WMethod::Delete,
            Method::Head => WMethod::Head,
            Method::Options => WMethod::Options,
        };
        let scheme = if req.url.scheme() == "http" {
            Scheme::Http
        } else {
            Scheme::Https
        };
        let authority = match req.url.port() {
            Some(p) => format!("{}:{p}", req.url.host_str().unwrap_or_default()),
            None => req.url.host_str().unwrap_or_default().to_string(),
        };
        let path = match req.url.query() {
            Some(q) => format!("{}?{q}", req.url.path()),
            None => req.url.path().to_string(),
        };
        let invalid = |what: &str| {
            TransportError::Connection(format!("the host rejected the request {what}"))
        };
        out.set_method(&method).map_err(|_| invalid("method"))?;
        out.set_scheme(Some(&scheme))
            .map_err(|_| invalid("scheme"))?;
        out.set_authority(Some(&authority))
            .map_err(|_| invalid("authority"))?;
        out.set_path_with_query(Some(&path))
            .map_err(|_| invalid("path"))?;
        let options = RequestOptions::new();
        // Hosts may not support every option; the call's own deadline still applies.
        let _ = options.set_connect_timeout(Some(nanos(req.timeout.min(CONNECT_TIMEOUT))));
        let _ = options.set_first_byte_timeout(Some(nanos(req.timeout)));
        let _ = options.set_between_bytes_timeout(Some(nanos(req.timeout)));
        // A request without a payload (GET, DELETE, …) never opens its body: an opened body is a
        // stream of unknown length, which the host frames as `Transfer-Encoding: chunked` with an
        // empty chunk, where Customer.io's spec and its official clients send no body at all.
        let has_body = entries.iter().any(|(k, _)| k == "content-length");
        let body = if has_body {
            Some(out.body().map_err(|_| invalid("body"))?)
        } else {
            None
        };
        let future = outgoing_handler::handle(out, Some(options)).map_err(error)?;
        // A failed write means the host dropped the request; its reason arrives on the future.
        let mut write_failed = false;
        if let Some(stream) = body.as_ref().and_then(|b| b.write().ok()) {
            let mut rest = &req.body[..];
            while !rest.is_empty() {
                match stream.check_write() {
                    Ok(0) => wait(&stream.subscribe(), deadline)?,
                    Ok(n) => {
                        let k = rest.len().min(n as usize).min(WRITE_CHUNK);
                        if stream.write(&rest[..k]).is_err() {
                            write_failed = true;
                            break;
                        }
                        rest = &rest[k..];
                    }
                    Err(_) => {
                        write_failed = true;
                        break;
                    }
                }
            }
            if !write_failed {
                write_failed = stream.flush().is_err();
                // The flush is done when the stream is writable again.
                while !write_failed {
                    wait(&stream.subscribe(), deadline)?;
                    match stream.check_write() {
                        Ok(_) => break,
                        Err(_) => write_failed = true,
                    }
                }
            }
        }
        let finished = body
            .map(|b| OutgoingBody::finish(b, None))
            .unwrap_or(Ok(()));
        let response = loop {
            match future.get() {
                Some(r) => break r,
                None => wait(&future.subscribe(), deadline)?,
            }
        };
        let response = response
            .map_err(|_| TransportError::Connection("response already taken".into()))?
            .map_err(error)?;
        if let Err(e) = finished {
            if !write_failed {
                return Err(error(e));
            }
        }
        let status = response.status();
        let headers = response
            .headers()
            .entries()
            .into_iter()
            .map(|(k, v)| {
                (
                    k.to_ascii_lowercase(),
                    String::from_utf8_lossy(&v).into_owned(),
                )
            })
            .collect();
        let incoming = response
            .consume()
            .map_err(|_| TransportError::Connection("response body already taken".into()))?;
        let mut buf = Vec::new();
        {
            let stream = incoming.stream().map_err(|_| {
                TransportError::Connection("response body stream unavailable".into())
            })?;
            loop {
                match stream.read(1 << 20) {
                    Ok(chunk) if chunk.is_empty() => wait(&stream.subscribe(), deadline)?,
                    Ok(chunk) => {
                        if buf.len() + chunk.len() > req.max_response {
                            return Err(TransportError::TooLarge(req.max_response));
                        }
                        buf.extend_from_slice(&chunk);
                    }
                    Err(StreamError::Closed) => break,
                    Err(StreamError::LastOperationFailed(e)) => {
                        let code = wasi::http::types::http_error_code(&e);
                        return Err(code
                            .map(error)
                            .unwrap_or_else(|| TransportError::Connection(e.to_debug_string())));
                    }
                }
            }
        }
        drop(IncomingBody::finish(incoming));
        Ok(HttpResponse {
            status,
            headers,
            body: buf,
        })
    }
}

/// Time and randomness from `wasi:clocks` and `wasi:random`.
pub struct WasiClock;

impl Clock for WasiClock {
    fn monotonic_ms(&self) -> u64 {
        wasi::clocks::monotonic_clock::now() / 1_000_000
    }

    fn unix_ms(&self) -> u64 {
        let now = wasi::clocks::wall_clock::now();
        now.seconds * 1000 + u64::from(now.nanoseconds / 1_000_000)
    }

    fn sleep_ms(&self, ms: u64) {
        wasi::clocks::monotonic_clock::subscribe_duration(ms.saturating_mul(1_000_000)).block();
    }

    fn fill_random(&self, buf: &mut [u8]) {
        let bytes = wasi::random::random::get_random_bytes(buf.len() as u64);
        buf.copy_from_slice(&bytes[..buf.len()]);
    }
}
