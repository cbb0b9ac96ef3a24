//! The emulator's memory: credentials, people, events, recorded requests and pending faults.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::broadcast::Broadcasts;
use crate::fault::{self, Queued};
use crate::live::LiveNotifications;
use crate::newsletters::Newsletters;
use crate::{
    Device, EmulatorConfig, Fault, FaultAction, FormSubmission, Person, RecordedRequest,
    RecordedResponse, StoredEvent, StoredObject, Workspace, WrongRegionMode,
};

/// One lock around everything: handlers are short and synchronous, and a single lock keeps the
/// recorded order and the data consistent with each other.
pub(crate) struct Shared {
    state: Mutex<State>,
}

impl Shared {
    pub(crate) fn new(config: EmulatorConfig) -> Shared {
        let mut state = State {
            workspaces: Vec::new(),
            sites: HashMap::new(),
            requests: Vec::new(),
            responses: Vec::new(),
            faults: Vec::new(),
            fault_counts: BTreeMap::new(),
            rate_windows: HashMap::new(),
            metrics: Vec::new(),
            app_wrong_region: config.app_wrong_region,
            app_rate_limit: config.app_rate_limit,
        };
        for ws in config.workspaces {
            state.add_workspace(ws);
        }
        Shared {
            state: Mutex::new(state),
        }
    }

    /// A panic elsewhere must not make the emulator unusable for the rest of a test run.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub(crate) struct State {
    pub(crate) workspaces: Vec<Workspace>,
    pub(crate) sites: HashMap<String, SiteData>,
    pub(crate) requests: Vec<RecordedRequest>,
    /// What was answered, with the index of the request in `requests` it answers.
    pub(crate) responses: Vec<(usize, RecordedResponse)>,
    faults: Vec<Queued>,
    /// How often each fault action was injected (see `FaultAction::label`), plus chaos passes.
    pub(crate) fault_counts: BTreeMap<String, u64>,
    rate_windows: HashMap<String, (Instant, u32)>,
    /// Delivery and push metrics, unsubscribes and v2 delivery events, in arrival order. The
    /// unauthenticated endpoints cannot tell the workspace, so this list is global.
    pub(crate) metrics: Vec<Value>,
    pub(crate) app_wrong_region: WrongRegionMode,
    pub(crate) app_rate_limit: Option<u32>,
}

impl State {
    pub(crate) fn add_workspace(&mut self, ws: Workspace) {
        self.site_mut(&ws.site_id);
        match self.workspaces.iter_mut().find(|w| w.site_id == ws.site_id) {
            Some(existing) => *existing = ws,
            None => self.workspaces.push(ws),
        }
    }

    /// The workspace's data, created on first use (the demo site with its seeded broadcast data).
    pub(crate) fn site_mut(&mut self, site_id: &str) -> &mut SiteData {
        self.site_and_metrics(site_id).0
    }

    /// One workspace's data together with the global metrics list, borrowed at the same time.
    pub(crate) fn site_and_metrics(&mut self, site_id: &str) -> (&mut SiteData, &mut Vec<Value>) {
        let site = self
            .sites
            .entry(site_id.to_string())
            .or_insert_with(|| SiteData::new(site_id));
        (site, &mut self.metrics)
    }

    /// Every workspace's data back to how it starts (seeded), and the requests, faults, fault
    /// counts, rate windows and metrics forgotten; the workspaces and the emulator-wide settings
    /// stay.
    pub(crate) fn reset(&mut self) {
        for (site_id, site) in &mut self.sites {
            *site = SiteData::new(site_id);
        }
        self.requests.clear();
        self.responses.clear();
        self.faults.clear();
        self.fault_counts.clear();
        self.rate_windows.clear();
        self.metrics.clear();
    }

    /// Queues a fault (one with `times == 0` would never apply and is dropped).
    pub(crate) fn push_fault(&mut self, fault: Fault) {
        if fault.times > 0 {
            self.faults.push(Queued::new(fault));
        }
    }

