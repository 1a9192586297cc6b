#!/usr/bin/env bash
# bench/tutorial.sh — the whole-Tutorial row of issue 13: `./build.sh Tutorial --restart true` against the tutorial's own
# commands played by a script at a person's pace (the same 14 steps, a 1 s poll wherever the tutorial says to wait).
#
#   flock /tmp/airbyteops-docker.lock bench/tutorial.sh [--runs 3]
#
# Both sides start from the same world, rebuilt before every run: the demo stack down with its volumes wiped
# (`docker-compose down -v`, images kept), the destination container `local-airbyte-postgres-destination` removed,
# /tmp/airbyte_local/data emptied. So this bench DOES remove the tutorial's destination container and wipes the demo
# stack; it ends with `./build.sh Tutorial --restart true` (the stack up, healthy, the tutorial done). Nothing is pulled;
# ports are on 127.0.0.1; the password is passed by variable name, never printed.
#
# The tutorial side, step by step (what a person types, or clicks: the UI calls the same API routes, played with curl):
#   StartPostgres        docker run --rm --name local-airbyte-postgres-destination -e POSTGRES_PASSWORD -p 127.0.0.1:3000:5432 -d
#                        airbyteops/postgres:15, then psql 'select 1' every 1 s (the tutorial itself does not wait)
#   ComposeUp            docker-compose up -d, then the health URL every 1 s ("after a few seconds, the UI should be ready")
#   ExportSetup my-setup docker cp airbyte-server:/data $TUTORIAL_DIR/my-setup
#   CreateConnections    the UI's calls: workspace, definitions, sources/create, destinations/create, discover, connections/create
#   Sync exchange-rate   connections/sync (0.7's call returns when the job ends)
#   LocalData            find /tmp/airbyte_local
#   ExportSetup          docker cp airbyte-server:data $TUTORIAL_DIR/exchange-rate-setup
#   WipeVolumes          docker-compose down -v
#   ComposeUp            docker-compose up -d + health every 1 s
#   RestoreSetup         docker cp $TUTORIAL_DIR/my-setup/data/config airbyte-server:data, then the health URL every 1 s
#                        ("wait a little bit for the server to pick up the freshly imported configurations")
#   CreateConnections covid, Sync covid    as above, to the Postgres destination with normalization
#   ExtractNormalization the tutorial's find | sed | sort | uniq | tail pipeline, then docker cp .../normalize/
#   DbtRun               docker run ... dbt debug, dbt run (the normalization stand-in image, network host)
# Ours does each of these with its checks (the setups checksummed and verified, the restore's snapshot and swap, the
# syncs followed, the normalization chosen by number, dbt's output read) and its dependencies (EnsureDocker, images).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
. "$here/lib.sh"   # timed, median

RUNS=3
[ "${1:-}" = "--runs" ] && RUNS="${2:?--runs needs a number}"
WORK="$here/.work/tutorial-row"
TUT="$WORK/tutorial"
COMPOSE_FILE="src/StandIns/DemoStack/docker-compose.yaml"
PROJECT=airbyte
API="http://127.0.0.1:8001/api/v1"
DEST=local-airbyte-postgres-destination
DEST_PORT=3000
PG_IMAGE=airbyteops/postgres:15
BUSYBOX=airbyteops/busybox:latest
NORMALIZATION_IMAGE=airbyteops/normalization-standin:0.18.1
WORKSPACE_VOLUME=airbyte_workspace
LOCAL_ROOT=/tmp/airbyte_local
export POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-password}"
export PGPASSWORD="$POSTGRES_PASSWORD"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mkdir -p "$WORK"

