//! The dataset format, version `tracewell.dataset/1`: what a build writes.
//!
//! ```text
//! DIR/
//!   manifest.json        provenance, counts, rules, skipped sources
//!   README.md            the dataset card
//!   episodes.parquet     one row per episode
//!   steps.parquet        one row per step (reduced action)
//!   agentnet.jsonl       one line per episode, AgentNet-style
//!   viewer.html          self-contained viewer (uses images/)
//!   images/ab/<hash>.png every distinct frame once
//!   .work/               per-segment intermediate results (restart cache)
//! ```
//!
//! ## Images
//!
//! Each distinct frame is stored once as the PNG the recorder wrote (never
//! re-encoded), at `images/<first two hex digits>/<BLAKE3 of the PNG, 64
//! hex digits>.png`. Identical frames — repeated screens, frames carried
//! from one segment into the next, the same segment given twice — share
//! one file. A plain folder rather than tar shards because: it
//! deduplicates across builds and restarts by a file-existence check; the
//! viewer and any trainer open an image by its relative path with no
//! index; and deleting one person's images (erasure) is deleting files.
//! Packing the folder into shards for an object store is a later, lossless
//! step. The two-digit fan-out keeps folders small.
//!
//! ## `steps.parquet`
//!
//! One row per step, ordered by episode then step. Times are Unix
//! nanoseconds (wall clock, from each segment's anchor). Coordinates are
//! screen pixels; `_norm` columns are the same divided by the screen size.
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `episode_id` | string | the episode (`episodes.parquet`) |
//! | `step` | uint32 | 0-based index within the episode |
//! | `t_start_ns`, `t_end_ns` | int64 | the action's first and last raw event |
//! | `duration_s` | float64 | `t_end_ns - t_start_ns` in seconds |
//! | `action_type` | string | `write` `press` `hotkey` `click` `doubleClick` `tripleClick` `rightClick` `middleClick` `drag` `scroll` `wait` `terminate` |
//! | `x`, `y` | int32? | pointer actions: where (a drag's start) |
//! | `x_norm`, `y_norm` | float64? | the same, 0–1 |
//! | `x2`, `y2`, `x2_norm`, `y2_norm` | int32? / float64? | a drag's end |
//! | `button` | string? | `left`, `right`, `middle` (clicks, drags) |
//! | `keys` | list\<string\> | pyautogui key names: `press` key, `hotkey` chord, modifiers held during a pointer action |
//! | `presses` | uint32 | repeats of a `press` (1 otherwise) |
//! | `text` | string? | `write`: the text left after corrections |
//! | `scroll_dx`, `scroll_dy` | float64? | `scroll`: summed wheel steps, +dx right, +dy down |
//! | `status` | string? | `terminate`: `success`, `failure` or `unknown` |
//! | `code` | string | pyautogui code, absolute pixels (executable) |
//! | `code_norm` | string | the same with normalised coordinates (AgentNet convention) |
//! | `image` | string? | the observation: relative path `images/ab/….png`; null before the first frame |
//! | `image_t_ns` | int64? | when that frame was grabbed |
//! | `image_width`, `image_height` | uint32? | its size in pixels |
//! | `screen_width`, `screen_height` | uint32 | the screen the coordinates refer to |
//! | `app` | string? | `WM_CLASS` class of the active window at the observation |
//! | `title` | string? | its title, as recorded (redacted on the device) |
//! | `segment_id` | string? | the segment holding the action's first event |
//!
//! ## `episodes.parquet`
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `episode_id` | string | `<recording_id>-e<NNN>`, stable for the same input and rules |
//! | `recording_id` | string | the recording it comes from |
//! | `instruction` | string? | the task instruction (task markers), else null |
//! | `instruction_source` | string | `task_marker` or `none` |
//! | `outcome` | string? | from the task end marker, if any |
//! | `start_boundary`, `end_boundary` | string | why it starts/ends there: `recording_start`, `recording_end`, `task`, `idle`, `app_switch`, `interruption` |
//! | `t_start_ns`, `t_end_ns` | int64 | Unix ns of its first and last action |
//! | `duration_s` | float64 | |
//! | `num_steps` | uint32 | steps, `wait` and `terminate` included |
//! | `screen_width`, `screen_height` | uint32 | |
//! | `apps` | list\<string\> | applications seen in its steps, in order of appearance |
//! | `source_segments` | list\<string\> | ids of the segments its steps come from |
//! | `recorder_version`, `segment_format` | string | provenance |
//!
//! ## `agentnet.jsonl`
//!
//! One JSON object per line and episode, in the shape AgentNet/OpenCUA
//! trainers read:
//!
//! ```json
//! {"task_id": "<episode_id>", "instruction": "…", "traj": [
//!   {"index": 0, "image": "images/ab/….png",
//!    "value": {"code": "pyautogui.click(x=0.3219, y=0.375)", "action": "Click at (412, 300)",
//!              "action_type": "click", "app": "XTerm", "title": "…"}}]}
//! ```
//!
//! `code` uses normalised coordinates, as AgentNet does; `instruction` is
//! the empty string when the episode has none. `image` is null for a step
//! before the first frame.
//!
//! ## `manifest.json`
//!
//! `format` ([`FORMAT_VERSION`]), `builder_version`, `built_at_unix_ns`,
//! `rules` (the thresholds), `counts` (episodes, steps, actions by type,
//! frames in the sources, distinct images stored and those the steps
//! reference, bytes), `sources`
//! (per segment file: path, `blake3` of the file, `sealed`, plaintext hash,
//! `recording_id`, `segment_id`, `sequence`, `segment_format`,
//! `recorder_version`, `status` `ok`/`partial`/`skipped`/`duplicate` and the
//! reason), `recordings`, `redaction` (what the segments say was redacted
//! or withheld: kinds and counts only) and `limits`. Host names are never
//! exported.
//!
//! Compatibility: adding columns or JSON fields is a minor change (`/1.x`);
//! readers must ignore what they do not know. Anything else is `/2`.

/// The version written into `manifest.json`.
pub const FORMAT_VERSION: &str = "tracewell.dataset/1";

/// Relative path of an image by its content hash.
pub fn image_path(hash: &str) -> String {
    format!("images/{}/{hash}.png", &hash[..2.min(hash.len())])
}
