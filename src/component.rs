//! The WIT export layer: converts between the generated WIT types and the core's types and calls
//! the core with the WASI transport and clock. No logic lives here.

use crate::wasi_impl::{WasiClock, WasiTransport};
use crate::{types as core, Connector, ConnectorError};

// The world names its WASI imports for hosts (`wit/deps`); the calls themselves go through the
// `wasi` crate in `wasi_impl.rs`, so no bindings are generated for them here.
wit_bindgen::generate!({
    world: "connector-component",
    path: "wit",
    with: {
        "wasi:http/outgoing-handler@0.2.12": generate,
        "wasi:http/types@0.2.12": generate,
        "wasi:io/poll@0.2.12": generate,
        "wasi:io/error@0.2.12": generate,
        "wasi:io/streams@0.2.12": generate,
        "wasi:clocks/monotonic-clock@0.2.12": generate,
        "wasi:clocks/wall-clock@0.2.12": generate,
        "wasi:random/random@0.2.12": generate,
        "wasi:random/insecure-seed@0.2.12": generate,
        "wasi:cli/environment@0.2.12": generate,
        "wasi:cli/exit@0.2.12": generate,
        "wasi:cli/stdin@0.2.12": generate,
        "wasi:cli/stdout@0.2.12": generate,
        "wasi:cli/stderr@0.2.12": generate,
        "wasi:cli/terminal-input@0.2.12": generate,
        "wasi:cli/terminal-output@0.2.12": generate,
        "wasi:cli/terminal-stdin@0.2.12": generate,
        "wasi:cli/terminal-stdout@0.2.12": generate,
        "wasi:cli/terminal-stderr@0.2.12": generate,
    },
});

use customerio::connector::types as wit;
use exports::customerio::connector::connector::Guest;

struct Component;

fn kind_in(k: wit::ConnectorKind) -> core::ConnectorKind {
    match k {
        wit::ConnectorKind::Track => core::ConnectorKind::Track,
        wit::ConnectorKind::App => core::ConnectorKind::App,
        wit::ConnectorKind::Beta => core::ConnectorKind::Beta,
    }
}

fn kind_out(k: core::ConnectorKind) -> wit::ConnectorKind {
    match k {
        core::ConnectorKind::Track => wit::ConnectorKind::Track,
        core::ConnectorKind::App => wit::ConnectorKind::App,
        core::ConnectorKind::Beta => wit::ConnectorKind::Beta,
    }
}

fn config_in(c: wit::ConnectionConfig) -> core::ConnectionConfig {
    core::ConnectionConfig {
        connector: kind_in(c.connector),
        region: match c.region {
            wit::Region::Us => core::Region::Us,
            wit::Region::Eu => core::Region::Eu,
            wit::Region::Auto => core::Region::Auto,
        },
        credentials: match c.credentials {
            wit::Credentials::Track(t) => core::Credentials::Track(core::TrackCredentials {
                site_id: t.site_id,
                api_key: t.api_key,
            }),
            wit::Credentials::App(k) => core::Credentials::App(k),
        },
    }
}

fn error_out(e: ConnectorError) -> wit::ConnectorError {
    use crate::error::{ErrorKind as K, FixBy as F};
    wit::ConnectorError {
        kind: match e.kind {
            K::InvalidConfig => wit::ErrorKind::InvalidConfig,
            K::InvalidInput => wit::ErrorKind::InvalidInput,
            K::UnknownOperation => wit::ErrorKind::UnknownOperation,
            K::Unauthorized => wit::ErrorKind::Unauthorized,
            K::Forbidden => wit::ErrorKind::Forbidden,
            K::WrongRegion => wit::ErrorKind::WrongRegion,
            K::NotFound => wit::ErrorKind::NotFound,
            K::RateLimited => wit::ErrorKind::RateLimited,
            K::Upstream => wit::ErrorKind::Upstream,
            K::Transport => wit::ErrorKind::Transport,
            K::Timeout => wit::ErrorKind::Timeout,
            K::Internal => wit::ErrorKind::Internal,
        },
        message: e.message,
        fix_by: match e.fix_by {
            F::User => wit::FixBy::User,
            F::Host => wit::FixBy::Host,
            F::Upstream => wit::FixBy::Upstream,
            F::Connector => wit::FixBy::Connector,
        },
        retryable: e.retryable,
        status: e.status,
        retry_after_ms: e.retry_after_ms,
        pointers: e.pointers,
        body: e.body,
    }
}

