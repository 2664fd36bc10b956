//! The segment format, version `tracewell.segment/1.2` (1.1 added the
//! `/task` channel, 1.2 the carried start of an open task; 1.0 and 1.1
//! files read the same).
//!
//! A segment is one [MCAP](https://mcap.dev/spec) file. Its layout:
//!
//! - MCAP header: profile `tracewell`, library `tracewell-segment <version>`.
//! - A **Metadata record named `tracewell.segment`**, written right after the
//!   header, before any chunk. Its string map ([`SegmentMeta`]):
//!
//!   | key | value |
//!   |---|---|
//!   | `format` | `tracewell.segment/1.2` (readers accept `tracewell.segment/1` and any `tracewell.segment/1.*`) |
//!   | `recording_id` | the recording this segment belongs to |
//!   | `segment_id` | this segment's id (`<recording_id>-<sequence:05>` from the sink) |
//!   | `sequence` | 0-based position of the segment in its recording |
//!   | `wall_anchor_ns` | Unix time, ns, read at the same moment as … |
//!   | `mono_anchor_ns` | … this `CLOCK_MONOTONIC` time, ns |
//!   | `recorder_version` | version string of the recorder |
//!   | `hostname` | empty from the recorder (host names are often their owner's name); older files may hold the machine's host name |
//!   | `screen_width`, `screen_height` | root window size in pixels; absent if unknown |
//!
//! - **Chunks**, zstd-compressed (level [`DEFAULT_ZSTD_LEVEL`] = 2), each closed
//!   when its uncompressed size passes the chunk size (1 MiB by default) *or*
//!   when the flush interval (2 s by default) has passed since its first
//!   message. A crash therefore loses at most the open chunk: every chunk
//!   before it is complete and CRC-checked on its own. All schemas and
//!   channels are declared at the start of the first chunk.
//! - Summary section and footer, written by `finish`. A file without them
//!   (a crash, a full disk) is still readable up to its last complete chunk.
//!
//! Every channel has message encoding `json` and a JSON Schema (schema
//! encoding `jsonschema`, files in `schemas/`):
//!
//! | topic | schema name | message |
//! |---|---|---|
//! | `/input/keyboard` | `tracewell.KeyEvent` | [`tracewell_model::KeyEvent`] |
//! | `/input/mouse` | `tracewell.ButtonEvent` | [`tracewell_model::ButtonEvent`] (presses and releases) |
//! | `/input/scroll` | `tracewell.ScrollEvent` | [`tracewell_model::ScrollEvent`] |
//! | `/input/motion` | `tracewell.MotionEvent` | [`tracewell_model::MotionEvent`] |
//! | `/window/active` | `tracewell.WindowEvent` | [`tracewell_model::WindowEvent`] + `carried` |
//! | `/screen/frame` | `foxglove.CompressedImage` | frame metadata + PNG, see below |
//! | `/recorder/status` | `tracewell.Status` | [`crate::Status`] |
//! | `/privacy/redactions` | `tracewell.Privacy` | [`crate::PrivacyRecord`]: kinds and counts of what was redacted or withheld, never values |
//! | `/task` | `tracewell.Task` | [`crate::TaskMarker`]: the person's task start (with the instruction, redacted) and end (with an outcome) |
//!
//! Mouse input uses three channels rather than one tagged channel: each
//! message is then exactly a model type, and the high-rate motion stream can
//! be skipped by topic without parsing it.
//!
//! The JSON of each input/window message is the model type's serde form
//! (snake_case). The frame message is a superset of Foxglove's
//! `foxglove.CompressedImage` (so viewers show it as an image):
//! `timestamp {sec, nsec}` (wall clock, equal to the log time), `frame_id`
//! (`"screen"`), `format` (`"png"`), `data` (the PNG file, base64), plus
//! `t_ns`, `width`, `height`, `reason`, `monitors` and `changed`.
//!
//! **Times.** Each message's *publish time* is its monotonic `t_ns`; its *log
//! time* is wall-clock ns from the segment's anchor:
//! `log_time = wall_anchor_ns + (t_ns - mono_anchor_ns)` (see [`log_time`]).
//! The anchor is read when the segment is opened, so a suspend/resume (which
//! stops the monotonic clock) costs at most one segment's wall-clock accuracy.
//!
//! **Carried state.** So that each segment stands alone, the rotating sink
//! writes the recording's latest `/window/active` event and latest
//! `/screen/frame` at the head of every segment after the first, and, while
//! a task is open, its `/task` start marker, with their original `t_ns`,
//! and with `"carried": true` in their JSON (the field is absent on
//! messages recorded live). Readers report it as
//! [`crate::SegmentMessage::carried`]; a dataset builder should use carried
//! messages as state, not count them as new observations.
//!
//! Compatibility: a reader must ignore topics it does not know and fields it
//! does not know; adding either is a minor change (`/1.x`), anything else is
//! a new major version.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use tracewell_model::{FrameReason, Monitor, MonoNs, Rect, WindowEvent};

