//! Action reduction: raw input events → [`Action`]s, by the rules in
//! [`crate::rules`]. Pure: no I/O, no clock; tests build event sequences by
//! hand.

use tracewell_model::{
    ButtonEvent, KeyEvent, Modifiers, MonoNs, MotionEvent, MouseButton, PressState, ScrollEvent,
};

use crate::action::{Action, ActionKind, key_name};
use crate::rules::Rules;

/// One input to the reducer, in time order.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    Key(KeyEvent),
    Button(ButtonEvent),
    Scroll(ScrollEvent),
    Motion(MotionEvent),
    /// Something that ends every open run, burst and click group: a window
    /// activation, a pause, a gap in the recording, a task marker.
    Break(MonoNs),
}

impl Input {
    pub fn t_ns(&self) -> MonoNs {
        match self {
            Input::Key(e) => e.t_ns,
            Input::Button(e) => e.t_ns,
            Input::Scroll(e) => e.t_ns,
            Input::Motion(e) => e.t_ns,
            Input::Break(t) => *t,
        }
    }
}

/// Reduces time-ordered inputs to actions, ordered by their start.
pub fn reduce(inputs: &[Input], rules: &Rules) -> Vec<Action> {
    let mut r = Reducer::new(rules);
    for input in inputs {
        match input {
            Input::Key(k) => r.key(k),
            Input::Button(b) => r.button(b),
            Input::Scroll(s) => r.scroll(s),
            Input::Motion(m) => r.motion(m),
            Input::Break(_) => {
                r.lone_modifier = None;
                r.flush_all();
            }
        }
    }
    r.finish()
}

struct Run {
    t_start: MonoNs,
    t_end: MonoNs,
    text: Vec<char>,
    cursor: usize,
}

struct Clicks {
    button: MouseButton,
    pos: (i32, i32),
    count: u32,
    t_start: MonoNs,
    t_last_press: MonoNs,
    t_end: MonoNs,
    keys: Vec<String>,
}

struct Held {
    button: MouseButton,
    pos: (i32, i32),
    t_press: MonoNs,
    path: Vec<(i32, i32)>,
    keys: Vec<String>,
}

struct Reducer<'a> {
    rules: &'a Rules,
    out: Vec<Action>,
    run: Option<Run>,
    press: Option<Action>,
    clicks: Option<Clicks>,
    held: Option<Held>,
    scroll: Option<Action>,
    /// A modifier pressed with nothing else since: (keycode, name, t).
    lone_modifier: Option<(u8, String, MonoNs)>,
}

fn is_modifier(name: &str) -> bool {
    matches!(
        name,
        "Shift_L"
            | "Shift_R"
            | "Control_L"
            | "Control_R"
            | "Alt_L"
            | "Alt_R"
            | "Meta_L"
            | "Meta_R"
            | "Super_L"
            | "Super_R"
            | "Hyper_L"
            | "Hyper_R"
            | "ISO_Level3_Shift"
            | "Mode_switch"
    )
}

fn is_lock(name: &str) -> bool {
    matches!(name, "Caps_Lock" | "Num_Lock" | "Shift_Lock")
}

/// pyautogui names of the modifiers held, in the order ctrl, alt, shift, win.
fn modifier_keys(m: &Modifiers, with_shift: bool) -> Vec<String> {
    let mut keys = Vec::new();
    if m.ctrl {
        keys.push("ctrl".to_string());
    }
    if m.alt {
        keys.push("alt".to_string());
    }
    if m.shift && with_shift {
        keys.push("shift".to_string());
    }
    if m.super_ {
        keys.push("win".to_string());
    }
    keys
}

fn distance(a: (i32, i32), b: (i32, i32)) -> f64 {
    let (dx, dy) = ((a.0 - b.0) as f64, (a.1 - b.1) as f64);
    (dx * dx + dy * dy).sqrt()
}

fn button_name(b: MouseButton) -> Option<&'static str> {
    match b {
        MouseButton::Left => Some("left"),
        MouseButton::Right => Some("right"),
        MouseButton::Middle => Some("middle"),
        _ => None,
    }
}