impl Guest for Component {
    fn authenticate(config: wit::ConnectionConfig) -> Result<wit::AuthInfo, wit::ConnectorError> {
        let config = config_in(config);
        let info = Connector::new(&WasiTransport, &WasiClock)
            .authenticate(&config)
            .map_err(error_out)?;
        Ok(wit::AuthInfo {
            connector: kind_out(info.connector),
            region: if info.region == core::Region::Eu {
                wit::Region::Eu
            } else {
                wit::Region::Us
            },
            base_url: info.base_url,
            details: info.details,
        })
    }

    fn list_operations() -> Vec<wit::OperationDescriptor> {
        crate::catalog::descriptors()
            .into_iter()
            .map(|d| {
                let mut hints = wit::Hints::empty();
                hints.set(wit::Hints::READ_ONLY, d.hints.read_only);
                hints.set(wit::Hints::DESTRUCTIVE, d.hints.destructive);
                hints.set(wit::Hints::IDEMPOTENT, d.hints.idempotent);
                hints.set(wit::Hints::PAGINATED, d.hints.paginated);
                wit::OperationDescriptor {
                    id: d.id,
                    title: d.title,
                    description: d.description,
                    connector: kind_out(d.connector),
                    kind: match d.kind {
                        core::OperationKind::Action => wit::OperationKind::Action,
                        core::OperationKind::Lookup => wit::OperationKind::Lookup,
                        core::OperationKind::RawHttp => wit::OperationKind::RawHttp,
                    },
                    hints,
                    input_schema: d.input_schema,
                    output_schema: d.output_schema,
                }
            })
            .collect()
    }

    fn execute(request: wit::ExecuteRequest) -> Result<wit::ExecuteResponse, wit::ConnectorError> {
        let request = core::ExecuteRequest {
            operation_id: request.operation_id,
            config: config_in(request.config),
            input: request.input,
            timeout_ms: request.timeout_ms,
            request_id: request.request_id,
        };
        let r = Connector::new(&WasiTransport, &WasiClock)
            .execute(&request)
            .map_err(error_out)?;
        Ok(wit::ExecuteResponse {
            output: r.output,
            status: r.status,
            requests: r.requests,
        })
    }
}

export!(Component);

/// The bytes of `s` as an array, for custom sections.
const fn section<const N: usize>(s: &str) -> [u8; N] {
    let mut out = [0u8; N];
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < N {
        out[i] = bytes[i];
        i += 1;
    }
    out
}
const VERSION_TEXT: &str = env!("CARGO_PKG_VERSION");
const LICENSES_TEXT: &str = env!("CARGO_PKG_LICENSE");
const DESCRIPTION_TEXT: &str = env!("CARGO_PKG_DESCRIPTION");
// Registry metadata (the sections `wasm-tools metadata show` reads), so a host or registry can
// tell which connector and version it loaded without running it.
#[used]
#[link_section = "version"]
static VERSION: [u8; VERSION_TEXT.len()] = section(VERSION_TEXT);
#[used]
#[link_section = "licenses"]
static LICENSES: [u8; LICENSES_TEXT.len()] = section(LICENSES_TEXT);
#[used]
#[link_section = "description"]
static DESCRIPTION: [u8; DESCRIPTION_TEXT.len()] = section(DESCRIPTION_TEXT);
