//! Track v2 entity operations (customer-io-api.md §5): the fields one operation may have, and
//! the rules JSON Schema cannot say — which actions each type has, the identifiers each type
//! takes, what each action requires — checked before anything is sent, for `entity.submit` and
//! for every item of `batch.submit`. Person events get a ULID `id` so retries are de-duplicated.

use serde_json::{Map, Value};

use crate::schema::{pointer_escape, Field, Place, Ty};

/// Every action; a person has all but the first.
const ACTIONS: &[&str] = &[
    "identify_anonymous",
    "identify",
    "delete",
    "event",
    "screen",
    "page",
    "add_relationships",
    "delete_relationships",
    "add_device",
    "delete_device",
    "merge",
    "suppress",
    "unsuppress",
];
const PERSON_ACTIONS: &[&str] = ACTIONS.split_at(1).1;
/// Attributes of a relationship.
pub const REL_ATTRS: Field = Field::key(
    "relationship_attributes",
    Ty::Attributes,
    "Relationship attributes",
    "Attributes of the relationship, e.g. {\"role\":\"admin\"}.",
);
/// A person as `{"id"|"email"|"cio_id": …}`.
pub const PERSON_KEYS: &[Field] = &[
    Field::key("id", Ty::IdText, "Id", "The person's id.").max_bytes(150),
    Field::key("email", Ty::Str, "Email", "The person's email."),
    Field::key(
        "cio_id",
        Ty::Str,
        "cio_id",
        "The person's cio_id (without cio_).",
    ),
];
const DEVICE: &[Field] = &[
    Field::key("token", Ty::Str, "Token", "The device's push token.").required(),
    Field::key(
        "platform",
        Ty::Enum(&["ios", "android"]),
        "Platform",
        "ios or android (add_device).",
    ),
    Field::key(
        "last_used",
        Ty::Timestamp,
        "Last used",
        "Unix seconds or ISO-8601.",
    ),
    Field::key(
        "attributes",
        Ty::StrMap,
        "Attributes",
        "Device attributes (text values).",
    ),
];
const RELATIONSHIP: &[Field] = &[
    Field::key(
        "identifiers",
        Ty::Obj,
        "Identifiers",
        "For a person: the object's {object_type_id, object_id}; for an object: the person's {id|email|cio_id}.",
    )
    .required(),
    REL_ATTRS,
];

/// The fields of one v2 operation.
pub const FIELDS: &[Field] = &[
    Field::new("type", Ty::Enum(&["person", "object", "delivery"]), Place::Body("type"), "Type", "What the operation is about.").required(),
    Field::new("action", Ty::Enum(ACTIONS), Place::Body("action"), "Action", "person: identify, delete, event, page, screen, add_relationships, delete_relationships, add_device, delete_device, merge, suppress, unsuppress; object: identify, identify_anonymous, delete, add_relationships, delete_relationships; delivery: event.").required(),
    Field::new("identifiers", Ty::Obj, Place::Body("identifiers"), "Identifiers", "person: exactly one of id, email, phone, cio_id (no cio_ prefix); object: {object_type_id, object_id} or {cio_object_id}; delivery: {id}. Not used by merge."),
    Field::new("attributes", Ty::Obj, Place::Body("attributes"), "Attributes", "Attributes to set (identify) or the event's data (event, page, screen)."),
    Field::new("name", Ty::Str, Place::Body("name"), "Name", "Event, page or screen name (≤ 100 bytes); for a delivery event: opened, converted or delivered.").max_bytes(100),
    Field::new("id", Ty::Ulid(false), Place::Body("id"), "Event id", "A ULID de-duplicating the event; generated when left out."),
    Field::new("timestamp", Ty::Timestamp, Place::Body("timestamp"), "Timestamp", "Unix seconds or ISO-8601; sent as integer seconds."),
    Field::new("device", Ty::Object(DEVICE), Place::Body("device"), "Device", "add_device: {token, platform, last_used?, attributes?}; delete_device: {token}."),
    Field::new("cio_relationships", Ty::List(&Ty::Object(RELATIONSHIP), 1, 1000), Place::Body("cio_relationships"), "Relationships", "add_relationships, delete_relationships (and optionally identify)."),
    Field::new("primary", Ty::OneOf(PERSON_KEYS), Place::Body("primary"), "Primary person", "merge: the person who remains."),
    Field::new("secondary", Ty::OneOf(PERSON_KEYS), Place::Body("secondary"), "Secondary person", "merge: the person merged and deleted."),
];

