//! Reference host for the Customer.io connector component.
//!
//! It shows what a workflow platform has to do to run the component safely: compile it once
//! (and cache the compiled artifact on disk), instantiate per call from an `InstancePre`, and own
//! the network edge. Every request the component makes passes through [`Egress`], which allows
//! only Customer.io hosts over HTTPS and can route everything to a local emulator for tests.
//!
//! Every call is bounded: a deadline derived from the call's budget stops a guest that computes
//! or waits too long (epoch interruption for wasm code, a timer for waits in the host), each
//! instance's memory is capped, and each response body is capped. Such stops come back as typed
//! [`ConnectorError`]s (`timeout`, `upstream`, `internal`), never as a trap with a backtrace.
#![deny(missing_docs)]

use std::collections::VecDeque;
use std::future::Future as _;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, SizeHint};
use sha2::{Digest, Sha256};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store, Trap, UpdateDeadline};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

/// The host's outgoing HTTP client: HTTP/1.1 with keep-alive, TLS by rustls (the webpki roots),
/// plain HTTP only for `route_to` (the allow-list refuses `http:` before a request gets here).
type Client = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    wasmtime_wasi_http::WasiBody,
>;

pub mod cli;
pub mod json;
pub mod mcp;

/// Generated from `wit/connector.wit`; its documentation is the WIT file.
#[allow(missing_docs)]
mod bindings {
    wasmtime::component::bindgen!({
        world: "connector-component",
        path: "../wit",
        exports: { default: async },
    });
}

pub use bindings::customerio::connector::types::{
    AuthInfo, ConnectionConfig, ConnectorError, ConnectorKind, Credentials, ErrorKind,
    ExecuteRequest, ExecuteResponse, FixBy, Hints, OperationDescriptor, OperationKind, Region,
    TrackCredentials,
};

/// The Customer.io hosts the component may reach; anything else is denied.
pub const ALLOWED_HOSTS: [&str; 6] = [
    "track.customer.io",
    "track-eu.customer.io",
    "api.customer.io",
    "api-eu.customer.io",
    "beta-api.customer.io",
    "beta-api-eu.customer.io",
];

/// Base URLs per API and region, for the manifest (the component has its own copy of this table).
pub const BASE_URLS: [(&str, &str, &str); 3] = [
    (
        "track",
        "https://track.customer.io/api",
        "https://track-eu.customer.io/api",
    ),
    (
        "app",
        "https://api.customer.io/v1",
        "https://api-eu.customer.io/v1",
    ),
    (
        "beta",
        "https://beta-api.customer.io/v1/api",
        "https://beta-api-eu.customer.io/v1/api",
    ),
];

/// The release build of the component in this workspace: the default when no path is given.
pub fn default_component_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/wasm32-wasip2/release/customerio_connector.wasm")
}

/// The largest input one call takes, in bytes (the component refuses more): hosts read no more
/// than this from a file or stream before refusing it.
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// The largest component file a host loads, in bytes: the connector is under 1 MiB, so anything
/// near this is the wrong file, refused before it is read whole.
pub const MAX_COMPONENT_BYTES: u64 = 64 * 1024 * 1024;

/// The budget of an `execute` request without `timeout_ms` (the component's default too).
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest budget the host grants one `execute` call, whatever `timeout_ms` asks (the longest
/// `timeout_ms` a raw request may ask for).
pub const MAX_CALL_TIMEOUT: Duration = Duration::from_secs(300);

/// How often the engine's epoch advances, i.e. how late past its deadline a computing guest is
/// stopped at most.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// How to load and run the component.
#[derive(Clone, Debug)]
pub struct HostOptions {
    /// The `.wasm` component.
    pub component: PathBuf,
    /// Send every allowed request to this `http://host:port` instead, keeping path, query and
    /// `Host` (tests and the embedded emulator). Loopback only (127.0.0.0/8, ::1, localhost):
    /// the credentials travel over plain HTTP.
    pub route_to: Option<String>,
    /// Where compiled artifacts are cached; `None` = a `cio-host-cache` folder beside the component.
    /// An artifact is used only if its SHA-256 checksum file matches and (on Unix) neither file
    /// nor the folder is writable by group or others; otherwise the component is recompiled.
    pub cache_dir: Option<PathBuf>,
    /// Largest linear memory the component may grow to; past it, allocation fails and the call
    /// ends with a typed error instead of taking the host's memory.
    pub max_memory_bytes: usize,
    /// Upper bound for connect, first-byte and between-bytes waits of one request, whatever the
    /// component asks (wasmtime's default is 600 s). Default 300 s, the longest `timeout_ms` a raw
    /// request may ask for.
    pub max_request_wait: Duration,
    /// Time a call may run past its own budget before the host stops it (the component is
    /// expected to end itself at its budget). Default 2 s.
    ///
    /// An `execute` call's budget is its `timeout_ms` (default 30 s, at most
    /// [`MAX_CALL_TIMEOUT`]); every request it makes must be complete, body included, within
    /// the budget, and the call itself within budget plus grace.
    pub deadline_grace: Duration,
    /// Budget of an `authenticate` call (its probes use the component's default budget).
    /// Default 30 s.
    pub authenticate_timeout: Duration,
    /// Budget of a `list-operations` call (no network). Default 10 s.
    pub list_operations_timeout: Duration,
    /// Largest response body one request may deliver to the component; past it the request
    /// fails with `HttpResponseBodySize`. Default 64 MiB.
    pub max_response_bytes: u64,
    /// How many of the newest [`EgressRecord`]s [`ConnectorHost::egress_log`] keeps; 0 keeps none.
    /// Default 1,000.
    pub egress_log_limit: usize,
    /// Calls that may run at once. Each call gets a fresh instance from a pool reserved at load
    /// (wasmtime's pooling allocator), so instantiating and tearing down stay cheap; a call past
    /// the limit fails with a host error instead of growing memory without bound. Default 256;
    /// 0 = no pool: each instance is allocated on demand (and their number is not bounded).
    pub max_instances: u32,
    /// Memory each instance slot keeps resident between calls (its dirty pages are reset in
    /// place instead of handed back to the kernel and faulted in again). Default 16 MiB; only
    /// what calls dirtied counts, and only for slots calls used.
    pub keep_resident_bytes: usize,
    /// Worker threads, each running calls and their HTTP I/O on a runtime of its own. Default:
    /// the machine's available parallelism.
    pub worker_threads: usize,
    /// Idle keep-alive connections kept per Customer.io host (or per `route_to` target) for the
    /// next request; 0 closes every connection after its response. Default 32.
    pub max_idle_connections_per_host: usize,
    /// How long an idle keep-alive connection is kept. Default 60 s.
    pub idle_connection_timeout: Duration,
}

impl Default for HostOptions {
    fn default() -> Self {
        HostOptions {
            component: std::env::var_os("CIO_COMPONENT")
                .map(PathBuf::from)
                .unwrap_or_else(default_component_path),
            route_to: None,
            cache_dir: None,
            max_request_wait: Duration::from_secs(300),
            max_memory_bytes: 512 << 20,
            deadline_grace: Duration::from_secs(2),
            authenticate_timeout: DEFAULT_CALL_TIMEOUT,
            list_operations_timeout: Duration::from_secs(10),
            max_response_bytes: 64 << 20,
            egress_log_limit: 1000,
            max_instances: 256,
            keep_resident_bytes: 16 << 20,
            worker_threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            max_idle_connections_per_host: 32,
            idle_connection_timeout: Duration::from_secs(60),
        }
    }
}

/// One request the host let through or refused, for audits and tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EgressRecord {
    /// Method.
    pub method: String,
    /// The URI the component asked for (before any routing).
    pub uri: String,
    /// Whether the allow-list let it through.
    pub allowed: bool,
}

