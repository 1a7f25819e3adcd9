#!/usr/bin/env bash
# Installs Debian packages that are missing (idempotent): install-debian-packages.sh WHO PKG...
# WHO names the caller in messages. Uses sudo for apt-get only when not run as root; refreshes the
# package lists once if the first install fails (a fresh container has none).
set -euo pipefail

who="$1"
shift
PKGS=("$@")

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "$who: need root for '$*' and sudo is not available;" \
         "run this script as root or install: ${PKGS[*]}" >&2
    exit 1
  fi
}

missing=()
for pkg in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "$who: already installed: ${PKGS[*]}"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$who: apt-get not found; install Debian's ${missing[*]}" >&2
  exit 1
fi
echo "$who: installing ${missing[*]} with apt-get ..."
export DEBIAN_FRONTEND=noninteractive
if ! as_root apt-get install -y --no-install-recommends "${missing[@]}"; then
  as_root apt-get update
  as_root apt-get install -y --no-install-recommends "${missing[@]}"
fi
