// ocoptrace: the council member's page. The dossiers in scoring; for one,
// the criteria sheet of its product group, grouped by part and section,
// each criterion's options as radio buttons with their points, the parts'
// totals and the total as one chooses; "Gửi phiếu chấm" once every
// criterion is chosen (the page names those that are not). After sending:
// the member's own sheet read-only and the other members' sheets. The
// chair sees how many members have sent theirs against the quorum, closes
// the scoring when it is met, and then the score and stars.
'use strict';

import { api, onSubmit, setStatus, el, formatNumber, capitalise, session } from '/assets/app.js';
import { dossierRow, listDossiers, dossierSummary, starsOf, formatAt } from '/assets/dossier.js';

const $ = (selector) => document.querySelector(selector);
const state = { id: null, sheet: null, answer: null, criteria: [] };

/* ---------- the list ---------- */

async function loadDossiers() {
  const [scoring, scored] = await Promise.all([listDossiers('state=scoring'), listDossiers('state=scored')]);
  const dossiers = [...scoring, ...scored];
  $('#dossiers tbody').replaceChildren(...dossiers.map((d) => dossierRow(d, d.state === 'scoring' ? 'Chấm điểm' : 'Xem')));
  $('#dossiers-empty').hidden = dossiers.length > 0;
}

$('#dossiers').addEventListener('click', (event) => {
  const opener = event.target.closest('.open-dossier');
  if (opener) openDossier(Number(opener.closest('tr').dataset.dossierId));
});

/* ---------- the sheet ---------- */

const points = (n) => `${formatNumber(n)} điểm`;

function criterionFieldset(criterion) {
  const name = `c-${criterion.id}`;
  return el('fieldset', { class: 'criterion', 'data-criterion': criterion.id, 'data-part': criterion.part },
    el('legend', {}, el('strong', {}, `${criterion.id}. `), criterion.text,
      el('span', { class: 'muted' }, ` (tối đa ${points(criterion.max)})`)),
    criterion.basis ? el('p', { class: 'hint' }, criterion.basis) : null,
    el('div', { class: 'options' },
      ...criterion.options.map((option, i) => el('label', { class: 'choice' },
        el('input', { type: 'radio', name, value: String(option.points), 'data-option': i, required: true }),
        el('span', {}, option.text, ' ', el('strong', { class: 'points' }, `(${points(option.points)})`),
          ...(option.minimum_for ? [' ', el('span', { class: 'badge minimum' }, `tối thiểu cho ${option.minimum_for} sao`)] : []))))));
}

function partBlock(part) {
  const block = el('section', { class: 'sheet-part', 'data-part': part.part, 'aria-labelledby': `part-${part.part}-title` },
    el('h4', { id: `part-${part.part}-title` }, `Phần ${part.part}: ${part.title} `,
      el('span', { class: 'part-score' }, el('output', { id: `part-${part.part}-total` }, '0'), `/${part.max}`)));
  const sections = part.sections?.length ? part.sections : [...new Set(part.criteria.map((c) => c.section))];
  for (const section of sections) {
    const criteria = part.criteria.filter((c) => c.section === section);
    if (!criteria.length) continue;
    block.append(el('h5', { class: 'sheet-section' }, section), ...criteria.map((c) => criterionFieldset({ ...c, part: part.part })));
  }
  return block;
}

function renderSheet(sheet) {
  state.sheet = sheet;
  state.criteria = sheet.parts.flatMap((p) => p.criteria.map((c) => ({ ...c, part: p.part })));
  $('#sheet-title').textContent = `${sheet.title}${sheet.legal_basis ? ` · Căn cứ: ${sheet.legal_basis}` : ''}`;
  $('#sheet-parts').replaceChildren(...sheet.parts.map(partBlock));
}

/* The chosen points: { A1: 3, ... }, the unanswered left out. */
function chosen() {
  const form = $('#score-form');
  const scores = {};
  for (const c of state.criteria) {
    const input = form.querySelector(`input[name="c-${CSS.escape(c.id)}"]:checked`);
    if (input) scores[c.id] = Number(input.value);
  }
  return scores;
}

function updateTotals() {
  const scores = chosen();
  let total = 0;
  const parts = state.sheet.parts.map((part) => {
    const sum = part.criteria.reduce((n, c) => n + (scores[c.id] ?? 0), 0);
    total += sum;
    $(`#part-${part.part}-total`).value = String(sum);
    return `${part.part}: ${sum}/${part.max}`;
  });
  $('#part-totals').textContent = parts.join(' · ');
  $('#sheet-total').value = String(total);
  $('#sheet-stars').value = String(starsOf(total));
}

$('#score-form').addEventListener('change', (event) => {
  const fieldset = event.target.closest('fieldset.criterion');
  fieldset?.removeAttribute('aria-invalid');
  fieldset?.classList.remove('missing');
  updateTotals();
});

/* Shows the member's own sheet as sent, and no way to change it. */
function showMine(mine) {
  for (const [id, value] of Object.entries(mine.scores || {})) {
    const input = $('#score-form').querySelector(`input[name="c-${CSS.escape(id)}"][value="${value}"]`);
    if (input) input.checked = true;
  }
  $('#score-form').querySelectorAll('input').forEach((i) => { i.disabled = true; });
  $('#send-sheet').hidden = true;
  $('#mine-status').hidden = false;
  $('#mine-status').textContent = `Đã gửi phiếu lúc ${formatAt(mine.submitted_at)}: tổng ${mine.total}/100.`;
  updateTotals();
}

/* ---------- the members' sheets ---------- */

function sheetsOf(answer) {
  return Array.isArray(answer) ? answer : answer.sheets || answer.members || [];
}

