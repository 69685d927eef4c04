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

/* A JSON API call. Resolves with the parsed body; rejects with ApiError. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['X-CSRF-Token'] = (await session()).csrf || '';
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
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
export const ROLES = { admin: 'Quản trị', officer: 'Cán bộ OCOP', producer: 'Chủ thể sản xuất' };
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

/* ---------- the header: who is signed in, and signing out ---------- */

session().then(({ user, csrf }) => {
  document.querySelectorAll('[data-user-name]').forEach((n) => { n.textContent = user?.name || ''; });
  document.querySelectorAll('[data-user-role]').forEach((n) => { n.textContent = ROLES[user?.role] || ''; });
  const field = document.querySelector('#sign-out input[name=csrf]');
  if (field) field.value = csrf || '';
});
