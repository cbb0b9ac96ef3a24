//! The three raw HTTP operations (one per API); their fields and builder live in `crate::raw`.

use super::{hints, Operation, Request};
use crate::raw::{FIELDS, OUTPUT_SCHEMA};
use crate::types::{ConnectorKind, OperationKind::RawHttp};

/// The raw operations.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        id: "track.raw_http_request",
        title: "Raw HTTP request (Track)",
        description: "Calls any Track API endpoint: give the method and the path after https://track(-eu).customer.io/api (e.g. /v1/accounts/region); the connector adds the region's base URL and Basic auth.",
        connector: ConnectorKind::Track,
        kind: RawHttp,
        hints: hints::RAW,
        request: Request::Raw,
        fields: FIELDS,
        output_schema: OUTPUT_SCHEMA,
        example: r#"{"method":"GET","endpoint":"/v1/accounts/region"}"#,
    },
    Operation {
        id: "app.raw_http_request",
        title: "Raw HTTP request (App)",
        description: "Calls any App API endpoint: give the method and the path after https://api(-eu).customer.io/v1 (e.g. /campaigns/8/triggers/1); the connector adds the region's base URL and Bearer auth.",
        connector: ConnectorKind::App,
        kind: RawHttp,
        hints: hints::RAW,
        request: Request::Raw,
        fields: FIELDS,
        output_schema: OUTPUT_SCHEMA,
        example: r#"{"method":"GET","endpoint":"/campaigns/8/triggers/1"}"#,
    },
    Operation {
        id: "beta.raw_http_request",
        title: "Raw HTTP request (Beta)",
        description: "Calls any Beta API endpoint: give the method and the path after https://beta-api(-eu).customer.io/v1/api (e.g. /campaigns/8/triggers/1); the connector adds the region's base URL and Bearer auth (App API key).",
        connector: ConnectorKind::Beta,
        kind: RawHttp,
        hints: hints::RAW,
        request: Request::Raw,
        fields: FIELDS,
        output_schema: OUTPUT_SCHEMA,
        example: r#"{"method":"GET","endpoint":"/campaigns/8/triggers/1"}"#,
    },
];
