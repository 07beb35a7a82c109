#!/usr/bin/env bash
# Unpacks Debian's ProFTPD (with mod_tls) into .cache/proftpd-root for the implicit-FTPS tests.
# pure-ftpd cannot do implicit TLS, and Debian will not install ProFTPD beside it (both provide
# ftp-server), so the package is unpacked, not installed; its libraries are installed normally.
# Needs root (apt-get). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
root=.cache/proftpd-root
if [ -x "$root/usr/sbin/proftpd" ] && [ -f "$root/usr/lib/proftpd/mod_tls.so" ]; then exit 0; fi
export DEBIAN_FRONTEND=noninteractive
libs=(libhiredis0.14 libmemcached11 libmemcachedutil2 libpcre2-posix3)
missing=()
for p in "${libs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download proftpd-core proftpd-mod-crypto >/dev/null 2>&1)
rm -rf "$root"
mkdir -p "$root"
for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$root"; done
echo "ProFTPD unpacked into $root"
