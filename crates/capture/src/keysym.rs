//! Keysyms: their names and the text they insert.
//!
//! Only what the recorder needs: a name for every keysym (the X name for
//! the common ones, the character itself for printable ones, hex otherwise)
//! and the character a keysym inserts. Unicode keysyms (`0x0100_0000 + code
//! point`) and Latin-1 keysyms map directly; a few legacy keysyms that
//! layouts still use (the euro sign, keypad keys, Return and Tab) are mapped
//! by hand. Other legacy keysym blocks (Cyrillic, Greek, Latin-2…) produce a
//! name but no text yet.

/// `NoSymbol`.
pub const NO_SYMBOL: u32 = 0;
pub const BACKSPACE: u32 = 0xff08;
pub const TAB: u32 = 0xff09;
pub const RETURN: u32 = 0xff0d;
pub const ESCAPE: u32 = 0xff1b;
pub const DELETE: u32 = 0xffff;
pub const KP_ENTER: u32 = 0xff8d;
pub const NUM_LOCK: u32 = 0xff7f;
pub const MODE_SWITCH: u32 = 0xff7e;
pub const ISO_LEVEL3_SHIFT: u32 = 0xfe03;
pub const ALT_L: u32 = 0xffe9;
pub const ALT_R: u32 = 0xffea;
pub const META_L: u32 = 0xffe7;
pub const META_R: u32 = 0xffe8;
pub const SUPER_L: u32 = 0xffeb;
pub const SUPER_R: u32 = 0xffec;

const NAMED: &[(u32, &str)] = &[
    (0xff08, "BackSpace"),
    (0xff09, "Tab"),
    (0xff0d, "Return"),
    (0xff13, "Pause"),
    (0xff14, "Scroll_Lock"),
    (0xff1b, "Escape"),
    (0xff50, "Home"),
    (0xff51, "Left"),
    (0xff52, "Up"),
    (0xff53, "Right"),
    (0xff54, "Down"),
    (0xff55, "Page_Up"),
    (0xff56, "Page_Down"),
    (0xff57, "End"),
    (0xff61, "Print"),
    (0xff63, "Insert"),
    (0xff67, "Menu"),
    (0xff7e, "Mode_switch"),
    (0xff7f, "Num_Lock"),
    (0xff8d, "KP_Enter"),
    (0xff95, "KP_Home"),
    (0xff96, "KP_Left"),
    (0xff97, "KP_Up"),
    (0xff98, "KP_Right"),
    (0xff99, "KP_Down"),
    (0xff9a, "KP_Page_Up"),
    (0xff9b, "KP_Page_Down"),
    (0xff9c, "KP_End"),
    (0xff9e, "KP_Insert"),
    (0xff9f, "KP_Delete"),
    (0xffaa, "KP_Multiply"),
    (0xffab, "KP_Add"),
    (0xffac, "KP_Separator"),
    (0xffad, "KP_Subtract"),
    (0xffae, "KP_Decimal"),
    (0xffaf, "KP_Divide"),
    (0xffe1, "Shift_L"),
    (0xffe2, "Shift_R"),
    (0xffe3, "Control_L"),
    (0xffe4, "Control_R"),
    (0xffe5, "Caps_Lock"),
    (0xffe7, "Meta_L"),
    (0xffe8, "Meta_R"),
    (0xffe9, "Alt_L"),
    (0xffea, "Alt_R"),
    (0xffeb, "Super_L"),
    (0xffec, "Super_R"),
    (0xffff, "Delete"),
    (0xfe03, "ISO_Level3_Shift"),
    (0xfe50, "dead_grave"),
    (0xfe51, "dead_acute"),
    (0xfe52, "dead_circumflex"),
    (0xfe53, "dead_tilde"),
    (0xfe57, "dead_diaeresis"),
    (0xff20, "Multi_key"),
    (0x20ac, "EuroSign"),
    (0x0020, "space"),
];

/// The name of a keysym: the X name where known (`Return`, `Shift_L`), the
/// character itself for printable ones (`a`, `Ä`), `F1`–`F35`, `KP_0`–`KP_9`,
/// and `0x…` otherwise.
pub fn name(keysym: u32) -> String {
    if let Some((_, n)) = NAMED.iter().find(|(k, _)| *k == keysym) {
        return (*n).to_string();
    }
    if (0xffbe..=0xffe0).contains(&keysym) {
        return format!("F{}", keysym - 0xffbe + 1);
    }
    if (0xffb0..=0xffb9).contains(&keysym) {
        return format!("KP_{}", keysym - 0xffb0);
    }
    match to_char(keysym) {
        Some(c) if !c.is_control() => c.to_string(),
        _ => format!("0x{keysym:x}"),
    }
}

/// The character a keysym stands for, if it is a character at all.
pub fn to_char(keysym: u32) -> Option<char> {
    match keysym {
        0x20..=0x7e | 0xa0..=0xff => char::from_u32(keysym),
        0x0100_0100..=0x0110_ffff => char::from_u32(keysym - 0x0100_0000),
        0x20ac => Some('€'),
        0xffb0..=0xffb9 => char::from_u32('0' as u32 + keysym - 0xffb0),
        0xff80 => Some(' '),
        0xffaa => Some('*'),
        0xffab => Some('+'),
        0xffad => Some('-'),
        0xffae => Some('.'),
        0xffaf => Some('/'),
        0xffbd => Some('='),
        _ => None,
    }
}

/// The text a press of this keysym inserts, with no command modifier held.
pub fn text(keysym: u32) -> Option<String> {
    match keysym {
        RETURN | KP_ENTER => Some("\n".into()),
        TAB => Some("\t".into()),
        _ => to_char(keysym).map(String::from),
    }
}

/// Whether the keysym is on the keypad (Num Lock swaps its levels).
pub fn is_keypad(keysym: u32) -> bool {
    (0xff80..=0xffbd).contains(&keysym) || (0x11000000..=0x1100ffff).contains(&keysym)
}

/// Lower- and upper-case forms of a keysym, for filling a missing level as
/// the core protocol prescribes.
pub fn case_pair(keysym: u32) -> (u32, u32) {
    let Some(c) = to_char(keysym) else { return (keysym, keysym) };
    if keysym >= 0xffb0 {
        return (keysym, keysym);
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    let upper = c.to_uppercase().next().unwrap_or(c);
    if lower.to_uppercase().count() != 1 || upper.to_lowercase().count() != 1 {
        return (keysym, keysym);
    }
    (from_char(lower), from_char(upper))
}

/// The keysym for a character (Latin-1 directly, Unicode keysym otherwise).
pub fn from_char(c: char) -> u32 {
    match c as u32 {
        cp @ (0x20..=0x7e | 0xa0..=0xff) => cp,
        cp => 0x0100_0000 + cp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_text() {
        assert_eq!(name(0x61), "a");
        assert_eq!(name(0xff0d), "Return");
        assert_eq!(name(0xffc1), "F4");
        assert_eq!(name(0x0100_20ac), "€");
        assert_eq!(text(0xe4).as_deref(), Some("ä"));
        assert_eq!(text(0x20ac).as_deref(), Some("€"));
        assert_eq!(text(0xff0d).as_deref(), Some("\n"));
        assert_eq!(text(0xffe1), None);
    }

    #[test]
    fn case_pairs() {
        assert_eq!(case_pair(0x61), (0x61, 0x41));
        assert_eq!(case_pair(0xe4), (0xe4, 0xc4));
        assert_eq!(case_pair(0x31), (0x31, 0x31));
        // ß has no single-character upper case: keep it as it is.
        assert_eq!(case_pair(0xdf), (0xdf, 0xdf));
    }
}