    pub(crate) fn clear_faults(&mut self) {
        self.faults.clear();
    }

    /// The pending faults with the uses they have left.
    pub(crate) fn pending_faults(&self) -> Vec<Fault> {
        self.faults.iter().map(|q| q.fault.clone()).collect()
    }

    /// Takes one use of the first pending fault that matches `path`, resolving a chaos fault to
    /// the action it picks (`None` when it lets the request through), and counts it.
    pub(crate) fn take_fault(&mut self, path: &str) -> Option<FaultAction> {
        let index = self.faults.iter().position(|q| {
            q.fault.times > 0
                && q.fault
                    .path_prefix
                    .as_deref()
                    .is_none_or(|prefix| path.starts_with(prefix))
        })?;
        let queued = &mut self.faults[index];
        queued.fault.times -= 1;
        let action = queued.resolve();
        if queued.fault.times == 0 {
            self.faults.remove(index);
        }
        fault::count(&mut self.fault_counts, action.as_ref());
        action
    }

    /// Counts one App request for `key` in a fixed one-second window; false means over the limit.
    pub(crate) fn admit_app_request(&mut self, key: &str, limit: u32) -> bool {
        let now = Instant::now();
        let window = self.rate_windows.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(window.0) >= Duration::from_secs(1) {
            *window = (now, 0);
        }
        if window.1 >= limit {
            return false;
        }
        window.1 += 1;
        true
    }
}

/// The manual segment every workspace starts with.
pub(crate) const MANUAL_SEGMENT: (u64, &str) = (7, "VIP customers");
/// The data-driven segment every workspace starts with (Track cannot change its members).
pub(crate) const DATA_DRIVEN_SEGMENT: (u64, &str) = (3, "Active users");
/// The delivery the demo workspace starts with, and the id of the person it was sent to.
pub(crate) const DEMO_DELIVERY: (&str, &str) = ("dlv_demo_1", "demo-person");
/// The people the demo workspace starts with: id, email and attributes. Jane (`42`) is in the
/// manual segment; `43` is a profile known by id only.
pub(crate) const DEMO_PEOPLE: [(&str, Option<&str>, &str); 2] = [
    (
        "42",
        Some("jane@example.com"),
        r#"{"email":"jane@example.com","first_name":"Jane","plan":"pro"}"#,
    ),
    ("43", None, r#"{"plan":"free"}"#),
];

/// A segment of a workspace; members are people's cio_ids.
#[derive(Clone, Debug)]
pub(crate) struct Segment {
    pub(crate) name: String,
    pub(crate) manual: bool,
    pub(crate) members: BTreeSet<String>,
    /// Set by `POST /v1/segments` (people.rs); empty for the seeded ones.
    pub(crate) description: String,
    /// Unix seconds; the seeded segments date from `records::EPOCH`.
    pub(crate) created_at: i64,
}

/// Who a relationship links an object with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RelPerson {
    /// A known person, by cio_id.
    Cio(String),
    /// An anonymous visitor (object `identify_anonymous`).
    Anonymous(String),
}

/// A person↔object relationship as stored.
#[derive(Clone, Debug)]
pub(crate) struct Rel {
    pub(crate) person: RelPerson,
    pub(crate) object_type_id: String,
    pub(crate) object_id: String,
    pub(crate) attributes: Map<String, Value>,
}

