//! The `tracewell dataset` subcommand on its own:
//! `cargo run -p tracewell-dataset --example dataset -- build SOURCES… --out DIR`.

use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    dataset: tracewell_dataset::DatasetArgs,
}

fn main() -> std::process::ExitCode {
    match tracewell_dataset::run_cli(Cli::parse().dataset) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
