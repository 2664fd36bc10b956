//! Reading segments back, including files cut short by a crash.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

use mcap::read::{ChunkReader, LinearReader, Options};
use mcap::records::Record as McapRecord;

use crate::error::{Error, Result, io_err};
use crate::format::{self, META_RECORD_NAME, SegmentMeta, Topic};
use crate::record::Record;

/// One message read back from a segment.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentMessage {
    /// Wall-clock ns (the MCAP log time).
    pub log_time: u64,
    /// Monotonic ns (the MCAP publish time, equal to the record's `t_ns`).
    pub publish_time: u64,
    /// The writer's message counter (0, 1, 2 … within the segment).
    pub sequence: u32,
    /// Whether the message repeats state from the previous segment.
    pub carried: bool,
    pub record: Record,
}

/// Everything that could be read from a segment file.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentContents {
    pub meta: SegmentMeta,
    /// Messages in file order.
    pub messages: Vec<SegmentMessage>,
    /// Whether the file ends early (no footer, a cut chunk, or a damaged
    /// record). `messages` then holds every message of every complete chunk
    /// before the damage.
    pub truncated: bool,
    /// Chunks read completely.
    pub recovered_chunks: u32,
    /// Why reading stopped early, when `truncated`.
    pub stop_reason: Option<String>,
    /// Messages on topics this reader does not know (a newer minor
    /// version); they are skipped.
    pub skipped_messages: u64,
}

/// Reads a segment file. See [`read_segment_bytes`].
pub fn read_segment(path: impl AsRef<Path>) -> Result<SegmentContents> {
    let path = path.as_ref();
    let bytes = fs::read(path).map_err(io_err(path))?;
    read_segment_bytes(&bytes)
}

/// Reads a segment from memory: its metadata and every message in file
/// order, decoded into [`Record`]s.
///
/// A truncated or damaged file is not an error: the result has
/// `truncated: true` and every message of every chunk that is complete
/// (and passes its CRC) before the damage. Errors: [`Error::NotMcap`] when
/// the bytes are not MCAP, [`Error::TruncatedBeforeMeta`] when the file
/// ends before its segment metadata, [`Error::NotASegment`] when a complete
/// MCAP file has no `tracewell.segment` metadata.
pub fn read_segment_bytes(buf: &[u8]) -> Result<SegmentContents> {
    check_magic(buf)?;
    let reader = LinearReader::new_with_options(buf, Options::IgnoreEndMagic.into())?;
    let mut meta = None;
    let mut topics: HashMap<u16, Option<Topic>> = HashMap::new();
    let mut messages = Vec::new();
    let mut recovered_chunks = 0;
    let mut skipped_messages = 0;
    let mut stop_reason = None;
    let mut saw_footer = false;

    for record in reader {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                stop_reason = Some(e.to_string());
                break;
            }
        };
        match record {
            McapRecord::Metadata(m) if m.name == META_RECORD_NAME && meta.is_none() => {
                meta = Some(SegmentMeta::from_map(&m.metadata)?);
            }
            McapRecord::Channel(c) => {
                topics.insert(c.id, Topic::from_name(&c.topic));
            }
            McapRecord::Message { header, data } => {
                match decode(&topics, &header, &data)? {
                    Some(m) => messages.push(m),
                    None => skipped_messages += 1,
                }
            }
            McapRecord::Chunk { header, data } => {
                // A chunk counts only if all of it reads back: collect
                // its messages aside and keep them at the end.
                match read_chunk(header, &data, &mut topics) {
                    Ok(ChunkResult::Complete { messages: m, skipped }) => {
                        messages.extend(m);
                        skipped_messages += skipped;
                        recovered_chunks += 1;
                    }
                    Ok(ChunkResult::Damaged(reason)) => {
                        stop_reason = Some(reason);
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
            McapRecord::Footer(_) => {
                saw_footer = true;
                break;
            }
            _ => {}
        }
    }

    let Some(meta) = meta else {
        return Err(if saw_footer {
            Error::NotASegment
        } else {
            Error::TruncatedBeforeMeta {
                len: buf.len() as u64,
            }
        });
    };
    let complete = saw_footer && stop_reason.is_none() && buf.ends_with(mcap::MAGIC);
    if !complete && stop_reason.is_none() {
        stop_reason = Some(if saw_footer {
            "the file does not end with the MCAP magic".to_owned()
        } else {
            "the file ends before its footer".to_owned()
        });
    }
    Ok(SegmentContents {
        meta,
        messages,
        truncated: !complete,
        recovered_chunks,
        stop_reason,
        skipped_messages,
    })
}

/// Reads only a segment's metadata (from the first 64 KiB of the file).
pub fn read_meta(path: impl AsRef<Path>) -> Result<SegmentMeta> {
    let path = path.as_ref();
    let mut head = Vec::new();
    File::open(path)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut head))
        .map_err(io_err(path))?;
    check_magic(&head)?;
    let reader = LinearReader::new_with_options(&head, Options::IgnoreEndMagic.into())?;
    for record in reader {
        match record {
            Ok(McapRecord::Metadata(m)) if m.name == META_RECORD_NAME => {
                return SegmentMeta::from_map(&m.metadata);
            }
            // The metadata comes before any chunk or message.
            Ok(McapRecord::Header(_)) | Ok(McapRecord::Metadata(_)) => {}
            Ok(McapRecord::Footer(_)) | Ok(_) => return Err(Error::NotASegment),
            Err(_) => break,
        }
    }
    Err(Error::TruncatedBeforeMeta {
        len: head.len() as u64,
    })
}

