#!/usr/bin/env bash
# Installs the Debian packages the test suite uses when they are missing: chromium (map and
# page tests) and postgresql (API tests against a real server). Needs root and apt-get;
# elsewhere it says what is missing. The tests that need a missing tool skip with that reason,
# or fail when CI=true (tests/conftest.py: require_system_tool), so CI cannot pass by skipping.
set -u
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -x /usr/lib/postgresql/*/bin/postgres ] 2>/dev/null || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: cannot install ${missing[*]} (needs root and apt-get); tests that need them will skip" \
       "(and fail when CI=true)" >&2
  exit 0
fi
echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
  || echo "system-deps: installing ${missing[*]} failed; tests that need them will skip (and fail when CI=true)" >&2
exit 0
