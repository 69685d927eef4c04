// ocoptrace web pages: what every page showing OCOP dossiers (hồ sơ) shares.
// The states and the registration form's fields in Vietnamese, a dossier's
// row in a list, its form read back (with the commune's reasons beside the
// fields they concern), its evidence files with their size and SHA-256,
// its history, its score, and the notices ("Thông báo") panel.
'use strict';

import { api, el, formatDateTime, formatNumber, GROUPS, ROLES } from '/assets/app.js';

const VIETNAM_MS = 7 * 3600 * 1000;

/* The store's UTC times ("2025-03-01T01:00:00Z") read in Vietnam's time:
   "08:00 01/03/2025". */
export function formatAt(iso) {
  const ms = /Z$/.test(iso || '') ? Date.parse(iso) : NaN;
  return Number.isNaN(ms) ? formatDateTime(iso) : formatDateTime(new Date(ms + VIETNAM_MS).toISOString());
}

export const STATES = {
  draft: 'nháp', submitted: 'đã nộp', checked: 'đã kiểm tra', returned: 'trả lại',
  scoring: 'đang chấm điểm', scored: 'đã chấm điểm', recognised: 'được công nhận',
  not_recognised: 'không được công nhận',
};

/* The registration form, in the order a producer fills it. */
export const FORM_FIELDS = [
  { name: 'representative', label: 'Người đại diện', required: true },
  { name: 'phone', label: 'Số điện thoại', required: true, type: 'tel' },
  { name: 'email', label: 'Thư điện tử', type: 'email' },
  { name: 'address', label: 'Địa chỉ', required: true },
  { name: 'description', label: 'Mô tả sản phẩm (là gì, làm thế nào)', required: true, long: true },
  { name: 'raw_materials', label: 'Nguồn nguyên liệu', required: true, long: true },
  { name: 'production_capacity', label: 'Năng lực sản xuất', required: true },
  { name: 'markets', label: 'Thị trường tiêu thụ', required: true, long: true },
  { name: 'story', label: 'Câu chuyện sản phẩm', long: true },
  { name: 'standards', label: 'Tiêu chuẩn công bố (TCCS, QCVN)' },
];

export const FILE_KINDS = {
  registration: 'Phiếu đăng ký', plan: 'Phương án, kế hoạch kinh doanh', license: 'Giấy phép, đăng ký kinh doanh',
  quality: 'Phiếu kiểm nghiệm, công bố chất lượng', photo: 'Ảnh sản phẩm', other: 'Khác',
};

/* What the commune may give a reason for: each form field, the files, the product. */
export const RETURN_FIELDS = [
  ...FORM_FIELDS.map(({ name, label }) => ({ name, label })),
  { name: 'files', label: 'Tệp minh chứng' },
  { name: 'product', label: 'Sản phẩm' },
];

export const labelOf = (field) => RETURN_FIELDS.find((f) => f.name === field)?.label || field;

/* Dossiers' state names never start a sentence: capitalised for badges. */
export function stateBadge(state) {
  const name = STATES[state] || state;
  return el('span', { class: `badge badge-dossier-${state}`, 'data-state': state },
    name.charAt(0).toUpperCase() + name.slice(1));
}

export function formatBytes(bytes) {
  if (bytes < 1024) return `${formatNumber(bytes)} B`;
  if (bytes < 1024 * 1024) return `${formatNumber(Math.round(bytes / 102.4) / 10)} KB`;
  return `${formatNumber(Math.round(bytes / 104857.6) / 10)} MB`;
}

/* A list's row: number, product, producer, state, last change, and an opening button. */
export function dossierRow(dossier, opener = 'Mở hồ sơ') {
  return el('tr', { 'data-dossier-id': dossier.id, 'data-state': dossier.state },
    el('td', { 'data-label': 'Hồ sơ' }, `Số ${dossier.id}`),
    el('td', { 'data-label': 'Sản phẩm' }, dossier.product?.name || `Sản phẩm số ${dossier.product_id}`,
      dossier.product?.group ? el('span', { class: 'muted' }, ` · ${GROUPS[dossier.product.group] || dossier.product.group}`) : null),
    el('td', { 'data-label': 'Chủ thể' }, dossier.producer?.name || '—'),
    el('td', { 'data-label': 'Trạng thái' }, stateBadge(dossier.state)),
    el('td', { 'data-label': 'Cập nhật' }, formatAt(dossier.updated_at)),
    el('td', { 'data-label': '' }, el('button', {
      type: 'button', class: 'open-dossier secondary', 'aria-label': `${opener} số ${dossier.id}`,
    }, opener)));
}

