#!/usr/bin/env bash
# podman, with what our machines need (the tests and the image scripts all call
# podman through this):
#   - the runc runtime when it is installed: crun refuses this kernel's mixed
#     cgroups (v1 controllers with a v2 mount);
#   - open files and processes capped at what may be granted here
#     (nofile 20000, nproc 32768, or the hard limit if lower): podman's defaults
#     ask for more, and runc refuses to start the container.
# Elsewhere these are harmless: runc is a standard runtime, and the caps are far
# above what the server uses. PODMAN_RUNTIME=<name> picks another runtime.
set -euo pipefail

cap() { # the smaller of $1 and the hard limit given by `ulimit -H $2`
  local hard
  hard=$(ulimit -H "$2")
  if [ "$hard" = unlimited ] || [ "$hard" -gt "$1" ]; then echo "$1"; else echo "$hard"; fi
}

global=()
runtime=${PODMAN_RUNTIME:-}
if [ -z "$runtime" ] && command -v runc >/dev/null 2>&1; then runtime=runc; fi
if [ -n "$runtime" ]; then global+=(--runtime "$runtime"); fi

if [ $# -gt 0 ] && { [ "$1" = run ] || [ "$1" = create ] || [ "$1" = build ]; }; then
  command=$1
  shift
  nofile=$(cap 20000 -n)
  nproc=$(cap 32768 -u)
  exec podman "${global[@]}" "$command" --ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc" "$@"
fi
exec podman "${global[@]}" "$@"
