// The page: state in the URL, the query editor, running queries, the log view, charts, live tail, labels, patterns.

import { api, ApiError, credentials, headers, url, socketProtocols } from './api.js';
import { parseTime, formatAbsolute, describeRange, niceStep, quickRanges, isRelative } from './time.js';
import { highlight, completionContext, errorOffset, filterTerms, selectorOf, patternFilter, parsers, functions } from './logql.js';
import { drawVolume, drawMetric, seriesName } from './charts.js';
import { LogView } from './logview.js';

const $ = id => document.getElementById(id);
const state = { q: '', from: 'now-1h', to: 'now', type: 'range', dir: 'backward', limit: '1000', wrap: false, tab: 'explore', tenant: '' };

// ---------- URL state ----------
function readUrl() {
  const p = new URLSearchParams(location.search);
  for (const k of Object.keys(state)) {
    if (p.has(k)) state[k] = k === 'wrap' ? p.get(k) === '1' : p.get(k);
  }
}
function writeUrl() {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) {
    if (k === 'wrap') { if (v) p.set(k, '1'); } else if (v) p.set(k, v);
  }
  history.replaceState(null, '', location.pathname + '?' + p.toString());
}

// ---------- credentials ----------
function loadCredentials() {
  credentials.tenant = state.tenant;
  credentials.token = sessionStorage.getItem('loki.token') || '';
  $('tenant').value = credentials.tenant;
  $('token').value = credentials.token;
}
$('tenant').addEventListener('change', () => { state.tenant = credentials.tenant = $('tenant').value.trim(); completionCache.clear(); writeUrl(); });
$('token').addEventListener('change', () => { credentials.token = $('token').value.trim(); sessionStorage.setItem('loki.token', credentials.token); completionCache.clear(); });

// ---------- theme ----------
$('theme').onclick = () => {
  const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  document.documentElement.dataset.theme = next;
  localStorage.setItem('loki.theme', next);
};

// ---------- time range ----------
function rangeMs() {
  const now = Date.now();
  const to = parseTime(state.to, now), from = parseTime(state.from, now);
  return { from, to };
}
function showRange() {
  $('range-button').textContent = describeRange(state.from, state.to);
  $('from').value = state.from;
  $('to').value = state.to;
}
$('range-button').onclick = () => { $('range-popup').hidden = !$('range-popup').hidden; };
for (const r of quickRanges) {
  const b = document.createElement('button');
  b.textContent = r;
  b.onclick = () => { state.from = 'now-' + r; state.to = 'now'; $('range-popup').hidden = true; showRange(); run(); };
  $('quick-ranges').appendChild(b);
}
$('apply-range').onclick = () => {
  const from = $('from').value.trim() || 'now-1h', to = $('to').value.trim() || 'now';
  if (isNaN(parseTime(from)) || isNaN(parseTime(to))) { showError('invalid time range: use now-1h, now, or 2026-01-02 15:04:05'); return; }
  state.from = from; state.to = to; $('range-popup').hidden = true; showRange(); run();
};
function zoomTo(fromMs, toMs) {
  state.from = formatAbsolute(fromMs);
  state.to = formatAbsolute(toMs + 999);
  showRange();
  run();
}

// ---------- editor ----------
const query = $('query');
let errorAt = -1;
function paintEditor() {
  $('highlight').innerHTML = highlight(query.value, errorAt);
  query.style.height = 'auto';
  query.style.height = Math.max(32, query.scrollHeight + 2) + 'px';
}
let validateTimer = 0, validateAbort = null;
query.addEventListener('input', () => {
  errorAt = -1;
  paintEditor();
  complete();
  clearTimeout(validateTimer);
  validateTimer = setTimeout(validate, 350);
});
query.addEventListener('keydown', e => {
  if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') { e.preventDefault(); hideCompletions(); run(); return; }
  if (!$('completions').hidden) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') { e.preventDefault(); moveSelection(e.key === 'ArrowDown' ? 1 : -1); return; }
    if (e.key === 'Enter' || e.key === 'Tab') { e.preventDefault(); acceptCompletion(); return; }
    if (e.key === 'Escape') { hideCompletions(); return; }
  } else if (e.key === ' ' && e.ctrlKey) { e.preventDefault(); complete(true); }
});
query.addEventListener('blur', () => setTimeout(hideCompletions, 150));
query.addEventListener('click', () => complete());

