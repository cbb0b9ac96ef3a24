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
/// Inputs of cursor-paged lists of at most 100 records a page (activities).
pub const PAGE_100: &[Field] = &[
    Field::new(
        "limit",
        Ty::Int,
        Place::Control,
        "Page size",
        "Records per page, at most 100 (the API's default when left out).",
    )
    .range(1, 100),
    PAGE[1],
    PAGE[2],
    PAGE[3],
];
/// Inputs of offset-paged lists (added by the paginator).
pub const PAGE_OFFSET: &[Field] = &[
    PAGE[0],
    Field::new(
        "start",
        Ty::Int,
        Place::Control,
        "Start offset",
        "The `next` offset of an earlier page (0 = the first).",
    )
    .range(0, i64::MAX),
    PAGE[2],
    PAGE[3],
];
/// Inputs of page-numbered lists (added by the paginator).
pub const PAGE_NUMBER: &[Field] = &[
    PAGE[0],
    Field::new(
        "page",
        Ty::Int,
        Place::Control,
        "Page",
        "The page to read, from 1 (the `next` of an earlier page).",
    )
    .range(1, i64::MAX),
    PAGE[2],
    PAGE[3],
];
/// The search input of lookups.
pub const SEARCH: &[Field] = &[Field::new(
    "search",
    Ty::Str,
    Place::Control,
    "Search",
    "Keep options whose text contains this (case-insensitive).",
)];

// ---- Constructors the entry files share ----

/// A field sent in the body under its own name.
pub const fn body(
    name: &'static str,
    ty: Ty,
    title: &'static str,
    description: &'static str,
) -> Field {
    Field::new(name, ty, Place::Body(name), title, description)
}
/// A field sent as a query parameter of its own name.
pub const fn query(
    name: &'static str,
    ty: Ty,
    title: &'static str,
    description: &'static str,
) -> Field {
    Field::new(name, ty, Place::Query(name), title, description)
}
/// A required positive integer id in the path.
pub const fn path_id(name: &'static str, title: &'static str, description: &'static str) -> Field {
    Field::new(name, Ty::Int, Place::Path, title, description)
        .required()
        .range(1, i64::MAX)
}

// ---- App API ----

/// A campaign's id.
pub const CAMPAIGN_ID: Field = path_id(
    "campaign_id",
    "Campaign",
    "The campaign's id (the number in its URL).",
)
.lookup("campaign.lookup");
/// An API-triggered broadcast's id.
pub const BROADCAST_ID: Field = path_id(
    "broadcast_id",
    "Broadcast",
    "The API-triggered broadcast's id.",
)
.lookup("broadcast.lookup");
/// A newsletter's id.
pub const NEWSLETTER_ID: Field =
    path_id("newsletter_id", "Newsletter", "The newsletter's id.").lookup("newsletter.lookup");
/// A transactional message's id.
pub const TRANSACTIONAL_ID: Field = path_id(
    "transactional_id",
    "Transactional message",
    "The transactional message's id (the number in /transactional/<id>/templates).",
)
.lookup("transactional.lookup");
/// A campaign or broadcast action's id.
pub const ACTION_ID: Field = path_id(
    "action_id",
    "Action",
    "The action's id (a message or step of the workflow).",
);
/// A content (variant) id.
pub const CONTENT_ID: Field = path_id(
    "content_id",
    "Content",
    "The content variant's id (a translation or A/B variant).",
);
/// A broadcast trigger's id.
pub const TRIGGER_ID: Field = path_id(
    "trigger_id",
    "Trigger",
    "The trigger id a broadcast trigger returned.",
);
/// A newsletter test group's id.
pub const TEST_GROUP_ID: Field = Field::new(
    "test_group_id",
    Ty::Str,
    Place::Path,
    "Test group",
    "The A/B test group's id.",
)
.required()
.max_bytes(100);
/// A language code in the path.
pub const LANGUAGE: Field = Field::new(
    "language",
    Ty::Str,
    Place::Path,
    "Language",
    "A language code such as fr or pt-BR (the translation to read or change).",
)
.required()
.max_bytes(20);