/// The `batch` input of `batch.submit`.
pub const BATCH: Field = Field::new(
    "batch",
    Ty::List(&Ty::Object(FIELDS), 1, 1_000_000),
    Place::Body("batch"),
    "Operations",
    "The v2 operations, each {type, action, identifiers, …} as for entity.submit; at most 32 KB each. Any number: they are sent in requests of at most 500 KB.",
)
.required();

fn actions_of(kind: &str) -> &'static [&'static str] {
    match kind {
        "person" => PERSON_ACTIONS,
        "object" => &[
            "identify",
            "identify_anonymous",
            "delete",
            "add_relationships",
            "delete_relationships",
        ],
        _ => &["event"],
    }
}

/// The identifier shapes of v2 (customerio-api.md §5.3, §5.5).
#[derive(Clone, Copy)]
enum Shape {
    Person,
    Object,
    Delivery,
    Anonymous,
}

/// Checks an identifiers object and writes integer ids as the strings the API takes.
fn identifiers(shape: Shape, v: &mut Value) -> Result<(), String> {
    let (want, forms): (&str, &[&[&str]]) = match shape {
        Shape::Person => (
            "exactly one of id, email, phone or cio_id, e.g. {\"id\":\"42\"}",
            &[&["id"], &["email"], &["phone"], &["cio_id"]],
        ),
        Shape::Object => (
            "{\"object_type_id\":\"1\",\"object_id\":\"acme\"} or {\"cio_object_id\":\"…\"}",
            &[&["object_id", "object_type_id"], &["cio_object_id"]],
        ),
        Shape::Delivery => ("{\"id\":\"<delivery id>\"}", &[&["id"]]),
        Shape::Anonymous => ("{\"anonymous_id\":\"…\"}", &[&["anonymous_id"]]),
    };
    let bad = || format!("identifiers must be {want}");
    let m = v.as_object_mut().ok_or_else(bad)?;
    let mut keys: Vec<&str> = m.keys().map(String::as_str).collect();
    keys.sort_unstable();
    if !forms.contains(&keys.as_slice()) {
        return Err(bad());
    }
    for (k, val) in m.iter_mut() {
        if let Some(n) = val.as_u64() {
            *val = Value::String(n.to_string());
        }
        match val.as_str() {
            Some(t) if !t.trim().is_empty() && t.len() <= 150 => {}
            _ => {
                return Err(format!(
                    "identifiers.{k} must be non-empty text of at most 150 bytes"
                ))
            }
        }
        if k == "cio_id" && val.as_str().is_some_and(|t| t.starts_with("cio_")) {
            return Err("a cio_id in identifiers is written without the cio_ prefix".into());
        }
    }
    Ok(())
}

fn text(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// Checks one v2 operation at `at` (a JSON Pointer prefix) and fills a missing event id.
pub fn check(
    op: &mut Map<String, Value>,
    at: &str,
    ulid: &dyn Fn() -> String,
) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    let mut say =
        |field: &str, msg: String| problems.push((format!("{at}/{}", pointer_escape(field)), msg));
    let kind = text(op.get("type")).unwrap_or("").to_string();
    let action = text(op.get("action")).unwrap_or("").to_string();
    if !actions_of(&kind).contains(&action.as_str()) {
        say(
            "action",
            format!(
                "a {kind} operation has no action `{action}`; it takes {}",
                actions_of(&kind).join(", ")
            ),
        );
        return problems;
    }
    if action == "merge" {
        if op.contains_key("identifiers") {
            say(
                "identifiers",
                "merge takes primary and secondary, not identifiers".into(),
            );
        }
        for side in ["primary", "secondary"] {
            match op.get_mut(side) {
                None => say(
                    side,
                    format!("merge needs `{side}`: {{\"id\"|\"email\"|\"cio_id\": …}}"),
                ),
                Some(v) => {
                    if let Err(m) = identifiers(Shape::Person, v) {
                        say(side, m);
                    }
                }
            }
        }
    } else {
        let shape = match kind.as_str() {
            "person" => Shape::Person,
            "object" => Shape::Object,
            _ => Shape::Delivery,
        };
        let mut missing = Value::Null;
        if let Err(m) = identifiers(shape, op.get_mut("identifiers").unwrap_or(&mut missing)) {
            say("identifiers", m);
        }
    }
    // Relationships name the other side: objects for a person, people for an object.
    let other = match (kind.as_str(), action.as_str()) {
        ("person", _) => Shape::Object,
        (_, "identify_anonymous") => Shape::Anonymous,
        _ => Shape::Person,
    };
    if let Some(Value::Array(rels)) = op.get_mut("cio_relationships") {
        for (i, rel) in rels.iter_mut().enumerate() {
            let mut missing = Value::Null;
            if let Err(m) = identifiers(other, rel.get_mut("identifiers").unwrap_or(&mut missing)) {
                say(&format!("cio_relationships/{i}/identifiers"), m);
            }
        }
    }
    let needs_name = matches!(action.as_str(), "event" | "page" | "screen");
    if needs_name && text(op.get("name")).is_none() {
        say("name", format!("{action} needs a `name`"));
    }
    if kind == "delivery" {
        if !matches!(
            text(op.get("name")),
            Some("opened" | "converted" | "delivered")
        ) {
            say(
                "name",
                "a delivery event's name is opened, converted or delivered".into(),
            );
        }
        if text(op.get("attributes").and_then(|a| a.get("device_token"))).is_none() {
            say(
                "attributes",
                "a delivery event needs attributes.device_token".into(),
            );
        }
    }
    if action.ends_with("_device") {
        let device = op.get("device");
        if text(device.and_then(|d| d.get("token"))).is_none() {
            say("device", format!("{action} needs device.token"));
        }
        if action == "add_device" && text(device.and_then(|d| d.get("platform"))).is_none() {
            say(
                "device",
                "add_device needs device.platform (ios or android)".into(),
            );
        }
    }
    if action.ends_with("_relationships") && op.get("cio_relationships").is_none() {
        say(
            "cio_relationships",
            format!("{action} needs cio_relationships"),
        );
    }
    if kind == "person" && needs_name && !op.contains_key("id") {
        op.insert("id".into(), Value::String(ulid()));
    }
    problems
}

