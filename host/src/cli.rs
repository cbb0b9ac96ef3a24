//! The `cio-host` command line, as a library function so tests can run it in-process.
//!
//! Output follows who reads it: at a terminal, `operations` and `describe` print a table and a
//! form, and errors are a readable message with the fix and the JSON Pointers; when piped (or with
//! `--json`) everything is JSON, errors on stderr. [`run_in`] takes the terminal-ness as a
//! [`Terminal`] so tests exercise both; [`run`] is the piped case.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser, Subcommand};
use serde_json::{json, Map, Value};

use crate::{
    json as j, ConnectionConfig, ConnectorHost, ConnectorKind, Credentials, ExecuteRequest,
    HostOptions, Region, TrackCredentials,
};

pub mod demo;
pub mod docs;
pub mod text;

use text::Paint;

/// The footer of every `--help`: credentials, the component, exit codes.
macro_rules! footer {
    () => {
        "
Credentials (environment only):
  CUSTOMERIO_SITE_ID, CUSTOMERIO_TRACK_API_KEY   Track operations (HTTP Basic)
  CUSTOMERIO_APP_API_KEY                         App and Beta operations (Bearer)
  CUSTOMERIO_REGION                              us (default), eu or auto; --region wins
  CIO_COMPONENT                                  the component (.wasm); --component wins
  NO_COLOR                                       no colours at a terminal
With --emulator no credentials are needed (demo workspace demo-site / demo-track-key / demo-app-key).

Exit codes:
  0 success                2 usage                 3 invalid input, config or unknown operation
  4 unauthorized, forbidden or wrong region        5 not found        6 rate limited
  7 other upstream error   8 transport or timeout  9 internal (host or component failure)
"
    };
}

/// The command that builds the component, for messages.
pub const BUILD_COMMAND: &str =
    "cargo build --release --target wasm32-wasip2 -p customerio-connector";

