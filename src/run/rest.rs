//! The generic runner: fills an entry's path template, query and body from the validated input
//! (identifiers in their wire form), sends it with the entry's replay rule, and shapes the
//! answer into the entry's output — following cursor pages for lists and lookups.

use serde_json::{json, Map, Value};

use crate::call::{json_output, Call, RetryPolicy};
use crate::catalog::{Base, Bound, Operation, Output, Paginator, Replay, Split};
use crate::error::ConnectorError;
use crate::http::{HttpRequest, Method};
use crate::identity::{self, Placed};
use crate::region;
use crate::schema::{Place, Ty};
use crate::types::{ConnectorKind, ExecuteResponse};
use crate::util;

/// Whether the entry places anything in a body: a body field, attributes, an identifier
/// written into the body, or a fixed value.
fn takes_body(op: &Operation) -> bool {
    !op.set.is_empty()
        || op.fields.iter().chain(op.common).any(|f| {
            matches!(
                f.place,
                Place::Body(_)
                    | Place::BodyRoot
                    | Place::Ident(crate::identity::Wire::Identifiers(_), _)
            )
        })
}

/// A request before the region is known: the path under the entry's base, the query, the body.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Path with every placeholder filled and percent-encoded.
    pub path: String,
    /// Query pairs, in order.
    pub query: Vec<(String, String)>,
    /// JSON body, if the request carries one.
    pub body: Option<Value>,
}

