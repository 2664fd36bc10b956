//! Person names and street addresses.
//!
//! Names are found by context rules on top of the gazetteer:
//!
//! * a title (`Mr.`, `Dr`, `Prof.` …) followed by capitalised words;
//! * a label (`Name:`, `"full_name": "`, `From:`, `Patient:` …) followed by
//!   capitalised words (generic labels such as `Name:` or `From:` also need
//!   one word from the name lists);
//! * a greeting or sign-off (`Dear`, `Hi`, `Thanks,`, `Regards,` …);
//! * a pair of capitalised words where the first is a known given name or
//!   the second a known family name, and neither is a common capitalised
//!   word.
//!
//! Addresses are a house number, one to four capitalised words and a street
//! suffix (`St`, `Street`, `Ave`, `Road`, `Blvd` …), optionally followed by
//! a unit, city, state code and ZIP code; the automaton does all the work.

use crate::gazetteer::{Gazetteer, Hit};

/// A word of a name candidate, with its byte range. `initial` is a single
/// capital followed by a dot (`F.`).
#[derive(Clone, Copy, Debug)]
struct Word {
    start: usize,
    end: usize,
    initial: bool,
}

fn words(hay: &[u8], start: usize, end: usize) -> Vec<Word> {
    let mut out = Vec::new();
    let mut i = start;
    while i < end {
        if hay[i].is_ascii_alphabetic() {
            let s = i;
            while i < end && (hay[i].is_ascii_alphabetic() || hay[i] == b'\'' || hay[i] == b'-') {
                i += 1;
            }
            let initial = i - s == 1 && hay.get(i) == Some(&b'.');
            out.push(Word {
                start: s,
                end: i,
                initial,
            });
        } else {
            i += 1;
        }
    }
    out
}

fn text(hay: &[u8], w: Word) -> &[u8] {
    &hay[w.start..w.end]
}

/// Words after which a capitalised pair is a place or an organisation.
const ORG_FOLLOWERS: &[&[u8]] = &[
    b"University",
    b"College",
    b"School",
    b"Street",
    b"Avenue",
    b"Road",
    b"Hospital",
    b"Inc",
    b"Ltd",
    b"Group",
    b"Bank",
    b"Park",
    b"Hall",
    b"Center",
    b"Centre",
    b"Company",
    b"Foundation",
    b"Institute",
    b"Airport",
    b"Station",
    b"Bridge",
    b"Library",
    b"Museum",
    b"Stadium",
];

/// Whether two adjacent capitalised words read as given name + family name.
fn pair_ok(g: &Gazetteer, w1: &[u8], w2: &[u8]) -> bool {
    if g.stopwords.contains(w1) || g.stopwords.contains(w2) {
        return false;
    }
    let f1 = g.first_names.get(w1);
    let s2 = g.surnames.get(w2);
    match f1 {
        Some(Hit::Strong) => true,
        Some(Hit::Ambiguous) => s2 == Some(Hit::Strong),
        None => s2 == Some(Hit::Strong) && g.first_names.get(w2).is_none(),
    }
}

/// Words that, right before two capitalised words, introduce a person.
const BEFORE_PERSON: &[&[u8]] = &[
    b"with",
    b"by",
    b"to",
    b"from",
    b"cc",
    b"met",
    b"ask",
    b"asked",
    b"thank",
    b"thanks",
    b"call",
    b"email",
    b"contact",
    b"manager",
    b"colleague",
    b"mr",
    b"mrs",
    b"ms",
    b"dr",
];

/// Verbs that, right after two capitalised words, say they are a person.
const AFTER_PERSON: &[&[u8]] = &[
    b"said",
    b"says",
    b"wrote",
    b"writes",
    b"approved",
    b"asked",
    b"replied",
    b"commented",
    b"joined",
    b"reported",
    b"signed",
    b"called",
    b"emailed",
    b"mentioned",
    b"left",
    b"added",
];

fn word_before(hay: &[u8], at: usize) -> &[u8] {
    let mut i = at;
    while i > 0 && at - i < 2 && matches!(hay[i - 1], b' ' | b':' | b',') {
        i -= 1;
    }
    let mut j = i;
    while j > 0 && i - j < 12 && hay[j - 1].is_ascii_alphabetic() {
        j -= 1;
    }
    &hay[j..i]
}

fn word_after(hay: &[u8], at: usize) -> &[u8] {
    let mut i = at;
    if hay.get(i) == Some(&b' ') {
        i += 1;
    }
    let mut j = i;
    while j < hay.len() && j - i < 12 && hay[j].is_ascii_lowercase() {
        j += 1;
    }
    &hay[i..j]
}

