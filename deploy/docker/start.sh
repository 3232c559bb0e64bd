#!/bin/sh
# The image's entry point: runs the service the image was built for ($SERVICE), with Node as
# PID 1 so that SIGTERM reaches its graceful shutdown. Extra arguments go to the service
# (e.g. --help).
set -eu
cd "$(dirname "$0")/../.."
case "$SERVICE" in
  # Measured (BENCHMARKS.md): a smaller young generation costs a little throughput and saves
  # about 90 MB of peak memory under load.
  ingest) exec node --max-semi-space-size=8 services/ingest/src/main.ts "$@" ;;
  analytics | email | notifications) exec node "services/$SERVICE/src/main.ts" "$@" ;;
  *) echo "start.sh: SERVICE must be ingest, analytics, email or notifications (got '$SERVICE')" >&2 && exit 78 ;;
esac
