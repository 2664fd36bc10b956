//! The coordinator: one thread that orders everything capture reports,
//! coalesces pointer motion, follows the active window and its title,
//! watches for keyboard grabs, pauses and resumes, keeps the indicator up,
//! and decides when to take a frame.
//!
//! Frames are taken when something happened *and* the screen may have
//! changed since the last frame (DAMAGE said so):
//! - at action boundaries — a button press, the first key press of a
//!   typing run, a change of active window — at most once per
//!   `min_action_frame_interval`;
//! - when the screen changed, at most `max_fps` times a second.
//!
//! A grab identical to the previous frame is dropped, so a frame in the
//! stream always shows something new. Each frame carries the window stack
//! read with the server held still, so the guard can blank exactly what
//! was on screen.
//!
//! Paused means nothing is observed: the RECORD context is disabled in
//! the server, no frame is grabbed and window changes are not read, until
//! capture resumes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, SyncSender};
use std::time::Duration;

use tracewell_model::{
    Event, Frame, FrameReason, Monitor, MonoNs, MotionEvent, PauseSource, PressState,
    StackedWindow, WindowChange, WindowEvent, WindowInfo, WindowStack,
};
use x11rb::connection::Connection;
use x11rb::protocol::damage::ConnectionExt as _;
use x11rb::protocol::record::ConnectionExt as _;
use x11rb::protocol::xproto::{ChangeWindowAttributesAux, ConnectionExt as _, EventMask, Window};
use x11rb::rust_connection::RustConnection;

use super::atoms::Atoms;
use super::indicator::Indicator;
use super::{Msg, screen, windows};
use crate::{CaptureOptions, Error, clock};

/// How long "no active window" must last before it is reported: window
/// managers clear `_NET_ACTIVE_WINDOW` for a moment while switching.
const INACTIVE_GRACE_NS: u64 = 150_000_000;
/// Scroll bursts re-read the window stack at most this often.
const STACK_REFRESH_NS: u64 = 250_000_000;

/// Frames waiting in the output queue at most; while this many wait, no
/// frame is taken. Each holds the whole screen (8 MB at 1920×1080), and a
/// reader busy with OCR can take longer per frame than frames come: an
/// unlimited queue grew by a frame a second and, once full of small
/// events too, blocked this thread, and with it the pause hotkey.
pub const MAX_QUEUED_FRAMES: usize = 2;

/// Frames in the output queue and frames not taken because of them,
/// shared with [`super::X11Capture`], which counts frames out.
#[derive(Debug, Default)]
pub struct FrameBacklog {
    pub queued: AtomicUsize,
    pub skipped: AtomicU64,
}

/// What the coordinator is built from.
pub struct Setup {
    pub conn: Arc<RustConnection>,
    pub ctrl: Arc<RustConnection>,
    pub context: u32,
    pub root: Window,
    pub atoms: Atoms,
    pub damage: u32,
    pub options: CaptureOptions,
    pub indicator: Indicator,
    pub hotkey_keycode: Option<u8>,
    pub resume: Sender<()>,
    pub backlog: Arc<FrameBacklog>,
}

pub struct Coordinator {
    setup: Setup,
    out: SyncSender<Result<Event, Error>>,
    active: Option<WindowInfo>,
    /// The screen may differ from the last frame.
    dirty: bool,
    last_frame_ns: Option<MonoNs>,
    /// Tile fingerprints of the last frame (its pixels are not kept).
    previous: screen::TileMap,
    previous_size: (u32, u32),
    monitors: Vec<Monitor>,
    clients: windows::ClientCache,
    stack: WindowStack,
    stack_ns: MonoNs,
    pending_motion: Option<MotionEvent>,
    last_motion_ns: MonoNs,
    last_key_press_ns: Option<MonoNs>,
    inactive_since: Option<MonoNs>,
    /// Input that arrived while the active window was unknown (during the
    /// grace above): released after the window event that settles it, so
    /// the guard judges it by the window it went to.
    held_input: Vec<Event>,
    secure_input: bool,
    keyboard_grabbed: bool,
    password_field: bool,
    paused: bool,
    open: bool,
}

impl Coordinator {
    pub fn new(setup: Setup, out: SyncSender<Result<Event, Error>>) -> Coordinator {
        Coordinator {
            setup,
            out,
            active: None,
            dirty: true,
            last_frame_ns: None,
            previous: screen::TileMap::default(),
            previous_size: (0, 0),
            monitors: Vec::new(),
            clients: windows::ClientCache::default(),
            stack: WindowStack::default(),
            stack_ns: 0,
            pending_motion: None,
            last_motion_ns: 0,
            last_key_press_ns: None,
            inactive_since: None,
            held_input: Vec::new(),
            secure_input: false,
            keyboard_grabbed: false,
            password_field: false,
            paused: false,
            open: true,
        }
    }

