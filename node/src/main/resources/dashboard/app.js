// Archipelago dashboard: a single-page app over the dashboard's JSON API and its server-sent events.
// Pages (hash routes): #/ runs, #/run/ID one run, #/cluster the cluster. No build step, no framework.
'use strict';

const state = {
  runs: null,          // /api/runs
  cluster: null,       // /api/cluster
  run: null,           // {id, summary, columns, rows, history, pareto}
  source: null,        // the EventSource of the page shown
  charts: {},          // echarts instances by element id
  table: { sort: null, desc: false, filter: '', status: '' },
  renderPending: false,
};
window.dashboardState = state; // for tests and the curious

const $ = (sel, root = document) => root.querySelector(sel);
const esc = (v) => String(v == null ? '' : v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const fmt = (v, digits = 4) => {
  if (v == null || v === '') return '';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return v.toLocaleString('en-US');
    const a = Math.abs(v);
    return a !== 0 && (a >= 1e6 || a < 1e-3) ? v.toExponential(3) : v.toFixed(digits).replace(/\.?0+$/, '');
  }
  return String(v);
};

async function getJson(url) {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(url + ': ' + response.status + ' ' + (await response.text()));
  return response.json();
}

// ---------------------------------------------------------------- routing and live updates

function route() {
  const hash = location.hash || '#/';
  for (const a of document.querySelectorAll('header nav a')) a.classList.toggle('active', a.getAttribute('href') === hash || (hash.startsWith('#/run/') && a.id === 'nav-runs'));
  disposeCharts();
  if (hash.startsWith('#/run/')) return showRun(decodeURIComponent(hash.substring(6)));
  if (hash === '#/cluster') return showCluster();
  return showRuns();
}

function listen(url, handlers) {
  if (state.source) state.source.close();
  const source = new EventSource(url);
  state.source = source;
  const live = $('#live');
  source.onopen = () => { live.className = 'live on'; $('#live-text').textContent = 'live'; };
  source.onerror = () => { live.className = 'live off'; $('#live-text').textContent = 'reconnecting'; };
  for (const [type, handle] of Object.entries(handlers)) {
    source.addEventListener(type, (e) => handle(JSON.parse(e.data)));
  }
}

function disposeCharts() {
  for (const chart of Object.values(state.charts)) chart.dispose();
  state.charts = {};
}

function chart(id) {
  const el = document.getElementById(id);
  if (!el) return null;
  if (!state.charts[id]) state.charts[id] = echarts.init(el, null, { renderer: 'canvas' });
  return state.charts[id];
}
window.addEventListener('resize', () => Object.values(state.charts).forEach((c) => c.resize()));

// ---------------------------------------------------------------- runs

async function showRuns() {
  $('#view').innerHTML = '<h1>Runs</h1><div id="runs-sources" class="muted"></div><div class="card tablewrap"><table id="runs-table"><thead><tr>'
    + '<th>Run</th><th>Strategy</th><th class="num">Seed</th><th>State</th><th>Progress</th><th class="num">Evaluations</th>'
    + '<th>Best</th><th class="num">Evals/s</th><th>Objectives</th><th>Created</th></tr></thead><tbody></tbody></table></div>';
  try {
    state.runs = await getJson('/api/runs');
  } catch (e) {
    $('#view').insertAdjacentHTML('beforeend', '<p class="error">' + esc(e.message) + '</p>');
  }
  renderRuns();
  listen('/api/events', { runs: (runs) => { state.runs = runs; renderRuns(); }, cluster: (c) => { state.cluster = c; } });
}

