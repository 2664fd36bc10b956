//! The `tracewell dataset …` subcommand: arguments and runner, for the
//! `tracewell` binary to mount.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use clap::{Args, Subcommand};
use tracewell_seal::RecipientIdentity;

use crate::build::{BuildOptions, BuildReport, Progress, Source, Stage, build};
use crate::error::Error;
use crate::rules::Rules;

/// `tracewell dataset`: turn recordings into training data.
#[derive(Args, Debug, Clone)]
pub struct DatasetArgs {
    #[command(subcommand)]
    pub command: DatasetCommand,
}

#[derive(Subcommand, Debug, Clone)]
pub enum DatasetCommand {
    /// Build a dataset (Parquet, AgentNet JSONL, images, viewer) from segments.
    Build(BuildArgs),
}

/// `tracewell dataset build SOURCES… --out DIR`.
#[derive(Args, Debug, Clone)]
pub struct BuildArgs {
    /// Segment files (.mcap or sealed) or folders of them.
    #[arg(required = true, value_name = "SOURCES")]
    pub sources: Vec<PathBuf>,
    /// The dataset folder; re-running with the same folder resumes.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The dataset identity file that opens sealed segments.
    #[arg(long, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub jobs: usize,
    /// Idle time that splits episodes, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    pub idle_gap: f64,
    /// Do not write viewer.html.
    #[arg(long)]
    pub no_viewer: bool,
    /// No progress display.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs a `tracewell dataset` command; prints progress to stderr and a
/// summary to stdout.
pub fn run_cli(args: DatasetArgs) -> Result<(), Error> {
    match args.command {
        DatasetCommand::Build(b) => {
            let report = run_build(&b)?;
            print_report(&report);
            Ok(())
        }
    }
}

fn run_build(args: &BuildArgs) -> Result<BuildReport, Error> {
    let identity = match &args.identity {
        Some(path) => {
            Some(
                RecipientIdentity::read_file(path).map_err(|source| Error::Identity {
                    path: path.clone(),
                    source,
                })?,
            )
        }
        None => None,
    };
    let rules = Rules {
        idle_gap: Duration::from_secs_f64(args.idle_gap.max(0.0)),
        ..Rules::default()
    };
    let options = BuildOptions {
        out: args.out.clone(),
        identity,
        jobs: args.jobs,
        rules,
        viewer: !args.no_viewer,
    };
    let sources: Vec<Source> = args.sources.iter().cloned().map(Source::Path).collect();
    let bar = Bar::new(args.quiet);
    let report = build(&sources, &options, |p| bar.show(&p));
    bar.finish();
    report
}

/// A one-line progress bar on stderr (redrawn on a terminal, a line per
/// stage change and every 10% otherwise).
struct Bar {
    quiet: bool,
    tty: bool,
    last: Mutex<(Option<Stage>, usize)>,
}

impl Bar {
    fn new(quiet: bool) -> Bar {
        Bar {
            quiet,
            tty: std::io::stderr().is_terminal(),
            last: Mutex::new((None, 0)),
        }
    }

    fn show(&self, p: &Progress) {
        if self.quiet {
            return;
        }
        let what = match p.stage {
            Stage::Reading => "reading segments",
            Stage::Assembling => "building episodes",
            Stage::Writing => "writing outputs",
        };
        let width = 30;
        let filled = (p.done * width).checked_div(p.total).unwrap_or(width);
        let skipped = if p.skipped > 0 {
            format!(", {} skipped", p.skipped)
        } else {
            String::new()
        };
        let line = format!(
            "[{}{}] {}/{} {what}{skipped}",
            "#".repeat(filled),
            "-".repeat(width - filled),
            p.done,
            p.total
        );
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let decile = (p.done * 10).checked_div(p.total).unwrap_or(10);
        let mut err = std::io::stderr().lock();
        if self.tty {
            if last.0.is_some_and(|s| s != p.stage) {
                // Keep the finished stage's line.
                let _ = writeln!(err);
            }
            let _ = write!(err, "\r{line}\x1b[K");
        } else if last.0 != Some(p.stage) || decile != last.1 || p.done == p.total {
            let _ = writeln!(err, "{line}");
        }
        *last = (Some(p.stage), decile);
    }

    fn finish(&self) {
        if !self.quiet && self.tty {
            let _ = writeln!(std::io::stderr());
        }
    }
}

fn print_report(r: &BuildReport) {
    for s in &r.skipped {
        eprintln!("skipped {}: {}", s.path.display(), s.reason);
    }
    for s in &r.partial {
        eprintln!("partly read {}: {}", s.path.display(), s.reason);
    }
    println!(
        "dataset: {} episodes, {} steps from {} segments of {} recordings ({} from the restart cache, {} skipped)",
        r.episodes,
        r.steps,
        r.segments_read,
        r.recordings,
        r.segments_cached,
        r.skipped.len()
    );
    println!(
        "images: {} distinct frames stored once, {} of them ({:.1} MB) observations of steps; {} source frames ({:.1} MB); {} written now",
        r.images_stored,
        r.images,
        r.image_bytes as f64 / 1e6,
        r.source_frames,
        r.source_frame_bytes as f64 / 1e6,
        r.images_written
    );
    println!(
        "took {:.2} s on {} workers; written to {}",
        r.elapsed.as_secs_f64(),
        r.workers,
        r.out.display()
    );
}