use crate::error::{Error, Result};
use crate::record::{EncodedFrame, Record, TaskMarker};

/// The format version written into every segment's metadata.
pub const FORMAT_VERSION: &str = "tracewell.segment/1.2";
/// The name of the MCAP metadata record that describes a segment.
pub const META_RECORD_NAME: &str = "tracewell.segment";
/// The MCAP header profile.
pub const PROFILE: &str = "tracewell";
/// The zstd level for chunks.
///
/// Chunks are dominated by base64 PNG frames. Measured with `cargo bench -p
/// tracewell-segment --bench frame_codec` on 40 band-encoded 1920x1080
/// frames (36 small changes, 4 full), 1 MiB chunks, per frame message:
/// level 1 1.17 ms and 0.80x the PNG bytes, level 2 1.10 ms and 0.60x,
/// level 3 1.40 ms and 0.60x, level 6 2.83 ms and 0.60x. From level 2 on the
/// window covers the previous frame in the chunk, so the bands that did not
/// change are found again; higher levels add CPU and save nothing.
pub const DEFAULT_ZSTD_LEVEL: u32 = 2;

/// The channels of a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    Keyboard,
    Mouse,
    Scroll,
    Motion,
    Window,
    Frame,
    Status,
    Privacy,
    Task,
}

impl Topic {
    /// Every topic, in channel-id order.
    pub const ALL: [Topic; 9] = [
        Topic::Keyboard,
        Topic::Mouse,
        Topic::Scroll,
        Topic::Motion,
        Topic::Window,
        Topic::Frame,
        Topic::Status,
        Topic::Privacy,
        Topic::Task,
    ];

    /// The MCAP topic name.
    pub fn name(self) -> &'static str {
        match self {
            Topic::Keyboard => "/input/keyboard",
            Topic::Mouse => "/input/mouse",
            Topic::Scroll => "/input/scroll",
            Topic::Motion => "/input/motion",
            Topic::Window => "/window/active",
            Topic::Frame => "/screen/frame",
            Topic::Status => "/recorder/status",
            Topic::Privacy => "/privacy/redactions",
            Topic::Task => "/task",
        }
    }

    /// The topic with this MCAP name, if it is one of ours.
    pub fn from_name(name: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The JSON Schema's name (the MCAP schema record's name).
    pub fn schema_name(self) -> &'static str {
        match self {
            Topic::Keyboard => "tracewell.KeyEvent",
            Topic::Mouse => "tracewell.ButtonEvent",
            Topic::Scroll => "tracewell.ScrollEvent",
            Topic::Motion => "tracewell.MotionEvent",
            Topic::Window => "tracewell.WindowEvent",
            Topic::Frame => "foxglove.CompressedImage",
            Topic::Status => "tracewell.Status",
            Topic::Privacy => "tracewell.Privacy",
            Topic::Task => "tracewell.Task",
        }
    }

    /// The JSON Schema text.
    pub fn schema(self) -> &'static str {
        match self {
            Topic::Keyboard => include_str!("../schemas/key_event.json"),
            Topic::Mouse => include_str!("../schemas/button_event.json"),
            Topic::Scroll => include_str!("../schemas/scroll_event.json"),
            Topic::Motion => include_str!("../schemas/motion_event.json"),
            Topic::Window => include_str!("../schemas/window_event.json"),
            Topic::Frame => include_str!("../schemas/frame.json"),
            Topic::Status => include_str!("../schemas/status.json"),
            Topic::Privacy => include_str!("../schemas/privacy.json"),
            Topic::Task => include_str!("../schemas/task.json"),
        }
    }
}

