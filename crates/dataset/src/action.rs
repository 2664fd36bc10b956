//! The action space: what one training step does, and its pyautogui code.
//!
//! Actions follow the pyautogui vocabulary that computer-use models are
//! trained on, plus `wait` and `terminate` (as in AgentNet):
//!
//! | [`ActionKind`] | code (absolute pixels) |
//! |---|---|
//! | `write` | `pyautogui.write('text')` (then `pyautogui.press('left', presses=n)` if the cursor ended inside the text) |
//! | `press` | `pyautogui.press('enter')`, `pyautogui.press('backspace', presses=3)` |
//! | `hotkey` | `pyautogui.hotkey('ctrl', 'shift', 't')` |
//! | `click`, `doubleClick`, `tripleClick`, `rightClick`, `middleClick` | `pyautogui.click(x=412, y=300)` … |
//! | `drag` | `pyautogui.moveTo(x=10, y=20); pyautogui.dragTo(x=300, y=20, duration=0.42, button='left')` |
//! | `scroll` | `pyautogui.scroll(-3, x=640, y=400)` (pyautogui: positive is up), `pyautogui.hscroll(2, x=…, y=…)` |
//! | `wait` | `computer.wait(seconds=3.5)` |
//! | `terminate` | `computer.terminate(status='unknown')` |
//!
//! A click with modifiers held is wrapped in `pyautogui.keyDown('ctrl'); …;
//! pyautogui.keyUp('ctrl')`. Key names are pyautogui's (`enter`, `esc`,
//! `pageup`, `f4`, `win` …). Every code string is a valid Python statement
//! list that calls only the functions in [`ALLOWED_CALLS`].

use serde::{Deserialize, Serialize};
use tracewell_model::MonoNs;

/// The functions a code string may call.
pub const ALLOWED_CALLS: &[&str] = &[
    "pyautogui.click",
    "pyautogui.doubleClick",
    "pyautogui.tripleClick",
    "pyautogui.rightClick",
    "pyautogui.middleClick",
    "pyautogui.moveTo",
    "pyautogui.dragTo",
    "pyautogui.scroll",
    "pyautogui.hscroll",
    "pyautogui.write",
    "pyautogui.press",
    "pyautogui.hotkey",
    "pyautogui.keyDown",
    "pyautogui.keyUp",
    "computer.wait",
    "computer.terminate",
];

/// The kind of a reduced action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActionKind {
    #[serde(rename = "write")]
    Write,
    #[serde(rename = "press")]
    Press,
    #[serde(rename = "hotkey")]
    Hotkey,
    #[serde(rename = "click")]
    Click,
    #[serde(rename = "doubleClick")]
    DoubleClick,
    #[serde(rename = "tripleClick")]
    TripleClick,
    #[serde(rename = "rightClick")]
    RightClick,
    #[serde(rename = "middleClick")]
    MiddleClick,
    #[serde(rename = "drag")]
    Drag,
    #[serde(rename = "scroll")]
    Scroll,
    #[serde(rename = "wait")]
    Wait,
    #[serde(rename = "terminate")]
    Terminate,
}

impl ActionKind {
    /// The name used in `action_type` columns (pyautogui's spelling).
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::Write => "write",
            ActionKind::Press => "press",
            ActionKind::Hotkey => "hotkey",
            ActionKind::Click => "click",
            ActionKind::DoubleClick => "doubleClick",
            ActionKind::TripleClick => "tripleClick",
            ActionKind::RightClick => "rightClick",
            ActionKind::MiddleClick => "middleClick",
            ActionKind::Drag => "drag",
            ActionKind::Scroll => "scroll",
            ActionKind::Wait => "wait",
            ActionKind::Terminate => "terminate",
        }
    }

    /// Whether the action is a pointer action at a position.
    pub fn is_pointer(self) -> bool {
        matches!(
            self,
            ActionKind::Click
                | ActionKind::DoubleClick
                | ActionKind::TripleClick
                | ActionKind::RightClick
                | ActionKind::MiddleClick
                | ActionKind::Drag
                | ActionKind::Scroll
        )
    }

    /// Whether the action is made with the keyboard.
    pub fn is_keyboard(self) -> bool {
        matches!(
            self,
            ActionKind::Write | ActionKind::Press | ActionKind::Hotkey
        )
    }
}

