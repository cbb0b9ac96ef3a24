//! Track API operations (base `https://track(-eu).customer.io/api`, Basic auth).

use super::{hints, Operation, Request, EMPTY_OUTPUT};
use crate::http::Method;
use crate::schema::{Field, Place, Ty};
use crate::types::{ConnectorKind::Track, OperationKind::Action};

const ID: Field = Field::new(
    "id",
    Ty::Str,
    Place::Path,
    "Person identifier",
    "The person's id, email address or cio_id (see id_type). Customer.io allows at most 150 bytes.",
)
.required()
.max_bytes(150);

const ID_TYPE: Field = Field::new(
    "id_type",
    Ty::Enum(&["id", "email", "cio_id"]),
    Place::IdType,
    "Identifier type",
    "What `id` holds. Default: detected (a `cio_` prefix means cio_id, an email address means email, anything else id).",
);

/// The Track operations.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        id: "track.customer.identify",
        title: "Create or update a person",
        description: "Creates the person if they don't exist, otherwise updates their attributes (PUT /api/v1/customers/{id}).",
        connector: Track,
        kind: Action,
        hints: hints::UPSERT,
        request: Request::Rest { method: Method::Put, path: "/v1/customers/{id}", dedup: false },
        fields: &[
            ID,
            ID_TYPE,
            Field::new(
                "attributes",
                Ty::Obj,
                Place::BodyRoot,
                "Attributes",
                "Attributes to set, e.g. {\"plan\":\"pro\"}. Reserved keys: email, id (changes the id when addressing by cio_id), created_at, _update (true = only update, never create), unsubscribed, cio_subscription_preferences, cio_relationships.",
            ),
            Field::new("email", Ty::Str, Place::Body("email"), "Email", "The person's email address (sets or changes the email attribute)."),
            Field::new(
                "created_at",
                Ty::Timestamp,
                Place::Body("created_at"),
                "Created at",
                "When the person signed up: unix seconds or an ISO-8601 date-time; sent as integer unix seconds.",
            ),
        ],
        output_schema: EMPTY_OUTPUT,
        example: r#"{"id":"jane+1@example.com","id_type":"email","attributes":{"plan":"pro","first_name":"Jane"}}"#,
    },
    Operation {
        id: "track.customer.delete",
        title: "Delete a person",
        description: "Deletes the person and their data (DELETE /api/v1/customers/{id}). They can be re-created by a later identify; use suppress to block that.",
        connector: Track,
        kind: Action,
        hints: hints::DELETE,
        request: Request::Rest { method: Method::Delete, path: "/v1/customers/{id}", dedup: false },
        fields: &[ID, ID_TYPE],
        output_schema: EMPTY_OUTPUT,
        example: r#"{"id":"42"}"#,
    },
    Operation {
        id: "track.event.track",
        title: "Track an event for a person",
        description: "Records an event (or a page or screen view) for a person, which can trigger campaigns (POST /api/v1/customers/{id}/events). Every event carries a ULID `event_id` so a retried event is de-duplicated by Customer.io.",
        connector: Track,
        kind: Action,
        hints: hints::APPEND,
        request: Request::Rest { method: Method::Post, path: "/v1/customers/{id}/events", dedup: true },
        fields: &[
            ID,
            ID_TYPE,
            Field::new("name", Ty::Str, Place::Body("name"), "Event name", "The event name (for a page view, the URL; for a screen view, the screen name). At most 100 bytes.")
                .required()
                .max_bytes(100),
            Field::new("type", Ty::Enum(&["event", "page", "screen"]), Place::Body("type"), "Event type", "event (default), page or screen."),
            Field::new("data", Ty::Obj, Place::Body("data"), "Event data", "Properties of the event, usable in messages as {{event.<key>}}. data.recipient, data.from_address and data.reply_to override campaign settings."),
            Field::new("timestamp", Ty::Timestamp, Place::Body("timestamp"), "Timestamp", "When it happened: unix seconds or ISO-8601 (default: now). Only events from the last 72 hours trigger campaigns."),
            Field::new("event_id", Ty::Ulid, Place::Body("id"), "Event id", "A ULID that de-duplicates the event. Default: a new ULID per call, reused across this call's retries."),
        ],
        output_schema: EMPTY_OUTPUT,
        example: r#"{"id":"42","name":"purchase","data":{"sku":"socks","price":9.5},"timestamp":"2026-11-23T10:00:00Z"}"#,
    },
];