/// The newest egress records, at most `limit` of them.
struct EgressLog {
    limit: usize,
    records: Mutex<VecDeque<EgressRecord>>,
}

impl EgressLog {
    fn push(&self, record: EgressRecord) {
        if self.limit == 0 {
            return;
        }
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        while records.len() >= self.limit {
            records.pop_front();
        }
        records.push_back(record);
    }
}

/// The `send_request` hook: allow-list, optional routing, timeout and size caps.
#[derive(Clone)]
pub struct Egress {
    route_to: Option<http::uri::Authority>,
    max_wait: Duration,
    max_response_bytes: u64,
    log: Arc<EgressLog>,
    /// Shared by every call: connections are reused across calls, not only within one.
    client: Client,
    /// When the current call's budget ends: no request may outlive it.
    deadline: Instant,
    /// Response body bytes delivered to the current call.
    received: Arc<AtomicU64>,
    /// Requests the current call has sent (allowed ones), for progress reports.
    requests: Arc<AtomicU64>,
}

/// Why the allow-list refused a URI (or `None` when it is allowed).
pub fn egress_refusal(uri: &http::Uri) -> Option<String> {
    if uri.scheme_str() != Some("https") {
        return Some(format!(
            "scheme {:?} is not https",
            uri.scheme_str().unwrap_or("")
        ));
    }
    let Some(auth) = uri.authority() else {
        return Some("no authority".into());
    };
    if auth.as_str().contains('@') {
        return Some("user info in the authority".into());
    }
    if auth.port_u16().is_some_and(|p| p != 443) {
        return Some("port other than 443".into());
    }
    let host = auth.host().to_ascii_lowercase();
    if !ALLOWED_HOSTS.contains(&host.as_str()) {
        return Some(format!("host {host} is not a Customer.io API host"));
    }
    None
}

type HttpError = wasmtime_wasi_http::Error;
type IoFuture = Box<dyn std::future::Future<Output = Result<(), HttpError>> + Send>;

impl WasiHttpHooks for Egress {
    fn send_request(
        &mut self,
        mut request: http::Request<wasmtime_wasi_http::WasiBody>,
        options: Option<wasmtime_wasi_http::RequestOptions>,
        fut: IoFuture,
    ) -> Box<
        dyn std::future::Future<
                Output = Result<
                    (http::Response<wasmtime_wasi_http::WasiBody>, IoFuture),
                    HttpError,
                >,
            > + Send,
    > {
        drop(fut);
        let refusal = egress_refusal(request.uri());
        self.log.push(EgressRecord {
            method: request.method().to_string(),
            uri: request.uri().to_string(),
            allowed: refusal.is_none(),
        });
        if refusal.is_none() {
            self.requests.fetch_add(1, Ordering::Relaxed);
        }
        let route = self.route_to.clone();
        let cap = self.max_wait;
        let limit = self.max_response_bytes;
        let deadline = tokio::time::Instant::from_std(self.deadline);
        let received = self.received.clone();
        let client = self.client.clone();
        // A HEAD answer announces the size of a body it does not carry.
        let bodiless = request.method() == http::Method::HEAD;
        Box::new(async move {
            if refusal.is_some() {
                // Drain first: failing before the guest has written its body makes it see a closed
                // stream instead of `HttpRequestDenied` (STACK.md §4).
                let _ = request.body_mut().collect().await;
                return Err(HttpError::HttpRequestDenied);
            }
            if let Some(authority) = route {
                let mut parts = request.uri().clone().into_parts();
                parts.scheme = Some(http::uri::Scheme::HTTP);
                parts.authority = Some(authority);
                *request.uri_mut() =
                    http::Uri::from_parts(parts).map_err(|_| HttpError::HttpRequestUriInvalid)?;
            }
            // The component's own timeouts restart with every byte; the call's deadline does not.
            // A pooled connection may already be open, so connecting and waiting for the answer's
            // head share one window: the two waits the component asked for, added up.
            let opts = options.unwrap_or_default();
            let head_wait = opts
                .connect_timeout
                .unwrap_or(cap)
                .min(cap)
                .saturating_add(opts.first_byte_timeout.unwrap_or(cap).min(cap));
            let idle = opts.between_bytes_timeout.unwrap_or(cap).min(cap);
            let now = tokio::time::Instant::now();
            let head_by = deadline.min(now + head_wait);
            let res = match tokio::time::timeout_at(head_by, client.request(request)).await {
                Ok(res) => res.map_err(client_error)?,
                Err(_) if head_by >= deadline => return Err(HttpError::HttpResponseTimeout),
                Err(_) => return Err(HttpError::ConnectionReadTimeout),
            };
            let announced = res
                .headers()
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
            if let Some(len) = announced.filter(|&len| len > limit && !bodiless) {
                return Err(HttpError::HttpResponseBodySize(Some(len)));
            }
            let res = res.map(|body| {
                BoundedBody {
                    inner: body.map_err(HttpError::Hyper).boxed_unsync(),
                    deadline: Box::pin(tokio::time::sleep_until(deadline)),
                    idle,
                    idle_timer: Box::pin(tokio::time::sleep(idle)),
                    limit,
                    seen: 0,
                    received,
                    done: false,
                }
                .boxed_unsync()
            });
            // The pooled client drives the connection on its own task (bounded by the body's
            // deadline above): there is no per-request I/O future left to hand back.
            Ok((res, Box::new(async { Ok(()) }) as IoFuture))
        })
    }
}

