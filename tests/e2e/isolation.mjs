// One producer cannot see another's product by editing a URL: from the
// signed-in browser, the other's product, its lots and its label check
// answer 403 and show nothing of it; the producer's own list and page never
// name it.
import { check, equal, newContext, shot, signIn, pageFetch, sessionCsrf } from './harness.mjs';
import { PASSWORDS } from './fixtures.mjs';

async function typedUrl(page, path, secret) {
    const answer = await page.goto(path);
    await shot(page, `isolation${path.replaceAll('/', '-').replace(/[^a-z0-9-]/gi, '')}`);
    equal(`another producer's ${path}: 403`, answer && answer.status(), 403);
    const body = (await page.content()) || '';
    check(`${path} shows nothing of the other's product`,
        !body.includes(secret.name) && !body.includes(secret.gtin), body.slice(0, 200));
}

async function fetchedByPage(page, path, secret) {
    const got = await pageFetch(page, 'GET', path);
    equal(`fetch ${path} from the page: 403`, got.status, 403);
    check(`fetch ${path} reveals nothing`, !got.text.includes(secret.name), got.text.slice(0, 200));
}

async function ownListOnly(page, secret) {
    const list = (await pageFetch(page, 'GET', '/api/v1/products')).text;
    check('the producer\'s list leaves the other\'s product out',
        list.includes('"products"') && !list.includes(secret.name), list.slice(0, 200));
    await page.goto(`/producer?product=${secret.id}#product-${secret.id}`);
    await page.locator('table#products tbody tr').first().waitFor();
    await shot(page, 'isolation-producer-page');
    equal('the producer\'s page has no row for it',
        await page.locator(`tr[data-product-id="${secret.id}"]`).count(), 0);
    check('the producer\'s page never names it', !(await page.content()).includes(secret.name));
}

async function patchRefused(page, secret) {
    const got = await pageFetch(page, 'PATCH', `/api/v1/products/${secret.id}`, { name: 'Đổi tên hộ' },
        await sessionCsrf(page));
    equal('changing the other\'s product: 403', got.status, 403);
}

export async function isolationTests(browser, fx) {
    const context = await newContext(browser, fx.base);
    const page = await context.newPage();
    await signIn(page, fx.users.producer, PASSWORDS.producer);
    equal('the producer is signed in', new URL(page.url()).pathname, '/producer');
    const secret = fx.secret;
    await typedUrl(page, `/api/v1/products/${secret.id}`, secret);
    await fetchedByPage(page, `/api/v1/products/${secret.id}/lots`, secret);
    await fetchedByPage(page, `/api/v1/products/${secret.id}/label-check`, secret);
    await patchRefused(page, secret);
    await ownListOnly(page, secret);
}
