//! Recordings → episodes of steps: splitting, `wait` and `terminate`
//! steps, and the observation (frame, application, title) of every step,
//! by the rules in [`crate::rules`]. Pure: the [`Timeline`] is plain data.

use tracewell_model::{FrameReason, MonoNs, WindowChange, WindowEvent};

use crate::action::{Action, ActionKind};
use crate::reduce::{Input, reduce};
use crate::rules::Rules;

/// A frame as the episode builder sees it: when, why, and which image.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FrameRef {
    pub t_ns: MonoNs,
    pub width: u32,
    pub height: u32,
    pub reason: FrameReason,
    /// The image's content hash (BLAKE3 of the PNG file, hex).
    pub image: String,
    /// Carried over from the previous segment (state, not a new frame).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub carried: bool,
}

/// A task marker (`/task` channel): the person's own episode boundaries.
#[derive(Clone, Debug, PartialEq)]
pub enum Marker {
    Start {
        t_ns: MonoNs,
        instruction: String,
    },
    End {
        t_ns: MonoNs,
        outcome: Option<String>,
    },
}

impl Marker {
    pub fn t_ns(&self) -> MonoNs {
        match self {
            Marker::Start { t_ns, .. } | Marker::End { t_ns, .. } => *t_ns,
        }
    }
}

/// Why an episode starts or ends where it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Boundary {
    RecordingStart,
    RecordingEnd,
    Task,
    Idle,
    AppSwitch,
    /// Capture paused, or segments of the recording are missing.
    Interruption,
}

impl Boundary {
    pub fn name(self) -> &'static str {
        match self {
            Boundary::RecordingStart => "recording_start",
            Boundary::RecordingEnd => "recording_end",
            Boundary::Task => "task",
            Boundary::Idle => "idle",
            Boundary::AppSwitch => "app_switch",
            Boundary::Interruption => "interruption",
        }
    }
}

/// Everything known about one recording, in time order.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    /// Input events and breaks, sorted by time. Window activations,
    /// pauses and gaps must appear as [`Input::Break`]s.
    pub inputs: Vec<Input>,
    /// Frames sorted by time (duplicates allowed; equal images share a hash).
    pub frames: Vec<FrameRef>,
    /// Window events sorted by time.
    pub windows: Vec<WindowEvent>,
    /// Task markers sorted by time.
    pub markers: Vec<Marker>,
    /// Pauses and gaps in the recording: hard episode boundaries.
    pub interruptions: Vec<MonoNs>,
}

/// One step: an action and what was seen when it was taken.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub action: Action,
    /// Index into [`Timeline::frames`].
    pub frame: Option<usize>,
    pub app: Option<String>,
    pub title: Option<String>,
}

/// One episode of a recording.
#[derive(Clone, Debug, PartialEq)]
pub struct Episode {
    pub instruction: Option<String>,
    pub outcome: Option<String>,
    pub starts_at: Boundary,
    pub ends_at: Boundary,
    pub steps: Vec<Step>,
}

impl Episode {
    pub fn t_start(&self) -> MonoNs {
        self.steps.first().map_or(0, |s| s.action.t_start)
    }
    pub fn t_end(&self) -> MonoNs {
        self.steps.iter().map(|s| s.action.t_end).max().unwrap_or(0)
    }
}

/// Splits a recording into episodes and builds their steps.
pub fn episodes(timeline: &Timeline, rules: &Rules) -> Vec<Episode> {
    let actions = reduce(&timeline.inputs, rules);
    let spans = if timeline.markers.is_empty() {
        split_untasked(timeline, &actions, rules)
    } else {
        split_tasks(timeline, &actions)
    };
    let starts: Vec<Option<MonoNs>> = spans
        .iter()
        .map(|s| s.actions.first().map(|&i| actions[i].t_start))
        .collect();
    let mut out = Vec::new();
    for (n, span) in spans.into_iter().enumerate() {
        if span.actions.is_empty() {
            continue;
        }
        let next_start = starts[n + 1..].iter().flatten().next().copied();
        out.push(build_episode(timeline, &actions, span, next_start, rules));
    }
    out
}

