//! Fault injection: the public [`Fault`] / [`FaultAction`] / [`Rate`] types, their constructors,
//! the command-line spec syntax, and the seeded sampling that storms and chaos mixes use.

use std::collections::BTreeMap;
use std::str::FromStr;

/// A misbehaviour to impose on upcoming requests, for testing retries and error handling.
///
/// Faults are kept in a queue and tried in injection order before any auth or routing; the first
/// pending fault whose `path_prefix` matches a request decides what happens to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    /// Prefix of the raw request path the fault applies to; `None` matches every request.
    pub path_prefix: Option<String>,
    /// How many matching requests it still applies to. A [`FaultAction::Chaos`] fault counts
    /// every matching request it sees, including those it lets through unharmed.
    /// [`Fault::FOREVER`] is, in practice, without end.
    pub times: u32,
    /// What happens to those requests.
    pub action: FaultAction,
}

impl Fault {
    /// A `times` that never runs out in a test's lifetime.
    pub const FOREVER: u32 = u32::MAX;

    /// A fault on every path, used once.
    pub fn new(action: FaultAction) -> Fault {
        Fault {
            path_prefix: None,
            times: 1,
            action,
        }
    }

    /// Restricts the fault to paths starting with `prefix`.
    pub fn with_path(mut self, prefix: impl Into<String>) -> Fault {
        self.path_prefix = Some(prefix.into());
        self
    }

    /// Applies the fault to `times` matching requests.
    pub fn with_times(mut self, times: u32) -> Fault {
        self.times = times;
        self
    }

    /// Applies the fault to every matching request ([`Fault::FOREVER`]).
    pub fn forever(self) -> Fault {
        self.with_times(Fault::FOREVER)
    }

    /// Reads the command-line form `ACTION[:PATH_PREFIX[:TIMES]]` (see [`FAULT_SPEC_HELP`]), e.g.
    /// `drip(50):/api/v1/customers:3` or `chaos(20%,seed=7):*:forever`.
    pub fn parse(spec: &str) -> Result<Fault, String> {
        parse_spec(spec).map_err(|e| format!("fault {spec:?}: {e}"))
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fault::parse(s)
    }
}

