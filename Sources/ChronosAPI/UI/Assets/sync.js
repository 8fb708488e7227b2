// The sync page: where git and the live jobs stand, the last error, drift field by field, the plan, the
// history of syncs, and a button to sync now.
'use strict';

CS.views.sync = {
  nav: 'sync',
  symbols: { create: '+', update: '~', delete: '-', replace: '-/+' },

  async render(main) {
    const view = this;
    const status = await CS.jsonOrNull('/v1/sync/status');
    main.append(h('h1', {}, 'Git sync'));
    if (!status) {
      main.append(h('p', { class: 'card' }, 'This server runs a plain folder of specs (serve --jobs), not a git repository: there is nothing to sync. Start serve with --repo to sync from git.'));
      return null;
    }
    const head = h('section', { class: 'card wide', 'aria-labelledby': 'sync-state-title' });
    const errors = h('section', { class: 'card wide', 'aria-labelledby': 'sync-errors-title', id: 'sync-errors' });
    const drift = h('section', { class: 'card wide', 'aria-labelledby': 'drift-title', id: 'drift' });
    const plan = h('section', { class: 'card wide', 'aria-labelledby': 'plan-title', id: 'plan' });
    const history = h('section', { class: 'card wide', 'aria-labelledby': 'history-title', id: 'history' });
    main.append(h('div', { class: 'grid' }, head, errors, drift, plan, history));

    const draw = async (current) => {
      const [planDoc, historyDoc] = await Promise.all([
        CS.json('/v1/sync/plan').catch((error) => ({ failed: error.message })), CS.json('/v1/sync/history')]);
      const commits = historyDoc.syncs || [];
      const rev = (r, message, label, id) => (r
        ? [h('code', { id }, r.slice(0, 12)), message ? h('span', { class: 'commit-message', id: `${id}-message` }, ` ${message}`) : null]
        : h('span', { class: 'muted', id }, `no ${label} yet`));
      CS.fill(head, 
        h('h2', { id: 'sync-state-title' }, 'Status ', CS.badge(current.state, `sync-${current.state.toLowerCase()}`, 'sync-state')),
        h('dl', { class: 'facts' },
          h('dt', {}, 'Repository'), h('dd', {}, h('code', {}, current.source), current.ref ? ` at ${current.ref}` : '', current.folder ? `, folder ${current.folder}` : ''),
          h('dt', {}, 'Applied revision'), h('dd', {}, rev(current.appliedRevision, current.appliedMessage, 'applied revision', 'applied-revision'),
            current.lastApplied ? h('span', { class: 'muted small' }, ` · ${CS.time(current.lastApplied)}`) : null),
          h('dt', {}, 'Attempted revision'), h('dd', {}, rev(current.revision, current.revisionMessage, 'attempt', 'attempted-revision'),
            current.lastAttempt ? h('span', { class: 'muted small' }, ` · ${CS.time(current.lastAttempt)}`) : null),
          h('dt', {}, 'Last sync'), h('dd', { id: 'sync-message' }, current.message)),
        h('div', { class: 'actions' }, h('button', { class: 'button primary', id: 'sync-now', onclick: syncNow }, 'Sync now')));

      errors.hidden = current.errors.length === 0;
      CS.fill(errors, h('h2', { id: 'sync-errors-title' }, 'Why the last commit was not applied'),
        h('ul', { class: 'diagnostics' }, current.errors.map((e) => h('li', {}, h('code', {}, e)))));

      CS.fill(drift, h('h2', { id: 'drift-title' }, 'Drift ', h('span', { class: 'muted small' }, 'changes made outside git')),
        current.drift.length === 0 ? h('p', { class: 'muted' }, 'None: the live jobs are as git last applied them.')
          : current.drift.map((d) => h('div', { class: 'drift-item', dataset: { job: d.name } },
            h('h3', {}, h('a', { href: `#/job/${CS.enc(d.name)}` }, d.name), ' ', CS.badge(d.kind, 'drift')),
            d.fields.length ? CS.views.job.diffTable(d.fields) : h('p', { class: 'muted' }, d.kind === 'created' ? 'Created through the API; not in git.' : 'Deleted through the API; still in git.'))));

      if (planDoc.failed) {
        CS.fill(plan, h('h2', { id: 'plan-title' }, 'Plan'), h('p', { class: 'error-box' }, planDoc.failed));
      } else {
        const p = planDoc.plan;
        const counts = { create: 0, update: 0, delete: 0, replace: 0 };
        for (const c of p.changes) counts[c.action]++;
        CS.fill(plan, h('h2', { id: 'plan-title' }, 'Plan ', h('span', { class: 'muted small' }, `what a sync of ${(p.revision || '').slice(0, 12)} would change`)),
          planDoc.errors && planDoc.errors.length ? h('ul', { class: 'diagnostics' }, planDoc.errors.map((e) => h('li', {}, h('code', {}, e)))) : null,
          p.changes.length === 0 ? h('p', { id: 'plan-summary' }, 'No changes: the live jobs match git.')
            : [h('ul', { class: 'plan' }, p.changes.map((c) => h('li', { class: `plan-${c.action}`, dataset: { job: c.name, action: c.action } },
              h('code', { class: 'symbol' }, view.symbols[c.action]), ' ', h('a', { href: `#/job/${CS.enc(c.name)}` }, c.name), ' ',
              h('span', { class: 'muted small' }, c.source || ''),
              c.fields.length ? CS.views.job.diffTable(c.fields, 'live', 'git') : null))),
            h('p', { id: 'plan-summary' }, `Plan: ${counts.create} to create, ${counts.update} to update, ${counts.replace} to replace, ${counts.delete} to delete.`)],
          p.refused ? h('p', { class: 'error-box' }, p.refused) : null,
          p.notPruned.length ? h('p', { class: 'muted' }, `Left in place (prune is off): ${p.notPruned.join(', ')}`) : null,
          p.unmanaged.length ? h('p', { class: 'muted' }, `Created through the API, left alone: ${p.unmanaged.length} job${p.unmanaged.length === 1 ? '' : 's'}`) : null);
      }

      CS.fill(history, h('h2', { id: 'history-title' }, 'Recent syncs'),
        commits.length === 0 ? h('p', { class: 'muted' }, 'No sync yet.')
          : h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, ['When', 'Revision', 'Result', 'Message'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, commits.map((s) => h('tr', {}, h('td', {}, CS.time(s.at)), h('td', {}, h('code', {}, (s.revision || '').slice(0, 12)), s.commitMessage ? h('span', { class: 'muted small' }, ` ${s.commitMessage}`) : null),
              h('td', {}, CS.badge(s.state, `sync-${s.state.toLowerCase()}`)), h('td', {}, s.message)))))));
      main.dataset.ready = 'true';
    };

    const syncNow = async () => {
      const button = main.querySelector('#sync-now');
      button.disabled = true;
      try {
        const before = ((await CS.json('/v1/sync/history')).syncs[0] || {}).at || 0;
        await CS.send('POST', '/v1/sync/trigger');
        CS.toast('Sync requested.');
        for (let i = 0; i < 40; i++) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          const latest = ((await CS.json('/v1/sync/history')).syncs[0] || {}).at || 0;
          if (latest > before) break;
        }
        await draw(await CS.json('/v1/sync/status'));
      } catch (error) {
        CS.toast(error.message, 'error');
      } finally {
        button.disabled = false;
      }
    };

    await draw(status);
    return CS.every(5000, async () => draw(await CS.json('/v1/sync/status')));
  },
};
