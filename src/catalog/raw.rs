//! The three raw HTTP operations (one per API); their fields and builder live in `crate::raw`.

use super::{hints, Operation, Request};
use crate::raw::{FIELDS, OUTPUT_SCHEMA};
use crate::types::{ConnectorKind, OperationKind::RawHttp};

/// One raw entry; the three differ only in API, wording and example.
const fn raw(
    id: &'static str,
    title: &'static str,
    description: &'static str,
    connector: ConnectorKind,
    example: &'static str,
) -> Operation {
    Operation {
        id,
        title,
        description,
        connector,
        kind: RawHttp,
        hints: hints::RAW,
        request: Request::Raw,
        fields: FIELDS,
        output_schema: OUTPUT_SCHEMA,
        example,
    }
}

/// The raw operations.
pub const OPERATIONS: &[Operation] = &[
    raw(
        "track.raw_http_request",
        "Raw HTTP request (Track)",
        "Calls any Track API endpoint: give the method and the path after https://track(-eu).customer.io/api (e.g. /v1/accounts/region); the connector adds the region's base URL and Basic auth.",
        ConnectorKind::Track,
        r#"{"method":"GET","endpoint":"/v1/accounts/region"}"#,
    ),
    raw(
        "app.raw_http_request",
        "Raw HTTP request (App)",
        "Calls any App API endpoint: give the method and the path after https://api(-eu).customer.io/v1 (e.g. /campaigns/8/triggers/1); the connector adds the region's base URL and Bearer auth.",
        ConnectorKind::App,
        r#"{"method":"GET","endpoint":"/campaigns/8/triggers/1"}"#,
    ),
    raw(
        "beta.raw_http_request",
        "Raw HTTP request (Beta)",
        "Calls any Beta API endpoint: give the method and the path after https://beta-api(-eu).customer.io/v1/api (e.g. /campaigns/8/triggers/1); the connector adds the region's base URL and Bearer auth (App API key).",
        ConnectorKind::Beta,
        r#"{"method":"GET","endpoint":"/campaigns/8/triggers/1"}"#,
    ),
];