struct Span {
    actions: Vec<usize>,
    instruction: Option<String>,
    outcome: Option<String>,
    starts_at: Boundary,
    ends_at: Boundary,
}

fn split_tasks(timeline: &Timeline, actions: &[Action]) -> Vec<Span> {
    let mut spans = Vec::new();
    let markers = &timeline.markers;
    for (i, m) in markers.iter().enumerate() {
        let Marker::Start {
            t_ns: start,
            instruction,
        } = m
        else {
            continue;
        };
        let (end, outcome, ends_at) = match markers.get(i + 1) {
            Some(Marker::End { t_ns, outcome }) => (*t_ns, outcome.clone(), Boundary::Task),
            Some(next) => (next.t_ns(), None, Boundary::Task),
            None => (MonoNs::MAX, None, Boundary::RecordingEnd),
        };
        let actions = (0..actions.len())
            .filter(|&a| actions[a].t_start >= *start && actions[a].t_start < end)
            .collect();
        spans.push(Span {
            actions,
            instruction: Some(instruction.clone()),
            outcome,
            starts_at: Boundary::Task,
            ends_at,
        });
    }
    spans
}

/// The application active at `t`: the latest window event at or before
/// `t` that names one (no active window keeps the previous application).
fn app_at(windows: &[WindowEvent], t: MonoNs) -> Option<&str> {
    let end = windows.partition_point(|w| w.t_ns <= t);
    windows[..end]
        .iter()
        .rev()
        .find_map(|w| w.window.as_ref().and_then(|w| w.app.as_deref()))
}

fn window_at(windows: &[WindowEvent], t: MonoNs) -> Option<&WindowEvent> {
    let end = windows.partition_point(|w| w.t_ns <= t);
    windows[..end].last()
}

fn split_untasked(timeline: &Timeline, actions: &[Action], rules: &Rules) -> Vec<Span> {
    let idle = Rules::ns(rules.idle_gap);
    let attribution = Rules::ns(rules.switch_attribution);
    let windows = &timeline.windows;
    // The application each action belongs to: the one active at its start,
    // or the one it switched to (a click or key action right before an
    // activation of another application).
    let effective_app = |a: &Action| -> Option<&str> {
        let here = app_at(windows, a.t_start);
        if a.kind != ActionKind::Scroll {
            let lo = windows.partition_point(|w| w.t_ns <= a.t_start);
            let hi = windows.partition_point(|w| w.t_ns <= a.t_start + attribution);
            for w in &windows[lo..hi] {
                if w.change == WindowChange::Activated
                    && let Some(app) = w.window.as_ref().and_then(|w| w.app.as_deref())
                    && Some(app) != here
                {
                    return Some(app);
                }
            }
        }
        here
    };
    let mut spans: Vec<Span> = Vec::new();
    let mut current: Option<Span> = None;
    let mut current_app: Option<&str> = None;
    let mut prev: Option<&Action> = None;
    for (i, a) in actions.iter().enumerate() {
        let app = effective_app(a);
        let boundary = prev.and_then(|p| {
            let interrupted = timeline
                .interruptions
                .iter()
                .any(|&t| t > p.t_start && t <= a.t_start);
            if interrupted {
                Some(Boundary::Interruption)
            } else if a.t_start.saturating_sub(p.t_end) >= idle {
                Some(Boundary::Idle)
            } else if app.is_some() && current_app.is_some() && app != current_app {
                Some(Boundary::AppSwitch)
            } else {
                None
            }
        });
        if let Some(b) = boundary
            && let Some(mut span) = current.take()
        {
            span.ends_at = b;
            spans.push(span);
            current = Some(Span {
                actions: Vec::new(),
                instruction: None,
                outcome: None,
                starts_at: b,
                ends_at: Boundary::RecordingEnd,
            });
        }
        let span = current.get_or_insert_with(|| Span {
            actions: Vec::new(),
            instruction: None,
            outcome: None,
            starts_at: Boundary::RecordingStart,
            ends_at: Boundary::RecordingEnd,
        });
        span.actions.push(i);
        if app.is_some() {
            current_app = app;
        }
        prev = Some(a);
    }
    spans.extend(current);
    spans
}

