//! [`build`]: sources → dataset folder, using every core, restartable.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tracewell_seal::RecipientIdentity;

use crate::assemble::{EpisodeRow, Recording, action_counts};
use crate::error::{Error, io_err};
use crate::export;
use crate::format::FORMAT_VERSION;
use crate::ingest::{self, Digest, MCAP_MAGIC, Outcome, SEAL_MAGIC};
use crate::parquet_out;
use crate::rules::Rules;

/// Where segments come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A segment file (MCAP or sealed), or a folder searched recursively
    /// for them (hidden entries skipped).
    Path(PathBuf),
}

impl From<PathBuf> for Source {
    fn from(p: PathBuf) -> Source {
        Source::Path(p)
    }
}

impl From<&Path> for Source {
    fn from(p: &Path) -> Source {
        Source::Path(p.to_path_buf())
    }
}

/// How to build.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// The dataset folder (created if needed; re-running resumes).
    pub out: PathBuf,
    /// The dataset key, for sealed segments.
    pub identity: Option<RecipientIdentity>,
    /// Worker threads; 0 = one per core.
    pub jobs: usize,
    pub rules: Rules,
    /// Write `viewer.html`.
    pub viewer: bool,
}

impl BuildOptions {
    pub fn new(out: impl Into<PathBuf>) -> BuildOptions {
        BuildOptions {
            out: out.into(),
            identity: None,
            jobs: 0,
            rules: Rules::default(),
            viewer: true,
        }
    }

    fn workers(&self, work: usize) -> usize {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let jobs = if self.jobs == 0 { cores } else { self.jobs };
        jobs.clamp(1, work.max(1))
    }
}

/// The build's stage, for progress displays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Reading segments (`done` of `total` files).
    Reading,
    /// Reducing recordings to episodes (`done` of `total` recordings).
    Assembling,
    /// Writing the output files (`done` of `total` files).
    Writing,
}

/// A progress report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    pub done: usize,
    pub total: usize,
    /// Sources skipped so far.
    pub skipped: usize,
}

/// A source that could not be used, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

/// What a build did.
#[derive(Clone, Debug, Default)]
pub struct BuildReport {
    pub out: PathBuf,
    /// Segment files found in the sources.
    pub segments_found: usize,
    /// Segments used (read now or from the restart cache).
    pub segments_read: usize,
    /// Of those, taken from the restart cache.
    pub segments_cached: usize,
    /// Unreadable sources, skipped.
    pub skipped: Vec<Skipped>,
    /// Truncated segments whose complete chunks were used.
    pub partial: Vec<Skipped>,
    pub recordings: usize,
    pub episodes: usize,
    pub steps: usize,
    /// Frame messages in the sources (carried ones included) and their bytes.
    pub source_frames: u64,
    pub source_frame_bytes: u64,
    /// Distinct images the dataset references and their bytes.
    pub images: u64,
    pub image_bytes: u64,
    /// Distinct frames of the sources, each stored once under `images/`
    /// (the steps reference a subset of them).
    pub images_stored: u64,
    /// Images written by this run (the rest existed already).
    pub images_written: u64,
    pub workers: usize,
    pub read_time: Duration,
    pub assemble_time: Duration,
    pub write_time: Duration,
    pub elapsed: Duration,
}

