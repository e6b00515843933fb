#!/usr/bin/env bash
# Runs the Playwright suite inside a private network namespace (shared/PLATFORM.md):
# browsers, relay and devices see only loopback and a veth pair the script makes, so no
# WebRTC candidate or packet leaves the machine. Extra arguments go to `playwright test`.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x "${MESH_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
[ -x "${MESH_FIREFOX:-/usr/lib/firefox-esr/firefox-esr}" ] || missing+=(firefox-esr)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "e2e: installing ${missing[*]} from Debian's packages" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "e2e: missing browsers: ${missing[*]} (apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi

if [ ! -f apps/pwa/dist/index.html ]; then
  echo "e2e: the PWA is not built; run 'npm run build' first" >&2
  exit 1
fi

exec bash e2e/netns.sh npx playwright test -c e2e/playwright.config.ts "$@"