function renderRuns() {
  const body = $('#runs-table tbody');
  if (!body || !state.runs) return;
  const runs = state.runs.runs;
  $('#nav-cluster').style.display = state.runs.cluster ? '' : 'none';
  const sources = [];
  if (state.runs.roots.length) sources.push('run directories under ' + state.runs.roots.join(', '));
  if (state.runs.journal) sources.push('journal ' + state.runs.journal);
  $('#runs-sources').innerHTML = esc(sources.join('; ')) + (state.runs.journal_error ? ' <span class="error">(' + esc(state.runs.journal_error) + ')</span>' : '');
  if (!runs.length) {
    body.innerHTML = '<tr><td colspan="10" class="muted">No runs yet: start one with archipelago search --out ' + esc(state.runs.roots[0] || 'runs') + '/NAME</td></tr>';
    return;
  }
  body.innerHTML = runs.map((r) => {
    const progress = r.progress == null ? '' : '<span class="bar"><span style="width:' + (100 * r.progress).toFixed(1) + '%"></span></span>';
    const best = r.best ? esc(r.best.metric) + ' ' + fmt(r.best.value) : '';
    return '<tr class="clickable" data-run-id="' + esc(r.id) + '" data-state="' + esc(r.state) + '">'
      + '<td><a href="#/run/' + encodeURIComponent(r.id) + '">' + esc(r.id) + '</a><div class="muted">' + esc(r.run) + '</div></td>'
      + '<td>' + esc(r.strategy) + '</td><td class="num">' + esc(r.seed) + '</td>'
      + '<td><span class="state ' + esc(r.state) + '">' + esc(r.state) + '</span>' + (r.error ? ' <span class="error" title="' + esc(r.error) + '">!</span>' : '') + '</td>'
      + '<td>' + progress + '</td>'
      + '<td class="num evaluations" data-evaluations="' + esc(r.evaluations) + '">' + esc(r.evaluations) + (r.budget ? ' / ' + esc(r.budget) : '') + '</td>'
      + '<td>' + best + '</td><td class="num">' + (r.rate == null ? '' : fmt(r.rate, 2)) + '</td>'
      + '<td>' + esc((r.objectives || []).join(', ')) + '</td><td class="muted">' + esc((r.created || '').replace('T', ' ').replace(/\.\d+Z$/, 'Z')) + '</td></tr>';
  }).join('');
  for (const tr of body.querySelectorAll('tr.clickable')) {
    tr.addEventListener('click', (e) => { if (e.target.tagName !== 'A') location.hash = '#/run/' + encodeURIComponent(tr.dataset.runId); });
  }
}

// ---------------------------------------------------------------- one run

async function showRun(id) {
  const url = '/api/runs/' + encodeURIComponent(id);
  $('#view').innerHTML = '<h1>Run <span id="run-id">' + esc(id) + '</span> <span id="run-state"></span></h1>'
    + '<div class="card"><div class="kv" id="run-summary"></div>'
    + '<p class="toolbar"><a class="button" id="csv-link" href="' + url + '/evaluations.csv" download>evaluations.csv</a>'
    + '<a class="button" id="json-link" href="' + url + '/evaluations.json" download>evaluations.json</a></p></div>'
    + '<div class="grid"><div class="card"><h2>History: best so far</h2><div id="history-chart" class="chart"></div></div>'
    + '<div class="card" id="pareto-card"><h2>Pareto front</h2><div id="pareto-chart" class="chart"></div><div id="pareto-note" class="muted"></div></div></div>'
    + '<div class="card"><h2>Parallel coordinates: operations and metrics</h2><div id="parallel-chart" class="chart wide"></div></div>'
    + '<div class="card"><h2>Trials <span id="trial-count" class="muted"></span></h2><div class="toolbar">'
    + '<input id="trial-filter" type="search" placeholder="filter (any column)"> <select id="trial-status"><option value="">any status</option><option>ok</option><option>failed</option></select>'
    + '</div><div class="tablewrap"><table id="trials-table"><thead></thead><tbody></tbody></table></div></div>';
  $('#trial-filter').addEventListener('input', (e) => { state.table.filter = e.target.value.toLowerCase(); renderTrials(); });
  $('#trial-status').addEventListener('change', (e) => { state.table.status = e.target.value; renderTrials(); });
  try {
    state.run = Object.assign({ id }, await getJson(url));
  } catch (e) {
    $('#view').insertAdjacentHTML('afterbegin', '<p class="error">' + esc(e.message) + '</p>');
    return;
  }
  renderRun();
  listen('/api/events?run=' + encodeURIComponent(id) + '&from=' + state.run.rows.length, {
    run: (delta) => {
      const run = state.run;
      if (!run || delta.id !== run.id) return;
      if (delta.reset) { run.rows = []; run.history = []; }
      run.rows = run.rows.slice(0, delta.from).concat(delta.rows);
      run.history = run.history.filter((p) => p.evaluation <= delta.from).concat(delta.history);
      run.summary = delta.summary;
      run.columns = delta.columns;
      run.pareto = delta.pareto;
      scheduleRender();
    },
  });
}

function scheduleRender() {
  if (state.renderPending) return;
  state.renderPending = true;
  setTimeout(() => { state.renderPending = false; renderRun(); }, 250);
}

