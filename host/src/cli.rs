//! The `cio-host` command line, as a library function so tests can run it in-process.

use std::io::Read;

use clap::{Parser, Subcommand};
use serde_json::{json, Value};

use crate::{
    json as j, ConnectionConfig, ConnectorHost, ConnectorKind, Credentials, ExecuteRequest,
    HostOptions, Region, TrackCredentials,
};

/// Runs the Customer.io connector component under wasmtime.
#[derive(Parser, Debug)]
#[command(
    name = "cio-host",
    version,
    about = "Run the Customer.io connector component: list operations, test connections, execute steps."
)]
pub struct Cli {
    /// The component (.wasm). Default: $CIO_COMPONENT, else this workspace's release build.
    #[arg(long, global = true, value_name = "PATH")]
    pub component: Option<std::path::PathBuf>,
    /// Start the embedded Customer.io emulator and send every request to it (no credentials needed).
    #[arg(long, global = true)]
    pub emulator: bool,
    /// Send every (allowed) request to this http://host:port, keeping path, query and Host.
    #[arg(long, global = true, value_name = "URL")]
    pub route_to: Option<String>,
    /// Region: us, eu or auto. Default: $CUSTOMERIO_REGION, else us.
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Pretty-print JSON.
    #[arg(long, global = true)]
    pub pretty: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// List operations with their JSON Schemas.
    Operations {
        /// Only this API: track, app or beta.
        #[arg(long)]
        connector: Option<String>,
    },
    /// Show one operation.
    Describe {
        /// Operation id, e.g. track.customer.identify.
        id: String,
    },
    /// Test a connection (credentials from the environment).
    Authenticate {
        /// track, app or beta.
        #[arg(long)]
        connector: String,
    },
    /// Run an operation; input from --input, --input-file or stdin.
    Execute {
        /// Operation id, e.g. track.customer.identify.
        id: String,
        /// JSON input.
        #[arg(long, conflicts_with = "input_file")]
        input: Option<String>,
        /// File with the JSON input.
        #[arg(long, value_name = "PATH")]
        input_file: Option<std::path::PathBuf>,
        /// Budget for the whole call in milliseconds (default 30000).
        #[arg(long)]
        timeout_ms: Option<u32>,
        /// Correlation id sent as X-Request-Id.
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Print the connector manifest (manifest.json).
    Manifest,
    /// Walk through a typical workflow: test the connections, identify a person, track an event,
    /// delete the person. Uses the embedded emulator unless credentials are in the environment.
    Demo,
    /// Serve the operations as Model Context Protocol tools over stdio (or Streamable HTTP on
    /// loopback with --listen), for agents.
    Mcp(crate::mcp::McpArgs),
}

/// What a CLI run produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Exit code (0 success; README lists the others).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

fn fail(code: i32, kind: &str, fix_by: &str, message: String) -> Outcome {
    let body = json!({"error": {"kind": kind, "message": message, "fix_by": fix_by, "retryable": false,
        "status": null, "retry_after_ms": null, "pointers": [], "body": null}});
    Outcome {
        code,
        stdout: String::new(),
        stderr: format!("{body}\n"),
    }
}

fn render(v: &Value, pretty: bool) -> String {
    let mut s = if pretty {
        serde_json::to_string_pretty(v)
    } else {
        serde_json::to_string(v)
    }
    .unwrap_or_default();
    s.push('\n');
    s
}

/// Demo credentials of the emulator's built-in workspace.
pub const DEMO: (&str, &str, &str) = ("demo-site", "demo-track-key", "demo-app-key");

/// Runs the CLI. `env` reads environment variables; `stdin` is read only for `execute` without
/// `--input`/`--input-file`.
pub fn run(args: &[String], env: &dyn Fn(&str) -> Option<String>, stdin: &mut dyn Read) -> Outcome {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = e.render().to_string();
            return if code == 0 {
                Outcome {
                    code,
                    stdout: text,
                    stderr: String::new(),
                }
            } else {
                Outcome {
                    code,
                    stdout: String::new(),
                    stderr: text,
                }
            };
        }
    };
    let mut cli = cli;
    if matches!(cli.command, Command::Demo) && cli.route_to.is_none() {
        let has_creds = [
            "CUSTOMERIO_SITE_ID",
            "CUSTOMERIO_TRACK_API_KEY",
            "CUSTOMERIO_APP_API_KEY",
        ]
        .iter()
        .any(|k| env(k).is_some_and(|v| !v.is_empty()));
        cli.emulator |= !has_creds;
    }
    let region_text = cli
        .region
        .clone()
        .or_else(|| env("CUSTOMERIO_REGION"))
        .unwrap_or_else(|| "us".into());
    let region = match region_text.to_ascii_lowercase().as_str() {
        "us" => Region::Us,
        "eu" => Region::Eu,
        "auto" => Region::Auto,
        other => {
            return fail(
                2,
                "invalid-config",
                "user",
                format!("region must be us, eu or auto, not {other:?}"),
            )
        }
    };
    let nonempty = |k: &str| env(k).filter(|v| !v.is_empty());
    let site = nonempty("CUSTOMERIO_SITE_ID");
    let track_key = nonempty("CUSTOMERIO_TRACK_API_KEY");
    let app_key = nonempty("CUSTOMERIO_APP_API_KEY");

    let mut options = HostOptions::default();
    if let Some(c) = cli.component.clone() {
        options.component = c;
    }
    options.route_to = cli.route_to.clone();
    // The emulator lives as long as this run; its workspace follows the chosen region so a demo in
    // either region works without credentials.
    let _emulator = if cli.emulator {
        let ws_region = if region == Region::Eu {
            cio_emulator::Region::Eu
        } else {
            cio_emulator::Region::Us
        };
        let mut workspaces = vec![cio_emulator::Workspace {
            site_id: DEMO.0.into(),
            track_key: DEMO.1.into(),
            app_key: DEMO.2.into(),
            region: ws_region,
        }];
        if site.is_some() || track_key.is_some() || app_key.is_some() {
            workspaces.push(cio_emulator::Workspace {
                site_id: site.clone().unwrap_or_else(|| "env-site".into()),
                track_key: track_key.clone().unwrap_or_else(|| "env-track-key".into()),
                app_key: app_key.clone().unwrap_or_else(|| "env-app-key".into()),
                region: ws_region,
            });
        }
        let config = cio_emulator::EmulatorConfig {
            workspaces,
            ..Default::default()
        };
        match cio_emulator::Emulator::start(config) {
            Ok(e) => {
                options.route_to = Some(e.url());
                Some(e)
            }
            Err(e) => {
                return fail(
                    9,
                    "internal",
                    "host",
                    format!("could not start the embedded emulator: {e}"),
                )
            }
        }
    } else {
        None
    };

    let connection = |kind: ConnectorKind| -> Result<ConnectionConfig, Outcome> {
        let credentials = match kind {
            ConnectorKind::Track => match (&site, &track_key) {
                (Some(s), Some(k)) => Credentials::Track(TrackCredentials { site_id: s.clone(), api_key: k.clone() }),
                _ if cli.emulator => Credentials::Track(TrackCredentials { site_id: DEMO.0.into(), api_key: DEMO.1.into() }),
                _ => {
                    return Err(fail(
                        3,
                        "invalid-config",
                        "user",
                        "Track operations need CUSTOMERIO_SITE_ID and CUSTOMERIO_TRACK_API_KEY in the environment (or --emulator to use the local emulator)".into(),
                    ))
                }
            },
            _ => match &app_key {
                Some(k) => Credentials::App(k.clone()),
                None if cli.emulator => Credentials::App(DEMO.2.into()),
                None => {
                    return Err(fail(
                        3,
                        "invalid-config",
                        "user",
                        "App and Beta operations need CUSTOMERIO_APP_API_KEY in the environment (or --emulator to use the local emulator)".into(),
                    ))
                }
            },
        };
        Ok(ConnectionConfig {
            connector: kind,
            region,
            credentials,
        })
    };

    let host = match ConnectorHost::load(&options) {
        Ok(h) => h,
        Err(e) => return fail(9, "internal", "host", format!("{e:#}")),
    };
    let pretty = cli.pretty;
    let ok = |v: Value| Outcome {
        code: 0,
        stdout: render(&v, pretty),
        stderr: String::new(),
    };
    let err = |e: &crate::ConnectorError| Outcome {
        code: j::exit_code(e.kind),
        stdout: String::new(),
        stderr: render(&j::error(e), false),
    };
    let trap = |e: anyhow::Error| {
        fail(
            9,
            "internal",
            "connector",
            format!("the component failed: {e:#}"),
        )
    };

    match cli.command {
        Command::Mcp(args) => {
            crate::mcp::run(host, &args, &|k| connection(k).map_err(|o| o.stderr))
        }
        Command::Operations { connector } => {
            let filter = match connector.as_deref().map(parse_kind) {
                Some(Err(o)) => return o,
                Some(Ok(k)) => Some(k),
                None => None,
            };
            match host.list_operations() {
                Ok(ops) => ok(Value::Array(
                    ops.iter()
                        .filter(|d| filter.is_none_or(|k| d.connector == k))
                        .map(j::descriptor)
                        .collect(),
                )),
                Err(e) => trap(e),
            }
        }
        Command::Describe { id } => match host.list_operations() {
            Ok(ops) => match ops.iter().find(|d| d.id == id) {
                Some(d) => ok(j::descriptor(d)),
                None => fail(
                    3,
                    "unknown-operation",
                    "user",
                    format!("there is no operation `{id}`; `cio-host operations` lists them"),
                ),
            },
            Err(e) => trap(e),
        },
        Command::Manifest => match host.list_operations() {
            Ok(ops) => Outcome {
                code: 0,
                stdout: render(&j::manifest(&ops), true),
                stderr: String::new(),
            },
            Err(e) => trap(e),
        },
        Command::Demo => {
            let mut lines = String::new();
            let mut code = 0;
            let target = if cli.emulator {
                "the embedded Customer.io emulator (set CUSTOMERIO_* to use your workspace)"
            } else {
                "Customer.io"
            };
            lines.push_str(&render(
                &json!({"demo": format!("running against {target}")}),
                false,
            ));
            let person = format!("cio-connector-demo-{}@example.com", std::process::id());
            let mut step = |name: &str, result: Result<Value, Value>| {
                let (status, value) = match result {
                    Ok(v) => ("ok", v),
                    Err(e) => {
                        code = 1;
                        ("failed", e)
                    }
                };
                lines.push_str(&render(
                    &json!({"step": name, "status": status, "result": value}),
                    pretty,
                ));
            };
            let run = |config: &ConnectionConfig, op: &str, input: Value| match host.execute(
                &ExecuteRequest {
                    operation_id: op.into(),
                    config: config.clone(),
                    input: input.to_string(),
                    timeout_ms: None,
                    request_id: None,
                },
            ) {
                Ok(Ok(r)) => Ok(j::response(&r)),
                Ok(Err(e)) => Err(j::error(&e)),
                Err(e) => Err(json!({"error": format!("{e:#}")})),
            };
            let test_connection = |config: &ConnectionConfig| match host.authenticate(config) {
                Ok(Ok(i)) => Ok(j::auth_info(&i)),
                Ok(Err(e)) => Err(j::error(&e)),
                Err(e) => Err(json!({"error": format!("{e:#}")})),
            };
            if let Ok(track) = connection(ConnectorKind::Track) {
                step("authenticate track", test_connection(&track));
                step(
                    "track.customer.identify",
                    run(
                        &track,
                        "track.customer.identify",
                        json!({"id": person, "id_type": "email", "attributes": {"plan": "pro", "source": "cio-host demo"}}),
                    ),
                );
                step(
                    "track.event.track",
                    run(
                        &track,
                        "track.event.track",
                        json!({"id": person, "name": "demo_completed", "data": {"steps": 4}}),
                    ),
                );
                step(
                    "track.customer.delete",
                    run(
                        &track,
                        "track.customer.delete",
                        json!({"id": person, "id_type": "email"}),
                    ),
                );
            }
            if let Ok(app) = connection(ConnectorKind::App) {
                step("authenticate app", test_connection(&app));
            }
            Outcome {
                code,
                stdout: lines,
                stderr: String::new(),
            }
        }
        Command::Authenticate { connector } => {
            let kind = match parse_kind(&connector) {
                Ok(k) => k,
                Err(o) => return o,
            };
            let config = match connection(kind) {
                Ok(c) => c,
                Err(o) => return o,
            };
            match host.authenticate(&config) {
                Ok(Ok(info)) => ok(j::auth_info(&info)),
                Ok(Err(e)) => err(&e),
                Err(e) => trap(e),
            }
        }
        Command::Execute {
            id,
            input,
            input_file,
            timeout_ms,
            request_id,
        } => {
            let input = match (input, input_file) {
                (Some(i), _) => i,
                (None, Some(path)) => match std::fs::read_to_string(&path) {
                    Ok(s) => s,
                    Err(e) => {
                        return fail(
                            2,
                            "invalid-input",
                            "user",
                            format!("cannot read {}: {e}", path.display()),
                        )
                    }
                },
                (None, None) => {
                    let mut s = String::new();
                    if let Err(e) = stdin.read_to_string(&mut s) {
                        return fail(
                            2,
                            "invalid-input",
                            "user",
                            format!("cannot read the input from stdin: {e}"),
                        );
                    }
                    s
                }
            };
            let prefix = id.split('.').next().unwrap_or("");
            let kind = match parse_kind(prefix) {
                Ok(k) => k,
                Err(_) => {
                    return fail(3, "unknown-operation", "user", format!("there is no operation `{id}`; ids start with track., app. or beta. (`cio-host operations` lists them)"))
                }
            };
            let config = match connection(kind) {
                Ok(c) => c,
                Err(o) => return o,
            };
            let request = ExecuteRequest {
                operation_id: id,
                config,
                input,
                timeout_ms,
                request_id,
            };
            match host.execute(&request) {
                Ok(Ok(r)) => ok(j::response(&r)),
                Ok(Err(e)) => err(&e),
                Err(e) => trap(e),
            }
        }
    }
}

fn parse_kind(s: &str) -> Result<ConnectorKind, Outcome> {
    match s {
        "track" => Ok(ConnectorKind::Track),
        "app" => Ok(ConnectorKind::App),
        "beta" => Ok(ConnectorKind::Beta),
        other => Err(fail(
            2,
            "invalid-config",
            "user",
            format!("connector must be track, app or beta, not {other:?}"),
        )),
    }
}
