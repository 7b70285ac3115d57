'use strict';
// The dashboard: GET /dashboard/api/stats every 15 s, drawn as inline SVG
// bar charts (role=img with a text alternative, and the same numbers in a
// data table) and a table of the recent requests.
(() => {
  const { el, svg, clear, api, fmtTime, badge } = MK;
  const REFRESH_MS = 15000;
  const MAX_BARS = 20;

  // entries turns a {key: n} object (in server order) into [key, n] pairs.
  function entries(obj) {
    return obj && typeof obj === 'object' ? Object.entries(obj).filter(([, n]) => typeof n === 'number') : [];
  }

  // dataTable is the chart's numbers as a table, in a disclosure: the
  // text alternative for those who cannot see the bars, and exact values
  // for everyone.
  function dataTable(rows, title) {
    return el('details', { class: 'chart-data' },
      el('summary', { text: 'Show the data' }),
      el('table', { class: 'data' },
        el('caption', { class: 'sr-only', text: title }),
        el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Value' }), el('th', { scope: 'col', text: 'Count' }))),
        el('tbody', {}, rows.map(([k, n]) => el('tr', { dataset: { key: k } },
          el('th', { scope: 'row', text: k }), el('td', { class: 'num', text: String(n) }))))));
  }

  // barChart draws one horizontal bar per [label, value]; statusColours
  // colours bars by status name. empty is the text shown without rows.
  function barChart(target, rows, title, statusColours, empty) {
    clear(target);
    target.dataset.state = rows.length === 0 ? 'empty' : 'ready';
    if (rows.length === 0) {
      target.append(el('p', { class: 'empty-state', text: empty }));
      return;
    }
    let shown = rows;
    if (rows.length > MAX_BARS) {
      const rest = rows.slice(MAX_BARS - 1).reduce((a, [, n]) => a + n, 0);
      shown = rows.slice(0, MAX_BARS - 1).concat([['(' + (rows.length - MAX_BARS + 1) + ' more)', rest]]);
    }
    const max = Math.max(1, ...shown.map(([, n]) => n));
    // Drawn at the panel's pixel width, so text keeps its size.
    const width = Math.max(320, target.clientWidth || 600);
    const rowH = 24, labelW = Math.min(190, Math.round(width * 0.35)), valueW = 60, barW = width - labelW - valueW;
    const height = shown.length * rowH + 4;
    const summary = title + ': ' + shown.map(([k, n]) => k + ' ' + n).join(', ');
    const chart = svg('svg', {
      width, height, viewBox: '0 0 ' + width + ' ' + height,
      role: 'img', 'aria-label': summary,
    }, svg('title', { text: summary }));
    shown.forEach(([label, n], i) => {
      const y = i * rowH + 2;
      const w = Math.max(n > 0 ? 2 : 0, Math.round((n / max) * barW));
      const cls = 'bar' + (statusColours ? ' s-' + String(label).replace(/[^a-z_]/g, '') : '');
      const text = String(label).length > 24 ? String(label).slice(0, 23) + '…' : String(label);
      chart.append(svg('g', { 'data-key': label, 'data-value': n, 'aria-hidden': 'true' },
        svg('title', { text: label + ': ' + n }),
        svg('text', { x: labelW - 8, y: y + 15, 'text-anchor': 'end', text }),
        svg('rect', { class: 'track', x: labelW, y: y + 3, width: barW, height: rowH - 8, rx: 3 }),
        svg('rect', { class: cls, x: labelW, y: y + 3, width: w, height: rowH - 8, rx: 3 }),
        svg('text', { x: labelW + barW + 8, y: y + 15, text: String(n) }),
      ));
    });
    // Keep the disclosure's state across refreshes.
    target.append(el('figure', {}, chart), dataTable(rows, title));
  }

  function setText(id, v) {
    document.getElementById(id).textContent = v === null || v === undefined ? '–' : String(v);
  }

  let last = null; // the last statistics drawn, redrawn on resize

  // openTables remembers which data tables are open, to keep them open
  // when the charts are redrawn.
  function openTables() {
    const open = new Set();
    for (const d of document.querySelectorAll('.chart details.chart-data[open]')) open.add(d.closest('.chart').id);
    return open;
  }

  function render(s) {
    last = s;
    const open = openTables();
    const cat = s.catalog;
    const req = s.requests;
    setText('total-nodes', cat ? cat.total : null);
    setText('active-nodes', cat ? (cat.by_status.active || 0) : null);
    setText('total-requests', req ? req.total : null);
    setText('pending-requests', req ? (req.by_status.pending_review || 0) : null);
    barChart(document.getElementById('chart-status'), entries(cat && cat.by_status), 'Catalog nodes by status', true,
      cat ? 'The catalog is empty.' : 'The catalog is not configured.');
    barChart(document.getElementById('chart-requests'), entries(req && req.by_status).filter(([, n]) => n > 0), 'Requests by status', true,
      req ? 'No requests yet.' : 'The request workflow is not configured.');
    barChart(document.getElementById('chart-domains'), entries(s.active_by_domain), 'Active nodes per top-level domain', false,
      cat ? 'No active nodes.' : 'The catalog is not configured.');
    for (const id of open) {
      const d = document.querySelector('#' + id + ' details.chart-data');
      if (d) d.open = true;
    }
    const body = clear(document.getElementById('recent'));
    for (const r of s.recent_requests || []) {
      body.append(el('tr', { dataset: { id: r.id } },
        el('td', { class: 'mono' }, el('a', { href: '/requests/ui#' + encodeURIComponent(r.id), text: r.id })),
        el('td', { class: 'mono', text: r.path }),
        el('td', {}, badge(r.status)),
        el('td', { text: r.requester }),
        el('td', { text: fmtTime(r.created_at) }),
      ));
    }
    if (body.childElementCount === 0) {
      body.append(el('tr', {}, el('td', { colspan: 5, class: 'muted', text: req ? 'No requests yet.' : 'The request workflow is not configured.' })));
    }
  }

  async function refresh() {
    const err = document.getElementById('error');
    try {
      const { data } = await api('GET', '/dashboard/api/stats');
      render(data);
      err.hidden = true;
      setText('updated', 'Updated ' + new Date().toLocaleTimeString());
    } catch (e) {
      err.textContent = 'Could not load the statistics: ' + e.message;
      err.hidden = false;
      setText('updated', 'Not updated');
      for (const c of document.querySelectorAll('.chart[data-state="loading"]')) {
        c.dataset.state = 'error';
        clear(c).append(el('p', { class: 'empty-state', text: 'No data.' }));
      }
    }
  }

  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { if (last) render(last); }, 150);
  });
  document.getElementById('refresh').addEventListener('click', refresh);
  setInterval(() => { if (!document.hidden) refresh(); }, REFRESH_MS);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh(); });
  refresh();
})();