/// The `.mcap` files of a folder, sorted by name (which the sink makes
/// the recording order).
pub fn list_segments(dir: impl AsRef<Path>) -> Result<Vec<PathBuf>> {
    let dir = dir.as_ref();
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_err(dir))? {
        let entry = entry.map_err(io_err(dir))?;
        let path = entry.path();
        let is_file = entry.file_type().map_err(io_err(&path))?.is_file();
        if is_file && path.extension().is_some_and(|e| e == "mcap") {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

fn check_magic(buf: &[u8]) -> Result<()> {
    let magic = mcap::MAGIC;
    if buf.len() < magic.len() {
        return if magic.starts_with(buf) {
            Err(Error::TruncatedBeforeMeta {
                len: buf.len() as u64,
            })
        } else {
            Err(Error::NotMcap)
        };
    }
    if &buf[..magic.len()] != magic {
        return Err(Error::NotMcap);
    }
    Ok(())
}

enum ChunkResult {
    Complete {
        messages: Vec<SegmentMessage>,
        skipped: u64,
    },
    Damaged(String),
}

fn read_chunk(
    header: mcap::records::ChunkHeader,
    data: &[u8],
    topics: &mut HashMap<u16, Option<Topic>>,
) -> Result<ChunkResult> {
    let reader = match ChunkReader::new(header, data) {
        Ok(r) => r,
        Err(e) => return Ok(ChunkResult::Damaged(e.to_string())),
    };
    let mut new_topics = Vec::new();
    let mut raw = Vec::new();
    for record in reader {
        match record {
            Ok(McapRecord::Channel(c)) => new_topics.push((c.id, Topic::from_name(&c.topic))),
            Ok(McapRecord::Message { header, data }) => raw.push((header, data)),
            Ok(_) => {}
            Err(e) => return Ok(ChunkResult::Damaged(format!("damaged chunk: {e}"))),
        }
    }
    topics.extend(new_topics);
    let mut messages = Vec::with_capacity(raw.len());
    let mut skipped = 0;
    for (header, data) in raw {
        match decode(topics, &header, &data)? {
            Some(m) => messages.push(m),
            None => skipped += 1,
        }
    }
    Ok(ChunkResult::Complete { messages, skipped })
}

fn decode(
    topics: &HashMap<u16, Option<Topic>>,
    header: &mcap::records::MessageHeader,
    data: &[u8],
) -> Result<Option<SegmentMessage>> {
    let topic = match topics.get(&header.channel_id) {
        Some(Some(t)) => *t,
        Some(None) => return Ok(None),
        None => {
            return Err(Error::BadMessage {
                topic: format!("channel {}", header.channel_id),
                reason: "message on an undeclared channel".into(),
            });
        }
    };
    let (record, carried) = format::decode_message(topic, data)?;
    Ok(Some(SegmentMessage {
        log_time: header.log_time,
        publish_time: header.publish_time,
        sequence: header.sequence,
        carried,
        record,
    }))
}
