//! The rules that turn raw events into actions, steps and episodes, with
//! their thresholds ([`Rules`]). The manifest records the values a dataset
//! was built with.
//!
//! ## Actions (see [`crate::reduce`])
//!
//! - **Typing.** Key presses that insert printable text form a run, ended by
//!   any other action, a break (window activation, pause, gap in the
//!   recording, task marker) or `typing_gap` of keyboard silence. Inside a
//!   run, BackSpace, Delete, Left and Right edit the run's own text, so
//!   `tset⌫⌫⌫est` becomes `write('test')`; an edit that reaches outside
//!   the run (BackSpace at its start) ends it and becomes a `press`. A run
//!   whose cursor ends before its last character is written as
//!   `write(text)` plus `press('left', presses=n)`.
//! - **Special keys** (Return, Tab, Escape, arrows outside a run, F-keys …)
//!   become `press(key)`; the same key again within `key_repeat_gap`
//!   (auto-repeat included) adds to `presses`.
//! - **Chords.** A key pressed while Ctrl, Alt or Super is held becomes
//!   `hotkey(mods…, key)` (modifiers in the order ctrl, alt, shift, win);
//!   so does Shift with a non-text key other than BackSpace/Delete
//!   (`hotkey('shift', 'tab')`). Shift with a text key is typing.
//!   A lone tap of Alt or Super (pressed and released with nothing in
//!   between) is `press('alt')` / `press('win')`; lone Shift or Ctrl taps
//!   do nothing and are dropped, as are Caps Lock and Num Lock (their
//!   effect is in the typed text).
//! - **Clicks.** A press and release of one button less than
//!   `drag_distance` px apart is a click at the press position; left
//!   clicks whose presses follow each other within `multi_click_interval`
//!   and stay within `multi_click_distance` px of the first make
//!   `doubleClick` and `tripleClick`. Right and middle clicks are
//!   `rightClick` / `middleClick`. Modifiers held at the press are kept
//!   (`keys`) and wrapped around the click in the code. The back and
//!   forward buttons become `press('browserback')` /
//!   `press('browserforward')`; other buttons are dropped.
//! - **Drags.** Press and release `drag_distance` px or more apart: `drag`
//!   from the press to the release, with the sampled pointer path.
//! - **Scrolling.** Wheel and smooth-scroll steps no more than
//!   `scroll_gap` apart and within `scroll_distance` px of the burst's
//!   first position sum into one `scroll`.
//! - Pointer motion alone is not an action (it only draws drag paths).
//!
//! ## Steps and episodes (see [`crate::episode`])
//!
//! - **Wait.** A gap of `wait_min` or more between two actions of one
//!   episode becomes a `wait` step of that length.
//! - **Terminate.** Every episode ends with a `terminate` step (status
//!   `success`/`failure` when a task marker says so, else `unknown`).
//! - **Episodes.** When a recording holds task markers (`/task` channel,
//!   `tracewell task start "…"` / `tracewell task end`), each marked span
//!   is one episode with its instruction, and actions outside any task are
//!   left out. Otherwise a recording is split where the person was idle
//!   for `idle_gap` or more, where capture was paused or segments are
//!   missing, and where the active application (`WM_CLASS` class) changes.
//!   An action that caused the switch (a click or key action that started
//!   at most `switch_attribution` before the new application became
//!   active) opens the new episode rather than closing the old one.
//!   Episodes without actions are dropped.
//! - **Observation.** A step's image is the last distinct frame *before*
//!   the action: the latest frame with `t_ns ≤` the action's first event,
//!   except that the frame the recorder takes *because of* this action —
//!   reason `click` for a pointer press, `typing` for the first key of a
//!   run — counts when it was grabbed within `frame_grace` after the
//!   action's first event and before any other action began (otherwise it
//!   may already show that action's effect). The recorder grabs that frame as soon as it sees
//!   the event, with the X server held still, before the application has
//!   normally drawn its response; it is the freshest view of what the
//!   person saw, whereas the newest earlier frame can be up to a
//!   rate-limit interval old. A `terminate` step shows the latest frame
//!   within `settle` after the episode's last action (the outcome), but
//!   never one after the next episode's first action. Carried frames count
//!   as state like any other frame; identical frames share one image.
//! - **Context.** A step's `app` and `title` are those of the window that
//!   was active when its observation was taken (latest window event with
//!   `t_ns ≤` the action's start).

use std::time::Duration;

use serde::Serialize;

/// Thresholds of the reduction and episode rules (module docs).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rules {
    /// Max press-to-press interval inside a double or triple click.
    #[serde(with = "ms", rename = "multi_click_interval_ms")]
    pub multi_click_interval: Duration,
    /// Max distance (px) of a multi-click's presses from its first.
    #[serde(rename = "multi_click_distance_px")]
    pub multi_click_distance: f64,
    /// Min press-to-release distance (px) of a drag.
    #[serde(rename = "drag_distance_px")]
    pub drag_distance: f64,
    /// Max gap between scroll steps of one burst.
    #[serde(with = "ms", rename = "scroll_gap_ms")]
    pub scroll_gap: Duration,
    /// Max distance (px) of a burst's steps from its first position.
    #[serde(rename = "scroll_distance_px")]
    pub scroll_distance: f64,
    /// Keyboard silence that ends a typing run.
    #[serde(with = "ms", rename = "typing_gap_ms")]
    pub typing_gap: Duration,
    /// Max gap between presses of one key counted as repeats.
    #[serde(with = "ms", rename = "key_repeat_gap_ms")]
    pub key_repeat_gap: Duration,
    /// Min gap between actions that becomes a `wait` step.
    #[serde(with = "ms", rename = "wait_min_ms")]
    pub wait_min: Duration,
    /// Min idle gap that splits episodes (without task markers).
    #[serde(with = "ms", rename = "idle_gap_ms")]
    pub idle_gap: Duration,
    /// How long before an application switch an action may start and
    /// still be taken as its cause.
    #[serde(with = "ms", rename = "switch_attribution_ms")]
    pub switch_attribution: Duration,
    /// How long after an action's first event the frame it triggered may
    /// be grabbed and still count as its observation.
    #[serde(with = "ms", rename = "frame_grace_ms")]
    pub frame_grace: Duration,
    /// How long after an episode's last action its `terminate` frame may be.
    #[serde(with = "ms", rename = "settle_ms")]
    pub settle: Duration,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            multi_click_interval: Duration::from_millis(500),
            multi_click_distance: 5.0,
            drag_distance: 10.0,
            scroll_gap: Duration::from_millis(500),
            scroll_distance: 50.0,
            typing_gap: Duration::from_secs(2),
            key_repeat_gap: Duration::from_millis(1000),
            wait_min: Duration::from_secs(2),
            idle_gap: Duration::from_secs(60),
            switch_attribution: Duration::from_millis(500),
            frame_grace: Duration::from_millis(100),
            settle: Duration::from_secs(1),
        }
    }
}

impl Rules {
    pub(crate) fn ns(d: Duration) -> u64 {
        d.as_nanos().min(u64::MAX as u128) as u64
    }
}

mod ms {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }
}