function renderRun() {
  const run = state.run;
  if (!run || !$('#run-summary')) return;
  const s = run.summary;
  $('#run-state').innerHTML = '<span class="state ' + esc(s.state) + '">' + esc(s.state) + '</span>';
  const kv = [
    ['search id', s.search_id], ['run', s.run], ['strategy', s.strategy], ['seed', s.seed], ['space', s.space],
    ['objectives', (s.objectives || []).join(', ')], ['constraints', (s.constraints || []).join(', ') || '-'],
    ['evaluations', s.evaluations + (s.budget ? ' / ' + s.budget : '')], ['failed', s.failed], ['cached', s.cached == null ? '-' : s.cached],
    ['evaluations/s', s.rate == null ? '' : fmt(s.rate, 2)],
    ['best', s.best ? s.best.metric + ' ' + fmt(s.best.value) : '-'], ['best cell', s.best ? s.best.arch : '-'],
    ['stop reason', s.stop_reason || '-'],
  ];
  $('#run-summary').innerHTML = kv.map(([k, v]) => '<div><span>' + esc(k) + '</span><b' + (k === 'evaluations' ? ' id="run-evaluations" data-evaluations="' + esc(s.evaluations) + '"' : '') + '>' + esc(v) + '</b></div>').join('')
    + (s.error ? '<div class="error">' + esc(s.error) + '</div>' : '');
  renderHistory();
  renderPareto();
  renderParallel();
  renderTrials();
}

function renderHistory() {
  const c = chart('history-chart');
  const run = state.run;
  const metric = run.summary.best ? run.summary.best.metric : ((run.summary.objectives || [])[0] || 'value').replace(/:.*/, '');
  c.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { data: ['evaluation', 'best so far'] },
    grid: { left: 60, right: 20, top: 40, bottom: 40 },
    xAxis: { type: 'value', name: 'evaluations', nameLocation: 'middle', nameGap: 26, min: 0 },
    yAxis: { type: 'value', name: metric, scale: true, nameTextStyle: { align: 'left' } },
    series: [
      { name: 'evaluation', type: 'scatter', symbolSize: 4, itemStyle: { color: '#9fb3d9' }, data: run.history.map((p) => [p.evaluation, p.value]) },
      { name: 'best so far', type: 'line', step: 'end', showSymbol: false, lineStyle: { width: 2, color: '#2f6fde' }, data: run.history.map((p) => [p.evaluation, p.best]) },
    ],
  }, true);
  document.getElementById('history-chart').dataset.points = run.history.length;
}

function renderPareto() {
  const card = $('#pareto-card');
  const el = document.getElementById('pareto-chart');
  const pareto = state.run.pareto;
  if (!pareto) {
    card.querySelector('h2').textContent = 'Pareto front';
    $('#pareto-note').textContent = 'A single-objective search: no front (search with --strategy nsga2 --objectives A:max,B:min).';
    el.style.display = 'none';
    el.dataset.frontPoints = '0';
    return;
  }
  el.style.display = '';
  const [yo, xo] = pareto.objectives; // first objective up, second across
  const xy = (p) => [p.values[xo.metric], p.values[yo.metric], p.candidate_id, p.arch];
  const front = pareto.points.filter((p) => p.front).map(xy).sort((a, b) => a[0] - b[0]);
  const dominated = pareto.points.filter((p) => p.feasible && !p.front).map(xy);
  const infeasible = pareto.points.filter((p) => !p.feasible).map(xy);
  const c = chart('pareto-chart');
  c.setOption({
    animation: false,
    legend: { data: ['front', 'dominated', 'infeasible'] },
    tooltip: { trigger: 'item', formatter: (p) => esc(xo.metric) + ' ' + fmt(p.value[0]) + '<br>' + esc(yo.metric) + ' ' + fmt(p.value[1]) + '<br>#' + p.value[2] + ' ' + esc(p.value[3]) },
    grid: { left: 60, right: 30, top: 40, bottom: 46 },
    xAxis: { type: 'value', name: xo.metric + (xo.maximize ? ' (max)' : ' (min)'), nameLocation: 'middle', nameGap: 28, scale: true },
    yAxis: { type: 'value', name: yo.metric + (yo.maximize ? ' (max)' : ' (min)'), scale: true, nameTextStyle: { align: 'left' } },
    series: [
      { name: 'front', type: 'line', step: yo.maximize === xo.maximize ? false : 'end', symbol: 'circle', symbolSize: 9, z: 3, itemStyle: { color: '#d64545' }, lineStyle: { color: '#d64545' }, data: front },
      { name: 'dominated', type: 'scatter', symbolSize: 6, itemStyle: { color: '#9fb3d9' }, data: dominated },
      { name: 'infeasible', type: 'scatter', symbol: 'triangle', symbolSize: 7, itemStyle: { color: 'transparent', borderColor: '#999', borderWidth: 1 }, data: infeasible },
    ],
  }, true);
  el.dataset.frontPoints = String(front.length);
  el.dataset.points = String(pareto.points.length);
  el.dataset.infeasible = String(infeasible.length);
  $('#pareto-note').textContent = front.length + ' cells on the front of ' + pareto.points.length + ' evaluated'
    + (infeasible.length ? ', ' + infeasible.length + ' infeasible (drawn apart as hollow triangles)' : '')
    + '; hypervolume ' + fmt(pareto.hypervolume) + (pareto.objectives.length > 2 ? '; the first two of ' + pareto.objectives.length + ' objectives' : '');
}

