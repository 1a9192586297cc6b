#!/usr/bin/env bash
# bench/export-restore.sh [--runs 3] [--volume-access auto|engine] — the ExportSetup/RestoreSetup rows of bench/run.sh at 10,000 files, and the
# ExtractNormalization row, alone (about 5 minutes instead of the whole bench's 10+): the same setup (10,000 synthetic
# ~20 KB files under config/SYNTH_* of the demo stack's airbyte_data, the live tree made to differ before each restore),
# ours and the tutorial's command interleaved, one run. Run it under the host lock:
#   flock /tmp/airbyteops-docker.lock bench/export-restore.sh --runs 3
# It needs the demo stack up (it runs ./build.sh ComposeUp first) and leaves it up without the synthetic files.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; cd "$here/.."
. "$here/lib.sh"   # timed, median
RUNS=3; OURS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="${2:?}"; shift 2 ;;
    --volume-access) OURS=(--volume-access "${2:?}"); shift 2 ;;   # ours on the direct (auto) or engine path
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
W="$here/.work"; A="$W/artifacts"; T="$W/tutorial"; BUSYBOX=airbyteops/busybox:latest
mkdir -p "$A" "$T" "$W/logs"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
in_volume() { docker run --rm --network none -v airbyte_data:/data "$BUSYBOX" sh -c "$1" >/dev/null; }
differ() { in_volume 'rm -rf /data/config/SYNTH_* /data/config/BENCH_MARKER; mkdir -p /data/config/BENCH_MARKER; echo "{\"m\": \"$(date +%s%N)\"}" > /data/config/BENCH_MARKER/m.json'; }
t() { # t LABEL COMMAND...: seconds and peak RSS (KB) of one run, its log kept
  local label="$1" log; shift; log="$W/logs/rows.$(date +%s%N).log"
  timed "$log" "$@"
  printf '%-34s %7s s %8s KB  load %s%s\n' "$label" "$TIMED_S" "$TIMED_KB" "$(load1)" "$([ "$TIMED_RC" -eq 0 ] || echo "  FAILED (exit $TIMED_RC, log $log)")"
}
echo "bench/export-restore.sh — $(date -u '+%Y-%m-%d %H:%M UTC') | $(nproc) CPUs | load $(cut -d' ' -f1-3 /proc/loadavg) | $(git log --oneline -1) | ours: ${OURS[*]:-(default volume access)}"
./build.sh ComposeUp >"$W/logs/rows-up.log" 2>&1
dir="$W/synthetic-10000"
if [ ! -f "$dir/.done" ]; then
  rm -rf "$dir"; mkdir -p "$dir"
  types=(SYNTH_SOURCE_CONNECTION SYNTH_DESTINATION_CONNECTION SYNTH_STANDARD_SYNC SYNTH_STANDARD_SYNC_SCHEDULE SYNTH_STANDARD_SOURCE_DEFINITION)
  for ty in "${types[@]}"; do mkdir -p "$dir/$ty"; done
  pad="$(head -c 15000 /dev/urandom | base64 -w 0 | head -c 19800)"
  for ((i = 1; i <= 10000; i++)); do
    ty="${types[$((i % 5))]}"; printf -v id '%08x-%04x-4%03x-8%03x-%012x' "$i" $((i % 65536)) $((i % 4096)) $((i % 4096)) "$i"
    printf '{"id": "%s", "workspaceId": "5ae6b09b-fdec-41af-aaf7-7d94cfc33ef6", "name": "synthetic %d", "configuration": {"host": "db-%d.example", "port": 5432, "notes": "%s"}}\n' "$id" "$i" "$i" "$pad" > "$dir/$ty/$id.json"
  done
  touch "$dir/.done"
fi
in_volume 'rm -rf /data/config/SYNTH_* /data/config/BENCH_MARKER'
tar -C "$dir" --exclude=.done -cf - . | docker run --rm -i --network none -v airbyte_data:/data "$BUSYBOX" tar -xf - -C /data/config
./build.sh Help >/dev/null 2>&1   # warm: libraries built, script cached
for i in $(seq 1 "$RUNS"); do
  rm -rf "$A/setups/bench-setup" "$A/setups/bench-setup.secrets.json"
  t "ExportSetup 10000 ours" ./build.sh ExportSetup --setup bench-setup --artifacts "$A" "${OURS[@]}"
  rm -rf "$T/bench-setup"; mkdir -p "$T/bench-setup"
  t "ExportSetup 10000 docker cp" docker cp airbyte-server:/data "$T/bench-setup"
done
for i in $(seq 1 "$RUNS"); do
  differ; rm -rf "$A/snapshots"
  t "RestoreSetup 10000 ours" ./build.sh RestoreSetup --setup bench-setup --artifacts "$A" "${OURS[@]}"
  differ
  t "RestoreSetup 10000 docker cp" docker cp "$T/bench-setup/data/config" airbyte-server:data
done
in_volume 'rm -rf /data/config/SYNTH_* /data/config/BENCH_MARKER'
rm -rf "$A/snapshots" "$T/bench-setup" "$A/setups/bench-setup" "$A/setups/bench-setup.secrets.json"
if docker run --rm -v airbyte_workspace:/data "$BUSYBOX" find /data -path '*normalize/models*' | grep -q .; then
  for i in $(seq 1 "$RUNS"); do
    t "ExtractNormalization ours" ./build.sh ExtractNormalization --artifacts "$A"
    t "ExtractNormalization tutorial" "$here/run.sh" __step extract "$T/normalization-files"
  done
else
  echo "ExtractNormalization: no job with normalize/ in airbyte_workspace (run ./build.sh Tutorial first); skipped"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
