//! The JSON form of faults at `/__emulator__/faults`: parsing what `POST` receives and writing
//! what `GET` lists. Both use the same shape, so a listed fault can be posted back.

use axum::http::{HeaderName, HeaderValue};
use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::fault::{parse_rate, parse_size};
use crate::util::STANDARD_LENIENT;
use crate::{Fault, FaultAction, Rate};

/// A `POST /__emulator__/faults` body: `{"spec": "ACTION[:PREFIX[:TIMES]]"}`, or
/// `{"path_prefix": …, "times": …, "action": …}`.
pub(crate) fn parse_fault(body: &[u8]) -> Result<Fault, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("fault body is not valid JSON: {e}"))?;
    let Value::Object(fault) = value else {
        return Err("fault body must be a JSON object".to_string());
    };
    if let Some(spec) = fault.get("spec") {
        let spec = spec.as_str().ok_or("spec must be a string")?;
        return Fault::parse(spec);
    }
    let path_prefix = match fault.get("path_prefix") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) => Some(p.clone()),
        Some(_) => return Err("path_prefix must be a string or null".to_string()),
    };
    let times = match fault.get("times") {
        None | Some(Value::Null) => 1,
        Some(Value::String(s)) if s == "forever" => Fault::FOREVER,
        Some(v) => v
            .as_u64()
            .and_then(|t| u32::try_from(t).ok())
            .ok_or("times must be a non-negative 32-bit integer or \"forever\"")?,
    };
    let action = parse_action(fault.get("action").ok_or("action is required")?)?;
    Ok(Fault {
        path_prefix,
        times,
        action,
    })
}

const SHAPES: &str = "action must be a name (\"reset\", \"stall\", …) or an object with one key: \
     respond, error, delay, rate_limit, reset, drip, drip_forever, stall, reset_before_body, \
     reset_after_apply, truncated, invalid_json, huge_body, endless_body, rate_limit_date, \
     rate_limit_header, rate_limit_absurd, redirect, redirect_other_region, echo_auth, storm or \
     chaos";

