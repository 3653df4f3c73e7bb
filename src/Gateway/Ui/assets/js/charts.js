// SVG charts: the log volume histogram (stacked by level, drag to zoom) and the metric line chart with its legend.

const NS = 'http://www.w3.org/2000/svg';
const palette = ['#3d71d9', '#e5533d', '#2e9d5b', '#c77c02', '#8e44ad', '#16a2b8', '#d63384', '#6c757d', '#7a9a01', '#b35900'];
const levelColours = { error: 'var(--error)', critical: 'var(--error)', fatal: 'var(--error)', warn: 'var(--warn)', warning: 'var(--warn)',
  info: 'var(--info)', debug: 'var(--debug)', trace: 'var(--trace)' };

function el(name, attrs = {}, parent) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

function formatTick(ms, spanMs) {
  const d = new Date(ms);
  const p = n => String(n).padStart(2, '0');
  if (spanMs > 3 * 86400e3) return `${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  if (spanMs > 86400e3) return `${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
  return `${p(d.getHours())}:${p(d.getMinutes())}${spanMs < 600e3 ? ':' + p(d.getSeconds()) : ''}`;
}

function formatValue(v) {
  if (Math.abs(v) >= 1e6) return (v / 1e6).toFixed(1) + 'M';
  if (Math.abs(v) >= 1e3) return (v / 1e3).toFixed(1) + 'k';
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

function axes(svg, x0, x1, y1, fromMs, toMs, maxY, h, pad) {
  el('line', { x1: pad.l, x2: x1, y1: h - pad.b, y2: h - pad.b, class: 'axis' }, svg);
  const ticks = Math.max(2, Math.floor((x1 - pad.l) / 110));
  for (let i = 0; i <= ticks; i++) {
    const ms = fromMs + (toMs - fromMs) * i / ticks;
    const x = pad.l + (x1 - pad.l) * i / ticks;
    const t = el('text', { x, y: h - 2, 'text-anchor': i === 0 ? 'start' : i === ticks ? 'end' : 'middle' }, svg);
    t.textContent = formatTick(ms, toMs - fromMs);
  }
  for (const f of [0.5, 1]) {
    const y = h - pad.b - (h - pad.b - pad.t) * f;
    el('line', { x1: pad.l, x2: x1, y1: y, y2: y, class: 'axis', 'stroke-dasharray': '2 3' }, svg);
    const t = el('text', { x: pad.l - 4, y: y + 3, 'text-anchor': 'end' }, svg);
    t.textContent = formatValue(maxY * f);
  }
}

/** Drag across the plot to choose a time range: onZoom(fromMs, toMs). */
function dragZoom(svg, pad, width, fromMs, toMs, onZoom) {
  let start = null, rect = null;
  const toMsAt = x => fromMs + (toMs - fromMs) * Math.min(1, Math.max(0, (x - pad.l) / (width - pad.l - pad.r)));
  const xOf = e => e.clientX - svg.getBoundingClientRect().left;
  svg.onpointerdown = e => {
    start = xOf(e);
    rect = el('rect', { x: start, y: pad.t, width: 0, height: svg.clientHeight - pad.t - pad.b, class: 'selection' }, svg);
    svg.setPointerCapture(e.pointerId);
  };
  svg.onpointermove = e => {
    if (start === null) return;
    const x = xOf(e);
    rect.setAttribute('x', Math.min(start, x));
    rect.setAttribute('width', Math.abs(x - start));
  };
  svg.onpointerup = e => {
    if (start === null) return;
    const x = xOf(e);
    rect.remove();
    const a = Math.min(start, x), b = Math.max(start, x);
    start = null;
    if (b - a >= 4) onZoom(Math.floor(toMsAt(a)), Math.ceil(toMsAt(b)));
  };
}

/**
 * Volume histogram from a matrix of count_over_time by level: one bar per step, stacked by level.
 * Every bar carries data-ts (bucket end, ms) and data-count (its total), every segment data-level and data-count.
 */
export function drawVolume(svg, matrix, fromMs, toMs, stepMs, onZoom) {
  svg.replaceChildren();
  svg.dataset.step = stepMs;
  const width = svg.clientWidth || 800, h = Number(svg.getAttribute('height')), pad = { l: 40, r: 8, t: 6, b: 16 };
  const buckets = new Map();
  for (const series of matrix) {
    const level = series.metric.detected_level || series.metric.level || 'unknown';
    for (const [ts, v] of series.values) {
      const ms = Math.round(Number(ts) * 1000);
      if (!buckets.has(ms)) buckets.set(ms, []);
      buckets.get(ms).push({ level, count: Number(v) });
    }
  }
  let max = 1;
  for (const parts of buckets.values()) max = Math.max(max, parts.reduce((s, p) => s + p.count, 0));
  axes(svg, pad.l, width - pad.r, 0, fromMs, toMs, max, h, pad);
  const plotW = width - pad.l - pad.r, plotH = h - pad.t - pad.b;
  const barW = Math.max(1, plotW * stepMs / Math.max(1, toMs - fromMs) - 1);
  let total = 0;
  for (const [ms, parts] of [...buckets.entries()].sort((a, b) => a[0] - b[0])) {
    const sum = parts.reduce((s, p) => s + p.count, 0);
    total += sum;
    const x = pad.l + plotW * (ms - stepMs - fromMs) / Math.max(1, toMs - fromMs);
    const g = el('g', { class: 'bar', 'data-ts': ms, 'data-count': sum }, svg);
    const title = el('title', {}, g);
    title.textContent = `${new Date(ms).toLocaleString()}: ${sum} lines ` + parts.map(p => `${p.level}=${p.count}`).join(' ');
    let y = h - pad.b;
    for (const p of parts.sort((a, b) => a.level.localeCompare(b.level))) {
      const bh = plotH * p.count / max;
      y -= bh;
      el('rect', { x: Math.max(pad.l, x), y, width: barW, height: bh, fill: levelColours[p.level] || 'var(--muted)', 'data-level': p.level, 'data-count': p.count }, g);
    }
  }
  dragZoom(svg, pad, width, fromMs, toMs, onZoom);
  return total;
}

/** Labels text of a series: {a="1", b="2"}. */
export function seriesName(metric) {
  const keys = Object.keys(metric).sort();
  return '{' + keys.map(k => `${k}=${JSON.stringify(metric[k])}`).join(', ') + '}';
}

/** Line chart of a matrix, one path per series (data-labels), with a legend that toggles series. */
export function drawMetric(svg, legend, matrix, fromMs, toMs, onZoom) {
  svg.replaceChildren();
  legend.replaceChildren();
  const width = svg.clientWidth || 800, h = Number(svg.getAttribute('height')), pad = { l: 48, r: 8, t: 8, b: 16 };
  const hidden = new Set();
  const draw = () => {
    svg.replaceChildren();
    let max = 0;
    matrix.forEach((s, i) => { if (!hidden.has(i)) for (const [, v] of s.values) max = Math.max(max, Number(v)); });
    max = max || 1;
    axes(svg, pad.l, width - pad.r, 0, fromMs, toMs, max, h, pad);
    const plotW = width - pad.l - pad.r, plotH = h - pad.t - pad.b;
    matrix.forEach((s, i) => {
      if (hidden.has(i)) return;
      let d = '', prev = null;
      for (const [ts, v] of s.values) {
        const ms = Number(ts) * 1000;
        const x = pad.l + plotW * (ms - fromMs) / Math.max(1, toMs - fromMs);
        const y = h - pad.b - plotH * Number(v) / max;
        d += (prev !== null && ms - prev <= s.stepMs * 1.5 ? 'L' : 'M') + x.toFixed(1) + ' ' + y.toFixed(1);
        prev = ms;
      }
      const path = el('path', { d, class: 'series', stroke: palette[i % palette.length], 'data-labels': seriesName(s.metric) }, svg);
      el('title', {}, path).textContent = seriesName(s.metric);
    });
    dragZoom(svg, pad, width, fromMs, toMs, onZoom);
  };
  matrix.forEach((s, i) => {
    const item = document.createElement('span');
    item.className = 'legend-item';
    item.innerHTML = `<span class="swatch" style="background:${palette[i % palette.length]}"></span>`;
    item.append(seriesName(s.metric));
    item.onclick = () => { hidden.has(i) ? hidden.delete(i) : hidden.add(i); item.classList.toggle('off'); draw(); };
    legend.appendChild(item);
  });
  draw();
}
