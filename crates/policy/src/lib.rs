//! The capture policy: what may be recorded, from a versioned TOML file.
//!
//! - [`Policy`]: parsed and validated ([`Policy::from_toml`],
//!   [`Policy::load`]); [`Policy::decide`] gives a window's [`Verdict`].
//! - Scope is allowlist-first: a window is captured only if an allow rule
//!   matches its application (`WM_CLASS`) or title, and no deny rule does.
//! - [`builtin`]: denies no policy can lift — password managers,
//!   authentication prompts, screen lockers, private-browsing windows,
//!   remote-desktop clients, and windows with neither `WM_CLASS` nor a
//!   title (nothing to judge them by, even under `default = "allow"`).
//! - [`Modalities`], [`Redaction`], [`Hotkey`]: what is captured at all,
//!   how redaction must run, and the pause hotkey.
//!
//! The file format is documented in [`file`], with an annotated example
//! in `crates/policy/example-policy.toml`.

pub mod builtin;
mod error;
pub mod file;
mod glob;
mod hotkey;
mod policy;

pub use error::Error;
pub use glob::Glob;
pub use hotkey::Hotkey;
pub use policy::{DenyReason, Modalities, PixelRedaction, Policy, Redaction, Verdict};
