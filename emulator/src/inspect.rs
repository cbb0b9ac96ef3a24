//! `/__emulator__/…`: the recorded requests and the fault queue over HTTP, for hosts that cannot
//! call the Rust API. These requests are not themselves recorded or faulted.

use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use serde_json::{json, Value};

use crate::state::Shared;
use crate::util::{app_error, json_bytes, json_value, STANDARD_LENIENT};
use crate::{Fault, FaultAction};

pub(crate) const PREFIX: &str = "/__emulator__";

pub(crate) fn is_inspection_path(path: &str) -> bool {
    path == PREFIX || path.starts_with("/__emulator__/")
}

pub(crate) fn handle(shared: &Shared, method: &Method, path: &str, body: &[u8]) -> Response {
    let ok = || json_bytes(StatusCode::OK, b"{}".to_vec());
    match (method.as_str(), path) {
        ("GET", "/__emulator__/requests") => {
            let state = shared.lock();
            let list: Vec<Value> = state
                .requests
                .iter()
                .map(|r| {
                    json!({
                        "method": r.method,
                        "host": r.host,
                        "path": r.path,
                        "query": r.query,
                        "headers": r.headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
                        "body_base64": base64::engine::general_purpose::STANDARD.encode(&r.body),
                    })
                })
                .collect();
            json_value(StatusCode::OK, &Value::Array(list))
        }
        ("DELETE", "/__emulator__/requests") => {
            shared.lock().requests.clear();
            ok()
        }
        ("POST", "/__emulator__/faults") => match parse_fault(body) {
            Ok(fault) => {
                if fault.times > 0 {
                    shared.lock().faults.push(fault);
                }
                ok()
            }
            Err(message) => app_error(StatusCode::BAD_REQUEST, &message),
        },
        ("DELETE", "/__emulator__/faults") => {
            shared.lock().faults.clear();
            ok()
        }
        _ => app_error(
            StatusCode::NOT_FOUND,
            "unknown emulator endpoint: use GET or DELETE /__emulator__/requests, \
             POST or DELETE /__emulator__/faults",
        ),
    }
}

fn parse_fault(body: &[u8]) -> Result<Fault, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("fault body is not valid JSON: {e}"))?;
    let Value::Object(fault) = value else {
        return Err("fault body must be a JSON object".to_string());
    };
    let path_prefix = match fault.get("path_prefix") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) => Some(p.clone()),
        Some(_) => return Err("path_prefix must be a string or null".to_string()),
    };
    let times = match fault.get("times") {
        None | Some(Value::Null) => 1,
        Some(v) => v
            .as_u64()
            .and_then(|t| u32::try_from(t).ok())
            .ok_or("times must be a non-negative 32-bit integer")?,
    };
    let action = parse_action(fault.get("action").ok_or("action is required")?)?;
    Ok(Fault {
        path_prefix,
        times,
        action,
    })
}

fn parse_action(action: &Value) -> Result<FaultAction, String> {
    const SHAPES: &str = "action must be \"reset\" or an object with one key: respond, delay, \
                          rate_limit or reset";
    let (kind, params) = match action {
        Value::String(kind) => (kind.as_str(), &Value::Null),
        Value::Object(map) if map.len() == 1 => match map.iter().next() {
            Some((kind, params)) => (kind.as_str(), params),
            None => return Err(SHAPES.to_string()),
        },
        _ => return Err(SHAPES.to_string()),
    };
    let number = |key: &str| params.get(key).and_then(Value::as_u64);
    match kind {
        "reset" => Ok(FaultAction::Reset),
        "delay" => Ok(FaultAction::Delay {
            ms: number("ms").ok_or("delay.ms must be a non-negative integer")?,
        }),
        "rate_limit" => Ok(FaultAction::RateLimit {
            retry_after_secs: number("retry_after_secs")
                .and_then(|s| u32::try_from(s).ok())
                .ok_or("rate_limit.retry_after_secs must be a non-negative integer")?,
        }),
        "respond" => parse_respond(params),
        _ => Err(SHAPES.to_string()),
    }
}

fn parse_respond(params: &Value) -> Result<FaultAction, String> {
    let status = params
        .get("status")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .filter(|s| (200..=999).contains(s))
        .ok_or("respond.status must be an integer from 200 to 999")?;
    let mut headers = Vec::new();
    match params.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for item in list {
                let pair = item
                    .as_array()
                    .filter(|p| p.len() == 2)
                    .and_then(|p| Some((p[0].as_str()?, p[1].as_str()?)))
                    .ok_or("respond.headers must be a list of [name, value] string pairs")?;
                if HeaderName::from_bytes(pair.0.as_bytes()).is_err()
                    || HeaderValue::from_str(pair.1).is_err()
                {
                    return Err(format!("respond.headers: invalid header {pair:?}"));
                }
                headers.push((pair.0.to_string(), pair.1.to_string()));
            }
        }
        Some(_) => return Err("respond.headers must be a list of [name, value] pairs".to_string()),
    }
    let body = match (params.get("body_base64"), params.get("body")) {
        (Some(Value::String(b64)), _) => STANDARD_LENIENT
            .decode(b64)
            .map_err(|e| format!("respond.body_base64 is not valid base64: {e}"))?,
        (None | Some(Value::Null), Some(Value::String(text))) => text.clone().into_bytes(),
        (None | Some(Value::Null), None | Some(Value::Null)) => Vec::new(),
        _ => {
            return Err(
                "respond.body_base64 (or respond.body, as text) must be a string".to_string(),
            )
        }
    };
    Ok(FaultAction::Respond {
        status,
        headers,
        body,
    })
}
