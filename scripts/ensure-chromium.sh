#!/bin/sh
# Make sure Debian's Chromium is at /usr/bin/chromium, for the browser tests of the HTML reports.
#
# Playwright drives this system browser (executable_path=/usr/bin/chromium) instead of the
# browsers `playwright install` downloads, which cannot be fetched here. Installing needs root
# and apt; when either is missing this script says so loudly and exits non-zero, and the
# browser tests skip with that message rather than pass silently.
set -u

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    exit 0
fi

fail() {
    echo "================================================================" >&2
    echo "ensure-chromium: cannot provide $CHROMIUM: $1" >&2
    echo "Install it by hand (as root): apt-get update && apt-get install -y chromium" >&2
    echo "================================================================" >&2
    exit 1
}

[ "$(id -u)" -eq 0 ] || fail "installing needs root, and this runs as $(id -un)"
command -v apt-get >/dev/null 2>&1 || fail "apt-get is not available on this system"

echo "ensure-chromium: $CHROMIUM is missing; installing Debian's chromium package" >&2
DEBIAN_FRONTEND=noninteractive apt-get update >&2 || fail "apt-get update failed"
DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >&2 \
    || fail "apt-get install chromium failed"
[ -x "$CHROMIUM" ] || fail "the chromium package installed no $CHROMIUM"
echo "ensure-chromium: installed $($CHROMIUM --version 2>/dev/null)" >&2