pub(crate) fn parse_action(action: &Value) -> Result<FaultAction, String> {
    let (kind, params) = match action {
        Value::String(kind) => (kind.as_str(), &Value::Null),
        Value::Object(map) if map.len() == 1 => match map.iter().next() {
            Some((kind, params)) => (kind.as_str(), params),
            None => return Err(SHAPES.to_string()),
        },
        _ => return Err(SHAPES.to_string()),
    };
    let number = |key: &str| params.get(key).and_then(Value::as_u64);
    let required = |key: &str| {
        number(key).ok_or_else(|| format!("{kind}.{key} must be a non-negative integer"))
    };
    let secs = |key: &str| {
        number(key)
            .and_then(|s| u32::try_from(s).ok())
            .ok_or_else(|| format!("{kind}.{key} must be a non-negative integer"))
    };
    let status = |default: Option<u16>, range: (u16, u16)| -> Result<u16, String> {
        let bad = || {
            format!(
                "{kind}.status must be an integer from {} to {}",
                range.0, range.1
            )
        };
        match params.get("status") {
            None | Some(Value::Null) => default.ok_or_else(bad),
            Some(v) => v
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .filter(|s| (range.0..=range.1).contains(s))
                .ok_or_else(bad),
        }
    };
    let full = (200, 999);
    Ok(match kind {
        "reset" => FaultAction::Reset,
        "stall" => FaultAction::Stall,
        "reset_before_body" => FaultAction::ResetBeforeBody,
        "reset_after_apply" => FaultAction::ResetAfterApply,
        "delay" => FaultAction::Delay {
            ms: required("ms").map_err(|_| "delay.ms must be a non-negative integer")?,
        },
        "rate_limit" => FaultAction::RateLimit {
            retry_after_secs: secs("retry_after_secs")
                .map_err(|_| "rate_limit.retry_after_secs must be a non-negative integer")?,
        },
        "respond" => parse_respond(params)?,
        "error" => FaultAction::error(status(None, full)?),
        "drip" => FaultAction::Drip {
            interval_ms: required("interval_ms")?,
            body: body(kind, params)?.unwrap_or_else(|| match FaultAction::drip(0) {
                FaultAction::Drip { body, .. } => body,
                _ => Vec::new(),
            }),
        },
        "drip_forever" => FaultAction::DripForever {
            interval_ms: required("interval_ms")?,
        },
        "truncated" => {
            let FaultAction::Truncated {
                body: default_body,
                missing: default_missing,
                ..
            } = FaultAction::truncated()
            else {
                unreachable!("truncated() is a Truncated")
            };
            FaultAction::Truncated {
                status: status(Some(200), full)?,
                body: body(kind, params)?.unwrap_or(default_body),
                missing: match params.get("missing") {
                    None | Some(Value::Null) => default_missing,
                    Some(_) => required("missing")?,
                },
            }
        }
        "invalid_json" => FaultAction::InvalidJson {
            status: status(Some(200), full)?,
        },
        "huge_body" => FaultAction::HugeBody {
            status: status(Some(200), full)?,
            bytes: match params.get("bytes") {
                Some(Value::String(size)) => parse_size(size)?,
                _ => required("bytes")?,
            },
        },
        "endless_body" => FaultAction::EndlessBody {
            status: status(Some(200), full)?,
        },
        "rate_limit_date" => FaultAction::RateLimitDate {
            retry_after_secs: secs("retry_after_secs")?,
        },
        "rate_limit_header" => {
            let value = params
                .get("retry_after")
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty() && HeaderValue::from_str(v).is_ok())
                .ok_or("rate_limit_header.retry_after must be a non-empty header value")?;
            FaultAction::RateLimitHeader {
                retry_after: value.to_string(),
            }
        }
        "rate_limit_absurd" => FaultAction::rate_limit_absurd(),
        "redirect" => {
            let location = params
                .get("location")
                .and_then(Value::as_str)
                .filter(|l| !l.is_empty())
                .ok_or("redirect.location must be a non-empty string")?;
            FaultAction::redirect(status(None, (300, 399))?, location)
        }
        "redirect_other_region" => {
            FaultAction::redirect_other_region(status(Some(301), (300, 399))?)
        }
        "echo_auth" => FaultAction::echo_auth(status(Some(400), full)?),
        "storm" => FaultAction::storm(
            status(Some(503), full)?,
            rate(kind, params.get("rate"))?,
            seed(kind, params)?,
        ),
        "chaos" => {
            let rate = rate(kind, params.get("rate"))?;
            let seed = seed(kind, params)?;
            match params.get("choices") {
                None | Some(Value::Null) => FaultAction::chaos(rate, seed),
                Some(Value::Array(list)) => {
                    let choices = list
                        .iter()
                        .map(|choice| {
                            let weight = match choice.get("weight") {
                                None | Some(Value::Null) => 1,
                                Some(w) => w.as_u64().and_then(|w| u32::try_from(w).ok()).ok_or(
                                    "chaos.choices[].weight must be a non-negative integer",
                                )?,
                            };
                            let action = choice
                                .get("action")
                                .ok_or("chaos.choices[] must be {\"weight\": W, \"action\": …}")?;
                            Ok((weight, parse_action(action)?))
                        })
                        .collect::<Result<Vec<_>, String>>()?;
                    FaultAction::Chaos {
                        rate,
                        seed,
                        choices,
                    }
                }
                Some(_) => return Err("chaos.choices must be a list".to_string()),
            }
        }
        _ => return Err(SHAPES.to_string()),
    })
}

/// `body` (text) or `body_base64`; `None` when neither is given.
fn body(kind: &str, params: &Value) -> Result<Option<Vec<u8>>, String> {
    match (params.get("body_base64"), params.get("body")) {
        (Some(Value::String(b64)), _) => STANDARD_LENIENT
            .decode(b64)
            .map(Some)
            .map_err(|e| format!("{kind}.body_base64 is not valid base64: {e}")),
        (None | Some(Value::Null), Some(Value::String(text))) => {
            Ok(Some(text.clone().into_bytes()))
        }
        (None | Some(Value::Null), None | Some(Value::Null)) => Ok(None),
        _ => Err(format!(
            "{kind}.body_base64 (or {kind}.body, as text) must be a string"
        )),
    }
}

fn rate(kind: &str, value: Option<&Value>) -> Result<Rate, String> {
    match value {
        None | Some(Value::Null) => Ok(Rate::Always),
        Some(Value::String(text)) => parse_rate(text),
        Some(Value::Number(n)) => parse_rate(&n.to_string()),
        Some(Value::Object(map)) => {
            let get = |key: &str| {
                map.get(key)
                    .and_then(Value::as_u64)
                    .and_then(|v| u32::try_from(v).ok())
            };
            match (get("k"), get("n")) {
                (Some(k), Some(n)) if k <= n => Ok(Rate::KOfN { k, n }),
                _ => Err(format!("{kind}.rate {{k, n}} needs integers with k <= n")),
            }
        }
        Some(_) => Err(format!(
            "{kind}.rate must be \"always\", a probability, \"P%\", \"K/N\" or {{\"k\":K,\"n\":N}}"
        )),
    }
}

