#!/usr/bin/env bash
# bench/memory.sh [--volume-access auto|engine] [--sets "1000x20 10000x20 100000x20 1000x1024"] — issue 13's memory rows:
# the peak RSS of ExportSetup and RestoreSetup at 1,000 / 10,000 / 100,000 files of 20 KB, and at 1,000 files of 1 MB
# (as many bytes as 50,000 small ones), so the table shows what memory grows with: the number of files (the manifest
# holds one entry per file) and never their size (files are streamed through bounded buffers). One run per set; the
# tutorial's `docker cp` is not measured here (bench/export-restore.sh has the time rows). Run it under the host lock:
#   flock /tmp/airbyteops-docker.lock bench/memory.sh
# It needs the demo stack (it runs ./build.sh ComposeUp first) and leaves it up without the synthetic files; each set is
# generated once under bench/.work/memory-N-KB (100,000 x 20 KB is 2 GB there, and 2 GB more in the volume while measured).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; cd "$here/.."
. "$here/lib.sh"   # timed, load1
OURS=(); SETS="1000x20 10000x20 100000x20 1000x1024"
while [ $# -gt 0 ]; do
  case "$1" in
    --volume-access) OURS=(--volume-access "${2:?}"); shift 2 ;;
    --sets) SETS="${2:?}"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
W="$here/.work"; A="$W/memory-artifacts"; BUSYBOX=airbyteops/busybox:latest
mkdir -p "$A" "$W/logs"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
in_volume() { docker run --rm --network none -v airbyte_data:/data "$BUSYBOX" sh -c "$1" >/dev/null; }
measure() { # measure LABEL COMMAND...: one run; prints seconds, peak RSS (MB) of the largest process, and the load
  local label="$1" log; shift; log="$W/logs/memory.$(date +%s%N).log"
  timed "$log" "$@"
  printf '| %s | %s | %.0f | %s |%s\n' "$label" "$TIMED_S" "$((TIMED_KB / 1024))" "$(load1)" "$([ "$TIMED_RC" -eq 0 ] || echo " FAILED (exit $TIMED_RC, log $log)")"
}
generate() { # generate DIR FILES KB: FILES JSON files of about KB kilobytes under five SYNTH_* folders
  local dir="$1" files="$2" kb="$3"
  [ -f "$dir/.done" ] && return
  rm -rf "$dir"; mkdir -p "$dir"
  head -c $((kb * 1024)) /dev/urandom | base64 -w 0 | head -c $((kb * 1024 - 200)) > "$dir/.pad"
  local types=(SYNTH_SOURCE_CONNECTION SYNTH_DESTINATION_CONNECTION SYNTH_STANDARD_SYNC SYNTH_STANDARD_SYNC_SCHEDULE SYNTH_STANDARD_SOURCE_DEFINITION)
  for ty in "${types[@]}"; do mkdir -p "$dir/$ty"; done
  local pad i ty id; pad="$(cat "$dir/.pad")"
  for ((i = 1; i <= files; i++)); do
    ty="${types[$((i % 5))]}"; printf -v id '%08x-%04x-4%03x-8%03x-%012x' "$i" $((i % 65536)) $((i % 4096)) $((i % 4096)) "$i"
    printf '{"id": "%s", "name": "synthetic %d", "configuration": {"notes": "%s"}}\n' "$id" "$i" "$pad" > "$dir/$ty/$id.json"
  done
  rm -f "$dir/.pad"; touch "$dir/.done"
}
echo "bench/memory.sh — $(date -u '+%Y-%m-%d %H:%M UTC') | $(nproc) CPUs | load $(cut -d' ' -f1-3 /proc/loadavg) | $(git log --oneline -1) | ours: ${OURS[*]:-(default volume access)}"
./build.sh ComposeUp >"$W/logs/memory-up.log" 2>&1
./build.sh Help >/dev/null 2>&1   # warm: libraries built, script cached
echo
echo "| operation | s | peak RSS (MB) | load |"
echo "|---|---:|---:|---:|"
for set in $SETS; do
  files="${set%x*}"; kb="${set#*x}"; dir="$W/memory-$files-$kb"
  generate "$dir" "$files" "$kb"
  in_volume 'rm -rf /data/config/SYNTH_* /data/config/BENCH_MARKER'
  tar -C "$dir" --exclude=.done -cf - . | docker run --rm -i --network none -v airbyte_data:/data "$BUSYBOX" tar -xf - -C /data/config
  rm -rf "$A/setups" "$A/snapshots"
  measure "ExportSetup $files files of $kb KB" ./build.sh ExportSetup --setup memory-setup --artifacts "$A" "${OURS[@]}"
  in_volume 'rm -rf /data/config/SYNTH_*; mkdir -p /data/config/BENCH_MARKER; echo "{}" > /data/config/BENCH_MARKER/m.json'
  measure "RestoreSetup $files files of $kb KB" ./build.sh RestoreSetup --setup memory-setup --artifacts "$A" "${OURS[@]}"
done
in_volume 'rm -rf /data/config/SYNTH_* /data/config/BENCH_MARKER'
rm -rf "$A"
