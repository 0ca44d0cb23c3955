#!/usr/bin/env bash
# Builds the sync-agent release tarballs for the Raspberry Pi on an x86-64 machine:
#   dist/release/neopro-sync-agent-<version>-linux-<target>.tar.gz (+ .sha256)
# Each holds the agent and protocol dist, the agent's production node_modules with
# the native addons cross-compiled for the target, the official Node.js binary of
# the target (from the npm package named in targets.json), the systemd files and
# install-agent.sh. Network: the npm registry only (npm ci, npm pack).
#
# Usage: deploy/release/build-agent.sh [TARGET...]     TARGET: keys of targets.json (default: all)
# Environment (all optional):
#   RELEASE_OUT_DIR    where tarballs go                 (default: <repo>/dist/release)
#   RELEASE_CACHE_DIR  Node packages and built addons    (default: ${XDG_CACHE_HOME:-~/.cache}/neopro-release)
#   RELEASE_WORK_DIR   scratch folder, removed after     (default: a new mktemp folder)
#   RELEASE_JOBS       parallel compile jobs             (default: nproc)
# Needs Debian's g++-aarch64-linux-gnu and g++-arm-linux-gnueabihf (see the README).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TARGETS_FILE="$REPO_ROOT/deploy/release/targets.json"
OUT_DIR=${RELEASE_OUT_DIR:-$REPO_ROOT/dist/release}
CACHE_DIR=${RELEASE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/neopro-release}
JOBS=${RELEASE_JOBS:-$(nproc)}
PRODUCT=neopro-sync-agent
AGENT_WORKSPACE=@neopro/sync-agent

log() { printf '== %s\n' "$*" >&2; }
fail() { printf 'build-agent: %s\n' "$*" >&2; exit 1; }

# target_field TARGET FIELD: one value of targets.json.
target_field() {
  node -e 'const t = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]];
    if (!t || !(process.argv[3] in t)) process.exit(1); console.log(t[process.argv[3]]);' \
    "$TARGETS_FILE" "$1" "$2" || fail "no field '$2' for target '$1' in $TARGETS_FILE"
}

all_targets() { node -e 'console.log(Object.keys(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))).join(" "))' "$TARGETS_FILE"; }

package_field() { node -p 'require(process.argv[1])[process.argv[2]]' "$1" "$2"; }

# npm runs lifecycle scripts with npm_config_node_gyp set; otherwise use the node-gyp bundled with npm.
find_node_gyp() {
  local candidate=${npm_config_node_gyp:-}
  if [[ -z $candidate || ! -f $candidate ]]; then
    candidate="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  fi
  [[ -f $candidate ]] || fail "node-gyp not found (looked for npm's bundled copy at $candidate); install npm 10 or later"
  printf '%s\n' "$candidate"
}

check_cross_compiler() {
  local prefix=$1
  command -v "$prefix-g++" >/dev/null ||
    fail "$prefix-g++ is missing: apt-get install g++-$prefix (Debian's cross compiler for this target)"
}

# fetch_node TARGET: prints the folder of the official Node.js build for TARGET (bin/node, include/node).
fetch_node() {
  local package version folder
  package=$(target_field "$1" nodePackage)
  version=$(target_field "$1" nodeVersion)
  folder="$CACHE_DIR/$package-$version"
  if [[ ! -x $folder/bin/node || ! -f $folder/include/node/common.gypi ]]; then
    log "fetching $package@$version from the npm registry"
    mkdir -p "$CACHE_DIR"
    local archive
    archive=$(cd "$CACHE_DIR" && npm pack --silent "$package@$version")
    rm -rf "$folder.partial" && mkdir -p "$folder.partial"
    tar -xzf "$CACHE_DIR/$archive" -C "$folder.partial" --strip-components=1
    rm -f "$CACHE_DIR/$archive"
    rm -rf "$folder" && mv "$folder.partial" "$folder"
  fi
  printf '%s\n' "$folder"
}

