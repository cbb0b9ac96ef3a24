//! App API operations (base `https://api(-eu).customer.io/v1`, Bearer auth). Entries that also
//! exist on the Beta host are marked `APP | BETA`; their Beta twins are derived, not copied.
//! Sends (transactional messages, broadcast triggers, live notifications) are App only and never
//! repeated automatically.

use super::fields as f;
use super::fields::body;
use super::{op, read, Operation, Replay::Never, ANSWER, APP, BETA};
use crate::messaging;
use crate::schema::{Field, Place, Ty};

const AB: u8 = APP | BETA;

/// Metrics of a resource (`…/metrics`): period, steps, type.
const fn metrics(
    name: &'static str,
    title: &'static str,
    path: &'static str,
    ids: &'static [Field],
) -> Operation {
    op(
        AB,
        name,
        title,
        "A series of counts per period (sent, delivered, opened, clicked, …).",
    )
    .get(path)
    .fields(ids)
    .common(f::METRICS)
    .one("metric")
}
/// Link metrics (`…/metrics/links`): clicks per link.
const fn link_metrics(
    name: &'static str,
    title: &'static str,
    path: &'static str,
    ids: &'static [Field],
) -> Operation {
    op(AB, name, title, "Clicks per tracked link, per period.")
        .get(path)
        .fields(ids)
        .common(&[f::PERIOD, f::STEPS, f::UNIQUE])
        .list("links")
}
/// Read one object under `key`, on App and Beta.
const fn get(
    name: &'static str,
    title: &'static str,
    description: &'static str,
    path: &'static str,
    ids: &'static [Field],
    key: &'static str,
) -> Operation {
    read(AB, name, title, description, path, ids, key)
}
/// Change an object with a body of changes (PUT).
const fn update(
    name: &'static str,
    title: &'static str,
    description: &'static str,
    path: &'static str,
    fields: &'static [Field],
    key: &'static str,
) -> Operation {
    op(AB, name, title, description)
        .put(path)
        .fields(fields)
        .one(key)
}
/// Deliveries of a resource (`…/messages`), cursor-paged, with the delivery filters.
const fn messages(
    name: &'static str,
    title: &'static str,
    path: &'static str,
    ids: &'static [Field],
) -> Operation {
    op(AB, name, title, "Deliveries sent from it, newest first, with their metrics; filter by metric, state, type and time.")
        .get(path)
        .fields(ids)
        .common(&[f::MESSAGE_METRIC, f::MESSAGE_STATE, f::METRIC_TYPE, f::START_TS, f::END_TS, f::DRAFTS])
        .paged("messages")
}

const TRANSACTIONAL: &[Field] = &[f::TRANSACTIONAL_ID];
const TRANSACTIONAL_CONTENT: &[Field] = &[f::TRANSACTIONAL_ID, f::CONTENT_ID];
const TRANSACTIONAL_LANGUAGE: &[Field] = &[f::TRANSACTIONAL_ID, f::LANGUAGE];
const BROADCAST: &[Field] = &[f::BROADCAST_ID];
const BROADCAST_ACTION: &[Field] = &[f::BROADCAST_ID, f::ACTION_ID];
const BROADCAST_ACTION_LANGUAGE: &[Field] = &[f::BROADCAST_ID, f::ACTION_ID, f::LANGUAGE];
const TRIGGER: &[Field] = &[f::BROADCAST_ID, f::TRIGGER_ID];
const CAMPAIGN: &[Field] = &[f::CAMPAIGN_ID];
const CAMPAIGN_ACTION: &[Field] = &[f::CAMPAIGN_ID, f::ACTION_ID];
const CAMPAIGN_ACTION_LANGUAGE: &[Field] = &[f::CAMPAIGN_ID, f::ACTION_ID, f::LANGUAGE];
const NEWSLETTER: &[Field] = &[f::NEWSLETTER_ID];
const NEWSLETTER_CONTENT: &[Field] = &[f::NEWSLETTER_ID, f::CONTENT_ID];
const NEWSLETTER_LANGUAGE: &[Field] = &[f::NEWSLETTER_ID, f::LANGUAGE];
const TEST_GROUP_LANGUAGE: &[Field] = &[f::NEWSLETTER_ID, f::TEST_GROUP_ID, f::LANGUAGE];
const NEW_LANGUAGE: Field = body(
    "language",
    Ty::Str,
    "Language",
    "The new translation's language code, e.g. it or pt-BR.",
)
.required()
.max_bytes(20);
/// A new translation's content. Which fields the channel needs, as Customer.io's spec gives
/// them: email subject and body; SMS and webhook body; push subject or body; in-app and inbox
/// body_json. Customer.io answers 422 naming a missing one.
const TRANSLATION: &[Field] = &[
    NEW_LANGUAGE,
    body(
        "subject",
        Ty::Str,
        "Subject",
        "Email: the subject line (required); push: the title.",
    )
    .max_bytes(1000),
    body(
        "body",
        Ty::Str,
        "Body",
        "Email: the HTML body (required); SMS, webhook: the message (required); push: the message.",
    )
    .max_bytes(1_000_000),
    body(
        "preheader_text",
        Ty::Str,
        "Preheader",
        "Email: the preview text after the subject.",
    )
    .max_bytes(1000),
    body(
        "body_plain",
        Ty::Str,
        "Plain-text body",
        "Email: the plain-text alternative.",
    )
    .max_bytes(1_000_000),
    body("body_amp", Ty::Str, "AMP body", "Email: the AMP version.").max_bytes(1_000_000),
    body(
        "body_json",
        Ty::Str,
        "Body (JSON)",
        "In-app and inbox: the message as JSON text (required for those channels).",
    )
    .max_bytes(1_000_000),
];
const NEWSLETTER_TRANSLATION: &[Field] = &[f::NEWSLETTER_ID];
const TEST_GROUP_TRANSLATION: &[Field] = &[f::NEWSLETTER_ID, f::TEST_GROUP_ID];

