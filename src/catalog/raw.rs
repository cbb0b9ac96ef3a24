//! The three raw HTTP operations (one per API); their fields and builder live in `crate::raw`.

use super::{op, Apis, Operation, Runner, APP, BETA, TRACK};
use crate::schema::{Field, Place, Ty};
use crate::types::{Hints, OperationKind::RawHttp};

/// Input fields of the three raw operations.
pub const FIELDS: &[Field] = &[
    Field::new("method", Ty::Enum(&["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]), Place::Control, "Method", "The HTTP method.").required(),
    Field::new(
        "endpoint",
        Ty::Str,
        Place::Control,
        "Endpoint",
        "The path after the base URL, starting with /, e.g. /campaigns/8/triggers/1 on App (base https://api.customer.io/v1) or /v1/accounts/region on Track (base https://track.customer.io/api). May end in ?query. Percent-encode reserved characters in ids (a / inside an id is %2F).",
    )
    .required()
    .max_bytes(4096),
    Field::new("query", Ty::Obj, Place::Control, "Query parameters", "Added to the query string; a value may be an array for repeated keys, e.g. {\"id_type\":\"email\",\"ids\":[\"1\",\"2\"]}."),
    Field::new("headers", Ty::Obj, Place::Control, "Headers", "Extra request headers (string values). Authorization, Host, Content-Length and hop-by-hop headers are set by the connector and cannot be given."),
    Field::new("body", Ty::Any, Place::Control, "Body", "json: any JSON value; text: a string; form_urlencoded or multipart: an object of fields; binary: the bytes as base64."),
    Field::new("body_type", Ty::Enum(&["none", "json", "text", "form_urlencoded", "multipart", "binary"]), Place::Control, "Body type", "How `body` is encoded. Default: json when a body is given, multipart when files are given, else none."),
    Field::new("files", Ty::List(&Ty::Obj, 0, 1000), Place::Control, "Files (multipart)", "Files for a multipart body: [{\"field\":\"file\",\"filename\":\"people.csv\",\"content_type\":\"text/csv\",\"content_base64\":\"...\"}]."),
    Field::new("response_type", Ty::Enum(&["auto", "json", "text", "binary"]), Place::Control, "Response type", "auto: JSON if it parses, else text, else base64; json; text; binary (base64).").default("\"auto\""),
    Field::new("return_error_responses", Ty::Bool, Place::Control, "Return error responses", "Return non-2xx answers as output instead of failing the step.").default("false"),
    Field::new("timeout_ms", Ty::Int, Place::Control, "Timeout (ms)", "Longest time for the whole step, retries included.").default("30000").range(1, 300_000),
    Field::new("max_response_bytes", Ty::Int, Place::Control, "Max response size (bytes)", "Longest answer accepted (default 16 MiB, at most 64 MiB); a longer one fails the step with a clear error instead of exhausting memory.").default("16777216").range(1, 67_108_864),
    Field::new("max_retries", Ty::Int, Place::Control, "Max retries", "How often to retry a 429, or a 5xx / lost connection of an idempotent method (GET, PUT, DELETE, HEAD, OPTIONS).").default("0").range(0, 10),
    Field::new("retry_delay_ms", Ty::Int, Place::Control, "Retry delay (ms)", "Delay before the first retry; a longer Retry-After from Customer.io wins.").default("1000").range(0, 60_000),
    Field::new("exponential_backoff", Ty::Bool, Place::Control, "Exponential backoff", "Double the delay after each retry.").default("true"),
    Field::new("retry_on_all_errors", Ty::Bool, Place::Control, "Retry on all errors", "Retry every non-2xx answer and every method (POST and PATCH included).").default("false"),
    Field::new("debug", Ty::Bool, Place::Control, "Debug", "Add the exact request and response to the output, credentials redacted and bodies over 10 KB elided.").default("false"),
];

/// The output schema of the raw operations.
pub const OUTPUT_SCHEMA: &str = r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"HTTP response","type":"object","properties":{"status":{"type":"integer","description":"HTTP status"},"headers":{"type":"object","description":"Response headers (lower-case names; repeated headers become arrays)"},"body":{"description":"The body per response_type: JSON, text, base64 or null when empty"},"body_encoding":{"enum":["none","json","text","base64"],"description":"how body is written: none (empty), json, text or base64"},"url":{"type":"string","description":"The final URL (no credentials)"},"attempts":{"type":"integer","description":"requests sent, retries included"},"debug":{"type":"object","description":"Request and response as sent and received, credentials redacted"}},"required":["status","headers","body","body_encoding","url"]}"#;

/// One raw entry; the three differ only in API, wording and example.
const fn raw(
    apis: Apis,
    title: &'static str,
    description: &'static str,
    example: &'static str,
) -> Operation {
    let mut o = op(apis, "raw_http_request", title, description)
        .fields(FIELDS)
        .output(OUTPUT_SCHEMA)
        .example(example);
    o.kind = RawHttp;
    o.runner = Runner::Raw;
    // What a raw request does depends on its input: assume the worst.
    o.hints = Hints {
        read_only: false,
        destructive: true,
        idempotent: false,
        paginated: false,
    };
    o
}

/// The raw operations.
pub const OPERATIONS: &[Operation] = &[
    raw(
        TRACK,
        "Raw HTTP request (Track)",
        "Calls any Track API endpoint: give the method and the path after https://track(-eu).customer.io/api (e.g. /v1/accounts/region); the connector adds the region's base URL and Basic auth.",
        r#"{"method":"GET","endpoint":"/v1/accounts/region"}"#,
    ),
    raw(
        APP,
        "Raw HTTP request (App)",
        "Calls any App API endpoint: give the method and the path after https://api(-eu).customer.io/v1 (e.g. /campaigns/8/triggers/1); the connector adds the region's base URL and Bearer auth.",
        r#"{"method":"GET","endpoint":"/campaigns/8/triggers/1"}"#,
    ),
    raw(
        BETA,
        "Raw HTTP request (Beta)",
        "Calls any Beta API endpoint: give the method and the path after https://beta-api(-eu).customer.io/v1/api (e.g. /campaigns/8/triggers/1); the connector adds the region's base URL and Bearer auth (App API key).",
        r#"{"method":"GET","endpoint":"/campaigns/8/triggers/1"}"#,
    ),
];
