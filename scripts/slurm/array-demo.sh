#!/usr/bin/env bash
# The README's Slurm recipe, run end to end on the one-machine cluster of local-cluster.sh:
#   1. start the cluster (scripts/slurm/local-cluster.sh start; it is stopped again at the end when this
#      script started it),
#   2. submit a job array of N shard tasks (`npm start -- --preset P --shard $SLURM_ARRAY_TASK_ID/N`),
#   3. a merge job that waits for the whole array (--dependency=afterok) runs `npm start -- merge`,
#   4. the unsharded run of the same preset, as one Slurm job after the merge (or an earlier one reused),
#   5. scripts/slurm/compare-runs.ts: same weights (toy.safetensors, saes.safetensors byte for byte), same
#      verdicts, results.json less timings and adapters, same figures; PASS or FAIL with what differs.
#
#   scripts/slurm/array-demo.sh [OUT]       OUT defaults to runs/slurm-demo-<UTC time>
#
# Environment: SAE_SLURM_SHARDS (N, default 2), SAE_SLURM_PRESET (default study-quick),
# SAE_SLURM_UNSHARDED=DIR (reuse that unsharded run of the preset instead of running one), and
# local-cluster.sh's SAE_SLURM_DIR / SAE_SLURM_PORT. Wall times and the machine's load go to OUT/timings.txt.
# Exit status: 0 PASS, 1 FAIL or a failed job (its log is shown).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
N=${SAE_SLURM_SHARDS:-2}
PRESET=${SAE_SLURM_PRESET:-study-quick}
OUT=${1:-runs/slurm-demo-$(date -u +%Y-%m-%dT%H-%M-%S)}
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 2 ] || {
  echo "array-demo: error: SAE_SLURM_SHARDS must be a whole number >= 2, got '$N'" >&2
  exit 2
}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd) # the jobs get absolute paths (on a real cluster: a folder every node sees)
say() { echo "array-demo: $*" >&2; }
fail() {
  echo "array-demo: FAIL: $*" >&2
  exit 1
}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
TIMES=$OUT/timings.txt
: >"$TIMES"
note() {
  echo "$*" >>"$TIMES"
  say "$*"
}

CLUSTER=scripts/slurm/local-cluster.sh
started_here=""
st=$("$CLUSTER" status 2>/dev/null || true)
case $st in *"slurmctld: running"*) ;; *) started_here=1 ;; esac
"$CLUSTER" start
eval "$("$CLUSTER" env)"
cleanup() { [ -n "$started_here" ] && "$CLUSTER" stop || true; }
trap cleanup EXIT

note "machine: $(nproc) CPUs, $(hostname -s); load average (1, 5, 15 min) at the start: $(load)"
note "preset $PRESET, $N shards, writing $OUT"

# 2. the array: the README's batch script, less --gpus-per-task (this one-node cluster has no GPU GRES)
cat >"$OUT/shards.sbatch" <<EOF
#!/bin/bash
#SBATCH --job-name=sae-shards
#SBATCH --array=0-$((N - 1))
#SBATCH --cpus-per-task=1
#SBATCH --chdir=$REPO
#SBATCH --output=$OUT/s%a.log
set -euo pipefail
echo "task \$SLURM_ARRAY_TASK_ID on \$(hostname) started \$(date +%s.%N)"
npm start -- --preset $PRESET --shard \$SLURM_ARRAY_TASK_ID/$N --out $OUT/s\$SLURM_ARRAY_TASK_ID
echo "task \$SLURM_ARRAY_TASK_ID ended \$(date +%s.%N)"
EOF
t0=$(now)
array=$(sbatch --parsable "$OUT/shards.sbatch") || fail "sbatch of the array failed"
array=${array%%;*}
say "submitted array job $array ($N tasks); shard logs $OUT/s<i>.log"

