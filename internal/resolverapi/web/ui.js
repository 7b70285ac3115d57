'use strict';
// The resolver's catalog browser (/ui). It calls resolver routes only
// (/tree, /catalog/search, /describe, /resolve, and /fetch for a preview
// of the data), so it works on a resolver alone. Server data reaches the page through textContent,
// attribute setters and DOM nodes only (MK.el), never HTML parsing.
(() => {
  const { el, clear, api, encodePath, toast, badge, treeFocus, treeKeys } = MK;
  const tree = document.getElementById('tree');
  const panel = document.getElementById('panel');
  const results = document.getElementById('results');
  const searchStatus = document.getElementById('search-status');
  const q = document.getElementById('q');

  // Ownership fields in display order, with their labels.
  const OWNER_FIELDS = [
    ['accountable_owner', 'Accountable owner'],
    ['data_specialist', 'Data specialist'],
    ['support_channel', 'Support channel'],
    ['adop', 'ADOP'], ['adop_name', 'ADOP name'],
    ['ads', 'ADS'], ['ads_name', 'ADS name'],
    ['adal', 'ADAL'], ['adal_name', 'ADAL name'],
  ];

  // ---- Tree -------------------------------------------------------------

  // shortName is a node's name without its parent's path.
  function shortName(path, parent) {
    if (parent && path.startsWith(parent) && path.length > parent.length + 1) {
      return path.slice(parent.length + 1);
    }
    return path;
  }

  // treeItem renders one node; its children are fetched on first expand.
  function treeItem(n, parent, level) {
    // A node known to have no children is a leaf: no aria-expanded, no
    // twisty (older resolvers send no child_count: assume children).
    const leaf = n.child_count === 0;
    const li = el('li', {
      role: 'treeitem', 'aria-expanded': leaf ? null : 'false', 'aria-selected': 'false',
      'aria-level': String(level), tabindex: '-1', dataset: { path: n.path },
    });
    const row = el('div', { class: 'row', title: n.path },
      el('span', { class: 'twisty', 'aria-hidden': 'true' }),
      el('span', { class: 'name', text: shortName(n.path, parent) }),
      n.child_count > 0 ? el('span', { class: 'count muted', text: String(n.child_count), title: n.child_count + (n.child_count === 1 ? ' child' : ' children') }) : null,
      n.has_source_binding ? el('span', { class: 'kind muted', text: n.source_type || 'bound' }) : null);
    row.addEventListener('click', (ev) => {
      focusItem(li);
      if (ev.target.classList.contains('twisty')) toggle(li);
      else select(n.path);
    });
    li.append(row);
    return li;
  }

  function renderLevel(ul, nodes, parent, level) {
    for (const n of nodes) ul.append(treeItem(n, parent, level));
  }

  // The all target serves the management pages too: link to them.
  const withManagement = document.getElementById('main').dataset.management === 'true';

  // parentOf is the catalog's hierarchy rule: "/" splits levels; in a
  // path with no "/", "." does.
  function parentOf(p) {
    let i = p.lastIndexOf('/');
    if (i >= 0) return p.slice(0, i);
    i = p.lastIndexOf('.');
    return i >= 0 ? p.slice(0, i) : '';
  }

  function itemOf(path) {
    for (const li of tree.querySelectorAll('[role="treeitem"]')) if (li.dataset.path === path) return li;
    return null;
  }

  // reveal expands the tree down to path (fetching each level) and
  // scrolls its item into view; a path whose ancestors are not all in the
  // tree stays where it is.
  async function reveal(path) {
    await rootsLoaded;
    const chain = [];
    for (let p = parentOf(path); p !== ''; p = parentOf(p)) chain.unshift(p);
    for (const a of chain) {
      const li = itemOf(a);
      if (!li) return;
      await expand(li);
    }
    const li = itemOf(path);
    if (li) {
      markSelected(path);
      treeFocus(tree, li, true);
      li.scrollIntoView({ block: 'nearest' });
    }
  }

  async function loadRoots() {
    clear(tree);
    tree.setAttribute('aria-busy', 'true');
    try {
      const { data } = await api('GET', '/tree?depth=0');
      const roots = Array.isArray(data) ? data : [];
      if (roots.length === 0) {
        tree.parentElement.append(el('div', { class: 'empty-state', id: 'tree-empty', text: 'The catalog is empty.' }));
        return;
      }
      renderLevel(tree, roots, '', 1);
      tree.firstElementChild.setAttribute('tabindex', '0');
    } catch (e) {
      const retry = el('button', { type: 'button', class: 'secondary small', text: 'Retry', onclick: () => { box.remove(); loadRoots(); } });
      const box = el('div', { class: 'banner error', role: 'alert' }, 'Could not load the catalog tree: ' + e.message + ' ', retry);
      tree.parentElement.append(box);
    } finally {
      tree.removeAttribute('aria-busy');
    }
  }

  // expand shows li's children, fetching them the first time.
  async function expand(li) {
    if (li.getAttribute('aria-expanded') !== 'false') return;
    let group = li.querySelector(':scope > ul');
    if (!group) {
      li.setAttribute('aria-busy', 'true');
      try {
        const { data } = await api('GET', '/tree/' + encodePath(li.dataset.path) + '?depth=1');
        const kids = (data && Array.isArray(data.children)) ? data.children : [];
        if (kids.length === 0) {
          li.removeAttribute('aria-expanded'); // a leaf
          return;
        }
        group = el('ul', { role: 'group' });
        renderLevel(group, kids, li.dataset.path, Number(li.getAttribute('aria-level')) + 1);
        li.append(group);
      } catch (e) {
        toast('error', 'Could not load the children of ' + li.dataset.path + ': ' + e.message);
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
  }

  function toggle(li) {
    if (li.getAttribute('aria-expanded') === 'true') collapse(li);
    else expand(li);
  }

  // visibleItems lists the tree items not inside a collapsed group.
  function visibleItems() {
    return Array.from(tree.querySelectorAll('[role="treeitem"]')).filter((li) => !li.closest('ul[hidden]'));
  }

  // focusItem makes li the tree's single tab stop and focuses it.
  function focusItem(li) { treeFocus(tree, li); }

  tree.addEventListener('keydown', (ev) => treeKeys(ev, {
    items: visibleItems, focus: focusItem, expand, collapse, activate: (li) => select(li.dataset.path),
  }));

  // markSelected reflects the selected path in the tree (when it is shown).
  function markSelected(path) {
    for (const o of tree.querySelectorAll('[aria-selected="true"]')) o.setAttribute('aria-selected', 'false');
    for (const li of tree.querySelectorAll('[role="treeitem"]')) {
      if (li.dataset.path === path) li.setAttribute('aria-selected', 'true');
    }
  }

  // ---- Search -----------------------------------------------------------

  // highlight returns text as nodes, every case-insensitive occurrence of
  // a query term wrapped in <mark>.
  function highlight(text, query) {
    const s = String(text || '');
    const terms = String(query).toLowerCase().split(/\s+/).filter(Boolean);
    const out = [];
    if (terms.length === 0) return [s];
    const low = s.toLowerCase();
    let i = 0;
    while (i < s.length) {
      let at = -1;
      let len = 0;
      for (const t of terms) {
        const j = low.indexOf(t, i);
        if (j >= 0 && (at < 0 || j < at || (j === at && t.length > len))) { at = j; len = t.length; }
      }
      if (at < 0) break;
      if (at > i) out.push(document.createTextNode(s.slice(i, at)));
      out.push(el('mark', { text: s.slice(at, at + len) }));
      i = at + len;
    }
    if (i < s.length) out.push(document.createTextNode(s.slice(i)));
    return out;
  }

  let searchSeq = 0;
  async function search(query) {
    const seq = ++searchSeq;
    clear(results);
    if (!query.trim()) { searchStatus.textContent = ''; return; }
    try {
      const { data } = await api('GET', '/catalog/search?limit=50&q=' + encodeURIComponent(query));
      if (seq !== searchSeq) return; // a newer search is under way
      const list = (data && Array.isArray(data.results)) ? data.results : [];
      searchStatus.textContent = list.length + ' result' + (list.length === 1 ? '' : 's') + ' for ' + query;
      if (list.length === 0) {
        results.append(el('li', { class: 'r-note', text: 'No node matches “' + query + '”.' }));
        return;
      }
      for (const r of list) {
        results.append(el('li', null, el('button', { type: 'button', onclick: () => select(r.path) },
          el('span', { class: 'r-name' }, highlight(r.display_name || r.path, query)),
          el('span', { class: 'r-path' }, highlight(r.path, query)),
          r.description ? el('span', { class: 'r-desc' }, highlight(r.description, query)) : null)));
      }
    } catch (e) {
      if (seq !== searchSeq) return;
      results.append(el('li', { class: 'r-note', role: 'alert', text: 'Search failed: ' + e.message }));
    }
  }

  let debounce = null;
  document.getElementById('search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(debounce);
    search(q.value);
  });
  q.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => search(q.value), 250);
  });

  // ---- Node panel -------------------------------------------------------

  let selectSeq = 0;
  // select shows path's details and remembers it in the URL fragment.
  async function select(path) {
    const seq = ++selectSeq;
    markSelected(path);
    if (location.hash !== '#' + encodeURIComponent(path)) history.replaceState(null, '', '#' + encodeURIComponent(path));
    clear(panel).append(el('p', { class: 'muted', text: 'Loading ' + path + '…' }));
    const enc = encodePath(path);
    // /describe answers for any path (as upstream did); /tree/{path}
    // tells whether the node exists.
    const [node, desc, res] = await Promise.allSettled([api('GET', '/tree/' + enc + '?depth=0'),
      api('GET', '/describe/' + enc), api('GET', '/resolve/' + enc)]);
    if (seq !== selectSeq) return;
    clear(panel);
    const failed = node.status === 'rejected' ? node : desc.status === 'rejected' ? desc : null;
    if (failed) {
      const e = failed.reason;
      const text = e.status === 404 ? 'Not found: there is no node ' + path + ' in the catalog.' : 'Could not describe ' + path + ': ' + e.message;
      panel.append(el('div', { class: 'banner error', role: 'alert', text }));
      return;
    }
    renderNode(path, desc.value.data || {}, res);
    reveal(path);
    if (withManagement) modelsSection(path, seq);
  }

  // modelsSection adds the business models whose patterns match path
  // (management's /models/for-moniker; the all target only).
  async function modelsSection(path, seq) {
    let data;
    try {
      ({ data } = await api('GET', '/models/for-moniker/' + encodePath(path)));
    } catch (e) {
      return; // models are optional (models.enabled false answers 503)
    }
    const list = (data && data.models) || [];
    if (seq !== selectSeq || list.length === 0) return;
    const cards = el('ul', { class: 'model-cards' });
    for (const m of list) {
      cards.append(el('li', { class: 'model-card' },
        el('a', { href: '/models/ui#' + encodeURIComponent(m.path), text: m.display_name || m.path }),
        m.unit ? el('span', { class: 'badge', text: m.unit }) : null,
        m.description ? el('p', { text: m.description }) : null,
        m.formula ? el('code', { text: m.formula }) : null));
    }
    panel.append(el('div', { class: 'panel', id: 'models' }, el('h3', { text: 'Business models' }), cards));
  }

  function renderNode(path, d, res) {
    const r = res.status === 'fulfilled' ? (res.value.data || {}) : null;
    panel.append(el('div', { class: 'node-head' },
      el('h2', { id: 'node-title', text: d.display_name || path }),
      badge(d.status || 'active')));
    panel.append(el('p', { class: 'uri', text: 'moniker://' + path }));
    if (d.description) panel.append(el('p', { id: 'node-desc', text: d.description }));
    const banner = statusBanner(d, r);
    if (banner) panel.append(banner);
    panel.append(el('ul', { class: 'node-links', 'aria-label': 'JSON endpoints' },
      ['resolve', 'describe', 'lineage', 'metadata'].map((k) =>
        el('li', null, el('a', { href: '/' + k + '/' + encodePath(path), text: '/' + k }))),
      withManagement ? el('li', null, el('a', { id: 'edit-link', href: '/config/ui#' + encodeURIComponent(path), text: 'Edit in Config UI' })) : null));

    const facts = el('dl', { class: 'kv' });
    const fact = (k, v) => { if (v) facts.append(el('dt', { text: k }), el('dd', { text: v })); };
    fact('Source type', d.source_type || (d.has_source_binding ? 'bound' : 'none (no source binding)'));
    fact('Classification', d.classification);
    fact('Tags', Array.isArray(d.tags) ? d.tags.join(', ') : '');
    panel.append(el('div', { class: 'panel' }, el('h3', { text: 'Overview' }), facts));
    panel.append(ownershipSection(path, d.ownership || {}));
    panel.append(querySection(path, d, res));
    if (r || d.has_source_binding) panel.append(previewSection(path));
  }

  // statusBanner explains a status other than active: the deprecation
  // message, the successor (a link that selects it), the sunset deadline
  // and the migration guide. /resolve has those fields; /describe has the
  // status alone.
  function statusBanner(d, r) {
    const status = (r && r.status) || d.status || 'active';
    if (status === 'active') return null;
    const box = el('div', { class: 'banner warn', id: 'status-banner', role: 'note' });
    box.append(el('strong', { text: 'Status: ' + status.replace(/_/g, ' ') + '. ' }));
    if (r && r.deprecation_message) box.append(el('span', { text: r.deprecation_message + ' ' }));
    if (r && r.successor) {
      box.append('Successor: ', el('a', { href: '#' + encodeURIComponent(r.successor), id: 'successor-link', text: r.successor }), '. ');
    }
    if (r && r.sunset_deadline) box.append(el('span', { text: 'Sunset: ' + r.sunset_deadline + '. ' }));
    if (r && r.migration_guide_url) {
      // A link only for an absolute http(s) URL; anything else is text.
      const u = String(r.migration_guide_url);
      box.append(/^https?:\/\//i.test(u)
        ? el('a', { href: u, rel: 'noopener', id: 'migration-guide', text: 'Migration guide' })
        : el('span', { id: 'migration-guide', text: 'Migration guide: ' + u }));
    }
    if (r && r.redirected_from) box.append(el('p', { text: 'Resolving ' + r.redirected_from + ' was redirected to ' + r.path + '.' }));
    return box;
  }

  // ownershipSection lists the owners with where each value comes from.
  function ownershipSection(path, o) {
    const sec = el('div', { class: 'panel', id: 'ownership' }, el('h3', { text: 'Ownership' }));
    const body = el('tbody');
    for (const [k, label] of OWNER_FIELDS) {
      const v = o[k];
      if (v === null || v === undefined || v === '') continue;
      const src = o[k + '_source'];
      const from = !src || src === path ? 'set on this node' : 'inherited from ' + src;
      body.append(el('tr', { dataset: { field: k } }, el('th', { scope: 'row', text: label }), el('td', { text: String(v) }), el('td', { class: 'src', text: from })));
    }
    if (!body.firstChild) {
      sec.append(el('p', { class: 'muted', text: 'No owners are set on this node or its ancestors.' }));
      return sec;
    }
    sec.append(el('div', { class: 'table-wrap' }, el('table', { class: 'data' },
      el('thead', null, el('tr', null, el('th', { scope: 'col', text: 'Role' }), el('th', { scope: 'col', text: 'Value' }), el('th', { scope: 'col', text: 'Source' }))),
      body)));
    return sec;
  }

  // querySection shows the query /resolve renders for the node, with a
  // copy button.
  function querySection(path, d, res) {
    const sec = el('div', { class: 'panel', id: 'example' });
    if (res.status === 'rejected') {
      sec.append(el('h3', { text: 'Example query' }));
      const e = res.reason;
      const text = e.status === 404 && !d.has_source_binding
        ? 'No source binding on this node or its ancestors: there is nothing to query.'
        : 'Could not resolve ' + path + ': ' + e.message;
      sec.append(el('p', { class: 'muted', text }));
      return sec;
    }
    const r = res.value.data || {};
    const query = r.query ? String(r.query) : '';
    const copy = el('button', { type: 'button', class: 'secondary small', id: 'copy-query', text: 'Copy', disabled: !query });
    sec.append(el('div', { class: 'query-head' }, el('h3', { text: 'Example query' + (r.source_type ? ' (' + r.source_type + ')' : '') }), copy));
    if (!query) {
      sec.append(el('p', { class: 'muted', text: 'This source type has no query; see /resolve for its connection.' }));
      return sec;
    }
    const pre = el('pre', { class: 'query', id: 'query', tabindex: '0', 'aria-label': 'Example query', text: query });
    sec.append(pre);
    copy.addEventListener('click', () => copyText(query, pre));
    return sec;
  }

  // ---- Data preview -----------------------------------------------------

  // PREVIEW_ROWS is how many rows a preview asks /fetch for.
  const PREVIEW_ROWS = 20;
  // NUMERIC are the logical column types shown right-aligned.
  const NUMERIC = new Set(['int64', 'float64', 'decimal']);

  // previewSection offers the first rows of a moniker (the node's path, or
  // one typed below it: a bound node's own path fills its query's
  // segments with its name), run on the source through /fetch. It runs
  // only when asked: a preview is a query on the source.
  function previewSection(path) {
    const sec = el('div', { class: 'panel', id: 'preview' }, el('h3', { text: 'Preview data' }));
    const input = el('input', { id: 'preview-moniker', type: 'text', value: path, spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'preview-hint' });
    const run = el('button', { type: 'submit', id: 'preview-run', text: 'Preview data' });
    const out = el('div', { id: 'preview-out' });
    const form = el('form', { class: 'preview-form', id: 'preview-form' },
      el('label', { class: 'sr-only', for: 'preview-moniker', text: 'Moniker to preview' }), input, run);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      preview(input.value.trim() || path, out, run);
    });
    sec.append(form, el('p', { class: 'hint', id: 'preview-hint',
      text: 'The first ' + PREVIEW_ROWS + ' rows, read from the source by the service (GET /fetch). Add segments or a version below the node, e.g. ' + path + '/ALL or @latest.' }), out);
    return sec;
  }

  let previewSeq = 0;
  // preview fetches moniker's first rows into out.
  async function preview(moniker, out, button) {
    const seq = ++previewSeq;
    let [p, query] = moniker.replace(/^moniker:\/\//, '').split(/\?(.*)/s);
    const url = '/fetch/' + encodePath(p) + '?limit=' + PREVIEW_ROWS + (query ? '&' + query : '');
    clear(out).setAttribute('aria-busy', 'true');
    out.append(el('p', { class: 'muted preview-loading', id: 'preview-status', role: 'status', text: 'Running the query for ' + moniker + '…' }));
    button.disabled = true;
    try {
      const { data, res } = await api('GET', url);
      if (seq !== previewSeq) return;
      clear(out);
      if (res.status === 202 || (data && data.cache_status === 'loading')) {
        out.append(el('div', { class: 'banner info', id: 'preview-error', role: 'status', text: 'The result cache is loading this result for the first time; try again in a moment.' }));
        return;
      }
      renderRows(out, data || {}, url);
    } catch (e) {
      if (seq !== previewSeq) return;
      clear(out).append(previewError(e));
    } finally {
      if (seq === previewSeq) {
        out.removeAttribute('aria-busy');
        button.disabled = false;
      }
    }
  }

  // previewError explains a failed fetch: what went wrong in words, the
  // server's message, and the status and code.
  function previewError(e) {
    const code = e.body && typeof e.body.code === 'string' ? e.body.code : '';
    const what = {
      501: 'This source type cannot be read by the service.',
      502: 'The source refused the query.',
      503: 'The source is not available right now.',
      504: 'The source did not answer in time.',
      403: 'The access policy refuses this moniker.',
      404: 'Nothing to preview.',
      400: 'This is not a valid moniker.',
      422: 'The request was refused.',
      429: 'Too many requests: try again shortly.',
    }[e.status] || 'The preview failed.';
    const box = el('div', { class: 'banner error', id: 'preview-error', role: 'alert' },
      el('strong', { text: what + ' ' }), el('span', { class: 'preview-detail', text: e.message }));
    if (e.status) box.append(el('span', { class: 'preview-code', text: ' (HTTP ' + e.status + (code ? ', ' + code : '') + ')' }));
    return box;
  }

  // renderRows shows a FetchResponse: a summary line, the columns with
  // their logical types, and the rows; NULL is marked as such.
  function renderRows(out, d, url) {
    const schema = Array.isArray(d.schema) ? d.schema : (Array.isArray(d.columns) ? d.columns.map((n) => ({ name: n, type: '' })) : []);
    const rows = Array.isArray(d.data) ? d.data : [];
    const n = rows.length;
    let summary = n === 0 ? 'The query returned no rows.' : n + (n === 1 ? ' row' : ' rows');
    if (d.truncated) summary += ' (the first ' + n + '; there are more)';
    if (typeof d.execution_time_ms === 'number') summary += ' · ' + d.execution_time_ms + ' ms';
    if (d.cached) summary += ' · from the result cache';
    out.append(el('p', { class: 'preview-summary', id: 'preview-summary', role: 'status' }, summary + ' ',
      el('a', { href: url, text: 'JSON' }), ' ', el('a', { href: url + '&format=csv', text: 'CSV' })));
    if (n === 0) {
      out.append(el('p', { class: 'muted', text: 'A bound node\'s own path fills the segments of its query with its name: try a path below it, with the segments and version its query expects.' }));
      return;
    }
    const head = el('tr', null, schema.map((c) => el('th', { scope: 'col', class: NUMERIC.has(c.type) ? 'num' : null },
      el('span', { class: 'col-name', text: c.name }), c.type ? el('span', { class: 'col-type', text: c.type }) : null)));
    const body = el('tbody');
    for (const row of rows) {
      const tr = el('tr');
      for (const c of schema) {
        const v = row ? row[c.name] : null;
        if (v === null || v === undefined) {
          tr.append(el('td', { class: 'null', text: 'NULL' }));
          continue;
        }
        const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
        tr.append(el('td', { class: NUMERIC.has(c.type) ? 'num' : null, text }));
      }
      body.append(tr);
    }
    out.append(el('div', { class: 'table-wrap preview-wrap' }, el('table', { class: 'data preview-table', id: 'preview-table' },
      el('caption', { class: 'sr-only', text: 'Preview of ' + (d.moniker || '') }), el('thead', null, head), body)));
  }

  // copyText copies through the Clipboard API, falling back to selecting
  // the text and execCommand when the API is unavailable or refused.
  async function copyText(text, node) {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard API');
      await navigator.clipboard.writeText(text);
      toast('success', 'Query copied to the clipboard.');
    } catch (e) {
      const range = document.createRange();
      range.selectNodeContents(node);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      const ok = document.execCommand && document.execCommand('copy');
      toast(ok ? 'success' : 'info', ok ? 'Query copied to the clipboard.' : 'Query selected: press Ctrl+C to copy.');
    }
  }

  // ---- Start ------------------------------------------------------------

  function fromHash() {
    let p = '';
    try { p = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    if (p) select(p);
  }
  window.addEventListener('hashchange', fromHash);
  const rootsLoaded = loadRoots();
  fromHash();
})();
