//! App API operations on people and data (base `https://api(-eu).customer.io/v1`, Bearer auth):
//! people, objects, segments, deliveries, activities, exports, imports, opt-outs, subscription
//! preferences and the data index. Everything but the data index also exists on the Beta host.

use super::fields as f;
use super::fields::{body, query as q};
use super::{op, Operation, ANSWER, APP, BETA};
use crate::filter;
use crate::identity::Wire;
use crate::schema::{Field, Place, Ty};
use serde_json::{Map, Value};

const AB: u8 = APP | BETA;

/// A person in an App path (`/customers/{id}/…` + `?id_type=`).
const PERSON: Field = f::PERSON_TRACK.at(Place::Ident(Wire::AppPath, "id_type"));
/// A person's `id` in the path of a route that takes no `id_type` (a person's relationships:
/// Customer.io's spec gives that route `start` and `limit` only).
const PERSON_ID_ONLY: Field = Field::new(
    "id",
    Ty::Str,
    Place::Path,
    "Person ID",
    "The person's id (this route cannot look a person up by email or cio_id).",
)
.required()
.max_bytes(150);
/// A person's identifier type on the App API (phone where the workspace uses it).
const PEOPLE: &[Field] = &[PERSON, f::ID_TYPE_V2];

const FILTER_HELP: &str = "An audience filter with exactly one of and / or (arrays), not, segment ({\"id\":7}) or attribute ({\"field\":\"plan\",\"operator\":\"eq\",\"value\":\"pro\"} or operator exists); groups nest. Sent exactly as given.";
const FILTER: Field = body("filter", Ty::Obj, "Filter", FILTER_HELP).required();
const ACTIVITY_TYPE: Field = q("type", Ty::Str, "Activity type", "Only activities of this type, e.g. event, page, attribute_change, sent_email, opened_email, or _o:<object type id>:create.").max_bytes(100);
const ACTIVITY_NAME: Field = q(
    "name",
    Ty::Str,
    "Name",
    "Only activities with this name (an event's or a screen's name).",
)
.max_bytes(200);
const MESSAGE_TYPE: Field = q(
    "type",
    Ty::Enum(&[
        "email",
        "webhook",
        "twilio",
        "whatsapp",
        "slack",
        "push",
        "in_app",
        "live_notification",
    ]),
    "Message type",
    "Only deliveries of this kind (twilio = SMS).",
);
const TRACKED: Field = q(
    "get_tracked_responses",
    Ty::Bool,
    "Tracked responses",
    "Include the recipient's tracked responses (replies, button taps).",
);
const SEGMENT: Field = Field::new(
    "segment_id",
    Ty::Int,
    Place::Path,
    "Segment",
    "The segment's id (Segments → the segment's page).",
)
.required()
.range(1, i64::MAX)
.lookup("segment.lookup");
const OBJECT_TYPE: Field = f::OBJECT_TYPE_ID
    .at(Place::Path)
    .lookup("object_type.lookup");