# 3. merge once every task ended well; a failed task cancels the merge (--kill-on-invalid-dep)
shards=()
for i in $(seq 0 $((N - 1))); do shards+=("$OUT/s$i"); done
merge_cmd="npm start -- merge --out $OUT/merged ${shards[*]}"
# (sbatch --wait returns 0 when the merge was cancelled for a failed dependency: the merge log tells)
sbatch --wait --parsable --job-name=sae-merge --dependency=afterok:"$array" --kill-on-invalid-dep=yes --chdir="$REPO" \
  --output="$OUT/merge.log" --wrap "echo merge started \$(date +%s.%N) && $merge_cmd && echo merge ended \$(date +%s.%N)" >/dev/null || true
t1=$(now)
if ! grep -q '^merge ended' "$OUT/merge.log" 2>/dev/null; then
  for i in $(seq 0 $((N - 1))); do
    echo "--- $OUT/s$i.log (last lines)" >&2
    tail -15 "$OUT/s$i.log" >&2 2>/dev/null || echo "(no log)" >&2
  done
  echo "--- $OUT/merge.log" >&2
  tail -15 "$OUT/merge.log" >&2 2>/dev/null || echo "(no log: the merge job never ran, so a shard task failed)" >&2
  fail "the array or the merge failed (logs above)"
fi
first=$(grep -h '^task .* started' "$OUT"/s*.log | awk '{print $NF}' | sort -n | head -1)
last=$(grep -h '^task .* ended' "$OUT"/s*.log | awk '{print $NF}' | sort -n | tail -1)
for i in $(seq 0 $((N - 1))); do
  a=$(awk '/^task .* started/ {print $NF}' "$OUT/s$i.log")
  b=$(awk '/^task .* ended/ {print $NF}' "$OUT/s$i.log")
  note "  shard task $i: $(secs "$a" "$b") s ($(grep -c '^\[.*\] done in' "$OUT/s$i.log") experiments)"
done
ms=$(awk '/^merge started/ {print $NF}' "$OUT/merge.log")
me=$(awk '/^merge ended/ {print $NF}' "$OUT/merge.log")
note "array: $(secs "$t0" "$last") s from sbatch to the last task's end (tasks ran $(secs "$first" "$last") s); the merge job started $(secs "$last" "$ms") s after that and took $(secs "$ms" "$me") s; sbatch to merged $(secs "$t0" "$me") s ($(secs "$t0" "$t1") s until sbatch --wait, which polls, returned); load average after: $(load)"

# 4. the unsharded run, one job
if [ -n "${SAE_SLURM_UNSHARDED:-}" ]; then
  FULL=$SAE_SLURM_UNSHARDED
  [ -f "$FULL/results.json" ] || fail "SAE_SLURM_UNSHARDED=$FULL has no results.json"
  note "unsharded: reusing $FULL"
else
  FULL=$OUT/full
  t2=$(now)
  sbatch --wait --parsable --job-name=sae-unsharded --chdir="$REPO" --output="$OUT/full.log" \
    --wrap "echo unsharded started \$(date +%s.%N); npm start -- --preset $PRESET --out $FULL && echo unsharded ended \$(date +%s.%N)" >/dev/null || {
    tail -15 "$OUT/full.log" >&2
    fail "the unsharded run failed (log above)"
  }
  t3=$(now)
  us=$(awk '/^unsharded started/ {print $NF}' "$OUT/full.log")
  ue=$(awk '/^unsharded ended/ {print $NF}' "$OUT/full.log")
  [ -n "$ue" ] || fail "the unsharded job ended without finishing; see $OUT/full.log"
  note "unsharded: one job, ran $(secs "$us" "$ue") s, $(secs "$t2" "$ue") s from sbatch to its end ($(secs "$t2" "$t3") s until sbatch --wait returned); load average after: $(load)"
fi

# 5. compare
echo
if npx tsx scripts/slurm/compare-runs.ts "$FULL" "$OUT/merged" | tee "$OUT/compare.txt"; then
  note "PASS: the merge of $N Slurm array tasks equals the unsharded run ($OUT/compare.txt)"
else
  note "FAIL: the merge of $N Slurm array tasks differs from the unsharded run ($OUT/compare.txt)"
  exit 1
fi