/// One reduced action with its structured fields. Times are monotonic ns
/// of the recording (`t_start` = its first raw event, `t_end` = its last).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub kind: ActionKind,
    pub t_start: MonoNs,
    pub t_end: MonoNs,
    /// Where a pointer action happened (a drag's start), in screen pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pos: Option<(i32, i32)>,
    /// A drag's end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<(i32, i32)>,
    /// The pointer path of a drag, press to release (sampled motion).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<(i32, i32)>,
    /// `left`, `right` or `middle` for clicks and drags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button: Option<String>,
    /// pyautogui key names: the key of a `press`, the chord of a `hotkey`,
    /// the modifiers held during a click, drag or scroll.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    /// How many times a `press` key was pressed (auto-repeat and quick
    /// repeats collapse into one action).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub presses: u32,
    /// The text a `write` leaves, with corrections applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// For `write`: how many characters before the end of `text` the
    /// cursor was left (the person moved it back with Left).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cursor_back: u32,
    /// Summed wheel steps of a `scroll` (dx right, dy down, as recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scroll: Option<(f64, f64)>,
    /// `terminate`'s status (`success`, `failure`, `unknown`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

fn one() -> u32 {
    1
}
fn is_one(v: &u32) -> bool {
    *v == 1
}
fn is_zero(v: &u32) -> bool {
    *v == 0
}

/// How a code string writes coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coords {
    /// Screen pixels, as pyautogui executes them.
    Absolute,
    /// Fractions of the screen size (0–1, four decimals), as AgentNet
    /// writes them; needs the screen size.
    Normalized { width: u32, height: u32 },
}

impl Action {
    /// A bare action of a kind over a time span; fill the fields you need.
    pub fn new(kind: ActionKind, t_start: MonoNs, t_end: MonoNs) -> Action {
        Action {
            kind,
            t_start,
            t_end,
            pos: None,
            end: None,
            path: Vec::new(),
            button: None,
            keys: Vec::new(),
            presses: 1,
            text: None,
            cursor_back: 0,
            scroll: None,
            status: None,
        }
    }

    /// Duration in seconds (`t_end - t_start`).
    pub fn duration_s(&self) -> f64 {
        self.t_end.saturating_sub(self.t_start) as f64 / 1e9
    }

