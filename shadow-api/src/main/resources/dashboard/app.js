// FleetPulse dashboard: plain JavaScript against the API (no build step). The key comes from
// ?key=, else from this browser's storage; it is sent as a Bearer token, also on the push streams:
// they are read with fetch() rather than EventSource, which cannot send a header, so the key never
// has to travel in a URL the server would log.
(function () {
  const params = new URLSearchParams(location.search);
  let key = params.get('key') || localStorage.getItem('fleetpulse.key') || '';
  if (params.get('key')) localStorage.setItem('fleetpulse.key', key);
  const $ = (id) => document.getElementById(id);
  const METRICS_DEFAULT = 'temperature,humidity,battery,vibration';
  $('key').value = key;
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault(); key = $('key').value; localStorage.setItem('fleetpulse.key', key);
    alertStream.restart(); route();
  });

  async function api(path, options) {
    const init = Object.assign({ headers: {} }, options || {});
    init.headers['Authorization'] = 'Bearer ' + key;
    if (init.body) init.headers['Content-Type'] = 'application/json';
    const res = await fetch(path, init);
    const body = res.status === 204 ? null : await res.json().catch(() => null);
    if (!res.ok) {
      const err = new Error((body && (body.detail || body.title)) || ('HTTP ' + res.status));
      err.status = res.status; err.code = body && body.code; throw err;
    }
    return body;
  }
  const text = (v) => (v === undefined || v === null ? '' : String(v));
  const time = (ts) => (ts ? new Date(ts).toISOString().substring(11, 19) : '');
  const enc = encodeURIComponent;
  function cell(tr, value, cls) {
    const td = document.createElement('td'); td.textContent = text(value); if (cls) td.className = cls; tr.appendChild(td); return td;
  }
  function status(message) { $('status').textContent = message; }

  // ----- Server-Sent Events over fetch: resumes with Last-Event-ID after a drop ------------------
  function sse(path, onEvent, onState) {
    let last = null, controller = null, stopped = false, retry = null;
    async function run() {
      controller = new AbortController();
      const headers = { Authorization: 'Bearer ' + key, Accept: 'text/event-stream' };
      if (last) headers['Last-Event-ID'] = last;
      try {
        const res = await fetch(path, { headers, signal: controller.signal, cache: 'no-store' });
        if (!res.ok) throw new Error('HTTP ' + res.status);
        onState && onState('live');
        const reader = res.body.getReader(); const decoder = new TextDecoder();
        let buffer = '', event = 'message', data = [], id = null;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let nl;
          while ((nl = buffer.search(/\r\n|\n|\r/)) >= 0) {
            const line = buffer.substring(0, nl);
            buffer = buffer.substring(nl + (buffer.substr(nl, 2) === '\r\n' ? 2 : 1));
            if (line === '') {
              if (id !== null) last = id;
              if (data.length) {
                let parsed = null; try { parsed = JSON.parse(data.join('\n')); } catch (e) { parsed = data.join('\n'); }
                onEvent(event, parsed, id);
              }
              event = 'message'; data = []; id = null;
            } else if (!line.startsWith(':')) {
              const colon = line.indexOf(':');
              const field = colon < 0 ? line : line.substring(0, colon);
              const val = colon < 0 ? '' : line.substring(colon + 1).replace(/^ /, '');
              if (field === 'event') event = val; else if (field === 'data') data.push(val); else if (field === 'id') id = val;
            }
          }
        }
      } catch (e) {
        if (stopped) return;
        onState && onState('reconnecting (' + e.message + ')');
      }
      if (!stopped) retry = setTimeout(run, 1000);
    }
    run();
    return {
      stop() { stopped = true; clearTimeout(retry); if (controller) controller.abort(); },
    };
  }
  function restartable(path, onEvent, onState) {
    let s = null;
    return { restart() { if (s) s.stop(); s = sse(path, onEvent, onState); }, stop() { if (s) s.stop(); s = null; } };
  }

  // ----- Alerts: one map by alertId, fed by GET /alerts and the live stream -------------------------
  const alertsById = new Map();
  const ackSent = new Set();
  function mergeAlert(a, live) {
    const old = alertsById.get(a.alertId);
    if (live || !old || (a.ts || 0) > (old.ts || 0)) alertsById.set(a.alertId, a);
  }
  function alertRow(a, withDevice) {
    const tr = document.createElement('tr');
    tr.className = (a.severity || '') + ' ' + (a.state || ''); tr.dataset.alertId = a.alertId;
    cell(tr, time(a.ts)); cell(tr, a.severity, 'sev'); cell(tr, a.state, 'state');
    if (withDevice) {
      const link = document.createElement('a'); link.href = '#device/' + enc(a.deviceId); link.textContent = a.deviceId;
      cell(tr, '').appendChild(link);
    }
    cell(tr, a.rule || a.type); cell(tr, a.message);
    const td = cell(tr, '', 'actions');
    if (a.state === 'OPEN' || a.state === 'FLAPPING') {
      const b = document.createElement('button'); b.className = 'ack'; b.type = 'button';
      b.textContent = ackSent.has(a.alertId) ? 'ack sent' : 'Acknowledge'; b.disabled = ackSent.has(a.alertId);
      b.addEventListener('click', () => acknowledge(a, b));
      td.appendChild(b);
    }
    return tr;
  }
  async function acknowledge(a, button) {
    button.disabled = true; button.textContent = 'sending…';
    try {
      await api('/alerts/' + enc(a.alertId) + '/ack', { method: 'POST' });
      ackSent.add(a.alertId); button.textContent = 'ack sent';
    } catch (e) {
      button.disabled = false; button.textContent = 'Acknowledge'; status('ack refused: ' + e.message);
    }
  }
  function renderAlerts() {
    const list = [...alertsById.values()].sort((x, y) => (y.ts || 0) - (x.ts || 0));
    const tbody = $('alerts').querySelector('tbody'); tbody.innerHTML = '';
    list.slice(0, 200).forEach((a) => tbody.appendChild(alertRow(a, true)));
    if (current) {
      const mine = list.filter((a) => a.deviceId === current);
      const body = $('d-alerts').querySelector('tbody'); body.innerHTML = '';
      mine.slice(0, 50).forEach((a) => body.appendChild(alertRow(a, false)));
    }
  }
  const alertStream = restartable('/stream/alerts', (event, data) => {
    if (event === 'alert' && data && data.alertId) { mergeAlert(data, true); renderAlerts(); }
    if (event === 'gap') loadAlerts('');
  }, (s) => { $('alerts-live').textContent = s; });
  async function loadAlerts(query) {
    (await api('/alerts?limit=100' + query)).items.forEach((a) => mergeAlert(a, false));
    renderAlerts();
  }

  // ----- Overview --------------------------------------------------------------------------------
  function bars(svg, counts) {
    svg.innerHTML = '';
    const entries = Object.entries(counts || {}).sort();
    const max = Math.max(1, ...entries.map((e) => e[1]));
    svg.setAttribute('height', Math.max(22, entries.length * 22 + 4));
    entries.forEach(([name, n], i) => {
      const y = i * 22 + 4, w = Math.round((n / max) * 180);
      svg.insertAdjacentHTML('beforeend',
        `<text x="0" y="${y + 13}"></text><rect x="110" y="${y}" height="16" width="${w}"></rect>` +
        `<text x="${115 + w}" y="${y + 13}">${n}</text>`);
      svg.querySelectorAll('text')[i * 2].textContent = name;
    });
  }
  async function overview() {
    const s = await api('/fleet/stats');
    const c = s.byConnectivity || {}, open = s.openAlertsBySeverity || {};
    $('n-devices').textContent = s.devices;
    $('n-online').textContent = c.online || 0;
    $('n-offline').textContent = c.offline || 0;
    $('n-unknown').textContent = c.unknown || 0;
    $('n-critical').textContent = open.CRITICAL || 0;
    $('n-warning').textContent = open.WARNING || 0;
    bars($('by-site'), s.bySite); bars($('by-firmware'), s.byFirmware);
  }

  // ----- Device page -----------------------------------------------------------------------------
  let current = null, deviceStream = null, desiredEdited = false, chartTimer = null, chartsDue = 0;
  const charts = new Map();
  function showShadow(shadow) {
    const state = (shadow && shadow.state) || {};
    $('d-reported').textContent = JSON.stringify(state.reported || {}, null, 1);
    $('d-desired').textContent = JSON.stringify(state.desired || {}, null, 1);
    const delta = state.delta || {};
    $('d-delta').textContent = JSON.stringify(delta, null, 1);
    $('d-delta').dataset.empty = String(Object.keys(delta).length === 0);
    $('d-sync').textContent = Object.keys(delta).length === 0 ? 'in sync' : 'waiting for the device: ' + Object.keys(delta).join(', ');
    $('d-version').textContent = text(shadow && shadow.version);
    if (!desiredEdited) $('desired-input').value = JSON.stringify(state.desired || {}, null, 1);
  }
  async function device(id) {
    $('d-id').textContent = id;
    const info = await api('/devices/' + enc(id)).catch(() => null);
    $('d-info').textContent = info ? [info.type, info.site, info.firmware, info.status,
      info.connectivity && info.connectivity.state].filter(Boolean).join(' · ') : 'not registered';
    try {
      showShadow(await api('/devices/' + enc(id) + '/shadow'));
    } catch (e) {
      showShadow(null); $('d-reported').textContent = '(no shadow yet: ' + e.message + ')';
      $('d-sync').textContent = '';
    }
    await loadAlerts('&deviceId=' + enc(id));
    await loadCharts(id);
  }
  function openDevice(id) {
    if (current === id) return;
    closeDevice();
    current = id; desiredEdited = false; $('desired-result').textContent = '';
    deviceStream = sse('/stream/devices/' + enc(id), (event, data) => {
      if (current !== id) return;
      if (event === 'shadow' && data && data.state) showShadow(data);
      else if (event === 'alert' && data && data.alertId) { mergeAlert(data, true); renderAlerts(); }
      else if (event === 'aggregate') chartsDue = Date.now();
    }, (s) => { $('d-live').textContent = s; });
    chartTimer = setInterval(() => { if (chartsDue) { chartsDue = 0; loadCharts(id); } }, 5000);
  }
  function closeDevice() {
    if (deviceStream) deviceStream.stop();
    clearInterval(chartTimer); deviceStream = null; current = null;
    charts.forEach((c) => c.destroy && c.destroy()); charts.clear(); $('d-charts').innerHTML = '';
  }
  $('desired-input').addEventListener('input', () => { desiredEdited = true; });
  $('desired-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const id = current;
    let desired;
    try { desired = JSON.parse($('desired-input').value); } catch (err) {
      $('desired-result').textContent = 'not JSON: ' + err.message; return;
    }
    try {
      const r = await api('/devices/' + enc(id) + '/shadow', { method: 'POST', body: JSON.stringify({ state: { desired } }) });
      $('desired-result').textContent = 'sent (clientToken ' + text(r && r.clientToken) + ')';
      desiredEdited = false;
    } catch (err) {
      $('desired-result').textContent = 'refused: ' + err.message;
    }
  });

  // Metrics: the device's window aggregates of the last hour, one chart per metric (uPlot).
  function metricNames() {
    return ($('metrics-input').value || METRICS_DEFAULT).split(',').map((m) => m.trim()).filter(Boolean);
  }
  $('metrics-input').value = localStorage.getItem('fleetpulse.metrics') || METRICS_DEFAULT;
  $('metrics-form').addEventListener('submit', (e) => {
    e.preventDefault(); localStorage.setItem('fleetpulse.metrics', $('metrics-input').value);
    if (current) loadCharts(current);
  });
  async function loadCharts(id) {
    const to = Date.now() + 60000, from = to - 3600000;
    const box = $('d-charts');
    for (const metric of metricNames()) {
      let points = [], error = null;
      try {
        const r = await api('/devices/' + enc(id) + '/metrics?metric=' + enc(metric) + '&from=' + from + '&to=' + to);
        points = (r.series[0] && r.series[0].points) || [];
      } catch (e) { error = e; }
      if (current !== id) return;
      let holder = box.querySelector('[data-metric="' + metric + '"]');
      if (!holder) {
        holder = document.createElement('div'); holder.className = 'chart'; holder.dataset.metric = metric;
        holder.innerHTML = '<h4></h4><div class="plot"></div>'; holder.querySelector('h4').textContent = metric;
        box.appendChild(holder);
      }
      holder.dataset.points = String(points.length);
      const plot = holder.querySelector('.plot');
      if (error || points.length === 0) {
        if (charts.has(metric)) { charts.get(metric).destroy(); charts.delete(metric); }
        plot.textContent = error ? (error.status === 503 ? 'no InfluxDB configured for the API' : 'error: ' + error.message) : 'no data in the last hour';
        holder.classList.add('empty');
        continue;
      }
      holder.classList.remove('empty');
      const data = [points.map((p) => p.time / 1000), points.map((p) => p.avg), points.map((p) => p.min), points.map((p) => p.max)];
      if (charts.has(metric)) { charts.get(metric).setData(data); continue; }
      plot.textContent = '';
      charts.set(metric, new uPlot({
        width: 420, height: 180,
        series: [{}, { label: 'avg', stroke: '#1d3557', width: 2, points: { show: true, size: 5 } },
          { label: 'min', stroke: '#8ab6d6', dash: [4, 4] }, { label: 'max', stroke: '#e76f51', dash: [4, 4] }],
        axes: [{}, { size: 50 }],
      }, data, plot));
    }
  }

  // ----- Routing ---------------------------------------------------------------------------------
  let overviewTimer = null;
  async function route() {
    const m = location.hash.match(/^#device\/(.+)$/);
    $('overview').hidden = !!m; $('device').hidden = !m;
    clearInterval(overviewTimer);
    try {
      if (m) {
        const id = decodeURIComponent(m[1]);
        openDevice(id); await device(id);
      } else {
        closeDevice();
        await Promise.all([overview(), loadAlerts('')]);
        overviewTimer = setInterval(() => overview().catch((e) => status('error: ' + e.message)), 5000);
      }
      status('updated ' + new Date().toISOString().substring(11, 19) + ' UTC');
    } catch (e) {
      status('error: ' + e.message);
    }
  }
  window.addEventListener('hashchange', route);
  alertStream.restart();
  route();
})();
