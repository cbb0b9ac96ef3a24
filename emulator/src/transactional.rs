//! Transactional sends (App API §6.2): `POST /v1/send/{channel}` checks the body, records the
//! delivery in the workspace (and makes its id known to `POST /unsubscribe/{delivery_id}`) and
//! answers `{"delivery_id", "queued_at"}`, with `send_at` when that is in the future. Every
//! problem is a 400 `{"meta":{"error":"…"}}`.

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use serde_json::{json, Value};

use crate::check::{self, Invalid, Obj};
use crate::parse::{self, MERGE_KEYS};
use crate::records::transactional_template;
use crate::state::{IdKind, SiteData};
use crate::util::{json_value, meta_error, unix_now, STANDARD_LENIENT};

/// The channels of `/v1/send/{channel}`.
pub(crate) const CHANNELS: [&str; 6] = [
    "email",
    "push",
    "sms",
    "whatsapp",
    "in_app",
    "inbox_message",
];
/// The decoded attachments of one email must stay under 2 MB.
pub(crate) const MAX_ATTACHMENTS: usize = 2 * 1024 * 1024;
pub(crate) const TEMPLATE_NOT_FOUND: &str = "transactional message not found";

/// `POST /v1/send/{channel}` for one of [`CHANNELS`].
pub(crate) fn send(site: &mut SiteData, channel: &str, body: &[u8]) -> Response {
    match deliver(site, channel, body) {
        Ok(answer) => json_value(StatusCode::OK, &answer),
        Err(message) => meta_error(StatusCode::BAD_REQUEST, &message),
    }
}

fn deliver(site: &mut SiteData, channel: &str, body: &[u8]) -> Result<Value, String> {
    let map = check::parse_body(body, false)?;
    let obj = Obj::root(&map);
    let template = template(&obj)?;
    let (identifiers, person) = identifiers(&obj)?;
    if matches!(channel, "email" | "sms") {
        obj.req_str("to")?;
    }
    attachments(&obj)?;
    obj.opt_obj("message_data")?;
    let send_at = obj.opt_int("send_at")?;

    let queued_at = unix_now();
    let delivery_id = delivery_id(site.transactional.len() + 1);
    site.deliveries.insert(delivery_id.clone(), person);
    site.transactional.push(json!({
        "delivery_id": delivery_id,
        "channel": channel,
        "transactional_message_id": template,
        "identifiers": identifiers,
        "queued_at": queued_at,
        "send_at": send_at,
        "request": map,
    }));
    let mut answer = json!({"delivery_id": delivery_id, "queued_at": queued_at});
    if let Some(at) = send_at.filter(|at| *at > queued_at) {
        answer["send_at"] = json!(at);
    }
    Ok(answer)
}

/// `transactional_message_id`: a template id (number or digits) or trigger name.
fn template(obj: &Obj<'_>) -> Result<u64, String> {
    let name = match obj.get("transactional_message_id") {
        None => return Err("transactional_message_id is required".into()),
        Some(Value::String(s)) if s.is_empty() => {
            return Err("transactional_message_id is required".into())
        }
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) if n.as_u64().is_some() => n.to_string(),
        Some(_) => {
            return Err("transactional_message_id must be an integer id or a trigger name".into())
        }
    };
    transactional_template(&name).ok_or_else(|| TEMPLATE_NOT_FOUND.to_string())
}

/// `identifiers`: exactly one of `id` (a string or an integer), `email`, `cio_id`; returns them
/// and how the person is named in the delivery list (`cio_…` for a cio_id).
fn identifiers(obj: &Obj<'_>) -> Result<(Value, String), Invalid> {
    let ids = obj.req_obj("identifiers")?;
    let mut map = ids.map.clone();
    if let Some(Value::Number(n)) = map.get("id") {
        let text = n.to_string();
        map.insert("id".into(), json!(text));
    }
    let person = match parse::person(&Obj::at(&map, ids.path()), MERGE_KEYS)? {
        IdKind::Cio(cio) => format!("cio_{cio}"),
        other => other.value().to_string(),
    };
    Ok((Value::Object(map), person))
}

/// `attachments`: filename (with an extension) → base64 content, under 2 MB decoded in all.
fn attachments(obj: &Obj<'_>) -> Result<(), String> {
    let Some(files) = obj.opt_obj("attachments")? else {
        return Ok(());
    };
    let mut total = 0;
    for (name, content) in files.map {
        let has_extension = name
            .rsplit_once('.')
            .is_some_and(|(stem, ext)| !stem.is_empty() && !ext.is_empty());
        if !has_extension {
            return Err(format!(
                "attachment {name:?} needs a filename with an extension, such as receipt.pdf"
            ));
        }
        let field = files.field(name);
        let text = content
            .as_str()
            .ok_or_else(|| format!("{field} must be a base64 string"))?;
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        total += STANDARD_LENIENT
            .decode(compact)
            .map_err(|_| format!("{field} is not valid base64"))?
            .len();
    }
    if total >= MAX_ATTACHMENTS {
        return Err(format!(
            "attachments are {total} bytes decoded; together they must be under 2 MB \
             ({MAX_ATTACHMENTS} bytes)"
        ));
    }
    Ok(())
}

/// An opaque id like the real ones (`RAECAAFwnUSneIa0ZXkmq8EdkAM=`), unique in the workspace.
fn delivery_id(sequence: usize) -> String {
    let mut bytes = vec![0x44, 0x40, 0x02, 0x00];
    bytes.extend((sequence as u64).to_be_bytes());
    bytes.extend([0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89]);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_ids_are_distinct_and_opaque() {
        assert_ne!(delivery_id(1), delivery_id(2));
        assert!(delivery_id(1).starts_with("REACA"), "{}", delivery_id(1));
    }
}
