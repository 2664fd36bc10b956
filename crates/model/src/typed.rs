//! Reconstructing the text a run of key events typed.

use crate::{KeyEvent, PressState};

/// The text an editor would hold after these key events, starting empty:
/// inserted text at the cursor, BackSpace and Delete, and the cursor moved
/// by Left, Right, Home and End. Keys pressed with Ctrl, Alt or Super held
/// do not edit (their `text` is `None`), except that the editing keys above
/// still count with Shift.
///
/// This is what the redaction stage scans (a card number typed one key at a
/// time with corrections is caught whole) and what `inspect` shows.
pub fn typed_text<'a>(keys: impl IntoIterator<Item = &'a KeyEvent>) -> String {
    let trace = EditTrace::of(keys);
    trace.text.iter().map(|&i| trace.inserted[i].ch).collect()
}

/// One character a key event inserted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inserted {
    pub ch: char,
    /// Position (in the input sequence) of the key event that typed it.
    pub by: usize,
    /// Position of the key event that deleted it, if one did.
    pub deleted_by: Option<usize>,
}

/// The history of a run of typing: every character inserted, in typing
/// order, and which of them make up the final text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EditTrace {
    pub inserted: Vec<Inserted>,
    /// The final text, as indices into `inserted`.
    pub text: Vec<usize>,
}

impl EditTrace {
    /// Replays key events as [`typed_text`] does, remembering who typed
    /// and who deleted each character.
    pub fn of<'a>(keys: impl IntoIterator<Item = &'a KeyEvent>) -> EditTrace {
        replay(keys, false)
    }

    /// Replays key events as a desktop text field reads them: on top of
    /// [`EditTrace::of`], Shift with a cursor key selects, and typing,
    /// BackSpace or Delete then replace the selection; Ctrl+A selects
    /// everything; Ctrl with Left or Right moves by words, and with
    /// BackSpace or Delete deletes a word. Terminals and editors differ
    /// here (in a shell, Ctrl+BackSpace often does nothing), so redaction
    /// scans this reading as well as the plain one rather than instead.
    pub fn as_text_field<'a>(keys: impl IntoIterator<Item = &'a KeyEvent>) -> EditTrace {
        replay(keys, true)
    }

    fn delete(&mut self, at: usize, by: usize) {
        self.delete_range(at, at + 1, by);
    }

    /// Deletes the characters at `from..to` of the text.
    fn delete_range(&mut self, from: usize, to: usize, by: usize) {
        for removed in self.text.drain(from..to) {
            self.inserted[removed].deleted_by = Some(by);
        }
    }

    fn is_space(&self, at: usize) -> bool {
        self.inserted[self.text[at]].ch.is_whitespace()
    }

    /// Start of the word before `cursor` (spaces, then the word).
    fn word_left(&self, mut cursor: usize) -> usize {
        while cursor > 0 && self.is_space(cursor - 1) {
            cursor -= 1;
        }
        while cursor > 0 && !self.is_space(cursor - 1) {
            cursor -= 1;
        }
        cursor
    }

    /// End of the word after `cursor` (spaces, then the word).
    fn word_right(&self, mut cursor: usize) -> usize {
        let n = self.text.len();
        while cursor < n && self.is_space(cursor) {
            cursor += 1;
        }
        while cursor < n && !self.is_space(cursor) {
            cursor += 1;
        }
        cursor
    }
}

