//! The `cio-host` CLI, run in-process against its embedded emulator.

mod common;

use serde_json::Value;

/// The CLI with every stream piped (what `cio_host::cli::run` assumes).
fn run(args: &[&str], env: &[(&str, &str)], stdin: &str) -> cio_host::cli::Outcome {
    run_at(args, env, stdin, cio_host::cli::Terminal::default())
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

const IDENTIFY: &str =
    r#"{"id":"jane+1@example.com","id_type":"email","attributes":{"plan":"pro"}}"#;

#[test]
fn execute_against_the_embedded_emulator_in_both_regions() {
    for region in ["us", "eu"] {
        let o = run(
            &[
                "--emulator",
                "--region",
                region,
                "execute",
                "track.customer.identify",
                "--input",
                IDENTIFY,
            ],
            &[],
            "",
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        let v = json(&o.stdout);
        assert_eq!(
            (
                v["output"].clone(),
                v["status"].clone(),
                v["requests"].clone()
            ),
            (serde_json::json!({}), 200.into(), 1.into())
        );
    }
    let o = run(
        &["--emulator", "execute", "track.event.track"],
        &[],
        r#"{"id":"42","name":"signup"}"#,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
}

#[test]
fn the_readme_raw_http_examples_work() {
    let o = run(
        &[
            "--emulator",
            "execute",
            "app.raw_http_request",
            "--input",
            r#"{"method":"GET","endpoint":"/campaigns/8/triggers/1"}"#,
        ],
        &[],
        "",
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v = json(&o.stdout);
    assert_eq!(
        v["output"]["url"],
        "https://api.customer.io/v1/campaigns/8/triggers/1"
    );
    assert_eq!(v["output"]["body"]["broadcast_id"], 8);
    let o = run(
        &[
            "--emulator",
            "--region",
            "eu",
            "execute",
            "track.raw_http_request",
            "--input",
            r#"{"method":"GET","endpoint":"/v1/accounts/region"}"#,
        ],
        &[],
        "",
    );
    assert_eq!(
        json(&o.stdout)["output"]["url"],
        "https://track-eu.customer.io/api/v1/accounts/region"
    );
    let o = run(
        &[
            "--emulator",
            "execute",
            "app.raw_http_request",
            "--input",
            r#"{"method":"GET","endpoint":"https://evil.example/x"}"#,
        ],
        &[],
        "",
    );
    assert_eq!(
        (o.code, json(&o.stderr)["error"]["pointers"][0].clone()),
        (3, "/endpoint".into())
    );
}

#[test]
fn environment_credentials_are_used_and_checked() {
    let env = [
        ("CUSTOMERIO_SITE_ID", "my-site"),
        ("CUSTOMERIO_TRACK_API_KEY", "my-key"),
        ("CUSTOMERIO_REGION", "eu"),
    ];
    let o = run(
        &["--emulator", "authenticate", "--connector", "track"],
        &env,
        "",
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(json(&o.stdout)["region"], "eu");
    let o = run(&["authenticate", "--connector", "app"], &[], "");
    assert_eq!(o.code, 3);
    assert!(json(&o.stderr)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("CUSTOMERIO_APP_API_KEY"));
}

#[test]
fn errors_are_typed_json_with_family_exit_codes() {
    let cases: [(&[&str], i32, &str); 5] = [
        (
            &[
                "--emulator",
                "execute",
                "track.customer.identify",
                "--input",
                r#"{"id":5}"#,
            ],
            3,
            "invalid-input",
        ),
        (
            &[
                "--emulator",
                "execute",
                "track.customer.identify",
                "--input",
                "not json",
            ],
            3,
            "invalid-input",
        ),
        (
            &["--emulator", "execute", "track.nope.nope", "--input", "{}"],
            3,
            "unknown-operation",
        ),
        (
            &["--emulator", "--region", "mars", "operations"],
            2,
            "invalid-config",
        ),
        (
            &["--emulator", "describe", "track.nope"],
            3,
            "unknown-operation",
        ),
    ];
    for (args, code, kind) in cases {
        let o = run(args, &[], "");
        assert_eq!(o.code, code, "{args:?}: {}", o.stderr);
        assert_eq!(json(&o.stderr)["error"]["kind"], kind, "{args:?}");
        assert!(o.stdout.is_empty());
    }
    let env = [
        ("CUSTOMERIO_SITE_ID", "demo-site"),
        ("CUSTOMERIO_TRACK_API_KEY", "not-the-key"),
    ];
    let emu = common::emulator();
    let o = run(
        &[
            "--route-to",
            &emu.url(),
            "execute",
            "track.customer.delete",
            "--input",
            r#"{"id":"1"}"#,
        ],
        &env,
        "",
    );
    assert_eq!(o.code, 4, "{}", o.stderr);
    assert_eq!(json(&o.stderr)["error"]["kind"], "unauthorized");
    assert!(!o.stderr.contains("not-the-key"));
    let o = run(
        &[
            "--route-to",
            "http://127.0.0.1:9",
            "execute",
            "track.customer.delete",
            "--input",
            r#"{"id":"1"}"#,
            "--timeout-ms",
            "2000",
        ],
        &env,
        "",
    );
    assert_eq!(o.code, 8, "nothing listens on port 9: {}", o.stderr);
    assert!(!o.stderr.contains("not-the-key"));
}

/// The demo's steps, in order: (operation, connector). The README's main job walks all of them.
const DEMO_STEPS: [(&str, &str); 12] = [
    ("authenticate", "track"),
    ("authenticate", "app"),
    ("authenticate", "beta"),
    ("track.customer.identify", "track"),
    ("track.event.track", "track"),
    ("app.customer.get_attributes", "app"),
    ("app.segment.list", "app"),
    ("app.campaign.list", "app"),
    ("beta.segment.list", "beta"),
    ("beta.campaign.list", "beta"),
    ("app.raw_http_request", "app"),
    ("track.customer.delete", "track"),
];

#[test]
fn demo_walks_track_app_and_beta_without_credentials_in_both_regions() {
    for (region, track_host, app_host, beta_host) in [
        (
            "us",
            "track.customer.io",
            "api.customer.io",
            "beta-api.customer.io",
        ),
        (
            "eu",
            "track-eu.customer.io",
            "api-eu.customer.io",
            "beta-api-eu.customer.io",
        ),
    ] {
        let o = run(&["--region", region, "demo"], &[], "");
        assert_eq!(o.code, 0, "{}", o.stdout);
        let lines: Vec<Value> = o.stdout.lines().map(json).collect();
        assert!(lines[0]["demo"].as_str().unwrap().contains("emulator"));
        let person = lines[0]["person"].as_str().unwrap().to_string();
        let steps = &lines[1..lines.len() - 1];
        let names: Vec<(&str, &str)> = steps
            .iter()
            .map(|s| {
                (
                    s["operation"].as_str().unwrap(),
                    s["connector"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(names, DEMO_STEPS, "{region}");
        for s in steps {
            assert_eq!(s["status"], "ok", "{region}: {s}");
            let sent = s["sent"].as_array().unwrap();
            assert!(!sent.is_empty(), "{region}: every step sends: {s}");
            // Beta keys are App keys: `authenticate` checks them on the App host (DESIGN §8).
            let host = match (
                s["connector"].as_str().unwrap(),
                s["operation"].as_str().unwrap(),
            ) {
                ("track", _) => track_host,
                ("app", _) | ("beta", "authenticate") => app_host,
                _ => beta_host,
            };
            for r in sent {
                let url = r["url"].as_str().unwrap();
                assert!(
                    url.starts_with(&format!("https://{host}/")),
                    "{region}: {url}"
                );
            }
        }
        // What was sent is what the step did, and the App read returns what Track wrote.
        let encoded = person.replace('@', "%40");
        assert_eq!(steps[3]["sent"][0]["method"], "PUT");
        assert!(steps[3]["sent"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/api/v1/customers/{encoded}")));
        let attrs = &steps[5]["result"]["output"]["customer"]["attributes"];
        assert_eq!(
            (attrs["plan"].as_str(), attrs["first_name"].as_str()),
            (Some("pro"), Some("Demo")),
            "{region}: {}",
            steps[5]
        );
        assert!(steps[6]["result"]["output"]["segments"]
            .as_array()
            .is_some_and(|a| !a.is_empty()));
        assert!(steps[9]["result"]["output"]["campaigns"]
            .as_array()
            .is_some_and(|a| !a.is_empty()));
        let raw = &steps[10];
        assert_eq!(
            raw["sent"][0]["url"],
            format!("https://{app_host}/v1/campaigns/8/triggers/1")
        );
        assert_eq!(raw["result"]["output"]["body"]["broadcast_id"], 8);
        assert_eq!(steps[11]["sent"][0]["method"], "DELETE");
        assert_eq!(
            lines.last().unwrap()["summary"],
            serde_json::json!({"ok": 12, "failed": 0, "not_found": 0, "skipped": 0})
        );
        for secret in [
            "demo-track-key",
            "demo-app-key",
            "ZGVtby1zaXRlOmRlbW8tdHJhY2sta2V5",
        ] {
            assert!(!o.stdout.contains(secret), "{secret} in the demo's output");
        }
    }
}

#[test]
fn demo_is_readable_at_a_terminal() {
    let o = run_at(&["demo", "--pretty"], &[], "", TTY);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(
        serde_json::from_str::<Value>(o.stdout.lines().next().unwrap()).is_err(),
        "{}",
        o.stdout
    );
    for want in [
        "against the embedded Customer.io emulator",
        " 1. ok      Test the Track connection  authenticate",
        "       sent  GET https://track.customer.io/api/v1/accounts/region",
        "       got   connected: region us, https://track.customer.io",
        "Identify a person (Track)  track.customer.identify",
        "       sent  PUT https://track.customer.io/api/v1/customers/cio-connector-demo-",
        "       got   attributes: ",
        "plan=pro",
        "       sent  GET https://api.customer.io/v1/campaigns/8/triggers/1",
        "       got   HTTP 200  {\"broadcast_id\":8",
        "       sent  DELETE https://track.customer.io/api/v1/customers/cio-connector-demo-",
        "12 of 12 steps ok",
    ] {
        assert!(
            o.stdout.contains(want),
            "`{want}` missing from:\n{}",
            o.stdout
        );
    }
    assert!(o.stdout.contains(" segments: "), "{}", o.stdout);
    assert!(o.stdout.contains(" campaigns: "), "{}", o.stdout);
}

/// With only Track credentials against a real workspace, the App and Beta steps are skipped with
/// the reason (not failed), and nothing leaves for a host outside the allow-list. Routed to an
/// emulator that knows those credentials, so no network is needed.
#[test]
fn demo_skips_an_api_without_credentials() {
    let emu = cio_emulator::Emulator::start(cio_emulator::EmulatorConfig {
        workspaces: vec![cio_emulator::Workspace {
            site_id: "s1".into(),
            track_key: "k1".into(),
            app_key: "a1".into(),
            region: cio_emulator::Region::Us,
        }],
        ..Default::default()
    })
    .unwrap();
    let url = emu.url();
    let o = run(
        &["--route-to", &url, "demo"],
        &[
            ("CUSTOMERIO_SITE_ID", "s1"),
            ("CUSTOMERIO_TRACK_API_KEY", "k1"),
        ],
        "",
    );
    assert_eq!(o.code, 0, "{}", o.stdout);
    let lines: Vec<Value> = o.stdout.lines().map(json).collect();
    assert!(!lines[0]["demo"].as_str().unwrap().contains("emulator"));
    let summary = &lines.last().unwrap()["summary"];
    assert_eq!(
        (summary["ok"].as_u64(), summary["skipped"].as_u64()),
        (Some(4), Some(8)),
        "{}",
        o.stdout
    );
    let skipped = lines.iter().find(|l| l["status"] == "skipped").unwrap();
    assert!(
        skipped["result"]["skipped"]
            .as_str()
            .unwrap()
            .contains("CUSTOMERIO_APP_API_KEY"),
        "{skipped}"
    );
}

#[test]
fn operations_describe_and_manifest_match_the_committed_manifest() {
    let o = run(&["operations", "--connector", "track"], &[], "");
    assert_eq!(o.code, 0, "{}", o.stderr);
    let ops = json(&o.stdout);
    let ids: Vec<&str> = ops
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"track.customer.identify") && ids.contains(&"track.event.track"),
        "{ids:?}"
    );
    for d in ops.as_array().unwrap() {
        assert!(d["input_schema"]["properties"].is_object(), "{}", d["id"]);
        assert!(d["input_schema"]["examples"].is_array(), "{}", d["id"]);
    }
    let o = run(&["describe", "track.customer.delete"], &[], "");
    assert_eq!(json(&o.stdout)["hints"]["destructive"], true);
    let o = run(&["manifest"], &[], "");
    assert_eq!(o.code, 0);
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/manifest.json"))
        .expect("manifest.json");
    assert!(committed == o.stdout, "manifest.json is stale: regenerate it with `cargo run -q -p cio-host -- manifest > manifest.json`");
}

fn run_at(
    args: &[&str],
    env: &[(&str, &str)],
    stdin: &str,
    term: cio_host::cli::Terminal,
) -> cio_host::cli::Outcome {
    let component = common::component();
    let mut argv = vec![
        "cio-host".to_string(),
        "--component".into(),
        component.display().to_string(),
    ];
    argv.extend(args.iter().map(|s| s.to_string()));
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let lookup = move |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    cio_host::cli::run_in(&argv, &lookup, &mut stdin.as_bytes(), term)
}

/// Every stream a terminal, without colours (so the text can be compared).
const TTY: cio_host::cli::Terminal = cio_host::cli::Terminal {
    stdin: true,
    stdout: true,
    stderr: true,
    color: false,
};

/// Splits a command line as a POSIX shell does for words, single quotes and `'\''`.
fn shell_words(line: &str) -> Vec<String> {
    let (mut words, mut cur, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            '\\' if !quoted => cur.extend(chars.next()),
            ' ' if !quoted => {
                if any || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        words.push(cur);
    }
    words
}

#[test]
fn operations_is_a_table_at_a_terminal_and_json_when_piped_or_asked() {
    let o = run_at(&["operations", "segment", "members"], &[], "", TTY);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("TITLE") && lines[0].contains("HINTS"),
        "{}",
        o.stdout
    );
    assert!(lines[1].starts_with("app.segment.members"), "{}", o.stdout);
    assert!(lines[1].contains("read-only, idempotent, paginated"));
    assert!(o.stdout.contains("2 operations"), "{}", o.stdout);
    // --connector filters, --json prints descriptors at a terminal too, piped prints JSON.
    for (args, term) in [
        (
            &[
                "operations",
                "--json",
                "--connector",
                "app",
                "segment",
                "members",
            ][..],
            TTY,
        ),
        (
            &["operations", "--connector", "app", "SEGMENT", "members"][..],
            Default::default(),
        ),
    ] {
        let o = run_at(args, &[], "", term);
        let v = json(&o.stdout);
        let ids: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["app.segment.members"], "{args:?}");
    }
    let o = run_at(&["operations", "no-such-word-anywhere"], &[], "", TTY);
    assert_eq!((o.code, o.stdout.as_str()), (0, ""));
    assert!(o.stderr.contains("no operation matches"), "{}", o.stderr);
}

#[test]
fn describe_shows_a_form_whose_example_runs_against_the_emulator() {
    let o = run_at(&["describe", "app.segment.members"], &[], "", TTY);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let form = &o.stdout;
    for want in [
        "app.segment.members  List a segment's people",
        "segment_id  (integer, required)",
        "lookup: app.segment.lookup",
        "max_pages  (integer)",
        "default: 20",
        "limits: 1 to 1000",
        "return_all  (boolean)",
        "hints: read-only, idempotent, paginated",
        "Output",
        "Example",
    ] {
        assert!(form.contains(want), "`{want}` missing from:\n{form}");
    }
    assert!(serde_json::from_str::<Value>(form).is_err());
    let o = run_at(&["describe", "--json", "app.segment.members"], &[], "", TTY);
    assert_eq!(json(&o.stdout)["id"], "app.segment.members");
    // The example command line of a form runs as printed (with -f pairs) against the emulator.
    for id in [
        "app.segment.members",
        "track.customer.identify",
        "track.event.track",
        "app.raw_http_request",
    ] {
        let o = run_at(&["describe", id], &[], "", TTY);
        let line = o
            .stdout
            .lines()
            .skip_while(|l| !l.starts_with("Example"))
            .nth(1)
            .unwrap()
            .trim()
            .to_string();
        assert!(
            line.starts_with(&format!("cio-host --emulator execute {id} -f ")),
            "{line}"
        );
        let words = shell_words(&line);
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        let o = run_at(&args, &[], "", TTY);
        assert_eq!(o.code, 0, "{line}: {}", o.stderr);
    }
    // A numeric example field is given as key=value and sent as a number.
    assert!(text_of("app.segment.members").contains("-f segment_id=7"));
}

fn text_of(id: &str) -> String {
    run_at(&["describe", id], &[], "", TTY).stdout
}

#[test]
fn unknown_ids_get_the_three_nearest_in_describe_and_execute() {
    for args in [
        &["describe", "track.customer.identfy"][..],
        &[
            "--emulator",
            "execute",
            "track.customer.identfy",
            "-f",
            "id=1",
        ][..],
        &[
            "--emulator",
            "execute",
            "customer.identify",
            "--input",
            "{}",
        ][..],
    ] {
        let o = run(args, &[], "");
        assert_eq!(o.code, 3, "{args:?}");
        let e = json(&o.stderr);
        assert_eq!(e["error"]["kind"], "unknown-operation");
        let m = e["error"]["message"].as_str().unwrap();
        assert!(m.contains("did you mean `track.customer.identify`"), "{m}");
        assert_eq!(
            m.matches('`').count(),
            8,
            "the typed id and three suggestions: {m}"
        );
    }
}

#[test]
fn field_pairs_build_the_input_with_types_from_the_schema() {
    let emu = common::emulator();
    let env = [
        ("CUSTOMERIO_SITE_ID", "demo-site"),
        ("CUSTOMERIO_TRACK_API_KEY", "demo-track-key"),
    ];
    let o = run(
        &[
            "--route-to",
            &emu.url(),
            "execute",
            "track.customer.identify",
            "-f",
            "id=jane@example.com",
            "-f",
            "attributes.plan=pro",
            "-f",
            "attributes.seats:=3",
            "-f",
            "attributes.flags:={\"beta\":true}",
        ],
        &env,
        "",
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let sent = emu.requests();
    let body: Value = serde_json::from_slice(&sent.last().unwrap().body).unwrap();
    assert_eq!(
        (
            body["plan"].clone(),
            body["seats"].clone(),
            body["flags"].clone()
        ),
        ("pro".into(), 3.into(), serde_json::json!({"beta": true}))
    );
    assert!(
        sent.last()
            .unwrap()
            .path
            .ends_with("/customers/jane%40example.com"),
        "{:?}",
        sent.last().unwrap().path
    );
    // key=value is a number where the field takes no text, and -f applies over --input.
    let o = run(
        &[
            "--route-to",
            &emu.url(),
            "execute",
            "track.segment.add_customers",
            "--input",
            r#"{"segment_id": 1, "ids": ["a"]}"#,
            "-f",
            "segment_id=7",
            "-f",
            "ids:=[\"x\",\"y\"]",
        ],
        &env,
        "",
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let last = emu.requests().pop().unwrap();
    assert!(last.path.contains("/segments/7/"), "{}", last.path);
    // Malformed pairs are usage errors.
    for (pair, says) in [
        ("id", "no `=`"),
        ("=x", "no key"),
        ("attributes:={oops", "not JSON"),
    ] {
        let o = run(
            &[
                "--emulator",
                "execute",
                "track.customer.identify",
                "-f",
                pair,
            ],
            &[],
            "",
        );
        assert_eq!(o.code, 2, "{pair}");
        let m = json(&o.stderr)["error"]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            m.contains(says) && m.contains("-f key=value"),
            "{pair}: {m}"
        );
    }
}

#[test]
fn with_nothing_piped_in_execute_says_what_it_expects() {
    let o = run_at(
        &["--emulator", "execute", "track.customer.identify"],
        &[],
        "",
        TTY,
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr
            .starts_with("error: `track.customer.identify` needs an input"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("required: id (string)"), "{}", o.stderr);
    assert!(
        o.stderr
            .contains("cio-host execute track.customer.identify -f "),
        "{}",
        o.stderr
    );
    // Nothing required: it runs with {} and says so.
    let o = run_at(&["--emulator", "execute", "app.segment.list"], &[], "", TTY);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("runs with {}"), "{}", o.stderr);
    // Piped stdin is still read.
    let piped = cio_host::cli::Terminal {
        stdin: false,
        ..TTY
    };
    let o = run_at(
        &["--emulator", "execute", "track.customer.delete"],
        &[],
        r#"{"id":"1"}"#,
        piped,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
}

#[test]
fn errors_are_readable_at_a_terminal_and_json_when_piped_or_asked() {
    let args = [
        "--emulator",
        "execute",
        "track.customer.identify",
        "-f",
        "id:=5",
    ];
    let o = run_at(&args, &[], "", TTY);
    assert_eq!(o.code, 3);
    assert!(
        serde_json::from_str::<Value>(&o.stderr).is_err(),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .starts_with("error[invalid-input]: `id` must be a string"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("at:  /id"), "{}", o.stderr);
    assert!(
        o.stderr.contains("fix: correct the input at /id"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains('\x1b'));
    let coloured = cio_host::cli::Terminal { color: true, ..TTY };
    assert!(run_at(&args, &[], "", coloured)
        .stderr
        .contains("\x1b[1;31merror"));
    // --json, or stderr not a terminal: JSON; --pretty applies to errors too.
    let mut with_json = vec!["--json"];
    with_json.extend(args);
    assert_eq!(
        json(&run_at(&with_json, &[], "", TTY).stderr)["error"]["pointers"][0],
        "/id"
    );
    let piped = cio_host::cli::Terminal {
        stderr: false,
        ..TTY
    };
    let o = run_at(&args, &[], "", piped);
    assert_eq!(json(&o.stderr)["error"]["kind"], "invalid-input");
    assert_eq!(o.stderr.lines().count(), 1);
    let mut pretty = vec!["--pretty"];
    pretty.extend(args);
    let o = run_at(&pretty, &[], "", piped);
    assert!(o.stderr.lines().count() > 5, "{}", o.stderr);
    assert_eq!(json(&o.stderr)["error"]["kind"], "invalid-input");
    // Usage errors, ours and the parser's, come out the same way.
    let o = run_at(&["--region", "mars", "operations"], &[], "", TTY);
    assert!(
        o.stderr.starts_with("error: region must be us, eu or auto"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("fix: give --region"), "{}", o.stderr);
    let o = run_at(&["operations", "--bogus"], &[], "", TTY);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.starts_with("error: unexpected argument"),
        "{}",
        o.stderr
    );
    let o = run(&["operations", "--bogus"], &[], "");
    assert_eq!(
        (o.code, json(&o.stderr)["error"]["kind"].clone()),
        (2, "invalid-config".into())
    );
}

#[test]
fn invalid_host_options_and_a_missing_component_are_usage_errors() {
    for args in [
        &[
            "--emulator",
            "execute",
            "track.customer.delete",
            "--input",
            r#"{"id":"1"}"#,
            "--timeout-ms",
            "0",
        ][..],
        &[
            "--emulator",
            "execute",
            "track.customer.delete",
            "--input",
            r#"{"id":"1"}"#,
            "--timeout-ms",
            "300001",
        ][..],
        &["--route-to", "ftp://127.0.0.1:1", "operations"][..],
        &["operations", "--connector", "tracks"][..],
    ] {
        let o = run(args, &[], "");
        assert_eq!(o.code, 2, "{args:?}: {}", o.stderr);
        assert_eq!(
            json(&o.stderr)["error"]["kind"],
            "invalid-config",
            "{args:?}"
        );
    }
    let argv: Vec<String> = [
        "cio-host",
        "--component",
        "/nonexistent/c.wasm",
        "operations",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let o = cio_host::cli::run(&argv, &|_| None, &mut "".as_bytes());
    assert_eq!(o.code, 2);
    let m = json(&o.stderr)["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        m.contains("/nonexistent/c.wasm") && m.contains(cio_host::cli::BUILD_COMMAND),
        "{m}"
    );
    // Without a path: beside the binary, its target folder, $CARGO_TARGET_DIR, the workspace.
    let found = cio_host::cli::component_candidates(
        &|k| (k == "CARGO_TARGET_DIR").then(|| "/tmp/t".to_string()),
        Some(std::path::Path::new("/opt/x/target/debug/cio-host")),
    );
    let found: Vec<String> = found.iter().map(|p| p.display().to_string()).collect();
    for want in [
        "/opt/x/target/debug/customerio_connector.wasm",
        "/opt/x/target/wasm32-wasip2/release/customerio_connector.wasm",
        "/tmp/t/wasm32-wasip2/release/customerio_connector.wasm",
    ] {
        assert!(found.contains(&want.to_string()), "{want} not in {found:?}");
    }
    assert_eq!(
        found.last().unwrap(),
        &cio_host::default_component_path().display().to_string()
    );
}

#[test]
fn every_help_shows_examples_credentials_and_exit_codes() {
    let mut names = vec![String::new()];
    names.extend(cio_host::cli::subcommands());
    assert!(names.len() >= 9, "{names:?}");
    for name in names {
        let mut args = vec![];
        if !name.is_empty() {
            args.push(name.as_str());
        }
        args.push("--help");
        let o = run(&args, &[], "");
        assert_eq!(o.code, 0, "{name}");
        for want in [
            "Examples:",
            "cio-host ",
            "CUSTOMERIO_TRACK_API_KEY",
            "CUSTOMERIO_APP_API_KEY",
            "Exit codes:",
            "9 internal",
        ] {
            assert!(
                o.stdout.contains(want),
                "`{name} --help` lacks {want}:\n{}",
                o.stdout
            );
        }
    }
}

#[test]
fn completion_scripts_complete_commands_and_operation_ids() {
    for shell in ["bash", "zsh", "fish"] {
        let o = run(&["completion", shell], &[], "");
        assert_eq!(o.code, 0, "{shell}: {}", o.stderr);
        for want in [
            "cio-host",
            "describe",
            "execute",
            "track.customer.identify",
            "app.segment.members",
        ] {
            assert!(o.stdout.contains(want), "{shell} script lacks {want}");
        }
    }
    let o = run(&["completion", "tcsh"], &[], "");
    assert_eq!(o.code, 2);
}

#[test]
fn docs_operations_md_is_generated_from_list_operations() {
    let o = run(&["docs"], &[], "");
    assert_eq!(o.code, 0, "{}", o.stderr);
    let ops = json(&run(&["operations"], &[], "").stdout);
    for d in ops.as_array().unwrap() {
        let id = d["id"].as_str().unwrap();
        assert!(o.stdout.contains(&format!("| `{id}` |")), "docs lack {id}");
    }
    assert!(o.stdout.contains("### track.customer\n"));
    assert!(o
        .stdout
        .contains("| `track.customer.identify` | Create or update a person | Creates the person"));
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/operations.md"))
            .expect("docs/operations.md");
    assert!(committed == o.stdout, "docs/operations.md is stale: regenerate it with `cargo run -q -p cio-host -- docs > docs/operations.md`");
}
