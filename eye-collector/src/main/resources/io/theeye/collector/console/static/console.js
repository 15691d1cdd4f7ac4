// The Eye's admin console: what every page shares. No dependencies, one global: Eye.
(function () {
  'use strict';

  /** GET a console API path as JSON; throws with the server's message on an error status. */
  async function api(path) {
    const response = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(body.message || ('HTTP ' + response.status));
    }
    return body;
  }

  /** An element with attributes and children (strings become text nodes: nothing is parsed as HTML). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined) {
        node.setAttribute(name, value);
      }
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) {
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
      }
    }
    return node;
  }

  /** Replaces a table's body rows, or shows one "nothing yet" row spanning its columns. */
  function fillTable(table, rows, emptyText) {
    const body = table.tBodies[0];
    body.replaceChildren(...rows);
    if (rows.length === 0) {
      const columns = table.tHead.rows[0].cells.length;
      body.append(el('tr', {}, el('td', { class: 'empty', colspan: columns }, emptyText)));
    }
  }

  function number(n) {
    return n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US');
  }

  function bytes(n) {
    if (n === null || n === undefined) {
      return 'n/a';
    }
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    let v = n;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return (i === 0 ? v : v.toFixed(1)) + ' ' + units[i];
  }

  function duration(seconds) {
    const d = Math.floor(seconds / 86400);
    const h = Math.floor(seconds % 86400 / 3600);
    const m = Math.floor(seconds % 3600 / 60);
    const s = seconds % 60;
    return (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + (d || h || m ? m + 'm ' : '') + s + 's';
  }

  /** Shows when the page last refreshed, or why it could not. */
  function status(error) {
    const node = document.getElementById('status');
    node.classList.toggle('error', Boolean(error));
    node.textContent = error ? 'error: ' + error.message : 'updated ' + new Date().toLocaleTimeString('en-GB');
  }

  /** Runs load() now and every intervalMs, one at a time, reporting each outcome in the header. */
  function every(intervalMs, load) {
    let running = false;
    async function tick() {
      if (running) {
        return;
      }
      running = true;
      try {
        await load();
        status(null);
      } catch (e) {
        status(e);
      } finally {
        running = false;
      }
    }
    tick();
    setInterval(tick, intervalMs);
    return tick;
  }

  const page = document.body.dataset.page;
  const link = document.querySelector('[data-nav="' + page + '"]');
  if (link) {
    link.classList.add('active');
  }

  window.Eye = { api, el, fillTable, number, bytes, duration, every };
})();