fn replay<'a>(keys: impl IntoIterator<Item = &'a KeyEvent>, text_field: bool) -> EditTrace {
    let mut trace = EditTrace::default();
    let mut cursor = 0usize;
    // The other end of the selection, in a text field.
    let mut anchor: Option<usize> = None;
    for (index, key) in keys.into_iter().enumerate().filter(|(_, k)| k.state == PressState::Press) {
        let m = &key.modifiers;
        let command = m.ctrl || m.alt || m.super_;
        let name = key.key.as_str();
        let edits = key.text.is_some() || matches!(name, "BackSpace" | "Delete" | "KP_Delete");
        if text_field && edits && let Some(a) = anchor.take().filter(|&a| a != cursor) {
            // Typing over a selection replaces it.
            let from = a.min(cursor);
            trace.delete_range(from, a.max(cursor), index);
            cursor = from;
            if key.text.is_none() {
                continue;
            }
        }
        if let Some(inserted) = &key.text {
            for ch in inserted.chars() {
                trace.inserted.push(Inserted { ch, by: index, deleted_by: None });
                trace.text.insert(cursor, trace.inserted.len() - 1);
                cursor += 1;
            }
            continue;
        }
        if text_field {
            let word = m.ctrl && !m.alt && !m.super_;
            let moves = matches!(name, "Left" | "KP_Left" | "Right" | "KP_Right" | "Home" | "KP_Home" | "End" | "KP_End");
            if moves {
                anchor = if m.shift { anchor.or(Some(cursor)) } else { None };
            }
            match name {
                "a" | "A" if word => {
                    anchor = Some(0);
                    cursor = trace.text.len();
                }
                "Left" | "KP_Left" if word => cursor = trace.word_left(cursor),
                "Right" | "KP_Right" if word => cursor = trace.word_right(cursor),
                "BackSpace" if word => {
                    let from = trace.word_left(cursor);
                    trace.delete_range(from, cursor, index);
                    cursor = from;
                }
                "Delete" | "KP_Delete" if word => trace.delete_range(cursor, trace.word_right(cursor), index),
                _ => {}
            }
        }
        match name {
            "BackSpace" if !command && cursor > 0 => {
                cursor -= 1;
                trace.delete(cursor, index);
            }
            "Delete" | "KP_Delete" if !command && cursor < trace.text.len() => trace.delete(cursor, index),
            "Left" | "KP_Left" if !command => cursor = cursor.saturating_sub(1),
            "Right" | "KP_Right" if !command => cursor = (cursor + 1).min(trace.text.len()),
            "Home" | "KP_Home" => cursor = 0,
            "End" | "KP_End" => cursor = trace.text.len(),
            _ => {}
        }
    }
    trace
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Modifiers;

    fn press(key: &str, text: Option<&str>) -> KeyEvent {
        KeyEvent {
            t_ns: 0,
            state: PressState::Press,
            keycode: 0,
            keysym: 0,
            key: key.into(),
            modifiers: Modifiers::default(),
            text: text.map(String::from),
        }
    }

    #[test]
    fn applies_corrections_and_cursor_moves() {
        let keys = [
            press("4", Some("4")),
            press("2", Some("2")),
            press("BackSpace", None),
            press("1", Some("1")),
            press("Home", None),
            press("x", Some("x")),
            press("Right", None),
            press("Delete", None),
            press("End", None),
            press("Return", Some("\n")),
        ];
        assert_eq!(typed_text(&keys), "x4\n");
    }

    #[test]
    fn the_trace_knows_who_typed_and_who_deleted() {
        let keys = [press("a", Some("a")), press("b", Some("b")), press("BackSpace", None), press("c", Some("c"))];
        let trace = EditTrace::of(&keys);
        let seen: Vec<(char, usize, Option<usize>)> = trace.inserted.iter().map(|i| (i.ch, i.by, i.deleted_by)).collect();
        assert_eq!(seen, vec![('a', 0, None), ('b', 1, Some(2)), ('c', 3, None)]);
        assert_eq!(trace.text, vec![0, 2]);
    }

    fn with(mut key: KeyEvent, shift: bool, ctrl: bool) -> KeyEvent {
        key.modifiers.shift = shift;
        key.modifiers.ctrl = ctrl;
        key
    }

    fn text_field(keys: &[KeyEvent]) -> String {
        let trace = EditTrace::as_text_field(keys);
        trace.text.iter().map(|&i| trace.inserted[i].ch).collect()
    }

    #[test]
    fn a_text_field_replaces_selections_and_edits_words() {
        let typed = |s: &str| s.chars().map(|c| press(&c.to_string(), Some(&c.to_string()))).collect::<Vec<_>>();
        // The last digit selected with Shift+Left and typed over.
        let mut keys = typed("4111 1112");
        keys.push(with(press("Left", None), true, false));
        keys.extend(typed("1"));
        assert_eq!(text_field(&keys), "4111 1111");
        assert_eq!(typed_text(&keys), "4111 11112", "the plain reading inserts");
        // A word deleted with Ctrl+BackSpace, then the rest typed.
        let mut keys = typed("pay 9999");
        keys.push(with(press("BackSpace", None), false, true));
        keys.extend(typed("4111"));
        assert_eq!(text_field(&keys), "pay 4111");
        // Ctrl+A, then typing replaces everything; Ctrl+Left moves by words.
        let mut keys = typed("old text");
        keys.push(with(press("a", None), false, true));
        keys.extend(typed("new one"));
        keys.push(with(press("Left", None), false, true));
        keys.push(with(press("Right", None), true, true));
        keys.push(press("Delete", None));
        assert_eq!(text_field(&keys), "new ");
        let trace = EditTrace::as_text_field(&keys);
        // Every character of "old text" (typed by the first 8 keys) was deleted.
        assert!(trace.inserted.iter().filter(|i| i.by < 8).all(|i| i.deleted_by.is_some()));
    }

    #[test]
    fn releases_and_command_keys_do_not_edit() {
        let mut release = press("a", Some("a"));
        release.state = PressState::Release;
        let mut ctrl_backspace = press("BackSpace", None);
        ctrl_backspace.modifiers.ctrl = true;
        let keys = [press("a", Some("a")), release, ctrl_backspace];
        assert_eq!(typed_text(&keys), "a");
    }
}
