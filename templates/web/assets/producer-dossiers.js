// ocoptrace: the producer's OCOP dossiers and notices. Lists the producer's
// dossiers; creates one for a product; fills the registration form; uploads
// evidence files as their raw bytes (the daemon checks their content);
// submits; when the commune returns a dossier, shows its reasons beside the
// fields they concern until it is corrected and submitted again; starts a
// renewal ("Đánh giá lại") from a decided dossier. Notices with their count.
'use strict';

import {
  api, onSubmit, requireFields, setStatus, clearErrors, showError, el, formatNumber, capitalise, ApiError,
} from '/assets/app.js';
import {
  STATES, FORM_FIELDS, FILE_KINDS, dossierRow, listDossiers, dossierSummary, fileItem, historyView, formatBytes,
  labelOf, loadNotices,
} from '/assets/dossier.js';

const $ = (selector) => document.querySelector(selector);
const state = { dossiers: [], dossier: null };
const EDITABLE = ['draft', 'returned'];
const REQUIRED = FORM_FIELDS.filter((f) => f.required).map((f) => f.name);
/* The API names a form field "form.phone"; the input is "phone". */
const FORM_ERRORS = Object.fromEntries(FORM_FIELDS.map((f) => [`form.${f.name}`, f.name]));

/* ---------- the registration form's inputs, made once ---------- */

function fieldInput(field) {
  const id = `dossier-${field.name}`;
  const attributes = { id, name: field.name, 'aria-describedby': `${id}-reason` };
  if (field.required) attributes.required = true;
  const input = field.long ? el('textarea', attributes) : el('input', { ...attributes, type: field.type || 'text' });
  return el('div', { class: 'field', 'data-field': field.name },
    el('label', { for: id }, field.label, field.required ? '' : el('span', { class: 'muted' }, ' (không bắt buộc)')),
    input,
    el('p', { class: 'return-reason', id: `${id}-reason`, role: 'note', hidden: true }),
    el('p', { class: 'field-error', 'data-error-for': field.name, role: 'alert' }));
}

$('#dossier-fields').append(el('div', { class: 'fields' }, ...FORM_FIELDS.map(fieldInput)));
$('#df-kind').replaceChildren(...Object.entries(FILE_KINDS).map(([value, name]) => el('option', { value }, name)));

/* ---------- the list ---------- */

async function loadDossiers() {
  state.dossiers = await listDossiers();
  $('#dossiers tbody').replaceChildren(...state.dossiers.map((d) => dossierRow(d)));
  $('#dossiers-empty').hidden = state.dossiers.length > 0;
}

async function loadProducts() {
  const { products } = await api('/products');
  $('#dn-product').replaceChildren(el('option', { value: '' }, products.length ? '— Chọn sản phẩm —' : '— Chưa có sản phẩm —'),
    ...products.map((p) => el('option', { value: p.id, 'data-group': p.group }, p.name)));
}

/* The sheets of the chosen product's group: the complete ones to pick from
 * (the only one chosen already), the incomplete ones shown but disabled,
 * saying what they lack. */
async function loadSheets() {
  const select = $('#dn-sheet');
  const group = $('#dn-product').selectedOptions[0]?.dataset.group;
  if (!group) {
    select.replaceChildren(el('option', { value: '' }, '— Chọn sản phẩm trước —'));
    select.disabled = true;
    return;
  }
  const { sheets } = await api(`/criteria?group=${encodeURIComponent(group)}`);
  const usable = sheets.filter((s) => s.complete);
  const option = (s) => el('option', { value: s.id, disabled: !s.complete, title: s.missing || '' },
    s.complete ? s.subgroup : `${s.subgroup} (chưa dùng được: thiếu điểm trong văn bản)`);
  select.replaceChildren(
    ...(usable.length === 1 ? [] : [el('option', { value: '' }, usable.length ? '— Chọn bộ tiêu chí —' : '— Chưa có bộ tiêu chí —')]),
    ...usable.map(option), ...sheets.filter((s) => !s.complete).map(option));
  select.disabled = usable.length === 0;
}

$('#dn-product').addEventListener('change', () => loadSheets().catch((error) => showError($('#dossier-new-form'), error)));

