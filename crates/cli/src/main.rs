//! `tracewell`: the command-line front of the recorder.
//!
//! One module per subcommand, each thin: parse arguments, call the library
//! crates, print. Errors are printed as one line (`tracewell: error: …`)
//! and exit non-zero; nothing here panics on bad input.

mod agent_cmd;
mod control_cmd;
mod demo;
mod describe;
mod inspect;
mod policy_cmd;
mod record;
mod redact_cmd;
mod server_cmd;

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
    /// Mark tasks in the running recording (`task start "…"`, `task end`):
    /// each becomes one episode of the dataset, with its instruction.
    Task(control_cmd::TaskArgs),
    /// Capture policies.
    Policy(policy_cmd::PolicyArgs),
    /// Dataset keys (the identity that decrypts sealed segments).
    Keys(agent_cmd::KeysArgs),
    /// Enroll this device with a collector.
    Enroll(agent_cmd::EnrollArgs),
    /// Run the agent: record, seal, spool and upload to the collector.
    Agent(agent_cmd::AgentArgs),
    /// Upload what the agent's spool holds, without recording.
    Upload(agent_cmd::UploadArgs),
    /// Run the collector.
    Server(server_cmd::ServerCmdArgs),
    /// Administer a running collector (enrollment tokens, revocation).
    Admin(server_cmd::AdminArgs),
    /// Build training datasets from recorded segments.
    Dataset(tracewell_dataset::DatasetArgs),
    /// Redact PII and secrets from text or an image.
    Redact(redact_cmd::RedactArgs),
}

fn main() -> ExitCode {
    // Where, not what: a panic message can quote the string it was about
    // (a slice out of range quotes the text), and that may be typed text,
    // a title or text read off the screen.
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map_or_else(|| "an unknown place".to_string(), |l| format!("{}:{}", l.file(), l.line()));
        eprintln!("tracewell: internal error at {at} (the message is not shown: it may quote recorded text)");
    }));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Record(args) => record::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Pause(args) => control_cmd::run(args, "pause"),
        Command::Resume(args) => control_cmd::run(args, "resume"),
        Command::Status(args) => control_cmd::run(args, "status"),
        Command::Task(args) => control_cmd::task(args),
        Command::Policy(args) => policy_cmd::run(args),
        Command::Keys(args) => agent_cmd::keys(args),
        Command::Enroll(args) => agent_cmd::enroll(args),
        Command::Agent(args) => agent_cmd::agent(args),
        Command::Upload(args) => agent_cmd::upload(args),
        Command::Server(args) => server_cmd::run(args),
        Command::Admin(args) => server_cmd::admin(args),
        Command::Redact(args) => redact_cmd::run(args),
        Command::Dataset(args) => tracewell_dataset::run_cli(args).map(|()| ExitCode::SUCCESS).map_err(Into::into),
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
