// What the browser tests start from: a fresh database, an issuer key, the
// tests' criteria sheets, a council quorum of 3 and a folder for dossiers'
// files, a running daemon, two producers (a cooperative and a household), a
// producer user for each and an officer, all with passwords, and, made
// through the API beforehand, another producer's product and a certificate
// to revoke.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, scratch, ocoptrace, startDaemon, apiOk, gtin14 } from './harness.mjs';

export const PASSWORDS = {
    producer: 'mật khẩu HTX Hàm Tiến',
    other: 'coso-hai-2025',
    officer: 'canbo-ocop-2025',
};

const lastLine = (text) => text.trim().split('\n').pop();

async function issuerConfig() {
    const key = join(scratch, 'issuer.key');
    await ocoptrace(['keys', 'generate', '--out', key]);
    const config = join(scratch, 'e2e.conf');
    // The dossiers' files in the scratch folder, also on PostgreSQL (whose
    // default folder would be under the working directory).
    writeFileSync(config, `[certificates]\nkey = ${key}\n\n[criteria]\ndir = ${join(root, 'tests/criteria')}\n\n`
        + `[council]\nquorum = 3\n\n[store]\nfiles = ${join(scratch, 'files')}\n`);
    return config;
}

async function producers(base, admin) {
    const cooperative = await apiOk(201, base, admin, 'POST', '/api/v1/producers', {
        name: 'HTX Thủy sản Hàm Tiến', kind: 'cooperative', phone: '0252 3847 123',
        address: 'Khu phố 5, phường Hàm Tiến, TP. Phan Thiết, tỉnh Bình Thuận',
    });
    const household = await apiOk(201, base, admin, 'POST', '/api/v1/producers', {
        name: 'Cơ sở nước mắm Cô Hai', kind: 'household', phone: '0252 3811 222',
        address: 'Thôn Lâm Giáo, xã Tân Tiến, thị xã La Gi, tỉnh Bình Thuận',
    });
    return { cooperative: cooperative.id, household: household.id };
}

/* The users: the cooperative's through the command line (the password on
 * standard input), the others through the API. */
async function users(db, base, admin, ids) {
    await ocoptrace(['user', 'add', '--role', 'producer', '--producer', String(ids.cooperative),
        '--password', 'htxhamtien', '--db', db], `${PASSWORDS.producer}\n`);
    await apiOk(201, base, admin, 'POST', '/api/v1/users',
        { name: 'cohai', role: 'producer', producer_id: ids.household, password: PASSWORDS.other });
    const officer = await apiOk(201, base, admin, 'POST', '/api/v1/users',
        { name: 'canbo', role: 'officer', password: PASSWORDS.officer });
    return { producer: 'htxhamtien', other: 'cohai', officer: 'canbo', officerToken: officer.token };
}

export function evaluation(number, scores, date = '2025-08-15') {
    return {
        number,
        decision: {
            number: `${number.slice(-4)}/QĐ-UBND`, date, level: 'province',
            issuer: 'Ủy ban nhân dân tỉnh Bình Thuận',
            signer: { title: 'KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH', name: 'Nguyễn Văn A' },
        },
        scores,
    };
}

/* Products made beforehand: the household's (which the cooperative must
 * never see), one of the cooperative's for the officer to evaluate, and one
 * with a certificate for the officer to revoke. */
async function products(base, officer, ids) {
    const product = (producerId, name, digits) => apiOk(201, base, officer, 'POST', '/api/v1/products', {
        producer_id: producerId, name, group: 'food', gtin: gtin14(digits),
        net_quantity: '500 ml', ingredients: 'Cá cơm, muối biển', origin: 'Việt Nam',
        usage: 'Dùng trực tiếp', storage: 'Nơi khô ráo, thoáng mát',
    });
    const secret = await product(ids.household, 'Nước mắm cốt Cô Hai 45 độ đạm', '893123450001');
    const toEvaluate = await product(ids.cooperative, 'Mực một nắng Hàm Tiến', '893123450002');
    const toRevoke = await product(ids.cooperative, 'Cá cơm sấy Hàm Tiến', '893123450003');
    const certificate = await apiOk(201, base, officer, 'POST', `/api/v1/products/${toRevoke.id}/evaluations`,
        evaluation('OCOP-BTh-2025-0900', { a: 30, b: 18, c: 26 }));
    return { secret, toEvaluate, toRevoke, certificate };
}

/* setUp: everything the scenarios share. */
export async function setUp() {
    const db = join(scratch, 'e2e.db');
    const admin = lastLine(await ocoptrace(['user', 'add', '--role', 'admin', 'root', '--db', db]));
    const config = await issuerConfig();
    const daemon = await startDaemon(db, ['--config', config]);
    const ids = await producers(daemon.base, admin);
    const people = await users(db, daemon.base, admin, ids);
    const made = await products(daemon.base, people.officerToken, ids);
    return { db, admin, daemon, base: daemon.base, producers: ids, users: people, ...made };
}
