//! The call: one `execute` or `authenticate` from start to end — its connection, deadline and
//! request count, the headers every request carries, and sending with the retry rules of DESIGN
//! §8 (429 for any request after `Retry-After`; 5xx and lost connections only for requests that
//! are safe to repeat). Answers that are not 2xx become the typed error that names the fix.

use serde_json::{Map, Value};

use crate::error::{ConnectorError, ErrorKind, FixBy};
use crate::http::{Clock, HttpRequest, HttpResponse, Transport, TransportError};
use crate::region;
use crate::types::*;
use crate::util;

/// Resolves `auto` to a region by testing the connection; passed in by the engine so the call
/// does not depend on the authentication module.
pub type Probe = fn(&mut Call<'_>) -> Result<AuthInfo, ConnectorError>;

/// Budget of a call when the host gives none.
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;
/// Longest upstream body kept in an error.
const ERROR_BODY_MAX: usize = 2048;
/// The `User-Agent` every request carries.
pub const USER_AGENT: &str = concat!("customerio-connector/", env!("CARGO_PKG_VERSION"));

/// When to repeat a request.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First back-off delay.
    pub delay_ms: u64,
    /// Double the delay after each retry.
    pub exponential: bool,
    /// Retry every failed answer and every method, not only 429 and (for safe requests) 5xx.
    pub retry_all: bool,
    /// Repeating the request cannot apply it twice (idempotent method or de-duplicated body).
    pub safe_to_repeat: bool,
}

impl RetryPolicy {
    /// What catalog operations use: two retries with back-off from 500 ms.
    pub fn standard(safe_to_repeat: bool) -> Self {
        RetryPolicy {
            max_retries: 2,
            delay_ms: 500,
            exponential: true,
            retry_all: false,
            safe_to_repeat,
        }
    }
}

/// The state of one call: its connection, deadline and request count.
pub struct Call<'a> {
    transport: &'a dyn Transport,
    clock: &'a dyn Clock,
    /// The connection.
    pub config: &'a ConnectionConfig,
    deadline: u64,
    /// Upstream requests made so far.
    pub requests: u32,
    request_id: Option<String>,
    region: Option<Region>,
    probe: Probe,
    /// Whether the last request sent may be repeated without applying it twice.
    repeat_safe: bool,
    /// Ids this call made for the request (event ids Customer.io de-duplicates by); also the
    /// index of the next one.
    made_ids: std::cell::Cell<u64>,
    /// What derived ids come from: the request id, the operation and its input (see
    /// [`Call::ulid`]); none without a request id.
    id_seed: Option<String>,
}

/// The longest URL (path and query) a request may have: Customer.io's front ends and the HTTP
/// stack refuse much longer ones (about 57 KB fails) as an error that looks like the network's.
pub const MAX_URL_BYTES: usize = 32 * 1024;

impl<'a> Call<'a> {
    /// A call over `transport` and `clock` with a budget of `timeout_ms` (default 30 s).
    pub fn new(
        transport: &'a dyn Transport,
        clock: &'a dyn Clock,
        config: &'a ConnectionConfig,
        timeout_ms: Option<u32>,
        request_id: Option<&str>,
        probe: Probe,
    ) -> Call<'a> {
        let budget = timeout_ms
            .map(u64::from)
            .unwrap_or(DEFAULT_TIMEOUT_MS)
            .max(1);
        Call {
            transport,
            clock,
            config,
            deadline: clock.monotonic_ms().saturating_add(budget),
            requests: 0,
            request_id: request_id.map(str::to_string),
            region: None,
            probe,
            repeat_safe: true,
            made_ids: std::cell::Cell::new(0),
            id_seed: None,
        }
    }
}