/// The pooled client's error as the wasi-http error the guest is told (the codes it maps, as
/// wasmtime's own sender reports them).
fn client_error(e: hyper_util::client::legacy::Error) -> HttpError {
    use std::error::Error as _;
    let mut cause = e.source();
    while let Some(c) = cause {
        if let Some(tls) = c.downcast_ref::<rustls::Error>() {
            return match tls {
                rustls::Error::InvalidCertificate(_) => HttpError::TlsCertificateError,
                rustls::Error::AlertReceived(alert) => HttpError::TlsAlertReceived {
                    alert_id: Some(u8::from(*alert)),
                    alert_message: Some(format!("{alert:?}")),
                },
                _ => HttpError::TlsProtocolError,
            };
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            if e.is_connect() {
                return match io.kind() {
                    std::io::ErrorKind::ConnectionRefused => HttpError::ConnectionRefused,
                    std::io::ErrorKind::TimedOut => HttpError::ConnectionTimeout,
                    kind => HttpError::Connect(std::io::Error::new(kind, io.to_string())),
                };
            }
        }
        if let Some(h) = c.downcast_ref::<hyper::Error>() {
            return if h.is_timeout() {
                HttpError::HttpResponseTimeout
            } else if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
                HttpError::ConnectionTerminated
            } else if h.is_parse() || h.is_parse_status() {
                HttpError::HttpProtocolError
            } else {
                // The request body failed (the guest's stream), or the connection broke.
                HttpError::ConnectionTerminated
            };
        }
        if let Some(w) = c.downcast_ref::<HttpError>() {
            return match w {
                HttpError::HttpRequestBodySize(n) => HttpError::HttpRequestBodySize(*n),
                _ => HttpError::ConnectionTerminated,
            };
        }
        cause = c.source();
    }
    if e.is_connect() {
        HttpError::ConnectionRefused
    } else {
        HttpError::HttpProtocolError
    }
}

/// A response body that ends with an error once the call's deadline passes or more than `limit`
/// bytes arrived, so neither a dripping server nor a huge answer outlives the call's budget.
struct BoundedBody {
    inner: wasmtime_wasi_http::WasiBody,
    deadline: Pin<Box<tokio::time::Sleep>>,
    /// The longest wait between two frames (the component's between-bytes timeout).
    idle: Duration,
    idle_timer: Pin<Box<tokio::time::Sleep>>,
    limit: u64,
    seen: u64,
    received: Arc<AtomicU64>,
    done: bool,
}

impl Body for BoundedBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        let fail = |this: &mut BoundedBody, e: HttpError| {
            this.done = true;
            Poll::Ready(Some(Err(e)))
        };
        if this.deadline.is_elapsed() {
            return fail(this, HttpError::HttpResponseTimeout);
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let next = tokio::time::Instant::now() + this.idle;
                this.idle_timer.as_mut().reset(next);
                if let Some(data) = frame.data_ref() {
                    let n = data.len() as u64;
                    this.seen = this.seen.saturating_add(n);
                    this.received.fetch_add(n, Ordering::Relaxed);
                    if this.seen > this.limit {
                        return fail(this, HttpError::HttpResponseBodySize(Some(this.seen)));
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Pending => {
                if this.deadline.as_mut().poll(cx).is_ready() {
                    return fail(this, HttpError::HttpResponseTimeout);
                }
                if this.idle_timer.as_mut().poll(cx).is_ready() {
                    return fail(this, HttpError::ConnectionReadTimeout);
                }
                Poll::Pending
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Caps one instance's linear memory and remembers a refusal, so a call that then fails can be
/// told apart from a bug.
struct MemoryCap {
    max: usize,
    refused: Option<usize>,
}

impl wasmtime::ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max {
            self.refused = Some(desired);
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1 << 20)
    }
}

struct State {
    limits: MemoryCap,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    egress: Egress,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.egress,
        }
    }
}

/// A loaded, compiled component, ready to instantiate per call.
///
/// Cheap to clone and `Send + Sync`: clones share the compiled component, the instance pool, the
/// connection pools and the workers. Every call runs as a task on one of the host's workers (a
/// thread with its own single-threaded tokio runtime and its own keep-alive connections), where
/// its HTTP requests and their connections run too: a call never hops between threads or
/// runtimes, and a new call goes to the least busy worker. The `*_async` methods may be awaited
/// from any executor (many calls at once); the blocking ones wait for the same task and may be
/// called from any thread, a runtime's included (they then block that thread).
#[derive(Clone)]
pub struct ConnectorHost {
    inner: Arc<Inner>,
    runtime: Arc<HostRuntime>,
    /// Whether the compiled artifact came from the on-disk cache.
    pub from_cache: bool,
}

/// The host's workers: one thread each, running a single-threaded tokio runtime with its own
/// HTTP client, so everything a call does stays on one thread (no work stealing, no cross-thread
/// wake-ups between the guest, its request and the connection).
struct HostRuntime {
    workers: Vec<Worker>,
}

struct Worker {
    handle: tokio::runtime::Handle,
    /// Calls running on this worker now.
    load: Arc<AtomicUsize>,
    /// This worker's keep-alive connections: a connection's task lives where it was opened.
    client: Client,
    /// Dropped with the host: the worker's thread then ends its runtime (without blocking the
    /// dropping thread, which may itself be a worker or inside an async context).
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// What a call's requests go through: its worker's client, and the counter of requests sent.
#[derive(Clone)]
struct CallIo {
    client: Client,
    requests: Arc<AtomicU64>,
}

/// Counts a call against its worker until the call ends.
struct LoadGuard(Arc<AtomicUsize>);

impl Drop for LoadGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl HostRuntime {
    fn start(options: &HostOptions) -> anyhow::Result<HostRuntime> {
        let tls = tls_config()?;
        let mut workers = Vec::new();
        for n in 0..options.worker_threads.max(1) {
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            std::thread::Builder::new()
                .name(format!("cio-host-{n}"))
                .spawn(move || {
                    let rt = match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(rt) => rt,
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    };
                    let _ = tx.send(Ok(rt.handle().clone()));
                    // Runs this worker's tasks until the host is dropped.
                    let _ = rt.block_on(stopped);
                })
                .context("cannot start a host worker thread")?;
            let handle = rx
                .recv()
                .context("a host worker thread ended at start")?
                .context("cannot start a host worker's runtime")?;
            let client = {
                let _in_runtime = handle.enter();
                build_client(options, tls.clone())
            };
            workers.push(Worker {
                handle,
                load: Arc::default(),
                client,
                _stop: stop,
            });
        }
        Ok(HostRuntime { workers })
    }

