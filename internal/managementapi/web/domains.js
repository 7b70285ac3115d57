'use strict';
// Domain Configuration: the domains of GET /domains in one table (one
// request on load, none per row), filtered by text and category; an
// add/edit dialog (PUT sends only the changed fields, with If-Match),
// a delete confirmation that counts the monikers referencing the domain,
// and a reload of the file. Every server value reaches the page through
// MK.el (textContent, attributes), never through HTML parsing.
(() => {
  const { el, clear, api, toast } = MK;

  const $ = (id) => document.getElementById(id);

  const CONFIDENTIALITIES = ['public', 'internal', 'confidential', 'strictly_confidential'];
  const CONFIDENTIAL = new Set(['confidential', 'strictly_confidential']);
  const DEFAULT_COLOR = '#6B7280';
  const COLOR_RE = /^#[0-9A-Fa-f]{6}$/;
  // The fields the text filter looks at.
  const SEARCHED = ['name', 'display_name', 'short_code', 'data_category', 'owner', 'tech_custodian', 'business_steward', 'notes'];
  // The dialog's fields: [domain key, input id, kind].
  const FIELDS = [
    ['name', 'df-name', 'text'], ['display_name', 'df-display-name', 'text'], ['id', 'df-id', 'id'],
    ['short_code', 'df-short-code', 'text'], ['data_category', 'df-category', 'text'], ['color', 'df-color-text', 'color'],
    ['owner', 'df-owner', 'text'], ['tech_custodian', 'df-tech-custodian', 'text'], ['business_steward', 'df-business-steward', 'text'],
    ['confidentiality', 'df-confidentiality', 'text'], ['pii', 'df-pii', 'bool'], ['help_channel', 'df-help-channel', 'text'],
    ['wiki_link', 'df-wiki-link', 'text'], ['notes', 'df-notes', 'text'],
  ];
  const FIELD_INPUT = Object.fromEntries(FIELDS.map(([k, id]) => [k, id]));
  const LABELS = {
    name: 'Name', display_name: 'Display name', id: 'ID', short_code: 'Short code', data_category: 'Category', color: 'Colour',
    owner: 'Owner', tech_custodian: 'Tech custodian', business_steward: 'Business steward', confidentiality: 'Confidentiality',
    pii: 'Contains PII', help_channel: 'Help channel', wiki_link: 'Wiki link', notes: 'Notes',
  };

  // category is the selected chip: null = all, '' = uncategorized.
  // editing is the domain the dialog edits ({name, etag, original}) or
  // null when it adds one; deleting is {name, etag}. loadSeq numbers the
  // list loads so that a slow answer never overwrites a newer one.
  const state = { domains: [], loaded: false, filter: '', category: null, editing: null, deleting: null, loadSeq: 0, editSeq: 0 };

  const lower = (s) => String(s === null || s === undefined ? '' : s).toLowerCase();
  const cmp = (a, b) => {
    const x = lower(a);
    const y = lower(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const plural = (n, one, many) => n + ' ' + (n === 1 ? one : many);
  const nameFromHash = () => {
    try {
      return decodeURIComponent(location.hash.replace(/^#/, ''));
    } catch (e) {
      return '';
    }
  };
  const domainURL = (name) => '/domains/' + encodeURIComponent(name);

  // List, tiles, chips and table.

  function sorted(list) {
    return list.slice().sort((a, b) => cmp(a.data_category, b.data_category) || cmp(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  function matches(d, q, category) {
    if (category !== null && (d.data_category || '') !== category) return false;
    if (!q) return true;
    return SEARCHED.some((k) => lower(d[k]).includes(q));
  }

  function renderTiles() {
    const ds = state.domains;
    $('tile-domains').textContent = String(ds.length);
    $('tile-confidential').textContent = String(ds.filter((d) => CONFIDENTIAL.has(d.confidentiality)).length);
    $('tile-pii').textContent = String(ds.filter((d) => d.pii).length);
  }

  function categories() {
    const set = new Set(state.domains.map((d) => d.data_category || ''));
    return [...set].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : cmp(a, b) || (a < b ? -1 : 1)));
  }

  function renderChips() {
    const cats = categories();
    if (state.category !== null && !cats.includes(state.category)) state.category = null;
    const box = clear($('chips'));
    const chip = (value, label, n) => el('button', {
      type: 'button', class: 'chip' + (state.category === value ? ' on' : ''),
      'aria-pressed': state.category === value ? 'true' : 'false',
      dataset: value === null ? { chip: 'all' } : { chip: 'category', category: value },
      onclick: () => { state.category = value; renderChips(); renderTable(); },
    }, label, ' ', el('span', { class: 'chip-n', text: String(n) }));
    box.append(chip(null, 'All', state.domains.length));
    for (const c of cats) {
      box.append(chip(c, c === '' ? 'Uncategorized' : c, state.domains.filter((d) => (d.data_category || '') === c).length));
    }
    const list = clear($('category-list'));
    for (const c of cats) if (c) list.append(el('option', { value: c }));
  }

  function dot(color) {
    const d = el('span', { class: 'dm-dot', 'aria-hidden': 'true' });
    // CSSOM, not a style attribute: allowed by the page's CSP.
    if (COLOR_RE.test(color || '')) d.style.backgroundColor = color;
    return d;
  }

  function person(v) {
    return el('td', { class: 'dm-person', title: v || null, text: v || '' });
  }

  function row(d) {
    const label = d.display_name || d.name;
    const wiki = d.wiki_link && /^https?:\/\//i.test(d.wiki_link)
      ? el('a', { href: d.wiki_link, target: '_blank', rel: 'noopener noreferrer', 'aria-label': 'Wiki of ' + label + ' (new tab)', text: 'Link' })
      : el('span', { class: 'muted', text: '–' });
    return el('tr', { dataset: { name: d.name } },
      el('td', { class: 'dm-code' }, dot(d.color), el('strong', { text: d.short_code || '' })),
      el('td', { class: 'dm-name' },
        el('span', { class: 'dm-display', text: label }),
        el('span', { class: 'dm-key mono', text: d.name })),
      el('td', { class: 'dm-category', text: d.data_category || '' }),
      person(d.owner), person(d.tech_custodian), person(d.business_steward),
      el('td', {}, el('span', { class: 'badge dm-conf c-' + String(d.confidentiality || '').replace(/[^a-z_]/g, ''), text: String(d.confidentiality || '').replace(/_/g, ' ') })),
      el('td', {}, d.pii ? el('span', { class: 'badge dm-pii', text: 'Yes' }) : el('span', { class: 'muted', text: 'No' })),
      el('td', { class: 'dm-help', text: d.help_channel || '' }),
      el('td', {}, wiki),
      el('td', { class: 'dm-notes', text: d.notes || '' }),
      el('td', { class: 'dm-actions' },
        el('button', { type: 'button', class: 'small secondary', 'aria-label': 'Edit domain ' + d.name, dataset: { action: 'edit' }, text: 'Edit' }),
        el('button', { type: 'button', class: 'small danger', 'aria-label': 'Delete domain ' + d.name, dataset: { action: 'delete' }, text: 'Delete' })));
  }

  function renderTable() {
    const q = lower(state.filter.trim());
    const shown = sorted(state.domains).filter((d) => matches(d, q, state.category));
    const frag = document.createDocumentFragment();
    for (const d of shown) frag.append(row(d));
    clear($('domains-body')).append(frag);
    const n = state.domains.length;
    $('shown').textContent = shown.length + ' of ' + plural(n, 'domain', 'domains');
    const empty = shown.length === 0;
    $('table-wrap').hidden = empty;
    $('empty').hidden = !empty;
    if (empty) {
      const filtered = q || state.category !== null;
      $('empty-text').textContent = filtered
        ? 'No domains match the filter.'
        : 'No domains yet. Add the first one with “+ Add domain”.';
      $('empty-clear').hidden = !filtered;
    }
  }

  function render() {
    renderTiles();
    renderChips();
    renderTable();
  }

  async function load() {
    const seq = ++state.loadSeq;
    const table = $('domains-table');
    table.setAttribute('aria-busy', 'true');
    try {
      const { data } = await api('GET', '/domains');
      if (seq !== state.loadSeq) return;
      state.domains = (data && data.domains) || [];
      state.loaded = true;
      $('error').hidden = true;
      render();
    } catch (e) {
      if (seq !== state.loadSeq) return;
      $('error-text').textContent = 'Could not load the domains: ' + e.message;
      $('error').hidden = false;
      if (!state.loaded) {
        for (const id of ['tile-domains', 'tile-confidential', 'tile-pii']) $(id).textContent = '–';
        $('table-wrap').hidden = true;
        $('empty').hidden = true;
        $('shown').textContent = '';
      }
    } finally {
      if (seq === state.loadSeq) {
        table.setAttribute('aria-busy', 'false');
        table.dataset.state = $('error').hidden ? 'ready' : 'error';
      }
    }
  }

  // Dialog helpers.

  function closeDialog(d) {
    if (d.open) d.close();
  }

  // show opens the dialog d (unless it is open); the focus goes back to
  // opener when it closes (MK.openModal).
  const show = MK.openModal;

  function fieldError(key, msg) {
    const input = $(FIELD_INPUT[key]);
    const box = $(FIELD_INPUT[key] + '-error');
    if (!input || !box) return false;
    if (msg) {
      input.setAttribute('aria-invalid', 'true');
      box.textContent = msg;
      box.hidden = false;
    } else {
      input.removeAttribute('aria-invalid');
      box.textContent = '';
      box.hidden = true;
    }
    return true;
  }

  function clearErrors() {
    for (const [k] of FIELDS) fieldError(k, '');
    $('domain-error').hidden = true;
    $('domain-conflict').hidden = true;
  }

  function formError(msg) {
    $('domain-error').textContent = msg;
    $('domain-error').hidden = false;
  }

  // Form values.

  function fill(d) {
    for (const [k, id, kind] of FIELDS) {
      const input = $(id);
      if (kind === 'bool') input.checked = !!d[k];
      else if (kind === 'id') input.value = d[k] === null || d[k] === undefined ? '' : String(d[k]);
      else input.value = d[k] === null || d[k] === undefined ? '' : String(d[k]);
    }
    // a value outside the list still shows (and is sent back unchanged).
    const sel = $('df-confidentiality');
    if (d.confidentiality && !CONFIDENTIALITIES.includes(d.confidentiality)) {
      sel.append(el('option', { value: d.confidentiality, dataset: { extra: '1' }, text: d.confidentiality }));
      sel.value = d.confidentiality;
    }
    syncPicker();
  }

  // values reads the form: strings trimmed (notes kept as typed), the id
  // as the typed text, pii as a boolean.
  function values() {
    const v = {};
    for (const [k, id, kind] of FIELDS) {
      const input = $(id);
      if (kind === 'bool') v[k] = input.checked;
      else if (k === 'notes') v[k] = input.value;
      else v[k] = input.value.trim();
    }
    return v;
  }

  const EMAIL_RE = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/;

  // validate returns {field: message} for the values the server would
  // refuse (it checks again).
  function validate(v, creating) {
    const errs = {};
    if (creating) {
      if (!v.name) errs.name = 'A name is required.';
      else if (v.name === 'ui') errs.name = '“ui” is reserved (GET /domains/ui is this page).';
      else if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(v.name)) errs.name = 'One moniker path segment: a letter or digit, then letters, digits, “_”, “-” or “.”.';
    }
    if (v.id !== '' && !/^-?\d+$/.test(v.id)) errs.id = 'A whole number, or empty.';
    if (v.short_code.length > 7) errs.short_code = 'At most 7 characters.';
    if (!COLOR_RE.test(v.color)) errs.color = 'A colour as #RRGGBB, for example #1E7B34.';
    for (const k of ['owner', 'tech_custodian', 'business_steward']) {
      if (v[k] && !EMAIL_RE.test(v[k])) errs[k] = 'An email address, or empty.';
    }
    if (!CONFIDENTIALITIES.includes(v.confidentiality) && !(state.editing && v.confidentiality === state.editing.original.confidentiality)) {
      errs.confidentiality = 'One of ' + CONFIDENTIALITIES.join(', ') + '.';
    }
    if (v.wiki_link) {
      let ok = false;
      try {
        const u = new URL(v.wiki_link);
        ok = (u.protocol === 'http:' || u.protocol === 'https:') && !!u.host;
      } catch (e) { /* not a URL */ }
      if (!ok) errs.wiki_link = 'An absolute http(s) URL, or empty.';
    }
    return errs;
  }

  // body turns form values into a JSON body: every non-empty field to
  // create, only the changed fields to update (an emptied id is null).
  function createBody(v) {
    const b = { name: v.name };
    for (const [k, , kind] of FIELDS) {
      if (k === 'name') continue;
      if (kind === 'bool') b[k] = v[k];
      else if (kind === 'id') { if (v[k] !== '') b[k] = Number(v[k]); }
      else if (v[k] !== '') b[k] = v[k];
    }
    return b;
  }

  function patchBody(v, orig) {
    const b = {};
    for (const [k, , kind] of FIELDS) {
      if (k === 'name') continue;
      const was = orig[k];
      if (kind === 'bool') {
        if (v[k] !== !!was) b[k] = v[k];
      } else if (kind === 'id') {
        const now = v[k] === '' ? null : Number(v[k]);
        if (now !== (was === undefined ? null : was)) b[k] = now;
      } else if (kind === 'color') {
        if (lower(v[k]) !== lower(was)) b[k] = v[k];
      } else if (k === 'display_name') {
        // an emptied display name falls back to the name.
        const now = v[k] || orig.name;
        if (now !== (was || orig.name)) b[k] = v[k] === '' ? null : v[k];
      } else if (v[k] !== (was || '')) {
        b[k] = v[k];
      }
    }
    return b;
  }

  // The colour picker and its hex text, kept in sync.
  function syncPicker() {
    const t = $('df-color-text').value.trim();
    if (COLOR_RE.test(t)) $('df-color').value = t.toLowerCase();
  }

  function onColorText() {
    const t = $('df-color-text').value.trim();
    if (COLOR_RE.test(t)) {
      syncPicker();
      fieldError('color', '');
    } else if (t.length >= 7 || $('df-color-text').getAttribute('aria-invalid') === 'true') {
      fieldError('color', 'A colour as #RRGGBB, for example #1E7B34.');
    }
  }

  function onColorPick() {
    $('df-color-text').value = $('df-color').value.toUpperCase();
    fieldError('color', '');
  }

  // Add and edit.

  function resetForm() {
    const form = $('domain-form');
    form.reset();
    for (const o of $('df-confidentiality').querySelectorAll('option[data-extra]')) o.remove();
    clearErrors();
  }

  function openAdd(opener) {
    state.editing = null;
    resetForm();
    $('domain-title').textContent = 'Add domain';
    $('domain-save').textContent = 'Create domain';
    $('df-name').disabled = false;
    fill({ color: DEFAULT_COLOR, confidentiality: 'internal', pii: false });
    $('domain-dialog').dataset.mode = 'add';
    show($('domain-dialog'), opener);
    $('df-name').focus();
  }

  // fetchDomain reads one domain with its ETag and moniker count.
  async function fetchDomain(name) {
    const { data, res } = await api('GET', domainURL(name));
    return { domain: data.domain, etag: res.headers.get('ETag') || '', count: data.moniker_count || 0 };
  }

  async function openEdit(name, opener) {
    const seq = ++state.editSeq;
    const from = opener || document.activeElement;
    let got;
    try {
      got = await fetchDomain(name);
    } catch (e) {
      toast('error', 'Could not open domain ' + name + ': ' + e.message);
      if (nameFromHash() === name) history.replaceState(null, '', location.pathname + location.search);
      return;
    }
    if (seq !== state.editSeq) return;
    resetForm();
    state.editing = { name, etag: got.etag, original: got.domain };
    $('domain-title').textContent = 'Edit domain ' + name;
    $('domain-save').textContent = 'Save changes';
    fill(got.domain);
    $('df-name').disabled = true;
    const dlg = $('domain-dialog');
    dlg.dataset.mode = 'edit';
    dlg.dataset.name = name;
    if (nameFromHash() !== name) history.replaceState(null, '', '#' + encodeURIComponent(name));
    show(dlg, from);
    $('df-display-name').focus();
  }

  // serverErrors puts the server's field errors next to their fields:
  // a 400 detail "field: message; field: message", or a 422 list.
  function serverErrors(e) {
    const body = e.body || {};
    const lines = [];
    if (Array.isArray(body.detail)) {
      for (const d of body.detail) {
        const loc = Array.isArray(d.loc) ? d.loc.filter((x) => x !== 'body') : [];
        lines.push([String(loc[0] || ''), String(d.msg || 'invalid')]);
      }
    } else if (typeof body.detail === 'string') {
      for (const part of body.detail.split('; ')) {
        const m = /^([a-z_]+): (.*)$/s.exec(part);
        lines.push(m && FIELD_INPUT[m[1]] ? [m[1], m[2]] : ['', part]);
      }
    }
    const named = [];
    let first = null;
    for (const [k, msg] of lines) {
      if (k && FIELD_INPUT[k] && fieldError(k, msg)) {
        named.push(LABELS[k] + ': ' + msg);
        first = first || $(FIELD_INPUT[k]);
      } else {
        named.push(msg);
      }
    }
    formError('Not saved. ' + (named.length ? named.join('\n') : e.message));
    if (first && !first.disabled) first.focus();
  }

  // showConflict explains a refused edit (412: changed since it was
  // opened; 409: changed on disk) and lists what changed meanwhile.
  async function showConflict(e) {
    const name = state.editing.name;
    $('domain-conflict-text').textContent = (e.status === 412
      ? 'Domain ' + name + ' was changed by someone else after you opened it.'
      : 'The domains file changed on disk: ' + e.message + '.') + ' Your changes were not saved.';
    const list = clear($('domain-conflict-list'));
    // The reload offer appears once the list of changes is complete.
    $('domain-conflict-reload').hidden = true;
    $('domain-conflict').setAttribute('aria-busy', 'true');
    $('domain-conflict').hidden = false;
    try {
      const { domain } = await fetchDomain(name);
      const orig = state.editing.original;
      for (const [k] of FIELDS) {
        if (JSON.stringify(domain[k]) !== JSON.stringify(orig[k])) {
          list.append(el('li', { text: LABELS[k] + ': ' + JSON.stringify(orig[k]) + ' → ' + JSON.stringify(domain[k]) }));
        }
      }
    } catch (err) {
      if (err.status === 404) {
        list.append(el('li', { text: 'The domain has been deleted.' }));
        $('domain-conflict').removeAttribute('aria-busy');
        return;
      }
      list.append(el('li', { text: 'Could not read the current version: ' + err.message }));
    }
    $('domain-conflict').removeAttribute('aria-busy');
    $('domain-conflict-reload').hidden = false;
    $('domain-conflict-reload').focus();
  }

  async function submitDomain() {
    const creating = !state.editing;
    const v = values();
    if (!creating) v.name = state.editing.name;
    for (const [k] of FIELDS) fieldError(k, '');
    $('domain-error').hidden = true;
    const errs = validate(v, creating);
    const keys = Object.keys(errs);
    if (keys.length) {
      for (const k of keys) fieldError(k, errs[k]);
      formError('Please correct ' + plural(keys.length, 'field', 'fields') + ': ' + keys.map((k) => LABELS[k]).join(', ') + '.');
      $(FIELD_INPUT[keys[0]]).focus();
      return;
    }
    const save = $('domain-save');
    save.disabled = true;
    try {
      if (creating) {
        await api('POST', '/domains', { body: createBody(v) });
        toast('success', 'Domain ' + v.name + ' created.');
      } else {
        const body = patchBody(v, state.editing.original);
        if (Object.keys(body).length === 0) {
          toast('info', 'No changes to save.');
          closeDialog($('domain-dialog'));
          return;
        }
        await api('PUT', domainURL(v.name), { body, headers: { 'If-Match': state.editing.etag } });
        toast('success', 'Domain ' + v.name + ' saved (' + Object.keys(body).map((k) => LABELS[k]).join(', ') + ').');
      }
      closeDialog($('domain-dialog'));
      await load();
      focusRow(v.name);
    } catch (e) {
      if (!creating && (e.status === 412 || e.status === 409)) {
        await showConflict(e);
      } else if (creating && e.status === 409) {
        fieldError('name', e.message);
        formError('Not saved. ' + e.message);
        $('df-name').focus();
      } else if (e.status === 400 || e.status === 422) {
        serverErrors(e);
      } else {
        formError('Not saved: ' + e.message);
      }
    } finally {
      save.disabled = false;
    }
  }

  // focusRow puts the focus on the Edit button of the domain's row, when
  // it is shown.
  function focusRow(name) {
    const b = $('domains-body').querySelector('tr[data-name="' + CSS.escape(name) + '"] button[data-action="edit"]');
    if (b) b.focus();
  }

  // Delete.

  async function openDelete(name, opener) {
    const from = opener || document.activeElement;
    let got;
    try {
      got = await fetchDomain(name);
    } catch (e) {
      toast('error', 'Could not read domain ' + name + ': ' + e.message);
      return;
    }
    state.deleting = { name, etag: got.etag, count: got.count };
    $('delete-title').textContent = 'Delete domain ' + name + '?';
    $('delete-text').textContent = got.count === 0
      ? 'No catalog monikers reference domain ' + name + '.'
      : plural(got.count, 'catalog moniker references', 'catalog monikers reference') + ' domain ' + name + '.';
    $('delete-dialog').dataset.count = String(got.count);
    $('delete-error').hidden = true;
    show($('delete-dialog'), from);
    $('delete-cancel').focus();
  }

  async function submitDelete() {
    const d = state.deleting;
    const btn = $('delete-confirm');
    btn.disabled = true;
    try {
      await api('DELETE', domainURL(d.name), { headers: { 'If-Match': d.etag } });
      closeDialog($('delete-dialog'));
      toast('success', 'Domain ' + d.name + ' deleted.');
      await load();
      // the row and its button are gone.
      if (!document.activeElement || document.activeElement === document.body) $('add-domain').focus();
    } catch (e) {
      $('delete-error').textContent = e.status === 412 || e.status === 409
        ? 'Domain ' + d.name + ' changed since this dialog opened; nothing was deleted. Close and try again.'
        : 'Not deleted: ' + e.message;
      $('delete-error').hidden = false;
    } finally {
      btn.disabled = false;
    }
  }

  // Reload from file.

  async function submitReload() {
    const btn = $('reload-confirm');
    btn.disabled = true;
    try {
      const { data } = await api('POST', '/domains/reload');
      closeDialog($('reload-dialog'));
      toast('success', (data && data.message) || 'Reloaded.');
      await load();
    } catch (e) {
      $('reload-error').textContent = 'Not reloaded: ' + e.message;
      $('reload-error').hidden = false;
    } finally {
      btn.disabled = false;
    }
  }

  // Wiring.

  function clearFilters() {
    state.filter = '';
    state.category = null;
    $('filter').value = '';
    renderChips();
    renderTable();
    $('filter').focus();
  }

  function openFromHash() {
    const name = nameFromHash();
    if (!name) return;
    const dlg = $('domain-dialog');
    if (dlg.open && state.editing && state.editing.name === name) return;
    openEdit(name, null);
  }

  function wire() {
    $('add-domain').addEventListener('click', (e) => openAdd(e.currentTarget));
    $('reload').addEventListener('click', (e) => {
      $('reload-error').hidden = true;
      show($('reload-dialog'), e.currentTarget);
      $('reload-cancel').focus();
    });
    $('retry').addEventListener('click', () => load());
    $('filter').addEventListener('input', (e) => { state.filter = e.target.value; renderTable(); });
    $('filter').addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && e.target.value) {
        e.preventDefault();
        e.target.value = '';
        state.filter = '';
        renderTable();
      }
    });
    $('empty-clear').addEventListener('click', clearFilters);
    $('domains-body').addEventListener('click', (e) => {
      const b = e.target.closest('button[data-action]');
      if (!b) return;
      const name = b.closest('tr').dataset.name;
      if (b.dataset.action === 'edit') openEdit(name, b);
      else openDelete(name, b);
    });
    $('df-color').addEventListener('input', onColorPick);
    $('df-color-text').addEventListener('input', onColorText);
    $('domain-form').addEventListener('submit', (e) => { e.preventDefault(); submitDomain(); });
    $('delete-form').addEventListener('submit', (e) => { e.preventDefault(); submitDelete(); });
    $('reload-form').addEventListener('submit', (e) => { e.preventDefault(); submitReload(); });
    $('domain-cancel').addEventListener('click', () => closeDialog($('domain-dialog')));
    $('delete-cancel').addEventListener('click', () => closeDialog($('delete-dialog')));
    $('reload-cancel').addEventListener('click', () => closeDialog($('reload-dialog')));
    $('domain-conflict-reload').addEventListener('click', () => {
      if (state.editing) openEdit(state.editing.name, null);
    });
    for (const d of [$('domain-dialog'), $('delete-dialog'), $('reload-dialog')]) {
      // The close event comes after the dialog closed: when it has been
      // opened again meanwhile, it is not about the open one.
      d.addEventListener('close', () => {
        if (d.open || d.id !== 'domain-dialog') return;
        state.editing = null;
        if (location.hash) history.replaceState(null, '', location.pathname + location.search);
      });
    }
    window.addEventListener('hashchange', openFromHash);
  }

  wire();
  load().then(openFromHash);
})();
