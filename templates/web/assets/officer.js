// ocoptrace: the officer's page (admins see it too, read-only where only
// officers may act). All products with client-side filters, recording an
// evaluation with its total and stars computed as one types, certificates
// with their PDF and revocation, those expiring soon, recalls (each with its
// lots, units and the destinations to notify) and recalling an input lot or
// a lot, a lot's trace, and the summary's charts drawn as inline SVG.
'use strict';

import {
  api, onSubmit, onConfirmedSubmit, requireFields, setStatus, clearErrors, el, formatDate, formatDateTime,
  formatNumber, formatPercent, daysUntil, session, starStatus, capitalise, renderTrace,
  GROUPS, KINDS, STATUSES,
} from '/assets/app.js';
import { starsOf } from '/assets/dossier.js';
import { DECISION_ERRORS, addDecisionFields, decisionBody, text } from '/assets/decision.js';

const $ = (selector) => document.querySelector(selector);
const SVG = 'http://www.w3.org/2000/svg';
const state = { products: [], summary: null, officer: false, inputs: [] };

/* ---------- products and filters ---------- */

function productRow(product) {
  const c = product.certificate;
  return el('tr', {
    'data-product-id': product.id, 'data-group': product.group, 'data-kind': product.producer_kind || 'other',
    'data-stars': c ? String(c.stars) : 'none', 'data-status': c ? c.status : 'none',
  },
  el('td', { 'data-label': 'Sản phẩm' }, product.name),
  el('td', { 'data-label': 'Chủ thể' }, product.producer_name || '—'),
  el('td', { 'data-label': 'Loại hình' }, KINDS[product.producer_kind] || '—'),
  el('td', { 'data-label': 'Nhóm' }, GROUPS[product.group] || product.group),
  el('td', { 'data-label': 'OCOP' }, el('span', { class: `badge badge-${c?.status || 'none'}` }, starStatus(c))),
  el('td', { 'data-label': '' }, state.officer
    ? el('button', { type: 'button', class: 'evaluate secondary', 'aria-label': `Đánh giá ${product.name}` }, 'Đánh giá')
    : null));
}

/* Hides the rows that do not match every chosen filter. */
function applyFilters() {
  const chosen = Object.fromEntries(new FormData($('#filters')));
  const rows = [...document.querySelectorAll('#products tbody tr')];
  let shown = 0;
  for (const row of rows) {
    const match = ['group', 'stars', 'status', 'kind'].every((k) => chosen[k] === 'any' || row.dataset[k] === chosen[k]);
    row.hidden = !match;
    shown += match;
  }
  $('#filter-count').textContent = `Hiển thị ${formatNumber(shown)}/${formatNumber(rows.length)} sản phẩm.`;
}

async function loadProducts() {
  const { products } = await api('/products');
  state.products = products;
  $('#products tbody').replaceChildren(...products.map(productRow));
  applyFilters();
  const select = $('#evaluation-form [name=product_id]');
  const chosen = select.value;
  select.replaceChildren(el('option', { value: '' }, '— Chọn sản phẩm —'),
    ...products.map((p) => el('option', { value: p.id }, `${p.name} · ${p.producer_name || ''}`)));
  select.value = chosen;
}

$('#filters').addEventListener('change', applyFilters);
$('#filters').addEventListener('submit', (event) => event.preventDefault());
$('#products').addEventListener('click', (event) => {
  if (!event.target.closest('.evaluate')) return;
  $('#evaluation-form [name=product_id]').value = event.target.closest('tr').dataset.productId;
  $('#evaluation-form').scrollIntoView({ behavior: 'smooth', block: 'start' });
  $('#evaluation-form [name=number]').focus({ preventScroll: true });
});

/* ---------- the evaluation ---------- */

const form = $('#evaluation-form');
const decision = addDecisionFields(form, 'e');

function updateScores() {
  const parts = ['score_a', 'score_b', 'score_c'].map((n) => form.elements[n].value.trim());
  const typed = parts.some((v) => v !== '');
  const total = parts.reduce((sum, v) => sum + (Number.parseInt(v, 10) || 0), 0);
  const stars = starsOf(total);
  $('#score-total').value = typed ? String(total) : '–';
  $('#score-stars').value = typed ? String(stars) : '–';
  $('#score-mark').textContent = typed ? '★'.repeat(stars) : '';
  $('#score-note').classList.toggle('field-error', typed && stars < 3);
  if (typed) decision.followStars(stars);
}