/** An architecture encoding's positions (NB201 edges "op~input", NAS-Bench-Graph nodes "op~input"). */
function tokens(arch) {
  return String(arch || '').split(/[|+]/).filter((t) => t.length);
}

function renderParallel() {
  const run = state.run;
  const rows = run.rows.filter((r) => r.status === 'ok');
  const el = document.getElementById('parallel-chart');
  if (!rows.length) { el.dataset.lines = '0'; return; }
  const positions = Math.max(...rows.map((r) => tokens(r.arch).length));
  const fixed = ['candidate_id', 'arch', 'status', 'evaluator', 'seconds', 'attempts', 'steps', 'failure_reason'];
  const metrics = run.columns.filter((c) => !fixed.includes(c) && rows.some((r) => typeof r[c] === 'number')).slice(0, 8);
  const axes = [];
  for (let i = 0; i < positions; i++) {
    const ops = [...new Set(rows.map((r) => (tokens(r.arch)[i] || '').replace(/~\d+$/, '')))].sort();
    axes.push({ dim: axes.length, name: 'op ' + (i + 1), type: 'category', data: ops });
  }
  for (const m of metrics) axes.push({ dim: axes.length, name: m, type: 'value', scale: true });
  const colorMetric = (run.summary.best && run.summary.best.metric) || metrics[0];
  const values = rows.map((r) => r[colorMetric]).filter((v) => typeof v === 'number');
  const data = rows.map((r) => tokens(r.arch).map((t) => t.replace(/~\d+$/, '')).concat(Array(Math.max(0, positions - tokens(r.arch).length)).fill('')).concat(metrics.map((m) => r[m])));
  chart('parallel-chart').setOption({
    animation: false,
    parallelAxis: axes,
    parallel: { left: 50, right: 90, top: 40, bottom: 30, parallelAxisDefault: { nameLocation: 'end', nameGap: 12, axisLabel: { fontSize: 10 } } },
    visualMap: values.length ? { type: 'continuous', dimension: positions + Math.max(0, metrics.indexOf(colorMetric)), min: Math.min(...values), max: Math.max(...values), right: 0, top: 40, itemHeight: 120, text: [colorMetric, ''], calculable: true, inRange: { color: ['#c6d4f0', '#2f6fde', '#d64545'] } } : undefined,
    series: [{ type: 'parallel', lineStyle: { width: 1, opacity: 0.45 }, data }],
  }, true);
  el.dataset.lines = String(data.length);
}

function renderTrials() {
  const run = state.run;
  const table = $('#trials-table');
  if (!run || !table) return;
  const columns = run.columns.length ? run.columns : Object.keys(run.rows[0] || {});
  const t = state.table;
  table.querySelector('thead').innerHTML = '<tr>' + columns.map((c) => '<th class="sortable' + (isNumeric(run.rows, c) ? ' num' : '') + '" data-col="' + esc(c) + '">' + esc(c) + (t.sort === c ? (t.desc ? ' &#9660;' : ' &#9650;') : '') + '</th>').join('') + '</tr>';
  for (const th of table.querySelectorAll('th.sortable')) {
    th.addEventListener('click', () => { const c = th.dataset.col; if (t.sort === c) t.desc = !t.desc; else { t.sort = c; t.desc = false; } renderTrials(); });
  }
  let rows = run.rows;
  if (t.status) rows = rows.filter((r) => r.status === t.status);
  if (t.filter) rows = rows.filter((r) => columns.some((c) => String(r[c] == null ? '' : r[c]).toLowerCase().includes(t.filter)));
  if (t.sort) {
    const c = t.sort;
    rows = rows.slice().sort((a, b) => {
      const x = a[c]; const y = b[c];
      if (x == null) return 1; if (y == null) return -1;
      const d = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return t.desc ? -d : d;
    });
  }
  const shown = rows.slice(0, 1000);
  table.querySelector('tbody').innerHTML = shown.map((r) => '<tr' + (r.status === 'failed' ? ' class="status-failed"' : '') + '>' + columns.map((c) => '<td class="' + (c === 'arch' ? 'arch' : typeof r[c] === 'number' ? 'num' : '') + '"' + (c === 'arch' ? ' title="' + esc(r[c]) + '"' : '') + '>' + esc(fmt(r[c])) + '</td>').join('') + '</tr>').join('');
  $('#trial-count').textContent = '(' + rows.length + (rows.length !== run.rows.length ? ' of ' + run.rows.length : '') + (rows.length > shown.length ? ', first ' + shown.length + ' shown' : '') + ')';
  table.dataset.rows = String(rows.length);
}

