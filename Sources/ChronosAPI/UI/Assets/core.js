// chronos-sync web UI: shared helpers, the API client, dialogs and the router.
// Plain JavaScript, no build step; each view file adds itself to CS.views.
'use strict';

const CS = { views: {}, cache: {} };

/** The server could not be reached at all (network error, server down). */
CS.Unreachable = class extends Error {};

/** Builds an element: h('a', {href: '#/'}, 'text', child, …). `on*` attributes become listeners. */
CS.h = function (tag, attrs, ...children) {
  // `svg:a` makes an SVG element whose name HTML has too.
  const svg = tag.startsWith('svg:') || ['svg', 'g', 'path', 'rect', 'text', 'defs', 'marker', 'line', 'circle'].includes(tag);
  tag = tag.replace(/^svg:/, '');
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.setAttribute('class', value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key in el && !svg && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
};
const h = CS.h;

/** Replaces an element's children; null, undefined and false are left out, arrays are flattened. */
CS.fill = function (el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false)
    .map((c) => (c instanceof Node ? c : String(c))));
  return el;
};

/** A URL of this server, without any credentials the page's own URL may carry. */
CS.url = (path) => location.origin + path;
CS.enc = encodeURIComponent;

/** fetch() against the API: throws CS.Unreachable when the server cannot be reached, an Error with the
 *  server's message (and `status`) for an error answer. */
