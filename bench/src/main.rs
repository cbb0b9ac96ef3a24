//! `cio-bench`: the connector under `cio-host` side by side with a native keep-alive client (the
//! floor), a native client opening a connection per request, and the official Customer.io
//! clients for Node and Python, all making the same identify against one emulator process, in
//! one run, contenders interleaved round by round. It prints (and with `--out` writes into
//! BENCHMARKS.md) medians, p90s and ratios measured in that run, so the ratios are what to read.
//!
//! `bash bench/run.sh` installs the official clients (cached) and runs it; `cargo test -p
//! cio-bench` runs a smoke with tiny counts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use bytes::Bytes;
use cio_host::{
    ConnectionConfig, ConnectorHost, ConnectorKind, Credentials, ExecuteRequest, HostOptions,
    Region, TrackCredentials,
};
use clap::Parser;
use http_body_util::{BodyExt, Full};
use serde_json::{json, Value};

const SITE: &str = "demo-site";
const KEY: &str = "demo-track-key";
const PATH: &str = "/api/v1/customers/jane%2B1%40example.com";
const BODY: &str = r#"{"plan":"pro"}"#;
const INPUT: &str = r#"{"id":"jane+1@example.com","attributes":{"plan":"pro"}}"#;

/// Side-by-side benchmark of the connector against native and official clients.
#[derive(Parser, Debug, Clone)]
#[command(name = "cio-bench")]
struct Args {
    /// Rounds; in each, every contender takes its turn (the order rotates).
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Sequential identify calls per contender per round (latency samples).
    #[arg(long, default_value_t = 400)]
    calls: usize,
    /// Calls per contender per concurrency level per round (throughput).
    #[arg(long, default_value_t = 3000)]
    throughput_calls: usize,
    /// Concurrency levels for throughput.
    #[arg(long, value_delimiter = ',', default_value = "1,8,64")]
    concurrency: Vec<usize>,
    /// Calls for the RSS check (RSS is read after 1/10 of them and after all).
    #[arg(long, default_value_t = 10_000)]
    rss_calls: usize,
    /// Instantiations timed per allocator.
    #[arg(long, default_value_t = 2000)]
    instantiations: usize,
    /// Measure the host's RSS in this process instead of a fresh one (the smoke test).
    #[arg(long, hide = true)]
    rss_in_process: bool,
    /// Node ≥ 22 to run customerio-node; without it (and --node-modules) that contender is skipped.
    #[arg(long, env = "CIO_BENCH_NODE")]
    node: Option<PathBuf>,
    /// A node_modules folder holding customerio-node.
    #[arg(long, env = "CIO_BENCH_NODE_MODULES")]
    node_modules: Option<PathBuf>,
    /// Python with customerio installed; without it that contender is skipped.
    #[arg(long, env = "CIO_BENCH_PYTHON")]
    python: Option<PathBuf>,
    /// Threads of the host's runtime (default: available parallelism).
    #[arg(long)]
    worker_threads: Option<usize>,
    /// Only the contenders whose name contains one of these words (e.g. `native,async`); the
    /// report then covers just them (for profiling and quick looks).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Markdown file whose generated section (between the bench markers) is replaced.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Internal: measure the host's RSS in a fresh process and print it as JSON.
    #[arg(long, hide = true)]
    rss_host: Option<String>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(n) = args.worker_threads {
        // Read by host_options, here and in the RSS child process.
        std::env::set_var("CIO_BENCH_WORKER_THREADS", n.to_string());
    }
    if let Some(url) = &args.rss_host {
        let r = host_rss(url, args.rss_calls)?;
        println!("{r}");
        return Ok(());
    }
    let report = run(&args)?;
    print!("{}", report.markdown);
    if let Some(out) = &args.out {
        write_section(out, &report.markdown)?;
        eprintln!("cio-bench: wrote {}", out.display());
    }
    Ok(())
}

/// Everything measured, as the markdown section and the figures the smoke test checks.
#[cfg_attr(not(test), allow(dead_code))]
struct Report {
    markdown: String,
    latency: Vec<(String, Stats)>,
    throughput: Vec<(usize, Vec<(String, f64)>)>,
}

#[derive(Clone, Copy, Debug)]
struct Stats {
    median: f64,
    p90: f64,
}

