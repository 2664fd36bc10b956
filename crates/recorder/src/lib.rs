//! A recording session: the loop that takes [`tracewell_capture`] events,
//! encodes frames, and writes segments through
//! [`tracewell_segment::SegmentSink`] until told to stop.
//!
//! - [`record`]: runs one session to the end and returns its [`Summary`].
//! - [`SessionOptions`]: where to write, for how long, capture and segment
//!   settings.
//! - [`Stats`]: running counts handed to a progress callback (the CLI's
//!   status line) and returned at the end.
//!
//! The pipeline assembled here: capture → guard ([`tracewell_guard`]) →
//! redact (titles and typed text with [`tracewell_redact`], pixels through
//! a [`FrameRedactor`]) → encode → segment. A [`control`] socket lets
//! `tracewell pause` and `resume` reach a running recorder. The
//! accessibility watcher ([`tracewell_a11y`]) runs beside capture and
//! tells it when a password field has focus. Frames taken during a typing
//! run wait for the run ([`TypingRedactor`]): they are pixel-redacted with
//! the values the run's text matched, so a value half typed on screen is
//! filled too. Sealing and spooling are the agent's (`tracewell-agent`).
//! A session forbids core dumps of its process first (`core_dumps`): a
//! crash must not write what it holds in memory to disk.

pub mod control;
mod core_dumps;
mod recording_id;
mod session;
mod typing;

pub use recording_id::recording_id;
pub use session::{
    Error, FrameRedactor, FrameRedactorFactory, Hold, SessionOptions, SharedOpener, Stats, Summary,
    notices, record, tesseract,
};
pub use typing::{Item, Release, TypingRedactor};
