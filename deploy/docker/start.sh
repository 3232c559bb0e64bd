#!/bin/sh
# The image's entry point: runs the service the image was built for ($SERVICE), with Node as
# PID 1 so that SIGTERM reaches its graceful shutdown. Extra arguments go to the service
# (e.g. --help).
set -eu
cd "$(dirname "$0")/../.."
case "$SERVICE" in
  # Measured (BENCHMARKS.md, where bench:ingest starts ingest through this line): a smaller young
  # generation and an old generation capped at 160 MB keep peak memory under load below 200 MB
  # (187 MB against 310 MB), at the price of more garbage collection (about a quarter fewer
  # requests a second on the 2-core benchmark machine). The cap leaves room for the largest
  # backlog ingest holds (20,000 records; their bodies are Buffers outside the heap) under the
  # pod's 384 Mi limit. INGEST_NODE_FLAGS replaces these flags (e.g. empty for Node's defaults).
  # shellcheck disable=SC2086 # one word per flag
  ingest) exec node ${INGEST_NODE_FLAGS---max-semi-space-size=8 --initial-old-space-size=64 --max-old-space-size=160} services/ingest/src/main.ts "$@" ;;
  analytics | email | notifications | console) exec node "services/$SERVICE/src/main.ts" "$@" ;;
  *) echo "start.sh: SERVICE must be ingest, analytics, email, notifications or console (got '$SERVICE')" >&2 && exit 78 ;;
esac
