//! End-to-end tests for the App API's people half: people, segments, messages, activities,
//! exports, imports, the data index and objects, all read from the state the Track API writes.

mod common;

use std::time::Duration;

use common::*;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::{json, Value};

const SITE: &str = "demo-site";

fn demo(emu: &cio_emulator::Emulator, method: &str, target: &str, body: &str) -> Reply {
    app(emu, method, APP, target, DEMO_KEY, body)
}

fn get(emu: &cio_emulator::Emulator, target: &str) -> Value {
    let r = app_get(emu, APP, target, DEMO_KEY);
    assert_eq!(r.status, 200, "{target}: {}", r.text());
    r.json()
}

fn track(emu: &cio_emulator::Emulator, method: &str, target: &str, body: Value) {
    let auth = demo_basic();
    let r = track_json(emu, TRACK, Some(&auth), method, target, &body.to_string());
    assert_eq!(r.status, 200, "{target}: {}", r.text());
}

fn identify(emu: &cio_emulator::Emulator, id: &str, attributes: Value) {
    let path = format!(
        "/api/v1/customers/{}",
        utf8_percent_encode(id, NON_ALPHANUMERIC)
    );
    track(emu, "PUT", &path, attributes);
}

fn detail(r: &Reply) -> (u16, String, String) {
    let body = r.json();
    let error = &body["errors"][0];
    (
        r.status,
        error["detail"].as_str().unwrap_or_default().to_string(),
        error["source"]["pointer"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

#[test]
fn people_identified_through_track_are_read_searched_and_fetched_in_bulk() {
    let emu = start();
    // Plans and emails the demo workspace's own people (42 Jane on pro, 43 on free) do not have;
    // they are cio 03000001 and 03000002, so these count on from 03000003.
    identify(
        &emu,
        "u1",
        json!({"email": "Ann@Example.com", "plan": "team", "age": 30}),
    );
    identify(
        &emu,
        "u2",
        json!({"email": "joe@example.com", "plan": "starter"}),
    );
    track(
        &emu,
        "POST",
        "/api/v2/entity",
        json!({"type": "person", "action": "identify", "identifiers": {"email": "anon@example.com"},
               "attributes": {"plan": "team"}}),
    );

    let found = get(&emu, "/v1/customers?email=ann%40example.com");
    assert_eq!(found["results"].as_array().unwrap().len(), 1);
    assert_eq!(found["results"][0]["id"], "u1");

    let team = json!({"filter": {"and": [
        {"attribute": {"field": "plan", "operator": "eq", "value": "team"}},
        {"not": {"attribute": {"field": "email", "operator": "eq", "value": "anon@example.com"}}}
    ]}});
    let r = demo(&emu, "POST", "/v1/customers", &team.to_string());
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(body["ids"], json!(["u1"]));
    assert_eq!(body["identifiers"][0]["email"], "Ann@Example.com");
    assert_eq!(body["identifiers"][0]["cio_id"], "03000003");
    assert_eq!(body["next"], "");

    // Paging: one person a page, `ids` has "" for the person without an id.
    let all = json!({"filter": {"or": [
        {"attribute": {"field": "plan", "operator": "eq", "value": "team"}},
        {"attribute": {"field": "plan", "operator": "eq", "value": "starter"}}
    ]}})
    .to_string();
    let first = demo(&emu, "POST", "/v1/customers?limit=2", &all).json();
    assert_eq!(first["ids"], json!(["u1", "u2"]));
    let next = first["next"].as_str().unwrap().to_string();
    assert!(!next.is_empty());
    let target = format!(
        "/v1/customers?limit=2&start={}",
        utf8_percent_encode(&next, NON_ALPHANUMERIC)
    );
    let second = demo(&emu, "POST", &target, &all).json();
    assert_eq!(second["ids"], json!([""]));
    assert_eq!(second["identifiers"][0]["email"], "anon@example.com");
    assert_eq!(second["next"], "");

    // Bulk attributes: unknown ids are left out, items are not wrapped.
    let r = demo(
        &emu,
        "POST",
        "/v1/customers/attributes",
        r#"{"ids":["u2","ghost","u1"]}"#,
    );
    let customers = r.json()["customers"].clone();
    assert_eq!(customers.as_array().unwrap().len(), 2);
    assert_eq!(customers[0]["attributes"]["plan"], "starter");
    assert_eq!(customers[1]["identifiers"]["id"], "u1");
    let r = demo(
        &emu,
        "POST",
        "/v1/customers/attributes?id_type=email",
        r#"{"ids":["joe@example.com"]}"#,
    );
    assert_eq!(r.json()["customers"][0]["id"], "u2");
    let too_many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
    let r = demo(
        &emu,
        "POST",
        "/v1/customers/attributes",
        &json!({ "ids": too_many }).to_string(),
    );
    assert_eq!(r.status, 400);

    // The single-person read by each id type, and 404s.
    let attrs = get(&emu, "/v1/customers/cio_03000004/attributes?id_type=cio_id");
    assert_eq!(attrs["customer"]["id"], "u2");
    let attrs = get(&emu, "/v1/customers/03000004/attributes?id_type=cio_id");
    assert_eq!(attrs["customer"]["id"], "u2");
    let r = app_get(&emu, APP, "/v1/customers/ghost/segments", DEMO_KEY);
    assert_eq!(r.status, 404);
    // Beta serves the same.
    let r = send_auth(
        &emu,
        "POST",
        BETA,
        "/v1/api/customers",
        &bearer(DEMO_KEY),
        team.to_string().as_bytes(),
    );
    assert_eq!(r.json()["ids"], json!(["u1"]));
}

#[test]
fn encoded_person_ids_round_trip() {
    let emu = start();
    for id in ["a+b", "@lead", "a/b", "with space", "ünï €", "x%y"] {
        identify(&emu, id, json!({"tag": id}));
        let path = format!(
            "/v1/customers/{}/attributes",
            utf8_percent_encode(id, NON_ALPHANUMERIC)
        );
        let body = get(&emu, &path);
        assert_eq!(body["customer"]["id"], id, "{id}");
        assert_eq!(body["customer"]["attributes"]["tag"], id, "{id}");
        let segments = path.replace("/attributes", "/segments");
        assert_eq!(get(&emu, &segments)["segments"], json!([]), "{id}");
    }
    // Track takes an identifier with an inner `@` for an email; App reads it by id_type=email.
    identify(&emu, "jane+1@example.com", json!({}));
    let body = get(
        &emu,
        "/v1/customers/jane%2B1%40example.com/attributes?id_type=email",
    );
    assert_eq!(
        body["customer"]["identifiers"]["email"],
        "jane+1@example.com"
    );
    let r = app_get(
        &emu,
        APP,
        "/v1/customers/jane%2B1%40example.com/attributes",
        DEMO_KEY,
    );
    assert_eq!(r.status, 404, "no person has that id");
}

#[test]
fn malformed_filters_are_400s_naming_the_node() {
    let emu = start();
    let cases = [
        (json!({}), "/filter"),
        (json!({"filter": {}}), "/filter"),
        (json!({"filter": {"and": []}}), "/filter/and"),
        (
            json!({"filter": {"or": [{"attribute": {"field": "a", "operator": "gt", "value": "1"}}]}}),
            "/filter/or/0/attribute/operator",
        ),
        (
            json!({"filter": {"attribute": {"field": "a", "operator": "eq"}}}),
            "/filter/attribute/value",
        ),
        (
            json!({"filter": {"segment": {"id": 7}, "not": {"segment": {"id": 3}}}}),
            "/filter",
        ),
        (json!({"filter": {"not": [1]}}), "/filter/not"),
    ];
    for (body, pointer) in cases {
        let r = demo(&emu, "POST", "/v1/customers", &body.to_string());
        let (status, detail, got) = detail(&r);
        assert_eq!((status, got.as_str()), (400, pointer), "{body}: {detail}");
        assert!(!detail.is_empty());
    }
}

#[test]
fn segments_are_stateful_and_follow_track_membership_changes() {
    let emu = start();
    let list = get(&emu, "/v1/segments");
    let ids: Vec<u64> = list["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [3, 7]);
    assert_eq!(list["segments"][1]["name"], "VIP customers");
    assert_eq!(list["segments"][1]["type"], "manual");

    let r = demo(
        &emu,
        "POST",
        "/v1/segments",
        r#"{"segment":{"description":"x"}}"#,
    );
    assert_eq!(r.status, 400);
    let r = demo(
        &emu,
        "POST",
        "/v1/segments",
        r#"{"segment":{"name":"Beta testers","description":"early"}}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let segment = r.json()["segment"].clone();
    assert_eq!(
        (segment["id"].as_u64(), segment["type"].as_str()),
        (Some(8), Some("manual"))
    );
    assert_eq!(
        get(&emu, "/v1/segments/8")["segment"]["description"],
        "early"
    );

    identify(&emu, "a", json!({"email": "a@example.com"}));
    identify(&emu, "b", json!({}));
    track(
        &emu,
        "POST",
        "/api/v1/segments/8/add_customers",
        json!({"ids": ["a", "b", "ghost"]}),
    );
    assert_eq!(
        get(&emu, "/v1/segments/8/customer_count"),
        json!({"segment_id": 8, "count": 2})
    );
    let page = get(&emu, "/v1/segments/8/membership?limit=1");
    assert_eq!(page["ids"], json!(["a"]));
    assert_eq!(page["identifiers"][0]["email"], "a@example.com");
    assert_ne!(page["next"], "");
    assert_eq!(
        get(&emu, "/v1/customers/b/segments")["segments"][0]["id"],
        8
    );
    // The filter grammar sees membership too.
    let body = json!({"filter": {"segment": {"id": 8}}}).to_string();
    assert_eq!(
        demo(&emu, "POST", "/v1/customers", &body).json()["ids"],
        json!(["a", "b"])
    );
    track(
        &emu,
        "POST",
        "/api/v1/segments/8/remove_customers",
        json!({"ids": ["a", "b"]}),
    );
    let empty = get(&emu, "/v1/segments/8/membership");
    assert_eq!(
        (empty["ids"].clone(), empty["identifiers"].clone()),
        (Value::Null, Value::Null)
    );

    let used = get(&emu, "/v1/segments/7/used_by");
    assert_eq!(used["segment_id"], 7);
    let used = used["used_by"].clone();
    assert!(used["campaigns"].as_array().unwrap().contains(&json!(3)));
    assert!(used["sent_newsletters"].is_array() && used["draft_newsletters"].is_array());

    assert_eq!(demo(&emu, "DELETE", "/v1/segments/8", "").status, 204);
    assert_eq!(demo(&emu, "DELETE", "/v1/segments/8", "").status, 404);
    assert_eq!(app_get(&emu, APP, "/v1/segments/8", DEMO_KEY).status, 404);
    assert_eq!(
        app_get(&emu, APP, "/v1/segments/8/customer_count", DEMO_KEY).status,
        404
    );
    // Ids are not reused after a delete.
    let r = demo(
        &emu,
        "POST",
        "/v1/segments",
        r#"{"segment":{"name":"Again"}}"#,
    );
    assert_eq!(r.json()["segment"]["id"], 9);
}

#[test]
fn events_become_activities_and_relationships_and_objects_are_read() {
    let emu = start();
    identify(&emu, "42", json!({"email": "jane@example.com"}));
    track(
        &emu,
        "POST",
        "/api/v1/customers/42/events",
        json!({"name": "purchase", "data": {"price": 5}, "timestamp": 1700000000}),
    );
    track(
        &emu,
        "POST",
        "/api/v1/customers/42/events",
        json!({"name": "/pricing", "type": "page"}),
    );
    let acme = json!({"object_type_id": "1", "object_id": "acme"});
    track(
        &emu,
        "POST",
        "/api/v2/batch",
        json!({"batch": [
            {"type": "object", "action": "identify", "identifiers": {"object_type_id": "2", "object_id": "team-a"},
             "attributes": {"size": 5}},
            {"type": "person", "action": "add_relationships", "identifiers": {"id": "42"},
             "cio_relationships": [{"identifiers": acme, "relationship_attributes": {"role": "admin"}},
                                   {"identifiers": {"object_type_id": "2", "object_id": "team-a"}}]}
        ]}),
    );

    let all = get(&emu, "/v1/customers/42/activities");
    let activities = all["activities"].as_array().unwrap();
    assert_eq!(activities.len(), 2);
    assert_eq!(
        (
            activities[0]["type"].as_str(),
            activities[0]["url"].as_str()
        ),
        (Some("page"), Some("/pricing"))
    );
    assert_eq!(activities[1]["name"], "purchase");
    assert_eq!(activities[1]["timestamp"], 1700000000);
    assert_eq!(activities[1]["customer_identifiers"]["cio_id"], "03000001");
    let only = get(&emu, "/v1/activities?type=event&customer_id=cio_03000001");
    assert_eq!(only["activities"].as_array().unwrap().len(), 1);
    assert_eq!(
        get(
            &emu,
            "/v1/activities?name=purchase&customer_id=jane%40example.com&id_type=email"
        )["activities"][0]["data"],
        json!({"price": 5})
    );
    track(&emu, "DELETE", "/api/v1/customers/42", json!({}));
    assert_eq!(
        get(&emu, "/v1/activities")["activities"],
        json!([]),
        "the person is gone"
    );
    assert_eq!(
        get(&emu, "/v1/activities?deleted=true")["activities"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Relationships went with the person; link again and read them both ways.
    identify(&emu, "43", json!({}));
    track(
        &emu,
        "POST",
        "/api/v2/entity",
        json!({"type": "person", "action": "add_relationships", "identifiers": {"id": "43"},
               "cio_relationships": [{"identifiers": acme, "relationship_attributes": {"role": "owner"}}]}),
    );
    let rels = get(&emu, "/v1/customers/43/relationships");
    assert_eq!(rels["cio_relationships"][0]["object_type_id"], "1");
    assert_eq!(
        rels["cio_relationships"][0]["identifiers"],
        json!({"object_id": "acme", "cio_object_id": "oc0000000001"})
    );
    assert_eq!(rels["cio_relationships"][0]["attributes"]["role"], "owner");
    let people = get(&emu, "/v1/objects/1/acme/relationships");
    assert_eq!(people["cio_relationships"][0]["identifiers"]["id"], "43");

    let types = get(&emu, "/v1/object_types")["types"].clone();
    assert_eq!(types[0]["name"], "Companies");
    assert_eq!(types[1]["id"], "2");
    let acme = get(&emu, "/v1/objects/1/acme/attributes")["object"].clone();
    assert_eq!(acme["attributes"]["name"], "Acme Inc.");
    let by_cio = get(
        &emu,
        "/v1/objects/1/oc0000000002/attributes?id_type=cio_object_id",
    );
    assert_eq!(by_cio["object"]["identifiers"]["object_id"], "globex");
    assert_eq!(
        app_get(&emu, APP, "/v1/objects/1/nope/attributes", DEMO_KEY).status,
        404
    );
    let search = json!({"object_type_id": "1", "filter": {"or": [
        {"object_attribute": {"field": "plan", "operator": "eq", "value": "pro", "type_id": "1"}},
        {"object_attribute": {"field": "employees", "operator": "eq", "value": "45", "type_id": "1"}}
    ]}});
    let r = demo(&emu, "POST", "/v1/objects", &search.to_string());
    assert_eq!(r.json()["ids"], json!(["globex", "initech"]));
    let r = demo(&emu, "POST", "/v1/objects", r#"{"filter":{}}"#);
    assert_eq!(r.status, 400);
}

#[test]
fn messages_list_transactional_sends_and_generated_deliveries() {
    let emu = start();
    identify(&emu, "42", json!({"email": "jane@example.com"}));
    let send = json!({"transactional_message_id": 1, "to": "jane@example.com",
                      "identifiers": {"id": "42"}, "subject": "Welcome!"});
    let r = demo(&emu, "POST", "/v1/send/email", &send.to_string());
    assert_eq!(r.status, 200, "{}", r.text());
    let delivery_id = r.json()["delivery_id"].as_str().unwrap().to_string();

    let first = get(&emu, "/v1/messages?limit=3");
    let messages = first["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[0]["id"], delivery_id.as_str());
    assert_eq!(messages[0]["transactional_message_id"], 1);
    assert_eq!(messages[0]["customer_identifiers"]["id"], "42");
    assert!(messages[1]["created"].as_i64() >= messages[2]["created"].as_i64());
    let encoded = utf8_percent_encode(&delivery_id, NON_ALPHANUMERIC).to_string();
    let one = get(&emu, &format!("/v1/messages/{encoded}"));
    assert_eq!(one["message"]["subject"], "Welcome!");
    let archived = get(&emu, &format!("/v1/messages/{encoded}/archived_message"));
    assert_eq!(archived["archived_message"]["subject"], "Welcome!");
    let mine = get(&emu, "/v1/customers/42/messages");
    assert_eq!(mine["messages"][0]["id"], delivery_id.as_str());

    // A generated delivery reads back by id; filters narrow the list.
    let generated = messages[1]["id"].as_str().unwrap().to_string();
    let encoded = utf8_percent_encode(&generated, NON_ALPHANUMERIC).to_string();
    assert_eq!(
        get(&emu, &format!("/v1/messages/{encoded}"))["message"],
        messages[1]
    );
    let campaign = get(&emu, "/v1/messages?campaign_id=5&metric=clicked&limit=5");
    for m in campaign["messages"].as_array().unwrap() {
        assert_eq!(m["campaign_id"], 5);
        assert!(m["metrics"]["clicked"].is_i64());
    }
    assert_eq!(campaign["messages"].as_array().unwrap().len(), 5);
    let action = get(&emu, "/v1/messages?action_id=52&limit=10");
    assert!(action["messages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["action_id"] == 52));
    let none = get(&emu, "/v1/messages?type=whatsapp");
    assert_eq!(none, json!({"messages": [], "next": ""}));
    assert_eq!(
        app_get(&emu, APP, "/v1/messages/nope", DEMO_KEY).status,
        404
    );
    assert_eq!(
        app_get(&emu, APP, "/v1/messages?metric=nope", DEMO_KEY).status,
        400
    );
}

#[test]
fn exports_finish_after_the_job_delay() {
    let emu = start();
    // The demo workspace starts with export 1, finished: segment 7's one person.
    let seeded = get(&emu, "/v1/exports")["exports"].clone();
    assert_eq!(seeded.as_array().unwrap().len(), 1, "{seeded}");
    assert_eq!(
        (&seeded[0]["id"], &seeded[0]["status"], &seeded[0]["total"]),
        (&json!(1), &json!("done"), &json!(1))
    );
    assert!(get(&emu, "/v1/exports/1/download")["url"].is_string());
    identify(&emu, "a", json!({"plan": "team"}));
    identify(&emu, "b", json!({"plan": "team"}));

    let body =
        json!({"filters": {"attribute": {"field": "plan", "operator": "eq", "value": "team"}}});
    let r = demo(&emu, "POST", "/v1/exports/customers", &body.to_string());
    assert_eq!(r.status, 200, "{}", r.text());
    let export = r.json()["export"].clone();
    assert_eq!(
        (&export["status"], &export["total"], &export["type"]),
        (&json!("pending"), &json!(0), &json!("customers"))
    );
    let id = export["id"].as_u64().unwrap();
    assert_eq!(id, 2);
    let r = app_get(&emu, APP, &format!("/v1/exports/{id}/download"), DEMO_KEY);
    assert_eq!(r.status, 400);
    std::thread::sleep(Duration::from_millis(1100));
    let done = get(&emu, &format!("/v1/exports/{id}"))["export"].clone();
    assert_eq!(
        (&done["status"], &done["total"]),
        (&json!("done"), &json!(2))
    );
    let url = get(&emu, &format!("/v1/exports/{id}/download"))["url"].clone();
    assert!(url.as_str().unwrap().starts_with("https://"));

    let r = demo(
        &emu,
        "POST",
        "/v1/exports/customers",
        r#"{"filters":{"and":[]}}"#,
    );
    assert_eq!(detail(&r).2, "/filters/and");
    let r = demo(&emu, "POST", "/v1/exports/deliveries", r#"{"start":1}"#);
    assert_eq!(r.status, 400);
    let r = demo(
        &emu,
        "POST",
        "/v1/exports/deliveries",
        r#"{"newsletter_id":9999}"#,
    );
    assert_eq!(r.status, 404);

    emu.set_job_delay(SITE, Some(Duration::ZERO));
    let r = demo(
        &emu,
        "POST",
        "/v1/exports/deliveries",
        r#"{"newsletter_id":3,"metric":"opened"}"#,
    );
    let export = r.json()["export"].clone();
    assert_eq!(
        (&export["status"], &export["total"]),
        (&json!("done"), &json!(1200))
    );
    emu.set_job_delay(SITE, None);
    // The seeded export finished before the emulator started, whatever the delay.
    assert_eq!(get(&emu, "/v1/exports")["exports"][0]["status"], "done");
    assert_eq!(get(&emu, "/v1/exports")["exports"][2]["status"], "pending");
    assert_eq!(
        get(&emu, "/v1/exports")["exports"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn imports_advance_and_the_data_index_accepts_definitions() {
    let emu = start();
    emu.set_job_delay(SITE, None);
    let body = json!({"import": {"name": "April", "data_file_url": "https://example.com/a.csv",
                                 "type": "people", "identifier": "email"}});
    let r = demo(&emu, "POST", "/v1/imports", &body.to_string());
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["import"]["state"], "preprocessing");
    // Import 1 is the demo workspace's own, finished whatever the delay.
    let seeded = get(&emu, "/v1/imports/1")["import"].clone();
    assert_eq!(
        (&seeded["state"], &seeded["name"]),
        (&json!("imported"), &json!("November signups"))
    );
    emu.set_job_delay(SITE, Some(Duration::ZERO));
    let import = get(&emu, "/v1/imports/2")["import"].clone();
    assert_eq!(import["state"], "imported");
    assert_eq!(import["name"], "April");
    let r = demo(&emu, "POST", "/v1/imports", r#"{"import":{"name":"x"}}"#);
    assert_eq!(r.status, 400);
    assert_eq!(app_get(&emu, APP, "/v1/imports/3", DEMO_KEY).status, 404);

    let r = demo(
        &emu,
        "POST",
        "/v1/data_index/attributes",
        r#"{"attributes":[{"name":"plan","description":"Billing plan"}]}"#,
    );
    assert_eq!(r.status, 204);
    let r = demo(&emu, "POST", "/v1/data_index/events", r#"{"events":[]}"#);
    assert_eq!(r.status, 422);
}

#[test]
fn opt_outs_subscription_preferences_and_token() {
    let emu = start();
    identify(
        &emu,
        "42",
        json!({"cio_subscription_preferences": {"topics": {"topic_3": true}}}),
    );
    let prefs = get(
        &emu,
        "/v1/customers/42/subscription_preferences?language=de",
    );
    let topics = prefs["customer"]["topics"].as_array().unwrap();
    assert_eq!(
        (
            topics[0]["subscribed"].clone(),
            topics[1]["subscribed"].clone()
        ),
        (json!(true), json!(true))
    );
    let r = demo(
        &emu,
        "PUT",
        "/v1/customers/42/optouts",
        r#"{"optouts":[{"from":"+15550100","optout":true}]}"#,
    );
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(
        get(&emu, "/v1/customers/42/optouts"),
        json!({"optouts": [{"channel": "sms", "from": "+15550100"}]})
    );
    let all = get(&emu, "/v1/optouts?from=%2B15550100");
    assert_eq!(all["optouts"][0]["customer_id"], "42");
    let r = demo(
        &emu,
        "PUT",
        "/v1/customers/42/optouts",
        r#"{"optouts":[{"from":"+1","optout":true,"channel":"email"}]}"#,
    );
    assert_eq!(r.status, 400);
    let token = get(&emu, "/v1/subscription_center/42/token");
    assert!(token["url"]
        .as_str()
        .unwrap()
        .contains(token["token"].as_str().unwrap()));
    assert_eq!(
        app_get(&emu, APP, "/v1/subscription_center/ghost/token", DEMO_KEY).status,
        400
    );
}

#[test]
fn an_eu_workspace_is_served_on_its_app_and_beta_hosts() {
    let mut config = cio_emulator::EmulatorConfig::default();
    config
        .workspaces
        .push(cio_emulator::Workspace::parse("eu-site:eu-track:eu-app-key:eu").unwrap());
    let emu = cio_emulator::Emulator::start(config).unwrap();
    let auth = basic("eu-site", "eu-track");
    let r = track_json(
        &emu,
        TRACK_EU,
        Some(&auth),
        "PUT",
        "/api/v1/customers/eu-1",
        r#"{"plan":"pro"}"#,
    );
    assert_eq!(r.status, 200);
    let body =
        json!({"filter": {"attribute": {"field": "plan", "operator": "eq", "value": "pro"}}});
    for (host, path) in [
        (APP_EU, "/v1/customers"),
        ("beta-api-eu.customer.io", "/v1/api/customers"),
    ] {
        let r = app(&emu, "POST", host, path, "eu-app-key", &body.to_string());
        assert_eq!(r.json()["ids"], json!(["eu-1"]), "{host}");
    }
    let r = app_get(&emu, APP_EU, "/v1/segments/7/customer_count", "eu-app-key");
    assert_eq!(r.json()["count"], 0);
    // The demo workspace does not see the EU person, only its own Jane.
    let r = demo(&emu, "POST", "/v1/customers", &body.to_string());
    assert_eq!(r.json()["ids"], json!(["42"]));
}
