# bench/lib.sh — what every bench script shares; sourced (`. "$here/lib.sh"`), never run.
#
#   timed LOG COMMAND...   runs COMMAND once under /usr/bin/time (one process tree), appending its stdout and stderr to
#                          LOG; sets TIMED_S (wall seconds), TIMED_KB (peak RSS of the largest single process, KB) and
#                          TIMED_RC (its exit code). It never fails itself: the caller decides what a failure means.
#   median                 the median of the numbers on stdin (one per line, or several per line separated by spaces;
#                          empty lines ignored); prints nothing when there are none
#   maxof, count           the largest number on stdin, and how many there are (same input)
#   load1                  the 1-minute load average now

timed() {
  local log="$1" tf; shift
  tf="$(mktemp)"
  TIMED_RC=0
  /usr/bin/time -f '%e %M' -o "$tf" "$@" >>"$log" 2>&1 || TIMED_RC=$?
  read -r TIMED_S TIMED_KB < <(tail -n 1 "$tf")
  rm -f "$tf"
}

_bench_numbers() { tr ' ' '\n' | grep -v '^$' || true; }
median() { _bench_numbers | sort -g | awk '{a[NR]=$1} END{ if (NR==0) print ""; else if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2 }'; }
maxof()  { _bench_numbers | sort -g | tail -n 1; }
count()  { _bench_numbers | wc -l; }
load1()  { cut -d' ' -f1 /proc/loadavg; }
