#!/usr/bin/env bash
# Makes the Debian base images that `npm run image` builds on where no container
# registry is reachable (our machines and CI). As root:
#   localhost/anki-home-sync-base:bookworm
#       `debootstrap --variant=minbase bookworm` from the Debian mirror apt is
#       configured with (or $DEBIAN_MIRROR), trimmed as Debian's slim images are
#       (no manuals, translations or apt lists), with Node 24's binary from the npm
#       `node` package in /usr/local/bin: what the official node:24-bookworm-slim
#       image gives the server, less npm;
#   localhost/anki-home-sync-build-base:bookworm
#       that, plus npm, Node's headers and a compiler (g++, make, python3 from
#       the same mirror), to build the native addons.
# Made afresh each time (CI caches nothing); takes a minute or two.
set -euo pipefail
cd "$(dirname "$0")/../.."

BASE=localhost/anki-home-sync-base:bookworm
BUILD_BASE=localhost/anki-home-sync-build-base:bookworm
podman=(bash scripts/container/podman.sh)

if [ "$(id -u)" != 0 ]; then
  echo "make-base.sh: debootstrap needs root; run it as root (sudo bash $0)." >&2
  exit 1
fi
for tool in debootstrap podman; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "make-base.sh: $tool is missing: apt-get install podman buildah runc debootstrap uidmap fuse-overlayfs slirp4netns" >&2
    exit 1
  fi
done

# The mirror apt already uses for bookworm, so the base comes from where this machine's packages come from.
mirror=${DEBIAN_MIRROR:-$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 2>/dev/null | awk '$1 == "bookworm" { print $2; exit }')}
mirror=${mirror:-http://deb.debian.org/debian/}

# Node 24 from the npm registry's `node` package (the one scripts/use-node24.sh puts on PATH).
. scripts/use-node24.sh
node_bin=$(readlink -f "$(command -v node)")
node_pkg=$(node -p "require('node:path').dirname(require.resolve('node-' + process.platform + '-' + process.arch + '/package.json', { paths: [require('node:path').resolve('.tools/node24/node_modules/node')] }))")
case "$(node --version)" in v24.*) ;; *) echo "make-base.sh: expected Node 24, found $(node --version)" >&2; exit 1 ;; esac
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")

work=$(mktemp -d "${TMPDIR:-/tmp}/ahs-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs

echo "make-base.sh: debootstrap --variant=minbase bookworm from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2
  exit 1
}
# Trimmed as Debian's slim images are: manuals, translations and docs (copyright files stay), apt's lists and caches.
find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$rootfs"/usr/share/{man,info,locale,lintian,linda}/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* \
  "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/log/* "$rootfs"/tmp/*
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
CFG
install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"

import_args=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["node"]')
tar -C "$rootfs" --numeric-owner -c . | "${podman[@]}" import --quiet "${import_args[@]}" - "$BASE" >/dev/null

# The build base: npm and the headers, then the compiler, over the base.
mkdir -p "$work/build/usr/local/lib/node_modules" "$work/build/usr/local/include" "$work/build/usr/local/bin"
cp -a "$npm_dir" "$work/build/usr/local/lib/node_modules/npm"
cp -a "$node_pkg/include/node" "$work/build/usr/local/include/node"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/build/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/build/usr/local/bin/npx"
cat >"$work/build/Containerfile" <<CONTAINERFILE
FROM $BASE
COPY usr/ /usr/
RUN apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends g++ make python3 >/dev/null \\
 && rm -rf /var/lib/apt/lists/*
CONTAINERFILE
"${podman[@]}" build --quiet --format docker -t "$BUILD_BASE" -f "$work/build/Containerfile" "$work/build" >/dev/null
echo "make-base.sh: made $BASE and $BUILD_BASE ($("${podman[@]}" run --rm "$BASE" node --version)) in ${SECONDS} s"
