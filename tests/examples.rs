//! Every operation's example (`input_schema.examples[0]`, what `describe`, the manifest and the
//! docs show a newcomer) runs as-is against the emulator's demo workspace in both regions: the
//! people, deliveries, live notifications, exports and other things the examples name are there.

mod common;

use std::time::Instant;

use cio_emulator::{Emulator, EmulatorConfig, Region as EmuRegion, Workspace};
use cio_host::{ConnectorHost, ConnectorKind, HostOptions, Region};
use common::*;
use serde_json::Value;

#[test]
fn every_operation_example_runs_against_the_emulator_in_both_regions() {
    // One emulator and one host for the whole run; the emulator is reset before each example, so
    // each runs against a fresh demo workspace and none depends on another (a delete included).
    let emu = Emulator::start(EmulatorConfig::default()).expect("start emulator");
    let host = ConnectorHost::load(&HostOptions {
        component: component(),
        route_to: Some(emu.url()),
        ..Default::default()
    })
    .expect("load component");
    let ops = host.list_operations().unwrap();
    assert!(ops.len() > 300, "only {} operations", ops.len());
    let started = Instant::now();
    let mut failures = Vec::new();
    let mut ran = 0;
    for (region, emu_region) in [(Region::Us, EmuRegion::Us), (Region::Eu, EmuRegion::Eu)] {
        // The demo workspace (demo-site / demo-track-key / demo-app-key) in this region.
        emu.add_workspace(Workspace {
            region: emu_region,
            ..Workspace::demo()
        });
        for d in &ops {
            let schema: Value = serde_json::from_str(&d.input_schema).unwrap();
            let example = schema["examples"][0].clone();
            assert!(example.is_object(), "{} has no example", d.id);
            emu.reset();
            let config = if d.connector == ConnectorKind::Track {
                track(region)
            } else {
                app(d.connector, region)
            };
            let config = demo_credentials(config);
            match host.execute(&request(&d.id, config, example.clone())) {
                Ok(Ok(out)) if (200..300).contains(&out.status) => {}
                Ok(Ok(out)) => failures.push(format!("{} {region:?}: status {}", d.id, out.status)),
                Ok(Err(e)) => failures.push(format!(
                    "{} {region:?}: {:?} {:?} {}",
                    d.id, e.kind, e.status, e.message
                )),
                Err(e) => failures.push(format!("{} {region:?}: host: {e:#}", d.id)),
            }
            ran += 1;
        }
    }
    println!(
        "{ran} example runs ({} operations × 2 regions) in {:.1} s",
        ops.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} of {ran} example runs failed against the demo workspace:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `config` with the demo workspace's credentials (the common helpers' EU connection names a
/// separate EU workspace, which has none of the demo data).
fn demo_credentials(mut config: cio_host::ConnectionConfig) -> cio_host::ConnectionConfig {
    use cio_host::{Credentials, TrackCredentials};
    let demo = Workspace::demo();
    config.credentials = match config.credentials {
        Credentials::Track(_) => Credentials::Track(TrackCredentials {
            site_id: demo.site_id,
            api_key: demo.track_key,
        }),
        Credentials::App(_) => Credentials::App(demo.app_key),
    };
    config
}
