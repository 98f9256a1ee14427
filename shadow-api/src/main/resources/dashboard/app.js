// FleetPulse dashboard: plain JavaScript against the API (no build step). The key comes from
// ?key=, else from this browser's storage; it is sent as a Bearer token.
(function () {
  const params = new URLSearchParams(location.search);
  let key = params.get('key') || localStorage.getItem('fleetpulse.key') || '';
  if (params.get('key')) localStorage.setItem('fleetpulse.key', key);
  const $ = (id) => document.getElementById(id);
  $('key').value = key;
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault(); key = $('key').value; localStorage.setItem('fleetpulse.key', key); refresh();
  });

  async function api(path, options) {
    const init = Object.assign({ headers: {} }, options || {});
    init.headers['Authorization'] = 'Bearer ' + key;
    if (init.body) init.headers['Content-Type'] = 'application/json';
    const res = await fetch(path, init);
    const body = res.status === 204 ? null : await res.json().catch(() => null);
    if (!res.ok) throw new Error((body && (body.detail || body.title)) || ('HTTP ' + res.status));
    return body;
  }
  const text = (v) => (v === undefined || v === null ? '' : String(v));
  const time = (ts) => (ts ? new Date(ts).toISOString().substring(11, 19) : '');
  function cell(tr, value, cls) {
    const td = document.createElement('td'); td.textContent = text(value); if (cls) td.className = cls; tr.appendChild(td); return td;
  }
  function bars(svg, counts) {
    svg.innerHTML = '';
    const entries = Object.entries(counts).sort();
    const max = Math.max(1, ...entries.map((e) => e[1]));
    entries.forEach(([name, n], i) => {
      const y = i * 22 + 4, w = Math.round((n / max) * 180);
      svg.insertAdjacentHTML('beforeend',
        `<text x="0" y="${y + 13}"></text><rect x="110" y="${y}" height="16" width="${w}"></rect>` +
        `<text x="${115 + w}" y="${y + 13}">${n}</text>`);
      svg.querySelectorAll('text')[i * 2].textContent = name;
    });
  }

  async function devices() {
    const all = []; let cursor = null;
    do {
      const page = await api('/devices?limit=1000' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
      all.push(...(page.items || page.devices || []));
      cursor = page.nextCursor;
    } while (cursor && all.length < 20000);
    return all;
  }
  async function alerts(query) {
    const page = await api('/alerts?limit=100' + (query || ''));
    return page.items || page.alerts || [];
  }

  async function overview() {
    const [devs, list] = await Promise.all([devices(), alerts('')]);
    const open = list.filter((a) => a.state !== 'RESOLVED');
    const offline = new Set(open.filter((a) => /offline/i.test(a.type || a.rule || '')).map((a) => a.deviceId));
    $('n-devices').textContent = devs.length;
    $('n-offline').textContent = offline.size;
    $('n-online').textContent = Math.max(0, devs.length - offline.size);
    $('n-critical').textContent = open.filter((a) => a.severity === 'CRITICAL').length;
    $('n-warning').textContent = open.filter((a) => a.severity === 'WARNING').length;
    const bySite = {}, byFirmware = {};
    devs.forEach((d) => { bySite[d.site || '(none)'] = (bySite[d.site || '(none)'] || 0) + 1;
      byFirmware[d.firmware || '(none)'] = (byFirmware[d.firmware || '(none)'] || 0) + 1; });
    bars($('by-site'), bySite); bars($('by-firmware'), byFirmware);
    const tbody = $('alerts').querySelector('tbody'); tbody.innerHTML = '';
    list.forEach((a) => {
      const tr = document.createElement('tr'); tr.className = a.severity + ' ' + a.state; tr.dataset.alertId = a.alertId;
      cell(tr, time(a.ts)); cell(tr, a.severity, 'sev'); cell(tr, a.state);
      const link = document.createElement('a'); link.href = '#device/' + encodeURIComponent(a.deviceId); link.textContent = a.deviceId;
      cell(tr, '').appendChild(link); cell(tr, a.rule || a.type); cell(tr, a.message);
      tbody.appendChild(tr);
    });
  }

  async function device(id) {
    $('d-id').textContent = id;
    const [info, list] = await Promise.all([api('/devices/' + encodeURIComponent(id)).catch(() => null),
      alerts('&deviceId=' + encodeURIComponent(id))]);
    $('d-info').textContent = info ? [info.type, info.site, info.firmware, info.status].filter(Boolean).join(' · ') : 'not registered';
    try {
      const shadow = await api('/devices/' + encodeURIComponent(id) + '/shadow');
      const state = shadow.state || {};
      $('d-reported').textContent = JSON.stringify(state.reported || {}, null, 1);
      $('d-desired').textContent = JSON.stringify(state.desired || {}, null, 1);
      $('d-delta').textContent = JSON.stringify(state.delta || {}, null, 1);
      $('d-version').textContent = text(shadow.version);
    } catch (e) {
      $('d-reported').textContent = '(no shadow yet: ' + e.message + ')';
    }
    const tbody = $('d-alerts').querySelector('tbody'); tbody.innerHTML = '';
    list.forEach((a) => {
      const tr = document.createElement('tr'); tr.className = a.severity + ' ' + a.state;
      cell(tr, time(a.ts)); cell(tr, a.severity, 'sev'); cell(tr, a.state); cell(tr, a.rule || a.type); cell(tr, a.message);
      tbody.appendChild(tr);
    });
  }

  $('desired-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const id = $('d-id').textContent;
    try {
      const desired = JSON.parse($('desired-input').value);
      const r = await api('/devices/' + encodeURIComponent(id) + '/shadow',
        { method: 'POST', body: JSON.stringify({ state: { desired } }) });
      $('desired-result').textContent = 'sent (' + text(r && r.clientToken) + ')';
    } catch (err) {
      $('desired-result').textContent = 'refused: ' + err.message;
    }
  });

  let busy = false;
  async function refresh() {
    if (busy) return; busy = true;
    const m = location.hash.match(/^#device\/(.+)$/);
    $('overview').hidden = !!m; $('device').hidden = !m;
    try {
      if (m) await device(decodeURIComponent(m[1])); else await overview();
      $('status').textContent = 'updated ' + new Date().toISOString().substring(11, 19) + ' UTC';
    } catch (e) {
      $('status').textContent = 'error: ' + e.message;
    } finally { busy = false; }
  }
  window.addEventListener('hashchange', refresh);
  refresh();
  // Polling every 2 s; the SSE stream /stream/alerts replaces it once the API serves it.
  setInterval(refresh, 2000);
})();
