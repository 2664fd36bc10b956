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
//! Later stages (guard, redaction, sealing) slot in between capture and the
//! sink here; this crate is where the agent's pipeline is assembled.

mod recording_id;
mod session;

pub use recording_id::recording_id;
pub use session::{Error, SessionOptions, Stats, Summary, record};
