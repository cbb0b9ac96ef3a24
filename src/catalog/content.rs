//! App API operations on content and settings (base `https://api(-eu).customer.io/v1`, Bearer
//! auth): collections, snippets, sender identities, reporting webhooks, ESP suppressions,
//! workspaces, IP addresses — on the Beta host too — and the newer assets and Design Studio
//! routes, which run on the App host only.

use serde_json::{Map, Value};

use super::fields::{body, path_id, query as q};
use super::{op, read, Operation, Replay::Never, ANSWER, APP, BETA};
use crate::schema::{Field, Place, Ty};

const AB: u8 = APP | BETA;

const fn uuid_id(name: &'static str, title: &'static str, description: &'static str) -> Field {
    Field::new(name, Ty::Str, Place::Path, title, description)
        .required()
        .max_bytes(64)
}

/// Updates that change only what is given need at least one thing to change.
fn changes_rule(input: &mut Map<String, Value>, _: &dyn Fn() -> String) -> Vec<(String, String)> {
    const IDS: [&str; 6] = [
        "collection_id",
        "asset_id",
        "folder_id",
        "email_id",
        "component_id",
        "language",
    ];
    // JSON null means "the root" to Customer.io, but a builder's empty optional field is null
    // too: the move is asked for explicitly and written as null here.
    if input.get("move_to_root") == Some(&Value::Bool(true)) {
        if input.contains_key("parent_folder_id") {
            return vec![(
                "/move_to_root".into(),
                "give either parent_folder_id (move into that folder) or move_to_root, not both"
                    .into(),
            )];
        }
        input.insert("parent_folder_id".into(), Value::Null);
    }
    let idle =
        |k: &str, v: &Value| IDS.contains(&k) || (k == "move_to_root" && v == &Value::Bool(false));
    let changes = input.iter().any(|(k, v)| !idle(k, v));
    if changes {
        Vec::new()
    } else {
        vec![(String::new(), "give at least one field to change".into())]
    }
}

/// Moves an asset or Design Studio record to the root of its library.
const MOVE_TO_ROOT: Field = Field::new(
    "move_to_root",
    Ty::Bool,
    Place::Control,
    "Move to the root",
    "Take it out of its folder, to the top level (instead of parent_folder_id).",
);

// ---- Collections ----
const COLLECTION: Field =
    path_id("collection_id", "Collection", "The collection's id.").lookup("collection.lookup");
const COLLECTION_NAME: Field = body(
    "name",
    Ty::Str,
    "Name",
    "The collection's name, as liquid reads it ({{collection.<name>}}).",
)
.max_bytes(255);
const COLLECTION_DATA: Field = body(
    "data",
    Ty::List(&Ty::Obj, 1, 100_000),
    "Rows",
    "The rows, e.g. [{\"sku\":\"A1\",\"price\":10}]; at most 10 MB in all and 10 KB a row.",
);
const COLLECTION_URL: Field = body(
    "url",
    Ty::Str,
    "Data URL",
    "Instead of rows: a URL of a CSV or JSON file Customer.io downloads.",
)
.max_bytes(2048);

/// A collection is given as rows or a URL, not both (and one of them when creating).
fn collection_rule(
    input: &mut Map<String, Value>,
    _: &dyn Fn() -> String,
) -> Vec<(String, String)> {
    match (input.contains_key("data"), input.contains_key("url")) {
        (true, true) => vec![(
            "/url".into(),
            "give the rows as data or a url to download them from, not both".into(),
        )],
        (false, false) if !input.contains_key("collection_id") => {
            vec![(
                "/data".into(),
                "give the rows as data, or a url to download them from".into(),
            )]
        }
        _ if input.len() == 1 && input.contains_key("collection_id") => {
            vec![(
                String::new(),
                "give at least one field to change: name, data or url".into(),
            )]
        }
        _ => Vec::new(),
    }
}

/// A collection's content is rows (objects) or one object.
fn content_rule(input: &mut Map<String, Value>, _: &dyn Fn() -> String) -> Vec<(String, String)> {
    match input.get("content") {
        Some(Value::Object(_)) => Vec::new(),
        Some(Value::Array(_)) => vec![(
            "/content".into(),
            "Content is one JSON object whose keys your messages reference, e.g. {\"products\": [{\"sku\": \"A1\"}]}: wrap the rows under a key, or replace the rows with collection.update's Data".into(),
        )],
        _ => vec![("/content".into(), "Content is one JSON object, e.g. {\"products\": [...]}".into())],
    }
}

