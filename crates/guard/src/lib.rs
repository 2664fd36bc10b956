//! The guard: the first stage after capture, and the only one that sees
//! raw events. It applies the [`tracewell_policy::Policy`] so that what
//! the policy excludes never reaches redaction, segments or disk.
//!
//! - [`Guard::apply`] takes each [`tracewell_model::Event`] and returns it
//!   (possibly changed) or nothing:
//!   - key events pass only while the active window is allowed and input
//!     is not secure (capture reports secure input while another client
//!     holds a keyboard grab or a password field has focus);
//!   - pointer events pass only over an allowed window (the topmost window
//!     at that point in the latest window stack); a release follows its
//!     press;
//!   - a denied window's activation is reported as "no capturable window"
//!     and its title never passes; its title changes are dropped;
//!   - frames keep only the visible parts of allowed windows: everything
//!     else — denied windows, unknown popups, the desktop — is filled solid,
//!     stacking-order aware, on every monitor; a frame with nothing allowed
//!     on screen is dropped; the window stack in frames is stripped to
//!     geometry (no names, classes or titles);
//!   - modalities the policy switches off are dropped whole.
//! - [`Withheld`]: counts of what was dropped, the only trace withheld
//!   events leave.
//! - [`regions`]: rectangle arithmetic for the visible parts of windows.

pub mod regions;

use std::collections::HashMap;

use tracewell_model::{
    Event, Frame, MouseButton, PressState, Rect, StackedWindow, WindowChange, WindowEvent,
    WindowInfo, WindowStack, window_at,
};
use tracewell_policy::Policy;

/// The colour (B, G, R) withheld areas of frames are filled with.
pub const BLANK_BGR: [u8; 3] = [0x30, 0x30, 0x30];

/// Counts of events the guard dropped, by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Withheld {
    pub keys: u64,
    /// Key events dropped because another client held a keyboard grab.
    pub secure_keys: u64,
    pub buttons: u64,
    pub scrolls: u64,
    pub motions: u64,
    pub window_changes: u64,
    /// Frames dropped whole (nothing allowed on screen, nothing new in the
    /// allowed areas, or screen capture switched off).
    pub frames: u64,
    /// Frames written with part of the screen filled.
    pub frames_blanked: u64,
}

impl Withheld {
    pub fn total_events(&self) -> u64 {
        self.keys + self.secure_keys + self.buttons + self.scrolls + self.motions + self.window_changes
    }
}

/// The guard's state: the policy, the active window and its verdict, the
/// latest window stack, secure input.
pub struct Guard {
    policy: Policy,
    active_allowed: bool,
    /// Whether the last window event passed on named an allowed window
    /// (so a switch to a denied one is reported once, as "none").
    reported_allowed: Option<bool>,
    stack: WindowStack,
    secure_input: bool,
    pressed: HashMap<MouseButton, bool>,
    last_keep: Option<Vec<Rect>>,
    withheld: Withheld,
}

