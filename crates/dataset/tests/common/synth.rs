//! Synthetic recordings written with the real segment writer: a person who
//! types with a correction, presses Return, clicks, double-clicks, drags,
//! scrolls and uses a hotkey, every few seconds, in two applications.
//! Shared by the tests and the benchmark.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use tracewell_model::{
    ButtonEvent, FrameReason, KeyEvent, Modifiers, MotionEvent, MouseButton, PressState,
    ScrollEvent, ScrollSource, WindowChange, WindowEvent, WindowInfo,
};
use tracewell_segment::{
    BandPngEncoder, EncodedFrame, FORMAT_VERSION, PrivacyRecord, PrivacySubject, Record,
    RecorderState, SegmentMeta, SegmentWriter, Status,
};

const MS: u64 = 1_000_000;

/// The actions one cycle of the script reduces to (absolute code), for a
/// cycle number (positions depend on it).
pub fn expected_cycle(n: u32) -> Vec<String> {
    let dx = (n % 7) as i32 * 10;
    vec![
        "pyautogui.write('hello world')".into(),
        "pyautogui.press('enter')".into(),
        format!("pyautogui.click(x={}, y=200)", 100 + dx),
        format!("pyautogui.doubleClick(x={}, y=220)", 300 + dx),
        format!(
            "pyautogui.moveTo(x={}, y=300); pyautogui.dragTo(x={}, y=310, duration=0.18, button='left')",
            120 + dx,
            420 + dx
        ),
        format!("pyautogui.scroll(-3, x={}, y=400)", 500 + dx),
        "pyautogui.hotkey('ctrl', 's')".into(),
    ]
}

/// Writes records for a scripted person.
pub struct Script {
    pub t: u64,
    pub records: Vec<Record>,
    width: u32,
    height: u32,
    frame_no: u32,
    encoder: BandPngEncoder,
    pixels: Vec<u8>,
}

impl Script {
    pub fn new(t0: u64, width: u32, height: u32) -> Script {
        Script {
            t: t0,
            records: Vec::new(),
            width,
            height,
            frame_no: 0,
            encoder: BandPngEncoder::default(),
            pixels: vec![0x40; (width * height * 4) as usize],
        }
    }

    fn advance(&mut self, ms: u64) -> u64 {
        self.t += ms * MS;
        self.t
    }

    fn key(
        &mut self,
        state: PressState,
        keysym: u32,
        name: &str,
        text: Option<&str>,
        mods: Modifiers,
    ) {
        let t = self.advance(40);
        let command = mods.ctrl || mods.alt || mods.super_;
        self.records.push(Record::Key(KeyEvent {
            t_ns: t,
            state,
            keycode: (keysym % 200) as u8 + 8,
            keysym,
            key: name.into(),
            modifiers: mods,
            text: if state == PressState::Press && !command {
                text.map(String::from)
            } else {
                None
            },
        }));
    }

    pub fn typ(&mut self, s: &str) {
        for c in s.chars() {
            let name = if c == ' ' {
                "space".to_string()
            } else {
                c.to_string()
            };
            let text = c.to_string();
            self.key(
                PressState::Press,
                c as u32,
                &name,
                Some(&text),
                Modifiers::default(),
            );
            self.key(
                PressState::Release,
                c as u32,
                &name,
                None,
                Modifiers::default(),
            );
        }
    }

    pub fn tap(&mut self, keysym: u32, name: &str, text: Option<&str>) {
        self.key(PressState::Press, keysym, name, text, Modifiers::default());
        self.key(
            PressState::Release,
            keysym,
            name,
            None,
            Modifiers::default(),
        );
    }

    pub fn button(&mut self, state: PressState, x: i32, y: i32, ms: u64) {
        let t = self.advance(ms);
        self.records.push(Record::Button(ButtonEvent {
            t_ns: t,
            state,
            button: MouseButton::Left,
            x,
            y,
            modifiers: Modifiers::default(),
        }));
    }

    pub fn motion(&mut self, x: i32, y: i32, ms: u64) {
        let t = self.advance(ms);
        self.records
            .push(Record::Motion(MotionEvent { t_ns: t, x, y }));
    }

    /// A new, distinct frame (a changed band) taken now.
    pub fn frame(&mut self, reason: FrameReason) {
        self.frame_no += 1;
        let row = (self.frame_no * 7 % self.height) as usize;
        let stride = self.width as usize * 4;
        for (i, b) in self.pixels[row * stride..(row + 1) * stride]
            .iter_mut()
            .enumerate()
        {
            *b = (self.frame_no as usize * 31 + i) as u8;
        }
        let png = self
            .encoder
            .encode(self.width, self.height, &self.pixels)
            .expect("png");
        let t = self.advance(2);
        self.records.push(Record::Frame(EncodedFrame {
            t_ns: t,
            width: self.width,
            height: self.height,
            reason,
            monitors: Vec::new(),
            changed: Vec::new(),
            png,
        }));
    }

