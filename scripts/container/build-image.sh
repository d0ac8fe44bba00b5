#!/usr/bin/env bash
# `npm run image`: builds localhost/anki-home-sync:test from Containerfile with
# podman, on the Debian bases of make-base.sh (made first if missing, which
# needs root), and prints its size. The JavaScript is compiled first
# (`npm run build`) unless AHS_IMAGE_SKIP_BUILD=1 (the tests, which run from dist/).
#   IMAGE=<name:tag>  another name for the image
#   --addons-only     only the stage that compiles the addons (it needs no dist/):
#                     CI builds it while npm installs, and the image build then reuses it
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE=${IMAGE:-localhost/anki-home-sync:test}
BASE=localhost/anki-home-sync-base:bookworm
BUILD_BASE=localhost/anki-home-sync-build-base:bookworm
podman=(bash scripts/container/podman.sh)

if ! command -v podman >/dev/null 2>&1; then
  echo "build-image.sh: podman is missing (Debian: apt-get install podman buildah runc debootstrap uidmap fuse-overlayfs slirp4netns)." >&2
  exit 1
fi
if ! "${podman[@]}" image exists "$BASE" || ! "${podman[@]}" image exists "$BUILD_BASE"; then
  echo "build-image.sh: no base image yet; making it (scripts/container/make-base.sh)."
  bash scripts/container/make-base.sh
fi
target=()
if [ "${1:-}" = --addons-only ]; then
  target=(--target addons)
elif [ "${AHS_IMAGE_SKIP_BUILD:-}" != 1 ]; then
  npm run build
fi

# Behind a proxy that re-signs TLS, npm in the build trusts what Node here trusts:
# the CA file is mounted for the build's steps, never copied into a layer.
ca=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  ca=(--volume "$(readlink -f "$NODE_EXTRA_CA_CERTS"):/run/build-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/build-ca.crt)
fi
# --format docker: the OCI image format has no HEALTHCHECK.
if [ ${#target[@]} -gt 0 ]; then
  "${podman[@]}" build --format docker "${ca[@]}" "${target[@]}" --build-arg "BASE=$BASE" --build-arg "BUILD_BASE=$BUILD_BASE" -f Containerfile .
  exit 0
fi
"${podman[@]}" build --format docker "${ca[@]}" --build-arg "BASE=$BASE" --build-arg "BUILD_BASE=$BUILD_BASE" -t "$IMAGE" -f Containerfile .
echo "build-image.sh: built $IMAGE ($("${podman[@]}" image inspect --format '{{.Size}}' "$IMAGE" | awk '{ printf "%.1f MB", $1 / 1e6 }') unpacked)"
