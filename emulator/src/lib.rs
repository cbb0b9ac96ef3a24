//! A local Customer.io API emulator on loopback.
//!
//! The connector's tests and its credential-free demo need a server that answers like the real Track,
//! App and Beta APIs (hosts, regions, auth, identifier escaping, error shapes) without any network
//! access. The emulator listens on `127.0.0.1` only; clients reach the "real" hosts by sending the
//! real host name in `Host` (or `X-Forwarded-Host`), so one port serves every API and region.
//!
//! Everything it receives is recorded, and faults can be injected to exercise retry paths. Non-Rust
//! hosts reach the same controls over HTTP under `/__emulator__/`.

#![deny(missing_docs)]

mod app;
mod assets;
mod broadcast;
mod check;
mod content;
mod deliveries;
mod design_email;
mod design_studio;
mod exports;
mod fault;
mod fault_json;
mod fault_serve;
mod filter;
mod fixtures;
mod inspect;
mod live;
mod newsletters;
mod objects;
mod parse;
mod people;
mod records;
mod segments;
mod server;
mod settings;
mod site;
mod state;
mod track;
mod track_v2;
mod transactional;
mod util;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;
use std::thread::JoinHandle;

use base64::Engine as _;

use crate::state::{Shared, SiteData};

pub use crate::fault::{Fault, FaultAction, Rate, FAULT_SPEC_HELP};

/// The demo workspace's site id; a workspace with this id starts with the demo broadcast data.
pub(crate) const DEMO_SITE_ID: &str = "demo-site";

/// Customer.io keeps each account in one data centre; the emulator must know which one to decide
/// between serving, redirecting and refusing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    /// The US data centre (`track.customer.io`, `api.customer.io`).
    Us,
    /// The EU data centre (`track-eu.customer.io`, `api-eu.customer.io`).
    Eu,
}

impl Region {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
        }
    }
}

/// One workspace's credentials: Track uses Basic `site_id:track_key`, App and Beta a Bearer
/// `app_key`, and the region decides which hosts accept them.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// Basic-auth user name on Track; also the workspace name reported by the App API.
    pub site_id: String,
    /// Basic-auth password on Track.
    pub track_key: String,
    /// Bearer token on the App and Beta APIs.
    pub app_key: String,
    /// The data centre whose hosts serve this workspace.
    pub region: Region,
}

impl Workspace {
    /// The fixed credentials demos and docs can quote without any setup. Its workspace (like any
    /// with site id `demo-site`) starts as a workspace in use, with what the operations'
    /// examples name: people `42` (Jane, `jane@example.com`, plan pro, in manual segment 7) and
    /// `43` (plan free); broadcast 8's processed trigger 1, so `GET /v1/campaigns/8/triggers/1`
    /// answers at once; delivery `dlv_demo_1` to `demo-person`; live notification
    /// `01HF7YAT000440Y5GX4GNK4EA0` (Jane's order, active); and export 1 and import 1, both
    /// finished. Other workspaces start with none of these. Every workspace has broadcasts 8, 15
    /// and 16, segments 3 and 7 and serves the same generated campaigns (1..=250), newsletters
    /// (1..=120) and transactional templates (1..=3).
    pub fn demo() -> Workspace {
        Workspace {
            site_id: DEMO_SITE_ID.to_string(),
            track_key: "demo-track-key".to_string(),
            app_key: "demo-app-key".to_string(),
            region: Region::Us,
        }
    }

