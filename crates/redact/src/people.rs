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
//!   word (accented spellings of listed names count);
//! * a pair of unknown capitalised words with a cue: a preposition, verb or
//!   role noun before it (`reviewed by`, `manager`), a verb after it
//!   (`merged`, `wrote`, `will`), a `<mail>` or `(…)` after it, a colon
//!   after it at the start of a line, or a table cell of its own.
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

/// A letter byte: ASCII letters and any byte of a multi-byte UTF-8
/// character (the automaton only lets letters through inside names).
fn letter(b: u8) -> bool {
    b.is_ascii_alphabetic() || b >= 0x80
}

fn words(hay: &[u8], start: usize, end: usize) -> Vec<Word> {
    let mut out = Vec::new();
    let mut i = start;
    while i < end {
        if letter(hay[i]) {
            let s = i;
            while i < end && (letter(hay[i]) || hay[i] == b'\'' || hay[i] == b'-') {
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

/// The first of [`words`], without collecting the rest.
fn first_word(hay: &[u8], start: usize, end: usize) -> Option<Word> {
    let s = (start..end).find(|&i| letter(hay[i]))?;
    let mut i = s;
    while i < end && (letter(hay[i]) || hay[i] == b'\'' || hay[i] == b'-') {
        i += 1;
    }
    Some(Word {
        start: s,
        end: i,
        initial: i - s == 1 && hay.get(i) == Some(&b'.'),
    })
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

/// Words that, right before two capitalised words, introduce a person:
/// prepositions and verbs that take a person, and nouns naming a role.
const BEFORE_PERSON: &[&[u8]] = &[
    b"with",
    b"by",
    b"to",
    b"from",
    b"cc",
    b"bcc",
    b"for",
    b"and",
    b"per",
    b"via",
    b"met",
    b"meet",
    b"ask",
    b"asked",
    b"tell",
    b"told",
    b"thank",
    b"thanks",
    b"call",
    b"called",
    b"email",
    b"emailed",
    b"contact",
    b"ping",
    b"pinged",
    b"invite",
    b"invited",
    b"welcome",
    b"congratulations",
    b"congrats",
    b"named",
    b"dear",
    b"hi",
    b"hello",
    b"hey",
    b"manager",
    b"colleague",
    b"user",
    b"author",
    b"reviewer",
    b"assignee",
    b"owner",
    b"member",
    b"engineer",
    b"developer",
    b"director",
    b"lead",
    b"intern",
    b"candidate",
    b"patient",
    b"customer",
    b"client",
    b"doctor",
    b"nurse",
    b"teacher",
    b"student",
    b"mr",
    b"mrs",
    b"ms",
    b"dr",
    b"prof",
    b"mx",
    b"sir",
    b"madam",
    b"miss",
    b"mentor",
    b"ceo",
    b"cto",
    b"cfo",
    b"founder",
    b"friend",
    b"wife",
    b"husband",
    b"partner",
    b"son",
    b"daughter",
    b"mother",
    b"father",
    b"brother",
    b"sister",
    b"uncle",
    b"aunt",
    b"cousin",
    b"neighbour",
    b"neighbor",
    b"boss",
    b"coauthored",
    b"authored",
    b"signed",
    b"approved",
    b"reviewed",
    b"assigned",
    b"reported",
];

/// Words that, right after two capitalised words, say they are a person:
/// verbs of speaking, writing and acting on documents or code, and the
/// auxiliaries that start such a verb phrase.
const AFTER_PERSON: &[&[u8]] = &[
    b"said",
    b"says",
    b"say",
    b"wrote",
    b"writes",
    b"approved",
    b"approves",
    b"asked",
    b"asks",
    b"replied",
    b"replies",
    b"commented",
    b"comments",
    b"joined",
    b"joins",
    b"reported",
    b"reports",
    b"signed",
    b"called",
    b"calls",
    b"emailed",
    b"mentioned",
    b"left",
    b"leaves",
    b"added",
    b"adds",
    b"merged",
    b"pushed",
    b"opened",
    b"closed",
    b"created",
    b"deleted",
    b"updated",
    b"assigned",
    b"reviewed",
    b"logged",
    b"sent",
    b"sends",
    b"shared",
    b"invited",
    b"accepted",
    b"declined",
    b"committed",
    b"edited",
    b"changed",
    b"removed",
    b"uploaded",
    b"posted",
    b"noted",
    b"notes",
    b"explained",
    b"confirmed",
    b"agreed",
    b"suggested",
    b"suggests",
    b"thinks",
    b"thought",
    b"told",
    b"tells",
    b"answered",
    b"responded",
    b"requested",
    b"requests",
    b"submitted",
    b"started",
    b"finished",
    b"completed",
    b"resolved",
    b"fixed",
    b"wants",
    b"wanted",
    b"needs",
    b"needed",
    b"will",
    b"would",
    b"can",
    b"could",
    b"should",
    b"has",
    b"had",
    b"is",
    b"was",
    b"who",
    b"and",
    b"on",
    b"at",
    b"from",
    b"via",
    b"presented",
    b"announced",
    b"won",
    b"received",
    b"accepted",
    b"logged",
    b"checked",
    b"paid",
    b"ordered",
    b"booked",
    b"visited",
    b"arrived",
    b"works",
    b"worked",
    b"lives",
    b"lived",
    b"born",
    b"died",
    b"married",
    b"writes",
    b"sent",
];

fn word_before(hay: &[u8], at: usize) -> &[u8] {
    let mut i = at;
    while i > 0 && at - i < 2 && matches!(hay[i - 1], b' ' | b':' | b',') {
        i -= 1;
    }
    let mut j = i;
    while j > 0 && i - j < 16 && hay[j - 1].is_ascii_alphabetic() {
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
    // A whole word only: "is" must not be read in "issue".
    if hay.get(j).is_some_and(u8::is_ascii_alphabetic) {
        return &[];
    }
    &hay[i..j]
}

/// Layout that sets a pair of capitalised words apart as a person: a
/// `<mail>` or `(…)` right after it (`Ann Lee <ann@…>`, author lines), a
/// colon right after it at the start of a line (chat and transcripts), or
/// a table cell of its own (`| Ann Lee |`, tab-separated columns).
fn pair_by_layout(hay: &[u8], start: usize, end: usize) -> bool {
    let after = &hay[end..hay.len().min(end + 2)];
    if after.starts_with(b" <") || after.starts_with(b" (") {
        return true;
    }
    let line_start = start == 0 || hay[start - 1] == b'\n';
    if line_start && after.first() == Some(&b':') {
        return true;
    }
    let before = hay[..start].trim_ascii_end();
    let before_cell = before.last().is_some_and(|&b| b == b'|') || hay[..start].ends_with(b"\t");
    let after_cell = hay[end..]
        .trim_ascii_start()
        .first()
        .is_some_and(|&b| b == b'|')
        || hay[end..].starts_with(b"\t");
    before_cell && after_cell
}

/// Two unknown capitalised words with a person cue on either side.
fn pair_by_context(g: &Gazetteer, hay: &[u8], w1: Word, w2: Word) -> bool {
    let (t1, t2) = (text(hay, w1), text(hay, w2));
    if g.stopwords.contains(t1) || g.stopwords.contains(t2) {
        return false;
    }
    let before = word_before(hay, w1.start);
    BEFORE_PERSON.iter().any(|w| w.eq_ignore_ascii_case(before))
        || AFTER_PERSON.contains(&word_after(hay, w2.end))
        || pair_by_layout(hay, w1.start, w2.end)
}

/// Finds a person in a run of capitalised words. Returns the name's range.
pub fn name_pair(g: &Gazetteer, hay: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    // `\b` only knows ASCII: a word starting with an accented capital must
    // not continue a word.
    if hay[start] >= 0x80
        && start > 0
        && (hay[start - 1].is_ascii_alphanumeric() || hay[start - 1] >= 0x80)
    {
        return None;
    }
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
                || (b == a + 1 && pair_by_context(g, hay, w1, w2)))
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
        if let Some(n) = first_word(hay, last.end, hay.len().min(last.end + 24))
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