// ---- Reporting webhooks ----
/// The events a reporting webhook can send (the API refuses others).
const WEBHOOK_EVENT: Ty = Ty::Enum(&[
    "customer_subscribed",
    "customer_unsubscribed",
    "customer_subscription_preferences_changed",
    "email_drafted",
    "email_attempted",
    "email_sent",
    "email_delivered",
    "email_opened",
    "email_clicked",
    "email_converted",
    "email_bounced",
    "email_dropped",
    "email_deferred",
    "email_spammed",
    "email_failed",
    "email_unsubscribed",
    "email_undeliverable",
    "in_app_drafted",
    "in_app_attempted",
    "in_app_sent",
    "in_app_opened",
    "in_app_clicked",
    "in_app_converted",
    "in_app_failed",
    "in_app_undeliverable",
    "push_drafted",
    "push_attempted",
    "push_sent",
    "push_delivered",
    "push_opened",
    "push_clicked",
    "push_converted",
    "push_bounced",
    "push_dropped",
    "push_failed",
    "push_undeliverable",
    "slack_drafted",
    "slack_attempted",
    "slack_sent",
    "slack_clicked",
    "slack_converted",
    "slack_failed",
    "sms_drafted",
    "sms_attempted",
    "sms_sent",
    "sms_delivered",
    "sms_clicked",
    "sms_converted",
    "sms_bounced",
    "sms_dropped",
    "sms_failed",
    "sms_undeliverable",
    "sms_replied",
    "whatsapp_drafted",
    "whatsapp_attempted",
    "whatsapp_sent",
    "whatsapp_delivered",
    "whatsapp_opened",
    "whatsapp_clicked",
    "whatsapp_converted",
    "whatsapp_bounced",
    "whatsapp_dropped",
    "whatsapp_failed",
    "whatsapp_undeliverable",
    "whatsapp_replied",
    "webhook_drafted",
    "webhook_attempted",
    "webhook_sent",
    "webhook_clicked",
    "webhook_converted",
    "webhook_failed",
    "webhook_undeliverable",
]);
const WEBHOOK: Field = path_id(
    "webhook_id",
    "Reporting webhook",
    "The reporting webhook's id.",
)
.lookup("reporting_webhook.lookup");
const WEBHOOK_FIELDS: &[Field] = &[
    body("name", Ty::Str, "Name", "The webhook's name.").required().max_bytes(255),
    body("endpoint", Ty::Str, "Endpoint", "The URL Customer.io posts events to.").required().max_bytes(2048),
    body("events", Ty::List(&WEBHOOK_EVENT, 1, 200), "Events", "The events to send, e.g. [\"email_sent\",\"email_opened\",\"customer_unsubscribed\"] (<channel>_<metric> for email, push, sms, whatsapp, in_app, slack, webhook; customer_subscribed, customer_unsubscribed, customer_subscription_preferences_changed).").required(),
    body("disabled", Ty::Bool, "Disabled", "Keep the webhook but send nothing."),
    body("full_resolution", Ty::Bool, "Every open and click", "Send every open and click, not only the first (unique) ones."),
    body("with_content", Ty::Bool, "With content", "Include the message body in *_sent events."),
];
const WEBHOOK_UPDATE: &[Field] = &[
    WEBHOOK,
    WEBHOOK_FIELDS[0],
    WEBHOOK_FIELDS[1],
    WEBHOOK_FIELDS[2],
    WEBHOOK_FIELDS[3],
    WEBHOOK_FIELDS[4],
    WEBHOOK_FIELDS[5],
];
const WEBHOOK_OUT: &str = r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Reporting webhook","type":"object","properties":{"id":{"type":"integer","description":"the webhook's id"},"name":{"type":"string","description":"its name"},"endpoint":{"type":"string","description":"the URL Customer.io posts events to"},"events":{"type":"array","items":{"type":"string"},"description":"the delivery events it reports"},"disabled":{"type":"boolean","description":"whether it is paused"},"full_resolution":{"type":"boolean","description":"every event, not only the first of each kind per delivery"},"with_content":{"type":"boolean","description":"events carry the message content"}}}"#;

// ---- ESP suppressions ----
const SUPPRESSION_TYPE: Field = Field::new(
    "suppression_type",
    Ty::Enum(&["bounces", "blocks", "spam_reports", "invalid_emails"]),
    Place::Path,
    "Reason",
    "Why the address is suppressed.",
)
.required();
const SUPPRESSED_EMAIL: Field =
    Field::new("email", Ty::Str, Place::Path, "Email", "The email address.")
        .required()
        .max_bytes(254);

// ---- Assets ----
const FOLDER_FILTERS: &[Field] = &[
    q(
        "parent_folder_id",
        Ty::Int,
        "Folder",
        "Only what is in this folder (0 or none = the root).",
    )
    .range(0, i64::MAX),
    q(
        "direct_descendants_only",
        Ty::Bool,
        "Direct children only",
        "Only the folder's own children, not its subfolders' contents.",
    ),
];
const ASSET: Field = path_id("asset_id", "Asset", "The asset's id.");
const ASSET_FOLDER: Field = path_id("folder_id", "Folder", "The asset folder's id.");
const ASSET_PARENT: Field = body(
    "parent_folder_id",
    Ty::Int,
    "Folder",
    "The asset folder's id (default: the root).",
)
.range(1, i64::MAX);
const ASSET_UPLOAD: &[Field] = &[
    Field::new(
        "file_name",
        Ty::Str,
        Place::Control,
        "File name",
        "The file's name with its extension: .png, .jpg, .jpeg, .gif, .bmp or .pdf.",
    )
    .required()
    .max_bytes(255),
    Field::new(
        "content",
        Ty::Str,
        Place::Control,
        "File (base64)",
        "The file's bytes as base64 (standard or URL-safe, line breaks allowed, or a data: URL); at most 2 MB (images at most 4096 px a side).",
    )
    .required(),
    Field::new(
        "name",
        Ty::Str,
        Place::Control,
        "Name",
        "The asset's name (default: the file name).",
    )
    .max_bytes(255),
    Field::new(
        "parent_folder_id",
        Ty::Int,
        Place::Control,
        "Folder",
        "The folder to put it in (default: the root).",
    )
    .range(0, i64::MAX),
];

// ---- Design Studio ----
const DS_LIST: &[Field] = &[
    q(
        "parent_folder_id",
        Ty::Str,
        "Folder",
        "Only what is in this folder (its id); none = the root.",
    )
    .max_bytes(64),
    q(
        "direct_descendants_only",
        Ty::Bool,
        "Direct children only",
        "Only the folder's own children.",
    ),
    q(
        "sort_by",
        Ty::Enum(&["created", "updated", "name"]),
        "Sort by",
        "The order of the list.",
    ),
    q(
        "sort_order",
        Ty::Enum(&["asc", "desc"]),
        "Order",
        "Ascending or descending.",
    ),
    q(
        "created_before",
        Ty::Timestamp,
        "Created before",
        "Only records created before this time.",
    ),
    q(
        "created_after",
        Ty::Timestamp,
        "Created after",
        "Only records created after this time.",
    ),
    q(
        "updated_before",
        Ty::Timestamp,
        "Updated before",
        "Only records updated before this time.",
    ),
    q(
        "updated_after",
        Ty::Timestamp,
        "Updated after",
        "Only records updated after this time.",
    ),
];
const DS_FOLDER: Field = uuid_id(
    "folder_id",
    "Folder",
    "The Design Studio folder's id (a UUID).",
);
const DS_EMAIL: Field =
    uuid_id("email_id", "Email", "The Design Studio email's id.").lookup("design_email.lookup");
