// The browser tests' harness: counted checks, a scratch folder, a real
// `ocoptrace serve` on a fresh database at a free loopback port (killed at
// exit), the JSON API with a token, Debian's Chromium through playwright-core,
// and a screenshot of every page visited.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '../..');
export const program = resolve(root, process.env.OCOPTRACE || './ocoptrace');
export const screenshots = join(here, 'screenshots');
export const scratch = mkdtempSync(join(tmpdir(), 'ocoptrace-e2e.'));

/* Every wait of the suite has a limit; these are the defaults. */
export const WAIT_MS = 10000;
export const NAVIGATION_MS = 15000;

// ---------- counted checks ----------

export const counts = { passed: 0, failed: 0 };

export function pass() {
    counts.passed++;
}

export function fail(name, detail = '') {
    counts.failed++;
    const more = detail ? `: ${String(detail).split('\n')[0].slice(0, 300)}` : '';
    console.log(`FAIL e2e: ${name}${more}`);
}

/* check NAME OK [DETAIL]: one check; DETAIL is printed when it fails. */
export function check(name, ok, detail = '') {
    if (ok) pass();
    else fail(name, detail);
    return Boolean(ok);
}

/* equal NAME GOT WANT */
export function equal(name, got, want) {
    return check(name, got === want, `got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

/* scenario NAME FN: runs FN; an exception (a timeout, a missing element)
 * is one failed check naming the scenario, with a screenshot of every page
 * still open, and the next scenario runs. The browser contexts FN opened
 * are closed after it. */
export async function scenario(name, fn) {
    try {
        await fn();
    } catch (error) {
        fail(`${name}: stopped`, error && error.message ? error.message : error);
        for (const context of openContexts) {
            for (const page of context.pages()) await shot(page, `${name.replace(/[^a-z0-9]+/gi, '-')}-stopped`);
        }
    }
    for (const context of openContexts) await within(10000, context.close(), 'closing a context').catch(() => {});
    openContexts.clear();
}

// ---------- programs ----------

/* run FILE ARGS [INPUT]: { code, stdout, stderr } of a program, at most 60 s. */
export function run(file, args, input) {
    return new Promise((done) => {
        const child = execFile(file, args, { timeout: 60000, maxBuffer: 64 << 20, encoding: 'utf8' },
            (error, stdout, stderr) => done({ code: error ? (error.code ?? 1) : 0, stdout, stderr }));
        if (input !== undefined) child.stdin.end(input);
    });
}

/* ocoptrace ARGS [INPUT]: the program under test; throws when it fails. */
export async function ocoptrace(args, input) {
    const got = await run(program, args, input);
    if (got.code !== 0) throw new Error(`ocoptrace ${args.join(' ')}: exit ${got.code}: ${got.stderr}`);
    return got.stdout;
}

// ---------- the daemon ----------

const daemons = new Set();

function killDaemons() {
    for (const child of daemons) {
        try { child.kill('SIGKILL'); } catch { /* already gone */ }
    }
    daemons.clear();
}

function cleanUp() {
    killDaemons();
    if (!process.env.E2E_KEEP) rmSync(scratch, { recursive: true, force: true });
}

process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
        cleanUp();
        process.exit(130);
    });
}

async function healthy(base) {
    try {
        const answer = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) });
        return answer.ok;
    } catch {
        return false;
    }
}

function exited(child) {
    return child.exitCode !== null || child.signalCode !== null;
}

/* startDaemon DB ARGS: `ocoptrace serve` at a free port; { base, child }.
 * The daemon refuses a port in use, so a few are tried. */
export async function startDaemon(db, args = []) {
    for (let attempt = 0; attempt < 5; attempt++) {
        const port = 20000 + Math.floor(Math.random() * 30000);
        const log = join(scratch, `daemon-${port}.log`);
        const child = spawn(program, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, ...args],
            { stdio: ['ignore', 'ignore', 'pipe'] });
        const lines = [];
        child.stderr.on('data', (chunk) => lines.push(chunk));
        child.on('exit', () => writeFileSync(log, Buffer.concat(lines)));
        daemons.add(child);
        const base = `http://127.0.0.1:${port}`;
        for (let i = 0; i < 50 && !exited(child); i++) {
            if (await healthy(base)) return { base, child, log: () => Buffer.concat(lines).toString() };
            await new Promise((wake) => setTimeout(wake, 100));
        }
        child.kill('SIGKILL');
        daemons.delete(child);
    }
    throw new Error('the daemon did not start');
}

/* stopDaemon DAEMON: SIGTERM, then SIGKILL after 5 s. */
export async function stopDaemon({ child }) {
    if (exited(child)) return;
    const gone = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
    daemons.delete(child);
}

/* api BASE TOKEN METHOD PATH [BODY]: { status, json, text } of the JSON API. */
export async function api(base, token, method, path, body) {
    const headers = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const answer = await fetch(base + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(WAIT_MS),
    });
    const text = await answer.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: answer.status, json, text };
}

