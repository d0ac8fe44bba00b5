#!/usr/bin/env bash
# Removes every image this project's container scripts made, and the containers
# made from them: the test image, the two Debian bases, and the build's
# intermediate images (labelled org.opencontainers.image.title=Anki Home Sync).
# CI runs it first, so that nothing is reused from an earlier run.
set -euo pipefail
cd "$(dirname "$0")/../.."
podman=(bash scripts/container/podman.sh)
command -v podman >/dev/null 2>&1 || exit 0
"${podman[@]}" rmi --force localhost/anki-home-sync:test localhost/anki-home-sync-build-base:bookworm localhost/anki-home-sync-base:bookworm \
  >/dev/null 2>&1 || true
"${podman[@]}" image prune --force --filter 'label=org.opencontainers.image.title=Anki Home Sync' >/dev/null
