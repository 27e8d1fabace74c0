// The Brisk dashboard: one uPlot chart per quantity, one series per run (and per kind of value), fed by
// server-sent events that follow each run's metrics.jsonl.
(function () {
  "use strict";

  const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
  const PHASES = [["data_ms", "data"], ["fwd_ms", "forward"], ["bwd_ms", "backward"], ["comm_ms", "communication"],
                  ["opt_ms", "optimizer"]];
  const PHASE_COLORS = ["#9ecae1", "#3182bd", "#31a354", "#e6550d", "#756bb1"];

  // Each chart: which records (step or eval) and how a record becomes a value.
  const CHARTS = [
    { id: "loss", title: "Loss (train and eval)", series: [
        { kind: "step", label: "train", value: r => r.loss },
        { kind: "eval", label: "eval", value: r => r.eval_loss, dash: [6, 4] } ] },
    { id: "accuracy", title: "Eval accuracy", series: [{ kind: "eval", label: "accuracy", value: r => r.eval_accuracy }] },
    { id: "lr", title: "Learning rate", series: [{ kind: "step", label: "lr", value: r => r.lr }] },
    { id: "grad_norm", title: "Gradient norm", series: [{ kind: "step", label: "grad norm", value: r => r.grad_norm }] },
    { id: "samples_per_s", title: "Samples/s", series: [{ kind: "step", label: "samples/s", value: r => r.samples_per_s }] },
    { id: "mfu", title: "MFU (%)", series: [{ kind: "step", label: "MFU %", value: r => 100 * r.mfu }] },
    { id: "step_time", title: "Step time breakdown (ms, stacked)", stacked: true },
    { id: "memory", title: "Heap in use (MiB)", series: [{ kind: "step", label: "heap MiB", value: r => r.heap_bytes / 1048576 }] },
    { id: "comm", title: "Communication (% of step): exposed and total incl. overlapped", series: [
        { kind: "step", label: "exposed", value: r => r.comm_ms === undefined ? null : 100 * r.comm_ms / r.step_ms },
        { kind: "step", label: "total", value: r => r.comm_total_ms === undefined ? null : 100 * r.comm_total_ms / r.step_ms,
          dash: [6, 4] } ] },
    // distributed runs: created once a record carries per-rank timings (rank 0 gathers them; RankTimings)
    { id: "rank_step", title: "Per-rank step time (ms)", perRank: true,
      value: (r, k) => r.rank_step_ms === undefined ? null : r.rank_step_ms[k] },
    { id: "rank_comm", title: "Per-rank communication (% of step, exposed)", perRank: true,
      value: (r, k) => r.rank_comm_ms === undefined || !(r.rank_step_ms[k] > 0) ? null
                       : 100 * r.rank_comm_ms[k] / r.rank_step_ms[k] },
  ];
  const REDRAW_MS = 2000; // at most one redraw every 2 s, none while the page is hidden

  const state = { runs: [], records: [], ranks: [], received: 0, charts: {}, timer: null, lastRedraw: 0 };

  function seriesOf(chart) {
    const out = [];
    state.runs.forEach((run, i) => {
      const prefix = state.runs.length > 1 ? run.name + " " : "";
      if (chart.perRank) {
        for (let k = 0; k < state.ranks[i]; k++) {
          out.push({ run: i, kind: "step", label: prefix + "rank " + k, value: r => chart.value(r, k),
                     stroke: COLORS[(i * 4 + k) % COLORS.length], dash: i > 0 ? [6, 4] : undefined });
        }
      } else if (chart.stacked) {
        // cumulative sums, drawn from the total down so each band shows its phase
        for (let p = PHASES.length - 1; p >= 0; p--) {
          const upto = PHASES.slice(0, p + 1).map(x => x[0]);
          out.push({ run: i, kind: "step", label: prefix + PHASES[p][1],
                     value: r => upto.reduce((s, k) => s + (r[k] || 0), 0),
                     stroke: PHASE_COLORS[p], fill: PHASE_COLORS[p] + (state.runs.length > 1 ? "60" : "") });
        }
      } else {
        chart.series.forEach((s, j) => out.push(Object.assign({ run: i,
            stroke: COLORS[(i * chart.series.length + j) % COLORS.length] }, s, { label: prefix + s.label })));
      }
    });
    return out;
  }

  /**
   * uPlot's aligned columns, kept per chart and extended record by record: xs (the union of the steps, ascending),
   * one y array per series (null where a series has no value at a step), and the row of each step.
   */
  function emptyColumns(n) {
    return { xs: [], ys: Array.from({ length: n }, () => []), row: new Map() };
  }

  /** Adds one record of run {@code runIndex}; false when its step lies before the last one (rebuild instead). */
  function addToColumns(cols, series, runIndex, r) {
    if (r.step === undefined) return true;
    const kind = r.kind || "step";
    for (let j = 0; j < series.length; j++) {
      const s = series[j];
      if (s.run !== runIndex || s.kind !== kind) continue;
      const v = s.value(r);
      if (v === null || v === undefined || !isFinite(v)) continue;
      let row = cols.row.get(r.step);
      if (row === undefined) {
        if (cols.xs.length > 0 && r.step < cols.xs[cols.xs.length - 1]) return false;
        row = cols.xs.length;
        cols.row.set(r.step, row);
        cols.xs.push(r.step);
        cols.ys.forEach(y => y.push(null));
      }
      cols.ys[j][row] = v;
    }
    return true;
  }

  /** All of the records, in step order: a new chart, or records that arrived out of step order. */
  function buildColumns(series) {
    const all = [];
    state.records.forEach((recs, i) => recs.forEach(r => { if (r.step !== undefined) all.push([i, r]); }));
    all.sort((a, b) => a[1].step - b[1].step); // stable: each run's records keep their order within a step
    const cols = emptyColumns(series.length);
    all.forEach(([i, r]) => addToColumns(cols, series, i, r));
    return cols;
  }

  /** A copy for uPlot: the columns keep growing between redraws, the drawn data must not. */
  function dataOf(cols) {
    return [cols.xs.slice()].concat(cols.ys.map(y => y.slice()));
  }

  function makeChart(chart, parent) {
    const old = state.charts[chart.id];
    const box = old ? old.box : document.createElement("div");
    if (old) {
      old.plot.destroy();
    } else {
      box.className = "chart";
      box.id = "chart-" + chart.id;
      box.innerHTML = "<h2></h2>";
      box.querySelector("h2").textContent = chart.title;
      parent.appendChild(box);
    }
    const series = seriesOf(chart);
    const opts = {
      width: 540, height: 220,
      scales: { x: { time: false } },
      axes: [{ label: "step" }, {}],
      series: [{ label: "step" }].concat(series.map(s => ({
        label: s.label, stroke: s.stroke, fill: s.fill, dash: s.dash, width: 1.5, spanGaps: true,
        points: { show: s.kind === "eval" } }))),
    };
    const cols = buildColumns(series);
    const plot = new uPlot(opts, dataOf(cols), box);
    box.dataset.points = String(cols.xs.length);
    state.charts[chart.id] = { chart, series, plot, box, cols, stale: false, dirty: false };
  }

  function redraw() {
    state.timer = null;
    if (document.hidden) return; // visibilitychange redraws when the page is shown again
    state.lastRedraw = Date.now();
    for (const id in state.charts) {
      const c = state.charts[id];
      if (c.stale) {
        c.cols = buildColumns(c.series);
        c.stale = false;
      } else if (!c.dirty) {
        continue;
      }
      c.dirty = false;
      c.plot.setData(dataOf(c.cols));
      c.box.dataset.points = String(c.plot.data[0].length);
    }
    document.getElementById("status").textContent = state.received + " records";
  }

  /** Coalesces records (a finished run's whole history, or a live run's lines) into one redraw per REDRAW_MS. */
  function scheduleRedraw() {
    if (state.timer !== null) return;
    const wait = Math.max(200, state.lastRedraw + REDRAW_MS - Date.now());
    state.timer = setTimeout(redraw, wait);
  }

  function onRecord(runIndex, text) {
    let r;
    try { r = JSON.parse(text); } catch (e) { return; }
    state.records[runIndex].push(r);
    state.received++;
    if (Array.isArray(r.rank_step_ms) && r.rank_step_ms.length > state.ranks[runIndex]) {
      state.ranks[runIndex] = r.rank_step_ms.length; // (re)create the per-rank charts with this run's ranks
      CHARTS.filter(c => c.perRank).forEach(c => makeChart(c, document.getElementById("charts")));
    }
    for (const id in state.charts) {
      const c = state.charts[id];
      if (!c.stale && !addToColumns(c.cols, c.series, runIndex, r)) c.stale = true;
      c.dirty = true;
    }
    scheduleRedraw();
  }

  document.addEventListener("visibilitychange", () => { if (!document.hidden) scheduleRedraw(); });

  function loadReport(run, i) {
    fetch("/runs/" + i + "/report.txt").then(resp => resp.ok ? resp.text() : null).then(text => {
      if (text === null) { setTimeout(() => loadReport(run, i), 5000); return; }
      const pre = document.createElement("pre");
      pre.textContent = run.name + "\n" + text;
      document.getElementById("reports").appendChild(pre);
    });
  }

  fetch("/api/runs").then(r => r.json()).then(runs => {
    state.runs = runs;
    state.records = runs.map(() => []);
    state.ranks = runs.map(() => 0);
    const legend = document.getElementById("runs");
    runs.forEach((run, i) => {
      const s = document.createElement("span");
      s.innerHTML = "<i></i>";
      s.querySelector("i").style.background = COLORS[(i * 2) % COLORS.length];
      s.appendChild(document.createTextNode(run.name));
      s.title = run.dir;
      legend.appendChild(s);
    });
    const parent = document.getElementById("charts");
    CHARTS.filter(c => !c.perRank).forEach(c => makeChart(c, parent));
    runs.forEach((run, i) => {
      const es = new EventSource("/api/runs/" + i + "/events");
      es.onmessage = e => onRecord(i, e.data);
      loadReport(run, i);
    });
  });

  // for tests and the console: how many records arrived, how many x values a chart shows
  window.briskDashboard = {
    records: () => state.received,
    // x values drawn at the last redraw (the columns themselves grow as records arrive, before the redraw)
    points: id => state.charts[id] ? Number(state.charts[id].box.dataset.points || 0) : -1,
    charts: () => Object.keys(state.charts),
    series: id => state.charts[id] ? state.charts[id].plot.series.slice(1).map(s => s.label) : [],
    value: (id, series, i) => state.charts[id] ? state.charts[id].plot.data[series][i] : undefined,
  };
})();
