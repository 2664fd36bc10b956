//! Key chords such as `Ctrl+Alt+Shift+P`.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// A key with modifiers, written `Mod+Mod+Key` (modifiers: `Ctrl`, `Alt`,
/// `Shift`, `Super`; key: a letter, a digit or `F1`–`F24`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hotkey {
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
    pub super_: bool,
    /// The X keysym of the key (lower case for letters).
    pub keysym: u32,
    name: String,
}

impl Hotkey {
    /// The default pause chord, Ctrl+Alt+Shift+P.
    pub fn default_pause() -> Hotkey {
        "Ctrl+Alt+Shift+P".parse().expect("a valid chord")
    }
}

impl FromStr for Hotkey {
    type Err = Error;

    fn from_str(s: &str) -> Result<Hotkey, Error> {
        let bad = |why: &str| Error::Invalid(format!("hotkey {s:?}: {why}"));
        let parts: Vec<&str> = s.split('+').map(str::trim).collect();
        let (key, modifiers) = parts.split_last().ok_or_else(|| bad("empty"))?;
        let mut hotkey = Hotkey { ctrl: false, alt: false, shift: false, super_: false, keysym: 0, name: s.to_string() };
        for m in modifiers {
            let flag = match m.to_ascii_lowercase().as_str() {
                "ctrl" | "control" => &mut hotkey.ctrl,
                "alt" => &mut hotkey.alt,
                "shift" => &mut hotkey.shift,
                "super" | "win" | "meta" => &mut hotkey.super_,
                other => return Err(bad(&format!("unknown modifier {other:?} (use Ctrl, Alt, Shift, Super)"))),
            };
            if *flag {
                return Err(bad("a modifier is repeated"));
            }
            *flag = true;
        }
        if !(hotkey.ctrl || hotkey.alt || hotkey.super_) {
            return Err(bad("needs Ctrl, Alt or Super, so typing never triggers it"));
        }
        let mut chars = key.chars();
        hotkey.keysym = match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_alphanumeric() => c.to_ascii_lowercase() as u32,
            _ => match key.strip_prefix(['F', 'f']).and_then(|n| n.parse::<u32>().ok()) {
                Some(n @ 1..=24) => 0xffbe + n - 1,
                _ => return Err(bad(&format!("unknown key {key:?} (use a letter, a digit or F1–F24)"))),
            },
        };
        Ok(hotkey)
    }
}

impl fmt::Display for Hotkey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_chords_and_refuses_bad_ones() {
        let k = Hotkey::default_pause();
        assert!(k.ctrl && k.alt && k.shift && !k.super_);
        assert_eq!(k.keysym, 'p' as u32);
        assert_eq!("Super+F12".parse::<Hotkey>().unwrap().keysym, 0xffc9);
        for bad in ["P", "Shift+P", "Ctrl+Ctrl+P", "Hyper+P", "Ctrl+Enter", "Ctrl+"] {
            assert!(bad.parse::<Hotkey>().is_err(), "{bad}");
        }
    }
}