# ---- the tutorial's side ----
wait_psql() {
  local i; for i in $(seq 1 120); do
    psql -h 127.0.0.1 -p "$DEST_PORT" -U postgres -d postgres -c 'select 1' >/dev/null 2>&1 && return 0; sleep 1
  done; echo "the destination did not answer in 120 s" >&2; return 1
}
wait_health() {
  local i; for i in $(seq 1 120); do
    curl -fsS "$API/health" 2>/dev/null | grep -q '"db":true' && return 0; sleep 1
  done; echo "$API/health did not say ready in 120 s" >&2; return 1
}
post() { curl -fsS -X POST -H 'Content-Type: application/json' --data-binary @- "$API/$1"; }
definition_id() { # $1: sources|destinations, $2: docker repository
  echo '{}' | post "${1%s}_definitions/list" | jq -r --arg r "$2" "[.${1%s}Definitions[] | select(.dockerRepository == \$r)][0].${1%s}DefinitionId"
}
# A person's UI session: the source, the destination, then the connection with every stream and field selected.
create_connection() { # $1 name, $2 source name, $3 source repo, $4 source config, $5 destination name, $6 destination repo, $7 destination config
  local ws src dst schema
  ws="$(jq -n '{slug: "default"}' | post workspaces/get_by_slug | jq -r .workspaceId)"
  src="$(jq -n --arg n "$2" --arg d "$(definition_id sources "$3")" --arg w "$ws" --argjson c "$4" \
    '{name: $n, sourceDefinitionId: $d, workspaceId: $w, connectionConfiguration: $c}' | post sources/create | jq -r .sourceId)"
  dst="$(jq -n --arg n "$5" --arg d "$(definition_id destinations "$6")" --arg w "$ws" --argjson c "$7" \
    '{name: $n, destinationDefinitionId: $d, workspaceId: $w, connectionConfiguration: $c}' | post destinations/create | jq -r .destinationId)"
  schema="$(jq -n --arg s "$src" '{sourceId: $s}' | post sources/discover_schema | jq '.schema | .streams[].fields[]?.selected = true')"
  jq -n --arg n "$1" --arg s "$src" --arg d "$dst" --argjson schema "$schema" \
    '{name: $n, sourceId: $s, destinationId: $d, status: "active", syncMode: "full_refresh", syncSchema: $schema}' \
    | post connections/create | jq -r .connectionId
}
sync_connection() { # the UI's "Sync now": 0.7's connections/sync answers when the job has ended
  local status
  status="$(jq -n --arg c "$1" '{connectionId: $c}' | post connections/sync | jq -r .status)"
  [ "$status" = succeeded ] || { echo "sync of $1 ended $status" >&2; return 1; }
}
newest_workspace() {
  docker run --rm -i -v "$WORKSPACE_VOLUME":/data "$BUSYBOX" find /data -path "*normalize/models*" </dev/null \
    | sed -E "s;/data/([0-9]+/[0-9]+/)normalize/.*;\1;g" | sort | uniq | tail -n 1
}
# Per-step seconds of the tutorial's side (STEPS_FILE, one "NN Name seconds" line per step): two `date` calls a step.
STEP_LAST=0
mark() { # $1: the step's line, as ours names it in its STEP table
  local now; now="$(date +%s%N)"
  [ -n "${STEPS_FILE:-}" ] && awk -v s="$1" -v a="$STEP_LAST" -v b="$now" 'BEGIN {printf "%s %.1f\n", s, (b - a) / 1e9}' >>"$STEPS_FILE"
  STEP_LAST="$now"
}
tutorial() {
  local c w
  rm -rf "$TUT"; mkdir -p "$TUT"
  STEP_LAST="$(date +%s%N)"
  docker run --rm --name "$DEST" -e POSTGRES_PASSWORD -p "127.0.0.1:$DEST_PORT:5432" -d "$PG_IMAGE" >/dev/null; wait_psql
  mark "01 StartPostgres"
  docker-compose -p "$PROJECT" -f "$COMPOSE_FILE" up -d; wait_health
  mark "02 ComposeUp"
  mkdir -p "$TUT/my-setup" "$TUT/exchange-rate-setup"   # the tutorial makes its folders first
  docker cp airbyte-server:/data "$TUT/my-setup"
  mark "03 ExportSetup my-setup"
  c="$(create_connection exchange-rate "Exchange Rates" airbyte/source-exchangeratesapi-singer '{"base":"EUR","start_date":"2021-01-01"}' \
    "Local CSV" airbyte/destination-csv '{"destination_path":"/local/data"}')"
  mark "04 CreateConnections exchange-rate"
  sync_connection "$c"
  mark "05 Sync exchange-rate"
  find "$LOCAL_ROOT"
  mark "06 LocalData"
  docker cp airbyte-server:data "$TUT/exchange-rate-setup"
  mark "07 ExportSetup exchange-rate-setup"
  docker-compose -p "$PROJECT" -f "$COMPOSE_FILE" down -v
  mark "08 WipeVolumes"
  docker-compose -p "$PROJECT" -f "$COMPOSE_FILE" up -d; wait_health
  mark "09 ComposeUp"
  docker cp "$TUT/my-setup/data/config" airbyte-server:data; wait_health
  mark "10 RestoreSetup my-setup"
  c="$(create_connection covid "Covid epidemiology" airbyte/source-file \
    '{"dataset_name":"covid_epidemiology","format":"csv","url":"https://storage.googleapis.com/covid19-open-data/v2/latest/epidemiology.csv","provider":{"storage":"HTTPS"}}' \
    "Local Postgres" airbyte/destination-postgres \
    "$(jq -n --argjson port "$DEST_PORT" --arg p "$POSTGRES_PASSWORD" '{host: "localhost", port: $port, username: "postgres", password: $p, database: "postgres", schema: "quarantine", basic_normalization: true}')")"
  mark "11 CreateConnections covid"
  sync_connection "$c"
  mark "12 Sync covid"
  w="$(newest_workspace)"
  docker cp "airbyte-server:/tmp/workspace/${w}normalize/" "$TUT/normalization-files"
  mark "13 ExtractNormalization"
  for cmd in debug run; do
    docker run --rm -i -v "$WORKSPACE_VOLUME":/data -w "/data/${w}normalize" --network host \
      --entrypoint /usr/local/bin/dbt "$NORMALIZATION_IMAGE" "$cmd" --profiles-dir=. --project-dir=. </dev/null
  done
  mark "14 DbtRun"
}
if [ "${1:-}" = "__tutorial" ]; then tutorial; exit $?; fi

