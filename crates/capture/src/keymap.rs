//! The keyboard mapping: from a keycode and modifier state to a keysym and
//! the text it inserts, following the core protocol's rules (X11 protocol,
//! section 5, "Keyboards") with XKB's layout of levels 3 and 4 in the core
//! mapping (columns 5 and 6 hold group 1's AltGr levels).

use tracewell_model::Modifiers;

use crate::keysym::{self, NO_SYMBOL};

const SHIFT: u16 = 1;
const LOCK: u16 = 1 << 1;
const CONTROL: u16 = 1 << 2;

/// A snapshot of the server's keyboard and modifier mappings.
#[derive(Clone, Debug, Default)]
pub struct Keymap {
    min_keycode: u8,
    per_keycode: usize,
    keysyms: Vec<u32>,
    alt_mask: u16,
    num_lock_mask: u16,
    super_mask: u16,
    level3_mask: u16,
    mode_switch_mask: u16,
}

/// What one key event means under a [`Keymap`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyMeaning {
    pub keysym: u32,
    pub modifiers: Modifiers,
    /// The text a press inserts, `None` when Ctrl, Alt or Super is held or
    /// the keysym inserts nothing.
    pub text: Option<String>,
}

impl Keymap {
    /// Builds a keymap from the replies to `GetKeyboardMapping` (for every
    /// keycode from `min_keycode`) and `GetModifierMapping`.
    pub fn new(
        min_keycode: u8,
        per_keycode: u8,
        keysyms: Vec<u32>,
        modifier_keycodes: &[u8],
    ) -> Keymap {
        let mut map = Keymap {
            min_keycode,
            per_keycode: per_keycode as usize,
            keysyms,
            ..Keymap::default()
        };
        let per_mod = modifier_keycodes.len() / 8;
        for (index, codes) in modifier_keycodes.chunks(per_mod.max(1)).enumerate().skip(3) {
            let bit = 1u16 << index;
            for &code in codes.iter().filter(|&&c| c != 0) {
                for sym in map.row(code).to_vec() {
                    match sym {
                        keysym::ALT_L | keysym::ALT_R | keysym::META_L | keysym::META_R => {
                            map.alt_mask |= bit
                        }
                        keysym::NUM_LOCK => map.num_lock_mask |= bit,
                        keysym::SUPER_L | keysym::SUPER_R => map.super_mask |= bit,
                        keysym::ISO_LEVEL3_SHIFT => map.level3_mask |= bit,
                        keysym::MODE_SWITCH => map.mode_switch_mask |= bit,
                        _ => {}
                    }
                }
            }
        }
        // Without a modifier map entry, Mod1 is Alt and Mod4 Super by
        // universal convention.
        if map.alt_mask == 0 {
            map.alt_mask = 1 << 3;
        }
        if map.super_mask == 0 {
            map.super_mask = 1 << 6;
        }
        map
    }

    fn row(&self, keycode: u8) -> &[u32] {
        let Some(index) = (keycode as usize).checked_sub(self.min_keycode as usize) else {
            return &[];
        };
        let start = index * self.per_keycode;
        self.keysyms.get(start..start + self.per_keycode).unwrap_or(&[])
    }

    /// Decodes the modifier state of an event.
    pub fn modifiers(&self, state: u16) -> Modifiers {
        Modifiers {
            shift: state & SHIFT != 0,
            caps_lock: state & LOCK != 0,
            ctrl: state & CONTROL != 0,
            alt: state & self.alt_mask != 0,
            num_lock: state & self.num_lock_mask != 0,
            super_: state & self.super_mask != 0,
            level3: state & self.level3_mask != 0,
            group: (((state >> 13) & 3) as u8).max(u8::from(state & self.mode_switch_mask != 0)),
        }
    }

    /// The keysym a key produces with the given modifier state.
    pub fn lookup(&self, keycode: u8, state: u16) -> KeyMeaning {
        let modifiers = self.modifiers(state);
        let row = self.row(keycode);
        let column = |base: usize| -> Option<(u32, u32)> {
            let lower = *row.get(base)?;
            let upper = row.get(base + 1).copied().unwrap_or(NO_SYMBOL);
            (lower != NO_SYMBOL || upper != NO_SYMBOL).then_some((lower, upper))
        };
        let group = modifiers.group.min(1) as usize;
        let base = if modifiers.level3 { 4 + 2 * group } else { 2 * group };
        let (lower, upper) = column(base)
            .or_else(|| column(if modifiers.level3 { 4 } else { 0 }))
            .or_else(|| column(0))
            .unwrap_or((NO_SYMBOL, NO_SYMBOL));
        let (lower, upper) = if upper == NO_SYMBOL {
            keysym::case_pair(lower)
        } else {
            (lower, upper)
        };
        let keysym = if modifiers.num_lock && keysym::is_keypad(upper) {
            if modifiers.shift { lower } else { upper }
        } else {
            let is_letter = keysym::case_pair(lower).1 != lower;
            if modifiers.shift ^ (modifiers.caps_lock && is_letter) { upper } else { lower }
        };
        let text = if modifiers.ctrl || modifiers.alt || modifiers.super_ {
            None
        } else {
            keysym::text(keysym)
        };
        KeyMeaning { keysym, modifiers, text }
    }

