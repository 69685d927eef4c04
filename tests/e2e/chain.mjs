// The chain in the browser: a producer adds a growing area (its
// certifications typed as comma-separated text) and an input lot grown
// there; on a new lot of a product, a quantity more than remains of the
// input shows the API's rule next to the quantity field and records
// nothing; then records what the lot was made from, adds a journal step
// (the page adds +07:00 to the time), ships units, and opens the trace,
// which names the area's code and certifications and the shipment's
// destination, also at 360 px. An officer then recalls the input with a
// reason and an action, after a confirmation, and the recalls list shows
// the lot made from it and where its units went.
import { check, equal, newContext, shot, signIn, pageFetch, answerTo, apiOk, api, gtin14 } from './harness.mjs';
import { PASSWORDS } from './fixtures.mjs';

const DAY_MS = 86400000;
const VIETNAM_MS = 7 * 3600000;

/* The day N days before today in Vietnam, YYYY-MM-DD (N < 0: after). */
const daysAgo = (n) => new Date(Date.now() + VIETNAM_MS - n * DAY_MS).toISOString().slice(0, 10);

const PRODUCT = {
    name: 'Nước mắm cá cơm than Hàm Tiến', group: 'food', gtin: gtin14('893123450010'),
    net_quantity: '500 ml', ingredients: 'Cá cơm than, muối biển', origin: 'Việt Nam',
    usage: 'Dùng trực tiếp hoặc pha chấm', storage: 'Nơi khô ráo, thoáng mát',
};
const AREA = {
    name: 'Vùng khai thác cá cơm Hàm Tiến', code: 'VN-BTH-HT-0125',
    locality: 'Phường Hàm Tiến, TP. Phan Thiết', crop: 'Cá cơm than', area_ha: '125.5',
    certifications: 'VietGAP,  MSC ',
};
const INPUT = {
    code: 'CC-HT-2511', material: 'Cá cơm than tươi', quantity: '400', unit: 'kg',
    harvested: daysAgo(12), received: daysAgo(11),
};
const LOT = { code: 'LCHUOI01', produced: daysAgo(10), expires: daysAgo(-720) };
const SERIALS = 12;
const EVENT = {
    step: 'processing', at: `${daysAgo(9)}T08:30`, place: 'Nhà thùng HTX Hàm Tiến',
    note: 'Ủ chượp trong thùng gỗ bời lời',
};
const SHIPMENT = {
    to_name: 'Siêu thị Co.opmart Phan Thiết', to_address: '01 Trần Hưng Đạo, TP. Phan Thiết',
    shipped: daysAgo(2), units: '5',
};
const RECALL = {
    reason: 'Mẫu cá cơm của lô nguyên liệu vượt ngưỡng histamin cho phép.',
    action: 'Ngừng sử dụng, mang sản phẩm trả lại nơi mua để được hoàn tiền.',
};

/* Waits until the text of SELECTOR is not empty; its text. */
async function textOf(page, selector) {
    await page.waitForFunction((s) => (document.querySelector(s)?.textContent || '').trim() !== '', selector);
    return (await page.locator(selector).textContent()).trim();
}

async function fill(form, values) {
    for (const [name, value] of Object.entries(values)) {
        const field = form.locator(`[name=${name}]`);
        if ((await field.evaluate((n) => n.tagName)) === 'SELECT') await field.selectOption(value);
        else await field.fill(value);
    }
}

async function addArea(page) {
    const form = page.locator('form#area-form');
    await fill(form, AREA);
    const answer = await answerTo(page, 'POST', /^\/api\/v1\/areas$/, () => form.locator('button[type=submit]').click());
    equal('the area is added: 201', answer.status(), 201);
    const area = await answer.json();
    const row = page.locator(`table#areas tr[data-area-id="${area.id}"]`);
    await row.waitFor();
    check('the areas table shows its code', (await row.textContent()).includes(AREA.code));
    equal('the certifications are the comma-separated ones', JSON.stringify(area.certifications), '["VietGAP","MSC"]');
    equal('the area in hectares is a number', area.area_ha, 125.5);
    return area;
}