async function validate() {
  const text = query.value.trim();
  if (!text) { hideError(); return; }
  validateAbort?.abort();
  validateAbort = new AbortController();
  try {
    const r = await api.formatQuery(query.value, validateAbort.signal);
    if (r.ok) { if ($('query-error').dataset.source === 'format') hideError(); }
    else if (r.status === 400) showError(r.error, 'format');
  } catch { /* aborted or offline: the run will tell */ }
}

// ---------- completion ----------
const completionCache = new Map();
let completionItems = [], completionCtx = null, selected = 0, completeSeq = 0;
async function cached(key, load) {
  if (!completionCache.has(key)) completionCache.set(key, load().catch(() => []));
  return completionCache.get(key);
}
function timeParams() {
  const { from, to } = rangeMs();
  return { start: BigInt(Math.floor(from)) * 1000000n, end: BigInt(Math.floor(to)) * 1000000n };
}
async function complete(force = false) {
  const ctx = completionContext(query.value, query.selectionStart);
  const seq = ++completeSeq;
  if (!ctx) { hideCompletions(); return; }
  if (ctx.kind === 'function' && !ctx.prefix && !force) { hideCompletions(); return; }
  const t = timeParams();
  let items = [];
  if (ctx.kind === 'label') {
    items = (await cached('labels', () => api.labels(t))).map(v => ({ text: v, kind: 'label' }));
  } else if (ctx.kind === 'value') {
    items = (await cached('values:' + ctx.label, () => api.labelValues(ctx.label, t))).map(v => ({ text: v, kind: 'value' }));
  } else if (ctx.kind === 'pipe' || ctx.kind === 'field' || ctx.kind === 'fieldvalue') {
    const sel = selectorOf(query.value);
    const fields = sel ? await cached('fields:' + sel, () => api.detectedFields({ query: sel, ...t })) : [];
    if (ctx.kind === 'fieldvalue') {
      items = [];
    } else {
      items = fields.map(f => ({ text: f.label, kind: `field ${f.type || ''} ${(f.parsers || []).join(',')}`.trim() }));
      if (ctx.kind === 'pipe') items = parsers.map(p => ({ text: p, kind: 'parser' })).concat(items);
    }
  } else if (ctx.kind === 'function') {
    items = functions.map(f => ({ text: f, kind: 'function' }));
  }
  if (seq !== completeSeq) return;
  const p = ctx.prefix.toLowerCase();
  completionItems = items.filter(i => i.text.toLowerCase().startsWith(p) && i.text !== ctx.prefix).slice(0, 200);
  completionCtx = ctx;
  selected = 0;
  if (!completionItems.length) { hideCompletions(); return; }
  const list = $('completions');
  list.innerHTML = completionItems.map((i, k) => `<li data-k="${k}" class="${k === 0 ? 'selected' : ''}">${escapeHtml(i.text)}<span class="kind">${escapeHtml(i.kind)}</span></li>`).join('');
  const lines = query.value.slice(0, query.selectionStart).split('\n');
  list.style.top = (lines.length * 19.5 + 8) + 'px';
  list.style.left = Math.min(query.clientWidth - 200, lines[lines.length - 1].length * 7.8 + 8) + 'px';
  list.hidden = false;
}
$('completions').addEventListener('mousedown', e => {
  const li = e.target.closest('li');
  if (li) { e.preventDefault(); selected = Number(li.dataset.k); acceptCompletion(); }
});
function moveSelection(d) {
  selected = (selected + d + completionItems.length) % completionItems.length;
  [...$('completions').children].forEach((li, k) => li.classList.toggle('selected', k === selected));
  $('completions').children[selected]?.scrollIntoView({ block: 'nearest' });
}
function acceptCompletion() {
  const item = completionItems[selected], ctx = completionCtx;
  if (!item || !ctx) return;
  let text = item.text;
  if (ctx.kind === 'label') text += '="';
  if (ctx.kind === 'value') text = text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  const v = query.value;
  let end = ctx.to;
  if (ctx.kind === 'value' && v[end] === '"') end++;
  const suffix = ctx.kind === 'value' ? '"' : ctx.kind === 'pipe' ? ' ' : '';
  query.value = v.slice(0, ctx.from) + text + suffix + v.slice(end);
  const caret = ctx.from + text.length + suffix.length;
  query.setSelectionRange(caret, caret);
  hideCompletions();
  paintEditor();
  if (ctx.kind === 'label') complete();
}
function hideCompletions() { $('completions').hidden = true; completionItems = []; }