/// A segment's description, stored as the `tracewell.segment` metadata record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentMeta {
    /// The format version the file was written with ([`FORMAT_VERSION`]).
    pub format: String,
    pub recording_id: String,
    pub segment_id: String,
    /// 0-based position of the segment within its recording.
    pub sequence: u32,
    /// Unix time (ns) read together with `mono_anchor_ns`.
    pub wall_anchor_ns: u64,
    /// `CLOCK_MONOTONIC` time (ns) read together with `wall_anchor_ns`.
    pub mono_anchor_ns: u64,
    pub recorder_version: String,
    /// Empty from the recorder; see the table above.
    pub hostname: String,
    /// Root window size (width, height), if known.
    pub screen: Option<(u32, u32)>,
}

impl SegmentMeta {
    /// Wall-clock ns for a monotonic timestamp, by this segment's anchor.
    pub fn log_time(&self, t_ns: MonoNs) -> u64 {
        log_time(self.wall_anchor_ns, self.mono_anchor_ns, t_ns)
    }

    pub(crate) fn to_map(&self) -> BTreeMap<String, String> {
        let mut m = BTreeMap::new();
        let mut put = |k: &str, v: String| {
            m.insert(k.to_owned(), v);
        };
        put("format", self.format.clone());
        put("recording_id", self.recording_id.clone());
        put("segment_id", self.segment_id.clone());
        put("sequence", self.sequence.to_string());
        put("wall_anchor_ns", self.wall_anchor_ns.to_string());
        put("mono_anchor_ns", self.mono_anchor_ns.to_string());
        put("recorder_version", self.recorder_version.clone());
        put("hostname", self.hostname.clone());
        if let Some((w, h)) = self.screen {
            put("screen_width", w.to_string());
            put("screen_height", h.to_string());
        }
        m
    }

    pub(crate) fn from_map(m: &BTreeMap<String, String>) -> Result<SegmentMeta> {
        let text = |k: &str| {
            m.get(k)
                .cloned()
                .ok_or_else(|| Error::BadMeta(format!("missing `{k}`")))
        };
        fn num<T: std::str::FromStr>(m: &BTreeMap<String, String>, k: &str) -> Result<Option<T>> {
            match m.get(k) {
                None => Ok(None),
                Some(v) => v
                    .parse()
                    .map(Some)
                    .map_err(|_| Error::BadMeta(format!("`{k}` is not a number: {v:?}"))),
            }
        }
        let need = |v: Option<u64>, k: &str| v.ok_or_else(|| Error::BadMeta(format!("missing `{k}`")));
        let format = text("format")?;
        if !is_supported_format(&format) {
            return Err(Error::UnsupportedFormat(format));
        }
        let screen = match (num::<u32>(m, "screen_width")?, num::<u32>(m, "screen_height")?) {
            (Some(w), Some(h)) => Some((w, h)),
            _ => None,
        };
        Ok(SegmentMeta {
            format,
            recording_id: text("recording_id")?,
            segment_id: text("segment_id")?,
            sequence: num::<u32>(m, "sequence")?
                .ok_or_else(|| Error::BadMeta("missing `sequence`".into()))?,
            wall_anchor_ns: need(num(m, "wall_anchor_ns")?, "wall_anchor_ns")?,
            mono_anchor_ns: need(num(m, "mono_anchor_ns")?, "mono_anchor_ns")?,
            recorder_version: text("recorder_version")?,
            hostname: text("hostname")?,
            screen,
        })
    }
}