fn stats(mut v: Vec<f64>) -> Stats {
    v.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    Stats {
        median: at(0.5),
        p90: at(0.9),
    }
}

fn median(v: Vec<f64>) -> f64 {
    stats(v).median
}

fn addr_of(url: &str) -> anyhow::Result<SocketAddr> {
    Ok(url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()?)
}

fn request() -> ExecuteRequest {
    ExecuteRequest {
        operation_id: "track.customer.identify".into(),
        config: ConnectionConfig {
            connector: ConnectorKind::Track,
            region: Region::Us,
            credentials: Credentials::Track(TrackCredentials {
                site_id: SITE.into(),
                api_key: KEY.into(),
            }),
        },
        input: INPUT.into(),
        timeout_ms: None,
        request_id: None,
    }
}

fn check(r: anyhow::Result<Result<cio_host::ExecuteResponse, cio_host::ConnectorError>>) {
    match r {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => panic!("identify failed: {}", e.message),
        Err(e) => panic!("host failed: {e:#}"),
    }
}

fn basic() -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{SITE}:{KEY}"))
    )
}

/// One contender: a way to make the identify call, sequentially or with many in flight.
trait Contender {
    fn name(&self) -> String;
    /// `n` sequential calls, microseconds each.
    fn latency(&mut self, n: usize) -> anyhow::Result<Vec<f64>>;
    /// Seconds for `n` calls with `c` in flight.
    fn throughput(&mut self, c: usize, n: usize) -> anyhow::Result<f64>;
}

fn timed_loop(n: usize, mut f: impl FnMut()) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_nanos() as f64 / 1000.0
        })
        .collect()
}

/// Runs `n` calls of `f` on `c` threads.
fn threaded(c: usize, n: usize, f: impl Fn() + Sync) -> f64 {
    let left = AtomicIsize::new(n as isize);
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..c {
            s.spawn(|| {
                while left.fetch_sub(1, Ordering::Relaxed) > 0 {
                    f();
                }
            });
        }
    });
    t.elapsed().as_secs_f64()
}

/// Runs `n` calls of `f` as `c` tasks on `rt`.
fn tasks<F, Fut>(rt: &tokio::runtime::Handle, c: usize, n: usize, f: F) -> f64
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let f = Arc::new(f);
    let left = Arc::new(AtomicIsize::new(n as isize));
    let t = Instant::now();
    rt.block_on(async {
        let mut all = Vec::new();
        for _ in 0..c {
            let (f, left) = (f.clone(), left.clone());
            all.push(tokio::spawn(async move {
                while left.fetch_sub(1, Ordering::Relaxed) > 0 {
                    f().await;
                }
            }));
        }
        for h in all {
            h.await.expect("task");
        }
    });
    t.elapsed().as_secs_f64()
}

/// The floor: hyper-util's pooled keep-alive client on its own two-thread runtime.
struct NativeKeepAlive {
    rt: tokio::runtime::Runtime,
    client: hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        Full<Bytes>,
    >,
    uri: http::Uri,
    auth: String,
}

impl NativeKeepAlive {
    fn new(url: &str) -> anyhow::Result<Self> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let client = {
            let _g = rt.enter();
            let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
            http.set_nodelay(true);
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .pool_max_idle_per_host(256)
                .build(http)
        };
        Ok(NativeKeepAlive {
            rt,
            client,
            uri: format!("{url}{PATH}").parse()?,
            auth: basic(),
        })
    }

    async fn call(
        client: hyper_util::client::legacy::Client<
            hyper_util::client::legacy::connect::HttpConnector,
            Full<Bytes>,
        >,
        uri: http::Uri,
        auth: String,
    ) {
        {
            let req = http::Request::put(uri)
                .header("host", "track.customer.io")
                .header("authorization", auth)
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from_static(BODY.as_bytes())))
                .expect("request");
            let res = client.request(req).await.expect("native request");
            assert_eq!(res.status(), 200);
            res.into_body().collect().await.expect("body");
        }
    }
}