form.addEventListener('input', updateScores);

const EVALUATION_FIELDS = { ...DECISION_ERRORS, 'scores.a': 'score_a', 'scores.b': 'score_b', 'scores.c': 'score_c' };

function score(data, name) {
  const value = text(data, name);
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : value;
}

function evaluationBody(data) {
  return { ...decisionBody(data), scores: { a: score(data, 'score_a'), b: score(data, 'score_b'), c: score(data, 'score_c') } };
}

onSubmit(form, async (data) => {
  $('#evaluation-result').hidden = true;
  const productId = data.get('product_id');
  if (!productId) {
    $('[data-error-for=product_id]').textContent = 'Hãy chọn sản phẩm.';
    form.elements.product_id.setAttribute('aria-invalid', 'true');
    return;
  }
  const certificate = await api(`/products/${productId}/evaluations`, { method: 'POST', body: evaluationBody(data) });
  $('#evaluation-summary').textContent = `Đã cấp giấy chứng nhận số ${certificate.number}: ${certificate.stars} sao, `
    + `có hiệu lực đến hết ngày ${formatDate(certificate.valid_until)}.`;
  $('#certificate-download').href = `/api/v1/certificates/${certificate.id}.pdf`;
  $('#certificate-download').setAttribute('download', `giay-chung-nhan-${certificate.number}.pdf`);
  $('#evaluation-result').hidden = false;
  await refresh();
}, EVALUATION_FIELDS);

/* ---------- certificates and revoking ---------- */

function certificateRow(c) {
  return el('tr', { 'data-certificate-id': c.id },
    el('td', { 'data-label': 'Số giấy' }, c.number),
    el('td', { 'data-label': 'Sản phẩm' }, el('span', {}, c.product, el('br'), el('span', { class: 'muted' }, c.producer))),
    el('td', { 'data-label': 'Hạng' }, `${c.stars} sao`),
    el('td', { 'data-label': 'Hiệu lực đến' }, formatDate(c.valid_until)),
    el('td', { 'data-label': 'Tình trạng' },
      el('span', { class: `status badge badge-${c.status}` }, capitalise(STATUSES[c.status] || c.status))),
    el('td', { 'data-label': '' }, el('div', { class: 'actions' },
      el('a', { href: `/api/v1/certificates/${c.id}.pdf`, download: `giay-chung-nhan-${c.number}.pdf`, class: 'button secondary' }, 'PDF'),
      state.officer && c.status !== 'revoked'
        ? el('button', { type: 'button', class: 'revoke danger', 'aria-label': `Thu hồi ${c.number}` }, 'Thu hồi')
        : null)));
}

async function loadCertificates() {
  const { certificates } = await api('/certificates');
  $('#certificates tbody').replaceChildren(...certificates.map(certificateRow));
}

const revokeForm = $('#revoke-form');

$('#certificates').addEventListener('click', (event) => {
  const button = event.target.closest('.revoke');
  if (!button) return;
  const row = button.closest('tr');
  clearErrors(revokeForm);
  revokeForm.elements.certificate_id.value = row.dataset.certificateId;
  $('#revoke-title').textContent = `Thu hồi giấy chứng nhận số ${row.cells[0].textContent}`;
  revokeForm.hidden = false;
  revokeForm.elements.reason.focus();
});
$('#revoke-cancel').addEventListener('click', () => { revokeForm.hidden = true; });

onSubmit(revokeForm, async (data) => {
  const id = data.get('certificate_id');
  const reason = text(data, 'reason');
  const c = await api(`/certificates/${id}/revoke`, { method: 'POST', body: reason === undefined ? {} : { reason } });
  revokeForm.reset();
  revokeForm.hidden = true;
  $('#certificates-status').textContent = `Đã thu hồi giấy chứng nhận số ${c.number}.`;
  await refresh();
});

/* ---------- expiring soon ---------- */

function expiringItem(c) {
  const days = daysUntil(c.valid_until);
  return el('li', { 'data-certificate-id': c.id },
    el('strong', {}, c.number), ` · ${c.product} (${c.producer}) · ${c.stars} sao · hết hiệu lực ${formatDate(c.valid_until)}`,
    days >= 0 ? `, còn ${formatNumber(days)} ngày` : '');
}