/// Writes `value` at `pointer` (`a/b`, no leading `/`), creating objects on the way.
pub fn set_pointer(body: &mut Map<String, Value>, pointer: &str, value: Value) {
    let mut parts = pointer.split('/').peekable();
    let mut cur = body;
    while let Some(key) = parts.next() {
        if parts.peek().is_none() {
            cur.insert(key.to_string(), value);
            return;
        }
        let slot = cur
            .entry(key.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        cur = slot.as_object_mut().expect("object just ensured");
    }
}

fn fill(path: &mut String, name: &str, text: &str, pointer: &str) -> Result<(), ConnectorError> {
    identity::check_segment(text, pointer)?;
    *path = path.replace(&format!("{{{name}}}"), &util::encode_segment(text));
    Ok(())
}

/// Builds the plan of one request from the entry's fields, fixed values and limits.
pub fn plan(
    op: &Operation,
    input: &Map<String, Value>,
    ulid: &dyn Fn() -> String,
) -> Result<Plan, ConnectorError> {
    let mut path = op.requester.path.to_string();
    let mut query = Vec::new();
    let mut body = Map::new();
    // A POST, PUT or PATCH carries a body (`{}` when every field is left empty) only when the
    // route takes one: a route whose entry places nothing in the body (suppress, publish, a
    // new test group) goes out without one, as the spec and the official clients send it.
    let mut has_body = !matches!(
        op.requester.method,
        Method::Get | Method::Delete | Method::Head
    ) && takes_body(op);
    for f in op.fields.iter().chain(op.common) {
        let value = input.get(f.name);
        let pointer = format!("/{}", f.name);
        match f.place {
            Place::Path => {
                let text = value.and_then(util::scalar_text).unwrap_or_default();
                fill(&mut path, f.name, &text, &pointer)?;
            }
            Place::Ident(wire, type_field) => {
                let Some(text) = value.and_then(Value::as_str) else {
                    continue;
                };
                let given = input.get(type_field).and_then(Value::as_str);
                match identity::place(wire, text, given, &pointer)? {
                    Placed::Path(segment, id_type) => {
                        fill(&mut path, f.name, &segment, &pointer)?;
                        if let Some(t) = id_type {
                            query.push(("id_type".to_string(), t.to_string()));
                        }
                    }
                    Placed::Body(at, identifiers) => {
                        set_pointer(&mut body, at, identifiers);
                        has_body = true;
                    }
                    Placed::Query(name, v, id_type) => {
                        query.push((name.to_string(), v));
                        if let Some(t) = id_type {
                            query.push(("id_type".to_string(), t.to_string()));
                        }
                    }
                }
            }
            Place::Query(name) => match value {
                Some(Value::Array(items)) => query.extend(
                    items
                        .iter()
                        .filter_map(util::scalar_text)
                        .map(|v| (name.to_string(), v)),
                ),
                Some(v) => query.extend(util::scalar_text(v).map(|v| (name.to_string(), v))),
                None => {
                    if let (true, Some(d)) = (f.sent, f.default) {
                        let d: Value = serde_json::from_str(d).map_err(|e| {
                            ConnectorError::internal(format!("default of {}: {e}", f.name))
                        })?;
                        query.extend(util::scalar_text(&d).map(|v| (name.to_string(), v)));
                    }
                }
            },
            Place::Body(at) => {
                let v = match value {
                    Some(v) => v.clone(),
                    None if matches!(f.ty, Ty::Ulid(true)) => Value::String(ulid()),
                    None => continue,
                };
                set_pointer(&mut body, at, v);
                has_body = true;
            }
            Place::BodyRoot | Place::Control => {}
        }
    }
    // Attributes go in last; a key also given as its own field (email, created_at) is refused
    // when the two differ rather than one silently dropped.
    let mut whole = None;
    for f in op
        .fields
        .iter()
        .chain(op.common)
        .filter(|f| f.place == Place::BodyRoot)
    {
        // An array given for the body root is the whole body (a collection's rows).
        if let Some(Value::Array(items)) = input.get(f.name) {
            whole = Some(Value::Array(items.clone()));
            continue;
        }
        if let Some(Value::Object(o)) = input.get(f.name) {
            for (k, v) in o {
                match body.get(k) {
                    Some(own) if own != v => {
                        return Err(ConnectorError::invalid_input(
                            format!("/{}/{}", f.name, crate::schema::pointer_escape(k)),
                            format!("`{k}` is given twice, as {}.{k} and as the `{k}` field, with different values; keep one", f.name),
                        ))
                    }
                    Some(_) => {}
                    None => {
                        body.insert(k.clone(), v.clone());
                    }
                }
            }
            has_body = true;
        }
    }
    for (at, json) in op.set {
        let v = serde_json::from_str(json)
            .map_err(|e| ConnectorError::internal(format!("fixed value of {at}: {e}")))?;
        set_pointer(&mut body, at, v);
        has_body = true;
    }
    let body = whole.or_else(|| has_body.then_some(Value::Object(body)));
    if let (Some(max), Some(b)) = (op.max_body, &body) {
        let len = b.to_string().len();
        if len > max {
            return Err(ConnectorError::invalid_input(
                "",
                format!("the request would be {len} bytes; Customer.io takes at most {max} bytes per request here — send fewer or smaller attributes (or use track.batch.submit for many items)"),
            ));
        }
    }
    Ok(Plan { path, query, body })
}

/// The root a path hangs off in the resolved region, and that root's path prefix.
fn base(call: &mut Call<'_>, b: Bound) -> Result<(String, &'static str), ConnectorError> {
    let r = call.region()?;
    Ok(match b.op.requester.base {
        Base::Api => (
            region::base_url(b.api, r).to_string(),
            region::base_path(b.api, r),
        ),
        Base::HostRoot => (format!("https://{}", region::host(b.api, r)), ""),
    })
}

/// The path must keep the template's shape once parsed: same segments, literals unchanged.
fn check_shape(template: &str, url: &url::Url) -> Result<(), ConnectorError> {
    let tpl: Vec<&str> = template.split('/').collect();
    let got: Vec<&str> = url.path().split('/').collect();
    let same = tpl.len() == got.len()
        && tpl.iter().zip(&got).all(|(t, g)| {
            if t.starts_with('{') {
                !g.is_empty() && *g != "." && *g != ".."
            } else {
                t == g
            }
        });
    if same {
        Ok(())
    } else {
        Err(ConnectorError::invalid_input(
            "",
            format!("an identifier would change the request path to {}; it must keep the shape {template}", url.path()),
        ))
    }
}

/// Sends one planned request; a 2xx or a status the entry treats as a result is the answer.
pub fn exchange(
    call: &mut Call<'_>,
    b: Bound,
    plan: &Plan,
) -> Result<(u16, Value), ConnectorError> {
    let body = plan
        .body
        .as_ref()
        .map(|v| ("application/json", v.to_string().into_bytes()));
    exchange_body(call, b, plan, body)
}

/// [`exchange`] with a body of another type (a multipart upload) instead of the plan's JSON.
pub fn exchange_body(
    call: &mut Call<'_>,
    b: Bound,
    plan: &Plan,
    body: Option<(&str, Vec<u8>)>,
) -> Result<(u16, Value), ConnectorError> {
    let op = b.op;
    let (root, base_path) = base(call, b)?;
    let mut url = url::Url::parse(&format!("{root}{}", plan.path))
        .map_err(|e| ConnectorError::internal(format!("bad URL: {e}")))?;
    check_shape(&format!("{base_path}{}", op.requester.path), &url)?;
    if !plan.query.is_empty() {
        url.query_pairs_mut().extend_pairs(&plan.query);
    }
    let mut headers = call.base_headers();
    if op.requester.public {
        headers.retain(|(name, _)| name != "authorization");
    }
    let body = match body {
        Some((content_type, bytes)) => {
            headers.push(("content-type".into(), content_type.to_string()));
            bytes
        }
        None => Vec::new(),
    };
    let safe = match op.replay {
        Replay::FromMethod => op.requester.method.is_idempotent(),
        Replay::Safe => true,
        Replay::SafeUnless(unsafe_body) => !plan.body.as_ref().is_some_and(unsafe_body),
        Replay::Never => false,
    };
    let request = HttpRequest {
        method: op.requester.method,
        url,
        headers,
        body,
        timeout: Default::default(),
        max_response: crate::http::MAX_RESPONSE_DEFAULT,
    };
    let resp = call.send(request, &RetryPolicy::standard(safe))?;
    if let Some((_, out)) = op.statuses.iter().find(|(s, _)| *s == resp.status) {
        return Ok((
            resp.status,
            serde_json::from_str(out).unwrap_or(Value::Null),
        ));
    }
    if !(200..300).contains(&resp.status) {
        let err = call.status_error(&resp, &format!("`{}`", b.id()));
        // A 5xx may come after the request was applied.
        let err = if resp.status >= 500 {
            call.unsafe_to_repeat(err, true)
        } else {
            err
        };
        return Err(call.explain_unauthorized(err));
    }
    if let Output::File = op.output {
        let content_type = resp
            .headers
            .iter()
            .find(|(name, _)| name == "content-type")
            .map_or("application/octet-stream", |(_, v)| v.as_str());
        let file = json!({
            "content_type": content_type,
            "size": resp.body.len(),
            "base64": util::b64(&resp.body),
        });
        return Ok((resp.status, file));
    }
    // An answer that looks like JSON but does not parse (cut short, or nested deeper than the
    // parser goes) is an error, not text handed on as if it were the data.
    let out = json_output(&resp);
    let looks_json = resp
        .body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| matches!(b, b'{' | b'['));
    // (Where Customer.io's answer is only an acknowledgement, its text is passed on as before.)
    if looks_json && out.is_string() && !matches!(op.output, Output::Empty) {
        let mut e = ConnectorError::new(
            crate::error::ErrorKind::Upstream,
            crate::error::FixBy::Upstream,
            format!(
                "Customer.io's answer to `{}` looks like JSON but cannot be read (cut short, or nested more than 128 levels deep)",
                b.id()
            ),
        );
        e.status = Some(resp.status);
        return Err(call.unsafe_to_repeat(e, true));
    }
    Ok((resp.status, out))
}

