'use strict';
// The Catalog Config UI: a lazily rendered catalog tree, search, and a
// form that edits one node of the management working copy. Save sends
// only the fields that changed (PUT /config/nodes/{path} with If-Match),
// then persists the working copy (POST /config/save).
(() => {
  const { el, clear, api, APIError, encodePath, toast, badge } = MK;
  const $ = (id) => document.getElementById(id);

  const PAGE = 50000; // rows per /config/nodes request (the server's maximum)
  const SHOW = 300; // children rendered per "show more"
  const OWNER_FIELDS = [
    ['accountable_owner', 'Accountable owner'], ['data_specialist', 'Data specialist'], ['support_channel', 'Support channel'],
    ['adop', 'ADOP (accountable data owner)'], ['adop_name', 'ADOP name'],
    ['ads', 'ADS (data steward)'], ['ads_name', 'ADS name'],
    ['adal', 'ADAL (access lead)'], ['adal_name', 'ADAL name'],
    ['ui', 'UI link'],
  ];
  const JSON_FIELDS = [
    ['access_policy', 'Access policy', 'required_segments, min_filters, blocked_patterns, max_rows_warn, max_rows_block, cardinality_multipliers, base_row_count, denial_message, allowed_roles'],
    ['documentation', 'Documentation', 'glossary, runbook, onboarding, data_dictionary, api_docs, architecture, changelog, contact (URLs), additional {name: URL}'],
    ['schema', 'Schema', 'description, columns [{name, type, description, ...}], semantic_tags, primary_key, use_cases, examples, related_monikers, granularity, typical_row_count, update_frequency'],
    ['data_quality', 'Data quality', 'dq_owner, quality_score, validation_rules, known_issues, last_validated'],
    ['sla', 'SLA', 'freshness, availability, support_hours, escalation_contact'],
    ['freshness', 'Freshness', 'last_loaded, refresh_schedule, source_system, upstream_dependencies'],
    ['metadata', 'Metadata', 'free-form object'],
    ['extra', 'Other keys', 'keys upstream defined that this service keeps as they are (created_at, vendor, asset_class, ...)'],
  ];
  const STRING_FIELDS = ['display_name', 'description', 'domain', 'classification', 'status',
    'deprecation_message', 'successor', 'sunset_deadline', 'migration_guide_url'];

  // ---- hierarchy (the server's rule: "/" splits levels; in a path with
  // no "/", "." does) ----
  function parentOf(p) {
    let i = p.lastIndexOf('/');
    if (i >= 0) return p.slice(0, i);
    i = p.lastIndexOf('.');
    return i >= 0 ? p.slice(0, i) : '';
  }
  function nameOf(p) {
    const par = parentOf(p);
    return par === '' ? p : p.slice(par.length + 1);
  }
  function ancestors(p) {
    const out = [];
    for (let q = parentOf(p); q !== ''; q = parentOf(q)) out.unshift(q);
    return out;
  }
  const cmpFold = (a, b) => {
    const x = a.toLowerCase(), y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : (a < b ? -1 : a > b ? 1 : 0);
  };

  // canon is a stable JSON text of v (object keys sorted), for comparing
  // edited values with loaded ones.
  function canon(v) {
    if (v === undefined) v = null;
    if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
    if (v && typeof v === 'object') {
      return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canon(v[k])).join(',') + '}';
    }
    return JSON.stringify(v);
  }
  const pretty = (v) => (v === null || v === undefined ? '' : JSON.stringify(v, null, 2));

  // ---- state ----
  const tree = {
    known: new Map(), // path -> {display_name, type} for registered nodes
    kids: new Map(), // parent path ('' = root) -> Set of child paths (registered or virtual)
    sorted: new Map(), // parent path -> sorted child paths (cache)
    items: new Map(), // path -> rendered <li>
  };
  let current = null; // {path, node, etag, resolved}
  let sourceTypes = [];
  let dirty = false;

  // ---- tree ----
  function addPath(p) {
    let child = p;
    for (let par = parentOf(p); ; par = parentOf(par)) {
      let set = tree.kids.get(par);
      if (!set) tree.kids.set(par, (set = new Set()));
      const had = set.has(child);
      set.add(child);
      tree.sorted.delete(par);
      if (had || par === '') break;
      child = par;
    }
  }

  function children(p) {
    let s = tree.sorted.get(p);
    if (!s) {
      s = [...(tree.kids.get(p) || [])].sort((a, b) => cmpFold(nameOf(a), nameOf(b)));
      tree.sorted.set(p, s);
    }
    return s;
  }

  // loadTree reads every node path (summary rows, paged) and renders the
  // top level; deeper levels render when expanded.
  async function loadTree() {
    const known = new Map();
    for (let offset = 0; ; offset += PAGE) {
      const { data } = await api('GET', '/config/nodes?summary=true&limit=' + PAGE + '&offset=' + offset);
      const rows = (data && data.nodes) || [];
      for (const r of rows) {
        known.set(r.path, {
          display_name: r.display_name || '',
          type: r.source_type || (r.source_binding && r.source_binding.type) || '',
          status: r.status || '',
        });
      }
      const total = typeof data.total === 'number' ? data.total : rows.length;
      if (rows.length < PAGE || offset + rows.length >= total) break;
    }
    tree.known = known;
    tree.kids = new Map();
    tree.sorted = new Map();
    for (const p of known.keys()) addPath(p);
    $('tree-count').textContent = known.size + (known.size === 1 ? ' node' : ' nodes');
    renderRoot();
  }

  function renderRoot() {
    tree.items = new Map();
    const root = clear($('tree'));
    renderChildren('', root, SHOW);
    if (current) markCurrent(current.path);
  }

  function renderChildren(p, ul, limit) {
    const list = children(p);
    const from = ul.querySelectorAll(':scope > li[data-path]').length;
    const more = ul.querySelector(':scope > li.tree-more');
    if (more) more.remove();
    for (const c of list.slice(from, limit)) ul.append(treeItem(c));
    if (list.length > limit) {
      const rest = list.length - limit;
      ul.append(el('li', { class: 'tree-more' },
        el('button', { type: 'button', class: 'link', text: 'Show ' + Math.min(rest, SHOW) + ' more of ' + rest, onclick: () => renderChildren(p, ul, limit + SHOW) })));
    }
  }

  function treeItem(p) {
    const info = tree.known.get(p);
    const hasKids = (tree.kids.get(p) || new Set()).size > 0;
    const label = nameOf(p) + (hasKids ? '/' : '');
    const li = el('li', { dataset: { path: p } });
    const row = el('div', { class: 'tree-row' });
    if (hasKids) {
      row.append(el('button', {
        type: 'button', class: 'tree-toggle', 'aria-expanded': 'false', 'aria-label': 'Expand ' + p, text: '▸',
        onclick: (ev) => toggle(p, ev.currentTarget.getAttribute('aria-expanded') !== 'true'),
      }));
    } else {
      row.append(el('span', { class: 'tree-spacer' }));
    }
    const btn = el('button', {
      type: 'button', class: 'tree-label' + (info ? '' : ' virtual'), title: info ? p : p + ' (no node at this path)',
      onclick: () => select(p),
    }, label);
    if (info && info.type) btn.append(' ', el('span', { class: 'badge', text: info.type }));
    if (info && info.status && info.status !== 'active') btn.append(' ', badge(info.status));
    row.append(btn);
    li.append(row);
    tree.items.set(p, li);
    return li;
  }

  function toggle(p, open) {
    const li = tree.items.get(p);
    if (!li) return;
    const btn = li.querySelector(':scope > .tree-row > .tree-toggle');
    if (!btn) return;
    let ul = li.querySelector(':scope > ul');
    if (open && !ul) {
      ul = el('ul');
      li.append(ul);
      renderChildren(p, ul, SHOW);
    }
    if (ul) ul.hidden = !open;
    btn.setAttribute('aria-expanded', String(open));
    btn.setAttribute('aria-label', (open ? 'Collapse ' : 'Expand ') + p);
    btn.textContent = open ? '▾' : '▸';
  }

  // reveal expands p's ancestors (rendering as needed) and returns p's item.
  function reveal(p) {
    for (const a of ancestors(p)) {
      if (!tree.items.has(a)) return null;
      toggle(a, true);
      if (!tree.items.has(p) && parentOf(p) === a) {
        // p sits beyond the rendered part of a long child list.
        const ul = tree.items.get(a).querySelector(':scope > ul');
        const idx = children(a).indexOf(p);
        if (ul && idx >= 0) renderChildren(a, ul, idx + SHOW);
      }
    }
    if (!tree.items.has(p) && parentOf(p) === '') {
      const idx = children('').indexOf(p);
      if (idx >= 0) renderChildren('', $('tree'), idx + SHOW);
    }
    return tree.items.get(p) || null;
  }

  function markCurrent(p) {
    for (const b of document.querySelectorAll('.tree-label[aria-current]')) b.removeAttribute('aria-current');
    const li = reveal(p);
    if (!li) return;
    const b = li.querySelector(':scope > .tree-row > .tree-label');
    b.setAttribute('aria-current', 'true');
    b.scrollIntoView({ block: 'nearest' });
  }

  // ---- node form ----
  function field(id) { return $('f-' + id); }

  function buildForm() {
    const own = $('ownership-fields');
    for (const [k, label] of OWNER_FIELDS) {
      own.append(el('div', {},
        el('label', { for: 'f-own-' + k, text: label }),
        el('input', { id: 'f-own-' + k, 'data-owner': k, type: k === 'ui' ? 'url' : 'text', 'aria-describedby': 'inh-' + k }),
        el('p', { class: 'inherited', id: 'inh-' + k, hidden: true })));
    }
    const js = $('json-fields');
    for (const [k, label, hint] of JSON_FIELDS) {
      js.append(el('div', { class: 'wide' },
        el('label', { for: 'f-' + k, text: label }),
        el('textarea', { id: 'f-' + k, class: 'code', rows: 4, spellcheck: 'false', 'data-json': k, 'aria-describedby': 'h-' + k }),
        el('p', { class: 'hint', id: 'h-' + k, text: 'JSON object, empty for none. Keys: ' + hint + '.' })));
    }
    $('node-form').addEventListener('input', onEdit);
    $('node-form').addEventListener('change', onEdit);
    $('node-form').addEventListener('submit', (ev) => { ev.preventDefault(); save(); });
    $('revert').addEventListener('click', () => { if (current) fill(current); });
    $('delete').addEventListener('click', remove);
    $('f-source_type').addEventListener('change', onTypeChange);
  }

  function onEdit(ev) {
    if (ev && ev.target && ev.target.hasAttribute('aria-invalid')) ev.target.removeAttribute('aria-invalid');
    setDirty(Object.keys(collect(true).body).length > 0);
  }

  function setDirty(d) {
    dirty = d;
    $('dirty-note').hidden = !d;
  }

  function fill(cur) {
    const n = cur.node;
    $('empty').hidden = true;
    $('node-form').hidden = false;
    $('node-title').textContent = n.display_name || nameOf(n.path);
    clear($('node-status')).append(badge(n.status || 'active'));
    $('node-uri').textContent = 'moniker://' + n.path;
    $('pending-banner').hidden = n.status !== 'pending_review';
    field('path').value = n.path;
    for (const k of STRING_FIELDS) {
      const f = field(k);
      f.disabled = !(k in n);
      if (f.tagName === 'SELECT' && n[k] && ![...f.options].some((o) => o.value === n[k])) {
        f.append(el('option', { value: n[k], text: n[k] }));
      }
      f.value = n[k] === null || n[k] === undefined ? '' : String(n[k]);
    }
    if (!n.status) field('status').value = 'active';
    field('tags').value = (n.tags || []).join(', ');
    const own = n.ownership || {};
    const res = cur.resolved || {};
    for (const [k] of OWNER_FIELDS) {
      const f = $('f-own-' + k);
      f.value = own[k] || '';
      const inh = $('inh-' + k);
      const src = res[k + '_source'];
      if (!own[k] && res[k]) {
        f.placeholder = 'Inherited: ' + res[k];
        inh.textContent = 'inherited from ' + (src || 'an ancestor');
        inh.hidden = false;
      } else {
        f.placeholder = '';
        inh.hidden = true;
      }
    }
    const b = n.source_binding;
    ensureTypeOption(b && b.type);
    $('f-source_type').value = b ? b.type : '';
    $('f-read_only').checked = b ? b.read_only !== false : true;
    // A string query gets a textarea of its own (real line breaks).
    const cfg = Object.assign({}, (b && b.config) || {});
    cur.queryApart = typeof cfg.query === 'string';
    $('f-binding_query').value = cur.queryApart ? cfg.query : '';
    if (cur.queryApart) delete cfg.query;
    $('f-binding_config').value = b ? pretty(cfg) : '';
    $('sec-binding').open = !!b;
    showTypeHints();
    for (const [k] of JSON_FIELDS) {
      const f = field(k);
      f.disabled = !(k in n);
      const v = n[k];
      f.value = v === null || v === undefined || (typeof v === 'object' && Object.keys(v).length === 0) ? '' : pretty(v);
    }
    for (const f of document.querySelectorAll('#node-form [aria-invalid]')) f.removeAttribute('aria-invalid');
    setDirty(false);
  }

  // collect compares the form with the loaded node and returns the body
  // of a PUT that changes exactly what was edited (an explicit null
  // clears a field), plus the fields whose input is invalid.
  function collect(quiet) {
    const n = current.node;
    const body = {};
    const errors = [];
    const str = (v) => (v.trim() === '' ? null : v);
    for (const k of STRING_FIELDS) {
      const f = field(k);
      if (f.disabled) continue;
      let v = k === 'description' ? f.value : f.value.trim();
      v = str(v);
      const was = n[k] === undefined || n[k] === '' ? null : n[k];
      if (k === 'display_name' && v === null && was === nameOf(n.path)) continue;
      if (k === 'status' && v === (was || 'active')) continue;
      if (v !== was) body[k] = v;
    }
    const tags = [...new Set(field('tags').value.split(',').map((t) => t.trim()).filter(Boolean))];
    if (canon([...tags].sort()) !== canon([...(n.tags || [])].sort())) body.tags = tags;

    const own = {};
    let anyOwn = false;
    for (const [k] of OWNER_FIELDS) {
      own[k] = str($('f-own-' + k).value.trim());
      if (own[k] !== null) anyOwn = true;
    }
    const oldOwn = {};
    for (const [k] of OWNER_FIELDS) oldOwn[k] = (n.ownership && n.ownership[k]) || null;
    if (canon(own) !== canon(oldOwn)) body.ownership = anyOwn ? own : null;

    const type = $('f-source_type').value;
    const old = n.source_binding || null;
    if (type === '') {
      if (old) body.source_binding = null;
    } else {
      let config = {};
      const text = $('f-binding_config').value.trim();
      if (text !== '') {
        try {
          config = JSON.parse(text);
          if (!config || typeof config !== 'object' || Array.isArray(config)) throw new Error('not an object');
        } catch (e) {
          errors.push(['f-binding_config', 'Source binding config: ' + e.message]);
          config = null;
        }
      }
      const query = $('f-binding_query').value;
      if (config && query.trim() !== '') {
        if (!current.queryApart && 'query' in config) {
          errors.push(['f-binding_query', 'Query template: the config JSON has a query too; keep one of them']);
          config = null;
        } else {
          config.query = query;
        }
      }
      if (config) {
        const nb = Object.assign({}, old || {}, { type, config, read_only: $('f-read_only').checked });
        if (canon(nb) !== canon(old)) body.source_binding = nb;
      }
    }

    for (const [k, label] of JSON_FIELDS) {
      const f = field(k);
      if (f.disabled) continue;
      const text = f.value.trim();
      let v = null;
      if (text !== '') {
        try {
          v = JSON.parse(text);
          if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
        } catch (e) {
          errors.push(['f-' + k, label + ': ' + e.message]);
          continue;
        }
      }
      let was = n[k] === undefined ? null : n[k];
      if (k === 'metadata' || k === 'extra') {
        if (v === null) v = {};
        if (was === null) was = {};
      }
      if (canon(v) !== canon(was)) body[k] = v;
    }
    if (!quiet) {
      for (const [id] of errors) $(id).setAttribute('aria-invalid', 'true');
    }
    return { body, errors };
  }

  // ---- source types ----
  function ensureTypeOption(t) {
    const sel = $('f-source_type');
    if (t && ![...sel.options].some((o) => o.value === t)) sel.append(el('option', { value: t, text: t }));
  }

  function showTypeHints() {
    const box = clear($('type-hints'));
    const st = sourceTypes.find((s) => s.type === $('f-source_type').value);
    box.hidden = !st;
    if (!st) return;
    const mode = st.execution_mode === 'server' ? 'Server proxies' : st.execution_mode === 'client' ? 'Client executes' : st.execution_mode;
    box.append(el('p', {}, el('strong', { text: (st.display_name || st.type) + (mode ? ' · ' + mode : '') }), st.execution_hint ? ' — ' + st.execution_hint : ''));
    const fields = Object.entries(st.config_schema || {});
    if (fields.length) {
      const ul = el('ul');
      for (const [name, f] of fields) {
        const bits = [f.type || 'string'];
        if (f.required) bits.push('required');
        if (Array.isArray(f.options) && f.options.length) bits.push('one of ' + f.options.join(', '));
        ul.append(el('li', {}, el('code', { text: name }), ' (' + bits.join(', ') + ')', f.description ? ': ' + f.description : ''));
      }
      box.append(el('span', { text: 'Config keys:' }), ul);
    }
  }

  function onTypeChange() {
    const cfg = $('f-binding_config');
    const st = sourceTypes.find((s) => s.type === $('f-source_type').value);
    const text = cfg.value.trim();
    if (st && (text === '' || text === '{}')) {
      // Start an empty config with the type's required keys.
      const skel = {};
      for (const [name, f] of Object.entries(st.config_schema || {})) if (f.required) skel[name] = '';
      cfg.value = pretty(skel);
    }
    showTypeHints();
    onEdit();
  }

  async function loadSourceTypes() {
    try {
      const { data } = await api('GET', '/config/source-types');
      sourceTypes = (data && data.source_types) || [];
      const sel = $('f-source_type');
      for (const s of sourceTypes) sel.append(el('option', { value: s.type, text: s.display_name ? s.display_name + ' (' + s.type + ')' : s.type }));
    } catch (e) {
      toast('error', 'Could not load the source types: ' + e.message);
    }
  }

  async function loadDomains() {
    try {
      const { data } = await api('GET', '/domains');
      const dl = clear($('domain-list'));
      for (const d of (data && data.domains) || []) dl.append(el('option', { value: d.name, label: d.display_name || d.name }));
    } catch (e) { /* the domain list is only a convenience */ }
  }

  // ---- selecting, saving, deleting ----
  function confirmDiscard() {
    return !dirty || window.confirm('Discard the unsaved changes to ' + current.path + '?');
  }

  async function select(p, opts = {}) {
    if (!opts.force && current && p === current.path && !dirty) return;
    if (!opts.force && !confirmDiscard()) return;
    if (!tree.known.has(p) && !opts.force) {
      showVirtual(p);
      return;
    }
    try {
      const { data, res } = await api('GET', '/config/nodes/' + encodePath(p));
      current = { path: p, node: data.node, resolved: data.resolved_ownership, etag: res.headers.get('ETag') };
      fill(current);
      markCurrent(p);
      setHash(p);
    } catch (e) {
      if (e instanceof APIError && e.status === 404) {
        showVirtual(p);
      } else {
        toast('error', e.message);
      }
    }
  }

  function showVirtual(p) {
    current = null;
    setDirty(false);
    $('node-form').hidden = true;
    const box = clear($('empty'));
    box.hidden = false;
    box.append(el('p', {}, 'There is no node at ', el('code', { text: p }), '.'),
      el('button', { type: 'button', text: 'Create ' + p, onclick: () => openCreate(p) }));
    markCurrent(p);
    setHash(p);
  }

  function setHash(p) {
    const h = '#' + encodePath(p);
    if (location.hash !== h) history.replaceState(null, '', h);
  }

  function pathFromHash() {
    try { return decodeURIComponent(location.hash.slice(1)); } catch (e) { return ''; }
  }

  // conflictPaths finds the conflicting node paths in a 409 body.
  function conflictPaths(body) {
    for (const k of ['paths', 'conflicts', 'keys']) if (body && Array.isArray(body[k])) return body[k];
    return [];
  }

  // persist is POST /config/save; a 409 opens the conflict dialog.
  async function persist() {
    try {
      const { data } = await api('POST', '/config/save');
      toast('success', (data && data.message) || 'Saved');
      return true;
    } catch (e) {
      if (e instanceof APIError && e.status === 409) {
        showConflict(e);
      } else {
        toast('error', 'Save failed: ' + e.message);
      }
      return false;
    }
  }

  function showConflict(e) {
    $('conflict-text').textContent = e.message;
    const ul = clear($('conflict-paths'));
    for (const p of conflictPaths(e.body)) ul.append(el('li', { text: p }));
    $('conflict-dialog').showModal();
  }

  async function save() {
    if (!current) return;
    const { body, errors } = collect(false);
    if (errors.length) {
      toast('error', errors.map((x) => x[1]).join('\n'));
      $(errors[0][0]).focus();
      return;
    }
    if (Object.keys(body).length === 0) {
      toast('info', 'No changes to save.');
      return;
    }
    const p = current.path;
    $('save').disabled = true;
    try {
      const headers = current.etag ? { 'If-Match': current.etag } : {};
      await api('PUT', '/config/nodes/' + encodePath(p), { body, headers });
    } catch (e) {
      $('save').disabled = false;
      if (e instanceof APIError && e.status === 412) {
        toast('error', 'This node was changed since you opened it: ' + e.message, [{ label: 'Reload node', run: () => select(p, { force: true }) }]);
      } else {
        markServerErrors(e);
        toast('error', 'Not saved: ' + e.message);
      }
      return;
    }
    setDirty(false);
    await persist();
    $('save').disabled = false;
    const info = tree.known.get(p);
    if (info) {
      if ('display_name' in body) info.display_name = body.display_name || '';
      if ('source_binding' in body) info.type = body.source_binding ? body.source_binding.type : '';
      if ('status' in body) info.status = body.status || '';
      refreshItem(p);
    }
    await select(p, { force: true });
  }

  // markServerErrors flags the inputs a 422 body names.
  function markServerErrors(e) {
    if (!(e instanceof APIError) || !e.body || !Array.isArray(e.body.detail)) return;
    for (const d of e.body.detail) {
      // loc may list the keys or spell a JSON path ("access_policy.blocked_patterns[1]").
      const loc = (d.loc || []).filter((x) => x !== 'body').flatMap((x) => String(x).split('.')).map((x) => x.replace(/\[\d+\]$/, ''));
      let f = null;
      if (loc[0] === 'ownership' && loc[1]) f = $('f-own-' + loc[1]);
      else if (loc[0] === 'source_binding') {
        f = loc[1] === 'type' ? $('f-source_type') : loc[2] === 'query' && current.queryApart ? $('f-binding_query') : $('f-binding_config');
      }
      else if (loc[0]) f = $('f-' + loc[0]);
      if (f) f.setAttribute('aria-invalid', 'true');
    }
  }

  function refreshItem(p) {
    const li = tree.items.get(p);
    if (!li) return;
    const open = li.querySelector(':scope > .tree-row > .tree-toggle[aria-expanded="true"]');
    const fresh = treeItem(p);
    li.replaceWith(fresh);
    if (open) toggle(p, true);
  }

  async function remove() {
    if (!current) return;
    const p = current.path;
    if (!window.confirm('Delete the node ' + p + '? This is saved to the catalog file at once.')) return;
    try {
      const headers = current.etag ? { 'If-Match': current.etag } : {};
      await api('DELETE', '/config/nodes/' + encodePath(p), { headers });
    } catch (e) {
      toast('error', 'Not deleted: ' + e.message);
      return;
    }
    setDirty(false);
    if (await persist()) toast('success', 'Deleted ' + p);
    current = null;
    await reloadTree();
    showVirtual(p);
  }

  // ---- create ----
  function openCreate(prefill) {
    if (!confirmDiscard()) return;
    $('create-error').hidden = true;
    $('create-path').value = typeof prefill === 'string' ? prefill : (current ? current.path + '/' : '');
    $('create-dialog').showModal();
    $('create-path').focus();
  }

  async function create(ev) {
    ev.preventDefault();
    const p = $('create-path').value.trim();
    const err = $('create-error');
    if (p === '') {
      err.textContent = 'Enter a path.';
      err.hidden = false;
      return;
    }
    try {
      await api('POST', '/config/nodes', { body: { path: p } });
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
      return;
    }
    $('create-dialog').close();
    setDirty(false);
    if (await persist()) toast('success', 'Created ' + p);
    await reloadTree();
    await select(p, { force: true });
  }

  // ---- search ----
  let searchTimer = 0;
  let searchSeq = 0;

  function closeResults() {
    $('search-results').hidden = true;
    $('search').setAttribute('aria-expanded', 'false');
  }

  async function search() {
    const q = $('search').value.trim();
    const seq = ++searchSeq;
    if (q.length < 2) {
      closeResults();
      return;
    }
    let data;
    try {
      ({ data } = await api('GET', '/config/search?q=' + encodeURIComponent(q)));
    } catch (e) {
      toast('error', 'Search failed: ' + e.message);
      return;
    }
    if (seq !== searchSeq) return; // a newer query is on its way
    const ul = clear($('search-results'));
    const results = (data && data.results) || [];
    for (const r of results) {
      ul.append(el('li', {}, el('button', {
        type: 'button',
        onclick: () => { closeResults(); select(r.path); },
      }, el('span', { text: r.display_name || nameOf(r.path) }), el('span', { class: 'r-path', text: r.path + (r.match ? ' · ' + r.match : '') }))));
    }
    const total = data && typeof data.total === 'number' ? data.total : results.length;
    if (results.length === 0) ul.append(el('li', { class: 'r-note', text: 'No match.' }));
    else if (total > results.length) ul.append(el('li', { class: 'r-note', text: 'Showing ' + results.length + ' of ' + total + '; refine the search.' }));
    ul.hidden = false;
    $('search').setAttribute('aria-expanded', 'true');
  }

  function setupSearch() {
    const input = $('search');
    input.addEventListener('input', () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(search, 200);
    });
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') closeResults();
      if (ev.key === 'ArrowDown') {
        const first = $('search-results').querySelector('button');
        if (first && !$('search-results').hidden) { ev.preventDefault(); first.focus(); }
      }
      if (ev.key === 'Enter') { ev.preventDefault(); clearTimeout(searchTimer); search(); }
    });
    $('search-results').addEventListener('keydown', (ev) => {
      const btns = [...$('search-results').querySelectorAll('button')];
      const i = btns.indexOf(document.activeElement);
      if (ev.key === 'ArrowDown' && i < btns.length - 1) { ev.preventDefault(); btns[i + 1].focus(); }
      if (ev.key === 'ArrowUp') { ev.preventDefault(); (i > 0 ? btns[i - 1] : input).focus(); }
      if (ev.key === 'Escape') { closeResults(); input.focus(); }
    });
    document.addEventListener('click', (ev) => {
      if (!ev.target.closest('.search')) closeResults();
    });
  }

  // ---- reload ----
  async function reloadTree() {
    try {
      await loadTree();
    } catch (e) {
      $('tree-count').textContent = 'Could not load the catalog.';
      toast('error', 'Could not load the catalog: ' + e.message);
    }
  }

  // reloadFromFile re-reads the catalog file and drops this process's
  // changes that are not in the file (after a conflict, the conflicting
  // ones).
  async function reloadFromFile(ask = true) {
    if (ask && !window.confirm('Reload the catalog from its file? Changes not saved to the file are dropped.')) return;
    try {
      const { data } = await api('POST', '/config/reload?discard=true');
      toast('success', (data && data.message) || 'Reloaded');
    } catch (e) {
      toast('error', 'Reload failed: ' + e.message);
      return;
    }
    setDirty(false);
    await reloadTree();
    if (current) await select(current.path, { force: true });
  }

  // ---- start ----
  function start() {
    buildForm();
    setupSearch();
    $('new-node').addEventListener('click', () => openCreate());
    $('reload').addEventListener('click', () => reloadFromFile(true));
    $('collapse-all').addEventListener('click', renderRoot);
    $('create-form').addEventListener('submit', create);
    $('create-cancel').addEventListener('click', () => $('create-dialog').close());
    $('conflict-close').addEventListener('click', () => $('conflict-dialog').close());
    $('conflict-reload').addEventListener('click', () => { $('conflict-dialog').close(); setDirty(false); reloadFromFile(false); });
    window.addEventListener('beforeunload', (ev) => { if (dirty) ev.preventDefault(); });
    window.addEventListener('hashchange', () => {
      const p = pathFromHash();
      if (p && (!current || p !== current.path)) select(p);
    });
    Promise.all([loadSourceTypes(), loadDomains(), reloadTree()]).then(() => {
      const p = pathFromHash();
      if (p) select(p, { force: true });
    });
  }

  start();
})();
