// A producer's day in the browser: signs in through the form; a product with
// a bad GTIN shows the rule next to the GTIN field and creates nothing;
// registers a product, opens it, creates a lot, allocates 24 serials and
// downloads the lot's label sheet, whose 24 QR codes (read back with
// pdftoppm and zbarimg) are 24 different Digital Links of that lot.
import { join } from 'node:path';
import { check, equal, newContext, shot, signIn, scratch, gtin14, pageFetch, saveDownload, answerTo } from './harness.mjs';
import { PASSWORDS } from './fixtures.mjs';
import { writeFileSync } from 'node:fs';
import { isPdf, labelCodes, zbar } from './pdf.mjs';

export const PRODUCT = {
    name: 'Nước mắm Phan Thiết 40 độ đạm', group: 'food', gtin: gtin14('893123456789'),
    net_quantity: '500 ml', ingredients: 'Cá cơm, muối biển', origin: 'Việt Nam',
    usage: 'Dùng trực tiếp hoặc pha chấm', storage: 'Nơi khô ráo, thoáng mát',
    warnings: 'Không dùng cho người dị ứng cá', standard: 'TCCS 01:2024/HTXHT',
};
export const LOT = { code: 'L2025E2E', produced: '2025-06-01', expires: '2027-06-01' };
const COUNT = 24;
const SHEET = 'a4-3x8';

async function fillProduct(page, product) {
    const form = page.locator('form#product-form');
    for (const [name, value] of Object.entries(product)) {
        if (name === 'group') await form.locator('select[name=group]').selectOption(value);
        else await form.locator(`[name=${name}]`).fill(value);
    }
    return form;
}

async function productCount(page) {
    const got = await pageFetch(page, 'GET', '/api/v1/products');
    return got.json && got.json.products ? got.json.products.length : -1;
}

async function badGtin(page) {
    const before = await productCount(page);
    const form = await fillProduct(page, { name: 'Sản phẩm GTIN sai', group: 'food', gtin: '08931234567895' });
    const answer = await answerTo(page, 'POST', /^\/api\/v1\/products$/, () => form.locator('button[type=submit]').click());
    equal('a bad GTIN: the API says 422', answer.status(), 422);
    const slot = form.locator('[data-error-for=gtin]');
    await page.waitForFunction((el) => el.textContent.trim() !== '', await slot.elementHandle());
    await shot(page, 'producer-bad-gtin');
    check('a bad GTIN: the rule is shown next to the field', (await slot.textContent()).trim() !== '');
    equal('a bad GTIN: the field is marked invalid', await form.locator('[name=gtin]').getAttribute('aria-invalid'), 'true');
    equal('a bad GTIN: nothing is created', await productCount(page), before);
    check('a bad GTIN: no row for it', (await page.locator('table#products').textContent()).indexOf('Sản phẩm GTIN sai') < 0);
}

async function register(page) {
    await page.locator('form#product-form').evaluate((f) => f.reset());
    const form = await fillProduct(page, PRODUCT);
    const answer = await answerTo(page, 'POST', /^\/api\/v1\/products$/, () => form.locator('button[type=submit]').click());
    equal('the product is registered: 201', answer.status(), 201);
    const product = await answer.json();
    const row = page.locator(`table#products tr[data-product-id="${product.id}"]`);
    await row.waitFor();
    await shot(page, 'producer-registered');
    check('the products table shows it', (await row.textContent()).includes(PRODUCT.name));
    check('the gtin error is cleared', (await form.locator('[data-error-for=gtin]').textContent()).trim() === '');
    return product;
}

async function openProduct(page, product) {
    await page.locator(`table#products tr[data-product-id="${product.id}"] .open-product`).click();
    await page.locator('section#product-detail').waitFor({ state: 'visible' });
    await page.waitForSelector('#law-ready:visible, #law-check li', { timeout: 10000 });
    await shot(page, 'producer-product-open');
    check('a complete product is ready for labels', await page.locator('#law-ready').isVisible(),
        await page.locator('#law-check').textContent());
}

async function createLot(page, product) {
    const form = page.locator('form#lot-form');
    await form.locator('[name=code]').fill(LOT.code);
    await form.locator('[name=produced]').fill(LOT.produced);
    await form.locator('[name=expires]').fill(LOT.expires);
    const answer = await answerTo(page, 'POST', new RegExp(`^/api/v1/products/${product.id}/lots$`),
        () => form.locator('button[type=submit]').click());
    equal('the lot is created: 201', answer.status(), 201);
    const lot = await answer.json();
    const row = page.locator(`table#lots tr[data-lot-id="${lot.id}"]`);
    await row.waitFor();
    check('the lots table shows it', (await row.textContent()).includes(LOT.code));
    return lot;
}

