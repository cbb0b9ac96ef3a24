//! `cio-emulator`: runs the emulator until Ctrl-C, for demos and for hosts written in other
//! languages (which drive it over `/__emulator__/`).

use std::io::Write as _;
use std::process::ExitCode;

use cio_emulator::{Emulator, EmulatorConfig, Fault, Workspace, WrongRegionMode, FAULT_SPEC_HELP};
use clap::Parser;

/// A local Customer.io API emulator (Track, App and Beta hosts) on 127.0.0.1.
///
/// Send requests to the printed address with the real API host in `Host` or `X-Forwarded-Host`.
#[derive(Parser, Debug)]
#[command(name = "cio-emulator", version, after_long_help = FAULT_SPEC_HELP)]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free port (printed on start-up).
    #[arg(long, default_value_t = 0)]
    port: u16,

    /// Extra workspace credentials; repeat for more.
    #[arg(long = "workspace", value_name = "SITE:TRACK_KEY:APP_KEY:REGION", value_parser = Workspace::parse)]
    workspaces: Vec<Workspace>,

    /// Leave out the demo workspace (demo-site / demo-track-key / demo-app-key, US).
    #[arg(long)]
    no_demo: bool,

    /// What the US App host does with an EU workspace's key.
    #[arg(long, value_name = "301|401", default_value = "301", value_parser = ["301", "401"])]
    app_wrong_region: String,

    /// Requests per second allowed per App key before 429 (no limit when absent).
    #[arg(long, value_name = "N")]
    app_rate_limit: Option<u32>,

    /// Queue a fault at start-up; repeat for more (tried in the order given). The syntax,
    /// `ACTION[:PATH_PREFIX[:TIMES]]` such as 'drip(50):/api/v1/customers:3', is listed at the
    /// end of `--help`. More can be queued while running: `POST /__emulator__/faults` with
    /// `{"spec": SPEC}`.
    #[arg(long = "fault", value_name = "SPEC", value_parser = Fault::parse)]
    faults: Vec<Fault>,

    /// Also serve each Customer.io host on its own port, from BASE up (0 = free ports), for
    /// hosts that cannot set `Host`; the map is printed as one JSON line after the address.
    #[arg(long, value_name = "BASE")]
    per_host_ports: Option<u16>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut workspaces = if args.no_demo {
        Vec::new()
    } else {
        vec![Workspace::demo()]
    };
    workspaces.extend(args.workspaces);
    if workspaces.is_empty() {
        eprintln!("cio-emulator: no workspaces: pass --workspace or drop --no-demo");
        return ExitCode::from(2);
    }
    let config = EmulatorConfig {
        workspaces,
        port: args.port,
        app_wrong_region: if args.app_wrong_region == "401" {
            WrongRegionMode::Unauthorized401
        } else {
            WrongRegionMode::Redirect301
        },
        app_rate_limit: args.app_rate_limit,
        per_host_ports: args.per_host_ports,
    };
    let emulator = match Emulator::start(config) {
        Ok(emulator) => emulator,
        Err(err) => {
            eprintln!(
                "cio-emulator: cannot listen on 127.0.0.1:{}: {err}",
                args.port
            );
            return ExitCode::FAILURE;
        }
    };
    // Queued before the address is printed, so a parent that waits for the line finds them active.
    for fault in args.faults {
        emulator.inject(fault);
    }
    // Written and flushed explicitly: a parent process reading a pipe waits for this line.
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "cio-emulator listening on {}", emulator.url());
    if args.per_host_ports.is_some() {
        let hosts: serde_json::Map<String, serde_json::Value> = emulator
            .host_urls()
            .into_iter()
            .map(|(h, u)| (h.to_string(), serde_json::Value::String(u)))
            .collect();
        let _ = writeln!(
            stdout,
            "{}",
            serde_json::json!({ "hosts": hosts, "control": emulator.url() })
        );
    }
    let _ = stdout.flush();
    drop(stdout);

    let waited = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .and_then(|rt| rt.block_on(tokio::signal::ctrl_c()));
    drop(emulator);
    match waited {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cio-emulator: cannot wait for Ctrl-C: {err}");
            ExitCode::FAILURE
        }
    }
}