    /// Reads the CLI form `SITE:TRACK_KEY:APP_KEY:us|eu`, so that a command line can describe a
    /// workspace in one argument.
    pub fn parse(spec: &str) -> Result<Workspace, String> {
        let parts: Vec<&str> = spec.split(':').map(str::trim).collect();
        if parts.len() != 4 {
            return Err(format!(
                "workspace {spec:?} must have the form SITE:TRACK_KEY:APP_KEY:REGION \
                 (4 fields separated by ':', found {})",
                parts.len()
            ));
        }
        for (value, name) in parts.iter().zip(["SITE", "TRACK_KEY", "APP_KEY", "REGION"]) {
            if value.is_empty() {
                return Err(format!("workspace {spec:?}: {name} is empty"));
            }
        }
        let region = match parts[3].to_ascii_lowercase().as_str() {
            "us" => Region::Us,
            "eu" => Region::Eu,
            other => {
                return Err(format!(
                    "workspace {spec:?}: REGION must be \"us\" or \"eu\", not {other:?}"
                ))
            }
        };
        Ok(Workspace {
            site_id: parts[0].to_string(),
            track_key: parts[1].to_string(),
            app_key: parts[2].to_string(),
            region,
        })
    }
}

impl FromStr for Workspace {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Workspace::parse(s)
    }
}

/// The sources disagree on what the US App host does with an EU key (301 with a `Location` versus
/// 401), so clients must be testable against both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum WrongRegionMode {
    /// 301 with `Location` on the EU host and a `wrong datacenter` body (customerio-node#134).
    #[default]
    Redirect301,
    /// A plain 401, as n8n and Airbyte report.
    Unauthorized401,
}

/// Start-up settings for [`Emulator::start`].
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// The workspaces whose credentials are accepted.
    pub workspaces: Vec<Workspace>,
    /// Port on 127.0.0.1; 0 lets the OS pick a free one, which parallel tests need.
    pub port: u16,
    /// What the US App/Beta host does with an EU workspace's key.
    pub app_wrong_region: WrongRegionMode,
    /// Requests per second allowed per App key before 429; `None` leaves App calls unlimited.
    pub app_rate_limit: Option<u32>,
    /// Also listen on one port per Customer.io host (the six of [`HOSTS`], in that order from
    /// this port; 0 lets the OS pick each), each serving as that host whatever `Host` says — for
    /// hosts that cannot set `Host` (a JS runtime sets it from the URL), which then route by
    /// address alone.
    pub per_host_ports: Option<u16>,
}

/// The six Customer.io API hosts, in the order [`EmulatorConfig::per_host_ports`] gives them
/// ports.
pub const HOSTS: [&str; 6] = [
    "track.customer.io",
    "track-eu.customer.io",
    "api.customer.io",
    "api-eu.customer.io",
    "beta-api.customer.io",
    "beta-api-eu.customer.io",
];

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            workspaces: vec![Workspace::demo()],
            port: 0,
            app_wrong_region: WrongRegionMode::Redirect301,
            app_rate_limit: None,
            per_host_ports: None,
        }
    }
}