    fn handle(&self) -> &tokio::runtime::Handle {
        &self.workers[0].handle
    }

    /// The least busy worker, the first of equals: calls one after another stay on one worker
    /// (and reuse its connections), calls at once spread over all.
    fn pick(&self) -> &Worker {
        self.workers
            .iter()
            .min_by_key(|w| w.load.load(Ordering::Relaxed))
            .expect("at least one worker")
    }

    /// Picks a worker for `work` and counts it there until `work` ends (before its answer is
    /// handed over, so the caller's next call sees the worker free again).
    fn prepare<T, F>(
        &self,
        requests: Arc<AtomicU64>,
        work: impl FnOnce(CallIo) -> F,
    ) -> (
        &tokio::runtime::Handle,
        impl std::future::Future<Output = T> + Send + 'static,
    )
    where
        F: std::future::Future<Output = T> + Send + 'static,
    {
        let w = self.pick();
        w.load.fetch_add(1, Ordering::Relaxed);
        let guard = LoadGuard(w.load.clone());
        let fut = work(CallIo {
            client: w.client.clone(),
            requests,
        });
        (&w.handle, async move {
            let out = fut.await;
            drop(guard);
            out
        })
    }

    /// Runs `work` with the chosen worker's HTTP client as a task on that worker.
    fn spawn<T: Send + 'static, F>(
        &self,
        work: impl FnOnce(CallIo) -> F,
    ) -> tokio::task::JoinHandle<T>
    where
        F: std::future::Future<Output = T> + Send + 'static,
    {
        let (handle, fut) = self.prepare(Arc::default(), work);
        handle.spawn(fut)
    }
}

/// What every call needs, shared by the calls' tasks.
struct Inner {
    engine: Engine,
    pre: bindings::ConnectorComponentPre<State>,
    egress: Egress,
    imports: Vec<String>,
    max_memory_bytes: usize,
    grace: Duration,
    authenticate_timeout: Duration,
    list_operations_timeout: Duration,
    /// `list-operations` is deterministic (no network, no input): the first answer is kept and
    /// served to every later call instead of instantiating and rebuilding every schema again.
    operations: std::sync::OnceLock<Arc<Vec<OperationDescriptor>>>,
    /// One permit per slot of the instance pool: a call past the pool waits for a slot, with its
    /// budget running, instead of failing at once (none without a pool).
    slots: Option<(Arc<tokio::sync::Semaphore>, u32)>,
}

/// The component file's bytes: a regular file (a FIFO or device would block or never end) of at
/// most [`MAX_COMPONENT_BYTES`], never read past that.
fn read_component(path: &Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        anyhow::bail!("it is not a regular file");
    }
    if meta.len() > MAX_COMPONENT_BYTES {
        anyhow::bail!(
            "it is {} MiB; a component is at most {} MiB (the connector is under 1 MiB), so this is the wrong file",
            meta.len() >> 20,
            MAX_COMPONENT_BYTES >> 20
        );
    }
    let mut bytes = Vec::new();
    file.take(MAX_COMPONENT_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_COMPONENT_BYTES {
        anyhow::bail!(
            "it grew past {} MiB while being read",
            MAX_COMPONENT_BYTES >> 20
        );
    }
    Ok(bytes)
}

/// A failure of the host itself (the component could not be loaded or trapped), as opposed to a
/// typed `ConnectorError` the component returned.
pub type HostError = anyhow::Error;

/// A wasm error as a host error, without the wasm backtrace wasmtime attaches as context: host
/// errors end up in user-facing messages, where frame addresses only confuse.
fn host_failure(e: wasmtime::Error) -> HostError {
    if let Some(trap) = e.downcast_ref::<Trap>() {
        return anyhow::Error::new(*trap);
    }
    let backtrace = e
        .downcast_ref::<wasmtime::WasmBacktrace>()
        .map(|b| b.to_string());
    let parts: Vec<String> = e
        .chain()
        .map(|c| c.to_string())
        .filter(|c| Some(c) != backtrace.as_ref())
        .collect();
    anyhow::Error::msg(parts.join(": "))
}

enum Call {
    ListOperations,
    Authenticate(ConnectionConfig),
    Execute(ExecuteRequest),
}

enum Answer {
    Operations(Vec<OperationDescriptor>),
    Auth(Result<AuthInfo, ConnectorError>),
    Executed(Result<ExecuteResponse, ConnectorError>),
}

/// What the host learned about a call that did not return.
struct Stop {
    /// The trap or host error; `None` when the host's timer stopped a guest waiting in the host.
    error: Option<wasmtime::Error>,
    /// The memory size the limiter refused, if it did.
    memory_refused: Option<usize>,
    /// Response body bytes delivered to the call.
    received: u64,
    budget: Duration,
    /// Every slot of the instance pool stayed in use for the whole budget (the pool's size).
    busy: Option<u32>,
}

fn host_error(kind: ErrorKind, fix_by: FixBy, retryable: bool, message: String) -> ConnectorError {
    ConnectorError {
        kind,
        message,
        fix_by,
        retryable,
        status: None,
        retry_after_ms: None,
        pointers: Vec::new(),
        body: None,
    }
}

