// ocoptrace: the producer's page. Lists the producer's products with their
// OCOP stars; registers and edits a product; for the opened product shows
// what the labelling law still needs, its lots, allocates serials, and
// previews and downloads a lot's label sheet. The chain: the producer's
// growing areas and input lots; for an opened lot, what it was made from,
// its production journal, its shipments, its trace both ways and its recall.
'use strict';

import {
  api, onSubmit, onConfirmedSubmit, requireFields, setStatus, clearErrors, el, formObject, formatDate,
  formatDateTime, formatNumber, numberOrText, starStatus, capitalise, vietnamese, vietnamNow, vietnamToday,
  withVietnamOffset, originOf, recallNotice, renderTrace, ApiError, GROUPS, FIELDS, STEPS,
} from '/assets/app.js';

const PRODUCT_FIELDS = ['name', 'group', 'gtin', 'net_quantity', 'ingredients', 'origin', 'usage', 'storage', 'warnings', 'standard'];
const $ = (selector) => document.querySelector(selector);

const state = { products: [], product: null, lots: [], editing: null, areas: [], inputs: [], lot: null };

/* ---------- the products table ---------- */

function productRow(product) {
  const certificate = product.certificate;
  return el('tr', { 'data-product-id': product.id, class: state.product?.id === product.id ? 'selected' : null },
    el('td', { 'data-label': 'Sản phẩm' },
      el('button', { type: 'button', class: 'open-product link-button' }, product.name)),
    el('td', { 'data-label': 'Nhóm' }, GROUPS[product.group] || product.group),
    el('td', { 'data-label': 'Mã GTIN' }, product.gtin || '—'),
    el('td', { 'data-label': 'OCOP' },
      el('span', { class: `badge badge-${certificate?.status || 'none'}` }, starStatus(certificate))));
}

async function loadProducts() {
  const { products } = await api('/products');
  state.products = products;
  $('#products tbody').replaceChildren(...products.map(productRow));
  $('#products-empty').hidden = products.length > 0;
}

$('#products').addEventListener('click', (event) => {
  const opener = event.target.closest('.open-product');
  if (opener) openProduct(Number(opener.closest('tr').dataset.productId));
});

/* ---------- one product ---------- */

async function openProduct(id) {
  state.product = state.products.find((p) => p.id === id);
  if (!state.product) return;
  document.querySelectorAll('#products tbody tr').forEach((tr) => {
    tr.classList.toggle('selected', Number(tr.dataset.productId) === id);
  });
  $('#detail-title').textContent = state.product.name;
  const badge = $('#detail-status');
  badge.textContent = starStatus(state.product.certificate);
  badge.className = `badge badge-${state.product.certificate?.status || 'none'}`;
  $('#product-detail').hidden = false;
  closeLot();
  ['#lot-form', '#serials-form', '#labels-form'].forEach((f) => clearErrors($(f)));
  $('#serials-result').hidden = true;
  await Promise.all([loadLawCheck(), loadLots()]);
  $('#product-detail').scrollIntoView({ behavior: 'smooth', block: 'start' });
}

function lawItem({ field, message }) {
  return el('li', { 'data-field': field },
    el('strong', {}, FIELDS[field] || field), ': ', vietnamese(message) || message);
}

async function loadLawCheck() {
  const { ready, missing } = await api(`/products/${state.product.id}/label-check`);
  $('#law-check').replaceChildren(...missing.map(lawItem));
  $('#law-check').hidden = ready;
  $('#law-ready').hidden = !ready;
}

function lotRow(lot) {
  return el('tr', { 'data-lot-id': lot.id },
    el('td', { 'data-label': 'Số lô' }, lot.code),
    el('td', { 'data-label': 'NSX' }, formatDate(lot.produced)),
    el('td', { 'data-label': 'HSD' }, formatDate(lot.expires)),
    el('td', { 'data-label': 'Số seri', class: 'number' }, formatNumber(lot.serials)),
    el('td', { 'data-label': '' },
      el('button', { type: 'button', class: 'open-lot secondary', 'aria-label': `Nguồn gốc, nhật ký, xuất hàng của lô ${lot.code}` },
        'Nguồn gốc, xuất hàng')));
}