function isNumeric(rows, c) {
  return rows.some((r) => typeof r[c] === 'number');
}

// ---------------------------------------------------------------- cluster

async function showCluster() {
  $('#view').innerHTML = '<h1>Cluster</h1><div id="cluster-body"></div>';
  try {
    state.cluster = await getJson('/api/cluster');
  } catch (e) {
    $('#cluster-body').innerHTML = '<p class="error">' + esc(e.message) + '</p>';
  }
  renderCluster();
  listen('/api/events', { cluster: (c) => { state.cluster = c; renderCluster(); }, runs: (r) => { state.runs = r; } });
}

function renderCluster() {
  const body = $('#cluster-body');
  const c = state.cluster;
  if (!body || !c) return;
  if (!c.enabled) {
    body.innerHTML = '<p class="muted">No cluster: start the dashboard with --seed-nodes HOST:PORT to show one.</p>';
    return;
  }
  const tiles = [
    ['joined', c.joined ? 'yes' : 'not yet'], ['members', (c.members || []).length], ['slots', c.slots],
    ['in flight', c.in_flight], ['utilisation', c.utilization == null ? '' : (100 * c.utilization).toFixed(0) + '%'],
    ['devices', (c.devices || []).join(', ') || '-'], ['seed nodes', c.seed_nodes], ['this member', c.self],
  ];
  body.innerHTML = '<div class="card"><div class="kv" id="cluster-summary">' + tiles.map(([k, v]) => '<div><span>' + esc(k) + '</span><b>' + esc(v) + '</b></div>').join('') + '</div>'
    + (c.error ? '<p class="error">' + esc(c.error) + '</p>' : '') + '</div>'
    + '<h2>Pools</h2><div class="card"><table id="pools-table"><thead><tr><th>Kind</th><th class="num">Nodes</th><th class="num">Slots</th><th class="num">Busy</th><th class="num">Free</th><th>Utilisation</th></tr></thead><tbody>'
    + (c.pools || []).map((p) => '<tr><td>' + esc(p.kind) + '</td><td class="num">' + p.nodes + '</td><td class="num">' + p.slots + '</td><td class="num">' + p.busy + '</td><td class="num">' + p.free + '</td><td><span class="bar"><span style="width:' + (100 * p.utilization).toFixed(0) + '%"></span></span>' + (100 * p.utilization).toFixed(0) + '%</td></tr>').join('')
    + '</tbody></table></div>'
    + '<h2>Members</h2><div class="card tablewrap"><table id="members-table"><thead><tr><th>Address</th><th>Status</th><th>Roles</th><th>Pools (busy/slots)</th><th class="num">Evaluations</th><th class="num">Uptime</th></tr></thead><tbody>'
    + (c.members || []).map((m) => '<tr><td>' + esc(m.address) + '</td><td>' + esc(m.status) + (m.draining ? ' (draining)' : '') + '</td><td>' + esc((m.roles || []).join(', ') || '-') + '</td><td>'
      + (m.answered ? esc((m.pools || []).map((p) => p.kind + ' ' + p.busy + '/' + p.slots).join(', ') || '-') : '<span class="muted">no answer</span>') + '</td><td class="num">' + esc(m.evaluations == null ? '' : m.evaluations)
      + '</td><td class="num">' + esc(m.uptime_seconds == null ? '' : m.uptime_seconds + ' s') + '</td></tr>').join('')
    + '</tbody></table></div>';
}

window.addEventListener('hashchange', route);
route();