# ---- the bench ----
reset_world() {
  docker-compose -p "$PROJECT" -f "$COMPOSE_FILE" down -v >/dev/null 2>&1
  docker rm -f "$DEST" >/dev/null 2>&1 || true
  docker run --rm -v "$LOCAL_ROOT":/local "$BUSYBOX" sh -c 'rm -rf /local/data' >/dev/null
}
t() { # seconds of one run, its log in $WORK; fails the bench when the run fails
  local log="$WORK/$1.log"; shift
  rm -f "$log"; timed "$log" "$@"
  [ "$TIMED_RC" -eq 0 ] || { echo "failed: $* (log: $log)" >&2; tail -5 "$log" >&2; exit 1; }
  echo "$TIMED_S"
}

./build.sh Images >/dev/null   # warm: libraries built, script compiled, the stand-in images as these sources build them
echo "$(date -u '+%Y-%m-%d %H:%M UTC') | $(nproc) CPUs | commit $(git rev-parse --short HEAD) | load before: $(cut -d' ' -f1-3 /proc/loadavg)"
ours=(); theirs=()
for run in $(seq 1 "$RUNS"); do
  reset_world
  o="$(t "ours-$run" ./build.sh Tutorial --restart true)"
  reset_world
  rm -f "$WORK/tutorial-$run.steps"
  s="$(STEPS_FILE="$WORK/tutorial-$run.steps" t "tutorial-$run" "$here/tutorial.sh" __tutorial)"
  ours+=("$o"); theirs+=("$s")
  echo "run $run: ours $o s, tutorial $s s, load $(cut -d' ' -f1 /proc/loadavg)"
  # By step: ours from the Tutorial's own STEP table (its last 14 "NN Name  T s  outcome" lines), the tutorial's from its marks.
  echo "| step (run $run) | ours (s) | tutorial (s) |"
  echo "|---|---:|---:|"
  sed 's/\x1b\[[0-9;]*m//g' "$WORK/ours-$run.log" | grep -E '^[0-9]{2} [A-Za-z].* [0-9.]+ s  +[a-z ]+$' \
    | sed -E 's/^(.*[^ ]) +([0-9.]+) s  +[a-z ]+$/\1|\2/' >"$WORK/ours-$run.steps"
  awk 'NR == FNR {split($0, p, "|"); ours[p[1]] = p[2]; next} {t = $NF; sub(/ [^ ]+$/, ""); printf "| %s | %s | %s |\n", $0, ours[$0], t}' "$WORK/ours-$run.steps" "$WORK/tutorial-$run.steps"
done
reset_world
./build.sh Tutorial --restart true >"$WORK/final.log" 2>&1 || echo "the final Tutorial failed: see $WORK/final.log" >&2
mo="$(printf '%s\n' "${ours[@]}" | median)"; ms="$(printf '%s\n' "${theirs[@]}" | median)"
echo
echo "| operation | ours (s), runs | tutorial (s), runs | median ours | median tutorial | ratio |"
echo "|---|---|---|---:|---:|---:|"
echo "| the whole Tutorial, wiped -> dbt run | ${ours[*]} | ${theirs[*]} | $mo | $ms | $(awk -v a="$mo" -v b="$ms" 'BEGIN {printf "%.2f", a / b}')x |"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
