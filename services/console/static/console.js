// The console's page: follows /console/events (server-sent events) and draws each panel the viewer may see.
// The server sends a snapshot, then `update` (aggregate keys changed or deleted) and `slo` events; values are the
// aggregates' protobuf JSON (enum names, int64 as strings, RFC 3339 times). No personal data reaches the page.
/* global echarts */

const PAGES = { payments: "Payments", fraud: "Fraud & models", review: "Review queue", settlement: "Settlement",
  kyc: "KYC", slo: "SLOs" };
const RECENT_MS = 15 * 60 * 1000;
const view = {}; // panel -> key -> value
let slo = null;
const charts = {};
let dirty = new Set();

const $ = (id) => document.getElementById(id);
const num = (v) => Number(v || 0);
const short = (name, prefix) => (name || "").replace(prefix, "");
const recent = (value) => Date.parse(value.window_start) >= Date.now() - RECENT_MS;
const money = (minor, currency) =>
  (num(minor) / 100).toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + " " + (currency || "");
const percent = (v) => (v === null || v === undefined || Number.isNaN(v) ? "–" : (100 * v).toFixed(1) + " %");
const age = (ms) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
};

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function fill(tableId, rows) {
  const body = $(tableId).querySelector("tbody");
  body.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement("tr");
    tr.append(...cells);
    return tr;
  }));
}

function chart(id) {
  if (!charts[id]) charts[id] = echarts.init($(id), "dark", { renderer: "canvas" });
  return charts[id];
}

function minutes(values) {
  return [...new Set(values.map((v) => v.window_start))].sort();
}

function label(start) {
  return new Date(start).toISOString().slice(11, 16);
}

function stacked(id, title, values, seriesOf, countOf) {
  const xs = minutes(values);
  const names = [...new Set(values.map(seriesOf))].sort();
  const series = names.map((name) => ({
    name, type: "bar", stack: "all",
    data: xs.map((x) => values.filter((v) => v.window_start === x && seriesOf(v) === name)
      .reduce((sum, v) => sum + countOf(v), 0)),
  }));
  chart(id).setOption({
    backgroundColor: "transparent", animation: false, title: { text: title, textStyle: { fontSize: 13 } },
    tooltip: { trigger: "axis" }, legend: { top: 24 }, grid: { top: 64, left: 48, right: 24, bottom: 32 },
    xAxis: { type: "category", data: xs.map(label) }, yAxis: { type: "value", minInterval: 1 }, series,
  }, { replaceMerge: ["series"] });
}