impl Contender for NativeKeepAlive {
    fn name(&self) -> String {
        "native keep-alive (hyper-util pooled client)".into()
    }
    fn latency(&mut self, n: usize) -> anyhow::Result<Vec<f64>> {
        let (client, uri, auth) = (self.client.clone(), self.uri.clone(), self.auth.clone());
        // The loop runs as a task on the client's runtime, as a server's handler would.
        let task = self.rt.spawn(async move {
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                let t = Instant::now();
                Self::call(client.clone(), uri.clone(), auth.clone()).await;
                v.push(t.elapsed().as_nanos() as f64 / 1000.0);
            }
            v
        });
        Ok(self.rt.block_on(task)?)
    }
    fn throughput(&mut self, c: usize, n: usize) -> anyhow::Result<f64> {
        let (client, uri, auth) = (self.client.clone(), self.uri.clone(), self.auth.clone());
        Ok(tasks(self.rt.handle(), c, n, move || {
            Self::call(client.clone(), uri.clone(), auth.clone())
        }))
    }
}

/// The same PUT written by hand on a new TCP connection per request (what wasmtime's default
/// sender does).
struct NativeNewConnection {
    addr: SocketAddr,
    auth: String,
}

impl NativeNewConnection {
    fn call(addr: SocketAddr, auth: &str) {
        let mut s = TcpStream::connect(addr).expect("connect");
        let _ = s.set_nodelay(true);
        let req = format!(
            "PUT {PATH} HTTP/1.1\r\nhost: track.customer.io\r\nauthorization: {auth}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{BODY}",
            BODY.len()
        );
        s.write_all(req.as_bytes()).expect("write");
        let mut out = Vec::new();
        s.read_to_end(&mut out).expect("read");
        assert!(out.starts_with(b"HTTP/1.1 200"), "native answer");
    }
}

impl Contender for NativeNewConnection {
    fn name(&self) -> String {
        "native, new connection per request".into()
    }
    fn latency(&mut self, n: usize) -> anyhow::Result<Vec<f64>> {
        Ok(timed_loop(n, || Self::call(self.addr, &self.auth)))
    }
    fn throughput(&mut self, c: usize, n: usize) -> anyhow::Result<f64> {
        let (addr, auth) = (self.addr, self.auth.clone());
        Ok(threaded(c, n, move || Self::call(addr, &auth)))
    }
}

/// The component through `ConnectorHost::execute` (blocking API, one thread per call in flight).
struct HostSync(ConnectorHost);

impl Contender for HostSync {
    fn name(&self) -> String {
        "component via cio-host, blocking `execute`".into()
    }
    fn latency(&mut self, n: usize) -> anyhow::Result<Vec<f64>> {
        let req = request();
        Ok(timed_loop(n, || check(self.0.execute(&req))))
    }
    fn throughput(&mut self, c: usize, n: usize) -> anyhow::Result<f64> {
        let req = request();
        let host = &self.0;
        Ok(threaded(c, n, || check(host.execute(&req))))
    }
}

/// The component through `ConnectorHost::execute_async`, awaited from tasks on the host's
/// runtime (as a server embedding the host would).
struct HostAsync(ConnectorHost);

impl Contender for HostAsync {
    fn name(&self) -> String {
        "component via cio-host, `execute_async`".into()
    }
    fn latency(&mut self, n: usize) -> anyhow::Result<Vec<f64>> {
        let host = self.0.clone();
        // The loop runs as a task on the host's runtime, as a server's handler would.
        let task = self.0.runtime().spawn(async move {
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                let t = Instant::now();
                check(host.execute_async(request()).await);
                v.push(t.elapsed().as_nanos() as f64 / 1000.0);
            }
            v
        });
        Ok(self.0.runtime().block_on(task)?)
    }
    fn throughput(&mut self, c: usize, n: usize) -> anyhow::Result<f64> {
        let host = self.0.clone();
        Ok(tasks(self.0.runtime(), c, n, move || {
            let host = host.clone();
            async move { check(host.execute_async(request()).await) }
        }))
    }
}

