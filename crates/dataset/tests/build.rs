//! Building from synthetic segments written with the real segment writer:
//! the exact action sequence, every output, image deduplication, restart,
//! bad input and sealed segments.

mod common;

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use common::synth::write_recording;
use common::*;
use tracewell_dataset::{BuildOptions, Error, Source, build};

fn quiet(_: tracewell_dataset::Progress) {}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn synthetic_recording_reduces_to_the_scripted_actions() {
    let dir = tempfile::tempdir().unwrap();
    let (files, expected) = write_recording(&dir.path().join("rec"), "synth-a", 3, 2, (160, 100));
    assert_eq!(files.len(), 3);
    let out = dir.path().join("out");
    let report = build(
        &[Source::Path(dir.path().join("rec"))],
        &BuildOptions::new(&out),
        quiet,
    )
    .unwrap();
    assert_eq!(
        (report.segments_read, report.recordings, report.episodes),
        (3, 1, 1)
    );
    assert!(report.skipped.is_empty() && report.partial.is_empty());

    let steps = read_steps(&out);
    let mut want = expected.clone();
    want.push("computer.terminate(status='unknown')".into());
    assert_eq!(codes_by_episode(&steps), vec![want]);
    assert!(
        steps
            .iter()
            .all(|s| s.image.is_some() && s.app.as_deref() == Some("Editor"))
    );
    assert!(steps.iter().enumerate().all(|(i, s)| s.step as usize == i));
    // Observations are never after their action (the grace is 100 ms).
    for s in &steps {
        assert!(s.image_t_ns.unwrap() <= s.t_start_ns + 100_000_000, "{s:?}");
    }
    // The click frames the recorder took at each press are the clicks' own.
    let clicks: Vec<&StepView> = steps.iter().filter(|s| s.action_type == "click").collect();
    assert!(clicks.iter().all(|s| s.image_t_ns.unwrap() > s.t_start_ns));

    // Each distinct frame is stored once, carried copies included.
    let stored: usize = fs::read_dir(out.join("images"))
        .unwrap()
        .map(|d| fs::read_dir(d.unwrap().path()).unwrap().count())
        .sum();
    assert_eq!(
        report.source_frames,
        1 + 2 * 3 * 7 + 2,
        "frames incl. 2 carried"
    );
    assert_eq!(stored as u64, report.source_frames - 2);
    assert_eq!(report.images_stored, stored as u64);
    for f in [
        "episodes.parquet",
        "steps.parquet",
        "agentnet.jsonl",
        "viewer.html",
        "README.md",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let m = manifest(&out);
    assert_eq!(m["format"], "tracewell.dataset/1");
    assert_eq!(m["counts"]["steps"], steps.len());
    assert_eq!(m["sources"].as_array().unwrap().len(), 3);
    assert!(
        m["sources"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] == "ok" && s["blake3"].as_str().unwrap().len() == 64)
    );
    assert_eq!(m["redaction"]["by_subject"]["title"]["email"], 1);
    assert!(
        m["redaction"]["summary"]
            .as_str()
            .unwrap()
            .contains("title: email 1")
    );
    assert!(
        !String::from_utf8(fs::read(out.join("manifest.json")).unwrap())
            .unwrap()
            .contains("synthetic-host")
    );

    // AgentNet JSONL: one line per episode, normalised code, image paths.
    let jsonl = fs::read_to_string(out.join("agentnet.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    let traj = lines[0]["traj"].as_array().unwrap();
    assert_eq!(traj.len(), steps.len());
    assert_eq!(
        traj[2]["value"]["code"],
        "pyautogui.click(x=0.0781, y=0.25)"
    );
    assert!(out.join(traj[2]["image"].as_str().unwrap()).is_file());
}

#[test]
fn a_second_run_resumes_from_the_cache_and_writes_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    write_recording(&dir.path().join("rec"), "synth-b", 2, 1, (120, 80));
    let out = dir.path().join("out");
    let sources = [Source::Path(dir.path().join("rec"))];
    let first = build(&sources, &BuildOptions::new(&out), quiet).unwrap();
    assert_eq!((first.segments_cached, first.images_written > 0), (0, true));
    let steps = read_steps(&out);
    // A run interrupted after the first stage left digests behind: only
    // the outputs are missing.
    fs::remove_file(out.join("steps.parquet")).unwrap();
    let second = build(&sources, &BuildOptions::new(&out), quiet).unwrap();
    assert_eq!((second.segments_cached, second.images_written), (2, 0));
    assert_eq!(read_steps(&out), steps);
    // The same segments given twice are used once.
    let third = build(
        &[
            sources[0].clone(),
            Source::Path(dir.path().join("rec/synth-b-00000.mcap")),
        ],
        &BuildOptions::new(&out),
        quiet,
    )
    .unwrap();
    assert_eq!(third.segments_read, 2);
    assert_eq!(read_steps(&out), steps);
}

#[test]
fn bad_segments_are_skipped_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec");
    let (files, expected) = write_recording(&rec, "synth-c", 2, 2, (120, 80));
    // Garbage with a segment's name, a file cut before its metadata, and a
    // file cut in the middle (complete chunks before the cut still count).
    fs::write(rec.join("garbage.mcap"), b"this is not a segment at all").unwrap();
    let whole = fs::read(&files[1]).unwrap();
    fs::write(rec.join("cut-early.mcap"), &whole[..12]).unwrap();
    fs::write(&files[1], &whole[..whole.len() * 2 / 3]).unwrap();
    let out = dir.path().join("out");
    let report = build(
        &[Source::Path(rec.clone())],
        &BuildOptions::new(&out),
        quiet,
    )
    .unwrap();
    assert_eq!(report.skipped.len(), 2, "{:?}", report.skipped);
    let reasons: Vec<String> = report
        .skipped
        .iter()
        .map(|s| format!("{}: {}", s.path.display(), s.reason))
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("garbage.mcap") && r.contains("not an MCAP file")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("cut-early.mcap") && r.contains("before its segment metadata")),
        "{reasons:?}"
    );
    assert_eq!(report.partial.len(), 1);
    assert!(
        report.partial[0].reason.starts_with("truncated: used its"),
        "{:?}",
        report.partial
    );
    let steps = read_steps(&out);
    // The first segment's actions are all there.
    let codes: Vec<&String> = steps.iter().map(|s| &s.code).collect();
    assert!(codes.len() > expected.len() / 2);
    assert!(codes.iter().zip(&expected).all(|(a, b)| *a == b));
    let m = manifest(&out);
    let statuses: HashSet<(String, String)> = m["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                Path::new(s["path"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                s["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(statuses.contains(&("garbage.mcap".into(), "skipped".into())));
    assert!(statuses.contains(&("cut-early.mcap".into(), "skipped".into())));
    assert!(statuses.contains(&("synth-c-00001.mcap".into(), "partial".into())));
    assert!(
        fs::read_to_string(out.join("README.md"))
            .unwrap()
            .contains("garbage.mcap")
    );
}

