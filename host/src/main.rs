//! `cio-host`: see `cio_host::cli`.

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let env = |k: &str| std::env::var(k).ok();
    let term = cio_host::cli::Terminal::detect(&env);
    let outcome = cio_host::cli::run_in(&args, &env, &mut std::io::stdin(), term);
    // A reader that stops early (`cio-host demo | head`) closes the pipe: that is not an error of
    // the call, so nothing more is written and the exit code stays the call's (print! would panic).
    let _ = std::io::stdout()
        .lock()
        .write_all(outcome.stdout.as_bytes());
    let _ = std::io::stderr()
        .lock()
        .write_all(outcome.stderr.as_bytes());
    std::process::exit(outcome.code);
}