async function loadExpiring(days) {
  const { certificates } = await api(`/certificates?expiring_within=${days}`);
  $(`#expiring-${days}`).replaceChildren(...certificates.map(expiringItem));
  $(`#expiring-${days}-empty`).hidden = certificates.length > 0;
}

/* ---------- the summary's charts ---------- */

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/* Draws in the chart's own pixel width so text stays legible on a phone;
   below 480 px each row's label goes above its bar instead of beside it. */
function chartFrame(chart, rows) {
  const width = Math.max(280, Math.round(chart.getBoundingClientRect().width) || 600);
  const narrow = width < 480;
  const rowHeight = narrow ? 44 : 32;
  const labelWidth = narrow ? 0 : 190;
  chart.setAttribute('viewBox', `0 0 ${width} ${rows * rowHeight + 12}`);
  chart.replaceChildren();
  return {
    labelWidth,
    barWidth: width - labelWidth - 52,
    /* Where row i's label and bar go. */
    row: (i) => {
      const y = 8 + i * rowHeight;
      return narrow
        ? { label: { x: 0, y: y + 12, 'text-anchor': 'start' }, bar: y + 18 }
        : { label: { x: labelWidth - 8, y: y + 16, 'text-anchor': 'end' }, bar: y };
    },
  };
}

const SWATCHES = { 5: 'var(--brand)', 4: '#d08c00', 3: '#e9c46a', none: '#cfcabc' };
const STAR_SEGMENTS = [['5', '5 sao'], ['4', '4 sao'], ['3', '3 sao'], ['none', 'Chưa có sao còn hiệu lực']];

function drawStarsByGroup() {
  const chart = $('#chart-stars-by-group');
  const counts = Object.fromEntries(Object.keys(GROUPS).map((g) => [g, { 3: 0, 4: 0, 5: 0, none: 0 }]));
  for (const p of state.products) {
    const inForce = p.certificate && ['valid', 'expiring'].includes(p.certificate.status);
    counts[p.group] && (counts[p.group][inForce ? p.certificate.stars : 'none'] += 1);
  }
  const groups = Object.keys(GROUPS);
  const most = Math.max(1, ...groups.map((g) => Object.values(counts[g]).reduce((a, b) => a + b, 0)));
  const f = chartFrame(chart, groups.length);
  groups.forEach((group, i) => {
    const { label, bar: y } = f.row(i);
    chart.append(svg('text', label, GROUPS[group]));
    let x = f.labelWidth;
    let total = 0;
    for (const [key, name] of STAR_SEGMENTS) {
      const n = counts[group][key];
      if (!n) continue;
      const w = (n / most) * f.barWidth;
      const segment = svg('rect', { x, y, width: w, height: 20, class: `seg-${key}` });
      segment.append(svg('title', {}, `${GROUPS[group]}: ${name}: ${n}`));
      chart.append(segment);
      x += w;
      total += n;
    }
    chart.append(svg('text', { x: x + 6, y: y + 15 }, formatNumber(total)));
  });
  $('#legend-stars').replaceChildren(...STAR_SEGMENTS.map(([key, name]) => el('li', {},
    el('span', { style: `background: ${SWATCHES[key]}` }), name)));
}

/* Shares of producers by kind, with the plan's targets drawn as lines. */
function drawProducerKinds() {
  const chart = $('#chart-producer-kinds');
  const s = state.summary;
  const producers = s.producers || 0;
  const share = (kind) => (producers ? (s.producers_by_kind?.[kind] || 0) / producers : 0);
  const rows = [
    ['cooperative', s.share_cooperatives ?? share('cooperative'), 0.4],
    ['sme', s.share_smes ?? share('sme'), 0.3],
    ['household', share('household'), null],
    ['other', share('other'), null],
  ];
  const f = chartFrame(chart, rows.length);
  rows.forEach(([kind, value, target], i) => {
    const { label, bar: y } = f.row(i);
    chart.append(svg('text', label, KINDS[kind]));
    chart.append(svg('rect', { x: f.labelWidth, y, width: f.barWidth, height: 20, class: 'track' }));
    const bar = svg('rect', { x: f.labelWidth, y, width: value * f.barWidth, height: 20, class: 'share' });
    bar.append(svg('title', {}, `${KINDS[kind]}: ${formatPercent(value)}`));
    chart.append(bar, svg('text', { x: f.labelWidth + f.barWidth + 6, y: y + 15 }, formatPercent(value)));
    if (target === null) return;
    const tx = f.labelWidth + target * f.barWidth;
    const line = svg('line', { x1: tx, x2: tx, y1: y - 5, y2: y + 25, class: 'target', 'data-target': target });
    line.append(svg('title', {}, `Mục tiêu: ${formatPercent(target)}`));
    chart.append(line);
  });
  chart.setAttribute('aria-label', rows.map(([kind, value, target]) => `${KINDS[kind]} ${formatPercent(value)}`
    + (target ? ` (mục tiêu ${formatPercent(target)})` : '')).join('; '));
}

