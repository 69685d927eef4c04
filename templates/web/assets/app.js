// ocoptrace web pages: what the producer's and the officer's pages share.
// The session (user and CSRF token) read once, a fetch wrapper for the JSON
// API, showing the API's errors next to their fields, Vietnamese names for
// the API's codes, and date and number formats.
'use strict';

export class ApiError extends Error {
  constructor(status, error) {
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || '';
    this.field = error.field || '';
    this.rows = error.rows || [];
  }
}

let sessionPromise = null;

/* The signed-in user and the CSRF token; fetched once per page. */
export function session() {
  sessionPromise ??= fetch('/api/v1/session', { credentials: 'same-origin' })
    .then((r) => (r.status === 401 ? redirectToSignIn() : r.json()));
  return sessionPromise;
}

function redirectToSignIn() {
  location.assign('/sign-in');
  return new Promise(() => {}); // the page is going away
}

/* A JSON API call. Resolves with the parsed body; rejects with ApiError.
   `raw` (a File or Blob) is sent as the body as it is, for uploads. */
export async function api(path, { method = 'GET', body, raw } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['X-CSRF-Token'] = (await session()).csrf || '';
    headers['Content-Type'] = raw ? (raw.type || 'application/octet-stream') : 'application/json';
  }
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method, headers, credentials: 'same-origin',
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
  } catch {
    throw new ApiError(0, { code: 'network', message: 'Không kết nối được máy chủ. Hãy kiểm tra mạng và thử lại.' });
  }
  if (response.status === 401) return redirectToSignIn();
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data.error || {});
  return data;
}

/* ---------- the API's words in Vietnamese ---------- */

export const GROUPS = {
  food: 'Thực phẩm', drink: 'Đồ uống', herbal: 'Thảo dược',
  handicraft: 'Thủ công mỹ nghệ', ornamental: 'Sinh vật cảnh', tourism: 'Dịch vụ du lịch',
};
export const KINDS = { cooperative: 'Hợp tác xã', sme: 'Doanh nghiệp nhỏ và vừa', household: 'Hộ kinh doanh', other: 'Khác' };
export const STATUSES = { valid: 'còn hiệu lực', expiring: 'sắp hết hạn', expired: 'đã hết hạn', revoked: 'đã thu hồi' };
export const ROLES = {
  admin: 'Quản trị', officer: 'Cán bộ OCOP', producer: 'Chủ thể sản xuất',
  commune: 'Cán bộ cấp xã', council: 'Thành viên Hội đồng đánh giá',
};
export const LEVELS = { district: 'huyện', province: 'tỉnh', national: 'Trung ương' };
export const FIELDS = {
  name: 'Tên sản phẩm', group: 'Nhóm sản phẩm', gtin: 'Mã GTIN', net_quantity: 'Định lượng',
  ingredients: 'Thành phần', origin: 'Xuất xứ', usage: 'Hướng dẫn sử dụng', storage: 'Hướng dẫn bảo quản',
  warnings: 'Cảnh báo', standard: 'Tiêu chuẩn áp dụng', 'producer.name': 'Tên chủ thể',
  'producer.address': 'Địa chỉ chủ thể', 'producer.phone': 'Số điện thoại chủ thể',
  'lot.produced': 'Ngày sản xuất (NSX) của lô', 'lot.expires': 'Hạn sử dụng (HSD) của lô',
};

/* "4 sao · còn hiệu lực", or "Chưa được công nhận". */
export function starStatus(certificate) {
  if (!certificate) return 'Chưa được công nhận';
  return `${certificate.stars} sao · ${STATUSES[certificate.status] || certificate.status}`;
}

export function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const LAW_WORDS = [[/\bDecree\b/g, 'Nghị định'], [/\bDecision\b/g, 'Quyết định'], [/\bArt\.\s*/g, 'Điều '], [/\bAnnex\b/g, 'Phụ lục']];

/* The API's rules are in English; the common ones read in Vietnamese here.
   Anything not known is shown as the API wrote it. */
