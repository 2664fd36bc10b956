//! Nothing the collector writes contains segment plaintext: seal segments
//! full of marker strings, ingest them every way the server can (in memory,
//! through a staging file, in resumable parts), then search every byte under
//! the data directory — objects, SQLite database, WAL and shared memory,
//! staging area — and the server's own log output at TRACE level.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use common::*;
use tracewell_protocol::content_hash;

const MARKERS: &[&str] = &[
    "TRACEWELL-MARKER-hunter2-correct-horse-battery",
    "4111 1111 1111 1111",
    "typed-secret-9f2c7d1e-in-a-window-title",
];

#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Which markers (raw or hex-encoded) occur in `bytes`.
fn found_in(bytes: &[u8]) -> Vec<&'static str> {
    MARKERS
        .iter()
        .copied()
        .filter(|m| {
            let hex = tracewell_protocol::hex(m.as_bytes());
            [m.as_bytes(), hex.as_bytes()]
                .iter()
                .any(|needle| bytes.windows(needle.len()).any(|w| w == *needle))
        })
        .collect()
}

fn plaintext(seed: u64, len: usize) -> Vec<u8> {
    let mut text = Vec::new();
    while text.len() < len {
        for m in MARKERS {
            text.extend_from_slice(m.as_bytes());
            text.extend_from_slice(&pseudo_random(97, seed + text.len() as u64));
        }
    }
    text
}

#[tokio::test]
async fn no_plaintext_marker_in_anything_the_server_wrote() {
    let logs = LogBuffer::default();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(logs.clone())
            .finish(),
    )
    .unwrap();

    // The search works: a marker is found in plain bytes and in hex.
    assert_eq!(found_in(&plaintext(0, 10)).len(), MARKERS.len());
    assert_eq!(
        found_in(tracewell_protocol::hex(MARKERS[0].as_bytes()).as_bytes()),
        [MARKERS[0]]
    );

    let ts = TestServer::new().await;
    let device = ts.enroll().await;
    let mut uploaded = 0;
    // Small (checked in memory), large (staging file), and in parts.
    for (i, size) in [(1u64, 20_000usize), (2, 3_000_000)] {
        let sealed = seal(&device, &ts.recipient, &plaintext(i, size));
        assert!(found_in(&sealed).is_empty(), "sealing hides the markers");
        let hash = content_hash(&sealed);
        let r = ts
            .send(signed(&device, "PUT", &segment_path(&hash), sealed, None))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        uploaded += 1;
    }
    let sealed = seal(&device, &ts.recipient, &plaintext(3, 1_200_000));
    let hash = content_hash(&sealed);
    let n = sealed.len();
    for (first, last) in [(0, n / 2 - 1), (n / 2, n - 1)] {
        let range = format!("bytes {first}-{last}/{n}");
        let r = ts
            .send(signed(
                &device,
                "PUT",
                &segment_path(&hash),
                sealed[first..=last].to_vec(),
                Some(&range),
            ))
            .await;
        assert!(r.status.is_success(), "{}", r.json);
    }
    uploaded += 1;
    // A resumable upload left half done stays on disk as a part file.
    let pending = seal(&device, &ts.recipient, &plaintext(4, 500_000));
    let ph = content_hash(&pending);
    let range = format!("bytes 0-99999/{}", pending.len());
    let r = ts
        .send(signed(
            &device,
            "PUT",
            &segment_path(&ph),
            pending[..100_000].to_vec(),
            Some(&range),
        ))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert_eq!(ts.segment_count().await, uploaded);

    let mut files = Vec::new();
    walk(ts.dir.path(), &mut files);
    let names: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(ts.dir.path()).unwrap().display().to_string())
        .collect();
    assert!(names.iter().any(|n| n == "metadata.sqlite"), "{names:?}");
    assert!(
        names.iter().any(|n| n == "metadata.sqlite-wal"),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n.ends_with(".part")), "{names:?}");
    assert_eq!(
        names.iter().filter(|n| n.ends_with(".seal")).count(),
        uploaded
    );
    let mut total = 0;
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        total += bytes.len();
        let hits = found_in(&bytes);
        assert!(hits.is_empty(), "{} contains {hits:?}", f.display());
    }
    assert!(total > 4_000_000, "searched {total} bytes");

    let logs = logs.0.lock().unwrap().clone();
    assert!(
        String::from_utf8_lossy(&logs).contains("segment stored"),
        "server logs were captured"
    );
    let hits = found_in(&logs);
    assert!(hits.is_empty(), "logs contain {hits:?}");
}
