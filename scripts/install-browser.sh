#!/usr/bin/env bash
# Installs the browser the dashboard's browser test (DashboardBrowserTest) drives, from Debian only
# (idempotent):
#
#   chromium          headless Chromium (/usr/bin/chromium)
#   chromium-driver   its WebDriver server (/usr/bin/chromedriver), which Selenium is pointed at
#                     explicitly: no Selenium Manager download at test time
#
# Safe to run again: nothing is installed when the packages are already there
# (scripts/install-debian-packages.sh).
set -euo pipefail

PKGS=(chromium chromium-driver)

"$(dirname "$0")/install-debian-packages.sh" install-browser "${PKGS[@]}"

echo "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium: version unknown')"
echo "$(/usr/bin/chromedriver --version)"
