# Sourced by .ci/run (and by a developer before `npm run bench:*` on an old machine): makes sure the
# `node` first on PATH is >= 22.12. When the machine's own Node is older (these machines ship 20, which
# is end of life), Node 24 LTS comes from the npm registry's `node` package into .node/ (git-ignored),
# and native builds use that Node's own headers, which the package ships. Nothing else is downloaded.
#   source .ci/node-env.sh
HP_NODE_VERSION="24.21.0"
HP_NODE_PREFIX="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.node"

hp_node_ok() {
  command -v node >/dev/null 2>&1 && node -e '
    const [a, b] = process.versions.node.split(".").map(Number);
    process.exit(a > 22 || (a === 22 && b >= 12) ? 0 : 1)'
}

if ! hp_node_ok; then
  hp_bin="$HP_NODE_PREFIX/node_modules/node/bin"
  if [ ! -x "$hp_bin/node" ] || [ "$("$hp_bin/node" --version)" != "v$HP_NODE_VERSION" ]; then
    echo "node-env: $(node --version 2>/dev/null || echo 'no node') is older than 22.12; installing Node $HP_NODE_VERSION from the npm registry's node package into .node/"
    mkdir -p "$HP_NODE_PREFIX"
    # The package's preinstall fetches the platform's node-<os>-<arch> package from the same registry.
    npm install --prefix "$HP_NODE_PREFIX" --no-save --no-audit --no-fund --no-package-lock "node@$HP_NODE_VERSION" >/dev/null
  fi
  if [ ! -x "$hp_bin/node" ]; then
    echo "node-env: the node package did not install a binary under $hp_bin" >&2
    return 1 2>/dev/null || exit 1
  fi
  export PATH="$hp_bin:$PATH"
  # node-gyp (any native build) compiles against this Node's headers, shipped inside the package.
  hp_headers="$(find "$HP_NODE_PREFIX/node_modules" -maxdepth 6 -type d -path '*/node-*-*/include/node' 2>/dev/null | head -n 1)"
  if [ -n "$hp_headers" ]; then export npm_config_nodedir="${hp_headers%/include/node}"; fi
  hash -r
fi
echo "node-env: node $(node --version) ($(command -v node)), npm $(npm --version)"
