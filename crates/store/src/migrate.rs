//! The migration list. Each backend applies these in version order inside a
//! transaction and records `(version, name, applied_at)` in
//! `schema_migrations`; a database that records a version this build does
//! not know is refused.

/// One migration: version, name, SQL.
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub(crate) const SQLITE: &[Migration] = &[Migration {
    version: 1,
    name: "init",
    sql: include_str!("../migrations/sqlite/0001_init.sql"),
}];

pub(crate) const POSTGRES: &[Migration] = &[Migration {
    version: 1,
    name: "init",
    sql: include_str!("../migrations/postgres/0001_init.sql"),
}];

pub(crate) const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at BIGINT NOT NULL
)";

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