/// A running emulator. It serves from its own thread and runtime so that plain synchronous code can
/// use it; dropping it stops the server.
pub struct Emulator {
    addr: SocketAddr,
    hosts: Vec<(&'static str, SocketAddr)>,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Starts the server on 127.0.0.1 in a background thread that owns its own tokio runtime and
    /// returns once it is listening, so callers need no runtime of their own (and may have one).
    pub fn start(config: EmulatorConfig) -> io::Result<Emulator> {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let mut listeners = vec![(listener, None)];
        let mut hosts = Vec::new();
        if let Some(base) = config.per_host_ports {
            for (i, host) in HOSTS.into_iter().enumerate() {
                let port = if base == 0 {
                    0
                } else {
                    base.checked_add(i as u16)
                        .ok_or_else(|| io::Error::other("per-host ports run past 65535"))?
                };
                let l = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))?;
                l.set_nonblocking(true)?;
                hosts.push((host, l.local_addr()?));
                listeners.push((l, Some(host)));
            }
        }
        let shared = Arc::new(Shared::new(config));
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("cio-emulator-{}", addr.port()))
            .spawn(move || server::run(listeners, thread_shared, shutdown_rx, ready_tx))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Emulator {
                addr,
                hosts,
                shared,
                shutdown: Some(shutdown_tx),
                thread: Some(thread),
            }),
            Ok(Err(err)) => {
                let _ = thread.join();
                Err(err)
            }
            Err(_) => {
                let _ = thread.join();
                Err(io::Error::other(
                    "the emulator thread stopped during start-up",
                ))
            }
        }
    }

    /// The bound address, needed when the port was chosen by the OS.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Base URL to point a client's transport at; the API host goes in `Host`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// With [`EmulatorConfig::per_host_ports`]: each Customer.io host and the base URL that
    /// serves as it (empty otherwise).
    pub fn host_urls(&self) -> Vec<(&'static str, String)> {
        self.hosts
            .iter()
            .map(|(h, a)| (*h, format!("http://{a}")))
            .collect()
    }

    /// Every request received, in order, including faulted ones (the `/__emulator__/` controls are
    /// not requests to the APIs and are left out).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Every request received, in order, each with what the emulator answered when it answered
    /// from its own routes (`None` for a fault that cut the connection or a request still in
    /// flight): what a conformance test checks against Customer.io's published response schemas.
    pub fn exchanges(&self) -> Vec<(RecordedRequest, Option<RecordedResponse>)> {
        let state = self.shared.lock();
        let mut out: Vec<(RecordedRequest, Option<RecordedResponse>)> =
            state.requests.iter().cloned().map(|r| (r, None)).collect();
        for (index, response) in &state.responses {
            if let Some(slot) = out.get_mut(*index) {
                slot.1 = Some(response.clone());
            }
        }
        out
    }

    /// Forgets the recorded requests (and their answers), so a test can look at one phase only.
    pub fn clear_requests(&self) {
        let mut state = self.shared.lock();
        state.requests.clear();
        state.responses.clear();
    }

    /// Runs `read` on a workspace's data; an unknown workspace gives `T::default()`.
    fn with_site<T: Default>(&self, site_id: &str, read: impl FnOnce(&SiteData) -> T) -> T {
        let state = self.shared.lock();
        state.sites.get(site_id).map(read).unwrap_or_default()
    }

    /// Looks a person up the way a test thinks of them: by id, by email (case-insensitive) or by
    /// `cio_<cio_id>`. [`Person::unsubscribed`] tells whether they unsubscribed.
    pub fn person(&self, site_id: &str, identifier: &str) -> Option<Person> {
        self.with_site(site_id, |site| {
            site.lookup(identifier).map(|i| site.people[i].clone())
        })
    }

    /// All people of a workspace, in creation order.
    pub fn people(&self, site_id: &str) -> Vec<Person> {
        self.with_site(site_id, |site| site.people.clone())
    }

    /// All stored events of a workspace, in arrival order (duplicates by `id` are not stored, nor
    /// events for suppressed identifiers). v2 `event`, `page` and `screen` operations land here too.
    pub fn events(&self, site_id: &str) -> Vec<StoredEvent> {
        self.with_site(site_id, |site| site.events.clone())
    }

    /// The devices of the person `identifier` names (as in [`Emulator::person`]), in the order
    /// they were first added; empty when there is no such person.
    pub fn devices(&self, site_id: &str, identifier: &str) -> Vec<Device> {
        self.with_site(site_id, |site| {
            site.lookup(identifier)
                .and_then(|i| site.devices.get(&site.people[i].cio_id).cloned())
                .unwrap_or_default()
        })
    }

    /// The members of a segment, each as their id, else email, else `cio_<cio_id>`, in creation
    /// order of the people. Every workspace starts with manual segment 7 ("VIP customers") and
    /// data-driven segment 3 ("Active users"); empty for any other id.
    pub fn segment_members(&self, site_id: &str, segment_id: u64) -> Vec<String> {
        self.with_site(site_id, |site| {
            site.segments
                .get(&segment_id)
                .map(|segment| site.member_labels(segment))
                .unwrap_or_default()
        })
    }

    /// The suppressed identifiers (ids and emails) of a workspace, in suppression order.
    pub fn suppressed(&self, site_id: &str) -> Vec<String> {
        self.with_site(site_id, |site| {
            site.suppressions.iter().flatten().cloned().collect()
        })
    }

    /// The objects (Track v2 `type: object`) of a workspace, in creation order.
    pub fn objects(&self, site_id: &str) -> Vec<StoredObject> {
        self.with_site(site_id, |site| site.objects.clone())
    }

    /// The person↔object relationships of a workspace, in creation order.
    pub fn relationships(&self, site_id: &str) -> Vec<Relationship> {
        self.with_site(site_id, SiteData::relationships_out)
    }

    /// The form submissions (`POST /api/v1/forms/{form_id}/submit`) of a workspace, in order.
    pub fn form_submissions(&self, site_id: &str) -> Vec<FormSubmission> {
        self.with_site(site_id, |site| site.forms.clone())
    }

    /// Every delivery metric received, in arrival order, from every workspace and both regions:
    /// `POST /api/v1/metrics`, `POST /api/v1/push/events` (or `/push/events`), `POST
    /// /unsubscribe/{delivery_id}` and v2 `delivery` events. Each is
    /// `{"endpoint": <request path>, "region": "us"|"eu" (of the host), "site_id": <workspace, or
    /// null for the unauthenticated endpoints>, "body": <the metric or v2 operation as sent>}`.
    pub fn metrics(&self) -> Vec<serde_json::Value> {
        self.shared.lock().metrics.clone()
    }

    /// Makes a delivery known, so that `POST /unsubscribe/{delivery_id}` unsubscribes `person`
    /// (an id, email or `cio_<cio_id>`; created as identify would if missing). The demo workspace
    /// starts with delivery `dlv_demo_1` to the person with id `demo-person`.
    pub fn add_delivery(&self, site_id: &str, delivery_id: &str, person: &str) {
        self.shared
            .lock()
            .site_mut(site_id)
            .deliveries
            .insert(delivery_id.to_string(), person.to_string());
    }

    /// How long the workspace's exports and imports take to finish (one second by default):
    /// `Some(Duration::ZERO)` finishes them at once, `None` keeps them pending for ever. It
    /// applies to those already created too, since their status is read from their age.
    pub fn set_job_delay(&self, site_id: &str, delay: Option<std::time::Duration>) {
        self.shared.lock().site_mut(site_id).people_app.job_delay = delay;
    }

    /// A workspace's whole state as JSON, the same document `GET /__emulator__/state?site=SITE`
    /// serves: `people` (with `devices` and `segments`), `events`, `segments`, `suppressed`,
    /// `objects`, `relationships`, `form_submissions`, `deliveries`, `transactional_deliveries`
    /// (as [`Emulator::transactional_deliveries`]), `newsletters` (`changed`: created ones and
    /// those sent or scheduled, by id; `deleted` ids; `sends`: each send and schedule),
    /// `live_notifications` (each instance's status with what was sent), `edits` (actions and
    /// contents as `PUT` left them) and the global `metrics`. `None` for an unknown workspace.
    pub fn state_json(&self, site_id: &str) -> Option<serde_json::Value> {
        let state = self.shared.lock();
        let site = state.sites.get(site_id)?;
        Some(inspect::state_json(site, &state.metrics))
    }

    /// The triggers of one broadcast of a workspace, in creation order: each is the API's trigger
    /// object (`id`, `broadcast_id`, `created_at`, `processed_at`) plus the request body that created
    /// it under `"request"` (`{}` for the demo workspace's pre-seeded trigger 1). Empty when the
    /// workspace or broadcast is unknown.
    pub fn broadcast_triggers(&self, site_id: &str, broadcast_id: u64) -> Vec<serde_json::Value> {
        let state = self.shared.lock();
        let Some(site) = state.sites.get(site_id) else {
            return Vec::new();
        };
        site.broadcasts
            .triggers_of(broadcast_id)
            .map(|trigger| {
                let mut value = trigger.to_json();
                if let serde_json::Value::Object(map) = &mut value {
                    map.insert("request".to_string(), trigger.request.clone());
                }
                value
            })
            .collect()
    }

    /// The transactional sends (`POST /v1/send/{channel}`) a workspace accepted, in order: each is
    /// `{"delivery_id", "channel", "transactional_message_id"` (the template's id, also when the
    /// send named its trigger name)`, "identifiers", "queued_at", "send_at"` (as sent, or null)`,
    /// "request"` (the whole body)`}`. Each delivery id also works with `POST
    /// /unsubscribe/{delivery_id}`. Empty for an unknown workspace.
    pub fn transactional_deliveries(&self, site_id: &str) -> Vec<serde_json::Value> {
        self.with_site(site_id, |site| site.transactional.clone())
    }

    /// Queues a fault; faults are tried in injection order before any auth or routing, and the
    /// first one whose prefix matches decides. One with `times == 0` is ignored.
    pub fn inject(&self, fault: Fault) {
        self.shared.lock().push_fault(fault);
    }

    /// Removes every pending fault (the counts of [`Emulator::fault_counts`] stay).
    pub fn clear_faults(&self) {
        self.shared.lock().clear_faults();
    }

    /// The pending faults, in queue order, each with the uses it has left.
    pub fn pending_faults(&self) -> Vec<Fault> {
        self.shared.lock().pending_faults()
    }

    /// How many times each action was injected since start (or
    /// [`Emulator::clear_fault_counts`]), by [`FaultAction::label`]: `respond_503`, `rate_limit`,
    /// `reset_after_apply`, … A chaos fault counts the action it picked, and `pass` for each
    /// request it let through. The same map is served at `GET /__emulator__/faults/counts`.
    pub fn fault_counts(&self) -> std::collections::BTreeMap<String, u64> {
        self.shared.lock().fault_counts.clone()
    }

    /// Sets every count of [`Emulator::fault_counts`] back to zero.
    pub fn clear_fault_counts(&self) {
        self.shared.lock().fault_counts.clear();
    }

    /// Starts over as if just started: every workspace's data as it was at start (the demo
    /// workspace's seeds included, the job delay back to one second), and no recorded requests,
    /// pending faults, fault counts, rate windows or metrics. The workspaces (with
    /// [`Emulator::add_workspace`]'s changes) and the address stay, so a host routed here keeps
    /// working: a test can run each call against a fresh workspace without reloading its host.
    pub fn reset(&self) {
        self.shared.lock().reset();
    }

    /// Adds credentials while running; a workspace whose `site_id` already exists replaces that
    /// one's keys and region but keeps its people and events.
    pub fn add_workspace(&self, ws: Workspace) {
        self.shared.lock().add_workspace(ws);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .finish()
    }
}

