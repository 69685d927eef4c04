// The scan page worth opening, on a 360 px phone: a product with two
// photos (a landscape and a portrait PNG made by rsvg-convert, uploaded
// through the API as a producer would), its story and where to buy. Each
// photo loads (naturalWidth > 0), keeps its place before it loads (the box
// has the photo's proportions), fits the screen, and the page needs no
// sideways scrolling; the buyer follows the switch to English and back.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiOk, check, equal, gtin14, newContext, run, scratch, shot, WAIT_MS } from './harness.mjs';

const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/* A PNG of WIDTH x HEIGHT: bands of colour and a circle. */
async function png(name, width, height) {
    const svg = join(scratch, `${name}.svg`), file = join(scratch, `${name}.png`);
    writeFileSync(svg, `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">`
        + `<rect width="${width}" height="${height}" fill="#2f6b3a"/>`
        + `<rect y="${height / 2}" width="${width}" height="${height / 2}" fill="#e9c46a"/>`
        + `<circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 3}" fill="#b23a48"/></svg>`);
    const got = await run('rsvg-convert', [svg, '-o', file]);
    if (got.code !== 0) throw new Error(`rsvg-convert: ${got.stderr}`);
    return readFileSync(file);
}

async function upload(fx, productId, bytes) {
    const answer = await fetch(`${fx.base}/api/v1/products/${productId}/photos`, {
        method: 'POST', body: bytes, signal: AbortSignal.timeout(WAIT_MS),
        headers: { Authorization: `Bearer ${fx.admin}`, 'Content-Type': 'image/png' },
    });
    const json = await answer.json();
    if (answer.status !== 201) throw new Error(`photo upload: ${answer.status} ${JSON.stringify(json)}`);
    return json;
}

async function productWithPhotos(fx) {
    const product = await apiOk(201, fx.base, fx.admin, 'POST', '/api/v1/products', {
        producer_id: fx.producers.cooperative, name: 'Thanh long ruột đỏ Hàm Thuận', group: 'food',
        gtin: gtin14('893123450016'), net_quantity: '1 kg', ingredients: 'Thanh long', origin: 'Việt Nam',
        usage: 'Ăn tươi', storage: 'Nơi thoáng mát', name_en: 'Ham Thuan red dragon fruit',
        story: 'Thanh long được trồng trên đất cát Hàm Thuận Bắc, chiếu đèn vào mùa nghịch.\nHái chín cây.',
        story_en: 'Grown on the sandy soil of Ham Thuan Bac, lit at night out of season.',
        where_to_buy: [{ title: 'Cửa hàng HTX Hàm Thuận', href: 'https://htx-hamthuan.example.vn/thanh-long' }],
    });
    const wide = await upload(fx, product.id, await png('wide', 2400, 1600));
    const tall = await upload(fx, product.id, await png('tall', 1200, 1600));
    return { path: `/01/${product.gtin}`, photos: [wide, tall] };
}

/* Whether an img has loaded, waiting for it (it may load lazily). */
async function loaded(page, img) {
    await img.scrollIntoViewIfNeeded();
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle(), { timeout: WAIT_MS });
    return img.evaluate((el) => ({ natural: [el.naturalWidth, el.naturalHeight], attrs: [el.width, el.height] }));
}

async function fits(page, name) {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(`${name}: no sideways scrolling at 360 px`, width <= 360, `the page is ${width} px wide`);
}

export async function photosTests(browser, fx) {
    const unit = await productWithPhotos(fx);
    equal('the photos are scaled for phones', unit.photos.map((p) => `${p.width}x${p.height}`).join(' '), '1080x720 810x1080');
    const context = await newContext(browser, fx.base, PHONE);
    const page = await context.newPage();
    const answer = await page.goto(unit.path);
    equal('the scan page: 200', answer && answer.status(), 200);
    equal('the scan page: in Vietnamese for a vi-VN phone', await page.getAttribute('html', 'lang'), 'vi');
    const imgs = page.locator('.photos img');
    equal('both photos on the page', await imgs.count(), 2);
    // Before loading, each box already has its photo's proportions.
    const first = await imgs.nth(1).boundingBox();
    check('a photo not yet loaded keeps its place', first && first.height > first.width,
        `the portrait photo's box is ${JSON.stringify(first)} before it loads`);
    for (let i = 0; i < 2; i++) {
        const got = await loaded(page, imgs.nth(i));
        const want = unit.photos[i];
        equal(`photo ${i + 1} loaded at its size`, got.natural.join('x'), `${want.width}x${want.height}`);
        const box = await imgs.nth(i).boundingBox();
        check(`photo ${i + 1} fits the screen`, box && box.x >= 0 && box.x + box.width <= 360 && box.width > 50, JSON.stringify(box));
        check(`photo ${i + 1} keeps its proportions`, box && Math.abs(box.height / box.width - want.height / want.width) < 0.02,
            `${JSON.stringify(box)} for ${want.width}x${want.height}`);
    }
    check('the story is shown', (await page.locator('.story p').textContent()).includes('đất cát Hàm Thuận Bắc'));
    const buy = page.locator('.buy a');
    equal('where to buy: the producer\'s link', await buy.getAttribute('href'), 'https://htx-hamthuan.example.vn/thanh-long');
    check('where to buy: the link is shown', await buy.isVisible());
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'photos-vi');
    await fits(page, 'the page with photos');

    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('header a[hreflang=en]')]);
    equal('the switch: English', await page.getAttribute('html', 'lang'), 'en');
    equal('English: the English name', (await page.locator('h1').textContent()).trim(), 'Ham Thuan red dragon fruit');
    check('English: the English story', (await page.locator('.story p').textContent()).includes('sandy soil'));
    equal('English: where to buy', (await page.locator('#buy-title').textContent()).trim(), 'Where to buy');
    equal('English: the photos too', await page.locator('.photos img').count(), 2);
    await loaded(page, page.locator('.photos img').first());
    await shot(page, 'photos-en');
    await fits(page, 'the English page');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('header a[hreflang=vi]')]);
    equal('the switch back: Vietnamese', await page.getAttribute('html', 'lang'), 'vi');
}