#[test]
fn missing_sources_and_empty_folders_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let e = build(
        &[Source::Path(dir.path().join("nope"))],
        &BuildOptions::new(&out),
        quiet,
    )
    .unwrap_err();
    assert!(matches!(e, Error::MissingSource(_)), "{e}");
    fs::create_dir(dir.path().join("empty")).unwrap();
    let e = build(
        &[Source::Path(dir.path().join("empty"))],
        &BuildOptions::new(&out),
        quiet,
    )
    .unwrap_err();
    assert!(matches!(e, Error::NoSegments), "{e}");
}

#[test]
fn the_cli_arguments_parse() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        command: Top,
    }
    #[derive(clap::Subcommand)]
    enum Top {
        Dataset(tracewell_dataset::DatasetArgs),
    }
    let cli = Cli::try_parse_from([
        "tracewell",
        "dataset",
        "build",
        "a",
        "b/",
        "--out",
        "ds",
        "--identity",
        "key",
        "--jobs",
        "2",
    ])
    .unwrap();
    let Top::Dataset(args) = cli.command;
    let tracewell_dataset::cli::DatasetCommand::Build(b) = args.command;
    assert_eq!(b.sources.len(), 2);
    assert_eq!(b.out, Path::new("ds"));
    assert_eq!(b.jobs, 2);
    assert!(Cli::try_parse_from(["tracewell", "dataset", "build", "--out", "ds"]).is_err());
}