/// An official client in its own process, driven over a line protocol (contenders/*.{mjs,py}).
struct External {
    name: String,
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl External {
    fn start(name: &str, mut cmd: Command) -> anyhow::Result<Self> {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start {name}"))?;
        Ok(External {
            name: name.into(),
            stdin: child.stdin.take().context("stdin")?,
            stdout: BufReader::new(child.stdout.take().context("stdout")?),
            child,
        })
    }

    fn ask(&mut self, q: Value) -> anyhow::Result<Value> {
        writeln!(self.stdin, "{q}")?;
        self.stdin.flush()?;
        let mut line = String::new();
        if self.stdout.read_line(&mut line)? == 0 {
            bail!("{} ended", self.name);
        }
        let v: Value = serde_json::from_str(&line)?;
        if let Some(e) = v.get("error") {
            bail!("{}: {e}", self.name);
        }
        Ok(v)
    }
}

impl Drop for External {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Contender for External {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn latency(&mut self, n: usize) -> anyhow::Result<Vec<f64>> {
        let v = self.ask(json!({"cmd": "lat", "n": n}))?;
        Ok(v["us"]
            .as_array()
            .context("us")?
            .iter()
            .filter_map(Value::as_f64)
            .collect())
    }
    fn throughput(&mut self, c: usize, n: usize) -> anyhow::Result<f64> {
        self.ask(json!({"cmd": "thr", "c": c, "n": n}))?["secs"]
            .as_f64()
            .context("secs")
    }
}

fn contenders_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("contenders")
}

fn node_contender(args: &Args, url: &str) -> Option<anyhow::Result<External>> {
    let (node, modules) = (args.node.as_ref()?, args.node_modules.as_ref()?);
    let mut cmd = Command::new(node);
    cmd.arg(contenders_dir().join("node.mjs"))
        .args([SITE, KEY, url])
        .env("CIO_BENCH_NODE_MODULES", modules);
    Some(External::start("customerio-node 5.2.0", cmd))
}

fn python_contender(args: &Args, url: &str) -> Option<anyhow::Result<External>> {
    let python = args.python.as_ref()?;
    let mut cmd = Command::new(python);
    cmd.arg(contenders_dir().join("python.py"))
        .args([SITE, KEY, url]);
    Some(External::start("customerio-python 3.2.0", cmd))
}

fn host_options(url: &str) -> HostOptions {
    let mut o = HostOptions {
        route_to: Some(url.to_string()),
        ..HostOptions::default()
    };
    if let Some(n) = std::env::var("CIO_BENCH_WORKER_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        o.worker_threads = n;
    }
    o
}

fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// In a fresh process: RSS after a tenth of `calls` and after all of them.
fn host_rss(url: &str, calls: usize) -> anyhow::Result<Value> {
    let host = ConnectorHost::load(&host_options(url))?;
    let first = calls / 10;
    let h = host.clone();
    let (a, b) = host.runtime().block_on(async move {
        for _ in 0..first {
            check(h.execute_async(request()).await);
        }
        let a = rss_bytes();
        for _ in first..calls {
            check(h.execute_async(request()).await);
        }
        (a, rss_bytes())
    });
    Ok(json!({"calls": [first, calls], "rss": [a, b]}))
}

fn external_rss(mut c: External, calls: usize) -> anyhow::Result<(u64, u64)> {
    let first = calls / 10;
    c.latency(first)?;
    let a = c.ask(json!({"cmd": "rss"}))?["rss"].as_u64().unwrap_or(0);
    c.latency(calls - first)?;
    let b = c.ask(json!({"cmd": "rss"}))?["rss"].as_u64().unwrap_or(0);
    Ok((a, b))
}

fn us(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.1} ms", v / 1000.0)
    } else {
        format!("{v:.0} µs")
    }
}

fn mib(b: u64) -> String {
    format!("{:.1} MiB", b as f64 / (1 << 20) as f64)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_default();
    format!("{cores} cores ({cpu}), load average {load} at the start")
}

fn version_of(cmd: &Path, arg: &str) -> String {
    Command::new(cmd)
        .arg(arg)
        .output()
        .ok()
        .map(|o| {
            String::from_utf8_lossy(if o.stdout.is_empty() {
                &o.stderr
            } else {
                &o.stdout
            })
            .trim()
            .to_string()
        })
        .unwrap_or_default()
}