/// Finds the segment files of the sources, in a stable order.
fn expand(sources: &[Source]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for Source::Path(p) in sources {
        let meta = fs::metadata(p).map_err(|_| Error::MissingSource(p.clone()))?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    let mut seen = HashSet::new();
    out.retain(|p| seen.insert(fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(io_err(dir))?
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            walk(&path, out)?;
        } else if kind.is_file() {
            let is_segment = path.extension().is_some_and(|x| x == "mcap")
                || ingest::sniff(&path).is_some_and(|h| h == MCAP_MAGIC || h == SEAL_MAGIC);
            if is_segment {
                out.push(path);
            }
        }
    }
    Ok(())
}

/// Builds a dataset from segments into `options.out`.
///
/// Unreadable and damaged segments are skipped and reported (in the
/// returned [`BuildReport`] and the manifest); the build fails only for
/// what makes the whole result wrong: a missing source, a sealed segment
/// without an identity or not sealed to it, or an output that cannot be
/// written. Re-running with the same output folder reuses the segments
/// read before (`DIR/.work/`) and rewrites the outputs.
pub fn build(
    sources: &[Source],
    options: &BuildOptions,
    progress: impl Fn(Progress),
) -> Result<BuildReport, Error> {
    let started = Instant::now();
    let out = &options.out;
    fs::create_dir_all(out).map_err(io_err(out))?;
    fs::create_dir_all(ingest::work_dir(out)).map_err(io_err(ingest::work_dir(out)))?;
    let files = expand(sources)?;
    if files.is_empty() {
        return Err(Error::NoSegments);
    }
    // A wrong or missing key is a mistake to report before any work.
    for f in &files {
        if ingest::sniff(f).is_some_and(|h| h == SEAL_MAGIC) {
            ingest::check_recipient(f, options.identity.as_ref())?;
        }
    }
    let mut report = BuildReport {
        out: out.clone(),
        segments_found: files.len(),
        ..BuildReport::default()
    };

    // Stage 1: every segment, in parallel.
    let workers = options.workers(files.len());
    report.workers = workers;
    let mut outcomes: Vec<Option<Outcome>> = (0..files.len()).map(|_| None).collect();
    let next = AtomicUsize::new(0);
    let abort = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel();
    let mut fatal = None;
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, abort, files) = (&next, &abort, &files);
            scope.spawn(move || {
                loop {
                    if abort.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let result = ingest::ingest(path, options.identity.as_ref(), out);
                    if tx.send((i, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (n, (i, result)) in rx.into_iter().enumerate() {
            let done = n + 1;
            match result {
                Ok(Outcome::Skipped { reason, file_hash }) => {
                    report.skipped.push(Skipped {
                        path: files[i].clone(),
                        reason: reason.clone(),
                    });
                    outcomes[i] = Some(Outcome::Skipped { reason, file_hash });
                }
                Ok(outcome) => {
                    if let Outcome::Done {
                        cached, images_new, ..
                    } = &outcome
                    {
                        report.segments_cached += usize::from(*cached);
                        report.images_written += images_new;
                    }
                    outcomes[i] = Some(outcome);
                }
                Err(e) => {
                    abort.store(true, Ordering::Relaxed);
                    fatal.get_or_insert(e);
                }
            }
            progress(Progress {
                stage: Stage::Reading,
                done,
                total: files.len(),
                skipped: report.skipped.len(),
            });
        }
    });
    if let Some(e) = fatal {
        return Err(e);
    }
    report.read_time = started.elapsed();

    // Stage 2: group by recording, drop duplicates, assemble.
    let t_assemble = Instant::now();
    let mut statuses: Vec<Value> = Vec::with_capacity(files.len());
    let mut by_recording: BTreeMap<String, Vec<&Digest>> = BTreeMap::new();
    let mut seen_hash: HashMap<&str, usize> = HashMap::new();
    let mut seen_seq: HashMap<(&str, u32), usize> = HashMap::new();
    let mut redaction: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for (i, o) in outcomes.iter().enumerate() {
        let path = files[i].display().to_string();
        match o {
            Some(Outcome::Skipped { reason, file_hash }) => statuses.push(json!({
                "path": path, "status": "skipped", "reason": reason, "blake3": file_hash,
            })),
            Some(Outcome::Done { digest: d, .. }) => {
                let m = &d.meta;
                let mut entry = json!({
                    "path": path,
                    "blake3": d.file_hash,
                    "bytes": d.file_len,
                    "sealed": d.sealed,
                    "plaintext_blake3": d.plaintext_hash,
                    "recording_id": m.recording_id,
                    "segment_id": m.segment_id,
                    "sequence": m.sequence,
                    "segment_format": m.format,
                    "recorder_version": m.recorder_version,
                    "frames": d.frames.len(),
                    "events": d.events.len(),
                });
                let dup_of = seen_hash
                    .get(d.file_hash.as_str())
                    .or_else(|| seen_seq.get(&(m.recording_id.as_str(), m.sequence)))
                    .copied();
                if let Some(j) = dup_of {
                    entry["status"] = json!("duplicate");
                    entry["reason"] = json!(format!("same segment as {}", files[j].display()));
                } else {
                    seen_hash.insert(&d.file_hash, i);
                    seen_seq.insert((&m.recording_id, m.sequence), i);
                    report.segments_read += 1;
                    report.source_frames += d.frames.len() as u64;
                    report.source_frame_bytes += d.frame_bytes;
                    if d.truncated {
                        let reason = format!(
                            "truncated: used its {} complete chunks ({})",
                            d.recovered_chunks,
                            d.stop_reason.as_deref().unwrap_or("cut short")
                        );
                        report.partial.push(Skipped {
                            path: files[i].clone(),
                            reason: reason.clone(),
                        });
                        entry["status"] = json!("partial");
                        entry["reason"] = json!(reason);
                    } else {
                        entry["status"] = json!("ok");
                    }
                    for (subject, kinds) in &d.redactions {
                        let s = redaction.entry(subject.clone()).or_default();
                        for (k, n) in kinds {
                            *s.entry(k.clone()).or_insert(0) += n;
                        }
                    }
                    by_recording
                        .entry(m.recording_id.clone())
                        .or_default()
                        .push(d);
                }
                statuses.push(entry);
            }
            None => {}
        }
    }
    for segs in by_recording.values_mut() {
        segs.sort_by_key(|d| d.meta.sequence);
    }
    report.recordings = by_recording.len();
    let recordings: Vec<&Vec<&Digest>> = by_recording.values().collect();
    let rows = assemble_all(&recordings, &options.rules, workers, &progress)?;
    report.episodes = rows.len();
    report.steps = rows.iter().map(|e| e.steps.len()).sum();
    let mut images: HashSet<&str> = HashSet::new();
    for s in rows.iter().flat_map(|e| &e.steps) {
        if let Some(img) = &s.image {
            images.insert(img);
        }
    }
    report.images = images.len() as u64;
    let stored: HashSet<&str> = by_recording
        .values()
        .flatten()
        .flat_map(|d| d.frames.iter().map(|f| f.image.as_str()))
        .collect();
    report.images_stored = stored.len() as u64;
    report.image_bytes = images
        .iter()
        .map(|p| fs::metadata(out.join(p)).map_or(0, |m| m.len()))
        .sum();
    report.assemble_time = t_assemble.elapsed();

    // Stage 3: the outputs.
    let t_write = Instant::now();
    let total = if options.viewer { 6 } else { 5 };
    let step = |done| {
        progress(Progress {
            stage: Stage::Writing,
            done,
            total,
            skipped: report.skipped.len(),
        })
    };
    write_parquet(
        &out.join("episodes.parquet"),
        &rows,
        parquet_out::write_episodes,
    )?;
    step(1);
    write_parquet(&out.join("steps.parquet"), &rows, parquet_out::write_steps)?;
    step(2);
    export::write_jsonl(&out.join("agentnet.jsonl"), &rows)?;
    step(3);
    if options.viewer {
        export::write_viewer(&out.join("viewer.html"), &rows)?;
        step(4);
    }
    report.write_time = t_write.elapsed();
    report.elapsed = started.elapsed();
    let manifest = manifest(&report, &rows, statuses, redaction, options);
    export::write_manifest(&out.join("manifest.json"), &manifest)?;
    step(total - 1);
    export::write_card(
        &out.join("README.md"),
        &export::Summary {
            manifest: &manifest,
            episodes: &rows,
        },
    )?;
    step(total);
    Ok(report)
}

fn write_parquet(
    path: &Path,
    rows: &[EpisodeRow],
    write: fn(&Path, &[EpisodeRow]) -> Result<(), Error>,
) -> Result<(), Error> {
    let tmp = path.with_extension("parquet.tmp");
    write(&tmp, rows)?;
    fs::rename(&tmp, path).map_err(io_err(path))
}

/// Assembles recordings on `workers` threads, keeping their order.
fn assemble_all(
    recordings: &[&Vec<&Digest>],
    rules: &Rules,
    workers: usize,
    progress: &impl Fn(Progress),
) -> Result<Vec<EpisodeRow>, Error> {
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel();
    let mut results: Vec<Vec<EpisodeRow>> = (0..recordings.len()).map(|_| Vec::new()).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers.min(recordings.len()).max(1) {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || {
                while let Some(segs) = recordings.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let rows = Recording::new(segs).rows(rules);
                    if tx
                        .send((segs.first().map(|d| d.meta.recording_id.clone()), rows))
                        .is_err()
                    {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let index: HashMap<String, usize> = recordings
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.first().map(|d| (d.meta.recording_id.clone(), i)))
            .collect();
        for (done, (id, rows)) in rx.into_iter().enumerate() {
            if let Some(i) = id.and_then(|id| index.get(&id).copied()) {
                results[i] = rows;
            }
            progress(Progress {
                stage: Stage::Assembling,
                done: done + 1,
                total: recordings.len(),
                skipped: 0,
            });
        }
    });
    Ok(results.into_iter().flatten().collect())
}

fn manifest(
    report: &BuildReport,
    rows: &[EpisodeRow],
    sources: Vec<Value>,
    redaction: BTreeMap<String, BTreeMap<String, u64>>,
    options: &BuildOptions,
) -> Value {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut recordings: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for s in &sources {
        if s["status"] == "ok" || s["status"] == "partial" {
            recordings
                .entry(s["recording_id"].as_str().unwrap_or(""))
                .or_default()
                .push(s["segment_id"].as_str().unwrap_or(""));
        }
    }
    let recorder_versions: HashSet<&str> = sources
        .iter()
        .filter_map(|s| s["recorder_version"].as_str())
        .collect();
    let segment_formats: HashSet<&str> = sources
        .iter()
        .filter_map(|s| s["segment_format"].as_str())
        .collect();
    let total_redactions: u64 = redaction.values().flat_map(|m| m.values()).sum();
    let summary = if total_redactions == 0 {
        "The source segments record no redactions (no `/privacy/redactions` records): either nothing was redacted \
         or withheld, or they were written by a recorder without a redaction channel."
            .to_string()
    } else {
        let parts: Vec<String> = redaction
            .iter()
            .map(|(subject, kinds)| {
                let k: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
                format!("{subject}: {}", k.join(", "))
            })
            .collect();
        format!(
            "The recorder redacted or withheld on the device, before writing: {}.",
            parts.join("; ")
        )
    };
    json!({
        "format": FORMAT_VERSION,
        "builder_version": env!("CARGO_PKG_VERSION"),
        "built_at_unix_ns": now,
        "rules": options.rules,
        "counts": {
            "recordings": report.recordings,
            "episodes": report.episodes,
            "steps": report.steps,
            "actions_by_type": action_counts(rows),
            "segments_found": report.segments_found,
            "segments_read": report.segments_read,
            "segments_skipped": report.skipped.len(),
            "segments_partial": report.partial.len(),
            "source_frames": report.source_frames,
            "source_frame_bytes": report.source_frame_bytes,
            "images": report.images,
            "image_bytes": report.image_bytes,
            "images_stored": report.images_stored,
        },
        "recorder_versions": sorted(recorder_versions),
        "segment_formats": sorted(segment_formats),
        "recordings": recordings,
        "sources": sources,
        "redaction": { "by_subject": redaction, "total": total_redactions, "summary": summary },
        "images": { "layout": "images/<first two hex digits>/<blake3 hex>.png", "hash": "blake3", "encoding": "png, as recorded" },
        "limits": export::limits(),
    })
}

fn sorted(set: HashSet<&str>) -> Vec<&str> {
    let mut v: Vec<&str> = set.into_iter().collect();
    v.sort_unstable();
    v
}
