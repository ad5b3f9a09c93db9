#!/usr/bin/env bash
# Makes sure a container engine answers, and that the host tools the project needs exist.
# An engine that already runs is used as it is. Otherwise, as root on Debian/Ubuntu, installs
# the distribution's docker.io and starts dockerd in the background with a log file.
set -euo pipefail

LOG=${ENSHU_DOCKERD_LOG:-/var/log/enshu-dockerd.log}
WAIT=${ENSHU_ENGINE_WAIT:-60}

say() { printf 'engine: %s\n' "$*" >&2; }

answers() {
  if [ -n "${DOCKER_HOST:-}" ]; then docker version >/dev/null 2>&1; return; fi
  [ -S /var/run/docker.sock ] && docker version >/dev/null 2>&1
}

need_pkgs=()
missing_host_tools() {
  need_pkgs=()
  command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
  command -v docker >/dev/null 2>&1 || need_pkgs+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || need_pkgs+=(debootstrap)
  command -v iptables >/dev/null 2>&1 || need_pkgs+=(iptables)
  for p in "${EXTRA_PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p"); done
}

# Extra host packages callers may ask for (tests need docker-compose and an ssh client).
EXTRA_PKGS=(${ENSHU_EXTRA_PKGS:-})

missing_host_tools
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    if answers; then
      say "an engine answers; missing host tools (${need_pkgs[*]}) must be installed by an administrator"
    else
      say "no container engine answers and I cannot install one (need root on Debian/Ubuntu)."
      say "Install Docker (e.g. 'sudo apt-get install docker.io' and start it) or set DOCKER_HOST to a running engine."
      exit 1
    fi
  else
    say "installing ${need_pkgs[*]} from the distribution's archive"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  fi
fi

if answers; then
  say "using the running engine ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
  exit 0
fi

if [ -n "${DOCKER_HOST:-}" ]; then
  say "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine or unset DOCKER_HOST"
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  say "no engine answers on /var/run/docker.sock and only root can start one here; ask an administrator to start Docker"
  exit 1
fi

say "starting dockerd (log: $LOG)"
mkdir -p "$(dirname "$LOG")"
# A stale pid file from a killed daemon stops a new one from starting.
if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then rm -f /var/run/docker.pid; fi
if command -v setsid >/dev/null 2>&1; then
  setsid nohup dockerd >>"$LOG" 2>&1 < /dev/null &
else
  nohup dockerd >>"$LOG" 2>&1 < /dev/null &
fi
for _ in $(seq 1 "$WAIT"); do
  if answers; then say "engine ready ($(docker version --format '{{.Server.Version}}'))"; exit 0; fi
  sleep 1
done
say "dockerd did not answer within ${WAIT}s; last lines of $LOG:"
tail -n 20 "$LOG" >&2 || true
exit 1
