//! One `execute` or `authenticate` call: resolves the region, builds requests with auth, sends them
//! with the retry rules of DESIGN §8, and turns answers into output or typed errors.

use serde_json::{Map, Value};

use crate::catalog::{self, Operation, Request};
use crate::error::{ConnectorError, ErrorKind, FixBy};
use crate::http::{Clock, HttpRequest, HttpResponse, Method, Transport, TransportError};
use crate::region;
use crate::schema::{self, Place, Ty};
use crate::types::*;
use crate::util;

/// Budget of a call when the host gives none.
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;
/// Longest upstream body kept in an error.
const ERROR_BODY_MAX: usize = 2048;
/// The `User-Agent` every request carries.
pub const USER_AGENT: &str = concat!("customerio-connector/", env!("CARGO_PKG_VERSION"));

/// The connector core: everything except the transport and the clock.
pub struct Connector<'a> {
    transport: &'a dyn Transport,
    clock: &'a dyn Clock,
}

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
}

impl<'a> Connector<'a> {
    /// A connector over a transport and a clock.
    pub fn new(transport: &'a dyn Transport, clock: &'a dyn Clock) -> Self {
        Connector { transport, clock }
    }

    /// Every operation; no network.
    pub fn list_operations(&self) -> Vec<OperationDescriptor> {
        catalog::descriptors()
    }

    /// Tests a connection (see `crate::auth`).
    pub fn authenticate(&self, config: &ConnectionConfig) -> Result<AuthInfo, ConnectorError> {
        let secrets = config.credentials.secrets();
        let mut call = self
            .call(config, None, None)
            .map_err(|e| e.scrub(&secrets))?;
        crate::auth::probe(&mut call).map_err(|e| e.scrub(&secrets))
    }

    /// Runs one operation.
    pub fn execute(&self, request: &ExecuteRequest) -> Result<ExecuteResponse, ConnectorError> {
        let secrets = request.config.credentials.secrets();
        self.execute_inner(request)
            .map_err(|e| e.scrub(&secrets))
            .map(|mut r| {
                r.output = util::redact(&r.output, &secrets);
                r
            })
    }

    fn execute_inner(&self, request: &ExecuteRequest) -> Result<ExecuteResponse, ConnectorError> {
        let op = catalog::find(&request.operation_id)
            .ok_or_else(|| unknown_operation(&request.operation_id))?;
        if op.connector != request.config.connector {
            return Err(ConnectorError::invalid_config(format!(
                "`{}` is a {} operation but the connection is a {} connection; run it on a {} connection",
                op.id,
                op.connector.as_str(),
                request.config.connector.as_str(),
                op.connector.as_str()
            )));
        }
        let input: Value = serde_json::from_str(&request.input).map_err(|e| {
            ConnectorError::invalid_input(
                "",
                format!(
                    "the input is not valid JSON ({e}); send a JSON object such as {}",
                    op.example
                ),
            )
        })?;
        let mut call = self.call(
            &request.config,
            request.timeout_ms,
            request.request_id.as_deref(),
        )?;
        match op.request {
            Request::Rest {
                method,
                path,
                dedup,
            } => {
                let valid = schema::validate(op.fields, &input)?;
                run_rest(&mut call, op, method, path, dedup, valid)
            }
            Request::Raw => {
                let valid = schema::validate(op.fields, &input)?;
                crate::raw::run(&mut call, valid)
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn call_for_tests<'c>(&self, config: &'c ConnectionConfig) -> Call<'c>
    where
        'a: 'c,
    {
        self.call(config, None, None).expect("valid config")
    }

    fn call<'c>(
        &self,
        config: &'c ConnectionConfig,
        timeout_ms: Option<u32>,
        request_id: Option<&str>,
    ) -> Result<Call<'c>, ConnectorError>
    where
        'a: 'c,
    {
        check_credentials(config)?;
        if let Some(id) = request_id {
            if id.is_empty() || id.len() > 200 || !id.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(ConnectorError::new(
                    ErrorKind::InvalidInput,
                    FixBy::Host,
                    "request-id must be 1 to 200 visible ASCII characters (it is sent as the X-Request-Id header)",
                ));
            }
        }
        let budget = timeout_ms
            .map(u64::from)
            .unwrap_or(DEFAULT_TIMEOUT_MS)
            .max(1);
        Ok(Call {
            transport: self.transport,
            clock: self.clock,
            config,
            deadline: self.clock.monotonic_ms().saturating_add(budget),
            requests: 0,
            request_id: request_id.map(str::to_string),
            region: None,
        })
    }
}

