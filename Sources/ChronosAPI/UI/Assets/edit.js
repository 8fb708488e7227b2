// Create and edit a job: a form for the common fields and a YAML box for the rest, checked by the server
// as you type (the same messages and positions as `chronos-sync validate`), and the spec to commit to git.
'use strict';

CS.views.edit = {
  nav: 'new',
  /** The fields the form has inputs for, in the order the spec lists them. */
  common: ['name', 'description', 'owner', 'command', 'schedule', 'cron', 'parents', 'scheduleTimeZone', 'retries', 'cpus', 'mem', 'concurrencyPolicy', 'disabled'],

  /** A string as a YAML scalar: plain when that reads back as the same string, else JSON's quoting. */
  scalar(value) {
    const plain = /^[A-Za-z_/][A-Za-z0-9_./@+-]*$/.test(value) && !['true', 'false', 'null', 'yes', 'no', 'on', 'off', 'y', 'n'].includes(value.toLowerCase());
    return plain ? value : JSON.stringify(value);
  },

  /** A value of a `key: value` line as the server writes specs (plain, JSON-quoted or JSON flow). */
  parseValue(text) {
    const t = text.trim();
    if (t === '') return '';
    if (/^["[{]/.test(t)) { try { return JSON.parse(t); } catch (_) { return t; } }
    if (t === 'true' || t === 'false') return t === 'true';
    if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
    return t;
  },

  /** Splits a spec written by the server into the form's values and the YAML of the other fields. */
  split(yaml) {
    const values = {};
    const rest = [];
    let key = null;
    for (const line of yaml.split('\n')) {
      const m = /^([A-Za-z_][\w]*):(.*)$/.exec(line);
      if (m) {
        key = this.common.includes(m[1]) ? m[1] : null;
        if (key) values[key] = this.parseValue(m[2]);
        else rest.push(line);
      } else if (key && /^\s+- /.test(line)) {
        // A block list of a form field (parents): one item a line.
        if (!Array.isArray(values[key])) values[key] = [];
        values[key].push(this.parseValue(line.replace(/^\s+- /, '')));
      } else if (!key && line.trim()) {
        rest.push(line);
      }
    }
    return { values, rest: rest.join('\n') };
  },

  /** The spec from the form and the YAML box: its text, the line of each form field, and where the box begins. */
  compose(form, restText) {
    const v = (id) => form.querySelector(`#f-${id}`).value.trim();
    const lines = [];
    const at = {};
    const add = (field, value) => { at[lines.length + 1] = field; lines.push(`${field}: ${value}`); };
    add('name', this.scalar(v('name')));
    if (v('description')) add('description', this.scalar(v('description')));
    if (v('owner')) add('owner', this.scalar(v('owner')));
    add('command', this.scalar(form.querySelector('#f-command').value));
    const kind = form.querySelector('input[name="trigger"]:checked').value;
    if (kind === 'schedule') add('schedule', this.scalar(v('schedule')));
    if (kind === 'once') add('schedule', '""');
    if (kind === 'cron') add('cron', this.scalar(v('cron')));
    if (kind === 'parents') add('parents', JSON.stringify(v('parents').split(',').map((p) => p.trim()).filter(Boolean)));
    if (v('scheduleTimeZone')) add('scheduleTimeZone', this.scalar(v('scheduleTimeZone')));
    for (const field of ['retries', 'cpus', 'mem']) {
      const raw = v(field);
      if (raw !== '' && !(field === 'retries' && raw === '2')) add(field, /^-?\d+(\.\d+)?$/.test(raw) ? raw : this.scalar(raw));
    }
    if (v('concurrencyPolicy')) add('concurrencyPolicy', v('concurrencyPolicy'));
    if (form.querySelector('#f-disabled').checked) add('disabled', 'true');
    const restStart = lines.length + 1;
    const rest = restText.replace(/\s+$/, '');
    return { text: `${lines.join('\n')}\n${rest ? `${rest}\n` : ''}`, at, restStart };
  },

  async render(main, query, name) {
    const view = this;
    let detail = null;
    let values = { retries: 2, schedule: `R/${new Date(Math.ceil(Date.now() / 3600000) * 3600000).toISOString().slice(0, 19)}Z/P1D` };
    let rest = '';
    if (name) {
      detail = await CS.json(`/v1/jobs/${CS.enc(name)}`);
      ({ values, rest } = this.split(detail.yaml));
      if (values.retries === undefined) values.retries = 2;
    }
    const kind = values.parents ? 'parents' : values.cron ? 'cron' : values.schedule === '' ? 'once' : 'schedule';
    const input = (id, label, attrs = {}, help) => h('div', { class: 'field', id: `field-${id}` },
      h('label', { for: `f-${id}` }, label),
      h('input', { id: `f-${id}`, name: id, value: values[id] === undefined ? '' : Array.isArray(values[id]) ? values[id].join(', ') : String(values[id]), 'aria-describedby': `f-${id}-problem${help ? ` f-${id}-help` : ''}`, ...attrs }),
      help ? h('p', { class: 'help', id: `f-${id}-help` }, help) : null,
      h('p', { class: 'problem', id: `f-${id}-problem`, 'aria-live': 'polite' }));
    const radio = (value, label) => h('label', { class: 'radio' }, h('input', { type: 'radio', name: 'trigger', value, checked: kind === value }), ` ${label}`);
    const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    const restBox = h('textarea', { id: 'f-rest', rows: '8', spellcheck: 'false', 'aria-describedby': 'f-rest-help f-rest-problem' }, rest);
    const form = h('form', { class: 'card wide edit-form', id: 'job-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); save(); } },
      h('div', { class: 'columns' },
        h('div', {},
          input('name', 'Name', { required: true, autocomplete: 'off', spellcheck: 'false' }, 'Letters, digits, _ . and -; at most 200 characters.'),
          input('description', 'Description'),
          input('owner', 'Owner', { type: 'text', autocomplete: 'email' }, 'Emails notified on failure, separated by commas.'),
          h('div', { class: 'field', id: 'field-command' }, h('label', { for: 'f-command' }, 'Command'),
            h('textarea', { id: 'f-command', rows: '3', spellcheck: 'false', required: true, 'aria-describedby': 'f-command-problem' }, values.command || ''),
            h('p', { class: 'problem', id: 'f-command-problem', 'aria-live': 'polite' }))),
        h('div', {},
          h('fieldset', { class: 'field', id: 'field-trigger' }, h('legend', {}, 'Runs'),
            radio('schedule', 'on an ISO 8601 schedule'), radio('cron', 'on a cron line'), radio('parents', 'after other jobs'), radio('once', 'once, when first applied')),
          input('schedule', 'Schedule', { spellcheck: 'false' }, 'R[n]/<start>/<period>, e.g. R/2026-01-01T02:00:00/P1D'),
          input('cron', 'Cron', { spellcheck: 'false' }, 'minute hour day month weekday, e.g. 0 2 * * 1-5'),
          input('parents', 'Parents', { spellcheck: 'false' }, 'Job names, separated by commas.'),
          input('scheduleTimeZone', 'Time zone', { list: 'zones', spellcheck: 'false' }, 'An IANA zone; empty means UTC.'),
          h('datalist', { id: 'zones' }, zones.map((z) => h('option', { value: z }))),
          h('div', { class: 'row' },
            input('retries', 'Retries', { inputmode: 'numeric' }), input('cpus', 'CPUs', { inputmode: 'decimal' }), input('mem', 'Memory (MB)', { inputmode: 'decimal' })),
          h('div', { class: 'field', id: 'field-concurrencyPolicy' }, h('label', { for: 'f-concurrencyPolicy' }, 'While a run is going'),
            h('select', { id: 'f-concurrencyPolicy' }, [['', 'default (forbid: queue the new run)'], ['forbid', 'forbid: queue the new run'], ['allow', 'allow: run both'], ['replace', 'replace: kill the old run']]
              .map(([v, t]) => h('option', { value: v, selected: (values.concurrencyPolicy || '') === v }, t))),
            h('p', { class: 'problem', id: 'f-concurrencyPolicy-problem' })),
          h('div', { class: 'field checkbox', id: 'field-disabled' }, h('input', { id: 'f-disabled', type: 'checkbox', checked: values.disabled === true }),
            h('label', { for: 'f-disabled' }, ' Disabled'), h('p', { class: 'problem', id: 'f-disabled-problem' })))),
      h('div', { class: 'field', id: 'field-rest' }, h('label', { for: 'f-rest' }, 'Other fields (YAML)'), restBox,
        h('p', { class: 'help', id: 'f-rest-help' }, 'Any other job field, one per line as in a spec file: retryInterval: PT5M, environmentVariables: [{name: A, value: "1"}], timeout: PT2H, …'),
        h('p', { class: 'problem', id: 'f-rest-problem', 'aria-live': 'polite' })),
      h('div', { id: 'drift-warning', class: 'warning', role: 'note', hidden: true }),
      h('div', { class: 'check' }, h('h2', {}, 'Check'), h('p', { id: 'check-state', role: 'status', 'aria-live': 'polite' }, 'Checking…'),
        h('ul', { id: 'diagnostics', class: 'diagnostics' })),
      h('details', {}, h('summary', {}, 'The spec as sent'), h('pre', { class: 'code numbered', id: 'composed' })),
      h('div', { class: 'actions' },
        h('button', { class: 'button primary', type: 'submit', id: 'save', disabled: true }, name ? 'Save' : 'Create job'),
        h('button', { class: 'button', type: 'button', id: 'copy-git', disabled: true, onclick: () => copyForGit() }, 'Copy as YAML for git'),
        name ? h('a', { class: 'button', href: `#/job/${CS.enc(name)}` }, 'Cancel') : null),
      h('section', { id: 'git-yaml-box', hidden: true, 'aria-labelledby': 'git-yaml-title' },
        h('h2', { id: 'git-yaml-title' }, 'Spec file for git'),
        h('p', { class: 'muted', id: 'git-yaml-where' }),
        h('pre', { class: 'code', id: 'git-yaml', tabindex: '0' })));
    main.append(h('h1', {}, name ? `Edit ${name}` : 'New job'), form);

    const showTrigger = () => {
      const k = form.querySelector('input[name="trigger"]:checked').value;
      for (const f of ['schedule', 'cron', 'parents']) form.querySelector(`#field-${f}`).hidden = k !== f;
      form.querySelector('#field-scheduleTimeZone').hidden = k === 'parents' || k === 'once';
    };

    let last = null;
    let controller = null;
    let timer = null;
    const check = async () => {
      const composed = view.compose(form, restBox.value);
      form.querySelector('#composed').replaceChildren(...composed.text.replace(/\n$/, '').split('\n').map((l) => h('span', { class: 'line' }, l)));
      if (controller) controller.abort();
      controller = new AbortController();
      const mine = controller;
      form.querySelector('#check-state').textContent = 'Checking…';
      let result;
      try {
        result = await (await CS.send('POST', '/v1/validate', composed.text, 'application/yaml', mine.signal)).json();
      } catch (error) {
        if (error.name === 'AbortError') return;
        form.querySelector('#check-state').textContent = `Could not check: ${error.message}`;
        return;
      }
      if (mine !== controller) return;
      last = { composed, result };
      for (const p of form.querySelectorAll('.problem')) p.textContent = '';
      for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
      const items = result.diagnostics.map((d) => {
        const field = d.line < composed.restStart ? composed.at[d.line] : 'rest';
        const target = field === 'schedule' && form.querySelector('input[name="trigger"]:checked').value === 'once' ? 'trigger' : field;
        const where = field === 'rest' ? `line ${d.line - composed.restStart + 1} of Other fields, column ${d.column}` : `${field || 'spec'}, column ${d.column}`;
        const problem = target && form.querySelector(`#f-${target}-problem`);
        if (problem && d.severity === 'error') {
          problem.textContent = d.message;
          const el = form.querySelector(`#f-${target}`);
          if (el) el.setAttribute('aria-invalid', 'true');
        }
        return h('li', { class: `diag-${d.severity}`, dataset: { line: d.line, column: d.column } },
          h('code', {}, `${d.line}:${d.column}`), ` ${d.severity === 'warning' ? 'warning: ' : ''}${d.message} `, h('span', { class: 'muted small' }, `(${where})`));
      });
      form.querySelector('#diagnostics').replaceChildren(...items);
      const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
      form.querySelector('#check-state').textContent = result.valid ? 'Valid.' : `${errors} error${errors === 1 ? '' : 's'}.`;
      form.querySelector('#check-state').className = result.valid ? 'ok' : 'bad';
      form.querySelector('#save').disabled = !result.valid;
      form.querySelector('#copy-git').disabled = !result.valid;
      const warning = form.querySelector('#drift-warning');
      const source = result.liveSource;
      warning.hidden = !source;
      if (source && source !== 'api') {
        CS.fill(warning, h('strong', {}, 'This job is managed by git '), `(${source}). `,
          'Saving here changes only the live job: the sync reports it as drift, and reverts it if the repository\u2019s policy has selfHeal. To change it for good, use \u201cCopy as YAML for git\u201d and commit the file.');
      } else if (source === 'api' && !name) {
        CS.fill(warning, h('strong', {}, `A job named ${result.name} exists. `), 'Saving replaces it.');
      } else {
        warning.hidden = true;
      }
    };
    const schedule = () => { clearTimeout(timer); timer = setTimeout(check, 250); };
    form.addEventListener('input', schedule);
    form.addEventListener('change', () => { showTrigger(); schedule(); });

    const copyForGit = async () => {
      if (!last || !last.result.yaml) return;
      const box = form.querySelector('#git-yaml-box');
      form.querySelector('#git-yaml').textContent = last.result.yaml;
      const source = last.result.liveSource;
      const file = source && source !== 'api' ? source.replace(/:\d+:\d+$/, '') : null;
      CS.fill(form.querySelector('#git-yaml-where'), file
        ? ['Put this in place of the job in ', h('code', { id: 'git-yaml-path' }, file), ' (the document at line ', source.split(':').slice(-2, -1)[0], ') and commit it.']
        : ['Commit this as a file under the repository\u2019s job folder, e.g. ', h('code', { id: 'git-yaml-path' }, `jobs/${last.result.name}.yaml`), '.']);
      box.hidden = false;
      box.scrollIntoView({ block: 'nearest' });
      CS.toast(await CS.copy(last.result.yaml) ? 'Copied: commit it under the job folder.' : 'Select the spec below to copy it.');
    };

    const save = async () => {
      await check();
      if (!last || !last.result.valid) return;
      const source = last.result.liveSource;
      if (source && source !== 'api') {
        const ok = await CS.confirm({ title: `Save ${last.result.name} here?`, action: 'Save anyway', danger: true,
          text: `It is managed by git (${source}): the live job will differ from git, which the sync reports as drift. Committing the spec instead keeps git the source of truth.` });
        if (!ok) return;
      }
      const parents = form.querySelector('input[name="trigger"]:checked').value === 'parents';
      try {
        await CS.send('POST', parents ? '/v1/scheduler/dependency' : '/v1/scheduler/iso8601', last.composed.text, 'application/yaml');
        CS.cache.listing = null;
        CS.toast(`Saved ${last.result.name}.`);
        location.hash = `#/job/${CS.enc(last.result.name)}`;
      } catch (error) {
        CS.toast(error.message, 'error');
      }
    };

    showTrigger();
    await check();
    main.dataset.ready = 'true';
    return () => { clearTimeout(timer); if (controller) controller.abort(); };
  },
};
