//! The `rtrack` command (see `rtrack --help`).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(rtrack::cli::main(&args));
}
