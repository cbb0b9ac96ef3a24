//! Reference host for the Customer.io connector component.
//!
//! It shows what a workflow platform has to do to run the component safely: compile it once
//! (and cache the compiled artifact on disk), instantiate per call from an `InstancePre`, and own
//! the network edge. Every request the component makes passes through [`Egress`], which allows
//! only Customer.io hosts over HTTPS and can route everything to a local emulator for tests.
#![deny(missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

pub mod cli;
pub mod json;

/// Generated from `wit/connector.wit`; its documentation is the WIT file.
#[allow(missing_docs)]
mod bindings {
    wasmtime::component::bindgen!({ world: "connector-component", path: "../wit" });
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

/// How to load and run the component.
#[derive(Clone, Debug)]
pub struct HostOptions {
    /// The `.wasm` component.
    pub component: PathBuf,
    /// Send every allowed request to this `http://host:port` instead, keeping path, query and
    /// `Host` (tests and the embedded emulator).
    pub route_to: Option<String>,
    /// Where compiled artifacts are cached; `None` = a `cio-host-cache` folder beside the component.
    pub cache_dir: Option<PathBuf>,
    /// Largest linear memory the component may grow to; past it, allocation fails and the call
    /// traps instead of taking the host's memory.
    pub max_memory_bytes: usize,
    /// Upper bound for connect, first-byte and between-bytes waits of one request, whatever the
    /// component asks (wasmtime's default is 600 s). Default 300 s, the longest `timeout_ms` a raw
    /// request may ask for.
    pub max_request_wait: Duration,
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

/// The `send_request` hook: allow-list, optional routing, timeout caps.
#[derive(Clone)]
pub struct Egress {
    route_to: Option<http::uri::Authority>,
    max_wait: Duration,
    log: Arc<Mutex<Vec<EgressRecord>>>,
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

impl WasiHttpHooks for Egress {
    fn send_request(
        &mut self,
        mut request: http::Request<wasmtime_wasi_http::WasiBody>,
        options: Option<wasmtime_wasi_http::RequestOptions>,
        fut: Box<dyn std::future::Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ) -> Box<
        dyn std::future::Future<
                Output = Result<
                    (
                        http::Response<wasmtime_wasi_http::WasiBody>,
                        Box<
                            dyn std::future::Future<Output = Result<(), wasmtime_wasi_http::Error>>
                                + Send,
                        >,
                    ),
                    wasmtime_wasi_http::Error,
                >,
            > + Send,
    > {
        drop(fut);
        let refusal = egress_refusal(request.uri());
        self.log.lock().unwrap().push(EgressRecord {
            method: request.method().to_string(),
            uri: request.uri().to_string(),
            allowed: refusal.is_none(),
        });
        let route = self.route_to.clone();
        let cap = self.max_wait;
        Box::new(async move {
            if refusal.is_some() {
                // Drain first: failing before the guest has written its body makes it see a closed
                // stream instead of `HttpRequestDenied` (STACK.md §4).
                let _ = request.body_mut().collect().await;
                return Err(wasmtime_wasi_http::Error::HttpRequestDenied);
            }
            if let Some(authority) = route {
                let mut parts = request.uri().clone().into_parts();
                parts.scheme = Some(http::uri::Scheme::HTTP);
                parts.authority = Some(authority);
                *request.uri_mut() = http::Uri::from_parts(parts)
                    .map_err(|_| wasmtime_wasi_http::Error::HttpRequestUriInvalid)?;
            }
            let opts = options.unwrap_or_default();
            let capped = |d: Option<Duration>| Some(d.unwrap_or(cap).min(cap));
            let opts = wasmtime_wasi_http::RequestOptions {
                connect_timeout: capped(opts.connect_timeout),
                first_byte_timeout: capped(opts.first_byte_timeout),
                between_bytes_timeout: capped(opts.between_bytes_timeout),
            };
            let (res, io) = wasmtime_wasi_http::default_send_request(request, Some(opts)).await?;
            Ok((
                res.map(BodyExt::boxed_unsync),
                Box::new(io)
                    as Box<
                        dyn std::future::Future<Output = Result<(), wasmtime_wasi_http::Error>>
                            + Send,
                    >,
            ))
        })
    }
}

struct State {
    limits: wasmtime::StoreLimits,
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
pub struct ConnectorHost {
    engine: Engine,
    pre: bindings::ConnectorComponentPre<State>,
    egress: Egress,
    imports: Vec<String>,
    max_memory_bytes: usize,
    /// Whether the compiled artifact came from the on-disk cache.
    pub from_cache: bool,
}

/// A failure of the host itself (the component could not be loaded or trapped), as opposed to a
/// typed `ConnectorError` the component returned.
pub type HostError = anyhow::Error;

impl ConnectorHost {
    /// Loads (compiling once, then from cache) the component.
    pub fn load(options: &HostOptions) -> anyhow::Result<ConnectorHost> {
        let bytes = std::fs::read(&options.component).with_context(|| {
            format!(
                "cannot read the component at {} (build it with `cargo build --release --target wasm32-wasip2`, or pass --component / CIO_COMPONENT)",
                options.component.display()
            )
        })?;
        let mut config = Config::new();
        config.wasm_component_model(true);
        let engine = Engine::new(&config)?;
        let (component, from_cache) = compile_cached(&engine, &bytes, options)?;
        let mut linker: Linker<State> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_sync(&mut linker)?;
        let pre = bindings::ConnectorComponentPre::new(linker.instantiate_pre(&component)?)?;
        let route_to = match &options.route_to {
            Some(url) => Some(parse_route(url)?),
            None => None,
        };
        let egress = Egress {
            route_to,
            max_wait: options.max_request_wait,
            log: Arc::default(),
        };
        let imports = component
            .component_type()
            .imports(&engine)
            .map(|(name, _)| name.to_string())
            .collect();
        Ok(ConnectorHost {
            engine,
            pre,
            egress,
            imports,
            max_memory_bytes: options.max_memory_bytes,
            from_cache,
        })
    }

