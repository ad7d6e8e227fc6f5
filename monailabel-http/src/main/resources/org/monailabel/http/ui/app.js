// The annotation page: studies, next sample, the viewer, brush and eraser, submit, training.
import { gunzipIfNeeded, gzip, parseNifti, writeLabelNifti } from './nifti.js';
import { Viewer, colourOf } from './viewer.js';

const root = new URL('../', document.baseURI); // the server's root, prefix included
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem('monailabel-token');
let info = null;
let current = null; // {id, etag}
let labelNames = []; // [{name, idx}]

function status(text, error = false) {
  const s = $('status');
  s.textContent = text;
  s.className = error ? 'error' : '';
}

async function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  if (token) headers.set('Authorization', `Bearer ${token}`);
  const response = await fetch(new URL(path, root), { ...options, headers });
  if (response.status === 401 && token) {
    token = null;
    sessionStorage.removeItem('monailabel-token');
  }
  return response;
}

async function json(path, options) {
  const response = await api(path, options);
  if (!response.ok) throw new Error(`${options?.method || 'GET'} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function signIn() {
  const auth = await (await fetch(new URL('auth/', root))).json();
  if (!auth.enabled) return;
  if (token) {
    const valid = await api('auth/token/valid');
    if (valid.ok) return;
  }
  $('signin').hidden = false;
  await new Promise((resolve) => {
    $('signin-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const form = new URLSearchParams(new FormData(e.target));
      form.set('grant_type', 'password');
      const r = await fetch(new URL('auth/token', root), { method: 'POST', body: form });
      if (!r.ok) { status(`Sign-in failed: ${r.status}`, true); return; }
      token = (await r.json()).access_token;
      sessionStorage.setItem('monailabel-token', token);
      $('signin').hidden = true;
      $('user').textContent = form.get('username');
      status('');
      resolve();
    });
  });
}

function labelState(object) {
  const final = object?.labels?.final;
  if (!final) return 'none';
  const meta = final.info?.segmentationMeta || final.segmentationMeta;
  return meta?.status === 'approved' ? 'approved' : 'saved';
}

async function loadStudies() {
  const all = await json('datastore/?output=all');
  const list = $('studies');
  list.replaceChildren();
  for (const [id, object] of Object.entries(all.objects || {})) {
    const li = document.createElement('li');
    li.dataset.id = id;
    li.dataset.testid = 'study';
    const state = labelState(object);
    li.dataset.state = state;
    const name = document.createElement('span');
    name.textContent = id;
    const badge = document.createElement('span');
    badge.className = `state-${state}`;
    badge.textContent = state;
    li.append(name, badge);
    if (current && current.id === id) li.classList.add('current');
    li.addEventListener('click', () => openImage(id, state !== 'none'));
    list.append(li);
  }
  return all;
}

function buildLabels() {
  const byName = new Map();
  for (const model of Object.values(info.models || {})) {
    for (const [name, idx] of Object.entries(model.labels || {})) {
      if (name.toLowerCase() !== 'background' && idx > 0 && !byName.has(name)) byName.set(name, idx);
    }
  }
  (info.labels || []).forEach((name, i) => {
    if (name.toLowerCase() !== 'background' && !byName.has(name)) byName.set(name, i + 1);
  });
  if (!byName.size) byName.set('label', 1);
  labelNames = [...byName].map(([name, idx]) => ({ name, idx }));
  const list = $('labels');
  list.replaceChildren();
  for (const { name, idx } of labelNames) {
    const li = document.createElement('li');
    li.dataset.testid = `label-${idx}`;
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = `rgb(${colourOf(idx).join(',')})`;
    li.append(swatch, document.createTextNode(`${idx} ${name}`));
    li.addEventListener('click', () => selectLabel(idx));
    list.append(li);
  }
  selectLabel(labelNames[0].idx);
}

function selectLabel(idx) {
  viewer.activeLabel = idx;
  for (const li of $('labels').children) li.classList.toggle('active', li.dataset.testid === `label-${idx}`);
}

async function openImage(id, hasLabel) {
  status(`Loading ${id}…`);
  const response = await api(`datastore/image?image=${encodeURIComponent(id)}`);
  if (!response.ok) throw new Error(`GET image ${id}: ${response.status}`);
  const image = parseNifti(await gunzipIfNeeded(await response.arrayBuffer()));
  let labels = null, etag = null;
  if (hasLabel) {
    const r = await api(`datastore/label?label=${encodeURIComponent(id)}&tag=final`);
    if (r.ok) {
      etag = r.headers.get('ETag');
      const label = parseNifti(await gunzipIfNeeded(await r.arrayBuffer()));
      if (label.dims.join() === image.dims.join()) labels = Uint8Array.from(label.data);
    }
  }
  current = { id, etag };
  $('image-id').textContent = id;
  viewer.setImage(image, labels);
  setPreset($('preset').value);
  for (const li of $('studies').children) li.classList.toggle('current', li.dataset.id === id);
  status(`${id}: ${image.dims.join('×')} voxels${etag ? ', label loaded' : ''}`);
  document.body.dataset.loaded = id; // for tests: the image is drawn
}

async function nextSample() {
  const strategy = $('strategy').value;
  if (!strategy) { status('The app has no active-learning strategy', true); return; }
  const sample = await json(`activelearning/${encodeURIComponent(strategy)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  });
  if (!sample.id) { status('No more samples'); return; }
  const all = await loadStudies();
  await openImage(sample.id, labelState(all.objects?.[sample.id]) !== 'none');
}

