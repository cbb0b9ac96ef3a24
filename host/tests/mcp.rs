//! `cio-host mcp`: tool names, annotations, filters and compact mode over the real component's
//! catalog, and a whole MCP session (JSON-RPC over an in-memory pipe) against the emulator.
//!
//! Needs the release component (`CIO_COMPONENT`, else this workspace's release build).

use std::sync::OnceLock;

use cio_host::mcp::{self, Catalog, Filter, McpServer};
use cio_host::{
    ConnectionConfig, ConnectorHost, ConnectorKind, Credentials, Hints, HostOptions,
    OperationDescriptor, Region, TrackCredentials,
};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

struct Fixture {
    _emulator: cio_emulator::Emulator,
    host: ConnectorHost,
    ops: Vec<OperationDescriptor>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let emulator = cio_emulator::Emulator::start(cio_emulator::EmulatorConfig {
            workspaces: vec![cio_emulator::Workspace::demo()],
            ..Default::default()
        })
        .expect("start the emulator");
        let host = ConnectorHost::load(&HostOptions {
            route_to: Some(emulator.url()),
            ..Default::default()
        })
        .expect("load the component (set CIO_COMPONENT or build it first)");
        let ops = host.list_operations().expect("list operations");
        Fixture {
            _emulator: emulator,
            host,
            ops,
        }
    })
}

const SECRETS: [&str; 3] = [
    "demo-app-key",
    "demo-track-key",
    "ZGVtby1zaXRlOmRlbW8tdHJhY2sta2V5",
];

fn connections(kinds: &[ConnectorKind]) -> Vec<ConnectionConfig> {
    kinds
        .iter()
        .map(|&connector| ConnectionConfig {
            connector,
            region: Region::Us,
            credentials: match connector {
                ConnectorKind::Track => Credentials::Track(TrackCredentials {
                    site_id: "demo-site".into(),
                    api_key: "demo-track-key".into(),
                }),
                _ => Credentials::App("demo-app-key".into()),
            },
        })
        .collect()
}

const ALL: [ConnectorKind; 3] = [
    ConnectorKind::Track,
    ConnectorKind::App,
    ConnectorKind::Beta,
];

