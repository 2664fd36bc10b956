//! Redaction of typed text: key events are held while a typing run is
//! open, the run's text is scanned as a whole when it closes, and the key
//! events that typed a match are replaced by one placeholder key.
//!
//! A run closes on a pointer press or scroll, a change of active window, a
//! pause, a task marker, a keyboard silence of [`RUN_GAP_NS`], or [`MAX_RUN_KEYS`] key
//! events (bounding memory). A run whose text ends in digits (and maybe a
//! separator) waits for a silence of [`NUMBER_GAP_NS`] instead: people
//! type card numbers, IBANs and phone numbers a group at a time as they
//! read them, and each group alone is no value — closed between groups,
//! every digit would be written. Everything that arrives while a run is
//! open is held with it, so the segment keeps the order of events.
//!
//! Three texts are scanned: the text as edited (BackSpace, Delete, cursor
//! keys applied), the same keys as a desktop text field reads them
//! (Shift+cursor selections typed over, Ctrl+BackSpace deleting a word:
//! `EditTrace::as_text_field`; terminals differ, so both readings count),
//! and every character inserted, deletions ignored — a card number typed
//! and then erased is still redacted. For each match, every
//! key event from the one that typed its first character to the one that
//! typed its last is replaced, corrections in between included, by one
//! key press whose `key` is `redacted` and whose text is the placeholder
//! (`<CARD>` …), so reconstructed text reads `pay with <CARD> now`. The
//! releases of keys pressed in that stretch go too, wherever they fall:
//! the last character's release always comes after it, and names the key.
//! Tabs are read as spaces: a card number typed into four fields, Tab
//! between them, is one number.
//!
//! Frames taken during a run are held too. When pixels are redacted, the
//! session passes them raw ([`Item::Frame`]), not yet pixel-redacted: they
//! may show a value half typed, which the scanner cannot recognise on
//! screen. The run's matched values come out with the released items
//! ([`Release::values`]) so the pixel redactor fills their fragments. At
//! most two frames of a run are kept — its first (usually the frame taken
//! as typing started) and its latest; a frame in between is dropped and
//! its changed regions carried into the one that replaces it.

use std::collections::BTreeMap;

use tracewell_model::{EditTrace, Frame, Inserted, KeyEvent, Modifiers, MonoNs, PressState};
use tracewell_redact::{Kind, Scanner};
use tracewell_segment::{PrivacyRecord, PrivacySubject, Record};

/// Keyboard silence that closes a run.
pub const RUN_GAP_NS: u64 = 1_000_000_000;
/// Keyboard silence that closes a run whose text ends in a number.
pub const NUMBER_GAP_NS: u64 = 10_000_000_000;
/// Key events after which a run closes regardless.
pub const MAX_RUN_KEYS: usize = 4096;
/// Frames of one run kept (the first and the latest).
const MAX_RUN_FRAMES: usize = 2;

/// What passes through the typing redactor: records, and frames not yet
/// pixel-redacted or encoded.
#[derive(Debug, PartialEq)]
pub enum Item {
    Record(Record),
    Frame(Box<Frame>),
}

/// What a call released, in order, and the values the closed run (if one
/// closed) matched: in memory only, for the pixel redactor.
#[derive(Debug, Default)]
pub struct Release {
    pub items: Vec<Item>,
    pub values: Vec<(Kind, String)>,
}

impl Release {
    fn extend(&mut self, other: Release) {
        self.items.extend(other.items);
        self.values.extend(other.values);
    }
}

/// Holds records and frames while a typing run is open.
pub struct TypingRedactor {
    scanner: &'static Scanner,
    held: Vec<Item>,
    keys_held: usize,
    frames_held: usize,
    /// Frames dropped from the open run (replaced by a later one).
    frames_dropped: u64,
    last_key_ns: MonoNs,
    /// Whether the run's text ended in a number when it had this many
    /// keys (worked out once per pause).
    number_tail: Option<(usize, bool)>,
}

impl TypingRedactor {
    pub fn new(scanner: &'static Scanner) -> TypingRedactor {
        TypingRedactor {
            scanner,
            held: Vec::new(),
            keys_held: 0,
            frames_held: 0,
            frames_dropped: 0,
            last_key_ns: 0,
            number_tail: None,
        }
    }

