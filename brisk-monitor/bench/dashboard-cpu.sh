#!/usr/bin/env bash
# CPU time the dashboard process spends following a run, independent of training and of the machine's load:
# a writer appends a typical metrics.jsonl step record every 50 ms (a run logging 20 steps/s) for SECONDS while a
# dashboard with one live event stream (curl) follows it; the dashboard's utime+stime (/proc/PID/stat) over that
# time is printed per wall second, with the busiest threads, as JSON: cpu_ms from the process's tick counts (exited
# threads included, 10 ms granularity) and exec_ms from the scheduler's nanosecond run times of its live threads
# (/proc/PID/task/*/schedstat). Divide cpu_ms_per_s by (1000 x the cores
# training uses) for the share of the machine it takes from training in the worst case.
#   brisk-monitor/bench/dashboard-cpu.sh [SECONDS]      (default 60; run from the repository root)
# DASHBOARD="cmd args" replaces './brisk dashboard' (e.g. to measure another build or other JVM flags).
set -euo pipefail
SECONDS_RUN="${1:-60}"
OUT="$(mktemp -d)"
trap 'kill "${WRITER:-}" "${CURL:-}" "${DASH:-}" 2>/dev/null || true; rm -rf "$OUT"' EXIT
mkdir -p "$OUT/run" && : > "$OUT/run/metrics.jsonl"
[[ -z "${DASHBOARD:-}" ]] && ./brisk info >/dev/null 2>&1 # build once, outside the measurement
${DASHBOARD:-./brisk dashboard} "$OUT/run" --port 0 > "$OUT/dash.log" 2>&1 & DASH=$!
until grep -q 'http://' "$OUT/dash.log"; do sleep 0.1; done
JPID="$(pgrep -P "$DASH" java || echo "$DASH")" # the JVM itself when the command forks
URL="$(grep -o 'http://[0-9.:]*/' "$OUT/dash.log")"
curl -sN "${URL}api/runs/0/events" > "$OUT/events.txt" & CURL=$!
python3 - "$OUT/run/metrics.jsonl" <<'PY' & WRITER=$!
import json, sys, time
step = 0
with open(sys.argv[1], "a") as f:
    while True:
        step += 1
        f.write(json.dumps({"step": step, "epoch": 0, "loss": 0.5 + 1 / step, "lr": 1e-3, "grad_norm": 1.234,
            "samples_per_s": 4012.5, "tokens_per_s": 0.0, "step_ms": 15.95, "data_ms": 0.06, "fwd_ms": 4.45,
            "bwd_ms": 9.73, "comm_ms": 0.0, "opt_ms": 1.53, "mfu": 0.3001, "heap_bytes": 412345678}) + "\n")
        f.flush()
        time.sleep(0.05)
PY
sleep 5 # past the dashboard's start and the first events
ticks() { awk '{print $14 + $15}' "/proc/$JPID/stat"; }
threads() { for t in /proc/$JPID/task/*; do printf '%s\t%s\n' "$(tr ' ' _ < "$t/comm")" "$(awk '{print $14 + $15}' "$t/stat")"; done | sort; }
exec_ns() { cat /proc/$JPID/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f\n", s}'; }
HZ="$(getconf CLK_TCK)"
t0="$(ticks)"; e0="$(exec_ns)"; threads > "$OUT/t0"; w0="$(date +%s.%N)"
sleep "$SECONDS_RUN"
t1="$(ticks)"; e1="$(exec_ns)"; threads > "$OUT/t1"; w1="$(date +%s.%N)"
lines="$(grep -c '^data:' "$OUT/events.txt" || true)"
python3 - "$t0" "$t1" "$w0" "$w1" "$HZ" "$lines" "$OUT/t0" "$OUT/t1" "$e0" "$e1" <<'PY'
import json, sys
t0, t1, w0, w1, hz, lines = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
exec_ms = (int(sys.argv[10]) - int(sys.argv[9])) / 1e6
def load(p):
    d = {}
    for l in open(p):
        name, t = l.rstrip("\n").split("\t")
        d[name] = d.get(name, 0) + int(t)
    return d
a, b = load(sys.argv[7]), load(sys.argv[8])
busy = sorted(((b[k] - a.get(k, 0)) * 1000 / hz, k) for k in b if b[k] - a.get(k, 0) > 0)[::-1][:5]
wall = w1 - w0
print(json.dumps({"seconds": round(wall, 1), "events_received": lines,
                  "dashboard_cpu_ms": (t1 - t0) * 1000 / hz,
                  "cpu_ms_per_s": round((t1 - t0) * 1000 / hz / wall, 2),
                  "exec_ms": round(exec_ms, 1), "exec_ms_per_s": round(exec_ms / wall, 2),
                  "busiest_threads_ms": {k: v for v, k in busy}}))
PY
