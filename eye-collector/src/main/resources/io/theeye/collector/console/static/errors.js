// Errors: rejections grouped by reason × application × event type, filterable by time.
(function () {
  'use strict';
  const { api, el, fillTable, number, every } = window.Eye;
  const windowSelect = document.getElementById('window');
  const fromInput = document.getElementById('from');
  const toInput = document.getElementById('to');

  /** The query string of the chosen window (times typed in the inputs are UTC). */
  function range() {
    const choice = windowSelect.value;
    if (choice === 'all') {
      return '?from=1970-01-01T00:00:00Z';
    }
    if (choice === 'custom') {
      const q = [];
      if (fromInput.value) {
        q.push('from=' + encodeURIComponent(new Date(fromInput.value + 'Z').toISOString()));
      }
      if (toInput.value) {
        q.push('to=' + encodeURIComponent(new Date(toInput.value + 'Z').toISOString()));
      }
      return q.length ? '?' + q.join('&') : '';
    }
    return '?from=' + encodeURIComponent(new Date(Date.now() - Number(choice) * 60000).toISOString());
  }

  function row(g) {
    const type = g.category === null ? '(none)' : g.category + ' / ' + g.name;
    return el('tr', { 'data-reason': g.reason, 'data-app': g.app_id, 'data-type': type },
      el('td', {}, el('span', { class: 'reason' }, g.reason)),
      el('td', { class: 'app' }, g.app_id),
      el('td', { class: 'type' }, type),
      el('td', { class: 'num count' }, number(g.count)),
      el('td', { class: 'first-seen' }, g.first_seen),
      el('td', { class: 'last-seen' }, g.last_seen),
      el('td', {},
        el('div', { class: 'detail' }, g.latest_detail),
        el('pre', { class: 'raw' }, g.latest_raw)));
  }

  const refresh = every(1000, async () => {
    const body = await api('api/errors' + range());
    const total = body.groups.reduce((sum, g) => sum + g.count, 0);
    document.getElementById('summary').textContent =
      number(total) + ' rejection(s) in ' + body.groups.length + ' group(s), ' + body.from + ' to ' + body.to;
    fillTable(document.getElementById('errors'), body.groups.map(row), 'No rejections in this window.');
  });
  for (const input of [windowSelect, fromInput, toInput]) {
    input.addEventListener('change', () => {
      if (input !== windowSelect) {
        windowSelect.value = 'custom';
      }
      refresh();
    });
  }
})();