const TO: Field = body("to", Ty::Str, "To", "Recipients, comma-separated, display names allowed (\"Sarah <sarah@example.io>\"); at most 15 with cc and bcc.").required().max_bytes(4000);
const EMAIL: &[Field] = &[
    f::TEMPLATE,
    TO,
    f::RECIPIENT_PERSON,
    f::RECIPIENT_TYPE,
    f::MESSAGE_DATA,
    f::SEND_AT,
    body(
        "from",
        Ty::Str,
        "From",
        "A verified sender, overriding the template's.",
    ),
    body(
        "subject",
        Ty::Str,
        "Subject",
        "Overrides the template's subject.",
    ),
    body(
        "body",
        Ty::Str,
        "HTML body",
        "Overrides the template's body.",
    ),
    body(
        "body_plain",
        Ty::Str,
        "Plain-text body",
        "Overrides the template's plain-text body.",
    ),
    body(
        "body_amp",
        Ty::Str,
        "AMP body",
        "An AMP body; body is the fallback.",
    ),
    body(
        "preheader",
        Ty::Str,
        "Preheader",
        "Preview text shown after the subject.",
    ),
    body("reply_to", Ty::Str, "Reply to", "The Reply-To address."),
    body("cc", Ty::Str, "Cc", "Cc recipients, comma-separated."),
    body("bcc", Ty::Str, "Bcc", "Bcc recipients, comma-separated."),
    body(
        "fake_bcc",
        Ty::Bool,
        "Fake bcc",
        "Send bcc copies as separate messages.",
    ),
    body(
        "headers",
        Ty::StrMap,
        "Headers",
        "Extra email headers, e.g. {\"X-Mailgun-Tag\":\"receipts\"}.",
    ),
    body(
        "attachments",
        Ty::StrMap,
        "Attachments",
        "Files as {\"receipt.pdf\": \"<base64>\"}; names need an extension; under 2 MB in total.",
    ),
    body(
        "tracked",
        Ty::Bool,
        "Track opens and clicks",
        "Track opens and link clicks.",
    )
    .default("true"),
    body(
        "disable_css_preprocessing",
        Ty::Bool,
        "Skip CSS preprocessing",
        "Send the CSS as it is.",
    )
    .default("false"),
    body(
        "auto_create",
        Ty::Bool,
        "Create the template",
        "With a trigger name: create an empty template record when none has that name.",
    ),
];
const PUSH: &[Field] = &[
    f::TEMPLATE,
    f::RECIPIENT_PERSON,
    f::RECIPIENT_TYPE,
    f::MESSAGE_DATA,
    f::SEND_AT,
    body(
        "to",
        Ty::Str,
        "Devices",
        "all (default), last_used, or one device token.",
    ),
    body("title", Ty::Str, "Title", "Overrides the template's title."),
    body(
        "message",
        Ty::Str,
        "Message",
        "Overrides the template's message.",
    ),
    body("image_url", Ty::Str, "Image URL", "An image to show."),
    body("link", Ty::Str, "Link", "A deep link or URL to open."),
    body(
        "sound",
        Ty::Enum(&["default", "none"]),
        "Sound",
        "iOS sound.",
    ),
    body(
        "custom_data",
        Ty::StrMap,
        "Custom data",
        "Key-value data for the app (text values).",
    ),
    body(
        "custom_payload",
        Ty::Obj,
        "Custom payload",
        "{\"ios\": {…}, \"android\": {…}}, replacing everything else.",
    ),
    body(
        "custom_device",
        Ty::Object(&[
            Field::key("token", Ty::Str, "Token", "The device token.").required(),
            Field::key(
                "platform",
                Ty::Enum(&["ios", "android"]),
                "Platform",
                "ios or android.",
            )
            .required(),
            Field::key(
                "last_used",
                Ty::Timestamp,
                "Last used",
                "Unix seconds or ISO-8601.",
            ),
            Field::key("attributes", Ty::StrMap, "Attributes", "Device attributes."),
        ]),
        "Device",
        "A device to add to the person and send to.",
    ),
];
const SMS: &[Field] = &[
    f::TEMPLATE,
    body(
        "to",
        Ty::Str,
        "To",
        "A phone number in E.164 (+14155552671) or liquid such as {{customer.phone}}.",
    )
    .required(),
    f::RECIPIENT_PERSON,
    f::RECIPIENT_TYPE,
    f::MESSAGE_DATA,
    f::SEND_AT,
    body("from", Ty::Str, "From", "A verified sender number."),
    body("tracked", Ty::Bool, "Track clicks", "Track link clicks."),
];
const WHATSAPP: &[Field] = &[
    f::TEMPLATE,
    f::RECIPIENT_PERSON,
    f::RECIPIENT_TYPE,
    f::MESSAGE_DATA,
    f::SEND_AT,
    body("to", Ty::Str, "To", "A WhatsApp number in E.164."),
    body("tracked", Ty::Bool, "Track clicks", "Track link clicks."),
];
const IN_APP: &[Field] = &[
    f::TEMPLATE,
    f::RECIPIENT_PERSON,
    f::RECIPIENT_TYPE,
    f::MESSAGE_DATA,
    f::SEND_AT,
    body(
        "auto_create",
        Ty::Bool,
        "Create the template",
        "With a trigger name: create an empty template record when none has that name.",
    ),
];
const INBOX: &[Field] = &[
    f::TEMPLATE,
    f::RECIPIENT_PERSON,
    f::RECIPIENT_TYPE,
    f::MESSAGE_DATA,
    f::SEND_AT,
    body(
        "to",
        Ty::Str,
        "To",
        "Where the inbox message goes, when not the person's default.",
    ),
];

