#!/usr/bin/env bash
# Installs the real peer servers the tests run against (Debian packages), when missing:
# tinyproxy (a forward proxy) and openssl (to make test certificates). The tests start and
# stop them on 127.0.0.1 themselves. Needs root (or sudo) on a Debian-like machine.
set -euo pipefail
need=()
command -v tinyproxy >/dev/null 2>&1 || need+=(tinyproxy)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing test peers: ${need[*]}"
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# the package starts a system-wide tinyproxy on port 8888; the tests run their own
"${as_root[@]}" systemctl stop tinyproxy >/dev/null 2>&1 || "${as_root[@]}" pkill -x tinyproxy >/dev/null 2>&1 || true
