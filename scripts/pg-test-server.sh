#!/usr/bin/env bash
# pg-test-server.sh: a throwaway PostgreSQL 15 server for tests.
#
#   scripts/pg-test-server.sh start DIR   initialises a cluster in DIR (absent or
#       empty), starts it on 127.0.0.1 at a free port with its unix socket in DIR,
#       trust authentication and fsync off, creates the database frontdoor_test,
#       and prints its URL as the last line on stdout:
#           postgresql://postgres@127.0.0.1:PORT/frontdoor_test
#   scripts/pg-test-server.sh stop DIR    stops that server (fast) and removes DIR.
#
# Quiet on success except for the URL; on failure says why on stderr (with the
# server's log) and exits non-zero. Run as root, it runs the server as the
# `postgres` OS user (PostgreSQL refuses root) and chowns DIR to it; run as
# another user, it runs the server as that user. Needs Debian's postgresql-15
# (PGBIN overrides /usr/lib/postgresql/15/bin).
#
# Example (a test run):
#   url=$(scripts/pg-test-server.sh start /tmp/fd-pg | tail -n 1)
#   FD_TEST_PG_URL=$url build/test_store
#   scripts/pg-test-server.sh stop /tmp/fd-pg
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
MARK=.frontdoor-pg-test-server # start writes it; stop removes only a DIR that has it

die() {
    echo "pg-test-server: $*" >&2
    exit 1
}

usage() {
    echo "usage: $0 start DIR | stop DIR" >&2
    exit 2
}

# as_server CMD...: runs CMD as the user the server runs as, from DIR (the
# caller's working directory may be closed to that user).
as_server() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd "$dir" && runuser -u postgres -- "$@")
    else
        (cd "$dir" && "$@")
    fi
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
    else
        echo $((20000 + RANDOM % 40000)) # start retries if it is taken
    fi
}

# show_log FILE: prints FILE's last lines to stderr, if it exists.
show_log() {
    [ -f "$1" ] && tail -n 30 "$1" >&2
    return 0
}

start() {
    [ -x "$PGBIN/initdb" ] || die "no PostgreSQL 15 at $PGBIN (apt-get install postgresql-15)"
    if [ -e "$dir" ]; then
        [ -d "$dir" ] || die "$dir exists and is not a directory"
        [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
    else
        mkdir -p "$dir"
    fi
    dir=$(cd "$dir" && pwd)
    touch "$dir/$MARK"
    chmod 700 "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || die "no postgres OS user (is postgresql-15 installed?)"
        chown postgres: "$dir"
        runuser -u postgres -- test -w "$dir" ||
            die "the postgres user cannot reach $dir (a parent directory is closed to it); use one under /tmp"
    fi
    # The socket path must fit in sun_path (107 bytes).
    [ ${#dir} -le 80 ] || die "$dir is too long for a unix socket path; use a shorter one"

    if ! as_server "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
        >"$dir/initdb.log" 2>&1; then
        show_log "$dir/initdb.log"
        die "initdb failed"
    fi
    cat >>"$dir/data/postgresql.conf" <<EOF

# pg-test-server.sh: a throwaway server for tests.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
log_min_messages = warning
EOF

    local port tries=0
    while :; do
        port=$(free_port)
        if as_server "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" -w -t 60 start \
            >/dev/null 2>&1; then
            break
        fi
        tries=$((tries + 1))
        # Someone took the port between the check and the start: try another.
        if [ $tries -lt 5 ] && grep -q 'could not bind\|Address already in use' "$dir/server.log" 2>/dev/null; then
            continue
        fi
        show_log "$dir/server.log"
        die "the server did not start"
    done
    if ! as_server "$PGBIN/createdb" -h "$dir" -p "$port" -U postgres frontdoor_test >"$dir/createdb.log" 2>&1; then
        show_log "$dir/createdb.log"
        as_server "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
        die "createdb frontdoor_test failed"
    fi
    echo "postgresql://postgres@127.0.0.1:$port/frontdoor_test"
}

stop() {
    [ -d "$dir" ] || die "$dir: no such directory"
    dir=$(cd "$dir" && pwd)
    [ -f "$dir/$MARK" ] || die "$dir was not made by $0 start; not touching it"
    # status: 0 running, 3 not running (a stale pid file is fine), 4 no cluster.
    if [ -d "$dir/data" ] && as_server "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        as_server "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
            die "pg_ctl stop failed; $dir left in place"
    fi
    rm -rf -- "$dir"
}

[ $# -eq 2 ] || usage
dir=$2
[ -n "$dir" ] || usage
case $1 in
start) start ;;
stop) stop ;;
*) usage ;;
esac