/// Runs an entry with the generic runner (or its split).
pub fn run(
    call: &mut Call<'_>,
    b: Bound,
    input: Map<String, Value>,
) -> Result<ExecuteResponse, ConnectorError> {
    let (output, status) = match (b.op.split, b.op.paginator, b.op.output) {
        (Split::Count(..) | Split::Bytes(..), _, _) => crate::run::split::run(call, b, input)?,
        (
            _,
            Paginator::Cursor | Paginator::Offset | Paginator::LimitOffset | Paginator::Page,
            _,
        )
        | (_, _, Output::Lookup(..)) => paged(call, b, input)?,
        _ => {
            let p = plan(b.op, &input, &|| call.ulid())?;
            let (status, out) = exchange(call, b, &p)?;
            match b.op.output {
                Output::Wrapped(key) => (json!({ key: out }), status),
                // Customer.io answers `{"exports": null}` for none; the output promises an array.
                Output::List(key) => {
                    let mut out = out;
                    if let Some(slot) = out.get_mut(key).filter(|v| v.is_null()) {
                        *slot = Value::Array(Vec::new());
                    }
                    (out, status)
                }
                _ => (out, status),
            }
        }
    };
    Ok(ExecuteResponse {
        output: output.to_string(),
        status,
        requests: call.requests,
    })
}

/// Pause between pages of the App API (10 requests per second); Track has no such limit.
pub fn pace_ms(api: ConnectorKind) -> u64 {
    match api {
        ConnectorKind::Track => 0,
        _ => 100,
    }
}