async function loadSummary() {
  state.summary = await api('/reports/summary');
  const s = state.summary;
  $('#summary-totals').textContent = `${formatNumber(s.producers || 0)} chủ thể, ${formatNumber(state.products.length)} sản phẩm. `
    + `Giấy chứng nhận hết hiệu lực trong 30 ngày: ${formatNumber(s.certificates_expiring?.within_30_days || 0)}; `
    + `trong 90 ngày: ${formatNumber(s.certificates_expiring?.within_90_days || 0)}.`;
  drawCharts();
}

function drawCharts() {
  if (!state.summary) return;
  drawStarsByGroup();
  drawProducerKinds();
}

let resizeTimer;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(drawCharts, 150);
});

/* ---------- recalls ---------- */

function destinationItem(shipment) {
  return el('li', { 'data-shipment-id': shipment.id },
    el('strong', { class: 'destination' }, shipment.to?.name || '—'), shipment.to?.address ? `, ${shipment.to.address}` : '',
    el('span', { class: 'muted' }, ` · xuất ${formatDate(shipment.shipped)} · ${formatNumber(shipment.units)} đơn vị`));
}

function recalledLotRow(lot) {
  return el('tr', { 'data-lot-id': lot.lot_id },
    el('td', { 'data-label': 'Lô' }, el('strong', {}, lot.code), el('span', { class: 'muted' }, ` (số ${lot.lot_id})`)),
    el('td', { 'data-label': 'Sản phẩm' }, lot.product),
    el('td', { 'data-label': 'Số đơn vị', class: 'number' }, formatNumber(lot.units)),
    el('td', { 'data-label': 'Nơi nhận cần báo' }, lot.shipments?.length
      ? el('ul', { class: 'destinations' }, ...lot.shipments.map(destinationItem))
      : el('span', { class: 'muted' }, 'Chưa xuất hàng')));
}

function recallTarget(recall) {
  if (recall.kind === 'input') {
    const input = state.inputs.find((i) => i.id === recall.input_id);
    return input ? `lô nguyên liệu ${input.code} (${input.material})` : `lô nguyên liệu số ${recall.input_id}`;
  }
  const lot = recall.lots?.find((l) => l.lot_id === recall.lot_id);
  return lot ? `lô ${lot.code} (${lot.product})` : `lô số ${recall.lot_id}`;
}

function recallCard(recall) {
  const lots = recall.lots || [];
  const places = new Set(lots.flatMap((l) => (l.shipments || []).map((s) => `${s.to?.name}\n${s.to?.address}`)));
  return el('li', { class: 'recall-card', 'data-recall-id': recall.id, 'data-kind': recall.kind },
    el('h3', {}, `Đợt thu hồi số ${recall.id}: ${recallTarget(recall)}`),
    el('p', { class: 'muted' }, `Từ ${formatDateTime(recall.since)} · ${formatNumber(lots.length)} lô, `
      + `${formatNumber(lots.reduce((n, l) => n + (l.units || 0), 0))} đơn vị · cần báo ${formatNumber(places.size)} nơi nhận`),
    el('p', {}, el('strong', {}, 'Lý do: '), recall.reason),
    el('p', {}, el('strong', {}, 'Người tiêu dùng cần làm: '), recall.action),
    el('div', { class: 'table-wrap' }, el('table', { class: 'stack recalled-lots' },
      el('thead', {}, el('tr', {}, ...['Lô', 'Sản phẩm', 'Số đơn vị', 'Nơi nhận cần báo'].map((h, i) =>
        el('th', { scope: 'col', class: i === 2 ? 'number' : null }, h)))),
      el('tbody', {}, ...lots.map(recalledLotRow)))));
}

