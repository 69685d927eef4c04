// One producer cannot see another's product by editing a URL: from the
// signed-in browser, the other's product, its lots and its label check
// answer 403 and show nothing of it; the producer's own list and page never
// name it.
import { check, equal, newContext, shot, signIn } from './harness.mjs';
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
    const got = await page.evaluate((p) => fetch(p).then(async (r) => ({ status: r.status, text: await r.text() })), path);
    equal(`fetch ${path} from the page: 403`, got.status, 403);
    check(`fetch ${path} reveals nothing`, !got.text.includes(secret.name), got.text.slice(0, 200));
}

async function ownListOnly(page, secret) {
    const list = await page.evaluate(() => fetch('/api/v1/products').then((r) => r.text()));
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
    const got = await page.evaluate(async (id) => {
        const { csrf } = await fetch('/api/v1/session').then((r) => r.json());
        const answer = await fetch(`/api/v1/products/${id}`, {
            method: 'PATCH', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
            body: JSON.stringify({ name: 'Đổi tên hộ' }),
        });
        return answer.status;
    }, secret.id);
    equal('changing the other\'s product: 403', got, 403);
}

export async function isolationTests(browser, fx) {
    const context = await newContext(browser, fx.base);
    try {
        const page = await context.newPage();
        await signIn(page, fx.users.producer, PASSWORDS.producer);
        equal('the producer is signed in', new URL(page.url()).pathname, '/producer');
        const secret = fx.secret;
        await typedUrl(page, `/api/v1/products/${secret.id}`, secret);
        await fetchedByPage(page, `/api/v1/products/${secret.id}/lots`, secret);
        await fetchedByPage(page, `/api/v1/products/${secret.id}/label-check`, secret);
        await patchRefused(page, secret);
        await ownListOnly(page, secret);
    } finally {
        await context.close();
    }
}