// ---------- errors and progress ----------
function showError(text, source = 'run') {
  const box = $('query-error');
  box.textContent = text;
  box.dataset.source = source;
  box.hidden = false;
  errorAt = errorOffset(query.value, text);
  paintEditor();
}
function hideError() { $('query-error').hidden = true; $('query-error').dataset.source = ''; errorAt = -1; paintEditor(); }
let current = null;
function startProgress(total) {
  current?.abort();
  current = new AbortController();
  current.total = total;
  current.done = 0;
  current.started = performance.now();
  $('progress').hidden = false;
  $('cancel').hidden = false;
  $('run').disabled = true;
  tickProgress();
  return current;
}
function tickProgress(label = '') {
  if (!current) return;
  $('progress-bar').style.width = (100 * current.done / Math.max(1, current.total)) + '%';
  $('progress-text').textContent = `${label || 'running'} · ${current.done}/${current.total} · ${((performance.now() - current.started) / 1000).toFixed(1)} s`;
}
function stepProgress(job, label) { job.done++; if (job === current) tickProgress(label); }
function endProgress(job) {
  if (job !== current) return;
  $('progress').hidden = true;
  $('cancel').hidden = true;
  $('run').disabled = false;
  current = null;
}
$('cancel').onclick = () => {
  const job = current;
  job?.abort();
  endProgress(job);
  showError('query cancelled');
};

// ---------- running queries ----------
const logView = new LogView($('log-view'), $('log-spacer'), $('log-rows'), { onContext: showContext, onFilter: addFilter });
let paging = null;

const isLogQuery = q => q.trim().startsWith('{');
const ns = ms => (BigInt(Math.floor(ms)) * 1000000n).toString();

function show(panel) {
  for (const id of ['volume-panel', 'metric-panel', 'table-panel', 'logs-panel']) $(id).hidden = !panel.includes(id);
  $('empty').hidden = panel.length > 0;
}

async function run() {
  stopTail();
  state.q = query.value;
  writeUrl();
  hideCompletions();
  const q = state.q.trim();
  if (!q) return;
  hideError();
  const { from, to } = rangeMs();
  if (!(from < to)) { showError('the start of the time range must be before its end'); return; }
  updateDownload();
  // The text as written: error positions from the server then match the editor.
  const text = state.q;
  if (state.type === 'instant') return runInstant(text, to);
  return isLogQuery(q) ? runLogs(text, from, to) : runMetric(text, from, to);
}

async function runLogs(q, from, to) {
  const job = startProgress(2);
  show(['volume-panel', 'logs-panel']);
  logView.clear();
  logView.setTerms(filterTerms(q));
  const step = niceStep(to - from, 120);
  const volume = api.queryRange({ query: `sum by (detected_level) (count_over_time(${q} [${step}s]))`, start: ns(from), end: ns(to), step }, job.signal)
    .then(r => {
      const total = drawVolume($('volume'), r.data.result, from, to, step * 1000, zoomTo);
      $('volume-total').textContent = `${total.toLocaleString()} lines in range`;
      stepProgress(job, 'volume');
    });
  paging = { q, from, to, dir: state.dir, limit: Number(state.limit), seen: new Set(), edge: null, done: false, count: 0 };
  const logs = loadPage(job).then(() => stepProgress(job, 'logs'));
  try {
    await Promise.all([logs, volume.catch(e => { if (!(e instanceof ApiError)) throw e; $('volume-panel').hidden = true; stepProgress(job); })]);
  } catch (e) {
    failed(e);
  } finally {
    endProgress(job);
  }
}

/** The next page of a log query: older lines (newest first) or newer ones (oldest first), without repeating any. */
async function loadPage(job) {
  const p = paging;
  const params = { query: p.q, limit: p.limit, direction: p.dir, start: ns(p.from), end: ns(p.to) };
  if (p.edge !== null) {
    if (p.dir === 'backward') params.end = (BigInt(p.edge) + 1n).toString(); else params.start = p.edge;
  }
  const r = await api.queryRange(params, job?.signal);
  const entries = toEntries(r.data.result, p.dir);
  const fresh = entries.filter(e => !p.seen.has(e.key));
  for (const e of fresh) p.seen.add(e.key);
  if (entries.length) p.edge = entries[entries.length - 1].ts;
  p.done = entries.length < p.limit;
  p.count += fresh.length;
  logView.add(fresh);
  $('logs-count').textContent = `${p.count.toLocaleString()} lines${p.done ? '' : ' (more available)'}`;
  $('more').hidden = p.done;
  $('end-of-results').hidden = !p.done;
  if (!p.done && fresh.length === 0) { p.limit *= 2; return loadPage(job); }
}
$('more').onclick = async () => {
  const job = startProgress(1);
  try { await loadPage(job); stepProgress(job); } catch (e) { failed(e); } finally { endProgress(job); }
};
// Reaching the bottom of the list loads the next page.
$('log-view').addEventListener('scroll', () => {
  const v = $('log-view');
  if (paging && !paging.done && !current && !tailing && v.scrollTop + v.clientHeight >= v.scrollHeight - 40) $('more').click();
});

