#!/usr/bin/env bash
# Prints N free TCP ports on 127.0.0.1 (default 1), one per line, each below
# 55000 and with port+10000 free too (services that derive a gRPC port from
# their HTTP port by adding 10000 need that).
set -euo pipefail
python3 - "${1:-1}" <<'PY'
import random, socket, sys
def free(p):
    s = socket.socket()
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", p)); return True
    except OSError:
        return False
    finally:
        s.close()
want, got = int(sys.argv[1]), []
while len(got) < want:
    p = random.randint(20000, 54999)
    if p in got or p + 10000 in got or any(abs(p - q) == 10000 for q in got):
        continue
    if free(p) and free(p + 10000):
        got.append(p)
print("\n".join(map(str, got)))
PY
