//! The `cio-host` CLI, run in-process against its embedded emulator.

mod common;

use serde_json::Value;

fn run(args: &[&str], env: &[(&str, &str)], stdin: &str) -> cio_host::cli::Outcome {
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
    cio_host::cli::run(&argv, &lookup, &mut stdin.as_bytes())
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

#[test]
fn demo_runs_every_step_without_credentials() {
    let o = run(&["demo"], &[], "");
    assert_eq!(o.code, 0, "{}", o.stdout);
    let steps: Vec<Value> = o.stdout.lines().map(json).collect();
    assert!(steps[0]["demo"].as_str().unwrap().contains("emulator"));
    assert_eq!(
        steps.iter().filter(|s| s["status"] == "ok").count(),
        5,
        "{steps:?}"
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
