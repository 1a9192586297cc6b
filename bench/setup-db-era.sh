#!/usr/bin/env bash
# bench/setup-db-era.sh — ExportSetup/RestoreSetup of a database-era deployment (the 0.50.33 stand-in) holding
# 1,000 connections and 10,000 jobs (with 10,000 attempts), against doing it by hand (pg_dump; psql into a recreated
# schema), and how long the writers stay paused during ExportSetup. See bench/README.md. Run it under the host lock:
#
#   flock /tmp/airbyteops-docker.lock bench/setup-db-era.sh [--runs 3] [--jobs 10000] [--connections 1000]
#
# It builds its own small deployment (never the user's, never the real container names): airbyte-db, the bootloader
# and the server from the local airbyteops/airbyte-*:0.50.33 images, named abops-bench-dbera-*, on their own network
# (the database reachable as "db", as in the real compose file), the server's API on a free 127.0.0.1 port (no proxy, so
# no basic auth), removed at the end. A two-service compose file in the work folder names them for the targets (their
# hosts and writers); RestoreSetup runs with --exclusive (no ComposeUp of that file). Nothing is pulled; no password is printed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"   # timed, median
root="$(cd "$here/.." && pwd)"
cd "$root"
RUNS=3; JOBS=10000; CONNECTIONS=1000
while [ $# -gt 0 ]; do case "$1" in --runs) RUNS="$2"; shift 2 ;; --jobs) JOBS="$2"; shift 2 ;; --connections) CONNECTIONS="$2"; shift 2 ;; *) echo "unknown $1" >&2; exit 2 ;; esac; done
P=abops-bench-dbera
V=0.50.33
WORK="$here/.work/setup-db-era"; ART="$WORK/artifacts"; HAND="$WORK/by-hand"; LOG="$WORK/log"
rm -rf "$WORK"; mkdir -p "$ART" "$HAND" "$LOG"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

cleanup() {
  docker rm -f "$P-server" "$P-db" >/dev/null 2>&1 || true
  docker volume rm "$P-dbdata" >/dev/null 2>&1 || true
  docker network rm "$P-net" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATABASE_PASSWORD=docker; POSTGRES_PASSWORD=docker; export DATABASE_PASSWORD POSTGRES_PASSWORD   # the stand-in's; passed by name
ENV=(-e AIRBYTE_VERSION=$V -e DATABASE_URL=jdbc:postgresql://db:5432/airbyte -e DATABASE_USER=docker -e DATABASE_PASSWORD)
docker network create "$P-net" >/dev/null
docker volume create "$P-dbdata" >/dev/null
docker run -d --name "$P-db" --network "$P-net" --network-alias db -e POSTGRES_USER=docker -e POSTGRES_PASSWORD \
  -v "$P-dbdata:/var/lib/postgresql/data" airbyteops/airbyte-db:$V >/dev/null
for i in $(seq 1 240); do
  docker exec "$P-db" psql -X -tA -U docker -d airbyte -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.5
done
docker run --rm --network "$P-net" "${ENV[@]}" airbyteops/airbyte-bootloader:$V >/dev/null
docker run -d --name "$P-server" --network "$P-net" -p "127.0.0.1:$PORT:8001" "${ENV[@]}" airbyteops/airbyte-server:$V >/dev/null
API="http://127.0.0.1:$PORT/api/v1"
for i in $(seq 1 240); do curl -fsS "$API/health" 2>/dev/null | grep -q '"available":true' && break; sleep 0.5; done
post() { curl -fsS -H 'Content-Type: application/json' -X POST --data-binary @- "$API/$1"; }
jq_id() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

# The configuration, through the API (secrets split into the secrets table by the server): 10 sources, 10
# destinations, $CONNECTIONS connections between them. Then $JOBS sync jobs and their attempts, by SQL.
WS=$(echo '{}' | post workspaces/list | python3 -c "import json,sys; print(json.load(sys.stdin)['workspaces'][0]['workspaceId'])")
SRC_DEF=$(echo '{}' | post source_definitions/list | python3 -c "import json,sys; print([d for d in json.load(sys.stdin)['sourceDefinitions'] if d['dockerRepository']=='airbyte/source-postgres'][0]['sourceDefinitionId'])")
DST_DEF=$(echo '{}' | post destination_definitions/list | python3 -c "import json,sys; print([d for d in json.load(sys.stdin)['destinationDefinitions'] if d['dockerRepository']=='airbyte/destination-postgres'][0]['destinationDefinitionId'])")
SOURCES=(); DESTINATIONS=()
for i in $(seq 1 10); do
  SOURCES+=("$(printf '{"workspaceId":"%s","name":"bench source %d","sourceDefinitionId":"%s","connectionConfiguration":{"host":"h","port":5432,"database":"d","username":"u","password":"bench-src-%d"}}' "$WS" "$i" "$SRC_DEF" "$i" | post sources/create | jq_id sourceId)")
  DESTINATIONS+=("$(printf '{"workspaceId":"%s","name":"bench destination %d","destinationDefinitionId":"%s","connectionConfiguration":{"host":"h","port":5432,"database":"d","schema":"public","username":"u","password":"bench-dst-%d"}}' "$WS" "$i" "$DST_DEF" "$i" | post destinations/create | jq_id destinationId)")
done
for i in $(seq 1 "$CONNECTIONS"); do
  printf '{"sourceId":"%s","destinationId":"%s","status":"active","name":"bench %d","namespaceDefinition":"source","scheduleType":"manual","syncCatalog":{"streams":[{"stream":{"name":"t%d","namespace":"public","jsonSchema":{"type":"object"},"supportedSyncModes":["full_refresh","incremental"]},"config":{"syncMode":"incremental","destinationSyncMode":"append","selected":true}}]}}' \
    "${SOURCES[$((i % 10))]}" "${DESTINATIONS[$((i % 10))]}" "$i" "$i" | post connections/create >/dev/null
done
psql_db() { docker exec -i "$P-db" psql -X -q -v ON_ERROR_STOP=1 -U docker -d airbyte "$@"; }
psql_db -c "INSERT INTO jobs (config_type, scope, config, status, created_at, started_at, updated_at)
  SELECT 'sync', c.id::text, jsonb_build_object('configType','sync','sync', jsonb_build_object(
    'sourceConfiguration', jsonb_build_object('host','h','password', jsonb_build_object('_secret', 'airbyte_workspace_x_secret_' || g || '_v1')),
    'state', jsonb_build_object('cursor', '2021-01-01'))), 'succeeded', now(), now(), now()
  FROM generate_series(1, $JOBS) g JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM connection) c ON c.n = g % (SELECT count(*) FROM connection);
  INSERT INTO attempts (job_id, attempt_number, log_path, output, status, created_at, updated_at, ended_at)
  SELECT id, 0, '/tmp/workspace/' || id || '/0', jsonb_build_object('sync', jsonb_build_object('standardSyncSummary', jsonb_build_object('status','completed','recordsSynced', 33))),
    'succeeded', now(), now(), now() FROM jobs;"

# The compose file the targets read: its two services name the bench's containers (hosts, writers); no .env, no basic auth.
# --data-volume/--workspace-volume: the real 0.50.33 compose mounts `data` at CONFIG_ROOT and `workspace` at WORKSPACE_ROOT, which name them; this reduced file has neither (the database era reads neither).
mkdir -p "$WORK/compose"
printf 'services:\n  db:\n    image: airbyteops/airbyte-db:%s\n    container_name: %s-db\n  server:\n    image: airbyteops/airbyte-server:%s\n    container_name: %s-server\n' "$V" "$P" "$V" "$P" > "$WORK/compose/docker-compose.yaml"
: > "$WORK/compose/.env"
ARGS=(--compose-file "$WORK/compose/docker-compose.yaml" --project "$P" --server-container "$P-server" --db-container "$P-db" --data-volume "$P-data" --workspace-volume "$P-workspace" --scheduler-container ''
      --server-url "$API" --artifacts "$ART")
# A failing target is recorded (its seconds would otherwise pass for a measurement) and fails the bench before the table.
t() { timed "$LOG/out" "$@"; [ "$TIMED_RC" -eq 0 ] || echo "$*" >>"$LOG/failed"; echo "$TIMED_S"; }
./build.sh Help >/dev/null 2>&1 || true   # warm: libraries built, Cake script cached

declare -a OE OR HE HR HELD
for r in $(seq 1 "$RUNS"); do
  OE+=("$(t ./build.sh ExportSetup --exclusive --setup bench-dbera --overwrite true "${ARGS[@]}")")
  HELD+=("$(grep -o 'they were held [0-9.]* s' "$LOG/out" | tail -1 | awk '{print $4}')")
  HE+=("$(t bash -c "docker exec '$P-db' pg_dump -U docker -d airbyte > '$HAND/airbyte.sql'")")
  psql_db -c "UPDATE jobs SET status = 'failed' WHERE id = 1" # the live database differs from the setup
  OR+=("$(t ./build.sh RestoreSetup --exclusive --setup bench-dbera "${ARGS[@]}")")
  psql_db -c "UPDATE jobs SET status = 'failed' WHERE id = 1"
  HR+=("$(t bash -c "docker exec -i '$P-db' psql -X -q -v ON_ERROR_STOP=1 -U docker -d airbyte -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public' && docker exec -i '$P-db' psql -X -q -v ON_ERROR_STOP=1 --single-transaction -U docker -d airbyte < '$HAND/airbyte.sql' >/dev/null")")
done
size=$(du -k "$HAND/airbyte.sql" | cut -f1)
jobs=$(docker exec "$P-db" psql -X -tA -U docker -d airbyte -c "SELECT count(*) FROM jobs")
connections=$(docker exec "$P-db" psql -X -tA -U docker -d airbyte -c "SELECT count(*) FROM connection")
echo "$(date -u '+%Y-%m-%d %H:%M UTC') | $(nproc) CPUs | load $(cut -d' ' -f1-3 /proc/loadavg) | $connections connections, $jobs jobs, dump ${size} KB | runs $RUNS"
if [ -s "$LOG/failed" ]; then echo "bench: a target failed, so no table (see $LOG/out):" >&2; cat "$LOG/failed" >&2; exit 1; fi
printf '| %s | %s | %s | %s |\n' "operation" "ours (s)" "by hand (s)" "writers paused (s)"
printf '| %s | %s | %s | %s |\n' "ExportSetup, database era" "$(printf '%s\n' "${OE[@]}" | median)" "$(printf '%s\n' "${HE[@]}" | median)" "$(printf '%s\n' "${HELD[@]}" | median)"
printf '| %s | %s | %s | %s |\n' "RestoreSetup, database era" "$(printf '%s\n' "${OR[@]}" | median)" "$(printf '%s\n' "${HR[@]}" | median)" "stopped for the swap"