const RULES = [
  [/^required$/, () => 'Bắt buộc.'],
  [/^must not be empty$/, () => 'Không được để trống.'],
  [/^must say why$/, () => 'Hãy ghi lý do.'],
  [/^must be (\d+) to (\d+), found (-?\d+)$/, (m) => `Phải từ ${m[1]} đến ${m[2]} (đang là ${m[3]}).`],
  [/^must be (\d+) to (\d+)$/, (m) => `Phải từ ${m[1]} đến ${m[2]}.`],
  [/^must have 8, 12, 13 or 14 digits, found (\d+)$/, (m) => `GTIN phải có 8, 12, 13 hoặc 14 chữ số (đang có ${m[1]}).`],
  [/^must be digits only/, () => 'GTIN chỉ gồm chữ số.'],
  [/^check digit is (\d), expected (\d)$/, (m) => `Số kiểm tra sai: là ${m[1]}, đúng phải là ${m[2]}.`],
  [/^another product has GTIN/, () => 'Mã GTIN này đã dùng cho sản phẩm khác.'],
  [/^'(.*)' at position (\d+) is not in GS1 character set 82/, (m) => `Ký tự '${m[1]}' ở vị trí ${m[2]} không được phép: chỉ dùng chữ không dấu A–Z, a–z, chữ số và !"%&'()*+,-./:;<=>?_ (không dấu cách).`],
  [/^must be 1 to (\d+) characters/, (m) => `Từ 1 đến ${m[1]} ký tự.`],
  [/^the product has a lot '(.*)'$/, (m) => `Sản phẩm đã có lô '${m[1]}'.`],
  [/^must be after produced/, () => 'HSD phải sau NSX.'],
  [/^must be a date as YYYY-MM-DD/, () => 'Ngày không hợp lệ.'],
  [/is not a date/, () => 'Ngày này không tồn tại.'],
  [/^certificate '(.*)' exists$/, (m) => `Số giấy chứng nhận '${m[1]}' đã được dùng.`],
  [/^(\d) stars are not recognised with a certificate/, (m) => `${m[1]} sao không được cấp giấy chứng nhận (chỉ 3 đến 5 sao, Quyết định 148/QĐ-TTg).`],
  [/^from 01\/07\/2025 districts no longer/, () => 'Từ 01/07/2025 cấp huyện không còn công nhận sản phẩm OCOP (Quyết định 1489/QĐ-TTg).'],
  [/^from 01\/07\/2025 5 stars are recognised nationally/, () => 'Từ 01/07/2025 sản phẩm 5 sao do Trung ương công nhận, không phải cấp tỉnh (Quyết định 1489/QĐ-TTg).'],
  [/^from 01\/07\/2025 the national level recognises 5 stars only/, () => 'Từ 01/07/2025 Trung ương chỉ công nhận sản phẩm 5 sao (Quyết định 1489/QĐ-TTg).'],
  [/^until 30\/06\/2025 a (\w+) recognises (\d) stars only, not (\d)/, (m) => `Đến 30/06/2025 cấp ${LEVELS[m[1]] || m[1]} chỉ công nhận ${m[2]} sao, không phải ${m[3]} sao (Quyết định 148/QĐ-TTg).`],
  [/^certificate \d+ is already revoked$/, () => 'Giấy chứng nhận này đã bị thu hồi.'],
  [/^the lot has no serials yet$/, () => 'Lô chưa có số seri: hãy cấp số seri trước.'],
  [/^required for (\w+) \((.*)\)$/, (m) => `Bắt buộc với nhóm ${GROUPS[m[1]] || m[1]} (${lawWords(m[2])}).`],
  [/^the session's CSRF token|^the form's CSRF token/, () => 'Phiên làm việc đã thay đổi. Hãy tải lại trang.'],
  // the chain: areas, inputs, journal, shipments, recalls
  [/^must be (a number|an integer), found/, (m) => (m[1] === 'a number' ? 'Phải là một số.' : 'Phải là số nguyên.')],
  [/^must be more than 0$/, () => 'Phải lớn hơn 0.'],
  [/^must be at least 1$/, () => 'Ít nhất là 1.'],
  [/^is after today \((\d{4}-\d{2}-\d{2})\): it cannot be in the future$/, (m) => `Không được sau hôm nay (${formatDate(m[1])}).`],
  [/^is in the future$/, () => 'Không được là thời điểm trong tương lai.'],
  [/^is before the harvest \((.*)\)$/, (m) => `Ngày nhận không được trước ngày thu hoạch (${formatDate(m[1])}).`],
  [/^give either area_id .* or supplier/, () => 'Chọn một vùng nguyên liệu của cơ sở hoặc ghi nhà cung cấp (chỉ một trong hai).'],
  [/^give either input_id .* or lot_id/, () => 'Chọn một lô nguyên liệu.'],
  [/^area \d+ is another producer's/, () => 'Vùng nguyên liệu này thuộc chủ thể khác: hãy chọn vùng của cơ sở.'],
  [/^an area with code '(.*)' is registered already$/, (m) => `Mã vùng '${m[1]}' đã được đăng ký.`],
  [/^an input lot with code '(.*)' is registered already$/, (m) => `Đã có lô nguyên liệu mã '${m[1]}'.`],
  [/^is more than the ([\d.e+]+) that remain of input lot (\d+)$/, (m) => `Nhiều hơn lượng còn lại của lô nguyên liệu: chỉ còn ${formatNumber(Number(m[1]))}.`],
  [/^is more than the ([\d.e+]+) units of lot (\d+) that remain$/, (m) => `Nhiều hơn số đơn vị còn lại của lô: chỉ còn ${formatNumber(Number(m[1]))}.`],
  [/^is more than the (\d+) units of the lot not shipped$/, (m) => `Nhiều hơn số đơn vị của lô chưa xuất: chỉ còn ${formatNumber(Number(m[1]))}.`],
  [/^input lot (\d+) was received on (\S+), after the lot was produced \((.*)\)$/, (m) => `Nguyên liệu được nhận ngày ${formatDate(m[2])}, sau ngày sản xuất của lô (${formatDate(m[3])}).`],
  [/^input lot \d+ is another producer's/, () => 'Lô nguyên liệu này thuộc chủ thể khác.'],
  [/^lot \d+ is another producer's$/, () => 'Lô này thuộc chủ thể khác.'],
  [/^lot (\d+) is made from lot (\d+) already/, () => 'Lô kia đã được làm từ lô này: dùng nó sẽ thành vòng lặp.'],
  [/^lot (\d+) was produced on (\S+), after this lot \((.*)\)$/, (m) => `Lô số ${m[1]} sản xuất ngày ${formatDate(m[2])}, sau lô này (${formatDate(m[3])}).`],
  [/^(lot|input lot) (\d+) is recalled already \(recall (\d+)\)$/, (m) => `${m[1] === 'lot' ? 'Lô' : 'Lô nguyên liệu'} số ${m[2]} đã bị thu hồi (đợt thu hồi số ${m[3]}).`],
  [/^(lot|input lot) (\d+) is recalled \(recall (\d+)\)(?:: (.*))?$/, (m) => `${m[1] === 'lot' ? 'Lô' : 'Lô nguyên liệu'} số ${m[2]} đang bị thu hồi (đợt thu hồi số ${m[3]})${m[4] ? `: ${m[4]}` : ''}.`],
  [/^no (area|input lot|lot|recall|producer) (\d+)$/, (m) => `Không có ${{ area: 'vùng nguyên liệu', 'input lot': 'lô nguyên liệu', lot: 'lô', recall: 'đợt thu hồi', producer: 'chủ thể' }[m[1]]} số ${m[2]}.`],
  [/^must be harvesting, receiving/, () => 'Hãy chọn một bước trong danh sách.'],
  [/^must be a date and time with its offset/, () => 'Ngày giờ không hợp lệ.'],
  [/^is before (\S+), when an input lot this lot uses was received$/, (m) => `Trước ngày ${formatDate(m[1])}, ngày nhận một nguyên liệu của lô.`],
  [/^is before lot (\d+) was produced \((.*)\)$/, (m) => `Trước ngày sản xuất của lô (${formatDate(m[2])}).`],
  [/^unit '(.*)' of lot (\d+) is shipped already$/, (m) => `Đơn vị '${m[1]}' đã được xuất.`],
  [/^must name at least one (lot|serial)$/, () => 'Cần ít nhất một.'],
  // OCOP dossiers and their scoring
  [/^is required to submit the dossier/, () => 'Bắt buộc để nộp hồ sơ.'],
  [/^must be a PDF, JPEG or PNG file/, () => 'Chỉ nhận tệp PDF, JPEG hoặc PNG (xét theo nội dung tệp, không theo tên).'],
  [/^a file is at most 10 MB/, () => 'Mỗi tệp tối đa 10 MB.'],
  [/^the PDF has no '%%EOF'/, () => 'Tệp PDF bị cắt cụt: thiếu phần cuối tệp.'],
  [/^must say what to correct$/, () => 'Hãy ghi cần sửa gì.'],
  [/^must give at least one reason/, () => 'Hãy ghi lý do cho ít nhất một mục cần sửa.'],
  [/^dossier \d+ is '(\w+)'[;:]/, () => 'Hồ sơ đã chuyển sang bước khác. Hãy tải lại trang.'],
  [/^member '(.*)' submitted a sheet for dossier \d+ on (\d{4}-\d{2}-\d{2})/, (m) => `Thành viên '${m[1]}' đã gửi phiếu chấm hồ sơ này ngày ${formatDate(m[2])}: mỗi thành viên chấm một lần.`],
  [/^submit your own sheet first/, () => 'Hãy gửi phiếu chấm của mình trước.'],
  [/^must be one of ([\d, ]+)$/, (m) => `Chỉ được chọn một trong các mức điểm: ${m[1]}.`],
  [/^required: every criterion of the sheet is scored/, () => 'Phải chấm mọi tiêu chí của phiếu.'],
  [/^(\d+) of the council's members have scored dossier \d+: closing needs (\d+)/, (m) => `Mới có ${m[1]} thành viên chấm: cần ít nhất ${m[2]} để kết thúc chấm điểm.`],
  [/^only the council's chair closes/, () => 'Chỉ Chủ tịch Hội đồng được kết thúc chấm điểm.'],
];

function lawWords(text) {
  return LAW_WORDS.reduce((t, [pattern, words]) => t.replace(pattern, words), text);
}

/* The Vietnamese reading of an API rule, or null when it is not known. */
export function vietnamese(message) {
  for (const [pattern, say] of RULES) {
    const m = pattern.exec(message);
    if (m) return say(m);
  }
  return null;
}

/* ---------- errors next to their fields ---------- */

export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((p) => { p.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((i) => i.removeAttribute('aria-invalid'));
  setStatus(form, '');
}

export function setStatus(form, text, kind = '') {
  const status = form.querySelector('.form-status');
  if (!status) return;
  status.textContent = text;
  status.className = `form-status ${kind}`.trim();
}

/* Writes the API's message (in Vietnamese when known, with the API's own
   words below) into `node`. */
function writeMessage(node, message) {
  const said = vietnamese(message);
  node.textContent = said || message;
  if (said && said !== message) node.append(el('span', { class: 'api-message', lang: 'en' }, message));
}

/* Shows an API error next to its field (`fieldMap` renames API fields to
   input names, e.g. "scores.a" → "score_a"), else in the form's status. */
export function showError(form, error, fieldMap = {}) {
  const field = fieldMap[error.field] || error.field;
  const slot = field && form.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
  if (slot) {
    writeMessage(slot, error.message);
    const input = form.querySelector(`[name="${CSS.escape(field)}"]`);
    input?.setAttribute('aria-invalid', 'true');
    input?.focus();
    setStatus(form, 'Chưa lưu được: hãy sửa ô được đánh dấu.', 'error');
    return;
  }
  const status = form.querySelector('.form-status');
  if (status) {
    writeMessage(status, error.status === 403 && error.code !== 'csrf'
      ? 'Bạn không có quyền làm việc này.' : error.message);
    status.className = 'form-status error';
  }
}

/* Runs `work` for a submitted form: clears the old errors, disables the
   submit button meanwhile, shows any API error. The typed values stay. */
export function onSubmit(form, work, fieldMap) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const button = form.querySelector('[type=submit]');
    button && (button.disabled = true);
    try {
      await work(new FormData(form));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showError(form, error, fieldMap);
    } finally {
      button && (button.disabled = false);
    }
  });
}

/* ---------- small DOM, date and number helpers ---------- */

/* el('td', {class: 'x'}, 'text', child): text is never parsed as HTML. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value === true ? '' : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/* "2027-03-01" → "01/03/2027" (the way dates are written in Vietnam). */
export function formatDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
  return m ? `${m[3]}/${m[2]}/${m[1]}` : (iso || '—');
}

const numberFormat = new Intl.NumberFormat('vi-VN');
export const formatNumber = (n) => numberFormat.format(n);
export const formatPercent = (share) => `${numberFormat.format(Math.round(share * 1000) / 10)} %`;

/* Today as YYYY-MM-DD in local time, for date inputs. */
export function todayIso() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function daysUntil(iso) {
  return Math.round((Date.parse(`${iso}T00:00:00`) - Date.parse(`${todayIso()}T00:00:00`)) / 86400000);
}

/* The form's fields as an object, empty ones left out (so the API says
   "required" for them rather than taking an empty text). */
export function formObject(data, names) {
  const out = {};
  for (const name of names) {
    const value = (data.get(name) ?? '').toString().trim();
    if (value !== '') out[name] = value.normalize('NFC');
  }
  return out;
}

/* A typed number as a number; anything else as typed, so the API names
   the field and its rule; empty → undefined (left out). */
export function numberOrText(value) {
  if (value === undefined || value === '') return undefined;
  return /^-?\d+(?:[.,]\d+)?$/.test(value) ? Number(value.replace(',', '.')) : value;
}

/* Marks each empty field of NAMES "Bắt buộc." without asking the API;
   true when none is empty. */
export function requireFields(form, data, names) {
  let ok = true;
  for (const name of names) {
    if ((data.get(name) ?? '').toString().trim() !== '') continue;
    const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    if (slot) slot.textContent = 'Bắt buộc.';
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    input?.setAttribute('aria-invalid', 'true');
    if (ok) input?.focus();
    ok = false;
  }
  if (!ok) setStatus(form, 'Chưa gửi: hãy điền ô được đánh dấu.', 'error');
  return ok;
}

/* A form whose change cannot be undone. Submitting it shows its `.confirm`
   panel with what `describe(data)` says will happen (nothing when it
   returns null); only the panel's `.confirm-yes` button runs `work`. Any
   change to the form hides the panel again. */
export function onConfirmedSubmit(form, { describe, work }, fieldMap) {
  const panel = form.querySelector('.confirm');
  let confirmed = false;
  onSubmit(form, async (data) => {
    if (!confirmed) {
      panel.hidden = true;
      const said = await describe(data);
      if (!said) return;
      panel.querySelector('.confirm-text').textContent = said;
      panel.hidden = false;
      panel.querySelector('.confirm-yes').focus();
      return;
    }
    confirmed = false;
    panel.hidden = true;
    await work(data);
  }, fieldMap);
  panel.querySelector('.confirm-yes').addEventListener('click', () => {
    confirmed = true;
    form.requestSubmit();
  });
  panel.querySelector('.confirm-no').addEventListener('click', () => {
    panel.hidden = true;
    form.querySelector('[type=submit]')?.focus();
  });
  form.addEventListener('input', () => { panel.hidden = true; });
}

/* ---------- the chain: journal steps, Vietnam's time, the trace ---------- */

export const STEPS = {
  harvesting: 'Thu hoạch', receiving: 'Tiếp nhận nguyên liệu', processing: 'Chế biến', packing: 'Đóng gói',
  inspecting: 'Kiểm tra chất lượng', storing: 'Lưu kho', other: 'Khác',
};

const VIETNAM_MS = 7 * 3600 * 1000;

/* Now in Vietnam (UTC+07:00) as "YYYY-MM-DDTHH:MM", whatever the browser's zone. */
export function vietnamNow() {
  return new Date(Date.now() + VIETNAM_MS).toISOString().slice(0, 16);
}

export function vietnamToday() {
  return vietnamNow().slice(0, 10);
}

/* A datetime-local value ("2025-03-01T08:00") as the API takes it:
   "2025-03-01T08:00:00+07:00". Anything else is sent as typed. */
export function withVietnamOffset(value) {
  if (!value) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2})?(?:\.\d+)?$/.exec(value);
  return m ? `${m[1]}${m[2] || ':00'}+07:00` : value;
}