/// The index of the latest frame with `t_ns ≤ t`.
fn latest_at(frames: &[FrameRef], t: MonoNs) -> Option<usize> {
    frames.partition_point(|f| f.t_ns <= t).checked_sub(1)
}

/// The observation of an action (see the rules): `next_start` is when the
/// next action began, if any; a frame the action triggered counts only if
/// it was grabbed before that.
pub fn frame_for(
    frames: &[FrameRef],
    action: &Action,
    next_start: Option<MonoNs>,
    rules: &Rules,
) -> Option<usize> {
    let triggered = match action.kind {
        k if k.is_keyboard() => Some(FrameReason::Typing),
        ActionKind::Scroll | ActionKind::Wait | ActionKind::Terminate => None,
        _ => Some(FrameReason::Click),
    };
    if let Some(reason) = triggered {
        let grace_end = action.t_start + Rules::ns(rules.frame_grace);
        let grace_end = next_start.map_or(grace_end, |n| grace_end.min(n.saturating_sub(1)));
        let from = frames.partition_point(|f| f.t_ns < action.t_start);
        let hit = frames[from..]
            .iter()
            .take_while(|f| f.t_ns <= grace_end)
            .position(|f| f.reason == reason && !f.carried);
        if let Some(i) = hit {
            return Some(from + i);
        }
    }
    latest_at(frames, action.t_start)
}

fn step(timeline: &Timeline, action: Action, frame: Option<usize>, context_t: MonoNs) -> Step {
    let w = window_at(&timeline.windows, context_t).and_then(|w| w.window.as_ref());
    Step {
        action,
        frame,
        app: w.and_then(|w| w.app.clone()),
        title: w.and_then(|w| w.title.clone()),
    }
}