impl Call<'_> {
    /// The resolved region, probing once per call when the connection says `auto`.
    pub fn region(&mut self) -> Result<Region, ConnectorError> {
        if let Some(r) = self.region {
            return Ok(r);
        }
        let r = match self.config.region {
            Region::Auto => (self.probe)(self)?.region,
            r => r,
        };
        self.region = Some(r);
        Ok(r)
    }

    /// Fixes the region once a probe has learned it.
    pub fn set_region(&mut self, r: Region) {
        self.region = Some(r);
    }

    /// The API's base URL in the resolved region.
    pub fn base_url(&mut self) -> Result<&'static str, ConnectorError> {
        let r = self.region()?;
        Ok(region::base_url(self.config.connector, r))
    }

    /// Waits `ms` between the requests of one call (pages, slices) to stay within the API's rate
    /// limit, but never past the deadline.
    pub fn pace(&self, ms: u64) {
        let wait = ms.min(self.remaining_ms());
        if wait > 0 {
            self.clock.sleep_ms(wait);
        }
    }

    /// Shortens the call's budget to at most `ms` from now.
    pub fn limit_budget(&mut self, ms: u64) {
        self.deadline = self
            .deadline
            .min(self.clock.monotonic_ms().saturating_add(ms));
    }

    /// Remaining budget in ms.
    pub fn remaining_ms(&self) -> u64 {
        self.deadline.saturating_sub(self.clock.monotonic_ms())
    }

    /// The clock, for ULIDs and boundaries.
    pub fn clock(&self) -> &dyn Clock {
        self.clock
    }

    /// The `Authorization` header value of the connection. Never log it.
    pub fn authorization(&self) -> String {
        match &self.config.credentials {
            Credentials::Track(t) => format!(
                "Basic {}",
                util::b64(format!("{}:{}", t.site_id, t.api_key).as_bytes())
            ),
            Credentials::App(k) => format!("Bearer {k}"),
        }
    }

    /// Headers every request carries: auth, user agent, accept, request id.
    pub fn base_headers(&self) -> Vec<(String, String)> {
        let mut h = vec![
            ("authorization".to_string(), self.authorization()),
            ("user-agent".to_string(), USER_AGENT.to_string()),
            ("accept".to_string(), "application/json".to_string()),
        ];
        if let Some(id) = &self.request_id {
            h.push(("x-request-id".to_string(), id.clone()));
        }
        h
    }

    /// An authenticated GET of `url` (a connection probe), sent with `policy`.
    pub fn get(&mut self, url: &str, policy: &RetryPolicy) -> Result<HttpResponse, ConnectorError> {
        let url = url::Url::parse(url).map_err(|e| ConnectorError::internal(e.to_string()))?;
        let request = HttpRequest {
            method: crate::http::Method::Get,
            url,
            headers: self.base_headers(),
            body: Vec::new(),
            timeout: Default::default(),
            max_response: crate::http::MAX_RESPONSE_DEFAULT,
        };
        self.send(request, policy)
    }

    /// A new id for something Customer.io de-duplicates by (an event's `id`), as a ULID.
    ///
    /// With a request id the ids are derived from it and their order in the call, so running
    /// the same input again with the same request id sends the same ids and Customer.io keeps
    /// one copy; without one they are random, and a request that carried them and may have been
    /// applied is reported as not safe to run again (see [`Call::unsafe_to_repeat`]).
    pub fn ulid(&self) -> String {
        let n = self.made_ids.get();
        self.made_ids.set(n + 1);
        match &self.id_seed {
            Some(seed) => util::derived_ulid(seed, n),
            None => self.nonce(),
        }
    }

    /// Makes the ids of this call derived from its request id, the operation and the input (in
    /// JSON with sorted keys), so only a run of the same request with the same input repeats
    /// them: one request id shared by different calls still gives different ids.
    pub fn derive_ids_from(&mut self, operation: &str, input: &serde_json::Value) {
        if let Some(id) = &self.request_id {
            self.id_seed = Some(format!("{id}\n{operation}\n{input}"));
        }
    }

    /// A random ULID for what is only unique (a multipart boundary), never an id a re-run must
    /// repeat.
    pub fn nonce(&self) -> String {
        let mut r = [0u8; 10];
        self.clock.fill_random(&mut r);
        util::ulid(self.clock.unix_ms(), r)
    }

    /// Sends a request, retrying per `policy` within the call's deadline. Returns the last answer,
    /// whatever its status; only a missing answer is an error.
    pub fn send(
        &mut self,
        mut request: HttpRequest,
        policy: &RetryPolicy,
    ) -> Result<HttpResponse, ConnectorError> {
        let mut attempt = 0u32;
        self.repeat_safe = policy.safe_to_repeat;
        // A URL this long fails in transit as a transport error on a retryable path; it is the
        // input that is too big, so say that before anything is sent.
        let url_len = request.url.as_str().len();
        if url_len > MAX_URL_BYTES {
            return Err(ConnectorError::invalid_input(
                "",
                format!("the request's URL would be {url_len} bytes; at most {MAX_URL_BYTES} are sent — shorten the query or the values that go into the path"),
            ));
        }
        loop {
            let remaining = self.remaining_ms();
            if remaining == 0 {
                return Err(self.unsafe_to_repeat(timeout_error(self.requests), attempt > 0));
            }
            request.timeout = std::time::Duration::from_millis(remaining);
            self.requests += 1;
            let result = self.transport.send(&request);
            let (retry, retry_after) = match &result {
                Ok(r) if (200..300).contains(&r.status) => (false, None),
                Ok(r) if r.status == 429 => (true, retry_after_ms(r, self.clock.unix_ms())),
                Ok(r) if r.status >= 500 || r.status == 408 => (
                    policy.safe_to_repeat || policy.retry_all,
                    retry_after_ms(r, self.clock.unix_ms()),
                ),
                Ok(_) => (policy.retry_all, None),
                Err(TransportError::Denied(_) | TransportError::TooLarge(_)) => (false, None),
                Err(_) => (policy.safe_to_repeat || policy.retry_all, None),
            };
            if retry && attempt < policy.max_retries {
                let backoff = if policy.exponential {
                    policy.delay_ms.saturating_mul(1u64 << attempt.min(16))
                } else {
                    policy.delay_ms
                }
                .min(60_000);
                let wait = retry_after.unwrap_or(0).max(backoff);
                // Sleeping past the deadline would only turn a clear answer into a timeout.
                if wait < self.remaining_ms() {
                    self.clock.sleep_ms(wait);
                    attempt += 1;
                    continue;
                }
            }
            let sent = !matches!(result, Err(TransportError::Denied(_)));
            return result
                .map_err(|e| self.unsafe_to_repeat(transport_error(e, self.requests), sent));
        }
    }

    /// A request that was sent and may have been applied must not be repeated by a host that
    /// obeys `retryable` unless repeating it is safe: the method or the API makes it so, and any
    /// ids the call made for it come back the same on a new run (derived from a request id).
    pub fn unsafe_to_repeat(&self, mut err: ConnectorError, sent: bool) -> ConnectorError {
        if !sent || !err.retryable || err.kind == ErrorKind::RateLimited {
            return err;
        }
        if !self.repeat_safe {
            err.retryable = false;
            err.message.push_str(
                " — not repeated automatically: Customer.io may already have applied the request; check before running it again",
            );
        } else if self.made_ids.get() > 0 && self.id_seed.is_none() {
            err.retryable = false;
            err.message.push_str(
                " — not safe to run again as it is: Customer.io may already have applied it, and a new run would make new event ids it cannot de-duplicate; give the call a request id (the same on every run) to make the ids repeatable, or check Customer.io first",
            );
        }
        err
    }

    /// Maps a non-2xx answer to the typed error that names the fix.
    pub fn status_error(&self, resp: &HttpResponse, what: &str) -> ConnectorError {
        self.status_error_in(self.region.unwrap_or(self.config.region), resp, what)
    }

    /// As [`Call::status_error`] for an answer from `region`'s host. The body is scrubbed of
    /// every form of the credentials before it is cut, so no part of a secret survives the cut.
    pub fn status_error_in(
        &self,
        region: Region,
        resp: &HttpResponse,
        what: &str,
    ) -> ConnectorError {
        let mut err = status_error(self.config.connector, region, resp, what);
        if resp.status == 429 {
            err.retry_after_ms =
                retry_after_ms(resp, self.clock.unix_ms()).map(|ms| ms.min(u32::MAX as u64) as u32);
        }
        if !resp.body.is_empty() {
            let secrets = self.config.credentials.secrets();
            let body = util::redact(&String::from_utf8_lossy(&resp.body), &secrets);
            err.body = Some(util::truncate(&body, ERROR_BODY_MAX));
        }
        self.unsafe_to_repeat(err, true)
    }
}

