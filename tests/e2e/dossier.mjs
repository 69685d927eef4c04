// An OCOP dossier from submission to certificate, in the browser, each
// person in their own profile: the producer creates a dossier, fills the
// registration form, uploads a PDF, a JPEG and a PNG (made here) and
// submits; the commune returns it with a reason on one field; the producer
// reads the reason beside that field, corrects it and submits again; the
// commune confirms it; the officer opens the scoring; three council members
// (the third the chair) each open the scoring page, which lists every
// criterion of tests/criteria/fixture-food.criteria with its options, see
// no other member's sheet before sending their own, and send a full sheet;
// the chair closes once the quorum (3) is met; the officer records the
// decision and downloads the certificate, whose QR code (read with
// pdftoppm and zbarimg) opens the certificate's page, valid, which links
// to the public summary with the parts' scores. Twenty days before the
// recognition ends, the reminder run leaves the producer a notice, which
// the producer reads and marks read, then starts the renewal
// ("Đánh giá lại"), a new draft with the form and files of the last one.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
    root, scratch, check, equal, newContext, shot, signIn, apiOk, answerTo, pageFetch, saveDownload, run, gtin14,
    ocoptrace,
} from './harness.mjs';
import { isPdf, pageCodes } from './pdf.mjs';
import { PASSWORDS } from './fixtures.mjs';

const SHEET = JSON.parse(readFileSync(join(root, 'tests/criteria/fixture-food.criteria'), 'utf8'));
const CRITERIA = SHEET.parts.flatMap((part) => part.criteria.map((c) => ({ ...c, part: part.part })));

const PASSWORD = 'hoi-dong-ocop-2025';
const MEMBERS = [
    { name: 'tv_nguyen', chair: false },
    { name: 'tv_tran', chair: false },
    { name: 'chutich_le', chair: true },
];
/* Each member's chosen option (its index) per criterion, in the sheet's order:
   A1..A8, B1..B5, C1..C7. */
const CHOICES = [
    [3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1, 4, 4, 4, 3, 3, 3, 2],
    [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 4, 4, 3, 3, 3, 3, 3],
    [3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 4, 4, 4, 4, 3, 2, 2],
];
const FORM = {
    representative: 'Nguyễn Thị Hoa', phone: '0252 3847 123', email: 'htx.hamtien@example.vn',
    address: 'Khu phố 5, phường Hàm Tiến, TP. Phan Thiết, tỉnh Bình Thuận',
    description: 'Chả cá thu làm thủ công từ cá thu tươi đánh bắt trong ngày, quết tay, hấp chín.',
    raw_materials: 'Cá thu của tổ khai thác Hàm Tiến; muối, tiêu của vùng nguyên liệu tỉnh.',
    production_capacity: 'nhiều',
    markets: 'Chợ Phan Thiết, siêu thị Co.opmart Bình Thuận, khách du lịch Mũi Né.',
    story: 'Nghề làm chả cá của làng chài Hàm Tiến hơn năm mươi năm.',
    standards: 'TCCS 01:2024/HTXHT',
};
const RETURNED_FIELD = 'production_capacity';
const REASON = 'Ghi rõ sản lượng mỗi năm (tấn) và số lao động.';
const FIXED = '12 tấn mỗi năm, 18 lao động';
const NUMBER = 'OCOP-BTh-2025-0311';
const DECISION = {
    decision_number: '311/QĐ-UBND', issuer: 'Ủy ban nhân dân tỉnh Bình Thuận',
    signer_title: 'KT. CHỦ TỊCH / PHÓ CHỦ TỊCH', signer_name: 'Trần Văn C',
};

/* ---------- what the test expects ---------- */

function sheetOf(choices) {
    const scores = {};
    CRITERIA.forEach((c, i) => { scores[c.id] = c.options[choices[i]].points; });
    const part = (p) => CRITERIA.filter((c) => c.part === p).reduce((n, c) => n + scores[c.id], 0);
    const a = part('A'), b = part('B'), c = part('C');
    return { scores, a, b, c, total: a + b + c };
}

const starsOf = (total) => (total >= 90 ? 5 : total >= 70 ? 4 : total >= 50 ? 3 : total >= 30 ? 2 : 1);