#[test]
fn a_task_open_across_segments_is_one_episode() {
    use common::synth::{Script, meta};
    use tracewell_model::FrameReason;
    use tracewell_segment::{
        Record, RecorderState, SegmentWriter, Status, TaskEvent, TaskMarker, TaskOutcome,
    };
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec");
    fs::create_dir_all(&rec).unwrap();
    let mut script = Script::new(5_000_000_000, 160, 100);
    // Segment 0: the task starts and "hello" is typed.
    let path0 = rec.join("synth-t-00000.mcap");
    let mut w = SegmentWriter::create(&path0, meta("synth-t", 0, script.t)).unwrap();
    script.t += 1_000_000;
    script.records.push(Record::Status(Status {
        t_ns: script.t,
        state: RecorderState::Started,
        detail: None,
    }));
    script.window(1, "Editor", "notes.txt - Editor");
    script.frame(FrameReason::Start);
    script.t += 1_000_000;
    let start = Record::Task(TaskMarker {
        t_ns: script.t,
        event: TaskEvent::Start,
        instruction: Some("Write a greeting".into()),
        outcome: None,
    });
    script.records.push(start.clone());
    script.typ("hello");
    let mut carried = Vec::new();
    for r in &script.records {
        w.write(r).unwrap();
        if matches!(r, Record::Window(_) | Record::Frame(_)) {
            carried.push(r.clone());
        }
    }
    w.finish().unwrap();
    // Segment 1 starts with the carried state, the open task's start
    // among it; the task ends, and "after" is typed outside any task.
    let mut w = SegmentWriter::create(&rec.join("synth-t-00001.mcap"), meta("synth-t", 1, script.t)).unwrap();
    carried.push(start);
    for r in &carried {
        w.write_carried(r).unwrap();
    }
    script.records.clear();
    script.typ(" world");
    script.t += 1_000_000;
    script.records.push(Record::Task(TaskMarker {
        t_ns: script.t,
        event: TaskEvent::End,
        instruction: None,
        outcome: Some(TaskOutcome::Success),
    }));
    script.t += 1_000_000_000;
    script.typ("after");
    for r in &script.records {
        w.write(r).unwrap();
    }
    w.finish().unwrap();

    let out = dir.path().join("out");
    let report = build(&[Source::Path(rec.clone())], &BuildOptions::new(&out), quiet).unwrap();
    assert_eq!((report.segments_read, report.episodes), (2, 1));
    let episodes = codes_by_episode(&read_steps(&out));
    assert_eq!(episodes.len(), 1, "{episodes:?}");
    let codes = episodes[0].join("\n");
    assert!(codes.contains("hello") && codes.contains("world") && !codes.contains("after"), "{codes}");
    assert_eq!(episodes[0].last().unwrap(), "computer.terminate(status='success')");

    // The second segment alone still knows it is inside the task.
    let out = dir.path().join("out-one");
    fs::remove_file(&path0).unwrap();
    let report = build(&[Source::Path(rec)], &BuildOptions::new(&out), quiet).unwrap();
    assert_eq!(report.episodes, 1);
    let episodes = codes_by_episode(&read_steps(&out));
    let codes = episodes[0].join("\n");
    assert!(codes.contains("world") && !codes.contains("hello") && !codes.contains("after"), "{codes}");
}
