// Every page at 360 px wide (a small phone): the sign-in page, the
// producer's and the officer's pages load their content and need no
// sideways scrolling.
import { check, equal, newContext, shot, signIn } from './harness.mjs';
import { PASSWORDS } from './fixtures.mjs';

const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

async function fits(page, name) {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(`${name} at 360 px: no sideways scrolling`, width <= 360, `the page is ${width} px wide`);
}

async function signedIn(browser, fx, name, password, path, ready) {
    const context = await newContext(browser, fx.base, PHONE);
    const page = await context.newPage();
    if (name) {
        await signIn(page, name, password);
        equal(`${path} at 360 px: signed in`, new URL(page.url()).pathname, path);
    } else {
        await page.goto(path);
    }
    await page.locator(ready).first().waitFor();
    await shot(page, `narrow${path.replace('/', '-')}`);
    await fits(page, path);
}

export async function narrowTests(browser, fx) {
    await signedIn(browser, fx, '', '', '/sign-in', 'form#sign-in');
    await signedIn(browser, fx, fx.users.producer, PASSWORDS.producer, '/producer', 'table#products tbody tr');
    await signedIn(browser, fx, fx.users.officer, PASSWORDS.officer, '/officer', 'table#certificates tbody tr');
}