/* Fills a lot select, keeping the chosen lot when it still exists. */
function fillLotSelect(select, lots) {
  const chosen = select.value;
  select.replaceChildren(...lots.map((lot) => el('option', { value: lot.id },
    `${lot.code} (${formatNumber(lot.serials)} seri)`)));
  if (lots.some((lot) => String(lot.id) === chosen)) select.value = chosen;
}

async function loadLots() {
  const { lots } = await api(`/products/${state.product.id}/lots`);
  state.lots = lots;
  $('#lots tbody').replaceChildren(...lots.map(lotRow));
  $('#lots-empty').hidden = lots.length > 0;
  fillLotSelect($('#serials-form [name=lot_id]'), lots);
  fillLotSelect($('#labels-form [name=lot_id]'), lots);
  $('#serials-form [type=submit]').disabled = lots.length === 0;
  updateLabels();
}

/* ---------- registering and editing ---------- */

function setEditing(product) {
  state.editing = product;
  const form = $('#product-form');
  clearErrors(form);
  $('#product-form-title').textContent = product ? `Sửa sản phẩm: ${product.name}` : 'Đăng ký sản phẩm mới';
  $('#product-submit').textContent = product ? 'Lưu thay đổi' : 'Đăng ký sản phẩm';
  $('#cancel-edit').hidden = !product;
  for (const name of PRODUCT_FIELDS) form.elements[name].value = product?.[name] ?? '';
}

$('#edit-product').addEventListener('click', () => {
  setEditing(state.product);
  $('#product-form').scrollIntoView({ behavior: 'smooth', block: 'start' });
  $('#product-form [name=name]').focus({ preventScroll: true });
});
$('#cancel-edit').addEventListener('click', () => setEditing(null));

/* A new product leaves empty fields out; an edit sends them empty, so a
   cleared field is cleared (except the GTIN, which may not be empty). */
function productBody(data) {
  const body = formObject(data, PRODUCT_FIELDS);
  if (state.editing) {
    for (const name of PRODUCT_FIELDS) if (name !== 'gtin' && !(name in body)) body[name] = '';
  }
  return body;
}

onSubmit($('#product-form'), async (data) => {
  const form = $('#product-form');
  const editing = state.editing;
  const saved = await api(editing ? `/products/${editing.id}` : '/products',
    { method: editing ? 'PATCH' : 'POST', body: productBody(data) });
  await loadProducts();
  if (editing) {
    setEditing(null);
    await openProduct(saved.id);
  } else {
    form.reset();
  }
  setStatus(form, editing ? `Đã lưu sản phẩm “${saved.name}”.` : `Đã đăng ký sản phẩm “${saved.name}”.`, 'ok');
});

/* ---------- lots and serials ---------- */

onSubmit($('#lot-form'), async (data) => {
  const form = $('#lot-form');
  const lot = await api(`/products/${state.product.id}/lots`,
    { method: 'POST', body: formObject(data, ['code', 'produced', 'expires']) });
  form.reset();
  await loadLots();
  $('#serials-form [name=lot_id]').value = lot.id;
  $('#labels-form [name=lot_id]').value = lot.id;
  updateLabels();
  setStatus(form, `Đã tạo lô ${lot.code}.`, 'ok');
});

onSubmit($('#serials-form'), async (data) => {
  const lotId = data.get('lot_id');
  const count = data.get('count').trim();
  const result = await api(`/lots/${lotId}/serials`,
    { method: 'POST', body: { count: /^\d+$/.test(count) ? Number(count) : count } });
  const lot = state.lots.find((l) => String(l.id) === lotId);
  $('#serials-result').textContent =
    `Đã cấp ${formatNumber(result.serials.length)} số seri cho lô ${lot?.code ?? ''}.`;
  $('#serials-result').hidden = false;
  await loadLots();
  $('#labels-form [name=lot_id]').value = lotId;
  updateLabels();
});