fn is_supported_format(format: &str) -> bool {
    format == "tracewell.segment/1" || format.starts_with("tracewell.segment/1.")
}

/// `wall_anchor_ns + (t_ns - mono_anchor_ns)`, clamped to `0..=u64::MAX`
/// (a carried message may predate the anchor).
pub fn log_time(wall_anchor_ns: u64, mono_anchor_ns: u64, t_ns: MonoNs) -> u64 {
    let v = wall_anchor_ns as i128 + t_ns as i128 - mono_anchor_ns as i128;
    v.clamp(0, u64::MAX as i128) as u64
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Foxglove's `Time`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Timestamp {
    sec: u64,
    nsec: u32,
}

#[derive(Serialize)]
struct FrameOut<'a> {
    timestamp: Timestamp,
    frame_id: &'static str,
    format: &'static str,
    t_ns: MonoNs,
    width: u32,
    height: u32,
    reason: FrameReason,
    monitors: &'a [Monitor],
    changed: &'a [Rect],
    #[serde(skip_serializing_if = "is_false")]
    carried: bool,
    data: String,
}

#[derive(Deserialize)]
struct FrameIn {
    format: String,
    t_ns: MonoNs,
    width: u32,
    height: u32,
    reason: FrameReason,
    #[serde(default)]
    monitors: Vec<Monitor>,
    #[serde(default)]
    changed: Vec<Rect>,
    #[serde(default)]
    carried: bool,
    data: String,
}

#[derive(Serialize)]
struct TaskOut<'a> {
    #[serde(flatten)]
    marker: &'a TaskMarker,
    #[serde(skip_serializing_if = "is_false")]
    carried: bool,
}

#[derive(Deserialize)]
struct TaskIn {
    #[serde(flatten)]
    marker: TaskMarker,
    #[serde(default)]
    carried: bool,
}

#[derive(Serialize)]
struct WindowOut<'a> {
    #[serde(flatten)]
    event: &'a WindowEvent,
    #[serde(skip_serializing_if = "is_false")]
    carried: bool,
}

#[derive(Deserialize)]
struct WindowIn {
    #[serde(flatten)]
    event: WindowEvent,
    #[serde(default)]
    carried: bool,
}

/// The `frame_id` of frame messages.
pub const FRAME_ID: &str = "screen";

/// Serialises a record to its message JSON.
pub(crate) fn encode_message(record: &Record, carried: bool, log_time: u64) -> Result<Vec<u8>> {
    Ok(match record {
        Record::Key(e) => serde_json::to_vec(e)?,
        Record::Button(e) => serde_json::to_vec(e)?,
        Record::Scroll(e) => serde_json::to_vec(e)?,
        Record::Motion(e) => serde_json::to_vec(e)?,
        Record::Status(s) => serde_json::to_vec(s)?,
        Record::Privacy(p) => serde_json::to_vec(p)?,
        Record::Task(marker) => serde_json::to_vec(&TaskOut { marker, carried })?,
        Record::Window(event) => serde_json::to_vec(&WindowOut { event, carried })?,
        Record::Frame(f) => serde_json::to_vec(&FrameOut {
            timestamp: Timestamp {
                sec: log_time / 1_000_000_000,
                nsec: (log_time % 1_000_000_000) as u32,
            },
            frame_id: FRAME_ID,
            format: "png",
            t_ns: f.t_ns,
            width: f.width,
            height: f.height,
            reason: f.reason,
            monitors: &f.monitors,
            changed: &f.changed,
            carried,
            data: BASE64.encode(&f.png),
        })?,
    })
}