    /// The pyautogui-style code string.
    pub fn code(&self, coords: Coords) -> String {
        let xy = |p: (i32, i32)| coord_args(p, coords);
        let at = self.pos.map(xy).unwrap_or_default();
        let body = match self.kind {
            ActionKind::Write => {
                let mut s = format!(
                    "pyautogui.write({})",
                    py_str(self.text.as_deref().unwrap_or(""))
                );
                if self.cursor_back > 0 {
                    s.push_str(&format!(
                        "; pyautogui.press('left', presses={})",
                        self.cursor_back
                    ));
                }
                s
            }
            ActionKind::Press => {
                let key = py_str(self.keys.first().map(String::as_str).unwrap_or(""));
                if self.presses > 1 {
                    format!("pyautogui.press({key}, presses={})", self.presses)
                } else {
                    format!("pyautogui.press({key})")
                }
            }
            ActionKind::Hotkey => {
                let keys: Vec<String> = self.keys.iter().map(|k| py_str(k)).collect();
                format!("pyautogui.hotkey({})", keys.join(", "))
            }
            ActionKind::Click => match self.button.as_deref() {
                Some(b) if b != "left" => format!("pyautogui.click({at}, button={})", py_str(b)),
                _ => format!("pyautogui.click({at})"),
            },
            ActionKind::DoubleClick => format!("pyautogui.doubleClick({at})"),
            ActionKind::TripleClick => format!("pyautogui.tripleClick({at})"),
            ActionKind::RightClick => format!("pyautogui.rightClick({at})"),
            ActionKind::MiddleClick => format!("pyautogui.middleClick({at})"),
            ActionKind::Drag => {
                let to = self.end.or(self.pos).map(xy).unwrap_or_default();
                format!(
                    "pyautogui.moveTo({at}); pyautogui.dragTo({to}, duration={}, button={})",
                    fmt_f(self.duration_s(), 2),
                    py_str(self.button.as_deref().unwrap_or("left"))
                )
            }
            ActionKind::Scroll => {
                let (dx, dy) = self.scroll.unwrap_or((0.0, 0.0));
                let mut parts = Vec::new();
                // pyautogui scrolls up for positive clicks; we record down.
                if dy != 0.0 || dx == 0.0 {
                    parts.push(format!("pyautogui.scroll({}, {at})", wheel_clicks(-dy)));
                }
                if dx != 0.0 {
                    parts.push(format!("pyautogui.hscroll({}, {at})", wheel_clicks(dx)));
                }
                parts.join("; ")
            }
            ActionKind::Wait => format!("computer.wait(seconds={})", fmt_f(self.duration_s(), 1)),
            ActionKind::Terminate => format!(
                "computer.terminate(status={})",
                py_str(self.status.as_deref().unwrap_or("unknown"))
            ),
        };
        if self.kind.is_pointer() && !self.keys.is_empty() {
            let down: Vec<String> = self
                .keys
                .iter()
                .map(|k| format!("pyautogui.keyDown({}); ", py_str(k)))
                .collect();
            let up: Vec<String> = self
                .keys
                .iter()
                .rev()
                .map(|k| format!("; pyautogui.keyUp({})", py_str(k)))
                .collect();
            format!("{}{body}{}", down.concat(), up.concat())
        } else {
            body
        }
    }

    /// A one-line human description ("Click at (412, 300)").
    pub fn describe(&self) -> String {
        let at = |p: Option<(i32, i32)>| {
            p.map(|(x, y)| format!(" at ({x}, {y})"))
                .unwrap_or_default()
        };
        let mods = if self.keys.is_empty() || !self.kind.is_pointer() {
            String::new()
        } else {
            format!(" with {} held", self.keys.join("+"))
        };
        match self.kind {
            ActionKind::Write => format!("Type {:?}", self.text.as_deref().unwrap_or("")),
            ActionKind::Press if self.presses > 1 => {
                format!("Press {} {} times", self.keys.join(""), self.presses)
            }
            ActionKind::Press => format!("Press {}", self.keys.join("")),
            ActionKind::Hotkey => format!("Press {}", self.keys.join("+")),
            ActionKind::Click => format!("Click{}{mods}", at(self.pos)),
            ActionKind::DoubleClick => format!("Double-click{}{mods}", at(self.pos)),
            ActionKind::TripleClick => format!("Triple-click{}{mods}", at(self.pos)),
            ActionKind::RightClick => format!("Right-click{}{mods}", at(self.pos)),
            ActionKind::MiddleClick => format!("Middle-click{}{mods}", at(self.pos)),
            ActionKind::Drag => {
                let (a, b) = (self.pos.unwrap_or_default(), self.end.unwrap_or_default());
                format!("Drag from ({}, {}) to ({}, {}){mods}", a.0, a.1, b.0, b.1)
            }
            ActionKind::Scroll => {
                let (dx, dy) = self.scroll.unwrap_or_default();
                let mut what = Vec::new();
                if dy != 0.0 {
                    what.push(format!(
                        "{} {}",
                        if dy > 0.0 { "down" } else { "up" },
                        fmt_f(dy.abs(), 1)
                    ));
                }
                if dx != 0.0 {
                    what.push(format!(
                        "{} {}",
                        if dx > 0.0 { "right" } else { "left" },
                        fmt_f(dx.abs(), 1)
                    ));
                }
                format!("Scroll {}{}{mods}", what.join(" and "), at(self.pos))
            }
            ActionKind::Wait => format!("Wait {} s", fmt_f(self.duration_s(), 1)),
            ActionKind::Terminate => {
                format!(
                    "End of episode ({})",
                    self.status.as_deref().unwrap_or("unknown")
                )
            }
        }
    }
}

