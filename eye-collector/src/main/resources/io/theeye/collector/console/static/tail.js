// Live tail: the newest events and rejections, polled twice a second, filtered by app, type and session.
(function () {
  'use strict';
  const { api, el, fillTable, number, every } = window.Eye;
  const KEEP = 200;
  const filters = ['app', 'category', 'name', 'session'];
  let afterEvent = 0;
  let afterRejected = 0;
  let events = [];
  let rejected = [];
  // Bumped by every filter change: an answer to a query asked before it is dropped.
  let generation = 0;

  function query() {
    const q = ['after_event=' + afterEvent, 'after_rejected=' + afterRejected];
    for (const f of filters) {
      const v = document.getElementById(f).value.trim();
      if (v) {
        q.push(f + '=' + encodeURIComponent(v));
      }
    }
    return '?' + q.join('&');
  }

  function eventRow(e, fresh) {
    return el('tr', { 'data-event-id': e.event_id, class: fresh ? 'new' : null },
      el('td', {}, e.received_at), el('td', {}, e.app_id), el('td', {}, e.category + ' / ' + e.name),
      el('td', {}, e.session_id), el('td', {}, el('pre', {}, e.data)));
  }

  function rejectedRow(r, fresh) {
    const type = r.category === null ? '(none)' : r.category + ' / ' + r.name;
    return el('tr', { 'data-event-id': r.event_id, class: fresh ? 'new' : null },
      el('td', {}, r.received_at), el('td', {}, r.app_id), el('td', {}, el('span', { class: 'reason' }, r.reason)),
      el('td', {}, type), el('td', {}, el('div', { class: 'detail' }, r.detail), el('pre', {}, r.raw)));
  }

  function reset() {
    generation++;
    afterEvent = 0;
    afterRejected = 0;
    events = [];
    rejected = [];
    tick();
  }

  const tick = every(500, async () => {
    if (document.getElementById('paused').checked) {
      return;
    }
    const asked = generation;
    const body = await api('api/tail' + query());
    if (asked !== generation) {
      return;
    }
    const firstLoad = afterEvent === 0 && afterRejected === 0;
    events = body.events.map(e => ({ row: e, fresh: !firstLoad })).concat(events.map(e => ({ row: e.row, fresh: false }))).slice(0, KEEP);
    rejected = body.rejected.map(r => ({ row: r, fresh: !firstLoad })).concat(rejected.map(r => ({ row: r.row, fresh: false }))).slice(0, KEEP);
    // A row committed between the server's two reads may be newer than last_*_id: never show it twice.
    afterEvent = Math.max(afterEvent, body.last_event_id, ...body.events.map(e => e.id));
    afterRejected = Math.max(afterRejected, body.last_rejected_id, ...body.rejected.map(r => r.id));
    if (body.events.length || firstLoad) {
      fillTable(document.getElementById('tail-events'), events.map(e => eventRow(e.row, e.fresh)), 'Waiting for events…');
    }
    if (body.rejected.length || firstLoad) {
      fillTable(document.getElementById('tail-rejected'), rejected.map(r => rejectedRow(r.row, r.fresh)), 'No rejections.');
    }
    document.getElementById('event-count').textContent = '(' + number(events.length) + ' shown)';
    document.getElementById('rejected-count').textContent = '(' + number(rejected.length) + ' shown)';
  });
  for (const f of filters) {
    document.getElementById(f).addEventListener('input', reset);
  }
  document.getElementById('filter').addEventListener('submit', e => e.preventDefault());
})();