impl Call<'_> {
    /// A 401 on a fixed region may only mean the workspace lives in the other one: ask the other
    /// region's host once (the region check for Track, the workspace list for App and Beta) and,
    /// if it accepts the credentials, say which region to use instead of "unauthorized".
    pub fn explain_unauthorized(&mut self, err: ConnectorError) -> ConnectorError {
        let here = self.region.unwrap_or(self.config.region);
        if err.kind != ErrorKind::Unauthorized || self.config.region == Region::Auto {
            return err;
        }
        let other = if here == Region::Eu {
            Region::Us
        } else {
            Region::Eu
        };
        let policy = RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::standard(true)
        };
        match self.get(&region::probe_url(self.config.connector, other), &policy) {
            Ok(r) if (200..300).contains(&r.status) => {
                let mut e = wrong_region(here, other);
                e.status = err.status;
                e
            }
            _ => err,
        }
    }
}

/// Valid credentials, used in the other data centre: which region to set.
pub fn wrong_region(configured: Region, actual: Region) -> ConnectorError {
    ConnectorError::new(
        ErrorKind::WrongRegion,
        FixBy::User,
        format!(
            "the credentials are valid but the workspace is in the {} data centre, not {}: set the connection's region to {} (or auto)",
            actual.as_str().to_uppercase(),
            configured.as_str().to_uppercase(),
            actual.as_str()
        ),
    )
}