/// Runs every measurement and renders the section.
fn run(args: &Args) -> anyhow::Result<Report> {
    let started = Instant::now();
    let emulator = cio_emulator::Emulator::start(cio_emulator::EmulatorConfig::default())?;
    let url = emulator.url();
    let addr = addr_of(&url)?;
    let machine = machine();
    let opts = host_options(&url);
    let component_size = std::fs::metadata(&opts.component)
        .with_context(|| format!("no component at {}", opts.component.display()))?
        .len();

    // Load: a cold compile (fresh cache folder) and loads from the cache.
    let cache = std::env::temp_dir().join(format!("cio-bench-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let cached_opts = HostOptions {
        cache_dir: Some(cache.clone()),
        ..opts.clone()
    };
    let t = Instant::now();
    let cold = ConnectorHost::load(&cached_opts)?;
    let compile = t.elapsed();
    assert!(!cold.from_cache);
    let mut loads = Vec::new();
    let mut first_list = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let h = ConnectorHost::load(&cached_opts)?;
        loads.push(t.elapsed().as_nanos() as f64 / 1000.0);
        assert!(h.from_cache);
        let t = Instant::now();
        let n = h.list_operations()?.len();
        first_list.push(t.elapsed().as_nanos() as f64 / 1000.0);
        assert!(n > 300, "{n} operations");
    }
    drop(cold);
    let _ = std::fs::remove_dir_all(&cache);

    let host = ConnectorHost::load(&opts)?;
    let operation_count = host.list_operations()?.len();
    let list_cloned = timed_loop(200, || {
        std::hint::black_box(host.list_operations().expect("list"));
    });
    let list_shared = timed_loop(2000, || {
        std::hint::black_box(host.operations().expect("list"));
    });
    let inst_pool = host.measure_instantiation(args.instantiations)?;
    // A call that fails validation: instantiate, lift and lower, parse and check the input, no
    // network.
    let mut invalid_request = request();
    invalid_request.input = r#"{"id":"","attributes":{"plan":"pro"}}"#.into();
    let invalid = {
        let (h, n) = (host.clone(), args.instantiations);
        let task = host.runtime().spawn(async move {
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                let t = Instant::now();
                let r = h
                    .execute_async(invalid_request.clone())
                    .await
                    .expect("host");
                assert!(r.is_err(), "an empty id is refused");
                v.push(t.elapsed().as_nanos() as f64 / 1000.0);
            }
            v
        });
        host.runtime().block_on(task)?
    };
    let on_demand = ConnectorHost::load(&HostOptions {
        max_instances: 0,
        ..opts.clone()
    })?;
    let inst_demand = on_demand.measure_instantiation(args.instantiations)?;
    drop(on_demand);

    let mut cs: Vec<Box<dyn Contender>> = vec![
        Box::new(NativeKeepAlive::new(&url)?),
        Box::new(NativeNewConnection {
            addr,
            auth: basic(),
        }),
        Box::new(HostSync(host.clone())),
        Box::new(HostAsync(host.clone())),
    ];
    let mut notes = Vec::new();
    let mut versions = Vec::new();
    match node_contender(args, &url) {
        Some(c) => {
            cs.push(Box::new(c?));
            if let Some(node) = &args.node {
                versions.push(format!("Node {}", version_of(node, "--version")));
            }
        }
        None => notes.push("customerio-node skipped (no --node / --node-modules)".to_string()),
    }
    match python_contender(args, &url) {
        Some(c) => {
            cs.push(Box::new(c?));
            if let Some(py) = &args.python {
                versions.push(version_of(py, "--version"));
            }
        }
        None => notes.push("customerio-python skipped (no --python)".to_string()),
    }

    if !args.only.is_empty() {
        cs.retain(|c| args.only.iter().any(|w| c.name().contains(w.as_str())));
        anyhow::ensure!(
            !cs.is_empty(),
            "--only {:?} matches no contender",
            args.only
        );
    }
    // Warm-up, then latency rounds with the order rotating.
    for c in cs.iter_mut() {
        c.latency(args.calls.div_ceil(4).max(1))?;
    }
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); cs.len()];
    for round in 0..args.rounds {
        for k in 0..cs.len() {
            let i = (k + round) % cs.len();
            samples[i].extend(cs[i].latency(args.calls)?);
        }
    }
    let latency: Vec<(String, Stats)> = cs
        .iter()
        .zip(samples)
        .map(|(c, s)| (c.name(), stats(s)))
        .collect();

    // Throughput: calls per second, the median over rounds.
    let thr_rounds = args.rounds.div_ceil(2).max(1);
    let mut throughput = Vec::new();
    for &conc in &args.concurrency {
        let mut per: Vec<Vec<f64>> = vec![Vec::new(); cs.len()];
        for round in 0..thr_rounds {
            for k in 0..cs.len() {
                let i = (k + round) % cs.len();
                let secs = cs[i].throughput(conc, args.throughput_calls)?;
                per[i].push(args.throughput_calls as f64 / secs);
            }
        }
        throughput.push((
            conc,
            cs.iter()
                .zip(per)
                .map(|(c, p)| (c.name(), median(p)))
                .collect::<Vec<_>>(),
        ));
    }
    let names: Vec<String> = cs.iter().map(|c| c.name()).collect();
    drop(cs);

    // RSS in fresh processes.
    let host_rss: Value = if args.rss_in_process {
        host_rss(&url, args.rss_calls)?
    } else {
        let out = Command::new(std::env::current_exe()?)
            .args([
                "--rss-host",
                &url,
                "--rss-calls",
                &args.rss_calls.to_string(),
            ])
            .env("CIO_COMPONENT", &opts.component)
            .output()?;
        anyhow::ensure!(
            out.status.success(),
            "RSS run failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout)?
    };
    let host_rss = (
        host_rss["rss"][0].as_u64().unwrap_or(0),
        host_rss["rss"][1].as_u64().unwrap_or(0),
    );
    let node_rss = match node_contender(args, &url) {
        Some(c) => Some(external_rss(c?, args.rss_calls)?),
        None => None,
    };

    let markdown = render(&Rendered {
        args,
        machine,
        versions,
        notes,
        component_size,
        operation_count,
        compile,
        loads,
        first_list,
        list_cloned,
        list_shared,
        inst_pool,
        inst_demand,
        invalid,
        latency: &latency,
        throughput: &throughput,
        names,
        host_rss,
        node_rss,
        took: started.elapsed(),
    });
    Ok(Report {
        markdown,
        latency,
        throughput,
    })
}

