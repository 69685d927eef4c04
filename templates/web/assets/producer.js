// ocoptrace: the producer's page. Lists the producer's products with their
// OCOP stars; registers and edits a product; for the opened product shows
// what the labelling law still needs, its lots, allocates serials, and
// previews and downloads a lot's label sheet.
'use strict';

import {
  api, onSubmit, setStatus, clearErrors, el, formObject, formatDate, formatNumber,
  starStatus, capitalise, vietnamese, GROUPS, FIELDS,
} from '/assets/app.js';

const PRODUCT_FIELDS = ['name', 'group', 'gtin', 'net_quantity', 'ingredients', 'origin', 'usage', 'storage', 'warnings', 'standard'];
const $ = (selector) => document.querySelector(selector);

const state = { products: [], product: null, lots: [], editing: null };

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
    el('td', { 'data-label': 'Số seri', class: 'number' }, formatNumber(lot.serials)));
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

loadProducts().catch((error) => {
  $('#products-empty').hidden = false;
  $('#products-empty').textContent = capitalise(`không tải được danh sách sản phẩm: ${error.message}`);
});
