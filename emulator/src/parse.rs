//! Pieces of Track operations that v1 and v2 both carry: person identifiers, events, devices and
//! relationships. Each reads one JSON object and names the failing field.

use serde_json::Value;

use crate::check::{self, Invalid, Obj, MAX_EVENT_DATA, MAX_EVENT_NAME};
use crate::site::{Link, ObjectSel, PersonSel};
use crate::state::IdKind;
use crate::util::unix_now;
use crate::{Device, StoredEvent};

/// Person identifier keys of Track v2 operations.
pub(crate) const PERSON_KEYS: &[&str] = &["id", "email", "phone", "cio_id"];
/// Person identifier keys of merges (v1 and v2) and of object→person relationships.
pub(crate) const MERGE_KEYS: &[&str] = &["id", "email", "cio_id"];
const PLATFORMS: &[&str] = &["ios", "android"];

/// An identifiers object with exactly one of `allowed` (a `cio_id` is given without `cio_`).
pub(crate) fn person<'a>(ids: &Obj<'a>, allowed: &[&str]) -> Result<IdKind<'a>, Invalid> {
    let present: Vec<&'a str> = ids
        .map
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k.as_str())
        .collect();
    let key = match present.as_slice() {
        [key] if allowed.contains(key) => *key,
        _ => {
            let message = format!(
                "{} must have exactly one of {} (found {})",
                ids.path(),
                allowed.join(", "),
                if present.is_empty() {
                    "none".to_string()
                } else {
                    present.join(", ")
                }
            );
            return Err(Invalid::new(ids.path(), "invalid", message));
        }
    };
    let value = ids.req_str(key)?;
    let field = ids.field(key);
    check::identifier(&field, value)?;
    Ok(match key {
        "email" => IdKind::Email(value),
        "phone" => IdKind::Phone(value),
        "cio_id" if value.starts_with("cio_") => {
            let message = format!("{field} is the cio_id without the cio_ prefix, not {value:?}");
            return Err(Invalid::new(field, "invalid", message));
        }
        "cio_id" => IdKind::Cio(value),
        _ => IdKind::Id(value),
    })
}

/// Object identifiers: `{object_type_id, object_id}` (strings) or `{cio_object_id}`.
pub(crate) fn object<'a>(ids: &Obj<'a>) -> Result<ObjectSel<'a>, Invalid> {
    if ids.get("cio_object_id").is_some() && ids.map.len() == 1 {
        return Ok(ObjectSel::Cio(ids.req_str("cio_object_id")?));
    }
    let keyed = ids.map.len() == 2 && ids.get("object_type_id").is_some();
    if !keyed || ids.get("object_id").is_none() {
        let message = format!(
            "{} must be {{\"object_type_id\", \"object_id\"}} or {{\"cio_object_id\"}}",
            ids.path()
        );
        return Err(Invalid::new(ids.path(), "invalid", message));
    }
    let (type_id, id) = (ids.req_str("object_type_id")?, ids.req_str("object_id")?);
    check::identifier(&ids.field("object_id"), id)?;
    Ok(ObjectSel::Key(type_id, id))
}

/// The fixed side of a relationship list, which decides what the items' identifiers name.
#[derive(Clone, Copy)]
pub(crate) enum Near<'a> {
    /// A person's relationships name objects.
    Person(PersonSel<'a>),
    /// An object's relationships name people (`id`, `email` or `cio_id`).
    Object(ObjectSel<'a>),
    /// `identify_anonymous` relationships name `anonymous_id`s.
    AnonymousObject(ObjectSel<'a>),
}

/// The `key` array of `obj` (`cio_relationships`) as links from `near` to each item; `required`
/// makes an absent or empty array an error.
pub(crate) fn links<'a>(
    obj: &Obj<'a>,
    key: &str,
    near: Near<'a>,
    required: bool,
) -> Result<Vec<Link<'a>>, Invalid> {
    let items = obj.array(key, required)?;
    items
        .iter()
        .enumerate()
        .map(|(index, value)| {
            let item = obj.item(key, index, value)?;
            let ids = item.req_obj("identifiers")?;
            let (person, object) = match near {
                Near::Person(person) => (person, object(&ids)?),
                Near::Object(object) => (PersonSel::Known(self::person(&ids, MERGE_KEYS)?), object),
                Near::AnonymousObject(object) => {
                    (PersonSel::Anonymous(ids.req_str("anonymous_id")?), object)
                }
            };
            Ok(Link {
                person,
                object,
                attributes: check::attributes_at(&item, "relationship_attributes")?.map,
            })
        })
        .collect()
}

/// An event body: `name` (trimmed, ≤ 100 bytes), `id`, `timestamp`, data under `data_key` (v1
/// `data`, v2 `attributes`, ≤ 100 000 bytes) and `anonymous_id`.
pub(crate) fn event(
    obj: &Obj<'_>,
    data_key: &str,
    event_type: &str,
    person: Option<String>,
) -> Result<StoredEvent, Invalid> {
    let name = obj.req_str("name")?.trim();
    if name.is_empty() {
        let field = obj.field("name");
        let message = format!("{field} must not be blank");
        return Err(Invalid::new(field, "required", message));
    }
    if name.len() > MAX_EVENT_NAME {
        let message = format!(
            "event name is {} bytes; the limit is {MAX_EVENT_NAME}",
            name.len()
        );
        return Err(Invalid::new(obj.field("name"), "too_large", message));
    }
    let data = match obj.opt_obj(data_key)? {
        None => Value::Null,
        Some(data) => {
            let data = Value::Object(data.map.clone());
            let size = serde_json::to_vec(&data).map(|v| v.len()).unwrap_or(0);
            if size > MAX_EVENT_DATA {
                let message = format!("event data is {size} bytes; the limit is {MAX_EVENT_DATA}");
                return Err(Invalid::new(obj.field(data_key), "too_large", message));
            }
            data
        }
    };
    let non_empty = |key| -> Result<Option<String>, Invalid> {
        Ok(obj
            .opt_str(key)?
            .filter(|s| !s.is_empty())
            .map(str::to_string))
    };
    Ok(StoredEvent {
        person,
        name: name.to_string(),
        event_type: event_type.to_string(),
        id: non_empty("id")?,
        timestamp: obj.opt_int("timestamp")?,
        data,
        anonymous_id: non_empty("anonymous_id")?,
    })
}

/// A device object: the token under `token_key` (v1 `id`, v2 `token`), `platform`, `last_used`
/// (now when absent) and string `attributes`.
pub(crate) fn device(obj: &Obj<'_>, token_key: &str) -> Result<Device, Invalid> {
    Ok(Device {
        id: obj.req_str(token_key)?.to_string(),
        platform: obj.one_of("platform", PLATFORMS)?.to_string(),
        last_used: obj.opt_int("last_used")?.unwrap_or_else(unix_now),
        attributes: obj.string_values("attributes")?,
    })
}
