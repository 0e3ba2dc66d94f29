#!/bin/sh
# skylane sweep gives the same table with 1 process (sequential) and with 2 MPI processes:
# task seeds derive from the scenario seed and the replication index, never from the rank.
# Usage: sweep_ranks_test.sh SKYLANE SCENARIO MAP OUTDIR MPIRUN
set -eu
skylane="$1"; scenario="$2"; map="$3"; out="$4"; mpirun="${5:-}"
rm -rf "$out"; mkdir -p "$out"
args="--scenario $scenario --grid fleet.ark40.count=6,12 --seeds 2 --quiet
  --set scenario.map=$map --set scenario.planner=straight_line --set scenario.duration_h=4
  --set demand.volume=0.5"
"$skylane" sweep $args --out "$out/seq"
if [ -z "$mpirun" ] || [ ! -x "$mpirun" ]; then
  echo "mpirun not found: compared sequential runs only"; exit 0
fi
root=""
[ "$(id -u)" = 0 ] && root="--allow-run-as-root"
"$mpirun" $root --oversubscribe -np 1 "$skylane" sweep $args --out "$out/np1"
"$mpirun" $root --oversubscribe -np 2 "$skylane" sweep $args --out "$out/np2"
cmp "$out/seq/sweep.csv" "$out/np1/sweep.csv"
cmp "$out/np1/sweep.csv" "$out/np2/sweep.csv"
# The table is not empty and no task failed.
[ "$(wc -l < "$out/np2/sweep.csv")" -eq 5 ]
! grep -q "ERROR\|_INVALID\|NOT_FOUND" "$out/np2/sweep.csv"
echo "sweep.csv identical with 1 and 2 processes"
