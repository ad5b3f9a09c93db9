#!/usr/bin/env bash
# Prepares the build arguments of the server image (Dockerfile, docker-compose.yml) without a
# registry: makes sure the project's base image exists, and wraps this host's Node binary
# in a one-file image (Debian bookworm has only Node 18). Prints `export` lines for eval.
set -euo pipefail
cd "$(dirname "$0")/.."
node_bin="$(command -v node)"
base="$(node --import tsx -e "
  const m = await import('./orchestrator/index.ts');
  const e = await m.connectEngine();
  await m.ensureImages(e, { roles: [] });
  console.log(m.baseTag());
" 2>/dev/null)" || { echo "server-image: could not build the base image (is the engine running? bash scripts/engine.sh)" >&2; exit 1; }
version="$("$node_bin" -p process.versions.node)"
node_image="enshu/node:${version}"
if ! docker image inspect "$node_image" >/dev/null 2>&1; then
  ctx="$(mktemp -d)"
  trap 'rm -rf "$ctx"' EXIT
  cp "$node_bin" "$ctx/node"
  printf 'FROM scratch\nCOPY node /node\n' > "$ctx/Dockerfile"
  docker build -q -t "$node_image" --label enshu.kind=image "$ctx" >/dev/null 2>"$ctx/log" || { cat "$ctx/log" >&2; exit 1; }
fi
echo "export ENSHU_BASE_IMAGE=$base ENSHU_NODE_IMAGE=$node_image"