impl Guard {
    pub fn new(policy: Policy) -> Guard {
        Guard {
            policy,
            active_allowed: false,
            reported_allowed: None,
            stack: WindowStack::default(),
            secure_input: false,
            pressed: HashMap::new(),
            last_keep: None,
            withheld: Withheld::default(),
        }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// What was withheld so far.
    pub fn withheld(&self) -> &Withheld {
        &self.withheld
    }

    fn allowed(&self, window: &WindowInfo) -> bool {
        self.policy.decide(window).allowed()
    }

    fn pointer_allowed(&self, x: i32, y: i32) -> bool {
        window_at(&self.stack, x, y).and_then(|w| w.client.as_ref()).is_some_and(|c| self.allowed(c))
    }

    /// Applies the policy to one event: `Some` to pass it on (possibly
    /// changed), `None` when it is withheld or only informs the guard.
    pub fn apply(&mut self, event: Event) -> Option<Event> {
        let modalities = self.policy.modalities;
        match event {
            Event::Stack { stack, .. } => {
                self.stack = stack;
                None
            }
            Event::SecureInput { active, .. } => {
                self.secure_input = active;
                None
            }
            Event::Paused { .. } => Some(event),
            Event::Window(w) => self.window(w),
            Event::Key(k) => {
                if self.secure_input {
                    self.withheld.secure_keys += 1;
                    None
                } else if !modalities.keys || !self.active_allowed {
                    self.withheld.keys += 1;
                    None
                } else {
                    Some(Event::Key(k))
                }
            }
            Event::Button(b) => {
                let pass = match b.state {
                    PressState::Press => {
                        let pass = modalities.mouse && self.pointer_allowed(b.x, b.y);
                        self.pressed.insert(b.button, pass);
                        pass
                    }
                    PressState::Release => self.pressed.remove(&b.button).unwrap_or(false),
                };
                if pass {
                    Some(Event::Button(b))
                } else {
                    self.withheld.buttons += 1;
                    None
                }
            }
            Event::Scroll(s) => {
                if modalities.mouse && self.pointer_allowed(s.x, s.y) {
                    Some(Event::Scroll(s))
                } else {
                    self.withheld.scrolls += 1;
                    None
                }
            }
            Event::Motion(m) => {
                if modalities.mouse && self.pointer_allowed(m.x, m.y) {
                    Some(Event::Motion(m))
                } else {
                    self.withheld.motions += 1;
                    None
                }
            }
            Event::Frame(frame) => self.frame(frame),
        }
    }

    /// A window event is about the active window whatever its change: a
    /// title change can deny it (a browser tab now titled like a password
    /// manager, a passphrase prompt in a terminal), and its keys with it,
    /// or allow it again.
    fn window(&mut self, mut event: WindowEvent) -> Option<Event> {
        let allowed = event.window.as_ref().is_some_and(|w| self.allowed(w));
        self.active_allowed = allowed;
        if allowed {
            // Back from a window reported as none: say which one is active.
            if self.reported_allowed == Some(false) {
                event.change = WindowChange::Activated;
            }
            self.reported_allowed = Some(true);
            return Some(Event::Window(event));
        }
        if event.window.is_some() {
            self.withheld.window_changes += 1;
        }
        // Report leaving the allowed windows once, without naming where to.
        if self.reported_allowed != Some(false) {
            self.reported_allowed = Some(false);
            return Some(Event::Window(WindowEvent { t_ns: event.t_ns, change: WindowChange::Activated, window: None }));
        }
        None
    }

    fn frame(&mut self, mut frame: Frame) -> Option<Event> {
        if !self.policy.modalities.screen {
            self.withheld.frames += 1;
            return None;
        }
        self.stack = frame.stack.clone();
        let screen = Rect::new(0, 0, frame.width, frame.height);
        let keep = regions::visible_where(&frame.stack, screen, |w: &StackedWindow| {
            w.client.as_ref().is_some_and(|c| self.allowed(c))
        });
        // Strip the stack to its geometry: it names windows the policy
        // excludes, and the later stages need only where windows are (the
        // pixel redactor reads window by window).
        frame.stack = std::sync::Arc::new(
            frame
                .stack
                .iter()
                .map(|w| StackedWindow { rect: w.rect, client: None, override_redirect: w.override_redirect })
                .collect(),
        );
        if keep.is_empty() {
            self.withheld.frames += 1;
            self.last_keep = Some(keep);
            return None;
        }
        let keep_changed = self.last_keep.as_ref() != Some(&keep);
        if !keep_changed && !frame.changed.iter().any(|c| keep.iter().any(|k| k.intersect(c).is_some())) {
            // Something changed, but only where nothing is kept.
            self.withheld.frames += 1;
            return None;
        }
        let blanked = regions::fill_outside(&mut frame.bgrx, frame.width, frame.height, &keep, BLANK_BGR);
        if blanked {
            self.withheld.frames_blanked += 1;
        }
        // What changed in the kept areas: the captured changes there, plus
        // whatever was blank in the last frame and is kept now (its pixels
        // are new to every later stage even where the screen did not
        // change).
        let mut changed: Vec<Rect> = frame
            .changed
            .iter()
            .flat_map(|c| keep.iter().filter_map(move |k| k.intersect(c)))
            .collect();
        if keep_changed {
            let before = self.last_keep.clone().unwrap_or_default();
            for k in &keep {
                let mut fresh = vec![*k];
                for old in &before {
                    fresh = fresh.iter().flat_map(|r| regions::subtract(*r, old)).collect();
                }
                changed.extend(fresh);
            }
        }
        frame.changed = changed;
        self.last_keep = Some(keep);
        Some(Event::Frame(frame))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tracewell_model::{ButtonEvent, FrameReason, KeyEvent, Modifiers, MotionEvent};

    use super::*;

    fn policy() -> Policy {
        Policy::from_toml("version = 1\n[scope]\nallow_apps = [\"Editor\"]").unwrap()
    }

    fn info(id: u32, app: &str, title: &str) -> WindowInfo {
        WindowInfo { id, app: Some(app.into()), title: Some(title.into()), ..WindowInfo::default() }
    }

    fn activate(id: u32, app: &str, title: &str) -> Event {
        Event::Window(WindowEvent { t_ns: 1, change: WindowChange::Activated, window: Some(info(id, app, title)) })
    }

    fn key(c: &str) -> Event {
        Event::Key(KeyEvent {
            t_ns: 2,
            state: PressState::Press,
            keycode: 38,
            keysym: 0x61,
            key: c.into(),
            modifiers: Modifiers::default(),
            text: Some(c.into()),
        })
    }

    /// Editor (allowed) at the left, a password manager over its right half.
    fn stack() -> WindowStack {
        Arc::new(vec![
            StackedWindow { rect: Rect::new(0, 0, 60, 40), client: Some(info(1, "Editor", "notes")), override_redirect: false },
            StackedWindow { rect: Rect::new(30, 0, 50, 40), client: Some(info(2, "KeePassXC", "vault")), override_redirect: false },
        ])
    }

    fn frame(stack: WindowStack) -> Frame {
        Frame {
            t_ns: 3,
            width: 100,
            height: 50,
            reason: FrameReason::Start,
            monitors: vec![],
            changed: vec![Rect::new(0, 0, 100, 50)],
            stack,
            bgrx: vec![0xff; 100 * 50 * 4],
        }
    }

    #[test]
    fn keys_pass_only_in_allowed_windows_and_never_under_a_grab() {
        let mut guard = Guard::new(policy());
        assert!(guard.apply(key("a")).is_none(), "nothing is active yet");
        assert!(guard.apply(activate(1, "Editor", "notes")).is_some());
        assert!(guard.apply(key("b")).is_some());
        guard.apply(Event::SecureInput { t_ns: 4, active: true });
        assert!(guard.apply(key("c")).is_none());
        guard.apply(Event::SecureInput { t_ns: 5, active: false });
        assert!(guard.apply(key("d")).is_some());
        let left = guard.apply(activate(2, "KeePassXC", "vault")).expect("leaving is reported");
        assert_eq!(left, Event::Window(WindowEvent { t_ns: 1, change: WindowChange::Activated, window: None }));
        assert!(guard.apply(key("e")).is_none());
        let title = Event::Window(WindowEvent { t_ns: 6, change: WindowChange::TitleChanged, window: Some(info(2, "KeePassXC", "bank pin")) });
        assert!(guard.apply(title).is_none(), "a denied title never passes");
        assert!(guard.apply(activate(3, "Gedit", "x")).is_none(), "already reported as none");
        let w = guard.withheld();
        assert_eq!((w.keys, w.secure_keys, w.window_changes), (2, 1, 3));
    }

    #[test]
    fn a_title_that_denies_the_active_window_withholds_its_keys() {
        let mut guard = Guard::new(Policy::from_toml("version = 1\n[scope]\nallow_apps = [\"Firefox\"]").unwrap());
        let retitle = |title: &str| {
            Event::Window(WindowEvent { t_ns: 7, change: WindowChange::TitleChanged, window: Some(info(1, "Firefox", title)) })
        };
        assert!(guard.apply(activate(1, "Firefox", "News")).is_some());
        assert!(guard.apply(key("a")).is_some());
        // The tab now shows a password manager (a built-in deny by title).
        let left = guard.apply(retitle("Bitwarden Web Vault — Firefox")).expect("leaving is reported");
        assert_eq!(left, Event::Window(WindowEvent { t_ns: 7, change: WindowChange::Activated, window: None }));
        assert!(guard.apply(key("b")).is_none());
        assert!(guard.apply(retitle("Bitwarden — unlock")).is_none(), "reported once");
        assert!(guard.apply(key("c")).is_none());
        // Back to an allowed title: reported as the window becoming active.
        let back = guard.apply(retitle("News")).expect("the window is back");
        let Event::Window(back) = back else { panic!("{back:?}") };
        assert_eq!(back.change, WindowChange::Activated);
        assert!(guard.apply(key("d")).is_some());
        let w = guard.withheld();
        assert_eq!((w.keys, w.window_changes), (2, 2));
    }

    #[test]
    fn pointer_events_follow_the_window_under_the_pointer() {
        let mut guard = Guard::new(policy());
        guard.apply(Event::Stack { t_ns: 0, stack: stack() });
        let button = |state, x| Event::Button(ButtonEvent { t_ns: 1, state, button: MouseButton::Left, x, y: 10, modifiers: Modifiers::default() });
        assert!(guard.apply(button(PressState::Press, 10)).is_some());
        // Dragged onto the password manager: the release follows its press.
        assert!(guard.apply(button(PressState::Release, 50)).is_some());
        assert!(guard.apply(button(PressState::Press, 50)).is_none());
        assert!(guard.apply(button(PressState::Release, 10)).is_none());
        assert!(guard.apply(Event::Motion(MotionEvent { t_ns: 2, x: 70, y: 5 })).is_none());
        assert!(guard.apply(Event::Motion(MotionEvent { t_ns: 2, x: 5, y: 5 })).is_some());
        assert!(guard.apply(Event::Motion(MotionEvent { t_ns: 2, x: 95, y: 45 })).is_none(), "the desktop");
    }

    #[test]
    fn frames_keep_only_visible_allowed_areas_and_lose_the_stack_names() {
        let mut guard = Guard::new(policy());
        let Some(Event::Frame(f)) = guard.apply(Event::Frame(frame(stack()))) else { panic!("frame dropped") };
        assert_eq!(f.stack.iter().map(|w| w.rect).collect::<Vec<_>>(), stack().iter().map(|w| w.rect).collect::<Vec<_>>());
        assert!(f.stack.iter().all(|w| w.client.is_none()), "no window is named after the guard");
        for (x, y, kept) in [(5, 5, true), (29, 39, true), (30, 5, false), (70, 20, false), (5, 45, false)] {
            let (r, g, b) = f.rgb_at(x, y);
            assert_eq!((r, g, b) == (0xff, 0xff, 0xff), kept, "({x}, {y})");
            if !kept {
                assert_eq!((b, g, r), (BLANK_BGR[0], BLANK_BGR[1], BLANK_BGR[2]));
            }
        }
        // Only the denied window changed: nothing new to keep.
        let mut second = frame(stack());
        second.changed = vec![Rect::new(60, 0, 20, 20)];
        assert!(guard.apply(Event::Frame(second)).is_none());
        // No allowed window on screen at all: no frame.
        let denied_only = Arc::new(vec![stack()[1].clone()]);
        assert!(guard.apply(Event::Frame(frame(denied_only))).is_none());
        assert_eq!(guard.withheld().frames, 2);
    }

    #[test]
    fn switched_off_modalities_are_dropped_whole() {
        let p = Policy::from_toml("version = 1\n[scope]\nallow_apps = [\"Editor\"]\n[capture]\nkeys = false\nscreen = false").unwrap();
        let mut guard = Guard::new(p);
        guard.apply(activate(1, "Editor", "notes"));
        assert!(guard.apply(key("a")).is_none());
        assert!(guard.apply(Event::Frame(frame(stack()))).is_none());
    }
}