const SEND_OUT: &str = r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Queued message","type":"object","required":["delivery_id","queued_at"],"properties":{"delivery_id":{"type":"string","description":"the delivery's id, for message.get and metrics"},"queued_at":{"type":"integer","description":"when Customer.io queued it (unix seconds)"},"send_at":{"type":"integer","description":"when it is scheduled to go out (unix seconds), if later"}}}"#;
const fn send(
    name: &'static str,
    title: &'static str,
    description: &'static str,
    path: &'static str,
    fields: &'static [Field],
    example: &'static str,
) -> Operation {
    op(APP, name, title, description)
        .post(path)
        .fields(fields)
        .common(f::SEND_COMMON)
        .replay(Never)
        .output(SEND_OUT)
        .example(example)
}

const TRIGGER_FIELDS: &[Field] = &[
    f::BROADCAST_ID,
    body("data", Ty::Obj, "Data", "Data for the broadcast's liquid, as {{trigger.<key>}}."),
    body("recipients", Ty::Obj, "Recipients filter", "An audience filter: and / or / not of {\"segment\":{\"id\":7}} and {\"attribute\":{\"field\":\"plan\",\"operator\":\"eq\",\"value\":\"pro\"}}."),
    body("emails", Ty::List(&Ty::Str, 1, 10_000), "Emails", "Send to these people, by email."),
    body("ids", Ty::List(&Ty::IdText, 1, 10_000), "Ids", "Send to these people, by id."),
    body("per_user_data", Ty::List(&Ty::Obj, 1, 10_000), "Per-person data", "[{\"id\":\"1\",\"data\":{…}}] or [{\"email\":\"…\",\"data\":{…}}]."),
    body("data_file_url", Ty::Str, "Data file URL", "A URL of a file with one JSON object per line (id or email, data)."),
    Field::new("email_ignore_missing", Ty::Bool, Place::Body("email_ignore_missing"), "Skip unknown emails", "Skip emails of people who don't exist instead of failing (sent exactly as given, false included)."),
    Field::new("email_add_duplicates", Ty::Bool, Place::Body("email_add_duplicates"), "Allow shared emails", "Send to every profile sharing an email instead of failing."),
    Field::new("id_ignore_missing", Ty::Bool, Place::Body("id_ignore_missing"), "Skip unknown ids", "Skip ids of people who don't exist instead of failing."),
];

const NEWSLETTER_CREATE: &[Field] = &[
    body("name", Ty::Str, "Name", "The newsletter's name.")
        .required()
        .max_bytes(190),
    body(
        "type",
        Ty::Enum(&["email", "sms", "push", "in_app", "inbox", "webhook"]),
        "Type",
        "The channel.",
    )
    .required(),
    body(
        "recipients",
        Ty::Obj,
        "Recipients filter",
        "An audience filter (segments, attributes).",
    ),
    body("subject", Ty::Str, "Subject", "Email subject."),
    body("body", Ty::Str, "Body", "The message body."),
    body(
        "from_id",
        Ty::Int,
        "Sender identity",
        "The sender identity's id.",
    )
    .lookup("sender_identity.lookup"),
    body(
        "subscription_topic_id",
        Ty::Int,
        "Subscription topic",
        "The topic people must be subscribed to.",
    ),
];

const LIVE_ID: Field = body(
    "instance_id",
    Ty::Str,
    "Instance",
    "The live notification instance start returned.",
)
.required();
const CONTENT_STATE: Field = body(
    "content_state",
    Ty::Obj,
    "Content state",
    "The values the live notification shows now, e.g. {\"step\":\"packed\",\"eta_minutes\":25}.",
);
const LIVE_ATTRIBUTES: Field = body(
    "attributes",
    Ty::Obj,
    "Attributes",
    "The values fixed for the notification's life, e.g. {\"order\":\"A-1\"}.",
);
const LIVE_START: &[Field] = &[
    body(
        "notification_type",
        Ty::Str,
        "Notification type",
        "The live notification type, as set up in the app (e.g. order_status).",
    )
    .required(),
    f::RECIPIENT_PERSON,
    f::RECIPIENT_TYPE,
    LIVE_ATTRIBUTES.required(),
    CONTENT_STATE.required(),
];
const LIVE_UPDATE: &[Field] = &[LIVE_ID, CONTENT_STATE.required(), LIVE_ATTRIBUTES];
const LIVE_END: &[Field] = &[LIVE_ID, CONTENT_STATE];

