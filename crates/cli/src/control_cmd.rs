//! `tracewell pause`, `resume`, `status` and `task start|end`: talk to a
//! running recorder through its control socket.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};

#[derive(Args, Clone)]
pub struct ControlArgs {
    /// The recorder's control socket (default: the one for $DISPLAY, or
    /// for --display).
    #[arg(long, value_name = "PATH")]
    control: Option<PathBuf>,
    /// The display whose recorder to reach.
    #[arg(long)]
    display: Option<String>,
    /// The agent configuration, for `status` (spool and uploads).
    #[arg(long = "config", value_name = "FILE")]
    agent_config: Option<PathBuf>,
}

pub fn run(args: ControlArgs, verb: &str) -> anyhow::Result<ExitCode> {
    let path = args.control.unwrap_or_else(|| crate::record::control_path(args.display.as_deref()));
    let answer = tracewell_recorder::control::send(&path, verb);
    if verb == "status" {
        // The agent's spool and uploads, if this machine runs one.
        let config = args.agent_config.unwrap_or_else(crate::agent_cmd::default_config);
        if let Ok(config) = tracewell_agent::AgentConfig::load(&config) {
            if let Ok(state) = tracewell_agent::AgentState::read(&config.state_path()) {
                crate::agent_cmd::print_state(&state);
            }
        }
    }
    let answer = answer.with_context(|| format!("no recorder answers on {} (is `tracewell record` or `tracewell agent` running?)", path.display()))?;
    if answer.contains("\"error\"") {
        anyhow::bail!("the recorder refused: {answer}");
    }
    println!("{answer}");
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct TaskArgs {
    #[command(subcommand)]
    command: TaskCommand,
}

#[derive(Subcommand)]
enum TaskCommand {
    /// Mark the start of a task: what follows, until `task end`, is one
    /// episode of the dataset with this instruction. PII and secrets in
    /// the instruction are replaced before it is recorded.
    Start {
        /// The task in your own words ("Rename report.txt to final.txt").
        instruction: String,
        #[command(flatten)]
        control: ControlArgs,
    },
    /// Mark the end of the open task.
    End {
        /// How it went.
        #[arg(long, value_enum)]
        outcome: Option<Outcome>,
        #[command(flatten)]
        control: ControlArgs,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Outcome {
    Success,
    Failure,
}

pub fn task(args: TaskArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        TaskCommand::Start { instruction, control } => {
            // One line on the socket: line breaks and runs of blanks become one space.
            let instruction = instruction.split_whitespace().collect::<Vec<_>>().join(" ");
            if instruction.is_empty() {
                anyhow::bail!("the instruction is empty: say what the task is");
            }
            run(control, &format!("task-start {instruction}"))
        }
        TaskCommand::End { outcome, control } => {
            let verb = match outcome {
                None => "task-end",
                Some(Outcome::Success) => "task-end success",
                Some(Outcome::Failure) => "task-end failure",
            };
            run(control, verb)
        }
    }
}