impl ConnectorHost {
    /// Loads (compiling once, then from cache) the component.
    pub fn load(options: &HostOptions) -> anyhow::Result<ConnectorHost> {
        let bytes = read_component(&options.component).with_context(|| {
            format!(
                "cannot read the component at {} (build it with `cargo build --release --target wasm32-wasip2`, or pass --component / CIO_COMPONENT)",
                options.component.display()
            )
        })?;
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.epoch_interruption(true);
        // A pool of instance slots reserved once: a call's instance is carved out of it and given
        // back, instead of mapping and unmapping memory per call. The component has a handful of
        // core instances, memories and tables per instance; the slots' memory is capped at the
        // per-call limit (the ResourceLimiter below still refuses first and names the limit).
        let slots = options.max_instances;
        if slots > 0 {
            let mut pool = wasmtime::PoolingAllocationConfig::default();
            pool.total_component_instances(slots)
                .total_core_instances(slots.saturating_mul(8))
                .total_memories(slots.saturating_mul(2))
                .total_tables(slots.saturating_mul(4))
                .max_memory_size(options.max_memory_bytes)
                // A freed slot's dirty pages are reset in place (found with the kernel's page
                // map) instead of decommitted: no madvise, no TLB shootdown on every core, and
                // no copy-on-write faults when the next call touches the same pages.
                .linear_memory_keep_resident(options.keep_resident_bytes)
                // Only the pages a call dirtied are reset (Linux 6.7+; elsewhere the low
                // `keep_resident_bytes` are reset whole).
                .pagemap_scan(wasmtime::Enabled::Auto)
                .table_keep_resident(options.keep_resident_bytes.min(1 << 20))
                // Reuse the slots this component used last rather than spreading over cold ones,
                // so the resident set is what the busiest moment needed.
                .max_unused_warm_slots(0);
            config.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pool));
        }
        let engine = Engine::new(&config)?;
        let (component, from_cache) = compile_cached(&engine, &bytes, options)?;
        let mut linker: Linker<State> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        patch_error_reporting(&mut linker)?;
        let pre = bindings::ConnectorComponentPre::new(linker.instantiate_pre(&component)?)?;
        let route_to = match &options.route_to {
            Some(url) => Some(parse_route(url)?),
            None => None,
        };
        let runtime = HostRuntime::start(options)?;
        let egress = Egress {
            client: runtime.workers[0].client.clone(),
            route_to,
            max_wait: options.max_request_wait,
            max_response_bytes: options.max_response_bytes,
            log: Arc::new(EgressLog {
                limit: options.egress_log_limit,
                records: Mutex::default(),
            }),
            deadline: Instant::now(),
            received: Arc::default(),
            requests: Arc::default(),
        };
        let imports = component
            .component_type()
            .imports(&engine)
            .map(|(name, _)| name.to_string())
            .collect();
        start_ticker(&engine)?;
        let inner = Inner {
            engine,
            pre,
            egress,
            imports,
            max_memory_bytes: options.max_memory_bytes,
            grace: options.deadline_grace,
            authenticate_timeout: options.authenticate_timeout,
            list_operations_timeout: options.list_operations_timeout,
            operations: std::sync::OnceLock::new(),
            slots: (options.max_instances > 0).then(|| {
                let n = options.max_instances;
                (Arc::new(tokio::sync::Semaphore::new(n as usize)), n)
            }),
        };
        Ok(ConnectorHost {
            inner: Arc::new(inner),
            runtime: Arc::new(runtime),
            from_cache,
        })
    }

    /// The runtime of the host's first worker: an embedder that serves many calls (an HTTP or
    /// MCP server) can run there instead of starting a runtime of its own.
    pub fn runtime(&self) -> &tokio::runtime::Handle {
        self.runtime.handle()
    }

    /// Runs `work` as a task on the host's runtime and awaits it from wherever the caller is.
    async fn spawn<T: Send + 'static, F>(&self, work: impl FnOnce(CallIo) -> F) -> anyhow::Result<T>
    where
        F: std::future::Future<Output = T> + Send + 'static,
    {
        self.runtime
            .spawn(work)
            .await
            .map_err(|e| anyhow::anyhow!("the call's task ended without an answer: {e}"))
    }

    /// Runs `work` on the host's runtime and blocks this thread until it is done: the blocking
    /// API's only difference from the async one.
    fn wait<T: Send + 'static, F>(&self, work: impl FnOnce(CallIo) -> F) -> anyhow::Result<T>
    where
        F: std::future::Future<Output = anyhow::Result<T>> + Send + 'static,
    {
        self.wait_watched(None, work)
    }

    /// [`ConnectorHost::wait`] that, with `watch`, also reports the requests the call has sent
    /// every interval and once at its end.
    fn wait_watched<T: Send + 'static, F>(
        &self,
        mut watch: Option<(Duration, &mut dyn FnMut(u64))>,
        work: impl FnOnce(CallIo) -> F,
    ) -> anyhow::Result<T>
    where
        F: std::future::Future<Output = anyhow::Result<T>> + Send + 'static,
    {
        let requests = Arc::new(AtomicU64::new(0));
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let (handle, fut) = self.runtime.prepare(requests.clone(), work);
        handle.spawn(async move {
            let _ = tx.send(fut.await);
        });
        let ended = || anyhow::anyhow!("the call's task ended without an answer");
        let Some((every, watch)) = watch.as_mut() else {
            return rx.recv().map_err(|_| ended())?;
        };
        loop {
            match rx.recv_timeout((*every).max(Duration::from_millis(1))) {
                Ok(answer) => {
                    watch(requests.load(Ordering::Relaxed));
                    return answer;
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    watch(requests.load(Ordering::Relaxed))
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Err(ended()),
            }
        }
    }

    /// `list-operations`: run once per loaded component, then served from the host's copy.
    pub fn list_operations(&self) -> anyhow::Result<Vec<OperationDescriptor>> {
        Ok(self.operations()?.as_ref().clone())
    }

    /// The operations as the host's shared copy (no clone of the catalog per call).
    pub fn operations(&self) -> anyhow::Result<Arc<Vec<OperationDescriptor>>> {
        if let Some(ops) = self.inner.operations.get() {
            return Ok(ops.clone());
        }
        let inner = self.inner.clone();
        self.wait(move |client| async move { inner.list_operations(client).await })
    }

    /// [`ConnectorHost::operations`], awaited.
    pub async fn operations_async(&self) -> anyhow::Result<Arc<Vec<OperationDescriptor>>> {
        if let Some(ops) = self.inner.operations.get() {
            return Ok(ops.clone());
        }
        let inner = self.inner.clone();
        self.spawn(move |client| async move { inner.list_operations(client).await })
            .await?
    }

    /// `authenticate`, within [`HostOptions::authenticate_timeout`] (+ grace).
    pub fn authenticate(
        &self,
        config: &ConnectionConfig,
    ) -> anyhow::Result<Result<AuthInfo, ConnectorError>> {
        let (inner, config) = (self.inner.clone(), config.clone());
        self.wait(move |client| async move { inner.authenticate(config, client).await })
    }

    /// [`ConnectorHost::authenticate`], awaited.
    pub async fn authenticate_async(
        &self,
        config: ConnectionConfig,
    ) -> anyhow::Result<Result<AuthInfo, ConnectorError>> {
        let inner = self.inner.clone();
        self.spawn(move |client| async move { inner.authenticate(config, client).await })
            .await?
    }

    /// `execute`, within the request's `timeout_ms` (default 30 s, at most 300 s) plus grace.
    pub fn execute(
        &self,
        request: &ExecuteRequest,
    ) -> anyhow::Result<Result<ExecuteResponse, ConnectorError>> {
        let (inner, request) = (self.inner.clone(), request.clone());
        self.wait(move |client| async move { inner.execute(request, client).await })
    }

    /// [`ConnectorHost::execute`], awaited: many may run at once (up to
    /// [`HostOptions::max_instances`]).
    pub async fn execute_async(
        &self,
        request: ExecuteRequest,
    ) -> anyhow::Result<Result<ExecuteResponse, ConnectorError>> {
        let inner = self.inner.clone();
        self.spawn(move |client| async move { inner.execute(request, client).await })
            .await?
    }

    /// [`ConnectorHost::execute`] that reports, every `every` while the call runs and once at its
    /// end, how many requests it has sent (pages, slices, status checks): for a progress line.
    pub fn execute_watched(
        &self,
        request: &ExecuteRequest,
        every: Duration,
        watch: &mut dyn FnMut(u64),
    ) -> anyhow::Result<Result<ExecuteResponse, ConnectorError>> {
        let (inner, request) = (self.inner.clone(), request.clone());
        self.wait_watched(Some((every, watch)), move |io| async move {
            inner.execute(request, io).await
        })
    }

    /// Times `n` instantiations of the component as a call makes them (fresh store from the
    /// `InstancePre`, nothing called, instance dropped): the per-call price of isolation, for
    /// benchmarks and capacity planning.
    pub fn measure_instantiation(&self, n: usize) -> anyhow::Result<Vec<Duration>> {
        let inner = self.inner.clone();
        self.wait(move |client| async move {
            let mut times = Vec::with_capacity(n);
            for _ in 0..n {
                let t = Instant::now();
                let mut store = inner.store(
                    Instant::now() + DEFAULT_CALL_TIMEOUT,
                    Arc::default(),
                    client.clone(),
                );
                inner
                    .pre
                    .instantiate_async(&mut store)
                    .await
                    .map_err(host_failure)?;
                // The instance lives in the store: dropping the store gives its slot back.
                drop(store);
                times.push(t.elapsed());
            }
            Ok(times)
        })
    }

    /// The interfaces the component imports, e.g. `wasi:http/outgoing-handler@0.2.12`: what a
    /// platform reviews before granting it anything.
    pub fn imports(&self) -> &[String] {
        &self.inner.imports
    }

    /// The newest requests the component attempted (allowed or not), oldest first: at most
    /// [`HostOptions::egress_log_limit`] of them.
    pub fn egress_log(&self) -> Vec<EgressRecord> {
        let records = self
            .inner
            .egress
            .log
            .records
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        records.iter().cloned().collect()
    }
}

