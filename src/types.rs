//! Plain-Rust mirrors of the WIT types, so the core can be built and tested natively.
//!
//! `Debug` on credentials is written by hand: a derived one would print secrets into any
//! `{:?}` of a config, and such dumps end up in logs.

use std::fmt;

/// Which Customer.io API a connection talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConnectorKind {
    /// Track API: people, events, devices (Basic auth).
    Track,
    /// App API: messaging, campaigns, segments (Bearer auth).
    App,
    /// Beta API: App features still in beta (Bearer auth with the App key).
    Beta,
}

impl ConnectorKind {
    /// All kinds, in the order the catalog lists them.
    pub const ALL: [ConnectorKind; 3] = [
        ConnectorKind::Track,
        ConnectorKind::App,
        ConnectorKind::Beta,
    ];

    /// The lowercase name used in operation ids and on the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectorKind::Track => "track",
            ConnectorKind::App => "app",
            ConnectorKind::Beta => "beta",
        }
    }

    /// Parses `track`, `app` or `beta`.
    pub fn parse(s: &str) -> Option<ConnectorKind> {
        ConnectorKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The data centre of a workspace. `Auto` is only ever an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Region {
    /// United States (`track.customer.io`, `api.customer.io`).
    Us,
    /// European Union (`track-eu.customer.io`, `api-eu.customer.io`).
    Eu,
    /// Ask Customer.io (Track) or probe US then EU (App/Beta).
    Auto,
}

impl Region {
    /// `us`, `eu` or `auto`.
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Auto => "auto",
        }
    }

    /// Parses `us`, `eu` or `auto` (case-insensitive).
    pub fn parse(s: &str) -> Option<Region> {
        match s.to_ascii_lowercase().as_str() {
            "us" => Some(Region::Us),
            "eu" => Some(Region::Eu),
            "auto" => Some(Region::Auto),
            _ => None,
        }
    }
}

/// Track API credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct TrackCredentials {
    /// Site id: the Basic-auth user name. Not secret on its own, but treated as one.
    pub site_id: String,
    /// Track API key: the Basic-auth password.
    pub api_key: String,
}

impl fmt::Debug for TrackCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TrackCredentials { site_id: <redacted>, api_key: <redacted> }")
    }
}

/// The credentials of one connection.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// Site id and Track API key.
    Track(TrackCredentials),
    /// App API key (also serves the Beta API).
    App(String),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Track(t) => write!(f, "Track({t:?})"),
            Credentials::App(_) => f.write_str("App(<redacted>)"),
        }
    }
}

impl Credentials {
    /// Every form in which a secret could come back from upstream or end up in an output: the
    /// key itself and, for Track, `site_id:key`; each raw, in standard and URL-safe base64 (the
    /// Basic header), JSON-escaped (once and twice, for bodies inside JSON strings) and
    /// percent-encoded. The site id alone is not a secret and is left alone. Longest first, so
    /// a longer form is replaced before a shorter one inside it.
    pub fn secrets(&self) -> Vec<String> {
        let raw = match self {
            Credentials::Track(t) => {
                vec![t.api_key.clone(), format!("{}:{}", t.site_id, t.api_key)]
            }
            Credentials::App(k) => vec![k.clone()],
        };
        let json = |s: &str| {
            let q = serde_json::Value::String(s.to_string()).to_string();
            q[1..q.len() - 1].to_string()
        };
        let mut out = Vec::new();
        for r in raw {
            out.push(crate::util::b64(r.as_bytes()));
            out.push(crate::util::b64_url(r.as_bytes()));
            out.push(crate::util::encode_segment(&r));
            out.push(crate::util::encode_all(&r, true));
            out.push(crate::util::encode_all(&r, false));
            out.push(json(&json(&r)));
            out.push(json(&r));
            out.push(r);
        }
        out.retain(|s| s.len() >= 3);
        out.sort_by_key(|s| std::cmp::Reverse(s.len()));
        out.dedup();
        out
    }
}

/// One connection: API, region and that API's credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionConfig {
    /// Which API.
    pub connector: ConnectorKind,
    /// Which data centre (`Auto` costs one probe per call).
    pub region: Region,
    /// The credentials for `connector`.
    pub credentials: Credentials,
}

/// Hints a workflow builder uses to label and schedule steps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Hints {
    /// Changes nothing upstream.
    pub read_only: bool,
    /// Deletes or overwrites data.
    pub destructive: bool,
    /// Safe to repeat.
    pub idempotent: bool,
    /// Returns pages.
    pub paginated: bool,
}

/// What kind of step an operation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationKind {
    /// A named API call.
    Action,
    /// A dropdown source.
    Lookup,
    /// The universal raw HTTP request.
    RawHttp,
}

impl OperationKind {
    /// The WIT name.
    pub fn as_str(self) -> &'static str {
        match self {
            OperationKind::Action => "action",
            OperationKind::Lookup => "lookup",
            OperationKind::RawHttp => "raw-http",
        }
    }
}

/// One operation as `list-operations` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationDescriptor {
    /// `<api>.<resource>.<action>`.
    pub id: String,
    /// Short human title.
    pub title: String,
    /// What it does and when to use it.
    pub description: String,
    /// The API (and so the connection) it needs.
    pub connector: ConnectorKind,
    /// Action, lookup or raw HTTP.
    pub kind: OperationKind,
    /// Scheduling hints.
    pub hints: Hints,
    /// JSON Schema 2020-12 of the input.
    pub input_schema: String,
    /// JSON Schema 2020-12 of the output.
    pub output_schema: String,
}

/// The result of a successful connection test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthInfo {
    /// The API tested.
    pub connector: ConnectorKind,
    /// The resolved region (never `Auto`).
    pub region: Region,
    /// The base URL operations will use.
    pub base_url: String,
    /// JSON object with what the probe learned.
    pub details: String,
}

/// One `execute` call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecuteRequest {
    /// The operation to run.
    pub operation_id: String,
    /// The connection to run it on.
    pub config: ConnectionConfig,
    /// JSON input.
    pub input: String,
    /// Budget for the whole call, retries included.
    pub timeout_ms: Option<u32>,
    /// Correlation id sent as `X-Request-Id`.
    pub request_id: Option<String>,
}

/// The result of a successful `execute`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecuteResponse {
    /// JSON output: the API's own answer.
    pub output: String,
    /// Status of the last upstream response.
    pub status: u16,
    /// Upstream requests made.
    pub requests: u32,
}