    /// Frames dropped so far because a later frame of the same run
    /// replaced them.
    pub fn frames_dropped(&self) -> u64 {
        self.frames_dropped
    }

    /// Whether a run is open.
    pub fn holding(&self) -> bool {
        self.keys_held > 0
    }

    /// Takes a record or a frame; returns what may be written now, in
    /// order.
    pub fn push(&mut self, item: Item) -> Release {
        let mut out = Release::default();
        let closes_run = match &item {
            Item::Record(Record::Button(b)) => b.state == PressState::Press,
            Item::Record(Record::Scroll(_) | Record::Window(_) | Record::Status(_) | Record::Task(_)) => true,
            _ => false,
        };
        if closes_run && self.holding() {
            out.extend(self.close());
        }
        match item {
            Item::Record(Record::Key(key)) => {
                self.last_key_ns = key.t_ns;
                self.keys_held += 1;
                self.held.push(Item::Record(Record::Key(key)));
                if self.keys_held >= MAX_RUN_KEYS {
                    out.extend(self.close());
                }
            }
            Item::Frame(frame) if self.holding() => self.hold_frame(frame),
            other if self.holding() => self.held.push(other),
            other => out.items.push(other),
        }
        out
    }

    /// Holds a frame of the open run, replacing the run's latest frame
    /// when it already holds [`MAX_RUN_FRAMES`].
    fn hold_frame(&mut self, mut frame: Box<Frame>) {
        if self.frames_held >= MAX_RUN_FRAMES {
            if let Some(i) = self.held.iter().rposition(|item| matches!(item, Item::Frame(_))) {
                let Item::Frame(older) = self.held.remove(i) else { unreachable!("found a frame") };
                // The pixel redactor reads what changed since the frame
                // before it: the dropped frame's changes are still news.
                let mut changed = older.changed;
                changed.extend(frame.changed.iter().copied());
                frame.changed = changed;
                self.frames_held -= 1;
                self.frames_dropped += 1;
            }
        }
        self.frames_held += 1;
        self.held.push(Item::Frame(frame));
    }

    /// Closes the run if the keyboard has been silent long enough:
    /// [`RUN_GAP_NS`], or [`NUMBER_GAP_NS`] when its text ends in a number.
    pub fn tick(&mut self, now_ns: MonoNs) -> Release {
        let quiet = now_ns.saturating_sub(self.last_key_ns);
        if !self.holding() || quiet < RUN_GAP_NS || (quiet < NUMBER_GAP_NS && self.ends_in_number()) {
            return Release::default();
        }
        self.close()
    }

    /// Whether the open run's text, as edited, ends in a digit, maybe
    /// followed by separators (`4111 1111 `).
    fn ends_in_number(&mut self) -> bool {
        if let Some((keys, answer)) = self.number_tail
            && keys == self.keys_held
        {
            return answer;
        }
        let keys = self.held.iter().filter_map(|r| if let Item::Record(Record::Key(k)) = r { Some(k) } else { None });
        let trace = EditTrace::of(keys);
        let last = trace
            .text
            .iter()
            .rev()
            .map(|&i| trace.inserted[i].ch)
            .find(|c| !matches!(c, ' ' | '-' | '.' | '/' | '\t'));
        let answer = last.is_some_and(|c| c.is_ascii_digit());
        self.number_tail = Some((self.keys_held, answer));
        answer
    }