/// The longest wait a `Retry-After` may ask for (the longest raw-request budget).
const RETRY_AFTER_MAX_S: u64 = 300;

/// `Retry-After` in ms: delay-seconds (huge values clamped) or an HTTP date (RFC 9110 §10.2.3).
fn retry_after_ms(r: &HttpResponse, now_ms: u64) -> Option<u64> {
    let v = r.header("retry-after")?.trim();
    let secs = if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        v.parse::<u64>().unwrap_or(u64::MAX)
    } else {
        let at = util::parse_http_date(v)?;
        (at.saturating_mul(1000).saturating_sub(now_ms as i64).max(0) as u64).div_ceil(1000)
    };
    Some(secs.min(RETRY_AFTER_MAX_S) * 1000)
}

fn timeout_error(requests: u32) -> ConnectorError {
    ConnectorError::new(
        ErrorKind::Timeout,
        FixBy::Upstream,
        format!("the call ran out of time after {requests} request(s); raise timeout_ms or try again later"),
    )
    .retryable(true)
}

fn transport_error(e: TransportError, requests: u32) -> ConnectorError {
    match e {
        TransportError::Timeout(m) => {
            let mut err = timeout_error(requests);
            err.message = format!("no answer from Customer.io in time ({m}); raise timeout_ms or try again later");
            err
        }
        TransportError::TooLarge(cap) => ConnectorError::new(
            ErrorKind::Upstream,
            FixBy::User,
            format!(
                "Customer.io's answer is larger than {} and was cut off; narrow the request (filters, a smaller limit) or, for a raw request, raise max_response_bytes (at most {} MiB)",
                if cap == 0 { "the host's response cap".to_string() } else { format!("the {} MiB cap", cap.div_ceil(1024 * 1024)) },
                crate::http::MAX_RESPONSE_LIMIT / (1024 * 1024)
            ),
        ),
        TransportError::Denied(m) => ConnectorError::new(
            ErrorKind::Transport,
            FixBy::Host,
            format!("the host refused to send the request ({m}); its egress policy must allow the Customer.io hosts"),
        ),
        TransportError::Connection(m) => ConnectorError::new(
            ErrorKind::Transport,
            FixBy::Upstream,
            format!("could not reach Customer.io ({m}); check the network and try again"),
        )
        .retryable(true),
    }
}