struct Rendered<'a> {
    args: &'a Args,
    machine: String,
    versions: Vec<String>,
    notes: Vec<String>,
    component_size: u64,
    operation_count: usize,
    compile: Duration,
    loads: Vec<f64>,
    first_list: Vec<f64>,
    list_cloned: Vec<f64>,
    list_shared: Vec<f64>,
    inst_pool: Vec<Duration>,
    inst_demand: Vec<Duration>,
    invalid: Vec<f64>,
    latency: &'a [(String, Stats)],
    throughput: &'a [(usize, Vec<(String, f64)>)],
    names: Vec<String>,
    host_rss: (u64, u64),
    node_rss: Option<(u64, u64)>,
    took: Duration,
}

fn micros(v: &[Duration]) -> Vec<f64> {
    v.iter().map(|d| d.as_nanos() as f64 / 1000.0).collect()
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**not met**"
    }
}

fn render(r: &Rendered<'_>) -> String {
    use std::fmt::Write as _;
    let a = r.args;
    let mut s = String::new();
    let _ = writeln!(s, "{START}");
    let _ = writeln!(
        s,
        "## Side by side (generated by `cio-bench`)\n\nCommand: `bash bench/run.sh` (= `cio-bench --rounds {} --calls {} --throughput-calls {} --concurrency {} --rss-calls {} --out BENCHMARKS.md`), {} in {:.0} s. Machine: {}. {}.\n\nEvery contender makes the same identify (`PUT /api/v1/customers/jane%2B1%40example.com`, body `{{\"plan\":\"pro\"}}`) against one `cio-emulator` process on loopback; latency rounds rotate the contenders' order, so a noisy moment hits all of them. Read the ratios: they are measured in the same run.\n",
        a.rounds,
        a.calls,
        a.throughput_calls,
        a.concurrency.iter().map(ToString::to_string).collect::<Vec<_>>().join(","),
        a.rss_calls,
        today(),
        r.took.as_secs_f64(),
        r.machine,
        if r.versions.is_empty() { "Rust contenders only".to_string() } else { r.versions.join(", ") },
    );
    for n in &r.notes {
        let _ = writeln!(s, "- {n}");
    }
    let floor = r.latency.first().map_or(1.0, |l| l.1.median);
    let _ = writeln!(
        s,
        "\n### One identify, sequential ({} calls each)\n\n| contender | median | p90 | median ÷ native keep-alive |\n|---|---|---|---|",
        a.rounds * a.calls
    );
    for (name, st) in r.latency {
        let _ = writeln!(
            s,
            "| {name} | {} | {} | {:.2}× |",
            us(st.median),
            us(st.p90),
            st.median / floor
        );
    }
    let _ = writeln!(
        s,
        "\n### Throughput (calls/s, median of {} rounds of {} calls)\n",
        a.rounds.div_ceil(2).max(1),
        a.throughput_calls
    );
    let _ = write!(s, "| contender |");
    for (c, _) in r.throughput {
        let _ = write!(s, " c = {c} |");
    }
    let _ = write!(s, "\n|---|");
    for _ in r.throughput {
        let _ = write!(s, "---|");
    }
    let _ = writeln!(s);
    for name in &r.names {
        let _ = write!(s, "| {name} |");
        for (_, row) in r.throughput {
            let v = row.iter().find(|(n, _)| n == name).map_or(0.0, |x| x.1);
            let _ = write!(s, " {v:.0} |");
        }
        let _ = writeln!(s);
    }
    let pool = stats(micros(&r.inst_pool));
    let demand = stats(micros(&r.inst_demand));
    let invalid = stats(r.invalid.clone());
    let cloned = stats(r.list_cloned.clone());
    let shared = stats(r.list_shared.clone());
    let first = stats(r.first_list.clone());
    let loads = stats(r.loads.clone());
    let _ = writeln!(
        s,
        "\n### Host costs\n\n| what | median | p90 |\n|---|---|---|\n\
         | instantiate, pooling allocator (`InstancePre`, fresh store, copy-on-write memory) | {} | {} |\n\
         | instantiate, on-demand allocator (`max_instances: 0`) | {} | {} |\n\
         | `execute_async` refusing invalid input (instantiate, validate, no network) | {} | {} |\n\
         | `list-operations`, first call ({} operations: instantiate + build every schema) | {} | {} |\n\
         | `list_operations()` later: the host's copy, cloned | {} | {} |\n\
         | `operations()` later: the host's copy, shared (`Arc`) | {} | {} |\n\
         | `ConnectorHost::load`, cold: compile the component | {:.2} s | |\n\
         | `ConnectorHost::load` from the on-disk cache | {} | {} |\n\
         | component size | {} bytes | |",
        us(pool.median), us(pool.p90), us(demand.median), us(demand.p90),
        us(invalid.median), us(invalid.p90), r.operation_count,
        us(first.median), us(first.p90), us(cloned.median), us(cloned.p90),
        format_args!("{:.2} µs", shared.median), format_args!("{:.2} µs", shared.p90),
        r.compile.as_secs_f64(), us(loads.median), us(loads.p90), r.component_size
    );
    let (h1, h10) = r.host_rss;
    let _ = writeln!(
        s,
        "\n### Memory (RSS of a fresh process)\n\n| process | after {} calls | after {} calls | growth |\n|---|---|---|---|\n| cio-host (async API) | {} | {} | {:+.2} MiB |",
        a.rss_calls / 10,
        a.rss_calls,
        mib(h1),
        mib(h10),
        (h10 as f64 - h1 as f64) / (1 << 20) as f64
    );
    if let Some((n1, n10)) = r.node_rss {
        let _ = writeln!(
            s,
            "| customerio-node 5.2.0 | {} | {} | {:+.2} MiB |",
            mib(n1),
            mib(n10),
            (n10 as f64 - n1 as f64) / (1 << 20) as f64
        );
    }
    // Targets of the performance issue.
    let lat = |needle: &str| {
        r.latency
            .iter()
            .find(|(n, _)| n.contains(needle))
            .map(|x| x.1.median)
    };
    let thr64 = |needle: &str| {
        r.throughput
            .iter()
            .find(|(c, _)| *c == 64)
            .and_then(|(_, row)| row.iter().find(|(n, _)| n.contains(needle)).map(|x| x.1))
    };
    let _ = writeln!(s, "\n### Targets\n\n| target | measured | |\n|---|---|---|");
    if let Some(h) = lat("execute_async") {
        let _ = writeln!(
            s,
            "| execute ≤ 2× native keep-alive | {:.2}× (async), {:.2}× (blocking) | {} |",
            h / floor,
            lat("blocking").unwrap_or(0.0) / floor,
            verdict(h / floor <= 2.0)
        );
        if let Some(n) = lat("customerio-node") {
            let _ = writeln!(
                s,
                "| execute ≥ 3× faster than customerio-node | {:.2}× faster | {} |",
                n / h,
                verdict(n / h >= 3.0)
            );
        }
    }
    if let (Some(h), Some(native)) = (thr64("execute_async"), thr64("native keep-alive")) {
        if let Some(n) = thr64("customerio-node") {
            let _ = writeln!(
                s,
                "| throughput at c = 64 ≥ 3× customerio-node | {:.2}× | {} |",
                h / n,
                verdict(h / n >= 3.0)
            );
        }
        let _ = writeln!(
            s,
            "| throughput at c = 64 ≥ 0.25× native | {:.2}× | {} |",
            h / native,
            verdict(h / native >= 0.25)
        );
    }
    let _ = writeln!(
        s,
        "| instantiate ≤ 15 µs (pooling) | {} | {} |\n| `list-operations` ≤ 1 ms (full catalog, later calls) | {} cloned, {:.2} µs shared | {} |\n| host RSS flat within 1 MiB from {} to {} calls | {:+.2} MiB | {} |",
        us(pool.median),
        verdict(pool.median <= 15.0),
        us(cloned.median),
        shared.median,
        verdict(cloned.median <= 1000.0),
        a.rss_calls / 10,
        a.rss_calls,
        (h10 as f64 - h1 as f64) / (1 << 20) as f64,
        verdict(h10.abs_diff(h1) <= 1 << 20)
    );
    let _ = writeln!(s, "{END}");
    s
}

