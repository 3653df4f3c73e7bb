// A virtualised log list: only the rows in view (plus a margin) are in the DOM, so 100,000 lines scroll smoothly.
// Rows have measured heights (wrapped lines and expanded details are taller); unmeasured rows use the default.

import { formatTs } from './time.js';

const esc = s => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const ROW = 18;
const OVERSCAN = 30;

export function levelOf(e) {
  const l = (e.metadata.detected_level || e.stream.detected_level || e.stream.level || e.parsed.level || e.parsed.detected_level || '').toLowerCase();
  if (l) return l;
  const m = /\b(level|lvl|severity)=["']?(\w+)/i.exec(e.line) || /\b(ERROR|WARN|WARNING|INFO|DEBUG|TRACE|FATAL)\b/.exec(e.line);
  return m ? (m[2] || m[1]).toLowerCase() : '';
}

export class LogView {
  constructor(container, spacer, rowsEl, { onContext, onFilter }) {
    this.container = container;
    this.spacer = spacer;
    this.rowsEl = rowsEl;
    this.entries = [];
    this.heights = [];
    this.offsets = new Float64Array(1);
    this.dirty = true;
    this.expanded = new Set();
    this.terms = null;
    this.onContext = onContext;
    this.onFilter = onFilter;
    this.frame = 0;
    container.addEventListener('scroll', () => this.schedule());
    new ResizeObserver(() => { this.heights.fill(0); this.dirty = true; this.schedule(); }).observe(container);
    rowsEl.addEventListener('click', e => this.click(e));
  }

  setTerms(terms) {
    try { this.terms = terms.length ? new RegExp(terms.map(t => `(?:${t})`).join('|'), 'g') : null; } catch { this.terms = null; }
  }

  setWrap(wrap) {
    this.container.classList.toggle('wrap', wrap);
    this.heights.fill(0);
    this.dirty = true;
    this.schedule();
  }

  clear() {
    this.entries = [];
    this.heights = [];
    this.expanded.clear();
    this.dirty = true;
    this.container.scrollTop = 0;
    this.render();
  }

  /** Replaces or extends the list (at the end, or at the start with `prepend`). */
  add(entries, { prepend = false } = {}) {
    if (prepend) {
      const shift = entries.length;
      this.entries = entries.concat(this.entries);
      this.heights = new Array(shift).fill(0).concat(this.heights);
      this.expanded = new Set([...this.expanded].map(i => i + shift));
    } else {
      this.entries.push(...entries);
      for (let i = 0; i < entries.length; i++) this.heights.push(0);
    }
    this.dirty = true;
    this.schedule();
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  layout() {
    if (!this.dirty) return;
    const n = this.entries.length;
    if (this.offsets.length < n + 1) this.offsets = new Float64Array(Math.max(n + 1, this.offsets.length * 2));
    let y = 0;
    for (let i = 0; i < n; i++) { this.offsets[i] = y; y += this.heights[i] || ROW; }
    this.offsets[n] = y;
    this.spacer.style.height = y + 'px';
    this.dirty = false;
  }

  indexAt(y) {
    let lo = 0, hi = this.entries.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.offsets[mid + 1] <= y) lo = mid + 1; else hi = mid; }
    return lo;
  }

  render() {
    this.layout();
    const top = this.container.scrollTop, bottom = top + this.container.clientHeight;
    const first = Math.max(0, this.indexAt(top) - OVERSCAN);
    const last = Math.min(this.entries.length, this.indexAt(bottom) + OVERSCAN);
    let html = '';
    for (let i = first; i < last; i++) html += this.rowHtml(i);
    this.rowsEl.style.transform = `translateY(${this.offsets[first] || 0}px)`;
    this.rowsEl.innerHTML = html;
    // Measure what was drawn; re-layout when a height changed.
    let changed = false;
    const rows = this.rowsEl.children;
    for (let k = 0; k < rows.length; k++) {
      const i = first + k, h = rows[k].offsetHeight;
      if (h && this.heights[i] !== h) { this.heights[i] = h; changed = true; }
    }
    if (changed) { this.dirty = true; this.layout(); this.rowsEl.style.transform = `translateY(${this.offsets[first] || 0}px)`; }
  }

  mark(text) {
    if (!this.terms) return esc(text);
    let out = '', last = 0;
    this.terms.lastIndex = 0;
    for (const m of text.matchAll(this.terms)) {
      if (!m[0]) break;
      out += esc(text.slice(last, m.index)) + '<mark>' + esc(m[0]) + '</mark>';
      last = m.index + m[0].length;
    }
    return out + esc(text.slice(last));
  }

  rowHtml(i) {
    const e = this.entries[i];
    const level = e.level ?? (e.level = levelOf(e));
    let html = `<div class="log-row level-${esc(level)}" data-i="${i}" data-ts="${e.ts}"><div class="log-main" style="display:contents">` +
      `<span class="log-ts">${formatTs(e.ts)}</span><span class="log-line">${this.mark(e.line)}</span></div></div>`;
    if (this.expanded.has(i)) {
      html = html.slice(0, -6) + this.detailsHtml(e, i) + '</div>';
      html = html.replace('class="log-row', 'style="flex-wrap:wrap" class="log-row');
    }
    return html;
  }

  detailsHtml(e, i) {
    const table = (title, kind, obj) => {
      const keys = Object.keys(obj).sort();
      if (!keys.length) return '';
      return `<h4>${title}</h4><table class="${kind}">` + keys.map(k =>
        `<tr><td>${esc(k)}</td><td>${esc(String(obj[k]))}</td><td><button data-filter="${esc(k)}" data-value="${esc(String(obj[k]))}" data-kind="${kind}" title="Filter for this value">+</button></td></tr>`).join('') + '</table>';
    };
    return `<div class="details" style="flex-basis:100%">` +
      table('Stream labels', 'labels', e.stream) + table('Structured metadata', 'metadata', e.metadata) + table('Parsed fields', 'parsed', e.parsed) +
      `<div class="actions"><button data-context="${i}">Show context</button><button data-copy="${i}">Copy line</button></div></div>`;
  }

  click(ev) {
    const t = ev.target;
    if (t.dataset.context !== undefined) { this.onContext(this.entries[Number(t.dataset.context)]); return; }
    if (t.dataset.copy !== undefined) { navigator.clipboard?.writeText(this.entries[Number(t.dataset.copy)].line); return; }
    if (t.dataset.filter !== undefined) { this.onFilter(t.dataset.filter, t.dataset.value, t.dataset.kind); return; }
    if (t.closest('.details')) return;
    const row = t.closest('.log-row');
    if (!row || getSelection().toString()) return;
    const i = Number(row.dataset.i);
    this.expanded.has(i) ? this.expanded.delete(i) : this.expanded.add(i);
    this.heights[i] = 0;
    this.dirty = true;
    this.render();
  }
}