async function loadRecalls() {
  const [{ recalls }, { inputs }] = await Promise.all([api('/recalls'), api('/inputs')]);
  state.inputs = inputs;
  const newest = [...recalls].sort((a, b) => b.id - a.id);
  $('#recalls').replaceChildren(...newest.map(recallCard));
  $('#recalls-empty').hidden = recalls.length > 0;
}

const recallForm = $('#recall-form');
const RECALL_FIELDS = { id: 'target_id', input: 'target_id', lot: 'target_id' };

/* What will be recalled, in words, read from the API first; null (with the
   field marked) when there is nothing to recall. */
async function describeRecall(data) {
  if (!requireFields(recallForm, data, ['target_id', 'reason', 'action'])) return null;
  const id = Number(data.get('target_id'));
  const refuse = (text) => {
    recallForm.querySelector('[data-error-for=target_id]').textContent = text;
    recallForm.elements.target_id.setAttribute('aria-invalid', 'true');
    return null;
  };
  if (!Number.isInteger(id) || id < 1) return refuse('Hãy nhập số của lô (một số nguyên dương).');
  const consequences = 'Việc này không thể hoàn tác: các lô không in tem, không cấp số seri được nữa và người tiêu dùng quét mã sẽ thấy thông báo thu hồi.';
  if (data.get('kind') === 'input') {
    const [input, trace] = await Promise.all([api(`/inputs/${id}`), api(`/inputs/${id}/trace`)]);
    if (input.recalled) return refuse(`Lô nguyên liệu ${input.code} đã bị thu hồi.`);
    const lots = countLots(trace.forward);
    return `Thu hồi lô nguyên liệu ${input.code} (${input.material}, ${formatNumber(input.quantity)} ${input.unit}) `
      + `và ${formatNumber(lots)} lô làm từ nó? ${consequences}`;
  }
  const trace = await api(`/lots/${id}/trace`);
  if (trace.recall) return refuse(`Lô ${trace.lot.code} đã bị thu hồi (đợt số ${trace.recall.id}).`);
  const lots = countLots(trace.forward);
  return `Thu hồi lô ${trace.lot.code} (${trace.lot.product})${lots ? ` và ${formatNumber(lots)} lô làm từ nó` : ''}? ${consequences}`;
}

function countLots(forward) {
  return (forward?.lots || []).reduce((n, item) => n + 1 + countLots(item.forward), 0);
}

onConfirmedSubmit(recallForm, {
  describe: describeRecall,
  work: async (data) => {
    const kind = data.get('kind') === 'lot' ? 'lots' : 'inputs';
    const body = { reason: text(data, 'reason'), action: text(data, 'action') };
    const recall = await api(`/${kind}/${Number(data.get('target_id'))}/recall`, { method: 'POST', body });
    recallForm.reset();
    await loadRecalls();
    setStatus(recallForm, `Đã thu hồi ${recallTarget(recall)}: ${formatNumber(recall.lots?.length || 0)} lô (đợt thu hồi số ${recall.id}).`, 'ok');
  },
}, RECALL_FIELDS);

/* ---------- a lot's trace ---------- */

onSubmit($('#trace-form'), async (data) => {
  const form = $('#trace-form');
  $('#trace').replaceChildren();
  if (!requireFields(form, data, ['lot_id'])) return;
  const trace = await api(`/lots/${encodeURIComponent(data.get('lot_id').trim())}/trace`);
  $('#trace').replaceChildren(renderTrace(trace, 3));
}, { id: 'lot_id' });

/* ---------- start ---------- */

async function refresh() {
  await Promise.all([loadProducts(), loadCertificates(), loadExpiring(30), loadExpiring(90), loadRecalls()]);
  await loadSummary();
}

async function start() {
  const { user } = await session();
  state.officer = user?.role === 'officer';
  // Only officers record evaluations and revoke; admins read.
  form.querySelectorAll('fieldset, [type=submit]').forEach((n) => { n.disabled = !state.officer; });
  $('#evaluation-officer-only').hidden = state.officer;
  updateScores();
  await refresh();
}

start().catch((error) => setStatus($('#filters'), `Không tải được dữ liệu: ${error.message}`, 'error'));
