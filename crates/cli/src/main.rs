//! `tracewell`: the command-line front of the recorder.
//!
//! One module per subcommand, each thin: parse arguments, call the library
//! crates, print. Errors are printed as one line (`tracewell: error: …`)
//! and exit non-zero; nothing here panics on bad input.

mod control_cmd;
mod demo;
mod describe;
mod inspect;
mod policy_cmd;
mod record;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Tracewell records how consenting people use their computers, for
/// training computer-use agents. While it records, it says so.
#[derive(Parser)]
#[command(name = "tracewell", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Record the X display in $DISPLAY into MCAP segments until Ctrl-C,
    /// SIGTERM or --duration.
    Record(record::RecordArgs),
    /// Summarise a segment or a folder of segments.
    Inspect(inspect::InspectArgs),
    /// Record a scripted session on a private virtual display and inspect it.
    Demo(demo::DemoArgs),
    /// Pause the running recorder: nothing is captured until resumed.
    Pause(control_cmd::ControlArgs),
    /// Resume the running recorder.
    Resume(control_cmd::ControlArgs),
    /// Show what the running recorder is doing.
    Status(control_cmd::ControlArgs),
    /// Capture policies.
    Policy(policy_cmd::PolicyArgs),
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("tracewell: internal error: {info}");
    }));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Record(args) => record::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Pause(args) => control_cmd::run(args, "pause"),
        Command::Resume(args) => control_cmd::run(args, "resume"),
        Command::Status(args) => control_cmd::run(args, "status"),
        Command::Policy(args) => policy_cmd::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let message = format!("{e:#}").replace('\n', " ");
            eprintln!("tracewell: error: {message}");
            ExitCode::FAILURE
        }
    }
}