const OBJECT: &[Field] = &[
    OBJECT_TYPE,
    f::OBJECT_ID.at(Place::Path),
    q(
        "id_type",
        Ty::Enum(&["object_id", "cio_object_id"]),
        "Object id type",
        "Whether object_id is your id (object_id) or Customer.io's (cio_object_id).",
    )
    .default("\"object_id\""),
];
const EXPORT_ID: Field = Field::new(
    "export_id",
    Ty::Int,
    Place::Path,
    "Export",
    "The export's id (export create returned it).",
)
.required()
.range(1, i64::MAX);
const ATTRIBUTE_NAMES: Field = body(
    "attributes",
    Ty::List(&Ty::Str, 1, 1000),
    "Columns",
    "The attributes to include as columns, e.g. [\"email\",\"plan\"] (default: all).",
);
const CUSTOMER_EXPORT: &[Field] = &[
    body("filters", Ty::Obj, "Filter", FILTER_HELP).required(),
    ATTRIBUTE_NAMES,
];
const DELIVERY_EXPORT: &[Field] = &[
    body(
        "newsletter_id",
        Ty::Int,
        "Newsletter",
        "Deliveries of this newsletter.",
    )
    .lookup("newsletter.lookup"),
    body(
        "campaign_id",
        Ty::Int,
        "Campaign",
        "Deliveries of this campaign.",
    )
    .lookup("campaign.lookup"),
    body(
        "action_id",
        Ty::Int,
        "Action",
        "Deliveries of this campaign or newsletter action.",
    ),
    body(
        "transactional_message_id",
        Ty::Int,
        "Transactional message",
        "Deliveries of this transactional message.",
    )
    .lookup("transactional.lookup"),
    body(
        "start",
        Ty::Timestamp,
        "From",
        "Deliveries created at or after this time.",
    ),
    body(
        "end",
        Ty::Timestamp,
        "Until",
        "Deliveries created at or before this time.",
    ),
    ATTRIBUTE_NAMES,
    f::EXPORT_METRIC,
    body(
        "drafts",
        Ty::Bool,
        "Drafts",
        "Export drafts instead of sent messages.",
    ),
];
const IMPORT: &[Field] = &[
    body("name", Ty::Str, "Name", "A name for the import.")
        .at(Place::Body("import/name"))
        .required()
        .max_bytes(255),
    body(
        "data_file_url",
        Ty::Str,
        "CSV URL",
        "Where Customer.io downloads the CSV from (a public or signed URL).",
    )
    .at(Place::Body("import/data_file_url"))
    .required()
    .max_bytes(2048),
    body(
        "type",
        Ty::Enum(&["people", "event", "object", "relationship"]),
        "Type",
        "What the rows are.",
    )
    .at(Place::Body("import/type"))
    .required(),
    body(
        "identifier",
        Ty::Enum(&["id", "email", "cio_id"]),
        "Identifier",
        "Which column names the person (cio_id for relationships only; not for objects).",
    )
    .at(Place::Body("import/identifier")),
    body(
        "data_to_process",
        Ty::Enum(&["all", "only_new", "only_existing"]),
        "Rows to process",
        "All rows, only new people/objects, or only existing ones.",
    )
    .at(Place::Body("import/data_to_process")),
    body(
        "object_type_id",
        Ty::IdText,
        "Object type",
        "The object type (object imports).",
    )
    .at(Place::Body("import/object_type_id"))
    .lookup("object_type.lookup"),
    body(
        "description",
        Ty::Str,
        "Description",
        "A note about the import.",
    )
    .at(Place::Body("import/description")),
];
/// The import rule: what each import type needs (routes of `POST /v1/imports`).
fn import_rule(input: &mut Map<String, Value>, _: &dyn Fn() -> String) -> Vec<(String, String)> {
    let text = |k: &str| input.get(k).and_then(Value::as_str);
    let mut problems = Vec::new();
    let kind = text("type").unwrap_or_default();
    match (kind, text("identifier")) {
        ("object", Some(_)) => problems.push(("/identifier".into(), "object imports name objects by object_type_id and their object_id column; leave identifier out".into())),
        ("object", None) => {}
        (_, None) => problems.push(("/identifier".into(), format!("a {kind} import needs identifier: the column that names the person (id or email{})", if kind == "relationship" { ", or cio_id" } else { "" }))),
        ("relationship", Some(_)) | (_, Some("id" | "email")) => {}
        (_, Some(other)) => problems.push(("/identifier".into(), format!("a {kind} import names people by id or email, not {other} (cio_id is for relationship imports)"))),
    }
    if kind == "object" && !input.contains_key("object_type_id") {
        problems.push((
            "/object_type_id".into(),
            "an object import needs object_type_id".into(),
        ));
    }
    if kind != "object" && input.contains_key("object_type_id") {
        problems.push((
            "/object_type_id".into(),
            "object_type_id is for object imports only".into(),
        ));
    }
    if kind == "event" && text("data_to_process") == Some("only_new") {
        problems.push((
            "/data_to_process".into(),
            "event imports take all or only_existing".into(),
        ));
    }
    problems
}
const DEFINITION_NAME: Field = Field::key("name", Ty::Str, "Name", "The name.")
    .required()
    .max_bytes(150);
const DEFINITION_DESCRIPTION: Field =
    Field::key("description", Ty::Str, "Description", "What it means.").max_bytes(255);
