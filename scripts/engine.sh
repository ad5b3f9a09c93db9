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
  command -v crun >/dev/null 2>&1 || need_pkgs+=(crun)
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

# The engine we start runs its containers with crun, the OCI runtime written in C, instead of runc:
# runc is a Go program started three to four times for each container (create, start, each exec,
# delete), and each start of it costs tens of milliseconds of CPU; with crun a team boots for about
# 1 CPU-s less (docs/performance.md, "The engine's own work"). crun refuses a hybrid cgroup layout
# in which a controller sits on the cgroup2 side while the others are v1 (this machine's kernel puts
# hugetlb there), so such a controller is mounted as v1 beside the others first; if that cannot be
# done, or crun is missing, the engine keeps runc.
crun_ready() {
  command -v crun >/dev/null 2>&1 || return 1
  local unified=/sys/fs/cgroup/unified
  [ -f "$unified/cgroup.controllers" ] || return 0 # pure v1 or pure v2: nothing to move
  local c
  for c in $(cat "$unified/cgroup.controllers"); do
    mkdir -p "/sys/fs/cgroup/$c" 2>/dev/null || return 1
    mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c" 2>/dev/null || return 1
  done
  [ -z "$(cat "$unified/cgroup.controllers")" ]
}
DOCKERD_ARGS=()
if [ "${ENSHU_RUNTIME:-crun}" = crun ] && crun_ready; then
  DOCKERD_ARGS+=(--add-runtime "crun=$(command -v crun)" --default-runtime crun)
fi
# Every Go program of the engine (dockerd, containerd, the shims, and dockerd's re-executions of itself
# for each container's network set-up, about 50 ms each) collects garbage at a quarter of the default
# rate: the short-lived ones then mostly never collect at all. dockerd holds ~50 MiB more for it.
export GOGC=${GOGC:-400}

# The engine gets a CPU-accounting cgroup of its own (enshu-engine), which its children inherit: the
# benchmarks read the engine's whole CPU from it, its short-lived helpers included (runtime runs,
# network hooks, iptables). The containers' processes are moved to their own cgroups by the runtime.
engine_cgroup() {
  local g
  if [ -d /sys/fs/cgroup/cpuacct ]; then
    g=/sys/fs/cgroup/cpuacct/enshu-engine
  elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    g=/sys/fs/cgroup/enshu-engine
  else
    return 0
  fi
  mkdir -p "$g" 2>/dev/null && [ -f "$g/cgroup.procs" ] && echo "$g"
}
CGROUP=$(engine_cgroup || true)

say "starting dockerd${DOCKERD_ARGS[*]:+ with ${DOCKERD_ARGS[*]}} (log: $LOG)"
mkdir -p "$(dirname "$LOG")"
# A stale pid file from a killed daemon stops a new one from starting.
if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then rm -f /var/run/docker.pid; fi
# shellcheck disable=SC2016 # $$ and $1 belong to the inner shell
in_cgroup=(bash -c '[ -z "$1" ] || echo $$ >"$1/cgroup.procs" 2>/dev/null || true; shift; exec "$@"' _ "$CGROUP")
if command -v setsid >/dev/null 2>&1; then
  setsid nohup "${in_cgroup[@]}" dockerd "${DOCKERD_ARGS[@]}" >>"$LOG" 2>&1 < /dev/null &
else
  nohup "${in_cgroup[@]}" dockerd "${DOCKERD_ARGS[@]}" >>"$LOG" 2>&1 < /dev/null &
fi
for _ in $(seq 1 "$WAIT"); do
  if answers; then say "engine ready ($(docker version --format '{{.Server.Version}}'))"; exit 0; fi
  sleep 1
done
say "dockerd did not answer within ${WAIT}s; last lines of $LOG:"
tail -n 20 "$LOG" >&2 || true
exit 1
