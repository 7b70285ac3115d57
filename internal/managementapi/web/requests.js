'use strict';
// The review queue: requests filtered by status, one request's detail
// with its review actions and comments, and the submission form. Every
// server value reaches the page through MK.el (textContent, attributes).
(() => {
  const { el, clear, api, toast, fmtTime, badge, openModal } = MK;

  const REFRESH_MS = 15000;
  // Tabs: "" is every request; draft and active only show when counted.
  const TABS = [['', 'All'], ['pending_review', 'Pending review'], ['changes_requested', 'Changes requested'],
    ['approved', 'Approved'], ['rejected', 'Rejected'], ['draft', 'Draft'], ['active', 'Active']];
  const OPTIONAL_TABS = new Set(['draft', 'active']);

  const $ = (id) => document.getElementById(id);
  // amending is the id of the request the form amends ('' = a new one).
  // listSeq and detailSeq number the loads, so that a slow answer never
  // overwrites a newer one.
  const state = { status: '', selected: '', etag: '', pending: null, amending: '', listSeq: 0, detailSeq: 0 };

  const who = (p) => (p && (p.name || p.email)) || '';
  const idFromHash = () => decodeURIComponent(location.hash.replace(/^#/, ''));

  // actor returns the identity the page acts as (empty fields: none, the
  // server then uses the authenticated principal or answers 422).
  function actor() {
    const a = $('actor').value.trim();
    const n = $('actor-name').value.trim();
    return { actor: a || undefined, actor_name: n || undefined };
  }

  function remember() {
    try {
      localStorage.setItem('mk.actor', $('actor').value.trim());
      localStorage.setItem('mk.actor_name', $('actor-name').value.trim());
    } catch (e) { /* storage unavailable */ }
  }

  function recall() {
    try {
      $('actor').value = localStorage.getItem('mk.actor') || '';
      $('actor-name').value = localStorage.getItem('mk.actor_name') || '';
    } catch (e) { /* storage unavailable */ }
  }

  function fail(prefix, e) {
    toast('error', prefix + ': ' + e.message);
  }

  // List and filters.

  function renderFilters(counts) {
    const box = clear($('filters'));
    for (const [key, label] of TABS) {
      const n = key ? counts[key] || 0 : counts.total || 0;
      if (OPTIONAL_TABS.has(key) && n === 0 && state.status !== key) continue;
      box.append(el('button', {
        type: 'button', class: state.status === key ? 'small' : 'small secondary',
        'aria-pressed': state.status === key ? 'true' : 'false', dataset: { status: key },
        text: label + ' (' + n + ')',
        onclick: () => { state.status = key; loadList(); },
      }));
    }
  }

  function renderList(list) {
    const ul = clear($('req-list'));
    if (list.length === 0) {
      ul.append(el('li', { class: 'muted', text: 'No requests' + (state.status ? ' with this status.' : '.') }));
    }
    for (const r of list) {
      const b = el('button', {
        type: 'button', class: 'tree-label', dataset: { id: r.request_id },
        'aria-current': r.request_id === state.selected ? 'true' : null,
        onclick: () => select(r.request_id, true),
      },
      el('span', { class: 'mono', text: r.request_id + ' ' }), badge(r.status),
      el('span', { class: 'r-path mono', text: ' ' + r.path }),
      el('br'),
      el('small', { text: who(r.requester) + ' · ' + fmtTime(r.created_at) }));
      ul.append(el('li', {}, b));
    }
  }

  async function loadList() {
    const url = '/requests' + (state.status ? '?status=' + encodeURIComponent(state.status) : '');
    const ul = $('req-list');
    const seq = ++state.listSeq;
    ul.setAttribute('aria-busy', 'true');
    try {
      const { data } = await api('GET', url);
      if (seq !== state.listSeq) return;
      const list = (data && data.requests) || [];
      const counts = (data && data.by_status) || {};
      renderFilters(counts);
      renderList(list);
      $('summary').textContent = (counts.total || 0) + ' requests, ' + (counts.pending_review || 0) + ' pending review.';
      $('error').hidden = true;
    } catch (e) {
      if (seq !== state.listSeq) return;
      $('error').textContent = 'Could not load the requests: ' + e.message;
      $('error').hidden = false;
    } finally {
      if (seq === state.listSeq) {
        ul.setAttribute('aria-busy', 'false');
        ul.dataset.state = 'ready';
      }
    }
  }

  // Detail.

  function row(label, value, cls) {
    return el('tr', {}, el('th', { scope: 'row', text: label }), el('td', { class: cls || null, text: value === null || value === undefined ? '' : String(value) }));
  }

  function table(caption, rows) {
    return el('table', { class: 'data' }, el('caption', { class: 'sr-only', text: caption }), el('tbody', {}, rows));
  }

  function person(id, name) {
    if (!id && !name) return '—';
    return name && id && name !== id ? name + ' <' + id + '>' : id || name;
  }

  function renderDetail(r) {
    const box = $('detail');
    const draft = $('comment-text') ? $('comment-text').value : '';
    clear(box);
    box.dataset.id = r.request_id;
    box.dataset.status = r.status;
    const head = el('div', { class: 'node-head' },
      el('h2', { id: 'detail-title' }, el('span', { class: 'mono', text: r.request_id }), ' ', badge(r.status)),
      r.domain_level === 'top_level' ? el('span', { class: 'badge s-pending_review', text: 'top-level domain: elevated review' }) : null);
    box.append(head, el('p', { class: 'uri', text: r.path }));
    const pending = r.status === 'pending_review';
    if (pending || r.status === 'changes_requested') {
      box.append(el('div', { class: 'toolbar', role: 'group', 'aria-label': 'Actions' },
        pending ? el('button', { type: 'button', id: 'btn-approve', text: 'Approve', onclick: (ev) => openReview('approve', ev.currentTarget) }) : null,
        pending ? el('button', { type: 'button', id: 'btn-reject', class: 'danger', text: 'Reject', onclick: (ev) => openReview('reject', ev.currentTarget) }) : null,
        pending ? el('button', { type: 'button', id: 'btn-changes', class: 'secondary', text: 'Request changes', onclick: (ev) => openReview('request-changes', ev.currentTarget) }) : null,
        el('button', { type: 'button', id: 'btn-amend', class: 'secondary', text: 'Amend (requester)', onclick: (ev) => openForm(r, ev.currentTarget) })));
    }
    const rq = r.requester || {};
    box.append(el('div', { class: 'panel' }, el('h3', { text: 'Request' }), table('Request', [
      row('Display name', r.display_name),
      row('Description', r.description),
      row('Justification', r.justification),
      row('Requester', person(rq.email, rq.name)),
      row('Team', rq.team),
      row('App ID', rq.app_id),
      row('Submitted by', r.submitted_by),
      row('Created', fmtTime(r.created_at)),
      row('Updated', fmtTime(r.updated_at)),
      row('Reviewed by', r.reviewed_by ? r.reviewed_by + (r.reviewed_at ? ' · ' + fmtTime(r.reviewed_at) : '') : ''),
      row('Rejection reason', r.rejection_reason),
      row('Catalog node', r.approved_node_path, 'mono'),
    ])));
    box.append(el('div', { class: 'panel' }, el('h3', { text: 'Proposed ownership' }), table('Proposed ownership', [
      row('ADOP (owner)', person(r.adop, r.adop_name)),
      row('ADS (specialist)', person(r.ads, r.ads_name)),
      row('ADAL (accountable lead)', person(r.adal, r.adal_name)),
    ])));
    const cfg = r.source_binding_config || {};
    box.append(el('div', { class: 'panel' }, el('h3', { text: 'Source binding' }),
      table('Source binding', [row('Type', r.source_binding_type || '—', 'mono')]),
      Object.keys(cfg).length ? el('pre', { class: 'uri', 'aria-label': 'Source config JSON', text: JSON.stringify(cfg, null, 2) }) : el('p', { class: 'muted', text: 'No source config.' }),
      el('h3', { text: 'Tags' }),
      (r.tags || []).length ? el('p', {}, (r.tags || []).flatMap((t) => [el('span', { class: 'badge', text: t }), ' '])) : el('p', { class: 'muted', text: 'No tags.' })));
    const comments = r.comments || [];
    const thread = el('ol', { id: 'comments' });
    for (const c of comments) {
      thread.append(el('li', {},
        el('strong', { text: c.author_name || c.author || 'unknown' }), ' ',
        c.action && c.action !== 'comment' ? badge(c.action) : null, ' ',
        el('small', { class: 'muted', text: fmtTime(c.timestamp) }),
        el('p', { text: c.content })));
    }
    const text = el('textarea', { id: 'comment-text', rows: '3' });
    text.value = draft;
    box.append(el('div', { class: 'panel' },
      el('h3', { text: 'Comments (' + comments.length + ')' }),
      comments.length ? thread : el('p', { class: 'muted', text: 'No comments yet.' }),
      el('form', { id: 'comment-form', onsubmit: (ev) => { ev.preventDefault(); addComment(); } },
        el('label', { for: 'comment-text', text: 'Add a comment' }), text,
        el('div', { class: 'toolbar' }, el('button', { type: 'submit', id: 'comment-submit', text: 'Comment' })))));
    box.dataset.state = 'ready';
  }

  async function loadDetail(id, force) {
    const seq = ++state.detailSeq;
    try {
      const { data, res } = await api('GET', '/requests/' + encodeURIComponent(id));
      if (seq !== state.detailSeq) return;
      const etag = res.headers.get('ETag') || '';
      if (!force && etag && etag === state.etag && $('detail').dataset.id === id) return;
      state.etag = etag;
      renderDetail(data);
    } catch (e) {
      if (seq !== state.detailSeq) return;
      const box = clear($('detail'));
      delete box.dataset.id;
      box.append(el('div', { class: 'empty-state', text: 'Could not load ' + id + ': ' + e.message }));
      if (e.status !== 404) fail('Loading ' + id, e);
    }
  }

  function select(id, focus) {
    state.selected = id;
    if (idFromHash() !== id) history.replaceState(null, '', '#' + encodeURIComponent(id));
    for (const b of $('req-list').querySelectorAll('button[data-id]')) {
      if (b.dataset.id === id) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    }
    state.etag = '';
    loadDetail(id, true).then(() => { if (focus) $('detail').focus(); });
  }

  // Review dialog: approve (reason optional), reject and request changes
  // (reason required).
  const ACTIONS = {
    approve: { title: 'Approve request', verb: 'Approve', required: false, done: 'approved',
      text: 'Approving writes the proposed node into the catalog.' },
    reject: { title: 'Reject request', verb: 'Reject', required: true, done: 'rejected',
      text: 'The requester sees the reason; the catalog is not changed.' },
    'request-changes': { title: 'Request changes', verb: 'Request changes', required: true, done: 'sent back for changes',
      text: 'The requester amends the request, which puts it back in review.' },
  };

  function openReview(action, opener) {
    const a = ACTIONS[action];
    state.pending = action;
    $('review-title').textContent = a.title + ' ' + state.selected;
    $('review-text').textContent = a.text;
    $('review-label').textContent = a.required ? 'Reason (required)' : 'Note (optional)';
    $('review-hint').textContent = a.required ? 'Tell the requester why.' : '';
    const reason = $('review-reason');
    reason.value = '';
    reason.required = a.required;
    reason.setAttribute('aria-required', String(a.required));
    reason.removeAttribute('aria-invalid');
    $('review-error').hidden = true;
    $('review-confirm').textContent = a.verb;
    $('review-confirm').className = action === 'reject' ? 'danger' : '';
    openModal($('review-dialog'), opener);
    reason.focus();
  }

  function closeDialog(d) {
    if (d.open) d.close();
  }

  async function submitReview() {
    const action = state.pending;
    const a = ACTIONS[action];
    const reason = $('review-reason');
    const text = reason.value.trim();
    if (a.required && !text) {
      reason.setAttribute('aria-invalid', 'true');
      $('review-hint').textContent = 'A reason is required.';
      reason.focus();
      return;
    }
    const id = state.selected;
    const body = Object.assign(actor(), { reason: text || undefined });
    const headers = state.etag ? { 'If-Match': state.etag } : {};
    $('review-confirm').disabled = true;
    try {
      const { data } = await api('POST', '/requests/' + encodeURIComponent(id) + '/' + action, { body, headers });
      closeDialog($('review-dialog'));
      toast('success', id + ' ' + a.done + (data && data.approved_node_path ? ': node ' + data.approved_node_path + ' created' : '') + '.');
      state.etag = '';
      await Promise.all([loadList(), loadDetail(id, true)]);
      $('detail').focus();
    } catch (e) {
      // shown in the dialog, where the focus is, and as a toast.
      $('review-error').textContent = e.message;
      $('review-error').hidden = false;
      fail(a.verb + ' ' + id, e);
    } finally {
      $('review-confirm').disabled = false;
    }
  }

  async function addComment() {
    const box = $('comment-text');
    const content = box.value.trim();
    if (!content) {
      box.setAttribute('aria-invalid', 'true');
      box.focus();
      return;
    }
    const id = state.selected;
    const a = actor();
    try {
      await api('POST', '/requests/' + encodeURIComponent(id) + '/comment', { body: { author: a.actor, author_name: a.actor_name, content } });
      box.value = '';
      toast('success', 'Comment added to ' + id + '.');
      await loadDetail(id, true);
      $('comment-text').focus();
    } catch (e) {
      fail('Comment on ' + id, e);
    }
  }

  // The request form: a new request, or the requester's amendment of
  // one (PUT; the requester cannot change).

  const FORM_FIELDS = [['nr-path', 'path'], ['nr-display-name', 'display_name'], ['nr-description', 'description'],
    ['nr-justification', 'justification'], ['nr-adop', 'adop'], ['nr-adop-name', 'adop_name'], ['nr-ads', 'ads'],
    ['nr-ads-name', 'ads_name'], ['nr-adal', 'adal'], ['nr-adal-name', 'adal_name'], ['nr-source-type', 'source_binding_type']];

  // openForm opens the form empty (r null) or filled with r to amend it.
  function openForm(r, opener) {
    const form = $('new-form');
    form.reset();
    for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
    state.amending = r ? r.request_id : '';
    $('new-title').textContent = r ? 'Amend ' + r.request_id : 'New moniker request';
    $('new-submit').textContent = r ? 'Save and resubmit' : 'Submit request';
    $('nr-requester').hidden = !!r;
    $('nr-note-wrap').hidden = !r;
    if (r) {
      for (const [id, key] of FORM_FIELDS) $(id).value = r[key] || '';
      const cfg = r.source_binding_config || {};
      $('nr-source-config').value = Object.keys(cfg).length ? JSON.stringify(cfg, null, 2) : '';
      $('nr-tags').value = (r.tags || []).join(', ');
    }
    openModal($('new-dialog'), opener);
    $('nr-path').focus();
  }

  // proposal reads the form: fields and the parsed source config (null
  // when empty); it throws when the config is not a JSON object.
  function proposal() {
    const out = {};
    for (const [id, key] of FORM_FIELDS) out[key] = $(id).value.trim();
    const raw = $('nr-source-config').value.trim();
    const cfgBox = $('nr-source-config');
    cfgBox.removeAttribute('aria-invalid');
    out.source_binding_config = null;
    if (raw) {
      let config = null;
      try { config = JSON.parse(raw); } catch (e) { /* reported below */ }
      if (!config || typeof config !== 'object' || Array.isArray(config)) {
        cfgBox.setAttribute('aria-invalid', 'true');
        throw new Error('Source config must be a JSON object.');
      }
      out.source_binding_config = config;
    }
    out.tags = $('nr-tags').value.split(',').map((t) => t.trim()).filter(Boolean);
    return out;
  }

  // submitBody is POST /requests's body: empty optional values left out.
  function submitBody(p) {
    const body = { requester: { name: $('nr-req-name').value.trim(), email: $('nr-req-email').value.trim() } };
    const team = $('nr-req-team').value.trim();
    const app = $('nr-req-app').value.trim();
    if (team) body.requester.team = team;
    if (app) body.requester.app_id = app;
    for (const [k, v] of Object.entries(p)) {
      if (k === 'path' || (v !== null && v !== '' && !(Array.isArray(v) && v.length === 0))) body[k] = v;
    }
    return body;
  }

  async function submitForm() {
    const required = state.amending ? ['nr-path'] : ['nr-path', 'nr-req-name', 'nr-req-email'];
    const missing = required.filter((id) => {
      const bad = !$(id).value.trim();
      if (bad) $(id).setAttribute('aria-invalid', 'true');
      else $(id).removeAttribute('aria-invalid');
      return bad;
    });
    if (missing.length) {
      toast('error', 'Fill in the required fields.');
      $(missing[0]).focus();
      return;
    }
    let p;
    try {
      p = proposal();
    } catch (e) {
      toast('error', e.message);
      $('nr-source-config').focus();
      return;
    }
    $('new-submit').disabled = true;
    try {
      let id;
      if (state.amending) {
        id = state.amending;
        const body = Object.assign(p, actor());
        const note = $('nr-note').value.trim();
        if (note) body.comment = note;
        const headers = state.etag ? { 'If-Match': state.etag } : {};
        await api('PUT', '/requests/' + encodeURIComponent(id), { body, headers });
        toast('success', id + ' amended and back in review.');
      } else {
        const { data } = await api('POST', '/requests', { body: submitBody(p) });
        id = data.request_id;
        toast('success', id + ': ' + data.message);
        state.status = '';
      }
      closeDialog($('new-dialog'));
      await loadList();
      select(id, true);
    } catch (e) {
      fail(state.amending ? 'Amending ' + state.amending : 'Submitting the request', e);
    } finally {
      $('new-submit').disabled = false;
    }
  }

  // Auto-refresh, paused while a dialog is open or the tab is hidden.
  function refresh() {
    if (document.querySelector('dialog[open]') || document.hidden) return;
    loadList();
    if (state.selected) loadDetail(state.selected, false);
  }

  function wire() {
    recall();
    $('actor').addEventListener('change', remember);
    $('actor-name').addEventListener('change', remember);
    $('refresh').addEventListener('click', refresh);
    $('new-request').addEventListener('click', (ev) => openForm(null, ev.currentTarget));
    $('new-cancel').addEventListener('click', () => closeDialog($('new-dialog')));
    $('review-cancel').addEventListener('click', () => closeDialog($('review-dialog')));
    $('new-form').addEventListener('submit', (ev) => { ev.preventDefault(); submitForm(); });
    $('review-form').addEventListener('submit', (ev) => { ev.preventDefault(); submitReview(); });
    window.addEventListener('hashchange', () => {
      const id = idFromHash();
      if (id && id !== state.selected) select(id, true);
    });
    setInterval(refresh, REFRESH_MS);
  }

  wire();
  loadList();
  const first = idFromHash();
  if (first) select(first, false);
})();