/// Metrics: the time unit.
pub const PERIOD: Field = Field::new(
    "period",
    Ty::Enum(&["hours", "days", "weeks", "months"]),
    Place::Query("period"),
    "Period",
    "The unit of each step of the series.",
)
.default("\"days\"");
/// Metrics: how many steps.
pub const STEPS: Field = Field::new("steps", Ty::Int, Place::Query("steps"), "Steps", "How many periods back; the maximum is 24 hours, 45 days, 12 weeks or 121 months (the default).").range(1, 121);
/// Metrics: the message type.
pub const METRIC_TYPE: Field = Field::new(
    "type",
    Ty::Enum(&["email", "webhook", "twilio", "slack", "push", "in_app"]),
    Place::Query("type"),
    "Message type",
    "Only metrics of this kind of message.",
);
/// Link metrics: unique clicks only.
pub const UNIQUE: Field = Field::new(
    "unique",
    Ty::Bool,
    Place::Query("unique"),
    "Unique",
    "Count unique clicks only.",
);
/// Metrics fields of most metrics routes.
pub const METRICS: &[Field] = &[PERIOD, STEPS, METRIC_TYPE];
/// Campaign metrics: which series format. Customer.io's spec marks `version` required on the
/// campaign and campaign action metrics routes; 1 (the default, sent when left out) reads
/// `period`/`steps`, 2 reads `res`/`tz`/`start`/`end`.
pub const METRICS_VERSION: Field = Field::new(
    "version",
    Ty::Enum(&["1", "2"]),
    Place::Query("version"),
    "Metrics version",
    "1: a series of `steps` periods back (period, steps); 2, Customer.io's recommended one: a series between start and end at a resolution (res, tz, start, end).",
)
.sent_default("\"1\"");
/// Campaign metrics version 2: the resolution.
pub const METRICS_RES: Field = Field::new(
    "res",
    Ty::Enum(&["hours", "days", "weeks", "months"]),
    Place::Query("res"),
    "Resolution",
    "Version 2 only: the unit of each step of the series.",
);
/// Campaign metrics version 2: the time zone.
pub const METRICS_TZ: Field = Field::new("tz", Ty::Str, Place::Query("tz"), "Time zone", "Version 2 only: a region time zone such as America/New_York (Customer.io uses EST when left out).").max_bytes(64);
/// Campaign metrics version 2: the window's start.
pub const METRICS_START: Field = Field::new(
    "start",
    Ty::Timestamp,
    Place::Query("start"),
    "From",
    "Version 2 only: the start of the series.",
);
/// Campaign metrics version 2: the window's end.
pub const METRICS_END: Field = Field::new(
    "end",
    Ty::Timestamp,
    Place::Query("end"),
    "Until",
    "Version 2 only: the end of the series, at most 10 years after its start.",
);
/// Metrics fields of the campaign and campaign action metrics routes (both versions).
pub const CAMPAIGN_METRICS: &[Field] = &[
    METRICS_VERSION,
    PERIOD,
    STEPS,
    METRIC_TYPE,
    METRICS_RES,
    METRICS_TZ,
    METRICS_START,
    METRICS_END,
];

