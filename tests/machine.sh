#!/usr/bin/env bash
# What the test suite needs of this machine, installed or started when missing: the one list
# that `make test` (and through it CI's .ci/run) goes by. Safe to run again: it only acts on
# what is absent.
#
#   Debian packages  chromium + CJK fonts (browser tests and page checks), gettext (the
#                    catalogues), a Java runtime and npm (the Nu Html Checker and axe-core,
#                    which `make checkers` installs from npm), redis-server, and PostgreSQL
#                    when DATABASE_URL names a server on this machine (`make test-faults`
#                    makes a private server with its initdb too).
#   services         Redis at 127.0.0.1:6379 (the cache, settings and two-server tests); the
#                    PostgreSQL cluster behind a DATABASE_URL on 127.0.0.1 / localhost, and
#                    the database it names. With DATABASE_URL unset the tests run on the
#                    embedded PostgreSQL under var/pg, which needs nothing from here.
set -euo pipefail

say() { printf 'tests/machine.sh: %s\n' "$*"; }

# The host and port of DATABASE_URL when it names a PostgreSQL on this machine.
db_host="" db_port=5432 db_name=""
if [ -n "${DATABASE_URL:-}" ]; then
  rest=${DATABASE_URL#*://}
  rest=${rest#*@}
  hostport=${rest%%/*}
  db_name=${rest#*/}
  db_name=${db_name%%\?*}
  case "$hostport" in
    *:*) db_host=${hostport%%:*}; db_port=${hostport##*:} ;;
    *) db_host=$hostport ;;
  esac
  case "$db_host" in 127.0.0.1|localhost) ;; *) db_host="" ;; esac
fi

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v msgfmt >/dev/null || need+=(gettext)
command -v java >/dev/null || need+=(default-jre-headless)
command -v npm >/dev/null || need+=(npm)
command -v redis-server >/dev/null || need+=(redis-server)
if [ -n "$db_host" ] || [ "${NEED_POSTGRESQL:-0}" = 1 ]; then
  command -v pg_isready >/dev/null || need+=(postgresql)
fi

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    say "missing Debian packages: ${need[*]}"
    say "install them as root (apt-get install -y ${need[*]}) and run make test again."
    exit 1
  fi
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi

answers() { timeout 1 bash -c "</dev/tcp/$1/$2" 2>/dev/null; }

if ! answers 127.0.0.1 6379; then
  say "starting Redis at 127.0.0.1:6379 (no saving to disk)"
  dir=${TMPDIR:-/tmp}/tsunagari-redis
  mkdir -p "$dir"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "$dir" --logfile "$dir/redis.log"
  for _ in $(seq 1 20); do answers 127.0.0.1 6379 && break; sleep 0.5; done
  answers 127.0.0.1 6379 || { say "Redis did not start: see $dir/redis.log"; exit 1; }
fi

if [ -n "$db_host" ]; then
  if ! pg_isready -q -h "$db_host" -p "$db_port"; then
    cluster=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    [ -n "$cluster" ] || { say "no PostgreSQL cluster under /etc/postgresql to start"; exit 1; }
    say "starting PostgreSQL $cluster"
    if [ "$(id -u)" = 0 ]; then
      pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
    else
      sudo -n pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
    fi
    for _ in $(seq 1 30); do pg_isready -q -h "$db_host" -p "$db_port" && break; sleep 1; done
  fi
  pg_isready -q -h "$db_host" -p "$db_port" \
    || { say "PostgreSQL at $db_host:$db_port does not answer"; exit 1; }
  # pytest-django makes test_<name> beside it; the database itself is where `make run` and
  # manage.py commands point.
  if [ -n "$db_name" ] && ! psql "$DATABASE_URL" -tAc "SELECT 1" >/dev/null 2>&1; then
    say "creating database $db_name"
    base=${DATABASE_URL%%\?*}
    psql "${base%/*}/postgres" -qc "CREATE DATABASE \"$db_name\""
  fi
fi
