// A job's page: its spec, where it comes from, sync and drift, next runs, run history, each run's output
// (followed live while the run goes on), and the actions, each confirmed first.
'use strict';

/** A link to a file at a commit on a known forge (GitHub, GitLab, Bitbucket, Codeberg); null otherwise. */
CS.forgeLink = function (repository, commit, location) {
  if (!repository || !commit || !location || location === 'api') return null;
  const m = /^(.*?):(\d+)(?::\d+)?$/.exec(location);
  const file = m ? m[1] : location;
  const line = m ? m[2] : null;
  let url = repository.trim().replace(/\.git\/?$/, '');
  const scp = /^[\w.-]+@([\w.-]+):(.+)$/.exec(url);
  if (scp) url = `https://${scp[1]}/${scp[2]}`;
  let parsed;
  try { parsed = new URL(url); } catch (_) { return null; }
  const host = parsed.hostname.toLowerCase();
  const path = parsed.pathname.replace(/^\/+|\/+$/g, '');
  const base = `https://${host}/${path}`;
  const encodedFile = file.split('/').map(CS.enc).join('/');
  if (host === 'github.com' || host === 'codeberg.org') return `${base}/${host === 'github.com' ? 'blob' : 'src/commit'}/${commit}/${encodedFile}${line ? `#L${line}` : ''}`;
  if (host === 'gitlab.com' || host.startsWith('gitlab.')) return `${base}/-/blob/${commit}/${encodedFile}${line ? `#L${line}` : ''}`;
  if (host === 'bitbucket.org') return `${base}/src/${commit}/${encodedFile}${line ? `#lines-${line}` : ''}`;
  return null;
};

/** Follows one run's stdout or stderr into `pre` until the run has ended or `signal` aborts. */
CS.followLog = async function (job, taskId, stream, pre, signal, onState) {
  let offset = 0;
  const decoder = new TextDecoder();
  const shown = document.createTextNode('');
  CS.fill(pre, shown);
  const limit = 2 << 20;
  while (!signal.aborted) {
    const response = await CS.api(`/v1/jobs/${CS.enc(job)}/runs/${CS.enc(taskId).replace(/%3A/gi, ":")}/${stream}?follow=true&offset=${offset}`, { signal });
    const state = response.headers.get('X-Run-State') || '';
    if (onState) onState(state);
    const reader = response.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      offset += value.length;
      const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      shown.appendData(decoder.decode(value, { stream: true }));
      if (shown.length > limit) shown.deleteData(0, shown.length - limit);
      if (atBottom) pre.scrollTop = pre.scrollHeight;
    }
    // A stream that began on an ended run has given everything there is.
    if (!['queued', 'running'].includes(state)) break;
  }
  if (onState) onState('done');
};

