'use strict';
// Helpers shared by the management pages. Server data is only ever put
// into the page with textContent, attribute setters and DOM nodes; never
// through HTML parsing.
const MK = (() => {
  // el builds an element: attrs sets properties ("text", "class",
  // "on<event>", "dataset") and attributes; children are nodes or text.
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    setAttrs(e, attrs);
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }

  function setAttrs(e, attrs) {
    if (!attrs) return;
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') e.textContent = String(v);
      else if (k === 'class') e.setAttribute('class', v);
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'href') e.setAttribute('href', safeURL(v));
      else e.setAttribute(k, v === true ? '' : String(v));
    }
  }

  const SVG = 'http://www.w3.org/2000/svg';
  // svg builds an SVG element with attributes and children.
  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') e.textContent = String(v);
      else e.setAttribute(k, String(v));
    }
    for (const c of children.flat()) if (c) e.append(c);
    return e;
  }

  // safeURL keeps http(s), mailto and same-origin relative URLs; anything
  // else (javascript:, data:) becomes "#".
  function safeURL(u) {
    const s = String(u);
    try {
      const p = new URL(s, location.href);
      if (['http:', 'https:', 'mailto:'].includes(p.protocol)) return s;
    } catch (e) { /* not a URL */ }
    return '#';
  }

  // clear removes every child of e.
  function clear(e) {
    while (e.firstChild) e.firstChild.remove();
    return e;
  }

  // encodePath percent-encodes each "/"-segment of a catalog path.
  function encodePath(p) {
    return String(p).split('/').map(encodeURIComponent).join('/');
  }

  // APIError is a non-2xx answer: status, body and the server's detail.
  class APIError extends Error {
    constructor(status, body) {
      super(detailText(status, body));
      this.status = status;
      this.body = body;
    }
  }

  // detailText renders an error body: a string detail, or a 422 list of
  // field errors as "field: message" lines.
  function detailText(status, body) {
    if (body && typeof body.detail === 'string') return body.detail;
    if (body && Array.isArray(body.detail)) {
      return body.detail.map((d) => {
        const loc = Array.isArray(d.loc) ? d.loc.filter((x) => x !== 'body').join('.') : '';
        return (loc ? loc + ': ' : '') + (d.msg || 'invalid');
      }).join('\n');
    }
    return 'HTTP ' + status;
  }

  // api sends a JSON request and returns {data, res}; it throws APIError
  // on a non-2xx answer and a plain Error when the server is unreachable.
  async function api(method, url, opts = {}) {
    const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
    Object.assign(init.headers, opts.headers || {});
    if (opts.body !== undefined) {
      init.body = JSON.stringify(opts.body);
      init.headers['Content-Type'] = 'application/json';
    }
    let res;
    try {
      res = await fetch(url, init);
    } catch (e) {
      throw new Error('Network error: ' + e.message);
    }
    const text = await res.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch (e) { data = { detail: text.slice(0, 300) }; }
    }
    if (!res.ok) throw new APIError(res.status, data);
    return { data, res };
  }

  // toast shows a message (kind: info, success, error) in the page's
  // live region; actions are [{label, run}] buttons.
  function toast(kind, message, actions) {
    const box = document.getElementById('toasts');
    if (!box) return;
    const t = el('div', { class: 'toast ' + kind, role: kind === 'error' ? 'alert' : null });
    t.append(el('span', { class: 'toast-text', text: message }));
    for (const a of actions || []) {
      t.append(el('button', { type: 'button', class: 'toast-action', text: a.label, onclick: () => { t.remove(); a.run(); } }));
    }
    t.append(el('button', { type: 'button', 'aria-label': 'Dismiss', text: '×', onclick: () => t.remove() }));
    box.append(t);
    if (!actions || actions.length === 0) {
      setTimeout(() => t.remove(), kind === 'error' ? 10000 : 4000);
    }
  }

  // fmtTime renders an ISO timestamp in the browser's locale.
  function fmtTime(s) {
    if (!s) return '';
    const d = new Date(s);
    return isNaN(d) ? String(s) : d.toLocaleString();
  }

  // badge is a status pill.
  function badge(status) {
    const s = String(status || '');
    return el('span', { class: 'badge s-' + s.replace(/[^a-z_]/g, ''), text: s.replace(/_/g, ' ') });
  }

  // openModal opens dialog d as a modal (unless it is open) and, when it
  // closes, gives the focus back to opener (default: the element focused
  // now) where the browser did not: only when the focus fell to the page
  // or stayed in the dialog, never away from a field the user moved to.
  // The close event comes after the dialog has gone, so one that arrives
  // once d is open again is ignored.
  const openers = new WeakMap();
  function openModal(d, opener) {
    if (d.open) return;
    if (!openers.has(d)) {
      d.addEventListener('close', () => {
        if (d.open) return;
        const o = openers.get(d);
        openers.set(d, null);
        const a = document.activeElement;
        if (o && o.isConnected && typeof o.focus === 'function' && (!a || a === document.body || d.contains(a))) o.focus();
      });
    }
    openers.set(d, opener || document.activeElement);
    d.showModal();
  }

  // treeFocus makes li its tree's single tab stop and focuses it (unless
  // noFocus): the roving tabindex of a WAI-ARIA tree.
  function treeFocus(tree, li, noFocus) {
    if (!li) return;
    for (const o of tree.querySelectorAll('[role="treeitem"][tabindex="0"]')) o.setAttribute('tabindex', '-1');
    li.setAttribute('tabindex', '0');
    if (!noFocus) li.focus();
  }

  // treeKeys handles the WAI-ARIA tree keys on a keydown of a focused
  // treeitem: Up/Down move through items() (the visible items, in order),
  // Home/End jump, Right expands a closed item or enters an open one, Left
  // collapses an open item or goes to its parent, Enter/Space activate.
  // h = {items, focus(li), expand(li), collapse(li), activate(li)}.
  function treeKeys(ev, h) {
    const li = ev.target.closest('[role="treeitem"]');
    if (!li || ev.target !== li || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const items = h.items();
    const i = items.indexOf(li);
    const open = li.getAttribute('aria-expanded');
    switch (ev.key) {
      case 'ArrowDown': h.focus(items[i + 1]); break;
      case 'ArrowUp': h.focus(items[i - 1]); break;
      case 'Home': h.focus(items[0]); break;
      case 'End': h.focus(items[items.length - 1]); break;
      case 'ArrowRight':
        if (open === 'false') h.expand(li);
        else if (open === 'true') h.focus(li.querySelector(':scope > ul > [role="treeitem"]:not([hidden])'));
        break;
      case 'ArrowLeft':
        if (open === 'true') h.collapse(li);
        else h.focus(li.parentElement.closest('[role="treeitem"]'));
        break;
      case 'Enter': case ' ': h.activate(li); break;
      default: return;
    }
    ev.preventDefault();
  }

  return { el, svg, clear, safeURL, encodePath, api, APIError, detailText, toast, fmtTime, badge, openModal, treeFocus, treeKeys };
})();