fn unknown_operation(id: &str) -> ConnectorError {
    let prefix = id.split('.').next().unwrap_or("");
    let hint = match ConnectorKind::parse(prefix) {
        Some(k) => format!(
            "{} operations are: {}",
            k.as_str(),
            catalog::ids_for(k).join(", ")
        ),
        None => "operation ids start with track., app. or beta.; `cio-host operations` lists them"
            .to_string(),
    };
    ConnectorError::new(
        ErrorKind::UnknownOperation,
        FixBy::User,
        format!("there is no operation `{id}`; {hint}"),
    )
}

fn header_safe(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic())
}

fn check_credentials(config: &ConnectionConfig) -> Result<(), ConnectorError> {
    match (&config.connector, &config.credentials) {
        (ConnectorKind::Track, Credentials::Track(t)) => {
            if !header_safe(&t.site_id) || t.site_id.contains(':') {
                return Err(ConnectorError::invalid_config(
                    "the Track site id is empty or has spaces, colons or other characters a site id never has; copy it from Settings → API Credentials → Track API Keys",
                ));
            }
            if !header_safe(&t.api_key) {
                return Err(ConnectorError::invalid_config(
                    "the Track API key is empty or has spaces or control characters; copy it from Settings → API Credentials → Track API Keys",
                ));
            }
            Ok(())
        }
        (ConnectorKind::App | ConnectorKind::Beta, Credentials::App(key)) => {
            if !header_safe(key) {
                return Err(ConnectorError::invalid_config(
                    "the App API key is empty or has spaces or control characters; copy it from Settings → API Credentials → App API Keys",
                ));
            }
            Ok(())
        }
        (ConnectorKind::Track, Credentials::App(_)) => Err(ConnectorError::invalid_config(
            "a Track connection needs the site id and Track API key, but it was given an App API key",
        )),
        (k, Credentials::Track(_)) => Err(ConnectorError::invalid_config(format!(
            "a {} connection needs an App API key (Bearer), but it was given Track credentials (site id and Track key)",
            k.as_str()
        ))),
    }
}

