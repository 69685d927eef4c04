// Reading the PDFs the pages download, with tools independent of the
// daemon: poppler's pdftoppm rasterises (300 dpi, grey), zbar's zbarimg
// decodes the QR codes, pdftotext extracts the text.
import { readFileSync, mkdtempSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { run, root, scratch } from './harness.mjs';

export function isPdf(file) {
    try {
        return readFileSync(file).subarray(0, 5).toString('latin1') === '%PDF-';
    } catch {
        return false;
    }
}

export async function pdfText(file) {
    return (await run('pdftotext', ['-q', '-layout', file, '-'])).stdout;
}

async function pageCount(file) {
    const info = await run('pdfinfo', [file]);
    const match = /^Pages:\s+(\d+)/m.exec(info.stdout);
    return match ? Number(match[1]) : 0;
}

/* The codes zbarimg reads in an image, one per line (none: []); `only`
 * keeps to one symbology ('qrcode', 'ean13'). */
export async function zbar(png, only) {
    const enable = only ? ['-Sdisable', `-S${only}.enable`] : [];
    const got = await run('zbarimg', ['--raw', '-q', ...enable, png]);
    return got.stdout.split('\n').filter((line) => line !== '');
}

/* sheet NAME: the label stock's geometry from templates/sheets/NAME.sheet. */
export function sheet(name) {
    const text = readFileSync(join(root, 'templates/sheets', `${name}.sheet`), 'utf8');
    const values = {};
    for (const line of text.split('\n')) {
        const match = /^\s*([a-z_]+)\s*=\s*(.*?)\s*$/.exec(line);
        if (match) values[match[1]] = match[2];
    }
    return values;
}

/* Runs the tasks, at most LIMIT at a time; their results in order. */
async function inParallel(tasks, limit) {
    const results = new Array(tasks.length);
    let next = 0;
    const worker = async () => {
        while (next < tasks.length) {
            const i = next++;
            results[i] = await tasks[i]();
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
    return results;
}

/* labelCodes PDF SHEET: the QR code of every label cell of every page (not
 * the EAN a label with a GTIN may also carry), in
 * order, rasterised one cell at a time (a whole page holds too many codes
 * for zbarimg to find them all). A cell without a readable code gives ''. */
export async function labelCodes(file, sheetName) {
    const s = sheet(sheetName);
    const dots = 300 / 25.4;
    const folder = mkdtempSync(join(scratch, 'cells-'));
    const tasks = [];
    const pages = await pageCount(file);
    for (let page = 1; page <= pages; page++) {
        for (let r = 0; r < Number(s.rows); r++) {
            for (let c = 0; c < Number(s.columns); c++) {
                const x = Math.floor((Number(s.left_mm) + c * Number(s.pitch_x_mm)) * dots);
                const y = Math.floor((Number(s.top_mm) + r * Number(s.pitch_y_mm)) * dots);
                const w = Math.floor(Number(s.label_width_mm) * dots);
                const h = Math.floor(Number(s.label_height_mm) * dots);
                const prefix = join(folder, `p${page}-r${r}-c${c}`);
                tasks.push(async () => {
                    await run('pdftoppm', ['-r', '300', '-gray', '-png', '-singlefile', '-f', `${page}`, '-l', `${page}`,
                        '-x', `${x}`, '-y', `${y}`, '-W', `${w}`, '-H', `${h}`, file, prefix]);
                    return (await zbar(`${prefix}.png`, 'qrcode'))[0] || '';
                });
            }
        }
    }
    return inParallel(tasks, Math.max(2, cpus().length));
}

/* pageCodes PDF: every code zbarimg finds on each whole page at 300 dpi. */
export async function pageCodes(file) {
    const prefix = join(mkdtempSync(join(scratch, 'pages-')), 'page');
    await run('pdftoppm', ['-r', '300', '-gray', '-png', file, prefix]);
    const pages = await pageCount(file);
    const codes = [];
    for (let page = 1; page <= pages; page++) {
        const width = String(pages).length;
        codes.push(...await zbar(`${prefix}-${String(page).padStart(width, '0')}.png`));
    }
    return codes;
}
