// A recall on the scan page, at 360 px: a producer, its growing area
// (VietGAP), an input harvested there, a product, a lot made from the input
// with its journal (processing, packing), units and a shipment, all made
// through the API. Before any recall a unit's page tells the journey in
// order (area, harvest, processing, packing, shipping) and shows no recall;
// once the input is recalled, a unit of the lot opens with the recall notice
// (red, above the verdict and the product's name, with the reason, what to
// do and the date, within the screen) while the verdict still says the
// serial is genuine, with JavaScript and without; the English page has the
// English title; a unit of an unrelated lot shows no recall.
import { apiOk, check, equal, gtin14, newContext, shot } from './harness.mjs';

const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

const AREA = {
    name: 'Vùng khai thác cá cơm Mũi Né', code: 'BTH-MN-E2E', locality: 'Phường Mũi Né, Phan Thiết',
    crop: 'Cá cơm', area_ha: 8.5, certifications: ['VietGAP'],
};
const EVENTS = [
    { step: 'processing', at: '2025-03-04T07:30:00+07:00', place: 'Xưởng chế biến Mũi Né',
        label: 'Chế biến', en: 'Processing', day: '04/03/2025' },
    { step: 'packing', at: '2025-03-05T14:00:00+07:00', place: 'Kho đóng gói Phan Thiết',
        label: 'Đóng gói', en: 'Packing', day: '05/03/2025' },
];
const HARVESTED = { date: '2025-03-02', day: '02/03/2025' };
const SHIPPED = { date: '2025-03-07', day: '07/03/2025' };
const RECALL = {
    reason: 'Phát hiện histamin vượt ngưỡng trong lô cá cơm nguyên liệu',
    action: 'Ngừng sử dụng, mang sản phẩm về nơi mua để được hoàn tiền',
};
const TITLE = {
    vi: 'Sản phẩm đang bị thu hồi — không sử dụng',
    en: 'This product is being recalled — do not use it',
};

/* DD/MM/YYYY of an ISO date or date-time. */
const dayOf = (iso) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

/* The chain, through the API as an admin and an officer would enter it:
 * the recalled lot's units and one unit of an unrelated lot, as paths. */
async function chain(fx) {
    const as = (want, method, path, body) => apiOk(want, fx.base, fx.admin, method, path, body);
    const producer = await as(201, 'POST', '/api/v1/producers', {
        name: 'HTX Hải sản Mũi Né', kind: 'cooperative', phone: '0252 3847 456',
        address: 'Khu phố 14, phường Mũi Né, TP. Phan Thiết, tỉnh Bình Thuận',
    });
    const area = await as(201, 'POST', '/api/v1/areas', { producer_id: producer.id, ...AREA });
    const input = await as(201, 'POST', '/api/v1/inputs', {
        producer_id: producer.id, code: 'CC-MN-0302', material: 'Cá cơm tươi', quantity: 500, unit: 'kg',
        harvested: HARVESTED.date, received: '2025-03-03', area_id: area.id,
    });
    const product = await as(201, 'POST', '/api/v1/products', {
        producer_id: producer.id, name: 'Nước mắm cá cơm Mũi Né 35 độ đạm', group: 'food',
        gtin: gtin14('893123450023'), net_quantity: '500 ml', ingredients: 'Cá cơm, muối biển',
        origin: 'Việt Nam', usage: 'Dùng trực tiếp', storage: 'Nơi khô ráo, thoáng mát',
    });
    const lot = await as(201, 'POST', `/api/v1/products/${product.id}/lots`,
        { code: 'MN2503', produced: '2025-03-05', expires: '2027-03-05' });
    await as(201, 'POST', `/api/v1/lots/${lot.id}/inputs`, { input_id: input.id, quantity: 200 });
    for (const { step, at, place } of EVENTS) await as(201, 'POST', `/api/v1/lots/${lot.id}/events`, { step, at, place });
    const issued = await as(201, 'POST', `/api/v1/lots/${lot.id}/serials`, { count: 6 });
    await as(201, 'POST', '/api/v1/shipments', {
        producer_id: producer.id, to: { name: 'Siêu thị Co.opmart Phan Thiết', address: '1 Trần Hưng Đạo, Phan Thiết' },
        shipped: SHIPPED.date, lots: [{ lot_id: lot.id, units: 2 }],
    });
    // A lot of the same product made from nothing of the input's.
    const other = await as(201, 'POST', `/api/v1/products/${product.id}/lots`,
        { code: 'MN2504', produced: '2025-04-01', expires: '2027-04-01' });
    const otherIssued = await as(201, 'POST', `/api/v1/lots/${other.id}/serials`, { count: 1 });
    const path = (s) => new URL(s.uri).pathname;
    return { product, input, lot, units: issued.serials.map(path), stranger: path(otherIssued.serials[0]) };
}

