//! Splitting one input into several requests within the API's limits: by count (manual segments
//! take 1,000 ids per request) or by bytes (Track v2 batches take 500 KB per request and 32 KB
//! per item). Slices are sent in order; the first failure stops the rest, and the output says
//! what was applied, so a workflow can resume from the failed slice instead of repeating all.

use serde_json::{json, Map, Value};

use crate::call::Call;
use crate::catalog::{Bound, Split};
use crate::error::{ConnectorError, ErrorKind, FixBy};
use crate::run::rest::{exchange, pace_ms, plan};

fn error_json(e: &ConnectorError) -> Value {
    json!({"kind": e.kind.as_str(), "message": e.message, "status": e.status, "retryable": e.retryable})
}

/// Runs an entry whose split is `Count` or `Bytes`.
pub fn run(
    call: &mut Call<'_>,
    b: Bound,
    mut input: Map<String, Value>,
) -> Result<(Value, u16), ConnectorError> {
    let field = match b.op.split {
        Split::Count(field, _) | Split::Bytes(field, _, _) => field,
        Split::None => return Err(ConnectorError::internal("split runner without a split")),
    };
    // The array is taken out once; each slice is the rest of the input plus its part.
    let items = match input.remove(field) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    let slices = match b.op.split {
        Split::Bytes(_, request, item) => by_bytes(&input, field, &items, request, item)?,
        Split::Count(_, max) => by_count(items.len(), max),
        Split::None => Vec::new(),
    };
    let batch = matches!(b.op.split, Split::Bytes(..));
    // Every slice is planned before the first is sent, so bad input sends nothing.
    let mut plans = Vec::with_capacity(slices.len());
    for (from, to) in &slices {
        let mut one = input.clone();
        one.insert(field.to_string(), Value::Array(items[*from..*to].to_vec()));
        plans.push(plan(b.op, &one, &|| call.ulid())?);
    }
    let (mut sent, mut status, mut errors, mut failed) = (0usize, 200u16, Vec::new(), Value::Null);
    let mut stopped: Option<ConnectorError> = None;
    for (i, (p, (from, to))) in plans.iter().zip(&slices).enumerate() {
        if i > 0 {
            call.pace(pace_ms(b.api));
        }
        match exchange(call, b, p) {
            Ok((s, answer)) => {
                status = s;
                let refused = answer
                    .get("errors")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for e in &refused {
                    let mut e = e.clone();
                    if let Some(at) = e.get("batch_index").and_then(Value::as_u64) {
                        e["index"] = json!(from + at as usize);
                    }
                    if let Some(o) = e.as_object_mut() {
                        o.remove("batch_index");
                    }
                    errors.push(e);
                }
                sent += (to - from).saturating_sub(refused.len());
            }
            Err(mut e) if i == 0 => {
                if slices.len() > 1 {
                    // Only an answer that refused the request says nothing was applied; a lost
                    // answer or a 5xx may come after Customer.io applied it.
                    let refused = e.status.is_some_and(|s| (400..500).contains(&s));
                    let applied = if refused {
                        "nothing was applied"
                    } else {
                        "it may have been applied; the others were not sent"
                    };
                    e.message = format!(
                        "{} (the first of {} requests failed; {applied})",
                        e.message,
                        slices.len()
                    );
                }
                return Err(e);
            }
            Err(e) => {
                failed =
                    json!({"slice": i, "from": from, "count": to - from, "error": error_json(&e)});
                stopped = Some(e);
                break;
            }
        }
    }
    let complete = failed.is_null() && errors.is_empty();
    let mut out = json!({"complete": complete, "requests": call.requests, "total": items.len()});
    out[if batch { "accepted" } else { "sent" }] = json!(sent);
    if batch {
        out["errors"] = Value::Array(errors);
    }
    if !failed.is_null() {
        out["failed"] = failed;
    }
    if !complete {
        return Err(incomplete(&out, items.len(), batch, stopped));
    }
    Ok((out, status))
}