/// What a [`Fault`] does to a request.
///
/// Unless a variant says otherwise the request is read completely and recorded first (see
/// [`crate::Emulator::requests`]) and is *not* applied to the emulator's state. The variants that
/// write the response by hand ([`Drip`](FaultAction::Drip), [`Truncated`](FaultAction::Truncated),
/// [`HugeBody`](FaultAction::HugeBody), …) send `Connection: close` and end the connection after
/// it. Streamed bodies are written only as fast as the client reads them, so memory stays bounded
/// however large they are.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultAction {
    /// Answer this instead. Without a `content-type` header the JSON one is added;
    /// `content-length` and `transfer-encoding` are computed by the server and ignored here.
    Respond {
        /// HTTP status (200–999).
        status: u16,
        /// Extra headers; invalid names or values are skipped.
        headers: Vec<(String, String)>,
        /// Response body.
        body: Vec<u8>,
    },
    /// Sleep, then handle the request normally. Nothing is sent before the sleep ends, not even
    /// the status line, so a client's first-byte timeout fires. A long `ms` is the "answers after
    /// a long delay" stall.
    Delay {
        /// Milliseconds to wait.
        ms: u64,
    },
    /// 429 with `Retry-After` and an App-style `errors` body.
    RateLimit {
        /// Value of `Retry-After`.
        retry_after_secs: u32,
    },
    /// Drop the connection (with a TCP reset) without answering, after reading the request.
    Reset,
    /// Status 200 with `Content-Length` of `body` sent at once, then the body one byte at a time,
    /// each after a pause of `interval_ms`: the first byte arrives quickly but the whole answer
    /// takes `body.len() × interval_ms`, so only an overall deadline can cut it.
    Drip {
        /// Pause before each body byte, in milliseconds.
        interval_ms: u64,
        /// The body (JSON content type); [`FaultAction::drip`] uses a valid 64-byte JSON object.
        body: Vec<u8>,
    },
    /// Status 200 with a chunked body that never ends: one byte every `interval_ms`, until the
    /// client goes away.
    DripForever {
        /// Pause before each body byte, in milliseconds.
        interval_ms: u64,
    },
    /// Read the request and never answer; the connection stays open until the client closes it
    /// (or the emulator stops). For an answer after a long pause use [`FaultAction::Delay`].
    Stall,
    /// Drop the connection with a TCP reset as soon as the request head arrived, before its body
    /// is read. The request is recorded with an empty body.
    ResetBeforeBody,
    /// Handle the request normally — it takes effect on the state (an event with an `id` is
    /// stored, de-duplicated by id as always) — then drop the connection with a TCP reset instead
    /// of answering. The client cannot tell whether its request was applied.
    ResetAfterApply,
    /// `Content-Length` larger than what is sent: the head promises `body.len() + missing` bytes,
    /// `body` is sent and the connection is closed (a clean FIN, so the client reads the part).
    Truncated {
        /// HTTP status (200–999).
        status: u16,
        /// The part that is sent (JSON content type).
        body: Vec<u8>,
        /// How many promised bytes never come; 0 counts as 1.
        missing: u64,
    },
    /// A body that is not JSON under a JSON content type.
    InvalidJson {
        /// HTTP status (200–999).
        status: u16,
    },
    /// A `Content-Length` body of exactly `bytes` bytes (a JSON object `{"data":"aaa…"}` when
    /// `bytes` ≥ 11), generated while it is sent.
    HugeBody {
        /// HTTP status (200–999).
        status: u16,
        /// Body size, e.g. `300 << 20` for 300 MiB.
        bytes: u64,
    },
    /// A chunked body that never ends (`{"data":"aaa…` in 64 KiB chunks), generated while it is
    /// sent, until the client goes away.
    EndlessBody {
        /// HTTP status (200–999).
        status: u16,
    },
    /// 429 whose `Retry-After` is an HTTP date (IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37
    /// GMT`): now plus `retry_after_secs`, computed when the request arrives.
    RateLimitDate {
        /// Seconds from now the date lies in the future.
        retry_after_secs: u32,
    },
    /// 429 with `Retry-After` set to this text verbatim, e.g. an absurd `99999999999999999999`
    /// ([`FaultAction::rate_limit_absurd`]), a negative or a malformed value.
    RateLimitHeader {
        /// The exact `Retry-After` value; it must be a valid header value.
        retry_after: String,
    },
    /// A redirect (301, 302, 307, 308, …) with `Location` built from `location`, in which
    /// `{path}` becomes the request's raw path and query, `{host}` its API host and `{other_host}`
    /// the same API's host in the other region (e.g. `track.customer.io` ↔
    /// `track-eu.customer.io`; an unknown host stays itself).
    Redirect {
        /// HTTP status (300–399).
        status: u16,
        /// `Location` template, e.g. `https://evil.example.com{path}`.
        location: String,
    },
    /// For secrets tests: answer `status` with a JSON body and headers that echo the request's
    /// `Authorization` in several forms. Body: `errors[0].detail` (App style) and
    /// `meta.errors[0]` (Track style) quote the raw value and the decoded text; `echo` holds
    /// `authorization` (raw), `scheme`, `credentials` (after `Basic `/`Bearer `), `decoded` (the
    /// base64-decoded `site:key` text), `user` and `secret` (the key or token alone),
    /// `json_escaped` (the raw value as a JSON string literal, quotes included),
    /// `url_encoded`, `url_encoded_credentials` and `url_encoded_decoded` (percent-encoding of
    /// every non-alphanumeric byte); a top-level `unicode_escaped` holds the raw value written
    /// with a `\uXXXX` escape per character. Headers: `x-echo-authorization` (raw),
    /// `x-echo-credentials`, `x-echo-decoded`, `x-echo-url-encoded`. Values that are absent are
    /// `null` (and the header left out).
    EchoAuth {
        /// HTTP status (200–999).
        status: u16,
    },
    /// A seeded storm or mix: each matching request is first sampled with `rate`; a chosen one
    /// gets one of `choices`, picked by weight, the others are handled normally. Everything is
    /// decided by a xorshift generator seeded with `seed`, so the same requests in the same order
    /// get the same faults in every run. Empty `choices` mean the standard mix of
    /// [`FaultAction::chaos`]. A nested `Chaos` choice is resolved with the same generator, its
    /// rate acting as a probability. What was injected is counted in
    /// [`crate::Emulator::fault_counts`].
    Chaos {
        /// Share of matching requests that get a fault.
        rate: Rate,
        /// Seed of the generator; equal seeds give equal sequences.
        seed: u64,
        /// `(weight, action)` pairs; weight 0 is never picked.
        choices: Vec<(u32, FaultAction)>,
    },
}

/// Which share of the requests a [`FaultAction::Chaos`] fault affects.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rate {
    /// Every matching request.
    Always,
    /// Each matching request independently with this probability (0.0 to 1.0).
    Probability(f64),
    /// Exactly `k` of each consecutive window of `n` matching requests, at seeded positions.
    KOfN {
        /// Requests affected per window (at most `n`).
        k: u32,
        /// Window length; 0 affects nothing.
        n: u32,
    },
}

impl Rate {
    /// `percent` % of the requests, independently each ([`Rate::Probability`]).
    pub fn percent(percent: f64) -> Rate {
        Rate::Probability(percent / 100.0)
    }
}

