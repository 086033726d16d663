#!/usr/bin/env bash
# Docker where no container registry can be reached (this CI, an air-gapped
# lab): an engine, buildx and compose from Debian's packages, and local
# stand-ins for the two base images the generated Dockerfile names.
#
#   scripts/offline_docker.sh start   # install, start dockerd, build base images
#   scripts/offline_docker.sh stop    # stop the dockerd this script started
#   scripts/offline_docker.sh env     # print the build arguments to use
#
# Idempotent: what is installed, running or built already is kept. Root only
# (apt-get, dockerd). Build with the printed arguments, for example:
#   docker build $(scripts/offline_docker.sh env) --target api .
set -euo pipefail

STATE=${OFFLINE_DOCKER_STATE:-/var/tmp/offline-docker}
PYTHON_IMAGE=local/python:3.11-slim-bookworm
UV_IMAGE=local/uv:offline
PIDFILE=$STATE/dockerd.pid

log() { echo "offline-docker: $*" >&2; }

# The Debian mirror this machine already uses (never written down here).
mirror() {
  local uri
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || { log "no Debian mirror found in /etc/apt"; exit 1; }
  echo "$uri"
}

install_engine() {
  if command -v dockerd >/dev/null && command -v debootstrap >/dev/null; then
    return
  fi
  log "installing docker.io and debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap >/dev/null
}

# Debian 12 has neither buildx nor compose v2; Debian 13's packages install on it.
install_plugins() {
  if docker buildx version >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
    return
  fi
  log "installing docker-buildx and docker-compose from Debian 13"
  local apt_dir=$STATE/apt
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/debs"
  echo "deb $(mirror) trixie main" >"$apt_dir/trixie.list"
  local options=(-o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::Etc::SourceList=$apt_dir/trixie.list" -o "Dir::Etc::SourceParts=/dev/null")
  apt-get "${options[@]}" update -qq
  (cd "$apt_dir/debs" && apt-get "${options[@]}" download docker-buildx docker-compose >/dev/null)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$apt_dir"/debs/*.deb >/dev/null
}

start_daemon() {
  if docker info >/dev/null 2>&1; then
    return
  fi
  log "starting dockerd"
  mkdir -p "$STATE"
  dockerd >"$STATE/dockerd.log" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return
    sleep 1
  done
  log "dockerd did not answer within 60 s; see $STATE/dockerd.log"
  exit 1
}

# python:3.11-slim-bookworm's stand-in: a minimal Debian 12 with its Python 3.11.
build_python_image() {
  if docker image inspect "$PYTHON_IMAGE" >/dev/null 2>&1; then
    return
  fi
  log "building $PYTHON_IMAGE with debootstrap (about a minute)"
  local rootfs=$STATE/rootfs-bookworm
  rm -rf "$rootfs"
  debootstrap --variant=minbase --include=python3,python-is-python3 \
    bookworm "$rootfs" "$(mirror)" >"$STATE/debootstrap.log" 2>&1
  rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/*
  tar -C "$rootfs" --numeric-owner -c . |
    docker import --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' - "$PYTHON_IMAGE" >/dev/null
  rm -rf "$rootfs"
}

# The uv image's stand-in: the uv and uvx binaries of the pip-installed uv.
build_uv_image() {
  if docker image inspect "$UV_IMAGE" >/dev/null 2>&1; then
    return
  fi
  log "building $UV_IMAGE from the installed uv"
  local context=$STATE/uv-image uv_bin
  uv_bin=$(python3 -c 'import uv; print(uv.find_uv_bin())' 2>/dev/null ||
    readlink -f "$(command -v uv)")
  mkdir -p "$context"
  cp "$uv_bin" "$(dirname "$uv_bin")/uvx" "$context/"
  printf 'FROM scratch\nCOPY uv uvx /\n' >"$context/Dockerfile"
  docker build --quiet --tag "$UV_IMAGE" "$context" >/dev/null
}

stop_daemon() {
  if [ -f "$PIDFILE" ]; then
    local pid
    pid=$(cat "$PIDFILE")
    log "stopping dockerd ($pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    rm -f "$PIDFILE"
  fi
}

build_args() {
  echo "--build-arg PYTHON_IMAGE=$PYTHON_IMAGE --build-arg UV_IMAGE=$UV_IMAGE"
}

case "${1:-start}" in
  start)
    install_engine
    start_daemon
    install_plugins
    build_python_image
    build_uv_image
    build_args
    ;;
  stop) stop_daemon ;;
  env) build_args ;;
  *)
    echo "usage: $0 start | stop | env" >&2
    exit 2
    ;;
esac