/// Parses one message of a known topic; returns the record and whether it
/// was carried over from the previous segment.
pub(crate) fn decode_message(topic: Topic, data: &[u8]) -> Result<(Record, bool)> {
    let bad = |reason: String| Error::BadMessage {
        topic: topic.name().to_owned(),
        reason,
    };
    fn json<'a, T: Deserialize<'a>>(data: &'a [u8]) -> Result<T, String> {
        serde_json::from_slice(data).map_err(|e| e.to_string())
    }
    let plain = |r: Result<Record, String>| r.map(|r| (r, false)).map_err(bad);
    match topic {
        Topic::Keyboard => plain(json(data).map(Record::Key)),
        Topic::Mouse => plain(json(data).map(Record::Button)),
        Topic::Scroll => plain(json(data).map(Record::Scroll)),
        Topic::Motion => plain(json(data).map(Record::Motion)),
        Topic::Status => plain(json(data).map(Record::Status)),
        Topic::Privacy => plain(json(data).map(Record::Privacy)),
        Topic::Task => {
            let t: TaskIn = json(data).map_err(bad)?;
            Ok((Record::Task(t.marker), t.carried))
        }
        Topic::Window => {
            let w: WindowIn = json(data).map_err(bad)?;
            Ok((Record::Window(w.event), w.carried))
        }
        Topic::Frame => {
            let f: FrameIn = json(data).map_err(bad)?;
            if f.format != "png" {
                return Err(bad(format!("unsupported image format {:?}", f.format)));
            }
            let png = BASE64.decode(f.data.as_bytes()).map_err(|e| bad(e.to_string()))?;
            let frame = EncodedFrame {
                t_ns: f.t_ns,
                width: f.width,
                height: f.height,
                reason: f.reason,
                monitors: f.monitors,
                changed: f.changed,
                png,
            };
            Ok((Record::Frame(frame), f.carried))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_time_maps_monotonic_to_wall_clock() {
        assert_eq!(log_time(1_700_000_000_000_000_000, 5_000, 5_000), 1_700_000_000_000_000_000);
        assert_eq!(log_time(1_700_000_000_000_000_000, 5_000, 7_500), 1_700_000_000_000_002_500);
        // Carried messages may predate the anchor.
        assert_eq!(log_time(1_000, 5_000, 4_000), 0);
        assert_eq!(log_time(10_000, 5_000, 4_000), 9_000);
    }

    #[test]
    fn every_schema_is_json_with_a_title() {
        for t in Topic::ALL {
            let v: serde_json::Value = serde_json::from_str(t.schema()).unwrap();
            assert_eq!(v["type"], "object", "{t:?}");
            assert!(v["title"].is_string(), "{t:?}");
            assert_eq!(Topic::from_name(t.name()), Some(t));
        }
    }

    #[test]
    fn meta_round_trips_through_the_metadata_map() {
        let meta = SegmentMeta {
            format: FORMAT_VERSION.into(),
            recording_id: "rec".into(),
            segment_id: "rec-00003".into(),
            sequence: 3,
            wall_anchor_ns: 1_700_000_000_000_000_000,
            mono_anchor_ns: 42,
            recorder_version: "0.1.0".into(),
            hostname: "host".into(),
            screen: Some((1920, 1080)),
        };
        let m = meta.to_map();
        assert_eq!(m["format"], "tracewell.segment/1.2");
        assert_eq!(m["sequence"], "3");
        assert_eq!(m["screen_width"], "1920");
        assert_eq!(SegmentMeta::from_map(&m).unwrap(), meta);
        let mut first = m.clone();
        first.insert("format".into(), "tracewell.segment/1".into());
        assert!(SegmentMeta::from_map(&first).is_ok(), "1.0 segments stay readable");
        let mut old = m.clone();
        old.insert("format".into(), "tracewell.segment/2".into());
        assert!(matches!(SegmentMeta::from_map(&old), Err(Error::UnsupportedFormat(f)) if f == "tracewell.segment/2"));
    }
}