impl Call<'_> {
    /// The resolved region, probing once per call when the connection says `auto`.
    pub fn region(&mut self) -> Result<Region, ConnectorError> {
        if let Some(r) = self.region {
            return Ok(r);
        }
        let r = match self.config.region {
            Region::Auto => crate::auth::probe(self)?.region,
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

    /// A new ULID.
    pub fn ulid(&self) -> String {
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
        loop {
            let remaining = self.remaining_ms();
            if remaining == 0 {
                return Err(timeout_error(self.requests));
            }
            request.timeout = std::time::Duration::from_millis(remaining);
            self.requests += 1;
            let result = self.transport.send(&request);
            let (retry, retry_after) = match &result {
                Ok(r) if (200..300).contains(&r.status) => (false, None),
                Ok(r) if r.status == 429 => (true, retry_after_ms(r)),
                Ok(r) if r.status >= 500 || r.status == 408 => {
                    (policy.safe_to_repeat || policy.retry_all, retry_after_ms(r))
                }
                Ok(_) => (policy.retry_all, None),
                Err(TransportError::Denied(_)) => (false, None),
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
            return result.map_err(|e| transport_error(e, self.requests));
        }
    }

    /// Maps a non-2xx answer to the typed error that names the fix.
    pub fn status_error(&self, resp: &HttpResponse, what: &str) -> ConnectorError {
        status_error(
            self.config.connector,
            self.region.unwrap_or(self.config.region),
            resp,
            what,
        )
    }
}

fn retry_after_ms(r: &HttpResponse) -> Option<u64> {
    let v = r.header("retry-after")?.trim();
    v.parse::<u64>().ok().map(|s| s.min(300) * 1000)
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

/// Maps an answer's status to a typed error.
pub fn status_error(
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
        429 => {
            let mut e = ConnectorError::new(
                ErrorKind::RateLimited,
                FixBy::Upstream,
                format!("Customer.io's rate limit was hit{detail}; slow down and retry later"),
            )
            .retryable(true);
            e.retry_after_ms = retry_after_ms(resp).map(|ms| ms.min(u32::MAX as u64) as u32);
            e
        }
        s if s >= 500 => {
            ConnectorError::new(ErrorKind::Upstream, FixBy::Upstream, format!("Customer.io failed with {s}{detail}; try again later")).retryable(true)
        }
        s => ConnectorError::new(ErrorKind::Upstream, FixBy::User, format!("Customer.io refused {what} ({s}){detail}")),
    };
    err.status = Some(resp.status);
    if !resp.body.is_empty() {
        err.body = Some(util::truncate(
            &String::from_utf8_lossy(&resp.body),
            ERROR_BODY_MAX,
        ));
    }
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

fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((a, b)) => {
            !a.is_empty()
                && b.contains('.')
                && !b.starts_with('.')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// Applies `id_type` to a Track path identifier: the Track API reads the type from the value's
/// shape, so the connector adds the `cio_` prefix and refuses values that would be misread.
fn track_identifier(id: &str, id_type: Option<&str>) -> Result<String, ConnectorError> {
    match id_type {
        Some("cio_id") => Ok(if id.starts_with("cio_") { id.to_string() } else { format!("cio_{id}") }),
        Some("email") if !looks_like_email(id) => Err(ConnectorError::invalid_input(
            "/id",
            "id_type is email but `id` is not an email address; fix the address or set id_type to id",
        )),
        Some("id") if id.starts_with("cio_") || looks_like_email(id) => Err(ConnectorError::invalid_input(
            "/id",
            "Customer.io's Track API reads an identifier that starts with cio_ as a cio_id and one shaped like an email as an email; set id_type to match",
        )),
        _ => Ok(id.to_string()),
    }
}

fn run_rest(
    call: &mut Call<'_>,
    op: &Operation,
    method: Method,
    path_template: &str,
    dedup: bool,
    input: Map<String, Value>,
) -> Result<ExecuteResponse, ConnectorError> {
    let id_type = op
        .fields
        .iter()
        .find(|f| f.place == Place::IdType)
        .and_then(|f| input.get(f.name))
        .and_then(Value::as_str);
    let mut path = path_template.to_string();
    let mut query: Vec<(String, String)> = Vec::new();
    let mut body = Map::new();
    let mut has_body = false;
    for f in op.fields {
        let value = input.get(f.name);
        match f.place {
            Place::Path => {
                let raw = value.and_then(Value::as_str).unwrap_or_default();
                let raw = if f.name == "id" && op.connector == ConnectorKind::Track {
                    track_identifier(raw, id_type)?
                } else {
                    raw.to_string()
                };
                path = path.replace(&format!("{{{}}}", f.name), &util::encode_segment(&raw));
            }
            Place::IdType => {
                if let (Some(t), false) = (id_type, op.connector == ConnectorKind::Track) {
                    query.push(("id_type".into(), t.into()));
                }
            }
            Place::Query(name) => {
                if let Some(v) = value {
                    query.push((
                        name.into(),
                        util::scalar_text(v).unwrap_or_else(|| v.to_string()),
                    ));
                }
            }
            Place::BodyRoot => {
                has_body = true;
                if let Some(Value::Object(o)) = value {
                    for (k, v) in o {
                        body.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
            }
            Place::Body(key) => {
                has_body = true;
                match value {
                    Some(v) => {
                        body.insert(key.to_string(), v.clone());
                    }
                    None if matches!(f.ty, Ty::Ulid) => {
                        body.insert(key.to_string(), Value::String(call.ulid()));
                    }
                    None => {}
                }
            }
        }
    }
    let base = call.base_url()?;
    let mut url = url::Url::parse(&format!("{base}{path}"))
        .map_err(|e| ConnectorError::internal(format!("bad URL: {e}")))?;
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    let mut headers = call.base_headers();
    let body_bytes = if has_body {
        headers.push(("content-type".into(), "application/json".into()));
        serde_json::to_vec(&Value::Object(body))
            .map_err(|e| ConnectorError::internal(e.to_string()))?
    } else {
        Vec::new()
    };
    let request = HttpRequest {
        method,
        url,
        headers,
        body: body_bytes,
        timeout: Default::default(),
    };
    let policy = RetryPolicy::standard(method.is_idempotent() || dedup);
    let resp = call.send(request, &policy)?;
    if !(200..300).contains(&resp.status) {
        return Err(call.status_error(&resp, &format!("`{}`", op.id)));
    }
    Ok(ExecuteResponse {
        output: json_output(&resp).to_string(),
        status: resp.status,
        requests: call.requests,
    })
}