/// Runs the Customer.io connector component under wasmtime.
#[derive(Parser, Debug)]
#[command(
    name = "cio-host",
    version,
    about = "Run the Customer.io connector component: list operations, test connections, execute steps.",
    after_help = concat!("Examples:
  cio-host operations segment                    # find an operation by a word
  cio-host describe track.customer.identify      # its inputs, limits and an example
  cio-host --emulator execute track.customer.identify -f id=jane@example.com -f attributes.plan=pro
  cio-host --emulator demo --pretty              # a whole workflow against the local emulator
", footer!())
)]
pub struct Cli {
    /// The component (.wasm). Default: $CIO_COMPONENT, else beside this binary, under
    /// $CARGO_TARGET_DIR, or this workspace's release build.
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
    /// Pretty-print JSON (output and errors).
    #[arg(long, global = true)]
    pub pretty: bool,
    /// JSON output and JSON errors, also at a terminal.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// List operations: a table at a terminal, descriptors with JSON Schemas when piped or --json.
    #[command(after_help = concat!("Examples:
  cio-host operations                            # every operation
  cio-host operations --connector track          # one API
  cio-host operations segment members            # operations matching every word
  cio-host operations --json | jq '.[].id'       # descriptors with input/output JSON Schemas
", footer!()))]
    Operations {
        /// Only this API.
        #[arg(long, value_parser = ["track", "app", "beta"])]
        connector: Option<String>,
        /// Words that the id, title or description must all contain (any case).
        #[arg(value_name = "SEARCH")]
        search: Vec<String>,
    },
    /// Show one operation: a form at a terminal (inputs, limits, lookups, an example), its
    /// descriptor when piped or --json.
    #[command(after_help = concat!("Examples:
  cio-host describe track.customer.identify
  cio-host describe app.segment.members --json | jq .input_schema
", footer!()))]
    Describe {
        /// Operation id, e.g. track.customer.identify.
        id: String,
    },
    /// Test a connection (credentials from the environment).
    #[command(after_help = concat!("Examples:
  CUSTOMERIO_SITE_ID=… CUSTOMERIO_TRACK_API_KEY=… cio-host authenticate --connector track
  cio-host --emulator --region eu authenticate --connector app
  cio-host --region auto authenticate --connector app   # finds the workspace's region
", footer!()))]
    Authenticate {
        /// The API whose credentials to test.
        #[arg(long, value_parser = ["track", "app", "beta"])]
        connector: String,
    },
    /// Run an operation; input from -f pairs, --input, --input-file or stdin.
    #[command(after_help = concat!("Input:
  -f key=value     a text value (a number or true/false when the field takes no text)
  -f key:=json     a JSON value: -f 'attributes:={\"plan\":\"pro\"}' -f ids:='[1,2]'
  -f a.b=value     a key of an object input (attributes.plan=pro)
  -f pairs are applied over --input or --input-file when both are given.

Examples:
  cio-host --emulator execute track.customer.identify -f id=jane@example.com -f attributes.plan=pro
  cio-host --emulator execute track.event.track --input '{\"id\":\"42\",\"name\":\"purchase\"}'
  echo '{\"id\":\"42\"}' | cio-host --emulator execute track.customer.delete
  cio-host --emulator execute app.segment.list -f return_all=true --timeout-ms 60000
", footer!()))]
    Execute {
        /// Operation id, e.g. track.customer.identify.
        id: String,
        /// JSON input.
        #[arg(long, conflicts_with = "input_file")]
        input: Option<String>,
        /// File with the JSON input.
        #[arg(long, value_name = "PATH")]
        input_file: Option<std::path::PathBuf>,
        /// One input value: key=value (text), key:=json (any JSON); repeatable; dotted keys
        /// reach into objects.
        #[arg(short = 'f', long = "field", value_name = "KEY=VALUE")]
        fields: Vec<String>,
        /// Budget for the whole call in milliseconds, 1 to 300000 (default 30000).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=300_000))]
        timeout_ms: Option<u32>,
        /// Correlation id sent as X-Request-Id.
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Print the connector manifest (manifest.json).
    #[command(after_help = concat!("Examples:
  cio-host manifest > manifest.json   # what CI compares with the committed file
", footer!()))]
    Manifest,
    /// Print docs/operations.md: one table per API and resource, generated from list-operations.
    #[command(after_help = concat!("Examples:
  cio-host docs > docs/operations.md   # what CI compares with the committed file
", footer!()))]
    Docs,
    /// Print a shell completion script (operation ids included).
    #[command(after_help = concat!("Examples:
  cio-host completion bash > ~/.local/share/bash-completion/completions/cio-host
  cio-host completion zsh > \"${fpath[1]}/_cio-host\"
  cio-host completion fish > ~/.config/fish/completions/cio-host.fish
", footer!()))]
    Completion {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Walk through a typical workflow: test the connections, identify a person, track an event,
    /// delete the person. Uses the embedded emulator unless credentials are in the environment.
    #[command(after_help = concat!("Examples:
  cio-host demo --pretty                       # the embedded emulator
  CUSTOMERIO_SITE_ID=… CUSTOMERIO_TRACK_API_KEY=… CUSTOMERIO_APP_API_KEY=… cio-host demo
", footer!()))]
    Demo,
    /// Serve the operations as Model Context Protocol tools over stdio (or Streamable HTTP on
    /// loopback with --listen), for agents.
    #[command(after_help = concat!("Examples:
  cio-host --emulator mcp                          # every operation, over stdio
  cio-host mcp --read-only --connector app         # only read-only App tools
  cio-host mcp --compact                           # search/describe/run meta-tools
  cio-host --emulator mcp --listen 127.0.0.1:8765  # Streamable HTTP on loopback
", footer!()))]
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

/// A failure the CLI reports: the JSON error, its exit code, and for people the fix.
#[derive(Debug)]
struct Failure {
    code: i32,
    /// `{"error": {...}}`.
    error: Value,
    /// What to do about it, when the CLI knows better than the generic advice for the kind.
    fix: Option<String>,
    /// For a usage error (exit 2), its message without the fix: rendered like clap's own.
    usage: Option<String>,
}

fn fail(code: i32, kind: &str, fix_by: &str, message: String) -> Failure {
    Failure {
        code,
        error: json!({"error": {"kind": kind, "message": message, "fix_by": fix_by, "retryable": false,
            "status": null, "retry_after_ms": null, "pointers": [], "body": null}}),
        fix: None,
        usage: None,
    }
}

/// Reads an input of at most [`crate::MAX_INPUT_BYTES`] from `from`: never more than one byte
/// past the limit is read, so an endless source (`< /dev/zero`) ends at once with an
/// `invalid-input` error instead of filling memory.
fn read_input(from: impl Read, name: &str) -> std::io::Result<Result<String, Failure>> {
    let limit = crate::MAX_INPUT_BYTES;
    let mut bytes = Vec::new();
    from.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        return Ok(Err(fail(
            3,
            "invalid-input",
            "user",
            format!("the input from {name} is over {} MiB, the most one call takes; split it over several calls", limit >> 20),
        )));
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok(Ok(s)),
        Err(_) => Ok(Err(fail(
            3,
            "invalid-input",
            "user",
            format!("the input from {name} is not UTF-8 text; give JSON"),
        ))),
    }
}

/// A usage error (exit 2) with its fix; in JSON the fix is part of the message.
fn usage(message: impl Into<String>, fix: impl Into<String>) -> Failure {
    let (message, fix) = (message.into(), fix.into());
    let mut f = fail(2, "invalid-config", "user", format!("{message}; {fix}"));
    f.fix = Some(fix);
    f.usage = Some(message);
    f
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

/// Which standard streams are terminals, and whether colour is allowed there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Terminal {
    /// Standard input is a terminal (nothing is piped in).
    pub stdin: bool,
    /// Standard output is a terminal.
    pub stdout: bool,
    /// Standard error is a terminal.
    pub stderr: bool,
    /// Colours may be used on the streams that are terminals (`NO_COLOR` unset, `TERM` not `dumb`).
    pub color: bool,
}

impl Terminal {
    /// The streams of this process.
    pub fn detect(env: &dyn Fn(&str) -> Option<String>) -> Terminal {
        use std::io::IsTerminal;
        Terminal {
            stdin: std::io::stdin().is_terminal(),
            stdout: std::io::stdout().is_terminal(),
            stderr: std::io::stderr().is_terminal(),
            color: env("NO_COLOR").is_none_or(|v| v.is_empty())
                && env("TERM").is_none_or(|t| t != "dumb"),
        }
    }
}

/// How errors come out: JSON (piped or `--json`) or readable text.
#[derive(Clone, Copy)]
struct Style {
    json: bool,
    pretty: bool,
    paint: Paint,
}

impl Style {
    fn new(term: Terminal, json: bool, pretty: bool) -> Style {
        Style {
            json: json || !term.stderr,
            pretty,
            paint: Paint {
                on: term.stderr && term.color,
            },
        }
    }

    fn report(self, f: Failure) -> Outcome {
        let stderr = if self.json {
            render(&f.error, self.pretty)
        } else if let Some(message) = &f.usage {
            format!(
                "{} {message}\n\n  {} {}\n\nFor more information, try '--help'.\n",
                self.paint.red("error:"),
                self.paint.bold("fix:"),
                self.paint.green(f.fix.as_deref().unwrap_or_default())
            )
        } else {
            text::error_text(&f.error, f.fix.as_deref(), self.paint)
        };
        Outcome {
            code: f.code,
            stdout: String::new(),
            stderr,
        }
    }
}

/// Runs the CLI as when its output is piped (JSON everywhere). `env` reads environment
/// variables; `stdin` is read only for `execute` without `--input`/`--input-file`/`-f`.
pub fn run(args: &[String], env: &dyn Fn(&str) -> Option<String>, stdin: &mut dyn Read) -> Outcome {
    run_in(args, env, stdin, Terminal::default())
}

/// Runs the CLI with the given terminal-ness of the standard streams ([`Terminal::detect`] in
/// `main`).
pub fn run_in(
    args: &[String],
    env: &dyn Fn(&str) -> Option<String>,
    stdin: &mut dyn Read,
    term: Terminal,
) -> Outcome {
    let flag = |name: &str| args.iter().skip(1).any(|a| a == name);
    let style = Style::new(term, flag("--json"), flag("--pretty"));
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            if !e.use_stderr() {
                // --help and --version.
                let text = if term.stdout && term.color {
                    e.render().ansi().to_string()
                } else {
                    e.render().to_string()
                };
                return Outcome {
                    code: 0,
                    stdout: text,
                    stderr: String::new(),
                };
            }
            if style.json {
                let message = e.render().to_string().trim_end().to_string();
                return style.report(fail(2, "invalid-config", "user", message));
            }
            let text = if style.paint.on {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            return Outcome {
                code: 2,
                stdout: String::new(),
                stderr: text,
            };
        }
    };
    match run_cli(cli, env, stdin, term) {
        Ok(o) => o,
        Err(f) => style.report(f),
    }
}

/// Where the component is looked for when neither `--component` nor `CIO_COMPONENT` names it:
/// beside the binary (and in the target folder the binary was built in), under
/// `$CARGO_TARGET_DIR`, and in this workspace's `target`.
pub fn component_candidates(
    env: &dyn Fn(&str) -> Option<String>,
    exe: Option<&Path>,
) -> Vec<PathBuf> {
    const RELEASE: &str = "wasm32-wasip2/release/customerio_connector.wasm";
    let mut out = Vec::new();
    if let Some(dir) = exe.and_then(Path::parent) {
        out.push(dir.join("customerio_connector.wasm"));
        // target/debug/cio-host, target/debug/deps/<test>, target/<triple>/release/cio-host
        for up in dir.ancestors().skip(1).take(3) {
            out.push(up.join(RELEASE));
        }
    }
    if let Some(t) = env("CARGO_TARGET_DIR").filter(|t| !t.is_empty()) {
        out.push(PathBuf::from(t).join(RELEASE));
    }
    out.push(crate::default_component_path());
    let mut seen = Vec::new();
    out.retain(|p| {
        let fresh = !seen.contains(p);
        seen.push(p.clone());
        fresh
    });
    out
}

/// The component to load: `--component`, `CIO_COMPONENT`, or the first candidate that exists; a
/// usage error saying how to build it or point to it otherwise.
fn find_component(
    explicit: Option<PathBuf>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<PathBuf, Failure> {
    let fix = format!(
        "build it with `{BUILD_COMMAND}`, or point to it with --component PATH or CIO_COMPONENT"
    );
    let given = explicit.map(|p| (p, "--component")).or_else(|| {
        env("CIO_COMPONENT")
            .filter(|p| !p.is_empty())
            .map(|p| (PathBuf::from(p), "CIO_COMPONENT"))
    });
    if let Some((p, from)) = given {
        return if p.is_file() {
            Ok(p)
        } else {
            Err(usage(
                format!("there is no component at {} (from {from})", p.display()),
                fix,
            ))
        };
    }
    let exe = std::env::current_exe().ok();
    let candidates = component_candidates(env, exe.as_deref());
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or_else(|| {
            let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
            usage(
                format!("no component found (looked at {})", looked.join(", ")),
                fix,
            )
        })
}

fn check_route(url: &str) -> Result<(), Failure> {
    let fix = "give an http:// URL with host and port, e.g. --route-to http://127.0.0.1:8080";
    match url.parse::<http::Uri>() {
        Ok(u) if u.scheme_str() == Some("http") && u.authority().is_some() => Ok(()),
        _ => Err(usage(
            format!("--route-to {url:?} is not an http://host:port URL"),
            fix,
        )),
    }
}

/// Sets `value` at a dotted key inside `obj` (`attributes.plan`), unless the whole key is a
/// property of `schema` (a key with a dot in its name).
fn set_dotted(
    obj: &mut Map<String, Value>,
    key: &str,
    value: Value,
    schema: &Value,
) -> Result<(), String> {
    if schema["properties"].get(key).is_some() || !key.contains('.') {
        obj.insert(key.to_string(), value);
        return Ok(());
    }
    let (head, rest) = key.split_once('.').unwrap_or((key, ""));
    if head.is_empty() || rest.is_empty() {
        return Err(format!("`{key}` is not a key (empty part)"));
    }
    let slot = obj.entry(head.to_string()).or_insert_with(|| json!({}));
    match slot.as_object_mut() {
        Some(inner) => set_dotted(inner, rest, value, &schema["properties"][head]),
        None => Err(format!("`{head}` is already {slot}, not an object")),
    }
}

/// The schema of a dotted key, if the input schema says it.
fn schema_at<'a>(schema: &'a Value, key: &str) -> &'a Value {
    if let Some(s) = schema["properties"].get(key) {
        return s;
    }
    match key.split_once('.') {
        Some((head, rest)) => schema_at(&schema["properties"][head], rest),
        None => &Value::Null,
    }
}