/* GET /dossiers, whatever the list is wrapped in. */
export async function listDossiers(query = '') {
  const answer = await api(`/dossiers${query ? `?${query}` : ''}`);
  return Array.isArray(answer) ? answer : answer.dossiers || [];
}

/* The commune's reason for FIELD, beside it. */
function reasonNote(reason) {
  return reason ? el('p', { class: 'return-reason', role: 'note' }, el('strong', {}, 'Xã yêu cầu sửa: '), reason) : null;
}

/* The form read back as a definition list; `reasons` of a return beside their fields. */
export function formView(dossier, reasons = {}) {
  const form = dossier.form || {};
  const list = el('dl', { class: 'dossier-form' });
  for (const field of FORM_FIELDS) {
    list.append(el('dt', {}, field.label),
      el('dd', { 'data-field': field.name }, form[field.name] ? String(form[field.name]) : el('span', { class: 'muted' }, '(chưa điền)'),
        reasonNote(reasons[field.name])));
  }
  return list;
}

export function fileLink(file) {
  return el('a', { href: `/api/v1/dossier-files/${file.id}`, download: file.name, class: 'file-name' }, file.name);
}

/* A file: its name (a download link), kind, size and SHA-256; `extra` after. */
export function fileItem(file, extra = null) {
  return el('li', { 'data-file-id': file.id, 'data-sha256': file.sha256 },
    fileLink(file),
    el('span', { class: 'muted' }, ` · ${FILE_KINDS[file.kind] || file.kind} · `,
      el('span', { class: 'file-size' }, formatBytes(file.bytes))),
    el('span', { class: 'trace-line' }, 'SHA-256: ', el('code', { class: 'sha256' }, file.sha256)),
    extra);
}

export function filesView(dossier) {
  const files = dossier.files || [];
  return files.length
    ? el('ul', { class: 'plain-list dossier-files' }, ...files.map((f) => fileItem(f)))
    : el('p', { class: 'muted' }, 'Chưa có tệp nào.');
}

/* Who moved the dossier, when, and why (a return's reasons field by field). */
export function historyView(dossier) {
  const items = (dossier.history || []).map((h) => el('li', { 'data-to': h.to },
    el('strong', {}, h.from ? `${STATES[h.from] || h.from} → ${STATES[h.to] || h.to}` : STATES[h.to] || h.to),
    ` · ${formatAt(h.at)}`, h.by ? ` · ${h.by.name} (${ROLES[h.by.role] || h.by.role})` : '',
    h.note ? el('span', { class: 'trace-line' }, h.note) : null,
    h.reasons && Object.keys(h.reasons).length
      ? el('ul', { class: 'reasons' }, ...Object.entries(h.reasons).map(([f, r]) => el('li', {}, `${labelOf(f)}: ${r}`)))
      : null));
  return items.length ? el('ol', { class: 'plain-list dossier-history' }, ...items) : el('p', { class: 'muted' }, 'Chưa có.');
}

/* The council's result: the parts, the total, the mean and the stars. */
export function scoreView(score, members) {
  if (!score) return null;
  return el('p', { class: 'score-board dossier-score' },
    el('span', {}, `A: ${score.a}`), el('span', {}, `B: ${score.b}`), el('span', {}, `C: ${score.c}`),
    el('span', {}, 'Tổng: ', el('strong', { class: 'score-total' }, String(score.total)), '/100'),
    score.mean ? el('span', { class: 'muted' }, `Trung bình các phiếu: ${String(score.mean).replace('.', ',')}`) : null,
    el('span', {}, el('strong', { class: 'score-stars' }, `${score.stars} sao`), ' ',
      el('span', { class: 'stars', 'aria-hidden': 'true' }, '★'.repeat(score.stars || 0))),
    members ? el('span', { class: 'muted' }, `${formatNumber(members)} thành viên chấm`) : null);
}

