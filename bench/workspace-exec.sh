#!/usr/bin/env bash
# Run under the Docker lock on a shared machine: flock /tmp/airbyteops-docker.lock bench/workspace-exec.sh
# Logs / ExtractNormalization on the demo stack's (small) workspace: listing by exec in airbyte-server (default)
# vs forced helper container (--server-container/--scheduler-container naming no container = the previous behaviour),
# and the tutorial's extract commands (bench/run.sh __step extract), interleaved, 3 runs each.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh   # timed
A=bench/.work/artifacts; mkdir -p $A bench/.work/tutorial
t() { rm -f /tmp/abops-bench-last.log; timed /tmp/abops-bench-last.log "$@"; echo "$TIMED_S s, exit $TIMED_RC"; }
echo "uptime before: $(uptime)"
docker ps --format '{{.Names}}' | grep abops-test- | head -3 | tr '\n' ' '; echo
for i in 1 2 3; do
  echo "run $i"
  echo "  Logs exec:            $(t ./build.sh Logs)"
  echo "  Logs helper:          $(t ./build.sh Logs --server-container abops-none --scheduler-container abops-none)"
  echo "  Extract exec:         $(t ./build.sh ExtractNormalization --artifacts $A)"
  echo "  Extract helper:       $(t ./build.sh ExtractNormalization --artifacts $A --server-container abops-none --scheduler-container abops-none)"
  echo "  Extract tutorial:     $(t bench/run.sh __step extract bench/.work/tutorial/normalization-files)"
done
echo "uptime after: $(uptime)"
