#!/usr/bin/env bash
# Runs every test of the workspace, with a throwaway PostgreSQL and S3 store
# (SeaweedFS) started for the scale-out tests and stopped afterwards. Every
# X test starts its own Xvfb. Extra arguments go to `cargo test`.
set -euo pipefail
exec "$(dirname "$0")/test-services/run-scale-out-tests.sh" --workspace "$@"
