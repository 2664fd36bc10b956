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
    let mut text: Vec<char> = Vec::new();
    let mut cursor = 0usize;
    for key in keys.into_iter().filter(|k| k.state == PressState::Press) {
        if let Some(inserted) = &key.text {
            for c in inserted.chars() {
                text.insert(cursor, c);
                cursor += 1;
            }
            continue;
        }
        let command = key.modifiers.ctrl || key.modifiers.alt || key.modifiers.super_;
        match key.key.as_str() {
            "BackSpace" if !command && cursor > 0 => {
                cursor -= 1;
                text.remove(cursor);
            }
            "Delete" | "KP_Delete" if !command && cursor < text.len() => {
                text.remove(cursor);
            }
            "Left" | "KP_Left" if !command => cursor = cursor.saturating_sub(1),
            "Right" | "KP_Right" if !command => cursor = (cursor + 1).min(text.len()),
            "Home" | "KP_Home" => cursor = 0,
            "End" | "KP_End" => cursor = text.len(),
            _ => {}
        }
    }
    text.into_iter().collect()
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
    fn releases_and_command_keys_do_not_edit() {
        let mut release = press("a", Some("a"));
        release.state = PressState::Release;
        let mut ctrl_backspace = press("BackSpace", None);
        ctrl_backspace.modifiers.ctrl = true;
        let keys = [press("a", Some("a")), release, ctrl_backspace];
        assert_eq!(typed_text(&keys), "a");
    }
}