function toEntries(streams, dir) {
  const out = [];
  for (const s of streams) {
    for (const v of s.values) {
      const extra = v[2] || {};
      out.push({ ts: v[0], line: v[1], stream: s.stream, metadata: extra.structuredMetadata || {}, parsed: extra.parsed || {}, key: `${v[0]}\u0000${seriesName(s.stream)}\u0000${v[1]}` });
    }
  }
  out.sort((a, b) => {
    const c = a.ts.length !== b.ts.length ? a.ts.length - b.ts.length : a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0;
    return (dir === 'backward' ? -c : c) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  });
  return out;
}

async function runMetric(q, from, to) {
  const step = niceStep(to - from, 300);
  // Long ranges run as several requests, one after another, so that progress shows and a cancel stops early.
  const parts = Math.min(12, Math.max(1, Math.ceil((to - from) / (6 * 3600e3))));
  const job = startProgress(parts);
  show(['metric-panel']);
  const series = new Map();
  try {
    const span = Math.ceil((to - from) / parts / (step * 1000)) * step * 1000;
    for (let i = 0; i < parts; i++) {
      const a = from + i * span, b = Math.min(to, a + span - step * 1000);
      if (a > to) break;
      const r = await api.queryRange({ query: q, start: ns(a), end: ns(b), step }, job.signal);
      if (r.data.resultType !== 'matrix') throw new ApiError(400, `unexpected result type ${r.data.resultType}`);
      for (const s of r.data.result) {
        const key = seriesName(s.metric);
        if (!series.has(key)) series.set(key, { metric: s.metric, values: [], stepMs: step * 1000 });
        series.get(key).values.push(...s.values);
      }
      stepProgress(job, `split ${i + 1}/${parts}`);
    }
    drawMetric($('metric'), $('legend'), [...series.values()], from, to, zoomTo);
  } catch (e) {
    failed(e);
  } finally {
    endProgress(job);
  }
}

async function runInstant(q, to) {
  const job = startProgress(1);
  show(['table-panel']);
  try {
    const r = await api.query({ query: q, time: ns(to) }, job.signal);
    const table = $('instant-table');
    const d = r.data;
    if (d.resultType === 'scalar') {
      table.innerHTML = `<tr><th>value</th></tr><tr><td>${escapeHtml(d.result[1])}</td></tr>`;
    } else {
      const keys = [...new Set(d.result.flatMap(s => Object.keys(s.metric)))].sort();
      table.innerHTML = '<tr>' + keys.map(k => `<th>${escapeHtml(k)}</th>`).join('') + '<th>value</th></tr>' +
        d.result.map(s => '<tr>' + keys.map(k => `<td>${escapeHtml(s.metric[k] ?? '')}</td>`).join('') + `<td>${escapeHtml(s.value[1])}</td></tr>`).join('');
    }
    stepProgress(job);
  } catch (e) {
    failed(e);
  } finally {
    endProgress(job);
  }
}

function failed(e) {
  if (e.name === 'AbortError') return;
  showError(e instanceof ApiError ? e.message : `request failed: ${e.message}`);
}

// ---------- log view controls ----------
$('wrap').onchange = () => { state.wrap = $('wrap').checked; logView.setWrap(state.wrap); writeUrl(); };
$('direction').onchange = () => { state.dir = $('direction').value; run(); };
$('limit').onchange = () => { state.limit = $('limit').value; run(); };
$('type').onchange = () => { state.type = $('type').value; run(); };
$('run').onclick = () => run();

function addFilter(name, value, kind) {
  const q = query.value.trim();
  if (kind === 'labels' && q.startsWith('{')) {
    query.value = q.replace(/\}/, `, ${name}=${JSON.stringify(value)}}`);
  } else {
    query.value = `${q} | ${name}=${JSON.stringify(value)}`;
  }
  paintEditor();
  run();
}

