// Applications: each app's keys with their last request and requests by status; unknown types per app.
(function () {
  'use strict';
  const { api, el, fillTable, number, every } = window.Eye;

  function statuses(byStatus) {
    const parts = Object.entries(byStatus).map(([status, count]) => status + ': ' + number(count));
    return parts.length ? parts.join(', ') : 'none';
  }

  function keyRow(k) {
    return el('tr', { 'data-key': k.key_id },
      el('td', { class: 'key-id' }, k.key_id),
      el('td', { class: 'last-request' }, k.last_request_at || 'never'),
      el('td', { class: 'by-status' }, statuses(k.requests_by_status)));
  }

  function appSection(app) {
    const keys = el('table', { class: 'keys' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Key id'), el('th', {}, 'Last request (UTC)'), el('th', {}, 'Requests by status'))),
      el('tbody'));
    fillTable(keys, app.keys.map(keyRow), 'No key of this application is configured in this collector.');
    const unknown = Object.values(app.unknown_types);
    const types = el('table', { class: 'unknown-types' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Event type without a schema'), el('th', { class: 'num' }, 'Stored'),
        el('th', { class: 'num' }, 'Rejected'))),
      el('tbody'));
    fillTable(types, unknown.map(t => el('tr', { 'data-type': t.category + ' / ' + t.name },
      el('td', {}, t.category + ' / ' + t.name),
      el('td', { class: 'num stored' }, number(t.events)),
      el('td', { class: 'num rejected' }, number(t.rejected)))), 'Every type this application sent has a schema.');
    return el('section', { class: 'app', 'data-app': app.app_id }, el('h2', {}, app.app_id), keys, types);
  }

  every(2000, async () => {
    const body = await api('api/applications');
    document.getElementById('applications').replaceChildren(...body.applications.map(appSection));
    fillTable(document.getElementById('other-requests'), body.other_requests.map(keyRow), 'None.');
  });
})();