fn coord_args((x, y): (i32, i32), coords: Coords) -> String {
    match coords {
        Coords::Absolute => format!("x={x}, y={y}"),
        Coords::Normalized { width, height } => format!(
            "x={}, y={}",
            fmt_f(normalize(x, width), 4),
            fmt_f(normalize(y, height), 4)
        ),
    }
}

/// `v / size`, the normalised coordinate (0 when the size is unknown).
pub fn normalize(v: i32, size: u32) -> f64 {
    if size == 0 {
        0.0
    } else {
        v as f64 / size as f64
    }
}

/// Whole wheel clicks for a summed scroll amount: rounded, but never 0
/// for a non-zero amount.
fn wheel_clicks(v: f64) -> i64 {
    let r = v.round() as i64;
    if r == 0 && v != 0.0 {
        v.signum() as i64
    } else {
        r
    }
}

/// A float with at most `decimals` decimals, trailing zeros trimmed but
/// always a valid Python float literal (`0.5`, `2.0`).
pub(crate) fn fmt_f(v: f64, decimals: usize) -> String {
    let mut s = format!("{v:.decimals$}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.push('0');
        }
    }
    if s == "-0.0" { "0.0".into() } else { s }
}

/// A Python string literal in single quotes.
pub fn py_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The pyautogui name of a key, from its X keysym and keysym name.
///
/// Printable keys become their character (lower case, so `Ctrl+Shift+T`
/// is `hotkey('ctrl', 'shift', 't')`); named keys map to pyautogui's names;
/// anything else is the keysym name in lower case.
pub fn key_name(keysym: u32, name: &str) -> String {
    let named = match name {
        "Return" | "KP_Enter" => "enter",
        "BackSpace" => "backspace",
        "Tab" | "ISO_Left_Tab" | "KP_Tab" => "tab",
        "Escape" => "esc",
        "Delete" | "KP_Delete" => "delete",
        "Insert" | "KP_Insert" => "insert",
        "Home" | "KP_Home" => "home",
        "End" | "KP_End" => "end",
        "Left" | "KP_Left" => "left",
        "Right" | "KP_Right" => "right",
        "Up" | "KP_Up" => "up",
        "Down" | "KP_Down" => "down",
        "Page_Up" | "Prior" | "KP_Page_Up" | "KP_Prior" => "pageup",
        "Page_Down" | "Next" | "KP_Page_Down" | "KP_Next" => "pagedown",
        "space" | "KP_Space" => "space",
        "Print" => "printscreen",
        "Pause" | "Break" => "pause",
        "Menu" => "apps",
        "Caps_Lock" => "capslock",
        "Num_Lock" => "numlock",
        "Scroll_Lock" => "scrolllock",
        "Shift_L" | "Shift_R" => "shift",
        "Control_L" | "Control_R" => "ctrl",
        "Alt_L" | "Alt_R" | "Meta_L" | "Meta_R" => "alt",
        "Super_L" | "Super_R" | "Hyper_L" | "Hyper_R" => "win",
        "ISO_Level3_Shift" | "Mode_switch" => "altright",
        "XF86AudioRaiseVolume" => "volumeup",
        "XF86AudioLowerVolume" => "volumedown",
        "XF86AudioMute" => "volumemute",
        "XF86AudioPlay" => "playpause",
        "XF86AudioNext" => "nexttrack",
        "XF86AudioPrev" => "prevtrack",
        "XF86Back" => "browserback",
        "XF86Forward" => "browserforward",
        _ => "",
    };
    if !named.is_empty() {
        return named.to_string();
    }
    if let Some(rest) = name.strip_prefix('F')
        && rest.parse::<u8>().is_ok()
    {
        return format!("f{rest}");
    }
    let code = match keysym {
        0x20..=0x7e | 0xa0..=0xff => Some(keysym),
        0x0100_0000..=0x0110_ffff => Some(keysym - 0x0100_0000),
        _ => None,
    };
    if let Some(c) = code.and_then(char::from_u32) {
        return c.to_lowercase().collect();
    }
    if let Some(digit) = name.strip_prefix("KP_")
        && digit.len() == 1
    {
        return digit.to_string();
    }
    name.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_strings_escape_quotes_backslashes_and_controls() {
        assert_eq!(py_str("it's"), r"'it\'s'");
        assert_eq!(py_str("a\\b\n\u{1}"), r"'a\\b\n\x01'");
        assert_eq!(py_str("€"), "'€'");
    }

    #[test]
    fn key_names_follow_pyautogui() {
        assert_eq!(key_name(0xff0d, "Return"), "enter");
        assert_eq!(key_name(0x54, "T"), "t");
        assert_eq!(key_name(0x2b, "plus"), "+");
        assert_eq!(key_name(0xffc1, "F4"), "f4");
        assert_eq!(key_name(0xff55, "Prior"), "pageup");
        assert_eq!(key_name(0xffe3, "Control_L"), "ctrl");
        assert_eq!(key_name(0x1008ff26, "XF86Back"), "browserback");
    }

    #[test]
    fn code_strings() {
        let mut a = Action::new(ActionKind::Click, 0, 1);
        a.pos = Some((412, 300));
        assert_eq!(a.code(Coords::Absolute), "pyautogui.click(x=412, y=300)");
        assert_eq!(
            a.code(Coords::Normalized {
                width: 1000,
                height: 600
            }),
            "pyautogui.click(x=0.412, y=0.5)"
        );
        a.keys = vec!["ctrl".into()];
        assert_eq!(
            a.code(Coords::Absolute),
            "pyautogui.keyDown('ctrl'); pyautogui.click(x=412, y=300); pyautogui.keyUp('ctrl')"
        );
        let mut d = Action::new(ActionKind::Drag, 0, 420_000_000);
        d.pos = Some((10, 20));
        d.end = Some((300, 20));
        d.button = Some("left".into());
        assert_eq!(
            d.code(Coords::Absolute),
            "pyautogui.moveTo(x=10, y=20); pyautogui.dragTo(x=300, y=20, duration=0.42, button='left')"
        );
        let mut s = Action::new(ActionKind::Scroll, 0, 1);
        s.pos = Some((5, 6));
        s.scroll = Some((0.0, 3.0));
        assert_eq!(s.code(Coords::Absolute), "pyautogui.scroll(-3, x=5, y=6)");
        s.scroll = Some((-0.3, 0.0));
        assert_eq!(s.code(Coords::Absolute), "pyautogui.hscroll(-1, x=5, y=6)");
        let mut p = Action::new(ActionKind::Press, 0, 1);
        p.keys = vec!["backspace".into()];
        p.presses = 3;
        assert_eq!(
            p.code(Coords::Absolute),
            "pyautogui.press('backspace', presses=3)"
        );
        let mut w = Action::new(ActionKind::Write, 0, 1);
        w.text = Some("ab'c".into());
        w.cursor_back = 1;
        assert_eq!(
            w.code(Coords::Absolute),
            r"pyautogui.write('ab\'c'); pyautogui.press('left', presses=1)"
        );
        let wait = Action::new(ActionKind::Wait, 0, 2_500_000_000);
        assert_eq!(wait.code(Coords::Absolute), "computer.wait(seconds=2.5)");
        let mut h = Action::new(ActionKind::Hotkey, 0, 1);
        h.keys = vec!["ctrl".into(), "l".into()];
        assert_eq!(h.code(Coords::Absolute), "pyautogui.hotkey('ctrl', 'l')");
        assert_eq!(fmt_f(2.0, 2), "2.0");
    }
}