CS.api = async function (path, options = {}) {
  let response;
  try {
    response = await fetch(CS.url(path), { cache: 'no-store', credentials: 'same-origin', ...options });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    CS.setOffline(true);
    throw new CS.Unreachable(`cannot reach the server at ${location.origin}`);
  }
  CS.setOffline(false);
  if (!response.ok && !(response.status === 304 && options.headers && options.headers['If-None-Match'])) {
    let body = null;
    try { body = await response.json(); } catch (_) { /* not JSON */ }
    const error = new Error((body && body.message) || `${response.status} ${response.statusText}`);
    error.status = response.status;
    error.body = body;
    throw error;
  }
  return response;
};
CS.json = async (path, options) => (await CS.api(path, options)).json();
/** The JSON of a GET, or null when the route answers 404 (a server without git has no /v1/sync). */
CS.jsonOrNull = async function (path) {
  try { return await CS.json(path); } catch (error) { if (error.status === 404) return null; throw error; }
};
/** A state-changing request: bodies are JSON or YAML only, as the server requires. */
CS.send = function (method, path, body, type = 'application/json', signal) {
  const options = { method, signal, headers: {} };
  if (body !== undefined) {
    options.headers['Content-Type'] = type;
    options.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  return CS.api(path, options);
};

// ---- Time -----------------------------------------------------------------------------------------

CS.viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
CS.formatters = new Map();

/** `2026-12-03 09:00 CET` in `zone` (the viewer's when omitted). */
CS.time = function (ms, zone) {
  if (ms === null || ms === undefined) return '—';
  zone = zone || CS.viewerZone;
  let format = CS.formatters.get(zone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
    } catch (_) {
      format = CS.time.utc || (CS.time.utc = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', year: 'numeric',
        month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short' }));
    }
    CS.formatters.set(zone, format);
  }
  const p = {};
  for (const part of format.formatToParts(new Date(ms))) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName || ''}`.trim();
};

/** `in 5 min`, `3 h ago`. */
CS.relative = function (ms, now = Date.now()) {
  if (ms === null || ms === undefined) return '';
  const s = Math.round((ms - now) / 1000);
  const a = Math.abs(s);
  const text = a < 60 ? `${a} s` : a < 3600 ? `${Math.round(a / 60)} min` : a < 172800 ? `${Math.round(a / 3600)} h` : `${Math.round(a / 86400)} d`;
  return s >= 0 ? `in ${text}` : `${text} ago`;
};

/** `1.2 s`, `3 min 4 s`. */
CS.duration = function (ms) {
  if (ms === null || ms === undefined || ms < 0) return '—';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
};

// ---- Status words and badges ----------------------------------------------------------------------

/** Argo CD's health axis for a job: Suspended, Progressing, Degraded or Healthy. */
CS.health = function (job) {
  if (job.disabled) return 'Suspended';
  if (job.running > 0 || job.queued > 0) return 'Progressing';
  if (job.status === 'failure') return 'Degraded';
  return 'Healthy';
};
CS.badge = (text, kind, id) => h('span', { class: `badge badge-${kind || text.toLowerCase()}`, id }, text);
CS.runStates = { s: 'succeeded', f: 'failed', k: 'killed', l: 'lost', x: 'skipped', r: 'running', q: 'queued' };
/** Where a job comes from: 'git' (a spec file) or 'api'. */
CS.managed = (source) => (source === 'api' ? 'api' : 'git');

// ---- The shared job list (the jobs page and the graph both use it) ---------------------------------

/** `{now, jobs, byName, drift}`: GET /v1/jobs and the drift of the sync, at most `maxAge` ms old. */
CS.listing = async function (maxAge = 0) {
  const cached = CS.cache.listing;
  if (cached && Date.now() - cached.at <= maxAge) return cached;
  // The list is sent again only when the scheduler changed since the copy held here (ETag).
  const headers = cached ? { 'If-None-Match': cached.tag } : {};
  const [response, drift] = await Promise.all([CS.api('/v1/jobs?runs=10', { headers }), CS.jsonOrNull('/v1/sync/drift')]);
  let { jobs, byName } = cached || {};
  if (response.status !== 304) {
    jobs = (await response.json()).jobs;
    byName = new Map();
    for (const job of jobs) {
      job.search = `${job.name}\n${job.command}\n${job.owner}`.toLowerCase();
      byName.set(job.name, job);
    }
  }
  const driftByName = new Map(((drift && drift.drift) || []).map((d) => [d.name, d]));
  CS.cache.listing = { at: Date.now(), tag: response.headers.get('ETag'), jobs, byName, drift: driftByName, git: drift !== null };
  return CS.cache.listing;
};

// ---- Dialogs --------------------------------------------------------------------------------------

/** Asks for confirmation in a modal dialog; resolves to the form's values, or null when cancelled.
 *  `fields` are extra inputs: [{name, label, value, help}]. */
CS.confirm = function ({ title, text, action, danger = false, fields = [] }) {
  return new Promise((resolve) => {
    const inputs = fields.map((f) => {
      const id = `dialog-${f.name}`;
      return h('div', { class: 'field' }, h('label', { for: id }, f.label),
        h('input', { id, name: f.name, value: f.value || '', 'aria-describedby': f.help ? `${id}-help` : null }),
        f.help ? h('p', { id: `${id}-help`, class: 'help' }, f.help) : null);
    });
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'dialog-title' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'dialog-title' }, title),
        text ? h('p', {}, text) : null,
        inputs,
        h('div', { class: 'actions' },
          h('button', { type: 'submit', value: 'cancel', class: 'button', formnovalidate: true }, 'Cancel'),
          h('button', { type: 'submit', value: 'ok', class: `button ${danger ? 'danger' : 'primary'}`, id: 'dialog-ok' }, action))));
    dialog.addEventListener('close', () => {
      const values = {};
      for (const input of dialog.querySelectorAll('input')) values[input.name] = input.value;
      dialog.remove();
      resolve(dialog.returnValue === 'ok' ? values : null);
    });
    document.body.append(dialog);
    dialog.showModal();
    (dialog.querySelector('input') || dialog.querySelector('#dialog-ok')).focus();
  });
};

/** A short message in the page's live region. */
CS.toast = function (text, kind = 'info') {
  const region = document.getElementById('toasts');
  const item = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
  region.append(item);
  setTimeout(() => item.remove(), 6000);
};

/** Copies text to the clipboard; false when the browser refuses (the text stays on screen to copy by hand). */
CS.copy = async function (text) {
  try { await navigator.clipboard.writeText(text); return true; } catch (_) { return false; }
};

/** An error box for a failed load. */
CS.errorBox = (error) => h('div', { class: 'error-box', role: 'alert' },
  h('strong', {}, error.status >= 500 ? 'The server failed to answer. ' : 'Could not load this page. '), error.message);

// ---- Unreachable server ---------------------------------------------------------------------------

CS.offline = false;
CS.setOffline = function (offline) {
  if (offline === CS.offline) return;
  CS.offline = offline;
  document.body.classList.toggle('is-offline', offline);
  const banner = document.getElementById('offline');
  banner.hidden = !offline;
  if (offline) CS.watchServer();
  else CS.route();
};
/** While the server is unreachable, asks every few seconds whether it is back. */
CS.watchServer = function () {
  clearTimeout(CS.watchTimer);
  CS.watchTimer = setTimeout(async () => {
    if (!CS.offline) return;
    try { await fetch(CS.url('/ping'), { cache: 'no-store' }); CS.setOffline(false); } catch (_) { CS.watchServer(); }
  }, 3000);
};

// ---- Router ---------------------------------------------------------------------------------------

/** The hash route: `#/job/NAME?x=y` → {parts: ['job', 'NAME'], query: URLSearchParams}. */
CS.location = function () {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query] = hash.split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query || '') };
};
/** Replaces the query of the current route (no new history entry, no re-render). */
CS.setQuery = function (params) {
  const { parts } = CS.location();
  const entries = [...params.entries()].filter(([, v]) => v !== '');
  const query = new URLSearchParams(entries).toString();
  history.replaceState(null, '', `#/${parts.map(CS.enc).join('/')}${query ? `?${query}` : ''}`);
};

