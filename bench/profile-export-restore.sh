#!/usr/bin/env bash
# bench/profile-export-restore.sh [--volume-access auto|engine] — one ExportSetup and one RestoreSetup of the bench's 10,000
# synthetic files (bench/export-restore.sh makes them) with AIRBYTEOPS_PROFILE=1: the stage lines (ms since start) of each,
# for bench/README.md's "where the seconds go". Run it under the host lock:
#   flock /tmp/airbyteops-docker.lock bench/profile-export-restore.sh --volume-access auto
# It needs the demo stack up (it runs ./build.sh ComposeUp first) and leaves it up without the synthetic files.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; cd "$here/.."
OURS=(); [ "${1:-}" = "--volume-access" ] && OURS=(--volume-access "${2:?}")
W="$here/.work"; A="$W/profile-artifacts"; dir="$W/synthetic-10000"; BUSYBOX=airbyteops/busybox:latest
[ -f "$dir/.done" ] || { echo "run bench/export-restore.sh once first (it makes $dir)" >&2; exit 2; }
in_volume() { docker run --rm --network none -v airbyte_data:/data "$BUSYBOX" sh -c "$1" >/dev/null; }
echo "bench/profile-export-restore.sh — $(date -u '+%Y-%m-%d %H:%M UTC') | load $(cut -d' ' -f1-3 /proc/loadavg) | $(git log --oneline -1) | ours: ${OURS[*]:-(default volume access)}"
./build.sh ComposeUp >/dev/null 2>&1
in_volume 'rm -rf /data/config/SYNTH_* /data/config/BENCH_MARKER'
tar -C "$dir" --exclude=.done -cf - . | docker run --rm -i --network none -v airbyte_data:/data "$BUSYBOX" tar -xf - -C /data/config
rm -rf "$A"; mkdir -p "$A"
echo "== ExportSetup"; AIRBYTEOPS_PROFILE=1 /usr/bin/time -f '%e s %M KB' ./build.sh ExportSetup --setup profile --artifacts "$A" "${OURS[@]}" 2>&1 | grep -E '^profile:|^[0-9.]+ s [0-9]+ KB' || true
in_volume 'rm -rf /data/config/SYNTH_* /data/config/BENCH_MARKER; mkdir -p /data/config/BENCH_MARKER; echo "{}" > /data/config/BENCH_MARKER/m.json'
echo "== RestoreSetup"; AIRBYTEOPS_PROFILE=1 /usr/bin/time -f '%e s %M KB' ./build.sh RestoreSetup --setup profile --artifacts "$A" "${OURS[@]}" 2>&1 | grep -E '^profile:|^[0-9.]+ s [0-9]+ KB' || true
in_volume 'rm -rf /data/config/SYNTH_* /data/config/BENCH_MARKER'
rm -rf "$A"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