/// The body [`FaultAction::drip`] sends: valid JSON, 64 bytes.
const DRIP_BODY: &[u8] = b"{\"drip\":\"this body arrives one byte at a time, slowly...........\"}";
/// The part [`FaultAction::truncated`] sends of a longer JSON document.
const TRUNCATED_BODY: &[u8] =
    b"{\"customers\":[{\"id\":\"1\",\"email\":\"one@example.com\"},{\"id\":\"2\",\"email\":\"tw";
/// What [`FaultAction::rate_limit_absurd`] puts in `Retry-After`: larger than any 64-bit integer.
pub(crate) const ABSURD_RETRY_AFTER: &str = "99999999999999999999";
/// The redirect target of [`FaultAction::redirect_other_region`].
pub(crate) const OTHER_REGION_LOCATION: &str = "https://{other_host}{path}";

impl FaultAction {
    /// An error status with the App-style body `{"errors":[{"detail":…,"status":"503"}]}`.
    pub fn error(status: u16) -> FaultAction {
        let body = serde_json::json!({"errors": [{
            "detail": format!("injected {status} (reference emulator fault)"),
            "status": status.to_string(),
        }]});
        FaultAction::Respond {
            status,
            headers: Vec::new(),
            body: serde_json::to_vec(&body).unwrap_or_default(),
        }
    }

    /// [`FaultAction::Drip`] of a 64-byte JSON body, one byte every `interval_ms`.
    pub fn drip(interval_ms: u64) -> FaultAction {
        FaultAction::Drip {
            interval_ms,
            body: DRIP_BODY.to_vec(),
        }
    }

    /// [`FaultAction::DripForever`], one byte every `interval_ms`.
    pub fn drip_forever(interval_ms: u64) -> FaultAction {
        FaultAction::DripForever { interval_ms }
    }

    /// [`FaultAction::Truncated`]: 200, part of a customer list, 1024 bytes missing.
    pub fn truncated() -> FaultAction {
        FaultAction::Truncated {
            status: 200,
            body: TRUNCATED_BODY.to_vec(),
            missing: 1024,
        }
    }

    /// [`FaultAction::InvalidJson`] with status 200.
    pub fn invalid_json() -> FaultAction {
        FaultAction::InvalidJson { status: 200 }
    }

    /// [`FaultAction::HugeBody`] with status 200 and `bytes` bytes.
    pub fn huge_body(bytes: u64) -> FaultAction {
        FaultAction::HugeBody { status: 200, bytes }
    }

    /// [`FaultAction::EndlessBody`] with status 200.
    pub fn endless_body() -> FaultAction {
        FaultAction::EndlessBody { status: 200 }
    }

    /// [`FaultAction::RateLimitDate`]: `Retry-After` is the HTTP date `secs` from now.
    pub fn rate_limit_date(secs: u32) -> FaultAction {
        FaultAction::RateLimitDate {
            retry_after_secs: secs,
        }
    }

    /// [`FaultAction::RateLimitHeader`] with `Retry-After: 99999999999999999999`.
    pub fn rate_limit_absurd() -> FaultAction {
        FaultAction::RateLimitHeader {
            retry_after: ABSURD_RETRY_AFTER.to_string(),
        }
    }

    /// [`FaultAction::Redirect`] to `location` (a template: `{path}`, `{host}`, `{other_host}`).
    pub fn redirect(status: u16, location: impl Into<String>) -> FaultAction {
        FaultAction::Redirect {
            status,
            location: location.into(),
        }
    }

    /// [`FaultAction::Redirect`] to the same path on the other region's host of the same API.
    pub fn redirect_other_region(status: u16) -> FaultAction {
        FaultAction::redirect(status, OTHER_REGION_LOCATION)
    }

    /// [`FaultAction::EchoAuth`] with this status.
    pub fn echo_auth(status: u16) -> FaultAction {
        FaultAction::EchoAuth { status }
    }

    /// A 5xx storm: `rate` of the requests get `status` (with [`FaultAction::error`]'s body).
    pub fn storm(status: u16, rate: Rate, seed: u64) -> FaultAction {
        FaultAction::Chaos {
            rate,
            seed,
            choices: vec![(1, FaultAction::error(status))],
        }
    }

    /// The standard chaos mix on `rate` of the requests, equal weights: 503, 500, 429 with
    /// `Retry-After: 1`, reset before the body, reset after applying, and a 1000 ms delay.
    pub fn chaos(rate: Rate, seed: u64) -> FaultAction {
        FaultAction::Chaos {
            rate,
            seed,
            choices: standard_mix(),
        }
    }

    /// The name this action is counted under in [`crate::Emulator::fault_counts`]: the
    /// snake_case variant name (as in the HTTP JSON), with the status appended for `Respond`
    /// and `Redirect` (`respond_503`, `redirect_302`). Requests a chaos fault let through
    /// count as `pass`.
    pub fn label(&self) -> String {
        match self {
            FaultAction::Respond { status, .. } => format!("respond_{status}"),
            FaultAction::Redirect { status, .. } => format!("redirect_{status}"),
            other => other.kind().to_string(),
        }
    }