fn seed(kind: &str, params: &Value) -> Result<u64, String> {
    match params.get("seed") {
        None | Some(Value::Null) => Ok(0),
        Some(v) => v
            .as_u64()
            .ok_or_else(|| format!("{kind}.seed must be a non-negative integer")),
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
    Ok(FaultAction::Respond {
        status,
        headers,
        body: body("respond", params)?.unwrap_or_default(),
    })
}

/// A pending fault as `GET /__emulator__/faults` lists it (postable back as is).
pub(crate) fn fault_json(fault: &Fault) -> Value {
    json!({
        "path_prefix": fault.path_prefix,
        "times": fault.times,
        "action": action_json(&fault.action),
    })
}

fn body_fields(map: &mut Map<String, Value>, body: &[u8]) {
    match std::str::from_utf8(body) {
        Ok(text) => map.insert("body".to_string(), json!(text)),
        Err(_) => map.insert(
            "body_base64".to_string(),
            json!(base64::engine::general_purpose::STANDARD.encode(body)),
        ),
    };
}

pub(crate) fn action_json(action: &FaultAction) -> Value {
    let mut params = Map::new();
    let mut put = |key: &str, value: Value| {
        params.insert(key.to_string(), value);
    };
    match action {
        FaultAction::Reset
        | FaultAction::Stall
        | FaultAction::ResetBeforeBody
        | FaultAction::ResetAfterApply => return json!(action.kind()),
        FaultAction::Respond {
            status,
            headers,
            body,
        } => {
            put("status", json!(status));
            put(
                "headers",
                headers.iter().map(|(n, v)| json!([n, v])).collect(),
            );
            body_fields(&mut params, body);
        }
        FaultAction::Delay { ms } => put("ms", json!(ms)),
        FaultAction::RateLimit { retry_after_secs }
        | FaultAction::RateLimitDate { retry_after_secs } => {
            put("retry_after_secs", json!(retry_after_secs))
        }
        FaultAction::Drip { interval_ms, body } => {
            put("interval_ms", json!(interval_ms));
            body_fields(&mut params, body);
        }
        FaultAction::DripForever { interval_ms } => put("interval_ms", json!(interval_ms)),
        FaultAction::Truncated {
            status,
            body,
            missing,
        } => {
            put("status", json!(status));
            put("missing", json!(missing));
            body_fields(&mut params, body);
        }
        FaultAction::InvalidJson { status }
        | FaultAction::EndlessBody { status }
        | FaultAction::EchoAuth { status } => put("status", json!(status)),
        FaultAction::HugeBody { status, bytes } => {
            put("status", json!(status));
            put("bytes", json!(bytes));
        }
        FaultAction::RateLimitHeader { retry_after } => put("retry_after", json!(retry_after)),
        FaultAction::Redirect { status, location } => {
            put("status", json!(status));
            put("location", json!(location));
        }
        FaultAction::Chaos {
            rate,
            seed,
            choices,
        } => {
            put(
                "rate",
                match rate {
                    Rate::Always => json!("always"),
                    Rate::Probability(p) => json!(p),
                    Rate::KOfN { k, n } => json!({"k": k, "n": n}),
                },
            );
            put("seed", json!(seed));
            put(
                "choices",
                choices
                    .iter()
                    .map(
                        |(weight, action)| json!({"weight": weight, "action": action_json(action)}),
                    )
                    .collect(),
            );
        }
    }
    json!({ action.kind(): params })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_faults_parse_back_to_themselves() {
        let actions = vec![
            FaultAction::error(503),
            FaultAction::Respond {
                status: 200,
                headers: vec![("x-a".into(), "1".into())],
                body: vec![0xff, 0, 1],
            },
            FaultAction::Delay { ms: 5 },
            FaultAction::RateLimit {
                retry_after_secs: 3,
            },
            FaultAction::Reset,
            FaultAction::drip(10),
            FaultAction::drip_forever(10),
            FaultAction::Stall,
            FaultAction::ResetBeforeBody,
            FaultAction::ResetAfterApply,
            FaultAction::truncated(),
            FaultAction::invalid_json(),
            FaultAction::huge_body(300 << 20),
            FaultAction::endless_body(),
            FaultAction::rate_limit_date(5),
            FaultAction::rate_limit_absurd(),
            FaultAction::redirect(307, "https://evil.example.com{path}"),
            FaultAction::redirect_other_region(301),
            FaultAction::echo_auth(500),
            FaultAction::storm(503, Rate::KOfN { k: 1, n: 3 }, 4),
            FaultAction::chaos(Rate::Probability(0.2), 42),
            FaultAction::Chaos {
                rate: Rate::Always,
                seed: 1,
                choices: vec![(0, FaultAction::Stall)],
            },
        ];
        for action in actions {
            let fault = Fault::new(action).with_path("/api/").with_times(4);
            let text = fault_json(&fault).to_string();
            assert_eq!(parse_fault(text.as_bytes()).unwrap(), fault, "{text}");
        }
    }
}