async function open(page, path, name) {
    const answer = await page.goto(path);
    equal(`${name}: 200`, answer && answer.status(), 200);
    await page.locator('.verdict').first().waitFor({ state: 'visible' });
}

async function fits(page, name) {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(`${name}: no sideways scrolling at 360 px`, width <= 360, `the page is ${width} px wide`);
}

async function genuine(page, name) {
    check(`${name}: the verdict is still genuine`, await page.locator('.verdict.verdict-genuine').isVisible(),
        await page.locator('.verdict').first().getAttribute('class'));
}

async function noRecall(page, name) {
    const notice = page.locator('main .recall');
    equal(`${name}: the recall notice is in the page, switched off`, await notice.getAttribute('class'), 'recall recall-off');
    check(`${name}: no recall notice visible`, !(await notice.isVisible()));
    check(`${name}: no visible alert`, !(await page.locator('[role=alert]:visible').count()));
}

/* The journey's items as [label, rest of the text]. */
async function journeyItems(page) {
    return page.locator('.journey ol > li').evaluateAll((items) => items.map((li) => [
        (li.querySelector('strong')?.textContent || '').trim(),
        li.textContent.replace(li.querySelector('strong')?.textContent || '', '').replace(/\s+/g, ' ').trim(),
    ]));
}

async function journey(page, name) {
    check(`${name}: the journey is shown`, await page.locator('section.card.journey').isVisible());
    const items = await journeyItems(page);
    equal(`${name}: the journey's steps in order`, items.map(([label]) => label).join(' | '),
        ['Vùng nguyên liệu', 'Thu hoạch', ...EVENTS.map((e) => e.label), 'Xuất hàng'].join(' | '));
    const [area = [], harvest = [], processing = [], packing = [], shipped = []] = items;
    check(`${name}: the growing area's code`, (area[1] || '').startsWith(AREA.code), area[1]);
    check(`${name}: the growing area's name`, (area[1] || '').includes(AREA.name), area[1]);
    check(`${name}: the growing area's certification`, (area[1] || '').includes('VietGAP'), area[1]);
    equal(`${name}: the harvest date`, harvest[1], HARVESTED.day);
    for (const [i, got] of [processing, packing].entries()) {
        const want = EVENTS[i];
        equal(`${name}: ${want.step}: date and place`, got[1], `${want.day} ${want.place}`);
    }
    equal(`${name}: the first shipping date`, shipped[1], SHIPPED.day);
}

