#!/usr/bin/env bash
# Training throughput with and without a watcher: a dashboard with a live event stream attached, and a profiler whose
# window is never reached (--profile with profile.steps beyond the run: nothing is installed outside the window, so
# this measures the cost of asking for a profile). Runs the same short cnn-bn training ROUNDS times in each mode
# (plain, dashboard, profiler-off), rotating the order every round so that a drift of the machine does not land on
# one mode, and prints the steady-state samples/s of each from report.json, the overheads of the medians against
# the plain runs, and the CPU time the dashboard process used during its runs against the training's, as JSON.
#   brisk-monitor/bench/overhead.sh [STEPS] [ROUNDS]      (defaults 300 and 3; run from the repository root)
set -euo pipefail
STEPS="${1:-300}"
ROUNDS="${2:-3}"
OUT="$(mktemp -d)"
trap 'kill "${DASH_PID:-}" "${CURL_PID:-}" 2>/dev/null || true; rm -rf "$OUT"' EXIT
COMMON=(--set "steps=$STEPS" --set report.every_steps=1 --set eval.every_epochs=null --set checkpoint.every_epochs=null)
HZ="$(getconf CLK_TCK)"
./brisk info >/dev/null # build once
sps() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["samples_per_s"])' "$1/report.json"; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
plain=(); dash=(); prof=(); dash_cpu=(); train_cpu=()

run_plain() {
  ./brisk train "${COMMON[@]}" --run-dir "$OUT/plain-$1" >/dev/null
  plain+=("$(sps "$OUT/plain-$1")")
}

run_dashboard() {
  mkdir -p "$OUT/dash-$1" && : > "$OUT/dash-$1/metrics.jsonl"
  ./brisk dashboard "$OUT/dash-$1" --port 0 > "$OUT/dash-$1.log" 2>&1 & DASH_PID=$!
  until grep -q 'http://' "$OUT/dash-$1.log"; do sleep 0.2; done
  URL="$(grep -o 'http://[0-9.:]*/' "$OUT/dash-$1.log")"
  curl -sN "${URL}api/runs/0/events" > /dev/null & CURL_PID=$!
  sleep 3 # past the dashboard's own start (class loading, JIT), which a long run does not notice
  local d0; d0="$(ticks "$DASH_PID")"
  /usr/bin/time -f '%U %S' -o "$OUT/dash-$1.time" ./brisk train "${COMMON[@]}" --run-dir "$OUT/dash-$1" >/dev/null
  dash_cpu+=("$(( $(ticks "$DASH_PID") - d0 ))")
  train_cpu+=("$(awk -v hz="$HZ" '{printf "%d", ($1 + $2) * hz}' "$OUT/dash-$1.time")")
  kill "$CURL_PID" "$DASH_PID"; wait "$DASH_PID" 2>/dev/null || true
  dash+=("$(sps "$OUT/dash-$1")")
}

run_profiler_off() {
  ./brisk train "${COMMON[@]}" --profile --set "profile.steps=1000000:1000001" --run-dir "$OUT/prof-$1" >/dev/null
  prof+=("$(sps "$OUT/prof-$1")")
}

MODES=(run_plain run_dashboard run_profiler_off)
for i in $(seq 1 "$ROUNDS"); do
  for k in 0 1 2; do
    "${MODES[$(( (i - 1 + k) % 3 ))]}" "$i"
  done
done
python3 - "${plain[*]}" "${dash[*]}" "${prof[*]}" "${dash_cpu[*]}" "${train_cpu[*]}" <<'PY'
import json, statistics, sys
p, d, f = ([float(x) for x in a.split()] for a in sys.argv[1:4])
dc, tc = ([int(x) for x in a.split()] for a in sys.argv[4:6])
mp, md, mf = statistics.median(p), statistics.median(d), statistics.median(f)
print(json.dumps({"samples_per_s_plain": p, "samples_per_s_dashboard": d, "samples_per_s_profiler_off": f,
                  "dashboard_overhead_pct": round(100 * (mp - md) / mp, 2),
                  "profiler_off_overhead_pct": round(100 * (mp - mf) / mp, 2),
                  "dashboard_cpu_pct_of_training_cpu": [round(100 * a / b, 3) for a, b in zip(dc, tc)]}))
PY