async function addInput(page, area) {
    const form = page.locator('form#input-form');
    await page.waitForSelector(`form#input-form select[name=area_id] option[value="${area.id}"]`, { state: 'attached' });
    await fill(form, INPUT);
    await form.locator('input[name=source][value=area]').check();
    await form.locator('select[name=area_id]').selectOption(String(area.id));
    const answer = await answerTo(page, 'POST', /^\/api\/v1\/inputs$/, () => form.locator('button[type=submit]').click());
    equal('the input lot is added: 201', answer.status(), 201);
    const input = await answer.json();
    equal('the input lot comes from the area', input.area_id, area.id);
    const row = page.locator(`table#inputs tr[data-input-id="${input.id}"]`);
    await row.waitFor();
    await shot(page, 'chain-area-and-input');
    const text = await row.textContent();
    check('the inputs table shows its code, what remains and its area', text.includes(INPUT.code)
        && (await row.locator('.remaining').textContent()).includes('400') && text.includes(AREA.code), text);
    return input;
}

async function newLot(page, product) {
    await page.locator(`table#products tr[data-product-id="${product.id}"] .open-product`).click();
    await page.locator('section#product-detail').waitFor({ state: 'visible' });
    const form = page.locator('form#lot-form');
    await fill(form, LOT);
    const answer = await answerTo(page, 'POST', new RegExp(`^/api/v1/products/${product.id}/lots$`),
        () => form.locator('button[type=submit]').click());
    equal('the lot is created: 201', answer.status(), 201);
    const lot = await answer.json();
    const serials = page.locator('form#serials-form');
    await page.waitForSelector(`form#serials-form select[name=lot_id] option[value="${lot.id}"]`, { state: 'attached' });
    await serials.locator('select[name=lot_id]').selectOption(String(lot.id));
    await serials.locator('input[name=count]').fill(String(SERIALS));
    const issued = await answerTo(page, 'POST', new RegExp(`^/api/v1/lots/${lot.id}/serials$`),
        () => serials.locator('button[type=submit]').click());
    equal('the lot\'s units get serials: 201', issued.status(), 201);
    const row = page.locator(`table#lots tr[data-lot-id="${lot.id}"]`);
    await page.waitForFunction((tr) => tr.textContent.includes('12'), await row.elementHandle());
    await row.locator('.open-lot').click();
    await page.locator('#lot-panel').waitFor({ state: 'visible' });
    check('the lot\'s panel names the lot', (await page.locator('#lot-panel-title').textContent()).includes(LOT.code));
    return lot;
}

async function lotInputCount(page, lot) {
    const got = await pageFetch(page, 'GET', `/api/v1/lots/${lot.id}/inputs`);
    return got.json && got.json.inputs ? got.json.inputs.length : -1;
}

async function tooMuch(page, lot, input) {
    const form = page.locator('form#lot-input-form');
    await page.waitForSelector(`form#lot-input-form select[name=input_id] option[value="${input.id}"]`, { state: 'attached' });
    await form.locator('select[name=input_id]').selectOption(String(input.id));
    await form.locator('[name=quantity]').fill('500');
    const answer = await answerTo(page, 'POST', new RegExp(`^/api/v1/lots/${lot.id}/inputs$`),
        () => form.locator('button[type=submit]').click());
    equal('more than remains: the API says 422', answer.status(), 422);
    const error = (await answer.json()).error || {};
    equal('more than remains: the API names the quantity', error.field, 'quantity');
    const said = await textOf(page, 'form#lot-input-form [data-error-for=quantity]');
    await shot(page, 'chain-too-much');
    check('more than remains: the API\'s message is next to the quantity field', said.includes(error.message || '?'), said);
    check('more than remains: it says in Vietnamese what remains', /còn lại/.test(said) && said.includes('400'), said);
    equal('more than remains: the quantity field is marked invalid',
        await form.locator('[name=quantity]').getAttribute('aria-invalid'), 'true');
    equal('more than remains: the lot records no input', await lotInputCount(page, lot), 0);
    const stored = await pageFetch(page, 'GET', `/api/v1/inputs/${input.id}`);
    equal('more than remains: none of the input is used', stored.json && stored.json.used, 0);
    check('more than remains: the panel lists nothing', await page.locator('#lot-inputs li').count() === 0);
}