/// Two unknown capitalised words with a person cue on either side.
fn pair_by_context(g: &Gazetteer, hay: &[u8], w1: Word, w2: Word) -> bool {
    let (t1, t2) = (text(hay, w1), text(hay, w2));
    if g.stopwords.contains(t1) || g.stopwords.contains(t2) {
        return false;
    }
    let before = word_before(hay, w1.start).to_ascii_lowercase();
    BEFORE_PERSON.contains(&before.as_slice()) || AFTER_PERSON.contains(&word_after(hay, w2.end))
}

/// Finds a person in a run of capitalised words. Returns the name's range.
pub fn name_pair(g: &Gazetteer, hay: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    let ws = words(hay, start, end);
    for a in 0..ws.len() {
        let w1 = ws[a];
        if w1.initial {
            continue;
        }
        let mut b = a + 1;
        if b < ws.len() && ws[b].initial {
            b += 1;
        }
        let Some(&w2) = ws.get(b) else { break };
        if w2.initial
            || !(pair_ok(g, text(hay, w1), text(hay, w2))
                || (b == a + 1 && ws.len() == a + 2 && pair_by_context(g, hay, w1, w2)))
        {
            continue;
        }
        let mut last = w2;
        if let Some(&w3) = ws.get(b + 1) {
            let t3 = text(hay, w3);
            if !w3.initial && g.surnames.contains(t3) && !g.stopwords.contains(t3) {
                last = w3;
            }
        }
        let next = words(hay, last.end, hay.len().min(last.end + 24));
        if let Some(&n) = next.first()
            && hay[last.end..n.start] == *b" "
            && ORG_FOLLOWERS.contains(&text(hay, n))
        {
            continue;
        }
        return Some((w1.start, last.end));
    }
    None
}

/// Takes capitalised words from `ws` until a stopword; returns the range.
fn take_name(g: &Gazetteer, hay: &[u8], ws: &[Word]) -> Option<(usize, usize, usize)> {
    let mut n = 0;
    for w in ws {
        if !w.initial && g.stopwords.contains(text(hay, *w)) {
            break;
        }
        n += 1;
    }
    while n > 0 && ws[n - 1].initial {
        n -= 1;
    }
    (n > 0).then(|| (ws[0].start, ws[n - 1].end, n))
}

fn in_lists(g: &Gazetteer, hay: &[u8], ws: &[Word]) -> bool {
    ws.iter().any(|w| {
        let t = text(hay, *w);
        !w.initial && (g.first_names.contains(t) || g.surnames.contains(t))
    })
}

/// `Mr. Smith`, `Dr Jane Doe`: the title is kept, the name is reported.
pub fn name_title(g: &Gazetteer, hay: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    let ws = words(hay, start, end);
    let (s, e, _) = take_name(g, hay, ws.get(1..)?)?;
    Some((s, e))
}

/// Labels that are about a person whatever follows.
const PERSON_LABELS: &[&[u8]] = &[
    b"fullname",
    b"firstname",
    b"lastname",
    b"givenname",
    b"familyname",
    b"surname",
    b"patient",
    b"employee",
    b"customer",
    b"recipient",
    b"sender",
    b"signedby",
    b"attn",
    b"assignee",
    b"reporter",
];

/// `Name: Jane Doe`, `"full_name": "Jane Doe"`, `From: Jane Doe`.
pub fn name_label(g: &Gazetteer, hay: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    let sep = start
        + hay[start..end]
            .iter()
            .position(|&b| b == b':' || b == b'=')?;
    let label: Vec<u8> = hay[start..sep]
        .iter()
        .filter(|b| b.is_ascii_alphabetic())
        .map(u8::to_ascii_lowercase)
        .collect();
    let ws = words(hay, sep, end);
    let (s, e, n) = take_name(g, hay, &ws)?;
    let strong_label = PERSON_LABELS.contains(&label.as_slice());
    (strong_label || n >= 2 || in_lists(g, hay, &ws[..n])).then_some((s, e))
}

const TITLES: &[&[u8]] = &[b"Mr", b"Mrs", b"Ms", b"Mx", b"Dr", b"Prof"];

/// `Dear Jane`, `Hi Sam,`, `Regards,\nJane Doe`.
pub fn name_greeting(
    g: &Gazetteer,
    hay: &[u8],
    start: usize,
    end: usize,
) -> Option<(usize, usize)> {
    let ws = words(hay, start, end);
    // The greeting itself may be two words ("Thank you").
    let mut skip = if ws.len() > 1 && text(hay, ws[0]) == b"Thank" {
        2
    } else {
        1
    };
    if ws.len() > skip + 1 && TITLES.contains(&text(hay, ws[skip])) {
        skip += 1;
    }
    let rest = ws.get(skip..)?;
    let (s, e, n) = take_name(g, hay, rest)?;
    let after = hay.get(e).copied();
    let greeting = text(hay, ws[0]);
    let ok = in_lists(g, hay, &rest[..n])
        || greeting == b"Dear"
        || matches!(
            after,
            None | Some(b',') | Some(b'!') | Some(b'\n') | Some(b'\r')
        );
    ok.then_some((s, e))
}