$('#dossiers').addEventListener('click', (event) => {
  const opener = event.target.closest('.open-dossier');
  if (opener) openDossier(Number(opener.closest('tr').dataset.dossierId));
});

onSubmit($('#dossier-new-form'), async (data) => {
  const form = $('#dossier-new-form');
  if (!requireFields(form, data, ['product_id', 'sheet'])) return;
  const dossier = await api('/dossiers', {
    method: 'POST', body: { product_id: Number(data.get('product_id')), sheet: data.get('sheet') },
  });
  await loadDossiers();
  setStatus(form, `Đã tạo hồ sơ số ${dossier.id}.`, 'ok');
  await openDossier(dossier.id);
});

/* ---------- one dossier ---------- */

function showReasons(dossier) {
  const reasons = dossier.state === 'returned' ? dossier.returns || {} : {};
  for (const field of FORM_FIELDS) {
    const note = $(`#dossier-${field.name}-reason`);
    note.hidden = !reasons[field.name];
    note.replaceChildren(...(reasons[field.name] ? [el('strong', {}, 'Xã yêu cầu sửa: '), reasons[field.name]] : []));
  }
  const files = $('#dossier-files-reason');
  files.hidden = !reasons.files;
  files.replaceChildren(...(reasons.files ? [el('strong', {}, 'Xã yêu cầu sửa: '), reasons.files] : []));
  const box = $('#dossier-returned');
  box.hidden = dossier.state !== 'returned';
  box.replaceChildren(el('strong', {}, 'Hồ sơ bị trả lại. '),
    `Ủy ban nhân dân cấp xã yêu cầu sửa ${formatNumber(Object.keys(reasons).length)} mục: `,
    Object.keys(reasons).map(labelOf).join(', '), '. Hãy sửa rồi nộp lại.',
    ...(reasons.product ? [el('span', { class: 'trace-line' }, `Sản phẩm: ${reasons.product}`)] : []));
}

function removeButton(file) {
  const button = el('button', { type: 'button', class: 'secondary remove-file', 'aria-label': `Xóa tệp ${file.name}` }, 'Xóa');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await api(`/dossier-files/${file.id}`, { method: 'DELETE' });
      await openDossier(state.dossier.id, false);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showError($('#file-form'), error);
      button.disabled = false;
    }
  });
  return button;
}

/* `fresh`: a dossier just opened, whose stored form replaces what was typed;
   otherwise (after an upload) the typed form stays as it is. */
function render(dossier, fresh) {
  const editable = EDITABLE.includes(dossier.state);
  $('#dossier-title').textContent = `Hồ sơ số ${dossier.id}: ${dossier.product?.name || ''} (${STATES[dossier.state] || dossier.state})`;
  $('#dossier-summary').replaceChildren(dossierSummary(dossier));
  const form = $('#dossier-form');
  if (fresh || !editable) for (const field of FORM_FIELDS) form.elements[field.name].value = dossier.form?.[field.name] ?? '';
  $('#dossier-fields').disabled = !editable;
  form.querySelector('.actions').hidden = !editable;
  showReasons(dossier);
  $('#dossier-files').replaceChildren(...(dossier.files || []).map((f) => fileItem(f, editable ? removeButton(f) : null)));
  $('#file-form').hidden = !editable;
  $('#dossier-history').replaceChildren(historyView(dossier));
  $('#renew-form').hidden = !['recognised', 'not_recognised'].includes(dossier.state);
}

async function openDossier(id, scroll = true) {
  const dossier = await api(`/dossiers/${id}`);
  const fresh = scroll || state.dossier?.id !== id;
  state.dossier = dossier;
  document.querySelectorAll('#dossiers tbody tr').forEach((tr) => {
    tr.classList.toggle('selected', Number(tr.dataset.dossierId) === id);
  });
  if (scroll) ['#dossier-form', '#file-form', '#renew-form'].forEach((f) => clearErrors($(f)));
  render(dossier, fresh);
  $('#dossier-panel').hidden = false;
  if (scroll) {
    $('#dossier-panel').scrollIntoView({ behavior: 'smooth', block: 'start' });
    $('#dossier-title').focus({ preventScroll: true });
  }
}

/* The typed form, every field (an emptied field is sent empty, so it is cleared). */
function typedForm(data) {
  return Object.fromEntries(FORM_FIELDS.map((f) => [f.name, (data.get(f.name) ?? '').toString().trim().normalize('NFC')]));
}

