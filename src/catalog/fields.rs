//! Fields shared by many entries. An entry lists them by name; a field's wording, limits and
//! wire place are written once here.

use crate::entity::{PERSON_KEYS, REL_ATTRS};
use crate::identity::Wire;
use crate::schema::{Field, Place, Ty};

const PERSON_HELP: &str =
    "The person's id, email address or cio_id (see id_type). At most 150 bytes.";
const ID_TYPE_HELP: &str = "What the identifier holds. Default: detected (a cio_ prefix means cio_id, an email address means email, anything else id).";
const ID_TYPES: &[&str] = &["id", "email", "cio_id"];

/// A person in a Track v1 path (`/customers/{id}`).
pub const PERSON_TRACK: Field = Field::new(
    "id",
    Ty::Str,
    Place::Ident(Wire::TrackPath, "id_type"),
    "Person identifier",
    PERSON_HELP,
)
.required()
.max_bytes(150);
/// The type of `id`.
pub const ID_TYPE: Field = Field::new(
    "id_type",
    Ty::Enum(ID_TYPES),
    Place::Control,
    "Identifier type",
    ID_TYPE_HELP,
);
/// A person in a Track v2 `identifiers` object.
pub const PERSON_V2: Field =
    PERSON_TRACK.at(Place::Ident(Wire::Identifiers("identifiers"), "id_type"));
/// The type of a v2 person identifier (phone is allowed when the workspace uses it).
pub const ID_TYPE_V2: Field = Field::new(
    "id_type",
    Ty::Enum(&["id", "email", "cio_id", "phone"]),
    Place::Control,
    "Identifier type",
    ID_TYPE_HELP,
);

/// Person attributes merged into the body root.
pub const ATTRIBUTES: Field = Field::new(
    "attributes",
    Ty::Attributes,
    Place::BodyRoot,
    "Attributes",
    "Attributes to set, e.g. {\"plan\":\"pro\"}; at most 300, names ≤ 150 bytes, values ≤ 1000 bytes. Reserved: email, id (changes the id when addressing by cio_id), created_at, _update (true = only update, never create), unsubscribed, cio_subscription_preferences, cio_relationships.",
);
/// Attributes under `attributes` (Track v2, objects).
pub const ATTRIBUTES_V2: Field = ATTRIBUTES.at(Place::Body("attributes"));

/// Event name (≤ 100 bytes).
pub const EVENT_NAME: Field = Field::new(
    "name",
    Ty::Str,
    Place::Body("name"),
    "Event name",
    "The event name, e.g. purchase. At most 100 bytes.",
)
.required()
.max_bytes(100);
/// Event data (≤ 100,000 bytes).
pub const EVENT_DATA: Field = Field::new(
    "data",
    Ty::Obj,
    Place::Body("data"),
    "Event data",
    "Properties of the event, usable in messages as {{event.<key>}}; at most 100,000 bytes. data.recipient, data.from_address and data.reply_to override campaign settings.",
)
.max_bytes(100_000);
/// When it happened.
pub const TIMESTAMP: Field = Field::new(
    "timestamp",
    Ty::Timestamp,
    Place::Body("timestamp"),
    "Timestamp",
    "When it happened: unix seconds or ISO-8601 (default: now); sent as integer seconds. Only events from the last 72 hours trigger campaigns.",
);
/// The de-duplication id every event carries.
pub const EVENT_ID: Field = Field::new(
    "event_id",
    Ty::Ulid(true),
    Place::Body("id"),
    "Event id",
    "A ULID that de-duplicates the event. Default: a new ULID per call, reused across this call's retries.",
);
/// An anonymous visitor's id.
pub const ANONYMOUS_ID: Field = Field::new(
    "anonymous_id",
    Ty::Str,
    Place::Body("anonymous_id"),
    "Anonymous id",
    "The visitor's anonymous id; the event joins the person identified later with the same anonymous_id (within 30 days). Leave it out for an invite event addressed by data.recipient.",
)
.max_bytes(150);