async function madeFrom(page, lot, input) {
    const form = page.locator('form#lot-input-form');
    await page.waitForSelector(`form#lot-input-form select[name=input_id] option[value="${input.id}"]`, { state: 'attached' });
    await form.locator('select[name=input_id]').selectOption(String(input.id));
    await form.locator('[name=quantity]').fill('300');
    const answer = await answerTo(page, 'POST', new RegExp(`^/api/v1/lots/${lot.id}/inputs$`),
        () => form.locator('button[type=submit]').click());
    equal('the lot is made from 300 kg of the input: 201', answer.status(), 201);
    await page.locator(`#lot-inputs li[data-input-id="${input.id}"]`).waitFor();
    check('the lot lists the input', (await page.textContent('#lot-inputs')).includes(INPUT.code));
    check('the quantity error is cleared', (await form.locator('[data-error-for=quantity]').textContent()).trim() === '');
    const remaining = page.locator(`table#inputs tr[data-input-id="${input.id}"] .remaining`);
    await page.waitForFunction((td) => td.textContent.includes('100'), await remaining.elementHandle());
    check('the input now has 100 kg left', (await remaining.textContent()).includes('100'));
}

async function journal(page, lot) {
    const form = page.locator('form#event-form');
    const options = await form.locator('select[name=step] option').allTextContents();
    equal('the journal offers the 7 steps in Vietnamese', options.join('|'),
        'Thu hoạch|Tiếp nhận nguyên liệu|Chế biến|Đóng gói|Kiểm tra chất lượng|Lưu kho|Khác');
    await fill(form, EVENT);
    const answer = await answerTo(page, 'POST', new RegExp(`^/api/v1/lots/${lot.id}/events$`),
        () => form.locator('button[type=submit]').click());
    equal('the journal step is added: 201', answer.status(), 201);
    const sent = answer.request().postDataJSON() || {};
    equal('the page sends the time at +07:00', sent.at, `${EVENT.at}:00+07:00`);
    const item = page.locator('#journal li[data-step=processing]');
    await item.waitFor();
    const text = await item.textContent();
    check('the journal lists the step in Vietnamese with its time and place',
        text.includes('Chế biến') && text.includes('08:30') && text.includes(EVENT.place), text);
}

async function ship(page, lot) {
    const form = page.locator('form#shipment-form');
    await fill(form, SHIPMENT);
    const answer = await answerTo(page, 'POST', /^\/api\/v1\/shipments$/, () => form.locator('button[type=submit]').click());
    equal('the shipment is recorded: 201', answer.status(), 201);
    const shipment = await answer.json();
    equal('5 units of the lot are shipped', JSON.stringify((shipment.lots || []).map((l) => [l.lot_id, l.units])),
        JSON.stringify([[lot.id, 5]]));
    await textOf(page, 'form#shipment-form .form-status');
    return shipment;
}

async function trace(page, lot) {
    const answer = await answerTo(page, 'GET', new RegExp(`^/api/v1/lots/${lot.id}/trace$`),
        () => page.locator('#show-trace').click());
    equal('the trace answers 200', answer.status(), 200);
    await page.locator('#trace .trace [data-trace=forward]').waitFor();
    await shot(page, 'chain-trace');
    const backward = await page.locator('#trace [data-trace=backward]').textContent();
    check('the trace names the input, its area\'s code and certifications', backward.includes(INPUT.code)
        && backward.includes(AREA.code) && backward.includes('VietGAP') && backward.includes('MSC'), backward);
    const forward = await page.locator('#trace [data-trace=forward]').textContent();
    check('the trace names the shipment\'s destination and units', forward.includes(SHIPMENT.to_name)
        && forward.includes(SHIPMENT.to_address) && /\b5 đơn vị/.test(forward), forward);
}