    /// Closes the run now: scans it and releases everything held, with the
    /// matching keys replaced and a privacy record after them.
    pub fn close(&mut self) -> Release {
        let held = std::mem::take(&mut self.held);
        self.keys_held = 0;
        self.frames_held = 0;
        self.number_tail = None;
        let keys: Vec<&KeyEvent> =
            held.iter().filter_map(|r| if let Item::Record(Record::Key(k)) = r { Some(k) } else { None }).collect();
        let (ranges, values) = self.matches(&keys);
        if ranges.is_empty() {
            return Release { items: held, values };
        }
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        for range in &ranges {
            for kind in &range.kinds {
                *counts.entry(kind.name().to_string()).or_default() += 1;
            }
        }
        let mut out = Vec::with_capacity(held.len());
        let mut key_index = 0usize;
        let mut t_ns = 0;
        // Keys pressed inside a replaced range and not released there:
        // their releases come after the range (the last character's always
        // does) and name the key, so they go too.
        let mut pressed_inside: Vec<u8> = Vec::new();
        for item in held {
            let Item::Record(Record::Key(key)) = item else {
                out.push(item);
                continue;
            };
            let index = key_index;
            key_index += 1;
            t_ns = key.t_ns;
            let range = ranges.iter().find(|r| (r.first..=r.last).contains(&index));
            let held_down = pressed_inside.iter().position(|&k| k == key.keycode);
            match (key.state, held_down) {
                (PressState::Press, None) if range.is_some() => pressed_inside.push(key.keycode),
                (PressState::Release, Some(p)) => {
                    pressed_inside.swap_remove(p);
                    if range.is_none() {
                        continue;
                    }
                }
                _ => {}
            }
            match range {
                None => out.push(Item::Record(Record::Key(key))),
                Some(range) if range.first == index && range.placeholder => {
                    let text: String = range.kinds.iter().map(|k| k.placeholder()).collect();
                    for state in [PressState::Press, PressState::Release] {
                        out.push(Item::Record(Record::Key(KeyEvent {
                            t_ns: key.t_ns,
                            state,
                            keycode: 0,
                            keysym: 0,
                            key: "redacted".into(),
                            modifiers: Modifiers::default(),
                            text: (state == PressState::Press).then(|| text.clone()),
                        })));
                    }
                }
                Some(_) => {}
            }
        }
        out.push(Item::Record(Record::Privacy(PrivacyRecord { t_ns, subject: PrivacySubject::TypedText, counts })));
        Release { items: out, values }
    }

    /// The key ranges to replace — matches in the edited text get a
    /// placeholder; matches only in what was typed and then erased are
    /// removed with the keys that erased them — and the matched values.
    fn matches(&self, keys: &[&KeyEvent]) -> (Vec<KeyRange>, Vec<(Kind, String)>) {
        let trace = EditTrace::of(keys.iter().copied());
        let mut ranges = Vec::new();
        let mut values = Vec::new();
        // The text as edited, read plainly and as a text field reads the
        // same keys (selections typed over, words deleted with Ctrl).
        let field = EditTrace::as_text_field(keys.iter().copied());
        let readings = if field.text == trace.text { vec![&trace] } else { vec![&trace, &field] };
        for edited in readings {
            let chars: Vec<&Inserted> = edited.text.iter().map(|&i| &edited.inserted[i]).collect();
            for (first, last, kind) in self.scan(&chars) {
                values.push((kind, chars[first..=last].iter().map(|i| i.ch).collect()));
                let (a, b) = (chars[first].by, chars[last].by);
                ranges.push(KeyRange { first: a.min(b), last: a.max(b), kinds: vec![kind], placeholder: true });
            }
        }
        // Everything inserted, in typing order, split where a deletion
        // happened between two characters.
        let deletions: Vec<usize> = trace.inserted.iter().filter_map(|i| i.deleted_by).collect();
        let mut stream: Vec<Option<&Inserted>> = Vec::new();
        for (n, inserted) in trace.inserted.iter().enumerate() {
            if n > 0 {
                let before = trace.inserted[n - 1].by;
                if deletions.iter().any(|&d| d > before && d < inserted.by) {
                    stream.push(None);
                }
            }
            stream.push(Some(inserted));
        }
        let text: String = stream.iter().map(|c| c.map_or('\n', |i| scanned(i.ch))).collect();
        let offsets: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        for span in self.scanner.find(&text) {
            values.push((span.kind, text[span.start..span.end].to_string()));
            let first = offsets.partition_point(|&b| b < span.start);
            let last = offsets.partition_point(|&b| b < span.end).saturating_sub(1);
            let touched: Vec<&Inserted> = stream[first..=last.max(first)].iter().flatten().copied().collect();
            if touched.is_empty() {
                continue;
            }
            let erased = touched.iter().all(|i| i.deleted_by.is_some());
            let a = touched.iter().map(|i| i.by).min().unwrap_or(0);
            let b = touched.iter().map(|i| i.by.max(i.deleted_by.unwrap_or(0))).max().unwrap_or(a);
            ranges.push(KeyRange { first: a, last: b, kinds: vec![span.kind], placeholder: !erased });
        }
        values.sort();
        values.dedup();
        (merge(ranges), values)
    }

