'use strict';
// The Catalog Config UI: an ARIA tree of the catalog read one level at a
// time (GET /config/nodes?summary=true&parent=), search, a text filter and
// domain-category chips, and a form that edits one node of the management
// working copy. Save sends only the fields that changed (PUT
// /config/nodes/{path} with If-Match), then persists the working copy
// (POST /config/save); a 409 shows which fields changed on disk.
(() => {
  const { el, clear, api, APIError, encodePath, toast, badge, openModal, treeFocus, treeKeys } = MK;
  const $ = (id) => document.getElementById(id);

  const SHOW = 300; // children rendered per "show more"
  const FILTER_MAX = 1000; // matches the text filter shows
  const OWNER_FIELDS = [
    ['accountable_owner', 'Accountable owner'], ['data_specialist', 'Data specialist'], ['support_channel', 'Support channel'],
    ['adop', 'ADOP (accountable data owner)'], ['adop_name', 'ADOP name'],
    ['ads', 'ADS (data steward)'], ['ads_name', 'ADS name'],
    ['adal', 'ADAL (access lead)'], ['adal_name', 'ADAL name'],
    ['ui', 'UI link'],
  ];
  // Structured objects edited as labelled fields; keys not listed stay in
  // an "other keys" JSON box.
  const STRUCTS = {
    access_policy: {
      box: 'access-fields', label: 'Access policy',
      fields: [
        ['min_filters', 'Minimum filters', 'int', 'Segments that must be filtered (not ALL) before a query runs.'],
        ['base_row_count', 'Base row count', 'int', 'Rows estimated for an unfiltered query.'],
        ['max_rows_warn', 'Max rows (warn)', 'int', 'Estimated rows above which the answer carries a warning.'],
        ['max_rows_block', 'Max rows (block)', 'int', 'Estimated rows above which the query is refused.'],
        ['require_confirmation_above', 'Confirm above rows', 'int', 'Estimated rows above which a client must confirm.'],
        ['required_segments', 'Required segments', 'ints', 'Comma-separated segment indexes that must be given.'],
        ['allowed_roles', 'Allowed roles', 'list', 'Comma-separated roles; empty for everyone.'],
        ['denial_message', 'Denial message', 'text', 'Shown when a query is refused.'],
      ],
    },
    documentation: {
      box: 'docs-fields', label: 'Documentation',
      fields: [
        ['glossary', 'Glossary', 'url'], ['runbook', 'Runbook', 'url'], ['onboarding', 'Onboarding', 'url'],
        ['data_dictionary', 'Data dictionary', 'url'], ['api_docs', 'API docs', 'url'], ['architecture', 'Architecture', 'url'],
        ['changelog', 'Changelog', 'url'], ['contact', 'Contact', 'url'],
      ],
    },
  };
  const JSON_FIELDS = [
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
  // compact drops null, empty-list and empty-object values of an object;
  // null when nothing is left.
  function compact(o) {
    if (!o || typeof o !== 'object' || Array.isArray(o)) return o === undefined ? null : o;
    const out = {};
    for (const [k, v] of Object.entries(o)) {
      if (v === null || v === undefined || v === '') continue;
      if (Array.isArray(v) && v.length === 0) continue;
      if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
      out[k] = v;
    }
    return Object.keys(out).length ? out : null;
  }

  // ---- state ----
  const rows = new Map(); // path -> tree row (GET /config/nodes?parent=)
  const kids = new Map(); // parent path ('' = top level) -> child paths, once loaded
  let domains = new Map(); // domain name -> record
  let category = ''; // the chosen category chip ('' = all)
  let filter = null; // {term, paths: Set, matches: Set, total}
  let current = null; // {path, node, etag, resolved, queryApart}
  let sourceTypes = [];
  let placeholders = [];
  let tags = [];
  let dirty = false;
  const treeEl = () => $('tree');

  // ---- API state banner ----
  function apiDown(e) {
    const b = $('api-banner');
    b.textContent = 'The management API is not answering (' + e.message + '). Check that monikerd is running, then reload the page.';
    b.hidden = false;
  }
  function apiUp() { $('api-banner').hidden = true; }

  // ---- domains and categories ----
  // domainOf is the domain of a top-level entry: its node's domain, else
  // its first segment.
  function domainOf(p) {
    const r = rows.get(p);
    if (r && r.domain) return r.domain;
    return p.split(/[./]/)[0];
  }
  function categoryOf(p) {
    const d = domains.get(domainOf(p));
    return (d && d.data_category) || 'Uncategorized';
  }

  async function loadDomains() {
    try {
      const { data } = await api('GET', '/domains');
      const list = (data && data.domains) || [];
      domains = new Map(list.map((d) => [d.name, d]));
      const dl = clear($('domain-list'));
      for (const d of list) dl.append(el('option', { value: d.name, label: d.display_name || d.name }));
    } catch (e) {
      domains = new Map(); // without domains there are no badges or chips
    }
    renderChips();
  }

  function renderChips() {
    const box = clear($('chips'));
    const cats = [...new Set([...domains.values()].map((d) => d.data_category || 'Uncategorized'))];
    if (!cats.includes('Uncategorized')) cats.push('Uncategorized');
    cats.sort(cmpFold);
    box.hidden = domains.size === 0;
    if (box.hidden) return;
    for (const c of ['', ...cats]) {
      box.append(el('button', {
        type: 'button', class: 'chip', 'aria-pressed': String(c === category), text: c || 'All',
        onclick: () => { category = c; renderChips(); applyChips(); },
      }));
    }
  }

  // applyChips hides the top-level entries outside the chosen category.
  function applyChips() {
    for (const li of treeEl().querySelectorAll(':scope > [role=treeitem]')) {
      li.toggleAttribute('data-cat-hidden', category !== '' && categoryOf(li.dataset.path) !== category);
    }
    fixTabStop();
  }

  // ---- tree ----
  async function fetchChildren(p) {
    const { data } = await api('GET', '/config/nodes?summary=true&parent=' + encodeURIComponent(p));
    const list = (data && data.nodes) || [];
    for (const r of list) rows.set(r.path, r);
    const paths = list.map((r) => r.path);
    kids.set(p, paths);
    return paths;
  }

  async function loadTree() {
    const tree = clear(treeEl());
    tree.setAttribute('aria-busy', 'true');
    $('tree-error').hidden = true;
    kids.clear();
    try {
      const top = await fetchChildren('');
      apiUp();
      $('tree-count').textContent = top.length + (top.length === 1 ? ' top-level entry' : ' top-level entries');
      if (top.length === 0) {
        tree.append(el('li', { role: 'none', class: 'empty-state', text: 'The catalog is empty. Create a node with “+ New node”.' }));
      }
      renderLevel(tree, '', top, 1, SHOW);
      applyChips();
    } catch (e) {
      $('tree-count').textContent = '';
      const box = $('tree-error');
      clear(box).append('Could not load the catalog: ' + e.message + ' ',
        el('button', { type: 'button', class: 'secondary small', text: 'Retry', onclick: loadTree }));
      box.hidden = false;
      if (!(e instanceof APIError)) apiDown(e);
    } finally {
      tree.removeAttribute('aria-busy');
    }
    if (filter) await applyFilter(filter.term);
  }

  // renderLevel appends list's items (from the ones already there up to
  // limit) and a "show more" entry for the rest.
  function renderLevel(ul, parent, list, level, limit) {
    const from = ul.querySelectorAll(':scope > [role=treeitem]').length;
    const more = ul.querySelector(':scope > .tree-more');
    if (more) more.remove();
    for (const c of list.slice(from, limit)) ul.append(treeItem(c, level));
    if (list.length > limit) {
      const rest = list.length - limit;
      ul.append(el('li', { role: 'none', class: 'tree-more' },
        el('button', {
          type: 'button', class: 'link', text: 'Show ' + Math.min(rest, SHOW) + ' more of ' + rest,
          onclick: () => { renderLevel(ul, parent, list, level, limit + SHOW); if (parent === '') applyChips(); },
        })));
    }
  }

  // treeItem renders one entry; children are fetched on first expand
  // (in filter mode they are given).
  function treeItem(p, level, filtered) {
    const r = rows.get(p);
    const virtual = r ? r.virtual : false;
    const hasKids = filtered ? filtered.has(p) : !r || r.child_count > 0;
    const li = el('li', {
      role: 'treeitem', 'aria-level': String(level), 'aria-selected': 'false', tabindex: '-1',
      'aria-expanded': hasKids ? 'false' : null, dataset: { path: p },
    });
    const label = el('span', { class: 'tree-label' + (virtual ? ' virtual' : '') + (filter && filter.matches.has(p) ? ' match' : '') });
    label.append(el('span', { class: 'name', text: nameOf(p) + (hasKids ? '/' : '') }));
    const row = el('div', { class: 'tree-row', title: virtual ? p + ' (no node at this path)' : p },
      el('span', { class: 'twisty', 'aria-hidden': 'true' }), label);
    if (level === 1) {
      const d = domains.get(domainOf(p));
      if (d && d.short_code) {
        label.append(' ', el('span', { class: 'badge domain-badge', title: 'Domain ' + (d.display_name || d.name), text: d.short_code }));
      } else if (!d && domains.size > 0) {
        label.append(' ', el('span', { class: 'no-domain', title: 'No domain mapping configured', text: 'no domain' }));
      }
    }
    if (r && r.source_type) label.append(' ', el('span', { class: 'badge', text: r.source_type }));
    if (r && r.status && r.status !== 'active') label.append(' ', badge(r.status));
    row.addEventListener('click', (ev) => {
      focusItem(li);
      if (ev.target.classList.contains('twisty')) toggle(li);
      else select(p);
    });
    li.append(row);
    if (current && current.path === p) li.setAttribute('aria-selected', 'true');
    return li;
  }

  async function expand(li) {
    if (li.getAttribute('aria-expanded') !== 'false') return;
    let group = li.querySelector(':scope > ul');
    if (!group) {
      const p = li.dataset.path;
      li.setAttribute('aria-busy', 'true');
      try {
        const list = kids.get(p) || await fetchChildren(p);
        if (list.length === 0) {
          li.removeAttribute('aria-expanded');
          return;
        }
        group = el('ul', { role: 'group' });
        renderLevel(group, p, list, Number(li.getAttribute('aria-level')) + 1, SHOW);
        li.append(group);
      } catch (e) {
        toast('error', 'Could not load the children of ' + p + ': ' + e.message);
        return;
      } finally {
        li.removeAttribute('aria-busy');
      }
    }
    group.hidden = false;
    li.setAttribute('aria-expanded', 'true');
  }

  function collapse(li) {
    if (li.getAttribute('aria-expanded') !== 'true') return;
    const group = li.querySelector(':scope > ul');
    if (group) group.hidden = true;
    li.setAttribute('aria-expanded', 'false');
    if (li.contains(document.activeElement) && document.activeElement !== li) focusItem(li);
  }

  function toggle(li) {
    if (li.getAttribute('aria-expanded') === 'true') collapse(li);
    else expand(li);
  }

  // visibleItems lists the tree items not inside a collapsed group and
  // not hidden by a chip.
  function visibleItems() {
    return [...treeEl().querySelectorAll('[role=treeitem]')].filter((li) => !li.closest('ul[hidden], [data-cat-hidden]'));
  }

  // fixTabStop keeps exactly one visible item in the tab order.
  function fixTabStop() {
    const items = visibleItems();
    const stop = treeEl().querySelector('[role=treeitem][tabindex="0"]');
    if (stop && items.includes(stop)) return;
    if (stop) stop.setAttribute('tabindex', '-1');
    const sel = items.find((li) => li.getAttribute('aria-selected') === 'true');
    if (sel || items[0]) (sel || items[0]).setAttribute('tabindex', '0');
  }

  // focusItem makes li the tree's single tab stop and focuses it.
  function focusItem(li) { treeFocus(treeEl(), li); }

  function onTreeKey(ev) {
    treeKeys(ev, { items: visibleItems, focus: focusItem, expand, collapse, activate: (li) => select(li.dataset.path) });
  }

  function itemOf(p) {
    for (const li of treeEl().querySelectorAll('[role=treeitem]')) if (li.dataset.path === p) return li;
    return null;
  }

  // reveal expands p's ancestors (fetching levels as needed) and returns
  // p's item, or null when p is not in the tree.
  async function reveal(p) {
    if (filter) return itemOf(p);
    let ul = treeEl();
    for (const a of [...ancestors(p), p]) {
      const par = parentOf(a);
      const list = kids.get(par) || [];
      const idx = list.indexOf(a);
      if (idx < 0) return null;
      renderLevel(ul, par, list, ancestors(a).length + 1, Math.max(idx + 1, ul.querySelectorAll(':scope > [role=treeitem]').length));
      if (par === '') applyChips();
      const li = [...ul.querySelectorAll(':scope > [role=treeitem]')].find((x) => x.dataset.path === a);
      if (!li) return null;
      if (a === p) return li;
      await expand(li);
      ul = li.querySelector(':scope > ul');
      if (!ul) return null;
    }
    return null;
  }

  async function markCurrent(p) {
    for (const o of treeEl().querySelectorAll('[aria-selected="true"]')) o.setAttribute('aria-selected', 'false');
    const li = await reveal(p);
    if (!li) return;
    li.setAttribute('aria-selected', 'true');
    for (const o of treeEl().querySelectorAll('[role=treeitem][tabindex="0"]')) o.setAttribute('tabindex', '-1');
    li.setAttribute('tabindex', '0');
    li.scrollIntoView({ block: 'nearest' });
  }

  // ---- text filter ----
  // applyFilter shows only the nodes matching term (server search, at most
  // FILTER_MAX) and their ancestors, expanded; the category chips still
  // apply to the top level.
  async function applyFilter(term) {
    let data;
    try {
      ({ data } = await api('GET', '/config/search?limit=' + FILTER_MAX + '&q=' + encodeURIComponent(term)));
    } catch (e) {
      toast('error', 'Filter failed: ' + e.message);
      return;
    }
    const results = (data && data.results) || [];
    const matches = new Set(results.map((r) => r.path));
    const tree = new Map(); // parent -> Set of children
    for (const p of matches) {
      let child = p;
      for (let par = parentOf(p); ; par = parentOf(par)) {
        if (!tree.has(par)) tree.set(par, new Set());
        const had = tree.get(par).has(child);
        tree.get(par).add(child);
        if (had || par === '') break;
        child = par;
      }
    }
    filter = { term, matches, total: data.total || 0, tree };
    const root = clear(treeEl());
    const build = (ul, par, level) => {
      for (const c of [...(tree.get(par) || [])].sort((a, b) => cmpFold(nameOf(a), nameOf(b)))) {
        const li = treeItem(c, level, tree);
        if (tree.has(c)) {
          const group = el('ul', { role: 'group' });
          build(group, c, level + 1);
          li.append(group);
          li.setAttribute('aria-expanded', 'true');
        }
        ul.append(li);
      }
    };
    build(root, '', 1);
    applyChips();
    const shown = results.length < filter.total ? ' — showing the first ' + results.length : '';
    $('filter-text').textContent = 'Filtered: ' + term + ' (' + filter.total + (filter.total === 1 ? ' match' : ' matches') + shown + ')';
    $('filter-bar').hidden = false;
    if (filter.total === 0) root.append(el('li', { role: 'none', class: 'empty-state', text: 'No node matches “' + term + '”.' }));
    if (current) markCurrent(current.path);
  }

  async function clearFilter() {
    if (!filter) return;
    filter = null;
    $('filter-bar').hidden = true;
    await loadTree();
    if (current) await markCurrent(current.path);
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
    for (const [k, spec] of Object.entries(STRUCTS)) {
      const box = $(spec.box);
      for (const [f, label, kind, hint] of spec.fields) {
        const id = 'f-' + k + '-' + f;
        const attrs = { id, 'aria-describedby': 'msg-' + id + (hint ? ' h-' + id : '') };
        if (kind === 'int') Object.assign(attrs, { type: 'number', min: '0', step: '1', inputmode: 'numeric' });
        if (kind === 'url') Object.assign(attrs, { type: 'url', placeholder: 'https://…' });
        box.append(el('div', { class: kind === 'text' ? 'wide' : null },
          el('label', { for: id, text: label }),
          kind === 'text' ? el('textarea', Object.assign(attrs, { rows: 2 })) : el('input', attrs),
          el('p', { class: 'field-msg', id: 'msg-' + id, 'aria-live': 'polite' }),
          hint ? el('p', { class: 'hint', id: 'h-' + id, text: hint }) : null));
      }
      const id = 'f-' + k + '-other';
      box.append(el('div', { class: 'wide' },
        el('label', { for: id, text: 'Other ' + spec.label.toLowerCase() + ' keys (JSON object)' }),
        el('textarea', { id, class: 'code', rows: 3, spellcheck: 'false', 'data-jsonbox': '1', 'aria-describedby': 'msg-' + id }),
        el('p', { class: 'field-msg', id: 'msg-' + id, 'aria-live': 'polite' })));
    }
    const js = $('json-fields');
    for (const [k, label, hint] of JSON_FIELDS) {
      js.append(el('div', { class: 'wide' },
        el('label', { for: 'f-' + k, text: label }),
        el('textarea', { id: 'f-' + k, class: 'code', rows: 4, spellcheck: 'false', 'data-jsonbox': '1', 'aria-describedby': 'msg-f-' + k + ' h-' + k }),
        el('p', { class: 'field-msg', id: 'msg-f-' + k, 'aria-live': 'polite' }),
        el('p', { class: 'hint', id: 'h-' + k, text: 'JSON object, empty for none. Keys: ' + hint + '.' })));
    }
    $('f-binding_config').setAttribute('data-jsonbox', '1');
    $('node-form').addEventListener('input', onEdit);
    $('node-form').addEventListener('change', onEdit);
    $('node-form').addEventListener('submit', (ev) => { ev.preventDefault(); save(); });
    $('revert').addEventListener('click', () => { if (current) fill(current); });
    $('delete').addEventListener('click', remove);
    $('f-source_type').addEventListener('change', onTypeChange);
    setupTags();
    setupQuery();
  }

  // ---- JSON boxes: validated as you type ----
  function msgFor(input) { return $('msg-' + input.id); }
  function setMsg(input, text) {
    const m = msgFor(input);
    if (m) m.textContent = text || '';
    input.toggleAttribute('aria-invalid', !!text);
    if (text) input.setAttribute('aria-invalid', 'true');
  }
  // parseObject reads a JSON-object box: {value} or {error}.
  function parseObject(text) {
    if (text.trim() === '') return { value: null };
    try {
      const v = JSON.parse(text);
      if (!v || typeof v !== 'object' || Array.isArray(v)) return { error: 'not a JSON object' };
      return { value: v };
    } catch (e) {
      return { error: 'not valid JSON: ' + e.message };
    }
  }

  function onEdit(ev) {
    const t = ev && ev.target;
    if (t && t.dataset && t.dataset.jsonbox) {
      const r = parseObject(t.value);
      setMsg(t, r.error ? r.error : '');
    } else if (t && t.id === 'f-binding_query') {
      checkQuery();
    } else if (t && t.hasAttribute && t.hasAttribute('aria-invalid') && !t.dataset.cfgkind) {
      t.removeAttribute('aria-invalid');
    }
    if (t && t.id === 'f-cfg-segment_names') renderPlaceholders();
    if (!current) return;
    setDirty(Object.keys(collect(true).body).length > 0);
  }

  function setDirty(d) {
    dirty = d;
    $('dirty-note').hidden = !d;
  }

  // ---- tags chip editor ----
  function renderTags() {
    const ul = clear($('tag-list'));
    tags.forEach((t, i) => {
      ul.append(el('li', { class: 'tag-chip' }, el('span', { text: t }),
        el('button', {
          type: 'button', class: 'tag-remove', 'aria-label': 'Remove tag ' + t, text: '×',
          onclick: () => { tags.splice(i, 1); renderTags(); onEdit(); $('f-tags').focus(); },
        })));
    });
  }
  function addTag(text) {
    for (const t of text.split(',').map((x) => x.trim()).filter(Boolean)) if (!tags.includes(t)) tags.push(t);
    renderTags();
  }
  function setupTags() {
    const input = $('f-tags');
    input.addEventListener('keydown', (ev) => {
      if ((ev.key === 'Enter' || ev.key === ',') && input.value.trim() !== '') {
        ev.preventDefault();
        addTag(input.value);
        input.value = '';
        onEdit();
      } else if (ev.key === 'Enter') {
        ev.preventDefault();
      } else if (ev.key === 'Backspace' && input.value === '' && tags.length) {
        ev.preventDefault();
        tags.pop();
        renderTags();
        onEdit();
      }
    });
    input.addEventListener('blur', () => {
      if (input.value.trim() !== '') { addTag(input.value); input.value = ''; onEdit(); }
    });
    $('tag-editor').addEventListener('click', (ev) => { if (ev.target === ev.currentTarget) input.focus(); });
  }
  // currentTags is the chips plus what is typed in the box.
  function currentTags() {
    const out = [...tags];
    for (const t of $('f-tags').value.split(',').map((x) => x.trim()).filter(Boolean)) if (!out.includes(t)) out.push(t);
    return out;
  }

  // ---- query template: placeholder panel and live validation ----
  // phPattern turns a table name such as "{filter[N]:COL}" into a regular
  // expression over the text between the braces.
  function phPattern(name) {
    const inner = name.replace(/^\{|\}$/g, '');
    const esc = inner.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/N/g, '[0-9]+').replace(/COL/g, '[A-Za-z0-9_]+');
    return new RegExp('^' + esc + '$');
  }
  let phPatterns = [];

  // checkTemplate names the problems of a query template, as the resolver
  // would read it: unknown placeholders, bad indices, unbalanced braces.
  function checkTemplate(s) {
    const problems = [];
    let depth = 0, line = 1, col = 0, openAt = null;
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === '\n') { line++; col = 0; continue; }
      col++;
      if (c === '{') { if (depth === 0) openAt = 'line ' + line + ', column ' + col; depth++; }
      if (c === '}') {
        if (depth === 0) { problems.push('unbalanced braces: “}” at line ' + line + ', column ' + col + ' closes nothing'); break; }
        depth--;
      }
    }
    if (depth > 0) problems.push('unbalanced braces: “{” at ' + openAt + ' is not closed');
    const unknown = [], bad = [];
    for (let i = 0; i < s.length;) {
      const open = s.indexOf('{', i);
      if (open < 0) break;
      const end = s.indexOf('}', open + 1);
      if (end < 0) break;
      const body = s.slice(open + 1, end);
      if (body.includes('{')) { i = open + 1; continue; }
      i = end + 1;
      if (phPatterns.some((re) => re.test(body))) continue;
      const raw = '{' + body + '}';
      if (/^(segments|segment_date_sql|is_all|filter)\[(?![0-9]+\])[^\]]*\]/.test(body)) {
        if (!bad.includes(raw)) bad.push(raw);
      } else if (/^[a-z_]+(\[[0-9]+\])?(:[A-Za-z0-9_]+)?$/.test(body)) {
        if (!unknown.includes(raw)) unknown.push(raw);
      }
    }
    if (bad.length) problems.push('bad index in ' + bad.join(', ') + ' (an index is a number from 0)');
    if (unknown.length) problems.push('unknown placeholder ' + unknown.join(', '));
    return problems.length ? 'Query template: ' + problems.join('; ') + '.' : '';
  }

  function checkQuery() {
    const q = $('f-binding_query');
    const msg = q.closest('#query-box').hidden ? '' : checkTemplate(q.value);
    setMsg(q, msg);
    $('query-msg').textContent = msg;
    return msg;
  }

  function phGroup(name) {
    if (/\[N\]/.test(name) || name === '{path}') return 'Path segments';
    if (/_sql|current_date|date_filter/.test(name)) return 'Dialect-aware SQL';
    if (/^\{(is_|lookback|tenor|frequency|version_type)/.test(name)) return 'Version type';
    return 'Raw values';
  }

  function renderPlaceholders() {
    const box = clear($('ph-groups'));
    const groups = new Map();
    const segs = ($('f-cfg-segment_names') || { value: '' }).value.split(',').map((x) => x.trim()).filter(Boolean);
    if (segs.length) {
      groups.set('Your segment mapping', segs.flatMap((s, i) => [
        { name: '{segments[' + i + ']}', description: 'Segment ' + i + ': ' + s, example: s + " = '{segments[" + i + "]}'", insert: '{segments[' + i + ']}' },
        { name: '{filter[' + i + ']:' + s.toUpperCase() + '}', description: 'Filter on ' + s.toUpperCase() + ' (ALL: no filter)', example: 'WHERE {filter[' + i + ']:' + s.toUpperCase() + '}', insert: '{filter[' + i + ']:' + s.toUpperCase() + '}' },
      ]));
    }
    // Only the placeholders that apply to the selected type (SQL ones for
    // SQL types), as /config/source-types says.
    const st = sourceTypes.find((x) => x.type === $('f-source_type').value);
    const applies = st && st.placeholders ? new Set(st.placeholders) : null;
    for (const p of placeholders) {
      if (applies && !applies.has(p.name)) continue;
      const g = phGroup(p.name);
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(Object.assign({ insert: p.name.replace(/N/g, '0') }, p));
    }
    for (const [g, list] of groups) {
      const ul = el('ul', { class: 'ph-list' });
      for (const p of list) {
        ul.append(el('li', {}, el('button', {
          type: 'button', class: 'ph-item', title: 'Insert ' + p.insert,
          onclick: () => insertAtCursor($('f-binding_query'), p.insert),
        }, el('code', { class: 'ph-name', text: p.name }), el('span', { class: 'ph-desc', text: p.description }),
        p.example ? el('code', { class: 'ph-example', text: p.example }) : null)));
      }
      box.append(el('h3', { text: g }), ul);
    }
  }

  function insertAtCursor(ta, text) {
    const start = ta.selectionStart ?? ta.value.length;
    const end = ta.selectionEnd ?? start;
    ta.value = ta.value.slice(0, start) + text + ta.value.slice(end);
    ta.focus();
    ta.setSelectionRange(start + text.length, start + text.length);
    ta.dispatchEvent(new Event('input', { bubbles: true }));
  }

  function showPanel(open) {
    $('ph-panel').hidden = !open;
    $('ph-toggle').setAttribute('aria-expanded', String(open));
    $('query-box').classList.toggle('with-panel', open);
  }

  function setupQuery() {
    $('ph-toggle').addEventListener('click', () => showPanel($('ph-panel').hidden));
    $('f-binding_query').addEventListener('focus', () => showPanel(true));
  }

  // ---- source binding: fields per type ----
  function typeSchema(t) {
    const st = sourceTypes.find((s) => s.type === t);
    return st ? st.config_schema || {} : null;
  }
  // schemaFields lists a type's config fields but its query template,
  // required ones first.
  function schemaFields(t) {
    const sch = typeSchema(t) || {};
    return Object.entries(sch).filter(([k]) => k !== 'query')
      .sort((a, b) => (b[1].required - a[1].required) || cmpFold(a[0], b[0]));
  }
  function showValue(v, kind) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'string') return v;
    if (typeof v === 'object') return kind === 'json' ? JSON.stringify(v, null, 2) : JSON.stringify(v);
    return String(v);
  }

  // renderBinding builds the selected type's config fields from cfg.
  function renderBinding(cfg) {
    const t = $('f-source_type').value;
    const box = clear($('binding-fields'));
    const sch = typeSchema(t);
    for (const [k, f] of schemaFields(t)) {
      const id = 'f-cfg-' + k;
      const attrs = { id, 'data-cfgkey': k, 'data-cfgkind': f.type, 'aria-describedby': 'msg-' + id + ' h-' + id };
      if (f.required) attrs['aria-required'] = 'true';
      let input;
      if (f.type === 'select') {
        input = el('select', attrs, el('option', { value: '', text: '(not set)' }),
          (f.options || []).map((o) => el('option', { value: o, text: o })));
        const v = cfg[k];
        if (v !== undefined && v !== null && !(f.options || []).includes(String(v))) input.append(el('option', { value: String(v), text: String(v) }));
      } else if (f.type === 'json' || f.type === 'text' || f.type === 'sql') {
        input = el('textarea', Object.assign(attrs, { class: 'code', rows: 3, spellcheck: 'false' }));
      } else if (f.type === 'number') {
        input = el('input', Object.assign(attrs, { type: 'number', step: 'any' }));
      } else {
        input = el('input', Object.assign(attrs, { spellcheck: 'false' }));
      }
      input.value = showValue(cfg[k], f.type);
      input.addEventListener('input', () => checkCfgField(input));
      box.append(el('div', { class: f.type === 'json' || f.type === 'text' || f.type === 'sql' ? 'wide' : null },
        el('label', { for: id }, k, f.required ? el('span', { class: 'req', title: 'required', text: ' *' }) : null,
          f.required ? el('span', { class: 'sr-only', text: ' (required)' }) : null),
        input,
        el('p', { class: 'field-msg', id: 'msg-' + id, 'aria-live': 'polite' }),
        el('p', { class: 'hint', id: 'h-' + id, text: (f.description || '') + (f.type === 'json' ? ' (JSON)' : '') })));
    }
    // The query box: for types with a query field, or a string query.
    const hasQuery = !!(sch && sch.query) || typeof cfg.query === 'string';
    $('query-box').hidden = !hasQuery;
    if (!hasQuery) showPanel(false);
    renderPlaceholders();
  }

  function checkCfgField(input) {
    if (input.dataset.cfgkind === 'json' && input.value.trim() !== '') {
      try { JSON.parse(input.value); setMsg(input, ''); } catch (e) { setMsg(input, 'Not valid JSON: ' + e.message); }
    } else if (input.dataset.cfgkind === 'number' && input.value.trim() !== '' && !isFinite(Number(input.value))) {
      setMsg(input, 'Not a number');
    } else {
      setMsg(input, '');
    }
  }

  function showTypeHints() {
    const box = clear($('type-hints'));
    const st = sourceTypes.find((s) => s.type === $('f-source_type').value);
    box.hidden = !st;
    if (!st) return;
    const mode = st.execution_mode === 'server' ? 'Server proxies' : st.execution_mode === 'client' ? 'Client executes' : st.execution_mode;
    box.append(el('p', {}, el('strong', { text: (st.display_name || st.type) + (mode ? ' · ' + mode : '') }), st.execution_hint ? ' — ' + st.execution_hint : ''));
  }

  function onTypeChange() {
    // Keep what is typed in fields the new type also has.
    const cfg = readConfigLoose();
    showTypeHints();
    renderBinding(cfg);
    const other = {};
    const sch = typeSchema($('f-source_type').value) || {};
    for (const [k, v] of Object.entries(cfg)) if (!(k in sch) && k !== 'query') other[k] = v;
    $('f-binding_config').value = Object.keys(other).length ? pretty(other) : '';
    $('f-binding_query').value = typeof cfg.query === 'string' ? cfg.query : '';
    checkQuery();
    onEdit();
  }

  // readConfigLoose reads the binding fields without validating (for a
  // type change).
  function readConfigLoose() {
    const out = {};
    const r = parseObject($('f-binding_config').value);
    if (r.value) Object.assign(out, r.value);
    for (const f of document.querySelectorAll('#binding-fields [data-cfgkey]')) if (f.value.trim() !== '') out[f.dataset.cfgkey] = f.value;
    if ($('f-binding_query').value.trim() !== '') out.query = $('f-binding_query').value;
    return out;
  }

  async function loadSourceTypes() {
    try {
      const { data } = await api('GET', '/config/source-types');
      sourceTypes = (data && data.source_types) || [];
      placeholders = (data && data.placeholders) || [];
      phPatterns = placeholders.map((p) => phPattern(p.name));
      const sel = $('f-source_type');
      for (const s of sourceTypes) sel.append(el('option', { value: s.type, text: s.display_name ? s.display_name + ' (' + s.type + ')' : s.type }));
      renderPlaceholders();
    } catch (e) {
      toast('error', 'Could not load the source types: ' + e.message);
    }
  }

  function ensureTypeOption(t) {
    const sel = $('f-source_type');
    if (t && ![...sel.options].some((o) => o.value === t)) sel.append(el('option', { value: t, text: t }));
  }

  // ---- fill and collect ----
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
    tags = [...(n.tags || [])];
    $('f-tags').value = '';
    renderTags();
    const own = n.ownership || {};
    const res = cur.resolved || {};
    for (const [k] of OWNER_FIELDS) {
      const f = $('f-own-' + k);
      f.value = own[k] || '';
      const inh = $('inh-' + k);
      const src = res[k + '_source'];
      if (!own[k] && res[k]) {
        f.placeholder = res[k];
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
    const cfg = Object.assign({}, (b && b.config) || {});
    cur.queryApart = typeof cfg.query === 'string';
    $('f-binding_query').value = cur.queryApart ? cfg.query : '';
    showTypeHints();
    renderBinding(cfg);
    const sch = b ? typeSchema(b.type) || {} : {};
    const other = {};
    for (const [k, v] of Object.entries(cfg)) if (!(k in sch) && !(k === 'query' && cur.queryApart)) other[k] = v;
    $('f-binding_config').value = Object.keys(other).length ? pretty(other) : '';
    $('sec-binding').open = !!b;
    for (const [k, spec] of Object.entries(STRUCTS)) {
      const v = n[k] || {};
      const rest = Object.assign({}, v);
      for (const [f] of spec.fields) {
        const x = v[f];
        delete rest[f];
        $('f-' + k + '-' + f).value = x === null || x === undefined ? '' : Array.isArray(x) ? x.join(', ') : String(x);
      }
      const c = compact(rest);
      $('f-' + k + '-other').value = c ? pretty(c) : '';
    }
    for (const [k] of JSON_FIELDS) {
      const f = field(k);
      f.disabled = !(k in n);
      const v = n[k];
      f.value = v === null || v === undefined || (typeof v === 'object' && Object.keys(v).length === 0) ? '' : pretty(v);
    }
    for (const f of document.querySelectorAll('#node-form [aria-invalid]')) f.removeAttribute('aria-invalid');
    for (const m of document.querySelectorAll('#node-form .field-msg')) m.textContent = '';
    checkQuery();
    setDirty(false);
  }

  // readStruct reads a structured object's fields: {value, errors}.
  function readStruct(k, errors) {
    const spec = STRUCTS[k];
    const other = $('f-' + k + '-other');
    const r = parseObject(other.value);
    if (r.error) {
      errors.push([other.id, spec.label + ' (other keys): ' + r.error]);
      return undefined;
    }
    const out = Object.assign({}, r.value || {});
    for (const [f, label, kind] of spec.fields) {
      const input = $('f-' + k + '-' + f);
      const s = input.value.trim();
      if (s === '') continue;
      if (kind === 'int') {
        if (!/^[0-9]+$/.test(s)) { errors.push([input.id, spec.label + ': ' + label + ' must be a whole number']); continue; }
        out[f] = Number(s);
      } else if (kind === 'ints') {
        const parts = s.split(',').map((x) => x.trim()).filter(Boolean);
        if (!parts.every((x) => /^[0-9]+$/.test(x))) { errors.push([input.id, spec.label + ': ' + label + ' must be numbers separated by commas']); continue; }
        out[f] = parts.map(Number);
      } else if (kind === 'list') {
        out[f] = s.split(',').map((x) => x.trim()).filter(Boolean);
      } else if (kind === 'url') {
        if (!/^https?:\/\/\S+$/i.test(s)) { errors.push([input.id, spec.label + ': ' + label + ' must be an http(s) URL']); continue; }
        out[f] = s;
      } else {
        out[f] = input.value;
      }
    }
    return compact(out);
  }

  // readConfig reads the binding config: the type's fields over the other
  // keys, each unchanged field kept exactly as loaded.
  function readConfig(old, errors) {
    const r = parseObject($('f-binding_config').value);
    if (r.error) {
      errors.push(['f-binding_config', 'Source binding config: ' + r.error]);
      return null;
    }
    const cfg = Object.assign({}, r.value || {});
    for (const input of document.querySelectorAll('#binding-fields [data-cfgkey]')) {
      const k = input.dataset.cfgkey, kind = input.dataset.cfgkind;
      const was = old ? old[k] : undefined;
      const s = input.value;
      if (was !== undefined && s === showValue(was, kind)) { cfg[k] = was; continue; }
      if (s.trim() === '') { delete cfg[k]; continue; }
      if (kind === 'number') {
        if (!isFinite(Number(s))) { errors.push([input.id, 'Source binding: ' + k + ' must be a number']); continue; }
        cfg[k] = Number(s);
      } else if (kind === 'json') {
        try { cfg[k] = JSON.parse(s); } catch (e) { errors.push([input.id, 'Source binding: ' + k + ' is not valid JSON: ' + e.message]); }
      } else {
        cfg[k] = s;
      }
    }
    if (!$('query-box').hidden) {
      const q = $('f-binding_query').value;
      const msg = checkTemplate(q);
      if (msg) errors.push(['f-binding_query', msg]);
      if (q.trim() !== '') cfg.query = q;
      else if (old && typeof old.query === 'string') delete cfg.query;
    }
    return cfg;
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
    const tg = currentTags();
    if (canon([...tg].sort()) !== canon([...(n.tags || [])].sort())) body.tags = tg;

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
      const config = readConfig(old && old.type === type ? old.config : (old ? old.config : null), errors);
      if (config) {
        const nb = Object.assign({}, old || {}, { type, config, read_only: $('f-read_only').checked });
        if (canon(nb) !== canon(old)) body.source_binding = nb;
      }
    }

    for (const k of Object.keys(STRUCTS)) {
      const v = readStruct(k, errors);
      if (v !== undefined && canon(v) !== canon(compact(n[k]))) body[k] = v;
    }

    for (const [k, label] of JSON_FIELDS) {
      const f = field(k);
      if (f.disabled) continue;
      const r = parseObject(f.value);
      if (r.error) {
        errors.push(['f-' + k, label + ': ' + r.error]);
        continue;
      }
      let v = r.value;
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

  // ---- selecting, saving, deleting ----
  function confirmDiscard() {
    return !dirty || window.confirm('Discard the unsaved changes to ' + current.path + '?');
  }

  async function select(p, opts = {}) {
    if (!opts.force && current && p === current.path && !dirty) return;
    if (!opts.force && !confirmDiscard()) return;
    const r = rows.get(p);
    if (r && r.virtual && !opts.force) {
      showVirtual(p);
      return;
    }
    try {
      const { data, res } = await api('GET', '/config/nodes/' + encodePath(p));
      apiUp();
      current = { path: p, node: data.node, resolved: data.resolved_ownership, etag: res.headers.get('ETag') };
      fill(current);
      setHash(p);
      await markCurrent(p);
    } catch (e) {
      if (e instanceof APIError && e.status === 404) {
        showVirtual(p);
      } else {
        if (!(e instanceof APIError)) apiDown(e);
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

  // persist is POST /config/save; a 409 opens the conflict dialog.
  async function persist(mine) {
    try {
      const { data } = await api('POST', '/config/save');
      toast('success', (data && data.message) || 'Saved');
      return true;
    } catch (e) {
      if (e instanceof APIError && e.status === 409) {
        showConflict(e, mine);
      } else {
        toast('error', 'Save failed: ' + e.message);
      }
      return false;
    }
  }

  // flatten lists an object's leaves as dotted names (lists and scalars
  // are leaves).
  function flatten(v, prefix, out) {
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) {
      for (const [k, x] of Object.entries(v)) flatten(x, prefix ? prefix + '.' + k : k, out);
    } else if (prefix) {
      out.set(prefix, v === undefined || (v && typeof v === 'object' && !Array.isArray(v)) ? null : v);
    }
    return out;
  }
  const shown = (v) => (v === null || v === undefined || v === '' ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));

  // showConflict lists, for each conflicting node, the fields whose value
  // on disk differs from what this page loaded (409 "current").
  function showConflict(e, mine) {
    $('conflict-text').textContent = 'These nodes were changed in the catalog file since this page loaded them:';
    const box = clear($('conflict-detail'));
    const body = e.body || {};
    const cur = body.current || {};
    for (const p of body.paths || []) {
      const sec = el('section', { class: 'conflict' }, el('h3', {}, el('code', { text: p })));
      if (!(p in cur)) {
        sec.append(el('p', { text: 'Its version on disk could not be read.' }));
      } else if (cur[p] === null) {
        sec.append(el('p', { text: 'It was deleted from the catalog file.' }));
      } else {
        const base = mine && mine.path === p ? mine.base : null;
        const yours = mine && mine.path === p ? mine.body : {};
        const a = flatten(base || {}, '', new Map());
        const b = flatten(cur[p], '', new Map());
        const names = [...new Set([...a.keys(), ...b.keys()])].filter((k) => canon(a.get(k) ?? null) !== canon(b.get(k) ?? null)).sort();
        if (!base) {
          sec.append(el('p', { text: 'Another writer changed it.' }));
        } else if (names.length === 0) {
          sec.append(el('p', { text: 'Its fields on disk equal what this page loaded (only its formatting changed).' }));
        } else {
          const table = el('table', { class: 'conflict-table' },
            el('caption', { class: 'sr-only', text: 'Fields of ' + p + ' changed on disk' }),
            el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Field' }), el('th', { scope: 'col', text: 'Loaded (base)' }),
              el('th', { scope: 'col', text: 'Yours' }), el('th', { scope: 'col', text: 'On disk now (theirs)' }))));
          const tb = el('tbody');
          for (const k of names) {
            const top = k.split('.')[0];
            const mineV = top in yours ? flatten(yours[top], top, new Map()).get(k) : a.get(k);
            tb.append(el('tr', { dataset: { field: k } }, el('th', { scope: 'row' }, el('code', { text: k })),
              el('td', { text: shown(a.get(k)) }), el('td', { text: top in yours ? shown(mineV) : '(unchanged)' }),
              el('td', { text: shown(b.get(k)) })));
          }
          table.append(tb);
          sec.append(table);
        }
      }
      box.append(sec);
    }
    openModal($('conflict-dialog'));
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
    const mine = { path: p, base: current.node, body };
    $('save').disabled = true;
    try {
      const headers = current.etag ? { 'If-Match': current.etag } : {};
      await api('PUT', '/config/nodes/' + encodePath(p), { body, headers });
    } catch (e) {
      $('save').disabled = false;
      if (e instanceof APIError && e.status === 412) {
        toast('error', 'This node was changed since you opened it: ' + e.message, [{ label: 'Reload node', run: () => select(p, { force: true }) }]);
      } else {
        if (!(e instanceof APIError)) apiDown(e);
        markServerErrors(e);
        toast('error', 'Not saved: ' + e.message);
      }
      return;
    }
    setDirty(false);
    const ok = await persist(mine);
    $('save').disabled = false;
    if (!ok) return;
    const r = rows.get(p);
    if (r) {
      if ('display_name' in body) r.display_name = body.display_name || '';
      if ('source_binding' in body) r.source_type = body.source_binding ? body.source_binding.type : null;
      if ('status' in body) r.status = body.status || '';
      const li = itemOf(p);
      if (li && !li.querySelector(':scope > ul')) li.replaceWith(treeItem(p, Number(li.getAttribute('aria-level')), filter && filter.tree));
    }
    await select(p, { force: true });
  }

  // markServerErrors flags the inputs a 422 body names.
  function markServerErrors(e) {
    if (!(e instanceof APIError) || !e.body || !Array.isArray(e.body.detail)) return;
    for (const d of e.body.detail) {
      const loc = (d.loc || []).filter((x) => x !== 'body').flatMap((x) => String(x).split('.')).map((x) => x.replace(/\[\d+\]$/, ''));
      let f = null;
      if (loc[0] === 'ownership' && loc[1]) f = $('f-own-' + loc[1]);
      else if (loc[0] === 'source_binding') {
        f = loc[1] === 'type' ? $('f-source_type') : loc[2] === 'query' ? $('f-binding_query') : $('f-cfg-' + loc[2]) || $('f-binding_config');
      } else if (STRUCTS[loc[0]]) f = $('f-' + loc[0] + '-' + loc[1]) || $('f-' + loc[0] + '-other');
      else if (loc[0] === 'tags') f = $('f-tags');
      else if (loc[0]) f = $('f-' + loc[0]);
      if (f) f.setAttribute('aria-invalid', 'true');
    }
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
    if (await persist(null)) toast('success', 'Deleted ' + p);
    current = null;
    rows.delete(p);
    await loadTree();
    $('node-form').hidden = true;
    const box = clear($('empty'));
    box.hidden = false;
    box.append(el('p', {}, 'Deleted ', el('code', { text: p }), '.'));
    history.replaceState(null, '', location.pathname);
  }

  // ---- create ----
  function openCreate(prefill) {
    if (!confirmDiscard()) return;
    $('create-error').hidden = true;
    $('create-path').value = typeof prefill === 'string' ? prefill : (current ? current.path + '/' : '');
    openModal($('create-dialog'));
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
    if (await persist(null)) toast('success', 'Created ' + p);
    await loadTree();
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
    else if (total > results.length) ul.append(el('li', { class: 'r-note', text: 'Showing ' + results.length + ' of ' + total + '; press Enter to filter the tree.' }));
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
      if (ev.key === 'Escape') {
        closeResults();
        if (filter) { input.value = ''; clearFilter(); }
      }
      if (ev.key === 'ArrowDown') {
        const first = $('search-results').querySelector('button');
        if (first && !$('search-results').hidden) { ev.preventDefault(); first.focus(); }
      }
      if (ev.key === 'Enter') {
        ev.preventDefault();
        clearTimeout(searchTimer);
        searchSeq++;
        closeResults();
        const q = input.value.trim();
        if (q.length >= 2) applyFilter(q);
        else clearFilter();
      }
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
    $('filter-clear').addEventListener('click', () => { $('search').value = ''; clearFilter(); });
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
    rows.clear();
    await loadTree();
    if (current) await select(current.path, { force: true });
  }

  // ---- start ----
  function start() {
    buildForm();
    setupSearch();
    treeEl().addEventListener('keydown', onTreeKey);
    $('new-node').addEventListener('click', () => openCreate());
    $('reload').addEventListener('click', () => reloadFromFile(true));
    $('collapse-all').addEventListener('click', () => {
      for (const li of treeEl().querySelectorAll('[role=treeitem][aria-expanded="true"]')) collapse(li);
      fixTabStop();
    });
    $('create-form').addEventListener('submit', create);
    $('create-cancel').addEventListener('click', () => $('create-dialog').close());
    $('conflict-close').addEventListener('click', () => $('conflict-dialog').close());
    $('conflict-reload').addEventListener('click', () => { $('conflict-dialog').close(); setDirty(false); reloadFromFile(false); });
    window.addEventListener('beforeunload', (ev) => { if (dirty) ev.preventDefault(); });
    window.addEventListener('hashchange', () => {
      const p = pathFromHash();
      if (p && (!current || p !== current.path)) select(p);
    });
    Promise.all([loadSourceTypes(), loadDomains()]).then(loadTree).then(() => {
      const p = pathFromHash();
      if (p) select(p, { force: true });
    });
  }

  start();
})();