/* The summary every page shows above its own actions. */
export function dossierSummary(dossier) {
  return el('div', { class: 'dossier-summary' },
    el('p', {}, stateBadge(dossier.state), ' ', el('strong', {}, dossier.product?.name || ''),
      dossier.producer?.name ? ` · ${dossier.producer.name}` : '',
      el('span', { class: 'muted' }, ` · phiếu chấm ${dossier.sheet} · tạo ${formatAt(dossier.created_at)}`)),
    dossier.previous_id ? el('p', { class: 'muted' }, `Đánh giá lại từ hồ sơ số ${dossier.previous_id}.`) : null,
    scoreView(dossier.score, dossier.members),
    dossier.certificate ? el('p', {}, 'Giấy chứng nhận số ', el('strong', {}, dossier.certificate.number), ' · ',
      el('a', { href: `/api/v1/certificates/${dossier.certificate.id}.pdf`, download: `giay-chung-nhan-${dossier.certificate.number}.pdf`, class: 'certificate-pdf' }, 'Tải giấy chứng nhận (PDF)'),
      ' · ', el('a', { href: `/c/${encodeURIComponent(dossier.certificate.number)}/dossier`, class: 'public-summary' }, 'Tóm tắt hồ sơ đánh giá (công khai)')) : null);
}

/* Shows a dossier read-only in the page's panel (#dossier-title, -summary,
 * -form-view, -files, -history) and marks its row in #dossiers. */
export function showDossier(dossier) {
  document.querySelectorAll('#dossiers tbody tr').forEach((tr) => {
    tr.classList.toggle('selected', Number(tr.dataset.dossierId) === dossier.id);
  });
  document.querySelector('#dossier-title').textContent = `Hồ sơ số ${dossier.id}: ${dossier.product?.name || ''}`;
  document.querySelector('#dossier-summary').replaceChildren(dossierSummary(dossier));
  document.querySelector('#dossier-form-view').replaceChildren(formView(dossier));
  document.querySelector('#dossier-files').replaceChildren(filesView(dossier));
  document.querySelector('#dossier-history').replaceChildren(historyView(dossier));
}

/* Calls `open` with the id of the dossier whose row's button was clicked. */
export function onOpenDossier(open) {
  document.querySelector('#dossiers').addEventListener('click', (event) => {
    const opener = event.target.closest('.open-dossier');
    if (opener) open(Number(opener.closest('tr').dataset.dossierId));
  });
}

/* ---------- notices ---------- */

function noticeItem(notice, reload) {
  const read = Boolean(notice.read_at);
  const button = read ? null : el('button', { type: 'button', class: 'secondary mark-read' }, 'Đánh dấu đã đọc');
  button?.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await api(`/notices/${notice.id}/read`, { method: 'POST', body: {} });
    } finally {
      await reload();
    }
  });
  return el('li', { 'data-notice-id': notice.id, class: read ? 'notice read' : 'notice unread' },
    el('span', {}, notice.text), el('span', { class: 'muted trace-line' }, formatAt(notice.created_at),
      read ? ' · đã đọc' : ''), button);
}

/* Fills the notices panel (a list and a count of the unread). */
export async function loadNotices(list, count) {
  const reload = () => loadNotices(list, count);
  const answer = await api('/notices');
  const notices = Array.isArray(answer) ? answer : answer.notices || [];
  const unread = answer.unread ?? notices.filter((n) => !n.read_at).length;
  count.textContent = unread ? `${formatNumber(unread)} chưa đọc` : 'Không có thông báo chưa đọc';
  count.dataset.unread = String(unread);
  list.replaceChildren(...(notices.length ? notices.map((n) => noticeItem(n, reload)) : [el('li', { class: 'muted' }, 'Chưa có thông báo.')]));
}

/* The bands of labels/ocop.c ocl_ocop_stars: 90, 70, 50, 30. */
export function starsOf(total) {
  return total >= 90 ? 5 : total >= 70 ? 4 : total >= 50 ? 3 : total >= 30 ? 2 : 1;
}
