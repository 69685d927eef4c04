// An officer's work in the browser: signs in; records an evaluation, the
// total and the stars following the scores as they are typed; issues the
// certificate and downloads it (a PDF whose text has the certificate's
// number); revokes another certificate, made beforehand through the API,
// with a reason, after which its row reads "Đã thu hồi".
import { join } from 'node:path';
import { check, equal, newContext, shot, signIn, scratch, api, saveDownload, answerTo } from './harness.mjs';
import { PASSWORDS } from './fixtures.mjs';
import { isPdf, pdfText } from './pdf.mjs';

const NUMBER = 'OCOP-BTh-2025-0142';
const DECISION = {
    decision_number: '1142/QĐ-UBND', decision_date: '2025-08-15', issuer: 'Ủy ban nhân dân tỉnh Bình Thuận',
    signer_title: 'KT. CHỦ TỊCH', signer_name: 'Trần Thị B',
};
/* Typed one after another: the total and stars after each. */
const SCORES = [['score_a', '34', '34', '2'], ['score_b', '20', '54', '3'], ['score_c', '28', '82', '4']];

/* Waits until SELECTOR's text holds WANT (as a number); false after the wait's limit. */
async function shows(page, selector, want) {
    try {
        await page.waitForFunction(({ selector, want }) => {
            const text = document.querySelector(selector)?.textContent || '';
            return (text.match(/\d+/) || [''])[0] === want;
        }, { selector, want }, { timeout: 3000 });
        return true;
    } catch {
        return false;
    }
}

async function typeScores(page, form) {
    for (const [name, value, total, stars] of SCORES) {
        await form.locator(`[name=${name}]`).pressSequentially(value);
        check(`after ${name} ${value}: the total reads ${total}`, await shows(page, 'output#score-total', total),
            await page.textContent('output#score-total'));
        check(`after ${name} ${value}: the stars read ${stars}`, await shows(page, '#score-stars', stars),
            await page.textContent('#score-stars'));
    }
}

async function evaluate(page, product) {
    const form = page.locator('form#evaluation-form');
    await page.waitForSelector(`form#evaluation-form select[name=product_id] option[value="${product.id}"]`, { state: 'attached' });
    await form.locator('select[name=product_id]').selectOption(String(product.id));
    await form.locator('[name=number]').fill(NUMBER);
    for (const [name, value] of Object.entries(DECISION)) await form.locator(`[name=${name}]`).fill(value);
    await form.locator('select[name=level]').selectOption('province');
    await typeScores(page, form);
    await shot(page, 'officer-evaluation-typed');
    const answer = await answerTo(page, 'POST', new RegExp(`^/api/v1/products/${product.id}/evaluations$`),
        () => form.locator('button[type=submit]').click());
    equal('the evaluation issues a certificate: 201', answer.status(), 201);
    const certificate = await answer.json();
    await page.locator('#evaluation-result').waitFor({ state: 'visible' });
    await shot(page, 'officer-certificate-issued');
    return certificate;
}

async function downloadCertificate(page, certificate) {
    const link = page.locator('#evaluation-result a#certificate-download');
    equal('the download link is the certificate\'s PDF', await link.getAttribute('href'), `/api/v1/certificates/${certificate.id}.pdf`);
    const [file] = await Promise.all([page.waitForEvent('download', { timeout: 30000 }), link.click()]);
    const pdf = join(scratch, 'certificate.pdf');
    const failure = await saveDownload(file, pdf);
    check('the certificate download is a PDF', isPdf(pdf), failure);
    const text = await pdfText(pdf);
    check('the certificate reads its number', text.includes(NUMBER), text.slice(0, 200));
}

async function listed(page, certificate) {
    const row = page.locator(`table#certificates tr[data-certificate-id="${certificate.id}"]`);
    await row.waitFor();
    check('the new certificate is listed', (await row.textContent()).includes(NUMBER));
}

async function revoke(page, fx) {
    const target = fx.certificate;
    const row = page.locator(`table#certificates tr[data-certificate-id="${target.id}"]`);
    await row.locator('button.revoke').click();
    const form = page.locator('form#revoke-form');
    await form.waitFor({ state: 'visible' });
    await form.locator('textarea[name=reason]').fill('Cơ sở không duy trì điều kiện sản xuất theo hồ sơ đăng ký.');
    await shot(page, 'officer-revoke-form');
    const answer = await answerTo(page, 'POST', new RegExp(`^/api/v1/certificates/${target.id}/revoke$`),
        () => form.locator('button[type=submit]').click());
    equal('the revocation is accepted', answer.status(), 200);
    await page.waitForFunction((id) => {
        const tr = document.querySelector(`table#certificates tr[data-certificate-id="${id}"]`);
        return tr && tr.textContent.toLocaleLowerCase('vi').includes('đã thu hồi');
    }, target.id);
    await shot(page, 'officer-revoked');
    check('the row reads revoked', (await row.textContent()).toLocaleLowerCase('vi').includes('đã thu hồi'));
    const stored = await api(fx.base, fx.users.officerToken, 'GET', `/api/v1/certificates/${target.id}`);
    equal('the API says revoked', stored.json && stored.json.status, 'revoked');
}

export async function officerTests(browser, fx) {
    const context = await newContext(browser, fx.base, { viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, fx.users.officer, PASSWORDS.officer);
    equal('the officer signs in to /officer', new URL(page.url()).pathname, '/officer');
    await page.locator('table#products tbody tr').first().waitFor();
    await shot(page, 'officer-home');
    const certificate = await evaluate(page, fx.toEvaluate);
    await downloadCertificate(page, certificate);
    await listed(page, certificate);
    await revoke(page, fx);
}
