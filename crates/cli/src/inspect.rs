//! `tracewell inspect`: what a segment or a folder of segments holds.
//!
//! Exit status: 0 when every file was read whole; 3 when a segment was cut
//! short (the report shows what was recovered from its complete chunks);
//! 1 when a file could not be read at all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use serde::Serialize;
use tracewell_model::{KeyEvent, typed_text};
use tracewell_segment::{Record, SegmentContents, list_segments, read_segment};

use crate::describe;

#[derive(Args)]
pub struct InspectArgs {
    /// A segment file (.mcap) or a folder of them.
    path: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Also write every frame as a PNG file into this folder.
    #[arg(long, value_name = "OUT")]
    frames: Option<PathBuf>,
}

/// What `inspect` reports, per segment and in total.
#[derive(Serialize)]
struct Report {
    segments: Vec<SegmentReport>,
    total: Totals,
}

#[derive(Serialize)]
struct SegmentReport {
    path: PathBuf,
    format: String,
    recording_id: String,
    sequence: u32,
    truncated: bool,
    recovered_chunks: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_reason: Option<String>,
    duration_s: f64,
    messages: u64,
    counts: BTreeMap<String, u64>,
    frames: FrameStats,
    typed_text: String,
    first_event: Option<String>,
    last_event: Option<String>,
}

#[derive(Serialize, Default)]
struct FrameStats {
    count: u64,
    bytes: u64,
    min_bytes: Option<u64>,
    max_bytes: Option<u64>,
    size: Option<(u32, u32)>,
}

#[derive(Serialize, Default)]
struct Totals {
    segments: usize,
    truncated_segments: usize,
    duration_s: f64,
    counts: BTreeMap<String, u64>,
    frames: u64,
    frame_bytes: u64,
    typed_text: String,
    frames_written: Option<u64>,
}

impl InspectArgs {
    /// A plain text report of one file or folder.
    pub fn for_path(path: PathBuf) -> InspectArgs {
        InspectArgs { path, json: false, frames: None }
    }
}

pub fn run(args: InspectArgs) -> anyhow::Result<ExitCode> {
    let paths = if args.path.is_dir() {
        let paths = list_segments(&args.path)?;
        if paths.is_empty() {
            bail!("{}: no segment files (*.mcap) in this folder", args.path.display());
        }
        paths
    } else if args.path.exists() {
        vec![args.path.clone()]
    } else {
        bail!("{}: no such file or folder", args.path.display());
    };
    if let Some(out) = &args.frames {
        std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    }

    let mut segments = Vec::new();
    let mut total = Totals::default();
    let mut keys: Vec<KeyEvent> = Vec::new();
    let mut unreadable = Vec::new();
    for path in &paths {
        let contents = match read_segment(path) {
            Ok(contents) => contents,
            Err(e) if paths.len() > 1 => {
                unreadable.push(format!("{}: {e}", path.display()));
                continue;
            }
            Err(e) => return Err(anyhow::Error::new(e).context(path.display().to_string())),
        };
        if let Some(out) = &args.frames {
            let written = write_frames(path, &contents, out)?;
            *total.frames_written.get_or_insert(0) += written;
        }
        let report = summarise(path, &contents);
        keys.extend(live_keys(&contents));
        total.segments += 1;
        total.truncated_segments += usize::from(report.truncated);
        total.duration_s += report.duration_s;
        for (topic, n) in &report.counts {
            *total.counts.entry(topic.clone()).or_default() += n;
        }
        total.frames += report.frames.count;
        total.frame_bytes += report.frames.bytes;
        segments.push(report);
    }
    total.typed_text = typed_text(&keys);
    let report = Report { segments, total };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_text(&report);
    }
    if !unreadable.is_empty() {
        bail!("{} file(s) could not be read: {}", unreadable.len(), unreadable.join("; "));
    }
    if report.total.truncated_segments > 0 {
        let cut: Vec<String> = report
            .segments
            .iter()
            .filter(|s| s.truncated)
            .map(|s| format!("{} ({} complete chunks recovered)", s.path.display(), s.recovered_chunks))
            .collect();
        eprintln!("tracewell: error: truncated segment(s): {}", cut.join(", "));
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}