/// One workspace's data.
#[derive(Default)]
pub(crate) struct SiteData {
    pub(crate) people: Vec<Person>,
    pub(crate) events: Vec<StoredEvent>,
    pub(crate) event_ids: HashSet<String>,
    pub(crate) broadcasts: Broadcasts,
    /// A person's devices by cio_id, in the order they were first added.
    pub(crate) devices: BTreeMap<String, Vec<Device>>,
    pub(crate) segments: BTreeMap<u64, Segment>,
    /// One group per suppress call: the identifiers it blocked. Unsuppressing any frees the group.
    pub(crate) suppressions: Vec<Vec<String>>,
    pub(crate) objects: Vec<StoredObject>,
    pub(crate) relationships: Vec<Rel>,
    pub(crate) forms: Vec<FormSubmission>,
    /// Delivery id → identifier of the person it went to.
    pub(crate) deliveries: BTreeMap<String, String>,
    /// Transactional sends in arrival order (see `transactional.rs`).
    pub(crate) transactional: Vec<Value>,
    pub(crate) newsletters: Newsletters,
    pub(crate) live: LiveNotifications,
    /// Actions and contents as `PUT` left them, by `records::Target` key.
    pub(crate) edits: BTreeMap<String, Value>,
    /// Collections, snippets, assets, Design Studio and settings (see `content.rs`).
    pub(crate) content: crate::content::Content,
    /// What the App people routes keep (people.rs): exports, imports, opt-outs, the data index.
    pub(crate) people_app: crate::people::PeopleApp,
    next_cio: u32,
    pub(crate) next_object: u32,
}

