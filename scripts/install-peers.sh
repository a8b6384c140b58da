#!/usr/bin/env bash
# Installs the real peer servers the tests run against (Debian packages), when missing:
# tinyproxy (a forward proxy), openssl (to make test certificates) and apache2 with
# apache2-utils (mod_auth_digest, for the live Digest tests), chromium (headless, for the
# browser build's test, test/runtime/browser.test.ts) and httpie (the `http` command the
# command-line differential test compares httpipe with). The tests start and stop the servers
# on 127.0.0.1 themselves. Needs root (or sudo) on a Debian-like machine.
set -euo pipefail
need=()
command -v tinyproxy >/dev/null 2>&1 || need+=(tinyproxy)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# apache2 lives in /usr/sbin, which is not always on a non-root PATH
{ command -v apache2 >/dev/null 2>&1 || [ -x /usr/sbin/apache2 ]; } || need+=(apache2)
{ command -v htdigest >/dev/null 2>&1 || [ -x /usr/bin/htdigest ]; } || need+=(apache2-utils)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v http >/dev/null 2>&1 || need+=(httpie)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing test peers: ${need[*]}"
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# the packages start a system-wide tinyproxy (port 8888) and apache2 (port 80); the tests
# run their own
stop_service() {
  "${as_root[@]}" systemctl stop "$1" >/dev/null 2>&1 || "${as_root[@]}" service "$1" stop >/dev/null 2>&1 || true
  "${as_root[@]}" systemctl disable "$1" >/dev/null 2>&1 || true
}
for s in "${need[@]}"; do
  case "$s" in
    tinyproxy)
      stop_service tinyproxy
      "${as_root[@]}" pkill -x tinyproxy >/dev/null 2>&1 || true
      ;;
    apache2)
      stop_service apache2
      # without systemd (containers) apachectl stops the instance the postinst started
      if [ -f /var/run/apache2/apache2.pid ]; then
        "${as_root[@]}" apache2ctl stop >/dev/null 2>&1 || true
      fi
      ;;
  esac
done
