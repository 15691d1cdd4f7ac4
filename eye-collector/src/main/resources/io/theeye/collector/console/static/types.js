// Event types: schema, volume and rejection share of each type.
(function () {
  'use strict';
  const { api, el, fillTable, number, every } = window.Eye;

  function row(t) {
    const share = t.rejection_share === null ? '–' : (100 * t.rejection_share).toFixed(1) + ' %';
    const schema = t.schema === null
      ? el('span', { class: 'muted' }, 'no schema')
      : el('details', {}, el('summary', {}, t.schema_source.split('/').pop()),
          el('pre', {}, JSON.stringify(t.schema, null, 2)));
    return el('tr', { 'data-type': t.category + ' / ' + t.name },
      el('td', {}, t.category), el('td', {}, t.name),
      el('td', { class: 'num events' }, number(t.events)),
      el('td', { class: 'num rejected' }, number(t.rejected)),
      el('td', { class: 'num share' }, share),
      el('td', {}, schema));
  }

  every(5000, async () => {
    const body = await api('api/types');
    fillTable(document.getElementById('types'), body.types.map(row), 'No event type yet.');
  });
})();
