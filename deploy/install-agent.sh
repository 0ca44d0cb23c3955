#!/usr/bin/env bash
# Installs (or removes) the NEOPRO sync-agent on a Raspberry Pi from a release built by
# deploy/release/build-agent.sh. Running it twice changes nothing the second time.
set -euo pipefail

PRODUCT=neopro-sync-agent
UNIT=$PRODUCT.service

usage() {
  cat <<'USAGE'
Usage:
  install-agent.sh [options]                 install or update, then enable and (re)start the service
  install-agent.sh --uninstall [--purge]     remove the program and the unit; --purge also removes
                                             the configuration, the token and the agent's data
Options:
  --release PATH       release tarball (.tar.gz) or unpacked release folder
                       (default: the folder this script is in, when it holds RELEASE.json)
  --central-url URL    central's address, e.g. https://central.example.org
  --site-id ID         the site's id (UUID) shown when the site was created in central
  --token-file FILE    file holding the site token ("-" reads it from standard input)
  --root DIR           install into DIR instead of / (a scratch root for tests or images):
                       no systemctl calls and no processor check
  -h, --help           this help
Missing values are asked for when standard input is a terminal; on a second run the values
already in /etc/neopro are kept.
USAGE
}

say() { printf '%s\n' "$*"; }
fail() { printf 'install-agent: %s\n' "$*" >&2; exit 1; }

ROOT=""
RELEASE=""
CENTRAL_URL=""
SITE_ID=""
TOKEN_FILE=""
ACTION=install
PURGE=no
SCRATCH_ROOT=no

parse_arguments() {
  while [[ $# -gt 0 ]]; do
    case $1 in
      --release) RELEASE=${2:?--release needs a path}; shift 2 ;;
      --central-url) CENTRAL_URL=${2:?--central-url needs a URL}; shift 2 ;;
      --site-id) SITE_ID=${2:?--site-id needs the site id}; shift 2 ;;
      --token-file) TOKEN_FILE=${2:?--token-file needs a file (or - for standard input)}; shift 2 ;;
      --root) ROOT=$(realpath -m "${2:?--root needs a folder}"); SCRATCH_ROOT=yes; shift 2 ;;
      --uninstall) ACTION=uninstall; shift ;;
      --purge) PURGE=yes; shift ;;
      -h | --help) usage; exit 0 ;;
      *) usage >&2; fail "unknown option '$1'" ;;
    esac
  done
  [[ $PURGE == no || $ACTION == uninstall ]] || fail "--purge goes with --uninstall"
}

set_paths() {
  INSTALL_DIR=$ROOT/opt/$PRODUCT
  CONFIG_DIR=$ROOT/etc/neopro
  ENV_FILE=$CONFIG_DIR/sync-agent.env
  TOKEN_PATH=$CONFIG_DIR/site-token
  STATE_DIR=$ROOT/var/lib/$PRODUCT
  UNIT_PATH=$ROOT/etc/systemd/system/$UNIT
  SYSUSERS_PATH=$ROOT/etc/sysusers.d/$PRODUCT.conf
  TMPFILES_PATH=$ROOT/etc/tmpfiles.d/$PRODUCT.conf
  COMMAND_LINK=$ROOT/usr/local/bin/$PRODUCT
}

systemctl_live() { [[ $SCRATCH_ROOT == no ]] && command -v systemctl >/dev/null; }

# put_file SOURCE DEST MODE: copies only when content or mode differ, so a second run touches nothing.
put_file() {
  local source=$1 dest=$2 mode=$3
  if [[ -f $dest ]] && cmp -s "$source" "$dest" && [[ $(stat -c %a "$dest") == "${mode#0}" ]]; then return; fi
  mkdir -p "$(dirname "$dest")"
  install -m "$mode" "$source" "$dest"
  CHANGED=yes
  say "wrote ${dest#"$ROOT"}"
}

# put_text DEST MODE: like put_file, with the content on standard input.
put_text() {
  local staged
  staged=$(mktemp)
  cat >"$staged"
  put_file "$staged" "$1" "$2"
  rm -f "$staged"
}

