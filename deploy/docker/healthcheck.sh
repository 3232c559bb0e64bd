#!/bin/sh
# The image's HEALTHCHECK: the service's ops /livez on loopback, through Node's fetch (the
# image has no curl). The ops listener must listen on loopback or 0.0.0.0 for this to reach it.
set -eu
case "$SERVICE" in
  ingest) port="${INGEST_OPS_PORT:-9090}" ;;
  analytics) port="${ANALYTICS_OPS_PORT:-9191}" ;;
  notifications) port="${NOTIFICATIONS_OPS_PORT:-9192}" ;;
  email) port="${EMAIL_OPS_PORT:-9193}" ;;
  # The console has one port; its /livez needs no token.
  console) port="${CONSOLE_PORT:-9300}" ;;
  *) exit 1 ;;
esac
exec node -e "fetch('http://127.0.0.1:$port/livez', { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
