//! `cio-host mcp`: the component's operations as [Model Context Protocol] tools, served over stdio
//! (or Streamable HTTP on loopback with `--listen`) with the official Rust SDK, `rmcp`.
//!
//! Every served operation is one tool:
//!
//! - name: the operation id with each `.` written `__` ([`tool_name`]; [`operation_id`] maps it
//!   back). Operation ids are dot-separated segments of `[a-z0-9]` words joined by single `_`, so
//!   the mapping is a bijection and every name fits MCP's and the model APIs' `[A-Za-z0-9_-]{1,64}`;
//! - description, `inputSchema` (the operation's input schema as is), `outputSchema` (the
//!   operation's output schema, given only when it is a JSON object schema as MCP requires);
//! - annotations: `readOnlyHint`, `destructiveHint`, `idempotentHint` from the operation's hints,
//!   `openWorldHint: true` (every operation talks to Customer.io).
//!
//! `tools/call` runs `execute` through the host — the same egress allow-list, limits and
//! redaction as every other call — and answers with the output as `structuredContent` (and as
//! JSON text), or with `isError: true` and `{"error": {kind, message, fix_by, retryable, status,
//! retry_after_ms, pointers, body}}` as JSON text, the typed connector error, so an agent can tell
//! a typo from an outage.
//!
//! `--compact` replaces the per-operation tools with `search_operations`, `describe_operation`
//! and `run_operation`; `authenticate` is a tool in both modes. Fields filled from a lookup
//! (`x-lookup` in the schema) get MCP completion through prompts: each operation with such fields
//! is also a prompt whose arguments are those fields, and `completion/complete` on an argument
//! runs the lookup (MCP completes prompt and resource arguments only, not tool arguments).
//!
//! [Model Context Protocol]: https://modelcontextprotocol.io

use std::collections::HashMap;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CompleteRequestParams, CompleteResult,
    CompletionInfo, GetPromptRequestParams, GetPromptResponse, GetPromptResult, Implementation,
    ListPromptsResult, ListToolsResult, MetaObject, PaginatedRequestParams, Prompt, PromptArgument,
    PromptMessage, Reference, Role, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler, ServiceExt};
use serde_json::{json, Map, Value};

use crate::cli::Outcome;
use crate::{
    json as j, AuthInfo, ConnectionConfig, ConnectorError, ConnectorHost, ConnectorKind, ErrorKind,
    ExecuteRequest, ExecuteResponse, FixBy, Hints, OperationDescriptor, OperationKind,
};

/// `cio-host mcp` flags.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct McpArgs {
    /// Only these APIs: track, app, beta (repeat or separate with commas). Default: every API
    /// with credentials in the environment (all three with --emulator).
    #[arg(long, value_delimiter = ',', value_name = "API")]
    pub connector: Vec<String>,
    /// Only read-only operations (no writes, deletes or sends).
    #[arg(long)]
    pub read_only: bool,
    /// Only operations whose id (or tool name) matches one of these globs (`*`, `?`), e.g.
    /// `app.segment.*` (repeat or separate with commas).
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub tools: Vec<String>,
    /// Serve three meta-tools (search_operations, describe_operation, run_operation) over the
    /// whole (filtered) catalog instead of one tool per operation.
    #[arg(long)]
    pub compact: bool,
    /// Serve Streamable HTTP on this loopback address (e.g. 127.0.0.1:8931) at `/mcp` instead of
    /// stdio. Non-loopback addresses are refused.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
}

/// What the server serves: which operations, in which mode.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only these APIs (`None` = all).
    pub connectors: Option<Vec<ConnectorKind>>,
    /// Only read-only operations.
    pub read_only: bool,
    /// Only operations matching one of these globs (empty = all).
    pub tools: Vec<String>,
    /// Meta-tools instead of one tool per operation.
    pub compact: bool,
}

/// The MCP tool name of an operation id: each `.` becomes `__`. `None` when the id would not map
/// back (a `__`, or a segment starting or ending with `_`) or the name would not be a legal tool
/// name (`[A-Za-z0-9_-]`, at most 64 characters).
pub fn tool_name(operation_id: &str) -> Option<String> {
    let segments_ok = operation_id.split('.').all(|s| {
        !s.is_empty()
            && !s.starts_with('_')
            && !s.ends_with('_')
            && !s.contains("__")
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    });
    let name = operation_id.replace('.', "__");
    (segments_ok && name.len() <= 64).then_some(name)
}

/// The operation id of a tool name made by [`tool_name`]: each `__` becomes `.`.
pub fn operation_id(tool: &str) -> String {
    tool.replace("__", ".")
}

