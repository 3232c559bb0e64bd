#!/bin/sh
# The image's build step (Dockerfile, stage `build`), also run by deploy/test without Docker:
# a production install of one service and the workspace packages it depends on, then a copy
# of exactly what it runs into OUT (no tests, no other service, no devDependencies).
# Runs at the root of a clean checkout (no node_modules), with pnpm on PATH.
#   sh deploy/docker/build-app.sh <service> <out>
set -eu
service=$1
out=$2
cd "$(dirname "$0")/../.."
folders=$(node deploy/docker/list-workspace-deps.ts "$service")
filters=""
for folder in $folders; do filters="$filters --filter ./$folder"; done
# shellcheck disable=SC2086 # one argument per filter
pnpm install --offline --frozen-lockfile --prod $filters
mkdir -p "$out"
# shellcheck disable=SC2086 # one argument per folder
tar -cf - --exclude='*/test' --exclude='*.test.ts' \
  package.json node_modules schemas deploy/topology.json deploy/docker/start.sh deploy/docker/healthcheck.sh $folders |
  tar -xf - -C "$out"
