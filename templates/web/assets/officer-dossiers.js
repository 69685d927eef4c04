// ocoptrace: the officer's side of OCOP dossiers. Dossiers by state; one
// opened with its form, files and history; "Mở chấm điểm" for a checked
// dossier; for a scored one, the decision (the same fields as an
// evaluation typed by hand, see decision.js), after which the certificate's
// PDF and the public summary are linked. Also the officer's notices.
'use strict';

import { api, onSubmit, setStatus, clearErrors, el, formatNumber, capitalise, session } from '/assets/app.js';
import {
  STATES, dossierRow, listDossiers, showDossier, onOpenDossier, loadNotices,
} from '/assets/dossier.js';
import { DECISION_ERRORS, addDecisionFields, decisionBody } from '/assets/decision.js';

const $ = (selector) => document.querySelector(selector);
const state = { dossier: null, officer: false };
const decisionForm = $('#dossier-decision-form');
const decision = addDecisionFields(decisionForm, 'dd');

async function loadDossiers() {
  const chosen = $('#df-state').value;
  const dossiers = await listDossiers(chosen ? `state=${encodeURIComponent(chosen)}` : '');
  $('#dossiers tbody').replaceChildren(...dossiers.map((d) => dossierRow(d)));
  $('#dossiers-count').textContent = `${formatNumber(dossiers.length)} hồ sơ${chosen ? ` ${STATES[chosen]}` : ''}.`;
}

$('#dossier-filter').addEventListener('change', () => loadDossiers().catch(showFailure));
$('#dossier-filter').addEventListener('submit', (event) => event.preventDefault());
onOpenDossier((id) => openDossier(id).catch(showFailure));

async function openDossier(id, scroll = true) {
  const dossier = await api(`/dossiers/${id}`);
  state.dossier = dossier;
  showDossier(dossier);
  if (scroll) ['#scoring-form', '#dossier-decision-form'].forEach((f) => clearErrors($(f)));
  $('#scoring-form').hidden = !state.officer || dossier.state !== 'checked';
  decisionForm.hidden = !state.officer || dossier.state !== 'scored';
  if (dossier.state === 'scored' && dossier.score) {
    decision.followStars(dossier.score.stars);
    $('#dossier-decision-hint').textContent = `Hội đồng chấm ${dossier.score.total}/100 điểm: ${dossier.score.stars} sao. `
      + (dossier.score.stars >= 3 ? 'Ghi quyết định để cấp giấy chứng nhận.' : 'Dưới 3 sao: sản phẩm không được công nhận, không cấp giấy chứng nhận.');
  }
  $('#dossier-panel').hidden = false;
  if (scroll) {
    $('#dossier-panel').scrollIntoView({ behavior: 'smooth', block: 'start' });
    $('#dossier-title').focus({ preventScroll: true });
  }
}

onSubmit($('#scoring-form'), async () => {
  await api(`/dossiers/${state.dossier.id}/scoring`, { method: 'POST', body: {} });
  await openDossier(state.dossier.id, false);
  await loadDossiers();
  $('#dossier-summary').prepend(el('p', { class: 'form-status ok', role: 'status' }, 'Đã mở chấm điểm: Hội đồng có thể chấm hồ sơ này.'));
});

onSubmit(decisionForm, async (data) => {
  const body = decisionBody(data);
  if (state.dossier.score && state.dossier.score.stars < 3) delete body.number;
  await api(`/dossiers/${state.dossier.id}/decision`, { method: 'POST', body });
  await openDossier(state.dossier.id, false);
  await loadDossiers();
  const { certificate } = state.dossier;
  $('#dossier-summary').prepend(el('p', { class: 'form-status ok', role: 'status', id: 'dossier-decided' },
    certificate ? `Đã ghi quyết định và cấp giấy chứng nhận số ${certificate.number}.` : 'Đã ghi quyết định: sản phẩm không được công nhận.'));
}, DECISION_ERRORS);

function showFailure(error) {
  setStatus($('#dossier-filter'), capitalise(`không tải được hồ sơ: ${error.message}`), 'error');
}

async function start() {
  const { user } = await session();
  state.officer = user?.role === 'officer';
  await loadDossiers();
}

start().catch(showFailure);
loadNotices($('#notices'), $('#notices-count')).catch((error) => {
  $('#notices').replaceChildren(el('li', { class: 'form-error' }, capitalise(`không tải được thông báo: ${error.message}`)));
});
