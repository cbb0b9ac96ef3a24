//! Track API operations (base `https://track(-eu).customer.io/api`, Basic auth): v1 people,
//! devices, events, manual segments, forms, metrics and unsubscribes, and v2 entity and batch.

use super::fields as f;
use super::{op, Operation, Replay, Replay::Safe, TRACK};
use crate::entity;
use crate::identity::Wire;
use crate::schema::{Field, Place, Ty};

const PERSON: &[Field] = &[f::PERSON_TRACK, f::ID_TYPE];
const V2: usize = 32 * 1024;

const EMAIL: Field = Field::new(
    "email",
    Ty::Str,
    Place::Body("email"),
    "Email",
    "The person's email address (sets or changes the email attribute).",
);
const CREATED_AT: Field = Field::new(
    "created_at",
    Ty::Timestamp,
    Place::Body("created_at"),
    "Created at",
    "When the person signed up: unix seconds or ISO-8601; sent as integer unix seconds.",
);
const EVENT_TYPE: Field = Field::new(
    "type",
    Ty::Enum(&["event", "page", "screen"]),
    Place::Body("type"),
    "Event type",
    "event, page (name = the URL) or screen (name = the screen).",
)
.default("\"event\"");
const PAGE_NAME: Field = Field::new(
    "name",
    Ty::Str,
    Place::Body("name"),
    "Page URL",
    "The page's URL or path, e.g. https://example.com/pricing.",
)
.required()
.max_bytes(100);
const SCREEN_NAME: Field = Field::new(
    "name",
    Ty::Str,
    Place::Body("name"),
    "Screen",
    "The screen's name, e.g. checkout. At most 100 bytes.",
)
.required()
.max_bytes(100);

const fn merge_side(name: &'static str, type_field: &'static str, title: &'static str) -> Field {
    Field::new(
        name,
        Ty::Str,
        Place::Ident(Wire::Identifiers(name), type_field),
        title,
        "The person's id, email or cio_id (see the type field).",
    )
    .required()
    .max_bytes(150)
}
const fn merge_type(name: &'static str) -> Field {
    Field::new(
        name,
        Ty::Enum(&["id", "email", "cio_id"]),
        Place::Control,
        "Identifier type",
        "What the identifier holds. Default: detected (cio_ prefix, email shape, else id).",
    )
}

const DEVICE_ID: Field = Field::new(
    "device_id",
    Ty::Str,
    Place::Body("device/id"),
    "Device token",
    "The device's push token.",
)
.required()
.max_bytes(1000);
const PLATFORM: Field = Field::new(
    "platform",
    Ty::Enum(&["ios", "android"]),
    Place::Body("device/platform"),
    "Platform",
    "ios or android.",
)
.required();
const LAST_USED: Field = Field::new(
    "last_used",
    Ty::Timestamp,
    Place::Body("device/last_used"),
    "Last used",
    "When the device was last used (default: now).",
);
const DEVICE_ATTRS: Field = Field::new(
    "device_attributes",
    Ty::StrMap,
    Place::Body("device/attributes"),
    "Device attributes",
    "Text values only. Reserved: device_os, device_model, app_version, cio_sdk_version, device_locale, push_enabled (\"true\"/\"false\").",
);

const FORM_ID: Field = Field::new(
    "form_id",
    Ty::Str,
    Place::Path,
    "Form id",
    "Your form's id; an unknown id creates a new form connection.",
)
.required()
.max_bytes(150);
const FORM_DATA: Field = Field::new(
    "data",
    Ty::StrMap,
    Place::Body("data"),
    "Form fields",
    "The submitted fields as text, with exactly one of email or id (or a field mapped to one), e.g. {\"email\":\"jane@example.com\",\"first_name\":\"Jane\"}.",
)
.required();

const METRIC: Field = Field::new(
    "metric",
    Ty::Enum(&[
        "bounced",
        "clicked",
        "converted",
        "deferred",
        "delivered",
        "dropped",
        "opened",
        "spammed",
    ]),
    Place::Body("metric"),
    "Metric",
    "What happened to the message (which ones apply depends on the channel).",
)
.required();
const RECIPIENT: Field = Field::new(
    "recipient",
    Ty::IntOrStr,
    Place::Body("recipient"),
    "Recipient",
    "Email address, device token or phone number the message went to.",
);
const REASON: Field = Field::new(
    "reason",
    Ty::Str,
    Place::Body("reason"),
    "Reason",
    "Why it bounced, deferred or dropped.",
);
const HREF: Field = Field::new(
    "href",
    Ty::Str,
    Place::Body("href"),
    "Link",
    "The link clicked.",
);
const PUSH_EVENT: Field = Field::new(
    "event",
    Ty::Enum(&["opened", "converted", "delivered"]),
    Place::Body("event"),
    "Event",
    "What happened to the push.",
)
.required();
const PUSH_DEVICE: Field = Field::new(
    "device_id",
    Ty::Str,
    Place::Body("device_id"),
    "Device token",
    "The CIO-Delivery-Token of the push.",
)
.required();

