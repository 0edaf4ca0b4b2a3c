# Sourced by the benchmark scripts: one PostgreSQL cluster for a run, on loopback, run as the
# postgres user (never root). Needs $work (the run's temporary directory). Sets pgbin, pgdir
# (also the socket directory) and pgport; start_postgres is idempotent, stop_postgres removes it.
pgdir=""; pgport=""; pgbin=""
start_postgres() {
  [ -n "$pgdir" ] && return
  pgbin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
  pgdir=$(mktemp -d /tmp/alerthealer-bench-pg-XXXXXX); chown postgres "$pgdir"
  pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  runuser -u postgres -- "$pgbin/initdb" -D "$pgdir/data" --auth=trust -U postgres >"$work/initdb.log" 2>&1
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdir/data" -w -l "$pgdir/server.log" \
    -o "-p $pgport -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on" start >/dev/null
}
stop_postgres() {
  [ -z "$pgdir" ] && return
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"; pgdir=""
}
