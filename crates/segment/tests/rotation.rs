//! The rotating sink: naming, rotation by duration and size, carried state.

mod common;

use std::time::Duration;

use common::*;
use tracewell_segment::*;

/// A clock whose monotonic time is set by the test (wall = mono + offset).
struct FakeClock(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl Clock for FakeClock {
    fn anchor(&self) -> Anchor {
        let mono = self.0.load(std::sync::atomic::Ordering::SeqCst);
        Anchor { wall_ns: 1_700_000_000_000_000_000 + mono, mono_ns: mono }
    }
}

fn recording() -> RecordingMeta {
    RecordingMeta {
        recording_id: "rec-7".into(),
        recorder_version: "0.1.0".into(),
        hostname: "host".into(),
        screen: Some((64, 48)),
    }
}

const S: u64 = 1_000_000_000;

#[test]
fn rotates_by_duration_and_carries_window_and_frame() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("nested/segments");
    let now = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(100 * S));
    let opts = SinkOptions { max_duration: Duration::from_secs(10), ..SinkOptions::default() };
    let mut sink = SegmentSink::with_clock(&out, opts, recording(), Box::new(FakeClock(now.clone()))).unwrap();

    let w1 = window(100 * S + 1, "first");
    let f1 = frame(100 * S + 2, 1);
    let f2 = frame(101 * S, 2);
    let seg0 = vec![status(100 * S, RecorderState::Started), w1.clone(), f1, key(100 * S + 3, "a"), f2.clone(), motion(109 * S)];
    for r in &seg0 {
        sink.write(r).unwrap();
    }
    assert_eq!(sink.finished().len(), 0);
    // 10 s after the first record: a new segment, anchored now.
    now.store(110 * S, std::sync::atomic::Ordering::SeqCst);
    let k = key(110 * S, "b");
    sink.write(&k).unwrap();
    assert_eq!(sink.finished().len(), 1);
    let w2 = window(111 * S, "second");
    sink.write(&w2).unwrap();
    now.store(125 * S, std::sync::atomic::Ordering::SeqCst);
    let m = motion(125 * S);
    sink.write(&m).unwrap();
    let bytes = sink.bytes_written();
    let summaries = sink.close().unwrap();

    assert_eq!(summaries.len(), 3);
    // Before close: finished files plus the closed chunks of the current one.
    assert!(bytes > summaries[0].bytes + summaries[1].bytes);
    assert!(bytes < summaries.iter().map(|s| s.bytes).sum::<u64>());
    let names: Vec<String> =
        list_segments(&out).unwrap().iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["rec-7-00000.mcap", "rec-7-00001.mcap", "rec-7-00002.mcap"]);

    let c0 = read_segment(&summaries[0].path).unwrap();
    assert_eq!(c0.meta.sequence, 0);
    assert_eq!(c0.meta.segment_id, "rec-7-00000");
    assert_eq!(c0.meta.mono_anchor_ns, 100 * S);
    assert_eq!(c0.messages.iter().map(|m| m.record.clone()).collect::<Vec<_>>(), seg0);
    assert!(c0.messages.iter().all(|m| !m.carried));

    let c1 = read_segment(&summaries[1].path).unwrap();
    assert_eq!(c1.meta.sequence, 1);
    assert_eq!(c1.meta.mono_anchor_ns, 110 * S);
    assert_eq!(c1.meta.wall_anchor_ns, 1_700_000_000_000_000_000 + 110 * S);
    let got: Vec<(bool, Record)> = c1.messages.iter().map(|m| (m.carried, m.record.clone())).collect();
    assert_eq!(got, vec![(true, w1), (true, f2.clone()), (false, k), (false, w2.clone())]);
    // Carried messages keep their original times.
    assert_eq!(c1.messages[0].publish_time, 100 * S + 1);
    assert_eq!(c1.messages[1].log_time, 1_700_000_000_000_000_000 + 101 * S);

    let c2 = read_segment(&summaries[2].path).unwrap();
    let got: Vec<(bool, Record)> = c2.messages.iter().map(|m| (m.carried, m.record.clone())).collect();
    assert_eq!(got, vec![(true, f2), (true, w2), (false, m)]);
}

fn task(t_ns: u64, event: TaskEvent, instruction: Option<&str>) -> Record {
    Record::Task(TaskMarker { t_ns, event, instruction: instruction.map(str::to_string), outcome: None })
}