/// `*` matches any run of characters, `?` any one character; everything else itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|i| go(rest, &t[i..])),
            Some(('?', rest)) => !t.is_empty() && go(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && go(rest, &t[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    go(&p, &t)
}

/// The tool annotations of an operation's hints.
pub fn annotations(d: &OperationDescriptor) -> Value {
    json!({
        "title": d.title,
        "readOnlyHint": d.hints.contains(Hints::READ_ONLY),
        "destructiveHint": d.hints.contains(Hints::DESTRUCTIVE),
        "idempotentHint": d.hints.contains(Hints::IDEMPOTENT),
        "openWorldHint": true,
    })
}

fn parse_object(s: &str) -> Option<Map<String, Value>> {
    match serde_json::from_str(s) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

/// One operation the server serves.
#[derive(Clone, Debug)]
pub struct Served {
    /// The operation.
    pub descriptor: OperationDescriptor,
    /// Its tool name.
    pub tool: String,
    /// Its input schema.
    pub input_schema: Map<String, Value>,
    /// Its output schema, when that is an object schema (MCP requires `type: object`).
    pub output_schema: Option<Map<String, Value>>,
    /// Top-level input fields filled from a lookup: (field, lookup operation id).
    pub lookups: Vec<(String, String)>,
}

impl Served {
    fn new(d: &OperationDescriptor, tool: String) -> Served {
        // Every input schema is an object schema; one that did not parse would accept any object.
        let input_schema = parse_object(&d.input_schema)
            .unwrap_or_else(|| Map::from_iter([("type".to_string(), json!("object"))]));
        let output_schema =
            parse_object(&d.output_schema).filter(|s| s.get("type") == Some(&json!("object")));
        let lookups = input_schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|props| {
                props
                    .iter()
                    .filter_map(|(field, s)| {
                        Some((field.clone(), s.get("x-lookup")?.as_str()?.to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Served {
            descriptor: d.clone(),
            tool,
            input_schema,
            output_schema,
            lookups,
        }
    }

    /// The `tools/list` entry of this operation.
    pub fn tool_json(&self) -> Value {
        let d = &self.descriptor;
        let mut t = json!({
            "name": self.tool,
            "title": d.title,
            "description": d.description,
            "inputSchema": self.input_schema,
            "annotations": annotations(d),
        });
        if let Some(o) = &self.output_schema {
            t["outputSchema"] = Value::Object(o.clone());
        }
        t
    }
}

/// The operations a server serves, after the filters, and the tools it lists for them.
#[derive(Clone, Debug)]
pub struct Catalog {
    served: Vec<Served>,
    by_tool: HashMap<String, usize>,
    by_id: HashMap<String, usize>,
    /// Every operation of the component (lookups run from here even when filtered out).
    all: Vec<OperationDescriptor>,
    connectors: Vec<ConnectorKind>,
    compact: bool,
    /// Operations left out because their id has no legal tool name.
    pub unnamed: Vec<String>,
}

const KINDS: [ConnectorKind; 3] = [
    ConnectorKind::Track,
    ConnectorKind::App,
    ConnectorKind::Beta,
];

impl Catalog {
    /// The operations of `ops` the filter lets through, for connections to `connectors`.
    pub fn new(ops: &[OperationDescriptor], filter: &Filter, connectors: &[ConnectorKind]) -> Self {
        let connectors: Vec<ConnectorKind> = KINDS
            .into_iter()
            .filter(|k| connectors.contains(k))
            .filter(|k| filter.connectors.as_ref().is_none_or(|c| c.contains(k)))
            .collect();
        let mut served = Vec::new();
        let mut unnamed = Vec::new();
        for d in ops {
            if !connectors.contains(&d.connector)
                || (filter.read_only && !d.hints.contains(Hints::READ_ONLY))
            {
                continue;
            }
            let Some(tool) = tool_name(&d.id) else {
                unnamed.push(d.id.clone());
                continue;
            };
            if !filter.tools.is_empty()
                && !filter
                    .tools
                    .iter()
                    .any(|g| glob_match(g, &d.id) || glob_match(g, &tool))
            {
                continue;
            }
            served.push(Served::new(d, tool));
        }
        let by_tool = served
            .iter()
            .enumerate()
            .map(|(i, s)| (s.tool.clone(), i))
            .collect();
        let by_id = served
            .iter()
            .enumerate()
            .map(|(i, s)| (s.descriptor.id.clone(), i))
            .collect();
        Catalog {
            served,
            by_tool,
            by_id,
            all: ops.to_vec(),
            connectors,
            compact: filter.compact,
            unnamed,
        }
    }

    /// The served operations.
    pub fn served(&self) -> &[Served] {
        &self.served
    }

    /// The APIs served.
    pub fn connectors(&self) -> &[ConnectorKind] {
        &self.connectors
    }

    /// A served operation by tool name.
    pub fn by_tool(&self, tool: &str) -> Option<&Served> {
        self.by_tool.get(tool).map(|&i| &self.served[i])
    }

    /// A served operation by id or tool name.
    pub fn find(&self, id_or_tool: &str) -> Option<&Served> {
        self.by_id
            .get(id_or_tool)
            .or_else(|| self.by_tool.get(id_or_tool))
            .map(|&i| &self.served[i])
    }

    fn connector_enum(&self) -> Vec<&'static str> {
        self.connectors
            .iter()
            .map(|&k| j::connector_str(k))
            .collect()
    }

    /// The `tools/list` entries: `authenticate`, then one tool per operation or the three
    /// meta-tools.
    pub fn tools_json(&self) -> Vec<Value> {
        let mut tools = vec![json!({
            "name": "authenticate",
            "title": "Test a Customer.io connection",
            "description": "Tests the connection of one API (track, app or beta) with one cheap authenticated request per credential and returns its region, base URL and what the probe learned (workspace ids, names; never a secret).",
            "inputSchema": {"type": "object", "additionalProperties": false, "required": ["connector"],
                "properties": {"connector": {"type": "string", "enum": self.connector_enum(), "description": "Which API's connection to test."}}},
            "outputSchema": {"type": "object", "required": ["connector", "region", "base_url"],
                "properties": {"connector": {"type": "string"}, "region": {"type": "string"}, "base_url": {"type": "string"}, "details": {"type": "object", "additionalProperties": true}}},
            "annotations": {"title": "Test a Customer.io connection", "readOnlyHint": true, "destructiveHint": false, "idempotentHint": true, "openWorldHint": true},
        })];
        if !self.compact {
            tools.extend(self.served.iter().map(Served::tool_json));
            return tools;
        }
        let all_read_only = self
            .served
            .iter()
            .all(|s| s.descriptor.hints.contains(Hints::READ_ONLY));
        let any_destructive = self
            .served
            .iter()
            .any(|s| s.descriptor.hints.contains(Hints::DESTRUCTIVE));
        let all_idempotent = self
            .served
            .iter()
            .all(|s| s.descriptor.hints.contains(Hints::IDEMPOTENT));
        let catalog_only = |title: &str| json!({"title": title, "readOnlyHint": true, "destructiveHint": false, "idempotentHint": true, "openWorldHint": false});
        tools.push(json!({
            "name": "search_operations",
            "title": "Search Customer.io operations",
            "description": format!("Finds operations of the Customer.io connector ({} served) by words in their id, title and description. Answers ids, titles, hints (read_only, destructive, idempotent, paginated) and descriptions; describe_operation gives one operation's input schema, run_operation runs it.", self.served.len()),
            "inputSchema": {"type": "object", "additionalProperties": false, "properties": {
                "query": {"type": "string", "description": "Words that must all appear (case-insensitive), e.g. \"segment members\". Empty lists everything."},
                "connector": {"type": "string", "enum": self.connector_enum(), "description": "Only this API."},
                "read_only": {"type": "boolean", "description": "Only operations that change nothing."},
                "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20, "description": "Most operations to answer."}}},
            "outputSchema": {"type": "object", "required": ["operations", "total"], "properties": {
                "operations": {"type": "array", "items": {"type": "object"}},
                "total": {"type": "integer", "description": "How many matched."},
                "truncated": {"type": "boolean"}}},
            "annotations": catalog_only("Search Customer.io operations"),
        }));
        tools.push(json!({
            "name": "describe_operation",
            "title": "Describe a Customer.io operation",
            "description": "One operation's title, description, hints and input and output JSON Schemas. Give the input to run_operation as the `input` object.",
            "inputSchema": {"type": "object", "additionalProperties": false, "required": ["operation"], "properties": {
                "operation": {"type": "string", "description": "Operation id, e.g. track.customer.identify (a tool name such as track__customer__identify works too)."}}},
            "outputSchema": {"type": "object", "required": ["id", "input_schema"], "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"}, "hints": {"type": "object"},
                "input_schema": {"type": "object"}, "output_schema": {"type": "object"}}},
            "annotations": catalog_only("Describe a Customer.io operation"),
        }));
        tools.push(json!({
            "name": "run_operation",
            "title": "Run a Customer.io operation",
            "description": format!("Runs one operation with its input and returns Customer.io's answer, or the typed connector error (kind, message, fix_by, retryable). {}Check an operation's hints with search_operations or describe_operation first: destructive ones delete or overwrite data, sends are never repeated automatically.", if all_read_only { "Only read-only operations are served. " } else { "" }),
            "inputSchema": {"type": "object", "additionalProperties": false, "required": ["operation"], "properties": {
                "operation": {"type": "string", "description": "Operation id, e.g. app.segment.list."},
                "input": {"type": "object", "description": "The operation's input, matching its input schema (describe_operation)."},
                "timeout_ms": {"type": "integer", "minimum": 1, "maximum": 300000, "description": "Budget for the whole call, retries included (default 30000)."}}},
            "annotations": {"title": "Run a Customer.io operation", "readOnlyHint": all_read_only, "destructiveHint": any_destructive, "idempotentHint": all_idempotent, "openWorldHint": true},
        }));
        tools
    }

    /// The `tools/list` result as JSON (what a client receives).
    pub fn tools_list_json(&self) -> Value {
        json!({"tools": self.tools_json()})
    }

    /// Served operations with lookup-filled fields, as prompts whose arguments are those fields.
    pub fn prompts(&self) -> Vec<Prompt> {
        self.served
            .iter()
            .filter(|s| !s.lookups.is_empty())
            .filter_map(|s| {
                let required: Vec<&str> = s
                    .input_schema
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let props = s.input_schema.get("properties")?.as_object()?;
                let args = s
                    .lookups
                    .iter()
                    .map(|(field, lookup)| {
                        let p = &props[field];
                        let desc = p.get("description").and_then(Value::as_str).unwrap_or("");
                        serde_json::from_value(json!({
                            "name": field,
                            "title": p.get("title").and_then(Value::as_str).unwrap_or(field),
                            "description": format!("{desc} Completion lists values from {lookup}."),
                            "required": required.contains(&field.as_str()),
                        }))
                        .ok()
                    })
                    .collect::<Option<Vec<PromptArgument>>>()?;
                serde_json::from_value(json!({
                    "name": s.tool,
                    "title": s.descriptor.title,
                    "description": format!("Prepare a call of the tool {} ({}); its lookup fields complete from Customer.io.", s.tool, s.descriptor.id),
                    "arguments": args,
                }))
                .ok()
            })
            .collect()
    }

    /// Search the served operations (the `search_operations` tool).
    pub fn search(&self, args: &Map<String, Value>) -> Value {
        let words: Vec<String> = args
            .get("query")
            .and_then(Value::as_str)
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let connector = args.get("connector").and_then(Value::as_str);
        let read_only = args.get("read_only").and_then(Value::as_bool) == Some(true);
        let limit = args
            .get("limit")
            .and_then(Value::as_u64)
            .unwrap_or(20)
            .clamp(1, 100) as usize;
        let mut hits: Vec<(u32, &Served)> = self
            .served
            .iter()
            .filter(|s| connector.is_none_or(|c| j::connector_str(s.descriptor.connector) == c))
            .filter(|s| !read_only || s.descriptor.hints.contains(Hints::READ_ONLY))
            .filter_map(|s| {
                let d = &s.descriptor;
                let (id, title, desc) = (
                    d.id.to_lowercase(),
                    d.title.to_lowercase(),
                    d.description.to_lowercase(),
                );
                let mut score = 0;
                for w in &words {
                    let w_score = 4 * u32::from(id.contains(w.as_str()))
                        + 2 * u32::from(title.contains(w.as_str()))
                        + u32::from(desc.contains(w.as_str()));
                    if w_score == 0 {
                        return None;
                    }
                    score += w_score;
                }
                Some((score, s))
            })
            .collect();
        hits.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then(a.1.descriptor.id.cmp(&b.1.descriptor.id))
        });
        let total = hits.len();
        let operations: Vec<Value> = hits
            .iter()
            .take(limit)
            .map(|(_, s)| {
                let d = j::descriptor(&s.descriptor);
                json!({"id": d["id"], "tool": s.tool, "title": d["title"], "connector": d["connector"],
                    "kind": d["kind"], "hints": d["hints"], "description": d["description"]})
            })
            .collect();
        json!({"operations": operations, "total": total, "truncated": total > limit})
    }

    /// One served operation's descriptor (the `describe_operation` tool).
    pub fn describe(&self, id_or_tool: &str) -> Option<Value> {
        let s = self.find(id_or_tool)?;
        let mut d = j::descriptor(&s.descriptor);
        d["tool"] = json!(s.tool);
        d["annotations"] = annotations(&s.descriptor);
        Some(d)
    }

    fn lookup_op(&self, id: &str) -> Option<&OperationDescriptor> {
        self.all
            .iter()
            .find(|d| d.id == id && d.kind == OperationKind::Lookup)
    }
}

/// A typed error the server itself produces (same shape as the component's).
fn server_error(kind: ErrorKind, message: String) -> ConnectorError {
    ConnectorError {
        kind,
        message,
        fix_by: FixBy::User,
        retryable: false,
        status: None,
        retry_after_ms: None,
        pointers: Vec::new(),
        body: None,
    }
}

// ---- The one place the MCP server calls the host. ----
//
// The server runs on the host's own runtime (see `run`), so awaiting a call costs no hop between
// runtimes; many tool calls may be in flight at once.

async fn host_execute(
    host: &ConnectorHost,
    request: ExecuteRequest,
) -> anyhow::Result<Result<ExecuteResponse, ConnectorError>> {
    host.execute_async(request).await
}

async fn host_authenticate(
    host: &ConnectorHost,
    config: ConnectionConfig,
) -> anyhow::Result<Result<AuthInfo, ConnectorError>> {
    host.authenticate_async(config).await
}

// ---- The server. ----

struct Inner {
    host: ConnectorHost,
    catalog: Catalog,
    connections: Vec<ConnectionConfig>,
    tools: Vec<Tool>,
    prompts: Vec<Prompt>,
    /// Each lookup's options as last read, with when: completion runs on every keystroke, and
    /// one paged read serves them all for [`LOOKUP_CACHE`].
    lookups: std::sync::Mutex<std::collections::HashMap<String, CachedLookup>>,
}

/// A lookup's options as read: when, the options, and whether the list was cut.
type CachedLookup = (std::time::Instant, Vec<Value>, bool);

/// How long completion reuses a lookup's options before reading them again.
const LOOKUP_CACHE: std::time::Duration = std::time::Duration::from_secs(60);

/// The MCP server: a [`ServerHandler`] over a loaded host and its connections.
#[derive(Clone)]
pub struct McpServer {
    inner: Arc<Inner>,
}

impl McpServer {
    /// A server for `host` with these connections (one per API at most), serving what `filter`
    /// lets through. Fails when the component cannot list its operations.
    pub fn new(
        host: ConnectorHost,
        connections: Vec<ConnectionConfig>,
        filter: &Filter,
    ) -> anyhow::Result<McpServer> {
        let ops = host.list_operations()?;
        let kinds: Vec<ConnectorKind> = connections.iter().map(|c| c.connector).collect();
        let catalog = Catalog::new(&ops, filter, &kinds);
        let tools = catalog
            .tools_json()
            .into_iter()
            .map(serde_json::from_value::<Tool>)
            .collect::<Result<Vec<_>, _>>()?;
        let prompts = catalog.prompts();
        Ok(McpServer {
            inner: Arc::new(Inner {
                host,
                catalog,
                connections,
                tools,
                prompts,
                lookups: Default::default(),
            }),
        })
    }

    /// What the server serves.
    pub fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    fn connection(&self, kind: ConnectorKind) -> Result<ConnectionConfig, ConnectorError> {
        self.inner
            .connections
            .iter()
            .find(|c| c.connector == kind)
            .cloned()
            .ok_or_else(|| {
                server_error(
                    ErrorKind::InvalidConfig,
                    format!(
                        "this server has no {} connection (served: {})",
                        j::connector_str(kind),
                        self.inner.catalog.connector_enum().join(", ")
                    ),
                )
            })
    }

    /// Runs one served operation; `Err` is the tool error to answer.
    async fn run(
        &self,
        op: &OperationDescriptor,
        input: Value,
        timeout_ms: Option<u32>,
    ) -> Result<(Value, ExecuteResponse), Value> {
        let config = self.connection(op.connector).map_err(|e| j::error(&e))?;
        let request = ExecuteRequest {
            operation_id: op.id.clone(),
            config,
            input: input.to_string(),
            timeout_ms,
            request_id: None,
        };
        match host_execute(&self.inner.host, request).await {
            Ok(Ok(r)) => {
                let output = serde_json::from_str(&r.output)
                    .unwrap_or_else(|_| Value::String(r.output.clone()));
                Ok((output, r))
            }
            Ok(Err(e)) => Err(j::error(&e)),
            Err(e) => Err(host_failure(e)),
        }
    }

    async fn call(&self, name: &str, args: Map<String, Value>) -> Result<CallToolResult, McpError> {
        let catalog = &self.inner.catalog;
        let answer = |r: Result<(Value, ExecuteResponse), Value>| match r {
            Ok((output, resp)) => success(output, Some(&resp)),
            Err(e) => tool_error(e),
        };
        if let Some(s) = catalog.by_tool(name).filter(|_| !catalog.compact) {
            return Ok(answer(
                self.run(&s.descriptor, Value::Object(args), None).await,
            ));
        }
        match name {
            "authenticate" => {
                let connector = args.get("connector").and_then(Value::as_str).unwrap_or("");
                let Some(kind) = KINDS
                    .into_iter()
                    .find(|&k| j::connector_str(k) == connector)
                else {
                    return Ok(tool_error(j::error(&server_error(
                        ErrorKind::InvalidInput,
                        format!(
                            "connector must be one of {}",
                            catalog.connector_enum().join(", ")
                        ),
                    ))));
                };
                let config = match self.connection(kind) {
                    Ok(c) => c,
                    Err(e) => return Ok(tool_error(j::error(&e))),
                };
                Ok(match host_authenticate(&self.inner.host, config).await {
                    Ok(Ok(info)) => success(j::auth_info(&info), None),
                    Ok(Err(e)) => tool_error(j::error(&e)),
                    Err(e) => tool_error(host_failure(e)),
                })
            }
            "search_operations" if catalog.compact => Ok(success(catalog.search(&args), None)),
            "describe_operation" if catalog.compact => {
                let id = args.get("operation").and_then(Value::as_str).unwrap_or("");
                Ok(match catalog.describe(id) {
                    Some(d) => success(d, None),
                    None => tool_error(unknown(id)),
                })
            }
            "run_operation" if catalog.compact => {
                let id = args.get("operation").and_then(Value::as_str).unwrap_or("");
                let Some(s) = catalog.find(id) else {
                    return Ok(tool_error(unknown(id)));
                };
                let input = args.get("input").cloned().unwrap_or_else(|| json!({}));
                let timeout_ms = args
                    .get("timeout_ms")
                    .and_then(Value::as_u64)
                    .map(|t| t.min(u64::from(u32::MAX)) as u32);
                Ok(answer(self.run(&s.descriptor, input, timeout_ms).await))
            }
            _ => Err(McpError::invalid_params(
                format!("unknown tool: {name}"),
                None,
            )),
        }
    }

    /// Values for a lookup-filled prompt argument: the lookup's options whose text contains
    /// `prefix`, at most 100.
    async fn complete_field(&self, prompt: &str, field: &str, prefix: &str) -> CompletionInfo {
        let catalog = &self.inner.catalog;
        let lookup = catalog
            .by_tool(prompt)
            .and_then(|s| s.lookups.iter().find(|(f, _)| f == field))
            .and_then(|(_, l)| catalog.lookup_op(l))
            .cloned();
        let Some(lookup) = lookup else {
            return CompletionInfo::default();
        };
        let cached = {
            let cache = self.inner.lookups.lock().unwrap_or_else(|e| e.into_inner());
            cache
                .get(&lookup.id)
                .filter(|(at, _, _)| at.elapsed() < LOOKUP_CACHE)
                .map(|(_, options, truncated)| (options.clone(), *truncated))
        };
        let (options, truncated) = match cached {
            Some(hit) => hit,
            None => {
                let Ok((output, _)) = self.run(&lookup, json!({}), None).await else {
                    return CompletionInfo::default();
                };
                let options = output["result"].as_array().cloned().unwrap_or_default();
                let truncated = output["truncated"] == json!(true);
                let mut cache = self.inner.lookups.lock().unwrap_or_else(|e| e.into_inner());
                cache.insert(
                    lookup.id.clone(),
                    (std::time::Instant::now(), options.clone(), truncated),
                );
                (options, truncated)
            }
        };
        // The lookup's own search, on the cached options: text containing the prefix.
        let prefix = prefix.to_lowercase();
        let mut values: Vec<String> = options
            .iter()
            .filter(|o| {
                o["text"]
                    .as_str()
                    .is_some_and(|t| t.to_lowercase().contains(&prefix))
            })
            .filter_map(|o| match &o["value"] {
                Value::String(s) => Some(s.clone()),
                Value::Null => None,
                v => Some(v.to_string()),
            })
            .collect();
        let total = values.len();
        values.truncate(CompletionInfo::MAX_VALUES);
        let more = total > values.len() || truncated;
        CompletionInfo::with_pagination(values, Some(total as u32), more).unwrap_or_default()
    }
}

fn unknown(id: &str) -> Value {
    j::error(&server_error(
        ErrorKind::UnknownOperation,
        format!("this server serves no operation `{id}`; search_operations lists the ones it does"),
    ))
}

fn host_failure(e: anyhow::Error) -> Value {
    let mut err = server_error(ErrorKind::Internal, format!("the component failed: {e:#}"));
    err.fix_by = FixBy::Connector;
    j::error(&err)
}

/// A tool error: `isError` with the typed error as JSON text. Not as `structuredContent`: clients
/// (the TypeScript SDK, hence the inspector) check structured content against the tool's output
/// schema even on errors, and an error is not the operation's output.
fn tool_error(error: Value) -> CallToolResult {
    CallToolResult::error(vec![rmcp::model::ContentBlock::text(error.to_string())])
}

/// A successful tool result: the output as structured content (objects only, as MCP requires) and
/// as JSON text; upstream status and request count in `_meta`.
fn success(output: Value, response: Option<&ExecuteResponse>) -> CallToolResult {
    let mut result = if output.is_object() {
        CallToolResult::structured(output)
    } else {
        CallToolResult::success(vec![rmcp::model::ContentBlock::text(output.to_string())])
    };
    if let Some(r) = response {
        let mut meta = Map::new();
        meta.insert("status".into(), json!(r.status));
        meta.insert("requests".into(), json!(r.requests));
        result = result.with_meta(Some(MetaObject(meta)));
    }
    result
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        let mut implementation = Implementation::new("cio-host", env!("CARGO_PKG_VERSION"));
        implementation.title = Some("Customer.io connector (WebAssembly component)".into());
        let read_only = self
            .inner
            .catalog
            .served
            .iter()
            .all(|s| s.descriptor.hints.contains(Hints::READ_ONLY));
        let instructions = format!(
            "Customer.io {} through the connector component. Tool annotations are honest: readOnlyHint tools change nothing, destructiveHint tools delete or overwrite data (ask before calling them), sends are never retried automatically. Errors come back as isError results with {{\"error\": {{kind, message, fix_by, retryable}}}}: fix_by \"user\" means fix the input; retry only when retryable is true.{}",
            self.inner.catalog.connector_enum().join(", "),
            if read_only { " This server serves read-only operations only." } else { "" }
        );
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_completions()
                .enable_prompts()
                .enable_tools()
                .build(),
        )
        .with_server_info(implementation)
        .with_instructions(instructions)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.inner.tools.clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let args = request.arguments.unwrap_or_default();
        self.call(&request.name, args).await.map(Into::into)
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        Ok(ListPromptsResult::with_all_items(
            self.inner.prompts.clone(),
        ))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        let Some(s) = self
            .inner
            .catalog
            .by_tool(&request.name)
            .filter(|s| !s.lookups.is_empty())
        else {
            return Err(McpError::invalid_params(
                format!("unknown prompt: {}", request.name),
                None,
            ));
        };
        let props = s.input_schema.get("properties").and_then(Value::as_object);
        let mut input = Map::new();
        for (k, v) in request.arguments.unwrap_or_default() {
            let integer = props
                .and_then(|p| p.get(&k))
                .is_some_and(|p| p.get("type") == Some(&json!("integer")));
            let v = match (&v, integer) {
                (Value::String(t), true) => t.parse::<i64>().map(Value::from).unwrap_or(v),
                _ => v,
            };
            input.insert(k, v);
        }
        let how = if self.inner.catalog.compact {
            format!(
                "run_operation with operation \"{}\" and input",
                s.descriptor.id
            )
        } else {
            format!("the tool {} with the input", s.tool)
        };
        let text = format!(
            "{}: {}\n\nCall {how} {} (add the other fields its input schema needs).",
            s.descriptor.title,
            s.descriptor.description,
            Value::Object(input)
        );
        Ok(
            GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
                .with_description(s.descriptor.title.clone())
                .into(),
        )
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        let completion = match &request.r#ref {
            Reference::Prompt(p) => {
                self.complete_field(&p.name, &request.argument.name, &request.argument.value)
                    .await
            }
            _ => CompletionInfo::default(),
        };
        Ok(CompleteResult::new(completion))
    }
}

// ---- `cio-host mcp`. ----

/// The address `--listen` names, if every address it resolves to is loopback.
pub fn loopback_addr(listen: &str) -> Result<SocketAddr, String> {
    let addrs: Vec<SocketAddr> = listen
        .to_socket_addrs()
        .map_err(|e| format!("--listen {listen:?} is not an address (host:port): {e}"))?
        .collect();
    match addrs.first() {
        Some(a) if addrs.iter().all(|a| a.ip().is_loopback()) => Ok(*a),
        Some(_) => Err(format!(
            "--listen {listen:?} is not a loopback address: the MCP server holds your Customer.io credentials and listens on 127.0.0.1, [::1] or localhost only"
        )),
        None => Err(format!("--listen {listen:?} resolves to no address")),
    }
}

fn parse_connectors(names: &[String]) -> Result<Option<Vec<ConnectorKind>>, String> {
    if names.is_empty() {
        return Ok(None);
    }
    names
        .iter()
        .map(|n| {
            KINDS
                .into_iter()
                .find(|&k| j::connector_str(k) == n.trim())
                .ok_or_else(|| format!("connector must be track, app or beta, not {n:?}"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn fail(code: i32, kind: &str, message: String) -> Outcome {
    let body = json!({"error": {"kind": kind, "message": message, "fix_by": "user", "retryable": false,
        "status": null, "retry_after_ms": null, "pointers": [], "body": null}});
    Outcome {
        code,
        stdout: String::new(),
        stderr: format!("{body}\n"),
    }
}

/// Runs `cio-host mcp` until the client goes away (stdio) or the process is stopped (`--listen`).
/// `connection` gives each API's connection from the environment, or why there is none. Speaks
/// MCP on the process's own stdin and stdout; nothing else is written to stdout.
pub fn run(
    host: ConnectorHost,
    args: &McpArgs,
    connection: &dyn Fn(ConnectorKind) -> Result<ConnectionConfig, String>,
) -> Outcome {
    let connectors = match parse_connectors(&args.connector) {
        Ok(c) => c,
        Err(m) => return fail(2, "invalid-config", m),
    };
    let listen = match args.listen.as_deref().map(loopback_addr).transpose() {
        Ok(l) => l,
        Err(m) => return fail(2, "invalid-config", m),
    };
    let wanted: Vec<ConnectorKind> = connectors.clone().unwrap_or_else(|| KINDS.to_vec());
    let mut connections = Vec::new();
    let mut missing = Vec::new();
    for kind in wanted {
        match connection(kind) {
            Ok(c) => connections.push(c),
            // The CLI hands over its rendered error; keep just the message.
            Err(m) => missing.push(
                serde_json::from_str::<Value>(&m)
                    .ok()
                    .and_then(|v| v["error"]["message"].as_str().map(String::from))
                    .unwrap_or(m),
            ),
        }
    }
    missing.dedup();
    // Asked-for APIs must all have credentials; without --connector, serve the ones that do.
    if connections.is_empty() || (connectors.is_some() && !missing.is_empty()) {
        return fail(3, "invalid-config", missing.join("; "));
    }
    let filter = Filter {
        connectors,
        read_only: args.read_only,
        tools: args.tools.clone(),
        compact: args.compact,
    };
    // The server holds a clone of the host (a shared handle); this one gives the runtime.
    let server = match McpServer::new(host.clone(), connections, &filter) {
        Ok(s) => s,
        Err(e) => return fail(9, "internal", format!("the component failed: {e:#}")),
    };
    if server.catalog().served().is_empty() {
        return fail(
            3,
            "invalid-config",
            "the filters (--connector, --read-only, --tools) leave no operation to serve".into(),
        );
    }
    // The server runs on the host's runtime: a tool call and its HTTP share a worker.
    let result = host.runtime().clone().block_on(async move {
        match listen {
            None => serve_stdio(server).await,
            Some(addr) => serve_http(server, addr).await,
        }
    });
    match result {
        Ok(()) => Outcome::default(),
        Err(e) => fail(9, "internal", format!("the MCP server failed: {e:#}")),
    }
}

/// Serves MCP over this process's stdin and stdout until the client closes them.
pub async fn serve_stdio(server: McpServer) -> anyhow::Result<()> {
    serve_io(server, rmcp::transport::stdio()).await
}

/// Serves MCP over any byte stream pair (stdio, a pipe, an in-memory duplex in tests).
pub async fn serve_io<R, W>(server: McpServer, io: (R, W)) -> anyhow::Result<()>
where
    R: tokio::io::AsyncRead + Send + Unpin + 'static,
    W: tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let running = server
        .serve(io)
        .await
        .map_err(|e| anyhow::anyhow!("MCP initialization failed: {e}"))?;
    running.waiting().await?;
    Ok(())
}

/// The most MCP sessions `serve_http` keeps open at once.
pub const MAX_SESSIONS: usize = 64;

/// Serves MCP over Streamable HTTP at `http://ADDR/mcp` (loopback only; `Host` and `Origin`
/// checked against loopback names to stop DNS rebinding). Prints `{"listening": URL}` on stderr.
pub async fn serve_http(server: McpServer, addr: SocketAddr) -> anyhow::Result<()> {
    use rmcp::transport::streamable_http_server::{
        session::local::LocalSessionManager, StreamableHttpServerConfig, StreamableHttpService,
    };
    anyhow::ensure!(addr.ip().is_loopback(), "{addr} is not a loopback address");
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(["localhost", "127.0.0.1", "::1", "[::1]"])
        .with_allowed_origins(["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"]);
    let sessions = Arc::new(LocalSessionManager::default());
    let service: StreamableHttpService<McpServer, LocalSessionManager> =
        StreamableHttpService::new(move || Ok(server.clone()), sessions.clone(), config);
    // At most MAX_SESSIONS at once (idle ones close after rmcp's keep-alive, 5 minutes): a new
    // session past that is refused with 503 instead of growing without bound.
    let cap = axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let sessions = sessions.clone();
            async move {
                let opens = req.method() == axum::http::Method::POST
                    && !req.headers().contains_key("mcp-session-id");
                if opens && sessions.sessions.read().await.len() >= MAX_SESSIONS {
                    let body = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32000,
                    "message": format!("the server has {MAX_SESSIONS} sessions open, its limit: close one (DELETE /mcp with its Mcp-Session-Id) or wait for idle ones to expire (5 minutes)")}});
                    return axum::response::IntoResponse::into_response((
                        axum::http::StatusCode::SERVICE_UNAVAILABLE,
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        body.to_string(),
                    ));
                }
                next.run(req).await
            }
        },
    );
    let router = axum::Router::new().nest_service("/mcp", service).layer(cap);
    let url = match local {
        SocketAddr::V6(a) => format!("http://[{}]:{}/mcp", a.ip(), a.port()),
        SocketAddr::V4(a) => format!("http://{}:{}/mcp", a.ip(), a.port()),
    };
    eprintln!("{}", json!({"listening": url}));
    axum::serve(listener, router).await?;
    Ok(())
}
