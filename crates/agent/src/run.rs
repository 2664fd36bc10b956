//! The daemon: a recording session whose segments are sealed into the
//! spool, and an upload thread that empties the spool.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tracewell_policy::Policy;
use tracewell_recorder::{SessionOptions, Stats, Summary};
use tracewell_seal::{DeviceSigningKey, RecipientPublicKey};
use tracewell_spool::{Spool, SpoolOptions};

use crate::enroll::check_url;
use crate::uploader::{Backoff, UploadOutcome, Uploader};
use crate::{AgentConfig, AgentState, Error, SealStream};

/// How the daemon runs (beyond its configuration).
pub struct RunOptions {
    pub display: Option<String>,
    pub duration: Option<Duration>,
    /// The recorder's control socket.
    pub control: Option<PathBuf>,
    /// Session settings to start from (frame rates, segment size …).
    pub session: Option<SessionOptions>,
    /// After capture stops, keep uploading for at most this long.
    pub drain_for: Duration,
}

/// Runs the agent until `stop` is set (or the duration passes), then
/// uploads what it can within `drain_for`. Returns the recording summary
/// and the final state.
pub fn run(
    config: &AgentConfig,
    options: RunOptions,
    stop: &AtomicBool,
    progress: impl FnMut(&Stats),
) -> Result<(Summary, AgentState), Error> {
    check_url(&config.server)?;
    let key = Arc::new(DeviceSigningKey::read_file(&config.device_key)?);
    let recipients: Vec<RecipientPublicKey> = config
        .recipients
        .iter()
        .map(|r| r.parse().map_err(|_| Error::Config { path: config.state_path(), reason: format!("bad recipient {r:?}") }))
        .collect::<Result<_, _>>()?;
    let mut policy = match &config.policy {
        Some(path) => Policy::load(path)?,
        None => Policy::default(),
    };
    policy.allow_apps(&config.allow_apps);
    let spool = Arc::new(Spool::open(
        &config.spool,
        SpoolOptions { quota_bytes: config.spool_quota_mib * 1024 * 1024, ..SpoolOptions::default() },
    )?);

    // The largest segment the session's sink writes: capture waits for
    // uploads while less room than that is left (`hold_for_room`).
    let sink = options.session.as_ref().map(|s| s.sink.clone()).unwrap_or_default();
    let headroom = sink.max_bytes + sink.writer.chunk_size;
    let state = Arc::new(Mutex::new(AgentState { capture: "recording".into(), ..AgentState::default() }));
    let uploads_stop = Arc::new(AtomicBool::new(false));
    let uploader = {
        let (spool, state, stop) = (spool.clone(), state.clone(), uploads_stop.clone());
        let uploader = Uploader::new(&config.server, &config.device_id, &key);
        let state_path = config.state_path();
        std::thread::Builder::new()
            .name("tw-upload".into())
            .spawn(move || upload_loop(&uploader, &spool, headroom, &state, &state_path, &stop))
            .map_err(|e| Error::Io { path: config.spool.clone(), source: e })?
    };

    let mut session = options.session.unwrap_or_else(|| SessionOptions::new(&config.spool, policy.clone()));
    session.policy = policy;
    session.display = options.display;
    session.duration = options.duration;
    session.control = options.control;
    session.streams = Some(Arc::new(Mutex::new(SealStream::opener(
        spool.clone(),
        recipients,
        key.clone(),
        config.device_id.clone(),
        config.subject_id.clone(),
    ))));
    let quota_spool = spool.clone();
    session.hold = Some(Arc::new(move || hold_for_room(&quota_spool, headroom)));
    let mut progress = progress;
    let progress_state = state.clone();
    let recorded = tracewell_recorder::record(&session, stop, |stats| {
        progress_state.lock().expect("state lock").capture = if stats.paused { "paused" } else { "recording" }.into();
        progress(stats)
    });

    // Upload what is left, for a while.
    let deadline = Instant::now() + options.drain_for;
    while !spool.pending().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    uploads_stop.store(true, Ordering::SeqCst);
    let _ = uploader.join();
    let mut final_state = state.lock().expect("state lock").clone();
    final_state.capture = "stopped".into();
    refresh_usage(&mut final_state, &spool, headroom);
    let _ = final_state.write(&config.state_path());
    Ok((recorded?, final_state))
}

fn refresh_usage(state: &mut AgentState, spool: &Spool, headroom: u64) {
    let usage = spool.usage();
    state.spool_bytes = usage.bytes;
    state.spool_entries = usage.entries;
    state.spool_quota_bytes = usage.quota_bytes;
    state.held_because = hold_for_room(spool, headroom).map(|_| "spool full or nearly".to_string());
    state.updated = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
}