    /// Matches in a sequence of characters, as (first, last) character
    /// positions and kind.
    fn scan(&self, chars: &[&Inserted]) -> Vec<(usize, usize, Kind)> {
        let text: String = chars.iter().map(|i| scanned(i.ch)).collect();
        let offsets: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        self.scanner
            .find(&text)
            .into_iter()
            .map(|span| {
                let first = offsets.partition_point(|&b| b < span.start);
                let last = offsets.partition_point(|&b| b < span.end).saturating_sub(1);
                (first, last.max(first), span.kind)
            })
            .collect()
    }
}

/// Key events (positions among the run's keys) replaced as one.
struct KeyRange {
    first: usize,
    last: usize,
    kinds: Vec<Kind>,
    /// Whether a placeholder key stands in for them (false: the match was
    /// erased while typing, so nothing does).
    placeholder: bool,
}

/// Merges overlapping ranges.
fn merge(mut ranges: Vec<KeyRange>) -> Vec<KeyRange> {
    ranges.sort_by_key(|r| (r.first, r.last));
    let mut merged: Vec<KeyRange> = Vec::new();
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.first <= last.last => {
                last.last = last.last.max(range.last);
                last.placeholder |= range.placeholder;
                for kind in range.kinds {
                    if !last.kinds.contains(&kind) {
                        last.kinds.push(kind);
                    }
                }
            }
            _ => merged.push(range),
        }
    }
    merged
}

/// A typed character as the scanner reads it: a Tab (between form
/// fields) as a space, so values typed across fields are one.
fn scanned(c: char) -> char {
    if c == '\t' { ' ' } else { c }
}

#[cfg(test)]
mod tests {
    use tracewell_model::{FrameReason, Rect, typed_text};

    use super::*;

    /// One keycode per character, as on a keyboard.
    fn keycode(c: char) -> u8 {
        8 + (c as u32 % 240) as u8
    }

    fn keys(text: &str) -> Vec<Record> {
        let mut out = Vec::new();
        for (i, c) in text.chars().enumerate() {
            let (key, text) = match c {
                '⌫' => ("BackSpace".to_string(), None),
                c => (c.to_string(), Some(c.to_string())),
            };
            for state in [PressState::Press, PressState::Release] {
                out.push(Record::Key(KeyEvent {
                    t_ns: i as u64,
                    state,
                    keycode: keycode(c),
                    keysym: c as u32,
                    key: key.clone(),
                    modifiers: Modifiers::default(),
                    text: if state == PressState::Press { text.clone() } else { None },
                }));
            }
        }
        out
    }

    fn records(release: Release) -> Vec<Record> {
        release
            .items
            .into_iter()
            .map(|item| match item {
                Item::Record(r) => r,
                Item::Frame(_) => panic!("no frames were pushed"),
            })
            .collect()
    }

    /// Pushes `seq` as one run (held until it closes) and closes it.
    fn redact_all(seq: Vec<Record>) -> Vec<Record> {
        let mut r = TypingRedactor::new(Scanner::builtin());
        let mut out = Vec::new();
        for record in seq {
            out.extend(records(r.push(Item::Record(record))));
        }
        assert!(out.is_empty(), "held while the run is open");
        out.extend(records(r.close()));
        out
    }

    fn key_events(out: &[Record]) -> Vec<KeyEvent> {
        out.iter().filter_map(|r| if let Record::Key(k) = r { Some(k.clone()) } else { None }).collect()
    }

    fn run(text: &str) -> (String, Vec<Record>) {
        let out = redact_all(keys(text));
        (typed_text(&key_events(&out)), out)
    }

    #[test]
    fn a_card_typed_with_corrections_is_replaced_whole() {
        let (text, out) = run("pay 4111 1111 1112⌫1 1111 now");
        assert_eq!(text, "pay <CARD> now");
        let all = format!("{out:?}");
        assert!(!all.contains("4111") && !all.contains("\"2\""), "{all}");
        let Some(Record::Privacy(p)) = out.last() else { panic!("no privacy record") };
        assert_eq!(p.counts.get("card"), Some(&1));
    }