/// The App (and Beta) operations.
pub const OPERATIONS: &[Operation] = &[
    // Transactional messages
    send("transactional.send_email", "Send a transactional email", "Sends a transactional email from a template (by id or trigger name) or fully inline (POST /v1/send/email). Never repeated automatically.", "/send/email", EMAIL,
        r#"{"transactional_message_id":1,"to":"jane@example.com","identifier":"jane@example.com","message_data":{"order":"A-1"}}"#).rule(messaging::email_rule),
    send("transactional.send_push", "Send a transactional push", "Sends a transactional push notification (POST /v1/send/push).", "/send/push", PUSH, r#"{"transactional_message_id":2,"identifier":"42","title":"Your order shipped"}"#),
    send("transactional.send_sms", "Send a transactional SMS", "Sends a transactional SMS (POST /v1/send/sms).", "/send/sms", SMS, r#"{"transactional_message_id":3,"to":"+14155552671","identifier":"42"}"#),
    send("transactional.send_whatsapp", "Send a transactional WhatsApp message", "Sends a transactional WhatsApp message (POST /v1/send/whatsapp).", "/send/whatsapp", WHATSAPP, r#"{"transactional_message_id":3,"to":"+14155552671","identifier":"42"}"#),
    send("transactional.send_in_app", "Send a transactional in-app message", "Sends a transactional in-app message (POST /v1/send/in_app).", "/send/in_app", IN_APP, r#"{"transactional_message_id":"welcome","identifier":"42"}"#),
    send("transactional.send_inbox_message", "Send a transactional inbox message", "Sends a transactional inbox message (POST /v1/send/inbox_message).", "/send/inbox_message", INBOX, r#"{"transactional_message_id":"welcome","identifier":"42"}"#),
    op(AB, "transactional.list", "List transactional messages", "Every transactional message (template) of the workspace (GET /v1/transactional).").get("/transactional").list("messages"),
    op(AB, "transactional.lookup", "Transactional messages (dropdown)", "Transactional messages as dropdown options: name shown, id chosen.").get("/transactional").lookup("messages", "name", "id"),
    get("transactional.get", "Get a transactional message", "A transactional message's settings (GET /v1/transactional/{id}).", "/transactional/{transactional_id}", TRANSACTIONAL, "message").example(r#"{"transactional_id":1}"#),
    op(AB, "transactional.list_contents", "List a transactional message's contents", "Its content variants: translations and A/B versions.").get("/transactional/{transactional_id}/contents").fields(TRANSACTIONAL).list("contents").example(r#"{"transactional_id":1}"#),
    get("transactional.get_content", "Get a transactional content", "One content variant.", "/transactional/{transactional_id}/contents/{content_id}", TRANSACTIONAL_CONTENT, "content").example(r#"{"transactional_id":1,"content_id":11}"#),
    update("transactional.update_content", "Update a transactional content", "Changes one content variant (PUT /v1/transactional/{id}/content/{content_id}).", "/transactional/{transactional_id}/content/{content_id}", &[f::TRANSACTIONAL_ID, f::CONTENT_ID, f::CHANGES], "content")
        .example(r#"{"transactional_id":1,"content_id":11,"changes":{"subject":"Welcome aboard"}}"#),
    get("transactional.get_language", "Get a transactional translation", "One translation of a transactional message.", "/transactional/{transactional_id}/language/{language}", TRANSACTIONAL_LANGUAGE, "content").example(r#"{"transactional_id":1,"language":"fr"}"#),
    update("transactional.update_language", "Update a transactional translation", "Changes one translation of a transactional message.", "/transactional/{transactional_id}/language/{language}", &[f::TRANSACTIONAL_ID, f::LANGUAGE, f::CHANGES], "content")
        .example(r#"{"transactional_id":1,"language":"fr","changes":{"subject":"Bienvenue"}}"#),
    metrics("transactional.metrics", "Transactional message metrics", "/transactional/{transactional_id}/metrics", TRANSACTIONAL).example(r#"{"transactional_id":1,"period":"days","steps":7}"#),
    link_metrics("transactional.link_metrics", "Transactional message link metrics", "/transactional/{transactional_id}/metrics/links", TRANSACTIONAL).example(r#"{"transactional_id":1}"#),
    messages("transactional.list_messages", "List a transactional message's deliveries", "/transactional/{transactional_id}/messages", TRANSACTIONAL).example(r#"{"transactional_id":1,"limit":50}"#),
    // API-triggered broadcasts
    op(APP, "broadcast.trigger", "Trigger a broadcast", "Sends an API-triggered broadcast to its own audience or to the people you give — one of recipients, emails, ids, per_user_data or data_file_url — with data for its liquid (POST /v1/campaigns/{broadcast_id}/triggers). Customer.io takes one trigger per broadcast every 10 seconds; never repeated automatically.")
        .post("/campaigns/{broadcast_id}/triggers").fields(TRIGGER_FIELDS).rule(messaging::trigger_rule).replay(Never)
        .output(r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Trigger","type":"object","required":["id"],"properties":{"id":{"type":"integer","description":"the trigger id, for broadcast.get_trigger"}}}"#)
        .example(r#"{"broadcast_id":8,"ids":["42"],"data":{"sale":"spring"},"id_ignore_missing":false}"#),
    op(AB, "broadcast.get_trigger", "Get a broadcast trigger", "A trigger's status: when it was created and processed (GET /v1/campaigns/{broadcast_id}/triggers/{trigger_id}).").get("/campaigns/{broadcast_id}/triggers/{trigger_id}").fields(TRIGGER)
        .output(r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Trigger","type":"object","properties":{"id":{"type":"integer","description":"the trigger id"},"broadcast_id":{"type":"integer","description":"the broadcast it triggered"},"created_at":{"type":"integer","description":"when it was triggered (unix seconds)"},"processed_at":{"type":["integer","null"],"description":"when Customer.io finished processing it (unix seconds); null while it runs"}}}"#)
        .example(r#"{"broadcast_id":8,"trigger_id":1}"#),
    op(AB, "broadcast.trigger_errors", "List a trigger's errors", "What went wrong for people of a trigger (GET …/triggers/{trigger_id}/errors), paged by offset.").get("/campaigns/{broadcast_id}/triggers/{trigger_id}/errors").fields(TRIGGER).paged_offset("errors").example(r#"{"broadcast_id":8,"trigger_id":1}"#),
    op(AB, "broadcast.list_triggers", "List a broadcast's triggers", "Every trigger of a broadcast (GET /v1/broadcasts/{broadcast_id}/triggers).").get("/broadcasts/{broadcast_id}/triggers").fields(BROADCAST).list("triggers").example(r#"{"broadcast_id":8}"#),
    op(AB, "broadcast.list", "List broadcasts", "Every API-triggered broadcast (GET /v1/broadcasts).").get("/broadcasts").list("broadcasts"),
    op(AB, "broadcast.lookup", "Broadcasts (dropdown)", "API-triggered broadcasts as dropdown options.").get("/broadcasts").lookup("broadcasts", "name", "id"),
    get("broadcast.get", "Get a broadcast", "A broadcast's settings and state (GET /v1/broadcasts/{broadcast_id}).", "/broadcasts/{broadcast_id}", BROADCAST, "broadcast").example(r#"{"broadcast_id":8}"#),
    metrics("broadcast.metrics", "Broadcast metrics", "/broadcasts/{broadcast_id}/metrics", BROADCAST).example(r#"{"broadcast_id":8}"#),
    link_metrics("broadcast.link_metrics", "Broadcast link metrics", "/broadcasts/{broadcast_id}/metrics/links", BROADCAST).example(r#"{"broadcast_id":8}"#),
    op(AB, "broadcast.list_actions", "List a broadcast's actions", "The messages and steps of a broadcast.").get("/broadcasts/{broadcast_id}/actions").fields(BROADCAST).list("actions").example(r#"{"broadcast_id":8}"#),
    get("broadcast.get_action", "Get a broadcast action", "One message or step of a broadcast.", "/broadcasts/{broadcast_id}/actions/{action_id}", BROADCAST_ACTION, "action").example(r#"{"broadcast_id":8,"action_id":81}"#),
    update("broadcast.update_action", "Update a broadcast action", "Changes a broadcast's message (subject, body, sender, …).", "/broadcasts/{broadcast_id}/actions/{action_id}", &[f::BROADCAST_ID, f::ACTION_ID, f::CHANGES], "action")
        .example(r#"{"broadcast_id":8,"action_id":81,"changes":{"subject":"Spring sale"}}"#),
    get("broadcast.get_action_language", "Get a broadcast action translation", "One translation of a broadcast's message.", "/broadcasts/{broadcast_id}/actions/{action_id}/language/{language}", BROADCAST_ACTION_LANGUAGE, "action").example(r#"{"broadcast_id":8,"action_id":81,"language":"fr"}"#),
    update("broadcast.update_action_language", "Update a broadcast action translation", "Changes one translation of a broadcast's message.", "/broadcasts/{broadcast_id}/actions/{action_id}/language/{language}", &[f::BROADCAST_ID, f::ACTION_ID, f::LANGUAGE, f::CHANGES], "action")
        .example(r#"{"broadcast_id":8,"action_id":81,"language":"fr","changes":{"subject":"Soldes"}}"#),
    metrics("broadcast.action_metrics", "Broadcast action metrics", "/broadcasts/{broadcast_id}/actions/{action_id}/metrics", BROADCAST_ACTION).example(r#"{"broadcast_id":8,"action_id":81}"#),
    link_metrics("broadcast.action_link_metrics", "Broadcast action link metrics", "/broadcasts/{broadcast_id}/actions/{action_id}/metrics/links", BROADCAST_ACTION).example(r#"{"broadcast_id":8,"action_id":81}"#),
    messages("broadcast.list_messages", "List a broadcast's deliveries", "/broadcasts/{broadcast_id}/messages", BROADCAST).example(r#"{"broadcast_id":8}"#),
    // Campaigns
    op(AB, "campaign.list", "List campaigns", "Every campaign of the workspace (GET /v1/campaigns).").get("/campaigns").list("campaigns"),
    op(AB, "campaign.lookup", "Campaigns (dropdown)", "Campaigns as dropdown options: name shown, id chosen.").get("/campaigns").lookup("campaigns", "name", "id"),
    get("campaign.get", "Get a campaign", "A campaign's settings, triggers and actions (GET /v1/campaigns/{campaign_id}).", "/campaigns/{campaign_id}", CAMPAIGN, "campaign").example(r#"{"campaign_id":1}"#),
    metrics("campaign.metrics", "Campaign metrics", "/campaigns/{campaign_id}/metrics", CAMPAIGN).common(f::CAMPAIGN_METRICS).example(r#"{"campaign_id":1,"period":"weeks","steps":4}"#),
    link_metrics("campaign.link_metrics", "Campaign link metrics", "/campaigns/{campaign_id}/metrics/links", CAMPAIGN).example(r#"{"campaign_id":1}"#),
    op(AB, "campaign.journey_metrics", "Campaign journey metrics", "How people moved through the campaign between two times.").get("/campaigns/{campaign_id}/journey_metrics")
        .fields(&[f::CAMPAIGN_ID, Field::new("start", Ty::Timestamp, Place::Query("start"), "From", "Start of the window.").required(), Field::new("end", Ty::Timestamp, Place::Query("end"), "Until", "End of the window.").required(),
            Field::new("res", Ty::Enum(&["hourly", "daily", "weekly", "monthly"]), Place::Query("res"), "Resolution", "The unit of the series.")])
        .output(r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Journey metrics","type":"object"}"#).example(r#"{"campaign_id":1,"start":"2026-11-01","end":"2026-11-08","res":"daily"}"#),
    messages("campaign.list_messages", "List a campaign's deliveries", "/campaigns/{campaign_id}/messages", CAMPAIGN).example(r#"{"campaign_id":1}"#),
    op(AB, "campaign.list_actions", "List a campaign's actions", "The messages and steps of a campaign, a page at a time.").get("/campaigns/{campaign_id}/actions").fields(CAMPAIGN).paged("actions").example(r#"{"campaign_id":1}"#),
    get("campaign.get_action", "Get a campaign action", "One message or step of a campaign.", "/campaigns/{campaign_id}/actions/{action_id}", CAMPAIGN_ACTION, "action").example(r#"{"campaign_id":1,"action_id":11}"#),
    update("campaign.update_action", "Update a campaign action", "Changes a campaign's message (subject, body, sender, …).", "/campaigns/{campaign_id}/actions/{action_id}", &[f::CAMPAIGN_ID, f::ACTION_ID, f::CHANGES], "action")
        .example(r#"{"campaign_id":1,"action_id":11,"changes":{"subject":"Welcome!"}}"#),
    get("campaign.get_action_language", "Get a campaign action translation", "One translation of a campaign's message.", "/campaigns/{campaign_id}/actions/{action_id}/language/{language}", CAMPAIGN_ACTION_LANGUAGE, "action").example(r#"{"campaign_id":1,"action_id":11,"language":"de"}"#),
    update("campaign.update_action_language", "Update a campaign action translation", "Changes one translation of a campaign's message.", "/campaigns/{campaign_id}/actions/{action_id}/language/{language}", &[f::CAMPAIGN_ID, f::ACTION_ID, f::LANGUAGE, f::CHANGES], "action")
        .example(r#"{"campaign_id":1,"action_id":11,"language":"de","changes":{"subject":"Willkommen"}}"#),
    metrics("campaign.action_metrics", "Campaign action metrics", "/campaigns/{campaign_id}/actions/{action_id}/metrics", CAMPAIGN_ACTION).common(f::CAMPAIGN_METRICS).example(r#"{"campaign_id":1,"action_id":11}"#),
    link_metrics("campaign.action_link_metrics", "Campaign action link metrics", "/campaigns/{campaign_id}/actions/{action_id}/metrics/links", CAMPAIGN_ACTION).example(r#"{"campaign_id":1,"action_id":11}"#),
    // Newsletters
    op(AB, "newsletter.list", "List newsletters", "Newsletters, newest first, a page at a time or all of them (GET /v1/newsletters).").get("/newsletters")
        .fields(&[Field::new("sort", Ty::Enum(&["asc", "desc"]), Place::Query("sort"), "Order", "Oldest (asc) or newest (desc) first.").default("\"desc\"")])
        .paged("newsletters").example(r#"{"limit":10}"#),
    op(AB, "newsletter.lookup", "Newsletters (dropdown)", "Newsletters as dropdown options: name shown, id chosen.").get("/newsletters").lookup("newsletters", "name", "id"),
    get("newsletter.get", "Get a newsletter", "A newsletter's settings (GET /v1/newsletters/{newsletter_id}).", "/newsletters/{newsletter_id}", NEWSLETTER, "newsletter").example(r#"{"newsletter_id":12}"#),
    op(AB, "newsletter.create", "Create a newsletter", "Creates a newsletter draft (POST /v1/newsletters).").post("/newsletters").fields(NEWSLETTER_CREATE).one("newsletter")
        .example(r#"{"name":"December digest","type":"email","subject":"What's new","recipients":{"segment":{"id":7}}}"#),
    op(AB, "newsletter.delete", "Delete a newsletter", "Deletes a newsletter (DELETE /v1/newsletters/{newsletter_id}).").delete("/newsletters/{newsletter_id}").fields(NEWSLETTER).example(r#"{"newsletter_id":11}"#),
    op(AB, "newsletter.send", "Send a newsletter", "Sends a newsletter now (POST /v1/newsletters/{newsletter_id}/send). Never repeated automatically.").post("/newsletters/{newsletter_id}/send").fields(NEWSLETTER).replay(Never)
        .output(ANSWER).example(r#"{"newsletter_id":12}"#),
    op(AB, "newsletter.schedule", "Schedule a newsletter", "Schedules a newsletter (POST /v1/newsletters/{newsletter_id}/schedule).").post("/newsletters/{newsletter_id}/schedule")
        .fields(&[f::NEWSLETTER_ID, Field::new("scheduled_at", Ty::Timestamp, Place::Body("scheduled_at"), "Send at", "When to send: unix seconds or ISO-8601.").required()])
        .output(ANSWER).example(r#"{"newsletter_id":12,"scheduled_at":"2026-12-24T09:00:00Z"}"#),
    op(AB, "newsletter.list_contents", "List a newsletter's contents", "Its content variants: translations and A/B versions.").get("/newsletters/{newsletter_id}/contents").fields(NEWSLETTER).list("contents").example(r#"{"newsletter_id":12}"#),
    get("newsletter.get_content", "Get a newsletter content", "One content variant.", "/newsletters/{newsletter_id}/contents/{content_id}", NEWSLETTER_CONTENT, "content").example(r#"{"newsletter_id":12,"content_id":121}"#),
    update("newsletter.update_content", "Update a newsletter content", "Changes one content variant.", "/newsletters/{newsletter_id}/contents/{content_id}", &[f::NEWSLETTER_ID, f::CONTENT_ID, f::CHANGES], "content")
        .example(r#"{"newsletter_id":12,"content_id":121,"changes":{"subject":"This week"}}"#),
    metrics("newsletter.content_metrics", "Newsletter content metrics", "/newsletters/{newsletter_id}/contents/{content_id}/metrics", NEWSLETTER_CONTENT).example(r#"{"newsletter_id":12,"content_id":121}"#),
    link_metrics("newsletter.content_link_metrics", "Newsletter content link metrics", "/newsletters/{newsletter_id}/contents/{content_id}/metrics/links", NEWSLETTER_CONTENT).example(r#"{"newsletter_id":12,"content_id":121}"#),
    op(AB, "newsletter.add_language", "Add a newsletter translation", "Adds a translation to an unsent newsletter (POST /v1/newsletters/{newsletter_id}/language); Customer.io refuses it for a newsletter with several test groups (use newsletter.add_test_group_language).").post("/newsletters/{newsletter_id}/language")
        .fields(NEWSLETTER_TRANSLATION).common(TRANSLATION).one("newsletter").example(r#"{"newsletter_id":12,"language":"it","subject":"Ciao {{customer.first_name}}","body":"<p>Ciao!</p>"}"#),
    op(AB, "newsletter.delete_language", "Delete a newsletter translation", "Deletes one translation of an unsent newsletter; not its default language (DELETE /v1/newsletters/{newsletter_id}/language/{language}).").delete("/newsletters/{newsletter_id}/language/{language}")
        .fields(NEWSLETTER_LANGUAGE).example(r#"{"newsletter_id":12,"language":"es"}"#),
    get("newsletter.get_language", "Get a newsletter translation", "One translation of a newsletter.", "/newsletters/{newsletter_id}/language/{language}", NEWSLETTER_LANGUAGE, "content").example(r#"{"newsletter_id":12,"language":"fr"}"#),
    update("newsletter.update_language", "Update a newsletter translation", "Changes one translation of a newsletter.", "/newsletters/{newsletter_id}/language/{language}", &[f::NEWSLETTER_ID, f::LANGUAGE, f::CHANGES], "content")
        .example(r#"{"newsletter_id":12,"language":"fr","changes":{"subject":"Cette semaine"}}"#),
    op(AB, "newsletter.create_test_group", "Add a newsletter test group", "Adds an A/B test group to an unsent newsletter; the answer lists the new group's content id (POST /v1/newsletters/{newsletter_id}/test_groups).").post("/newsletters/{newsletter_id}/test_groups")
        .fields(NEWSLETTER).one("newsletter").example(r#"{"newsletter_id":12}"#),
    op(AB, "newsletter.add_test_group_language", "Add a test group translation", "Adds a translation to one test group of an unsent newsletter (POST /v1/newsletters/{newsletter_id}/test_group/{test_group_id}/language).").post("/newsletters/{newsletter_id}/test_group/{test_group_id}/language")
        .fields(TEST_GROUP_TRANSLATION).common(TRANSLATION).one("newsletter").example(r#"{"newsletter_id":12,"test_group_id":"1","language":"it","subject":"Ciao","body":"<p>Ciao!</p>"}"#),
    op(AB, "newsletter.delete_test_group_language", "Delete a test group translation", "Deletes one translation of a test group of an unsent newsletter (DELETE /v1/newsletters/{newsletter_id}/test_group/{test_group_id}/language/{language}).").delete("/newsletters/{newsletter_id}/test_group/{test_group_id}/language/{language}")
        .fields(TEST_GROUP_LANGUAGE).example(r#"{"newsletter_id":12,"test_group_id":"1","language":"es"}"#),
    op(AB, "newsletter.list_test_groups", "List a newsletter's test groups", "The A/B test groups of a newsletter.").get("/newsletters/{newsletter_id}/test_groups").fields(NEWSLETTER).list("test_groups").example(r#"{"newsletter_id":12}"#),
    get("newsletter.get_test_group_language", "Get a test group translation", "One translation of a newsletter test group.", "/newsletters/{newsletter_id}/test_group/{test_group_id}/language/{language}", TEST_GROUP_LANGUAGE, "content").example(r#"{"newsletter_id":12,"test_group_id":"1","language":"fr"}"#),
    update("newsletter.update_test_group_language", "Update a test group translation", "Changes one translation of a newsletter test group.", "/newsletters/{newsletter_id}/test_group/{test_group_id}/language/{language}", &[f::NEWSLETTER_ID, f::TEST_GROUP_ID, f::LANGUAGE, f::CHANGES], "content")
        .example(r#"{"newsletter_id":12,"test_group_id":"1","language":"fr","changes":{"subject":"Version A"}}"#),
    metrics("newsletter.metrics", "Newsletter metrics", "/newsletters/{newsletter_id}/metrics", NEWSLETTER).example(r#"{"newsletter_id":12}"#),
    link_metrics("newsletter.link_metrics", "Newsletter link metrics", "/newsletters/{newsletter_id}/metrics/links", NEWSLETTER).example(r#"{"newsletter_id":12}"#),
    messages("newsletter.list_messages", "List a newsletter's deliveries", "/newsletters/{newsletter_id}/messages", NEWSLETTER).example(r#"{"newsletter_id":12}"#),
    // Live notifications
    op(APP, "live_notification.start", "Start a live notification", "Starts a live notification (a live activity) for a person (POST /v1/live_notifications/start).").post("/live_notifications/start").fields(LIVE_START).replay(Never)
        .output(r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Live notification","type":"object","properties":{"instance_id":{"type":"string","description":"the live notification's id, for update, end and get"}}}"#)
        .example(r#"{"notification_type":"order_status","identifier":"42","attributes":{"order":"A-1"},"content_state":{"step":"packed"}}"#),
    op(APP, "live_notification.update", "Update a live notification", "Updates a running live notification's data (POST /v1/live_notifications/update).").post("/live_notifications/update").fields(LIVE_UPDATE).replay(Never)
        .output(ANSWER).example(r#"{"instance_id":"01HF7YAT000440Y5GX4GNK4EA0","content_state":{"step":"shipped"}}"#),
    op(APP, "live_notification.end", "End a live notification", "Ends a live notification (POST /v1/live_notifications/end).").post("/live_notifications/end").fields(LIVE_END).replay(Never)
        .output(ANSWER).example(r#"{"instance_id":"01HF7YAT000440Y5GX4GNK4EA0"}"#),
    op(APP, "live_notification.get", "Get a live notification", "A live notification's state (GET /v1/live_notifications/{instance_id}).").get("/live_notifications/{instance_id}")
        .fields(&[Field::new("instance_id", Ty::Str, Place::Path, "Instance", "The instance start returned.").required().max_bytes(200)])
        .output(r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Live notification","type":"object"}"#).example(r#"{"instance_id":"01HF7YAT000440Y5GX4GNK4EA0"}"#),
    op(AB, "esp_suppression.list", "List suppressed emails", "Addresses your email provider suppresses for one reason, a page at a time (GET /v1/esp/suppression/{suppression_type}).")
        .get("/esp/suppression/{suppression_type}")
        .fields(&[Field::new("suppression_type", Ty::Enum(&["bounces", "blocks", "spam_reports", "invalid_emails"]), Place::Path, "Reason", "Why the addresses are suppressed.").required(),
            Field::new("domain", Ty::Str, Place::Query("domain"), "Sending domain", "Only this sending domain's suppressions.").max_bytes(253)])
        .paged_limit_offset("suppressions")
        .example(r#"{"suppression_type":"bounces","limit":100}"#),
    // Dropdown sources
    op(AB, "segment.lookup", "Segments (dropdown)", "Segments as dropdown options: the name shown, the id chosen (GET /v1/segments).").get("/segments").lookup("segments", "name", "id").example(r#"{"search":"vip"}"#),
    op(AB, "sender_identity.lookup", "Sender identities (dropdown)", "Verified senders as dropdown options: the address shown, the id chosen (GET /v1/sender_identities).").get("/sender_identities").lookup("sender_identities", "email", "id"),
    op(AB, "reporting_webhook.lookup", "Reporting webhooks (dropdown)", "Reporting webhooks as dropdown options (GET /v1/reporting_webhooks).").get("/reporting_webhooks").lookup("reporting_webhooks", "name", "id"),
];
