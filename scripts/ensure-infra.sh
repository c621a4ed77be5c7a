#!/usr/bin/env bash
# Makes sure the PostgreSQL and NATS JetStream servers the system and its tests
# need are reachable; starts the local ones when they are installed but down.
# DATABASE_URL / NATS_URL pointing elsewhere are trusted and only checked.
set -euo pipefail

pg_host=127.0.0.1; pg_port=5432
nats_host=127.0.0.1; nats_port=4222

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() {
  local name=$1 host=$2 port=$3
  for _ in $(seq 1 60); do
    port_open "$host" "$port" && return 0
    sleep 0.5
  done
  echo "ensure-infra: $name is not reachable at $host:$port" >&2
  return 1
}

if [[ -z "${DATABASE_URL:-}" ]] && ! port_open "$pg_host" "$pg_port"; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1 && command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
    echo "ensure-infra: installing PostgreSQL from Debian's packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  if ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "ensure-infra: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  else
    echo "ensure-infra: PostgreSQL is not installed; install it (apt-get install postgresql) or set DATABASE_URL" >&2
    exit 1
  fi
  wait_for PostgreSQL "$pg_host" "$pg_port"
fi

if [[ -z "${NATS_URL:-}" ]] && ! port_open "$nats_host" "$nats_port"; then
  if ! command -v nats-server >/dev/null && [[ ! -x /usr/sbin/nats-server ]] && command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
    echo "ensure-infra: installing nats-server from Debian's packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null
  fi
  nats_bin=$(command -v nats-server || echo /usr/sbin/nats-server)
  if [[ -x "$nats_bin" ]]; then
    echo "ensure-infra: starting NATS with JetStream"
    mkdir -p /var/lib/nats-server
    start-stop-daemon --start --oknodo --background --exec "$nats_bin" -- \
      -a "$nats_host" -p "$nats_port" -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  else
    echo "ensure-infra: nats-server is not installed; install it (apt-get install nats-server) or set NATS_URL" >&2
    exit 1
  fi
  wait_for NATS "$nats_host" "$nats_port"
fi
# The chaos suite starts private servers of its own: it needs the binaries even where
# DATABASE_URL / NATS_URL point at servers elsewhere.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  if command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
    echo "ensure-infra: installing PostgreSQL's server binaries for the chaos suite"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "ensure-infra: initdb is not installed; the chaos suite needs it (apt-get install postgresql)" >&2
    exit 1
  fi
fi
if ! command -v nats-server >/dev/null && [[ ! -x /usr/sbin/nats-server ]]; then
  if command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
    echo "ensure-infra: installing nats-server for the chaos suite"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null
  else
    echo "ensure-infra: nats-server is not installed; the chaos suite needs it (apt-get install nats-server)" >&2
    exit 1
  fi
fi
echo "ensure-infra: PostgreSQL and NATS are reachable"
