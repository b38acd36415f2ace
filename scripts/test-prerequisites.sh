#!/usr/bin/env bash
# Run by `npm test` first: what the tests need besides this repository. node_modules (npm ci),
# Debian's prometheus (with promtool) and redis-server. Installs what is missing when this user can (root with
# apt-get); otherwise stops at once with one line naming the command to run.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/jest ]; then
  echo "npm test: installing node_modules (npm ci)"
  npm ci --no-audit --no-fund >/dev/null || { echo "npm test: npm ci failed; run: npm ci" >&2; exit 1; }
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