/// Key events recorded live (not carried over from a previous segment).
fn live_keys(contents: &SegmentContents) -> Vec<KeyEvent> {
    contents
        .messages
        .iter()
        .filter(|m| !m.carried)
        .filter_map(|m| if let Record::Key(k) = &m.record { Some(k.clone()) } else { None })
        .collect()
}

fn summarise(path: &Path, contents: &SegmentContents) -> SegmentReport {
    let mut counts = BTreeMap::new();
    let mut frames = FrameStats::default();
    for message in &contents.messages {
        *counts.entry(message.record.topic().name().to_string()).or_default() += 1;
        if let Record::Frame(f) = &message.record {
            let n = f.png.len() as u64;
            frames.count += 1;
            frames.bytes += n;
            frames.min_bytes = Some(frames.min_bytes.map_or(n, |m| m.min(n)));
            frames.max_bytes = Some(frames.max_bytes.map_or(n, |m| m.max(n)));
            frames.size = Some((f.width, f.height));
        }
    }
    let live: Vec<_> = contents.messages.iter().filter(|m| !m.carried).collect();
    let duration_ns = match (live.first(), live.last()) {
        (Some(a), Some(b)) => b.publish_time.saturating_sub(a.publish_time),
        _ => 0,
    };
    SegmentReport {
        path: path.to_path_buf(),
        format: contents.meta.format.clone(),
        recording_id: contents.meta.recording_id.clone(),
        sequence: contents.meta.sequence,
        truncated: contents.truncated,
        recovered_chunks: contents.recovered_chunks,
        stop_reason: contents.stop_reason.clone(),
        duration_s: duration_ns as f64 / 1e9,
        messages: contents.messages.len() as u64,
        counts,
        frames,
        typed_text: typed_text(&live_keys(contents)),
        first_event: live.first().map(|m| describe::record(&m.record)),
        last_event: live.last().map(|m| describe::record(&m.record)),
    }
}

fn write_frames(path: &Path, contents: &SegmentContents, out: &Path) -> anyhow::Result<u64> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("segment");
    let mut written = 0;
    for message in &contents.messages {
        if let Record::Frame(f) = &message.record {
            let file = out.join(format!("{stem}-{written:05}-{}.png", f.t_ns));
            std::fs::write(&file, &f.png).with_context(|| format!("cannot write {}", file.display()))?;
            written += 1;
        }
    }
    Ok(written)
}

fn print_text(report: &Report) {
    for s in &report.segments {
        println!("{}  ({}, recording {}, segment #{})", s.path.display(), s.format, s.recording_id, s.sequence);
        println!("  duration {:.1} s, {} messages", s.duration_s, s.messages);
        let counts: Vec<String> = s.counts.iter().map(|(t, n)| format!("{t} {n}")).collect();
        println!("  {}", counts.join(", "));
        if let (Some((w, h)), Some(min), Some(max)) = (s.frames.size, s.frames.min_bytes, s.frames.max_bytes) {
            println!(
                "  frames: {} at {w}x{h}, {} ({}–{} each)",
                s.frames.count,
                describe::bytes(s.frames.bytes),
                describe::bytes(min),
                describe::bytes(max)
            );
        }
        if !s.typed_text.is_empty() {
            println!("  typed: {:?}", s.typed_text);
        }
        if let (Some(first), Some(last)) = (&s.first_event, &s.last_event) {
            println!("  first: {first}");
            println!("  last:  {last}");
        }
        if s.truncated {
            println!(
                "  TRUNCATED: recovered {} complete chunk(s); {}",
                s.recovered_chunks,
                s.stop_reason.as_deref().unwrap_or("the file ends early")
            );
        }
    }
    let t = &report.total;
    if t.segments > 1 {
        println!(
            "total: {} segments, {:.1} s, {} frames ({}), {} truncated",
            t.segments,
            t.duration_s,
            t.frames,
            describe::bytes(t.frame_bytes),
            t.truncated_segments
        );
        if !t.typed_text.is_empty() {
            println!("  typed: {:?}", t.typed_text);
        }
    }
    if let Some(n) = t.frames_written {
        println!("wrote {n} frame(s) as PNG");
    }
}