async function submitLabel() {
  if (!current) { status('No image open', true); return; }
  const bytes = await gzip(writeLabelNifti(viewer.image, viewer.labels));
  const form = new FormData();
  form.append('params', JSON.stringify({ label_info: labelNames }));
  form.append('label', new Blob([bytes], { type: 'application/gzip' }), `${current.id}.nii.gz`);
  const headers = current.etag ? { 'If-Match': current.etag } : {};
  const r = await api(`datastore/label?image=${encodeURIComponent(current.id)}&tag=final`, { method: 'PUT', body: form, headers });
  if (r.status === 409 || r.status === 412) {
    status(`Not saved: someone else saved a newer label of ${current.id} (${r.status}). Reload it to see theirs.`, true);
    return;
  }
  if (!r.ok) { status(`Not saved: ${r.status} ${await r.text()}`, true); return; }
  const head = await api(`datastore/label?label=${encodeURIComponent(current.id)}&tag=final`, { method: 'HEAD' });
  current.etag = head.headers.get('ETag') || r.headers.get('ETag');
  viewer.dirty = false;
  await loadStudies();
  status(`Saved the label of ${current.id}`);
  document.body.dataset.saved = current.id;
}

function setPreset(value) {
  if (!viewer.image) return;
  if (value === 'auto') viewer.autoWindow();
  else [viewer.window, viewer.level] = value.split(',').map(Number);
  $('window').value = Math.round(viewer.window);
  $('level').value = Math.round(viewer.level);
  viewer.draw();
}

function setTool(tool) {
  viewer.tool = tool;
  for (const t of ['navigate', 'brush', 'eraser']) $(`tool-${t}`).classList.toggle('active', t === tool);
}