/// Applies `-f` pairs to an input object. `key=value` is text unless the field takes no text and
/// the value reads as JSON (numbers, true/false); `key:=json` is JSON.
fn apply_fields(
    base: &mut Map<String, Value>,
    pairs: &[String],
    schema: &Value,
) -> Result<(), Failure> {
    let fix = "write -f key=value for text, -f key:=json for any JSON value, e.g. -f id=42 -f 'attributes:={\"plan\":\"pro\"}'";
    for pair in pairs {
        let Some((lhs, text)) = pair.split_once('=') else {
            return Err(usage(format!("-f {pair:?} has no `=`"), fix));
        };
        let (key, is_json) = match lhs.strip_suffix(':') {
            Some(k) => (k, true),
            None => (lhs, false),
        };
        if key.is_empty() {
            return Err(usage(format!("-f {pair:?} has no key"), fix));
        }
        let value = if is_json {
            serde_json::from_str(text)
                .map_err(|e| usage(format!("-f {key}:= is not JSON ({e}): {text}"), fix))?
        } else {
            let field = schema_at(schema, key);
            let types = text::accepted_types(field);
            let takes_text = types.is_empty()
                || types.iter().any(|t| t == "string")
                || field.get("enum").is_some();
            match serde_json::from_str::<Value>(text) {
                Ok(v @ (Value::Number(_) | Value::Bool(_) | Value::Null)) if !takes_text => v,
                _ => Value::String(text.to_string()),
            }
        };
        set_dotted(base, key, value, schema)
            .map_err(|m| usage(format!("-f {pair:?}: {m}"), fix))?;
    }
    Ok(())
}

