//! JSON renderings of the WIT types, shared by the CLI and the manifest, so every tool that reads
//! the host's output sees one spelling (snake_case keys, kebab-case enum values as in the WIT).

use serde_json::{json, Value};

use crate::{
    AuthInfo, ConnectorError, ConnectorKind, ErrorKind, ExecuteResponse, FixBy,
    OperationDescriptor, OperationKind, Region,
};

/// `track`, `app` or `beta`.
pub fn connector_str(k: ConnectorKind) -> &'static str {
    match k {
        ConnectorKind::Track => "track",
        ConnectorKind::App => "app",
        ConnectorKind::Beta => "beta",
    }
}

/// `us`, `eu` or `auto`.
pub fn region_str(r: Region) -> &'static str {
    match r {
        Region::Us => "us",
        Region::Eu => "eu",
        Region::Auto => "auto",
    }
}

/// The WIT name of an error kind.
pub fn error_kind_str(k: ErrorKind) -> &'static str {
    match k {
        ErrorKind::InvalidConfig => "invalid-config",
        ErrorKind::InvalidInput => "invalid-input",
        ErrorKind::UnknownOperation => "unknown-operation",
        ErrorKind::Unauthorized => "unauthorized",
        ErrorKind::Forbidden => "forbidden",
        ErrorKind::WrongRegion => "wrong-region",
        ErrorKind::NotFound => "not-found",
        ErrorKind::RateLimited => "rate-limited",
        ErrorKind::Upstream => "upstream",
        ErrorKind::Transport => "transport",
        ErrorKind::Timeout => "timeout",
        ErrorKind::Internal => "internal",
    }
}

/// The CLI exit code of an error family (README: "Exit codes").
pub fn exit_code(k: ErrorKind) -> i32 {
    match k {
        ErrorKind::InvalidConfig | ErrorKind::InvalidInput | ErrorKind::UnknownOperation => 3,
        ErrorKind::Unauthorized | ErrorKind::Forbidden | ErrorKind::WrongRegion => 4,
        ErrorKind::NotFound => 5,
        ErrorKind::RateLimited => 6,
        ErrorKind::Upstream => 7,
        ErrorKind::Transport | ErrorKind::Timeout => 8,
        ErrorKind::Internal => 9,
    }
}

/// `{"error": {...}}`.
pub fn error(e: &ConnectorError) -> Value {
    json!({"error": {
        "kind": error_kind_str(e.kind),
        "message": e.message,
        "fix_by": match e.fix_by { FixBy::User => "user", FixBy::Host => "host", FixBy::Upstream => "upstream", FixBy::Connector => "connector" },
        "retryable": e.retryable,
        "status": e.status,
        "retry_after_ms": e.retry_after_ms,
        "pointers": e.pointers,
        "body": e.body,
    }})
}

fn parse_or_string(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_string()))
}

/// A descriptor with its schemas as JSON objects.
pub fn descriptor(d: &OperationDescriptor) -> Value {
    json!({
        "id": d.id,
        "title": d.title,
        "description": d.description,
        "connector": connector_str(d.connector),
        "kind": match d.kind { OperationKind::Action => "action", OperationKind::Lookup => "lookup", OperationKind::RawHttp => "raw-http" },
        "hints": {
            "read_only": d.hints.contains(crate::Hints::READ_ONLY),
            "destructive": d.hints.contains(crate::Hints::DESTRUCTIVE),
            "idempotent": d.hints.contains(crate::Hints::IDEMPOTENT),
            "paginated": d.hints.contains(crate::Hints::PAGINATED),
        },
        "input_schema": parse_or_string(&d.input_schema),
        "output_schema": parse_or_string(&d.output_schema),
    })
}

/// An `auth-info`.
pub fn auth_info(a: &AuthInfo) -> Value {
    json!({
        "connector": connector_str(a.connector),
        "region": region_str(a.region),
        "base_url": a.base_url,
        "details": parse_or_string(&a.details),
    })
}

/// An `execute-response` with its output as JSON.
pub fn response(r: &ExecuteResponse) -> Value {
    json!({"output": parse_or_string(&r.output), "status": r.status, "requests": r.requests})
}

/// The manifest a workflow platform reads to list the connector (DESIGN §8).
pub fn manifest(ops: &[OperationDescriptor]) -> Value {
    let secret = |name: &str, title: &str| json!({"name": name, "title": title, "secret": true});
    let connectors: Vec<Value> = crate::BASE_URLS
        .iter()
        .map(|(id, us, eu)| {
            let (title, fields) = match *id {
                "track" => ("Customer.io - Track", vec![secret("site_id", "Site ID"), secret("api_key", "Track API key")]),
                "app" => ("Customer.io - App", vec![secret("app_api_key", "App API key")]),
                _ => ("Customer.io - Beta", vec![secret("app_api_key", "App API key")]),
            };
            json!({"id": id, "title": title, "auth_fields": fields, "regions": {"us": us, "eu": eu}})
        })
        .collect();
    json!({
        "name": "customerio-connector",
        "version": env!("CARGO_PKG_VERSION"),
        "wit": {"package": "customerio:connector@0.1.0", "world": "connector-component"},
        "connectors": connectors,
        "operations": ops.iter().map(descriptor).collect::<Vec<_>>(),
    })
}
