//! The text outputs: `agentnet.jsonl`, `viewer.html`, `manifest.json` and
//! the `README.md` dataset card (formats in [`crate::format`]).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use crate::assemble::EpisodeRow;
use crate::error::{Error, io_err};
use crate::ingest::write_atomic;

/// Writes `agentnet.jsonl`: one episode per line.
pub fn write_jsonl(path: &Path, episodes: &[EpisodeRow]) -> Result<(), Error> {
    let mut out = Vec::new();
    for e in episodes {
        let traj: Vec<Value> = e
            .steps
            .iter()
            .map(|s| {
                json!({
                    "index": s.step,
                    "image": s.image,
                    "value": {
                        "code": s.code_norm,
                        "action": s.action.describe(),
                        "action_type": s.action.kind.name(),
                        "app": s.app,
                        "title": s.title,
                    }
                })
            })
            .collect();
        let line = json!({
            "task_id": e.episode_id,
            "instruction": e.instruction.clone().unwrap_or_default(),
            "traj": traj,
        });
        serde_json::to_writer(&mut out, &line)?;
        out.push(b'\n');
    }
    write_atomic(path, &out)
}

fn subsample(path: &[(i32, i32)], max: usize) -> Vec<[i32; 2]> {
    if path.len() <= max {
        return path.iter().map(|&(x, y)| [x, y]).collect();
    }
    let step = (path.len() - 1) as f64 / (max - 1) as f64;
    (0..max)
        .map(|i| path[((i as f64 * step).round() as usize).min(path.len() - 1)])
        .map(|(x, y)| [x, y])
        .collect()
}