const draw = {
  payments() {
    const all = Object.values(view.payments || {});
    const last = all.filter(recent);
    const count = (state) => last.filter((v) => v.state === state).reduce((s, v) => s + num(v.payment_count), 0);
    $("payments-count").textContent = count("PAYMENT_STATE_INITIATED");
    $("payments-executed").textContent = count("PAYMENT_STATE_EXECUTED");
    $("payments-held").textContent = count("PAYMENT_STATE_HELD_FOR_REVIEW");
    $("payments-rejected").textContent = count("PAYMENT_STATE_REJECTED");
    stacked("payments-chart", "Payments per minute by state", all, (v) => short(v.state, "PAYMENT_STATE_"),
      (v) => num(v.payment_count));
    const groups = {};
    for (const v of last) {
      const currency = v.total_amount?.currency_code || "";
      const key = [v.state, v.channel, currency].join("|");
      const g = (groups[key] ||= { state: v.state, channel: v.channel, currency, count: 0, minor: 0 });
      g.count += num(v.payment_count);
      g.minor += num(v.total_amount?.amount_minor);
    }
    fill("payments-amounts", Object.values(groups).sort((a, b) => b.count - a.count).map((g) => [
      cell(short(g.state, "PAYMENT_STATE_")), cell(short(g.channel, "PAYMENT_CHANNEL_")), cell(g.currency),
      cell(g.count, "num"), cell(money(g.minor, g.currency), "num")]));
  },
  fraud() {
    const all = Object.values(view.fraud || {});
    const last = all.filter(recent);
    const total = (v) => num(v.approve_count) + num(v.review_count) + num(v.decline_count);
    const sum = (f) => last.reduce((s, v) => s + f(v), 0);
    const decisions = sum(total);
    $("fraud-count").textContent = decisions;
    $("fraud-decline-rate").textContent = decisions ? percent(sum((v) => num(v.decline_count)) / decisions) : "–";
    $("fraud-review-rate").textContent = decisions ? percent(sum((v) => num(v.review_count)) / decisions) : "–";
    $("fraud-unavailable").textContent = sum((v) => num(v.model_unavailable_count));
    const version = (v) => (v.model_name ? `${v.model_name} v${v.model_version}` : "rules only");
    stacked("fraud-chart", "Fraud decisions per minute by model version", all, version, total);
    const models = {};
    for (const v of last) {
      const m = (models[version(v)] ||= { name: v.model_name || "rules only", version: v.model_version || "",
        approve: 0, review: 0, decline: 0, score: 0 });
      m.approve += num(v.approve_count); m.review += num(v.review_count); m.decline += num(v.decline_count);
      m.score += num(v.fraud_score_sum);
    }
    fill("fraud-models", Object.values(models).map((m) => {
      const n = m.approve + m.review + m.decline;
      return [cell(m.name), cell(m.version), cell(n, "num"), cell(percent(decisions ? n / decisions : NaN), "num"),
        cell(percent(n ? m.approve / n : NaN), "num"), cell(percent(n ? m.review / n : NaN), "num"),
        cell(percent(n ? m.decline / n : NaN), "num"), cell(n ? (m.score / n).toFixed(3) : "–", "num")];
    }));
  },
  review() {
    const held = Object.values(view.review || {}).sort((a, b) => Date.parse(a.hold_time) - Date.parse(b.hold_time));
    $("review-count").textContent = held.length;
    $("review-oldest").textContent = held.length ? age(Date.now() - Date.parse(held[0].hold_time)) : "–";
    fill("review-queue", held.map((v) => {
      const waited = Date.now() - Date.parse(v.hold_time);
      return [cell(v.payment_id, "mono"), cell(short(v.hold_reason, "HOLD_REASON_")),
        cell(short(v.channel, "PAYMENT_CHANNEL_")), cell(money(v.amount?.amount_minor, v.amount?.currency_code), "num"),
        cell(age(waited), "num " + (waited > 4 * 3600e3 ? "bad" : waited > 3600e3 ? "warn" : ""))];
    }));
  },
  settlement() {
    const positions = Object.values(view.settlement || {}).sort((a, b) =>
      num(b.unsettled_amount?.amount_minor) - num(a.unsettled_amount?.amount_minor));
    chart("settlement-chart").setOption({
      backgroundColor: "transparent", animation: false, title: { text: "Unsettled per participant (open window)", textStyle: { fontSize: 13 } },
      tooltip: {}, grid: { top: 48, left: 100, right: 24, bottom: 32 },
      xAxis: { type: "value" }, yAxis: { type: "category", data: positions.map((p) => `${p.participant_bic} ${p.unsettled_amount?.currency_code || ""}`) },
      series: [{ type: "bar", name: "unsettled", data: positions.map((p) => num(p.unsettled_amount?.amount_minor) / 100) }],
    }, { replaceMerge: ["series"] });
    fill("settlement-positions", positions.map((p) => [cell(p.participant_bic, "mono"),
      cell(p.unsettled_amount?.currency_code || ""), cell(num(p.payment_count), "num"),
      cell(money(p.unsettled_amount?.amount_minor, p.unsettled_amount?.currency_code), "num")]));
  },
  kyc() {
    stacked("kyc-chart", "KYC outcomes per minute", Object.values(view.kyc || {}),
      (v) => short(v.state, "KYC_CHECK_STATE_"), (v) => num(v.check_count));
  },
  slo() {
    if (!slo) return;
    const o = slo.objectives || { availability: 0.999, p95_seconds: 0.25, error_ratio: 0.01 };
    $("slo-note").textContent = slo.error ? `Prometheus: ${slo.error}` :
      `Objectives: availability ${percent(o.availability)}, p95 under ${o.p95_seconds * 1000} ms, errors under ${percent(o.error_ratio)}.`;
    fill("slo-table", (slo.rpcs || []).map((r) => {
      const links = document.createElement("td");
      if (r.slow_trace) {
        const trace = Object.assign(document.createElement("a"), { href: r.slow_trace.trace_url, target: "_blank",
          rel: "noreferrer", textContent: `trace (${r.slow_trace.duration_ms} ms)` });
        const logs = Object.assign(document.createElement("a"), { href: r.slow_trace.logs_url, target: "_blank",
          rel: "noreferrer", textContent: "logs" });
        links.append(trace, " · ", logs);
      }
      const p95 = r.p95_seconds;
      return [cell(r.job), cell(`${short(r.grpc_service, /^fintech\./)}/${r.grpc_method}`, "mono"),
        cell(percent(r.availability), "num " + (r.availability == null ? "" : r.availability >= o.availability ? "good" : "bad")),
        cell(p95 == null ? "–" : `${(p95 * 1000).toFixed(0)} ms`, "num " + (p95 == null ? "" : p95 <= o.p95_seconds ? "good" : "bad")),
        cell(percent(r.error_ratio), "num " + (r.error_ratio == null ? "" : r.error_ratio <= o.error_ratio ? "good" : "bad")),
        links];
    }));
  },
};