/// One request as it arrived, kept raw so tests can check exactly what a client put on the wire.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `PUT`.
    pub method: String,
    /// Effective host: `X-Forwarded-Host` if present, else `Host`; port stripped, lowercase.
    pub host: String,
    /// Raw path exactly as received, still percent-encoded.
    pub path: String,
    /// Raw query string without the `?`.
    pub query: Option<String>,
    /// Header names in lowercase, values as lossy UTF-8, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The complete body.
    pub body: Vec<u8>,
}

/// The emulator's answer to one [`RecordedRequest`], as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedResponse {
    /// HTTP status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The complete body.
    pub body: Vec<u8>,
}

impl RecordedResponse {
    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

impl RecordedRequest {
    /// First value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, `None` when it is not JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// Decoded Basic credentials; both the standard and the URL-safe base64 alphabet are accepted
    /// because the Go client sends URL-safe.
    pub fn basic_auth(&self) -> Option<(String, String)> {
        let value = self.header("authorization")?.trim();
        let (scheme, rest) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let encoded = rest.trim();
        let decoded = util::STANDARD_LENIENT
            .decode(encoded)
            .or_else(|_| util::URL_SAFE_LENIENT.decode(encoded))
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (user, password) = text.split_once(':')?;
        Some((user.to_string(), password.to_string()))
    }