    pub fn window(&mut self, id: u32, app: &str, title: &str) {
        let t = self.advance(5);
        self.records.push(Record::Window(WindowEvent {
            t_ns: t,
            change: WindowChange::Activated,
            window: Some(WindowInfo {
                id,
                title: Some(title.into()),
                app: Some(app.into()),
                instance: Some(app.to_lowercase()),
                pid: Some(42),
                ..WindowInfo::default()
            }),
        }));
    }

    /// One cycle (about 4.4 s): the actions of [`expected_cycle`].
    pub fn cycle(&mut self, n: u32) {
        let dx = (n % 7) as i32 * 10;
        self.frame(FrameReason::Typing);
        self.typ("hello wrold");
        for _ in 0..4 {
            self.tap(0xff08, "BackSpace", None);
        }
        self.typ("orld");
        self.frame(FrameReason::ScreenChange);
        self.tap(0xff0d, "Return", Some("\r"));
        self.advance(300);
        self.motion(100 + dx, 200, 30);
        self.button(PressState::Press, 100 + dx, 200, 30);
        self.frame(FrameReason::Click);
        self.button(PressState::Release, 100 + dx, 200, 60);
        self.advance(600);
        self.button(PressState::Press, 300 + dx, 220, 30);
        self.frame(FrameReason::Click);
        self.button(PressState::Release, 300 + dx, 220, 50);
        self.button(PressState::Press, 301 + dx, 221, 80);
        self.button(PressState::Release, 301 + dx, 221, 50);
        self.advance(700);
        self.button(PressState::Press, 120 + dx, 300, 30);
        self.frame(FrameReason::Click);
        for i in 1..=4 {
            self.motion(120 + dx + i * 60, 300 + i * 2, 33);
        }
        self.button(PressState::Release, 420 + dx, 310, 46);
        self.frame(FrameReason::ScreenChange);
        self.advance(400);
        for _ in 0..3 {
            let t = self.advance(60);
            self.records.push(Record::Scroll(ScrollEvent {
                t_ns: t,
                x: 500 + dx,
                y: 400,
                dx: 0.0,
                dy: 1.0,
                source: ScrollSource::Wheel,
            }));
        }
        self.advance(700);
        let ctrl = Modifiers {
            ctrl: true,
            ..Modifiers::default()
        };
        self.key(
            PressState::Press,
            0xffe3,
            "Control_L",
            None,
            Modifiers::default(),
        );
        self.key(PressState::Press, 's' as u32, "s", Some("s"), ctrl);
        self.key(PressState::Release, 's' as u32, "s", None, ctrl);
        self.key(PressState::Release, 0xffe3, "Control_L", None, ctrl);
        self.frame(FrameReason::ScreenChange);
        self.advance(500);
    }
}

pub fn meta(recording_id: &str, sequence: u32, t: u64) -> SegmentMeta {
    SegmentMeta {
        format: FORMAT_VERSION.into(),
        recording_id: recording_id.into(),
        segment_id: format!("{recording_id}-{sequence:05}"),
        sequence,
        wall_anchor_ns: 1_760_000_000_000_000_000 + t,
        mono_anchor_ns: t,
        recorder_version: "0.1.0-synthetic".into(),
        hostname: "synthetic-host".into(),
        screen: Some((1280, 800)),
    }
}

/// Writes a recording of `segments` segments of `cycles` cycles each into
/// `dir`, carrying the last window and frame into each next segment as
/// the sink does. Returns the files and the expected action codes (without
/// `terminate`) in order.
pub fn write_recording(
    dir: &Path,
    recording_id: &str,
    segments: u32,
    cycles: u32,
    size: (u32, u32),
) -> (Vec<PathBuf>, Vec<String>) {
    std::fs::create_dir_all(dir).unwrap();
    let mut script = Script::new(5_000_000_000, size.0, size.1);
    let mut files = Vec::new();
    let mut expected = Vec::new();
    let mut last_window: Option<Record> = None;
    let mut last_frame: Option<Record> = None;
    for seq in 0..segments {
        let path = dir.join(format!("{recording_id}-{seq:05}.mcap"));
        let mut w = SegmentWriter::create(&path, meta(recording_id, seq, script.t)).unwrap();
        for carried in [&last_window, &last_frame].into_iter().flatten() {
            w.write_carried(carried).unwrap();
        }
        script.records.clear();
        if seq == 0 {
            let t = script.advance(1);
            script.records.push(Record::Status(Status {
                t_ns: t,
                state: RecorderState::Started,
                detail: None,
            }));
            script.window(1, "Editor", "notes.txt - Editor");
            let t = script.advance(1);
            let counts = [("email".to_string(), 1)].into_iter().collect();
            script.records.push(Record::Privacy(PrivacyRecord {
                t_ns: t,
                subject: PrivacySubject::Title,
                counts,
            }));
            script.frame(FrameReason::Start);
            script.advance(300);
        }
        for c in 0..cycles {
            let n = seq * cycles + c;
            script.cycle(n);
            expected.extend(expected_cycle(n));
        }
        for r in &script.records {
            w.write(r).unwrap();
            match r {
                Record::Window(_) => last_window = Some(r.clone()),
                Record::Frame(_) => last_frame = Some(r.clone()),
                _ => {}
            }
        }
        w.finish().unwrap();
        files.push(path);
    }
    (files, expected)
}