/* ---------- label preview and download ---------- */

function updateLabels() {
  const form = $('#labels-form');
  const lotId = form.elements.lot_id.value;
  const sheet = form.elements.sheet.value;
  const img = $('#label-preview');
  const link = $('#labels-download');
  setStatus(form, lotId ? '' : 'Hãy tạo một lô trước.');
  img.hidden = !lotId;
  link.hidden = !lotId;
  if (!lotId) return;
  const query = `sheet=${encodeURIComponent(sheet)}`;
  img.src = `/api/v1/lots/${lotId}/label.png?${query}`;
  link.href = `/api/v1/lots/${lotId}/labels.pdf?${query}`;
  const lot = state.lots.find((l) => String(l.id) === lotId);
  link.setAttribute('download', `tem-${lot?.code ?? lotId}-${sheet}.pdf`);
}

/* An image cannot show why it failed: ask the API for the message. */
$('#label-preview').addEventListener('error', async () => {
  const img = $('#label-preview');
  if (!img.getAttribute('src')) return;
  img.hidden = true;
  const answer = await fetch(img.src, { credentials: 'same-origin' }).then((r) => r.json()).catch(() => ({}));
  const message = answer.error?.message || '';
  setStatus($('#labels-form'), `Chưa xem trước được tem: ${vietnamese(message) || message || 'lỗi không rõ'}`, 'error');
});
$('#label-preview').addEventListener('load', () => { $('#label-preview').hidden = false; });

$('#labels-form').addEventListener('change', updateLabels);
$('#labels-form').addEventListener('submit', (event) => event.preventDefault());

/* ---------- the chain: growing areas ---------- */

function areaRow(area) {
  return el('tr', { 'data-area-id': area.id },
    el('td', { 'data-label': 'Mã vùng' }, el('strong', {}, area.code)),
    el('td', { 'data-label': 'Tên vùng' }, area.name),
    el('td', { 'data-label': 'Địa phương' }, area.locality || '—'),
    el('td', { 'data-label': 'Cây trồng, vật nuôi' }, area.crop || '—'),
    el('td', { 'data-label': 'Diện tích (ha)', class: 'number' }, area.area_ha == null ? '—' : formatNumber(area.area_ha)),
    el('td', { 'data-label': 'Chứng nhận' }, area.certifications?.length ? area.certifications.join(', ') : '—'));
}

async function loadAreas() {
  const { areas } = await api('/areas');
  state.areas = areas;
  $('#areas tbody').replaceChildren(...areas.map(areaRow));
  $('#areas-empty').hidden = areas.length > 0;
  const select = $('#input-form [name=area_id]');
  const chosen = select.value;
  select.replaceChildren(el('option', { value: '' }, areas.length ? '— Chọn vùng —' : '— Chưa có vùng nào —'),
    ...areas.map((a) => el('option', { value: a.id }, `${a.code} · ${a.name}`)));
  if (areas.some((a) => String(a.id) === chosen)) select.value = chosen;
}

/* "VietGAP, hữu cơ" → ["VietGAP", "hữu cơ"]. */
function certifications(text) {
  return (text || '').split(',').map((c) => c.trim().normalize('NFC')).filter(Boolean);
}

onSubmit($('#area-form'), async (data) => {
  const form = $('#area-form');
  const body = formObject(data, ['name', 'code', 'locality', 'crop']);
  const area = numberOrText(data.get('area_ha').trim());
  if (area !== undefined) body.area_ha = area;
  const certs = certifications(data.get('certifications'));
  if (certs.length) body.certifications = certs;
  const saved = await api('/areas', { method: 'POST', body });
  form.reset();
  await loadAreas();
  $('#input-form [name=area_id]').value = saved.id;
  setStatus(form, `Đã thêm vùng ${saved.code}.`, 'ok');
}, { 'certifications[0]': 'certifications' });

/* ---------- the chain: input lots ---------- */