/* The evidence files, made by Pillow: a one-page PDF, a JPEG and a PNG. */
async function evidence() {
    const script = `import sys
from PIL import Image, ImageDraw
page = Image.new("RGB", (595, 842), "white")
ImageDraw.Draw(page).rectangle((50, 50, 545, 200), outline="black", width=4)
page.save(sys.argv[1] + "/phieu-dang-ky.pdf", "PDF", resolution=72)
Image.new("RGB", (320, 240), (200, 120, 40)).save(sys.argv[1] + "/anh-san-pham.jpg", "JPEG", quality=85)
Image.new("RGB", (200, 150), (20, 110, 60)).save(sys.argv[1] + "/nhan-san-pham.png", "PNG")
`;
    const got = await run('/usr/bin/python3', ['-c', script, scratch]); // Debian's, with python3-pil
    if (got.code !== 0) throw new Error(`making the evidence files: ${got.stderr}`);
    return [['phieu-dang-ky.pdf', 'application/pdf'], ['anh-san-pham.jpg', 'image/jpeg'], ['nhan-san-pham.png', 'image/png']]
        .map(([name, mimeType]) => {
            const buffer = readFileSync(join(scratch, name));
            return { name, mimeType, buffer, sha256: createHash('sha256').update(buffer).digest('hex') };
        });
}

/* ---------- setting up: the product, the commune and the council ---------- */

async function people(fx) {
    const product = await apiOk(201, fx.base, fx.users.officerToken, 'POST', '/api/v1/products', {
        producer_id: fx.producers.cooperative, name: 'Chả cá thu Hàm Tiến', group: 'food', gtin: gtin14('893123450031'),
        net_quantity: '500 g', ingredients: 'Cá thu, muối, tiêu', origin: 'Việt Nam',
        usage: 'Chiên hoặc hấp trước khi ăn', storage: 'Bảo quản lạnh từ 0 đến 4 °C',
    });
    await apiOk(201, fx.base, fx.admin, 'POST', '/api/v1/users', { name: 'xa_hamtien', role: 'commune', password: PASSWORD });
    for (const m of MEMBERS) {
        await apiOk(201, fx.base, fx.admin, 'POST', '/api/v1/users', { name: m.name, role: 'council', chair: m.chair, password: PASSWORD });
    }
    return product;
}