impl Inner {
    /// A fresh store for one call whose budget ends at `soft`: capped memory, no environment,
    /// the egress hook bound to the call, and an epoch deadline at `soft` + grace.
    fn store(&self, soft: Instant, received: Arc<AtomicU64>, io: CallIo) -> Store<State> {
        let hard = soft + self.grace;
        let mut egress = self.egress.clone();
        egress.client = io.client;
        egress.requests = io.requests;
        egress.deadline = soft;
        egress.received = received;
        let state = State {
            limits: MemoryCap {
                max: self.max_memory_bytes,
                refused: None,
            },
            // No environment, no stdio, no files: secrets enter only through the call.
            wasi: WasiCtx::builder().build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            egress,
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            let now = Instant::now();
            if now >= hard {
                return Ok(UpdateDeadline::Interrupt);
            }
            // A guest computing for a whole tick yields its worker to the other calls, and is
            // looked at again within about a tick of its deadline.
            Ok(UpdateDeadline::Yield(1))
        });
        store
    }

    /// Runs one call in a fresh instance, within `budget` (+ grace): past it, wasm code is
    /// interrupted at the next epoch tick and a wait in the host is cancelled.
    async fn run(&self, call: Call, budget: Duration, client: CallIo) -> Result<Answer, Stop> {
        let soft = Instant::now() + budget;
        let hard = soft + self.grace;
        // Wait for a slot of the pool within the budget; the permit is given back when the call
        // ends, after its store (and so its instance) is dropped.
        let _slot = match &self.slots {
            None => None,
            Some((slots, n)) => {
                let wait = slots.clone().acquire_owned();
                match tokio::time::timeout_at(tokio::time::Instant::from_std(soft), wait).await {
                    Ok(Ok(permit)) => Some(permit),
                    _ => {
                        return Err(Stop {
                            error: None,
                            memory_refused: None,
                            received: 0,
                            budget,
                            busy: Some(*n),
                        })
                    }
                }
            }
        };
        let received = Arc::new(AtomicU64::new(0));
        let mut store = self.store(soft, received.clone(), client);
        let pre = &self.pre;
        let work = async move {
            let result = async {
                let i = pre.instantiate_async(&mut store).await.map_err(|e| {
                    if e.downcast_ref::<wasmtime::PoolConcurrencyLimitError>().is_some() {
                        e.context("no instance for this call: every slot of the host's instance pool is in use (HostOptions::max_instances); retry shortly or raise the limit")
                    } else {
                        e
                    }
                })?;
                let c = i.customerio_connector_connector();
                Ok(match call {
                    Call::ListOperations => {
                        Answer::Operations(c.call_list_operations(&mut store).await?)
                    }
                    Call::Authenticate(config) => {
                        Answer::Auth(c.call_authenticate(&mut store, &config).await?)
                    }
                    Call::Execute(request) => {
                        Answer::Executed(c.call_execute(&mut store, &request).await?)
                    }
                })
            }
            .await;
            result.map_err(|error| (error, store.data().limits.refused))
        };
        let outcome = tokio::time::timeout_at(tokio::time::Instant::from_std(hard), work).await;
        let received = received.load(Ordering::Relaxed);
        match outcome {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err((error, memory_refused))) => Err(Stop {
                error: Some(error),
                memory_refused,
                received,
                budget,
                busy: None,
            }),
            // The guest was waiting in the host (a poll, a sleep) past the deadline.
            Err(_) => Err(Stop {
                error: None,
                memory_refused: None,
                received,
                budget,
                busy: None,
            }),
        }
    }

    /// Turns a stopped call into the typed error a platform can act on, or the host error it is.
    /// `more_time` says how to grant the call more time.
    fn classify(&self, stop: Stop, more_time: &str) -> anyhow::Result<ConnectorError> {
        if let Some(slots) = stop.busy {
            return Ok(host_error(
                ErrorKind::RateLimited,
                FixBy::Host,
                true,
                format!(
                    "the host was busy: all {slots} of its instance slots stayed in use for this call's whole budget of {} ms, so it never started; run fewer calls at once, give it a longer budget, or raise the host's max_instances",
                    stop.budget.as_millis()
                ),
            ));
        }
        let interrupted = stop
            .error
            .as_ref()
            .is_some_and(|e| e.downcast_ref::<Trap>() == Some(&Trap::Interrupt));
        if interrupted || stop.error.is_none() {
            let (fix_by, what) = if interrupted {
                (FixBy::Host, "was still computing")
            } else {
                (FixBy::Upstream, "was still waiting")
            };
            return Ok(host_error(
                ErrorKind::Timeout,
                fix_by,
                true,
                format!(
                    "the call {what} when its budget of {} ms (+{} ms grace) ran out, so the host stopped it; try again later or {more_time}",
                    stop.budget.as_millis(),
                    self.grace.as_millis()
                ),
            ));
        }
        if let Some(desired) = stop.memory_refused {
            let limit = self.max_memory_bytes;
            // A large share of the memory arrived as response bodies: the answer was too big.
            if stop.received >= (limit as u64) / 8 {
                return Ok(host_error(
                    ErrorKind::Upstream,
                    FixBy::Upstream,
                    false,
                    format!(
                        "response too large: the answers of this call ({} bytes) do not fit in the component's memory limit of {} MiB; ask for less (smaller pages, fewer fields)",
                        stop.received,
                        limit >> 20
                    ),
                ));
            }
            return Ok(host_error(
                ErrorKind::Internal,
                FixBy::Host,
                false,
                format!(
                    "the component ran out of memory: it asked for {} MiB, the host allows {} MiB per call ({} bytes of answers had arrived); send a smaller input or ask for less (smaller pages), or raise the host's memory limit",
                    desired.div_ceil(1 << 20),
                    limit >> 20,
                    stop.received
                ),
            ));
        }
        Err(host_failure(stop.error.unwrap_or_else(|| {
            wasmtime::Error::msg("the call stopped")
        })))
    }

    async fn list_operations(
        &self,
        client: CallIo,
    ) -> anyhow::Result<Arc<Vec<OperationDescriptor>>> {
        if let Some(ops) = self.operations.get() {
            return Ok(ops.clone());
        }
        match self
            .run(Call::ListOperations, self.list_operations_timeout, client)
            .await
        {
            Ok(Answer::Operations(ops)) => {
                Ok(self.operations.get_or_init(|| Arc::new(ops)).clone())
            }
            Ok(_) => unreachable!("list-operations answers with operations"),
            Err(stop) => Err(anyhow::anyhow!(
                self.classify(stop, "raise the host's list_operations_timeout")?
                    .message
            )),
        }
    }

    async fn authenticate(
        &self,
        config: ConnectionConfig,
        client: CallIo,
    ) -> anyhow::Result<Result<AuthInfo, ConnectorError>> {
        match self
            .run(
                Call::Authenticate(config),
                self.authenticate_timeout,
                client,
            )
            .await
        {
            Ok(Answer::Auth(r)) => Ok(r),
            Ok(_) => unreachable!("authenticate answers with auth info"),
            Err(stop) => Ok(Err(
                self.classify(stop, "raise the host's authenticate_timeout")?
            )),
        }
    }

    async fn execute(
        &self,
        request: ExecuteRequest,
        client: CallIo,
    ) -> anyhow::Result<Result<ExecuteResponse, ConnectorError>> {
        let budget = request
            .timeout_ms
            .map(|t| Duration::from_millis(u64::from(t.max(1))))
            .unwrap_or(DEFAULT_CALL_TIMEOUT)
            .min(MAX_CALL_TIMEOUT);
        match self.run(Call::Execute(request), budget, client).await {
            Ok(Answer::Executed(r)) => Ok(r),
            Ok(_) => unreachable!("execute answers with a response"),
            Err(stop) => Ok(Err(self.classify(stop, "raise timeout_ms")?)),
        }
    }
}