# stage_production_modules DIR: the agent's production dependencies, from the lockfile, no install scripts.
stage_production_modules() {
  local stage=$1 workspace
  mkdir -p "$stage"
  cp "$REPO_ROOT/package.json" "$REPO_ROOT/package-lock.json" "$stage/"
  for workspace in $(node -p 'require(process.argv[1]).workspaces.join(" ")' "$REPO_ROOT/package.json"); do
    mkdir -p "$stage/$workspace"
    cp "$REPO_ROOT/$workspace/package.json" "$stage/$workspace/"
  done
  (cd "$stage" && npm ci --omit=dev --ignore-scripts --workspace="$AGENT_WORKSPACE" --no-audit --no-fund --loglevel=error)
  # Workspace links point into the staging folder; the release gets real copies instead.
  rm -rf "$stage/node_modules/@neopro" "$stage/node_modules/.bin" "$stage/node_modules/.package-lock.json"
}

# compile_addon ADDON_DIR TARGET NODE_DIR: cross-compiles one node-gyp addon, reusing a cached build.
compile_addon() {
  local addon_dir=$1 target=$2 node_dir=$3
  local prefix gyp_arch name version compiler key
  prefix=$(target_field "$target" crossPrefix)
  gyp_arch=$(target_field "$target" gypArch)
  name=$(package_field "$addon_dir/package.json" name)
  version=$(package_field "$addon_dir/package.json" version)
  compiler=$("$prefix-g++" -dumpfullversion)
  # Same addon version, target Node headers (folder name: package-version) and compiler: same binary.
  key="$CACHE_DIR/addons/$name@$version-$target-$(basename "$node_dir")-gcc$compiler"
  if [[ -d $key ]]; then
    log "$name $version for $target: reusing $key"
  else
    log "$name $version for $target: cross-compiling with $prefix-g++ $compiler"
    local build_log="$WORK_DIR/$name-$target.log"
    if ! (cd "$addon_dir" && CC="$prefix-gcc" CXX="$prefix-g++" LINK="$prefix-g++" AR="$prefix-ar" \
      node "$NODE_GYP" rebuild --release --arch="$gyp_arch" --nodedir="$node_dir" --jobs="$JOBS") >"$build_log" 2>&1; then
      tail -n 40 "$build_log" >&2
      fail "cross-compiling $name for $target failed (last 40 lines of its log above)"
    fi
    rm -rf "$key.partial" && mkdir -p "$key.partial"
    cp "$addon_dir"/build/Release/*.node "$key.partial/"
    "$prefix-strip" --strip-unneeded "$key.partial"/*.node
    mv "$key.partial" "$key"
  fi
  # Only the compiled module is shipped: no build tree, C sources or the SQLite amalgamation.
  rm -rf "$addon_dir/build" "$addon_dir/src" "$addon_dir/deps"
  mkdir -p "$addon_dir/build/Release"
  cp "$key"/*.node "$addon_dir/build/Release/"
  check_machine "$target" "$addon_dir"/build/Release/*.node
}

# check_machine TARGET FILE...: refuses a binary built for another processor.
check_machine() {
  local target=$1 expected file
  shift
  case $(target_field "$target" gypArch) in
    arm64) expected=AArch64 ;;
    arm) expected=ARM ;;
    *) fail "no machine check for target $target" ;;
  esac
  for file in "$@"; do
    "$(target_field "$target" crossPrefix)-readelf" -h "$file" | grep -Eq "Machine: +$expected\$" ||
      fail "$file is not an $expected binary"
  done
}

write_launcher() {
  cat >"$1" <<'LAUNCHER'
#!/bin/sh
# Runs the sync-agent (or its field tools: status, history, doctor) with the Node.js shipped in this release.
here=$(dirname "$(readlink -f "$0")")
exec "$here/../node/bin/node" "$here/../lib/dist/main.js" "$@"
LAUNCHER
  chmod 0755 "$1"
}

# assemble TARGET: builds one tarball into OUT_DIR.
assemble() {
  local target=$1 node_dir name root addon
  node_dir=$(fetch_node "$target")
  name="$PRODUCT-$VERSION-linux-$target"
  root="$WORK_DIR/$name"
  log "assembling $name"
  rm -rf "$root" && mkdir -p "$root/bin" "$root/node/bin" "$root/lib/node_modules/@neopro/protocol"

  cp "$REPO_ROOT/agent/package.json" "$root/lib/"
  cp -R "$REPO_ROOT/agent/dist" "$root/lib/dist"
  cp -R "$WORK_DIR/modules/node_modules/." "$root/lib/node_modules/"
  cp "$REPO_ROOT/protocol/package.json" "$root/lib/node_modules/@neopro/protocol/"
  cp -R "$REPO_ROOT/protocol/dist" "$root/lib/node_modules/@neopro/protocol/dist"
  find "$root/lib" -name '*.tsbuildinfo' -delete

  while IFS= read -r addon; do
    compile_addon "$(dirname "$addon")" "$target" "$node_dir"
  done < <(find "$root/lib/node_modules" -name binding.gyp -not -path '*/test/*' | sort)

  cp "$node_dir/bin/node" "$root/node/bin/node"
  cp "$node_dir/LICENSE" "$root/node/LICENSE"
  check_machine "$target" "$root/node/bin/node"
  write_launcher "$root/bin/$PRODUCT"

  if [[ -d $REPO_ROOT/systemd ]] && compgen -G "$REPO_ROOT/systemd/*" >/dev/null; then
    cp -R "$REPO_ROOT/systemd" "$root/systemd"
  fi
  if [[ -d $REPO_ROOT/deploy/journald ]]; then cp -R "$REPO_ROOT/deploy/journald" "$root/journald"; fi
  install -m 0755 "$REPO_ROOT/deploy/install-agent.sh" "$root/install-agent.sh"
  # The unit's Documentation= points at this copy of the project's README (its "Install on a Pi" section).
  cp "$REPO_ROOT/README.md" "$root/README.md"

  # shellcheck disable=SC2016 # the JavaScript reads process.env, not shell variables
  NAME=$name TARGET=$target NODE_VERSION=$(target_field "$target" nodeVersion) \
    DESCRIPTION=$(target_field "$target" description) COMMIT=$COMMIT node -e '
    const e = process.env;
    const release = { name: e.NAME, product: "neopro-sync-agent", version: e.VERSION, target: `linux-${e.TARGET}`,
      runsOn: e.DESCRIPTION, node: { version: e.NODE_VERSION, path: "node/bin/node" }, entry: "lib/dist/main.js",
      launcher: "bin/neopro-sync-agent", commit: e.COMMIT };
    process.stdout.write(`${JSON.stringify(release, null, 2)}\n`);' >"$root/RELEASE.json"

  mkdir -p "$OUT_DIR"
  # Same inputs, same archive: fixed owner, order and timestamps (those of the last commit).
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
    -C "$WORK_DIR" -czf "$OUT_DIR/$name.tar.gz.partial" "$name"
  mv "$OUT_DIR/$name.tar.gz.partial" "$OUT_DIR/$name.tar.gz"
  (cd "$OUT_DIR" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
  log "wrote $OUT_DIR/$name.tar.gz ($(du -h "$OUT_DIR/$name.tar.gz" | cut -f1))"
}

main() {
  local targets=("$@") target
  [[ ${#targets[@]} -gt 0 ]] || read -r -a targets <<<"$(all_targets)"
  for target in "${targets[@]}"; do
    target_field "$target" nodePackage >/dev/null
    check_cross_compiler "$(target_field "$target" crossPrefix)"
  done
  NODE_GYP=$(find_node_gyp)
  VERSION=$(package_field "$REPO_ROOT/agent/package.json" version)
  COMMIT=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$REPO_ROOT" log -1 --format=%ct 2>/dev/null || date +%s)}
  export VERSION COMMIT

  WORK_DIR=${RELEASE_WORK_DIR:-$(mktemp -d -t neopro-release.XXXXXX)}
  [[ -n ${RELEASE_WORK_DIR:-} ]] || trap 'rm -rf "$WORK_DIR"' EXIT

  log "compiling TypeScript (agent and protocol)"
  (cd "$REPO_ROOT" && npx tsc -b agent)
  log "installing the agent's production dependencies (no install scripts)"
  stage_production_modules "$WORK_DIR/modules"
  for target in "${targets[@]}"; do assemble "$target"; done
}

main "$@"