function renderMembers(sheets) {
  const head = el('tr', {}, el('th', { scope: 'col' }, 'Tiêu chí'),
    ...sheets.map((s) => el('th', { scope: 'col', class: 'number' }, s.member?.name || s.name || `Thành viên ${s.member_id}`)));
  const rows = state.criteria.map((c) => el('tr', { 'data-criterion': c.id }, el('th', { scope: 'row' }, c.id),
    ...sheets.map((s) => el('td', { class: 'number' }, String(s.scores?.[c.id] ?? '—')))));
  const totals = ['a', 'b', 'c', 'total'].map((key) => el('tr', { class: 'total-row' },
    el('th', { scope: 'row' }, key === 'total' ? 'Tổng' : `Phần ${key.toUpperCase()}`),
    ...sheets.map((s) => el('td', { class: 'number' }, String(s[key] ?? '—')))));
  $('#member-sheets').replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows, ...totals));
}

async function loadMembers() {
  const answer = await api(`/dossiers/${state.id}/scores`);
  renderMembers(sheetsOf(answer));
  $('#others').hidden = false;
  $('#others-locked').hidden = true;
}

/* ---------- the chair ---------- */

function renderChair(answer) {
  const { members_submitted: sent, quorum } = answer;
  $('#chair-panel').hidden = !answer.chair;
  if (!answer.chair) return;
  const scoring = answer.dossier?.state === 'scoring';
  $('#quorum-status').textContent = `Đã có ${formatNumber(sent)} thành viên gửi phiếu; cần tối thiểu ${formatNumber(quorum)}.`
    + (scoring ? (sent >= quorum ? ' Đã đủ để kết thúc chấm điểm.' : ' Chưa đủ để kết thúc chấm điểm.') : '');
  $('#quorum-status').dataset.sent = String(sent);
  $('#quorum-status').dataset.quorum = String(quorum);
  $('#close-form').hidden = !scoring;
  $('#close-scoring').disabled = sent < quorum;
}

onSubmit($('#close-form'), async () => {
  await api(`/dossiers/${state.id}/close`, { method: 'POST', body: {} });
  await openDossier(state.id, false);
  await loadDossiers();
});

/* ---------- one dossier ---------- */

async function openDossier(id, scroll = true) {
  state.id = id;
  const answer = await api(`/dossiers/${id}/sheet`);
  state.answer = answer;
  const dossier = await api(`/dossiers/${id}`).catch(() => ({ ...answer.dossier, id }));
  document.querySelectorAll('#dossiers tbody tr').forEach((tr) => {
    tr.classList.toggle('selected', Number(tr.dataset.dossierId) === id);
  });
  $('#scoring-title').textContent = `Chấm điểm hồ sơ số ${id}: ${dossier.product?.name || ''}`;
  $('#scoring-summary').replaceChildren(dossierSummary(dossier));
  renderSheet(answer.sheet);
  setStatus($('#score-form'), '');
  $('#missing').hidden = true;
  $('#mine-status').hidden = true;
  $('#send-sheet').hidden = false;
  $('#others').hidden = true;
  $('#others-locked').hidden = false;
  const open = dossier.state === 'scoring' || answer.dossier?.state === 'scoring';
  if (answer.mine) {
    showMine(answer.mine);
    await loadMembers();
  } else if (!open) {
    $('#score-form').querySelectorAll('input').forEach((i) => { i.disabled = true; });
    $('#send-sheet').hidden = true;
  }
  updateTotals();
  renderChair(answer);
  $('#scoring-panel').hidden = false;
  if (scroll) {
    $('#scoring-panel').scrollIntoView({ behavior: 'smooth', block: 'start' });
    $('#scoring-title').focus({ preventScroll: true });
  }
}

onSubmit($('#score-form'), async () => {
  const scores = chosen();
  const missing = state.criteria.filter((c) => scores[c.id] === undefined);
  document.querySelectorAll('fieldset.criterion').forEach((f) => {
    f.classList.remove('missing');
    f.removeAttribute('aria-invalid');
  });
  if (missing.length) {
    for (const c of missing) {
      const fieldset = $(`fieldset.criterion[data-criterion="${CSS.escape(c.id)}"]`);
      fieldset.classList.add('missing');
      fieldset.setAttribute('aria-invalid', 'true');
    }
    const box = $('#missing');
    box.hidden = false;
    box.replaceChildren(`Chưa gửi: còn ${formatNumber(missing.length)} tiêu chí chưa chấm: `,
      ...missing.flatMap((c, i) => [i ? ', ' : '', el('button', { type: 'button', class: 'link-button', 'data-missing': c.id }, c.id)]), '.');
    box.querySelectorAll('[data-missing]').forEach((b) => b.addEventListener('click', () => {
      $(`input[name="c-${CSS.escape(b.dataset.missing)}"]`).focus();
    }));
    $(`input[name="c-${CSS.escape(missing[0].id)}"]`).focus();
    return;
  }
  $('#missing').hidden = true;
  await api(`/dossiers/${state.id}/scores`, { method: 'POST', body: { scores } });
  await openDossier(state.id, false);
  setStatus($('#score-form'), 'Đã gửi phiếu chấm.', 'ok');
});

/* /council#dossier-12 opens dossier 12. */
function openFromHash() {
  const m = /^#dossier-(\d+)$/.exec(location.hash);
  if (m) openDossier(Number(m[1])).catch(showFailure);
}

function showFailure(error) {
  $('#dossiers-empty').hidden = false;
  $('#dossiers-empty').textContent = capitalise(`không tải được hồ sơ: ${error.message}`);
}

window.addEventListener('hashchange', openFromHash);
session().then(() => loadDossiers()).then(openFromHash).catch(showFailure);