async function signedIn(browser, fx, name, password, home) {
    const context = await newContext(browser, fx.base, { viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, name, password);
    equal(`${name} signs in to ${home}`, new URL(page.url()).pathname, home);
    return page;
}

/* Runs ACT, then waits for SHOWN (what the page says instead); true when
   no request to a path matching PATH was made meanwhile. */
async function sendsNothing(page, path, act, shown) {
    let sent = false;
    const listen = (r) => { if (r.method() === 'POST' && path.test(new URL(r.url()).pathname)) sent = true; };
    page.on('request', listen);
    try {
        await act();
        await page.locator(shown).waitFor({ state: 'visible' });
    } finally {
        page.off('request', listen);
    }
    return !sent;
}

async function badge(page, selector) {
    return (await page.locator(`${selector} [data-state]`).first().getAttribute('data-state')) || '';
}

/* ---------- the producer ---------- */

async function create(page, product) {
    await page.locator(`#dn-product option[value="${product.id}"]`).waitFor({ state: 'attached' });
    await page.selectOption('#dn-product', String(product.id));
    // The product's group's sheets load; the only complete one is chosen.
    await page.waitForFunction((id) => document.querySelector('#dn-sheet').value === id, SHEET.id);
    const offered = await page.$$eval('#dn-sheet option', (options) => options.map((o) => [o.value, o.disabled]));
    equal('the sheets offered are the food group\'s', JSON.stringify(offered), JSON.stringify([[SHEET.id, false]]));
    const answer = await answerTo(page, 'POST', /^\/api\/v1\/dossiers$/, () => page.click('#dossier-new-form button[type=submit]'));
    equal('the producer creates a dossier: 201', answer.status(), 201);
    const dossier = await answer.json();
    await page.locator('#dossier-panel').waitFor({ state: 'visible' });
    equal('the new dossier is a draft', await badge(page, '#dossier-summary'), 'draft');
    equal('its sheet is the food group\'s', dossier.sheet, SHEET.id);
    await page.locator(`#dossiers tr[data-dossier-id="${dossier.id}"]`).waitFor();
    return dossier;
}

async function fill(page) {
    for (const [name, value] of Object.entries(FORM)) await page.fill(`#dossier-form [name=${name}]`, value);
}

/* A file named .jpg that is text: refused, said beside the file input, nothing listed. */
async function uploadRefused(page, dossier) {
    await page.setInputFiles('#df-file', [{ name: 'anh-gia.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('không phải ảnh\n') }]);
    const answer = await answerTo(page, 'POST', new RegExp(`^/api/v1/dossiers/${dossier.id}/files$`),
        () => page.click('#file-form button[type=submit]'));
    equal('a text named .jpg is refused: 422', answer.status(), 422);
    const said = page.locator('#file-form [data-error-for=file]');
    await said.waitFor({ state: 'visible' });
    check('the refusal is said beside the file input, in Vietnamese', (await said.textContent()).includes('Chỉ nhận tệp PDF, JPEG hoặc PNG'),
        await said.textContent());
    equal('the refused file is not listed', await page.locator('#dossier-files li[data-file-id]').count(), 0);
    await shot(page, 'dossier-producer-file-refused');
}

async function upload(page, dossier, files) {
    const uploads = files.map(() => page.waitForResponse((r) => r.request().method() === 'POST'
        && new URL(r.url()).pathname === `/api/v1/dossiers/${dossier.id}/files`));
    await page.setInputFiles('#df-file', files.map(({ name, mimeType, buffer }) => ({ name, mimeType, buffer })));
    await page.selectOption('#df-kind', 'registration');
    await page.click('#file-form button[type=submit]');
    const answers = await Promise.all(uploads);
    check('each upload: 201', answers.every((a) => a.status() === 201), answers.map((a) => a.status()).join(' '));
    await page.waitForFunction((n) => document.querySelectorAll('#dossier-files li[data-file-id]').length === n, files.length);
    for (const file of files) {
        const item = page.locator(`#dossier-files li[data-sha256="${file.sha256}"]`);
        check(`${file.name} is listed with its SHA-256`, await item.count() === 1);
        const text = (await item.textContent()) || '';
        check(`${file.name} shows its name and hash`, text.includes(file.name) && text.includes(file.sha256), text);
    }
    await shot(page, 'dossier-producer-files');
}

async function submit(page, dossier, what) {
    const answer = await answerTo(page, 'POST', new RegExp(`^/api/v1/dossiers/${dossier.id}/submit$`), () => page.click('#dossier-submit'));
    check(`${what}: the submission is accepted`, answer.status() < 300, `${answer.status()} ${await answer.text()}`);
    await page.waitForFunction(() => document.querySelector('#dossier-summary [data-state]')?.dataset.state === 'submitted');
    check(`${what}: the form can no longer be changed`, !(await page.locator('#dossier-form [name=representative]').isEditable()));
}

async function producerSubmits(page, product, files) {
    const dossier = await create(page, product);
    await fill(page);
    await uploadRefused(page, dossier);
    await upload(page, dossier, files);
    await shot(page, 'dossier-producer-filled');
    await submit(page, dossier, 'first submission');
    await shot(page, 'dossier-producer-submitted');
    return dossier;
}

async function open(page, dossier) {
    const row = page.locator(`#dossiers tr[data-dossier-id="${dossier.id}"]`);
    await row.waitFor();
    await row.locator('button.open-dossier').click();
}

async function producerCorrects(page, dossier) {
    await page.reload();
    await open(page, dossier);
    await page.waitForFunction((id) => document.querySelector('#dossier-title')?.textContent.includes(`số ${id}`), dossier.id);
    equal('the producer sees the dossier returned', await badge(page, '#dossier-summary'), 'returned');
    const note = page.locator(`#dossier-${RETURNED_FIELD}-reason`);
    check('the commune\'s reason is beside its field', await note.isVisible() && (await note.textContent()).includes(REASON),
        await note.textContent());
    const others = await page.locator('#dossier-form .return-reason:not([hidden])').count();
    equal('no reason beside the other fields', others, 1);
    await shot(page, 'dossier-producer-returned');
    await page.fill(`#dossier-form [name=${RETURNED_FIELD}]`, FIXED);
    await submit(page, dossier, 'second submission');
    const stored = await pageFetch(page, 'GET', `/api/v1/dossiers/${dossier.id}`);
    equal('the corrected field is stored', stored.json?.form?.[RETURNED_FIELD], FIXED);
}

/* ---------- the commune ---------- */

async function communeOpens(page, dossier) {
    await page.reload();
    await open(page, dossier);
    await page.locator('#dossier-panel').waitFor({ state: 'visible' });
    await page.waitForFunction((id) => document.querySelector('#dossier-title')?.textContent.includes(`số ${id}`), dossier.id);
}

async function communeReturns(page, dossier, files) {
    await communeOpens(page, dossier);
    const shown = await page.textContent('#dossier-form-view');
    check('the commune reads the form', shown.includes(FORM.representative) && shown.includes(FORM.raw_materials), shown.slice(0, 200));
    const links = await page.locator('#dossier-files a[href^="/api/v1/dossier-files/"]').count();
    equal('the commune sees a download link per file', links, files.length);
    const first = await page.locator('#dossier-files a').first().getAttribute('href');
    const bytes = await pageFetch(page, 'GET', first);
    equal('a file downloads for the commune', bytes.status, 200);
    check('returning without any reason sends nothing', await sendsNothing(page, /\/return$/,
        () => page.click('#return-form button[type=submit]'), '#return-form [data-error-for=reasons]:not(:empty)'));
    await page.fill(`#reason-${RETURNED_FIELD}`, REASON);
    await shot(page, 'dossier-commune-return');
    const answer = await answerTo(page, 'POST', new RegExp(`^/api/v1/dossiers/${dossier.id}/return$`),
        () => page.click('#return-form button[type=submit]'));
    check('the commune returns the dossier', answer.status() < 300, `${answer.status()} ${await answer.text()}`);
    await page.locator('#dossiers-status.ok').waitFor();
}

async function communeChecks(page, dossier) {
    await communeOpens(page, dossier);
    check('the corrected field reads corrected', (await page.textContent(`#dossier-form-view dd[data-field=${RETURNED_FIELD}]`)).includes(FIXED));
    const answer = await answerTo(page, 'POST', new RegExp(`^/api/v1/dossiers/${dossier.id}/check$`),
        () => page.click('#check-form button[type=submit]'));
    check('the commune confirms the dossier valid', answer.status() < 300, `${answer.status()} ${await answer.text()}`);
    await page.locator('#dossiers-status.ok').waitFor();
    await shot(page, 'dossier-commune-checked');
}

/* ---------- the officer ---------- */

async function officerOpens(page, dossier, stateName) {
    await page.selectOption('#df-state', stateName);
    await open(page, dossier);
    await page.waitForFunction(({ id, want }) => document.querySelector('#dossier-title')?.textContent.includes(`số ${id}`)
        && document.querySelector('#dossier-summary [data-state]')?.dataset.state === want, { id: dossier.id, want: stateName });
}

async function officerOpensScoring(page, dossier) {
    await page.locator('#dossiers-section').waitFor();
    await officerOpens(page, dossier, 'checked');
    const answer = await answerTo(page, 'POST', new RegExp(`^/api/v1/dossiers/${dossier.id}/scoring$`),
        () => page.click('#scoring-form button[type=submit]'));
    check('the officer opens the scoring', answer.status() < 300, `${answer.status()} ${await answer.text()}`);
    await page.waitForFunction(() => document.querySelector('#dossier-summary [data-state]')?.dataset.state === 'scoring');
    await shot(page, 'dossier-officer-scoring');
}

/* ---------- the council ---------- */

/* The page lists every criterion of the sheet, with each option's text and points. */
async function listsTheSheet(page, who) {
    const shown = await page.$$eval('fieldset.criterion', (sets) => sets.map((f) => ({
        id: f.dataset.criterion,
        text: f.querySelector('legend').textContent,
        options: [...f.querySelectorAll('input[type=radio]')].map((i) => ({
            points: Number(i.value), label: i.closest('label').textContent,
        })),
    })));
    equal(`${who}: every criterion listed, in order`, shown.map((c) => c.id).join(' '), CRITERIA.map((c) => c.id).join(' '));
    let ok = true;
    let detail = '';
    for (const c of CRITERIA) {
        const s = shown.find((x) => x.id === c.id);
        const same = s && s.text.includes(c.text) && s.options.length === c.options.length
            && c.options.every((o, i) => s.options[i].points === o.points && s.options[i].label.includes(o.text)
                && s.options[i].label.includes(`${o.points} điểm`));
        if (!same && ok) detail = `${c.id}: ${JSON.stringify(s)}`;
        ok = ok && same;
    }
    check(`${who}: each criterion's text and options with their points`, ok, detail);
    const parts = await page.$$eval('.sheet-part', (blocks) => blocks.map((b) => b.dataset.part).join(''));
    equal(`${who}: grouped by part`, parts, 'ABC');
}

async function choose(page, choices) {
    for (const [i, c] of CRITERIA.entries()) {
        await page.locator(`fieldset.criterion[data-criterion="${c.id}"] input[data-option="${choices[i]}"]`).check();
    }
}

async function memberScores(browser, fx, dossier, m, index, submittedBefore) {
    const who = `member ${m.name}`;
    const page = await signedIn(browser, fx, m.name, PASSWORD, '/council');
    await open(page, dossier);
    await page.locator('#scoring-panel').waitFor({ state: 'visible' });
    await page.locator('fieldset.criterion').first().waitFor();
    await listsTheSheet(page, who);
    const early = await pageFetch(page, 'GET', `/api/v1/dossiers/${dossier.id}/scores`);
    equal(`${who}: the others' scores are refused before sending one's own`, early.status, 403);
    check(`${who}: no other member's sheet shown before sending`, await page.locator('#others').isHidden());
    if (m.chair) {
        const status = page.locator('#quorum-status');
        equal(`${who}: the chair sees how many have scored`, await status.getAttribute('data-sent'), String(submittedBefore));
        equal(`${who}: the chair sees the quorum`, await status.getAttribute('data-quorum'), '3');
        check(`${who}: closing is not offered below the quorum`, await page.locator('#close-scoring').isDisabled());
    } else {
        check(`${who}: no chair's panel for a member`, await page.locator('#chair-panel').isHidden());
    }
    // A sheet sent half done: the page names what is missing and sends nothing.
    const half = CHOICES[index].slice(0, 5);
    for (const [i, c] of CRITERIA.slice(0, 5).entries()) {
        await page.locator(`fieldset.criterion[data-criterion="${c.id}"] input[data-option="${half[i]}"]`).check();
    }
    check(`${who}: a half sheet is not sent`, await sendsNothing(page, /\/scores$/, () => page.click('#send-sheet'), '#missing'));
    const missing = await page.$$eval('#missing [data-missing]', (b) => b.map((x) => x.dataset.missing));
    equal(`${who}: the missing criteria are named`, missing.join(' '), CRITERIA.slice(5).map((c) => c.id).join(' '));
    await choose(page, CHOICES[index]);
    const want = sheetOf(CHOICES[index]);
    const totals = await page.evaluate(() => ['A', 'B', 'C'].map((p) => document.querySelector(`#part-${p}-total`).value)
        .concat(document.querySelector('#sheet-total').value));
    equal(`${who}: the running totals`, totals.join(' '), `${want.a} ${want.b} ${want.c} ${want.total}`);
    await shot(page, `dossier-council-${m.name}-sheet`);
    const answer = await answerTo(page, 'POST', new RegExp(`^/api/v1/dossiers/${dossier.id}/scores$`), () => page.click('#send-sheet'));
    check(`${who}: the sheet is accepted`, answer.status() < 300, `${answer.status()} ${await answer.text()}`);
    await page.locator('#others').waitFor({ state: 'visible' });
    check(`${who}: the own sheet is read-only`, await page.locator('fieldset.criterion input').first().isDisabled());
    const columns = await page.locator('#member-sheets thead th').count();
    equal(`${who}: every sent sheet shown`, columns - 1, submittedBefore + 1);
    const shown = await page.textContent('#member-sheets');
    check(`${who}: the own total among them`, shown.includes(String(want.total)), shown.slice(0, 200));
    await shot(page, `dossier-council-${m.name}-sent`);
    return page;
}

async function chairCloses(page, dossier, want) {
    const button = page.locator('#close-scoring');
    check('the chair may close at the quorum', await button.isEnabled());
    const answer = await answerTo(page, 'POST', new RegExp(`^/api/v1/dossiers/${dossier.id}/close$`), () => button.click());
    check('the chair closes the scoring', answer.status() < 300, `${answer.status()} ${await answer.text()}`);
    await page.waitForFunction(() => document.querySelector('#scoring-summary .score-total'));
    equal('after closing: the score', await page.textContent('#scoring-summary .score-total'), String(want.total));
    check('after closing: the stars', (await page.textContent('#scoring-summary .score-stars')).includes(`${want.stars} sao`));
    await shot(page, 'dossier-council-closed');
}

/* The scoring page, with every sheet, on a small phone: no sideways scrolling. */
async function onAPhone(browser, fx, dossier) {
    const context = await newContext(browser, fx.base, { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await signIn(page, MEMBERS[0].name, PASSWORD);
    await page.goto(`/council#dossier-${dossier.id}`);
    await page.locator('#member-sheets tbody tr').first().waitFor();
    await shot(page, 'dossier-council-360');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check('the scoring page at 360 px: no sideways scrolling', width <= 360, `the page is ${width} px wide`);
}

/* ---------- the decision and the certificate ---------- */

async function decide(page, dossier) {
    await page.reload();
    await page.locator('#dossiers-section').waitFor();
    await officerOpens(page, dossier, 'scored');
    const form = page.locator('#dossier-decision-form');
    await form.waitFor({ state: 'visible' });
    await form.locator('[name=number]').fill(NUMBER);
    for (const [name, value] of Object.entries(DECISION)) await form.locator(`[name=${name}]`).fill(value);
    await form.locator('select[name=level]').selectOption('province');
    await shot(page, 'dossier-officer-decision');
    const answer = await answerTo(page, 'POST', new RegExp(`^/api/v1/dossiers/${dossier.id}/decision$`),
        () => form.locator('button[type=submit]').click());
    check('the decision is recorded', answer.status() < 300, `${answer.status()} ${await answer.text()}`);
    await page.locator('#dossier-summary a.certificate-pdf').waitFor();
    equal('the dossier is recognised', await badge(page, '#dossier-summary'), 'recognised');
    await shot(page, 'dossier-officer-recognised');
}

/* The officer's six report links answer with their files. */
async function exportsAnswer(page) {
    const links = await page.$$eval('#exports-section a[data-export]', (as) => as.map((a) => a.getAttribute('href')));
    equal('six report links', links.length, 6);
    for (const href of links) {
        const got = await pageFetch(page, 'GET', href);
        check(`${href} answers 200 with content`, got.status === 200 && got.text.length > 0, `${got.status} ${got.text.slice(0, 120)}`);
    }
}

async function certificate(page, fx, want) {
    const [file] = await Promise.all([page.waitForEvent('download', { timeout: 30000 }), page.click('#dossier-summary a.certificate-pdf')]);
    const pdf = join(scratch, 'dossier-certificate.pdf');
    const failure = await saveDownload(file, pdf);
    check('the certificate download is a PDF', isPdf(pdf), failure);
    const codes = (await pageCodes(pdf)).filter((c) => c.includes('/c/'));
    check('the certificate has a QR code to its page', codes.length === 1, codes.join(' | '));
    if (!codes.length) return;
    const code = new URL(codes[0]);
    equal('the QR code names the certificate', decodeURIComponent(code.pathname), `/c/${NUMBER}`);
    await page.goto(code.pathname + code.search);
    const text = await page.textContent('body');
    check('the certificate\'s page reports it valid', text.includes('CÒN HIỆU LỰC'), text.slice(0, 300));
    await shot(page, 'dossier-certificate-page');
    const link = page.getByRole('link', { name: 'Tóm tắt hồ sơ đánh giá' });
    check('the certificate\'s page links to the dossier\'s summary', await link.count() === 1);
    await link.click();
    await page.waitForLoadState('load');
    equal('the summary is the public one', new URL(page.url()).pathname, `/c/${NUMBER}/dossier`);
    const summary = await page.textContent('body');
    // The scores' table: each heading over its score.
    const heads = await page.$$eval('table th', (cells) => cells.map((c) => c.textContent.trim()));
    const scores = await page.$$eval('table td', (cells) => cells.map((c) => c.textContent.trim()));
    for (const [head, points] of [['Phần A', want.a], ['Phần B', want.b], ['Phần C', want.c], ['Tổng', want.total]]) {
        equal(`the summary shows ${head}'s score`, scores[heads.indexOf(head)], String(points));
    }
    check('the summary holds no evidence file nor contact', !summary.includes('phieu-dang-ky.pdf') && !summary.includes(FORM.phone)
        && !summary.includes(FORM.email));
    await shot(page, 'dossier-public-summary');
}

/* ---------- the reminder and the renewal ---------- */

function daysBefore(iso, days) {
    return new Date(Date.parse(`${iso}T00:00:00Z`) - days * 86400000).toISOString().slice(0, 10);
}

async function reminded(page, fx, dossier) {
    const stored = await apiOk(200, fx.base, fx.users.officerToken, 'GET', `/api/v1/dossiers/${dossier.id}`);
    const certificate = await apiOk(200, fx.base, fx.users.officerToken, 'GET', `/api/v1/certificates/${stored.certificate.id}`);
    const out = await ocoptrace(['reminders', 'run', '--today', daysBefore(certificate.valid_until, 20), '--db', fx.db,
        '--config', join(scratch, 'e2e.conf')]);
    check('the reminder run writes one reminder', /^reminders: 1$/m.test(out), out);
    await page.goto('/producer');
    const count = page.locator('#notices-count');
    await page.waitForFunction(() => document.querySelector('#notices-count')?.dataset.unread === '1');
    const notice = page.locator('#notices li.unread');
    check('the producer\'s notice names the certificate', (await notice.textContent()).includes(NUMBER), await notice.textContent());
    await shot(page, 'dossier-producer-notice');
    const answer = await answerTo(page, 'POST', /^\/api\/v1\/notices\/\d+\/read$/, () => notice.locator('button.mark-read').click());
    equal('marking the notice read: 200', answer.status(), 200);
    await page.waitForFunction(() => document.querySelector('#notices-count')?.dataset.unread === '0');
    check('no unread notice left', (await count.textContent()).includes('Không có'));
}

async function renews(page, dossier, files) {
    await open(page, dossier);
    const form = page.locator('#renew-form');
    await form.waitFor({ state: 'visible' });
    const answer = await answerTo(page, 'POST', /^\/api\/v1\/dossiers$/, () => form.locator('button[type=submit]').click());
    equal('the renewal is a new dossier: 201', answer.status(), 201);
    const renewal = await answer.json();
    equal('the renewal starts from the last dossier', renewal.previous_id, dossier.id);
    await page.waitForFunction((id) => document.querySelector('#dossier-title')?.textContent.includes(`số ${id}`), renewal.id);
    equal('the renewal is a draft', await badge(page, '#dossier-summary'), 'draft');
    equal('the renewal\'s form is the last one\'s', await page.inputValue(`#dossier-form [name=${RETURNED_FIELD}]`), FIXED);
    const hashes = await page.$$eval('#dossier-files li[data-sha256]', (items) => items.map((i) => i.dataset.sha256).sort());
    equal('the renewal\'s files are the last one\'s', hashes.join(' '), files.map((f) => f.sha256).sort().join(' '));
    await shot(page, 'dossier-producer-renewal');
}

export async function dossierTests(browser, fx) {
    const product = await people(fx);
    const files = await evidence();
    const producer = await signedIn(browser, fx, fx.users.producer, PASSWORDS.producer, '/producer');
    await producer.locator('#dossiers-section').waitFor();
    const dossier = await producerSubmits(producer, product, files);

    const commune = await signedIn(browser, fx, 'xa_hamtien', PASSWORD, '/commune');
    await communeReturns(commune, dossier, files);
    await producerCorrects(producer, dossier);
    await communeChecks(commune, dossier);

    const officer = await signedIn(browser, fx, fx.users.officer, PASSWORDS.officer, '/officer');
    await officerOpensScoring(officer, dossier);

    const sheets = CHOICES.map(sheetOf);
    let chair;
    for (const [i, m] of MEMBERS.entries()) chair = await memberScores(browser, fx, dossier, m, i, i);
    const mean = sheets.reduce((n, s) => n + s.total, 0) / sheets.length;
    const total = Math.floor(mean); // the bands are the mean's: 89.5 is under 90
    await chairCloses(chair, dossier, { total, stars: starsOf(total) });
    await onAPhone(browser, fx, dossier);

    const stored = await apiOk(200, fx.base, fx.users.officerToken, 'GET', `/api/v1/dossiers/${dossier.id}`);
    equal('the score is the whole part of the members\' mean', stored.score?.total, total);
    equal('the parts add up to it', (stored.score?.a ?? 0) + (stored.score?.b ?? 0) + (stored.score?.c ?? 0), total);
    await decide(officer, dossier);
    await exportsAnswer(officer);
    await certificate(officer, fx, { a: stored.score.a, b: stored.score.b, c: stored.score.c, total });

    await reminded(producer, fx, dossier);
    await renews(producer, dossier, files);
}