/* apiOk: as api, throwing unless the status is WANT (a setup step). */
export async function apiOk(want, ...args) {
    const got = await api(...args);
    if (got.status !== want) throw new Error(`${args[2]} ${args[3]}: ${got.status} ${got.text}`);
    return got.json;
}

// ---------- the browser ----------

export async function launchBrowser() {
    const args = [];
    if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
    return chromium.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args,
        timeout: 30000,
    });
}

const openContexts = new Set();

/* newContext BROWSER BASE [OPTIONS]: a fresh profile (no cookies) whose
 * waits all have limits; closed when the scenario ends. */
export async function newContext(browser, base, options = {}) {
    const context = await browser.newContext({ baseURL: base, acceptDownloads: true, locale: 'vi-VN', ...options });
    openContexts.add(context);
    context.setDefaultTimeout(WAIT_MS);
    context.setDefaultNavigationTimeout(NAVIGATION_MS);
    return context;
}

export function clearScreenshots() {
    rmSync(screenshots, { recursive: true, force: true });
    mkdirSync(screenshots, { recursive: true });
}

let shots = 0;
/* shot PAGE NAME: a full-page screenshot, tests/e2e/screenshots/NN-NAME.png.
 * Never fails a test: a page that cannot be captured is reported aside. */
export async function shot(page, name) {
    shots++;
    const file = join(screenshots, `${String(shots).padStart(2, '0')}-${name}.png`);
    try {
        await page.screenshot({ path: file, fullPage: true, timeout: WAIT_MS });
    } catch (error) {
        console.log(`e2e: no screenshot ${name}: ${error.message.split('\n')[0]}`);
    }
    return file;
}

export function screenshotCount() {
    try { return readdirSync(screenshots).filter((f) => f.endsWith('.png')).length; } catch { return 0; }
}

/* Waits for the API answer to METHOD PATH (a RegExp on the URL's path) while ACT runs. */
export async function answerTo(page, method, path, act) {
    const [answer] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === method && path.test(new URL(r.url()).pathname)),
        act(),
    ]);
    return answer;
}

/* signIn PAGE NAME PASSWORD: fills the sign-in form as a person would and
 * waits for the answer to the form's POST; returns that response. */
export async function signIn(page, name, password) {
    await page.goto('/sign-in');
    await page.fill('form#sign-in input[name=name]', name);
    await page.fill('form#sign-in input[name=password]', password);
    const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/sign-in') && r.request().method() === 'POST'),
        page.click('form#sign-in button[type=submit]'),
    ]);
    await page.waitForLoadState('load');
    return answer;
}

// ---------- identifiers ----------

/* gtin14 DIGITS: a GTIN-14 from 12 or 13 digits, its check digit computed. */
export function gtin14(digits) {
    const body = digits.padStart(13, '0');
    let sum = 0;
    for (let i = 0; i < 13; i++) sum += Number(body[12 - i]) * (i % 2 === 0 ? 3 : 1);
    return body + String((10 - (sum % 10)) % 10);
}

const SERIAL_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/* serial PAYLOAD: a serial as the daemon makes them, 9 characters of its
 * alphabet and a Luhn mod 32 check character (labels/serial.c). */
export function serialWithCheck(payload) {
    let sum = 0;
    let factor = 2;
    for (let i = payload.length - 1; i >= 0; i--) {
        const addend = factor * SERIAL_ALPHABET.indexOf(payload[i]);
        factor = factor === 2 ? 1 : 2;
        sum += Math.floor(addend / 32) + (addend % 32);
    }
    return payload + SERIAL_ALPHABET[(32 - (sum % 32)) % 32];
}

// ---------- waits with limits ----------

/* within MS PROMISE WHAT: PROMISE, or an error naming WHAT after MS. */
export function within(ms, promise, what) {
    let timer;
    const late = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/* pageFetch PAGE METHOD PATH [BODY] [CSRF]: a request made by the page's own
 * script (same origin: the session cookie goes with it), with X-CSRF-Token
 * when CSRF is given; { status, text, json }. */
export async function pageFetch(page, method, path, body, csrf) {
    const got = await within(WAIT_MS + 1000, page.evaluate(async ({ method, path, body, csrf, limit }) => {
        const headers = {};
        if (body !== undefined) headers['Content-Type'] = 'application/json';
        if (csrf) headers['X-CSRF-Token'] = csrf;
        const answer = await fetch(path, {
            method, headers, body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(limit),
        });
        return { status: answer.status, text: await answer.text() };
    }, { method, path, body, csrf, limit: WAIT_MS }), `${method} ${path} from the page`);
    let json = null;
    try { json = JSON.parse(got.text); } catch { /* not JSON */ }
    return { ...got, json };
}

/* sessionCsrf PAGE: the session's CSRF token, as the pages read it. */
export async function sessionCsrf(page) {
    const got = await pageFetch(page, 'GET', '/api/v1/session');
    return got.json && got.json.csrf;
}

/* saveDownload DOWNLOAD FILE: waits (with a limit) for it to finish. */
export async function saveDownload(download, file) {
    await within(30000, download.saveAs(file), `saving ${download.suggestedFilename()}`);
    return within(5000, download.failure(), 'the download\'s result');
}
