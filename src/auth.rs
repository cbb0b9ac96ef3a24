//! "Test connection": one cheap authenticated request per credential, which also resolves `auto`
//! to a region (DESIGN §8: Track asks `/api/v1/accounts/region`, App and Beta keys probe
//! `/v1/workspaces` on the App host, US first).

use serde_json::{json, Value};

use crate::call::{json_output, wrong_region, Call, RetryPolicy};
use crate::error::{ConnectorError, ErrorKind, FixBy};
use crate::region;
use crate::types::{AuthInfo, ConnectorKind, Region};

/// Tests the connection of `call`, fixes the call's region and returns what the host should store.
pub fn probe(call: &mut Call<'_>) -> Result<AuthInfo, ConnectorError> {
    let info = match call.config.connector {
        ConnectorKind::Track => probe_track(call)?,
        ConnectorKind::App | ConnectorKind::Beta => probe_app(call)?,
    };
    call.set_region(info.region);
    Ok(info)
}

fn probe_track(call: &mut Call<'_>) -> Result<AuthInfo, ConnectorError> {
    let configured = call.config.region;
    // The region endpoint answers on either host; US is the documented default.
    let tried = if configured == Region::Eu {
        Region::Eu
    } else {
        Region::Us
    };
    let resp = call.get(
        &region::probe_url(ConnectorKind::Track, tried),
        &RetryPolicy::standard(true),
    )?;
    if !(200..300).contains(&resp.status) {
        return Err(call.status_error_in(tried, &resp, "the region check"));
    }
    let body = json_output(&resp);
    let actual = match body.get("region").and_then(Value::as_str).and_then(Region::parse) {
        Some(r @ (Region::Us | Region::Eu)) => r,
        _ => {
            return Err(ConnectorError::new(
                ErrorKind::Upstream,
                FixBy::Upstream,
                "Customer.io's region check answered without a region; try again or set the region explicitly",
            )
            .with_status(resp.status))
        }
    };
    if configured != Region::Auto && configured != actual {
        return Err(wrong_region(configured, actual));
    }
    Ok(AuthInfo {
        connector: ConnectorKind::Track,
        region: actual,
        base_url: region::base_url(ConnectorKind::Track, actual).to_string(),
        details: json!({
            "environment_id": body.get("environment_id"),
            "region": actual.as_str(),
            "checked": "GET /api/v1/accounts/region",
        })
        .to_string(),
    })
}

fn probe_app(call: &mut Call<'_>) -> Result<AuthInfo, ConnectorError> {
    let connector = call.config.connector;
    let order: &[Region] = match call.config.region {
        Region::Auto => &[Region::Us, Region::Eu],
        Region::Us => &[Region::Us],
        Region::Eu => &[Region::Eu],
    };
    let mut rejected = Vec::new();
    for &r in order {
        let resp = call.get(
            &region::probe_url(connector, r),
            &RetryPolicy::standard(true),
        )?;
        if (200..300).contains(&resp.status) {
            let body = json_output(&resp);
            let workspaces: Vec<Value> = body
                .get("workspaces")
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .map(|w| json!({"id": w.get("id"), "name": w.get("name")}))
                        .collect()
                })
                .unwrap_or_default();
            return Ok(AuthInfo {
                connector,
                region: r,
                base_url: region::base_url(connector, r).to_string(),
                details: json!({"workspaces": workspaces, "checked": "GET /v1/workspaces"})
                    .to_string(),
            });
        }
        let err = call.status_error_in(r, &resp, "the workspace list");
        let other_region = matches!(err.kind, ErrorKind::Unauthorized | ErrorKind::WrongRegion);
        if !other_region {
            return Err(err);
        }
        rejected.push(err);
    }
    let mut last = rejected
        .pop()
        .unwrap_or_else(|| ConnectorError::internal("no region probed"));
    if call.config.region == Region::Auto && last.kind == ErrorKind::Unauthorized {
        last.message = "Customer.io rejected the App API key in both the US and the EU data centre: check the key (Settings → API Credentials → App API Keys); a Track API key does not work here".into();
    }
    Err(last)
}