async function allocate(page, lot) {
    const form = page.locator('form#serials-form');
    await form.locator('select[name=lot_id]').selectOption(String(lot.id));
    await form.locator('input[name=count]').fill(String(COUNT));
    const answer = await answerTo(page, 'POST', new RegExp(`^/api/v1/lots/${lot.id}/serials$`),
        () => form.locator('button[type=submit]').click());
    equal('24 serials are allocated', answer.status(), 201);
    const result = page.locator('#serials-result');
    await result.waitFor({ state: 'visible' });
    await page.waitForFunction(() => /\d/.test(document.querySelector('#serials-result').textContent));
    await shot(page, 'producer-serials');
    check('the page says how many', (await result.textContent()).includes(String(COUNT)), await result.textContent());
    const row = page.locator(`table#lots tr[data-lot-id="${lot.id}"]`);
    await page.waitForFunction((el) => el.textContent.includes('24'), await row.elementHandle());
    const body = await answer.json();
    return (body.serials || []).map((s) => s.uri).filter(Boolean);
}

async function download(page, lot) {
    const form = page.locator('form#labels-form');
    await form.locator('select[name=lot_id]').selectOption(String(lot.id));
    await form.locator('select[name=sheet]').selectOption(SHEET);
    const link = page.locator('a#labels-download');
    await page.waitForFunction(({ id, sheet }) => {
        const href = document.querySelector('a#labels-download')?.getAttribute('href') || '';
        return href.includes(`/lots/${id}/labels.pdf`) && href.includes(`sheet=${sheet}`);
    }, { id: lot.id, sheet: SHEET });
    check('the download link has a download attribute', (await link.getAttribute('download')) !== null);
    const preview = page.locator('img#label-preview');
    check('the preview shows the chosen lot and sheet',
        /\/lots\/\d+\/label\.png\?.*sheet=a4-3x8/.test((await preview.getAttribute('src')) || ''));
    await page.waitForFunction(() => document.querySelector('img#label-preview')?.naturalWidth > 0);
    await shot(page, 'producer-labels');
    const [file] = await Promise.all([page.waitForEvent('download', { timeout: 30000 }), link.click()]);
    const pdf = join(scratch, 'labels.pdf');
    const failure = await saveDownload(file, pdf);
    check('the download is a PDF', isPdf(pdf), failure);
    return pdf;
}

function linkPattern() {
    const lot = encodeURIComponent(LOT.code);
    const expiry = LOT.expires.slice(2).replaceAll('-', '');
    return new RegExp(`^https?://[^/]+/01/${PRODUCT.gtin}/10/${lot}/21/([0-9A-HJKMNP-TV-Z]{10})\\?17=${expiry}$`);
}

async function checkCodes(pdf, allocated) {
    const codes = await labelCodes(pdf, SHEET);
    const read = codes.filter(Boolean);
    equal('the sheet holds 24 readable codes', read.length, COUNT);
    equal('the 24 codes are all different', new Set(read).size, COUNT);
    const pattern = linkPattern();
    const strangers = read.filter((code) => !pattern.test(code));
    check('each code is a Digital Link of the lot', strangers.length === 0, strangers[0]);
    if (allocated.length) {
        const missing = read.filter((code) => !allocated.includes(code));
        check('each code is one of the serials allocated', missing.length === 0, missing[0]);
    }
    return read;
}

/* The preview the page shows is a label of one of the lot's units. */
async function previewCode(page, allocated) {
    const src = await page.locator('img#label-preview').getAttribute('src');
    const answer = await page.context().request.get(new URL(src, page.url()).href, { timeout: 10000 });
    equal('the preview is a PNG', answer.headers()['content-type'], 'image/png');
    const png = join(scratch, 'preview.png');
    writeFileSync(png, await answer.body());
    const [code] = await zbar(png, 'qrcode');
    check('the preview\'s code is one of the lot\'s units', code && allocated.includes(code), code);
}

/* producerTests: returns what the consumer's scenario needs (the units' links). */
export async function producerTests(browser, fx) {
    const context = await newContext(browser, fx.base, { viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, fx.users.producer, PASSWORDS.producer);
    equal('the producer signs in to /producer', new URL(page.url()).pathname, '/producer');
    await page.locator('form#product-form').waitFor();
    await badGtin(page);
    const product = await register(page);
    await openProduct(page, product);
    const lot = await createLot(page, product);
    const allocated = await allocate(page, lot);
    const pdf = await download(page, lot);
    await previewCode(page, allocated);
    const codes = await checkCodes(pdf, allocated);
    return { product, lot, links: allocated.length ? allocated : codes };
}
