//! Build throughput: steps per second per core.
//!
//! `cargo bench -p tracewell-dataset --bench build [-- SEGMENTS CYCLES]`
//!
//! Writes a synthetic recording with the real segment writer (each cycle:
//! typing with corrections, Return, a click, a double click, a drag, a
//! wheel burst, a hotkey; 7 frames of 1280×800 as band-encoded PNG, like
//! the recorder's), then builds it cold on one worker and on every core,
//! and again warm (every segment from the restart cache). The figure that
//! matters is steps per second of one worker, cold: it includes reading,
//! zstd, JSON and base64 decoding, hashing and storing every frame, the
//! reduction and all outputs (frames are never re-encoded). A recording
//! from the recorder can be measured too: `… -- --dir DIR`.

#[path = "../tests/common/synth.rs"]
mod synth;

use std::path::PathBuf;
use std::time::Instant;

use tracewell_dataset::{BuildOptions, BuildReport, Source, build};

fn run(sources: &[Source], out: &std::path::Path, jobs: usize) -> (BuildReport, f64) {
    let mut options = BuildOptions::new(out);
    options.jobs = jobs;
    let start = Instant::now();
    let report = build(sources, &options, |_| {}).expect("build");
    (report, start.elapsed().as_secs_f64())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let tmp = tempfile::tempdir().expect("tempdir");
    let (sources, what) = if let Some(i) = args.iter().position(|a| a == "--dir") {
        let dir = PathBuf::from(&args[i + 1]);
        (vec![Source::Path(dir.clone())], format!("recorded segments in {}", dir.display()))
    } else {
        let segments: u32 = args.first().and_then(|a| a.parse().ok()).unwrap_or(16);
        let cycles: u32 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(14);
        let dir = tmp.path().join("segments");
        let t = Instant::now();
        synth::write_recording(&dir, "bench", segments, cycles, (1280, 800));
        eprintln!("wrote {segments} segments of {cycles} cycles in {:.1} s", t.elapsed().as_secs_f64());
        (vec![Source::Path(dir)], format!("{segments} synthetic segments × {cycles} cycles, 1280×800 frames"))
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("dataset build benchmark: {what}");
    for (label, jobs) in [("1 worker", 1), ("all cores", cores)] {
        let out = tmp.path().join(format!("out-{jobs}"));
        let (cold, secs) = run(&sources, &out, jobs);
        let (_, warm) = run(&sources, &out, jobs);
        let per_core = cold.steps as f64 / secs / cold.workers as f64;
        println!(
            "{label:>9} ({} workers): {} steps, {} segments, {} frames ({:.1} MB) → {} images; cold {:.2} s = {:.0} steps/s ({:.0} steps/s per core); warm {:.2} s",
            cold.workers,
            cold.steps,
            cold.segments_read,
            cold.source_frames,
            cold.source_frame_bytes as f64 / 1e6,
            cold.images,
            secs,
            cold.steps as f64 / secs,
            per_core,
            warm,
        );
        println!(
            "           stages: read {:.2} s, assemble {:.2} s, write {:.2} s",
            cold.read_time.as_secs_f64(),
            cold.assemble_time.as_secs_f64(),
            cold.write_time.as_secs_f64()
        );
    }
}
