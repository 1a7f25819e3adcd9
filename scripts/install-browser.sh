#!/usr/bin/env bash
# Installs the browser the dashboard's browser test (DashboardBrowserTest) drives, from Debian only
# (idempotent):
#
#   chromium          headless Chromium (/usr/bin/chromium)
#   chromium-driver   its WebDriver server (/usr/bin/chromedriver), which Selenium is pointed at
#                     explicitly: no Selenium Manager download at test time
#
# Uses sudo for apt-get only when not run as root. Safe to run again: nothing is installed when
# the packages are already there.
set -euo pipefail

PKGS=(chromium chromium-driver)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "install-browser: need root for '$*' and sudo is not available;" \
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
  echo "browser packages already installed: ${PKGS[*]}"
else
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: apt-get not found; install Debian's ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing ${missing[*]} with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y --no-install-recommends "${missing[@]}"; then
    # the package lists may be stale or absent (fresh container): refresh once and retry
    as_root apt-get update
    as_root apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi

echo "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium: version unknown')"
echo "$(/usr/bin/chromedriver --version)"
