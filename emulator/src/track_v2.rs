//! Track API v2: `POST /api/v2/entity` (one operation) and `POST /api/v2/batch` (`{"batch":
//! [...]}`). Operations are validated completely before any is applied, and they change the same
//! state as v1. Errors are `{"errors":[{"reason","field","message"}]}`; a batch answers 207 listing
//! only its failing items (with `batch_index`) after applying the others.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use crate::check::{self, Invalid, Obj};
use crate::parse::{self, Near, MERGE_KEYS, PERSON_KEYS};
use crate::site::{Link, ObjectSel, PersonSel};
use crate::state::{IdKind, SiteData};
use crate::track::metric_entry;
use crate::util::{json_value, track_ok};
use crate::{Device, Region, StoredEvent};

/// The limit of an entity body and of each batch item.
pub(crate) const MAX_ENTITY: usize = 32 * 1024;
/// The limit of a whole batch body.
pub(crate) const MAX_BATCH: usize = 500 * 1024;

/// The type/action matrix (TRACK-OAS tag table and schemas; `event` is person and delivery only).
const ACTIONS: &[(&str, &[&str])] = &[
    (
        "person",
        &[
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
        ],
    ),
    (
        "object",
        &[
            "identify",
            "identify_anonymous",
            "delete",
            "add_relationships",
            "delete_relationships",
        ],
    ),
    ("delivery", &["event"]),
];
const DELIVERY_EVENTS: &[&str] = &["opened", "converted", "delivered"];
const RELATIONSHIPS: &str = "cio_relationships";

/// Where a request came from, for recording delivery events as metrics.
pub(crate) struct Origin<'s> {
    pub(crate) path: &'s str,
    pub(crate) region: Region,
    pub(crate) site_id: &'s str,
}

/// One validated operation.
enum Op<'a> {
    Identify {
        who: IdKind<'a>,
        attributes: check::Attributes,
        links: Vec<Link<'a>>,
    },
    Delete(IdKind<'a>),
    Event(StoredEvent),
    Relate {
        links: Vec<Link<'a>>,
        add: bool,
    },
    AddDevice(IdKind<'a>, Device),
    DeleteDevice(IdKind<'a>, &'a str),
    Merge(IdKind<'a>, IdKind<'a>),
    Suppress(IdKind<'a>),
    Unsuppress(IdKind<'a>),
    ObjectIdentify {
        object: ObjectSel<'a>,
        attributes: Map<String, Value>,
        links: Vec<Link<'a>>,
    },
    ObjectDelete(ObjectSel<'a>),
    Delivery,
}

fn error_json(invalid: &Invalid, batch_index: Option<usize>) -> Value {
    let mut error = json!({
        "reason": invalid.reason,
        "field": invalid.field,
        "message": invalid.message,
    });
    if let (Some(index), Value::Object(map)) = (batch_index, &mut error) {
        map.insert("batch_index".to_string(), json!(index));
    }
    error
}

fn errors(status: StatusCode, errors: Vec<Value>) -> Response {
    json_value(status, &json!({ "errors": errors }))
}

fn too_large(what: &str, size: usize, limit: usize) -> Invalid {
    let message = format!("{what} is {size} bytes; the limit is {limit} bytes");
    Invalid::new("", "too_large", message)
}

/// A 400 refusing the whole request.
fn refuse(invalid: &Invalid) -> Response {
    errors(StatusCode::BAD_REQUEST, vec![error_json(invalid, None)])
}

/// The JSON body, within `limit` bytes.
fn read(body: &[u8], limit: usize) -> Result<Value, Invalid> {
    if body.len() > limit {
        return Err(too_large("the request body", body.len(), limit));
    }
    serde_json::from_slice(body).map_err(|err| {
        let message = format!("the request body is not valid JSON: {err}");
        Invalid::new("", "malformed", message)
    })
}

/// `POST /api/v2/batch` when `batch` is set, else `POST /api/v2/entity`.
pub(crate) fn handle(
    batch: bool,
    site: &mut SiteData,
    metrics: &mut Vec<Value>,
    origin: &Origin<'_>,
    body: &[u8],
) -> Response {
    let limit = if batch { MAX_BATCH } else { MAX_ENTITY };
    let value = match read(body, limit) {
        Ok(value) => value,
        Err(invalid) => return refuse(&invalid),
    };
    if !batch {
        return match operation(&value) {
            Ok(op) => {
                apply(site, metrics, origin, &value, op);
                track_ok()
            }
            Err(invalid) => refuse(&invalid),
        };
    }
    let Some(items) = value.get("batch").and_then(Value::as_array) else {
        let message = r#"the request body must be {"batch": [operation, ...]}"#.to_string();
        return refuse(&Invalid::new("batch", "malformed", message));
    };
    let mut failed = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let size = serde_json::to_vec(item).map(|v| v.len()).unwrap_or(0);
        let op = if size > MAX_ENTITY {
            Err(too_large("the operation", size, MAX_ENTITY))
        } else {
            operation(item)
        };
        match op {
            Ok(op) => apply(site, metrics, origin, item, op),
            Err(invalid) => failed.push(error_json(&invalid, Some(index))),
        }
    }
    if failed.is_empty() {
        track_ok()
    } else {
        errors(StatusCode::MULTI_STATUS, failed)
    }
}

fn operation(value: &Value) -> Result<Op<'_>, Invalid> {
    let Value::Object(map) = value else {
        let message = "an operation must be a JSON object".to_string();
        return Err(Invalid::new("", "invalid", message));
    };
    let op = Obj::root(map);
    let types: Vec<&str> = ACTIONS.iter().map(|(t, _)| *t).collect();
    let ty = op.one_of("type", &types)?;
    let actions = ACTIONS
        .iter()
        .find(|(t, _)| *t == ty)
        .map_or(&[][..], |(_, a)| a);
    let action = op.req_str("action")?;
    if !actions.contains(&action) {
        let message = format!(
            "action {action:?} is not valid for type {ty:?}; use one of {}",
            actions.join(", ")
        );
        return Err(Invalid::new("action", "unsupported", message));
    }
    match ty {
        "person" => person_op(&op, action),
        "object" => object_op(&op, action),
        _ => delivery_op(&op),
    }
}

/// How a v2 person identifier is written in stored events (as a v1 path would name them).
fn label(who: IdKind<'_>) -> String {
    match who {
        IdKind::Cio(cio) => format!("cio_{cio}"),
        other => other.value().to_string(),
    }
}

fn person_op<'a>(op: &Obj<'a>, action: &str) -> Result<Op<'a>, Invalid> {
    if action == "merge" {
        if op.get("identifiers").is_some() {
            let message = "a merge takes primary and secondary, not identifiers".to_string();
            return Err(Invalid::new("identifiers", "not_allowed", message));
        }
        let side = |key| parse::person(&op.req_obj(key)?, MERGE_KEYS);
        return Ok(Op::Merge(side("primary")?, side("secondary")?));
    }
    let who = parse::person(&op.req_obj("identifiers")?, PERSON_KEYS)?;
    let near = Near::Person(PersonSel::Known(who));
    let links = |required| parse::links(op, RELATIONSHIPS, near, required);
    Ok(match action {
        "identify" => Op::Identify {
            who,
            attributes: check::attributes_at(op, "attributes")?,
            links: links(false)?,
        },
        "delete" => Op::Delete(who),
        "event" | "page" | "screen" => {
            Op::Event(parse::event(op, "attributes", action, Some(label(who)))?)
        }
        "add_relationships" | "delete_relationships" => Op::Relate {
            links: links(true)?,
            add: action == "add_relationships",
        },
        "add_device" => Op::AddDevice(who, parse::device(&op.req_obj("device")?, "token")?),
        "delete_device" => Op::DeleteDevice(who, op.req_obj("device")?.req_str("token")?),
        "suppress" => Op::Suppress(who),
        _ => Op::Unsuppress(who),
    })
}

