// Drives the web UI in headless chromium for the end-to-end tests: one scenario per run, given as JSON on argv[2]:
//   { "scenario": "...", "base": "http://127.0.0.1:port", "screenshot": "/path.png", ...scenario arguments }
// Prints one JSON line with what the page showed; the test compares it with the data it pushed.
import { chromium } from 'playwright-core';
import { readFile } from 'node:fs/promises';

function open(page, spec, params) {
  const q = new URLSearchParams(params);
  return page.goto(`${spec.base}/?${q}`);
}

async function credentials(page, spec) {
  if (spec.tenant) { await page.fill('#tenant', spec.tenant); await page.dispatchEvent('#tenant', 'change'); }
  if (spec.token) { await page.fill('#token', spec.token); await page.dispatchEvent('#token', 'change'); }
}

/** Types the query into the editor and runs it with Ctrl+Enter, as a user would. */
async function typeAndRun(page, query) {
  await page.click('#query');
  await page.fill('#query', query);
  await page.keyboard.press('Control+Enter');
}

async function waitIdle(page) {
  await page.waitForFunction(() => document.getElementById('progress').hidden);
}

const lines = page => page.$$eval('#log-rows .log-line', els => els.map(e => e.textContent));

const scenarios = {
  /** First paint of / (ms), from the browser's paint timing. */
  async paint(page, spec) {
    const started = Date.now();
    await page.goto(`${spec.base}/`);
    await page.waitForSelector('#query');
    const paint = await page.evaluate(() => {
      const p = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint') || performance.getEntriesByType('paint')[0];
      return p ? p.startTime : null;
    });
    const nav = await page.evaluate(() => performance.getEntriesByType('navigation')[0]?.duration ?? null);
    return { firstPaintMs: paint, navigationMs: nav, wallMs: Date.now() - started };
  },

  /** A log query: the lines shown, the histogram's bars, then the first line expanded to its details. */
  async logs(page, spec) {
    await page.goto(`${spec.base}/?from=${encodeURIComponent(spec.from)}&to=${encodeURIComponent(spec.to)}`);
    await credentials(page, spec);
    await typeAndRun(page, spec.query);
    await page.waitForSelector('#logs-count:not(:empty)');
    await waitIdle(page);
    const errorBox = await page.$eval('#query-error', e => e.hidden ? '' : e.textContent);
    const shown = await lines(page);
    const bars = await page.$$eval('#volume g.bar', gs => gs.map(g => ({ ts: Number(g.dataset.ts), count: Number(g.dataset.count),
      levels: Object.fromEntries([...g.querySelectorAll('rect')].map(r => [r.dataset.level, Number(r.dataset.count)])) })));
    const url = page.url();
    const stepMs = await page.$eval('#volume', s => Number(s.dataset.step));
    let details = null;
    if (shown.length) {
      await page.click('#log-rows .log-row >> nth=0');
      await page.waitForSelector('#log-rows .details');
      details = await page.$eval('#log-rows .details', d => Object.fromEntries([...d.querySelectorAll('table')].map(t =>
        [t.className, Object.fromEntries([...t.querySelectorAll('tr')].map(tr => [tr.cells[0].textContent, tr.cells[1].textContent]))])));
    }
    return { lines: shown, bars, stepMs, details, errorBox, url };
  },

  /** Many lines: the list stays virtual (few DOM rows) and scrolling reaches the last one. */
  async many(page, spec) {
    await open(page, spec, { q: spec.query, from: spec.from, to: spec.to, limit: String(spec.limit) });
    await page.waitForSelector('#logs-count:not(:empty)');
    await waitIdle(page);
    const entries = await page.evaluate(() => window.lokiUi.logView.entries.length);
    const domRows = await page.$$eval('#log-rows .log-row', r => r.length);
    // Scroll to the end in steps and time the frames.
    const frames = await page.evaluate(async () => {
      const v = document.getElementById('log-view');
      const times = [];
      for (let i = 0; i < 30; i++) {
        const t = performance.now();
        v.scrollTop = v.scrollHeight * (i + 1) / 30;
        await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      return { median: times[times.length >> 1], max: times[times.length - 1] };
    });
    const visible = await lines(page);
    return { entries, domRows, lastShown: visible[visible.length - 1], frames };
  },

  /** A metric query: one path per series, one legend entry per series. */
  async metric(page, spec) {
    await page.goto(`${spec.base}/?from=${encodeURIComponent(spec.from)}&to=${encodeURIComponent(spec.to)}`);
    await credentials(page, spec);
    await typeAndRun(page, spec.query);
    await page.waitForSelector('#metric path.series', { state: 'attached' });
    await waitIdle(page);
    const series = await page.$$eval('#metric path.series', ps => ps.map(p => p.dataset.labels));
    const legend = await page.$$eval('#legend .legend-item', ls => ls.map(l => l.textContent));
    return { series, legend };
  },

  /** Live tail: start it, push a line over HTTP, see it arrive. */
  async tail(page, spec) {
    await open(page, spec, { q: spec.query, tenant: spec.tenant || '' });
    await credentials(page, spec);
    await waitIdle(page);
    await page.click('#tail');
    await page.waitForFunction(() => /waiting|live:/.test(document.getElementById('logs-count').textContent));
    await page.waitForFunction(() => document.getElementById('logs-count').textContent.includes('waiting'));
    const headers = { 'Content-Type': 'application/json' };
    if (spec.tenant) headers['X-Scope-OrgID'] = spec.tenant;
    if (spec.token) headers['Authorization'] = 'Bearer ' + spec.token;
    const ts = (BigInt(Date.now()) * 1000000n).toString();
    const res = await fetch(`${spec.base}/loki/api/v1/push`, { method: 'POST', headers,
      body: JSON.stringify({ streams: [{ stream: spec.labels, values: [[ts, spec.line]] }] }) });
    if (res.status !== 204) throw new Error(`push answered ${res.status}: ${await res.text()}`);
    await page.waitForFunction(line => [...document.querySelectorAll('#log-rows .log-line')].some(e => e.textContent === line), spec.line);
    return { lines: await lines(page), count: await page.$eval('#logs-count', e => e.textContent) };
  },

  /** The download button: the export of every matching line. */
  async export(page, spec) {
    await open(page, spec, { q: spec.query, from: spec.from, to: spec.to, dir: spec.direction || 'forward' });
    await waitIdle(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const text = await readFile(await download.path(), 'utf8');
    const rows = text.split('\n').filter(l => l).map(l => JSON.parse(l));
    return { count: rows.length, lines: rows.map(r => r.line), timestamps: rows.map(r => r.timestamp) };
  },

  /** A bad query: the server's text shown next to the query. */
  async error(page, spec) {
    await page.goto(`${spec.base}/`);
    await credentials(page, spec);
    await typeAndRun(page, spec.query);
    await page.waitForSelector('#query-error:not([hidden])');
    await waitIdle(page);
    const text = await page.$eval('#query-error', e => e.textContent);
    const marked = await page.$$eval('#highlight .tok-error', es => es.map(e => e.textContent));
    return { text, marked };
  },

  /** Completion of label names and values from the server. */
  async complete(page, spec) {
    await page.goto(`${spec.base}/?from=${encodeURIComponent(spec.from)}&to=${encodeURIComponent(spec.to)}`);
    await page.click('#query');
    await page.keyboard.type('{');
    await page.waitForSelector('#completions:not([hidden]) li');
    const names = await page.$$eval('#completions li', ls => ls.map(l => l.firstChild.textContent));
    await page.keyboard.type(spec.label.slice(0, 2));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#completions:not([hidden]) li');
    const values = await page.$$eval('#completions li', ls => ls.map(l => l.firstChild.textContent));
    await page.keyboard.press('Enter');
    return { names, values, query: await page.inputValue('#query') };
  },
};

const spec = JSON.parse(process.argv[2]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const errors = [];
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', e => errors.push(e.message));
  page.setDefaultTimeout(spec.timeoutMs || 45000); // generous: the test machine may be busy
  const result = await scenarios[spec.scenario](page, spec);
  if (spec.screenshot) await page.screenshot({ path: spec.screenshot });
  console.log(JSON.stringify({ ok: true, errors, ...result }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, errors, error: String(e && e.stack || e) }));
  process.exitCode = 1;
} finally {
  await browser.close();
}