put_link() {
  local target=$1 link=$2
  [[ -L $link && $(readlink "$link") == "$target" ]] && return
  mkdir -p "$(dirname "$link")"
  ln -sfn "$target" "$link"
  CHANGED=yes
  say "linked ${link#"$ROOT"} -> $target"
}

# Unpacks a tarball into a scratch folder; prints the release folder (the one holding RELEASE.json).
open_release() {
  local source=${RELEASE:-$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")}
  if [[ -f $source ]]; then
    UNPACKED=$(mktemp -d)
    trap 'rm -rf "$UNPACKED"' EXIT
    tar -xzf "$source" -C "$UNPACKED"
    source=$(dirname "$(find "$UNPACKED" -maxdepth 2 -name RELEASE.json | head -n 1)")
  fi
  [[ -f $source/RELEASE.json && -x $source/bin/$PRODUCT ]] ||
    fail "$source is not a $PRODUCT release (no RELEASE.json or bin/$PRODUCT); pass --release with the .tar.gz"
  RELEASE_DIR=$(readlink -f "$source")
  RELEASE_NAME=$(sed -n 's/^ *"name": *"\([^"]*\)".*/\1/p' "$RELEASE_DIR/RELEASE.json")
  RELEASE_TARGET=$(sed -n 's/^ *"target": *"\([^"]*\)".*/\1/p' "$RELEASE_DIR/RELEASE.json")
  [[ -n $RELEASE_NAME ]] || fail "$RELEASE_DIR/RELEASE.json has no name"
}

# The userland decides, not the kernel: 32-bit Raspberry Pi OS on a Pi 4 or 5 runs a 64-bit kernel
# (uname -m says aarch64) under an armhf userland, which needs the armv7 tarball.
check_processor() {
  [[ $SCRATCH_ROOT == no ]] || return 0
  local userland expected
  if command -v dpkg >/dev/null; then userland=$(dpkg --print-architecture); else userland=$(uname -m); fi
  case $RELEASE_TARGET in
    linux-arm64) expected="arm64 aarch64" ;;
    linux-armv7) expected="armhf armv7l" ;;
    *) expected=$userland ;;
  esac
  [[ " $expected " == *" $userland "* ]] ||
    fail "this release is for $RELEASE_TARGET but this system's userland is $userland: use the matching tarball"
}

install_program() {
  local destination=$INSTALL_DIR/releases/$RELEASE_NAME
  if ! cmp -s "$RELEASE_DIR/RELEASE.json" "$destination/RELEASE.json"; then
    rm -rf "$destination.partial"
    mkdir -p "$INSTALL_DIR/releases"
    cp -R "$RELEASE_DIR" "$destination.partial"
    chown -R 0:0 "$destination.partial"
    rm -rf "$destination"
    mv "$destination.partial" "$destination"
    CHANGED=yes
    say "installed $RELEASE_NAME in ${destination#"$ROOT"}"
  fi
  put_link "releases/$RELEASE_NAME" "$INSTALL_DIR/current"
  put_link "/opt/$PRODUCT/current/bin/$PRODUCT" "$COMMAND_LINK"
  # Keeps the release before this one for a quick rollback (ln -sfn releases/<old> current).
  local previous
  while IFS= read -r previous; do
    rm -rf "$previous"
    say "removed old release ${previous#"$ROOT"}"
  done < <(find "$INSTALL_DIR/releases" -mindepth 1 -maxdepth 1 -type d ! -name "$RELEASE_NAME" -printf '%T@ %p\n' |
    sort -rn | tail -n +2 | cut -d' ' -f2-)
}