/// A manual segment's id.
pub const SEGMENT_ID: Field = Field::new(
    "segment_id",
    Ty::Int,
    Place::Path,
    "Segment",
    "The id of a manual segment (Segments → the segment's page).",
)
.required()
.range(1, i64::MAX)
.lookup("segment.lookup");
/// The ids of a segment request.
pub const IDS: Field = Field::new(
    "ids",
    Ty::List(&Ty::IdText, 1, 100_000),
    Place::Body("ids"),
    "People",
    "The people's identifiers, all of the type id_type. More than 1,000 are sent in several requests.",
)
.required();
/// `id_type` as a query parameter for lists of ids.
pub const ID_TYPE_QUERY: Field = Field::new(
    "id_type",
    Ty::Enum(ID_TYPES),
    Place::Query("id_type"),
    "Identifier type",
    "What every entry of ids holds.",
)
.default("\"id\"");

/// A Customer.io delivery id (`CIO-Delivery-ID`).
pub const DELIVERY_ID: Field = Field::new(
    "delivery_id",
    Ty::Str,
    Place::Body("delivery_id"),
    "Delivery id",
    "The delivery's id (the CIO-Delivery-ID header or the message's delivery_id).",
)
.required()
.max_bytes(500);

/// Object type id (`1` for the first object type).
pub const OBJECT_TYPE_ID: Field = Field::new(
    "object_type_id",
    Ty::IdText,
    Place::Body("identifiers/object_type_id"),
    "Object type",
    "The object type's id, e.g. 1 (Data → Objects).",
)
.required()
.max_bytes(150);
/// Object id.
pub const OBJECT_ID: Field = Field::new(
    "object_id",
    Ty::IdText,
    Place::Body("identifiers/object_id"),
    "Object id",
    "The object's id within its type, e.g. acme. At most 150 bytes.",
)
.required()
.max_bytes(150);

const OBJECT_KEYS: &[Field] = &[
    OBJECT_TYPE_ID.at(Place::Control),
    OBJECT_ID.at(Place::Control),
];
/// Relationships of an object to people.
pub const PEOPLE_RELATIONSHIPS: Field = Field::new(
    "relationships",
    Ty::List(&Ty::Object(&[Field::key("identifiers", Ty::OneOf(PERSON_KEYS), "Person", "{\"id\": …}, {\"email\": …} or {\"cio_id\": …}").required(), REL_ATTRS]), 1, 1000),
    Place::Body("cio_relationships"),
    "People",
    "The people, e.g. [{\"identifiers\":{\"id\":\"42\"},\"relationship_attributes\":{\"role\":\"admin\"}}].",
);
/// Relationships of a person to objects.
pub const OBJECT_RELATIONSHIPS: Field = Field::new(
    "relationships",
    Ty::List(&Ty::Object(&[Field::key("identifiers", Ty::Object(OBJECT_KEYS), "Object", "{\"object_type_id\": \"1\", \"object_id\": \"acme\"}").required(), REL_ATTRS]), 1, 1000),
    Place::Body("cio_relationships"),
    "Objects",
    "The objects, e.g. [{\"identifiers\":{\"object_type_id\":\"1\",\"object_id\":\"acme\"},\"relationship_attributes\":{\"role\":\"admin\"}}].",
)
.required();

/// Inputs of cursor-paged lists and lookups (added by the paginator).
pub const PAGE: &[Field] = &[
    Field::new(
        "limit",
        Ty::Int,
        Place::Control,
        "Page size",
        "Records per page (the API's default when left out).",
    )
    .range(1, 1000),
    Field::new(
        "start",
        Ty::Str,
        Place::Control,
        "Start cursor",
        "The `next` cursor of an earlier page.",
    ),
    Field::new(
        "return_all",
        Ty::Bool,
        Place::Control,
        "Return all",
        "Follow `next` until the end or max_pages (lookups: default true).",
    )
    .default("false"),
    Field::new(
        "max_pages",
        Ty::Int,
        Place::Control,
        "Max pages",
        "Page cap for return_all.",
    )
    .default("20")
    .range(1, 1000),
];
/// The search input of lookups.
pub const SEARCH: &[Field] = &[Field::new(
    "search",
    Ty::Str,
    Place::Control,
    "Search",
    "Keep options whose text contains this (case-insensitive).",
)];