/// Whether a v2 body holds an operation Customer.io does not de-duplicate, so that a retry
/// after a lost answer could apply it twice: a delivery event (it has no id). Person events carry
/// a ULID; every other action sets a state, which repeating does not change.
pub fn not_deduplicated(body: &Value) -> bool {
    let one = |op: &Value| op.get("type").and_then(Value::as_str) == Some("delivery");
    match body.get("batch").and_then(Value::as_array) {
        Some(items) => items.iter().any(one),
        None => one(body),
    }
}

/// The rule of `entity.submit`.
pub fn entity_rule(
    input: &mut Map<String, Value>,
    ulid: &dyn Fn() -> String,
) -> Vec<(String, String)> {
    check(input, "", ulid)
}

/// The rule of `batch.submit`: every item, with pointers into `batch`.
pub fn batch_rule(
    input: &mut Map<String, Value>,
    ulid: &dyn Fn() -> String,
) -> Vec<(String, String)> {
    let Some(Value::Array(items)) = input.get_mut("batch") else {
        return Vec::new();
    };
    items
        .iter_mut()
        .enumerate()
        .filter_map(|(i, v)| {
            v.as_object_mut()
                .map(|o| check(o, &format!("/batch/{i}"), ulid))
        })
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(v: Value) -> Vec<String> {
        let mut m = v.as_object().unwrap().clone();
        check(&mut m, "", &|| "01ARZ3NDEKTSV4RRFFQ69G5FAV".into())
            .into_iter()
            .map(|(p, _)| p)
            .collect()
    }

    #[test]
    fn the_matrix_and_required_fields() {
        assert!(problems(
            json!({"type": "person", "action": "identify", "identifiers": {"id": "42"}})
        )
        .is_empty());
        assert_eq!(
            problems(json!({"type": "object", "action": "event", "identifiers": {"id": "1"}})),
            ["/action"]
        );
        assert_eq!(
            problems(
                json!({"type": "person", "action": "identify", "identifiers": {"id": "1", "email": "a@b.c"}})
            ),
            ["/identifiers"]
        );
        assert_eq!(
            problems(json!({"type": "person", "action": "event", "identifiers": {"id": "1"}})),
            ["/name"]
        );
        assert_eq!(
            problems(
                json!({"type": "person", "action": "add_device", "identifiers": {"id": "1"}, "device": {"token": "t"}})
            ),
            ["/device"]
        );
        assert_eq!(
            problems(json!({"type": "person", "action": "merge", "primary": {"id": "1"}})),
            ["/secondary"]
        );
        assert_eq!(
            problems(
                json!({"type": "object", "action": "identify", "identifiers": {"object_type_id": "1"}})
            ),
            ["/identifiers"]
        );
        assert_eq!(
            problems(
                json!({"type": "delivery", "action": "event", "identifiers": {"id": "d"}, "name": "opened"})
            ),
            ["/attributes"]
        );
        let mut m =
            json!({"type": "person", "action": "page", "identifiers": {"id": "1"}, "name": "/"})
                .as_object()
                .unwrap()
                .clone();
        assert!(check(&mut m, "", &|| "01ARZ3NDEKTSV4RRFFQ69G5FAV".into()).is_empty());
        assert_eq!(m["id"], "01ARZ3NDEKTSV4RRFFQ69G5FAV");
    }
}
