-- Tracewell collector metadata, SQLite. Only pseudonymous metadata lives
-- here: ids, public keys, hashes, sizes and times. Segment content exists
-- server-side only as ciphertext in the object store.

CREATE TABLE devices (
    device_id   TEXT PRIMARY KEY,
    device_key  TEXT NOT NULL UNIQUE,   -- tracewell-device-1:<hex> (public)
    enrolled_at INTEGER NOT NULL,       -- Unix seconds
    revoked_at  INTEGER                 -- Unix seconds, NULL while active
);

CREATE TABLE enrollment_tokens (
    token_hash TEXT PRIMARY KEY,        -- hex BLAKE3 of the token; the token itself is never stored
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER                  -- set once, when a device enrolls with it
);

CREATE TABLE segments (
    hash        TEXT PRIMARY KEY,       -- hex BLAKE3 of the whole sealed segment
    segment_id  TEXT NOT NULL,          -- 32 hex digits, from the sealed header
    device_id   TEXT NOT NULL REFERENCES devices (device_id),
    subject_id  TEXT NOT NULL,          -- pseudonymous subject id from the sealed header
    start_ns    INTEGER NOT NULL,
    end_ns      INTEGER NOT NULL,
    size        INTEGER NOT NULL,       -- bytes of the sealed segment
    object_key  TEXT NOT NULL,
    received_at INTEGER NOT NULL        -- Unix seconds
);
CREATE INDEX segments_by_device ON segments (device_id, received_at);

CREATE TABLE request_nonces (
    device_id TEXT NOT NULL,
    nonce     TEXT NOT NULL,
    seen_at   INTEGER NOT NULL,
    PRIMARY KEY (device_id, nonce)
) WITHOUT ROWID;
CREATE INDEX request_nonces_by_time ON request_nonces (seen_at);