#[test]
fn the_start_of_a_task_still_open_is_carried_and_an_ended_one_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let now = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(100 * S));
    let opts = SinkOptions { max_duration: Duration::from_secs(10), ..SinkOptions::default() };
    let mut sink = SegmentSink::with_clock(dir.path(), opts, recording(), Box::new(FakeClock(now.clone()))).unwrap();
    let start = task(100 * S + 5, TaskEvent::Start, Some("Book a table for <PERSON>"));
    for r in [key(100 * S, "a"), start.clone(), key(105 * S, "b")] {
        sink.write(&r).unwrap();
    }
    // A new segment while the task is open: its start comes along.
    now.store(110 * S, std::sync::atomic::Ordering::SeqCst);
    let end = task(112 * S, TaskEvent::End, None);
    for r in [key(110 * S, "c"), end.clone()] {
        sink.write(&r).unwrap();
    }
    // And one after it ended: nothing to carry.
    now.store(120 * S, std::sync::atomic::Ordering::SeqCst);
    sink.write(&key(120 * S, "d")).unwrap();
    let summaries = sink.close().unwrap();
    assert_eq!(summaries.len(), 3);
    let read = |i: usize| -> Vec<(bool, Record)> {
        read_segment(&summaries[i].path).unwrap().messages.iter().map(|m| (m.carried, m.record.clone())).collect()
    };
    assert_eq!(read(1), vec![(true, start), (false, key(110 * S, "c")), (false, end)]);
    assert_eq!(read(2), vec![(false, key(120 * S, "d"))]);
}

#[test]
fn rotates_by_size() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SinkOptions {
        max_duration: Duration::from_secs(3600),
        max_bytes: 6_000,
        writer: WriterOptions { chunk_size: 1_000, ..WriterOptions::default() },
    };
    let now = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(S));
    let mut sink = SegmentSink::with_clock(dir.path(), opts, recording(), Box::new(FakeClock(now))).unwrap();
    sink.write(&window(S, "w")).unwrap();
    let mut written = vec![window(S, "w")];
    let mut rng = common::desktop::Lcg::new(9);
    for i in 0..80u64 {
        // Text that zstd cannot squeeze away.
        let text: String = (0..300).map(|_| (b'a' + rng.below(26) as u8) as char).collect();
        let r = if i % 10 == 0 { frame(S + i, i as u8) } else { key(S + i, &text) };
        sink.write(&r).unwrap();
        written.push(r);
    }
    let summaries = sink.close().unwrap();
    assert!(summaries.len() >= 3, "{} segments", summaries.len());
    let mut live = Vec::new();
    for (i, s) in summaries.iter().enumerate() {
        // Bounded by the limit plus one chunk, metadata and the summary section.
        assert!(s.bytes < 6_000 + 16_000, "{} bytes", s.bytes);
        let c = read_segment(&s.path).unwrap();
        assert_eq!(c.meta.sequence, i as u32);
        let carried: Vec<&SegmentMessage> = c.messages.iter().filter(|m| m.carried).collect();
        if i == 0 {
            assert!(carried.is_empty());
        } else {
            // The latest window and frame before this segment, in time order.
            let before: Vec<&Record> = live.iter().collect();
            let last_window = before.iter().rev().find(|r| matches!(r, Record::Window(_))).unwrap();
            let last_frame = before.iter().rev().find(|r| matches!(r, Record::Frame(_))).unwrap();
            assert_eq!(carried.len(), 2);
            assert_eq!(&&carried[0].record, last_window);
            assert_eq!(&&carried[1].record, last_frame);
            assert!(c.messages[0].carried && c.messages[1].carried);
        }
        live.extend(c.messages.iter().filter(|m| !m.carried).map(|m| m.record.clone()));
    }
    assert_eq!(live, written, "every record lands exactly once, in order");
}

#[test]
fn unwritable_folder_and_bad_ids_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"").unwrap();
    let err = SegmentSink::new(file.join("sub"), SinkOptions::default(), recording()).err().unwrap();
    assert!(matches!(err, Error::DirNotWritable { .. }), "{err:?}");
    assert!(err.to_string().contains("cannot write segments into"), "{err}");

    let mut bad = recording();
    bad.recording_id = "../escape".into();
    assert!(matches!(SegmentSink::new(dir.path(), SinkOptions::default(), bad).err().unwrap(), Error::InvalidId(_)));
}

#[test]
fn system_clock_anchors_near_now() {
    let dir = tempfile::tempdir().unwrap();
    let sink = SegmentSink::new(dir.path(), SinkOptions::default(), recording()).unwrap();
    let path = sink.current_path().unwrap().to_path_buf();
    let summaries = sink.close().unwrap();
    assert_eq!(summaries.len(), 1);
    let c = read_segment(&path).unwrap();
    assert!(c.messages.is_empty());
    let mono = monotonic_ns();
    assert!(c.meta.mono_anchor_ns <= mono && mono - c.meta.mono_anchor_ns < 60 * S);
    let wall = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    assert!(c.meta.wall_anchor_ns <= wall && wall - c.meta.wall_anchor_ns < 60 * S);
}