CS.views.job = {
  nav: 'jobs',

  async render(main, query, name) {
    const view = this;
    const [detail, runs, status, driftDoc] = await Promise.all([
      CS.json(`/v1/jobs/${CS.enc(name)}`), CS.json(`/v1/jobs/${CS.enc(name)}/runs?limit=50`),
      CS.jsonOrNull('/v1/sync/status'), CS.jsonOrNull('/v1/sync/drift')]);
    const drift = ((driftDoc && driftDoc.drift) || []).find((d) => d.name === name);
    const header = h('div', { class: 'page-head' });
    const facts = h('section', { class: 'card', 'aria-labelledby': 'facts-title' });
    const nextRuns = h('section', { class: 'card', 'aria-labelledby': 'next-title' });
    const spec = h('section', { class: 'card', 'aria-labelledby': 'spec-title' });
    const history = h('section', { class: 'card wide', 'aria-labelledby': 'runs-title' });
    const output = h('section', { class: 'card wide', id: 'output', 'aria-labelledby': 'output-title', hidden: true });
    main.append(header, h('div', { class: 'grid' }, facts, nextRuns, spec, history, output));

    const state = { detail, runs, open: null, follow: null };

    const drawHeader = () => {
      const d = state.detail;
      const actions = h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' },
        h('button', { class: 'button primary', id: 'action-run', onclick: () => view.runNow(name, refresh) }, 'Run now'),
        h('button', { class: 'button', id: 'action-kill', disabled: !(d.running || d.queued), onclick: () => view.act(name, 'kill', refresh) }, 'Kill'),
        d.disabled
          ? h('button', { class: 'button', id: 'action-enable', onclick: () => view.act(name, 'enable', refresh) }, 'Enable')
          : h('button', { class: 'button', id: 'action-disable', onclick: () => view.act(name, 'disable', refresh) }, 'Disable'),
        h('button', { class: 'button', id: 'action-success', onclick: () => view.act(name, 'success', refresh) }, 'Mark success'),
        h('a', { class: 'button', href: `#/job/${CS.enc(name)}/edit` }, 'Edit'),
        h('a', { class: 'button', href: `#/graph?focus=${CS.enc(name)}` }, 'Graph'));
      const managed = d.source === 'api' ? CS.badge('created through the API', 'api') : drift ? CS.badge('OutOfSync: drift', 'drift')
        : status ? CS.badge('Synced with git', 'git') : CS.badge('from a spec file', 'git');
      CS.fill(header, h('h1', {}, name), h('p', { class: 'badges' }, CS.badge(CS.health(d), CS.health(d).toLowerCase()), ' ', managed,
        d.disabled ? [' ', CS.badge('disabled', 'disabled')] : null), actions);
    };

    const drawFacts = () => {
      const d = state.detail;
      const job = d.job;
      const link = status && CS.forgeLink(status.source, status.appliedRevision, d.source);
      const source = d.source === 'api'
        ? 'created through the API or this UI (not in git)'
        : link ? h('a', { href: link, rel: 'noreferrer', target: '_blank' }, d.source) : h('code', {}, d.source);
      const rows = [
        ['Command', h('code', {}, job.command || '')],
        ['Trigger', job.parents ? `after ${job.parents.join(', ')}` : job.cron ? `cron ${job.cron}` : job.schedule ? job.schedule : 'once, when first applied'],
        ['Time zone', d.timeZone],
        ['Owner', job.owner || '—'],
        ['Source', source],
        status && d.source !== 'api' ? ['Commit applied', h('code', {}, (status.appliedRevision || '').slice(0, 12) || '—')] : null,
        ['Sync', d.source === 'api' ? 'unmanaged' : drift ? `OutOfSync: ${drift.kind} outside git` : (status ? status.state : 'plain folder')],
        ['Succeeded / failed', `${job.successCount} / ${job.errorCount}`],
        ['Last success', job.lastSuccess || '—'],
        ['Last failure', job.lastError || '—'],
      ].filter(Boolean);
      CS.fill(facts, h('h2', { id: 'facts-title' }, 'Job'),
        h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
        drift && drift.fields && drift.fields.length ? [h('h3', {}, 'Drift (live against git)'), CS.views.job.diffTable(drift.fields)] : null);
    };

    const drawNext = () => {
      const d = state.detail;
      CS.fill(nextRuns, h('h2', { id: 'next-title' }, 'Next runs'),
        d.nextRuns.length === 0
          ? h('p', { class: 'muted' }, d.disabled ? 'Disabled: no run is scheduled.' : d.job.parents ? 'Runs after its parents.' : 'No run is scheduled.')
          : h('ol', { class: 'next-runs' }, d.nextRuns.map((ms) => h('li', {}, h('span', {}, CS.time(ms, d.timeZone)),
            h('span', { class: 'muted small' }, ` · ${CS.time(ms)} yours · ${CS.relative(ms)}`)))));
    };

    const drawSpec = () => {
      const yaml = state.detail.yaml;
      CS.fill(spec, h('h2', { id: 'spec-title' }, 'Spec'),
        h('pre', { class: 'code', id: 'spec-yaml', tabindex: '0' }, yaml),
        h('button', { class: 'button', onclick: async () => CS.toast(await CS.copy(yaml) ? 'Spec copied.' : 'Select the spec to copy it.') }, 'Copy YAML'));
    };

    const drawRuns = () => {
      const list = state.runs;
      const rows = list.map((run) => {
        const id = run.taskID;
        const duration = run.startedAt ? CS.duration((run.endedAt || state.detail.now || Date.now()) - run.startedAt) : '—';
        return h('tr', { dataset: { task: id }, class: state.open === id ? 'is-open' : null },
          h('td', {}, h('code', { class: 'small', title: id }, `#${run.taskID.split(':')[2]}`), ' ', h('span', { class: 'muted small' }, CS.time(Number(id.split(':')[1])))),
          h('td', {}, run.trigger),
          h('td', {}, CS.time(run.startedAt || run.readyAt)),
          h('td', {}, run.endedAt || !run.startedAt ? duration : `${duration} so far`),
          h('td', {}, CS.badge(run.state, `run-${run.state}`), run.skippedCount > 1 ? ` ×${run.skippedCount}` : ''),
          h('td', {}, run.exitStatus ?? '—'),
          h('td', { class: 'reason' }, run.reason || ''),
          h('td', {}, h('button', { class: 'button small', 'aria-controls': 'output', 'aria-expanded': String(state.open === id),
            onclick: () => openOutput(run) }, 'Output')));
      });
      CS.fill(history, h('h2', { id: 'runs-title' }, 'Runs'),
        list.length === 0 ? h('p', { class: 'muted' }, 'No run yet.')
          : h('div', { class: 'table-wrap' }, h('table', { class: 'runs', id: 'runs-table' },
            h('thead', {}, h('tr', {}, ['Attempt, due', 'Trigger', 'Started', 'Duration', 'State', 'Exit', 'Reason', ''].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, rows))));
    };

    const openOutput = (run, scroll = true) => {
      if (state.follow) state.follow.abort();
      state.open = run.taskID;
      const controller = new AbortController();
      state.follow = controller;
      const out = h('pre', { class: 'log', id: 'log-stdout', tabindex: '0', 'aria-label': 'stdout' });
      const err = h('pre', { class: 'log', id: 'log-stderr', tabindex: '0', 'aria-label': 'stderr' });
      const live = h('span', { id: 'log-state', class: 'muted', role: 'status' });
      output.hidden = false;
      CS.fill(output, h('h2', { id: 'output-title' }, 'Output of ', h('code', {}, run.taskID), ' ', live),
        h('h3', {}, 'stdout'), out, h('h3', {}, 'stderr'), err);
      const onState = (s) => {
        if (s === 'running' || s === 'queued') live.textContent = '● following live';
        else if (s === 'done') live.textContent = '';
      };
      for (const [stream, pre] of [['stdout', out], ['stderr', err]]) {
        CS.followLog(name, run.taskID, stream, pre, controller.signal, stream === 'stdout' ? onState : null).catch((error) => {
          if (error.name !== 'AbortError') pre.append(`\n[${error.message}]`);
        });
      }
      drawRuns();
      if (scroll) output.scrollIntoView({ block: 'nearest' });
    };

    const refresh = async () => {
      const [d, r] = await Promise.all([CS.json(`/v1/jobs/${CS.enc(name)}`), CS.json(`/v1/jobs/${CS.enc(name)}/runs?limit=50`)]);
      state.detail = d;
      state.runs = r;
      drawHeader();
      drawFacts();
      drawNext();
      drawRuns();
      if (query.get('run') === 'latest' && !state.open && r.length) openOutput(r[0], false);
    };

    drawHeader();
    drawFacts();
    drawNext();
    drawSpec();
    drawRuns();
    const wanted = query.get('run');
    if (wanted && runs.length) openOutput(runs.find((r) => r.taskID === wanted) || runs[0], false);
    main.dataset.ready = 'true';
    const stop = CS.every(2000, refresh);
    return () => { stop(); if (state.follow) state.follow.abort(); };
  },

  /** A table of field changes: field, one side, the other. */
  diffTable(fields, left = 'git', right = 'live') {
    return h('table', { class: 'diff' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, left), h('th', { scope: 'col' }, right))),
      h('tbody', {}, fields.map((f) => h('tr', {}, h('td', {}, h('code', {}, f.field)),
        h('td', { class: 'old' }, f.old === undefined || f.old === null ? '—' : h('code', {}, f.old)),
        h('td', { class: 'new' }, f.new === undefined || f.new === null ? '—' : h('code', {}, f.new))))));
  },

  async runNow(name, refresh) {
    const values = await CS.confirm({ title: `Run ${name} now?`, text: 'A run starts at once, beside the schedule.', action: 'Run now',
      fields: [{ name: 'arguments', label: 'Extra arguments (separated by spaces; optional)', help: 'Added to the command line of this run only.' }] });
    if (!values) return;
    const args = values.arguments.trim() ? values.arguments.trim().split(/\s+/) : [];
    try {
      const answer = await (await CS.send('POST', `/v1/jobs/${CS.enc(name)}/run`, { arguments: args })).json();
      CS.toast(`Started ${answer.taskId}.`);
      await refresh();
    } catch (error) { CS.toast(error.message, 'error'); }
  },

  async act(name, what, refresh) {
    const texts = {
      kill: [`Kill ${name}?`, 'Its running runs are killed and its queued runs dropped. A killed run is not retried.', 'Kill', true,
        () => CS.send('DELETE', `/v1/scheduler/task/kill/${CS.enc(name)}`)],
      disable: [`Disable ${name}?`, 'It stops being scheduled until enabled again; runs under way go on.', 'Disable', true,
        () => CS.send('POST', `/v1/jobs/${CS.enc(name)}/disable`)],
      enable: [`Enable ${name}?`, 'It is scheduled again from its next run; runs missed while disabled are not owed.', 'Enable', false,
        () => CS.send('POST', `/v1/jobs/${CS.enc(name)}/enable`)],
      success: [`Mark ${name} as successful?`, 'Counts a success by hand: jobs that wait for it advance.', 'Mark success', false,
        () => CS.send('PUT', `/v1/scheduler/job/success/${CS.enc(name)}`)],
    }[what];
    const [title, text, action, danger, call] = texts;
    if (!(await CS.confirm({ title, text, action, danger }))) return;
    try {
      await call();
      CS.toast(`${action}: done.`);
      await refresh();
    } catch (error) { CS.toast(error.message, 'error'); }
  },
};