install_system_files() {
  local file
  for file in "$RELEASE_DIR"/systemd/*.service; do
    [[ -f $file ]] && put_file "$file" "$ROOT/etc/systemd/system/$(basename "$file")" 0644
  done
  [[ -f $UNIT_PATH ]] || fail "the release has no systemd/$UNIT; rebuild it from a checkout that has systemd/"
  for file in "$RELEASE_DIR"/systemd/*.sysusers.conf; do
    [[ -f $file ]] && put_file "$file" "$SYSUSERS_PATH" 0644
  done
  for file in "$RELEASE_DIR"/systemd/*.tmpfiles.conf; do
    [[ -f $file ]] && put_file "$file" "$TMPFILES_PATH" 0644
  done
  [[ -f $SYSUSERS_PATH ]] || fail "the release has no systemd/*.sysusers.conf to create the service user"
  # Creates the user only when missing; never changes an existing one.
  if [[ $SCRATCH_ROOT == yes ]]; then
    systemd-sysusers --root="$ROOT" "$SYSUSERS_PATH" >/dev/null
  else
    systemd-sysusers "$SYSUSERS_PATH" >/dev/null
  fi
  if [[ -f $TMPFILES_PATH ]]; then
    if [[ $SCRATCH_ROOT == yes ]]; then systemd-tmpfiles --root="$ROOT" --create "$TMPFILES_PATH"; else systemd-tmpfiles --create "$TMPFILES_PATH"; fi
  fi
}

# The user's numeric id from the root's own passwd (in a scratch root the host does not know it).
service_owner() {
  local entry
  entry=$(grep -E "^$PRODUCT:" "$ROOT/etc/passwd") || fail "user $PRODUCT missing from ${ROOT:-}/etc/passwd"
  printf '%s:%s\n' "$(cut -d: -f3 <<<"$entry")" "$(cut -d: -f4 <<<"$entry")"
}

make_folder() {
  local folder=$1 mode=$2 owner=$3
  if [[ ! -d $folder ]]; then
    mkdir -p "$folder"
    CHANGED=yes
    say "created ${folder#"$ROOT"}"
  fi
  [[ $(stat -c %a "$folder") == "${mode#0}" ]] || { chmod "$mode" "$folder"; CHANGED=yes; }
  [[ $(stat -c %u:%g "$folder") == "$owner" ]] || { chown "$owner" "$folder"; CHANGED=yes; }
}

# Folders the unit may write (ReadWritePaths=, '-' prefix = optional) must exist or the service fails to
# start. The tmpfiles.d file normally made them; an existing one keeps its mode (the video player reads it).
make_folders() {
  local owner path
  owner=$(service_owner)
  make_folder "$CONFIG_DIR" 0755 0:0
  make_folder "$STATE_DIR" 0750 "$owner"
  for path in $(sed -n 's/^ReadWritePaths=//p' "$UNIT_PATH" | tr ' ' '\n'); do
    [[ $path == -* || $path == *'%'* || $path == *'$'* || -d $ROOT$path ]] && continue
    make_folder "$ROOT$path" 0755 "$owner"
  done
}

# current_value KEY: the value already in the environment file, if any.
current_value() {
  if [[ -f $ENV_FILE ]]; then sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1; fi
}

ask() {
  local question=$1 secret=${2:-} answer=""
  [[ -t 0 ]] || fail "$question is needed: pass it as an option (see --help)"
  if [[ $secret == secret ]]; then read -r -s -p "$question: " answer; echo >&2; else read -r -p "$question: " answer; fi
  printf '%s\n' "$answer"
}

# Settings from the options, else those already installed, else asked for: all checked before any change.
resolve_settings() {
  CENTRAL_URL=${CENTRAL_URL:-$(current_value CENTRAL_URL)}
  SITE_ID=${SITE_ID:-$(current_value SITE_ID)}
  [[ -n $CENTRAL_URL ]] || CENTRAL_URL=$(ask "Central URL (e.g. https://central.example.org)")
  [[ -n $SITE_ID ]] || SITE_ID=$(ask "Site id (UUID from central)")
  [[ $CENTRAL_URL =~ ^https?://[^[:space:]]+$ ]] || fail "central URL '$CENTRAL_URL' must start with http:// or https://"
  [[ $SITE_ID =~ ^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$ ]] ||
    fail "site id '$SITE_ID' is not a UUID: copy the id central showed when the site was created"
  TOKEN=""
  if [[ $TOKEN_FILE == - ]]; then
    read -r TOKEN || true
  elif [[ -n $TOKEN_FILE ]]; then
    TOKEN=$(tr -d '[:space:]' <"$TOKEN_FILE") || fail "cannot read the token file $TOKEN_FILE"
  elif [[ ! -s $TOKEN_PATH ]]; then
    TOKEN=$(ask "Site token (shown once when the site was created)" secret)
  fi
  [[ -n $TOKEN || -s $TOKEN_PATH ]] || fail "no site token: pass --token-file FILE"
}

write_configuration() {
  put_text "$ENV_FILE" 0644 <<EOF
# NEOPRO sync-agent settings, read by $UNIT (EnvironmentFile=). The site token is not here:
# it is in /etc/neopro/site-token (mode 0600), handed to the service with LoadCredential=.
CENTRAL_URL=$CENTRAL_URL
SITE_ID=$SITE_ID
EOF
  # put_text stages it in a mktemp file (mode 0600): never readable by others, not even for a moment.
  if [[ -n $TOKEN ]]; then put_text "$TOKEN_PATH" 0600 <<<"$TOKEN"; fi
}

start_service() {
  systemctl_live || { say "scratch root: enable with 'systemctl enable --now $UNIT' on the target"; return; }
  systemctl daemon-reload
  systemctl enable --quiet "$UNIT"
  if [[ $CHANGED == yes ]]; then systemctl restart "$UNIT"; else systemctl start "$UNIT"; fi
  say "$UNIT is $(systemctl is-active "$UNIT" || true); follow it with: journalctl -u $PRODUCT -f"
}

install_agent() {
  [[ $SCRATCH_ROOT == yes || $(id -u) == 0 ]] || fail "run as root (sudo $0 ...)"
  open_release
  check_processor
  resolve_settings
  CHANGED=no
  install_program
  install_system_files
  make_folders
  write_configuration
  start_service
  if [[ $CHANGED == no ]]; then say "$RELEASE_NAME already installed and configured: nothing changed"; fi
}

remove_path() {
  [[ -e $1 || -L $1 ]] || return 0
  rm -rf "$1"
  REMOVED=yes
  say "removed ${1#"$ROOT"}"
}

uninstall_agent() {
  [[ $SCRATCH_ROOT == yes || $(id -u) == 0 ]] || fail "run as root (sudo $0 --uninstall)"
  REMOVED=no
  local media=""
  if [[ -f $UNIT_PATH ]]; then media=$(sed -n 's/^ReadWritePaths=//p' "$UNIT_PATH" | tr '\n' ' '); fi
  if systemctl_live && [[ -f $UNIT_PATH ]]; then systemctl disable --now "$UNIT" || true; fi
  remove_path "$UNIT_PATH"
  remove_path "$COMMAND_LINK"
  remove_path "$INSTALL_DIR"
  remove_path "$TMPFILES_PATH"
  if systemctl_live; then systemctl daemon-reload; fi
  if [[ $PURGE == yes ]]; then
    remove_path "$ENV_FILE"
    remove_path "$TOKEN_PATH"
    remove_path "$STATE_DIR"
    if rmdir "$CONFIG_DIR" 2>/dev/null; then say "removed ${CONFIG_DIR#"$ROOT"}"; fi
    # The system user stays (Debian practice: its id may still own files elsewhere); its sysusers entry goes.
    remove_path "$SYSUSERS_PATH"
    # Videos are shared with the player and costly to download again: removed only by hand.
    if [[ -n $media ]]; then say "kept the media folders ${media% }; remove them by hand if they are no longer wanted"; fi
  else
    say "kept the configuration (/etc/neopro) and the agent's data (/var/lib/$PRODUCT); --purge removes them"
  fi
  if [[ $REMOVED == no ]]; then say "nothing to remove"; fi
}

parse_arguments "$@"
set_paths
if [[ $ACTION == install ]]; then install_agent; else uninstall_agent; fi