const START: &str = "<!-- cio-bench:start -->";
const END: &str = "<!-- cio-bench:end -->";

fn today() -> String {
    Command::new("date")
        .arg("-u")
        .arg("+%Y-%m-%d")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// Replaces the generated section of `path` (or appends it).
fn write_section(path: &Path, section: &str) -> anyhow::Result<()> {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let new = match (old.find(START), old.find(END)) {
        (Some(a), Some(b)) if b > a => {
            format!(
                "{}{}{}",
                &old[..a],
                section.trim_end(),
                &old[b + END.len()..]
            )
        }
        _ => format!("{}\n{}", old.trim_end(), section),
    };
    std::fs::write(path, new)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A smoke run with tiny counts: every Rust contender answers, the report has every table,
    /// and the section replaces itself instead of piling up.
    #[test]
    fn smoke() {
        let args = Args::parse_from([
            "cio-bench",
            "--rounds",
            "1",
            "--calls",
            "5",
            "--throughput-calls",
            "16",
            "--concurrency",
            "1,4",
            "--rss-calls",
            "20",
            "--instantiations",
            "5",
            "--rss-in-process",
        ]);
        let report = run(&args).expect("bench");
        assert_eq!(
            report.latency.len(),
            4 + usize::from(args.node.is_some() && args.node_modules.is_some())
                + usize::from(args.python.is_some())
        );
        for (name, st) in &report.latency {
            assert!(st.median > 0.0 && st.p90 >= st.median, "{name}: {st:?}");
        }
        assert_eq!(report.throughput.len(), 2);
        for section in [
            "### One identify",
            "### Throughput",
            "### Host costs",
            "### Memory",
            "### Targets",
        ] {
            assert!(report.markdown.contains(section), "{section}");
        }
        let file = std::env::temp_dir().join(format!("cio-bench-smoke-{}.md", std::process::id()));
        std::fs::write(&file, "# Benchmarks\n\nkept\n").unwrap();
        write_section(&file, &report.markdown).unwrap();
        write_section(&file, &report.markdown).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(text.matches(START).count(), 1);
        assert!(text.starts_with("# Benchmarks\n\nkept\n"));
        let _ = std::fs::remove_file(&file);
    }
}