async function atPhoneWidth(page) {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.locator('#trace').scrollIntoViewIfNeeded();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    await shot(page, 'chain-trace-360');
    check('the lot\'s panel and trace at 360 px: no sideways scrolling', width <= 360, `the page is ${width} px wide`);
}

async function producerSide(browser, fx, product) {
    const context = await newContext(browser, fx.base, { viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, fx.users.producer, PASSWORDS.producer);
    equal('the producer signs in to /producer', new URL(page.url()).pathname, '/producer');
    await page.locator(`table#products tr[data-product-id="${product.id}"]`).waitFor();
    const area = await addArea(page);
    const input = await addInput(page, area);
    const lot = await newLot(page, product);
    await tooMuch(page, lot, input);
    await madeFrom(page, lot, input);
    await journal(page, lot);
    await ship(page, lot);
    await trace(page, lot);
    await atPhoneWidth(page);
    return { input, lot };
}

async function officerSide(browser, fx, input, lot) {
    const context = await newContext(browser, fx.base, { viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, fx.users.officer, PASSWORDS.officer);
    equal('the officer signs in to /officer', new URL(page.url()).pathname, '/officer');
    equal('the officer\'s page has a section "Thu hồi"', (await page.textContent('#recalls-title')).trim(), 'Thu hồi');
    const form = page.locator('form#recall-form');
    await form.waitFor({ state: 'visible' });
    const posts = [];
    page.on('request', (r) => { if (r.method() === 'POST' && /\/recall$/.test(r.url())) posts.push(r.url()); });
    await fill(form, { kind: 'input', target_id: String(input.id), ...RECALL });
    await form.locator('button[type=submit]').click();
    const confirm = form.locator('.confirm');
    await confirm.waitFor({ state: 'visible' });
    await shot(page, 'officer-recall-confirm');
    check('the confirmation names the input lot', (await confirm.textContent()).includes(INPUT.code),
        await confirm.textContent());
    equal('nothing is recalled before confirming', posts.length, 0);
    const answer = await answerTo(page, 'POST', new RegExp(`^/api/v1/inputs/${input.id}/recall$`),
        () => confirm.locator('.confirm-yes').click());
    equal('the input is recalled: 201', answer.status(), 201);
    const recall = await answer.json();
    const card = page.locator(`#recalls li[data-recall-id="${recall.id}"]`);
    await card.waitFor();
    await shot(page, 'officer-recalls');
    const text = await card.textContent();
    check('the recalls list shows the lot made from the input', text.includes(LOT.code), text);
    check('the recalls list shows the destination to notify',
        text.includes(SHIPMENT.to_name) && text.includes(SHIPMENT.to_address), text);
    check('the recalls list shows the reason and what to do', text.includes(RECALL.reason) && text.includes(RECALL.action), text);
    const traced = await api(fx.base, fx.users.officerToken, 'GET', `/api/v1/lots/${lot.id}/trace`);
    check('the API says the lot is recalled', traced.json && traced.json.recall && traced.json.recall.id === recall.id,
        traced.text.slice(0, 200));
}

/* chainTests: its own product (made through the API), area, input and lot;
   the lot is recalled at the end. */
export async function chainTests(browser, fx) {
    const product = await apiOk(201, fx.base, fx.users.officerToken, 'POST', '/api/v1/products',
        { producer_id: fx.producers.cooperative, ...PRODUCT });
    const { input, lot } = await producerSide(browser, fx, product);
    await officerSide(browser, fx, input, lot);
}
