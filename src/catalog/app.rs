//! App API operations (base `https://api(-eu).customer.io/v1`, Bearer auth). Entries that also
//! exist on the Beta host are marked `APP | BETA`; their Beta twins are derived, not copied.

use super::{op, Operation, APP, BETA};

/// The App (and Beta) operations.
pub const OPERATIONS: &[Operation] = &[
    op(
        APP | BETA,
        "newsletter.list",
        "List newsletters",
        "Lists newsletters, newest first, a page at a time or all of them (GET /v1/newsletters).",
    )
    .get("/newsletters")
    .paged("newsletters")
    .example(r#"{"limit":10}"#),
    op(
        APP | BETA,
        "segment.lookup",
        "Segments (dropdown)",
        "Segments as dropdown options: the name shown, the id chosen (GET /v1/segments).",
    )
    .get("/segments")
    .lookup("segments", "name", "id")
    .example(r#"{"search":"vip"}"#),
];