function show(page) {
  for (const section of document.querySelectorAll(".page")) section.hidden = section.id !== page;
  for (const button of $("tabs").children) button.classList.toggle("active", button.dataset.page === page);
  history.replaceState(null, "", `#${page}`);
  draw[page]?.();
  charts[`${page}-chart`]?.resize();
}

function tabs(panels) {
  $("tabs").replaceChildren(...Object.keys(PAGES).filter((p) => panels.includes(p)).map((page) => {
    const button = Object.assign(document.createElement("button"), { textContent: PAGES[page], id: `tab-${page}` });
    button.dataset.page = page;
    button.addEventListener("click", () => show(page));
    return button;
  }));
  const wanted = location.hash.slice(1);
  show(panels.includes(wanted) ? wanted : panels.find((p) => p in PAGES));
}

// Redraw at most once per animation frame, however many updates arrive.
function redraw() {
  for (const panel of dirty) draw[panel]?.();
  dirty = new Set();
}
function changed(panel) {
  if (dirty.size === 0) requestAnimationFrame(redraw);
  dirty.add(panel);
}

function connect() {
  const events = new EventSource("events");
  events.addEventListener("snapshot", (e) => {
    const data = JSON.parse(e.data);
    for (const key of Object.keys(view)) delete view[key];
    Object.assign(view, data.view);
    slo = data.slo || null;
    $("user").textContent = `${data.user} (${data.roles.join(", ")})`;
    $("status").textContent = "live";
    $("status").classList.add("live");
    tabs(data.panels);
    for (const panel of data.panels) changed(panel);
  });
  events.addEventListener("update", (e) => {
    for (const { panel, key, value } of JSON.parse(e.data)) {
      const keys = (view[panel] ||= {});
      if (value === null) delete keys[key]; else keys[key] = value;
      changed(panel);
    }
  });
  events.addEventListener("slo", (e) => { slo = JSON.parse(e.data); changed("slo"); });
  events.addEventListener("expired", () => { events.close(); location.assign("login"); });
  events.onerror = () => {
    $("status").textContent = "reconnecting…";
    $("status").classList.remove("live");
  };
}

window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
setInterval(() => changed("review"), 1000); // the queue's ages grow by themselves
connect();