function updateDownload() {
  const { from, to } = rangeMs();
  const a = $('download');
  a.href = url('/loki/api/v1/export', { query: state.q, start: ns(from), end: ns(to), direction: state.dir === 'backward' ? 'backward' : 'forward', format: 'ndjson' });
  a.setAttribute('download', 'export.ndjson');
}
$('download').addEventListener('click', async e => {
  if (!credentials.tenant && !credentials.token) return; // the browser streams the link to disk itself
  // Headers cannot go on a plain link: fetch with them, then save.
  e.preventDefault();
  const res = await fetch($('download').href, { headers: headers() });
  if (!res.ok) { showError((await res.text()).trim()); return; }
  const blob = await res.blob();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = 'export.ndjson';
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
});

// ---------- show context ----------
async function showContext(entry) {
  const sel = '{' + Object.keys(entry.stream).sort().map(k => `${k}=${JSON.stringify(entry.stream[k])}`).join(', ') + '}';
  $('context-title').textContent = `Context of the line in ${sel}`;
  $('context-rows').textContent = 'loading…';
  $('context').hidden = false;
  const t = BigInt(entry.ts), hour = 3600n * 1000000000n;
  try {
    const [before, after] = await Promise.all([
      api.queryRange({ query: sel, direction: 'backward', limit: 11, start: (t - hour).toString(), end: (t + 1n).toString() }),
      api.queryRange({ query: sel, direction: 'forward', limit: 11, start: t.toString(), end: (t + hour).toString() }),
    ]);
    const all = new Map();
    for (const e of toEntries(before.data.result, 'forward').concat(toEntries(after.data.result, 'forward'))) all.set(e.key, e);
    const rows = [...all.values()].sort((a, b) => (BigInt(a.ts) < BigInt(b.ts) ? -1 : BigInt(a.ts) > BigInt(b.ts) ? 1 : 0));
    $('context-rows').innerHTML = rows.map(e => `<div class="${e.ts === entry.ts && e.line === entry.line ? 'anchor' : ''}">${escapeHtml(e.ts)} ${escapeHtml(e.line)}</div>`).join('');
  } catch (e) {
    $('context-rows').textContent = e.message;
  }
}
$('context-close').onclick = () => { $('context').hidden = true; };

// ---------- live tail ----------
let socket = null, tailing = false, paused = false, buffered = [], dropped = 0;
function stopTail() {
  if (socket) { socket.onclose = null; socket.close(); socket = null; }
  tailing = false;
  $('tail').classList.remove('active');
  $('tail').textContent = 'Live';
  $('pause').hidden = true;
}
$('tail').onclick = () => {
  if (tailing) { stopTail(); return; }
  const q = query.value.trim();
  if (!isLogQuery(q)) { showError('live tail needs a log query'); return; }
  hideError();
  show(['logs-panel']);
  logView.clear();
  logView.setTerms(filterTerms(q));
  dropped = 0; buffered = []; paused = false;
  $('dropped').hidden = true;
  $('more').hidden = true; $('end-of-results').hidden = true;
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const target = `${proto}//${location.host}` + url('/loki/api/v1/tail', { query: q, start: ns(Date.now() - 5000), limit: 100 });
  socket = new WebSocket(target, socketProtocols());
  tailing = true;
  $('tail').classList.add('active');
  $('tail').textContent = 'Stop';
  $('pause').hidden = false;
  $('pause').textContent = 'Pause';
  let count = 0;
  socket.onopen = () => { $('logs-count').textContent = 'live: waiting for lines'; };
  socket.onmessage = ev => {
    const msg = JSON.parse(ev.data);
    const entries = toEntries(msg.streams || [], 'forward');
    if (msg.dropped_entries?.length) {
      dropped += msg.dropped_entries.length;
      $('dropped').textContent = `${dropped} dropped`;
      $('dropped').hidden = false;
    }
    if (paused) { buffered.push(...entries); $('pause').textContent = `Resume (${buffered.length})`; return; }
    count += entries.length;
    append(entries);
    $('logs-count').textContent = `live: ${count} lines`;
  };
  socket.onclose = ev => {
    const reason = ev.reason || (ev.code !== 1000 ? `live tail closed (${ev.code})` : '');
    stopTail();
    if (reason) showError(reason);
  };
};
function append(entries) {
  const v = $('log-view');
  const atBottom = v.scrollTop + v.clientHeight >= v.scrollHeight - 30;
  logView.add(entries);
  if (atBottom) requestAnimationFrame(() => { v.scrollTop = v.scrollHeight; });
}
$('pause').onclick = () => {
  paused = !paused;
  if (!paused) { append(buffered); buffered = []; }
  $('pause').textContent = paused ? 'Resume' : 'Pause';
};

