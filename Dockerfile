# syntax=docker/dockerfile:1.7
# One production image per service, from this one file:
#   docker build --build-arg SERVICE=ingest        -t nudj-webhooks/ingest .
#   docker build --build-arg SERVICE=analytics     -t nudj-webhooks/analytics .
#   docker build --build-arg SERVICE=email         -t nudj-webhooks/email .
#   docker build --build-arg SERVICE=notifications -t nudj-webhooks/notifications .
#
# Node runs the TypeScript sources directly (type stripping). Node refuses to strip types
# under node_modules, so `pnpm deploy` (which copies workspace packages into node_modules)
# cannot be used: the image keeps the workspace layout instead, with a production install
# filtered to the service and the workspace packages it depends on (never devDependencies).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG SERVICE
ENV CI=true COREPACK_ENABLE_DOWNLOAD_PROMPT=0 npm_config_store_dir=/pnpm-store
RUN case "$SERVICE" in ingest|analytics|email|notifications|console) ;; \
      *) echo "build with --build-arg SERVICE=ingest|analytics|email|notifications|console (got '$SERVICE')" >&2; exit 1 ;; esac
# pnpm at the version package.json pins (packageManager), through corepack.
RUN corepack enable
WORKDIR /src
# Dependencies first, so a source change reuses the fetched store.
COPY package.json pnpm-workspace.yaml pnpm-lock.yaml ./
COPY patches ./patches
RUN --mount=type=cache,id=nudj-webhooks-pnpm,target=/pnpm-store pnpm fetch --prod && rm -rf node_modules
COPY . .
RUN test -f "services/$SERVICE/src/main.ts" || { echo "services/$SERVICE/src/main.ts does not exist" >&2; exit 1; }
RUN --mount=type=cache,id=nudj-webhooks-pnpm,target=/pnpm-store sh deploy/docker/build-app.sh "$SERVICE" /out

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
LABEL org.opencontainers.image.title="nudj-webhooks-${SERVICE}" \
      org.opencontainers.image.source="nudj-webhooks" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production SERVICE=${SERVICE}
WORKDIR /app
# Owned by root and only readable by the runtime user: the code cannot change itself, and
# the container runs with a read-only root filesystem.
COPY --from=build /out/ ./
USER node
# The public port and the ops port (/metrics, /livez, /readyz) of each service.
EXPOSE 8080 9090 8091 9191 8092 9192 8093 9193 9300
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["/bin/sh", "/app/deploy/docker/healthcheck.sh"]
# `node` is PID 1 (exec), so SIGTERM reaches the service's graceful shutdown. Other commands
# of the image (the ops CLI, the services' bin/) run with an explicit command instead, e.g.
#   docker run --rm nudj-webhooks/analytics node packages/kafka/bin/ops.ts topics describe
ENTRYPOINT ["/bin/sh", "/app/deploy/docker/start.sh"]
