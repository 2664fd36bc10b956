//! [`PostgresStore`]: the metadata in PostgreSQL (the scale-out backend;
//! many collector replicas can share one database).
//!
//! Connects with a `postgres://user[:password]@host[:port]/database` URL
//! (any libpq-style URL tokio-postgres accepts) through a connection pool,
//! without TLS — keep the database on a private network or loopback.
//! Migrations run under a transaction-scoped advisory lock, so replicas
//! starting together apply each migration once.

use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};

use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;

use crate::error::{Error, Result};
use crate::metadata::{DeviceRecord, EnrollOutcome, MetadataStore, SegmentRecord};
use crate::migrate;

/// Advisory lock key held while migrating.
const MIGRATION_LOCK: i64 = 0x7472_6163_6577_656c; // "tracewel"
const PRUNE_EVERY: i64 = 60;

/// PostgreSQL metadata store.
pub struct PostgresStore {
    pool: Pool,
    describe: String,
    last_prune: AtomicI64,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("server", &self.describe)
            .finish()
    }
}

fn pool_err(e: impl std::fmt::Display) -> Error {
    Error::Pool(e.to_string())
}

const SEGMENT_COLUMNS: &str =
    "hash, segment_id, device_id, subject_id, start_ns, end_ns, size, object_key, received_at";

fn segment_row(r: &tokio_postgres::Row) -> Result<SegmentRecord> {
    Ok(SegmentRecord {
        hash: r.try_get(0)?,
        segment_id: r.try_get(1)?,
        device_id: r.try_get(2)?,
        subject_id: r.try_get(3)?,
        start_ns: r.try_get(4)?,
        end_ns: r.try_get(5)?,
        size: r.try_get(6)?,
        object_key: r.try_get(7)?,
        received_at: r.try_get(8)?,
    })
}

