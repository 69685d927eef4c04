// Signing in through the form: a wrong password shows the error and leaves
// no session cookie; the right one lands on the producer's page with a
// session cookie that is HttpOnly and SameSite=Strict; a change sent with
// that cookie but without the session's CSRF token is refused (403), and
// the same change with the token is accepted.
import { check, equal, newContext, shot, signIn, pageFetch, sessionCsrf } from './harness.mjs';
import { PASSWORDS } from './fixtures.mjs';

const sessionCookie = async (context) => (await context.cookies()).find((c) => c.name === 'ocop_session');

async function wrongPassword(page, fx) {
    const answer = await signIn(page, fx.users.producer, 'không phải mật khẩu');
    await shot(page, 'sign-in-wrong-password');
    equal('a wrong password: 401', answer.status(), 401);
    const error = (await page.textContent('.form-error')) || '';
    check('a wrong password: the page says so', error.includes('Sai tên đăng nhập hoặc mật khẩu'), `.form-error reads '${error}'`);
    check('a wrong password: no session cookie', !(await sessionCookie(page.context())));
    equal('a wrong password: the name typed stays', await page.inputValue('form#sign-in input[name=name]'), fx.users.producer);
}

async function rightPassword(page, fx) {
    const answer = await signIn(page, fx.users.producer, PASSWORDS.producer);
    await shot(page, 'sign-in-producer-home');
    equal('the right password: 303', answer.status(), 303);
    equal('the producer lands on its page', new URL(page.url()).pathname, '/producer');
    const cookie = await sessionCookie(page.context());
    check('a session cookie is set', cookie, 'no ocop_session cookie');
    if (!cookie) return;
    equal('the session cookie is HttpOnly', cookie.httpOnly, true);
    equal('the session cookie is SameSite=Strict', cookie.sameSite, 'Strict');
    equal('the session cookie is for the whole site', cookie.path, '/');
    const seen = await page.evaluate(() => document.cookie);
    check('scripts cannot read the session cookie', !seen.includes('ocop_session'), seen);
}

/* A POST from the signed-in page itself (same origin, so the cookie goes
 * with it), with or without the CSRF header. */
const postFromPage = (page, body, csrf) => pageFetch(page, 'POST', '/api/v1/products', body, csrf);

async function csrfRequired(page) {
    const refused = { name: 'Sản phẩm gửi không có mã CSRF', group: 'food' };
    const got = await postFromPage(page, refused, null);
    equal('a POST with the cookie but no CSRF header: 403', got.status, 403);
    check('the refusal names the CSRF token', /"code"\s*:\s*"csrf"/.test(got.text), got.text);
    const wrong = await postFromPage(page, refused, 'not-the-token');
    equal('a POST with a wrong CSRF header: 403', wrong.status, 403);
    const csrf = await sessionCsrf(page);
    const accepted = await postFromPage(page, { name: 'Sản phẩm gửi có mã CSRF', group: 'food' }, csrf);
    equal('the same POST with the session\'s CSRF header: 201', accepted.status, 201);
    const list = (await pageFetch(page, 'GET', '/api/v1/products')).text;
    check('the refused POST created nothing', !list.includes(refused.name), list.slice(0, 200));
}

export async function signInTests(browser, fx) {
    const context = await newContext(browser, fx.base);
    const page = await context.newPage();
    await wrongPassword(page, fx);
    await rightPassword(page, fx);
    await csrfRequired(page);
}