fn upload_loop(
    uploader: &Uploader,
    spool: &Spool,
    headroom: u64,
    state: &Mutex<AgentState>,
    state_path: &std::path::Path,
    stop: &AtomicBool,
) {
    let mut backoff = Backoff::default();
    let mut next_try = Instant::now();
    let mut last_state = Instant::now() - Duration::from_secs(60);
    while !stop.load(Ordering::SeqCst) {
        if Instant::now() >= next_try && !spool.pending().is_empty() {
            let result = uploader.drain(spool, Instant::now() + Duration::from_secs(30));
            let mut s = state.lock().expect("state lock");
            match result {
                Ok(n) => {
                    if n > 0 {
                        s.uploaded += n;
                        s.last_upload = Some(SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0));
                        s.last_error = None;
                    }
                    backoff.reset();
                }
                Err(UploadOutcome::Refused(why)) => {
                    s.last_error = Some(format!("the collector refused this device: {why}"));
                    next_try = Instant::now() + Duration::from_secs(300);
                }
                Err(UploadOutcome::Retry(why) | UploadOutcome::Rejected(why)) => {
                    s.last_error = Some(why);
                    next_try = Instant::now() + backoff.next_delay();
                }
                Err(UploadOutcome::Stored) => {}
            }
        }
        if last_state.elapsed() >= Duration::from_secs(2) {
            last_state = Instant::now();
            let mut s = state.lock().expect("state lock");
            refresh_usage(&mut s, spool, headroom);
            let _ = s.write(state_path);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Uploads what the spool holds, without recording, until it is empty or
/// `limit` passes; failed attempts back off as in the daemon. Returns how
/// many segments the collector acknowledged and how many are left.
pub fn upload_pending(config: &AgentConfig, limit: Duration) -> Result<(u64, usize), Error> {
    check_url(&config.server)?;
    let key = DeviceSigningKey::read_file(&config.device_key)?;
    let spool = Spool::open(
        &config.spool,
        SpoolOptions { quota_bytes: config.spool_quota_mib * 1024 * 1024, ..SpoolOptions::default() },
    )?;
    let uploader = Uploader::new(&config.server, &config.device_id, &key);
    let deadline = Instant::now() + limit;
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(5));
    let mut stored = 0;
    while !spool.pending().is_empty() && Instant::now() < deadline {
        match uploader.drain(&spool, deadline) {
            Ok(n) => {
                stored += n;
                backoff.reset();
            }
            Err(UploadOutcome::Refused(why)) => return Err(Error::Refused(why)),
            Err(_) => std::thread::sleep(backoff.next_delay().min(deadline.saturating_duration_since(Instant::now()))),
        }
    }
    Ok((stored, spool.pending().len()))
}

/// Why capture must wait for uploads, if it must: the spool is full, or
/// the segment being written might not fit. A segment is refused only when
/// it is committed, and a refusal ends the session (and loses the
/// segment), so capture pauses while the room left is below `headroom`
/// (the largest segment the sink writes), or half the quota when that is
/// smaller, and resumes once uploads make room.
fn hold_for_room(spool: &Spool, headroom: u64) -> Option<String> {
    let quota = spool.usage().quota_bytes;
    (spool.is_full() || spool.would_exceed(headroom.min(quota / 2))).then(|| {
        "the spool is full or nearly (the collector has not acknowledged enough segments); capture resumes once uploads make room"
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use tracewell_seal::{HeaderFields, RecipientIdentity, Sealer, SegmentId};

    use super::*;

    /// Seals `plaintext` bytes into the spool as one segment.
    fn add(spool: &Spool, plaintext: usize, id: u8) {
        let recipient = RecipientIdentity::generate().unwrap();
        let device = DeviceSigningKey::generate().unwrap();
        let fields = HeaderFields {
            segment_id: SegmentId::from_bytes([id; 16]),
            device_id: "laptop".into(),
            subject_id: "subject".into(),
            start_ns: 1,
        };
        let mut sealer = Sealer::new(spool.begin().unwrap(), &[recipient.public_key().clone()], fields, &device).unwrap();
        sealer.write_all(&vec![id; plaintext]).unwrap();
        sealer.finish(2).unwrap().writer.commit().unwrap();
    }

    #[test]
    fn capture_waits_before_a_segment_could_be_refused() {
        let options = SpoolOptions { quota_bytes: 100_000, ..SpoolOptions::default() };
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::open(dir.path(), options.clone()).unwrap();
        assert_eq!(hold_for_room(&spool, 30_000), None);
        add(&spool, 60_000, 1);
        let room = 100_000 - spool.usage().bytes;
        assert!((39_000..40_000).contains(&room), "{room}");
        // A 30 kB segment fits in what is left, a 45 kB one might not.
        assert_eq!(hold_for_room(&spool, 30_000), None);
        assert!(hold_for_room(&spool, 45_000).is_some());
        // Segments as large as the quota: held once less than half is left.
        assert!(hold_for_room(&spool, 500_000).is_some());
        let other = tempfile::tempdir().unwrap();
        let roomy = Spool::open(other.path(), options).unwrap();
        add(&roomy, 40_000, 2);
        assert_eq!(hold_for_room(&roomy, 500_000), None, "more than half the quota is left");
    }
}
