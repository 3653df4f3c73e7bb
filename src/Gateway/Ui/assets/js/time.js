// Time ranges: relative ("now-1h", "now") or absolute (ISO / "YYYY-MM-DD HH:MM:SS", local time), in nanoseconds.

const units = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 };

/** Milliseconds since the epoch for a time expression, or NaN. */
export function parseTime(text, nowMs = Date.now()) {
  const t = (text || '').trim();
  if (t === '' || t === 'now') return nowMs;
  const rel = /^now\s*-\s*(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(t);
  if (rel) return nowMs - Number(rel[1]) * units[rel[2]];
  if (/^\d{10}$/.test(t)) return Number(t) * 1000;
  if (/^\d{13}$/.test(t)) return Number(t);
  if (/^\d{19}$/.test(t)) return Number(BigInt(t) / 1000000n);
  const iso = t.includes('T') || t.endsWith('Z') ? t : t.replace(' ', 'T');
  const ms = Date.parse(iso);
  return ms;
}

export function isRelative(text) {
  const t = (text || '').trim();
  return t === '' || t.startsWith('now');
}

/** "2026-01-02 15:04:05" in local time. */
export function formatAbsolute(ms) {
  const d = new Date(ms);
  const p = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A log line's timestamp: local date and time with milliseconds; ns string in, text out. */
export function formatTs(ns) {
  const ms = Number(BigInt(ns) / 1000000n);
  const d = new Date(ms);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function describeRange(from, to) {
  if (isRelative(from) && (to === '' || to === 'now')) {
    const m = /^now-(.+)$/.exec(from.replace(/\s/g, ''));
    if (m) return `Last ${m[1]}`;
  }
  const show = t => isRelative(t) ? (t || 'now') : /^\d+$/.test(t.trim()) ? formatAbsolute(parseTime(t)) : t;
  return `${show(from)} to ${show(to)}`;
}

/** Step (seconds) so that a range gets about `points` buckets, rounded to a friendly value. */
export function niceStep(rangeMs, points) {
  const raw = Math.max(1, rangeMs / 1000 / points);
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  for (const s of steps) if (s >= raw) return s;
  return Math.ceil(raw / 86400) * 86400;
}

export const quickRanges = ['5m', '15m', '1h', '3h', '6h', '12h', '24h', '2d', '7d'];
