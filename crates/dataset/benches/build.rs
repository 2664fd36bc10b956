//! Build throughput: steps per second per core.
//!
//! `cargo bench -p tracewell-dataset --bench build [-- SEGMENTS CYCLES]`
//!
//! Writes a synthetic recording with the real segment writer (each cycle:
//! typing with corrections, Return, a click, a double click, a drag, a
//! wheel burst, a hotkey; 7 frames of 1280×800 as band-encoded PNG, like
//! the recorder's), then builds it cold on one worker and on every core,
//! and again warm (every segment from the restart cache). The figure that
//! matters is steps per CPU-second, cold (also shown per worker of wall
//! time, which a shared machine disturbs): it includes reading,
//! zstd, JSON and base64 decoding, hashing and storing every frame, the
//! reduction and all outputs (frames are never re-encoded). A recording
//! from the recorder can be measured too: `… -- --dir DIR`.

#[path = "../tests/common/synth.rs"]
mod synth;

use std::path::PathBuf;
use std::time::Instant;

use tracewell_dataset::{BuildOptions, BuildReport, Source, build};

/// CPU seconds (user + system) this process has used, from
/// `/proc/self/stat` (Linux; clock ticks of 10 ms).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, r)| r)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Builds and returns the report, wall seconds and CPU seconds.
fn run(sources: &[Source], out: &std::path::Path, jobs: usize) -> (BuildReport, f64, f64) {
    let mut options = BuildOptions::new(out);
    options.jobs = jobs;
    let (start, cpu) = (Instant::now(), cpu_seconds());
    let report = build(sources, &options, |_| {}).expect("build");
    (report, start.elapsed().as_secs_f64(), cpu_seconds() - cpu)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let tmp = tempfile::tempdir().expect("tempdir");
    let (sources, what) = if let Some(i) = args.iter().position(|a| a == "--dir") {
        let dir = PathBuf::from(&args[i + 1]);
        (
            vec![Source::Path(dir.clone())],
            format!("recorded segments in {}", dir.display()),
        )
    } else {
        let segments: u32 = args.first().and_then(|a| a.parse().ok()).unwrap_or(16);
        let cycles: u32 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(14);
        let dir = tmp.path().join("segments");
        let t = Instant::now();
        synth::write_recording(&dir, "bench", segments, cycles, (1280, 800));
        eprintln!(
            "wrote {segments} segments of {cycles} cycles in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        (
            vec![Source::Path(dir)],
            format!("{segments} synthetic segments × {cycles} cycles, 1280×800 frames"),
        )
    };
    // The floor: decoding the segments alone (MCAP, zstd, JSON, base64).
    let Source::Path(root) = &sources[0];
    let files: Vec<PathBuf> = if root.is_dir() {
        tracewell_segment::list_segments(root).expect("list")
    } else {
        vec![root.clone()]
    };
    let t = Instant::now();
    let mut messages = 0;
    for f in &files {
        messages += tracewell_segment::read_segment(f).map_or(0, |c| c.messages.len());
    }
    let decode = t.elapsed().as_secs_f64();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("dataset build benchmark: {what}");
    println!("decoding alone (read_segment, 1 thread): {messages} messages in {decode:.2} s");
    for (label, jobs) in [("1 worker", 1), ("all cores", cores)] {
        // Three cold builds into fresh folders; the best shows the cost of
        // the work itself, the others what a loaded machine adds.
        let mut runs = Vec::new();
        for round in 0..3 {
            let out = tmp.path().join(format!("out-{jobs}-{round}"));
            runs.push(run(&sources, &out, jobs));
        }
        let (_, warm, _) = run(&sources, &tmp.path().join(format!("out-{jobs}-0")), jobs);
        runs.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (cold, secs, cpu) = &runs[0];
        let walls: Vec<String> = runs.iter().map(|r| format!("{:.2}", r.1)).collect();
        println!(
            "{label:>9} ({} workers): {} steps, {} segments, {} frames ({:.1} MB) → {} images stored",
            cold.workers,
            cold.steps,
            cold.segments_read,
            cold.source_frames,
            cold.source_frame_bytes as f64 / 1e6,
            cold.images_stored,
        );
        println!(
            "           cold, best of 3: {secs:.2} s (runs {}) = {:.0} steps/s, {:.0} steps/s per worker; {cpu:.2} CPU-s = {:.0} steps per CPU-second; warm (cached) {warm:.2} s",
            walls.join(", "),
            cold.steps as f64 / secs,
            cold.steps as f64 / secs / cold.workers as f64,
            cold.steps as f64 / cpu.max(0.01),
        );
        println!(
            "           stages: read {:.2} s, assemble {:.2} s, write {:.2} s",
            cold.read_time.as_secs_f64(),
            cold.assemble_time.as_secs_f64(),
            cold.write_time.as_secs_f64()
        );
    }
}
