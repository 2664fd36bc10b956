//! From recorded segments to training trajectories for computer-use agents.
//!
//! [`build`] reads Tracewell segments — MCAP files, or sealed ones opened in
//! memory with the dataset key — on every core, reduces their raw input
//! events to the pyautogui-style action space (`write`, `press`, `hotkey`,
//! clicks, `drag`, `scroll`, `wait`, `terminate`), pairs every action with
//! the last distinct frame before it, splits recordings into episodes, and
//! writes a dataset folder: `episodes.parquet`, `steps.parquet`,
//! content-addressed images, an AgentNet-style `agentnet.jsonl`,
//! `manifest.json` with provenance, a `README.md` dataset card and a
//! self-contained `viewer.html`. Bad segments are reported and skipped;
//! re-running resumes from the per-segment results in `DIR/.work/`.
//!
//! - [`build`], [`BuildOptions`], [`Source`], [`Progress`], [`BuildReport`]:
//!   the library entry point.
//! - [`cli::DatasetArgs`] and [`cli::run_cli`]: the `tracewell dataset`
//!   subcommand, ready to mount in a clap binary.
//! - [`reduce`](mod@reduce) ([`reduce::reduce`], [`Action`], [`ActionKind`])
//!   and [`episode`] ([`episode::episodes`], [`episode::Timeline`]): the
//!   pure rules, with their thresholds in [`Rules`] and documented in
//!   [`rules`].
//! - [`format`]: the output format (Parquet columns, JSONL shape, image
//!   layout, manifest), version [`FORMAT_VERSION`].
//! - [`Error`]: the crate's one error type.
//!
//! ```no_run
//! use tracewell_dataset::{BuildOptions, Source, build};
//!
//! let options = BuildOptions::new("dataset");
//! let report = build(&[Source::Path("recordings/".into())], &options, |p| eprintln!("{p:?}"))?;
//! println!("{} episodes, {} steps", report.episodes, report.steps);
//! # Ok::<(), tracewell_dataset::Error>(())
//! ```

pub mod action;
mod assemble;
mod build;
pub mod cli;
pub mod episode;
mod error;
mod export;
pub mod format;
mod ingest;
mod parquet_out;
pub mod reduce;
pub mod rules;

pub use action::{ALLOWED_CALLS, Action, ActionKind, Coords};
pub use assemble::{EpisodeRow, StepRow};
pub use build::{BuildOptions, BuildReport, Progress, Skipped, Source, Stage, build};
pub use cli::{DatasetArgs, run_cli};
pub use error::Error;
pub use format::FORMAT_VERSION;
pub use parquet_out::{episodes_schema, steps_schema};
pub use rules::Rules;
