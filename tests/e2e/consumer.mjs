// A consumer's scan, on a 360 px wide phone: a unit's link (its path, on
// the daemon) shows the product and the verdict "genuine" at a glance; a
// serial that looks right but was never issued, or a product never
// registered, shows the warning; and the page works the same with
// JavaScript disabled.
import { check, equal, newContext, shot, serialWithCheck, gtin14 } from './harness.mjs';

const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

const pathOf = (link) => {
    const url = new URL(link);
    return url.pathname + url.search;
};

/* A serial of the daemon's form (check character and all) that is not in USED. */
function unissuedSerial(used) {
    for (let n = 0; ; n++) {
        const serial = serialWithCheck(`E2E${String(n).padStart(6, '0')}`);
        if (!used.includes(serial)) return serial;
    }
}

async function fitsThePhone(page, name) {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(`${name}: no sideways scrolling at 360 px`, width <= 360, `the page is ${width} px wide`);
}

async function genuine(page, link, productName, name) {
    const answer = await page.goto(pathOf(link));
    equal(`${name}: 200`, answer && answer.status(), 200);
    const verdict = page.locator('.verdict');
    await verdict.first().waitFor({ state: 'visible' });
    await shot(page, name.replaceAll(' ', '-'));
    check(`${name}: the verdict is genuine`, await page.locator('.verdict.verdict-genuine').isVisible(),
        await verdict.first().getAttribute('class'));
    check(`${name}: the product is named in the heading`, ((await page.textContent('h1')) || '').includes(productName));
    await fitsThePhone(page, name);
}

async function unknown(page, link, used) {
    const url = new URL(link);
    const serial = unissuedSerial(used);
    const path = url.pathname.replace(/\/21\/[^/]+$/, `/21/${serial}`) + url.search;
    await page.goto(path);
    const verdict = page.locator('.verdict');
    await verdict.first().waitFor({ state: 'visible' });
    await shot(page, 'consumer-unknown-serial');
    check('an unissued serial: the verdict is unknown', await page.locator('.verdict.verdict-unknown').isVisible(),
        await verdict.first().getAttribute('class'));
    const text = (await verdict.first().textContent()) || '';
    check('an unissued serial: the page warns', text.includes('Cảnh báo'), text);
    check('an unissued serial: not called genuine', (await page.locator('.verdict-genuine').count()) === 0);
}

async function unregistered(page) {
    const path = `/01/${gtin14('893999999999')}/10/L1/21/${serialWithCheck('E2E000000')}`;
    await page.goto(path);
    await page.locator('.verdict').first().waitFor({ state: 'visible' });
    await shot(page, 'consumer-unregistered-product');
    check('an unregistered product: the verdict is unknown', await page.locator('.verdict.verdict-unknown').isVisible(),
        await page.locator('.verdict').first().getAttribute('class'));
    check('an unregistered product: the page warns',
        ((await page.locator('.verdict').first().textContent()) || '').includes('Cảnh báo'));
}

export async function consumerTests(browser, fx, made) {
    const links = made.links || [];
    check('the producer\'s scenario left units to scan', links.length >= 2, `${links.length} links`);
    if (links.length < 2) return;
    const serials = links.map((l) => /\/21\/([^/?]+)/.exec(l)?.[1]);
    const phone = await newContext(browser, fx.base, PHONE);
    const page = await phone.newPage();
    await genuine(page, links[0], made.product.name, 'consumer genuine');
    await unknown(page, links[0], serials);
    await unregistered(page);
    const noScript = await newContext(browser, fx.base, { ...PHONE, javaScriptEnabled: false });
    const bare = await noScript.newPage();
    await genuine(bare, links[1], made.product.name, 'consumer without JavaScript');
}
