//! Export and wait (the `Custom` runner of DESIGN §9's "export create-then-poll"): creates an
//! export with the entry's own request, checks it with the catalog's `export.get` (paced, the
//! wait growing from 1 s to 15 s) until Customer.io says done, then fetches the download link
//! with `export.download` — all within the step's budget. A budget that runs out says which
//! export was started, so the user can read it later instead of starting another.

use serde_json::{json, Map, Value};

use crate::call::Call;
use crate::catalog::{self, Bound};
use crate::error::{ConnectorError, ErrorKind, FixBy};
use crate::run::rest;

/// The first wait between status checks, and the longest.
const FIRST_WAIT_MS: u64 = 1_000;
const MAX_WAIT_MS: u64 = 15_000;
/// Time kept for the status check and the download request after a wait.
const RESERVE_MS: u64 = 2_000;

/// The deliveries-export rule: exactly one of the four sources.
pub fn deliveries_rule(
    input: &mut Map<String, Value>,
    _: &dyn Fn() -> String,
) -> Vec<(String, String)> {
    const SOURCES: [&str; 4] = [
        "newsletter_id",
        "campaign_id",
        "action_id",
        "transactional_message_id",
    ];
    let given: Vec<&str> = SOURCES
        .into_iter()
        .filter(|k| input.contains_key(*k))
        .collect();
    match given.len() {
        1 => Vec::new(),
        0 => vec![(
            "/newsletter_id".into(),
            "give the deliveries to export: one of newsletter_id, campaign_id, action_id or transactional_message_id".into(),
        )],
        _ => vec![(
            format!("/{}", given[1]),
            format!(
                "give one source of deliveries, not {}",
                given.join(" and ")
            ),
        )],
    }
}

/// Runs a catalog entry of the same API (`export.get`, `export.download`) for the export `id`.
fn step(call: &mut Call<'_>, b: Bound, name: &str, id: &Value) -> Result<Value, ConnectorError> {
    let other = catalog::find(&format!("{}.{name}", b.api.as_str()))
        .ok_or_else(|| ConnectorError::internal(format!("the catalog lacks {name}")))?;
    let mut input = Map::new();
    input.insert("export_id".into(), id.clone());
    let plan = rest::plan(other.op, &input, &|| String::new())?;
    Ok(rest::exchange(call, other, &plan)?.1)
}

/// Creates the export, waits for it and returns `{export, url, polls, waited_ms}`.
pub fn create_and_wait(
    call: &mut Call<'_>,
    b: Bound,
    input: Map<String, Value>,
) -> Result<(Value, u16), ConnectorError> {
    let plan = rest::plan(b.op, &input, &|| call.ulid())?;
    let (status, created) = rest::exchange(call, b, &plan)?;
    let mut export = created.get("export").cloned().unwrap_or(Value::Null);
    let id = export.get("id").filter(|v| v.is_u64()).cloned().ok_or_else(|| {
        ConnectorError::new(
            ErrorKind::Upstream,
            FixBy::Upstream,
            "Customer.io accepted the export but its answer has no export id; look for it with export.list",
        )
    })?;
    // From here on the export exists: no error may invite running the step again (that would
    // start a second export), and each names the export to read instead.
    let named = |mut e: ConnectorError, export: &Value| {
        e.retryable = false;
        e.message = format!("{} — export {id} was started; read it with export.get and export.download (export_id {id}) instead of starting another", e.message);
        e.body.get_or_insert_with(|| export.to_string());
        e
    };
    let started = call.clock().monotonic_ms();
    let (mut wait, mut polls) = (FIRST_WAIT_MS, 0u32);
    loop {
        match export.get("status").and_then(Value::as_str) {
            Some("done") => break,
            Some("failed") => {
                let mut e = ConnectorError::new(
                    ErrorKind::Upstream,
                    FixBy::Upstream,
                    format!("Customer.io could not finish export {id}; check it with export.get or start a new one"),
                );
                e.body = Some(export.to_string());
                return Err(e);
            }
            _ => {}
        }
        if call.remaining_ms() < wait + RESERVE_MS {
            let mut e = ConnectorError::new(
                ErrorKind::Timeout,
                FixBy::User,
                format!(
                    "export {id} was started but is not done after {} s of this step's budget; read it later with export.get and export.download (export_id {id}) instead of starting another, or give the step a longer timeout_ms",
                    (call.clock().monotonic_ms() - started) / 1000
                ),
            );
            e.body = Some(export.to_string());
            return Err(e);
        }
        call.pace(wait);
        wait = (wait * 3 / 2).min(MAX_WAIT_MS);
        polls += 1;
        let polled = step(call, b, "export.get", &id)
            .map_err(|e| named(e, &export))?
            .get("export")
            .cloned()
            .unwrap_or(Value::Null);
        // An answer about another export would make this one look done (or failed): refuse it.
        if polled.get("id") != Some(&id) {
            let e = ConnectorError::new(
                ErrorKind::Upstream,
                FixBy::Upstream,
                format!(
                    "asked for export {id}, Customer.io answered about {}",
                    polled
                        .get("id")
                        .map_or_else(|| "no export".to_string(), Value::to_string)
                ),
            );
            return Err(named(e, &export));
        }
        export = polled;
    }
    let link = step(call, b, "export.download", &id).map_err(|e| named(e, &export))?;
    let url = link.get("url").cloned().unwrap_or(Value::Null);
    if !url.is_string() {
        return Err(ConnectorError::new(
            ErrorKind::Upstream,
            FixBy::Upstream,
            format!("export {id} is done but Customer.io gave no download link; ask again with export.download"),
        ));
    }
    let waited_ms = call.clock().monotonic_ms() - started;
    Ok((
        json!({"export": export, "url": url, "polls": polls, "waited_ms": waited_ms}),
        status,
    ))
}