/// TLS for Customer.io: the webpki roots, built once per host and shared by every worker's client.
fn tls_config() -> anyhow::Result<rustls::ClientConfig> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.into(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .context("cannot set up TLS")?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

/// One worker's keep-alive client. Its connect timeout is the host's cap; the waits a request
/// asks for are applied around each request (see [`Egress`]).
fn build_client(options: &HostOptions, tls: rustls::ClientConfig) -> Client {
    use hyper_util::client::legacy::connect::HttpConnector;
    let mut http = HttpConnector::new();
    // `https://` URIs get TLS; `http://` only ever comes from `route_to`.
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(options.max_request_wait));
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .timer(hyper_util::rt::TokioTimer::new())
        .pool_timer(hyper_util::rt::TokioTimer::new())
        .pool_idle_timeout(options.idle_connection_timeout)
        .pool_max_idle_per_host(options.max_idle_connections_per_host)
        .build(connector)
}

/// Two fixes to what the guest learns about failed I/O (wasmtime-wasi-http 48.0.8):
/// - `http-error-code` only recognises errors stored as a p2 `error-code`, but response body
///   errors (a between-bytes timeout, the host's deadline or size cap) are stored as the embedder
///   error type, so the guest saw no code and could not tell a timeout from a broken connection;
/// - `to-debug-string` renders the error with `{:?}`, which includes a host stack backtrace when
///   `RUST_BACKTRACE` is set, and the component quotes it in user-facing messages. It now renders
///   the cause chain only.
fn patch_error_reporting(linker: &mut Linker<State>) -> anyhow::Result<()> {
    use wasmtime::component::Resource;
    use wasmtime_wasi_http::p2::bindings::http::types::ErrorCode;
    linker.allow_shadowing(true);
    linker.instance("wasi:http/types@0.2.12")?.func_wrap(
        "http-error-code",
        |store: wasmtime::StoreContextMut<'_, State>, (err,): (Resource<wasmtime::Error>,)| {
            let e = store.data().table.get(&err)?;
            if let Some(code) = e.downcast_ref::<ErrorCode>() {
                return Ok((Some(code.clone()),));
            }
            let code = e.downcast_ref::<HttpError>().and_then(|e| {
                Some(match e {
                    HttpError::ConnectionReadTimeout => ErrorCode::ConnectionReadTimeout,
                    HttpError::ConnectionWriteTimeout => ErrorCode::ConnectionWriteTimeout,
                    HttpError::ConnectionTimeout => ErrorCode::ConnectionTimeout,
                    HttpError::HttpResponseTimeout => ErrorCode::HttpResponseTimeout,
                    HttpError::ConnectionTerminated => ErrorCode::ConnectionTerminated,
                    HttpError::HttpResponseIncomplete => ErrorCode::HttpResponseIncomplete,
                    HttpError::HttpResponseBodySize(n) => ErrorCode::HttpResponseBodySize(*n),
                    HttpError::Hyper(h) if h.is_timeout() => ErrorCode::HttpResponseTimeout,
                    HttpError::Hyper(h) if h.is_incomplete_message() => {
                        ErrorCode::HttpResponseIncomplete
                    }
                    _ => return None,
                })
            });
            Ok((code,))
        },
    )?;
    linker.instance("wasi:io/error@0.2.12")?.func_wrap(
        "[method]error.to-debug-string",
        |store: wasmtime::StoreContextMut<'_, State>, (err,): (Resource<wasmtime::Error>,)| {
            let e = store.data().table.get(&err)?;
            Ok((format!("{e:#}"),))
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until the engine is dropped.
fn start_ticker(engine: &Engine) -> anyhow::Result<()> {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("cio-host-epoch".into())
        .spawn(move || loop {
            std::thread::sleep(EPOCH_TICK);
            match weak.upgrade() {
                Some(engine) => engine.increment_epoch(),
                None => return,
            }
        })
        .context("cannot start the epoch ticker")?;
    Ok(())
}

fn parse_route(url: &str) -> anyhow::Result<http::uri::Authority> {
    let uri: http::Uri = url
        .parse()
        .with_context(|| format!("--route-to {url:?} is not a URL"))?;
    anyhow::ensure!(
        uri.scheme_str() == Some("http"),
        "--route-to must be an http:// URL, e.g. http://127.0.0.1:8080"
    );
    let authority = uri
        .authority()
        .cloned()
        .context("--route-to needs host:port")?;
    // Routed requests carry the real credentials over plain HTTP: only to this machine.
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    anyhow::ensure!(
        loopback,
        "--route-to must point at this machine (127.0.0.1, ::1 or localhost): routed requests carry the credentials over plain HTTP, so {host} is refused"
    );
    Ok(authority)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a cache file or folder may be trusted: on Unix, nobody but its owner may write it.
fn private(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o022 == 0)
    }
    #[cfg(not(unix))]
    {
        path.exists()
    }
}