const OPTOUTS: Field = body(
    "optouts",
    Ty::List(
        &Ty::Object(&[
            Field::key("from", Ty::Str, "From", "The sender: a phone number in E.164, an alphanumeric sender id or a messaging-service SID.").required(),
            Field::key("optout", Ty::Bool, "Opted out", "true opts the person out of messages from this sender, false opts them back in.").required(),
            Field::key("channel", Ty::Enum(&["sms", "whatsapp"]), "Channel", "sms (default) or whatsapp."),
        ]),
        1,
        1000,
    ),
    "Opt-outs",
    "[{\"from\":\"+14155550100\",\"optout\":true,\"channel\":\"sms\"}].",
)
.required();

const COUNT_OUT: &str = r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Count","type":"object","required":["count"],"properties":{"count":{"type":"integer","description":"how many people are in the segment"}}}"#;
const URL_OUT: &str = r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Download link","type":"object","required":["url"],"properties":{"url":{"type":"string","description":"a signed link, valid for 15 minutes"}}}"#;
const WAIT_OUT: &str = r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Finished export","type":"object","required":["export","url"],"properties":{"export":{"type":"object","description":"the export as Customer.io reports it (id, status, …)"},"url":{"type":"string","description":"a signed download link, valid for 15 minutes"},"polls":{"type":"integer","description":"status checks made"},"waited_ms":{"type":"integer","description":"time spent waiting for the export, in ms"}}}"#;

