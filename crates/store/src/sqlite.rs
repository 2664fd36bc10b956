//! [`SqliteStore`]: the metadata in one SQLite file (the embedded default).
//!
//! The database runs in WAL mode with `synchronous=FULL`, so a committed
//! transaction survives power loss. All writes go through one writer
//! thread that commits in groups: it takes every write waiting in its queue
//! (up to [`MAX_GROUP`]), runs each inside its own savepoint, commits once,
//! and only then answers the callers. One fsync thus covers many concurrent
//! requests without weakening any: no caller hears `Ok` before its write is
//! durable, and a failing write rolls back only its own savepoint. Reads use
//! a small pool of separate connections, which WAL lets run alongside the
//! writer.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::oneshot;

use crate::error::{Error, Result};
use crate::metadata::{DeviceRecord, EnrollOutcome, MetadataStore, SegmentRecord};
use crate::migrate;

/// Most writes committed together.
pub const MAX_GROUP: usize = 256;
/// Seconds between prunes of old nonces.
const PRUNE_EVERY: i64 = 60;

type Completion = Box<dyn FnOnce(Option<&str>) + Send>;
type Job = Box<dyn FnOnce(&Connection) -> Completion + Send>;

/// SQLite metadata store.
pub struct SqliteStore {
    path: PathBuf,
    jobs: Mutex<mpsc::Sender<Job>>,
    readers: Arc<Mutex<Vec<Connection>>>,
    last_prune: AtomicI64,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish()
    }
}

fn open_connection(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    conn.execute_batch(migrate::CREATE_TABLE)?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let applied: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    let known = migrate::SQLITE.last().map_or(0, |m| m.version);
    if applied > known {
        return Err(Error::Migration(format!(
            "database schema version {applied} is newer than this build knows ({known})"
        )));
    }
    for m in migrate::SQLITE.iter().filter(|m| m.version > applied) {
        tx.execute_batch(m.sql)
            .map_err(|e| Error::Migration(format!("{:04}_{}: {e}", m.version, m.name)))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            params![m.version, m.name, migrate::now()],
        )?;
    }
    tx.commit()?;
    Ok(())
}

fn writer_loop(conn: Connection, jobs: mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let began = conn.execute_batch("BEGIN IMMEDIATE");
        if let Err(e) = began {
            // Dropping the jobs unblocks their callers with an error.
            tracing::error!("SQLite BEGIN failed: {e}");
            drop(batch);
            continue;
        }
        let done: Vec<Completion> = batch.into_iter().map(|job| job(&conn)).collect();
        let commit = conn.execute_batch("COMMIT").map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            format!("commit failed: {e}")
        });
        let err = commit.err();
        for d in done {
            d(err.as_deref());
        }
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and applies
    /// pending migrations.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self> {
        let path = path.into();
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)?;
        }
        let mut conn = open_connection(&path)?;
        migrate(&mut conn)?;
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer_loop(conn, rx))?;
        Ok(SqliteStore {
            path,
            jobs: Mutex::new(tx),
            readers: Arc::new(Mutex::new(Vec::new())),
            last_prune: AtomicI64::new(0),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in the writer's next group commit and returns its result once
    /// the group is durable.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (tx, rx) = oneshot::channel::<Result<T>>();
        let job: Job = Box::new(move |conn: &Connection| {
            let result = conn
                .execute_batch("SAVEPOINT op")
                .map_err(Error::from)
                .and_then(|()| {
                    let r = f(conn);
                    let end = if r.is_ok() {
                        "RELEASE op"
                    } else {
                        "ROLLBACK TO op; RELEASE op"
                    };
                    conn.execute_batch(end)?;
                    r
                });
            Box::new(move |commit_err: Option<&str>| {
                let out = match commit_err {
                    Some(msg) => Err(Error::Io(std::io::Error::other(msg.to_owned()))),
                    None => result,
                };
                let _ = tx.send(out);
            })
        });
        self.jobs
            .lock()
            .map_err(|_| Error::WorkerGone)?
            .send(job)
            .map_err(|_| Error::WorkerGone)?;
        rx.await.map_err(|_| Error::WorkerGone)?
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let readers = Arc::clone(&self.readers);
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = readers.lock().ok().and_then(|mut v| v.pop());
            let conn = match pooled {
                Some(c) => c,
                None => {
                    let c = open_connection(&path)?;
                    c.pragma_update(None, "query_only", "ON")?;
                    c
                }
            };
            let r = f(&conn);
            if let Ok(mut v) = readers.lock()
                && v.len() < 8
            {
                v.push(conn);
            }
            r
        })
        .await
        .map_err(|_| Error::WorkerGone)?
    }
}

const SEGMENT_COLUMNS: &str =
    "hash, segment_id, device_id, subject_id, start_ns, end_ns, size, object_key, received_at";

fn segment_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SegmentRecord> {
    Ok(SegmentRecord {
        hash: r.get(0)?,
        segment_id: r.get(1)?,
        device_id: r.get(2)?,
        subject_id: r.get(3)?,
        start_ns: r.get(4)?,
        end_ns: r.get(5)?,
        size: r.get(6)?,
        object_key: r.get(7)?,
        received_at: r.get(8)?,
    })
}

