// The browser tests of the web pages, end to end: a real daemon on a fresh
// database, Debian's Chromium (headless) through playwright-core. Scenarios:
// signing in (signin.mjs), a producer's day (producer.mjs), a consumer's
// scan (consumer.mjs), a scratch-off PIN (pin.mjs), producers kept apart
// (isolation.mjs), an officer's work (officer.mjs), every page on a small
// phone (narrow.mjs), the scan page's photos at 360 px (photos.mjs), an OCOP
// dossier from submission to certificate (dossier.mjs). Prints
// "FAIL e2e: ..." per failed check and ends with "e2e: N passed, N failed".
// OCOPTRACE names the program (default ./ocoptrace); E2E_KEEP=1 keeps the
// scratch folder (database, PDFs, daemon log).
import {
    counts, check, fail, scenario, launchBrowser, clearScreenshots, screenshotCount, stopDaemon, scratch, within,
} from './harness.mjs';
import { setUp } from './fixtures.mjs';
import { signInTests } from './signin.mjs';
import { producerTests } from './producer.mjs';
import { consumerTests } from './consumer.mjs';
import { pinTests } from './pin.mjs';
import { isolationTests } from './isolation.mjs';
import { officerTests } from './officer.mjs';
import { narrowTests } from './narrow.mjs';
import { photosTests } from './photos.mjs';
import { recallTests } from './recall.mjs';
import { chainTests } from './chain.mjs';
import { dossierTests } from './dossier.mjs';

const SUITE_LIMIT_MS = 8 * 60 * 1000;

function finish() {
    const suite = process.env.OCOPTRACE_BACKEND === 'postgresql' ? 'e2e-postgresql' : 'e2e';
    console.log(`${suite}: ${counts.passed} passed, ${counts.failed} failed`);
    process.exit(counts.failed === 0 ? 0 : 1);
}

/* The whole suite has a limit too: past it, what is left counts as failed. */
setTimeout(() => {
    fail('the suite did not finish within its limit');
    finish();
}, SUITE_LIMIT_MS).unref();

async function main() {
    clearScreenshots();
    let fx;
    let browser;
    try {
        fx = await setUp();
        browser = await launchBrowser();
    } catch (error) {
        fail('setting up', error.message);
        return;
    }
    try {
        let made = {};
        await scenario('signing in', () => signInTests(browser, fx));
        await scenario('a producer\'s day', async () => { made = (await producerTests(browser, fx)) || {}; });
        await scenario('a consumer\'s scan', () => consumerTests(browser, fx, made));
        await scenario('a scratch-off PIN', () => pinTests(browser, fx));
        await scenario('producers kept apart', () => isolationTests(browser, fx));
        await scenario('an officer\'s work', () => officerTests(browser, fx));
        await scenario('every page at 360 px', () => narrowTests(browser, fx));
        await scenario('the scan page\'s photos at 360 px', () => photosTests(browser, fx));
        await scenario('a recall on the scan page at 360 px', () => recallTests(browser, fx));
        await scenario('the chain: areas, inputs, journal, shipments, trace, recall', () => chainTests(browser, fx));
        await scenario('an OCOP dossier from submission to certificate', () => dossierTests(browser, fx));
        check('a screenshot of every page visited', screenshotCount() >= 10, `${screenshotCount()} screenshots`);
    } finally {
        await within(10000, browser.close(), 'closing the browser').catch(() => {});
        await stopDaemon(fx.daemon);
    }
    if (process.env.E2E_KEEP) console.log(`e2e: scratch kept in ${scratch}`);
}

main().catch((error) => fail('the suite', error.stack || error)).finally(finish);