    /// Every key event that names a digit of the value (the press or the
    /// release of any of its digits) is gone.
    fn assert_no_key_of(out: &[Record], value: &str) {
        for r in out {
            if let Record::Key(k) = r {
                let digit = k.key.len() == 1 && k.key.chars().all(|c| c.is_ascii_digit() && value.contains(c));
                assert!(!digit, "a key of the value survives: {k:?}");
            }
        }
    }

    #[test]
    fn no_release_of_a_redacted_key_survives() {
        let (text, out) = run("pay 4929 3333 7777 8886 now");
        assert_eq!(text, "pay <CARD> now");
        assert_no_key_of(&out, "4929 3333 7777 8886");
        // Rollover: the last two digits are released after the last press.
        let mut seq = keys("id 4929333377778886");
        let tail = seq.split_off(seq.len() - 4); // P8 R8 P6 R6
        seq.extend([tail[0].clone(), tail[2].clone(), tail[1].clone(), tail[3].clone()]);
        seq.extend(keys(" ok").into_iter().map(|mut r| {
            if let Record::Key(k) = &mut r {
                k.t_ns += 100;
            }
            r
        }));
        let out = redact_all(seq);
        assert_no_key_of(&out, "4929333377778886");
        let typed = key_events(&out);
        assert_eq!(typed_text(&typed), "id <CARD> ok");
        // Every press kept has its release kept.
        let presses = typed.iter().filter(|k| k.state == PressState::Press).count();
        let releases = typed.iter().filter(|k| k.state == PressState::Release).count();
        assert_eq!(presses, releases);
    }

    /// Key records typing `text`, from `t0_ns`, 100 ms apart.
    fn keys_at(text: &str, t0_ns: u64) -> Vec<Record> {
        keys(text)
            .into_iter()
            .enumerate()
            .map(|(n, mut r)| {
                if let Record::Key(k) = &mut r {
                    k.t_ns = t0_ns + (n as u64 / 2) * 100_000_000;
                }
                r
            })
            .collect()
    }

    #[test]
    fn a_number_typed_a_group_at_a_time_stays_one_run() {
        const S: u64 = 1_000_000_000;
        let mut r = TypingRedactor::new(Scanner::builtin());
        let mut out = Vec::new();
        // Four groups, three seconds apart, as when reading a card.
        for (n, group) in ["pay 4929 ", "3333 ", "7777 ", "8886 now"].iter().enumerate() {
            let t0 = n as u64 * 3 * S;
            for record in keys_at(group, t0) {
                out.extend(records(r.push(Item::Record(record))));
            }
            if n < 3 {
                out.extend(records(r.tick(t0 + 2 * S)));
            }
        }
        assert!(out.is_empty(), "held while the number is being typed: {out:?}");
        // Text that ends in a word closes after the short gap.
        let last_key = r.last_key_ns;
        out.extend(records(r.tick(last_key + RUN_GAP_NS)));
        assert_eq!(typed_text(&key_events(&out)), "pay <CARD> now");
        assert_no_key_of(&out, "4929333377778886");

        // A number left unfinished closes after the long gap.
        for record in keys_at("ref 12 34", 100 * S) {
            assert!(r.push(Item::Record(record)).items.is_empty());
        }
        let last_key = r.last_key_ns;
        assert!(r.tick(last_key + RUN_GAP_NS).items.is_empty());
        assert!(!r.tick(last_key + NUMBER_GAP_NS).items.is_empty());
    }

    #[test]
    fn a_card_typed_across_fields_with_tab_is_one_value() {
        let (text, out) = run("4929\t3333\t7777\t8886\t10/01");
        assert_eq!(text, "<CARD>\t10/01");
        assert_no_key_of(&out, "4929333377778886");
    }