/// The people-and-data operations.
pub const OPERATIONS: &[Operation] = &[
    // People
    op(AB, "customer.find_by_email", "Find people by email", "The people with this email address (GET /v1/customers?email=); an empty list when none.").get("/customers")
        .fields(&[q("email", Ty::Str, "Email", "The address to look up.").required().max_bytes(254)]).list("results").example(r#"{"email":"jane@example.com"}"#),
    op(AB, "customer.search", "Search people", "People matching an audience filter, a page at a time (POST /v1/customers): their identifiers (id, email, cio_id).").post("/customers")
        .fields(&[FILTER]).rule(filter::filter_rule).reads().paged("identifiers")
        .example(r#"{"filter":{"and":[{"segment":{"id":7}},{"attribute":{"field":"plan","operator":"eq","value":"pro"}}]},"limit":100}"#),
    op(AB, "customer.get_attributes", "Get a person's attributes", "A person's attributes, identifiers, devices and subscription state (GET /v1/customers/{id}/attributes).").get("/customers/{id}/attributes")
        .fields(PEOPLE).one("customer").example(r#"{"id":"jane@example.com"}"#),
    op(AB, "customer.get_many", "Get many people's attributes", "Attributes of up to 100 people at once (POST /v1/customers/attributes); unknown people are left out.").post("/customers/attributes")
        .fields(&[Field::new("ids", Ty::List(&Ty::IdText, 1, 100), Place::Body("ids"), "People", "Up to 100 identifiers, all of the type id_type.").required(), f::ID_TYPE_QUERY])
        .reads().list("customers").example(r#"{"ids":["42","43"]}"#),
    op(AB, "customer.segments", "List a person's segments", "The segments a person belongs to (GET /v1/customers/{id}/segments).").get("/customers/{id}/segments")
        .fields(PEOPLE).list("segments").example(r#"{"id":"42"}"#),
    op(AB, "customer.messages", "List a person's deliveries", "Messages sent to a person, newest first (GET /v1/customers/{id}/messages); without times, the last 6 months.").get("/customers/{id}/messages")
        .fields(PEOPLE).common(&[f::START_TS, f::END_TS]).paged("messages").example(r#"{"id":"42","limit":50}"#),
    op(AB, "customer.activities", "List a person's activities", "What a person did and was sent — events, page views, attribute changes, deliveries (GET /v1/customers/{id}/activities).").get("/customers/{id}/activities")
        .fields(PEOPLE).common(&[ACTIVITY_TYPE, ACTIVITY_NAME]).paged("activities").page_inputs(f::PAGE_100).example(r#"{"id":"42","type":"event","name":"purchase"}"#),
    op(AB, "customer.relationships", "List a person's relationships", "The objects a person is related to (GET /v1/customers/{id}/relationships).").get("/customers/{id}/relationships")
        .fields(&[PERSON_ID_ONLY]).paged("cio_relationships").example(r#"{"id":"42"}"#),
    op(AB, "customer.subscription_preferences", "Get a person's subscription preferences", "The person's subscription topics and whether they are subscribed to each (GET /v1/customers/{id}/subscription_preferences).").get("/customers/{id}/subscription_preferences")
        .fields(&[PERSON, f::ID_TYPE_V2, q("language", Ty::Str, "Language", "Topic names in this translation, e.g. fr.").max_bytes(20)]).output(ANSWER).example(r#"{"id":"42"}"#),
    op(AB, "customer.get_optouts", "Get a person's SMS opt-outs", "The senders a person opted out of, per channel (GET /v1/customers/{id}/optouts).").get("/customers/{id}/optouts")
        .fields(PEOPLE).list("optouts").example(r#"{"id":"42"}"#),
    op(AB, "customer.update_optouts", "Update a person's SMS opt-outs", "Opts a person out of (or back in to) messages from senders, per channel (PUT /v1/customers/{id}/optouts); applied shortly after.").put("/customers/{id}/optouts")
        .fields(&[PERSON, f::ID_TYPE_V2, OPTOUTS]).example(r#"{"id":"42","optouts":[{"from":"+14155550100","optout":true,"channel":"sms"}]}"#),
    op(AB, "customer.subscription_token", "Get a subscription center link", "A 24-hour token and link to the person's subscription center (GET /v1/subscription_center/{id}/token).").get("/subscription_center/{id}/token")
        .fields(&[Field::new("id", Ty::Str, Place::Path, "Person", "The person's id or email address, as Customer.io knows them.").required().max_bytes(150)])
        .output(r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Subscription center link","type":"object","required":["token","url"],"properties":{"token":{"type":"string","description":"the subscription-center token, valid for 24 hours"},"url":{"type":"string","description":"the person's subscription-center link, valid for 24 hours"}}}"#).example(r#"{"id":"42"}"#),
    op(AB, "optout.list", "List SMS opt-outs", "Everyone who opted out of SMS or WhatsApp senders, a page at a time (GET /v1/optouts).").get("/optouts")
        .fields(&[q("from", Ty::Str, "Sender", "Only opt-outs of this sender (E.164 number, sender id or messaging-service SID).").max_bytes(100)]).paged("optouts").example(r#"{"limit":100}"#),
    op(AB, "subscription.list_topics", "List subscription topics", "The workspace's subscription topics (GET /v1/subscription_topics).").get("/subscription_topics").list("topics"),
    op(AB, "subscription.list_channels", "List subscription channels", "The channels people can subscribe to (GET /v1/subscription_channels).").get("/subscription_channels").list("channels"),
    // Objects
    op(AB, "object.search", "Search objects", "Objects of one type matching a filter, a page at a time (POST /v1/objects): their identifiers.").post("/objects")
        .fields(&[f::OBJECT_TYPE_ID.at(Place::Body("object_type_id")).lookup("object_type.lookup"), body("filter", Ty::Obj, "Filter", "and / or / not of {\"object_attribute\":{\"field\":\"plan\",\"operator\":\"eq\",\"value\":\"pro\",\"type_id\":\"1\"}}. Sent exactly as given.").required()])
        .rule(filter::object_filter_rule).reads().paged("identifiers")
        .example(r#"{"object_type_id":"1","filter":{"object_attribute":{"field":"plan","operator":"eq","value":"enterprise","type_id":"1"}}}"#),
    op(AB, "object.list_types", "List object types", "The workspace's object types (GET /v1/object_types).").get("/object_types").list("types"),
    op(AB, "object_type.lookup", "Object types (dropdown)", "Object types as dropdown options: the name shown, the id chosen.").get("/object_types").lookup("types", "name", "id"),
    op(AB, "object.get_attributes", "Get an object's attributes", "An object's attributes and identifiers (GET /v1/objects/{object_type_id}/{object_id}/attributes).").get("/objects/{object_type_id}/{object_id}/attributes")
        .fields(OBJECT).one("object").example(r#"{"object_type_id":"1","object_id":"acme"}"#),
    op(AB, "object.relationships", "List an object's relationships", "The people related to an object (GET /v1/objects/{object_type_id}/{object_id}/relationships).").get("/objects/{object_type_id}/{object_id}/relationships")
        .fields(OBJECT).paged("cio_relationships").example(r#"{"object_type_id":"1","object_id":"acme"}"#),
    // Segments
    op(AB, "segment.list", "List segments", "Every segment of the workspace (GET /v1/segments).").get("/segments").list("segments"),
    op(AB, "segment.get", "Get a segment", "A segment's settings and state (GET /v1/segments/{segment_id}).").get("/segments/{segment_id}").fields(&[SEGMENT]).one("segment").example(r#"{"segment_id":7}"#),
    op(AB, "segment.create", "Create a manual segment", "Creates an empty manual segment (POST /v1/segments); add people with track.segment.add_customers.").post("/segments")
        .fields(&[body("name", Ty::Str, "Name", "The segment's name.").at(Place::Body("segment/name")).required().max_bytes(255), body("description", Ty::Str, "Description", "What the segment is for.").at(Place::Body("segment/description"))])
        .one("segment").example(r#"{"name":"Beta testers","description":"People in the beta"}"#),
    op(AB, "segment.delete", "Delete a segment", "Deletes a segment (DELETE /v1/segments/{segment_id}).").delete("/segments/{segment_id}").fields(&[SEGMENT]).example(r#"{"segment_id":7}"#),
    op(AB, "segment.customer_count", "Count a segment's people", "How many people are in a segment (GET /v1/segments/{segment_id}/customer_count).").get("/segments/{segment_id}/customer_count").fields(&[SEGMENT]).output(COUNT_OUT).example(r#"{"segment_id":7}"#),
    op(AB, "segment.members", "List a segment's people", "The people in a segment, a page at a time (GET /v1/segments/{segment_id}/membership): their identifiers.").get("/segments/{segment_id}/membership").fields(&[SEGMENT]).paged("identifiers").example(r#"{"segment_id":7,"limit":100}"#),
    op(AB, "segment.used_by", "Where a segment is used", "The campaigns, newsletters and other segments that use a segment (GET /v1/segments/{segment_id}/used_by).").get("/segments/{segment_id}/used_by").fields(&[SEGMENT]).output(ANSWER).example(r#"{"segment_id":7}"#),
    // Deliveries and activities
    op(AB, "message.list", "List deliveries", "Messages sent from the workspace, newest first, with every filter (GET /v1/messages).").get("/messages")
        .fields(&[MESSAGE_TYPE, f::MESSAGE_METRIC, f::DRAFTS, q("campaign_id", Ty::Int, "Campaign", "Only this campaign's deliveries.").lookup("campaign.lookup"), q("newsletter_id", Ty::Int, "Newsletter", "Only this newsletter's deliveries.").lookup("newsletter.lookup"), q("action_id", Ty::Int, "Action", "Only this action's deliveries."), f::START_TS, f::END_TS, TRACKED])
        .paged("messages").example(r#"{"type":"email","metric":"opened","limit":100}"#),
    op(AB, "message.get", "Get a delivery", "One delivery and its metrics (GET /v1/messages/{message_id}).").get("/messages/{message_id}")
        .fields(&[Field::new("message_id", Ty::Str, Place::Path, "Delivery", "The delivery's id (a message's id or CIO-Delivery-ID).").required().max_bytes(500), TRACKED]).one("message").example(r#"{"message_id":"oAAAAAEAAAAAXpo="}"#),
    op(AB, "message.archived", "Get an archived message", "The message as it was sent: subject, body, recipients (GET /v1/messages/{message_id}/archived_message).").get("/messages/{message_id}/archived_message")
        .fields(&[Field::new("message_id", Ty::Str, Place::Path, "Delivery", "The delivery's id.").required().max_bytes(500)]).output(ANSWER).example(r#"{"message_id":"oAAAAAEAAAAAXpo="}"#),
    op(AB, "activity.list", "List activities", "Activities across the workspace, newest first, filtered by type, name, person or deleted people (GET /v1/activities).").get("/activities")
        .fields(&[ACTIVITY_TYPE, ACTIVITY_NAME, q("deleted", Ty::Bool, "Deleted people", "Activities of deleted people instead."),
            Field::new("customer_id", Ty::Str, Place::Ident(Wire::PrefixedQuery("customer_id"), "id_type"), "Person", "Only this person's activities: their id, email or cio_id.").max_bytes(150), f::ID_TYPE_V2])
        .paged("activities").page_inputs(f::PAGE_100).example(r#"{"type":"event","customer_id":"42","limit":50}"#),
    // Exports
    op(AB, "export.create_customers", "Export people", "Starts an export of the people matching a filter (POST /v1/exports/customers); read it with export.get and export.download, or use export.customers_and_wait.").post("/exports/customers")
        .fields(CUSTOMER_EXPORT).rule(filter::filters_rule).one("export").example(r#"{"filters":{"segment":{"id":7}},"attributes":["email","plan"]}"#),
    op(AB, "export.create_deliveries", "Export deliveries", "Starts an export of the deliveries of one newsletter, campaign, action or transactional message (POST /v1/exports/deliveries).").post("/exports/deliveries")
        .fields(DELIVERY_EXPORT).rule(crate::run::export::deliveries_rule).one("export").example(r#"{"newsletter_id":12,"start":"2026-11-01","metric":"opened"}"#),
    op(AB, "export.customers_and_wait", "Export people and wait", "Starts an export of the people matching a filter, checks it until it is done (paced, within the step's time budget) and returns its download link. Set timeout_ms high enough for the export's size.").post("/exports/customers")
        .fields(CUSTOMER_EXPORT).rule(filter::filters_rule).custom(crate::run::export::create_and_wait).output(WAIT_OUT).example(r#"{"filters":{"segment":{"id":7}}}"#),
    op(AB, "export.deliveries_and_wait", "Export deliveries and wait", "Starts a deliveries export, checks it until it is done (paced, within the step's time budget) and returns its download link.").post("/exports/deliveries")
        .fields(DELIVERY_EXPORT).rule(crate::run::export::deliveries_rule).custom(crate::run::export::create_and_wait).output(WAIT_OUT).example(r#"{"newsletter_id":12}"#),
    op(AB, "export.list", "List exports", "Every export of the workspace (GET /v1/exports).").get("/exports").list("exports"),
    op(AB, "export.get", "Get an export", "An export's status (pending, done, failed) and size (GET /v1/exports/{export_id}).").get("/exports/{export_id}").fields(&[EXPORT_ID]).one("export").example(r#"{"export_id":1}"#),
    op(AB, "export.download", "Get an export's download link", "A signed link to a finished export's file, valid for 15 minutes (GET /v1/exports/{export_id}/download).").get("/exports/{export_id}/download").fields(&[EXPORT_ID]).output(URL_OUT).example(r#"{"export_id":1}"#),
    // Imports and the data index
    op(AB, "import.create", "Import a CSV", "Imports people, events, objects or relationships from a CSV at a URL (POST /v1/imports); check it with import.get.").post("/imports")
        .fields(IMPORT).rule(import_rule).one("import").example(r#"{"name":"November signups","data_file_url":"https://example.com/people.csv","type":"people","identifier":"email"}"#),
    op(AB, "import.get", "Get an import", "An import's state and counts, with error and warning download links when there are any (GET /v1/imports/{import_id}).").get("/imports/{import_id}")
        .fields(&[Field::new("import_id", Ty::Int, Place::Path, "Import", "The import's id.").required().range(1, i64::MAX)]).one("import").example(r#"{"import_id":1}"#),
    op(APP, "data_index.define_attributes", "Describe attributes", "Adds descriptions (and privacy levels) to up to 100 attribute definitions of the data index (POST /v1/data_index/attributes).").post("/data_index/attributes")
        .fields(&[body("attributes", Ty::List(&Ty::Object(&[DEFINITION_NAME, DEFINITION_DESCRIPTION, Field::key("privacy_level", Ty::Int, "Privacy level", "0 = not sensitive, 1 = sensitive (Premium plans).").range(0, 1)]), 1, 100), "Attributes", "[{\"name\":\"plan\",\"description\":\"The billing plan\"}].").required()])
        .replay(super::Replay::Safe).example(r#"{"attributes":[{"name":"plan","description":"The billing plan"}]}"#),
    op(APP, "data_index.define_events", "Describe events", "Adds descriptions to up to 100 event definitions of the data index (POST /v1/data_index/events).").post("/data_index/events")
        .fields(&[body("events", Ty::List(&Ty::Object(&[DEFINITION_NAME, DEFINITION_DESCRIPTION]), 1, 100), "Events", "[{\"name\":\"purchase\",\"description\":\"An order was paid\"}].").required()])
        .replay(super::Replay::Safe).example(r#"{"events":[{"name":"purchase","description":"An order was paid"}]}"#),
];