#[async_trait]
impl MetadataStore for SqliteStore {
    async fn add_enrollment_token(
        &self,
        token_hash: &str,
        created_at: i64,
        expires_at: i64,
    ) -> Result<()> {
        let token_hash = token_hash.to_owned();
        self.write(move |c| {
            c.prepare_cached(
                "INSERT INTO enrollment_tokens (token_hash, created_at, expires_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![token_hash, created_at, expires_at])?;
            Ok(())
        })
        .await
    }

    async fn enroll(
        &self,
        token_hash: &str,
        now: i64,
        device: &DeviceRecord,
    ) -> Result<EnrollOutcome> {
        let token_hash = token_hash.to_owned();
        let device = device.clone();
        self.write(move |c| {
            let token: Option<(i64, Option<i64>)> = c
                .prepare_cached(
                    "SELECT expires_at, used_at FROM enrollment_tokens WHERE token_hash = ?1",
                )?
                .query_row(params![token_hash], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let outcome = match token {
                None => EnrollOutcome::UnknownToken,
                Some((_, Some(_))) => EnrollOutcome::UsedToken,
                Some((expires, None)) if expires <= now => EnrollOutcome::ExpiredToken,
                Some(_) => {
                    let taken: Option<i64> = c
                        .prepare_cached(
                            "SELECT 1 FROM devices WHERE device_key = ?1 OR device_id = ?2",
                        )?
                        .query_row(params![device.device_key, device.device_id], |r| r.get(0))
                        .optional()?;
                    if taken.is_some() {
                        EnrollOutcome::AlreadyEnrolled
                    } else {
                        c.prepare_cached(
                            "UPDATE enrollment_tokens SET used_at = ?2 WHERE token_hash = ?1",
                        )?
                        .execute(params![token_hash, now])?;
                        c.prepare_cached(
                            "INSERT INTO devices (device_id, device_key, enrolled_at, revoked_at) VALUES (?1, ?2, ?3, ?4)",
                        )?
                        .execute(params![
                            device.device_id,
                            device.device_key,
                            device.enrolled_at,
                            device.revoked_at
                        ])?;
                        EnrollOutcome::Enrolled
                    }
                }
            };
            Ok(outcome)
        })
        .await
    }

    async fn device(&self, device_id: &str) -> Result<Option<DeviceRecord>> {
        let device_id = device_id.to_owned();
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT device_id, device_key, enrolled_at, revoked_at FROM devices WHERE device_id = ?1",
            )?
            .query_row(params![device_id], |r| {
                Ok(DeviceRecord {
                    device_id: r.get(0)?,
                    device_key: r.get(1)?,
                    enrolled_at: r.get(2)?,
                    revoked_at: r.get(3)?,
                })
            })
            .optional()?)
        })
        .await
    }

    async fn revoke_device(&self, device_id: &str, at: i64) -> Result<Option<i64>> {
        let device_id = device_id.to_owned();
        self.write(move |c| {
            c.prepare_cached(
                "UPDATE devices SET revoked_at = ?2 WHERE device_id = ?1 AND revoked_at IS NULL",
            )?
            .execute(params![device_id, at])?;
            Ok(
                c.prepare_cached("SELECT revoked_at FROM devices WHERE device_id = ?1")?
                    .query_row(params![device_id], |r| r.get::<_, Option<i64>>(0))
                    .optional()?
                    .flatten(),
            )
        })
        .await
    }

    async fn use_nonce(
        &self,
        device_id: &str,
        nonce: &str,
        now: i64,
        forget_before: i64,
    ) -> Result<bool> {
        let (device_id, nonce) = (device_id.to_owned(), nonce.to_owned());
        let last = self.last_prune.load(Ordering::Relaxed);
        let prune = now - last >= PRUNE_EVERY
            && self
                .last_prune
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok();
        self.write(move |c| {
            if prune {
                c.prepare_cached("DELETE FROM request_nonces WHERE seen_at < ?1")?
                    .execute(params![forget_before])?;
            }
            let n = c
                .prepare_cached(
                    "INSERT OR IGNORE INTO request_nonces (device_id, nonce, seen_at) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![device_id, nonce, now])?;
            Ok(n == 1)
        })
        .await
    }

    async fn segment(&self, hash: &str) -> Result<Option<SegmentRecord>> {
        let hash = hash.to_owned();
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {SEGMENT_COLUMNS} FROM segments WHERE hash = ?1"
            ))?
            .query_row(params![hash], segment_row)
            .optional()?)
        })
        .await
    }

    async fn insert_segment(&self, s: &SegmentRecord) -> Result<bool> {
        let s = s.clone();
        self.write(move |c| {
            let n = c
                .prepare_cached(&format!(
                    "INSERT INTO segments ({SEGMENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (hash) DO NOTHING"
                ))?
                .execute(params![
                    s.hash,
                    s.segment_id,
                    s.device_id,
                    s.subject_id,
                    s.start_ns,
                    s.end_ns,
                    s.size,
                    s.object_key,
                    s.received_at
                ])?;
            Ok(n == 1)
        })
        .await
    }

    async fn list_segments(&self, after: Option<&str>, limit: u32) -> Result<Vec<SegmentRecord>> {
        let after = after.unwrap_or("").to_owned();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {SEGMENT_COLUMNS} FROM segments WHERE hash > ?1 ORDER BY hash LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![after, limit], segment_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    fn describe(&self) -> String {
        format!("SQLite {}", self.path.display())
    }
}
