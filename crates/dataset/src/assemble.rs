//! The assembly stage: the digests of one recording → its [`Timeline`] →
//! episodes → output rows.

use std::collections::BTreeMap;

use tracewell_model::{MonoNs, WindowChange};
use tracewell_segment::{RecorderState, TaskEvent};

use crate::action::{Action, Coords, normalize};
use crate::episode::{Episode, Marker, Timeline, episodes};
use crate::format::image_path;
use crate::ingest::{Digest, Ev};
use crate::reduce::Input;
use crate::rules::Rules;

/// One output row of `episodes.parquet`, plus its steps.
#[derive(Clone, Debug)]
pub struct EpisodeRow {
    pub episode_id: String,
    pub recording_id: String,
    pub instruction: Option<String>,
    pub outcome: Option<String>,
    pub start_boundary: &'static str,
    pub end_boundary: &'static str,
    pub t_start_ns: i64,
    pub t_end_ns: i64,
    pub screen: (u32, u32),
    pub apps: Vec<String>,
    pub source_segments: Vec<String>,
    pub recorder_version: String,
    pub segment_format: String,
    pub steps: Vec<StepRow>,
}

/// One output row of `steps.parquet`.
#[derive(Clone, Debug)]
pub struct StepRow {
    pub step: u32,
    pub t_start_ns: i64,
    pub t_end_ns: i64,
    pub action: Action,
    pub code: String,
    pub code_norm: String,
    /// Relative image path.
    pub image: Option<String>,
    pub image_t_ns: Option<i64>,
    pub image_size: Option<(u32, u32)>,
    pub app: Option<String>,
    pub title: Option<String>,
    pub segment_id: Option<String>,
}

struct SegmentSpan {
    segment_id: String,
    first_t: MonoNs,
    wall_anchor_ns: u64,
    mono_anchor_ns: u64,
}

/// The digests of one recording, in sequence order → timeline and the
/// facts needed to export it.
pub(crate) struct Recording<'a> {
    pub recording_id: String,
    pub timeline: Timeline,
    spans: Vec<SegmentSpan>,
    screen: Option<(u32, u32)>,
    segments: &'a [&'a Digest],
}