/// The error of a call that did only part of what it was asked: typed after what stopped it,
/// never retryable as a whole (the applied part would be applied again), and carrying the
/// output (`failed` with the slice, `errors` with the refused items) as its body, so every host
/// shows a failure and the workflow can resume from the failed slice.
fn incomplete(
    out: &Value,
    total: usize,
    batch: bool,
    stopped: Option<ConnectorError>,
) -> ConnectorError {
    let applied = out[if batch { "accepted" } else { "sent" }]
        .as_u64()
        .unwrap_or(0);
    let mut parts = vec![format!("{applied} of {total} items were applied")];
    let refused = out["errors"].as_array().map_or(0, Vec::len);
    if refused > 0 {
        let first = &out["errors"][0];
        parts.push(format!(
            "Customer.io refused {refused} (the first: item {} — {})",
            first["index"],
            first["reason"]
                .as_str()
                .or(first["message"].as_str())
                .unwrap_or("no reason given")
        ));
    }
    let (kind, fix_by, status) = match &stopped {
        None => (ErrorKind::InvalidInput, FixBy::User, None),
        Some(e) => {
            let failed = &out["failed"];
            let from = failed["from"].as_u64().unwrap_or(0);
            let count = failed["count"].as_u64().unwrap_or(0);
            parts.push(format!(
                "items {from} to {} failed: {}; the items after them were not sent",
                from + count.saturating_sub(1),
                e.message
            ));
            (e.kind, e.fix_by, e.status)
        }
    };
    let mut e = ConnectorError::new(
        kind,
        fix_by,
        format!(
            "{}; run the rest again from the output in this error's body",
            parts.join("; ")
        ),
    );
    e.status = status;
    e.body = Some(out.to_string());
    e
}

fn by_count(n: usize, max: usize) -> Vec<(usize, usize)> {
    (0..n.max(1))
        .step_by(max.max(1))
        .map(|from| (from, (from + max).min(n)))
        .collect()
}

/// Greedy packing in input order; the envelope's own bytes count against the request limit.
fn by_bytes(
    rest: &Map<String, Value>,
    field: &str,
    items: &[Value],
    request: usize,
    item: usize,
) -> Result<Vec<(usize, usize)>, ConnectorError> {
    let mut empty = rest.clone();
    empty.insert(field.to_string(), json!([]));
    let envelope = Value::Object(empty).to_string().len();
    let sizes: Vec<usize> = items.iter().map(|v| v.to_string().len()).collect();
    let over: Vec<(String, String)> = sizes
        .iter()
        .enumerate()
        .filter(|(_, s)| **s > item || envelope + **s > request)
        .map(|(i, s)| {
            (
                format!("/{field}/{i}"),
                format!("item {i} is {s} bytes; Customer.io takes at most {item} bytes per item"),
            )
        })
        .collect();
    if !over.is_empty() {
        return Err(crate::schema::problems_error(over));
    }
    let mut slices = Vec::new();
    let (mut from, mut size) = (0usize, envelope);
    for (i, s) in sizes.iter().enumerate() {
        let add = s + usize::from(i > from);
        if i > from && size + add > request {
            slices.push((from, i));
            from = i;
            size = envelope + s;
        } else {
            size += add;
        }
    }
    slices.push((from, items.len()));
    Ok(slices)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_by_count_and_bytes() {
        let input: Map<String, Value> = serde_json::from_value(
            json!({"ids": (0..2500).map(|i| i.to_string()).collect::<Vec<_>>()}),
        )
        .unwrap();
        assert_eq!(
            by_count(input["ids"].as_array().unwrap().len(), 1000),
            vec![(0, 1000), (1000, 2000), (2000, 2500)]
        );
        let items: Vec<Value> = (0..100)
            .map(|i| json!({"n": i, "pad": "x".repeat(90)}))
            .collect();
        let input: Map<String, Value> = serde_json::from_value(json!({"batch": items})).unwrap();
        let slices = by_bytes(&Map::new(), "batch", &items, 1000, 500).unwrap();
        assert!(slices.len() > 10);
        for (from, to) in &slices {
            let mut one = input.clone();
            one.insert(
                "batch".into(),
                Value::Array(input["batch"].as_array().unwrap()[*from..*to].to_vec()),
            );
            assert!(Value::Object(one).to_string().len() <= 1000);
        }
        assert_eq!(slices.last().unwrap().1, 100);
        let err = by_bytes(&Map::new(), "batch", &items, 1000, 50).unwrap_err();
        assert_eq!(err.pointers.len(), 100);
        assert_eq!(err.pointers[3], "/batch/3");
    }
}
