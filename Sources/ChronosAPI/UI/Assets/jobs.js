// The jobs page: counters, search, filters and sort (all carried in the URL), and a table that renders
// only the rows in view, so 10,000 jobs scroll as smoothly as ten.
'use strict';

CS.views.jobs = {
  nav: 'jobs',
  rowHeight: 48,

  /** The filters of the URL, with their defaults. */
  filters(query) {
    return {
      q: query.get('q') || '',
      status: query.get('status') || '',
      owner: query.get('owner') || '',
      managed: query.get('managed') || '',
      disabled: query.get('disabled') || '',
      sort: query.get('sort') || 'name',
      dir: query.get('dir') === 'desc' ? 'desc' : 'asc',
    };
  },

  /** True when a job passes the filters. */
  matches(job, f, drift) {
    if (f.q && !f.q.toLowerCase().split(/\s+/).every((word) => job.search.includes(word))) return false;
    if (f.status) {
      if (f.status === 'running' && job.running === 0) return false;
      if (f.status === 'queued' && job.queued === 0) return false;
      if (['success', 'failure', 'fresh'].includes(f.status) && job.status !== f.status) return false;
    }
    if (f.owner && !job.owner.toLowerCase().includes(f.owner.toLowerCase())) return false;
    if (f.managed === 'git' && job.source === 'api') return false;
    if (f.managed === 'api' && job.source !== 'api') return false;
    if (f.managed === 'drift' && !drift.has(job.name)) return false;
    if (f.disabled === 'yes' && !job.disabled) return false;
    if (f.disabled === 'no' && job.disabled) return false;
    return true;
  },

  sorters: {
    name: (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    next: (a, b) => (a.next ?? Infinity) - (b.next ?? Infinity),
    status: (a, b) => CS.views.jobs.statusRank(a) - CS.views.jobs.statusRank(b),
    owner: (a, b) => a.owner.localeCompare(b.owner),
  },
  statusRank: (job) => (job.running ? 0 : job.queued ? 1 : job.status === 'failure' ? 2 : job.status === 'fresh' ? 4 : 3),

  async render(main, query) {
    const view = this;
    const f = this.filters(query);
    const counters = h('ul', { class: 'counters', 'aria-label': 'Job counters' });
    const search = h('input', { id: 'search', type: 'search', value: f.q, placeholder: 'name, command or owner (press / to search)', autocomplete: 'off', 'aria-keyshortcuts': '/' });
    const select = (id, label, value, options) => h('div', { class: 'field' }, h('label', { for: id }, label),
      h('select', { id }, options.map(([v, text]) => h('option', { value: v, selected: v === value }, text))));
    const owner = h('input', { id: 'owner', type: 'search', value: f.owner, list: 'owners', autocomplete: 'off' });
    const owners = h('datalist', { id: 'owners' });
    const toolbar = h('form', { class: 'toolbar', role: 'search', onsubmit: (e) => e.preventDefault() },
      h('div', { class: 'field grow' }, h('label', { for: 'search' }, 'Search'), search),
      select('status', 'Status', f.status, [['', 'any'], ['success', 'succeeded'], ['failure', 'failed'], ['running', 'running'], ['queued', 'queued'], ['fresh', 'fresh']]),
      h('div', { class: 'field' }, h('label', { for: 'owner' }, 'Owner'), owner, owners),
      select('managed', 'Managed', f.managed, [['', 'any'], ['git', 'by git (spec files)'], ['api', 'through the API'], ['drift', 'drifted']]),
      select('disabled', 'Enabled', f.disabled, [['', 'any'], ['no', 'enabled'], ['yes', 'disabled']]),
      select('sort', 'Sort by', f.sort, [['name', 'name'], ['next', 'next run'], ['status', 'status'], ['owner', 'owner']]),
      select('dir', 'Order', f.dir, [['asc', 'ascending'], ['desc', 'descending']]));
    const summary = h('p', { id: 'result-count', class: 'muted', role: 'status', 'aria-live': 'polite' });
    const head = h('thead', {}, h('tr', {},
      ['Job', 'Status', 'Trigger', 'Next run (job\u2019s zone / yours)', 'Last runs', 'Owner'].map((t) => h('th', { scope: 'col' }, t))));
    const body = h('tbody', { id: 'job-rows' });
    const scroller = h('div', { class: 'scroller', id: 'job-scroller', tabindex: '0', 'aria-label': 'Jobs' },
      h('table', { class: 'jobs', id: 'jobs-table' }, h('caption', { class: 'visually-hidden' }, 'Jobs'), head, body));
    main.append(h('h1', {}, 'Jobs'), counters, toolbar, summary, scroller);

    let listing = await CS.listing(1000);
    let rows = [];

    const drawCounters = () => {
      const jobs = listing.jobs;
      const count = (p) => jobs.reduce((n, j) => n + (p(j) ? 1 : 0), 0);
      const items = [
        ['success', 'succeeded', count((j) => j.status === 'success')],
        ['failure', 'failed', count((j) => j.status === 'failure')],
        ['running', 'running', count((j) => j.running > 0)],
        ['queued', 'queued', count((j) => j.queued > 0)],
        ['fresh', 'fresh', count((j) => j.status === 'fresh')],
      ];
      CS.fill(counters, ...items.map(([key, label, n]) => h('li', {},
        h('a', { href: `#/?status=${key}`, class: `counter counter-${key}`, dataset: { counter: key } }, h('span', { class: 'count' }, String(n)), ` ${label}`))));
      const seen = new Set(jobs.map((j) => j.owner).filter(Boolean));
      if (seen.size <= 500) CS.fill(owners, ...[...seen].sort().map((o) => h('option', { value: o })));
    };

    const apply = () => {
      const current = {
        q: search.value.trim(), status: main.querySelector('#status').value, owner: owner.value.trim(),
        managed: main.querySelector('#managed').value, disabled: main.querySelector('#disabled').value,
        sort: main.querySelector('#sort').value, dir: main.querySelector('#dir').value,
      };
      rows = listing.jobs.filter((j) => view.matches(j, current, listing.drift));
      const sorter = view.sorters[current.sort] || view.sorters.name;
      rows.sort(sorter);
      if (current.dir === 'desc') rows.reverse();
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(current)) if (v && !(k === 'sort' && v === 'name') && !(k === 'dir' && v === 'asc')) params.set(k, v);
      CS.setQuery(params);
      summary.textContent = rows.length === listing.jobs.length ? `${rows.length} jobs` : `${rows.length} of ${listing.jobs.length} jobs`;
      draw(true);
    };

    let drawn = null;
    const draw = (force) => {
      const height = view.rowHeight;
      const top = scroller.scrollTop;
      const first = Math.max(0, Math.floor(top / height) - 10);
      const last = Math.min(rows.length, Math.ceil((top + scroller.clientHeight) / height) + 10);
      if (!force && drawn && drawn[0] === first && drawn[1] === last) return;
      drawn = [first, last];
      const spacer = (n) => h('tr', { class: 'spacer', 'aria-hidden': 'true' }, h('td', { colspan: 6, style: `height:${n * height}px` }));
      const out = [];
      if (first > 0) out.push(spacer(first));
      for (let i = first; i < last; i++) out.push(view.row(rows[i], listing));
      if (rows.length === 0) out.push(h('tr', {}, h('td', { colspan: 6, class: 'empty' }, listing.jobs.length ? 'No job matches.' : 'No jobs yet.')));
      if (last < rows.length) out.push(spacer(rows.length - last));
      CS.fill(body, ...out);
    };

    let pending = false;
    scroller.addEventListener('scroll', () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; draw(false); });
    });
    search.addEventListener('input', apply);
    // "/" jumps to the search box, as on most sites with one.
    const slash = (event) => {
      if (event.key !== '/' || event.target.closest('input, textarea, select') || document.querySelector('dialog[open]')) return;
      event.preventDefault();
      search.focus();
    };
    document.addEventListener('keydown', slash);
    owner.addEventListener('input', apply);
    for (const id of ['status', 'managed', 'disabled', 'sort', 'dir']) main.querySelector(`#${id}`).addEventListener('change', apply);

    drawCounters();
    apply();
    main.dataset.ready = 'true';
    performance.mark('jobs-list-rendered');

    const stop = CS.every(5000, async () => {
      listing = await CS.listing(0);
      drawCounters();
      const keep = scroller.scrollTop;
      apply();
      scroller.scrollTop = keep;
    });
    return () => { stop(); document.removeEventListener('keydown', slash); };
  },

  /** One table row. */
  row(job, listing) {
    const drift = listing.drift.get(job.name);
    const origin = job.source === 'api'
      ? CS.badge('API', 'api')
      : drift ? CS.badge('drift', 'drift') : listing.git ? CS.badge('git', 'git') : CS.badge('file', 'git');
    const state = job.running ? CS.badge(`${job.running} running`, 'running') : job.queued ? CS.badge('queued', 'queued') : null;
    const status = { success: 'succeeded', failure: 'failed', fresh: 'fresh' }[job.status];
    const next = job.next === null
      ? h('td', { class: 'muted' }, job.disabled ? 'disabled' : '—')
      : h('td', { class: 'next' }, h('span', {}, CS.time(job.next, job.tz || 'UTC')),
        h('span', { class: 'muted small' }, `${CS.time(job.next)} · ${CS.relative(job.next)}`));
    const strip = h('span', { class: 'strip', role: 'img', 'aria-label': job.runs ? `last runs, oldest first: ${[...job.runs].map((c) => CS.runStates[c]).join(', ')}` : 'no runs yet' },
      [...job.runs].map((c) => h('span', { class: `cell run-${CS.runStates[c]}`, title: CS.runStates[c] })));
    return h('tr', { dataset: { job: job.name }, class: job.disabled ? 'is-disabled' : null },
      h('td', { class: 'name' }, h('a', { href: `#/job/${CS.enc(job.name)}` }, job.name), ' ', origin, job.disabled ? CS.badge('disabled', 'disabled') : null),
      h('td', {}, CS.badge(status, job.status), ' ', state),
      h('td', { class: 'trigger', title: job.command }, job.trigger || 'once'),
      next,
      h('td', {}, strip),
      h('td', { class: 'owner' }, job.owner));
  },
};