/// The email of routes that act on a translation: the translation's own id when it has one.
const DS_EMAIL_VARIANT: Field = uuid_id(
    "email_id",
    "Email",
    "The Design Studio email's id; for a translation, the translation's own id.",
)
.lookup("design_email.lookup");
const DS_VERSION: Field = uuid_id(
    "version_id",
    "Version",
    "The saved version's id (a UUID; design_email.list_versions lists them).",
);
const DS_RUN: Field = Field::new(
    "run_id",
    Ty::Int,
    Place::Path,
    "Preview run",
    "The inbox preview run's id (design_email.start_inbox_preview answers it).",
)
.required();
/// What the inbox-preview routes read.
const INBOX_PREVIEW: &[Field] = &[
    body("client_ids", Ty::List(&Ty::Str, 1, 150), "Email clients", "Up to 150 client ids (design_email.list_preview_clients lists them); each costs a credit.").required(),
    body("name", Ty::Str, "Name", "A label for this batch of previews.").max_bytes(191),
    body("sample_data", Ty::Obj, "Sample data", "Liquid variables for the render, e.g. {\"customer\":{\"first_name\":\"Ana\"}}; at most 128 KB.").max_bytes(131_072),
    body("lax_mode", Ty::Bool, "Lax mode", "Render even when liquid has errors."),
];
const LINK_TARGET: &[Field] = &[
    Field::key(
        "type",
        Ty::Enum(&["campaign_action", "newsletter", "transactional_message"]),
        "Workflow",
        "What the email is linked to.",
    )
    .required(),
    Field::key(
        "action_id",
        Ty::Int,
        "Campaign action",
        "For campaign_action: the action's id.",
    ),
    Field::key(
        "newsletter_id",
        Ty::Int,
        "Newsletter",
        "For newsletter: its id.",
    )
    .lookup("newsletter.lookup"),
    Field::key(
        "transactional_message_id",
        Ty::Int,
        "Transactional message",
        "For transactional_message: its id.",
    )
    .lookup("transactional.lookup"),
];
const PREVIEW_DATA: &[Field] = &[
    body(
        "customer",
        Ty::Obj,
        "Customer",
        "Attributes for {{customer.*}}.",
    ),
    body("event", Ty::Obj, "Event", "Data for {{event.*}}."),
    body("trigger", Ty::Obj, "Trigger", "Data for {{trigger.*}}."),
    body("campaign", Ty::Obj, "Campaign", "Data for {{campaign.*}}."),
    body("journey", Ty::Obj, "Journey", "Data for {{journey.*}}."),
    body("message", Ty::Obj, "Message", "Data for {{message.*}}."),
    body(
        "objects",
        Ty::Obj,
        "Objects",
        "Related objects for {{objects.*}}.",
    ),
    body(
        "lax",
        Ty::Bool,
        "Lax",
        "Render even when liquid has errors.",
    ),
];
const DS_COMPONENT: Field = uuid_id("component_id", "Component", "The component's id.");
const DS_LANGUAGE: Field = Field::new(
    "language",
    Ty::Str,
    Place::Path,
    "Language",
    "A language code such as fr or pt-BR.",
)
.required()
.max_bytes(20);
const DS_PARENT: Field = body(
    "parent_folder_id",
    Ty::Str,
    "Folder",
    "The Design Studio folder's id (default: the root).",
)
.max_bytes(64);
const TRI: Ty = Ty::Enum(&["true", "false", "any"]);
const EMAIL_CONTENT: Field = body(
    "content",
    Ty::Object(&[
        Field::key("subject", Ty::Str, "Subject", "The subject line."),
        Field::key(
            "preheader_text",
            Ty::Str,
            "Preheader",
            "Preview text after the subject.",
        ),
        Field::key("html", Ty::Str, "HTML", "The HTML body."),
        Field::key("amp", Ty::Str, "AMP", "An AMP body."),
        Field::key("text", Ty::Str, "Plain text", "The plain-text body."),
    ]),
    "Content",
    "{\"subject\":…, \"preheader_text\":…, \"html\":…, \"amp\":…, \"text\":…}.",
);
const EMAIL_ENVELOPE: Field = body(
    "envelope",
    Ty::Object(&[
        Field::key("from_id", Ty::Int, "Sender", "A sender identity's id.")
            .lookup("sender_identity.lookup"),
        Field::key(
            "reply_to_id",
            Ty::Int,
            "Reply to",
            "A sender identity's id for Reply-To.",
        )
        .lookup("sender_identity.lookup"),
        Field::key(
            "recipient",
            Ty::Str,
            "Recipient",
            "Who it goes to (default {{customer.email}}).",
        ),
        Field::key("bcc", Ty::Str, "Bcc", "Bcc addresses."),
        Field::key(
            "fake_bcc",
            Ty::Bool,
            "Fake bcc",
            "Send bcc copies as separate messages.",
        ),
        Field::key(
            "headers",
            Ty::List(
                &Ty::Object(&[
                    Field::key("name", Ty::Str, "Name", "Header name.").required(),
                    Field::key("value", Ty::Str, "Value", "Header value.").required(),
                ]),
                1,
                100,
            ),
            "Headers",
            "[{\"name\":\"X-Tag\",\"value\":\"news\"}].",
        ),
    ]),
    "Envelope",
    "Sender, reply-to, recipient, bcc and headers.",
);
const TRANSFORMERS: Field = body("transformers", Ty::Obj, "Transformers", "HTML processing: url_parameters, css_inliner, accessibility, formatter, prevent_widows, encode_entities, remove_unused_css (as Customer.io names them).");
const EMAIL_BODY: &[Field] = &[
    body("name", Ty::Str, "Name", "The email's name.").max_bytes(255),
    body(
        "is_template",
        Ty::Bool,
        "Template",
        "Make it a reusable template.",
    ),
    DS_PARENT,
    EMAIL_CONTENT,
    EMAIL_ENVELOPE,
    TRANSFORMERS,
];
const EMAIL_CREATE: &[Field] = &[
    EMAIL_BODY[0].required(),
    EMAIL_BODY[1],
    EMAIL_BODY[2],
    EMAIL_BODY[3],
    EMAIL_BODY[4],
    EMAIL_BODY[5],
];
const EMAIL_UPDATE: &[Field] = &[
    DS_EMAIL,
    EMAIL_BODY[0],
    EMAIL_BODY[1],
    EMAIL_BODY[2],
    EMAIL_BODY[3],
    EMAIL_BODY[4],
    EMAIL_BODY[5],
    MOVE_TO_ROOT,
];
const COMPONENT_FIELDS: &[Field] = &[
    body("name", Ty::Str, "Name", "The component's name.").max_bytes(255),
    body(
        "tag",
        Ty::Str,
        "Tag",
        "The tag emails use to include it, e.g. x-footer.",
    )
    .max_bytes(100),
    body("content", Ty::Str, "HTML", "The component's HTML."),
    DS_PARENT,
];
const COMPONENT_CREATE: &[Field] = &[
    COMPONENT_FIELDS[0].required(),
    COMPONENT_FIELDS[1].required(),
    COMPONENT_FIELDS[2].required(),
    COMPONENT_FIELDS[3],
];
const COMPONENT_UPDATE: &[Field] = &[
    DS_COMPONENT,
    COMPONENT_FIELDS[0],
    COMPONENT_FIELDS[1],
    COMPONENT_FIELDS[2],
    COMPONENT_FIELDS[3],
    MOVE_TO_ROOT,
];
const FOLDER_NAME: Field = body(
    "name",
    Ty::Str,
    "Name",
    "The folder's name (not < > : \" / \\ | ? * .).",
)
.max_bytes(170);