fn unix_ns_to_utc(ns: i64) -> String {
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let secs = ns.div_euclid(1_000_000_000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Writes `viewer.html`: the viewer page with every episode's steps inlined.
pub fn write_viewer(path: &Path, episodes: &[EpisodeRow]) -> Result<(), Error> {
    let eps: Vec<Value> = episodes
        .iter()
        .map(|e| {
            let steps: Vec<Value> = e
                .steps
                .iter()
                .map(|s| {
                    let a = &s.action;
                    json!({
                        "type": a.kind.name(),
                        "desc": a.describe(),
                        "code": s.code,
                        "img": s.image,
                        "w": s.image_size.map(|x| x.0),
                        "h": s.image_size.map(|x| x.1),
                        "x": a.pos.map(|p| p.0), "y": a.pos.map(|p| p.1),
                        "x2": a.end.map(|p| p.0), "y2": a.end.map(|p| p.1),
                        "path": subsample(&a.path, 64),
                        "text": a.text,
                        "keys": a.keys,
                        "presses": a.presses,
                        "scroll": a.scroll.map(|(dx, dy)| [dx, dy]),
                        "app": s.app,
                        "title": s.title,
                        "t": (s.t_start_ns - e.t_start_ns) as f64 / 1e9,
                    })
                })
                .collect();
            json!({
                "id": e.episode_id,
                "instruction": e.instruction,
                "apps": e.apps,
                "start": unix_ns_to_utc(e.t_start_ns),
                "duration": (e.t_end_ns - e.t_start_ns).max(0) as f64 / 1e9,
                "screen": [e.screen.0, e.screen.1],
                "start_boundary": e.start_boundary,
                "end_boundary": e.end_boundary,
                "steps": steps,
            })
        })
        .collect();
    let data = serde_json::to_string(&json!({ "episodes": eps }))?
        // Keep the JSON from closing its <script> element.
        .replace("</", "<\\/")
        .replace("<!--", "<\\!--");
    let page = include_str!("viewer.html").replacen("/*DATA*/", &data, 1);
    write_atomic(path, page.as_bytes())
}

/// Facts for the manifest and the dataset card.
pub struct Summary<'a> {
    pub manifest: &'a Value,
    pub episodes: &'a [EpisodeRow],
}

/// Writes `manifest.json`.
pub fn write_manifest(path: &Path, manifest: &Value) -> Result<(), Error> {
    let mut bytes = serde_json::to_vec_pretty(manifest)?;
    bytes.push(b'\n');
    write_atomic(path, &bytes)
}

/// Writes the `README.md` dataset card.
pub fn write_card(path: &Path, s: &Summary<'_>) -> Result<(), Error> {
    let m = s.manifest;
    let c = &m["counts"];
    let mut t = String::new();
    let _ = writeln!(t, "# Tracewell computer-use trajectories\n");
    let _ = writeln!(
        t,
        "Demonstrations of people using their own computers, recorded with their consent by the Tracewell recorder and \
         reduced to the pyautogui-style action space that computer-use agents are trained on. Format `{}`, built by \
         tracewell-dataset {}.\n",
        m["format"].as_str().unwrap_or(""),
        m["builder_version"].as_str().unwrap_or("")
    );
    let _ = writeln!(t, "## What is inside\n");
    let _ = writeln!(t, "| | |\n|---|---|");
    let rows = [
        ("episodes", c["episodes"].to_string()),
        (
            "steps (actions, waits and terminations)",
            c["steps"].to_string(),
        ),
        ("recordings", c["recordings"].to_string()),
        (
            "segments read / skipped",
            format!("{} / {}", c["segments_read"], c["segments_skipped"]),
        ),
        (
            "distinct images",
            format!("{} ({} MB)", c["images"], mb(&c["image_bytes"])),
        ),
        (
            "frames in the source segments",
            format!(
                "{} ({} MB)",
                c["source_frames"],
                mb(&c["source_frame_bytes"])
            ),
        ),
    ];
    for (k, v) in rows {
        let _ = writeln!(t, "| {k} | {v} |");
    }
    let _ = writeln!(t, "\nActions by type:\n");
    if let Some(by) = c["actions_by_type"].as_object() {
        for (k, v) in by {
            let _ = writeln!(t, "- `{k}`: {v}");
        }
    }
    let mut apps: Vec<&str> = s
        .episodes
        .iter()
        .flat_map(|e| e.apps.iter().map(String::as_str))
        .collect();
    apps.sort_unstable();
    apps.dedup();
    let _ = writeln!(
        t,
        "\nApplications: {}.\n",
        if apps.is_empty() {
            "none recorded".into()
        } else {
            apps.join(", ")
        }
    );
    let _ = writeln!(
        t,
        "## Files\n\n\
         - `episodes.parquet`: one row per episode (id, instruction, boundaries, timing, screen size, applications, source segments).\n\
         - `steps.parquet`: one row per step: the action's type and structured fields (absolute and normalised coordinates, \
           keys, text, scroll amounts), its pyautogui code (`code`, absolute pixels; `code_norm`, normalised), the \
           observation image, the active application and window title.\n\
         - `images/ab/<blake3>.png`: every distinct screen frame once, as recorded (PNG, lossless), named by its content hash.\n\
         - `agentnet.jsonl`: the same episodes as `{{task_id, instruction, traj: [{{index, image, value: {{code, …}}}}]}}` lines with normalised coordinates.\n\
         - `viewer.html`: open it in a browser to step through the episodes with each action drawn on its frame.\n\
         - `manifest.json`: provenance — every source segment with its BLAKE3 hash, recording and segment ids, recorder and \
           format versions, what was skipped and why, the redaction summary and the build rules.\n"
    );
    let _ = writeln!(
        t,
        "## How it was built\n\n\
         Segments (MCAP; sealed ones decrypted in memory with the dataset key) were read in parallel; their frames were \
         stored by content hash and their events reduced to actions: typing runs to `write` with corrections applied, special \
         keys to `press`, chords to `hotkey`, press/release pairs to clicks, multi-clicks or drags by distance and timing, \
         wheel bursts to one `scroll`, gaps of {} s or more to `wait`, and the end of each episode to `terminate`. Each step's \
         image is the last frame before the action (or the frame the recorder grabbed at the action's first event, within {} \
         ms). Without task markers, recordings are split into episodes at idle gaps of {} s or more, at pauses and missing \
         segments, and where the active application changes. The exact thresholds are in `manifest.json` under `rules`.\n",
        m["rules"]["wait_min_ms"].as_u64().unwrap_or(0) as f64 / 1000.0,
        m["rules"]["frame_grace_ms"],
        m["rules"]["idle_gap_ms"].as_u64().unwrap_or(0) as f64 / 1000.0,
    );
    let _ = writeln!(t, "## Privacy\n");
    let _ = writeln!(t, "{}\n", m["redaction"]["summary"].as_str().unwrap_or(""));
    let _ = writeln!(
        t,
        "Host names are not exported. Window titles and typed text are as the recorder stored them after its on-device \
         redaction; frames are the recorder's frames, with excluded windows already blanked. This dataset is derived data: \
         when a person withdraws consent, rebuild it without their recordings and delete their images.\n"
    );
    let _ = writeln!(t, "## Limits\n");
    if let Some(limits) = m["limits"].as_array() {
        for l in limits {
            let _ = writeln!(t, "- {}", l.as_str().unwrap_or(""));
        }
    }
    let skipped = m["sources"].as_array().map(|v| {
        v.iter()
            .filter(|s| s["status"] == "skipped")
            .map(|s| {
                format!(
                    "`{}`: {}",
                    s["path"].as_str().unwrap_or(""),
                    s["reason"].as_str().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
    });
    if let Some(skipped) = skipped.filter(|s| !s.is_empty()) {
        let _ = writeln!(t, "\n## Skipped sources\n");
        for s in skipped {
            let _ = writeln!(t, "- {s}");
        }
    }
    let mut f = std::fs::File::create(path).map_err(io_err(path))?;
    f.write_all(t.as_bytes()).map_err(io_err(path))
}

fn mb(v: &Value) -> String {
    format!("{:.1}", v.as_u64().unwrap_or(0) as f64 / 1e6)
}

/// The known limits of the build, for the manifest and the card.
pub fn limits() -> Vec<&'static str> {
    vec![
        "Instructions are empty unless the person used task mode; episodes split by idle gaps and application switches are \
         sessions of related work, not verified tasks, and their `terminate` status is `unknown`.",
        "Pointer motion alone (hovering) is not an action; drag paths are sampled at the recorder's motion rate.",
        "Typed text is reconstructed from key events: edits the recorder cannot see (mouse selections, paste, input \
         methods, autocompletion) are not reflected in `write` text.",
        "The observation is the last frame the recorder took before the action; frames are rate-limited, so fast actions \
         can share a frame or show a screen up to one frame interval old.",
        "No accessibility tree or target element is exported (the recorder does not capture one on X11 yet).",
        "Collector sources (`--server`) are not supported yet; build from segment files.",
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(unix_ns_to_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(
            unix_ns_to_utc(1_700_000_000_000_000_000),
            "2023-11-14 22:13:20 UTC"
        );
    }

    #[test]
    fn long_paths_are_subsampled_keeping_both_ends() {
        let path: Vec<(i32, i32)> = (0..200).map(|i| (i, i)).collect();
        let s = subsample(&path, 64);
        assert_eq!(s.len(), 64);
        assert_eq!(s[0], [0, 0]);
        assert_eq!(s[63], [199, 199]);
    }
}