/// The human message inside a Customer.io error body, whichever of its shapes it has
/// (`meta.error`, `meta.errors[]`, `errors[].detail|message`).
pub fn upstream_message(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    if let Some(s) = v.pointer("/meta/error").and_then(Value::as_str) {
        return Some(s.to_string());
    }
    let list = v
        .pointer("/meta/errors")
        .or_else(|| v.get("errors"))?
        .as_array()?;
    let msgs: Vec<String> = list
        .iter()
        .filter_map(|e| {
            e.as_str().map(str::to_string).or_else(|| {
                e.get("detail")
                    .or_else(|| e.get("message"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
        })
        .collect();
    (!msgs.is_empty()).then(|| msgs.join("; "))
}

/// Maps an answer's status to a typed error (without the body: see [`Call::status_error_in`]).
fn status_error(
    connector: ConnectorKind,
    region: Region,
    resp: &HttpResponse,
    what: &str,
) -> ConnectorError {
    let detail = upstream_message(&resp.body)
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    let creds = match connector {
        ConnectorKind::Track => "Track site id and API key",
        _ => "App API key",
    };
    let mut err = match resp.status {
        301 | 302 | 307 | 308 => {
            let target = resp
                .header("location")
                .and_then(|l| url::Url::parse(l).ok())
                .and_then(|u| u.host_str().and_then(region::region_of_host));
            match target {
                // A redirect within the region it was sent to is no region mistake.
                Some(r) if r == region => ConnectorError::new(
                    ErrorKind::Upstream,
                    FixBy::Upstream,
                    format!("Customer.io redirected the request ({}) to another address in the same data centre ({}){detail}; the connector does not follow redirects — try again later", resp.status, r.as_str().to_uppercase()),
                ),
                Some(r) => ConnectorError::new(
                    ErrorKind::WrongRegion,
                    FixBy::User,
                    format!(
                        "this workspace is in the {} data centre, not {}: set the connection's region to {} (or auto)",
                        r.as_str().to_uppercase(),
                        region.as_str().to_uppercase(),
                        r.as_str()
                    ),
                ),
                None => ConnectorError::new(
                    ErrorKind::WrongRegion,
                    FixBy::User,
                    format!("Customer.io redirected the request ({}){detail}; check the connection's region", resp.status),
                ),
            }
        }
        401 => ConnectorError::new(
            ErrorKind::Unauthorized,
            FixBy::User,
            format!(
                "Customer.io rejected the {creds} on the {} host{detail}. Check the credentials, and that the connection's region ({}) is the workspace's (or use auto)",
                region.as_str().to_uppercase(),
                region.as_str()
            ),
        ),
        403 => ConnectorError::new(
            ErrorKind::Forbidden,
            FixBy::User,
            format!("the {creds} is valid but lacks permission for {what}{detail}; give the key that access in Customer.io"),
        ),
        404 => ConnectorError::new(ErrorKind::NotFound, FixBy::User, format!("Customer.io found nothing for {what}{detail}")),
        429 => ConnectorError::new(
            ErrorKind::RateLimited,
            FixBy::Upstream,
            format!("Customer.io's rate limit was hit{detail}; slow down and retry later"),
        )
        .retryable(true),
        408 => ConnectorError::new(
            ErrorKind::Timeout,
            FixBy::Upstream,
            format!("Customer.io timed out waiting for the request (408){detail}; try again later"),
        )
        .retryable(true),
        s if s >= 500 => {
            ConnectorError::new(ErrorKind::Upstream, FixBy::Upstream, format!("Customer.io failed with {s}{detail}; try again later")).retryable(true)
        }
        s => ConnectorError::new(ErrorKind::Upstream, FixBy::User, format!("Customer.io refused {what} ({s}){detail}")),
    };
    err.status = Some(resp.status);
    err
}

/// The JSON output of an answer: its JSON body, `{}` for an empty body, or the text as a string.
pub fn json_output(resp: &HttpResponse) -> Value {
    if resp.body.iter().all(u8::is_ascii_whitespace) {
        return Value::Object(Map::new());
    }
    serde_json::from_slice(&resp.body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&resp.body).into_owned()))
}
