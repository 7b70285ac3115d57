'use strict';
// Minimal read-only tables of domains, models and requests, from their
// JSON routes.
(() => {
  const { el, clear, api, fmtTime, badge } = MK;

  // get reads a dotted key ("requester.name") of an object.
  const get = (o, key) => key.split('.').reduce((v, k) => (v === null || v === undefined ? v : v[k]), o);

  const text = (v) => {
    if (v === null || v === undefined) return '';
    if (Array.isArray(v)) return v.join(', ');
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  };

  // Each entity: the route, the list key in its body, and the columns
  // [key, heading, kind].
  const entities = {
    domains: {
      url: '/domains', list: 'domains',
      columns: [['name', 'Name', 'mono'], ['display_name', 'Display name'], ['short_code', 'Code'], ['data_category', 'Category'],
        ['owner', 'Owner'], ['tech_custodian', 'Tech custodian'], ['confidentiality', 'Confidentiality'], ['pii', 'PII'], ['help_channel', 'Help channel']],
    },
    models: {
      url: '/models', list: 'models',
      columns: [['path', 'Path', 'mono'], ['display_name', 'Display name'], ['unit', 'Unit'], ['data_type', 'Type'],
        ['formula', 'Formula'], ['description', 'Description'], ['appears_in', 'Appears in', 'patterns']],
    },
    requests: {
      url: '/requests', list: 'requests',
      columns: [['request_id', 'ID', 'mono'], ['path', 'Path', 'mono'], ['status', 'Status', 'status'], ['requester.name', 'Requester'],
        ['display_name', 'Display name'], ['created_at', 'Created', 'time'], ['updated_at', 'Updated', 'time']],
    },
  };

  function cell(v, kind) {
    switch (kind) {
      case 'status': return el('td', {}, badge(v));
      case 'time': return el('td', { text: fmtTime(v) });
      case 'patterns': return el('td', { class: 'mono', text: text((v || []).map((l) => (l && l.moniker_pattern) || l)) });
      case 'mono': return el('td', { class: 'mono', text: text(v) });
      default: return el('td', { text: text(v) });
    }
  }

  async function load() {
    const table = document.getElementById('list');
    const spec = entities[table.dataset.entity];
    const head = clear(document.getElementById('list-head'));
    for (const [, h] of spec.columns) head.append(el('th', { scope: 'col', text: h }));
    const body = document.getElementById('list-body');
    const err = document.getElementById('error');
    try {
      const { data } = await api('GET', spec.url);
      const rows = (data && data[spec.list]) || [];
      clear(body);
      for (const r of rows) body.append(el('tr', {}, spec.columns.map(([k, , kind]) => cell(get(r, k), kind))));
      document.getElementById('count').textContent = rows.length + (rows.length === 1 ? ' entry.' : ' entries.');
      err.hidden = true;
    } catch (e) {
      err.textContent = 'Could not load ' + spec.url + ': ' + e.message;
      err.hidden = false;
    }
  }

  load();
})();