fn paged(
    call: &mut Call<'_>,
    b: Bound,
    input: Map<String, Value>,
) -> Result<(Value, u16), ConnectorError> {
    let lookup = matches!(b.op.output, Output::Lookup(..));
    let (key, text, value) = match b.op.output {
        Output::Lookup(k, t, v) => (k, t, v),
        Output::List(k) => (k, "", ""),
        _ => ("", "", ""),
    };
    let return_all = input
        .get("return_all")
        .and_then(Value::as_bool)
        .unwrap_or(lookup);
    let max_pages = input.get("max_pages").and_then(Value::as_u64).unwrap_or(20);
    let style = b.op.paginator;
    // Where a page starts, as the query names it; the input says `start` but for page numbers.
    let name = match style {
        Paginator::LimitOffset => "offset",
        Paginator::Page => "page",
        _ => "start",
    };
    let position = if style == Paginator::Page {
        "page"
    } else {
        "start"
    };
    let mut start = input.get(position).and_then(util::scalar_text);
    let limit = input.get("limit").and_then(Value::as_u64);
    let (mut records, mut pages) = (Vec::new(), 0u64);
    let mut seen = std::collections::HashSet::new();
    // Every page is the same request but for its position: plan it once.
    let first = plan(b.op, &input, &|| call.ulid())?;
    let (status, next, repeated) = loop {
        let mut p = first.clone();
        p.query
            .extend(limit.map(|l| ("limit".to_string(), l.to_string())));
        let at = start.take();
        p.query.extend(at.clone().map(|s| (name.to_string(), s)));
        let (status, answer) = exchange(call, b, &p)?;
        pages += 1;
        let page = answer.get(key).and_then(Value::as_array);
        let got = page.map_or(0, Vec::len);
        records.extend(page.into_iter().flatten().cloned());
        let next = match style {
            // The offset after this page, unless the page was the last (shorter than asked).
            Paginator::LimitOffset => {
                let offset = at.and_then(|s| s.parse::<u64>().ok()).unwrap_or(0) + got as u64;
                (got > 0 && limit.is_none_or(|l| got as u64 >= l)).then(|| offset.to_string())
            }
            // The page after this one, while the total (or a full page) says there is more.
            Paginator::Page => {
                let current = at.and_then(|s| s.parse::<u64>().ok()).unwrap_or(1);
                let meta = &answer["meta"]["pagination"];
                let per = meta["limit"].as_u64().or(limit);
                let more = match (meta["total"].as_u64(), per) {
                    (Some(total), Some(per)) => current.saturating_mul(per) < total,
                    _ => got > 0 && limit.is_some_and(|l| got as u64 >= l),
                };
                (got > 0 && more).then(|| (current + 1).to_string())
            }
            // An integer offset ends the list unless it moves past the current one.
            Paginator::Offset => {
                let current = at.and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
                let next = answer
                    .get("next")
                    .and_then(util::scalar_text)
                    .and_then(|n| n.parse::<u64>().ok());
                next.filter(|n| got > 0 && *n > current)
                    .map(|n| n.to_string())
            }
            _ => answer
                .get("next")
                .and_then(util::scalar_text)
                .filter(|n| !n.is_empty()),
        };
        // A cursor seen before would only repeat pages: stop instead of looping to the cap.
        let repeated = next.as_ref().is_some_and(|n| !seen.insert(n.clone()));
        if !return_all || next.is_none() || repeated || pages >= max_pages {
            break (status, next.filter(|_| !repeated), repeated);
        }
        call.pace(pace_ms(b.api));
        start = next;
    };
    if lookup {
        let search = input
            .get("search")
            .and_then(Value::as_str)
            .map(str::to_lowercase);
        let mut values = std::collections::HashSet::new();
        let result: Vec<Value> = records
            .iter()
            .filter_map(|r| {
                let shown = r.get(text).and_then(util::scalar_text)?;
                let chosen = r.get(value).cloned().unwrap_or(Value::Null);
                let keep = search
                    .as_ref()
                    .is_none_or(|s| shown.to_lowercase().contains(s))
                    && values.insert(chosen.to_string());
                keep.then(|| json!({"text": shown, "value": chosen}))
            })
            .collect();
        return Ok((
            json!({"result": result, "truncated": next.is_some() || repeated}),
            status,
        ));
    }
    // A repeated cursor ends the reading but not the list: the output must not claim it whole.
    let truncated = (return_all && next.is_some()) || repeated;
    // A page number or offset goes out as a number, so it can be given back as `page` / `start`.
    let next = match style {
        Paginator::Page | Paginator::Offset | Paginator::LimitOffset => {
            next.and_then(|n| n.parse::<u64>().ok()).map(Value::from)
        }
        _ => next.map(Value::from),
    };
    Ok((
        json!({ key: records, "next": next, "pages": pages, "truncated": truncated }),
        status,
    ))
}
