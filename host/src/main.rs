//! `cio-host`: see `cio_host::cli`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let outcome = cio_host::cli::run(&args, &|k| std::env::var(k).ok(), &mut std::io::stdin());
    print!("{}", outcome.stdout);
    eprint!("{}", outcome.stderr);
    std::process::exit(outcome.code);
}
