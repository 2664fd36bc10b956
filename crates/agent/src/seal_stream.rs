//! From the segment writer straight into the sealer into the spool.

use std::io::{self, Write};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use tracewell_seal::{DeviceSigningKey, HeaderFields, RecipientPublicKey, SegmentId, Sealer};
use tracewell_segment::{SegmentMeta, SegmentStream};
use tracewell_spool::{Spool, SpoolWriter};

/// A segment being sealed into the spool: what the segment writer writes
/// is encrypted as it arrives (one chunk in memory at a time), and the
/// sealed file is committed to the spool when the segment is finished.
/// Dropped unfinished (a crash, an error), it leaves nothing: the spool
/// discards the partial file.
pub struct SealStream {
    sealer: Sealer<SpoolWriter>,
}

impl SealStream {
    /// Starts sealing one segment into `spool`.
    pub fn start(
        spool: &Spool,
        recipients: &[RecipientPublicKey],
        key: &DeviceSigningKey,
        device_id: &str,
        subject_id: &str,
        meta: &SegmentMeta,
    ) -> io::Result<SealStream> {
        let writer = spool.begin().map_err(io::Error::other)?;
        let mut id = [0u8; 16];
        getrandom::fill(&mut id).map_err(|e| io::Error::other(e.to_string()))?;
        let header = HeaderFields {
            segment_id: SegmentId(id),
            device_id: device_id.to_string(),
            subject_id: subject_id.to_string(),
            start_ns: meta.wall_anchor_ns,
        };
        let sealer = Sealer::new(writer, recipients, header, key).map_err(io::Error::other)?;
        Ok(SealStream { sealer })
    }

    /// An opener for a streaming segment sink: every new segment is sealed
    /// into the spool.
    pub fn opener(
        spool: Arc<Spool>,
        recipients: Vec<RecipientPublicKey>,
        key: Arc<DeviceSigningKey>,
        device_id: String,
        subject_id: String,
    ) -> tracewell_segment::StreamOpener {
        Box::new(move |meta| {
            let stream = SealStream::start(&spool, &recipients, &key, &device_id, &subject_id, meta)?;
            Ok(Box::new(stream) as Box<dyn SegmentStream>)
        })
    }
}

impl Write for SealStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sealer.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.sealer.flush()
    }
}

impl SegmentStream for SealStream {
    fn finish(self: Box<Self>) -> io::Result<String> {
        let end_ns = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
        let sealed = self.sealer.finish(end_ns).map_err(io::Error::other)?;
        let entry = sealed.writer.commit().map_err(io::Error::other)?;
        Ok(entry.hash.to_string())
    }
}