impl<'a> Recording<'a> {
    pub fn new(segments: &'a [&'a Digest]) -> Recording<'a> {
        let mut t = Timeline::default();
        let mut windows = Vec::new();
        let mut spans = Vec::new();
        let mut prev_seq: Option<u32> = None;
        for d in segments {
            let range = d.live_range();
            if let (Some(p), Some((first, _))) = (prev_seq, range)
                && d.meta.sequence != p + 1
            {
                // Segments are missing: what happened in between is unknown.
                t.interruptions.push(first);
                t.inputs.push(Input::Break(first));
            }
            prev_seq = Some(d.meta.sequence);
            spans.push(SegmentSpan {
                segment_id: d.meta.segment_id.clone(),
                first_t: range.map_or(MonoNs::MAX, |r| r.0),
                wall_anchor_ns: d.meta.wall_anchor_ns,
                mono_anchor_ns: d.meta.mono_anchor_ns,
            });
            for e in &d.events {
                match e {
                    Ev::Key(k) => t.inputs.push(Input::Key(k.clone())),
                    Ev::Button(b) => t.inputs.push(Input::Button(*b)),
                    Ev::Scroll(s) => t.inputs.push(Input::Scroll(*s)),
                    Ev::Motion(m) => t.inputs.push(Input::Motion(*m)),
                    Ev::Window(w, carried) => windows.push((w.clone(), *carried)),
                    Ev::Status(s) if s.state == RecorderState::Paused => {
                        t.interruptions.push(s.t_ns);
                        t.inputs.push(Input::Break(s.t_ns));
                    }
                    Ev::Status(_) => {}
                    // The carried start of a task the previous segment
                    // began is state, not a second start; it counts only
                    // when that segment is missing.
                    Ev::Task(task, true)
                        if t.markers.iter().any(|m| matches!(m, Marker::Start { t_ns, .. } if *t_ns == task.t_ns)) => {}
                    Ev::Task(task, _) => {
                        // Actions never straddle a task boundary.
                        t.inputs.push(Input::Break(task.t_ns));
                        t.markers.push(match task.event {
                            TaskEvent::Start => Marker::Start {
                                t_ns: task.t_ns,
                                instruction: task.instruction.clone().unwrap_or_default(),
                            },
                            TaskEvent::End => Marker::End {
                                t_ns: task.t_ns,
                                outcome: task.outcome.map(|o| o.name().to_string()),
                            },
                        });
                    }
                }
            }
            t.frames.extend(d.frames.iter().cloned());
        }
        // Window activations end runs; carried copies are state only.
        windows.sort_by_key(|(w, _)| w.t_ns);
        windows.dedup_by(|b, a| a.0 == b.0);
        let mut active: Option<u32> = None;
        for (w, carried) in &windows {
            let id = w.window.as_ref().map(|w| w.id);
            if w.change == WindowChange::Activated && !carried && id.is_some() && id != active {
                t.inputs.push(Input::Break(w.t_ns));
            }
            if id.is_some() {
                active = id;
            }
        }
        t.windows = windows.into_iter().map(|(w, _)| w).collect();
        t.inputs.sort_by_key(Input::t_ns);
        t.frames.sort_by_key(|f| f.t_ns);
        t.frames
            .dedup_by(|b, a| a.t_ns == b.t_ns && a.image == b.image);
        t.interruptions.sort_unstable();
        t.markers.sort_by_key(Marker::t_ns);
        spans.sort_by_key(|s| s.first_t);
        let screen = segments
            .iter()
            .find_map(|d| d.meta.screen)
            .or_else(|| t.frames.first().map(|f| (f.width, f.height)));
        Recording {
            recording_id: segments
                .first()
                .map(|d| d.meta.recording_id.clone())
                .unwrap_or_default(),
            timeline: t,
            spans,
            screen,
            segments,
        }
    }

    fn span_at(&self, t: MonoNs) -> Option<&SegmentSpan> {
        let i = self.spans.partition_point(|s| s.first_t <= t);
        self.spans.get(i.saturating_sub(1))
    }

    /// Unix ns for a monotonic time, by the anchor of the segment it falls in.
    fn wall(&self, t: MonoNs) -> i64 {
        match self.span_at(t) {
            Some(s) => (s.wall_anchor_ns as i128 + t as i128 - s.mono_anchor_ns as i128)
                .clamp(0, i64::MAX as i128) as i64,
            None => t as i64,
        }
    }

    /// Builds the episodes and their rows.
    pub fn rows(&self, rules: &Rules) -> Vec<EpisodeRow> {
        let eps = episodes(&self.timeline, rules);
        eps.iter()
            .enumerate()
            .map(|(n, e)| self.episode_row(n, e))
            .collect()
    }

    fn episode_row(&self, n: usize, e: &Episode) -> EpisodeRow {
        let frames = &self.timeline.frames;
        let screen = self.screen.unwrap_or((0, 0));
        let norm = Coords::Normalized {
            width: screen.0,
            height: screen.1,
        };
        let mut apps: Vec<String> = Vec::new();
        let mut segs: Vec<String> = Vec::new();
        let steps: Vec<StepRow> = e
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                if let Some(app) = &s.app
                    && !apps.contains(app)
                {
                    apps.push(app.clone());
                }
                let segment_id = self
                    .span_at(s.action.t_start)
                    .map(|sp| sp.segment_id.clone());
                if let Some(id) = &segment_id
                    && !segs.contains(id)
                {
                    segs.push(id.clone());
                }
                let frame = s.frame.map(|f| &frames[f]);
                StepRow {
                    step: i as u32,
                    t_start_ns: self.wall(s.action.t_start),
                    t_end_ns: self.wall(s.action.t_end),
                    code: s.action.code(Coords::Absolute),
                    code_norm: s.action.code(norm),
                    action: s.action.clone(),
                    image: frame.map(|f| image_path(&f.image)),
                    image_t_ns: frame.map(|f| self.wall(f.t_ns)),
                    image_size: frame.map(|f| (f.width, f.height)),
                    app: s.app.clone(),
                    title: s.title.clone(),
                    segment_id,
                }
            })
            .collect();
        let first = self.segments.first();
        EpisodeRow {
            episode_id: format!("{}-e{:03}", self.recording_id, n),
            recording_id: self.recording_id.clone(),
            instruction: e.instruction.clone(),
            outcome: e.outcome.clone(),
            start_boundary: e.starts_at.name(),
            end_boundary: e.ends_at.name(),
            t_start_ns: self.wall(e.t_start()),
            t_end_ns: self.wall(e.t_end()),
            screen,
            apps,
            source_segments: segs,
            recorder_version: first
                .map(|d| d.meta.recorder_version.clone())
                .unwrap_or_default(),
            segment_format: first.map(|d| d.meta.format.clone()).unwrap_or_default(),
            steps,
        }
    }
}

/// Normalised coordinate helper for exports.
pub(crate) fn norm(v: Option<i32>, size: u32) -> Option<f64> {
    v.map(|v| normalize(v, size))
}

/// Counts of actions by type over rows.
pub(crate) fn action_counts(rows: &[EpisodeRow]) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for s in rows.iter().flat_map(|e| &e.steps) {
        *m.entry(s.action.kind.name().to_string()).or_insert(0) += 1;
    }
    m
}