/// What can happen to a delivery, in order; `created` is only a delivery export's filter.
const METRIC_NAMES: &[&str] = &[
    "created",
    "attempted",
    "sent",
    "delivered",
    "opened",
    "clicked",
    "converted",
    "bounced",
    "spammed",
    "unsubscribed",
    "dropped",
    "failed",
    "undeliverable",
];
/// Delivery exports: filter by metric (`created` included).
pub const EXPORT_METRIC: Field = Field::new(
    "metric",
    Ty::Enum(METRIC_NAMES),
    Place::Body("metric"),
    "Metric",
    "Only deliveries that reached this metric.",
);
/// Deliveries: filter by metric.
pub const MESSAGE_METRIC: Field = Field::new(
    "metric",
    Ty::Enum(METRIC_NAMES.split_at(1).1),
    Place::Query("metric"),
    "Metric",
    "Only deliveries that reached this metric.",
);
/// Deliveries: filter by state.
pub const MESSAGE_STATE: Field = Field::new(
    "state",
    Ty::Enum(&["failed", "sent", "drafted", "attempted"]),
    Place::Query("state"),
    "State",
    "Only deliveries in this state.",
);
/// Deliveries: from (unix seconds).
pub const START_TS: Field = Field::new(
    "start_ts",
    Ty::Timestamp,
    Place::Query("start_ts"),
    "From",
    "Only deliveries created at or after this time (unix seconds or ISO-8601).",
);
/// Deliveries: until (unix seconds).
pub const END_TS: Field = Field::new(
    "end_ts",
    Ty::Timestamp,
    Place::Query("end_ts"),
    "Until",
    "Only deliveries created at or before this time.",
);
/// Deliveries: include drafts.
pub const DRAFTS: Field = Field::new(
    "drafts",
    Ty::Bool,
    Place::Query("drafts"),
    "Drafts",
    "List drafts instead of sent messages.",
);

/// An action or content update: the fields to change, sent as the body.
pub const CHANGES: Field = Field::new(
    "changes",
    Ty::Obj,
    Place::BodyRoot,
    "Changes",
    "The fields to change, as Customer.io names them, e.g. {\"subject\":\"Hello\",\"body\":\"<p>…</p>\",\"from_id\":3}.",
)
.required();

/// Liquid data for a message.
pub const MESSAGE_DATA: Field = Field::new(
    "message_data",
    Ty::Obj,
    Place::Body("message_data"),
    "Message data",
    "Data for the message's liquid, as {{trigger.<key>}} / {{message_data.<key>}}.",
);
/// A transactional message's id or trigger name.
pub const TEMPLATE: Field = Field::new(
    "transactional_message_id",
    Ty::IntOrStr,
    Place::Body("transactional_message_id"),
    "Transactional message",
    "The template's id (a number) or its trigger name (text, case-insensitive).",
)
.required()
.lookup("transactional.lookup");
/// The person a transactional message is for.
pub const RECIPIENT_PERSON: Field = Field::new(
    "identifier",
    Ty::Str,
    Place::Ident(Wire::Identifiers("identifiers"), "identifier_type"),
    "Person",
    "Who the message is for: their id, email or cio_id (see identifier_type); their profile gets the delivery.",
)
.required()
.max_bytes(150);
/// The type of `identifier`.
pub const RECIPIENT_TYPE: Field = Field::new(
    "identifier_type",
    Ty::Enum(&["id", "email", "cio_id"]),
    Place::Control,
    "Identifier type",
    "What identifier holds. Default: detected (cio_ prefix, email shape, else id).",
);
/// Send later.
pub const SEND_AT: Field = Field::new(
    "send_at",
    Ty::Timestamp,
    Place::Body("send_at"),
    "Send at",
    "Send later (up to 90 days ahead); a past time sends now.",
);
/// Transactional flags every channel takes.
pub const SEND_COMMON: &[Field] = &[
    Field::new(
        "disable_message_retention",
        Ty::Bool,
        Place::Body("disable_message_retention"),
        "Don't keep the message",
        "Don't keep the message body in delivery history.",
    )
    .default("false"),
    Field::new(
        "send_to_unsubscribed",
        Ty::Bool,
        Place::Body("send_to_unsubscribed"),
        "Send to unsubscribed",
        "Send even when the person has unsubscribed.",
    )
    .default("true"),
    Field::new(
        "queue_draft",
        Ty::Bool,
        Place::Body("queue_draft"),
        "Queue as draft",
        "Hold the message as a draft instead of sending it.",
    )
    .default("false"),
    Field::new(
        "language",
        Ty::Str,
        Place::Body("language"),
        "Language",
        "The translation to send, e.g. fr.",
    )
    .max_bytes(20),
];
