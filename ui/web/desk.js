// The web desk's only script (SERVER.md §4–5), a file because the CSP forbids inline script.
// Everything works without it as plain forms; it adds: the USB scanner from any field (the
// wedge rule of desk::scan::Wedge), the live lobby (SSE) with its chime and notification,
// the lock's timer (blanks the screen on time; the server decides the lock), the activity ping.
(function () {
  'use strict';
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  var lockMs = Number((document.querySelector('meta[name="lock-seconds"]') || {}).content || 0) * 1000;

  // --- The scanner: a burst of keys starting "HT1", each < 50 ms apart, ending in Enter.
  var GAP = 50, burst = [], last = 0, held = null;
  function scanForm() { return document.getElementById('scan-form'); }
  function flushTyped(target) {
    // Keys held back that turned out not to be a scan are typed back where they were aimed.
    if (!burst.length || !target) { burst = []; return; }
    var text = burst.join('');
    burst = [];
    if (typeof target.setRangeText === 'function' && target.selectionStart !== null) {
      target.setRangeText(text, target.selectionStart, target.selectionEnd, 'end');
      target.dispatchEvent(new Event('input', { bubbles: true }));
    }
  }
  function submitScan(text) {
    // The home's scan form, or one made for this page: a scan opens the record from anywhere.
    var f = scanForm();
    if (!f) {
      f = document.createElement('form');
      f.method = 'post';
      f.action = '/scan';
      f.className = 'hidden';
      [['csrf', csrf], ['payload', '']].forEach(function (kv) {
        var i = document.createElement('input');
        i.type = 'hidden'; i.name = kv[0]; i.value = kv[1];
        f.appendChild(i);
      });
      document.body.appendChild(f);
    }
    f.querySelector('input[name="payload"]').value = text;
    f.submit();
  }
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.altKey || e.metaKey) { return; }
    var now = performance.now();
    var quick = now - last < GAP;
    last = now;
    var k = e.key;
    if (burst.length && !quick) { flushTyped(held); }
    if (k === 'Enter' && burst.length >= 3) {
      var text = burst.join('');
      if (/^HT1/i.test(text.normalize('NFKC')) && quick) {
        e.preventDefault();
        burst = [];
        submitScan(text);
        return;
      }
      flushTyped(held);
      return;
    }
    if (k.length !== 1) { if (burst.length) { flushTyped(held); } return; }
    var start = 'HT1'.slice(0, burst.length + 1).toUpperCase();
    var so = (burst.join('') + k).normalize('NFKC').toUpperCase();
    if (burst.length < 3 ? so === start : (quick && /^HT1/.test(so))) {
      if (!burst.length) { held = document.activeElement; }
      if (burst.length === 0 || quick) {
        e.preventDefault();
        burst.push(k);
        setTimeout(function () { if (performance.now() - last >= GAP && burst.length) { flushTyped(held); } }, GAP + 10);
        return;
      }
    }
    if (burst.length) { flushTyped(held); }
  }, true);

  // --- Activity: a ping at most once a minute while someone types or clicks.
  var lastPing = 0;
  function activity() {
    var now = Date.now();
    lastActive = now;
    if (now - lastPing < 60000 || !csrf) { return; }
    lastPing = now;
    fetch('/ping', { method: 'POST', headers: { 'X-CSRF-Token': csrf }, credentials: 'same-origin' })
      .then(function (r) { if (r.status === 401) { location.reload(); } })
      .catch(function () {});
  }
  var lastActive = Date.now();
  ['keydown', 'pointerdown'].forEach(function (t) { document.addEventListener(t, activity, true); });
  // --- The lock's timer: on time, blank the screen and reload (the server shows the lock page).
  if (lockMs > 0 && document.body.dataset.signedIn === 'yes') {
    setInterval(function () {
      if (Date.now() - lastActive >= lockMs) { document.body.classList.add('blank'); location.reload(); }
    }, 5000);
  }

  // --- The lobby, live: the server sends the rendered section; a new call chimes.
  var lobby = document.getElementById('lobby');
  var seen = null;
  var chime = null;
  function calls(root) {
    return Array.prototype.map.call(root.querySelectorAll('[data-call]'), function (n) { return n.dataset.call; });
  }
  function ring(ids) {
    if (!chime) { chime = new Audio('/static/chime.wav'); chime.volume = Number(lobby.dataset.volume || 0.7); }
    var p = chime.play();
    if (p && p.catch) {
      p.catch(function () {
        var b = document.getElementById('sound-on');
        if (b) { b.classList.remove('hidden'); }
      });
    }
    if (window.Notification && Notification.permission === 'granted' && document.hidden) {
      try { new Notification('スタッフ呼び出し', { body: 'ロビーで 呼ばれています（' + ids.length + '件）' }); } catch (err) { /* ignore */ }
    }
  }
  if (lobby && window.EventSource) {
    seen = calls(lobby);
    var es = new EventSource('/events');
    es.addEventListener('lobby', function (ev) {
      var active = document.activeElement && lobby.contains(document.activeElement) ? document.activeElement.id : null;
      lobby.innerHTML = ev.data;
      var now = calls(lobby);
      var fresh = now.filter(function (id) { return seen.indexOf(id) < 0; });
      seen = now;
      if (fresh.length) { ring(fresh); }
      if (active) { var a = document.getElementById(active); if (a) { a.focus(); } }
    });
    es.addEventListener('locked', function () { location.reload(); });
  }
  document.addEventListener('click', function (e) {
    var t = e.target;
    if (t && t.id === 'sound-on') {
      chime = chime || new Audio('/static/chime.wav');
      chime.play().then(function () { t.classList.add('hidden'); }).catch(function () {});
      if (window.Notification && Notification.permission === 'default') { Notification.requestPermission(); }
    }
  });

  // --- A refused form: focus the first field the server marked.
  var bad = document.querySelector('[aria-invalid="true"]');
  if (bad) { bad.focus(); }
})();

// The lobby's buttons without leaving the page (a record being edited stays as it is): the
// same POST by fetch; the next pushed section shows the result. Without script they are
// plain forms.
(function () {
  'use strict';
  var lobby = document.getElementById('lobby');
  if (!lobby || !window.fetch) { return; }
  var say = document.getElementById('lobby-status');
  lobby.addEventListener('submit', function (e) {
    var f = e.target;
    if (!f || f.tagName !== 'FORM') { return; }
    e.preventDefault();
    var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
    fetch(f.action, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(new FormData(f)).toString()
    }).then(function (r) { return r.text(); }).then(function (t) {
      if (say) { say.textContent = t; }
    }).catch(function () {
      if (say) { say.textContent = 'サーバーに つながりません。もう一度 押してください。'; }
    });
  });
})();