    /// Keycodes and the state that produce a keysym (for tests and input
    /// injection): the first keycode carrying it, with Shift if it sits on
    /// the second level, AltGr (when a level-3 modifier exists) on the third.
    pub fn find(&self, keysym: u32) -> Option<(u8, u16)> {
        for index in 0..self.keysyms.len() / self.per_keycode.max(1) {
            let code = self.min_keycode as usize + index;
            let row = self.row(code as u8);
            for (column, &sym) in row.iter().enumerate().take(6) {
                if sym != keysym {
                    continue;
                }
                let state = match column {
                    0 => 0,
                    1 => SHIFT,
                    4 if self.level3_mask != 0 => self.level3_mask,
                    5 if self.level3_mask != 0 => self.level3_mask | SHIFT,
                    _ => continue,
                };
                return Some((code as u8, state));
            }
            // Letters listed once stand for both cases.
            if row.get(1) == Some(&NO_SYMBOL) {
                if let Some(&lower) = row.first() {
                    let (l, u) = keysym::case_pair(lower);
                    if u == keysym && l != u {
                        return Some((code as u8, SHIFT));
                    }
                }
            }
        }
        None
    }

    /// The modifier mask of a chord.
    pub fn chord_mask(&self, ctrl: bool, alt: bool, shift: bool, super_: bool) -> u16 {
        let mut mask = 0;
        if ctrl {
            mask |= CONTROL;
        }
        if alt {
            mask |= self.alt_mask;
        }
        if shift {
            mask |= SHIFT;
        }
        if super_ {
            mask |= self.super_mask;
        }
        mask
    }

    /// Masks of the lock modifiers (Caps Lock, Num Lock) that do not change
    /// what a chord means.
    pub fn lock_masks(&self) -> [u16; 2] {
        [LOCK, self.num_lock_mask]
    }

    /// The first keycode whose unshifted keysym is `keysym`.
    pub fn keycode(&self, keysym: u32) -> Option<u8> {
        self.find(keysym).filter(|&(_, state)| state == 0).map(|(code, _)| code)
    }

    /// The level-3 (AltGr) modifier mask, 0 if the mapping has none.
    pub fn level3_mask(&self) -> u16 {
        self.level3_mask
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// keycode 10: a A; 11: 1 exclam; 12: q Q at @ (AltGr); 13: Shift_L;
    /// 14: ISO_Level3_Shift; 15: KP_End KP_1; 16: Num_Lock; 17: ä (only).
    fn sample() -> Keymap {
        let per = 6;
        let mut syms = vec![0u32; 8 * per];
        let mut set = |code: usize, s: &[u32]| {
            syms[(code - 10) * per..(code - 10) * per + s.len()].copy_from_slice(s)
        };
        set(10, &[0x61, 0x41]);
        set(11, &[0x31, 0x21]);
        set(12, &[0x71, 0x51, 0x71, 0x51, 0x40, 0]);
        set(13, &[0xffe1]);
        set(14, &[0xfe03]);
        set(15, &[0xff9c, 0xffb1]);
        set(16, &[0xff7f]);
        set(17, &[0xe4]);
        // Modifier map: two keycodes per modifier; Mod2 = Num_Lock (16),
        // Mod5 = ISO_Level3_Shift (14).
        let mut mods = [0u8; 16];
        mods[0] = 13;
        mods[2 * 4] = 16;
        mods[2 * 7] = 14;
        Keymap::new(10, per as u8, syms, &mods)
    }

    #[test]
    fn shift_caps_lock_and_letters() {
        let k = sample();
        assert_eq!(k.lookup(10, 0).text.as_deref(), Some("a"));
        assert_eq!(k.lookup(10, SHIFT).text.as_deref(), Some("A"));
        assert_eq!(k.lookup(10, LOCK).text.as_deref(), Some("A"));
        assert_eq!(k.lookup(10, LOCK | SHIFT).text.as_deref(), Some("a"));
        assert_eq!(k.lookup(11, LOCK).text.as_deref(), Some("1"));
        assert_eq!(k.lookup(11, SHIFT).text.as_deref(), Some("!"));
        // A single listed letter fills its upper case.
        assert_eq!(k.lookup(17, SHIFT).text.as_deref(), Some("Ä"));
    }

    #[test]
    fn altgr_keypad_and_command_keys() {
        let k = sample();
        let altgr = 1 << 7;
        assert_eq!(k.lookup(12, altgr).text.as_deref(), Some("@"));
        assert!(k.lookup(12, altgr).modifiers.level3);
        assert_eq!(k.lookup(15, 0).keysym, 0xff9c);
        assert_eq!(k.lookup(15, 1 << 4).text.as_deref(), Some("1"));
        let ctrl_a = k.lookup(10, CONTROL);
        assert_eq!(ctrl_a.keysym, 0x61);
        assert_eq!(ctrl_a.text, None);
        assert!(ctrl_a.modifiers.ctrl);
    }

    #[test]
    fn find_inverts_lookup() {
        let k = sample();
        for sym in [0x61, 0x41, 0x21, 0x40, 0xc4] {
            let (code, state) = k.find(sym).unwrap();
            assert_eq!(k.lookup(code, state).keysym, sym, "keysym {sym:#x}");
        }
        assert_eq!(k.find(0x7a), None);
    }
}
