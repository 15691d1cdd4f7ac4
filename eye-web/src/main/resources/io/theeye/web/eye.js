/*
 * The Eye's browser snippet (docs/web.md). Served by the application's own relay, which writes its
 * settings in place of the placeholder at the bottom. Page views (history navigation included),
 * clicks on [data-eye-click], form submits (field names; values only of fields marked
 * data-eye-capture, never of passwords) and eye.track(category, name, data). One global, `eye`;
 * nothing here throws into the page.
 */
(function (window, config) {
  'use strict';

  var document = window.document;
  var location = window.location;
  var navigator = window.navigator;
  var script = document.currentScript;
  // Relative to the script itself, so any context path and prefix work.
  var endpoint = (script && script.src || location.origin + '/eye/eye.js').replace(/[^\/]*$/, 'collect');
  var cookiePattern = new RegExp('(?:^|;\\s*)' + config.cookie + '=([A-Za-z0-9_-]{8,128})');
  var queue = [];
  var tab = hex(8);
  var seq = 0;
  var sent = 0;
  var dropped = 0;
  var timer = null;
  var inflight = false;
  var pausedUntil = 0;
  var backoff = 1000;
  var lastPath = null;
  var current = null;
  var active = 0;

  function hex(n) {
    var bytes = new Uint8Array(n);
    window.crypto.getRandomValues(bytes);
    var s = '';
    for (var i = 0; i < n; i++) s += (bytes[i] + 256).toString(16).slice(1);
    return s;
  }

  function uuid() {
    if (window.crypto.randomUUID) return window.crypto.randomUUID();
    var h = hex(16);
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-4' + h.slice(13, 16) + '-' +
      (8 | parseInt(h[16], 16) & 3).toString(16) + h.slice(17, 20) + '-' + h.slice(20);
  }

  // The session lives in a first-party cookie that expires after `idle` seconds without an event;
  // kept in memory too, for pages where cookies are refused.
  function session() {
    var now = Date.now();
    var match = cookiePattern.exec(document.cookie);
    var id = match ? match[1] : current && now - active < config.idle * 1000 ? current : uuid();
    current = id;
    active = now;
    document.cookie = config.cookie + '=' + id + '; Path=/; Max-Age=' + config.idle + '; SameSite=Lax' +
      (location.protocol === 'https:' ? '; Secure' : '');
    return id;
  }

  function track(category, name, data) {
    try {
      if (typeof category !== 'string' || typeof name !== 'string' || !category || !name) return;
      var payload = { host: location.hostname, path: location.pathname };
      if (data && typeof data === 'object') {
        for (var key in data) {
          if (Object.prototype.hasOwnProperty.call(data, key)) payload[key] = data[key];
        }
      }
      queue.push({
        session_id: session(), category: category, name: name, data: payload,
        timestamp: new Date().toISOString(), seq: seq, id: tab + '-' + seq
      });
      seq++;
      trim();
      if (queue.length >= config.batch) send(false);
      else schedule(config.flush);
    } catch (e) { /* never into the page */ }
  }

  // Oldest first: what waited longest is what a full queue gives up.
  function trim() {
    while (queue.length > config.queue) {
      queue.shift();
      dropped++;
    }
  }

  function schedule(delay) {
    if (!timer) {
      timer = setTimeout(function () {
        timer = null;
        send(false);
      }, delay);
    }
  }

  function body(batch) {
    return JSON.stringify({ sent_at: new Date().toISOString(), events: batch });
  }

  // One request at a time while the page lives, so a refused batch goes back to the front in order.
  function send(unloading) {
    try {
      if (unloading) {
        while (queue.length) beacon(queue.splice(0, config.batch));
        return;
      }
      if (inflight || !queue.length) return;
      var wait = pausedUntil - Date.now();
      if (wait > 0) return schedule(wait);
      var batch = queue.splice(0, config.batch);
      inflight = true;
      window.fetch(endpoint, {
        method: 'POST', body: body(batch), keepalive: true,
        headers: { 'Content-Type': 'application/json' }
      }).then(function (response) {
        if (response.status === 429 || response.status >= 500) {
          retry(batch, parseInt(response.headers.get('Retry-After'), 10) * 1000);
        } else {
          // 204, or a 4xx that sending again would not change
          sent += batch.length;
          backoff = 1000;
        }
      }, function () {
        retry(batch, 0);
      }).then(done, done);
    } catch (e) {
      inflight = false;
    }
  }

  function done() {
    inflight = false;
    if (queue.length >= config.batch) send(false);
    else if (queue.length) schedule(config.flush);
  }

  function retry(batch, wait) {
    queue = batch.concat(queue);
    trim();
    pausedUntil = Date.now() + (wait > 0 ? wait : backoff);
    backoff = Math.min(backoff * 2, 60000);
  }

  // The page is going away: hand everything to the browser, which sends it after the page is gone.
  function beacon(batch) {
    var text = body(batch);
    try {
      if (navigator.sendBeacon && navigator.sendBeacon(endpoint, new Blob([text], { type: 'application/json' }))) {
        sent += batch.length;
        return;
      }
    } catch (e) { /* fall through to fetch */ }
    try {
      window.fetch(endpoint, {
        method: 'POST', body: text, keepalive: true, headers: { 'Content-Type': 'application/json' }
      })['catch'](function () {});
      sent += batch.length;
    } catch (e) {
      dropped += batch.length;
    }
  }

  function pageview() {
    try {
      if (location.pathname !== lastPath) {
        lastPath = location.pathname;
        track('page interaction', 'pageview');
      }
    } catch (e) { /* never into the page */ }
  }

  function label(el) {
    var text = el.getAttribute('id') || el.getAttribute('name') ||
      (el.textContent || el.value || '').replace(/\s+/g, ' ').trim().slice(0, 64);
    return el.tagName.toLowerCase() + (text ? ':' + text : '');
  }

  function onClick(event) {
    try {
      var target = event.target;
      if (!target || !target.closest) return;
      var el = target.closest('[data-eye-click]');
      var name = el && (el.getAttribute('data-eye-click') || label(el));
      if (!el && config.clickAll) {
        el = target.closest('a,button,[role=button],input[type=submit],input[type=button]');
        name = el && label(el);
      }
      if (name) track('page interaction', 'cta click', { element: name.slice(0, 256) });
    } catch (e) { /* never into the page */ }
  }

  // Field names always; a value only where the page marked the field, and never a password's.
  function onSubmit(event) {
    try {
      var form = event.target;
      if (!form || form.tagName !== 'FORM' || form.hasAttribute('data-eye-ignore')) return;
      var fields = [];
      var values = {};
      var inputs = form.querySelectorAll('input,select,textarea');
      for (var i = 0; i < inputs.length; i++) {
        var input = inputs[i];
        var name = input.getAttribute('name');
        var type = (input.getAttribute('type') || '').toLowerCase();
        if (!name || /^(submit|button|reset|image)$/.test(type)) continue;
        if (fields.indexOf(name) < 0) fields.push(name);
        if (input.hasAttribute('data-eye-capture') && type !== 'password' && type !== 'file' &&
            (!/^(checkbox|radio)$/.test(type) || input.checked)) {
          values[name] = String(input.value).slice(0, 256);
        }
      }
      track('form interaction', 'submit', {
        form_id: form.getAttribute('id') || form.getAttribute('name') || null, form: values, fields: fields
      });
    } catch (e) { /* never into the page */ }
  }

  try {
    var history = window.history;
    ['pushState', 'replaceState'].forEach(function (method) {
      var original = history[method];
      history[method] = function () {
        var result = original.apply(this, arguments);
        pageview();
        return result;
      };
    });
    window.addEventListener('popstate', pageview);
    window.addEventListener('pageshow', function (event) {
      if (event.persisted) {
        lastPath = null;
        pageview();
      }
    });
    document.addEventListener('click', onClick, true);
    document.addEventListener('submit', onSubmit, true);
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden') send(true);
    });
    window.addEventListener('pagehide', function () {
      send(true);
    });

    // Calls made before the script loaded: window.eye = {q: [[category, name, data], ...]}.
    var waiting = window.eye && window.eye.q || [];
    window.eye = {
      track: track,
      flush: function () {
        send(false);
      },
      stats: function () {
        return { queued: queue.length, sent: sent, dropped: dropped, seq: seq };
      }
    };
    for (var i = 0; i < waiting.length; i++) track.apply(null, waiting[i]);
    pageview();
  } catch (e) { /* never into the page */ }
})(window, __EYE_CONFIG__);