    #[test]
    fn a_digit_selected_and_typed_over_still_makes_a_card() {
        let mut seq = keys("pay 4929 3333 7777 8887");
        let mut shift_left = keys("⌫");
        for r in &mut shift_left {
            if let Record::Key(k) = r {
                k.key = "Left".into();
                k.modifiers.shift = true;
            }
        }
        seq.extend(shift_left);
        seq.extend(keys("6"));
        let out = redact_all(seq);
        assert_no_key_of(&out, "4929333377778886");
        let Some(Record::Privacy(p)) = out.last() else { panic!("no privacy record") };
        assert_eq!(p.counts.get("card"), Some(&1));
    }

    #[test]
    fn typed_then_erased_secrets_are_still_redacted() {
        let erase = "⌫".repeat(16);
        let (text, out) = run(&format!("x 4111111111111111{erase}y"));
        assert_eq!(text, "x y");
        assert!(!format!("{out:?}").contains("\"4\""), "the erased digits must not survive");
    }

    #[test]
    fn clean_text_passes_untouched_and_without_a_record() {
        let (text, out) = run("hello world");
        assert_eq!(text, "hello world");
        assert!(!out.iter().any(|r| matches!(r, Record::Privacy(_))));
        assert_eq!(out.len(), 22);
    }

    #[test]
    fn other_records_keep_their_place_and_a_click_closes_the_run() {
        let mut r = TypingRedactor::new(Scanner::builtin());
        for record in keys("ab") {
            assert!(r.push(Item::Record(record)).items.is_empty());
        }
        let motion = Record::Motion(tracewell_model::MotionEvent { t_ns: 9, x: 1, y: 1 });
        assert!(r.push(Item::Record(motion.clone())).items.is_empty());
        let click = Record::Button(tracewell_model::ButtonEvent {
            t_ns: 10,
            state: PressState::Press,
            button: tracewell_model::MouseButton::Left,
            x: 1,
            y: 1,
            modifiers: Modifiers::default(),
        });
        let out = records(r.push(Item::Record(click.clone())));
        assert_eq!(out.len(), 6);
        assert_eq!(out[4], motion);
        assert_eq!(out[5], click);
        assert!(!r.holding());
    }

    fn frame(t_ns: u64, changed: Rect) -> Item {
        Item::Frame(Box::new(Frame {
            t_ns,
            width: 4,
            height: 4,
            reason: FrameReason::ScreenChange,
            monitors: vec![],
            changed: vec![changed],
            stack: Default::default(),
            bgrx: vec![0; 64],
        }))
    }

    #[test]
    fn frames_of_a_run_wait_for_it_and_carry_its_values() {
        let mut r = TypingRedactor::new(Scanner::builtin());
        let mut pushed = keys("card 4111 1111 1111 1111");
        // Frames taken while the number was half typed.
        for (n, t_ns) in [(6, 100), (20, 200), (30, 300), (40, 400)] {
            pushed.insert(n, Record::Motion(tracewell_model::MotionEvent { t_ns, x: 0, y: 0 }));
        }
        let mut frames_pushed = 0;
        for record in pushed {
            let item = match record {
                Record::Motion(m) => {
                    frames_pushed += 1;
                    frame(m.t_ns, Rect::new(m.t_ns as i32 / 100, 0, 1, 1))
                }
                other => Item::Record(other),
            };
            assert!(r.push(item).items.is_empty(), "held while the run is open");
        }
        assert_eq!(frames_pushed, 4);
        let release = r.tick(u64::MAX);
        assert_eq!(release.values, vec![(Kind::Card, "4111 1111 1111 1111".to_string())]);
        let frames: Vec<&Frame> =
            release.items.iter().filter_map(|i| if let Item::Frame(f) = i { Some(&**f) } else { None }).collect();
        // The first and the latest; the latest carries the dropped frames' changes.
        assert_eq!(frames.iter().map(|f| f.t_ns).collect::<Vec<_>>(), vec![100, 400]);
        assert_eq!(frames[1].changed, vec![Rect::new(2, 0, 1, 1), Rect::new(3, 0, 1, 1), Rect::new(4, 0, 1, 1)]);
        assert_eq!(r.frames_dropped(), 2);
        // A frame outside a run passes straight through, with no values.
        let out = r.push(frame(500, Rect::new(0, 0, 1, 1)));
        assert!(matches!(out.items.as_slice(), [Item::Frame(f)] if f.t_ns == 500) && out.values.is_empty());
    }
}
