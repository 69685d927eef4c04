// ocoptrace: the commune's page. The dossiers producers have submitted; one
// opened with its registration form, its files (download links) and its
// history; returned to the producer with a reason for each field to correct
// (at least one), or confirmed valid ("checked") for the council.
'use strict';

import { api, onSubmit, setStatus, clearErrors, el, capitalise } from '/assets/app.js';
import {
  RETURN_FIELDS, dossierRow, listDossiers, showDossier, onOpenDossier,
} from '/assets/dossier.js';

const $ = (selector) => document.querySelector(selector);
const state = { dossier: null };

function reasonField({ name, label }) {
  const id = `reason-${name}`;
  return el('div', { class: 'field' },
    el('label', { for: id }, label),
    el('textarea', { id, name, rows: 2 }),
    el('p', { class: 'field-error', 'data-error-for': name, role: 'alert' }));
}

$('#return-fields').append(el('div', { class: 'fields' }, ...RETURN_FIELDS.map(reasonField)));

async function loadDossiers() {
  const dossiers = await listDossiers('state=submitted');
  $('#dossiers tbody').replaceChildren(...dossiers.map((d) => dossierRow(d)));
  $('#dossiers-empty').hidden = dossiers.length > 0;
}

onOpenDossier(openDossier);

async function openDossier(id) {
  const dossier = await api(`/dossiers/${id}`);
  state.dossier = dossier;
  showDossier(dossier);
  ['#check-form', '#return-form'].forEach((f) => { clearErrors($(f)); $(f).reset(); });
  $('#dossier-actions').hidden = dossier.state !== 'submitted';
  $('#dossier-panel').hidden = false;
  $('#dossier-panel').scrollIntoView({ behavior: 'smooth', block: 'start' });
  $('#dossier-title').focus({ preventScroll: true });
}

/* After acting: the list again, the panel closed, what was done said. */
async function done(text) {
  $('#dossier-panel').hidden = true;
  await loadDossiers();
  $('#dossiers-status').textContent = text;
  $('#dossiers-status').className = 'form-status ok';
}

onSubmit($('#check-form'), async (data) => {
  const note = (data.get('note') || '').toString().trim().normalize('NFC');
  const dossier = await api(`/dossiers/${state.dossier.id}/check`, { method: 'POST', body: note ? { note } : {} });
  await done(`Đã xác nhận hồ sơ số ${dossier.id ?? state.dossier.id} hợp lệ.`);
});

/* "reasons.phone" is the phone's textarea. */
const REASON_ERRORS = Object.fromEntries(RETURN_FIELDS.map((f) => [`reasons.${f.name}`, f.name]));

onSubmit($('#return-form'), async (data) => {
  const form = $('#return-form');
  const reasons = {};
  for (const { name } of RETURN_FIELDS) {
    const reason = (data.get(name) || '').toString().trim().normalize('NFC');
    if (reason) reasons[name] = reason;
  }
  if (!Object.keys(reasons).length) {
    form.querySelector('[data-error-for=reasons]').textContent = 'Hãy ghi lý do cho ít nhất một mục cần sửa.';
    setStatus(form, 'Chưa trả lại: chưa có lý do nào.', 'error');
    form.elements[RETURN_FIELDS[0].name].focus();
    return;
  }
  await api(`/dossiers/${state.dossier.id}/return`, { method: 'POST', body: { reasons } });
  await done(`Đã trả lại hồ sơ số ${state.dossier.id} cho chủ thể (${Object.keys(reasons).length} mục cần sửa).`);
}, REASON_ERRORS);

loadDossiers().catch((error) => {
  $('#dossiers-empty').hidden = false;
  $('#dossiers-empty').textContent = capitalise(`không tải được hồ sơ: ${error.message}`);
});