/// What `execute ID` expects, for a terminal with nothing piped in.
fn expected_input(d: &Value) -> Failure {
    let id = d["id"].as_str().unwrap_or_default();
    let required: Vec<String> = d["input_schema"]["required"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(|n| {
                    format!(
                        "{n} ({})",
                        text::type_summary(&d["input_schema"]["properties"][n])
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    usage(
        format!("`{id}` needs an input and stdin is a terminal; required: {}", required.join(", ")),
        format!("give -f pairs, --input JSON, --input-file PATH or pipe JSON in, e.g. `{}`; `cio-host describe {id}` shows every input", text::example_command(d)),
    )
}

fn unknown_operation(id: &str, ids: &[String]) -> Failure {
    let near: Vec<String> = text::nearest(id, ids.iter().map(String::as_str), 3)
        .iter()
        .map(|n| format!("`{n}`"))
        .collect();
    let message = if near.is_empty() {
        format!("there is no operation `{id}`; the component lists none")
    } else {
        format!(
            "there is no operation `{id}`; did you mean {}?",
            text::or_list(&near)
        )
    };
    let mut f = fail(3, "unknown-operation", "user", message);
    f.fix = Some(format!(
        "`cio-host operations WORD` searches the operations, e.g. `cio-host operations {}`",
        text::shell_quote(id.split('.').nth(1).unwrap_or(id))
    ));
    f
}

/// The names of the subcommands (without clap's `help`).
pub fn subcommands() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .filter(|n| n != "help")
        .collect()
}

fn completion(shell: clap_complete::Shell, ids: Option<Vec<String>>) -> String {
    let mut cmd = Cli::command();
    let mut extra = String::new();
    if let Some(ids) = ids {
        if shell == clap_complete::Shell::Fish {
            // clap_complete's fish script completes no positional values; fish takes them so.
            extra = format!(
                "complete -c cio-host -n \"__fish_seen_subcommand_from describe execute\" -a \"{}\"\n",
                ids.join(" ")
            );
        }
        let values = clap::builder::PossibleValuesParser::new(ids);
        for sub in ["describe", "execute"] {
            let values = values.clone();
            cmd = cmd.mut_subcommand(sub, |s| s.mut_arg("id", |a| a.value_parser(values)));
        }
    }
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "cio-host", &mut buf);
    String::from_utf8_lossy(&buf).into_owned() + &extra
}

fn run_cli(
    mut cli: Cli,
    env: &dyn Fn(&str) -> Option<String>,
    stdin: &mut dyn Read,
    term: Terminal,
) -> Result<Outcome, Failure> {
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
            return Err(usage(
                format!("region must be us, eu or auto, not {other:?}"),
                "give --region us|eu|auto (or set CUSTOMERIO_REGION)",
            ))
        }
    };
    if let Some(r) = &cli.route_to {
        check_route(r)?;
    }
    let nonempty = |k: &str| env(k).filter(|v| !v.is_empty());
    let site = nonempty("CUSTOMERIO_SITE_ID");
    let track_key = nonempty("CUSTOMERIO_TRACK_API_KEY");
    let app_key = nonempty("CUSTOMERIO_APP_API_KEY");

    let found = find_component(cli.component.clone(), env);
    if let Command::Completion { shell } = cli.command {
        // Operation ids are completed when the component can be loaded; the script is useful
        // without them.
        let ids = found.ok().and_then(|component| {
            let host = ConnectorHost::load(&HostOptions {
                component,
                ..Default::default()
            })
            .ok()?;
            Some(
                host.list_operations()
                    .ok()?
                    .into_iter()
                    .map(|d| d.id)
                    .collect(),
            )
        });
        let note = if ids.is_none() {
            format!("note: no component could be loaded, so operation ids are not completed; build it with `{BUILD_COMMAND}`\n")
        } else {
            String::new()
        };
        return Ok(Outcome {
            code: 0,
            stdout: completion(shell, ids),
            stderr: note,
        });
    }
    let mut options = HostOptions {
        component: found?,
        ..Default::default()
    };
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
                return Err(fail(
                    9,
                    "internal",
                    "host",
                    format!("could not start the embedded emulator: {e}"),
                ))
            }
        }
    } else {
        None
    };

    let connection = |kind: ConnectorKind| -> Result<ConnectionConfig, Failure> {
        let credentials = match kind {
            ConnectorKind::Track => match (&site, &track_key) {
                (Some(s), Some(k)) => Credentials::Track(TrackCredentials {
                    site_id: s.clone(),
                    api_key: k.clone(),
                }),
                _ if cli.emulator => Credentials::Track(TrackCredentials {
                    site_id: DEMO.0.into(),
                    api_key: DEMO.1.into(),
                }),
                _ => {
                    let mut f = fail(
                        3,
                        "invalid-config",
                        "user",
                        "Track operations need CUSTOMERIO_SITE_ID and CUSTOMERIO_TRACK_API_KEY in the environment (or --emulator to use the local emulator)".into(),
                    );
                    f.fix = Some("export CUSTOMERIO_SITE_ID and CUSTOMERIO_TRACK_API_KEY (Customer.io: Settings → Workspace Settings → API and webhook credentials → Track API keys), or add --emulator".into());
                    return Err(f);
                }
            },
            _ => match &app_key {
                Some(k) => Credentials::App(k.clone()),
                None if cli.emulator => Credentials::App(DEMO.2.into()),
                None => {
                    let mut f = fail(
                        3,
                        "invalid-config",
                        "user",
                        "App and Beta operations need CUSTOMERIO_APP_API_KEY in the environment (or --emulator to use the local emulator)".into(),
                    );
                    f.fix = Some("export CUSTOMERIO_APP_API_KEY (Customer.io: Settings → Workspace Settings → API and webhook credentials → App API keys), or add --emulator".into());
                    return Err(f);
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
        Err(e) => return Err(fail(9, "internal", "host", format!("{e:#}"))),
    };
    let pretty = cli.pretty;
    let readable = term.stdout && !cli.json;
    let paint = Paint {
        on: term.stdout && term.color,
    };
    let ok = |v: Value| {
        Ok(Outcome {
            code: 0,
            stdout: render(&v, pretty),
            stderr: String::new(),
        })
    };
    let err = |e: &crate::ConnectorError| {
        Err(Failure {
            code: j::exit_code(e.kind),
            error: j::error(e),
            fix: None,
            usage: None,
        })
    };
    let trap = |e: anyhow::Error| {
        Err(fail(
            9,
            "internal",
            "connector",
            format!("the component failed: {e:#}"),
        ))
    };
    let descriptors = || -> Result<Vec<Value>, Failure> {
        match host.list_operations() {
            Ok(ops) => Ok(ops.iter().map(j::descriptor).collect()),
            Err(e) => Err(fail(
                9,
                "internal",
                "connector",
                format!("the component failed: {e:#}"),
            )),
        }
    };
    let ids = |ds: &[Value]| -> Vec<String> {
        ds.iter()
            .filter_map(|d| d["id"].as_str().map(String::from))
            .collect()
    };

    match cli.command {
        Command::Mcp(args) => Ok(crate::mcp::run(host, &args, &|k| {
            connection(k).map_err(|f| f.error.to_string())
        })),
        Command::Completion { .. } => unreachable!("handled before loading"),
        Command::Operations { connector, search } => {
            let all = descriptors()?;
            let search = search.join(" ");
            let picked: Vec<&Value> = all
                .iter()
                .filter(|d| connector.as_deref().is_none_or(|c| d["connector"] == c))
                .filter(|d| text::matches(d, &search))
                .collect();
            if !readable {
                return ok(Value::Array(picked.into_iter().cloned().collect()));
            }
            if picked.is_empty() {
                return Ok(Outcome {
                    code: 0,
                    stdout: String::new(),
                    stderr: format!("no operation matches {search:?}; try fewer or other words\n"),
                });
            }
            let mut out = text::operations_table(&picked, paint);
            out.push_str(&format!(
                "\n{} operation{}; `cio-host describe ID` shows one, --json prints the descriptors\n",
                picked.len(),
                if picked.len() == 1 { "" } else { "s" }
            ));
            Ok(Outcome {
                code: 0,
                stdout: out,
                stderr: String::new(),
            })
        }
        Command::Describe { id } => {
            let all = descriptors()?;
            match all.iter().find(|d| d["id"] == id.as_str()) {
                Some(d) if readable => Ok(Outcome {
                    code: 0,
                    stdout: text::describe(d, paint),
                    stderr: String::new(),
                }),
                Some(d) => ok(d.clone()),
                None => Err(unknown_operation(&id, &ids(&all))),
            }
        }
        Command::Manifest => match host.list_operations() {
            Ok(ops) => Ok(Outcome {
                code: 0,
                stdout: render(&j::manifest(&ops), true),
                stderr: String::new(),
            }),
            Err(e) => trap(e),
        },
        Command::Docs => Ok(Outcome {
            code: 0,
            stdout: docs::operations_markdown(&descriptors()?),
            stderr: String::new(),
        }),
        Command::Demo => {
            let connection = |kind: ConnectorKind| {
                connection(kind).map_err(|f| {
                    f.error["error"]["message"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                })
            };
            let (code, stdout) = demo::run(&demo::Demo {
                host: &host,
                connection: &connection,
                emulator: cli.emulator,
                readable,
                pretty,
                paint,
                person: format!("cio-connector-demo-{}@example.com", std::process::id()),
            });
            Ok(Outcome {
                code,
                stdout,
                stderr: String::new(),
            })
        }
        Command::Authenticate { connector } => {
            let kind = parse_kind(&connector)?;
            let config = connection(kind)?;
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
            fields,
            timeout_ms,
            request_id,
        } => {
            let all = descriptors()?;
            // An id the listing lacks still goes to the component, which has the last word; its
            // unknown-operation answer gets the nearest ids.
            let listed = all.iter().find(|d| d["id"] == id.as_str());
            let kind = match listed {
                Some(d) => parse_kind(d["connector"].as_str().unwrap_or_default())?,
                None => match parse_kind(id.split('.').next().unwrap_or_default()) {
                    Ok(k) => k,
                    Err(_) => return Err(unknown_operation(&id, &ids(&all))),
                },
            };
            let unlisted = json!({"id": id, "input_schema": {}});
            let d = listed.unwrap_or(&unlisted);
            let mut note = String::new();
            let given =
                match (input, input_file) {
                    (Some(i), _) => Some(i),
                    (None, Some(path)) => match std::fs::File::open(&path)
                        .and_then(|f| read_input(f, &path.display().to_string()))
                    {
                        Ok(Ok(s)) => Some(s),
                        Ok(Err(too_big)) => return Err(too_big),
                        Err(e) => return Err(usage(
                            format!("cannot read {}: {e}", path.display()),
                            "give a readable file to --input-file, or the JSON itself to --input",
                        )),
                    },
                    (None, None) => None,
                };
            let input = match given {
                Some(text) if fields.is_empty() => text,
                Some(text) => {
                    let mut base = match serde_json::from_str::<Value>(&text) {
                        Ok(Value::Object(o)) => o,
                        _ => {
                            return Err(usage(
                                "-f pairs apply to an input object, and the given input is not a JSON object",
                                "give --input '{...}' (an object) with -f, or only -f pairs",
                            ))
                        }
                    };
                    apply_fields(&mut base, &fields, &d["input_schema"])?;
                    Value::Object(base).to_string()
                }
                None if !fields.is_empty() => {
                    let mut base = Map::new();
                    apply_fields(&mut base, &fields, &d["input_schema"])?;
                    Value::Object(base).to_string()
                }
                None if term.stdin => {
                    let required = d["input_schema"]["required"]
                        .as_array()
                        .is_some_and(|r| !r.is_empty());
                    if required {
                        return Err(expected_input(d));
                    }
                    note = format!(
                        "note: no input given (stdin is a terminal), so {id} runs with {{}}\n"
                    );
                    "{}".into()
                }
                None => match read_input(stdin, "stdin") {
                    Ok(Ok(s)) => s,
                    Ok(Err(too_big)) => return Err(too_big),
                    Err(e) => {
                        return Err(usage(
                            format!("cannot read the input from stdin: {e}"),
                            "give the input with -f pairs, --input or --input-file",
                        ))
                    }
                },
            };
            let config = connection(kind)?;
            let request = ExecuteRequest {
                operation_id: id.clone(),
                config,
                input,
                timeout_ms,
                request_id,
            };
            let answer = if term.stderr {
                // A progress line for calls that page, split or wait: requests so far, on the
                // terminal only (nothing of it reaches a pipe or the Outcome).
                let mut shown = false;
                let answer = host.execute_watched(
                    &request,
                    std::time::Duration::from_millis(250),
                    &mut |n| {
                        if n >= 2 {
                            shown = true;
                            eprint!(
                                "\r\x1b[2K… {n} requests so far (pages, slices or status checks)"
                            );
                        }
                    },
                );
                if shown {
                    eprint!("\r\x1b[2K");
                }
                answer
            } else {
                host.execute(&request)
            };
            match answer {
                Ok(Ok(r)) => Ok(Outcome {
                    code: 0,
                    stdout: render(&j::response(&r), pretty),
                    stderr: note,
                }),
                Ok(Err(e)) if e.kind == crate::ErrorKind::UnknownOperation => {
                    Err(unknown_operation(&id, &ids(&all)))
                }
                Ok(Err(e)) => {
                    let mut f = Failure {
                        code: j::exit_code(e.kind),
                        error: j::error(&e),
                        fix: None,
                        usage: None,
                    };
                    if e.kind == crate::ErrorKind::InvalidInput {
                        let at = if e.pointers.is_empty() {
                            String::new()
                        } else {
                            format!(" at {}", e.pointers.join(", "))
                        };
                        f.fix = Some(format!("correct the input{at} and run again; `cio-host describe {id}` shows every input"));
                    }
                    Err(f)
                }
                Err(e) => trap(e),
            }
        }
    }
}

fn parse_kind(s: &str) -> Result<ConnectorKind, Failure> {
    match s {
        "track" => Ok(ConnectorKind::Track),
        "app" => Ok(ConnectorKind::App),
        "beta" => Ok(ConnectorKind::Beta),
        other => Err(usage(
            format!("connector must be track, app or beta, not {other:?}"),
            "give --connector track|app|beta",
        )),
    }
}
