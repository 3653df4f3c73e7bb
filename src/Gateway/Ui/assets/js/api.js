// HTTP access to the Loki API with the tenant (X-Scope-OrgID) and bearer token of the page.

export const credentials = { tenant: '', token: '' };

/** An HTTP error with the server's own text (Loki answers 4xx with a plain-text reason). */
export class ApiError extends Error {
  constructor(status, text) {
    super(text || `HTTP ${status}`);
    this.status = status;
  }
}

export function headers(extra = {}) {
  // X-Loki-UI: a 401 then carries no Basic challenge, so the browser shows no password dialog of its own.
  const h = { 'X-Loki-UI': '1', ...extra };
  if (credentials.tenant) h['X-Scope-OrgID'] = credentials.tenant;
  if (credentials.token) h['Authorization'] = 'Bearer ' + credentials.token;
  return h;
}

export function url(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** GET a JSON endpoint; throws ApiError with the server's text on non-2xx. */
export async function get(path, params, { signal, extraHeaders } = {}) {
  const res = await fetch(url(path, params), { headers: headers(extraHeaders), signal });
  if (!res.ok) throw new ApiError(res.status, (await res.text()).trim());
  return res.json();
}

export const api = {
  queryRange: (p, signal) => get('/loki/api/v1/query_range', p, { signal, extraHeaders: { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' } }),
  query: (p, signal) => get('/loki/api/v1/query', p, { signal }),
  labels: (p, signal) => get('/loki/api/v1/labels', p, { signal }).then(r => r.data || []),
  labelValues: (name, p, signal) => get(`/loki/api/v1/label/${encodeURIComponent(name)}/values`, p, { signal }).then(r => r.data || []),
  detectedFields: (p, signal) => get('/loki/api/v1/detected_fields', p, { signal }).then(r => r.fields || []),
  patterns: (p, signal) => get('/loki/api/v1/patterns', p, { signal }).then(r => r.data || []),
  formatQuery: async (query, signal) => {
    const res = await fetch(url('/loki/api/v1/format_query', { query }), { headers: headers(), signal });
    if (res.ok) return { ok: true, formatted: (await res.json()).data };
    return { ok: false, status: res.status, error: (await res.text()).trim() };
  },
};

/** Subprotocols that carry the tenant and token on a websocket (browsers cannot set headers there). */
export function socketProtocols() {
  const enc = s => btoa(unescape(encodeURIComponent(s))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const p = ['loki.v1'];
  if (credentials.tenant) p.push('loki.org.' + enc(credentials.tenant));
  if (credentials.token) p.push('loki.auth.' + enc('Bearer ' + credentials.token));
  return p;
}
