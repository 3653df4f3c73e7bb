// LogQL tokens for highlighting, and the completion context at a caret position.

export const parsers = ['json', 'logfmt', 'regexp', 'pattern', 'unpack', 'line_format', 'label_format', 'drop', 'keep', 'decolorize', 'unwrap'];
export const functions = ['rate', 'count_over_time', 'bytes_over_time', 'bytes_rate', 'sum_over_time', 'avg_over_time', 'max_over_time',
  'min_over_time', 'first_over_time', 'last_over_time', 'quantile_over_time', 'stddev_over_time', 'absent_over_time', 'rate_counter',
  'sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'sort', 'sort_desc', 'label_replace', 'vector', 'by', 'without',
  'offset', 'bool', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless'];
const keywords = new Set([...parsers, ...functions, 'duration', 'duration_seconds', 'bytes', 'ip']);

/** Tokens with their kind: label, string, op, kw, num, comment, ident, space. */
export function tokenize(text) {
  const out = [];
  let i = 0, braces = 0;
  const push = (kind, start, end) => out.push({ kind, text: text.slice(start, end), start, end });
  while (i < text.length) {
    const c = text[i];
    const start = i;
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      push('comment', start, i);
    } else if (c === '"' || c === '`') {
      i++;
      while (i < text.length && text[i] !== c) { if (c === '"' && text[i] === '\\') i++; i++; }
      i = Math.min(text.length, i + 1);
      push('string', start, i);
    } else if (/\s/.test(c)) {
      while (i < text.length && /\s/.test(text[i])) i++;
      push('space', start, i);
    } else if (/[0-9]/.test(c)) {
      while (i < text.length && /[0-9.a-zA-Z]/.test(text[i])) i++;
      push('num', start, i);
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < text.length && /[A-Za-z0-9_.]/.test(text[i])) i++;
      const word = text.slice(start, i);
      let j = i; while (j < text.length && text[j] === ' ') j++;
      const isLabel = braces > 0 || /^(=|!=|=~|!~|>|<|>=|<=)/.test(text.slice(j));
      push(keywords.has(word) && braces === 0 && !isLabel ? 'kw' : isLabel ? 'label' : 'ident', start, i);
    } else {
      const two = text.slice(i, i + 2);
      if (['|=', '!=', '|~', '!~', '|>', '!>', '=~', '==', '>=', '<='].includes(two)) i += 2; else i++;
      if (c === '{') braces++;
      if (c === '}') braces = Math.max(0, braces - 1);
      push('op', start, i);
    }
  }
  return out;
}

const esc = s => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** HTML of the highlighted query; `errorAt` (offset) marks the token a parse error points at. */
export function highlight(text, errorAt = -1) {
  let html = '';
  for (const t of tokenize(text)) {
    const cls = t.kind === 'space' || t.kind === 'ident' ? '' : 'tok-' + t.kind;
    const err = errorAt >= t.start && errorAt < t.end ? ' tok-error' : '';
    html += cls || err ? `<span class="${cls}${err}">${esc(t.text)}</span>` : esc(t.text);
  }
  if (errorAt >= text.length && errorAt >= 0) html += '<span class="tok-error"> </span>';
  return html + '\n';
}

/** The stream selector of a query ({...} of its first log selector), or ''. */
export function selectorOf(text) {
  const m = /\{[^{}]*\}/.exec(text);
  return m ? m[0] : '';
}

/**
 * What can be completed at `pos`: { kind: 'label' | 'value' | 'pipe' | 'field', prefix, label?, from, to }.
 * 'from'/'to' delimit the text the completion replaces.
 */
export function completionContext(text, pos) {
  const before = text.slice(0, pos);
  let depth = 0, inSelector = false;
  for (const t of tokenize(before)) {
    if (t.kind === 'op' && t.text === '{') { depth++; inSelector = true; }
    if (t.kind === 'op' && t.text === '}') { depth--; inSelector = depth > 0; }
  }
  const value = /([A-Za-z_][A-Za-z0-9_]*)\s*(=|!=|=~|!~)\s*"([^"]*)$/.exec(before);
  if (value) {
    return { kind: inSelector ? 'value' : 'fieldvalue', label: value[1], prefix: value[3], from: pos - value[3].length, to: valueEnd(text, pos) };
  }
  const word = /[A-Za-z_][A-Za-z0-9_]*$/.exec(before);
  const prefix = word ? word[0] : '';
  const from = pos - prefix.length;
  const lead = before.slice(0, from).trimEnd();
  if (inSelector && (lead.endsWith('{') || lead.endsWith(','))) return { kind: 'label', prefix, from, to: wordEnd(text, pos) };
  if (!inSelector && lead.endsWith('|')) return { kind: 'pipe', prefix, from, to: wordEnd(text, pos) };
  if (!inSelector && /\|\s*[A-Za-z_]*$/.test(before) === false && /(and|or|,|\|)\s*$/.test(lead) && prefix) return { kind: 'field', prefix, from, to: wordEnd(text, pos) };
  if (!inSelector && /^[A-Za-z_(]*$/.test(before.trim()) ) return { kind: 'function', prefix, from, to: wordEnd(text, pos) };
  return null;
}

function wordEnd(text, pos) {
  let i = pos;
  while (i < text.length && /[A-Za-z0-9_]/.test(text[i])) i++;
  return i;
}

function valueEnd(text, pos) {
  let i = pos;
  while (i < text.length && text[i] !== '"') i++;
  return i;
}

/** Offset of "line L, col C" (1-based) in text, as Loki's parse errors give it; -1 when there is none. */
export function errorOffset(text, message) {
  const m = /line (\d+), col(?:umn)? (\d+)/.exec(message || '');
  if (!m) return -1;
  const lines = text.split('\n');
  const line = Math.min(Number(m[1]), lines.length) - 1;
  let offset = 0;
  for (let i = 0; i < line; i++) offset += lines[i].length + 1;
  return offset + Math.max(0, Number(m[2]) - 1);
}

/** Literal terms of the line filters (|= "x", |~ "re"), for highlighting matches in lines. */
export function filterTerms(text) {
  const terms = [];
  const re = /(\|=|\|~)\s*("(?:[^"\\]|\\.)*"|`[^`]*`)/g;
  let m;
  while ((m = re.exec(text))) {
    let s = m[2];
    try { s = s.startsWith('`') ? s.slice(1, -1) : JSON.parse(s); } catch { continue; }
    if (!s) continue;
    terms.push(m[1] === '|=' ? s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : s);
  }
  return terms;
}

/** A pattern ("<_> GET <_>") as a pattern line filter. */
export function patternFilter(selector, pattern) {
  return `${selector} |> ${JSON.stringify(pattern)}`;
}
