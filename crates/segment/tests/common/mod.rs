#![allow(dead_code)]

pub mod desktop;

use tracewell_model::*;
use tracewell_segment::*;

pub fn meta(sequence: u32) -> SegmentMeta {
    SegmentMeta {
        format: FORMAT_VERSION.into(),
        recording_id: "rec1".into(),
        segment_id: format!("rec1-{sequence:05}"),
        sequence,
        wall_anchor_ns: 1_700_000_000_000_000_000,
        mono_anchor_ns: 1_000_000_000,
        recorder_version: "0.1.0-test".into(),
        hostname: "testhost".into(),
        screen: Some((64, 48)),
    }
}

pub fn key(t_ns: u64, text: &str) -> Record {
    Record::Key(KeyEvent {
        t_ns,
        state: PressState::Press,
        keycode: 38,
        keysym: 0x61,
        key: "a".into(),
        modifiers: Modifiers { shift: true, group: 1, ..Modifiers::default() },
        text: Some(text.into()),
    })
}

pub fn button(t_ns: u64) -> Record {
    Record::Button(ButtonEvent {
        t_ns,
        state: PressState::Release,
        button: MouseButton::Other(12),
        x: -5,
        y: 1079,
        modifiers: Modifiers { ctrl: true, ..Modifiers::default() },
    })
}

pub fn scroll(t_ns: u64) -> Record {
    Record::Scroll(ScrollEvent { t_ns, x: 10, y: 20, dx: -0.5, dy: 1.25, source: ScrollSource::Smooth })
}

pub fn motion(t_ns: u64) -> Record {
    Record::Motion(MotionEvent { t_ns, x: 100, y: 200 })
}

pub fn window(t_ns: u64, title: &str) -> Record {
    Record::Window(WindowEvent {
        t_ns,
        change: WindowChange::Activated,
        window: Some(WindowInfo {
            id: 0x1200007,
            title: Some(title.into()),
            app: Some("XTerm".into()),
            instance: None,
            pid: Some(4242),
            geometry: Rect::new(10, 20, 640, 480),
        }),
    })
}

pub fn no_window(t_ns: u64) -> Record {
    Record::Window(WindowEvent { t_ns, change: WindowChange::TitleChanged, window: None })
}

pub fn status(t_ns: u64, state: RecorderState) -> Record {
    Record::Status(Status { t_ns, state, detail: Some("user".into()) })
}

/// A small frame with real PNG bytes; `seed` varies the pixels.
pub fn frame(t_ns: u64, seed: u8) -> Record {
    let (w, h) = (64u32, 48u32);
    let bgrx: Vec<u8> = (0..w * h)
        .flat_map(|i| [(i as u8).wrapping_mul(seed), (i / 64) as u8, seed, 0])
        .collect();
    let f = Frame {
        t_ns,
        width: w,
        height: h,
        reason: FrameReason::Click,
        monitors: vec![Monitor { name: "DP-1".into(), primary: true, rect: Rect::new(0, 0, w, h) }],
        changed: vec![Rect::new(1, 2, 3, 4), Rect::new(5, 6, 7, 8)],
        stack: Default::default(),
        bgrx,
    };
    Record::Frame(FrameEncoder::default().encode(&f).unwrap())
}

/// One record of every kind.
pub fn every_kind(t0: u64) -> Vec<Record> {
    vec![
        status(t0, RecorderState::Started),
        window(t0 + 1, "Terminal — ünïcode \"quoted\""),
        frame(t0 + 2, 3),
        key(t0 + 3, "€"),
        button(t0 + 4),
        scroll(t0 + 5),
        motion(t0 + 6),
        no_window(t0 + 7),
        Record::Privacy(tracewell_segment::PrivacyRecord {
            t_ns: t0 + 8,
            subject: tracewell_segment::PrivacySubject::TypedText,
            counts: [("card".to_string(), 1u32)].into_iter().collect(),
        }),
        Record::Task(tracewell_segment::TaskMarker {
            t_ns: t0 + 9,
            event: tracewell_segment::TaskEvent::Start,
            instruction: Some("Rename the file to \"report – final\"".into()),
            outcome: None,
        }),
        Record::Task(tracewell_segment::TaskMarker {
            t_ns: t0 + 10,
            event: tracewell_segment::TaskEvent::End,
            instruction: None,
            outcome: Some(tracewell_segment::TaskOutcome::Failure),
        }),
        status(t0 + 11, RecorderState::Stopped),
    ]
}
