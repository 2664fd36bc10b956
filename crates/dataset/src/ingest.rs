//! The per-segment stage: read (and if sealed, decrypt in memory) one
//! segment, store its frames as content-addressed images, and keep a
//! compact digest of everything else in `DIR/.work/<file hash>.json`.
//!
//! The digest is the restart point: a segment whose digest exists is not
//! read again. Digests depend only on the segment's bytes, never on the
//! reduction rules, so changing a rule re-runs only the cheap assembly.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tracewell_model::{ButtonEvent, KeyEvent, MonoNs, MotionEvent, ScrollEvent, WindowEvent};
use tracewell_seal::RecipientIdentity;
use tracewell_segment::{Record, Status, TaskMarker};

use crate::episode::FrameRef;
use crate::error::{Error, io_err};
use crate::format::image_path;

/// Bumped when the digest layout changes; older digests are recomputed.
const DIGEST_VERSION: u32 = 3;

pub(crate) const MCAP_MAGIC: &[u8] = b"\x89MCAP0\r\n";
pub(crate) const SEAL_MAGIC: &[u8] = b"TWSEAL\r\n";

/// A segment's metadata, minus the host name (never exported).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Meta {
    pub format: String,
    pub recording_id: String,
    pub segment_id: String,
    pub sequence: u32,
    pub wall_anchor_ns: u64,
    pub mono_anchor_ns: u64,
    pub recorder_version: String,
    pub screen: Option<(u32, u32)>,
}

/// Everything but the pixels of one segment.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) enum Ev {
    Key(KeyEvent),
    Button(ButtonEvent),
    Scroll(ScrollEvent),
    Motion(MotionEvent),
    Window(WindowEvent, bool),
    Status(Status),
    /// A task marker, and whether it is the carried start of a task open
    /// when the segment began.
    Task(TaskMarker, bool),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Digest {
    pub version: u32,
    /// BLAKE3 of the file as given (sealed or not), hex.
    pub file_hash: String,
    pub file_len: u64,
    pub sealed: bool,
    /// BLAKE3 of the decrypted segment, for sealed files.
    pub plaintext_hash: Option<String>,
    pub meta: Meta,
    pub truncated: bool,
    pub recovered_chunks: u32,
    pub stop_reason: Option<String>,
    /// Messages on channels this builder does not use.
    pub other_messages: u64,
    pub events: Vec<Ev>,
    pub frames: Vec<FrameRef>,
    /// PNG bytes of every frame message (carried ones included).
    pub frame_bytes: u64,
    /// Redaction records: subject → kind → count.
    #[serde(default)]
    pub redactions: BTreeMap<String, BTreeMap<String, u64>>,
}

impl Digest {
    /// The smallest and largest `t_ns` of messages recorded live here.
    pub fn live_range(&self) -> Option<(MonoNs, MonoNs)> {
        let ts = self
            .events
            .iter()
            .filter_map(|e| match e {
                Ev::Key(k) => Some(k.t_ns),
                Ev::Button(b) => Some(b.t_ns),
                Ev::Scroll(s) => Some(s.t_ns),
                Ev::Motion(m) => Some(m.t_ns),
                Ev::Window(w, false) => Some(w.t_ns),
                Ev::Window(_, true) => None,
                Ev::Status(s) => Some(s.t_ns),
                Ev::Task(t, false) => Some(t.t_ns),
                Ev::Task(_, true) => None,
            })
            .chain(self.frames.iter().filter(|f| !f.carried).map(|f| f.t_ns));
        ts.fold(None, |acc, t| match acc {
            None => Some((t, t)),
            Some((lo, hi)) => Some((lo.min(t), hi.max(t))),
        })
    }
}

/// What the stage made of one source file.
pub(crate) enum Outcome {
    Done {
        digest: Box<Digest>,
        cached: bool,
        images_new: u64,
    },
    Skipped {
        file_hash: Option<String>,
        reason: String,
    },
}

/// The first bytes of a file, to tell MCAP from sealed segments.
pub(crate) fn sniff(path: &Path) -> Option<[u8; 8]> {
    let mut head = [0u8; 8];
    fs::File::open(path).ok()?.read_exact(&mut head).ok()?;
    Some(head)
}

/// Checks before any work that `identity` opens a sealed file.
pub(crate) fn check_recipient(
    path: &Path,
    identity: Option<&RecipientIdentity>,
) -> Result<(), Error> {
    let Some(identity) = identity else {
        return Err(Error::IdentityRequired {
            path: path.to_path_buf(),
        });
    };
    let Ok(file) = fs::File::open(path) else {
        return Ok(());
    };
    // A damaged header is the worker's to report, per segment.
    if let Ok(header) = tracewell_seal::read_header(std::io::BufReader::new(file))
        && !header.recipient_ids().any(|id| id == identity.key_id())
    {
        return Err(Error::NotARecipient {
            path: path.to_path_buf(),
            key_id: identity.key_id().to_string(),
        });
    }
    Ok(())
}

fn hex(hash: blake3::Hash) -> String {
    hash.to_hex().to_string()
}