async function save(data) {
  return api(`/dossiers/${state.dossier.id}`, { method: 'PATCH', body: { form: typedForm(data) } });
}

onSubmit($('#dossier-form'), async (data) => {
  await save(data);
  await openDossier(state.dossier.id, false);
  setStatus($('#dossier-form'), 'Đã lưu phiếu đăng ký.', 'ok');
}, FORM_ERRORS);

/* Submitting saves the form first, then asks the commune to receive it. */
$('#dossier-submit').addEventListener('click', async () => {
  const form = $('#dossier-form');
  const button = $('#dossier-submit');
  clearErrors(form);
  const data = new FormData(form);
  if (!requireFields(form, data, REQUIRED)) return;
  if (!(state.dossier.files || []).length) {
    form.querySelector('[data-error-for=files]').textContent = 'Hãy đính kèm ít nhất một tệp minh chứng.';
    setStatus(form, 'Chưa nộp: hồ sơ chưa có tệp minh chứng.', 'error');
    return;
  }
  button.disabled = true;
  try {
    await save(data);
    await api(`/dossiers/${state.dossier.id}/submit`, { method: 'POST', body: {} });
    await Promise.all([loadDossiers(), openDossier(state.dossier.id, false)]);
    setStatus($('#dossier-new-form'), '');
    $('#dossier-title').focus();
    $('#dossier-summary').prepend(el('p', { class: 'form-status ok', role: 'status' },
      'Đã nộp hồ sơ. Ủy ban nhân dân cấp xã sẽ tiếp nhận và kiểm tra.'));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    showError(form, error, FORM_ERRORS);
  } finally {
    button.disabled = false;
  }
});

/* ---------- files ---------- */

onSubmit($('#file-form'), async (data) => {
  const form = $('#file-form');
  const files = data.getAll('file').filter((f) => f instanceof File && f.size > 0);
  if (!files.length) {
    form.querySelector('[data-error-for=file]').textContent = 'Hãy chọn tệp.';
    form.elements.file.setAttribute('aria-invalid', 'true');
    form.elements.file.focus();
    return;
  }
  const kind = data.get('kind') || 'other';
  const saved = [];
  try {
    for (const file of files) {
      const query = `name=${encodeURIComponent(file.name.normalize('NFC'))}&kind=${encodeURIComponent(kind)}`;
      saved.push(await api(`/dossiers/${state.dossier.id}/files?${query}`, { method: 'POST', raw: file }));
    }
  } catch (error) {
    if (error instanceof ApiError && !form.querySelector(`[data-error-for="${CSS.escape(error.field)}"]`)) {
      error.field = 'file';
      error.message = `${files[saved.length].name}: ${error.message}`;
    }
    throw error;
  } finally {
    if (saved.length) await openDossier(state.dossier.id, false);
  }
  form.reset();
  setStatus(form, `Đã tải lên ${saved.map((f) => `${f.name} (${formatBytes(f.bytes)})`).join(', ')}.`, 'ok');
}, { body: 'file', name: 'file', bytes: 'file', content: 'file' });

/* ---------- renewal ---------- */

onSubmit($('#renew-form'), async () => {
  const previous = state.dossier;
  const dossier = await api('/dossiers', { method: 'POST', body: { product_id: previous.product_id, renews: previous.id } });
  await loadDossiers();
  await openDossier(dossier.id);
  setStatus($('#dossier-form'), `Đã tạo hồ sơ đánh giá lại số ${dossier.id} từ hồ sơ số ${previous.id}.`, 'ok');
});

/* ---------- start ---------- */

function failed(node, what) {
  return (error) => {
    node.hidden = false;
    node.textContent = capitalise(`không tải được ${what}: ${error.message}`);
  };
}

loadNotices($('#notices'), $('#notices-count')).catch((error) => {
  $('#notices').replaceChildren(el('li', { class: 'form-error' }, capitalise(`không tải được thông báo: ${error.message}`)));
});
loadProducts().catch(failed($('#dossiers-empty'), 'danh sách sản phẩm'));
loadDossiers().catch(failed($('#dossiers-empty'), 'hồ sơ'));