function sourceOf(input) {
  return originOf(input.area_id ? state.areas.find((a) => a.id === input.area_id) || { code: `số ${input.area_id}`, name: '' } : null,
    input.supplier);
}

function inputRow(input) {
  const unit = (n) => `${formatNumber(n)} ${input.unit}`;
  return el('tr', { 'data-input-id': input.id, class: input.recalled ? 'recalled' : null },
    el('td', { 'data-label': 'Mã lô' }, el('strong', {}, input.code),
      input.recalled ? el('span', { class: 'badge badge-revoked' }, 'đã thu hồi') : null),
    el('td', { 'data-label': 'Nguyên liệu' }, input.material),
    el('td', { 'data-label': 'Số lượng', class: 'number' }, unit(input.quantity)),
    el('td', { 'data-label': 'Đã dùng', class: 'number used' }, unit(input.used)),
    el('td', { 'data-label': 'Còn lại', class: 'number remaining' }, unit(input.remaining)),
    el('td', { 'data-label': 'Thu hoạch' }, formatDate(input.harvested)),
    el('td', { 'data-label': 'Ngày nhận' }, formatDate(input.received)),
    el('td', { 'data-label': 'Nguồn gốc' }, sourceOf(input)));
}

async function loadInputs() {
  const { inputs } = await api('/inputs');
  state.inputs = inputs;
  $('#inputs tbody').replaceChildren(...inputs.map(inputRow));
  $('#inputs-empty').hidden = inputs.length > 0;
  const select = $('#lot-input-form [name=input_id]');
  const chosen = select.value;
  const usable = inputs.filter((i) => !i.recalled && i.remaining > 0);
  select.replaceChildren(el('option', { value: '' }, usable.length ? '— Chọn lô nguyên liệu —' : '— Chưa có nguyên liệu còn lại —'),
    ...usable.map((i) => el('option', { value: i.id },
      `${i.code} · ${i.material} · còn ${formatNumber(i.remaining)} ${i.unit}`)));
  if (usable.some((i) => String(i.id) === chosen)) select.value = chosen;
}

function showSource() {
  const form = $('#input-form');
  const source = form.elements.source.value;
  form.querySelectorAll('[data-source]').forEach((n) => { n.hidden = n.dataset.source !== source; });
}
$('#input-form').addEventListener('change', (event) => { if (event.target.name === 'source') showSource(); });

const INPUT_FIELDS = { 'supplier.name': 'supplier_name', 'supplier.address': 'supplier_address', supplier: 'supplier_name' };

onSubmit($('#input-form'), async (data) => {
  const form = $('#input-form');
  const body = formObject(data, ['code', 'material', 'unit', 'harvested', 'received']);
  const quantity = numberOrText(data.get('quantity').trim());
  if (quantity !== undefined) body.quantity = quantity;
  if (data.get('source') === 'supplier') {
    const supplier = formObject(data, ['supplier_name', 'supplier_address']);
    body.supplier = { name: supplier.supplier_name, address: supplier.supplier_address };
  } else if (data.get('area_id')) {
    body.area_id = Number(data.get('area_id'));
  }
  const saved = await api('/inputs', { method: 'POST', body });
  form.reset();
  form.elements.received.value = vietnamToday();
  showSource();
  await loadInputs();
  setStatus(form, `Đã thêm lô nguyên liệu ${saved.code}.`, 'ok');
}, INPUT_FIELDS);

/* ---------- the chain: one lot ---------- */

function closeLot() {
  state.lot = null;
  $('#lot-panel').hidden = true;
}

$('#lots').addEventListener('click', (event) => {
  const opener = event.target.closest('.open-lot');
  if (opener) openLot(Number(opener.closest('tr').dataset.lotId));
});