/* The recall notice of the page PAGE is shown first, red, complete, within the screen. */
async function recallShown(page, name, since, lang = 'vi') {
    const notice = page.locator('main .recall');
    await notice.waitFor({ state: 'visible' });
    equal(`${name}: the notice is switched on`, await notice.getAttribute('class'), 'recall recall-on');
    equal(`${name}: the notice is an alert`, await notice.getAttribute('role'), 'alert');
    check(`${name}: the notice comes first in main`,
        await page.evaluate(() => document.querySelector('main').firstElementChild?.classList.contains('recall')));
    equal(`${name}: the title`, ((await notice.locator('h2').textContent()) || '').trim(), TITLE[lang]);
    const text = ((await notice.textContent()) || '').replace(/\s+/g, ' ');
    check(`${name}: the reason`, text.includes(RECALL.reason), text);
    check(`${name}: what to do`, text.includes(RECALL.action), text);
    check(`${name}: the date`, text.includes(dayOf(since)), `${text} (want ${dayOf(since)})`);
    const box = await notice.boundingBox();
    const verdict = await page.locator('.verdict').first().boundingBox();
    const heading = await page.locator('h1').boundingBox();
    check(`${name}: the notice is above the verdict`, box && verdict && box.y + box.height <= verdict.y,
        `notice ${JSON.stringify(box)}, verdict ${JSON.stringify(verdict)}`);
    check(`${name}: the notice is above the product's name`, box && heading && box.y + box.height <= heading.y,
        `notice ${JSON.stringify(box)}, name ${JSON.stringify(heading)}`);
    check(`${name}: the notice is within the screen`, box && box.x >= 0 && box.x + box.width <= 360 && box.y < 740,
        JSON.stringify(box));
    const colour = await notice.evaluate((el) => getComputedStyle(el).backgroundColor);
    const [r, g, b, a = 1] = (colour.match(/[\d.]+/g) || []).map(Number);
    check(`${name}: a red background`, a > 0.9 && r >= 120 && r > 2 * g && r > 2 * b, colour);
    await fits(page, name);
    await genuine(page, name);
}

export async function recallTests(browser, fx) {
    const made = await chain(fx);
    const context = await newContext(browser, fx.base, PHONE);
    const page = await context.newPage();

    await open(page, made.units[0], 'before the recall');
    await shot(page, 'recall-before');
    await journey(page, 'before the recall');
    await noRecall(page, 'before the recall');
    await genuine(page, 'before the recall');
    await fits(page, 'before the recall');

    const recall = await apiOk(201, fx.base, fx.users.officerToken, 'POST', `/api/v1/inputs/${made.input.id}/recall`, RECALL);
    check('the recall reaches the lot made from the input',
        (recall.lots || []).some((l) => l.lot_id === made.lot.id), JSON.stringify(recall.lots));

    await open(page, made.units[1], 'a recalled unit');
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'recall-notice');
    await recallShown(page, 'a recalled unit', recall.since);
    check('a recalled unit: the product is still named', ((await page.textContent('h1')) || '').includes(made.product.name));
    await journey(page, 'a recalled unit');

    const noScript = await newContext(browser, fx.base, { ...PHONE, javaScriptEnabled: false });
    const bare = await noScript.newPage();
    await open(bare, made.units[2], 'a recalled unit without JavaScript');
    await shot(bare, 'recall-notice-no-javascript');
    await recallShown(bare, 'a recalled unit without JavaScript', recall.since);

    await open(page, `${made.units[3]}?lang=en`, 'a recalled unit in English');
    await shot(page, 'recall-notice-en');
    equal('a recalled unit in English: the page is English', await page.getAttribute('html', 'lang'), 'en');
    await recallShown(page, 'a recalled unit in English', recall.since, 'en');
    equal('a recalled unit in English: the journey\'s steps',
        (await journeyItems(page)).map(([label]) => label).join(' | '),
        ['Growing area', 'Harvest', ...EVENTS.map((e) => e.en), 'Shipped'].join(' | '));

    await open(page, made.stranger, 'a unit of an unrelated lot');
    await shot(page, 'recall-unrelated-lot');
    await noRecall(page, 'a unit of an unrelated lot');
    await genuine(page, 'a unit of an unrelated lot');
    check('a unit of an unrelated lot: no journey to tell', !(await page.locator('section.journey').isVisible()));
}
