'use strict';
// Business models (/models/ui): the model hierarchy as an ARIA tree with a
// live filter, a model's details with the catalog nodes each of its
// patterns matches (GET /config/matches), and create, edit and delete
// dialogs. Every server value reaches the page through MK.el (textContent,
// attributes), never HTML parsing.
(() => {
  const { el, clear, api, APIError, encodePath, toast, openModal, treeFocus, treeKeys } = MK;
  const $ = (id) => document.getElementById(id);
  const tree = $('tree');
  const detail = $('detail');

  // How many matching paths a pattern lists on the details panel.
  const MATCH_LIMIT = 20;
  // Trees with at most this many nodes open fully expanded.
  const EXPAND_ALL_MAX = 150;

  // selected: the shown path; model/etag: its last loaded state (for the
  // edit dialog); editing: the path the dialog edits ('' = a new model);
  // seq numbers the detail loads so that a slow answer never overwrites a
  // newer one; beforeFilter: the expanded paths when filtering started.
  const state = { selected: '', model: null, etag: '', editing: '', seq: 0, nodes: new Map(), beforeFilter: null };

  const pathFromHash = () => {
    try { return decodeURIComponent(location.hash.replace(/^#/, '')); } catch (e) { return ''; }
  };
  const modelURL = (p) => '/models/' + encodePath(p);
  const blank = (v) => v === null || v === undefined || String(v).trim() === '';

  // ---- Tree -------------------------------------------------------------

  function treeItem(n, level) {
    const kids = n.children || [];
    const li = el('li', {
      role: 'treeitem', 'aria-level': String(level), 'aria-selected': 'false', tabindex: '-1',
      'aria-expanded': kids.length > 0 ? 'false' : null, dataset: { path: n.path },
    });
    const label = n.display_name || n.name;
    const kind = n.is_container ? 'category' : 'model';
    const row = el('div', { class: 'row' + (n.virtual ? ' virtual' : ''), title: n.path + (n.virtual ? ' (no model at this path)' : '') },
      el('span', { class: 'twisty', 'aria-hidden': 'true' }),
      el('span', { class: 'name', text: label }),
      el('span', { class: 'badge kind-' + kind, text: kind }));
    row.addEventListener('click', (ev) => {
      focusItem(li);
      if (ev.target.classList.contains('twisty')) toggle(li);
      else select(n.path, true);
    });
    li.append(row);
    if (kids.length > 0) {
      const group = el('ul', { role: 'group', hidden: true });
      for (const c of kids) group.append(treeItem(c, level + 1));
      li.append(group);
    }
    state.nodes.set(n.path, { node: n, li, label });
    return li;
  }

  function setExpanded(li, open) {
    const group = li.querySelector(':scope > ul');
    if (!group) return;
    group.hidden = !open;
    li.setAttribute('aria-expanded', open ? 'true' : 'false');
  }
  const toggle = (li) => setExpanded(li, li.getAttribute('aria-expanded') !== 'true');

  // visibleItems lists the items a reader can see: not filtered out, not
  // inside a collapsed group.
  function visibleItems() {
    return Array.from(tree.querySelectorAll('[role="treeitem"]')).filter((li) => !li.closest('[hidden]'));
  }

  // focusItem makes li the tree's single tab stop and focuses it.
  function focusItem(li, noFocus) { treeFocus(tree, li, noFocus); }

  // keepTabStop moves the tab stop to the first visible item when the
  // current one is hidden.
  function keepTabStop() {
    const cur = tree.querySelector('[role="treeitem"][tabindex="0"]');
    if (cur && !cur.closest('[hidden]')) return;
    focusItem(visibleItems()[0], true);
  }

  tree.addEventListener('keydown', (ev) => treeKeys(ev, {
    items: visibleItems, focus: focusItem,
    expand: (li) => setExpanded(li, true), collapse: (li) => setExpanded(li, false),
    activate: (li) => select(li.dataset.path, true),
  }));

  function markSelected(path) {
    for (const o of tree.querySelectorAll('[aria-selected="true"]')) o.setAttribute('aria-selected', 'false');
    const e = state.nodes.get(path);
    if (!e) return;
    e.li.setAttribute('aria-selected', 'true');
    // Reveal it: expand its ancestors.
    for (let p = e.li.parentElement.closest('[role="treeitem"]'); p; p = p.parentElement.closest('[role="treeitem"]')) setExpanded(p, true);
    focusItem(e.li, true);
  }

  async function loadTree() {
    tree.setAttribute('aria-busy', 'true');
    try {
      const { data } = await api('GET', '/models/tree');
      const roots = (data && data.tree) || [];
      const openPaths = new Set(Array.from(tree.querySelectorAll('[aria-expanded="true"]')).map((li) => li.dataset.path));
      const first = state.nodes.size === 0;
      clear(tree);
      state.nodes = new Map();
      for (const n of roots) tree.append(treeItem(n, 1));
      const expandAll = first && state.nodes.size <= EXPAND_ALL_MAX;
      for (const { li } of state.nodes.values()) {
        if (expandAll || openPaths.has(li.dataset.path)) setExpanded(li, true);
      }
      const total = (data && data.total_count) || 0;
      $('count').textContent = total + (total === 1 ? ' model.' : ' models.');
      $('error').hidden = true;
      if (roots.length === 0) {
        showTreeEmpty('No models yet. Create one with "+ New model".');
      } else {
        $('tree-empty').hidden = true;
      }
      applyFilter();
      if (state.selected) markSelected(state.selected);
      keepTabStop();
    } catch (e) {
      $('error').textContent = 'Could not load the model hierarchy: ' + e.message;
      $('error').hidden = false;
    } finally {
      tree.removeAttribute('aria-busy');
    }
  }

  function showTreeEmpty(text) {
    const box = $('tree-empty');
    box.textContent = text;
    box.hidden = false;
  }

  // ---- Filter -----------------------------------------------------------

  // applyFilter shows the nodes whose path, name or display name contains
  // the filter text (case-insensitive) and their ancestors, expanded;
  // clearing it restores the expansion from before.
  function applyFilter() {
    const q = $('filter').value.trim().toLowerCase();
    const status = $('filter-status');
    if (!q) {
      for (const { li } of state.nodes.values()) {
        li.hidden = false;
        li.classList.remove('match');
      }
      if (state.beforeFilter) {
        for (const { li } of state.nodes.values()) setExpanded(li, state.beforeFilter.has(li.dataset.path));
        state.beforeFilter = null;
      }
      status.textContent = '';
      if (state.nodes.size > 0) $('tree-empty').hidden = true;
      keepTabStop();
      return;
    }
    if (!state.beforeFilter) {
      state.beforeFilter = new Set(Array.from(tree.querySelectorAll('[aria-expanded="true"]')).map((li) => li.dataset.path));
    }
    // A node is shown when it or a descendant matches (post-order walk).
    let matches = 0;
    const walk = (li) => {
      const e = state.nodes.get(li.dataset.path);
      const n = e.node;
      const self = [n.path, n.name, n.display_name || ''].some((s) => s.toLowerCase().includes(q));
      let below = false;
      const group = li.querySelector(':scope > ul');
      if (group) {
        for (const c of group.children) below = walk(c) || below;
        setExpanded(li, below);
      }
      li.classList.toggle('match', self);
      li.hidden = !(self || below);
      if (self) matches++;
      return self || below;
    };
    for (const li of tree.children) walk(li);
    status.textContent = matches === 0 ? '' : matches + (matches === 1 ? ' model matches.' : ' models match.');
    if (matches === 0) showTreeEmpty('No models match "' + $('filter').value.trim() + '".');
    else $('tree-empty').hidden = true;
    keepTabStop();
  }

  $('filter').addEventListener('input', applyFilter);
  $('filter').addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && $('filter').value) {
      $('filter').value = '';
      applyFilter();
      ev.preventDefault();
    } else if (ev.key === 'ArrowDown') {
      const first = visibleItems()[0];
      if (first) { focusItem(first); ev.preventDefault(); }
    }
  });

  // ---- Details ----------------------------------------------------------

  function section(title, ...body) {
    return el('section', { class: 'panel' }, el('h3', { text: title }), ...body);
  }

  function kv(pairs) {
    const dl = el('dl', { class: 'kv' });
    for (const [k, v, cls] of pairs) {
      dl.append(el('dt', { text: k }), el('dd', { class: cls || null, text: blank(v) ? '—' : v }));
    }
    return dl;
  }

  function chips(list, cls) {
    return el('ul', { class: 'chips' }, list.map((s) => el('li', { class: 'chip ' + (cls || ''), text: s })));
  }

  // link renders an external URL (MK.el's href keeps only http(s) and
  // mailto; anything else becomes "#").
  const extLink = (href, text) => el('a', { href, text: text || href, rel: 'noopener noreferrer', target: '_blank' });

  async function select(path, push) {
    state.selected = path;
    markSelected(path);
    if (push && pathFromHash() !== path) history.replaceState(null, '', '#' + path);
    const seq = ++state.seq;
    detail.setAttribute('aria-busy', 'true');
    try {
      const { data, res } = await api('GET', modelURL(path));
      if (seq !== state.seq) return;
      state.model = data.model;
      state.etag = res.headers.get('ETag') || '';
      renderModel(data.model);
    } catch (e) {
      if (seq !== state.seq) return;
      state.model = null;
      if (e instanceof APIError && e.status === 404) renderMissing(path);
      else renderError(path, e);
    } finally {
      if (seq === state.seq) detail.removeAttribute('aria-busy');
    }
  }

  function head(title, path, actions) {
    return el('div', { class: 'node-head' },
      el('div', {}, el('h2', { class: 'model-title', text: title }), el('p', { class: 'uri', text: path })),
      el('div', { class: 'toolbar' }, actions));
  }

  // childLinks lists the tree children of path as buttons that select them.
  function childLinks(path) {
    const e = state.nodes.get(path);
    const kids = (e && e.node.children) || [];
    if (kids.length === 0) return null;
    return section('Models below (' + kids.length + ')', el('ul', { class: 'plain' }, kids.map((c) =>
      el('li', {}, el('button', { type: 'button', class: 'link', text: c.display_name || c.name, onclick: () => select(c.path, true) }),
        ' ', el('span', { class: 'mono muted', text: c.path })))));
  }

  // renderMissing: no model at path (a virtual tree node, a stale link).
  function renderMissing(path) {
    const known = state.nodes.has(path);
    clear(detail).append(
      head(path, path, el('button', { type: 'button', text: 'Create this model', onclick: () => openEdit(null, path) })),
      el('div', { class: 'banner info', text: known ? 'No model has this path; it groups the models below it.' : 'Model not found: ' + path }),
      childLinks(path));
  }

  function renderError(path, e) {
    const retry = el('button', { type: 'button', class: 'secondary small', text: 'Retry', onclick: () => select(path) });
    clear(detail).append(el('div', { class: 'banner error', role: 'alert' }, 'Could not load the model ' + path + ': ' + e.message + ' ', retry));
  }

  function renderModel(m) {
    const title = m.display_name || m.path.slice(m.path.lastIndexOf('/') + 1);
    const kind = (m.appears_in || []).length === 0 ? 'category' : 'model';
    const out = [head(title, m.path, [
      el('span', { class: 'badge kind-' + kind, text: kind }),
      el('button', { type: 'button', id: 'edit-model', text: 'Edit', onclick: () => openEdit(m, '') }),
      el('button', { type: 'button', class: 'danger', id: 'delete-model', text: 'Delete', onclick: () => openDelete(m.path) }),
    ])];
    out.push(section('Basic info', kv([
      ['Display name', m.display_name], ['Description', m.description], ['Unit', m.unit], ['Data type', m.data_type, 'mono'],
    ])));
    if (!blank(m.formula)) out.push(section('Formula', el('pre', { class: 'formula', text: m.formula })));
    out.push(appearsIn(m));
    const o = m.ownership || {};
    out.push(section('Ownership', blank(o.methodology_owner) && blank(o.business_steward) && blank(o.support_channel)
      ? el('p', { class: 'muted', text: 'No ownership recorded (ownership is not inherited between models).' })
      : kv([['Methodology owner', o.methodology_owner], ['Business steward', o.business_steward], ['Support channel', o.support_channel]])));
    const tags = [];
    if ((m.semantic_tags || []).length > 0) tags.push(el('h4', { text: 'Semantic tags' }), chips(m.semantic_tags, 'semantic'));
    if ((m.tags || []).length > 0) tags.push(el('h4', { text: 'Tags' }), chips(m.tags));
    if ((m.aliases || []).length > 0) {
      tags.push(el('h4', { text: 'Aliases' }), el('ul', { class: 'plain' }, m.aliases.map((a) =>
        el('li', {}, el('span', { text: a.name }), ' ', el('span', { class: 'badge', text: String(a.type || '').replace(/_/g, ' ') }),
          a.context ? el('span', { class: 'muted', text: ' ' + a.context }) : null))));
    }
    if (tags.length > 0) out.push(section('Tags', ...tags));
    const docs = [['Documentation', m.documentation_url], ['Methodology', m.methodology_url], ['Wiki', m.wiki_link]].filter(([, u]) => !blank(u));
    out.push(section('Documentation', docs.length === 0 ? el('p', { class: 'muted', text: 'No documentation links.' })
      : el('ul', { class: 'plain' }, docs.map(([k, u]) => el('li', {}, el('strong', { text: k + ': ' }), extLink(u))))));
    const child = childLinks(m.path);
    if (child) out.push(child);
    out.push(section('API', el('ul', { class: 'plain mono' },
      el('li', {}, el('a', { href: modelURL(m.path), text: 'GET ' + modelURL(m.path) })),
      el('li', {}, el('a', { href: modelURL(m.path) + '/monikers', text: 'GET ' + modelURL(m.path) + '/monikers' })))));
    clear(detail).append(...out);
  }

  // appearsIn lists each pattern with its column and notes, and the
  // catalog nodes it matches (loaded after the panel is shown).
  function appearsIn(m) {
    const links = m.appears_in || [];
    if (links.length === 0) {
      return section('Appears in', el('p', { class: 'muted', text: 'No appears_in patterns: this model is a category.' }));
    }
    const list = el('ol', { class: 'links' });
    for (const l of links) {
      const matches = el('div', { class: 'matches', 'aria-busy': 'true', text: 'Finding matching catalog nodes…' });
      list.append(el('li', { class: 'link' },
        el('div', { class: 'link-head' },
          el('code', { class: 'pattern', text: l.moniker_pattern }),
          l.column_name ? el('span', { class: 'muted', text: 'column: ' + l.column_name }) : null),
        l.notes ? el('p', { class: 'notes', text: l.notes }) : null,
        matches));
      loadMatches(l.moniker_pattern, matches, state.seq);
    }
    return section('Appears in (' + links.length + (links.length === 1 ? ' pattern)' : ' patterns)'), list);
  }

  async function loadMatches(pattern, box, seq) {
    try {
      const { data } = await api('GET', '/config/matches?pattern=' + encodeURIComponent(pattern) + '&limit=' + MATCH_LIMIT);
      if (seq !== state.seq) return;
      clear(box);
      const n = data.count || 0;
      box.dataset.count = String(n);
      if (n === 0) {
        box.append(el('p', { class: 'muted', text: 'No catalog node matches this pattern.' }));
        return;
      }
      box.append(el('p', { class: 'match-count', text: n + (n === 1 ? ' catalog node matches:' : ' catalog nodes match:') }),
        el('ul', { class: 'match-list mono' }, data.matches.map((p) => el('li', {}, el('a', { href: '/config/ui#' + p, text: p })))));
      if (data.truncated) box.append(el('p', { class: 'muted', text: 'and ' + (n - data.matches.length) + ' more' }));
    } catch (e) {
      if (seq !== state.seq) return;
      clear(box).append(el('p', { class: 'muted', text: e instanceof APIError && e.status === 503
        ? 'The catalog is not available on this server.' : 'Could not find the matches: ' + e.message }));
    } finally {
      box.removeAttribute('aria-busy');
    }
  }

  // ---- Create and edit ---------------------------------------------------

  const dialog = $('model-dialog');
  const form = $('model-form');
  const FIELDS = [['path', 'm-path'], ['display_name', 'm-display-name'], ['description', 'm-description'], ['formula', 'm-formula'],
    ['unit', 'm-unit'], ['data_type', 'm-data-type'], ['documentation_url', 'm-documentation-url'],
    ['methodology_url', 'm-methodology-url'], ['wiki_link', 'm-wiki-link']];
  const OWNER = [['methodology_owner', 'm-methodology-owner'], ['business_steward', 'm-business-steward'], ['support_channel', 'm-support-channel']];
  let rowSeq = 0;

  const splitList = (s) => s.split(',').map((x) => x.trim()).filter((x) => x !== '');

  // linkRow adds one appears_in row: pattern, column, notes, a live count
  // of the catalog nodes the pattern matches, and a remove button.
  function linkRow(l) {
    const id = 'm-link-' + (++rowSeq);
    const pattern = el('input', { id: id + '-pattern', class: 'code link-pattern', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': id + '-count' });
    const column = el('input', { id: id + '-column', class: 'link-column', autocomplete: 'off' });
    const notes = el('input', { id: id + '-notes', class: 'link-notes', autocomplete: 'off' });
    pattern.value = (l && l.moniker_pattern) || '';
    column.value = (l && l.column_name) || '';
    notes.value = (l && l.notes) || '';
    const count = el('p', { class: 'hint', id: id + '-count', 'aria-live': 'polite' });
    const li = el('li', { class: 'link-row' },
      el('div', {}, el('label', { for: pattern.id, text: 'Pattern' }), pattern, count),
      el('div', {}, el('label', { for: column.id, text: 'Column' }), column),
      el('div', {}, el('label', { for: notes.id, text: 'Notes' }), notes),
      removeButton(() => li, 'Remove this pattern', renumber, 'm-add-link'));
    let timer = 0;
    let seq = 0;
    const preview = () => {
      clearTimeout(timer);
      const p = pattern.value.trim();
      if (!p) { count.textContent = ''; return; }
      timer = setTimeout(async () => {
        const mine = ++seq;
        try {
          const { data } = await api('GET', '/config/matches?limit=0&pattern=' + encodeURIComponent(p));
          if (mine === seq) count.textContent = 'Matches ' + data.count + (data.count === 1 ? ' catalog node.' : ' catalog nodes.');
        } catch (e) {
          if (mine === seq) count.textContent = e instanceof APIError && e.status === 422 ? 'Not a valid pattern.' : '';
        }
      }, 250);
    };
    pattern.addEventListener('input', preview);
    $('m-links').append(li);
    renumber();
    preview();
    return li;
  }

  // removeButton is a row's Remove button: it drops the row (row()),
  // renumbers the rows and moves the focus to a neighbouring row, else to
  // the add button (id add).
  function removeButton(row, label, renumberRows, add) {
    return el('button', {
      type: 'button', class: 'secondary small remove-link', text: 'Remove', 'aria-label': label,
      onclick: () => {
        const li = row();
        const next = li.nextElementSibling || li.previousElementSibling;
        li.remove();
        renumberRows();
        (next ? next.querySelector('input') : $(add)).focus();
      },
    });
  }

  // renumber names each row's inputs for error messages
  // (appears_in[i].moniker_pattern) and for screen readers.
  function renumber() {
    Array.from($('m-links').children).forEach((li, i) => {
      li.querySelector('.link-pattern').dataset.field = 'appears_in[' + i + '].moniker_pattern';
      li.querySelector('.link-column').dataset.field = 'appears_in[' + i + '].column_name';
      li.querySelector('.link-notes').dataset.field = 'appears_in[' + i + '].notes';
      li.setAttribute('aria-label', 'Pattern ' + (i + 1));
    });
  }

  $('m-add-link').addEventListener('click', () => linkRow(null).querySelector('input').focus());

  // ALIAS_TYPES are the alias types the server accepts (models.AliasTypes).
  const ALIAS_TYPES = ['abbreviation', 'common_name', 'system_name', 'legacy_name', 'vendor_name'];

  // aliasRow adds an alias row (name, type, context) to the dialog.
  function aliasRow(a) {
    const id = 'm-alias-' + (++rowSeq);
    const name = el('input', { id: id + '-name', class: 'alias-name', autocomplete: 'off' });
    const type = el('select', { id: id + '-type', class: 'alias-type' }, ALIAS_TYPES.map((t) => el('option', { value: t, text: t.replace('_', ' ') })));
    const context = el('input', { id: id + '-context', class: 'alias-context', autocomplete: 'off' });
    name.value = (a && a.name) || '';
    if (a && !ALIAS_TYPES.includes(a.type) && a.type) type.append(el('option', { value: a.type, text: a.type }));
    type.value = (a && a.type) || 'common_name';
    context.value = (a && a.context) || '';
    const li = el('li', { class: 'link-row alias-row' },
      el('div', {}, el('label', { for: name.id, text: 'Name' }), name),
      el('div', {}, el('label', { for: type.id, text: 'Type' }), type),
      el('div', {}, el('label', { for: context.id, text: 'Context' }), context),
      removeButton(() => li, 'Remove this alias', renumberAliases, 'm-add-alias'));
    $('m-aliases').append(li);
    renumberAliases();
    return li;
  }

  // renumberAliases names each alias input for error messages
  // (aliases[i].name).
  function renumberAliases() {
    Array.from($('m-aliases').children).forEach((li, i) => {
      li.querySelector('.alias-name').dataset.field = 'aliases[' + i + '].name';
      li.querySelector('.alias-type').dataset.field = 'aliases[' + i + '].type';
      li.querySelector('.alias-context').dataset.field = 'aliases[' + i + '].context';
    });
  }

  $('m-add-alias').addEventListener('click', () => aliasRow(null).querySelector('input').focus());

  // readForm returns the form as a model body (unset strings as null).
  function readForm() {
    const v = (id) => { const s = $(id).value.trim(); return s === '' ? null : s; };
    const body = {};
    for (const [k, id] of FIELDS) body[k] = v(id);
    body.display_name = body.display_name || '';
    body.description = $('m-description').value.trim();
    if (body.data_type === 'float') body.data_type = null; // the default
    const own = {};
    for (const [k, id] of OWNER) own[k] = v(id);
    body.ownership = Object.values(own).some((x) => x !== null) ? own : null;
    body.appears_in = Array.from($('m-links').children).map((li) => ({
      moniker_pattern: li.querySelector('.link-pattern').value.trim(),
      column_name: v(li.querySelector('.link-column').id),
      notes: v(li.querySelector('.link-notes').id),
    })).filter((l) => l.moniker_pattern !== '' || l.column_name !== null || l.notes !== null);
    body.semantic_tags = splitList($('m-semantic-tags').value);
    body.tags = Array.from(new Set(splitList($('m-tags').value))).sort();
    body.aliases = Array.from($('m-aliases').children).map((li) => ({
      name: li.querySelector('.alias-name').value.trim(),
      type: li.querySelector('.alias-type').value,
      context: li.querySelector('.alias-context').value.trim(),
    })).filter((a) => a.name !== '' || a.context !== '');
    return body;
  }

  // normal is a model value as the form would read it back, for the
  // changed-fields comparison.
  function normal(m) {
    const s = (x) => (blank(x) ? null : String(x).trim());
    const out = {};
    for (const [k] of FIELDS) out[k] = s(m[k]);
    out.display_name = out.display_name || '';
    out.description = out.description || '';
    if (out.data_type === 'float') out.data_type = null;
    const o = m.ownership || {};
    const own = { methodology_owner: s(o.methodology_owner), business_steward: s(o.business_steward), support_channel: s(o.support_channel) };
    out.ownership = Object.values(own).some((x) => x !== null) ? own : null;
    out.appears_in = (m.appears_in || []).map((l) => ({ moniker_pattern: l.moniker_pattern, column_name: s(l.column_name), notes: s(l.notes) }));
    out.semantic_tags = m.semantic_tags || [];
    out.aliases = (m.aliases || []).map((a) => ({ name: String(a.name || '').trim(), type: a.type, context: String(a.context || '').trim() }));
    out.tags = Array.from(new Set(m.tags || [])).sort();
    return out;
  }

  function clearErrors() {
    for (const e of form.querySelectorAll('[aria-invalid="true"]')) e.removeAttribute('aria-invalid');
    $('model-error').hidden = true;
    $('model-conflict').hidden = true;
  }

  // showErrors shows a refused write in the dialog and marks the inputs of
  // the fields it names ("field: message; ..." for a 400, loc for a 422).
  function showErrors(e) {
    const fields = [];
    if (e instanceof APIError && e.body) {
      if (Array.isArray(e.body.detail)) {
        // ["body", "appears_in", 0, "moniker_pattern"] -> "appears_in[0].moniker_pattern"
        for (const d of e.body.detail) {
          if (!Array.isArray(d.loc)) continue;
          fields.push(d.loc.filter((x) => x !== 'body').reduce((s, x) => (/^\d+$/.test(String(x)) ? s + '[' + x + ']' : (s ? s + '.' : '') + x), ''));
        }
      } else if (typeof e.body.detail === 'string' && e.status === 400) {
        for (const part of e.body.detail.split('; ')) {
          const i = part.indexOf(': ');
          if (i > 0) fields.push(part.slice(0, i));
        }
      }
    }
    let first = null;
    for (const f of fields) {
      const input = form.querySelector('[data-field="' + CSS.escape(f) + '"]') || form.querySelector('[data-field="' + CSS.escape(f.split('.')[0]) + '"]');
      if (!input) continue;
      input.setAttribute('aria-invalid', 'true');
      const sec = input.closest('details');
      if (sec) sec.open = true;
      first = first || input;
    }
    $('model-error').textContent = e.message;
    $('model-error').hidden = false;
    if (first) first.focus();
  }

  // openEdit opens the dialog for m (edit), or empty for a new model
  // (path prefilled with newPath, e.g. a virtual node's path).
  function openEdit(m, newPath) {
    form.reset();
    clearErrors();
    clear($('m-links'));
    clear($('m-aliases'));
    state.editing = m ? m.path : '';
    $('model-title').textContent = m ? 'Edit model' : 'New model';
    $('model-submit').textContent = m ? 'Save' : 'Create';
    $('m-path').readOnly = !!m;
    if (m) {
      const n = normal(m);
      for (const [k, id] of FIELDS) $(id).value = n[k] || '';
      $('m-data-type').value = m.data_type || '';
      const o = m.ownership || {};
      for (const [k, id] of OWNER) $(id).value = o[k] || '';
      for (const l of m.appears_in || []) linkRow(l);
      for (const a of m.aliases || []) aliasRow(a);
      $('m-semantic-tags').value = (m.semantic_tags || []).join(', ');
      $('m-tags').value = (m.tags || []).join(', ');
    } else {
      $('m-path').value = newPath || '';
      linkRow(null);
    }
    openModal(dialog);
    (m ? $('m-display-name') : $('m-path')).focus();
  }

  function closeDialog(d) {
    if (d.open) d.close(); // the focus goes back to the opener (MK.openModal)
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors();
    const body = readForm();
    const submit = $('model-submit');
    if (!state.editing && !body.path) {
      showErrors(new APIError(400, { detail: 'path: required' }));
      return;
    }
    submit.disabled = true;
    try {
      if (state.editing) {
        const before = normal(state.model);
        const patch = {};
        for (const k of Object.keys(body)) {
          if (k === 'path') continue;
          if (JSON.stringify(body[k]) !== JSON.stringify(before[k])) patch[k] = body[k];
        }
        if (Object.keys(patch).length === 0) {
          closeDialog(dialog);
          toast('info', 'No changes to save.');
          return;
        }
        await api('PUT', modelURL(state.editing), { body: patch, headers: { 'If-Match': state.etag } });
        closeDialog(dialog);
        toast('success', 'Saved ' + state.editing + ' (' + Object.keys(patch).join(', ') + ').');
        await loadTree();
        await select(state.editing, true);
      } else {
        for (const k of Object.keys(body)) {
          if (body[k] === null || (Array.isArray(body[k]) && body[k].length === 0)) delete body[k];
        }
        const { data } = await api('POST', '/models', { body });
        closeDialog(dialog);
        toast('success', 'Created model ' + data.path + '.');
        await loadTree();
        await select(data.path, true);
      }
    } catch (e) {
      if (e instanceof APIError && (e.status === 409 || e.status === 412)) {
        await showConflict(e);
      } else {
        showErrors(e);
      }
    } finally {
      submit.disabled = false;
    }
  });

  // showConflict explains a refused edit and lists, field by field, what
  // changed since the dialog opened (the model as it is now against the
  // one the dialog was opened on). The reload offer comes last.
  async function showConflict(e) {
    $('model-conflict-text').textContent = (e.status === 412
      ? 'This model changed since you opened it; your changes were not saved: ' : '') + e.message + ' ';
    const list = clear($('model-conflict-list'));
    $('model-reload').hidden = true;
    $('model-conflict').hidden = false;
    if (state.editing && state.model) {
      try {
        const { data } = await api('GET', modelURL(state.editing));
        const was = normal(state.model), now = normal((data && data.model) || {});
        for (const k of Object.keys(now)) {
          const a = JSON.stringify(was[k]), b = JSON.stringify(now[k]);
          if (a !== b) list.append(el('li', { text: k + ': ' + a + ' → ' + b }));
        }
      } catch (err) {
        list.append(el('li', { text: err.status === 404 ? 'The model has been deleted.' : 'Could not read the current version: ' + err.message }));
      }
    }
    $('model-reload').hidden = false;
    $('model-reload').focus();
  }

  // A conflict's reload: load the model as it is now and edit that (the
  // reader's changes are dropped), or show it (a create that exists).
  $('model-reload').addEventListener('click', async () => {
    const path = state.editing || $('m-path').value.trim();
    closeDialog(dialog);
    await loadTree();
    await select(path, true);
    if (state.editing && state.model && state.model.path === path) openEdit(state.model, '');
  });
  $('model-cancel').addEventListener('click', () => closeDialog(dialog));
  $('new-model').addEventListener('click', () => openEdit(null, ''));

  // ---- Delete ------------------------------------------------------------

  const delDialog = $('delete-dialog');
  let deleting = '';

  function openDelete(path) {
    deleting = path;
    $('delete-text').textContent = 'Delete the model ' + path + '? It is removed from models.yaml at once; catalog nodes are not affected.';
    $('delete-error').hidden = true;
    openModal(delDialog);
    $('delete-cancel').focus();
  }

  $('delete-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const btn = $('delete-confirm');
    btn.disabled = true;
    try {
      const etag = state.model && state.model.path === deleting ? state.etag : '';
      await api('DELETE', modelURL(deleting), { headers: etag ? { 'If-Match': etag } : {} });
      closeDialog(delDialog);
      toast('success', 'Deleted model ' + deleting + '.');
      const parent = deleting.includes('/') ? deleting.slice(0, deleting.lastIndexOf('/')) : '';
      state.selected = '';
      await loadTree();
      if (parent && state.nodes.has(parent)) await select(parent, true);
      else {
        history.replaceState(null, '', location.pathname);
        clear(detail).append(el('div', { class: 'empty-state', text: 'Model deleted. Select another model.' }));
      }
    } catch (e) {
      $('delete-error').textContent = e.message;
      $('delete-error').hidden = false;
      toast('error', 'Could not delete ' + deleting + ': ' + e.message);
    } finally {
      btn.disabled = false;
    }
  });
  $('delete-cancel').addEventListener('click', () => closeDialog(delDialog));

  // ---- Start -------------------------------------------------------------

  $('refresh').addEventListener('click', async () => {
    await loadTree();
    if (state.selected) await select(state.selected);
  });

  window.addEventListener('hashchange', () => {
    const p = pathFromHash();
    if (p && p !== state.selected) select(p);
  });

  (async () => {
    await loadTree();
    const p = pathFromHash();
    if (p) {
      await select(p);
      const e = state.nodes.get(p);
      if (e) e.li.scrollIntoView({ block: 'nearest' });
    }
  })();
})();