async function openLot(id) {
  state.lot = state.lots.find((l) => l.id === id);
  if (!state.lot) return;
  document.querySelectorAll('#lots tbody tr').forEach((tr) => {
    tr.classList.toggle('selected', Number(tr.dataset.lotId) === id);
  });
  $('#lot-panel-title').textContent = `Lô ${state.lot.code}: nguồn gốc, nhật ký, xuất hàng`;
  ['#lot-input-form', '#event-form', '#shipment-form', '#recall-form'].forEach((f) => clearErrors($(f)));
  $('#recall-form .confirm').hidden = true;
  $('#trace').replaceChildren();
  $('#trace-status').textContent = '';
  $('#trace-status').className = 'form-status';
  const eventForm = $('#event-form');
  if (!eventForm.elements.at.value) eventForm.elements.at.value = vietnamNow();
  eventForm.elements.at.max = vietnamNow();
  const shipmentForm = $('#shipment-form');
  if (!shipmentForm.elements.shipped.value) shipmentForm.elements.shipped.value = vietnamToday();
  shipmentForm.elements.shipped.max = vietnamToday();
  $('#lot-panel').hidden = false;
  await Promise.all([loadLotInputs(), loadJournal(), loadRecall()]);
  $('#lot-panel').scrollIntoView({ behavior: 'smooth', block: 'start' });
}

function lotInputItem(row) {
  if (row.input_id) {
    const input = state.inputs.find((i) => i.id === row.input_id);
    return el('li', { 'data-input-id': row.input_id },
      el('strong', {}, input ? input.code : `Lô nguyên liệu số ${row.input_id}`),
      input ? ` · ${input.material} · ${formatNumber(row.quantity)} ${input.unit}` : ` · ${formatNumber(row.quantity)}`);
  }
  const lot = state.lots.find((l) => l.id === row.source_lot_id);
  return el('li', { 'data-source-lot-id': row.source_lot_id },
    el('strong', {}, lot ? `Lô ${lot.code}` : `Lô số ${row.source_lot_id}`), ` · ${formatNumber(row.quantity)} đơn vị`);
}

async function loadLotInputs() {
  const { inputs } = await api(`/lots/${state.lot.id}/inputs`);
  $('#lot-inputs').replaceChildren(...inputs.map(lotInputItem));
  $('#lot-inputs-empty').hidden = inputs.length > 0;
}

function journalItem(event) {
  return el('li', { 'data-event-id': event.id, 'data-step': event.step },
    el('strong', {}, STEPS[event.step] || event.step), ` · ${formatDateTime(event.at)}`,
    event.place ? ` · ${event.place}` : '',
    event.note ? el('span', { class: 'trace-line' }, event.note) : null);
}

async function loadJournal() {
  const { events } = await api(`/lots/${state.lot.id}/events`);
  $('#journal').replaceChildren(...events.map(journalItem));
  $('#journal-empty').hidden = events.length > 0;
}

/* The lot's recall, from its trace: a notice, and no second recall. */
async function loadRecall() {
  const trace = await api(`/lots/${state.lot.id}/trace`);
  $('#lot-recall').replaceChildren(...(trace.recall ? [recallNotice(trace.recall)] : []));
  $('#recall-form').hidden = Boolean(trace.recall);
  return trace;
}

async function showTrace() {
  const trace = await loadRecall();
  $('#trace').replaceChildren(renderTrace(trace, 5));
}

/* After a change: the trace again if it is open. */
async function refreshTrace() {
  if ($('#trace').childElementCount) await showTrace();
}

$('#show-trace').addEventListener('click', async () => {
  const button = $('#show-trace');
  button.disabled = true;
  $('#trace-status').textContent = '';
  $('#trace-status').className = 'form-status';
  try {
    await showTrace();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    $('#trace-status').textContent = `Không tải được truy xuất: ${vietnamese(error.message) || error.message}`;
    $('#trace-status').className = 'form-status error';
  } finally {
    button.disabled = false;
  }
});