fn names(tools: &[Value]) -> Vec<String> {
    tools
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_operation_has_a_legal_reversible_unique_tool_name() {
    let ops = &fixture().ops;
    assert!(ops.len() > 300, "{} operations", ops.len());
    let mut seen = std::collections::HashSet::new();
    for d in ops {
        let name = mcp::tool_name(&d.id).unwrap_or_else(|| panic!("{} has no tool name", d.id));
        assert!(
            !name.is_empty()
                && name.len() <= 64
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
            "{name}"
        );
        assert_eq!(mcp::operation_id(&name), d.id);
        assert!(seen.insert(name.clone()), "{name} twice");
        assert_ne!(name, "authenticate");
    }
    assert_eq!(
        mcp::tool_name("track.customer.identify").as_deref(),
        Some("track__customer__identify")
    );
    // Ids that would not map back get no name (and are left out, listed in `unnamed`).
    for bad in ["a.b__c", "a._b", "a.b_", "a..b", "a.b c", &"x".repeat(65)] {
        assert_eq!(mcp::tool_name(bad), None, "{bad}");
    }
    let catalog = Catalog::new(ops, &Filter::default(), &ALL);
    assert!(catalog.unnamed.is_empty(), "{:?}", catalog.unnamed);
}

#[test]
fn tool_annotations_and_schemas_match_every_operation() {
    let ops = &fixture().ops;
    let catalog = Catalog::new(ops, &Filter::default(), &ALL);
    let tools = catalog.tools_json();
    assert_eq!(
        tools.len(),
        ops.len() + 1,
        "authenticate + one per operation"
    );
    assert_eq!(tools[0]["name"], "authenticate");
    assert_eq!(tools[0]["annotations"]["readOnlyHint"], true);
    for d in ops {
        let name = mcp::tool_name(&d.id).unwrap();
        let t = tools
            .iter()
            .find(|t| t["name"] == name.as_str())
            .unwrap_or_else(|| panic!("no tool {name}"));
        let a = &t["annotations"];
        assert_eq!(
            a["readOnlyHint"],
            d.hints.contains(Hints::READ_ONLY),
            "{name}"
        );
        assert_eq!(
            a["destructiveHint"],
            d.hints.contains(Hints::DESTRUCTIVE),
            "{name}"
        );
        assert_eq!(
            a["idempotentHint"],
            d.hints.contains(Hints::IDEMPOTENT),
            "{name}"
        );
        assert_eq!(a["openWorldHint"], true, "{name}");
        assert_eq!(t["description"], d.description.as_str());
        assert_eq!(t["title"], d.title.as_str());
        let input: Value = serde_json::from_str(&d.input_schema).unwrap();
        assert_eq!(t["inputSchema"], input, "{name}");
        assert_eq!(t["inputSchema"]["type"], "object", "{name}");
        let output: Value = serde_json::from_str(&d.output_schema).unwrap();
        if output["type"] == "object" {
            assert_eq!(t["outputSchema"], output, "{name}");
        } else {
            assert!(t.get("outputSchema").is_none(), "{name}");
        }
        // rmcp accepts every entry as a Tool.
        serde_json::from_value::<rmcp::model::Tool>(t.clone()).unwrap();
    }
}

#[test]
fn read_only_connector_and_glob_filters_narrow_the_list() {
    let ops = &fixture().ops;
    let read_only = Catalog::new(
        ops,
        &Filter {
            read_only: true,
            ..Default::default()
        },
        &ALL,
    );
    let expected = ops
        .iter()
        .filter(|d| d.hints.contains(Hints::READ_ONLY))
        .count();
    assert_eq!(read_only.served().len(), expected);
    assert!(expected > 100 && expected < ops.len());
    for t in read_only.tools_json() {
        assert_eq!(t["annotations"]["readOnlyHint"], true, "{}", t["name"]);
        assert_eq!(t["annotations"]["destructiveHint"], false, "{}", t["name"]);
    }

    let track_only = Catalog::new(ops, &Filter::default(), &[ConnectorKind::Track]);
    assert!(track_only
        .served()
        .iter()
        .all(|s| s.descriptor.connector == ConnectorKind::Track));
    assert_eq!(
        track_only.tools_json()[0]["inputSchema"]["properties"]["connector"]["enum"],
        json!(["track"])
    );
    let app_flag = Catalog::new(
        ops,
        &Filter {
            connectors: Some(vec![ConnectorKind::App]),
            ..Default::default()
        },
        &ALL,
    );
    assert!(app_flag
        .served()
        .iter()
        .all(|s| s.descriptor.connector == ConnectorKind::App));

    let globbed = Catalog::new(
        ops,
        &Filter {
            tools: vec!["app.segment.*".into(), "track__customer__identify".into()],
            ..Default::default()
        },
        &ALL,
    );
    let served: Vec<&str> = globbed
        .served()
        .iter()
        .map(|s| s.descriptor.id.as_str())
        .collect();
    assert!(served.contains(&"track.customer.identify"));
    assert!(served.contains(&"app.segment.list"));
    assert!(served
        .iter()
        .all(|id| id.starts_with("app.segment.") || *id == "track.customer.identify"));
    assert!(mcp::glob_match("app.*.list", "app.segment.list"));
    assert!(mcp::glob_match("a?c", "abc"));
    assert!(!mcp::glob_match("app.*", "beta.segment.list"));
}

#[test]
fn compact_mode_lists_four_tools_with_honest_annotations() {
    let ops = &fixture().ops;
    let compact = Catalog::new(
        ops,
        &Filter {
            compact: true,
            ..Default::default()
        },
        &ALL,
    );
    let tools = compact.tools_json();
    assert_eq!(
        names(&tools),
        [
            "authenticate",
            "search_operations",
            "describe_operation",
            "run_operation"
        ]
    );
    let run = &tools[3]["annotations"];
    assert_eq!(
        (
            &run["readOnlyHint"],
            &run["destructiveHint"],
            &run["openWorldHint"]
        ),
        (&json!(false), &json!(true), &json!(true))
    );
    assert_eq!(tools[1]["annotations"]["openWorldHint"], false);
    let full = Catalog::new(ops, &Filter::default(), &ALL);
    let size = |c: &Catalog| serde_json::to_vec(&c.tools_list_json()).unwrap().len();
    println!(
        "tools/list result: full {} bytes, compact {} bytes",
        size(&full),
        size(&compact)
    );
    assert!(size(&compact) * 50 < size(&full));

    let ro = Catalog::new(
        ops,
        &Filter {
            compact: true,
            read_only: true,
            ..Default::default()
        },
        &ALL,
    );
    let run = &ro.tools_json()[3]["annotations"];
    assert_eq!(
        (&run["readOnlyHint"], &run["destructiveHint"]),
        (&json!(true), &json!(false))
    );

    let args = json!({"query": "segment members", "limit": 5});
    let found = compact.search(args.as_object().unwrap());
    assert_eq!(
        found["operations"][0]["id"], "app.segment.members",
        "{found}"
    );
    assert!(found["operations"].as_array().unwrap().len() <= 5);
    let d = compact.describe("track__customer__identify").unwrap();
    assert_eq!(d["id"], "track.customer.identify");
    assert_eq!(d["input_schema"]["type"], "object");
    assert!(ro.describe("track.customer.delete").is_none());
}

/// A line-based JSON-RPC client over an in-memory pipe to a served [`McpServer`].
struct Session {
    write: tokio::io::WriteHalf<tokio::io::DuplexStream>,
    read: BufReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>,
    next: u64,
    transcript: String,
}

impl Session {
    async fn start(server: McpServer) -> Session {
        let (client, server_end) = tokio::io::duplex(1 << 20);
        let (sr, sw) = tokio::io::split(server_end);
        tokio::spawn(async move {
            let _ = mcp::serve_io(server, (sr, sw)).await;
        });
        let (cr, cw) = tokio::io::split(client);
        let mut s = Session {
            write: cw,
            read: BufReader::new(cr),
            next: 1,
            transcript: String::new(),
        };
        let init = s
            .request(
                "initialize",
                json!({"protocolVersion": "2025-06-18", "capabilities": {},
                    "clientInfo": {"name": "cio-host-test", "version": "0"}}),
            )
            .await;
        assert!(
            init["result"]["capabilities"]["tools"].is_object(),
            "{init}"
        );
        assert!(
            init["result"]["capabilities"]["completions"].is_object(),
            "{init}"
        );
        s.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        s
    }

    async fn send(&mut self, v: Value) {
        let line = format!("{v}\n");
        self.transcript.push_str(&line);
        self.write.write_all(line.as_bytes()).await.unwrap();
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        loop {
            let mut line = String::new();
            let n = self.read.read_line(&mut line).await.unwrap();
            assert!(n > 0, "the server closed the pipe");
            self.transcript.push_str(&line);
            let v: Value = serde_json::from_str(&line).unwrap();
            if v["id"] == json!(id) {
                return v;
            }
        }
    }

    async fn call(&mut self, name: &str, arguments: Value) -> Value {
        let v = self
            .request("tools/call", json!({"name": name, "arguments": arguments}))
            .await;
        assert!(v["result"].is_object(), "{v}");
        v["result"].clone()
    }
}

/// The typed error a tool error carries as JSON text.
fn error_of(result: &Value) -> Value {
    let text = result["content"][0]["text"].as_str().expect("text content");
    serde_json::from_str::<Value>(text).unwrap()["error"].clone()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_session_lists_calls_completes_and_never_shows_a_secret() {
    let f = fixture();
    let server = McpServer::new(f.host.clone(), connections(&ALL), &Filter::default()).unwrap();
    let egress = f.host.clone();
    let transcript = runtime().block_on(async move {
        let mut s = Session::start(server).await;
        let list = s.request("tools/list", json!({})).await;
        let tools = list["result"]["tools"].as_array().unwrap();
        assert_eq!(tools.len(), f.ops.len() + 1);

        let auth = s.call("authenticate", json!({"connector": "track"})).await;
        assert_eq!(auth["isError"], false, "{auth}");
        assert_eq!(auth["structuredContent"]["region"], "us");

        let ok = s
            .call(
                "track__customer__identify",
                json!({"id": "mcp@example.com", "id_type": "email", "attributes": {"plan": "pro"}}),
            )
            .await;
        assert_eq!(ok["isError"], false, "{ok}");
        assert_eq!(ok["structuredContent"], json!({}));
        assert_eq!(ok["_meta"]["status"], 200);
        let text = ok["content"][0]["text"].as_str().unwrap();
        assert_eq!(serde_json::from_str::<Value>(text).unwrap(), json!({}));

        let raw = s
            .call(
                "app__raw_http_request",
                json!({"method": "GET", "endpoint": "/campaigns/8/triggers/1", "debug": true}),
            )
            .await;
        assert_eq!(raw["isError"], false, "{raw}");
        assert_eq!(raw["structuredContent"]["status"], 200);

        // A typed error: invalid input, with the pointer and who fixes it.
        let bad = s
            .call("track__customer__identify", json!({"id_type": "email"}))
            .await;
        assert_eq!(bad["isError"], true, "{bad}");
        assert!(bad.get("structuredContent").is_none(), "{bad}");
        let e = &error_of(&bad);
        assert_eq!(e["kind"], "invalid-input", "{bad}");
        assert_eq!(e["fix_by"], "user");
        assert_eq!(e["retryable"], false);

        // Unknown tools are protocol errors.
        let unknown = s
            .request("tools/call", json!({"name": "nope", "arguments": {}}))
            .await;
        assert!(unknown["error"].is_object(), "{unknown}");

        // Lookup fields complete through prompts.
        let prompts = s.request("prompts/list", json!({})).await;
        let prompt = prompts["result"]["prompts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "app__segment__get")
            .cloned()
            .expect("a prompt for app.segment.get");
        assert_eq!(prompt["arguments"][0]["name"], "segment_id");
        let done = s
            .request(
                "completion/complete",
                json!({"ref": {"type": "ref/prompt", "name": "app__segment__get"},
                    "argument": {"name": "segment_id", "value": ""}}),
            )
            .await;
        let values = done["result"]["completion"]["values"].as_array().unwrap();
        assert!(!values.is_empty(), "{done}");
        // The next keystrokes complete from the options already read: no new request.
        let sent = egress.egress_log().len();
        for prefix in ["V", "VI", "VIP"] {
            let again = s
                .request(
                    "completion/complete",
                    json!({"ref": {"type": "ref/prompt", "name": "app__segment__get"},
                        "argument": {"name": "segment_id", "value": prefix}}),
                )
                .await;
            assert!(
                again["result"]["completion"]["values"].is_array(),
                "{again}"
            );
        }
        assert_eq!(
            egress.egress_log().len(),
            sent,
            "completion read the lookup again"
        );
        let got = s
            .request(
                "prompts/get",
                json!({"name": "app__segment__get", "arguments": {"segment_id": values[0]}}),
            )
            .await;
        let text = got["result"]["messages"][0]["content"]["text"]
            .as_str()
            .unwrap();
        assert!(text.contains("app__segment__get"), "{text}");
        s.transcript
    });
    for secret in SECRETS {
        assert!(!transcript.contains(secret), "{secret} in the transcript");
    }
}

#[test]
fn compact_and_read_only_sessions_refuse_what_they_do_not_serve() {
    let f = fixture();
    let filter = Filter {
        compact: true,
        read_only: true,
        ..Default::default()
    };
    let server = McpServer::new(f.host.clone(), connections(&ALL), &filter).unwrap();
    runtime().block_on(async move {
        let mut s = Session::start(server).await;
        let list = s.request("tools/list", json!({})).await;
        assert_eq!(list["result"]["tools"].as_array().unwrap().len(), 4);
        let found = s
            .call(
                "search_operations",
                json!({"query": "segment", "connector": "app"}),
            )
            .await;
        assert!(
            found["structuredContent"]["total"].as_u64().unwrap() > 3,
            "{found}"
        );
        let listed = s
            .call(
                "run_operation",
                json!({"operation": "app.segment.list", "input": {}}),
            )
            .await;
        assert_eq!(listed["isError"], false, "{listed}");
        assert!(
            listed["structuredContent"]["segments"].is_array(),
            "{listed}"
        );
        let refused = s
            .call(
                "run_operation",
                json!({"operation": "track.customer.delete", "input": {"id": "1"}}),
            )
            .await;
        assert_eq!(refused["isError"], true);
        assert_eq!(error_of(&refused)["kind"], "unknown-operation");
        // Per-operation tools are not callable in compact mode.
        let direct = s
            .request(
                "tools/call",
                json!({"name": "app__segment__list", "arguments": {}}),
            )
            .await;
        assert!(direct["error"].is_object(), "{direct}");
    });
}

#[test]
fn listen_accepts_loopback_only() {
    assert!(mcp::loopback_addr("127.0.0.1:0").is_ok());
    assert!(mcp::loopback_addr("[::1]:8931").is_ok());
    assert!(mcp::loopback_addr("localhost:8931").is_ok());
    for addr in ["0.0.0.0:8931", "[::]:8931", "192.0.2.1:80", "nonsense"] {
        assert!(mcp::loopback_addr(addr).is_err(), "{addr}");
    }
}

/// `mcp --listen` keeps at most `MAX_SESSIONS` sessions: one more is refused with 503, not
/// kept without bound.
#[test]
fn listen_caps_open_sessions() {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cio-host"))
        .args(["--emulator", "mcp", "--listen", "127.0.0.1:0"])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("the server says where it listens")
            .unwrap();
        if let Ok(v) = serde_json::from_str::<Value>(&line) {
            if let Some(u) = v["listening"].as_str() {
                break u.to_string();
            }
        }
    };
    let authority = url
        .trim_start_matches("http://")
        .trim_end_matches("/mcp")
        .to_string();
    let open = || {
        let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"cap-test","version":"1"}}}"#;
        let mut s = std::net::TcpStream::connect(&authority).unwrap();
        write!(s, "POST /mcp HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
        let mut head = [0u8; 12];
        s.read_exact(&mut head).unwrap();
        String::from_utf8_lossy(&head[9..12]).to_string()
    };
    for i in 0..mcp::MAX_SESSIONS {
        assert_eq!(open(), "200", "session {i}");
    }
    assert_eq!(open(), "503", "one past the cap");
    let _ = child.kill();
    let _ = child.wait();
}
