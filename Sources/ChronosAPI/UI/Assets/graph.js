// The dependency graph as SVG: jobs in layers from left (parents) to right (children), coloured by
// status; wheel or buttons to zoom, drag to pan, and one job's ancestors and descendants on their own.
'use strict';

CS.views.graph = {
  nav: 'graph',
  nodeWidth: 190,
  nodeHeight: 30,
  layerGap: 90,
  rowGap: 14,
  maxNodes: 600,

  /** The jobs to draw: one job's ancestors and descendants, or every job that has a parent or a child. */
  select(listing, focus, withLoners) {
    const children = new Map();
    for (const job of listing.jobs) for (const p of job.parents) {
      if (!children.has(p)) children.set(p, []);
      children.get(p).push(job.name);
    }
    let names;
    if (focus && listing.byName.has(focus)) {
      names = new Set([focus]);
      const walk = (start, next) => {
        const stack = [start];
        while (stack.length) for (const n of next(stack.pop()) || []) if (!names.has(n) && listing.byName.has(n)) { names.add(n); stack.push(n); }
      };
      walk(focus, (n) => listing.byName.get(n)?.parents);
      walk(focus, (n) => children.get(n));
    } else {
      names = new Set(listing.jobs.filter((j) => withLoners || j.parents.length || children.has(j.name)).map((j) => j.name));
    }
    return { names, children };
  },

  /** Layers by longest path from the roots, then a few barycentre sweeps to cut crossings. */
  layout(listing, names) {
    const rank = new Map();
    const visiting = new Set();
    const rankOf = (name) => {
      if (rank.has(name)) return rank.get(name);
      if (visiting.has(name)) return 0;
      visiting.add(name);
      const parents = listing.byName.get(name).parents.filter((p) => names.has(p));
      const r = parents.length ? Math.max(...parents.map(rankOf)) + 1 : 0;
      visiting.delete(name);
      rank.set(name, r);
      return r;
    };
    const layers = [];
    for (const name of [...names].sort()) {
      const r = rankOf(name);
      (layers[r] = layers[r] || []).push(name);
    }
    const position = new Map();
    const index = () => layers.forEach((layer) => layer.forEach((n, i) => position.set(n, i)));
    index();
    const childMap = new Map();
    for (const n of names) for (const p of listing.byName.get(n).parents) if (names.has(p)) {
      if (!childMap.has(p)) childMap.set(p, []);
      childMap.get(p).push(n);
    }
    const centre = (list, own) => (list.length ? list.reduce((s, n) => s + position.get(n), 0) / list.length : own);
    for (let sweep = 0; sweep < 4; sweep++) {
      const down = sweep % 2 === 0;
      const order = down ? layers.slice(1) : layers.slice(0, -1).reverse();
      for (const layer of order) {
        const key = new Map(layer.map((n) => [n, centre(
          down ? listing.byName.get(n).parents.filter((p) => names.has(p)) : childMap.get(n) || [], position.get(n))]));
        layer.sort((a, b) => key.get(a) - key.get(b));
        layer.forEach((n, i) => position.set(n, i));
      }
    }
    const tallest = Math.max(1, ...layers.map((l) => l.length));
    const xy = new Map();
    layers.forEach((layer, r) => {
      const offset = (tallest - layer.length) / 2;
      layer.forEach((n, i) => xy.set(n, { x: r * (this.nodeWidth + this.layerGap), y: (i + offset) * (this.nodeHeight + this.rowGap) }));
    });
    return { xy, width: layers.length * (this.nodeWidth + this.layerGap) - this.layerGap, height: tallest * (this.nodeHeight + this.rowGap) - this.rowGap };
  },

  colour(job) {
    if (job.running) return 'running';
    if (job.disabled) return 'disabled';
    return job.status;
  },

  async render(main, query) {
    const view = this;
    const focus = query.get('focus') || '';
    const loners = query.get('all') === '1';
    const listing = await CS.listing(2000);
    const { names } = this.select(listing, focus, loners);
    const picker = h('input', { id: 'focus', type: 'search', value: focus, list: 'graph-jobs', placeholder: 'a job name', autocomplete: 'off' });
    const options = h('datalist', { id: 'graph-jobs' }, listing.jobs.length <= 2000 ? listing.jobs.map((j) => h('option', { value: j.name })) : null);
    const form = h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); location.hash = picker.value.trim() ? `#/graph?focus=${CS.enc(picker.value.trim())}` : '#/graph'; } },
      h('div', { class: 'field grow' }, h('label', { for: 'focus' }, 'Show one job with its ancestors and descendants'), picker, options),
      h('button', { class: 'button primary', type: 'submit' }, 'Show'),
      focus ? h('a', { class: 'button', href: '#/graph' }, 'All jobs') : null,
      focus ? h('a', { class: 'button', href: `#/job/${CS.enc(focus)}` }, `Open ${focus}`) : null,
      !focus ? h('a', { class: 'button', href: loners ? '#/graph' : '#/graph?all=1' }, loners ? 'Hide jobs without dependencies' : 'Show jobs without dependencies') : null);
    const legend = h('p', { class: 'legend' }, [['success', 'succeeded'], ['failure', 'failed'], ['running', 'running'], ['fresh', 'not run yet'], ['disabled', 'disabled']]
      .map(([k, t]) => h('span', {}, h('span', { class: `swatch node-${k}` }), t)));
    main.append(h('h1', {}, focus ? `Dependencies of ${focus}` : 'Dependency graph'), form, legend);
    if (focus && !listing.byName.has(focus)) { main.append(h('p', { class: 'error-box', role: 'alert' }, `No job named "${focus}".`)); return null; }
    if (names.size === 0) { main.append(h('p', { class: 'muted' }, 'No job depends on another yet.')); return null; }
    if (names.size > this.maxNodes) {
      main.append(h('p', { class: 'muted' }, `${names.size} jobs have dependencies: too many to draw at once. Pick one job above to see its ancestors and descendants.`));
      return null;
    }
    const { xy, width, height } = this.layout(listing, names);
    const pad = 20;
    const svg = h('svg', { id: 'graph', class: 'graph', role: 'group', 'aria-label': `Dependency graph of ${names.size} jobs`, xmlns: 'http://www.w3.org/2000/svg' });
    svg.append(h('defs', {}, h('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' },
      h('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }))));
    const edges = h('g', { class: 'edges' });
    const nodes = h('g', { class: 'nodes' });
    for (const name of names) {
      const job = listing.byName.get(name);
      const { x, y } = xy.get(name);
      for (const parent of job.parents) {
        if (!names.has(parent)) continue;
        const from = xy.get(parent);
        const x1 = from.x + this.nodeWidth;
        const y1 = from.y + this.nodeHeight / 2;
        const y2 = y + this.nodeHeight / 2;
        const mid = (x1 + x) / 2;
        edges.append(h('path', { class: 'edge', d: `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x} ${y2}`, 'marker-end': 'url(#arrow)',
          'data-from': parent, 'data-to': name }));
      }
      const label = name.length > 24 ? `${name.slice(0, 23)}…` : name;
      const target = name === focus ? `#/job/${CS.enc(name)}` : `#/graph?focus=${CS.enc(name)}`;
      const link = h('svg:a', { href: target, class: `node node-${this.colour(job)}${name === focus ? ' is-focus' : ''}`, 'data-job': name,
        'aria-label': `${name}: ${CS.health(job)}${name === focus ? ', open its page' : ', show its dependencies'}` },
      h('svg:title', {}, `${name} — ${CS.health(job)}`),
      h('rect', { x, y, width: this.nodeWidth, height: this.nodeHeight, rx: '6' }),
      h('text', { x: x + 10, y: y + this.nodeHeight / 2 + 5 }, label));
      nodes.append(link);
    }
    svg.append(edges, nodes);
    const box = { x: -pad, y: -pad, w: width + 2 * pad, h: height + 2 * pad };
    const full = { ...box };
    const setBox = () => svg.setAttribute('viewBox', `${box.x} ${box.y} ${box.w} ${box.h}`);
    setBox();
    const zoom = (factor, cx = box.x + box.w / 2, cy = box.y + box.h / 2) => {
      box.x = cx - (cx - box.x) * factor;
      box.y = cy - (cy - box.y) * factor;
      box.w *= factor;
      box.h *= factor;
      setBox();
    };
    // At 200 jobs the whole graph is too small to read: start at a readable scale, from the top left.
    const frame = h('div', { class: 'graph-frame' }, svg);
    const controls = h('div', { class: 'actions', role: 'group', 'aria-label': 'Zoom' },
      h('button', { class: 'button', type: 'button', 'aria-label': 'Zoom in', onclick: () => zoom(0.8) }, '+'),
      h('button', { class: 'button', type: 'button', 'aria-label': 'Zoom out', onclick: () => zoom(1.25) }, '−'),
      h('button', { class: 'button', type: 'button', onclick: () => { Object.assign(box, full); setBox(); } }, 'Fit'));
    main.append(controls, frame, h('p', { class: 'muted small' }, `${names.size} jobs, ${edges.childElementCount} dependencies. Scroll to zoom, drag to move; select a job to see only its ancestors and descendants.`));
    const scale = frame.clientWidth / box.w;
    if (scale < 0.85) {
      const factor = scale / 0.85;
      box.w *= factor;
      box.h = box.w * (frame.clientHeight / frame.clientWidth);
      setBox();
    } else {
      svg.setAttribute('preserveAspectRatio', 'xMidYMin meet');
    }
    frame.addEventListener('wheel', (event) => {
      event.preventDefault();
      const rect = svg.getBoundingClientRect();
      const cx = box.x + ((event.clientX - rect.left) / rect.width) * box.w;
      const cy = box.y + ((event.clientY - rect.top) / rect.height) * box.h;
      zoom(event.deltaY > 0 ? 1.15 : 1 / 1.15, cx, cy);
    }, { passive: false });
    let drag = null;
    frame.addEventListener('pointerdown', (event) => {
      if (event.target.closest('a')) return;
      drag = { x: event.clientX, y: event.clientY, bx: box.x, by: box.y };
      frame.setPointerCapture(event.pointerId);
    });
    frame.addEventListener('pointermove', (event) => {
      if (!drag) return;
      const rect = svg.getBoundingClientRect();
      box.x = drag.bx - ((event.clientX - drag.x) / rect.width) * box.w;
      box.y = drag.by - ((event.clientY - drag.y) / rect.height) * box.h;
      setBox();
    });
    frame.addEventListener('pointerup', () => { drag = null; });
    main.dataset.ready = 'true';
    return null;
  },
};