/* "2025-03-01T08:00:00+07:00" → "08:00 01/03/2025". */
export function formatDateTime(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso || '');
  return m ? `${m[4]}:${m[5]} ${m[3]}/${m[2]}/${m[1]}` : (iso || '—');
}

const amount = (quantity, unit) => `${formatNumber(quantity)}${unit ? ` ${unit}` : ''}`;

/* Where an input came from: its area (code, name, place, certifications)
   or its supplier. */
export function originOf(area, supplier) {
  if (area) {
    return el('span', { class: 'trace-area' }, 'Vùng nguyên liệu ', el('strong', { class: 'area-code' }, area.code),
      ` · ${area.name}${area.locality ? `, ${area.locality}` : ''}`,
      area.certifications?.length ? ` · chứng nhận: ${area.certifications.join(', ')}` : '');
  }
  if (supplier) {
    return el('span', { class: 'trace-supplier' }, 'Nhà cung cấp: ', el('strong', {}, supplier.name),
      supplier.address ? `, ${supplier.address}` : '');
  }
  return el('span', { class: 'muted' }, 'Chưa rõ nguồn gốc');
}

export function recallNotice(recall) {
  return el('div', { class: 'recall-notice', role: 'note' },
    el('strong', {}, `Đang bị thu hồi (đợt số ${recall.id}) từ ${formatDateTime(recall.since)}`),
    el('span', {}, `Lý do: ${recall.reason}`), el('span', {}, `Cách xử lý: ${recall.action}`));
}

