//! `cio-host`: see `cio_host::cli`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let env = |k: &str| std::env::var(k).ok();
    let term = cio_host::cli::Terminal::detect(&env);
    let outcome = cio_host::cli::run_in(&args, &env, &mut std::io::stdin(), term);
    print!("{}", outcome.stdout);
    eprint!("{}", outcome.stderr);
    std::process::exit(outcome.code);
}
