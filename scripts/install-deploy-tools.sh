#!/usr/bin/env bash
# What the deploy checks (deploy/test) need beyond Node, installed into .tools/ from package
# registries only: kustomize and kubeconform (Go module proxy, `go install`), the Kubernetes
# JSON schemas bundled in PyPI's kubernetes-validate, KEDA's ScaledObject CRD from the KEDA
# Go module, and validators generated from Strimzi's CRDs (npm, outside the workspace).
# promtool comes from Debian (scripts/install-system-packages.sh).
# Idempotent: each piece is skipped when its pinned version is already there.
#   bash scripts/install-deploy-tools.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
kustomize_version=v5.8.1
kubeconform_version=v0.7.0
kubernetes_validate_version=1.37.0
kubernetes_schema_version=v1.33.0
keda_version=v2.18.0
# Validators generated from Strimzi's CRDs (the CRD files themselves are on no registry we reach).
strimzi_models_version=1.0.1
mkdir -p "$tools/bin" "$tools/deploy"

command -v go >/dev/null || { echo "install-deploy-tools: Go 1.24+ is needed (go install); install it, e.g. Debian's golang-go" >&2; exit 1; }
# Binaries into .tools/bin; Go's module and build caches stay where Go keeps them, so a fresh
# clone on the same machine (CI) builds from cache in seconds.
export GOBIN="$tools/bin" GOFLAGS=-modcacherw GOTOOLCHAIN=local

if [ "$("$tools/bin/kustomize" version 2>/dev/null)" != "$kustomize_version" ]; then
  models="$tools/deploy/strimzi-models"
if [ "$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$models/node_modules/@kubernetes-models/strimzi-kafka-operator/package.json" 2>/dev/null)" != "$strimzi_models_version" ]; then
  echo "install-deploy-tools: @kubernetes-models/strimzi-kafka-operator $strimzi_models_version (npm)" >&2
  rm -rf "$models" && mkdir -p "$models"
  npm install --prefix "$models" --no-save --no-audit --no-fund --loglevel=error "@kubernetes-models/strimzi-kafka-operator@$strimzi_models_version" >&2
fi
echo "install-deploy-tools: kustomize $kustomize_version" >&2
  go install "sigs.k8s.io/kustomize/kustomize/v5@$kustomize_version"
fi
# `go install` leaves kubeconform's version string empty ("development"): a stamp file records it.
if [ ! -x "$tools/bin/kubeconform" ] || [ "$(cat "$tools/deploy/kubeconform.version" 2>/dev/null)" != "$kubeconform_version" ]; then
  echo "install-deploy-tools: kubeconform $kubeconform_version" >&2
  go install "github.com/yannh/kubeconform/cmd/kubeconform@$kubeconform_version"
  echo "$kubeconform_version" >"$tools/deploy/kubeconform.version"
fi

schemas="$tools/deploy/kubernetes-json-schema/$kubernetes_schema_version-local-strict"
if [ ! -f "$schemas/deployment-apps-v1.json" ]; then
  echo "install-deploy-tools: Kubernetes $kubernetes_schema_version JSON schemas (kubernetes-validate $kubernetes_validate_version)" >&2
  download="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$download" "kubernetes-validate==$kubernetes_validate_version"
  python3 - "$download"/kubernetes_validate-*.whl "$tools/deploy" "$kubernetes_schema_version-local-strict" <<'PY'
import sys, zipfile
wheel, target, folder = sys.argv[1], sys.argv[2], sys.argv[3]
prefix = f"kubernetes_validate/kubernetes-json-schema/{folder}/"
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.startswith(prefix)]
    if not names:
        sys.exit(f"no {prefix} in {wheel}")
    for n in names:
        z.extract(n, target + "/.extract")
PY
  rm -rf "$schemas" && mkdir -p "$(dirname "$schemas")"
  mv "$tools/deploy/.extract/kubernetes_validate/kubernetes-json-schema/$kubernetes_schema_version-local-strict" "$schemas"
  rm -rf "$tools/deploy/.extract" "$download"
fi

crds="$tools/deploy/crds"
if [ ! -f "$crds/keda-$keda_version/keda.sh_scaledobjects.yaml" ]; then
  echo "install-deploy-tools: KEDA $keda_version CRDs (Go module github.com/kedacore/keda/v2)" >&2
  dir="$(go mod download -json "github.com/kedacore/keda/v2@$keda_version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [ -d "$dir/config/crd/bases" ] || { echo "install-deploy-tools: the KEDA module has no config/crd/bases" >&2; exit 1; }
  mkdir -p "$crds/keda-$keda_version"
  cp "$dir/config/crd/bases/keda.sh_scaledobjects.yaml" "$crds/keda-$keda_version/"
  ln -sfn "keda-$keda_version" "$crds/keda"
fi
models="$tools/deploy/strimzi-models"
if [ "$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$models/node_modules/@kubernetes-models/strimzi-kafka-operator/package.json" 2>/dev/null)" != "$strimzi_models_version" ]; then
  echo "install-deploy-tools: @kubernetes-models/strimzi-kafka-operator $strimzi_models_version (npm)" >&2
  rm -rf "$models" && mkdir -p "$models"
  npm install --prefix "$models" --no-save --no-audit --no-fund --loglevel=error "@kubernetes-models/strimzi-kafka-operator@$strimzi_models_version" >&2
fi
echo "install-deploy-tools: kustomize $("$tools/bin/kustomize" version), kubeconform $(cat "$tools/deploy/kubeconform.version"), schemas $kubernetes_schema_version, KEDA $keda_version, Strimzi models $strimzi_models_version" >&2
