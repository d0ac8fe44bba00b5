# Puts Node 24 first on PATH for this shell, without touching the system's
# /usr/bin/node. On machines whose only registry is npm's, Node 24 comes from
# the `node` package (its binary is inside the tarball); it is installed once
# into .tools/node24 (ignored by git). Source this file:
#   . scripts/use-node24.sh
# Elsewhere, any Node 22 or newer on PATH works as well.
_ahs_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_ahs_tools="$_ahs_root/.tools/node24"
_ahs_node="$_ahs_tools/node_modules/.bin/node"
if ! { [ -x "$_ahs_node" ] && "$_ahs_node" --version 2>/dev/null | grep -q '^v24\.'; }; then
  mkdir -p "$_ahs_tools"
  [ -f "$_ahs_tools/package.json" ] || echo '{"private":true}' > "$_ahs_tools/package.json"
  npm install --prefix "$_ahs_tools" --no-audit --no-fund --loglevel=error node@24 >&2
fi
export PATH="$_ahs_tools/node_modules/.bin:$PATH"
unset _ahs_root _ahs_tools _ahs_node
