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
        let mut trace = EditTrace::default();
        let mut cursor = 0usize;
        for (index, key) in keys.into_iter().enumerate().filter(|(_, k)| k.state == PressState::Press) {
            if let Some(inserted) = &key.text {
                for ch in inserted.chars() {
                    trace.inserted.push(Inserted { ch, by: index, deleted_by: None });
                    trace.text.insert(cursor, trace.inserted.len() - 1);
                    cursor += 1;
                }
                continue;
            }
            let command = key.modifiers.ctrl || key.modifiers.alt || key.modifiers.super_;
            let delete = |at: usize, trace: &mut EditTrace| {
                let removed = trace.text.remove(at);
                trace.inserted[removed].deleted_by = Some(index);
            };
            match key.key.as_str() {
                "BackSpace" if !command && cursor > 0 => {
                    cursor -= 1;
                    delete(cursor, &mut trace);
                }
                "Delete" | "KP_Delete" if !command && cursor < trace.text.len() => delete(cursor, &mut trace),
                "Left" | "KP_Left" if !command => cursor = cursor.saturating_sub(1),
                "Right" | "KP_Right" if !command => cursor = (cursor + 1).min(trace.text.len()),
                "Home" | "KP_Home" => cursor = 0,
                "End" | "KP_End" => cursor = trace.text.len(),
                _ => {}
            }
        }
        trace
    }
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