async function startTraining() {
  const model = $('trainer').value;
  if (!model) { status('No trainer', true); return; }
  const r = await api(`train/${encodeURIComponent(model)}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}',
  });
  if (!r.ok) { status(`Training not started: ${r.status} ${await r.text()}`, true); return; }
  status(`Training ${model} started`);
  trainPoints = [];
  await pollTraining();
}

let polling = null;
let trainPoints = []; // [{epoch, total, dice, loss}]

function addPoint(stats) {
  const epoch = Number(stats?.epoch);
  if (!stats || !Number.isFinite(epoch)) return;
  const metric = stats.best_metric ?? stats.dice ?? stats.accuracy ?? stats.best_accuracy;
  const loss = stats.loss ?? stats.train_loss;
  const point = { epoch, total: Number(stats.total_epochs) || epoch, dice: metric == null ? null : Number(metric), loss: loss == null ? null : Number(loss) };
  const i = trainPoints.findIndex((p) => p.epoch === epoch);
  if (i >= 0) trainPoints[i] = point; else trainPoints.push(point);
  trainPoints.sort((a, b) => a.epoch - b.epoch);
}

async function pollTraining() {
  clearTimeout(polling);
  const model = $('trainer').value;
  const s = await json('train/');
  const task = Array.isArray(s) ? s[s.length - 1] : s;
  const stats = (await json('info/')).train_stats?.[model];
  addPoint(stats);
  if (task?.result) addPoint(task.result);
  $('train-status').textContent = task?.status ? `${task.status} (${task.name || model})` : '';
  drawChart();
  if (task && !['DONE', 'ERROR', 'STOPPED'].includes(task.status)) polling = setTimeout(pollTraining, 1000);
  else document.body.dataset.trained = String(task?.status || '');
}

/** Dice (green, 0..1) and loss (orange, scaled to its maximum) by epoch. */
function drawChart(stats) {
  if (stats) addPoint(stats);
  const c = $('train-chart');
  const ctx = c.getContext('2d');
  const W = c.width, H = c.height, L = 28, B = 16, T = 18;
  ctx.fillStyle = '#111';
  ctx.fillRect(0, 0, W, H);
  ctx.strokeStyle = '#555';
  ctx.strokeRect(L, T, W - L - 4, H - T - B);
  ctx.fillStyle = '#aaa';
  ctx.font = '10px sans-serif';
  ctx.fillText('1', 14, T + 4);
  ctx.fillText('0', 14, H - B);
  c.dataset.points = String(trainPoints.length);
  if (!trainPoints.length) { ctx.fillText('no training yet', L + 6, T + 14); return; }
  const total = Math.max(...trainPoints.map((p) => p.total), 1);
  const maxLoss = Math.max(...trainPoints.map((p) => p.loss || 0), 1e-9);
  const x = (e) => L + ((W - L - 4) * e) / total;
  const y = (v) => H - B - (H - T - B) * Math.min(1, Math.max(0, v));
  const line = (key, colour, scale) => {
    const pts = trainPoints.filter((p) => p[key] != null);
    if (!pts.length) return;
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.beginPath();
    pts.forEach((p, i) => (i ? ctx.lineTo(x(p.epoch), y(p[key] / scale)) : ctx.moveTo(x(p.epoch), y(p[key] / scale))));
    ctx.stroke();
    for (const p of pts) ctx.fillRect(x(p.epoch) - 2, y(p[key] / scale) - 2, 4, 4);
  };
  line('dice', '#70d070', 1);
  line('loss', '#e09040', maxLoss);
  const last = trainPoints[trainPoints.length - 1];
  ctx.fillStyle = '#ddd';
  ctx.fillText(`epoch ${last.epoch}/${last.total}${last.dice != null ? `  Dice ${last.dice.toFixed(3)}` : ''}${last.loss != null ? `  loss ${last.loss.toFixed(3)}` : ''}`, L, 12);
}

const viewer = new Viewer(
  { axial: $('viewer'), coronal: $('coronal'), sagittal: $('sagittal') },
  (v) => {
    if (!v.image) return;
    $('window').value = Math.round(v.window);
    $('level').value = Math.round(v.level);
    const [i, j, k] = v.cursor;
    $('slice-info').textContent = `voxel ${i}, ${j}, ${k}${v.dirty ? ' (edited)' : ''}`;
  },
);

async function main() {
  const run = (f) => async (...a) => {
    try { await f(...a); } catch (e) { status(String(e.message || e), true); }
  };
  $('next-sample').addEventListener('click', run(nextSample));
  $('submit-label').addEventListener('click', run(submitLabel));
  $('train-start').addEventListener('click', run(startTraining));
  $('undo').addEventListener('click', () => viewer.undo());
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'z') { e.preventDefault(); viewer.undo(); }
  });
  for (const t of ['navigate', 'brush', 'eraser']) $(`tool-${t}`).addEventListener('click', () => setTool(t));
  $('brush-size').addEventListener('input', (e) => {
    viewer.brushSize = Number(e.target.value);
    $('brush-size-value').textContent = e.target.value;
  });
  viewer.brushSize = Number($('brush-size').value);
  $('preset').addEventListener('change', (e) => setPreset(e.target.value));
  for (const id of ['window', 'level']) {
    $(id).addEventListener('change', () => {
      viewer.window = Math.max(1, Number($('window').value));
      viewer.level = Number($('level').value);
      viewer.draw();
    });
  }
  await signIn();
  info = await json('info/');
  $('server-name').textContent = info.name || '';
  for (const s of Object.keys(info.strategies || {})) $('strategy').append(new Option(s, s));
  for (const t of Object.keys(info.trainers || {})) $('trainer').append(new Option(t, t));
  buildLabels();
  await loadStudies();
  drawChart(info.train_stats?.[$('trainer').value]); // GET /train/ is a 404 until a first job
  document.body.dataset.ready = 'true';
}

main().catch((e) => status(String(e.message || e), true));
