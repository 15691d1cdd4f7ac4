// Overview: totals, queue, commit latency, database size, uptime, version; the last hour as a chart.
(function () {
  'use strict';
  const { api, number, bytes, duration, every } = window.Eye;
  const SVG = 'http://www.w3.org/2000/svg';
  const WIDTH = 1200;
  const HEIGHT = 260;
  const PAD = { left: 44, right: 8, top: 10, bottom: 22 };

  function set(id, text) {
    document.getElementById(id).textContent = text;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) {
      node.setAttribute(k, v);
    }
    return node;
  }

  function chart(series) {
    const names = ['accepted', 'rejected', 'duplicates'];
    const n = series.accepted.length;
    let peak = 1;
    for (const name of names) {
      for (const v of series[name]) {
        peak = Math.max(peak, v);
      }
    }
    const x = i => PAD.left + (WIDTH - PAD.left - PAD.right) * i / (n - 1);
    const y = v => HEIGHT - PAD.bottom - (HEIGHT - PAD.top - PAD.bottom) * v / peak;
    const root = svg('svg', { viewBox: '0 0 ' + WIDTH + ' ' + HEIGHT, preserveAspectRatio: 'none', role: 'img',
      'aria-label': 'events per second over the last hour' });
    root.append(svg('line', { class: 'axis', x1: PAD.left, y1: y(0), x2: WIDTH - PAD.right, y2: y(0) }));
    root.append(svg('line', { class: 'axis', x1: PAD.left, y1: y(peak), x2: WIDTH - PAD.right, y2: y(peak) }));
    const label = (text, attrs) => {
      const t = svg('text', attrs);
      t.textContent = text;
      root.append(t);
    };
    label(String(peak) + '/s', { x: 4, y: y(peak) + 4 });
    label('0', { x: 4, y: y(0) + 4 });
    label('−60 min', { x: PAD.left, y: HEIGHT - 4 });
    label('−30 min', { x: x(n / 2) - 20, y: HEIGHT - 4 });
    label('now', { x: WIDTH - PAD.right - 22, y: HEIGHT - 4 });
    for (const name of names) {
      const points = series[name].map((v, i) => x(i).toFixed(1) + ',' + y(v).toFixed(1)).join(' ');
      root.append(svg('polyline', { class: name, points, 'data-series': name,
        'data-sum': series[name].reduce((a, b) => a + b, 0) }));
    }
    document.getElementById('chart').replaceChildren(root);
    set('chart-peak', '(peak ' + peak + '/s)');
  }

  every(1000, async () => {
    const o = await api('api/overview');
    set('accepted', number(o.totals_since_start.accepted));
    set('rejected', number(o.totals_since_start.rejected));
    set('duplicates', number(o.totals_since_start.duplicates));
    set('queue', number(o.queue_depth));
    set('queue-capacity', 'of ' + number(o.queue_capacity) + ' rows');
    const p50 = o.commit.p50_ms;
    const p99 = o.commit.p99_ms;
    set('commit-p50', p50 === undefined ? '–' : 'p50 ' + p50.toFixed(1) + ' ms');
    set('commit-p99', p99 === undefined ? '' : 'p99 ' + p99.toFixed(1) + ' ms, ' + number(o.commit.count) + ' commits');
    set('db-size', bytes(o.database_bytes));
    set('store', o.store);
    set('uptime', duration(o.uptime_seconds));
    set('started', 'since ' + o.started_at);
    set('version', o.version);
    chart(o.per_second);
  });
})();