/// Runs the stage for one file. `Err` only for what must stop the build.
pub(crate) fn ingest(
    path: &Path,
    identity: Option<&RecipientIdentity>,
    out: &Path,
) -> Result<Outcome, Error> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return Ok(Outcome::Skipped {
                file_hash: None,
                reason: format!("cannot read: {e}"),
            });
        }
    };
    let file_hash = hex(blake3::hash(&bytes));
    let digest_path = work_dir(out).join(format!("{file_hash}.json"));
    if let Some(digest) = load_digest(&digest_path) {
        return Ok(Outcome::Done {
            digest: Box::new(digest),
            cached: true,
            images_new: 0,
        });
    }
    let skipped = |reason: String| {
        Ok(Outcome::Skipped {
            file_hash: Some(file_hash.clone()),
            reason,
        })
    };
    let sealed = bytes.starts_with(SEAL_MAGIC);
    let (plain, plaintext_hash) = if sealed {
        let Some(identity) = identity else {
            return Err(Error::IdentityRequired {
                path: path.to_path_buf(),
            });
        };
        let mut plain = Vec::with_capacity(bytes.len());
        match tracewell_seal::open(&bytes[..], identity, &mut plain) {
            Ok(_) => {}
            Err(tracewell_seal::Error::NotARecipient) => {
                return Err(Error::NotARecipient {
                    path: path.to_path_buf(),
                    key_id: identity.key_id().to_string(),
                });
            }
            // The output of a failed open is discarded.
            Err(e) => return skipped(format!("cannot open the sealed segment: {e}")),
        }
        let h = hex(blake3::hash(&plain));
        (plain, Some(h))
    } else {
        (bytes, None)
    };
    let contents = match tracewell_segment::read_segment_bytes(&plain) {
        Ok(c) => c,
        Err(e) => return skipped(format!("not a readable segment: {e}")),
    };
    let m = contents.meta;
    let meta = Meta {
        format: m.format,
        recording_id: m.recording_id,
        segment_id: m.segment_id,
        sequence: m.sequence,
        wall_anchor_ns: m.wall_anchor_ns,
        mono_anchor_ns: m.mono_anchor_ns,
        recorder_version: m.recorder_version,
        screen: m.screen,
    };
    let mut digest = Digest {
        version: DIGEST_VERSION,
        file_hash: file_hash.clone(),
        file_len: plain.len() as u64,
        sealed,
        plaintext_hash,
        meta,
        truncated: contents.truncated,
        recovered_chunks: contents.recovered_chunks,
        stop_reason: contents.stop_reason,
        other_messages: contents.skipped_messages,
        events: Vec::with_capacity(contents.messages.len()),
        frames: Vec::new(),
        frame_bytes: 0,
        redactions: BTreeMap::new(),
    };
    if sealed {
        digest.file_len = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    }
    drop(plain);
    let mut images_new = 0;
    for msg in contents.messages {
        #[allow(unreachable_patterns)]
        match msg.record {
            Record::Key(k) => digest.events.push(Ev::Key(k)),
            Record::Button(b) => digest.events.push(Ev::Button(b)),
            Record::Scroll(s) => digest.events.push(Ev::Scroll(s)),
            Record::Motion(m) => digest.events.push(Ev::Motion(m)),
            Record::Window(w) => digest.events.push(Ev::Window(w, msg.carried)),
            Record::Status(s) => digest.events.push(Ev::Status(s)),
            Record::Task(t) => digest.events.push(Ev::Task(t, msg.carried)),
            Record::Frame(f) => {
                let hash = hex(blake3::hash(&f.png));
                digest.frame_bytes += f.png.len() as u64;
                if store_image(out, &hash, &f.png)? {
                    images_new += 1;
                }
                digest.frames.push(FrameRef {
                    t_ns: f.t_ns,
                    width: f.width,
                    height: f.height,
                    reason: f.reason,
                    image: hash,
                    carried: msg.carried,
                });
            }
            Record::Privacy(p) => {
                let subject = serde_json::to_value(p.subject)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from));
                let kinds = digest
                    .redactions
                    .entry(subject.unwrap_or_else(|| "other".into()))
                    .or_default();
                for (kind, n) in p.counts {
                    *kinds.entry(kind).or_insert(0) += u64::from(n);
                }
            }
            _ => digest.other_messages += 1,
        }
    }
    save_digest(&digest_path, &digest)?;
    Ok(Outcome::Done {
        digest: Box::new(digest),
        cached: false,
        images_new,
    })
}

pub(crate) fn work_dir(out: &Path) -> PathBuf {
    out.join(".work")
}

fn load_digest(path: &Path) -> Option<Digest> {
    let bytes = fs::read(path).ok()?;
    let digest: Digest = serde_json::from_slice(&bytes).ok()?;
    (digest.version == DIGEST_VERSION).then_some(digest)
}

fn save_digest(path: &Path, digest: &Digest) -> Result<(), Error> {
    let bytes = serde_json::to_vec(digest)?;
    write_atomic(path, &bytes)
}

/// Stores an image unless it is there already; returns whether it wrote.
fn store_image(out: &Path, hash: &str, png: &[u8]) -> Result<bool, Error> {
    let path = out.join(image_path(hash));
    if path.exists() {
        return Ok(false);
    }
    write_atomic(&path, png)?;
    Ok(true)
}

/// Writes a file through a temporary name in the same folder and a rename,
/// so a crash never leaves a partial file under the final name.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(
        ".{name}.{}.{:?}.tmp",
        std::process::id(),
        std::thread::current().id()
    ));
    let mut f = fs::File::create(&tmp).map_err(io_err(&tmp))?;
    f.write_all(bytes).map_err(io_err(&tmp))?;
    drop(f);
    fs::rename(&tmp, path).map_err(io_err(path))
}