/// A partial update (PUT, 204 on success).
const fn change(
    name: &'static str,
    title: &'static str,
    description: &'static str,
    path: &'static str,
    fields: &'static [Field],
) -> Operation {
    op(APP, name, title, description)
        .put(path)
        .fields(fields)
        .rule(changes_rule)
}
/// A delete (204).
const fn remove(
    apis: u8,
    name: &'static str,
    title: &'static str,
    description: &'static str,
    path: &'static str,
    ids: &'static [Field],
) -> Operation {
    op(apis, name, title, description).delete(path).fields(ids)
}

/// The content-and-settings operations.
pub const OPERATIONS: &[Operation] = &[
    // Collections
    op(AB, "collection.list", "List collections", "Every collection of the workspace (GET /v1/collections).").get("/collections").list("collections"),
    op(AB, "collection.lookup", "Collections (dropdown)", "Collections as dropdown options: the name shown, the id chosen.").get("/collections").lookup("collections", "name", "id"),
    read(AB, "collection.get", "Get a collection", "A collection's name, size, row count and keys (GET /v1/collections/{collection_id}).", "/collections/{collection_id}", &[COLLECTION], "collection").example(r#"{"collection_id":1}"#),
    op(AB, "collection.create", "Create a collection", "Creates a collection from rows or from a CSV/JSON file at a URL (POST /v1/collections).").post("/collections")
        .fields(&[COLLECTION_NAME.required(), COLLECTION_DATA, COLLECTION_URL]).rule(collection_rule).one("collection")
        .example(r#"{"name":"products","data":[{"sku":"A1","price":10},{"sku":"B2","price":25}]}"#),
    op(AB, "collection.update", "Update a collection", "Renames a collection or replaces its rows (PUT /v1/collections/{collection_id}).").put("/collections/{collection_id}")
        .fields(&[COLLECTION, COLLECTION_NAME, COLLECTION_DATA, COLLECTION_URL]).rule(collection_rule).one("collection").example(r#"{"collection_id":1,"name":"products_2026"}"#),
    remove(AB, "collection.delete", "Delete a collection", "Deletes a collection (DELETE /v1/collections/{collection_id}).", "/collections/{collection_id}", &[COLLECTION]).example(r#"{"collection_id":1}"#),
    op(AB, "collection.get_content", "Get a collection's rows", "The collection's data (GET /v1/collections/{collection_id}/content).").get("/collections/{collection_id}/content").fields(&[COLLECTION]).wrapped("content").example(r#"{"collection_id":1}"#),
    op(AB, "collection.update_content", "Replace a collection's content", "Replaces the collection's content with one JSON object, whose keys messages reference in liquid (PUT /v1/collections/{collection_id}/content). Customer.io's App API reference: \"The request is a free-form object containing the keys you want to reference from the collection and the corresponding values. This request replaces the current contents of the collection entirely.\"").put("/collections/{collection_id}/content")
        .fields(&[COLLECTION, Field::new("content", Ty::Obj, Place::BodyRoot, "Content", "The new content, sent as the body: one JSON object (rows go under a key, e.g. {\"products\": [...]}); at most 10 MB.").required()]).rule(content_rule).one("collection")
        .example(r#"{"collection_id":1,"content":{"products":[{"sku":"A1","price":12},{"sku":"B2","price":30}]}}"#),
    // Snippets
    op(AB, "snippet.list", "List snippets", "Every snippet of the workspace (GET /v1/snippets).").get("/snippets").list("snippets"),
    op(AB, "snippet.lookup", "Snippets (dropdown)", "Snippets as dropdown options: the name shown and chosen.").get("/snippets").lookup("snippets", "name", "name"),
    op(AB, "snippet.create", "Create a snippet", "Creates a snippet; fails when the name exists (POST /v1/snippets).").post("/snippets")
        .fields(&[body("name", Ty::Str, "Name", "The snippet's name ({% snippet <name> %}).").required().max_bytes(150), body("value", Ty::Str, "Value", "The snippet's content (liquid allowed; not other snippets).").required().max_bytes(16_000)])
        .one("snippet").example(r#"{"name":"signature","value":"<p>Acme Inc.</p>"}"#),
    op(AB, "snippet.upsert", "Create or update a snippet", "Creates the snippet or replaces the value of the one with that name (PUT /v1/snippets).").put("/snippets")
        .fields(&[body("name", Ty::Str, "Name", "The snippet's name.").required().max_bytes(150), body("value", Ty::Str, "Value", "The snippet's content.").required().max_bytes(16_000)])
        .one("snippet").example(r#"{"name":"footer","value":"<p>Acme Inc., 1 Main St</p>"}"#),
    remove(AB, "snippet.delete", "Delete a snippet", "Deletes a snippet that no message uses (DELETE /v1/snippets/{snippet_name}).", "/snippets/{snippet_name}",
        &[Field::new("snippet_name", Ty::Str, Place::Path, "Snippet", "The snippet's name.").required().max_bytes(150).lookup("snippet.lookup")]).example(r#"{"snippet_name":"footer"}"#),
    // Sender identities
    op(AB, "sender_identity.list", "List sender identities", "The workspace's verified senders (GET /v1/sender_identities).").get("/sender_identities")
        .fields(&[q("sort", Ty::Enum(&["asc", "desc"]), "Order", "Oldest (asc) or newest (desc) first."), q("hidden", Ty::Bool, "Hidden too", "Include hidden senders.")]).paged("sender_identities"),
    read(AB, "sender_identity.get", "Get a sender identity", "One sender (GET /v1/sender_identities/{sender_id}).", "/sender_identities/{sender_id}",
        &[path_id("sender_id", "Sender", "The sender identity's id.").lookup("sender_identity.lookup")], "sender_identity").example(r#"{"sender_id":1}"#),
    op(AB, "sender_identity.used_by", "Where a sender is used", "The campaigns and newsletters that send from a sender (GET /v1/sender_identities/{sender_id}/used_by).").get("/sender_identities/{sender_id}/used_by")
        .fields(&[path_id("sender_id", "Sender", "The sender identity's id.").lookup("sender_identity.lookup")]).output(ANSWER).example(r#"{"sender_id":1}"#),
    // Reporting webhooks
    op(AB, "reporting_webhook.list", "List reporting webhooks", "Every reporting webhook (GET /v1/reporting_webhooks).").get("/reporting_webhooks").list("reporting_webhooks"),
    op(AB, "reporting_webhook.create", "Create a reporting webhook", "Sends message and subscription events to your URL (POST /v1/reporting_webhooks).").post("/reporting_webhooks")
        .fields(WEBHOOK_FIELDS).output(WEBHOOK_OUT).example(r#"{"name":"Opens to warehouse","endpoint":"https://example.com/cio","events":["email_opened","email_clicked"]}"#),
    op(AB, "reporting_webhook.get", "Get a reporting webhook", "One reporting webhook (GET /v1/reporting_webhooks/{webhook_id}).").get("/reporting_webhooks/{webhook_id}").fields(&[WEBHOOK]).output(WEBHOOK_OUT).example(r#"{"webhook_id":1}"#),
    op(AB, "reporting_webhook.update", "Replace a reporting webhook", "Replaces a reporting webhook's settings; name, endpoint and events are all needed (PUT /v1/reporting_webhooks/{webhook_id}).").put("/reporting_webhooks/{webhook_id}")
        .fields(WEBHOOK_UPDATE).output(WEBHOOK_OUT).example(r#"{"webhook_id":1,"name":"Opens","endpoint":"https://example.com/cio","events":["email_opened"]}"#),
    remove(AB, "reporting_webhook.delete", "Delete a reporting webhook", "Deletes a reporting webhook (DELETE /v1/reporting_webhooks/{webhook_id}).", "/reporting_webhooks/{webhook_id}", &[WEBHOOK]).example(r#"{"webhook_id":1}"#),
    // ESP suppressions
    op(AB, "esp_suppression.list_domain", "List a domain's suppressed emails", "Addresses suppressed for one sending domain, a page at a time (GET /v1/esp/domains/{domain}/suppression/{suppression_type}).")
        .get("/esp/domains/{domain}/suppression/{suppression_type}")
        .fields(&[Field::new("domain", Ty::Str, Place::Path, "Sending domain", "The sending domain, e.g. mail.example.com.").required().max_bytes(253), SUPPRESSION_TYPE, q("email", Ty::Str, "Email", "Only this address.").max_bytes(254)])
        .paged("suppressions").example(r#"{"domain":"mail.example.com","suppression_type":"bounces"}"#),
    op(AB, "esp_suppression.search", "Find an email's suppressions", "Why an address is suppressed, if it is (GET /v1/esp/search_suppression/{email}).").get("/esp/search_suppression/{email}")
        .fields(&[SUPPRESSED_EMAIL]).list("suppressions").example(r#"{"email":"bounced+1@example.com"}"#),
    op(AB, "esp_suppression.add", "Suppress an email", "Suppresses an address at the email provider for a reason (POST /v1/esp/suppression/{suppression_type}/{email}); Customer.io's own suppression is track.customer.suppress.")
        .post("/esp/suppression/{suppression_type}/{email}").fields(&[SUPPRESSION_TYPE, SUPPRESSED_EMAIL]).replay(super::Replay::Safe).example(r#"{"suppression_type":"bounces","email":"jane@example.com"}"#),
    remove(AB, "esp_suppression.remove", "Unsuppress an email", "Removes an address from an email-provider suppression list (DELETE /v1/esp/suppression/{suppression_type}/{email}).", "/esp/suppression/{suppression_type}/{email}",
        &[SUPPRESSION_TYPE, SUPPRESSED_EMAIL]).example(r#"{"suppression_type":"bounces","email":"jane@example.com"}"#),
    // Workspace
    op(AB, "workspace.list", "List workspaces", "The workspaces the App key reaches, with people, object and message counts (GET /v1/workspaces).").get("/workspaces").list("workspaces"),
    op(AB, "info.ip_addresses", "List Customer.io's IP addresses", "The addresses Customer.io sends messages and webhooks from, to allow-list (GET /v1/info/ip_addresses).").get("/info/ip_addresses")
        .public()
        .output(r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"IP addresses","type":"object","required":["ip_addresses"],"properties":{"ip_addresses":{"type":"array","items":{"type":"string"},"description":"the addresses Customer.io sends webhooks and requests from"}}}"#),
    // Assets (App host only)
    op(APP, "asset.list", "List assets", "Images and files of the asset library, a page at a time (GET /v1/assets).").get("/assets").fields(FOLDER_FILTERS).paged_number("assets"),
    op(APP, "asset.upload", "Upload an asset", "Adds an image or PDF to the asset library (POST /v1/assets/files, sent as a multipart form); give the file as base64.").post("/assets/files")
        .fields(ASSET_UPLOAD).rule(crate::run::upload::upload_rule).custom(crate::run::upload::upload).one("asset")
        .example(r#"{"file_name":"logo.png","content":"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==","name":"Logo"}"#),
    read(APP, "asset.get", "Get an asset", "One asset: name, folder, URL, size (GET /v1/assets/files/{asset_id}).", "/assets/files/{asset_id}", &[ASSET], "asset").example(r#"{"asset_id":2}"#),
    op(APP, "asset.update", "Rename or move an asset", "Changes an asset's name or folder; the file itself cannot change (PUT /v1/assets/files/{asset_id}).").put("/assets/files/{asset_id}")
        .fields(&[ASSET, body("name", Ty::Str, "Name", "The new name.").max_bytes(255), ASSET_PARENT, MOVE_TO_ROOT]).rule(changes_rule).example(r#"{"asset_id":2,"name":"Logo 2026"}"#),
    remove(APP, "asset.delete", "Delete an asset", "Deletes an asset no message uses (DELETE /v1/assets/files/{asset_id}).", "/assets/files/{asset_id}", &[ASSET]).example(r#"{"asset_id":2}"#),
    op(APP, "asset_folder.list", "List asset folders", "Folders of the asset library, a page at a time (GET /v1/assets/folders).").get("/assets/folders").fields(FOLDER_FILTERS).paged_number("folders"),
    op(APP, "asset_folder.create", "Create an asset folder", "Creates a folder in the asset library (POST /v1/assets/folders).").post("/assets/folders")
        .fields(&[body("name", Ty::Str, "Name", "The folder's name (unique among its siblings).").required().max_bytes(255), ASSET_PARENT]).one("folder").example(r#"{"name":"Logos"}"#),
    read(APP, "asset_folder.get", "Get an asset folder", "One asset folder (GET /v1/assets/folders/{folder_id}).", "/assets/folders/{folder_id}", &[ASSET_FOLDER], "folder").example(r#"{"folder_id":1}"#),
    op(APP, "asset_folder.update", "Rename or move an asset folder", "Changes a folder's name or parent (PUT /v1/assets/folders/{folder_id}).").put("/assets/folders/{folder_id}")
        .fields(&[ASSET_FOLDER, body("name", Ty::Str, "Name", "The new name.").max_bytes(255), ASSET_PARENT, MOVE_TO_ROOT]).rule(changes_rule).example(r#"{"folder_id":1,"name":"Brand"}"#),
    remove(APP, "asset_folder.delete", "Delete an asset folder", "Deletes an empty asset folder (DELETE /v1/assets/folders/{folder_id}).", "/assets/folders/{folder_id}", &[ASSET_FOLDER]).example(r#"{"folder_id":3}"#),
    // Design Studio (App host only)
    op(APP, "design_folder.list", "List Design Studio folders", "Design Studio folders, a page at a time (GET /v1/design_studio/folders).").get("/design_studio/folders").fields(DS_LIST).paged_number("folders"),
    op(APP, "design_folder.create", "Create a Design Studio folder", "Creates a folder, at the root or in another (POST /v1/design_studio/folders).").post("/design_studio/folders")
        .fields(&[FOLDER_NAME.required(), DS_PARENT]).one("folder").example(r#"{"name":"Product announcements"}"#),
    read(APP, "design_folder.get", "Get a Design Studio folder", "One folder (GET /v1/design_studio/folders/{folder_id}).", "/design_studio/folders/{folder_id}", &[DS_FOLDER], "folder").example(r#"{"folder_id":"00000000-0000-4000-8000-000000000001"}"#),
    change("design_folder.update", "Rename or move a Design Studio folder", "Changes a folder's name or parent (PUT /v1/design_studio/folders/{folder_id}).", "/design_studio/folders/{folder_id}", &[DS_FOLDER, FOLDER_NAME, DS_PARENT, MOVE_TO_ROOT])
        .example(r#"{"folder_id":"00000000-0000-4000-8000-000000000001","name":"Announcements"}"#),
    remove(APP, "design_folder.delete", "Delete a Design Studio folder", "Deletes a folder with its subfolders and files (DELETE /v1/design_studio/folders/{folder_id}).", "/design_studio/folders/{folder_id}", &[DS_FOLDER])
        .example(r#"{"folder_id":"00000000-0000-4000-8000-000000000001"}"#),
    op(APP, "design_email.list", "List Design Studio emails", "Design Studio emails, a page at a time (GET /v1/design_studio/emails).").get("/design_studio/emails")
        .fields(DS_LIST).common(&[q("is_template", TRI, "Templates", "true, false or any."), q("has_translations", TRI, "Has translations", "true, false or any."), q("is_linked", TRI, "Linked to a workflow", "true, false or any.")])
        .paged_number("emails"),
    op(APP, "design_email.create", "Create a Design Studio email", "Creates an email from your HTML (POST /v1/design_studio/emails).").post("/design_studio/emails").fields(EMAIL_CREATE).one("email")
        .example(r#"{"name":"December digest","content":{"subject":"What's new","html":"<p>Hello {{customer.first_name}}</p>"}}"#),
    read(APP, "design_email.get", "Get a Design Studio email", "An email's content, envelope and settings in its default language (GET /v1/design_studio/emails/{email_id}).", "/design_studio/emails/{email_id}", &[DS_EMAIL], "email")
        .example(r#"{"email_id":"00000000-0000-4000-8000-000000000003"}"#),
    change("design_email.update", "Update a Design Studio email", "Changes what you give of an email; publishing is separate (PUT /v1/design_studio/emails/{email_id}).", "/design_studio/emails/{email_id}", EMAIL_UPDATE)
        .example(r#"{"email_id":"00000000-0000-4000-8000-000000000003","content":{"subject":"What's new in December"}}"#),
    remove(APP, "design_email.delete", "Delete a Design Studio email", "Deletes an email and its translations (DELETE /v1/design_studio/emails/{email_id}).", "/design_studio/emails/{email_id}", &[DS_EMAIL])
        .example(r#"{"email_id":"00000000-0000-4000-8000-000000000003"}"#),
    op(APP, "design_email.list_languages", "List an email's translations", "Every translation of a Design Studio email (GET /v1/design_studio/emails/{email_id}/languages).").get("/design_studio/emails/{email_id}/languages")
        .fields(&[DS_EMAIL]).list("email_translations").example(r#"{"email_id":"00000000-0000-4000-8000-000000000003"}"#),
    op(APP, "design_email.create_language", "Add an email translation", "Adds a translation; what you leave out is copied from the email (POST /v1/design_studio/emails/{email_id}/languages).").post("/design_studio/emails/{email_id}/languages")
        .fields(&[DS_EMAIL, body("language", Ty::Str, "Language", "The language code, e.g. fr.").required().max_bytes(20), EMAIL_CONTENT, EMAIL_ENVELOPE, TRANSFORMERS]).one("email_translation")
        .example(r#"{"email_id":"00000000-0000-4000-8000-000000000003","language":"de","content":{"subject":"Neuigkeiten"}}"#),
    read(APP, "design_email.get_language", "Get an email translation", "One translation of a Design Studio email.", "/design_studio/emails/{email_id}/languages/{language}", &[DS_EMAIL, DS_LANGUAGE], "email_translation")
        .example(r#"{"email_id":"00000000-0000-4000-8000-000000000003","language":"fr"}"#),
    change("design_email.update_language", "Update an email translation", "Changes what you give of one translation.", "/design_studio/emails/{email_id}/languages/{language}", &[DS_EMAIL, DS_LANGUAGE, EMAIL_CONTENT, EMAIL_ENVELOPE, TRANSFORMERS])
        .example(r#"{"email_id":"00000000-0000-4000-8000-000000000003","language":"fr","content":{"subject":"Les nouveautés"}}"#),
    remove(APP, "design_email.delete_language", "Delete an email translation", "Deletes one translation of a Design Studio email.", "/design_studio/emails/{email_id}/languages/{language}", &[DS_EMAIL, DS_LANGUAGE])
        .example(r#"{"email_id":"00000000-0000-4000-8000-000000000003","language":"fr"}"#),
    op(APP, "design_email.lookup", "Design Studio emails (dropdown)", "Design Studio emails as dropdown options: the name shown, the id chosen (GET /v1/design_studio/emails).").get("/design_studio/emails").lookup("emails", "name", "id"),
    // Versions: named checkpoints of an email's content.
    op(APP, "design_email.list_versions", "List an email's versions", "The saved versions of an email or translation, newest first (GET /v1/design_studio/emails/{email_id}/versions).").get("/design_studio/emails/{email_id}/versions")
        .fields(&[DS_EMAIL_VARIANT, q("start_date", Ty::Timestamp, "From", "Only versions saved at or after this time."), q("end_date", Ty::Timestamp, "Until", "Only versions saved at or before this time (needs From).")])
        .list("versions").example(r#"{"email_id":"00000000-0000-4000-8000-000000000003"}"#),
    op(APP, "design_email.get_version", "Get an email version", "One saved version with its content and the components it used (GET /v1/design_studio/emails/{email_id}/versions/{version_id}).").get("/design_studio/emails/{email_id}/versions/{version_id}")
        .fields(&[DS_EMAIL_VARIANT, DS_VERSION]).output(ANSWER).example(r#"{"email_id":"00000000-0000-4000-8000-000000000003","version_id":"00000000-0000-4000-8000-000000000010"}"#),
    op(APP, "design_email.save_version", "Save an email version", "Saves the email's current content as a named version; when nothing changed since the last one, answers that one with created false (POST /v1/design_studio/emails/{email_id}/versions).").post("/design_studio/emails/{email_id}/versions")
        .fields(&[DS_EMAIL_VARIANT, body("name", Ty::Str, "Name", "The version's name.").required().max_bytes(100), body("description", Ty::Str, "Description", "What changed.").max_bytes(1000)])
        .output(ANSWER).example(r#"{"email_id":"00000000-0000-4000-8000-000000000003","name":"Before the December edit"}"#),
    remove(APP, "design_email.delete_version", "Delete an email version", "Deletes a saved version; versions made by a publish cannot be deleted (DELETE /v1/design_studio/emails/{email_id}/versions/{version_id}).", "/design_studio/emails/{email_id}/versions/{version_id}", &[DS_EMAIL_VARIANT, DS_VERSION])
        .example(r#"{"email_id":"00000000-0000-4000-8000-000000000003","version_id":"00000000-0000-4000-8000-000000000010"}"#),
    op(APP, "design_email.restore_version", "Restore an email version", "Rolls the email's content back to a saved version; components are not rolled back (POST /v1/design_studio/emails/{email_id}/versions/{version_id}/restore).").post("/design_studio/emails/{email_id}/versions/{version_id}/restore")
        .fields(&[DS_EMAIL_VARIANT, DS_VERSION]).destructive().output(ANSWER).example(r#"{"email_id":"00000000-0000-4000-8000-000000000003","version_id":"00000000-0000-4000-8000-000000000010"}"#),
    // Inbox previews: screenshots in email clients, paid in credits.
    op(APP, "design_email.start_inbox_preview", "Start an inbox preview", "Renders the email in the email clients you name and captures screenshots; charged in credits (POST /v1/design_studio/emails/{email_id}/inbox_previews). Never repeated automatically.").post("/design_studio/emails/{email_id}/inbox_previews")
        .fields(&[DS_EMAIL_VARIANT]).common(INBOX_PREVIEW).replay(Never).output(ANSWER)
        .example(r#"{"email_id":"00000000-0000-4000-8000-000000000003","client_ids":["gmail_chrome","outlook_2019"],"name":"December check"}"#),
    op(APP, "design_email.get_inbox_preview", "Get an inbox preview", "A preview run's progress and, per client, its status and screenshot links (GET /v1/design_studio/emails/{email_id}/inbox_previews/{run_id}).").get("/design_studio/emails/{email_id}/inbox_previews/{run_id}")
        .fields(&[DS_EMAIL_VARIANT, DS_RUN]).output(ANSWER).example(r#"{"email_id":"00000000-0000-4000-8000-000000000003","run_id":1}"#),
    op(APP, "design_email.get_inbox_preview_capture", "Download an inbox preview image", "One client's screenshot as base64 with its content type (GET /v1/design_studio/emails/{email_id}/inbox_previews/{run_id}/captures/{client_id}).").get("/design_studio/emails/{email_id}/inbox_previews/{run_id}/captures/{client_id}")
        .fields(&[DS_EMAIL_VARIANT, DS_RUN, Field::new("client_id", Ty::Str, Place::Path, "Email client", "The client's id, as in the run.").required().max_bytes(200),
            q("variant", Ty::Enum(&["screenshot", "thumbnail", "full_thumbnail"]), "Image", "The screenshot (default) or a thumbnail."), q("key", Ty::Str, "Screenshot", "Which screenshot of the client (default \"default\").").max_bytes(100)])
        .file().example(r#"{"email_id":"00000000-0000-4000-8000-000000000003","run_id":1,"client_id":"gmail_chrome"}"#),
    op(APP, "design_email.list_preview_jobs", "List inbox preview runs", "Inbox preview runs of the workspace, or of one email, newest first; give the answer's meta.pagination.next_cursor back as Cursor for the next page (GET /v1/design_studio/inbox_previews/jobs).").get("/design_studio/inbox_previews/jobs")
        .fields(&[q("node_id", Ty::Str, "Email", "Only runs of this email (its id).").max_bytes(64).lookup("design_email.lookup"), q("limit", Ty::Int, "Limit", "Runs per page, 1 to 200 (default 50).").range(1, 200), q("cursor", Ty::Str, "Cursor", "Where the page starts: the previous answer's meta.pagination.next_cursor.").max_bytes(500)])
        .output(ANSWER),
    op(APP, "design_email.list_preview_clients", "List inbox preview clients", "The email clients inbox previews can render in (GET /v1/design_studio/inbox_previews/clients).").get("/design_studio/inbox_previews/clients").list("clients"),
    op(APP, "design_email.preview_credits", "Get inbox preview credits", "The workspace's inbox preview credits, per tier, with what remains (GET /v1/design_studio/inbox_previews/credits).").get("/design_studio/inbox_previews/credits").list("credits"),
    // Link, render, review and publish.
    op(APP, "design_email.link", "Link an email to a workflow", "Makes the email the content of a campaign action, newsletter or transactional message; force takes over a destination linked to other content (POST /v1/design_studio/emails/{email_id}/link).").post("/design_studio/emails/{email_id}/link")
        .fields(&[DS_EMAIL, body("target", Ty::Object(LINK_TARGET), "Destination", "The workflow step: its type and the id that type needs.").required(), body("force", Ty::Bool, "Force", "Replace other content linked there.")])
        .output(ANSWER).example(r#"{"email_id":"00000000-0000-4000-8000-000000000003","target":{"type":"newsletter","newsletter_id":12}}"#),
    op(APP, "design_email.preview", "Preview an email", "Renders the email's liquid with sample data you give, with its links and any liquid errors per field (POST /v1/design_studio/emails/{email_id}/preview).").post("/design_studio/emails/{email_id}/preview")
        .fields(&[DS_EMAIL_VARIANT]).common(PREVIEW_DATA).reads().output(ANSWER).example(r#"{"email_id":"00000000-0000-4000-8000-000000000003","customer":{"first_name":"Ana"}}"#),
    op(APP, "design_email.render", "Render an email", "The compiled HTML (and AMP and text) with liquid left in place (GET /v1/design_studio/emails/{email_id}/render).").get("/design_studio/emails/{email_id}/render")
        .fields(&[DS_EMAIL_VARIANT]).output(ANSWER).example(r#"{"email_id":"00000000-0000-4000-8000-000000000003"}"#),
    op(APP, "design_email.review", "Review an email", "Readiness checks (accessibility, links, images, liquid, spam, unsubscribe, …) with findings and a score (GET /v1/design_studio/emails/{email_id}/review).").get("/design_studio/emails/{email_id}/review")
        .fields(&[DS_EMAIL_VARIANT]).output(ANSWER).example(r#"{"email_id":"00000000-0000-4000-8000-000000000003"}"#),
    op(APP, "design_email.unpublished_changes", "Check for unpublished changes", "Whether the email changed since it was last published (GET /v1/design_studio/emails/{email_id}/unpublished_changes).").get("/design_studio/emails/{email_id}/unpublished_changes")
        .fields(&[DS_EMAIL]).output(ANSWER).example(r#"{"email_id":"00000000-0000-4000-8000-000000000003"}"#),
    op(APP, "design_email.publish", "Publish an email", "Publishes the email and its translations to the linked workflow; the answer is done with the mappings, or pending with a publish_id for design_email.publish_status (POST /v1/design_studio/emails/{email_id}/publish).").post("/design_studio/emails/{email_id}/publish")
        .fields(&[DS_EMAIL]).output(ANSWER).example(r#"{"email_id":"00000000-0000-4000-8000-000000000004"}"#),
    op(APP, "design_email.publish_status", "Get a publish's status", "Whether a pending publish is done, with its mappings (GET /v1/design_studio/emails/{email_id}/publish_status).").get("/design_studio/emails/{email_id}/publish_status")
        .fields(&[DS_EMAIL, q("publish_id", Ty::Str, "Publish", "The publish_id design_email.publish answered.").required().max_bytes(200)]).output(ANSWER)
        .example(r#"{"email_id":"00000000-0000-4000-8000-000000000004","publish_id":"pub_1"}"#),
    op(APP, "design_component.list", "List Design Studio components", "Reusable components, a page at a time (GET /v1/design_studio/components).").get("/design_studio/components")
        .fields(DS_LIST).common(&[q("tag", Ty::Str, "Tag", "Only the component with this tag.").max_bytes(100)]).paged_number("components"),
    op(APP, "design_component.create", "Create a Design Studio component", "Creates a reusable component emails include by its tag (POST /v1/design_studio/components).").post("/design_studio/components")
        .fields(COMPONENT_CREATE).one("component").example(r#"{"name":"Footer","tag":"x-footer","content":"<p>Acme Inc.</p>"}"#),
    read(APP, "design_component.get", "Get a Design Studio component", "One component with its HTML.", "/design_studio/components/{component_id}", &[DS_COMPONENT], "component")
        .example(r#"{"component_id":"00000000-0000-4000-8000-000000000002"}"#),
    change("design_component.update", "Update a Design Studio component", "Changes what you give of a component.", "/design_studio/components/{component_id}", COMPONENT_UPDATE)
        .example(r#"{"component_id":"00000000-0000-4000-8000-000000000002","content":"<p>Acme Inc., 1 Main St</p>"}"#),
    remove(APP, "design_component.delete", "Delete a Design Studio component", "Deletes a component (emails that include it may then fail to render).", "/design_studio/components/{component_id}", &[DS_COMPONENT])
        .example(r#"{"component_id":"00000000-0000-4000-8000-000000000002"}"#),
];