fn object_op<'a>(op: &Obj<'a>, action: &str) -> Result<Op<'a>, Invalid> {
    let object = parse::object(&op.req_obj("identifiers")?)?;
    let near = if action == "identify_anonymous" {
        Near::AnonymousObject(object)
    } else {
        Near::Object(object)
    };
    let links = |required| parse::links(op, RELATIONSHIPS, near, required);
    Ok(match action {
        "identify" | "identify_anonymous" => Op::ObjectIdentify {
            object,
            attributes: check::attributes_at(op, "attributes")?.map,
            links: links(false)?,
        },
        "delete" => Op::ObjectDelete(object),
        _ => Op::Relate {
            links: links(true)?,
            add: action == "add_relationships",
        },
    })
}

fn delivery_op<'a>(op: &Obj<'a>) -> Result<Op<'a>, Invalid> {
    op.req_obj("identifiers")?.req_str("id")?;
    op.one_of("name", DELIVERY_EVENTS)?;
    op.req_obj("attributes")?.req_str("device_token")?;
    op.opt_int("timestamp")?;
    Ok(Op::Delivery)
}

fn apply(
    site: &mut SiteData,
    metrics: &mut Vec<Value>,
    origin: &Origin<'_>,
    value: &Value,
    op: Op<'_>,
) {
    match op {
        Op::Identify {
            who,
            attributes: check::Attributes { map, id, email },
            links,
        } => {
            if site
                .identify(who, id.as_deref(), email.as_deref(), map)
                .is_some()
            {
                site.relate(&links, true);
            }
        }
        Op::Delete(who) => site.delete(who),
        Op::Event(event) => site.push_event(event),
        Op::Relate { links, add } => site.relate(&links, add),
        Op::AddDevice(who, device) => site.add_device(who, device),
        Op::DeleteDevice(who, token) => site.delete_device(who, token),
        Op::Merge(primary, secondary) => site.merge(primary, secondary),
        Op::Suppress(who) => site.suppress(who),
        Op::Unsuppress(who) => site.unsuppress(who),
        Op::ObjectIdentify {
            object,
            attributes,
            links,
        } => {
            site.identify_object(object, &attributes);
            site.relate(&links, true);
        }
        Op::ObjectDelete(object) => site.delete_object(object),
        Op::Delivery => metrics.push(metric_entry(
            origin.path,
            origin.region,
            Some(origin.site_id),
            value.clone(),
        )),
    }
}