fn build_episode(
    timeline: &Timeline,
    actions: &[Action],
    span: Span,
    next_start: Option<MonoNs>,
    rules: &Rules,
) -> Episode {
    let wait_min = Rules::ns(rules.wait_min);
    let settle = Rules::ns(rules.settle);
    let frames = &timeline.frames;
    // A frame shortly after `t` that is still before `limit`: the outcome
    // of what was just done.
    let settled = |t: MonoNs, limit: MonoNs| {
        latest_at(frames, (t + settle).min(limit.saturating_sub(1)).max(t))
    };
    let mut steps = Vec::with_capacity(span.actions.len() + 1);
    let mut prev_end: Option<MonoNs> = None;
    for &i in &span.actions {
        let a = &actions[i];
        let next = actions.get(i + 1).map(|n| n.t_start);
        if let Some(end) = prev_end
            && a.t_start.saturating_sub(end) >= wait_min
        {
            let wait = Action::new(ActionKind::Wait, end, a.t_start);
            steps.push(step(timeline, wait, settled(end, a.t_start), end));
        }
        let frame = frame_for(frames, a, next, rules);
        steps.push(step(timeline, a.clone(), frame, a.t_start));
        prev_end = Some(prev_end.map_or(a.t_end, |e: MonoNs| e.max(a.t_end)));
    }
    let end = prev_end.unwrap_or(0);
    let mut terminate = Action::new(ActionKind::Terminate, end, end);
    terminate.status = Some(span.outcome.clone().unwrap_or_else(|| "unknown".into()));
    let frame = settled(end, next_start.unwrap_or(MonoNs::MAX));
    let context_t = frame.map_or(end, |f| frames[f].t_ns.max(end));
    steps.push(step(timeline, terminate, frame, context_t));
    Episode {
        instruction: span.instruction,
        outcome: span.outcome,
        starts_at: span.starts_at,
        ends_at: span.ends_at,
        steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracewell_model::{ButtonEvent, KeyEvent, Modifiers, MouseButton, PressState, WindowInfo};

    const MS: u64 = 1_000_000;

    fn frame(t_ms: u64, reason: FrameReason, image: &str) -> FrameRef {
        FrameRef {
            t_ns: t_ms * MS,
            width: 100,
            height: 100,
            reason,
            image: image.into(),
            carried: false,
        }
    }

    fn window(t_ms: u64, id: u32, app: &str) -> WindowEvent {
        WindowEvent {
            t_ns: t_ms * MS,
            change: WindowChange::Activated,
            window: Some(WindowInfo {
                id,
                title: Some(format!("{app} window")),
                app: Some(app.into()),
                ..WindowInfo::default()
            }),
        }
    }

    fn click(t_ms: u64, x: i32) -> [Input; 2] {
        let b = |t, state| {
            Input::Button(ButtonEvent {
                t_ns: t * MS,
                state,
                button: MouseButton::Left,
                x,
                y: 10,
                modifiers: Modifiers::default(),
            })
        };
        [
            b(t_ms, PressState::Press),
            b(t_ms + 50, PressState::Release),
        ]
    }

    fn key(t_ms: u64, c: char) -> Input {
        Input::Key(KeyEvent {
            t_ns: t_ms * MS,
            state: PressState::Press,
            keycode: 38,
            keysym: c as u32,
            key: c.to_string(),
            modifiers: Modifiers::default(),
            text: Some(c.to_string()),
        })
    }

    fn kinds(e: &Episode) -> Vec<&'static str> {
        e.steps.iter().map(|s| s.action.kind.name()).collect()
    }

    #[test]
    fn frames_before_or_triggered_by_the_action() {
        let frames = vec![
            frame(100, FrameReason::Start, "a"),
            frame(900, FrameReason::ScreenChange, "b"),
            frame(1_003, FrameReason::Click, "c"),
            frame(1_500, FrameReason::ScreenChange, "d"),
            frame(2_200, FrameReason::Click, "e"),
        ];
        let rules = Rules::default();
        let mut a = Action::new(ActionKind::Click, 1_000 * MS, 1_050 * MS);
        // The click frame grabbed 3 ms after the press is its own.
        assert_eq!(frame_for(&frames, &a, None, &rules), Some(2));
        // … unless another action began before it was grabbed.
        assert_eq!(frame_for(&frames, &a, Some(1_002 * MS), &rules), Some(1));
        // A scroll at the same time takes the latest frame before it.
        a.kind = ActionKind::Scroll;
        assert_eq!(frame_for(&frames, &a, None, &rules), Some(1));
        // A click frame 200 ms late belongs to someone else.
        let late = Action::new(ActionKind::Click, 2_000 * MS, 2_000 * MS);
        assert_eq!(frame_for(&frames, &late, None, &rules), Some(3));
        // Typing takes typing frames only.
        let w = Action::new(ActionKind::Write, 1_000 * MS, 1_100 * MS);
        assert_eq!(frame_for(&frames, &w, None, &rules), Some(1));
        let early = Action::new(ActionKind::Write, 50 * MS, 60 * MS);
        assert_eq!(frame_for(&frames, &early, None, &rules), None);
    }

    #[test]
    fn idle_gaps_split_and_waits_fill_short_gaps() {
        let mut inputs = Vec::new();
        inputs.extend(click(1_000, 10));
        inputs.extend(click(4_000, 20));
        inputs.extend(click(100_000, 30));
        let timeline = Timeline {
            inputs,
            frames: vec![frame(10, FrameReason::Start, "a")],
            ..Timeline::default()
        };
        let eps = episodes(&timeline, &Rules::default());
        assert_eq!(eps.len(), 2);
        assert_eq!(kinds(&eps[0]), ["click", "wait", "click", "terminate"]);
        assert_eq!(eps[0].ends_at, Boundary::Idle);
        assert_eq!(kinds(&eps[1]), ["click", "terminate"]);
        assert_eq!(eps[1].starts_at, Boundary::Idle);
        let wait = &eps[0].steps[1].action;
        assert_eq!((wait.t_start, wait.t_end), (1_050 * MS, 4_000 * MS));
        assert_eq!(eps[0].steps[3].action.status.as_deref(), Some("unknown"));
    }

    #[test]
    fn the_click_that_switches_applications_opens_the_new_episode() {
        let mut inputs = vec![key(1_000, 'a'), key(1_100, 'b')];
        inputs.extend(click(1_500, 700));
        inputs.push(Input::Break(1_520 * MS));
        inputs.push(key(1_800, 'c'));
        let timeline = Timeline {
            inputs,
            windows: vec![window(0, 1, "XTerm"), window(1_520, 2, "Gimp")],
            frames: vec![
                frame(10, FrameReason::Start, "a"),
                frame(1_502, FrameReason::Click, "b"),
                frame(1_530, FrameReason::WindowChange, "c"),
            ],
            ..Timeline::default()
        };
        let eps = episodes(&timeline, &Rules::default());
        assert_eq!(eps.len(), 2);
        assert_eq!(kinds(&eps[0]), ["write", "terminate"]);
        assert_eq!(kinds(&eps[1]), ["click", "write", "terminate"]);
        assert_eq!(eps[1].starts_at, Boundary::AppSwitch);
        // The click's observation is the one before it took effect.
        assert_eq!(eps[1].steps[0].app.as_deref(), Some("XTerm"));
        assert_eq!(eps[1].steps[0].frame, Some(1));
        assert_eq!(eps[1].steps[1].app.as_deref(), Some("Gimp"));
        // The first episode's outcome frame is not after the next action.
        assert_eq!(eps[0].steps[1].frame, Some(0));
    }

    #[test]
    fn same_application_windows_stay_in_one_episode() {
        let mut inputs = vec![key(1_000, 'a')];
        inputs.push(Input::Break(1_200 * MS));
        inputs.push(key(1_400, 'b'));
        let timeline = Timeline {
            inputs,
            windows: vec![window(0, 1, "XTerm"), window(1_200, 2, "XTerm")],
            ..Timeline::default()
        };
        let eps = episodes(&timeline, &Rules::default());
        assert_eq!(eps.len(), 1);
        assert_eq!(kinds(&eps[0]), ["write", "write", "terminate"]);
    }

    #[test]
    fn task_markers_define_episodes() {
        let mut inputs = vec![key(500, 'x')];
        inputs.extend(click(1_000, 10));
        inputs.push(key(2_000, 'y'));
        inputs.extend(click(9_000, 10));
        let timeline = Timeline {
            inputs,
            markers: vec![
                Marker::Start {
                    t_ns: 900 * MS,
                    instruction: "Open the file".into(),
                },
                Marker::End {
                    t_ns: 3_000 * MS,
                    outcome: Some("success".into()),
                },
                Marker::Start {
                    t_ns: 8_000 * MS,
                    instruction: "Close it".into(),
                },
            ],
            ..Timeline::default()
        };
        let eps = episodes(&timeline, &Rules::default());
        assert_eq!(eps.len(), 2);
        assert_eq!(eps[0].instruction.as_deref(), Some("Open the file"));
        assert_eq!(kinds(&eps[0]), ["click", "write", "terminate"]);
        assert_eq!(eps[0].steps[2].action.status.as_deref(), Some("success"));
        assert_eq!(kinds(&eps[1]), ["click", "terminate"]);
        assert_eq!(eps[1].ends_at, Boundary::RecordingEnd);
    }

    #[test]
    fn interruptions_split() {
        let mut inputs = vec![key(500, 'x')];
        inputs.push(Input::Break(600 * MS));
        inputs.push(key(700, 'y'));
        let timeline = Timeline {
            inputs,
            interruptions: vec![600 * MS],
            ..Timeline::default()
        };
        let eps = episodes(&timeline, &Rules::default());
        assert_eq!(eps.len(), 2);
        assert_eq!(eps[1].starts_at, Boundary::Interruption);
    }
}