    /// The snake_case name of the variant, as used in the HTTP JSON.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            FaultAction::Respond { .. } => "respond",
            FaultAction::Delay { .. } => "delay",
            FaultAction::RateLimit { .. } => "rate_limit",
            FaultAction::Reset => "reset",
            FaultAction::Drip { .. } => "drip",
            FaultAction::DripForever { .. } => "drip_forever",
            FaultAction::Stall => "stall",
            FaultAction::ResetBeforeBody => "reset_before_body",
            FaultAction::ResetAfterApply => "reset_after_apply",
            FaultAction::Truncated { .. } => "truncated",
            FaultAction::InvalidJson { .. } => "invalid_json",
            FaultAction::HugeBody { .. } => "huge_body",
            FaultAction::EndlessBody { .. } => "endless_body",
            FaultAction::RateLimitDate { .. } => "rate_limit_date",
            FaultAction::RateLimitHeader { .. } => "rate_limit_header",
            FaultAction::Redirect { .. } => "redirect",
            FaultAction::EchoAuth { .. } => "echo_auth",
            FaultAction::Chaos { .. } => "chaos",
        }
    }
}

/// The choices of [`FaultAction::chaos`].
pub(crate) fn standard_mix() -> Vec<(u32, FaultAction)> {
    vec![
        (1, FaultAction::error(503)),
        (1, FaultAction::error(500)),
        (
            1,
            FaultAction::RateLimit {
                retry_after_secs: 1,
            },
        ),
        (1, FaultAction::ResetBeforeBody),
        (1, FaultAction::ResetAfterApply),
        (1, FaultAction::Delay { ms: 1000 }),
    ]
}

// ---------------------------------------------------------------------------------------------
// Seeded sampling

/// xorshift64* seeded through splitmix64, so that small seeds (0, 1, 2) still differ well.
#[derive(Clone, Debug)]
pub(crate) struct XorShift(u64);

