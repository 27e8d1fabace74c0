#!/usr/bin/env bash
# Training throughput with and without a watcher: a dashboard with a live event stream attached, and a profiler whose
# window is never reached (--profile with profile.steps beyond the run: the per-layer wrappers and hook are in place
# but off). Runs the same short cnn-bn training PAIRS times in turn (plain, dashboard, profiler-off) and prints the
# steady-state samples/s of each from report.json, with the overheads against the plain runs, as JSON.
#   brisk-monitor/bench/overhead.sh [STEPS] [PAIRS]      (defaults 300 and 3; run from the repository root)
set -euo pipefail
STEPS="${1:-300}"
PAIRS="${2:-3}"
OUT="$(mktemp -d)"
trap 'kill "${DASH_PID:-}" "${CURL_PID:-}" 2>/dev/null || true; rm -rf "$OUT"' EXIT
COMMON=(--set "steps=$STEPS" --set report.every_steps=1 --set eval.every_epochs=null --set checkpoint.every_epochs=null)
./brisk info >/dev/null # build once
sps() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["samples_per_s"])' "$1/report.json"; }
plain=(); dash=(); prof=()
for i in $(seq 1 "$PAIRS"); do
  ./brisk train "${COMMON[@]}" --run-dir "$OUT/plain-$i" >/dev/null
  plain+=("$(sps "$OUT/plain-$i")")

  mkdir -p "$OUT/dash-$i" && : > "$OUT/dash-$i/metrics.jsonl"
  ./brisk dashboard "$OUT/dash-$i" --port 0 > "$OUT/dash-$i.log" 2>&1 & DASH_PID=$!
  until grep -q 'http://' "$OUT/dash-$i.log"; do sleep 0.2; done
  URL="$(grep -o 'http://[0-9.:]*/' "$OUT/dash-$i.log")"
  curl -sN "${URL}api/runs/0/events" > /dev/null & CURL_PID=$!
  ./brisk train "${COMMON[@]}" --run-dir "$OUT/dash-$i" >/dev/null
  kill "$CURL_PID" "$DASH_PID"; wait "$DASH_PID" 2>/dev/null || true
  dash+=("$(sps "$OUT/dash-$i")")

  ./brisk train "${COMMON[@]}" --profile --set "profile.steps=1000000:1000001" --run-dir "$OUT/prof-$i" >/dev/null
  prof+=("$(sps "$OUT/prof-$i")")
done
python3 - "${plain[*]}" "${dash[*]}" "${prof[*]}" <<'PY'
import json, statistics, sys
p, d, f = ([float(x) for x in a.split()] for a in sys.argv[1:4])
mp, md, mf = statistics.median(p), statistics.median(d), statistics.median(f)
print(json.dumps({"samples_per_s_plain": p, "samples_per_s_dashboard": d, "samples_per_s_profiler_off": f,
                  "dashboard_overhead_pct": round(100 * (mp - md) / mp, 2),
                  "profiler_off_overhead_pct": round(100 * (mp - mf) / mp, 2)}))
PY