/// The cached artifact at `path`, if its checksum file matches and nobody else could have
/// written either.
fn read_verified(dir: &Path, path: &Path, sum_path: &Path) -> Option<Vec<u8>> {
    if !(private(dir) && private(path) && private(sum_path)) {
        return None;
    }
    // Only regular files of a sane size: a FIFO planted at the cache path would block every
    // later load, a huge file would be read whole.
    let regular =
        |p: &Path, max: u64| std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.len() <= max);
    if !regular(sum_path, 256) || !regular(path, 16 * MAX_COMPONENT_BYTES) {
        return None;
    }
    let expected = std::fs::read_to_string(sum_path).ok()?;
    let bytes = std::fs::read(path).ok()?;
    (hex(&Sha256::digest(&bytes)) == expected.trim()).then_some(bytes)
}

/// Writes `bytes` to `path` via a private temporary file and a rename.
fn write_private(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!("{name}.{}.tmp", std::process::id()));
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let result = open
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn compile_cached(
    engine: &Engine,
    bytes: &[u8],
    options: &HostOptions,
) -> anyhow::Result<(Component, bool)> {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut h);
    let key = format!("{:x}-{:016x}", Sha256::digest(bytes), h.finish());
    let dir = options.cache_dir.clone().unwrap_or_else(|| {
        options
            .component
            .parent()
            .map(|p| p.join("cio-host-cache"))
            .unwrap_or_else(|| PathBuf::from("cio-host-cache"))
    });
    let path = dir.join(format!("{key}.cwasm"));
    let sum_path = dir.join(format!("{key}.cwasm.sha256"));
    if let Some(artifact) = read_verified(&dir, &path, &sum_path) {
        // SAFETY: these bytes are what `precompile_component` of an engine with the same
        // compatibility hash (it is in the name) wrote: their SHA-256 matches the checksum written
        // beside them, and only this user can write the files and their folder.
        if let Ok(c) = unsafe { Component::deserialize(engine, &artifact) } {
            return Ok((c, true));
        }
    }
    let artifact = engine.precompile_component(bytes)?;
    // The cache is an optimisation: failing to write it must not fail the load. The checksum goes
    // last, so a reader never pairs it with a half-written artifact.
    #[cfg(unix)]
    let fresh = !dir.exists();
    if std::fs::create_dir_all(&dir).is_ok() {
        #[cfg(unix)]
        if fresh {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
        }
        let sum = format!("{}\n", hex(&Sha256::digest(&artifact)));
        if write_private(&dir, &path, &artifact).is_ok() {
            let _ = write_private(&dir, &sum_path, sum.as_bytes());
        }
    }
    // SAFETY: `artifact` was produced just now by this engine.
    let c = unsafe { Component::deserialize(engine, &artifact)? };
    Ok((c, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list_uses_the_parsed_host() {
        for ok in [
            "https://track.customer.io/api/v1/x",
            "https://API-EU.customer.io:443/v1/x",
        ] {
            assert_eq!(egress_refusal(&ok.parse().unwrap()), None, "{ok}");
        }
        for bad in [
            "http://track.customer.io/api",
            "https://track.customer.io:8443/api",
            "https://track.customer.io@evil.example/api",
            "https://evil.example/track.customer.io",
            "https://customer.io/",
            "https://track.customer.io.evil.example/",
        ] {
            assert!(egress_refusal(&bad.parse().unwrap()).is_some(), "{bad}");
        }
    }
}