impl<'a> Reducer<'a> {
    fn new(rules: &'a Rules) -> Reducer<'a> {
        Reducer {
            rules,
            out: Vec::new(),
            run: None,
            press: None,
            clicks: None,
            held: None,
            scroll: None,
            lone_modifier: None,
        }
    }

    fn key(&mut self, k: &KeyEvent) {
        if k.state == PressState::Release {
            if let Some((code, name, t0)) = self.lone_modifier.take() {
                if code == k.keycode && matches!(name.as_str(), "alt" | "win") {
                    self.flush_all();
                    let mut a = Action::new(ActionKind::Press, t0, k.t_ns);
                    a.keys = vec![name];
                    self.out.push(a);
                } else if code != k.keycode {
                    self.lone_modifier = Some((code, name, t0));
                }
            }
            return;
        }
        if is_lock(&k.key) {
            return;
        }
        if is_modifier(&k.key) {
            self.lone_modifier = match self.lone_modifier {
                None if !(k.modifiers.ctrl
                    || k.modifiers.alt
                    || k.modifiers.super_
                    || k.modifiers.shift) =>
                {
                    Some((k.keycode, key_name(k.keysym, &k.key), k.t_ns))
                }
                // Auto-repeat of the same modifier keeps it lone.
                Some((code, ..)) if code == k.keycode => self.lone_modifier.take(),
                _ => None,
            };
            return;
        }
        self.lone_modifier = None;
        let t = k.t_ns;
        let m = &k.modifiers;
        let name = key_name(k.keysym, &k.key);
        if m.ctrl || m.alt || m.super_ {
            self.flush_all();
            let mut a = Action::new(ActionKind::Hotkey, t, t);
            a.keys = modifier_keys(m, true);
            a.keys.push(name);
            self.out.push(a);
            return;
        }
        let typing_gap = Rules::ns(self.rules.typing_gap);
        let printable = k
            .text
            .as_deref()
            .filter(|s| !s.is_empty() && !s.chars().any(char::is_control));
        if let Some(text) = printable {
            self.flush_press();
            self.flush_clicks();
            self.flush_scroll();
            if self
                .run
                .as_ref()
                .is_some_and(|r| t.saturating_sub(r.t_end) >= typing_gap)
            {
                self.flush_run();
            }
            let run = self.run.get_or_insert(Run {
                t_start: t,
                t_end: t,
                text: Vec::new(),
                cursor: 0,
            });
            for c in text.chars() {
                run.text.insert(run.cursor, c);
                run.cursor += 1;
            }
            run.t_end = t;
            return;
        }
        // Editing keys inside a run edit the run's own text.
        let arrows_select = m.shift && matches!(name.as_str(), "left" | "right");
        if let Some(run) = self.run.as_mut()
            && t.saturating_sub(run.t_end) < typing_gap
            && !arrows_select
        {
            let edited = match name.as_str() {
                "backspace" if run.cursor > 0 => {
                    run.cursor -= 1;
                    run.text.remove(run.cursor);
                    true
                }
                "delete" if run.cursor < run.text.len() => {
                    run.text.remove(run.cursor);
                    true
                }
                "left" if run.cursor > 0 => {
                    run.cursor -= 1;
                    true
                }
                "right" if run.cursor < run.text.len() => {
                    run.cursor += 1;
                    true
                }
                _ => false,
            };
            if edited {
                run.t_end = t;
                return;
            }
        }
        self.flush_run();
        self.flush_clicks();
        self.flush_scroll();
        if m.shift && !matches!(name.as_str(), "backspace" | "delete") {
            self.flush_press();
            let mut a = Action::new(ActionKind::Hotkey, t, t);
            a.keys = vec!["shift".to_string(), name];
            self.out.push(a);
            return;
        }
        let repeat_gap = Rules::ns(self.rules.key_repeat_gap);
        if let Some(p) = self.press.as_mut()
            && p.keys.first() == Some(&name)
            && t.saturating_sub(p.t_end) <= repeat_gap
        {
            p.presses += 1;
            p.t_end = t;
            return;
        }
        self.flush_press();
        let mut a = Action::new(ActionKind::Press, t, t);
        a.keys = vec![name];
        self.press = Some(a);
    }

    fn button(&mut self, b: &ButtonEvent) {
        let pos = (b.x, b.y);
        match b.state {
            PressState::Press => {
                self.lone_modifier = None;
                if self.held.is_some() {
                    // A second button while one is held: not modelled.
                    return;
                }
                self.flush_run();
                self.flush_press();
                self.flush_scroll();
                if button_name(b.button).is_none() {
                    self.flush_clicks();
                    let key = match b.button {
                        MouseButton::Back => "browserback",
                        MouseButton::Forward => "browserforward",
                        _ => return,
                    };
                    let mut a = Action::new(ActionKind::Press, b.t_ns, b.t_ns);
                    a.keys = vec![key.to_string()];
                    a.pos = Some(pos);
                    self.out.push(a);
                    return;
                }
                let continues = self.clicks.as_ref().is_some_and(|c| {
                    c.button == MouseButton::Left
                        && b.button == MouseButton::Left
                        && c.count < 3
                        && b.t_ns.saturating_sub(c.t_last_press)
                            <= Rules::ns(self.rules.multi_click_interval)
                        && distance(c.pos, pos) <= self.rules.multi_click_distance
                });
                if !continues {
                    self.flush_clicks();
                }
                self.held = Some(Held {
                    button: b.button,
                    pos,
                    t_press: b.t_ns,
                    path: vec![pos],
                    keys: modifier_keys(&b.modifiers, true),
                });
            }
            PressState::Release => {
                let Some(held) = self.held.take_if(|h| h.button == b.button) else {
                    return;
                };
                self.release(held, pos, b.t_ns);
            }
        }
    }

    fn release(&mut self, mut held: Held, pos: (i32, i32), t: MonoNs) {
        if held.path.last() != Some(&pos) {
            held.path.push(pos);
        }
        if distance(held.pos, pos) >= self.rules.drag_distance {
            self.flush_clicks();
            let mut a = Action::new(ActionKind::Drag, held.t_press, t);
            a.pos = Some(held.pos);
            a.end = Some(pos);
            a.path = held.path;
            a.button = button_name(held.button).map(String::from);
            a.keys = held.keys;
            self.out.push(a);
            return;
        }
        match self.clicks.as_mut() {
            Some(c) => {
                c.count += 1;
                c.t_last_press = held.t_press;
                c.t_end = t;
            }
            None => {
                self.clicks = Some(Clicks {
                    button: held.button,
                    pos: held.pos,
                    count: 1,
                    t_start: held.t_press,
                    t_last_press: held.t_press,
                    t_end: t,
                    keys: held.keys,
                })
            }
        }
    }

    fn scroll(&mut self, s: &ScrollEvent) {
        self.lone_modifier = None;
        self.flush_run();
        self.flush_press();
        self.flush_clicks();
        let pos = (s.x, s.y);
        if let Some(a) = self.scroll.as_mut()
            && s.t_ns.saturating_sub(a.t_end) <= Rules::ns(self.rules.scroll_gap)
            && a.pos
                .is_some_and(|p| distance(p, pos) <= self.rules.scroll_distance)
        {
            let (dx, dy) = a.scroll.unwrap_or_default();
            a.scroll = Some((dx + s.dx, dy + s.dy));
            a.t_end = s.t_ns;
            return;
        }
        self.flush_scroll();
        let mut a = Action::new(ActionKind::Scroll, s.t_ns, s.t_ns);
        a.pos = Some(pos);
        a.scroll = Some((s.dx, s.dy));
        self.scroll = Some(a);
    }

    fn motion(&mut self, m: &MotionEvent) {
        if let Some(h) = self.held.as_mut()
            && h.path.last() != Some(&(m.x, m.y))
        {
            h.path.push((m.x, m.y));
        }
    }

    fn flush_run(&mut self) {
        if let Some(run) = self.run.take()
            && !run.text.is_empty()
        {
            let mut a = Action::new(ActionKind::Write, run.t_start, run.t_end);
            a.cursor_back = (run.text.len() - run.cursor) as u32;
            a.text = Some(run.text.into_iter().collect());
            self.out.push(a);
        }
    }

    fn flush_press(&mut self) {
        if let Some(a) = self.press.take() {
            self.out.push(a);
        }
    }

    fn flush_clicks(&mut self) {
        if let Some(c) = self.clicks.take() {
            let kind = match (c.button, c.count) {
                (MouseButton::Right, _) => ActionKind::RightClick,
                (MouseButton::Middle, _) => ActionKind::MiddleClick,
                (_, 1) => ActionKind::Click,
                (_, 2) => ActionKind::DoubleClick,
                _ => ActionKind::TripleClick,
            };
            let mut a = Action::new(kind, c.t_start, c.t_end);
            a.pos = Some(c.pos);
            a.button = button_name(c.button).map(String::from);
            a.keys = c.keys;
            self.out.push(a);
        }
    }

    fn flush_scroll(&mut self) {
        if let Some(a) = self.scroll.take() {
            self.out.push(a);
        }
    }

    fn flush_all(&mut self) {
        self.flush_run();
        self.flush_press();
        self.flush_clicks();
        self.flush_scroll();
    }

    fn finish(mut self) -> Vec<Action> {
        self.flush_all();
        if let Some(held) = self.held.take() {
            // The release was never seen: end where the pointer was last.
            let end = held.path.last().copied().unwrap_or(held.pos);
            let t = held.t_press;
            self.release(held, end, t);
            self.flush_clicks();
        }
        self.out.sort_by_key(|a| a.t_start);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracewell_model::ScrollSource;

    const MS: u64 = 1_000_000;

    /// Builds event sequences the way the X server reports them.
    struct Script {
        t: u64,
        mods: Modifiers,
        inputs: Vec<Input>,
    }

    impl Script {
        fn new() -> Script {
            Script {
                t: 1_000 * MS,
                mods: Modifiers::default(),
                inputs: Vec::new(),
            }
        }
        fn wait(&mut self, ms: u64) -> &mut Self {
            self.t += ms * MS;
            self
        }
        fn key(&mut self, state: PressState, keysym: u32, name: &str, text: Option<&str>) {
            self.t += 30 * MS;
            let command = self.mods.ctrl || self.mods.alt || self.mods.super_;
            self.inputs.push(Input::Key(KeyEvent {
                t_ns: self.t,
                state,
                keycode: (keysym & 0xff) as u8,
                keysym,
                key: name.into(),
                modifiers: self.mods,
                text: if state == PressState::Press && !command {
                    text.map(String::from)
                } else {
                    None
                },
            }));
        }
        fn tap(&mut self, keysym: u32, name: &str, text: Option<&str>) -> &mut Self {
            self.key(PressState::Press, keysym, name, text);
            self.key(PressState::Release, keysym, name, text);
            self
        }
        fn typ(&mut self, s: &str) -> &mut Self {
            for c in s.chars() {
                let upper = c.is_uppercase();
                if upper {
                    self.key(PressState::Press, 0xffe1, "Shift_L", None);
                    self.mods.shift = true;
                }
                let name = c.to_string();
                self.tap(c as u32, &name, Some(&name));
                if upper {
                    self.key(PressState::Release, 0xffe1, "Shift_L", None);
                    self.mods.shift = false;
                }
            }
            self
        }
        fn backspace(&mut self, n: usize) -> &mut Self {
            for _ in 0..n {
                self.tap(0xff08, "BackSpace", None);
            }
            self
        }
        fn chord(&mut self, mods: &[(u32, &str)], keysym: u32, name: &str) -> &mut Self {
            for &(sym, m) in mods {
                self.key(PressState::Press, sym, m, None);
                match m {
                    "Control_L" => self.mods.ctrl = true,
                    "Alt_L" => self.mods.alt = true,
                    "Shift_L" => self.mods.shift = true,
                    "Super_L" => self.mods.super_ = true,
                    _ => {}
                }
            }
            let text = name.to_string();
            let text = (text.chars().count() == 1).then_some(text.as_str());
            self.tap(keysym, name, text);
            for &(sym, m) in mods.iter().rev() {
                self.key(PressState::Release, sym, m, None);
            }
            self.mods = Modifiers::default();
            self
        }
        fn btn(&mut self, state: PressState, button: MouseButton, x: i32, y: i32) -> &mut Self {
            self.t += 40 * MS;
            self.inputs.push(Input::Button(ButtonEvent {
                t_ns: self.t,
                state,
                button,
                x,
                y,
                modifiers: self.mods,
            }));
            self
        }
        fn click(&mut self, button: MouseButton, x: i32, y: i32) -> &mut Self {
            self.btn(PressState::Press, button, x, y)
                .btn(PressState::Release, button, x, y)
        }
        fn motion(&mut self, x: i32, y: i32) -> &mut Self {
            self.t += 30 * MS;
            self.inputs
                .push(Input::Motion(MotionEvent { t_ns: self.t, x, y }));
            self
        }
        fn wheel(&mut self, dy: f64, x: i32, y: i32) -> &mut Self {
            self.t += 50 * MS;
            self.inputs.push(Input::Scroll(ScrollEvent {
                t_ns: self.t,
                x,
                y,
                dx: 0.0,
                dy,
                source: ScrollSource::Wheel,
            }));
            self
        }
        fn brk(&mut self) -> &mut Self {
            self.t += MS;
            self.inputs.push(Input::Break(self.t));
            self
        }
        fn codes(&self) -> Vec<String> {
            reduce(&self.inputs, &Rules::default())
                .iter()
                .map(|a| a.code(crate::Coords::Absolute))
                .collect()
        }
    }

    #[test]
    fn typing_with_corrections_is_one_write() {
        let mut s = Script::new();
        s.typ("echo tset")
            .backspace(3)
            .typ("est")
            .tap(0xff0d, "Return", Some("\n"));
        assert_eq!(
            s.codes(),
            ["pyautogui.write('echo test')", "pyautogui.press('enter')"]
        );
    }

    #[test]
    fn capitals_and_shift_stay_text() {
        let mut s = Script::new();
        s.typ("Hello World");
        assert_eq!(s.codes(), ["pyautogui.write('Hello World')"]);
    }

    #[test]
    fn cursor_moves_inside_a_run_are_applied() {
        let mut s = Script::new();
        s.typ("ac")
            .tap(0xff51, "Left", None)
            .typ("b")
            .tap(0xff53, "Right", None);
        assert_eq!(s.codes(), ["pyautogui.write('abc')"]);
        let mut s = Script::new();
        s.typ("ac").tap(0xff51, "Left", None).typ("b");
        assert_eq!(
            s.codes(),
            ["pyautogui.write('abc'); pyautogui.press('left', presses=1)"]
        );
        let mut s = Script::new();
        s.typ("abc")
            .tap(0xff51, "Left", None)
            .tap(0xff51, "Left", None)
            .tap(0xffff, "Delete", None);
        assert_eq!(
            s.codes(),
            ["pyautogui.write('ac'); pyautogui.press('left', presses=1)"]
        );
    }

    #[test]
    fn backspace_beyond_the_run_becomes_presses() {
        let mut s = Script::new();
        s.typ("ab").backspace(4);
        assert_eq!(s.codes(), ["pyautogui.press('backspace', presses=2)"]);
        let mut s = Script::new();
        s.backspace(3).wait(1500).backspace(1);
        assert_eq!(
            s.codes(),
            [
                "pyautogui.press('backspace', presses=3)",
                "pyautogui.press('backspace')"
            ]
        );
    }

    #[test]
    fn a_typing_pause_splits_runs() {
        let mut s = Script::new();
        s.typ("ab").wait(2500).typ("cd");
        assert_eq!(
            s.codes(),
            ["pyautogui.write('ab')", "pyautogui.write('cd')"]
        );
    }

    #[test]
    fn chords_are_hotkeys() {
        let mut s = Script::new();
        s.chord(&[(0xffe3, "Control_L")], 0x6c, "l")
            .chord(&[(0xffe3, "Control_L"), (0xffe1, "Shift_L")], 0x54, "T")
            .chord(&[(0xffe9, "Alt_L")], 0xffc1, "F4")
            .chord(&[(0xffe1, "Shift_L")], 0xff09, "Tab");
        assert_eq!(
            s.codes(),
            [
                "pyautogui.hotkey('ctrl', 'l')",
                "pyautogui.hotkey('ctrl', 'shift', 't')",
                "pyautogui.hotkey('alt', 'f4')",
                "pyautogui.hotkey('shift', 'tab')",
            ]
        );
    }

    #[test]
    fn lone_super_is_a_press_but_lone_shift_is_nothing() {
        let mut s = Script::new();
        s.tap(0xffeb, "Super_L", None)
            .tap(0xffe1, "Shift_L", None)
            .tap(0xffe5, "Caps_Lock", None);
        assert_eq!(s.codes(), ["pyautogui.press('win')"]);
    }

    #[test]
    fn clicks_double_triple_right_middle() {
        let mut s = Script::new();
        s.click(MouseButton::Left, 100, 100)
            .wait(600)
            .click(MouseButton::Left, 200, 200)
            .click(MouseButton::Left, 202, 201)
            .wait(700)
            .click(MouseButton::Left, 300, 300)
            .click(MouseButton::Left, 300, 300)
            .click(MouseButton::Left, 301, 300)
            .wait(700)
            .click(MouseButton::Right, 10, 10)
            .click(MouseButton::Middle, 20, 20);
        assert_eq!(
            s.codes(),
            [
                "pyautogui.click(x=100, y=100)",
                "pyautogui.doubleClick(x=200, y=200)",
                "pyautogui.tripleClick(x=300, y=300)",
                "pyautogui.rightClick(x=10, y=10)",
                "pyautogui.middleClick(x=20, y=20)",
            ]
        );
    }

    #[test]
    fn slow_or_distant_second_clicks_are_separate() {
        let mut s = Script::new();
        s.click(MouseButton::Left, 100, 100)
            .wait(520)
            .click(MouseButton::Left, 100, 100);
        s.wait(900)
            .click(MouseButton::Left, 50, 50)
            .click(MouseButton::Left, 58, 50);
        assert_eq!(
            s.codes(),
            [
                "pyautogui.click(x=100, y=100)",
                "pyautogui.click(x=100, y=100)",
                "pyautogui.click(x=50, y=50)",
                "pyautogui.click(x=58, y=50)",
            ]
        );
    }

    #[test]
    fn press_move_release_is_a_drag_with_its_path() {
        let mut s = Script::new();
        s.btn(PressState::Press, MouseButton::Left, 10, 20)
            .motion(50, 20)
            .motion(150, 25)
            .btn(PressState::Release, MouseButton::Left, 300, 20);
        let actions = reduce(&s.inputs, &Rules::default());
        assert_eq!(actions.len(), 1);
        let d = &actions[0];
        assert_eq!(d.kind, ActionKind::Drag);
        assert_eq!(d.path, [(10, 20), (50, 20), (150, 25), (300, 20)]);
        assert_eq!(
            d.code(crate::Coords::Absolute),
            "pyautogui.moveTo(x=10, y=20); pyautogui.dragTo(x=300, y=20, duration=0.1, button='left')"
        );
        // A small wobble is still a click.
        let mut s = Script::new();
        s.btn(PressState::Press, MouseButton::Left, 10, 20)
            .motion(14, 23)
            .btn(PressState::Release, MouseButton::Left, 16, 24);
        assert_eq!(s.codes(), ["pyautogui.click(x=10, y=20)"]);
    }

    #[test]
    fn wheel_bursts_sum() {
        let mut s = Script::new();
        s.wheel(1.0, 400, 300)
            .wheel(1.0, 400, 300)
            .wheel(1.0, 401, 300)
            .wait(800)
            .wheel(-1.0, 400, 300)
            .wheel(-1.0, 400, 300);
        assert_eq!(
            s.codes(),
            [
                "pyautogui.scroll(-3, x=400, y=300)",
                "pyautogui.scroll(2, x=400, y=300)"
            ]
        );
    }

    #[test]
    fn ctrl_click_keeps_the_modifier() {
        let mut s = Script::new();
        s.key(PressState::Press, 0xffe3, "Control_L", None);
        s.mods.ctrl = true;
        s.click(MouseButton::Left, 5, 6);
        s.key(PressState::Release, 0xffe3, "Control_L", None);
        assert_eq!(
            s.codes(),
            ["pyautogui.keyDown('ctrl'); pyautogui.click(x=5, y=6); pyautogui.keyUp('ctrl')"]
        );
    }

    #[test]
    fn breaks_end_runs_and_the_order_is_by_start() {
        let mut s = Script::new();
        s.typ("ab")
            .brk()
            .typ("cd")
            .click(MouseButton::Left, 1, 1)
            .tap(0xff0d, "Return", Some("\n"))
            .tap(0xff0d, "Return", Some("\n"));
        assert_eq!(
            s.codes(),
            [
                "pyautogui.write('ab')",
                "pyautogui.write('cd')",
                "pyautogui.click(x=1, y=1)",
                "pyautogui.press('enter', presses=2)",
            ]
        );
        let actions = reduce(&s.inputs, &Rules::default());
        assert!(actions.windows(2).all(|w| w[0].t_end <= w[1].t_start));
    }

    #[test]
    fn back_button_and_unreleased_press() {
        let mut s = Script::new();
        s.click(MouseButton::Back, 3, 4)
            .btn(PressState::Press, MouseButton::Left, 10, 10)
            .motion(100, 10);
        assert_eq!(
            s.codes(),
            [
                "pyautogui.press('browserback')",
                "pyautogui.moveTo(x=10, y=10); pyautogui.dragTo(x=100, y=10, duration=0.0, button='left')",
            ]
        );
    }
}