impl PostgresStore {
    /// Connects (pool of up to `max_connections`) and applies pending
    /// migrations.
    pub async fn connect(url: &str, max_connections: usize) -> Result<Self> {
        let config = tokio_postgres::Config::from_str(url)
            .map_err(|e| Error::Config(format!("database URL: {e}")))?;
        let host = config
            .get_hosts()
            .first()
            .map(|h| match h {
                tokio_postgres::config::Host::Tcp(s) => s.clone(),
                tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
            })
            .unwrap_or_default();
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let describe = format!(
            "PostgreSQL {host}:{port}/{}",
            config.get_dbname().unwrap_or("")
        );
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(max_connections.max(1))
            .build()
            .map_err(pool_err)?;
        let store = PostgresStore {
            pool,
            describe,
            last_prune: AtomicI64::new(0),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool.get().await.map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => Error::Postgres(e),
            other => pool_err(other),
        })
    }

    async fn migrate(&self) -> Result<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        tx.batch_execute(migrate::CREATE_TABLE).await?;
        let applied: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
                &[],
            )
            .await?
            .try_get(0)?;
        let known = migrate::POSTGRES.last().map_or(0, |m| m.version);
        if applied > known {
            return Err(Error::Migration(format!(
                "database schema version {applied} is newer than this build knows ({known})"
            )));
        }
        for m in migrate::POSTGRES.iter().filter(|m| m.version > applied) {
            tx.batch_execute(m.sql)
                .await
                .map_err(|e| Error::Migration(format!("{:04}_{}: {e}", m.version, m.name)))?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                &[&m.version, &m.name, &migrate::now()],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl MetadataStore for PostgresStore {
    async fn add_enrollment_token(
        &self,
        token_hash: &str,
        created_at: i64,
        expires_at: i64,
    ) -> Result<()> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO enrollment_tokens (token_hash, created_at, expires_at) VALUES ($1, $2, $3)",
                &[&token_hash, &created_at, &expires_at],
            )
            .await?;
        Ok(())
    }

    async fn enroll(
        &self,
        token_hash: &str,
        now: i64,
        device: &DeviceRecord,
    ) -> Result<EnrollOutcome> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let token = tx
            .query_opt(
                "SELECT expires_at, used_at FROM enrollment_tokens WHERE token_hash = $1 FOR UPDATE",
                &[&token_hash],
            )
            .await?;
        let outcome = match token {
            None => EnrollOutcome::UnknownToken,
            Some(row) => {
                let expires: i64 = row.try_get(0)?;
                let used: Option<i64> = row.try_get(1)?;
                if used.is_some() {
                    EnrollOutcome::UsedToken
                } else if expires <= now {
                    EnrollOutcome::ExpiredToken
                } else {
                    let inserted = tx
                        .execute(
                            "INSERT INTO devices (device_id, device_key, enrolled_at, revoked_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                            &[
                                &device.device_id,
                                &device.device_key,
                                &device.enrolled_at,
                                &device.revoked_at,
                            ],
                        )
                        .await?;
                    if inserted == 0 {
                        EnrollOutcome::AlreadyEnrolled
                    } else {
                        tx.execute(
                            "UPDATE enrollment_tokens SET used_at = $2 WHERE token_hash = $1",
                            &[&token_hash, &now],
                        )
                        .await?;
                        EnrollOutcome::Enrolled
                    }
                }
            }
        };
        if outcome == EnrollOutcome::Enrolled {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(outcome)
    }

    async fn device(&self, device_id: &str) -> Result<Option<DeviceRecord>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT device_id, device_key, enrolled_at, revoked_at FROM devices WHERE device_id = $1",
                &[&device_id],
            )
            .await?;
        row.map(|r| {
            Ok(DeviceRecord {
                device_id: r.try_get(0)?,
                device_key: r.try_get(1)?,
                enrolled_at: r.try_get(2)?,
                revoked_at: r.try_get(3)?,
            })
        })
        .transpose()
    }

    async fn revoke_device(&self, device_id: &str, at: i64) -> Result<Option<i64>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "UPDATE devices SET revoked_at = COALESCE(revoked_at, $2) WHERE device_id = $1 RETURNING revoked_at",
                &[&device_id, &at],
            )
            .await?;
        Ok(match row {
            Some(r) => r.try_get(0)?,
            None => None,
        })
    }

    async fn use_nonce(
        &self,
        device_id: &str,
        nonce: &str,
        now: i64,
        forget_before: i64,
    ) -> Result<bool> {
        let client = self.client().await?;
        let last = self.last_prune.load(Ordering::Relaxed);
        if now - last >= PRUNE_EVERY
            && self
                .last_prune
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            client
                .execute(
                    "DELETE FROM request_nonces WHERE seen_at < $1",
                    &[&forget_before],
                )
                .await?;
        }
        let n = client
            .execute(
                "INSERT INTO request_nonces (device_id, nonce, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&device_id, &nonce, &now],
            )
            .await?;
        Ok(n == 1)
    }

    async fn segment(&self, hash: &str) -> Result<Option<SegmentRecord>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                &format!("SELECT {SEGMENT_COLUMNS} FROM segments WHERE hash = $1"),
                &[&hash],
            )
            .await?;
        row.as_ref().map(segment_row).transpose()
    }

    async fn insert_segment(&self, s: &SegmentRecord) -> Result<bool> {
        let client = self.client().await?;
        let n = client
            .execute(
                &format!(
                    "INSERT INTO segments ({SEGMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (hash) DO NOTHING"
                ),
                &[
                    &s.hash,
                    &s.segment_id,
                    &s.device_id,
                    &s.subject_id,
                    &s.start_ns,
                    &s.end_ns,
                    &s.size,
                    &s.object_key,
                    &s.received_at,
                ],
            )
            .await;
        match n {
            Ok(n) => Ok(n == 1),
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn list_segments(&self, after: Option<&str>, limit: u32) -> Result<Vec<SegmentRecord>> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {SEGMENT_COLUMNS} FROM segments WHERE hash > $1 ORDER BY hash LIMIT $2"
                ),
                &[&after.unwrap_or(""), &i64::from(limit)],
            )
            .await?;
        rows.iter().map(segment_row).collect()
    }

    fn describe(&self) -> String {
        self.describe.clone()
    }
}
