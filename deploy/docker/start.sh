#!/bin/sh
# The image's entry point: runs the service the image was built for ($SERVICE), with Node as
# PID 1 so that SIGTERM reaches its graceful shutdown. Extra arguments go to the service
# (e.g. --help).
set -eu
cd "$(dirname "$0")/../.."
case "$SERVICE" in
  # Measured (BENCHMARKS.md, where bench:ingest starts ingest through this line): a smaller young
  # generation and an old generation capped at 160 MB keep peak memory under load below 200 MB;
  # starting the old generation at 64 MB spares the mark-compacts V8 otherwise runs every
  # ~300 ms at a 35 MB heap under that cap (CPU per request 350 us instead of 620). The cap
  # leaves room for the largest backlog ingest holds (INGEST_MAX_PENDING_RECORDS, 20,000
  # records; their bodies are Buffers outside the heap) under the pod's 384 Mi limit.
  ingest) exec node --max-semi-space-size=8 --initial-old-space-size=64 --max-old-space-size=160 services/ingest/src/main.ts "$@" ;;
  analytics | email | notifications) exec node "services/$SERVICE/src/main.ts" "$@" ;;
  *) echo "start.sh: SERVICE must be ingest, analytics, email or notifications (got '$SERVICE')" >&2 && exit 78 ;;
esac