impl XorShift {
    pub(crate) fn new(seed: u64) -> XorShift {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        XorShift(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..bound` (`bound` > 0); the modulo bias is negligible for test-sized bounds.
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A queued fault with the generator and window state its sampling needs.
#[derive(Clone, Debug)]
pub(crate) struct Queued {
    pub(crate) fault: Fault,
    rng: XorShift,
    /// For [`Rate::KOfN`]: requests and hits left in the current window.
    window: (u32, u32),
}

impl Queued {
    pub(crate) fn new(fault: Fault) -> Queued {
        let seed = match &fault.action {
            FaultAction::Chaos { seed, .. } => *seed,
            _ => 0,
        };
        Queued {
            fault,
            rng: XorShift::new(seed),
            window: (0, 0),
        }
    }

    /// Uses the fault on one request: `None` when a chaos fault lets it through.
    pub(crate) fn resolve(&mut self) -> Option<FaultAction> {
        let FaultAction::Chaos { rate, choices, .. } = &self.fault.action else {
            return Some(self.fault.action.clone());
        };
        let fire = match *rate {
            Rate::KOfN { k, n } => {
                if n == 0 {
                    false
                } else {
                    if self.window.0 == 0 {
                        self.window = (n, k.min(n));
                    }
                    // Selection sampling: exactly `k` hits per window, at seeded positions.
                    let hit = self.rng.below(u64::from(self.window.0)) < u64::from(self.window.1);
                    self.window.0 -= 1;
                    if hit {
                        self.window.1 -= 1;
                    }
                    hit
                }
            }
            other => sample(other, &mut self.rng),
        };
        if !fire {
            return None;
        }
        pick(choices, &mut self.rng, 0)
    }
}

fn sample(rate: Rate, rng: &mut XorShift) -> bool {
    match rate {
        Rate::Always => true,
        Rate::Probability(p) => rng.unit() < p,
        Rate::KOfN { k, n } => n > 0 && rng.below(u64::from(n)) < u64::from(k),
    }
}

fn pick(choices: &[(u32, FaultAction)], rng: &mut XorShift, depth: u32) -> Option<FaultAction> {
    let standard;
    let choices = if choices.is_empty() {
        standard = standard_mix();
        &standard[..]
    } else {
        choices
    };
    let total: u64 = choices.iter().map(|(w, _)| u64::from(*w)).sum();
    if total == 0 {
        return None;
    }
    let mut roll = rng.below(total);
    let chosen = choices.iter().find(|(weight, _)| {
        let weight = u64::from(*weight);
        if roll < weight {
            true
        } else {
            roll -= weight;
            false
        }
    })?;
    match &chosen.1 {
        FaultAction::Chaos { rate, choices, .. } if depth < 8 => {
            sample(*rate, rng).then(|| pick(choices, rng, depth + 1))?
        }
        FaultAction::Chaos { .. } => None,
        other => Some(other.clone()),
    }
}

/// Adds one use of `action` (or a pass) to the counters.
pub(crate) fn count(counts: &mut BTreeMap<String, u64>, action: Option<&FaultAction>) {
    let label = action.map_or_else(|| "pass".to_string(), FaultAction::label);
    *counts.entry(label).or_default() += 1;
}

// ---------------------------------------------------------------------------------------------
// The command-line spec syntax

/// The syntax of `cio-emulator --fault SPEC` and of `{"spec": SPEC}` at `POST
/// /__emulator__/faults`, as `--help` prints it.
pub const FAULT_SPEC_HELP: &str = "\
SPEC is ACTION[:PATH_PREFIX[:TIMES]]
  PATH_PREFIX  raw path prefix starting with '/'; '*' or empty = every path (default)
  TIMES        how many matching requests: a number (default 1) or 'forever'
ACTION is NAME or NAME(ARG,...); SIZE takes K/M/G (×1024) or KB/MB/GB (×1000) suffixes,
KiB/MiB/GiB too; RATE is 'always', 'P%' (20%), a fraction 0..1 (0.2) or 'K/N' (exactly K
of every N requests, seeded positions); STATUS defaults as shown:
  respond(STATUS[,BODY])         answer STATUS with BODY (text, default empty)
  error(STATUS)                  answer STATUS with an App-style errors body
  delay(MS)                      wait MS, then handle normally
  stall                          read the request, never answer
  drip(MS[,BODY])                200, then the body one byte every MS ms
  drip_forever(MS)               200, chunked, one byte every MS ms, never ends
  reset                          TCP reset after reading the request (not applied)
  reset_before_body              TCP reset before reading the request body
  reset_after_apply              apply the request, then TCP reset instead of the answer
  truncated([STATUS[,MISSING]])  Content-Length MISSING (1024) bytes more than sent, close
  invalid_json([STATUS])         200 with a JSON content type and a body that is not JSON
  huge_body(SIZE[,STATUS])       a SIZE-byte JSON body, streamed (e.g. huge_body(300MiB))
  endless_body([STATUS])         a chunked body that never ends, streamed
  rate_limit(SECS)               429, Retry-After: SECS
  rate_limit_date(SECS)          429, Retry-After: the HTTP date SECS from now
  rate_limit_header(VALUE)       429, Retry-After: VALUE verbatim
  rate_limit_absurd              429, Retry-After: 99999999999999999999
  redirect(STATUS,LOCATION)      3xx to LOCATION; {path}, {host}, {other_host} are replaced
  redirect_other_region([STATUS]) 301 to the same path on the other region's host
  echo_auth([STATUS])            400 echoing the Authorization header in body and headers
  storm(RATE[,STATUS][,seed=N])  RATE of the requests get STATUS (503) with an errors body
  chaos(RATE[,seed=N][,[W*]ACTION...])  RATE of the requests get one ACTION, picked by weight
                                 W (1); no ACTION = 503, 500, rate_limit(1),
                                 reset_before_body, reset_after_apply, delay(1000)
Examples: 'drip(50):/api/v1/customers:3'  'rate_limit_date(5)'  'huge_body(300MiB):/v1/'
  'storm(3/10,seed=1):*:forever'  'chaos(20%,seed=7,2*error(503),reset_after_apply):/api/:100'";

fn parse_spec(spec: &str) -> Result<Fault, String> {
    let spec = spec.trim();
    let split = top_level_find(spec, ':');
    let (action, rest) = match split {
        Some(i) => (&spec[..i], Some(&spec[i + 1..])),
        None => (spec, None),
    };
    let action = parse_action(action.trim())?;
    let (prefix, times) = match rest {
        None => ("", None),
        Some(rest) => match rest.rsplit_once(':') {
            Some((prefix, times)) => (prefix, Some(times)),
            None => (rest, None),
        },
    };
    let prefix = prefix.trim();
    let path_prefix = match prefix {
        "" | "*" => None,
        p if p.starts_with('/') => Some(p.to_string()),
        p => {
            return Err(format!(
                "PATH_PREFIX {p:?} must start with '/' (or be '*' for every path)"
            ))
        }
    };
    let times = match times.map(str::trim) {
        None => 1,
        Some("forever" | "always" | "inf") => Fault::FOREVER,
        Some(t) => t
            .parse()
            .map_err(|_| format!("TIMES {t:?} must be a number or 'forever'"))?,
    };
    Ok(Fault {
        path_prefix,
        times,
        action,
    })
}

/// Index of the first `needle` outside parentheses.
fn top_level_find(text: &str, needle: char) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if c == needle && depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// Splits at commas outside parentheses.
fn split_args(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(i) = top_level_find(rest, ',') {
        parts.push(&rest[..i]);
        rest = &rest[i + 1..];
    }
    parts.push(rest);
    parts
}

/// Reads one `NAME` or `NAME(ARGS)` action.
pub(crate) fn parse_action(text: &str) -> Result<FaultAction, String> {
    let (name, args) = match text.find('(') {
        Some(open) => {
            let inner = text[open + 1..]
                .strip_suffix(')')
                .ok_or_else(|| format!("{text:?}: missing ')' at the end"))?;
            (&text[..open], split_args(inner))
        }
        None => (text, Vec::new()),
    };
    let name = name.trim();
    let all: Vec<&str> = args.iter().map(|a| a.trim()).collect();
    let positional = |i: usize| all.get(i).copied().filter(|a| !a.is_empty());
    let want = |i: usize, what: &str| {
        positional(i).ok_or_else(|| format!("{name}: {what} is required, e.g. {name}(…)"))
    };
    let number = |i: usize, what: &str| -> Result<u64, String> {
        let arg = want(i, what)?;
        arg.parse()
            .map_err(|_| format!("{name}: {what} {arg:?} must be a non-negative integer"))
    };
    let status_or = |i: usize, default: u16, range: (u16, u16)| -> Result<u16, String> {
        match positional(i) {
            None => Ok(default),
            Some(arg) => arg
                .parse::<u16>()
                .ok()
                .filter(|s| (range.0..=range.1).contains(s))
                .ok_or_else(|| {
                    format!(
                        "{name}: STATUS {arg:?} must be from {} to {}",
                        range.0, range.1
                    )
                }),
        }
    };
    let u32_arg = |i: usize, what: &str| -> Result<u32, String> {
        u32::try_from(number(i, what)?).map_err(|_| format!("{name}: {what} is too large"))
    };
    let max_args = |n: usize| {
        if all.len() > n && all.iter().skip(n).any(|a| !a.is_empty()) {
            Err(format!("{name}: takes at most {n} argument(s)"))
        } else {
            Ok(())
        }
    };
    let full = (200, 999);
    let action = match name {
        "respond" => {
            let status = status_or(0, 0, full)?;
            if status == 0 {
                return Err("respond: STATUS (200 to 999) is required".to_string());
            }
            // The body is the rest of the arguments, commas included.
            let body = if args.len() > 1 {
                args[1..].join(",")
            } else {
                String::new()
            };
            FaultAction::Respond {
                status,
                headers: Vec::new(),
                body: body.into_bytes(),
            }
        }
        "error" => {
            max_args(1)?;
            want(0, "STATUS")?;
            FaultAction::error(status_or(0, 0, full)?)
        }
        "delay" => {
            max_args(1)?;
            FaultAction::Delay {
                ms: number(0, "MS")?,
            }
        }
        "stall" => simple(&all, name, FaultAction::Stall)?,
        "reset" => simple(&all, name, FaultAction::Reset)?,
        "reset_before_body" => simple(&all, name, FaultAction::ResetBeforeBody)?,
        "reset_after_apply" => simple(&all, name, FaultAction::ResetAfterApply)?,
        "drip" => {
            let interval_ms = number(0, "MS")?;
            match all.get(1..) {
                Some(rest) if !rest.is_empty() => FaultAction::Drip {
                    interval_ms,
                    body: args[1..].join(",").trim().as_bytes().to_vec(),
                },
                _ => FaultAction::drip(interval_ms),
            }
        }
        "drip_forever" => {
            max_args(1)?;
            FaultAction::drip_forever(number(0, "MS")?)
        }
        "truncated" => {
            max_args(2)?;
            let missing = match positional(1) {
                None => 1024,
                Some(_) => number(1, "MISSING")?,
            };
            FaultAction::Truncated {
                status: status_or(0, 200, full)?,
                body: TRUNCATED_BODY.to_vec(),
                missing,
            }
        }
        "invalid_json" => {
            max_args(1)?;
            FaultAction::InvalidJson {
                status: status_or(0, 200, full)?,
            }
        }
        "huge_body" => {
            max_args(2)?;
            FaultAction::HugeBody {
                bytes: parse_size(want(0, "SIZE")?)?,
                status: status_or(1, 200, full)?,
            }
        }
        "endless_body" => {
            max_args(1)?;
            FaultAction::EndlessBody {
                status: status_or(0, 200, full)?,
            }
        }
        "rate_limit" => {
            max_args(1)?;
            FaultAction::RateLimit {
                retry_after_secs: u32_arg(0, "SECS")?,
            }
        }
        "rate_limit_date" => {
            max_args(1)?;
            FaultAction::rate_limit_date(u32_arg(0, "SECS")?)
        }
        "rate_limit_header" => {
            let value = args.join(",").trim().to_string();
            if value.is_empty() || axum::http::HeaderValue::from_str(&value).is_err() {
                return Err(format!(
                    "rate_limit_header: VALUE {value:?} must be a non-empty header value"
                ));
            }
            FaultAction::RateLimitHeader { retry_after: value }
        }
        "rate_limit_absurd" => simple(&all, name, FaultAction::rate_limit_absurd())?,
        "redirect" => {
            let status = status_or(0, 0, (300, 399))?;
            if status == 0 {
                return Err("redirect: STATUS (300 to 399) is required".to_string());
            }
            let location = args.get(1..).map(|r| r.join(",")).unwrap_or_default();
            let location = location.trim();
            if location.is_empty() {
                return Err("redirect: LOCATION is required".to_string());
            }
            FaultAction::redirect(status, location)
        }
        "redirect_other_region" => {
            max_args(1)?;
            FaultAction::redirect_other_region(status_or(0, 301, (300, 399))?)
        }
        "echo_auth" => {
            max_args(1)?;
            FaultAction::echo_auth(status_or(0, 400, full)?)
        }
        "storm" | "chaos" => parse_chaos(name, &all)?,
        "" => return Err("ACTION is empty".to_string()),
        other => {
            return Err(format!(
                "unknown ACTION {other:?}; see `cio-emulator --help` for the list"
            ))
        }
    };
    Ok(action)
}

fn simple(args: &[&str], name: &str, action: FaultAction) -> Result<FaultAction, String> {
    if args.iter().any(|a| !a.is_empty()) {
        return Err(format!("{name} takes no arguments"));
    }
    Ok(action)
}

fn parse_chaos(name: &str, args: &[&str]) -> Result<FaultAction, String> {
    let rate = parse_rate(
        args.first()
            .copied()
            .filter(|a| !a.is_empty())
            .ok_or_else(|| format!("{name}: RATE is required, e.g. {name}(20%)"))?,
    )?;
    let mut seed = 0;
    let mut status = None;
    let mut choices = Vec::new();
    for arg in &args[1..] {
        if let Some(value) = arg.strip_prefix("seed=") {
            seed = value
                .trim()
                .parse()
                .map_err(|_| format!("{name}: seed {value:?} must be a non-negative integer"))?;
        } else if name == "storm" {
            let parsed = arg.parse::<u16>().ok().filter(|s| (200..=999).contains(s));
            status =
                Some(parsed.ok_or_else(|| format!("storm: STATUS {arg:?} must be 200 to 999"))?);
        } else {
            let (weight, action) = match top_level_find(arg, '*') {
                Some(i) => {
                    let weight = arg[..i].trim();
                    let weight = weight
                        .parse()
                        .map_err(|_| format!("chaos: weight {weight:?} must be an integer"))?;
                    (weight, &arg[i + 1..])
                }
                None => (1, *arg),
            };
            choices.push((weight, parse_action(action.trim())?));
        }
    }
    Ok(if name == "storm" {
        FaultAction::storm(status.unwrap_or(503), rate, seed)
    } else if choices.is_empty() {
        FaultAction::chaos(rate, seed)
    } else {
        FaultAction::Chaos {
            rate,
            seed,
            choices,
        }
    })
}

/// `always`, `20%`, `0.2` or `3/10`.
pub(crate) fn parse_rate(text: &str) -> Result<Rate, String> {
    let text = text.trim();
    let bad = || format!("RATE {text:?} must be 'always', 'P%', a fraction from 0 to 1 or 'K/N'");
    if text == "always" {
        return Ok(Rate::Always);
    }
    if let Some(percent) = text.strip_suffix('%') {
        let p: f64 = percent.trim().parse().map_err(|_| bad())?;
        return if (0.0..=100.0).contains(&p) {
            Ok(Rate::percent(p))
        } else {
            Err(bad())
        };
    }
    if let Some((k, n)) = text.split_once('/') {
        let k: u32 = k.trim().parse().map_err(|_| bad())?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        return if k <= n {
            Ok(Rate::KOfN { k, n })
        } else {
            Err(bad())
        };
    }
    let p: f64 = text.parse().map_err(|_| bad())?;
    if (0.0..=1.0).contains(&p) {
        Ok(Rate::Probability(p))
    } else {
        Err(bad())
    }
}

/// A byte count with an optional suffix: `300MiB`, `300M`, `1.5GB`, `4096`.
pub(crate) fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(digits);
    let multiplier: u64 = match suffix.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        _ => return Err(format!("SIZE {text:?}: unknown unit {suffix:?}")),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("SIZE {text:?} must be a number with an optional unit"))?;
    let bytes = value * multiplier as f64;
    if !(0.0..=u64::MAX as f64).contains(&bytes) {
        return Err(format!("SIZE {text:?} is out of range"));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_forms() {
        assert_eq!(
            Fault::parse("drip(50):/api/v1/customers:3").unwrap(),
            Fault::new(FaultAction::drip(50))
                .with_path("/api/v1/customers")
                .with_times(3)
        );
        assert_eq!(
            Fault::parse("reset").unwrap(),
            Fault::new(FaultAction::Reset)
        );
        assert_eq!(
            Fault::parse("stall:*:forever").unwrap(),
            Fault::new(FaultAction::Stall).forever()
        );
        assert_eq!(
            Fault::parse("redirect(302,https://evil.example.com{path}):/v1/:2").unwrap(),
            Fault::new(FaultAction::redirect(302, "https://evil.example.com{path}"))
                .with_path("/v1/")
                .with_times(2)
        );
        assert_eq!(
            Fault::parse("huge_body(300MiB)").unwrap().action,
            FaultAction::huge_body(300 << 20)
        );
        assert_eq!(
            Fault::parse("respond(502,{\"a\":1, \"b\":2})")
                .unwrap()
                .action,
            FaultAction::Respond {
                status: 502,
                headers: vec![],
                body: b"{\"a\":1, \"b\":2}".to_vec()
            }
        );
        assert_eq!(
            Fault::parse("storm(3/10,seed=9)").unwrap().action,
            FaultAction::storm(503, Rate::KOfN { k: 3, n: 10 }, 9)
        );
        assert_eq!(
            Fault::parse("chaos(20%,seed=7)").unwrap().action,
            FaultAction::chaos(Rate::Probability(0.2), 7)
        );
        assert_eq!(
            Fault::parse("chaos(0.5,2*error(503),rate_limit(1),delay(5))")
                .unwrap()
                .action,
            FaultAction::Chaos {
                rate: Rate::Probability(0.5),
                seed: 0,
                choices: vec![
                    (2, FaultAction::error(503)),
                    (
                        1,
                        FaultAction::RateLimit {
                            retry_after_secs: 1
                        }
                    ),
                    (1, FaultAction::Delay { ms: 5 }),
                ],
            }
        );
        assert_eq!(
            Fault::parse("echo_auth").unwrap().action,
            FaultAction::echo_auth(400)
        );
        assert_eq!(
            Fault::parse("rate_limit_absurd").unwrap().action,
            FaultAction::rate_limit_absurd()
        );
    }

    #[test]
    fn spec_errors_say_what_is_wrong() {
        for (bad, expected) in [
            ("explode", "unknown ACTION"),
            ("drip", "MS is required"),
            ("drip(50):api", "must start with '/'"),
            ("drip(50):/a:x", "TIMES"),
            ("reset(1)", "takes no arguments"),
            ("redirect(200,https://x)", "300 to 399"),
            ("storm(150%)", "RATE"),
            ("chaos(1/2,x*reset)", "weight"),
            ("huge_body(3 parsecs)", "unit"),
            ("delay(5", "missing ')'"),
        ] {
            let err = Fault::parse(bad).unwrap_err();
            assert!(err.contains(expected), "{bad}: {err}");
        }
    }

    #[test]
    fn k_of_n_hits_exactly_k_per_window() {
        let mut queued = Queued::new(
            Fault::new(FaultAction::storm(503, Rate::KOfN { k: 3, n: 10 }, 5)).forever(),
        );
        for _ in 0..20 {
            let hits = (0..10).filter(|_| queued.resolve().is_some()).count();
            assert_eq!(hits, 3);
        }
    }

    #[test]
    fn chaos_is_reproducible_per_seed() {
        let run = |seed| {
            let mut queued =
                Queued::new(Fault::new(FaultAction::chaos(Rate::percent(20.0), seed)).forever());
            let mut counts = BTreeMap::new();
            for _ in 0..5000 {
                count(&mut counts, queued.resolve().as_ref());
            }
            counts
        };
        let a = run(42);
        assert_eq!(a, run(42));
        assert_ne!(a, run(43));
        let faulted: u64 = a.iter().filter(|(k, _)| *k != "pass").map(|(_, v)| v).sum();
        assert!((800..1200).contains(&faulted), "{a:?}");
        for label in [
            "respond_503",
            "respond_500",
            "rate_limit",
            "reset_before_body",
            "reset_after_apply",
            "delay",
        ] {
            assert!(a[label] > 100, "{label}: {a:?}");
        }
    }

    #[test]
    fn sizes_and_rates() {
        assert_eq!(parse_size("300MiB").unwrap(), 314_572_800);
        assert_eq!(parse_size("2k").unwrap(), 2048);
        assert_eq!(parse_size("1.5GB").unwrap(), 1_500_000_000);
        assert_eq!(parse_rate("always").unwrap(), Rate::Always);
        assert_eq!(parse_rate("1/5").unwrap(), Rate::KOfN { k: 1, n: 5 });
        assert!(parse_rate("6/5").is_err());
        assert!(parse_rate("1.5").is_err());
    }
}
