//! `cio-host demo`: the README's main job, a short workflow through the whole product — test the
//! three connections, identify a person and track an event (Track), read the person back (App),
//! list segments and campaigns (App and Beta), the seed page's raw request
//! `GET /campaigns/8/triggers/1` (App raw HTTP), and delete the person again.
//!
//! Each step shows what it sent (method and URL, from the host's egress log, so it is what really
//! left the component) and a short result: readable lines at a terminal, one JSON object per step
//! when piped. The steps are data; [`run`] only walks them.

use serde_json::{json, Value};

use super::render;
use super::text::Paint;
use crate::{json as j, ConnectionConfig, ConnectorHost, ConnectorKind, ExecuteRequest};

/// What a step does.
enum Action {
    /// `authenticate` on a connection.
    Authenticate,
    /// `execute` of an operation with an input.
    Execute(&'static str, Value),
}

/// One step of the walk.
struct Step {
    title: &'static str,
    connector: ConnectorKind,
    action: Action,
    /// A `not-found` answer is a fact about the workspace, not a failure of the connector (the
    /// seed page's broadcast 8 exists in the emulator's demo workspace, maybe not in yours).
    may_be_missing: bool,
    /// Customer.io processes Track writes asynchronously: an App read right after an identify may
    /// answer `not-found` for a moment, so against a real workspace it is asked again a few times.
    wait_for_track: bool,
}

fn steps(person: &str) -> Vec<Step> {
    use ConnectorKind::{App, Beta, Track};
    let step = |title, connector, action| Step {
        title,
        connector,
        action,
        may_be_missing: false,
        wait_for_track: false,
    };
    let exec = |op, input| Action::Execute(op, input);
    vec![
        step("Test the Track connection", Track, Action::Authenticate),
        step("Test the App connection", App, Action::Authenticate),
        step("Test the Beta connection", Beta, Action::Authenticate),
        step(
            "Identify a person (Track)",
            Track,
            exec(
                "track.customer.identify",
                json!({"id": person, "id_type": "email",
                       "attributes": {"first_name": "Demo", "plan": "pro", "source": "cio-host demo"}}),
            ),
        ),
        step(
            "Track an event for them (Track)",
            Track,
            exec(
                "track.event.track",
                json!({"id": person, "name": "demo_completed", "data": {"steps": 12}}),
            ),
        ),
        Step {
            wait_for_track: true,
            ..step(
                "Read their attributes back (App)",
                App,
                exec(
                    "app.customer.get_attributes",
                    json!({"id": person, "id_type": "email"}),
                ),
            )
        },
        step(
            "List segments (App)",
            App,
            exec("app.segment.list", json!({})),
        ),
        step(
            "List campaigns (App)",
            App,
            exec("app.campaign.list", json!({})),
        ),
        step(
            "List segments (Beta)",
            Beta,
            exec("beta.segment.list", json!({})),
        ),
        step(
            "List campaigns (Beta)",
            Beta,
            exec("beta.campaign.list", json!({})),
        ),
        Step {
            may_be_missing: true,
            ..step(
                "Status of broadcast 8's trigger 1 (App raw HTTP)",
                App,
                exec(
                    "app.raw_http_request",
                    json!({"method": "GET", "endpoint": "/campaigns/8/triggers/1"}),
                ),
            )
        },
        step(
            "Delete the person (Track)",
            Track,
            exec(
                "track.customer.delete",
                json!({"id": person, "id_type": "email"}),
            ),
        ),
    ]
}

/// How the demo is run and printed.
pub struct Demo<'a> {
    /// The loaded component.
    pub host: &'a ConnectorHost,
    /// The connection of each API, or why there is none (a missing credential).
    pub connection: &'a dyn Fn(ConnectorKind) -> Result<ConnectionConfig, String>,
    /// Whether the embedded emulator answers (else Customer.io itself).
    pub emulator: bool,
    /// Readable text (a terminal) or JSON lines.
    pub readable: bool,
    /// Indented JSON when not readable.
    pub pretty: bool,
    /// Colours at a terminal.
    pub paint: Paint,
    /// The person the demo creates and deletes.
    pub person: String,
}

/// How a step ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Ok,
    Failed,
    Missing,
    Skipped,
}

impl Status {
    fn word(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Failed => "failed",
            Status::Missing => "not-found",
            Status::Skipped => "skipped",
        }
    }
}

/// Runs every step; the exit code is 1 when any step failed.
pub fn run(d: &Demo) -> (i32, String) {
    let mut out = String::new();
    let target = if d.emulator {
        "the embedded Customer.io emulator (set CUSTOMERIO_* to use your workspace)"
    } else {
        "your Customer.io workspace"
    };
    if d.readable {
        out.push_str(&format!(
            "{} against {target}\nperson: {}\n\n",
            d.paint.bold("Customer.io connector demo"),
            d.person
        ));
    } else {
        out.push_str(&render(
            &json!({"demo": format!("running against {target}"), "person": d.person}),
            false,
        ));
    }
    let all = steps(&d.person);
    let mut counts = [0usize; 4];
    for (n, step) in all.iter().enumerate() {
        let seen = d.host.egress_log().len();
        let (status, result) = match (d.connection)(step.connector) {
            Err(why) => (Status::Skipped, json!({"skipped": why})),
            Ok(config) => perform(d, step, &config),
        };
        let sent: Vec<Value> = d
            .host
            .egress_log()
            .into_iter()
            .skip(seen)
            .map(|r| json!({"method": r.method, "url": r.uri}))
            .collect();
        counts[status as usize] += 1;
        let operation = match &step.action {
            Action::Authenticate => "authenticate".to_string(),
            Action::Execute(op, _) => op.to_string(),
        };
        if d.readable {
            out.push_str(&readable_step(
                d.paint,
                n + 1,
                step,
                &operation,
                status,
                &sent,
                &result,
            ));
        } else {
            out.push_str(&render(
                &json!({"step": n + 1, "title": step.title, "operation": operation,
                        "connector": j::connector_str(step.connector), "status": status.word(),
                        "sent": sent, "result": result}),
                d.pretty,
            ));
        }
    }
    let [ok, failed, missing, skipped] = counts;
    let summary = json!({"ok": ok, "failed": failed, "not_found": missing, "skipped": skipped});
    if d.readable {
        let mut line = format!("{ok} of {} steps ok", all.len());
        for (k, v) in [
            ("failed", failed),
            ("not found", missing),
            ("skipped", skipped),
        ] {
            if v > 0 {
                line.push_str(&format!(", {v} {k}"));
            }
        }
        out.push_str(&format!("\n{}\n", d.paint.bold(&line)));
    } else {
        out.push_str(&render(&json!({"summary": summary}), d.pretty));
    }
    (if failed > 0 { 1 } else { 0 }, out)
}