    pub fn run(&mut self, rx: Receiver<Msg>) {
        self.window_changed(WindowChange::Activated);
        self.frame(FrameReason::Start, Duration::ZERO);
        let mut ended = 0;
        while self.open && ended < 2 {
            let timeout = self.next_deadline().map_or(Duration::from_millis(200), |deadline| {
                Duration::from_nanos(deadline.saturating_sub(clock::now_ns()))
            });
            match rx.recv_timeout(timeout) {
                Ok(Msg::Input(event)) => self.input(event),
                Ok(Msg::ActiveWindowChanged) => self.window_changed(WindowChange::Activated),
                Ok(Msg::PropertyChanged { window }) => {
                    if self.active.as_ref().is_some_and(|w| w.id == window) {
                        self.window_changed(WindowChange::TitleChanged);
                    }
                }
                Ok(Msg::Damage) => self.dirty = true,
                Ok(Msg::Focus { grabbed }) => {
                    self.keyboard_grabbed = grabbed;
                    self.update_secure_input();
                }
                Ok(Msg::PasswordField { focused }) => {
                    self.password_field = focused;
                    self.update_secure_input();
                }
                Ok(Msg::Hotkey) => self.set_paused(!self.paused, PauseSource::Hotkey),
                Ok(Msg::Command { pause, source }) => self.set_paused(pause, source),
                Ok(Msg::Indicator) => {
                    let _ = self.setup.indicator.raise(&*self.setup.conn);
                    let _ = self.setup.indicator.draw(&*self.setup.conn);
                }
                Ok(Msg::Ready) => {}
                Ok(Msg::InputEnded(error) | Msg::XEnded(error)) => {
                    ended += 1;
                    if let Some(e) = error {
                        self.emit(Err(e));
                        break;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            self.on_time();
        }
        self.flush_motion();
        self.setup.indicator.destroy(&*self.setup.conn);
    }

    /// When something is due: a coalesced motion sample, a change frame,
    /// or the report that no window is active.
    fn next_deadline(&self) -> Option<MonoNs> {
        let motion = self.pending_motion.map(|_| self.last_motion_ns + self.motion_interval());
        let frame = (self.dirty && self.options().frames && !self.paused).then(|| self.next_change_frame_ns());
        let inactive = self.inactive_since.map(|t| t + INACTIVE_GRACE_NS);
        motion.into_iter().chain(frame).chain(inactive).min()
    }

    fn options(&self) -> &CaptureOptions {
        &self.setup.options
    }

    fn motion_interval(&self) -> u64 {
        (1e9 / self.options().motion_hz.max(0.001)) as u64
    }

    fn next_change_frame_ns(&self) -> MonoNs {
        let interval = (1e9 / self.options().max_fps.max(0.001)) as u64;
        self.last_frame_ns.map_or(0, |t| t + interval)
    }

    fn on_time(&mut self) {
        let now = clock::now_ns();
        if self.pending_motion.is_some() && now >= self.last_motion_ns + self.motion_interval() {
            self.flush_motion();
        }
        if self.inactive_since.is_some_and(|t| now >= t + INACTIVE_GRACE_NS) {
            self.inactive_since = None;
            self.report_window(WindowChange::Activated, None);
            self.release_held_input();
        }
        if self.dirty && self.options().frames && !self.paused && now >= self.next_change_frame_ns() {
            self.frame(FrameReason::ScreenChange, Duration::ZERO);
        }
    }

    fn input(&mut self, event: Event) {
        if self.paused {
            // Recorded before the server saw the pause: not captured.
            return;
        }
        if self.inactive_since.is_some() {
            self.held_input.push(event);
            return;
        }
        if let Event::Motion(motion) = event {
            if motion.t_ns >= self.last_motion_ns + self.motion_interval() {
                self.pending_motion = None;
                self.last_motion_ns = motion.t_ns;
                self.emit(Ok(event));
            } else {
                self.pending_motion = Some(motion);
            }
            return;
        }
        if let Event::Key(k) = &event {
            // The pause chord itself is the recorder's, not the person's work.
            if Some(k.keycode) == self.setup.hotkey_keycode && (k.modifiers.ctrl || k.modifiers.alt || k.modifiers.super_) {
                return;
            }
        }
        // Keep order: a pending motion happened before this event.
        self.flush_motion();
        let boundary = match &event {
            Event::Button(b) if b.state == PressState::Press => {
                self.refresh_stack(0);
                Some(FrameReason::Click)
            }
            Event::Scroll(_) => {
                self.refresh_stack(STACK_REFRESH_NS);
                None
            }
            Event::Key(k) if k.state == PressState::Press => {
                let gap = self.options().typing_gap.as_nanos() as u64;
                let starts_run = k.text.is_some()
                    && self.last_key_press_ns.is_none_or(|t| k.t_ns.saturating_sub(t) >= gap);
                self.last_key_press_ns = Some(k.t_ns);
                starts_run.then_some(FrameReason::Typing)
            }
            _ => None,
        };
        self.emit(Ok(event));
        if let Some(reason) = boundary {
            self.frame(reason, self.options().min_action_frame_interval);
        }
    }

    fn flush_motion(&mut self) {
        if let Some(motion) = self.pending_motion.take() {
            self.last_motion_ns = motion.t_ns;
            self.emit(Ok(Event::Motion(motion)));
        }
    }

    /// Input is secure while another client grabs the keyboard or a
    /// password field has focus.
    fn update_secure_input(&mut self) {
        let active = self.keyboard_grabbed || self.password_field;
        if self.secure_input != active {
            self.secure_input = active;
            let event = Event::SecureInput { t_ns: clock::now_ns(), active };
            if !active && self.inactive_since.is_some() {
                // Keys held while the active window is unknown were typed
                // while input was secure: the end of it follows them.
                self.held_input.push(event);
            } else {
                // The start of it goes first: held keys are judged secure
                // too (failing closed).
                self.emit(Ok(event));
            }
        }
    }

    fn set_paused(&mut self, paused: bool, source: PauseSource) {
        if self.paused == paused {
            return;
        }
        let conn = self.setup.conn.clone();
        let conn = &*conn;
        if paused {
            self.flush_motion();
            // Stop the server recording input first, then say so.
            let _ = self.setup.ctrl.record_disable_context(self.setup.context);
            let _ = self.setup.ctrl.flush();
            self.paused = true;
            self.pending_motion = None;
            self.inactive_since = None;
            // Their window never settled: not captured (a held end of
            // secure input still goes out, or the guard would stay secure).
            for event in std::mem::take(&mut self.held_input) {
                if matches!(event, Event::SecureInput { .. }) {
                    self.emit(Ok(event));
                }
            }
            self.emit(Ok(Event::Paused { t_ns: clock::now_ns(), paused: true, source }));
            let _ = self.setup.indicator.set_paused(conn, &self.setup.atoms, true);
        } else {
            self.paused = false;
            let _ = self.setup.resume.send(());
            let _ = self.setup.indicator.set_paused(conn, &self.setup.atoms, false);
            self.emit(Ok(Event::Paused { t_ns: clock::now_ns(), paused: false, source }));
            // Nothing was observed while paused: start afresh.
            self.active = None;
            self.last_key_press_ns = None;
            self.window_changed(WindowChange::Activated);
            self.dirty = true;
            self.frame(FrameReason::Resume, Duration::ZERO);
        }
    }

    fn window_changed(&mut self, change: WindowChange) {
        if self.paused {
            return;
        }
        let conn = &*self.setup.conn;
        let (root, atoms) = (self.setup.root, &self.setup.atoms);
        let window = windows::active_window(conn, root, atoms).map(|id| windows::info(conn, root, id, atoms));
        if window.is_none() && self.active.is_some() {
            self.inactive_since.get_or_insert_with(clock::now_ns);
            return;
        }
        self.inactive_since = None;
        self.report_window(change, window);
        self.release_held_input();
    }

    fn report_window(&mut self, change: WindowChange, window: Option<WindowInfo>) {
        let conn = &*self.setup.conn;
        let same_window = self.active.as_ref().map(|w| w.id) == window.as_ref().map(|w| w.id);
        let change = match change {
            // The active window is read when the message is handled, not
            // when it was sent: a title change handled after a switch is
            // the switch.
            _ if !same_window => WindowChange::Activated,
            WindowChange::Activated if self.last_frame_ns.is_some() => {
                // A repeated notification for the same window: report a
                // title change only if the title did change.
                WindowChange::TitleChanged
            }
            other => other,
        };
        if change == WindowChange::TitleChanged
            && self.active.as_ref().map(|w| &w.title) == window.as_ref().map(|w| &w.title)
        {
            return;
        }
        if !same_window {
            let watch = |id: Window, mask: EventMask| {
                let _ = conn
                    .change_window_attributes(id, &ChangeWindowAttributesAux::new().event_mask(mask));
            };
            if let Some(old) = &self.active {
                watch(old.id, EventMask::NO_EVENT);
            }
            if let Some(new) = &window {
                watch(new.id, EventMask::PROPERTY_CHANGE | EventMask::FOCUS_CHANGE);
            }
            let _ = conn.flush();
        }
        self.active = window.clone();
        self.emit(Ok(Event::Window(WindowEvent { t_ns: clock::now_ns(), change, window })));
        if change == WindowChange::Activated && self.last_frame_ns.is_some() {
            self.refresh_stack(0);
            self.frame(FrameReason::WindowChange, self.options().min_action_frame_interval);
        }
    }

    /// Passes on the input held while the active window was unknown.
    fn release_held_input(&mut self) {
        if self.inactive_since.is_none() {
            for event in std::mem::take(&mut self.held_input) {
                match event {
                    Event::SecureInput { .. } => self.emit(Ok(event)),
                    input => self.input(input),
                }
            }
        }
    }

    /// Re-reads the window stack if it is older than `max_age_ns`, and
    /// reports it when it changed.
    fn refresh_stack(&mut self, max_age_ns: u64) {
        let now = clock::now_ns();
        if max_age_ns > 0 && now < self.stack_ns + max_age_ns {
            return;
        }
        let stack = windows::stack(&*self.setup.conn, self.setup.root, &self.setup.atoms, &mut self.clients);
        self.set_stack(stack, now);
    }

    fn set_stack(&mut self, stack: Vec<StackedWindow>, t_ns: MonoNs) {
        self.stack_ns = t_ns;
        if *self.stack != stack {
            self.stack = Arc::new(stack);
            self.emit(Ok(Event::Stack { t_ns, stack: self.stack.clone() }));
        }
    }

    /// Takes a frame if the screen may have changed and the last frame is
    /// at least `min_interval` old; drops it if nothing changed after all.
    fn frame(&mut self, reason: FrameReason, min_interval: Duration) {
        if !self.options().frames || !self.dirty || self.paused {
            return;
        }
        let t_ns = clock::now_ns();
        if self.last_frame_ns.is_some_and(|last| t_ns < last + min_interval.as_nanos() as u64) {
            return;
        }
        let backlog = &self.setup.backlog;
        if backlog.queued.load(Ordering::SeqCst) >= MAX_QUEUED_FRAMES {
            // Still dirty: a change frame follows once the reader catches
            // up; counted as taken for the rate limits, so this is not
            // retried at once.
            backlog.skipped.fetch_add(1, Ordering::Relaxed);
            self.last_frame_ns = Some(t_ns);
            return;
        }
        let conn = self.setup.conn.clone();
        let _ = self.setup.indicator.raise(&*conn);
        // Clear the damage first: drawing during the grab marks us dirty again.
        let _ = conn.damage_subtract(self.setup.damage, 0u32, 0u32);
        self.dirty = false;
        // Hold the server still so the window stack matches the pixels.
        let _ = conn.grab_server();
        let stack = windows::stack(&*conn, self.setup.root, &self.setup.atoms, &mut self.clients);
        let mut pixels = Vec::new();
        let grabbed = screen::grab(&*conn, self.setup.root, &mut pixels);
        let _ = conn.ungrab_server();
        let _ = conn.flush();
        let (width, height) = match grabbed {
            Ok(size) => size,
            Err(e) => {
                self.emit(Err(e));
                self.open = false;
                return;
            }
        };
        self.set_stack(stack, t_ns);
        self.last_frame_ns = Some(t_ns);
        if (width, height) != self.previous_size {
            self.monitors = screen::monitors(&*conn, self.setup.root, width, height);
        }
        let tiles = screen::TileMap::new(&pixels, width, height);
        let changed = tiles.changed_since(&self.previous);
        if changed.is_empty() {
            return;
        }
        self.previous = tiles;
        self.previous_size = (width, height);
        let frame = Frame {
            t_ns,
            width,
            height,
            reason,
            monitors: self.monitors.clone(),
            changed,
            stack: self.stack.clone(),
            bgrx: pixels,
        };
        self.setup.backlog.queued.fetch_add(1, Ordering::SeqCst);
        self.emit(Ok(Event::Frame(frame)));
    }

    fn emit(&mut self, event: Result<Event, Error>) {
        if self.out.send(event).is_err() {
            self.open = false;
        }
    }
}