    fn instance(&self) -> anyhow::Result<(Store<State>, bindings::ConnectorComponent)> {
        let state = State {
            limits: wasmtime::StoreLimitsBuilder::new()
                .memory_size(self.max_memory_bytes)
                .build(),
            // No environment, no stdio, no files: secrets enter only through the call.
            wasi: WasiCtx::builder().build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            egress: self.egress.clone(),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        let instance = self.pre.instantiate(&mut store)?;
        Ok((store, instance))
    }

    /// `list-operations`.
    pub fn list_operations(&self) -> anyhow::Result<Vec<OperationDescriptor>> {
        let (mut store, i) = self.instance()?;
        Ok(i.customerio_connector_connector()
            .call_list_operations(&mut store)?)
    }

    /// `authenticate`.
    pub fn authenticate(
        &self,
        config: &ConnectionConfig,
    ) -> anyhow::Result<Result<AuthInfo, ConnectorError>> {
        let (mut store, i) = self.instance()?;
        Ok(i.customerio_connector_connector()
            .call_authenticate(&mut store, config)?)
    }

    /// `execute`.
    pub fn execute(
        &self,
        request: &ExecuteRequest,
    ) -> anyhow::Result<Result<ExecuteResponse, ConnectorError>> {
        let (mut store, i) = self.instance()?;
        Ok(i.customerio_connector_connector()
            .call_execute(&mut store, request)?)
    }

    /// The interfaces the component imports, e.g. `wasi:http/outgoing-handler@0.2.12`: what a
    /// platform reviews before granting it anything.
    pub fn imports(&self) -> &[String] {
        &self.imports
    }

    /// Every request the component attempted so far (allowed or not).
    pub fn egress_log(&self) -> Vec<EgressRecord> {
        self.egress.log.lock().unwrap().clone()
    }
}

fn parse_route(url: &str) -> anyhow::Result<http::uri::Authority> {
    let uri: http::Uri = url
        .parse()
        .with_context(|| format!("--route-to {url:?} is not a URL"))?;
    anyhow::ensure!(
        uri.scheme_str() == Some("http"),
        "--route-to must be an http:// URL, e.g. http://127.0.0.1:8080"
    );
    uri.authority()
        .cloned()
        .context("--route-to needs host:port")
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
    if path.exists() {
        // SAFETY: the file was written by `precompile_component` of an engine with the same
        // compatibility hash (it is in the name), in a cache directory this host owns.
        if let Ok(c) = unsafe { Component::deserialize_file(engine, &path) } {
            return Ok((c, true));
        }
    }
    let artifact = engine.precompile_component(bytes)?;
    // The cache is an optimisation: failing to write it must not fail the load.
    if std::fs::create_dir_all(&dir).is_ok() {
        let tmp = dir.join(format!("{key}.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, &artifact).is_ok() {
            let _ = std::fs::rename(&tmp, &path);
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
