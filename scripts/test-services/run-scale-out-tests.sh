#!/usr/bin/env bash
# Starts a throwaway PostgreSQL and a throwaway S3 store (SeaweedFS), runs the
# store and server test suites against them, and stops both on exit.
# Extra arguments go to `cargo test`, e.g. `-- --nocapture`; with
# `--workspace` first, every test of the workspace runs (scripts/test.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

pg_pid= s3_pid= pg_dir= s3_dir= s3_ports=
# Stops a process: the given signal first, SIGKILL after 10 s.
stop() {
    local pid=$1 sig=$2
    [[ -n "$pid" ]] || return 0
    kill "-$sig" "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
}
cleanup() {
    stop "$pg_pid" INT   # PostgreSQL's fast shutdown
    stop "$s3_pid" TERM
    [[ -n "$pg_dir" ]] && rm -rf "$pg_dir"
    [[ -n "$s3_dir" ]] && rm -rf "$s3_dir"
    for port in $s3_ports; do
        rm -f /tmp/seaweedfs-*-"$port".sock /tmp/seaweedfs-*-"$((port + 10000))".sock
    done
    return 0
}
trap cleanup EXIT

pg_out=$("$here/start-postgres.sh")
pg_pid=$(sed -n 's/^TRACEWELL_TEST_POSTGRES_PID=//p' <<<"$pg_out")
pg_dir=$(sed -n 's/^TRACEWELL_TEST_POSTGRES_DIR=//p' <<<"$pg_out")
export TRACEWELL_TEST_POSTGRES_URL=$(sed -n 's/^TRACEWELL_TEST_POSTGRES_URL=//p' <<<"$pg_out")

s3_out=$("$here/start-s3.sh")
s3_pid=$(sed -n 's/^TRACEWELL_TEST_S3_PID=//p' <<<"$s3_out")
s3_dir=$(sed -n 's/^TRACEWELL_TEST_S3_DIR=//p' <<<"$s3_out")
s3_ports=$(sed -n 's/^TRACEWELL_TEST_S3_PORTS=//p' <<<"$s3_out")
export TRACEWELL_TEST_S3_URL=$(sed -n 's/^TRACEWELL_TEST_S3_URL=//p' <<<"$s3_out")

echo "PostgreSQL: $TRACEWELL_TEST_POSTGRES_URL (pid $pg_pid)"
echo "S3:         ${TRACEWELL_TEST_S3_URL%%&access_key_id=*} (pid $s3_pid)"
cd "$root"
if [[ "${1:-}" == "--workspace" ]]; then
    cargo test "$@"
else
    cargo test -p tracewell-store -p tracewell-server "$@"
fi