const REGION_OUTPUT: &str = r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Account region","type":"object","required":["region","url"],"properties":{"region":{"enum":["us","eu"],"description":"The data centre of the workspace the credentials belong to"},"url":{"type":"string","description":"The Track host to use"},"environment_id":{"type":"integer","description":"The workspace of the credentials"}}}"#;

/// A Track v2 entity operation whose `type` and `action` are fixed.
const fn v2(
    name: &'static str,
    title: &'static str,
    description: &'static str,
    set: &'static [(&'static str, &'static str)],
) -> Operation {
    op(TRACK, name, title, description)
        .post("/v2/entity")
        .set(set)
        .replay(Safe)
        .max_body(V2)
}

const OBJECT: &[Field] = &[f::OBJECT_TYPE_ID, f::OBJECT_ID];
const PERSON_V2_RELS: &[Field] = &[f::PERSON_V2, f::ID_TYPE_V2, f::OBJECT_RELATIONSHIPS];

/// The Track operations.
pub const OPERATIONS: &[Operation] = &[
    op(TRACK, "customer.identify", "Create or update a person", "Creates the person if they don't exist, otherwise updates their attributes (PUT /api/v1/customers/{id}).")
        .put("/v1/customers/{id}")
        .fields(&[f::PERSON_TRACK, f::ID_TYPE, f::ATTRIBUTES, EMAIL, CREATED_AT])
        .example(r#"{"id":"jane+1@example.com","id_type":"email","attributes":{"plan":"pro","first_name":"Jane"}}"#),
    op(TRACK, "customer.delete", "Delete a person", "Deletes the person and their data (DELETE /api/v1/customers/{id}). A later identify can re-create them; suppress blocks that.")
        .delete("/v1/customers/{id}")
        .fields(PERSON)
        .example(r#"{"id":"42"}"#),
    op(TRACK, "customer.suppress", "Suppress a person", "Deletes the person and blocks their identifier from being added again (POST /api/v1/customers/{id}/suppress).")
        .post("/v1/customers/{id}/suppress")
        .fields(PERSON)
        .replay(Safe)
        .destructive()
        .example(r#"{"id":"spammer@example.com"}"#),
    op(TRACK, "customer.unsuppress", "Unsuppress a person", "Lets a suppressed identifier be added again; it does not restore the deleted profile (POST /api/v1/customers/{id}/unsuppress).")
        .post("/v1/customers/{id}/unsuppress")
        .fields(PERSON)
        .replay(Safe)
        .example(r#"{"id":"spammer@example.com"}"#),
    op(TRACK, "customer.merge", "Merge two people", "Merges the secondary person into the primary one and deletes the secondary; cannot be undone (POST /api/v1/merge_customers).")
        .post("/v1/merge_customers")
        .fields(&[merge_side("primary", "primary_type", "Primary person"), merge_type("primary_type"), merge_side("secondary", "secondary_type", "Secondary person (deleted)"), merge_type("secondary_type")])
        .destructive()
        .example(r#"{"primary":"jane@example.com","secondary":"43","secondary_type":"id"}"#),
    v2("customer.add_relationships", "Relate a person to objects", "Adds relationships between a person and objects, with optional relationship attributes (POST /api/v2/entity, person add_relationships).", &[("type", "\"person\""), ("action", "\"add_relationships\"")])
        .fields(PERSON_V2_RELS)
        .example(r#"{"id":"42","relationships":[{"identifiers":{"object_type_id":"1","object_id":"acme"},"relationship_attributes":{"role":"admin"}}]}"#),
    v2("customer.delete_relationships", "Remove a person's relationships", "Removes relationships between a person and objects (POST /api/v2/entity, person delete_relationships).", &[("type", "\"person\""), ("action", "\"delete_relationships\"")])
        .fields(PERSON_V2_RELS)
        .example(r#"{"id":"42","relationships":[{"identifiers":{"object_type_id":"1","object_id":"acme"}}]}"#),
    op(TRACK, "device.upsert", "Add or update a device", "Adds a push device to a person or updates it (PUT /api/v1/customers/{id}/devices).")
        .put("/v1/customers/{id}/devices")
        .fields(&[f::PERSON_TRACK, f::ID_TYPE, DEVICE_ID, PLATFORM, LAST_USED, DEVICE_ATTRS])
        .example(r#"{"id":"42","device_id":"fcm-token-1","platform":"android","last_used":"2026-11-23T10:00:00Z","device_attributes":{"app_version":"2.3.0"}}"#),
    op(TRACK, "device.delete", "Delete a device", "Removes a push device from a person (DELETE /api/v1/customers/{id}/devices/{device_id}).")
        .delete("/v1/customers/{id}/devices/{device_id}")
        .fields(&[f::PERSON_TRACK, f::ID_TYPE, DEVICE_ID.at(Place::Path)])
        .example(r#"{"id":"42","device_id":"fcm-token-1"}"#),
    op(TRACK, "event.track", "Track an event for a person", "Records an event (or a page or screen view) for a person, which can trigger campaigns (POST /api/v1/customers/{id}/events). Every event carries a ULID so a retried event is de-duplicated.")
        .post("/v1/customers/{id}/events")
        .fields(&[f::PERSON_TRACK, f::ID_TYPE, f::EVENT_NAME, EVENT_TYPE, f::EVENT_DATA, f::TIMESTAMP, f::EVENT_ID])
        .replay(Safe)
        .example(r#"{"id":"42","name":"purchase","data":{"sku":"socks","price":9.5},"timestamp":"2026-11-23T10:00:00Z"}"#),
    op(TRACK, "event.track_anonymous", "Track an anonymous event", "Records an event for an anonymous visitor (joined to the person later identified with the same anonymous_id) or, without anonymous_id, an invite event (POST /api/v1/events).")
        .post("/v1/events")
        .fields(&[f::ANONYMOUS_ID, f::EVENT_NAME, EVENT_TYPE, f::EVENT_DATA, f::TIMESTAMP, f::EVENT_ID])
        .replay(Safe)
        .example(r#"{"anonymous_id":"anon-7f3a","name":"viewed_pricing","data":{"plan":"pro"}}"#),
    op(TRACK, "event.page_view", "Track a page view", "Records a page view for a person (POST /api/v1/customers/{id}/events with type page).")
        .post("/v1/customers/{id}/events")
        .fields(&[f::PERSON_TRACK, f::ID_TYPE, PAGE_NAME, f::EVENT_DATA, f::TIMESTAMP, f::EVENT_ID])
        .set(&[("type", "\"page\"")])
        .replay(Safe)
        .example(r#"{"id":"42","name":"https://example.com/pricing","data":{"referrer":"newsletter"}}"#),
    op(TRACK, "event.screen_view", "Track a screen view", "Records a mobile screen view for a person (POST /api/v1/customers/{id}/events with type screen).")
        .post("/v1/customers/{id}/events")
        .fields(&[f::PERSON_TRACK, f::ID_TYPE, SCREEN_NAME, f::ANONYMOUS_ID, f::EVENT_DATA, f::TIMESTAMP, f::EVENT_ID])
        .set(&[("type", "\"screen\"")])
        .replay(Safe)
        .example(r#"{"id":"42","name":"checkout"}"#),
    op(TRACK, "segment.add_customers", "Add people to a manual segment", "Adds people to a manual segment (POST /api/v1/segments/{segment_id}/add_customers); more than 1,000 ids are sent 1,000 per request.")
        .post("/v1/segments/{segment_id}/add_customers")
        .fields(&[f::SEGMENT_ID, f::IDS, f::ID_TYPE_QUERY])
        .split("ids", 1000)
        .replay(Safe)
        .example(r#"{"segment_id":7,"ids":["42","43"]}"#),
    op(TRACK, "segment.remove_customers", "Remove people from a manual segment", "Removes people from a manual segment (POST /api/v1/segments/{segment_id}/remove_customers); more than 1,000 ids are sent 1,000 per request.")
        .post("/v1/segments/{segment_id}/remove_customers")
        .fields(&[f::SEGMENT_ID, f::IDS, f::ID_TYPE_QUERY])
        .split("ids", 1000)
        .replay(Safe)
        .destructive()
        .example(r#"{"segment_id":7,"ids":["43"]}"#),
    op(TRACK, "form.submit", "Submit a form", "Sends a form submission, creating or updating the person (POST /api/v1/forms/{form_id}/submit).")
        .post("/v1/forms/{form_id}/submit")
        .fields(&[FORM_ID, FORM_DATA])
        .example(r#"{"form_id":"newsletter-signup","data":{"email":"jane@example.com","first_name":"Jane"}}"#),
    op(TRACK, "metric.report", "Report a delivery metric", "Reports what happened to a message sent outside Customer.io's own delivery, e.g. opened or clicked (POST /api/v1/metrics).")
        .post("/v1/metrics")
        .public()
        .fields(&[f::DELIVERY_ID, METRIC, f::TIMESTAMP, RECIPIENT, REASON, HREF])
        .example(r#"{"delivery_id":"dlv_demo_1","metric":"clicked","href":"https://example.com/offer"}"#),
    op(TRACK, "metric.report_push", "Report a push metric (legacy)", "Reports a push notification opened, converted or delivered (POST /api/v1/push/events, deprecated by Customer.io in favour of metric.report).")
        .post("/v1/push/events")
        .public()
        .fields(&[f::DELIVERY_ID, PUSH_EVENT, PUSH_DEVICE, f::TIMESTAMP])
        .example(r#"{"delivery_id":"dlv_demo_1","event":"opened","device_id":"fcm-token-1"}"#),
    op(TRACK, "delivery.unsubscribe", "Unsubscribe from a delivery", "Unsubscribes the person a message went to and attributes it to that delivery (POST /unsubscribe/{delivery_id} on the Track host), for your own unsubscribe pages.")
        .post("/unsubscribe/{delivery_id}")
        .host_root()
        .public()
        .fields(&[f::DELIVERY_ID.at(Place::Path)])
        .set(&[("unsubscribe", "true")])
        .replay(Safe)
        .example(r#"{"delivery_id":"dlv_demo_1"}"#),
    op(TRACK, "account.get_region", "Get the account region", "Asks Customer.io which region and workspace the Track credentials belong to (GET /api/v1/accounts/region).")
        .get("/v1/accounts/region")
        .output(REGION_OUTPUT),
    op(TRACK, "entity.submit", "Send a v2 entity operation", "Sends one Track v2 operation for a person, object or delivery — identify, delete, event, page, screen, add/delete relationships, add/delete device, merge, suppress, unsuppress (POST /api/v2/entity, at most 32 KB). Events get a ULID id unless given.")
        .post("/v2/entity")
        .fields(entity::FIELDS)
        .rule(entity::entity_rule)
        .max_body(V2)
        .replay(Replay::SafeUnless(entity::not_deduplicated))
        .example(r#"{"type":"person","action":"identify","identifiers":{"id":"42"},"attributes":{"plan":"pro"}}"#),
    op(TRACK, "batch.submit", "Send a v2 batch", "Sends many Track v2 operations (POST /api/v2/batch), packed into requests of at most 500 KB (32 KB per item); reports which items Customer.io refused, by their index in your list.")
        .post("/v2/batch")
        .fields(&[entity::BATCH])
        .rule(entity::batch_rule)
        .split_bytes("batch", 500 * 1024, V2)
        .replay(Replay::SafeUnless(entity::not_deduplicated))
        .example(r#"{"batch":[{"type":"person","action":"identify","identifiers":{"id":"42"},"attributes":{"plan":"pro"}},{"type":"person","action":"event","identifiers":{"id":"42"},"name":"upgraded"}]}"#),
    v2("object.identify", "Create or update an object", "Creates or updates an object (a company, account, …) and optionally relates people to it (POST /api/v2/entity, object identify).", &[("type", "\"object\""), ("action", "\"identify\"")])
        .fields(&[f::OBJECT_TYPE_ID, f::OBJECT_ID, f::ATTRIBUTES_V2, f::PEOPLE_RELATIONSHIPS])
        .example(r#"{"object_type_id":"1","object_id":"acme","attributes":{"name":"Acme Corp","seats":50}}"#),
    v2("object.delete", "Delete an object", "Deletes an object and its relationships (POST /api/v2/entity, object delete).", &[("type", "\"object\""), ("action", "\"delete\"")])
        .fields(OBJECT)
        .destructive()
        .example(r#"{"object_type_id":"1","object_id":"acme"}"#),
    v2("object.add_relationships", "Relate people to an object", "Adds relationships between an object and people (POST /api/v2/entity, object add_relationships).", &[("type", "\"object\""), ("action", "\"add_relationships\"")])
        .fields(&[f::OBJECT_TYPE_ID, f::OBJECT_ID, f::PEOPLE_RELATIONSHIPS.required()])
        .example(r#"{"object_type_id":"1","object_id":"acme","relationships":[{"identifiers":{"id":"42"},"relationship_attributes":{"role":"admin"}}]}"#),
    v2("object.delete_relationships", "Remove people from an object", "Removes relationships between an object and people (POST /api/v2/entity, object delete_relationships).", &[("type", "\"object\""), ("action", "\"delete_relationships\"")])
        .fields(&[f::OBJECT_TYPE_ID, f::OBJECT_ID, f::PEOPLE_RELATIONSHIPS.required()])
        .example(r#"{"object_type_id":"1","object_id":"acme","relationships":[{"identifiers":{"id":"42"}}]}"#),
];
