//! The two seams that keep the core free of wasm: a `Transport` that sends one HTTP request, and a
//! `Clock` for time, sleeping and entropy. The component implements them over WASI; tests use fakes.

use std::time::Duration;

/// HTTP methods the connector can send.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
    /// HEAD
    Head,
    /// OPTIONS
    Options,
}

impl Method {
    /// Every method, for schemas.
    pub const ALL: [Method; 7] = [
        Method::Get,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
        Method::Head,
        Method::Options,
    ];

    /// The upper-case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
        }
    }

    /// Parses a method name, case-insensitively.
    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }

    /// Whether repeating the request cannot change the outcome (RFC 9110 §9.2.2); only these
    /// are retried after a 5xx or a lost connection, since a POST may already have been applied.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }
}

/// One outgoing request, fully built (URL checked, auth added).
#[derive(Clone, Debug)]
pub struct HttpRequest {
    /// Method.
    pub method: Method,
    /// Absolute `https://` URL on a Customer.io host.
    pub url: url::Url,
    /// Header names and values; the transport sends them as given.
    pub headers: Vec<(String, String)>,
    /// Body bytes (empty for none).
    pub body: Vec<u8>,
    /// Longest wait for the answer of this one attempt, body included.
    pub timeout: Duration,
    /// Largest response body accepted; a longer one is cut off with `TransportError::TooLarge`
    /// so a huge or endless answer cannot exhaust the component's memory.
    pub max_response: usize,
}

/// The response cap of catalog operations (raw requests choose their own, up to
/// [`MAX_RESPONSE_LIMIT`]).
pub const MAX_RESPONSE_DEFAULT: usize = 16 * 1024 * 1024;
/// The highest response cap a raw request may ask for: well inside the host's memory cap.
pub const MAX_RESPONSE_LIMIT: usize = 64 * 1024 * 1024;

/// One upstream answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Header names (lower case) and values, in order; repeated names stay repeated.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of a header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request got no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportError {
    /// No (complete) answer within the timeout.
    Timeout(String),
    /// The host's egress policy refused the request.
    Denied(String),
    /// DNS, connect, TLS, reset or protocol failure.
    Connection(String),
    /// The response body was longer than the request's `max_response` bytes.
    TooLarge(usize),
}

/// Sends one request and returns the whole answer.
pub trait Transport {
    /// Sends `request`; never follows redirects.
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError>;
}

/// Time and entropy.
pub trait Clock {
    /// Monotonic milliseconds, for deadlines.
    fn monotonic_ms(&self) -> u64;
    /// Wall-clock milliseconds since the Unix epoch, for ULIDs.
    fn unix_ms(&self) -> u64;
    /// Blocks for `ms` milliseconds (retry back-off).
    fn sleep_ms(&self, ms: u64);
    /// Fills `buf` with random bytes (ULID entropy, multipart boundaries).
    fn fill_random(&self, buf: &mut [u8]);
}
