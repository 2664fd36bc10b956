//! `tracewell policy check FILE`: validate a capture policy and say what
//! it allows.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use tracewell_policy::{PixelRedaction, Policy};

#[derive(Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    command: PolicyCommand,
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Parse and validate a policy file; print a summary.
    Check {
        /// The policy file (TOML).
        file: PathBuf,
    },
}

pub fn run(args: PolicyArgs) -> anyhow::Result<ExitCode> {
    let PolicyCommand::Check { file } = args.command;
    let policy = Policy::load(&file)?;
    println!("{}: valid policy (version 1)", file.display());
    let m = policy.modalities;
    println!("  captures: keys {}, mouse {}, screen {}", yes(m.keys), yes(m.mouse), yes(m.screen));
    println!(
        "  pixel redaction: {}",
        match policy.redaction.pixels {
            PixelRedaction::Required => "required (no frames without OCR)",
            PixelRedaction::Off => "off (window blanking only)",
        }
    );
    println!("  pause hotkey: {}", policy.pause_hotkey);
    if policy.default_allows() {
        println!("  warning: scope.default is \"allow\": every application not denied is captured");
    } else if !policy.allows_anything() {
        println!("  warning: no application is allowed: nothing will be captured");
    }
    Ok(ExitCode::SUCCESS)
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}
