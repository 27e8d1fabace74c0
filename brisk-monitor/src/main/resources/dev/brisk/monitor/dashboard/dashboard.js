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
  ];

  const state = { runs: [], records: [], received: 0, charts: {}, dirty: false };

  function seriesOf(chart) {
    const out = [];
    state.runs.forEach((run, i) => {
      const prefix = state.runs.length > 1 ? run.name + " " : "";
      if (chart.stacked) {
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

  /** uPlot's aligned columns: the union of the steps, null where a series has no value at a step. */
  function columns(series) {
    const rows = new Map();
    series.forEach((s, c) => {
      for (const r of state.records[s.run]) {
        if ((r.kind || "step") !== s.kind || r.step === undefined) continue;
        const v = s.value(r);
        if (v === null || v === undefined || !isFinite(v)) continue;
        if (!rows.has(r.step)) rows.set(r.step, new Array(series.length).fill(null));
        rows.get(r.step)[c] = v;
      }
    });
    const xs = Array.from(rows.keys()).sort((a, b) => a - b);
    const data = [xs];
    series.forEach((s, c) => data.push(xs.map(x => rows.get(x)[c])));
    return data;
  }

  function makeChart(chart, parent) {
    const box = document.createElement("div");
    box.className = "chart";
    box.id = "chart-" + chart.id;
    box.innerHTML = "<h2></h2>";
    box.querySelector("h2").textContent = chart.title;
    parent.appendChild(box);
    const series = seriesOf(chart);
    const opts = {
      width: 540, height: 220,
      scales: { x: { time: false } },
      axes: [{ label: "step" }, {}],
      series: [{ label: "step" }].concat(series.map(s => ({
        label: s.label, stroke: s.stroke, fill: s.fill, dash: s.dash, width: 1.5, spanGaps: true,
        points: { show: s.kind === "eval" } }))),
    };
    const plot = new uPlot(opts, columns(series), box);
    state.charts[chart.id] = { chart, series, plot, box };
  }

  function redraw() {
    state.dirty = false;
    for (const id in state.charts) {
      const c = state.charts[id];
      c.plot.setData(columns(c.series));
      c.box.dataset.points = String(c.plot.data[0].length);
    }
    document.getElementById("status").textContent = state.received + " records";
  }

  function onRecord(runIndex, text) {
    let r;
    try { r = JSON.parse(text); } catch (e) { return; }
    state.records[runIndex].push(r);
    state.received++;
    if (!state.dirty) {
      state.dirty = true;
      setTimeout(redraw, 200); // coalesce a burst (the history of a finished run) into one redraw
    }
  }

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
    CHARTS.forEach(c => makeChart(c, parent));
    runs.forEach((run, i) => {
      const es = new EventSource("/api/runs/" + i + "/events");
      es.onmessage = e => onRecord(i, e.data);
      loadReport(run, i);
    });
  });

  // for tests and the console: how many records arrived, how many x values a chart shows
  window.briskDashboard = {
    records: () => state.received,
    points: id => state.charts[id] ? state.charts[id].plot.data[0].length : -1,
    charts: () => Object.keys(state.charts),
  };
})();