    /// The Bearer token, `None` when absent or empty.
    pub fn bearer(&self) -> Option<String> {
        let value = self.header("authorization")?.trim();
        let (scheme, rest) = value.split_once(' ')?;
        let token = rest.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
    }

    /// The path's segments after the leading `/`, each percent-decoded exactly once (`+` stays `+`,
    /// invalid UTF-8 is replaced), which is how the emulator itself reads identifiers.
    pub fn decoded_segments(&self) -> Vec<String> {
        util::raw_segments(&self.path)
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect()
    }
}

/// A person as the Track API left them.
#[derive(Clone, Debug)]
pub struct Person {
    /// Customer.io's own id, e.g. `03000001`, addressable as `cio_03000001`.
    pub cio_id: String,
    /// The workspace-defined `id`, if any.
    pub id: Option<String>,
    /// The email address, if any.
    pub email: Option<String>,
    /// Every key of every identify body, merged in arrival order.
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

impl Person {
    /// Whether the person unsubscribed: the `unsubscribed` attribute is `true`, `1`, `"1"` or any
    /// case of `"true"` (set by identify, or by `POST /unsubscribe/{delivery_id}`).
    pub fn unsubscribed(&self) -> bool {
        match self.attributes.get("unsubscribed") {
            Some(serde_json::Value::Bool(b)) => *b,
            Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("true") || s == "1",
            Some(serde_json::Value::Number(n)) => n.as_i64() == Some(1),
            _ => false,
        }
    }
}

/// A push device of a person (Track v1 `PUT /api/v1/customers/{id}/devices`, v2 `add_device`).
#[derive(Clone, Debug, PartialEq)]
pub struct Device {
    /// The device token (`device.id` in v1, `device.token` in v2).
    pub id: String,
    /// `ios` or `android`.
    pub platform: String,
    /// Unix seconds: `last_used` as sent, else the time the device was stored.
    pub last_used: i64,
    /// The string attributes (`device_os`, `app_version`, `push_enabled`, …), merged on update.
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

/// An object (Track v2 `type: object`), such as a company or an account.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredObject {
    /// The object type id, e.g. `"1"`.
    pub object_type_id: String,
    /// The object's id within its type, e.g. `"acme"`.
    pub object_id: String,
    /// The emulator-assigned `cio_object_id` (e.g. `ob0000000001`), usable as an identifier.
    pub cio_object_id: String,
    /// The attributes; a `null` or `""` value in an identify removes one.
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

/// A relationship between a person (or an anonymous visitor) and an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Relationship {
    /// The person's id, else email, else `cio_<cio_id>`; the `anonymous_id` for anonymous ones.
    pub person: String,
    /// The person's cio_id; `None` for an anonymous visitor (object `identify_anonymous`).
    pub cio_id: Option<String>,
    /// The object's type id.
    pub object_type_id: String,
    /// The object's id.
    pub object_id: String,
    /// The `relationship_attributes`, merged when the relationship is added again.
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

/// A form submission (`POST /api/v1/forms/{form_id}/submit`).
#[derive(Clone, Debug, PartialEq)]
pub struct FormSubmission {
    /// The form id from the path, decoded.
    pub form_id: String,
    /// The `data` object as sent.
    pub data: serde_json::Map<String, serde_json::Value>,
}

/// An event accepted by the Track API.
#[derive(Clone, Debug)]
pub struct StoredEvent {
    /// The path identifier as decoded (for v2, the identifier's value, `cio_`-prefixed for a
    /// cio_id; after a merge, the primary's id, email or `cio_<cio_id>`); `None` for anonymous
    /// events.
    pub person: Option<String>,
    /// The name with leading and trailing spaces trimmed.
    pub name: String,
    /// `event`, `page` or `screen`.
    pub event_type: String,
    /// The dedupe id, if sent.
    pub id: Option<String>,
    /// Unix seconds, if sent.
    pub timestamp: Option<i64>,
    /// The `data` object, or `Null` when the request had none.
    pub data: serde_json::Value,
    /// The `anonymous_id`, if sent and not empty.
    pub anonymous_id: Option<String>,
}