fn perform(d: &Demo, step: &Step, config: &ConnectionConfig) -> (Status, Value) {
    let attempts = if step.wait_for_track && !d.emulator {
        10
    } else {
        1
    };
    let mut last = (Status::Failed, Value::Null);
    for attempt in 0..attempts {
        if attempt > 0 {
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
        let answer = match &step.action {
            Action::Authenticate => d.host.authenticate(config).map(|r| {
                r.map(|i| j::auth_info(&i))
                    .map_err(|e| (e.kind, j::error(&e)))
            }),
            Action::Execute(op, input) => d
                .host
                .execute(&ExecuteRequest {
                    operation_id: op.to_string(),
                    config: config.clone(),
                    input: input.to_string(),
                    timeout_ms: None,
                    request_id: None,
                })
                .map(|r| {
                    r.map(|r| j::response(&r))
                        .map_err(|e| (e.kind, j::error(&e)))
                }),
        };
        last = match answer {
            Ok(Ok(v)) => return (Status::Ok, v),
            Ok(Err((crate::ErrorKind::NotFound, e))) if step.may_be_missing => {
                return (Status::Missing, e)
            }
            Ok(Err((crate::ErrorKind::NotFound, e))) => (Status::Failed, e),
            Ok(Err((_, e))) => return (Status::Failed, e),
            Err(e) => return (Status::Failed, json!({"error": format!("{e:#}")})),
        };
    }
    last
}

fn readable_step(
    paint: Paint,
    n: usize,
    step: &Step,
    operation: &str,
    status: Status,
    sent: &[Value],
    result: &Value,
) -> String {
    let word = match status {
        Status::Ok => paint.green("ok    "),
        Status::Failed => paint.red("failed"),
        Status::Missing | Status::Skipped => paint.yellow(&format!("{:<6}", status.word())),
    };
    let mut s = format!(
        "{n:>2}. {word}  {}  {}\n",
        paint.bold(step.title),
        paint.dim(operation)
    );
    for r in sent {
        s.push_str(&format!(
            "       sent  {} {}\n",
            r["method"].as_str().unwrap_or_default(),
            r["url"].as_str().unwrap_or_default()
        ));
    }
    s.push_str(&format!("       got   {}\n", summary(status, result)));
    s
}

/// A result in a line: the region of a connection, how many things a list holds and the first
/// names, a person's attributes, a raw answer's status and body, or an error's message.
fn summary(status: Status, v: &Value) -> String {
    if status == Status::Skipped {
        return v["skipped"].as_str().unwrap_or_default().to_string();
    }
    if let Some(e) = v.get("error") {
        let kind = e["kind"].as_str().unwrap_or("error");
        let message = e["message"]
            .as_str()
            .map_or_else(|| e.to_string(), str::to_string);
        return format!("{kind}: {}", shorten(&message, 160));
    }
    if let Some(region) = v["region"].as_str() {
        return format!(
            "connected: region {region}, {}",
            v["base_url"].as_str().unwrap_or_default()
        );
    }
    let output = &v["output"];
    let status_code = v["status"].as_u64().unwrap_or_default();
    if let (Some(code), Some(body)) = (output["status"].as_u64(), output.get("body")) {
        return format!("HTTP {code}  {}", shorten(&body.to_string(), 120));
    }
    if let Some(obj) = output.as_object() {
        if obj.is_empty() {
            return format!("HTTP {status_code}, done");
        }
        let lists: Vec<(&String, &Vec<Value>)> = obj
            .iter()
            .filter_map(|(k, v)| v.as_array().map(|a| (k, a)))
            .collect();
        if let [(key, items)] = lists.as_slice() {
            let names: Vec<String> = items
                .iter()
                .take(3)
                .map(|i| match (&i["name"], &i["id"]) {
                    (Value::String(s), _) => s.clone(),
                    (_, Value::Null) => shorten(&i.to_string(), 30),
                    (_, id) => id.to_string(),
                })
                .collect();
            let more = if items.len() > 3 { ", …" } else { "" };
            return format!("{} {key}: {}{more}", items.len(), names.join(", "));
        }
        if let Some(attrs) = find_attributes(output) {
            let pairs: Vec<String> = attrs
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => format!("{k}={s}"),
                    v => format!("{k}={v}"),
                })
                .collect();
            return format!("attributes: {}", shorten(&pairs.join(", "), 140));
        }
    }
    shorten(&output.to_string(), 140)
}

fn find_attributes(v: &Value) -> Option<&serde_json::Map<String, Value>> {
    v.get("attributes")
        .and_then(Value::as_object)
        .or_else(|| v.as_object()?.values().find_map(find_attributes))
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}
