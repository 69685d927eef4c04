// A scratch-off PIN (tem cào) on a 360 px phone: the buyer scans a unit of
// a product with scratch_pin, types the PIN under the scratch-off layer and
// sees "first verification"; a second buyer (another browser, no cookies)
// types the same PIN and is told when it was verified before; a wrong PIN
// and a PIN of the wrong form are each named. The form needs no script.
import { apiOk, check, equal, newContext, shot, gtin14 } from './harness.mjs';

const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/* A product with scratch_pin, a lot and two units, made through the API. */
async function pinnedUnits(fx) {
    const product = await apiOk(201, fx.base, fx.admin, 'POST', '/api/v1/products', {
        producer_id: fx.producers.cooperative, name: 'Yến sào Hàm Tiến hộp 100 g', group: 'food',
        gtin: gtin14('893123450009'), net_quantity: '100 g', ingredients: 'Yến sào',
        origin: 'Việt Nam', usage: 'Chưng cách thủy', storage: 'Nơi khô ráo', scratch_pin: true,
    });
    const lot = await apiOk(201, fx.base, fx.admin, 'POST', `/api/v1/products/${product.id}/lots`,
        { code: 'YS2025', produced: '2025-05-01', expires: '2027-05-01' });
    const issued = await apiOk(201, fx.base, fx.admin, 'POST', `/api/v1/lots/${lot.id}/serials`, { count: 2 });
    return issued.serials.map((s) => ({ path: new URL(s.uri).pathname, pin: s.pin }));
}

/* Types PIN into the scan page's form and sends it, as a person would. */
async function enter(page, pin) {
    await page.fill('#pin-input', pin);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('.pin button[type=submit]')]);
    const result = page.locator('.pin-result');
    return { className: (await result.getAttribute('class')) || '', text: ((await result.textContent()) || '').trim() };
}

async function fits(page, name) {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(`${name}: no sideways scrolling at 360 px`, width <= 360, `the page is ${width} px wide`);
}

async function firstBuyer(browser, fx, unit) {
    const context = await newContext(browser, fx.base, { ...PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    const answer = await page.goto(unit.path);
    equal('the scan page of a PIN unit: 200', answer && answer.status(), 200);
    const form = page.locator('.pin form');
    check('the PIN form is shown', await form.isVisible());
    const box = await page.locator('#pin-input').boundingBox();
    check('the PIN field is readable at 360 px', box && box.width >= 200 && box.height >= 32 && box.x >= 0 && box.x + box.width <= 360,
        JSON.stringify(box));
    await shot(page, 'pin-form');
    await fits(page, 'the PIN form');
    const got = await enter(page, `${unit.pin.slice(0, 4)} ${unit.pin.slice(4)}`);
    await shot(page, 'pin-first');
    check('the first buyer: genuine, first verification', got.className.includes('pin-result-first') &&
        got.text.includes('Chính hãng: đây là lần xác thực đầu tiên'), got.text);
    await fits(page, 'the first verification');
}

async function secondBuyer(browser, fx, unit) {
    const context = await newContext(browser, fx.base, PHONE);
    const page = await context.newPage();
    await page.goto(unit.path);
    const got = await enter(page, unit.pin);
    await shot(page, 'pin-again');
    check('a second buyer: already verified, when, and what it may mean', got.className.includes('pin-result-again') &&
        /đã được xác thực lúc \d\d:\d\d ngày \d\d\/\d\d\/\d{4}/.test(got.text) &&
        got.text.includes('nếu không phải bạn, sản phẩm có thể là hàng giả'), got.text);
    await fits(page, 'an earlier verification');
}

async function mistakes(browser, fx, unit) {
    const context = await newContext(browser, fx.base, PHONE);
    const page = await context.newPage();
    await page.goto(unit.path);
    const wrong = String((Number(unit.pin) + 1) % 100000000).padStart(8, '0');
    let got = await enter(page, wrong);
    await shot(page, 'pin-wrong');
    check('a wrong PIN: said so, with the tries left', got.className.includes('pin-result-wrong') &&
        got.text.includes('Mã PIN không đúng') && got.text.includes('Còn 4 lần'), got.text);
    got = await enter(page, '12 34');
    check('a PIN of the wrong form: the rule named', got.className.includes('pin-result-invalid') &&
        got.text.includes('8 chữ số') && got.text.includes('4 chữ số'), got.text);
    got = await enter(page, unit.pin);
    check('after a mistake, the right PIN still verifies first', got.className.includes('pin-result-first'), got.text);
}

export async function pinTests(browser, fx) {
    const units = await pinnedUnits(fx);
    equal('two units with PINs', units.filter((u) => /^\d{8}$/.test(u.pin)).length, 2);
    await firstBuyer(browser, fx, units[0]);
    await secondBuyer(browser, fx, units[0]);
    await mistakes(browser, fx, units[1]);
}