// ---------- tabs: labels and patterns ----------
function selectTab(tab) {
  state.tab = tab;
  for (const b of $('tabs').children) b.classList.toggle('active', b.dataset.tab === tab);
  for (const t of ['explore', 'labels', 'patterns']) $('tab-' + t).hidden = t !== tab;
  writeUrl();
  if (tab === 'labels') loadLabels();
  if (tab === 'patterns') loadPatterns();
}
$('tabs').onclick = e => { if (e.target.dataset.tab) selectTab(e.target.dataset.tab); };

async function loadLabels() {
  const names = $('label-names');
  names.innerHTML = '<li>loading…</li>';
  try {
    const labels = await api.labels(timeParams());
    names.innerHTML = labels.map(l => `<li data-label="${escapeHtml(l)}">${escapeHtml(l)}</li>`).join('') || '<li>no labels in this time range</li>';
  } catch (e) { names.innerHTML = `<li>${escapeHtml(e.message)}</li>`; }
}
$('label-names').onclick = async e => {
  const label = e.target.dataset.label;
  if (!label) return;
  for (const li of $('label-names').children) li.classList.toggle('active', li === e.target);
  const values = await api.labelValues(label, timeParams()).catch(err => [err.message]);
  $('label-values').innerHTML = values.map(v => `<li data-label="${escapeHtml(label)}" data-value="${escapeHtml(v)}">${escapeHtml(v)}</li>`).join('');
};
$('label-values').onclick = e => {
  const { label, value } = e.target.dataset;
  if (label === undefined || value === undefined) return;
  query.value = `{${label}=${JSON.stringify(value)}}`;
  paintEditor();
  selectTab('explore');
  run();
};

async function loadPatterns() {
  const table = $('patterns');
  const sel = selectorOf(query.value);
  if (!sel) { table.innerHTML = '<tr><td>Write a query with a stream selector first.</td></tr>'; return; }
  table.innerHTML = '<tr><td>loading…</td></tr>';
  const { from, to } = rangeMs();
  const step = niceStep(to - from, 60);
  try {
    const data = await api.patterns({ query: sel, start: ns(from), end: ns(to), step: step + 's' });
    const rows = data.map(p => ({ ...p, total: p.samples.reduce((s, x) => s + Number(x[1]), 0) })).sort((a, b) => b.total - a.total);
    table.innerHTML = '<tr><th>count</th><th>level</th><th>pattern</th><th></th></tr>' + rows.map((p, i) =>
      `<tr class="pattern" data-i="${i}"><td>${p.total}</td><td>${escapeHtml(p.level || '')}</td><td>${escapeHtml(p.pattern)}</td><td>${sparkline(p.samples, from, to)}</td></tr>`).join('');
    table.onclick = e => {
      const tr = e.target.closest('tr.pattern');
      if (!tr) return;
      query.value = patternFilter(sel, rows[Number(tr.dataset.i)].pattern);
      paintEditor();
      selectTab('explore');
      run();
    };
    if (!rows.length) table.innerHTML = '<tr><td>No patterns in this time range.</td></tr>';
  } catch (e) { table.innerHTML = `<tr><td>${escapeHtml(e.message)}</td></tr>`; }
}
function sparkline(samples, from, to) {
  const max = Math.max(1, ...samples.map(s => Number(s[1])));
  const pts = samples.map(s => `${(100 * (s[0] * 1000 - from) / (to - from)).toFixed(1)},${(20 - 18 * Number(s[1]) / max).toFixed(1)}`).join(' ');
  return `<svg width="100" height="20" viewBox="0 0 100 20"><polyline points="${pts}" fill="none" stroke="var(--accent)"/></svg>`;
}

function escapeHtml(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'); }

// ---------- start ----------
readUrl();
loadCredentials();
query.value = state.q;
$('type').value = state.type;
$('direction').value = state.dir;
$('limit').value = state.limit;
$('wrap').checked = state.wrap;
logView.setWrap(state.wrap);
showRange();
paintEditor();
selectTab(state.tab);
if (state.q && state.tab === 'explore') run();
window.lokiUi = { state, logView };
