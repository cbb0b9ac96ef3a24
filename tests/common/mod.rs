//! Shared set-up for integration tests: build the component once per test binary, start an
//! emulator, and load the component in the reference host routed to it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use cio_emulator::{Emulator, EmulatorConfig, Region as EmuRegion, Workspace};
use cio_host::{
    ConnectionConfig, ConnectorHost, ConnectorKind, Credentials, ExecuteRequest, HostOptions,
    Region, TrackCredentials,
};

/// The component under test: `$CIO_COMPONENT`, else a fresh release build of this workspace.
pub fn component() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        if let Some(p) = std::env::var_os("CIO_COMPONENT") {
            return PathBuf::from(p);
        }
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let status = std::process::Command::new(env!("CARGO"))
            .args([
                "build",
                "--release",
                "--target",
                "wasm32-wasip2",
                "-p",
                "customerio-connector",
            ])
            .current_dir(&root)
            .status()
            .expect("run cargo");
        assert!(status.success(), "building the component failed");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"));
        target.join("wasm32-wasip2/release/customerio_connector.wasm")
    })
    .clone()
}

/// An emulator with the demo workspace (US) and an EU workspace `eu-site`/`eu-track`/`eu-app`.
pub fn emulator() -> Emulator {
    let config = EmulatorConfig {
        workspaces: vec![
            Workspace::demo(),
            Workspace {
                site_id: "eu-site".into(),
                track_key: "eu-track".into(),
                app_key: "eu-app".into(),
                region: EmuRegion::Eu,
            },
        ],
        ..Default::default()
    };
    Emulator::start(config).expect("start emulator")
}

/// The host, routed to `emu`.
pub fn host(emu: &Emulator) -> ConnectorHost {
    let options = HostOptions {
        component: component(),
        route_to: Some(emu.url()),
        ..Default::default()
    };
    ConnectorHost::load(&options).expect("load component")
}

/// A Track connection to the demo (US) or EU workspace.
pub fn track(region: Region) -> ConnectionConfig {
    let (site, key) = if region == Region::Eu {
        ("eu-site", "eu-track")
    } else {
        ("demo-site", "demo-track-key")
    };
    ConnectionConfig {
        connector: ConnectorKind::Track,
        region,
        credentials: Credentials::Track(TrackCredentials {
            site_id: site.into(),
            api_key: key.into(),
        }),
    }
}

/// An App (or Beta) connection to the demo (US) or EU workspace.
pub fn app(kind: ConnectorKind, region: Region) -> ConnectionConfig {
    let key = if region == Region::Eu {
        "eu-app"
    } else {
        "demo-app-key"
    };
    ConnectionConfig {
        connector: kind,
        region,
        credentials: Credentials::App(key.into()),
    }
}

/// An execute request with the default budget.
pub fn request(op: &str, config: ConnectionConfig, input: serde_json::Value) -> ExecuteRequest {
    ExecuteRequest {
        operation_id: op.into(),
        config,
        input: input.to_string(),
        timeout_ms: None,
        request_id: None,
    }
}

/// The connection a test uses for an API in the US.
pub fn connection(kind: ConnectorKind) -> ConnectionConfig {
    if kind == ConnectorKind::Track {
        track(Region::Us)
    } else {
        app(kind, Region::Us)
    }
}

/// For every operation of `kinds`: each typed field given a value no type accepts (an array of
/// one boolean: wrong for scalars and objects, and its item wrong for every list), and each
/// required field left out, gets `invalid-input` pointing at that field, and nothing is sent.
pub fn every_field_refuses_malformed_input(
    host: &ConnectorHost,
    emu: &Emulator,
    kinds: &[ConnectorKind],
) {
    use serde_json::{json, Value};
    for d in host
        .list_operations()
        .unwrap()
        .into_iter()
        .filter(|d| kinds.contains(&d.connector))
    {
        let schema: Value = serde_json::from_str(&d.input_schema).unwrap();
        let example = schema["examples"][0].clone();
        let mut cases: Vec<(Value, String)> = Vec::new();
        for (name, prop) in schema["properties"].as_object().unwrap() {
            // Fields that take any JSON value (a raw request's body) have nothing to refuse.
            if prop.get("type").is_some() || prop.get("anyOf").is_some() {
                let mut input = example.clone();
                input[name] = json!([true]);
                cases.push((input, format!("/{name}")));
            }
        }
        for name in schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
        {
            let mut input = example.clone();
            input.as_object_mut().unwrap().remove(name);
            cases.push((input, format!("/{name}")));
        }
        for (input, at) in cases {
            emu.clear_requests();
            let e = host
                .execute(&request(&d.id, connection(d.connector), input))
                .unwrap()
                .unwrap_err();
            assert_eq!(
                e.kind,
                cio_host::ErrorKind::InvalidInput,
                "{} {at}: {e:?}",
                d.id
            );
            assert!(
                e.pointers.iter().any(|p| p.starts_with(&at)),
                "{} {at}: {:?}",
                d.id,
                e.pointers
            );
            assert!(emu.requests().is_empty(), "{} {at} sent a request", d.id);
        }
    }
}

/// The example input of an operation, from its schema.
pub fn example(host: &ConnectorHost, id: &str) -> serde_json::Value {
    let d = host
        .list_operations()
        .unwrap()
        .into_iter()
        .find(|d| d.id == id)
        .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&d.input_schema).unwrap();
    schema["examples"][0].clone()
}

/// Runs `op` with `input` and returns its output, failing the test with the error otherwise.
pub fn run_ok(
    host: &ConnectorHost,
    op: &str,
    config: ConnectionConfig,
    input: serde_json::Value,
) -> serde_json::Value {
    let out = host
        .execute(&request(op, config, input.clone()))
        .unwrap()
        .unwrap_or_else(|e| panic!("{op} {input}: {e:?}"));
    serde_json::from_str(&out.output).unwrap()
}