CS.cleanup = null;
CS.route = async function () {
  if (CS.cleanup) { CS.cleanup(); CS.cleanup = null; }
  const { parts, query } = CS.location();
  const main = document.getElementById('main');
  let view = CS.views.jobs;
  let args = [];
  if (parts[0] === 'job' && parts[1] && parts[2] === 'edit') { view = CS.views.edit; args = [parts[1]]; }
  else if (parts[0] === 'job' && parts[1]) { view = CS.views.job; args = [parts[1]]; }
  else if (parts[0] === 'new') view = CS.views.edit;
  else if (parts[0] === 'graph') view = CS.views.graph;
  else if (parts[0] === 'sync') view = CS.views.sync;
  for (const link of document.querySelectorAll('nav a[data-nav]')) {
    if (link.dataset.nav === view.nav) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  main.replaceChildren();
  delete main.dataset.ready;
  main.setAttribute('aria-busy', 'true');
  const token = (CS.routeToken = {});
  try {
    const cleanup = await view.render(main, query, ...args);
    if (token !== CS.routeToken) { if (cleanup) cleanup(); return; }
    CS.cleanup = cleanup || null;
    // Every view has drawn once its render resolves (tests and benchmarks wait for this mark).
    main.dataset.ready = 'true';
  } catch (error) {
    if (token !== CS.routeToken) return;
    if (!(error instanceof CS.Unreachable)) main.replaceChildren(CS.errorBox(error));
  } finally {
    main.removeAttribute('aria-busy');
  }
};

/** Runs `body` every `ms` while the page is visible; returns a function that stops it. */
CS.every = function (ms, body) {
  let timer = null;
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    if (!document.hidden && !CS.offline) { try { await body(); } catch (_) { /* shown by the next render */ } }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  timer = setTimeout(tick, ms);
  return () => { stopped = true; clearTimeout(timer); };
};

window.addEventListener('hashchange', () => CS.route());
document.addEventListener('DOMContentLoaded', () => CS.route());