function backwardItem(item) {
  if (item.lot) {
    const lot = item.lot;
    return el('li', { class: 'trace-lot', 'data-lot-id': lot.id },
      el('strong', {}, `Lô ${lot.code}`), ` · ${lot.product} · NSX ${formatDate(lot.produced)} · dùng ${formatNumber(item.quantity)} đơn vị`,
      item.backward?.length ? el('ul', { class: 'trace-list' }, ...item.backward.map(backwardItem)) : null);
  }
  const input = item.input || {};
  return el('li', { class: 'trace-input', 'data-input-id': input.id },
    el('strong', {}, `Nguyên liệu ${input.code}`), ` · ${input.material} · dùng ${amount(item.quantity, input.unit)}`,
    input.recalled ? el('span', { class: 'badge badge-revoked' }, 'đã thu hồi') : null,
    el('span', { class: 'trace-line' }, originOf(item.area, item.supplier)),
    el('span', { class: 'trace-line muted' },
      `${input.harvested ? `Thu hoạch ${formatDate(input.harvested)} · ` : ''}Nhận ${formatDate(input.received)}`));
}

function shipmentItem(shipment) {
  return el('li', { class: 'trace-shipment', 'data-shipment-id': shipment.id },
    el('strong', {}, `Xuất ngày ${formatDate(shipment.shipped)}`), ` · ${formatNumber(shipment.units)} đơn vị`,
    el('span', { class: 'trace-line' }, 'Đến: ', el('strong', { class: 'destination' }, shipment.to?.name || '—'),
      shipment.to?.address ? `, ${shipment.to.address}` : ''));
}

