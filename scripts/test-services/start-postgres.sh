#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for tests and prints two lines:
#   TRACEWELL_TEST_POSTGRES_URL=postgres://tracewell@127.0.0.1:<port>/tracewell
#   TRACEWELL_TEST_POSTGRES_PID=<postmaster pid>
#   TRACEWELL_TEST_POSTGRES_DIR=<cluster directory>
# Stop it with: kill -INT <pid> (fast shutdown), then remove the directory. Needs Debian's `postgresql` package. PostgreSQL
# refuses to run as root, so as root the cluster runs as the `postgres`
# user (created if missing).
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
    echo "start-postgres.sh: PostgreSQL not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
    exit 1
fi
here=$(cd "$(dirname "$0")" && pwd)
port=$("$here/free-port.sh" 1)
base=$(mktemp -d "${TMPDIR:-/tmp}/tracewell-pg.XXXXXX")
chmod 755 "$base"

as_owner=()
if [[ $(id -u) -eq 0 ]]; then
    if ! id postgres >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    fi
    chown postgres: "$base"
    as_owner=(runuser -u postgres --)
fi

"${as_owner[@]}" "$bindir/initdb" -D "$base/data" -U tracewell --auth=trust \
    --no-sync -E UTF8 >"$base/initdb.log" 2>&1 || { cat "$base/initdb.log" >&2; rm -rf "$base"; exit 1; }
"${as_owner[@]}" "$bindir/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $base -c max_connections=200 -c fsync=on" \
    start >/dev/null || { cat "$base/server.log" >&2; rm -rf "$base"; exit 1; }
"${as_owner[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U tracewell tracewell

pid=$(head -n1 "$base/data/postmaster.pid")
echo "TRACEWELL_TEST_POSTGRES_URL=postgres://tracewell@127.0.0.1:$port/tracewell"
echo "TRACEWELL_TEST_POSTGRES_PID=$pid"
echo "TRACEWELL_TEST_POSTGRES_DIR=$base"