onSubmit($('#lot-input-form'), async (data) => {
  const form = $('#lot-input-form');
  const body = {};
  if (data.get('input_id')) body.input_id = Number(data.get('input_id'));
  const quantity = numberOrText(data.get('quantity').trim());
  if (quantity !== undefined) body.quantity = quantity;
  const saved = await api(`/lots/${state.lot.id}/inputs`, { method: 'POST', body });
  form.reset();
  await Promise.all([loadInputs(), loadLotInputs()]);
  await refreshTrace();
  const input = state.inputs.find((i) => i.id === saved.input_id);
  setStatus(form, `Đã ghi ${formatNumber(saved.quantity)} ${input?.unit ?? ''} ${input?.code ?? ''} cho lô ${state.lot.code}.`
    .replace(/\s+/g, ' '), 'ok');
});

onSubmit($('#event-form'), async (data) => {
  const form = $('#event-form');
  const body = formObject(data, ['step', 'place']);
  const at = withVietnamOffset(data.get('at'));
  if (at) body.at = at;
  const note = (data.get('note') || '').toString().trim().normalize('NFC');
  if (note) body.note = note;
  const saved = await api(`/lots/${state.lot.id}/events`, { method: 'POST', body });
  form.elements.place.value = '';
  form.elements.note.value = '';
  await loadJournal();
  setStatus(form, `Đã thêm bước “${STEPS[saved.step] || saved.step}” lúc ${formatDateTime(saved.at)}.`, 'ok');
});

const SHIPMENT_FIELDS = {
  'to.name': 'to_name', 'to.address': 'to_address', to: 'to_name',
  'lots[0].units': 'units', 'lots[0]': 'units', lots: 'units',
};

onSubmit($('#shipment-form'), async (data) => {
  const form = $('#shipment-form');
  const fields = formObject(data, ['to_name', 'to_address', 'shipped']);
  const line = { lot_id: state.lot.id };
  const units = numberOrText(data.get('units').trim());
  if (units !== undefined) line.units = units;
  const body = { to: { name: fields.to_name, address: fields.to_address }, lots: [line] };
  if (fields.shipped) body.shipped = fields.shipped;
  const saved = await api('/shipments', { method: 'POST', body });
  form.reset();
  form.elements.shipped.value = vietnamToday();
  await refreshTrace();
  const shipped = saved.lots?.reduce((n, l) => n + l.units, 0) ?? 0;
  setStatus(form, `Đã ghi xuất ${formatNumber(shipped)} đơn vị cho ${saved.to.name}.`, 'ok');
}, SHIPMENT_FIELDS);

onConfirmedSubmit($('#recall-form'), {
  describe: (data) => (requireFields($('#recall-form'), data, ['reason', 'action'])
    ? `Thu hồi lô ${state.lot.code} và mọi lô làm từ nó? Việc này không thể hoàn tác: lô sẽ không in tem, `
      + 'không cấp số seri được nữa và người tiêu dùng quét mã sẽ thấy thông báo thu hồi.'
    : null),
  work: async (data) => {
    const form = $('#recall-form');
    const body = formObject(data, ['reason', 'action']);
    const recall = await api(`/lots/${state.lot.id}/recall`, { method: 'POST', body });
    form.reset();
    await Promise.all([loadRecall(), loadInputs()]);
    await refreshTrace();
    const lots = recall.lots?.length ?? 0;
    $('#trace-status').textContent = `Đã thu hồi lô ${state.lot.code}${lots > 1 ? ` và ${formatNumber(lots - 1)} lô làm từ nó` : ''} (đợt thu hồi số ${recall.id}).`;
    $('#trace-status').className = 'form-status ok';
  },
});

$('#input-form').elements.received.value = vietnamToday();
$('#input-form').elements.received.max = vietnamToday();
$('#input-form').elements.harvested.max = vietnamToday();
loadAreas().then(loadInputs).catch((error) => {
  $('#inputs-empty').hidden = false;
  $('#inputs-empty').textContent = capitalise(`không tải được nguyên liệu: ${error.message}`);
});

loadProducts().catch((error) => {
  $('#products-empty').hidden = false;
  $('#products-empty').textContent = capitalise(`không tải được danh sách sản phẩm: ${error.message}`);
});
