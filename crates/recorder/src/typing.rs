//! Redaction of typed text: key events are held while a typing run is
//! open, the run's text is scanned as a whole when it closes, and the key
//! events that typed a match are replaced by one placeholder key.
//!
//! A run closes on a pointer press or scroll, a change of active window, a
//! pause, a keyboard silence of [`RUN_GAP_NS`], or [`MAX_RUN_KEYS`] key
//! events (bounding memory). Everything that arrives while a run is open
//! is held with it, so the segment keeps the order of events.
//!
//! Two texts are scanned: the text as edited (BackSpace, Delete, cursor
//! keys applied) and every character inserted, deletions ignored — a card
//! number typed and then erased is still redacted. For each match, every
//! key event from the one that typed its first character to the one that
//! typed its last is replaced, corrections in between included, by one
//! key press whose `key` is `redacted` and whose text is the placeholder
//! (`<CARD>` …), so reconstructed text reads `pay with <CARD> now`.

use std::collections::BTreeMap;

use tracewell_model::{EditTrace, Inserted, KeyEvent, Modifiers, MonoNs, PressState};
use tracewell_redact::{Kind, Scanner};
use tracewell_segment::{PrivacyRecord, PrivacySubject, Record};

/// Keyboard silence that closes a run.
pub const RUN_GAP_NS: u64 = 1_000_000_000;
/// Key events after which a run closes regardless.
pub const MAX_RUN_KEYS: usize = 4096;

/// Holds records while a typing run is open.
pub struct TypingRedactor {
    scanner: &'static Scanner,
    held: Vec<Record>,
    keys_held: usize,
    last_key_ns: MonoNs,
}

impl TypingRedactor {
    pub fn new(scanner: &'static Scanner) -> TypingRedactor {
        TypingRedactor { scanner, held: Vec::new(), keys_held: 0, last_key_ns: 0 }
    }

    /// Whether a run is open.
    pub fn holding(&self) -> bool {
        self.keys_held > 0
    }

    /// Takes a record; returns what may be written now, in order.
    pub fn push(&mut self, record: Record) -> Vec<Record> {
        let mut out = Vec::new();
        let closes_run = match &record {
            Record::Button(b) => b.state == PressState::Press,
            Record::Scroll(_) | Record::Window(_) | Record::Status(_) => true,
            _ => false,
        };
        if closes_run && self.holding() {
            out.extend(self.close());
        }
        match record {
            Record::Key(key) => {
                self.last_key_ns = key.t_ns;
                self.keys_held += 1;
                self.held.push(Record::Key(key));
                if self.keys_held >= MAX_RUN_KEYS {
                    out.extend(self.close());
                }
            }
            other if self.holding() => self.held.push(other),
            other => out.push(other),
        }
        out
    }

    /// Closes the run if the keyboard has been silent long enough.
    pub fn tick(&mut self, now_ns: MonoNs) -> Vec<Record> {
        if self.holding() && now_ns.saturating_sub(self.last_key_ns) >= RUN_GAP_NS {
            self.close()
        } else {
            Vec::new()
        }
    }

    /// Closes the run now: scans it and releases everything held, with the
    /// matching keys replaced and a privacy record after them.
    pub fn close(&mut self) -> Vec<Record> {
        let held = std::mem::take(&mut self.held);
        self.keys_held = 0;
        let keys: Vec<&KeyEvent> = held.iter().filter_map(|r| if let Record::Key(k) = r { Some(k) } else { None }).collect();
        let ranges = self.matches(&keys);
        if ranges.is_empty() {
            return held;
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
        for record in held {
            let Record::Key(key) = record else {
                out.push(record);
                continue;
            };
            let index = key_index;
            key_index += 1;
            t_ns = key.t_ns;
            match ranges.iter().find(|r| (r.first..=r.last).contains(&index)) {
                None => out.push(Record::Key(key)),
                Some(range) if range.first == index && range.placeholder => {
                    let text: String = range.kinds.iter().map(|k| k.placeholder()).collect();
                    for state in [PressState::Press, PressState::Release] {
                        out.push(Record::Key(KeyEvent {
                            t_ns: key.t_ns,
                            state,
                            keycode: 0,
                            keysym: 0,
                            key: "redacted".into(),
                            modifiers: Modifiers::default(),
                            text: (state == PressState::Press).then(|| text.clone()),
                        }));
                    }
                }
                Some(_) => {}
            }
        }
        out.push(Record::Privacy(PrivacyRecord { t_ns, subject: PrivacySubject::TypedText, counts }));
        out
    }

    /// The key ranges to replace: matches in the edited text get a
    /// placeholder; matches only in what was typed and then erased are
    /// removed with the keys that erased them.
    fn matches(&self, keys: &[&KeyEvent]) -> Vec<KeyRange> {
        let trace = EditTrace::of(keys.iter().copied());
        let mut ranges = Vec::new();
        // The text as edited.
        let chars: Vec<&Inserted> = trace.text.iter().map(|&i| &trace.inserted[i]).collect();
        for (first, last, kind) in self.scan(&chars) {
            let (a, b) = (chars[first].by, chars[last].by);
            ranges.push(KeyRange { first: a.min(b), last: a.max(b), kinds: vec![kind], placeholder: true });
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
        let text: String = stream.iter().map(|c| c.map_or('\n', |i| i.ch)).collect();
        let offsets: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        for span in self.scanner.find(&text) {
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
        merge(ranges)
    }

    /// Matches in a sequence of characters, as (first, last) character
    /// positions and kind.
    fn scan(&self, chars: &[&Inserted]) -> Vec<(usize, usize, Kind)> {
        let text: String = chars.iter().map(|i| i.ch).collect();
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

#[cfg(test)]
mod tests {
    use tracewell_model::typed_text;

    use super::*;

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
                    keycode: 10,
                    keysym: 0,
                    key: key.clone(),
                    modifiers: Modifiers::default(),
                    text: if state == PressState::Press { text.clone() } else { None },
                }));
            }
        }
        out
    }

    fn run(text: &str) -> (String, Vec<Record>) {
        let mut r = TypingRedactor::new(Scanner::builtin());
        let mut out = Vec::new();
        for record in keys(text) {
            out.extend(r.push(record));
        }
        assert!(out.is_empty(), "held while the run is open");
        out.extend(r.close());
        let typed: Vec<KeyEvent> = out.iter().filter_map(|r| if let Record::Key(k) = r { Some(k.clone()) } else { None }).collect();
        (typed_text(&typed), out)
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
            assert!(r.push(record).is_empty());
        }
        let motion = Record::Motion(tracewell_model::MotionEvent { t_ns: 9, x: 1, y: 1 });
        assert!(r.push(motion.clone()).is_empty());
        let click = Record::Button(tracewell_model::ButtonEvent {
            t_ns: 10,
            state: PressState::Press,
            button: tracewell_model::MouseButton::Left,
            x: 1,
            y: 1,
            modifiers: Modifiers::default(),
        });
        let out = r.push(click.clone());
        assert_eq!(out.len(), 6);
        assert_eq!(out[4], motion);
        assert_eq!(out[5], click);
        assert!(!r.holding());
    }
}
