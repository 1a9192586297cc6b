#!/usr/bin/env bash
# bench/setup-database.sh — ExportSetup/RestoreSetup of a deployment whose jobs database holds 10,000 jobs (and
# 10,000 attempts), against doing it by hand (docker cp of /data + pg_dump; docker cp back + psql), and the time
# the writers stay paused during ExportSetup. See bench/README.md. Run it under the Docker host lock:
#
#   flock /tmp/airbyteops-docker.lock bench/setup-database.sh [--runs 3] [--jobs 10000]
#
# It builds its own small deployment (never the user's): a data volume seeded from the demo stack's seed image,
# a busybox "server" and "scheduler" (they only have to be paused), and a real Postgres from the airbyte-db
# stand-in image, all named abops-bench-db-*, removed at the end. Nothing is pulled; no password is printed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"   # timed, median
root="$(cd "$here/.." && pwd)"
cd "$root"
RUNS=3; JOBS=10000
while [ $# -gt 0 ]; do case "$1" in --runs) RUNS="$2"; shift 2 ;; --jobs) JOBS="$2"; shift 2 ;; *) echo "unknown $1" >&2; exit 2 ;; esac; done
P=abops-bench-db
WORK="$here/.work/setup-database"; ART="$WORK/artifacts"; HAND="$WORK/by-hand"; LOG="$WORK/log"
rm -rf "$WORK"; mkdir -p "$ART" "$HAND" "$LOG"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

cleanup() {
  docker rm -f "$P-server" "$P-scheduler" "$P-db" >/dev/null 2>&1 || true
  docker volume rm "$P-data" "$P-dbdata" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

POSTGRES_PASSWORD=docker; export POSTGRES_PASSWORD   # the stand-in's; passed by name, never on a command line
docker volume create "$P-data" >/dev/null && docker volume create "$P-dbdata" >/dev/null
docker run --rm -v "$P-data:/app/seed" --network none airbyteops/airbyte-seed:0.7.1-alpha >/dev/null
docker run -d --name "$P-db" --network none -e POSTGRES_USER=docker -e POSTGRES_PASSWORD -e POSTGRES_DB=airbyte \
  -v "$P-dbdata:/var/lib/postgresql/data" airbyteops/airbyte-db:0.7.1-alpha >/dev/null
docker run -d --name "$P-server" --network none -e AIRBYTE_VERSION=0.7.1-alpha -e DATABASE_DB=airbyte -e DATABASE_USER=docker \
  -v "$P-data:/data" airbyteops/busybox:latest sleep 86400 >/dev/null
docker run -d --name "$P-scheduler" --network none airbyteops/busybox:latest sleep 86400 >/dev/null
psql_db() { docker exec -i "$P-db" psql -X -q -v ON_ERROR_STOP=1 -U docker -d airbyte "$@"; }
for i in $(seq 1 120); do
  [ "$(docker exec "$P-db" psql -X -tA -U docker -d airbyte -c "SELECT current_setting('listen_addresses')" 2>/dev/null)" = "*" ] && break; sleep 0.5
done
# 10,000 sync jobs as the demo stack writes them: jobs.config with source/destination configurations (a password each),
# attempts.output with a state.
psql_db -c "INSERT INTO jobs (config_type, scope, config, status, created_at, started_at, updated_at)
  SELECT 'sync', 'conn-' || (g % 10), jsonb_build_object('configType','sync','sync', jsonb_build_object(
    'sourceConnection', jsonb_build_object('configuration', jsonb_build_object('base','USD','start_date','2020-11-01','api_key','bench-key-' || g)),
    'destinationConnection', jsonb_build_object('configuration', jsonb_build_object('host','localhost','port',3000,'username','postgres','password','bench-pw-' || g,'schema','public')),
    'standardSync', jsonb_build_object('syncMode','incremental'))), 'succeeded', now(), now(), now() FROM generate_series(1, $JOBS) g;
  INSERT INTO attempts (job_id, attempt_number, log_path, output, status, created_at, updated_at, ended_at)
  SELECT id, 0, '/tmp/workspace/' || id || '/0', jsonb_build_object('sync', jsonb_build_object('standardSyncSummary', jsonb_build_object('status','completed','recordsSynced', 33),
    'state', jsonb_build_object('connectionId', scope, 'state', jsonb_build_object('start_date','2021-01-01')))), 'succeeded', now(), now(), now() FROM jobs;"

ARGS=(--server-container "$P-server" --data-volume "$P-data" --db-container "$P-db" --scheduler-container "$P-scheduler" --artifacts "$ART")
# A failing target is recorded (its seconds would otherwise pass for a measurement) and fails the bench before the table.
t() { timed "$LOG/out" "$@"; [ "$TIMED_RC" -eq 0 ] || echo "$*" >>"$LOG/failed"; echo "$TIMED_S"; }
./build.sh Help >/dev/null 2>&1 || true   # warm: libraries built, Cake script cached

declare -a OE OR HE HR HELD
for r in $(seq 1 "$RUNS"); do
  OE+=("$(t ./build.sh ExportSetup --setup bench-db --overwrite true "${ARGS[@]}")")
  HELD+=("$(grep -o 'they were held [0-9.]* s' "$LOG/out" | tail -1 | awk '{print $4}')")
  HE+=("$(t bash -c "rm -rf '$HAND/data' && docker cp '$P-server:/data' '$HAND/data' && docker exec '$P-db' pg_dump -U docker -d airbyte > '$HAND/airbyte.sql'")")
  psql_db -c "UPDATE jobs SET status = 'failed' WHERE id = 1" # the live database differs from the setup
  OR+=("$(t ./build.sh RestoreSetup --setup bench-db "${ARGS[@]}")")
  psql_db -c "UPDATE jobs SET status = 'failed' WHERE id = 1"
  HR+=("$(t bash -c "docker cp '$HAND/data/config' '$P-server:/data' && docker exec -i '$P-db' psql -X -q -v ON_ERROR_STOP=1 -U docker -d airbyte -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public' && docker exec -i '$P-db' psql -X -q -v ON_ERROR_STOP=1 --single-transaction -U docker -d airbyte < '$HAND/airbyte.sql' >/dev/null")")
done
size=$(du -k "$HAND/airbyte.sql" | cut -f1)
rows=$(docker exec "$P-db" psql -X -tA -U docker -d airbyte -c "SELECT count(*) FROM jobs")
echo "$(date -u '+%Y-%m-%d %H:%M UTC') | $(nproc) CPUs | load $(cut -d' ' -f1-3 /proc/loadavg) | $rows jobs, dump ${size} KB | runs $RUNS"
if [ -s "$LOG/failed" ]; then echo "bench: a target failed, so no table (see $LOG/out):" >&2; cat "$LOG/failed" >&2; exit 1; fi
printf '| %s | %s | %s | %s |\n' "operation" "ours (s)" "by hand (s)" "writers paused (s)"
printf '| %s | %s | %s | %s |\n' "ExportSetup, $rows jobs" "$(printf '%s\n' "${OE[@]}" | median)" "$(printf '%s\n' "${HE[@]}" | median)" "$(printf '%s\n' "${HELD[@]}" | median)"
printf '| %s | %s | %s | %s |\n' "RestoreSetup, $rows jobs" "$(printf '%s\n' "${OR[@]}" | median)" "$(printf '%s\n' "${HR[@]}" | median)" "—"