function forwardItems(forward) {
  return [
    ...(forward?.lots || []).map((item) => {
      const sub = forwardItems(item.forward);
      return el('li', { class: 'trace-lot', 'data-lot-id': item.lot.id },
        el('strong', {}, `Lô ${item.lot.code}`), ` · ${item.lot.product} · NSX ${formatDate(item.lot.produced)} · dùng ${formatNumber(item.quantity)}`,
        sub.length ? el('ul', { class: 'trace-list' }, ...sub) : null);
    }),
    ...(forward?.shipments || []).map(shipmentItem),
  ];
}

/* GET /lots/{id}/trace drawn: the lot, its recall, where it came from and
   where it went; `level` is the level of its headings. */
export function renderTrace(trace, level = 4) {
  const h = `h${level}`;
  const lot = trace.lot;
  const forward = forwardItems(trace.forward);
  return el('div', { class: 'trace', 'data-lot-id': lot.id },
    el('p', { class: 'trace-title' }, el('strong', {}, `Lô ${lot.code}`),
      ` · ${lot.product} · NSX ${formatDate(lot.produced)} · HSD ${formatDate(lot.expires)}`),
    trace.recall ? recallNotice(trace.recall) : null,
    el(h, {}, 'Nguồn gốc (truy xuất ngược)'),
    trace.backward?.length
      ? el('ul', { class: 'trace-list', 'data-trace': 'backward' }, ...trace.backward.map(backwardItem))
      : el('p', { class: 'muted' }, 'Chưa ghi nguyên liệu nào cho lô này.'),
    el(h, {}, 'Nơi đến (truy xuất xuôi)'),
    forward.length
      ? el('ul', { class: 'trace-list', 'data-trace': 'forward' }, ...forward)
      : el('p', { class: 'muted' }, 'Chưa có lô nào làm từ lô này và chưa xuất hàng.'));
}

/* ---------- the header: who is signed in, and signing out ---------- */

session().then(({ user, csrf }) => {
  document.querySelectorAll('[data-user-name]').forEach((n) => { n.textContent = user?.name || ''; });
  document.querySelectorAll('[data-user-role]').forEach((n) => { n.textContent = ROLES[user?.role] || ''; });
  const field = document.querySelector('#sign-out input[name=csrf]');
  if (field) field.value = csrf || '';
});
