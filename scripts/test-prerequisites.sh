#!/usr/bin/env bash
# Run by `npm test` first: what the tests need besides this repository. node_modules (npm ci),
# Debian's prometheus (with promtool) and redis-server, and a valkey-server (fleet mode must work on
# Valkey too). Installs what is missing when this user can (root with apt-get); otherwise stops at
# once with one line naming the command to run.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/jest ]; then
  echo "npm test: installing node_modules (npm ci)"
  npm ci --no-audit --no-fund >/dev/null || { echo "npm test: npm ci failed; run: npm ci" >&2; exit 1; }
fi

# Valkey: on PATH, or fetched once from Debian 12's bookworm-backports into .tmp/valkey (unpacked
# there; no apt source is added to the system), as Debian 12 itself has no Valkey.
valkey_dir=.tmp/valkey
if ! command -v valkey-server >/dev/null 2>&1 && [ ! -x "$valkey_dir/root/usr/bin/valkey-server" ]; then
  if grep -q '^12' /etc/debian_version 2>/dev/null && command -v apt-get >/dev/null 2>&1; then
    echo "npm test: fetching valkey-server from bookworm-backports into $valkey_dir"
    mkdir -p "$valkey_dir/lists/partial" "$valkey_dir/cache/archives/partial"
    here=$(pwd)
    echo 'deb http://deb.debian.org/debian bookworm-backports main' >"$valkey_dir/sources.list"
    apt_options=(-o "Dir::Etc::SourceList=$here/$valkey_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$here/$valkey_dir/lists" -o "Dir::Cache=$here/$valkey_dir/cache")
    { apt-get "${apt_options[@]}" update &&
      (cd "$valkey_dir" && apt-get "${apt_options[@]}" download valkey-server valkey-tools) &&
      for deb in "$valkey_dir"/*.deb; do dpkg-deb -x "$deb" "$valkey_dir/root"; done; } >/dev/null 2>&1
  fi
  if [ ! -x "$valkey_dir/root/usr/bin/valkey-server" ]; then
    echo "npm test needs valkey-server (the fleet tests run on Valkey as well as Redis); install it (Debian 12: from bookworm-backports) and run npm test again" >&2
    exit 1
  fi
fi

missing=()
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || missing+=(prometheus)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0

command="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "npm test needs ${missing[*]} (a real one runs in the tests); run: sudo $command" >&2
  exit 1
fi
echo "npm test: installing ${missing[*]} (Debian packages)"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
  apt-get update >/dev/null 2>&1
  apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
    { echo "npm test needs ${missing[*]} and apt-get could not install it; run: apt-get update && $command" >&2; exit 1; }
fi
