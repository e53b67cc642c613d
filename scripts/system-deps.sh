#!/usr/bin/env bash
# Installs the system tools the tests drive: Debian's chromium, postgresql, redis-server,
# nginx and softhsm2 (a PKCS#11 token for the result-signing tests).
# As root it installs what is missing; otherwise it says what is missing (the tests then
# skip locally with that reason, and fail in CI).
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -f /usr/lib/softhsm/libsofthsm2.so ] || missing+=(softhsm2)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "missing system packages: ${missing[*]} (run as root, or install them yourself)"
fi