/// How a path identifier addresses a person, decided from its shape as the real API does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IdKind<'a> {
    Cio(&'a str),
    Email(&'a str),
    Id(&'a str),
    /// Only Track v2 identifiers address people by phone (the `phone` attribute).
    Phone(&'a str),
}

impl<'a> IdKind<'a> {
    /// The identifier without any `cio_` prefix.
    pub(crate) fn value(self) -> &'a str {
        match self {
            IdKind::Cio(v) | IdKind::Email(v) | IdKind::Id(v) | IdKind::Phone(v) => v,
        }
    }

    /// Whether `person` is the one this identifier names.
    pub(crate) fn matches(self, person: &Person) -> bool {
        match self {
            IdKind::Cio(cio) => person.cio_id == cio,
            IdKind::Email(email) => person
                .email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email)),
            IdKind::Id(id) => person.id.as_deref() == Some(id),
            IdKind::Phone(phone) => {
                person.attributes.get("phone").and_then(Value::as_str) == Some(phone)
            }
        }
    }

    pub(crate) fn of(identifier: &'a str) -> IdKind<'a> {
        if let Some(cio) = identifier.strip_prefix("cio_") {
            return IdKind::Cio(cio);
        }
        let has_inner_at = identifier
            .char_indices()
            .any(|(i, c)| c == '@' && i > 0 && i + 1 < identifier.len());
        if has_inner_at {
            IdKind::Email(identifier)
        } else {
            IdKind::Id(identifier)
        }
    }
}

impl SiteData {
    /// A fresh workspace: every one has broadcasts 8, 15 and 16, manual segment 7 and data-driven
    /// segment 3 (and the generated messaging records of `records.rs`); `demo-site` also has
    /// what a workspace in use has and the operations' examples name (see [`SiteData::seed_demo`]).
    pub(crate) fn new(site_id: &str) -> SiteData {
        let mut site = SiteData::empty();
        if site_id == crate::DEMO_SITE_ID {
            site.seed_demo();
        }
        site
    }

    /// The demo workspace's data: people `42` (Jane, `jane@example.com`, in manual segment 7) and
    /// `43`; processed trigger 1 of broadcast 8; delivery `dlv_demo_1` to `demo-person`; a live
    /// notification of Jane's order; a finished customers export 1 and a finished people import 1.
    fn seed_demo(&mut self) {
        for (id, email, attributes) in DEMO_PEOPLE {
            let attributes = serde_json::from_str(attributes).unwrap_or_default();
            self.identify(IdKind::Id(id), None, email, attributes);
        }
        self.change_segment(MANUAL_SEGMENT.0, [IdKind::Id("42")].into_iter(), true);
        self.broadcasts = Broadcasts::demo();
        self.deliveries
            .insert(DEMO_DELIVERY.0.to_string(), DEMO_DELIVERY.1.to_string());
        self.live = LiveNotifications::demo();
        crate::exports::seed_demo(self);
    }

    /// A workspace with only what every workspace has.
    fn empty() -> SiteData {
        let segment = |(id, name): (u64, &str), manual| {
            let name = name.to_string();
            let members = BTreeSet::new();
            (
                id,
                Segment {
                    name,
                    manual,
                    members,
                    description: String::new(),
                    created_at: crate::records::EPOCH,
                },
            )
        };
        SiteData {
            segments: BTreeMap::from([
                segment(MANUAL_SEGMENT, true),
                segment(DATA_DRIVEN_SEGMENT, false),
            ]),
            ..SiteData::default()
        }
    }

    pub(crate) fn find(&self, kind: IdKind<'_>) -> Option<usize> {
        self.people.iter().position(|p| kind.matches(p))
    }

    /// Lookup for tests: a `cio_` value is tried as a cio_id first, then anything as an id, then as
    /// an email, so a test need not know how the person was created.
    pub(crate) fn lookup(&self, identifier: &str) -> Option<usize> {
        let by_cio = match IdKind::of(identifier) {
            IdKind::Cio(cio) => self.find(IdKind::Cio(cio)),
            _ => None,
        };
        by_cio
            .or_else(|| self.find(IdKind::Id(identifier)))
            .or_else(|| self.find(IdKind::Email(identifier)))
    }

    pub(crate) fn create_person(&mut self) -> usize {
        self.next_cio += 1;
        self.people.push(Person {
            cio_id: format!("{:08x}", 0x0300_0000u32.wrapping_add(self.next_cio)),
            id: None,
            email: None,
            attributes: serde_json::Map::new(),
        });
        self.people.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_shapes() {
        assert_eq!(IdKind::of("cio_03000001"), IdKind::Cio("03000001"));
        assert_eq!(
            IdKind::of("jane+1@example.com"),
            IdKind::Email("jane+1@example.com")
        );
        assert_eq!(IdKind::of("@handle"), IdKind::Id("@handle"));
        assert_eq!(IdKind::of("handle@"), IdKind::Id("handle@"));
        assert_eq!(IdKind::of("ü@ü"), IdKind::Email("ü@ü"));
        assert_eq!(IdKind::of("42"), IdKind::Id("42"));
    }

    #[test]
    fn cio_ids_count_up_per_workspace() {
        let mut site = SiteData::default();
        let a = site.create_person();
        let b = site.create_person();
        assert_eq!(site.people[a].cio_id, "03000001");
        assert_eq!(site.people[b].cio_id, "03000002");
    }

    #[test]
    fn faults_are_used_in_order_and_expire() {
        let mut state = Shared::new(EmulatorConfig::default());
        let state = state_mut(&mut state);
        state.push_fault(Fault {
            path_prefix: Some("/api/v1/customers".into()),
            times: 1,
            action: FaultAction::Reset,
        });
        state.push_fault(Fault {
            path_prefix: None,
            times: 2,
            action: FaultAction::Delay { ms: 1 },
        });
        assert!(matches!(
            state.take_fault("/v1/x"),
            Some(FaultAction::Delay { .. })
        ));
        assert!(matches!(
            state.take_fault("/api/v1/customers/a"),
            Some(FaultAction::Reset)
        ));
        assert!(matches!(
            state.take_fault("/api/v1/customers/a"),
            Some(FaultAction::Delay { .. })
        ));
        assert!(state.take_fault("/").is_none());
        assert_eq!(state.fault_counts["delay"], 2);
        assert_eq!(state.fault_counts["reset"], 1);
    }

    fn state_mut(shared: &mut Shared) -> &mut State {
        shared.state.get_mut().unwrap_or_else(|e| e.into_inner())
    }

    #[test]
    fn rate_window_admits_up_to_the_limit() {
        let mut shared = Shared::new(EmulatorConfig::default());
        let state = state_mut(&mut shared);
        assert!(state.admit_app_request("k", 2));
        assert!(state.admit_app_request("k", 2));
        assert!(!state.admit_app_request("k", 2));
        assert!(state.admit_app_request("other", 2));
    }
}
