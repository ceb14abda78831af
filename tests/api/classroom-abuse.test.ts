/**
 * The classroom under abuse, against a real server: a flood of
 * sign-ups does not stall other requests, learner names cannot hide behind
 * control or bidi characters and cannot be told apart only by the server,
 * join codes cannot be guessed from many addresses at once, and stored
 * submissions are bounded in size. Each test fails without its protection.
 *
 * The server trusts X-Forwarded-For (TRUST_PROXY=1), so a test can speak
 * from many client addresses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { startServer, type LabServer } from '../helpers/server.ts';
import { waitFor } from '../helpers/wait.ts';
import { CODE_ALPHABET, MAX_SUBMISSION_BYTES, MAX_SUBMISSION_FILES } from '../../server/classroom/limits.ts';
import { call, exerciseFiles, LESSON, newClass, newTeacher } from '../helpers/classroom.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Milliseconds one GET takes (a static page: sirv reads it from disk through libuv's threadpool). */
async function timedGet(url: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  assert.equal(res.status, 200);
  return performance.now() - t0;
}

let addresses = 0;
/** A client address of its own (TEST-NET-2, 198.51.100.0/24 and beyond), for X-Forwarded-For. */
const newAddress = () => {
  const n = ++addresses;
  return `198.51.${100 + (n >> 8)}.${n & 255}`;
};
const from = (address: string) => ({ 'x-forwarded-for': address });

describe('classroom abuse', () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer({
      env: { TRUST_PROXY: '1', SIGN_IN_BURST: '100000', API_REQUESTS_BURST: '100000' },
    });
  });
  after(async () => {
    await lab?.stop();
  });

  test('a flood of sign-ups does not stall a static page (hashing is off the event loop and bounded)', async () => {
    const page = `${lab.url}/`;
    for (let i = 0; i < 5; i++) await timedGet(page); // warm up
    const idle: number[] = [];
    for (let i = 0; i < 20; i++) idle.push(await timedGet(page));

    // One sign-up's time on this machine right now: the unit the stall is measured in.
    const oneHash: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await newTeacher(lab.url);
      oneHash.push(performance.now() - t0);
    }

    // 16 sign-ups (and sign-ins) in flight at all times for 3 s, from many addresses.
    let stop = false;
    let hammered = 0;
    const accounts = await Promise.all([0, 1].map(() => newTeacher(lab.url)));
    const hammer = async (i: number) => {
      while (!stop) {
        const body =
          i % 2
            ? { email: `flood-${i}-${hammered}-${Date.now()}@example.org`, password: 'correct horse battery', name: 'Flood' }
            : { email: accounts[(i % 4) >> 1].email, password: accounts[0].password };
        const path = i % 2 ? '/api/teacher/signup' : '/api/teacher/login';
        const a = await call(lab.url, 'POST', path, { body, headers: from(newAddress()) });
        assert.ok([200, 201, 401].includes(a.status), `${path}: ${a.status} ${JSON.stringify(a.body)}`);
        hammered++;
      }
    };
    const hammers = Array.from({ length: 16 }, (_, i) => hammer(i));
    // Every hammer had an answer and sent its next: the hashing queue is full from here on.
    await waitFor(() => hammered >= hammers.length, 'the flood to be under way', { seen: () => hammered });
    const busy: number[] = [];
    const until = performance.now() + 3000;
    while (performance.now() < until) busy.push(await timedGet(page));
    stop = true;
    await Promise.all(hammers);

    const figures =
      `idle median ${median(idle).toFixed(1)} ms, one sign-up ${median(oneHash).toFixed(0)} ms, ` +
      `during the flood median ${median(busy).toFixed(1)} ms (${busy.length} GETs, ${hammered} sign-ups/sign-ins)`;
    console.log(figures);
    assert.ok(hammered >= 10, `the flood ran: ${figures}`);
    // Synchronous hashing makes every GET wait for the hashes ahead of it on the event loop
    // (several sign-ups' time); unbounded asynchronous hashing fills all of libuv's threads,
    // so the page's file reads queue behind the hashes. Either way a GET takes longer than
    // one sign-up. With the hashing off the loop and bounded it takes a fraction of one.
    assert.ok(median(busy) < median(oneHash) / 2, `a static page stalls behind the sign-ups: ${figures}`);
  });

  test('past the hashing queue, sign-ups are refused with 429 and Retry-After, not queued without end', async () => {
    const answers = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        call(lab.url, 'POST', '/api/teacher/signup', {
          body: { email: `queue-${i}-${Date.now()}@example.org`, password: 'correct horse battery', name: 'Queue' },
          headers: from(newAddress()),
        }),
      ),
    );
    const refused = answers.filter((a) => a.status === 429);
    assert.ok(refused.length > 0, `some of 120 simultaneous sign-ups are refused: ${answers.map((a) => a.status).join(' ')}`);
    assert.ok(answers.filter((a) => a.status === 201).length >= 64, 'the queue (64) and the running hashes are served');
    assert.match(refused[0].body.error, /busy checking other passwords/);
    assert.ok(Number(refused[0].headers.get('retry-after')) > 0);
  });
  test('names: control, bidi and invisible characters are refused with a 400 that names them; spaces collapse; NFC', async () => {
    const t = await newTeacher(lab.url);
    const { classId, joinCode } = await newClass(lab.url, t.cookie, [LESSON]);
    const joinAs = (name: string) => call(lab.url, 'POST', '/api/join', { body: { code: joinCode, name }, headers: from(newAddress()) });
    const refused: Array<[string, RegExp]> = [
      ['Ann\u202Eevil', /"name" contains a direction-changing \(bidi\) character \(U\+202E\)/],
      ['Ann\u2067x', /bidi.*U\+2067/],
      ['Ann\u200Fx', /bidi.*U\+200F/],
      ['Ann\u061Cx', /bidi.*U\+061C/],
      ['A\u200Bda', /"name" contains an invisible character \(U\+200B\)/],
      ['A\u200Dda', /invisible.*U\+200D/],
      ['A\u2060da', /invisible.*U\+2060/],
      ['A\uFEFFda', /invisible.*U\+FEFF/],
      ['A\u3164da', /invisible.*U\+3164/],
      ['A\u0007da', /"name" contains a control character \(U\+0007\)/],
      ['A\u007Fda', /control.*U\+007F/],
      ['A\u0085da', /control.*U\+0085/],
      ['A\nda', /control.*U\+000A/],
      ['\u200B', /invisible/],
      ['   \u00A0  ', /"name" must not be empty/],
      ['x'.repeat(41), /longer than 40 characters/],
    ];
    for (const [name, message] of refused) {
      const a = await joinAs(name);
      assert.equal(a.status, 400, JSON.stringify(name));
      assert.match(a.body.error, message, JSON.stringify(name));
    }
    // 40 characters of 4 bytes each (code points, not UTF-16 units or bytes, are counted).
    assert.equal((await joinAs('😀'.repeat(40))).status, 201);

    const spaced = await joinAs('  Grace\u00A0\u2003 Hopper ');
    assert.equal(spaced.status, 201, JSON.stringify(spaced.body));
    assert.equal(spaced.body.name, 'Grace Hopper', 'white space of every width collapses to one space');
    const decomposed = await joinAs('Jose\u0301');
    assert.equal(decomposed.body.name, 'Jos\u00E9', 'stored as NFC');

    // The same rules for the teacher's texts.
    const signup = await call(lab.url, 'POST', '/api/teacher/signup', {
      body: { email: `bidi-${Date.now()}@example.org`, password: 'correct horse battery', name: 'Mallory\u202E' },
      headers: from(newAddress()),
    });
    assert.deepEqual([signup.status, signup.body.error?.match(/bidi/)?.[0]], [400, 'bidi']);
    const klass = await call(lab.url, 'POST', '/api/classes', { cookie: t.cookie, body: { name: 'Go\u200B101' } });
    assert.deepEqual([klass.status, /invisible/.test(klass.body.error)], [400, true]);
    const title = await call(lab.url, 'POST', `/api/classes/${classId}/assignments`, { cookie: t.cookie, body: { title: 'Week\u00851', lessons: [LESSON] } });
    assert.deepEqual([title.status, /control/.test(title.body.error)], [400, true]);
  });

  test('names: a second learner with the same name (any case, width or spacing) is refused with 409; the grid and CSV names are distinct', async () => {
    const t = await newTeacher(lab.url);
    const { classId, joinCode } = await newClass(lab.url, t.cookie, [LESSON]);
    const joinAs = (name: string) => call(lab.url, 'POST', '/api/join', { body: { code: joinCode, name }, headers: from(newAddress()) });
    assert.equal((await joinAs('Ada Lovelace')).status, 201);
    for (const twin of ['Ada Lovelace', 'ada lovelace', 'ADA  LOVELACE', '\uFF21da Lovelace']) {
      const a = await joinAs(twin);
      assert.equal(a.status, 409, JSON.stringify(twin));
      assert.match(a.body.error, /already uses the name .*add an initial or your surname/);
    }
    // Two joins with one name at once: one wins.
    const both = await Promise.all([joinAs('Bob'), joinAs('bob')]);
    assert.deepEqual(both.map((a) => a.status).sort(), [201, 409]);
    assert.equal((await joinAs('Ada L.')).status, 201);

    const grid = await call(lab.url, 'GET', `/api/classes/${classId}/results`, { cookie: t.cookie });
    const names = grid.body.rows.map((r: any) => r.name);
    assert.equal(names.length, 3);
    assert.equal(new Set(names.map((n: string) => n.toLowerCase())).size, names.length, `distinct: ${names}`);
    const csv = await call(lab.url, 'GET', `/api/classes/${classId}/results.csv`, { cookie: t.cookie });
    const csvNames = csv.body
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line: string) => line.split(',')[0]);
    assert.equal(new Set(csvNames).size, 3);
  });
  test('join codes: guessing from 50 addresses gets about 100 answers, not 1000; a class of 40 joins from one address meanwhile', async () => {
    const t = await newTeacher(lab.url);
    const { joinCode } = await newClass(lab.url, t.cookie, [LESSON]);
    assert.equal(joinCode.length, 8);
    const randomCode = () => Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');

    // 50 addresses, 24 tries each, all at once (per address more than its own burst of 20).
    const attackers = Array.from({ length: 50 }, () => newAddress());
    const statuses: number[] = [];
    let retryAfter = 0;
    await Promise.all(
      attackers.map(async (address) => {
        for (let i = 0; i < 24; i++) {
          const a = await call(lab.url, 'POST', '/api/join', { body: { code: randomCode(), name: 'Mallory' }, headers: from(address) });
          statuses.push(a.status);
          if (a.status === 429) {
            retryAfter = Number(a.headers.get('retry-after'));
            assert.match(a.body.error, /too many wrong codes/);
          }
        }
      }),
    );
    const answered = statuses.filter((s) => s === 404).length;
    console.log(`guessing: ${statuses.length} tries from 50 addresses, ${answered} answered 404, ${statuses.filter((s) => s === 429).length} refused (429)`);
    assert.ok(answered <= 110, `${answered} guesses were answered (server-wide burst 100): without a server-wide limit 50 addresses get 1000`);
    assert.ok(retryAfter > 0);

    // New addresses with wrong codes are refused (429), not told "no such class" (404), but for
    // the one guess per 2 s the server-wide budget refills (30 a minute).
    const fresh = await Promise.all(
      Array.from({ length: 5 }, () => call(lab.url, 'POST', '/api/join', { body: { code: randomCode(), name: 'Eve' }, headers: from(newAddress()) })),
    );
    const freshRefused = fresh.filter((a) => a.status === 429);
    assert.ok(freshRefused.length >= 3, fresh.map((a) => a.status).join(' '));
    assert.match(freshRefused[0].body.error, /being tried on this server right now/);

    // A class of 40 behind one school address types the right code while 40 new addresses go on guessing.
    const school = newAddress();
    const [joined, guesses] = await Promise.all([
      Promise.all(
        Array.from({ length: 40 }, (_, i) => call(lab.url, 'POST', '/api/join', { body: { code: joinCode, name: `Learner ${i}` }, headers: from(school) })),
      ),
      Promise.all(
        Array.from({ length: 40 }, () => call(lab.url, 'POST', '/api/join', { body: { code: randomCode(), name: 'Mallory' }, headers: from(newAddress()) })),
      ),
    ]);
    assert.deepEqual(
      joined.map((a) => a.status),
      Array(40).fill(201),
      JSON.stringify(joined.find((a) => a.status !== 201)?.body),
    );
    assert.ok(guesses.filter((a) => a.status === 404).length <= 5, 'the new guessers are refused too');

    // A guessing address is shut out even with the right code: a 201 would still tell it the code is right.
    const shut = await call(lab.url, 'POST', '/api/join', { body: { code: joinCode, name: 'Mallory' }, headers: from(attackers[0]) });
    assert.equal(shut.status, 429);
    assert.match(shut.body.error, /one came from your address/);
  });

  test('submissions are bounded: 760 KB in 4 files, or 17 files, are refused with 413 and nothing is stored', async () => {
    const t = await newTeacher(lab.url);
    const { assignmentId, joinCode } = await newClass(lab.url, t.cookie, [LESSON]);
    const joined = await call(lab.url, 'POST', '/api/join', { body: { code: joinCode, name: 'Big Submitter' }, headers: from(newAddress()) });
    assert.equal(joined.status, 201);
    const cookie = joined.cookie!;
    const submit = (files: Record<string, string>) =>
      call(lab.url, 'POST', `/api/assignments/${assignmentId}/submissions`, { cookie, body: { lesson: LESSON, files } });

    // Each file is under the per-file limit (256 KiB); together they are 760 KB (before the limit: ~770 KB stored whole).
    const big = {
      ...exerciseFiles.solution(),
      ...Object.fromEntries([1, 2, 3, 4].map((i) => [`padding${i}.go`, `package calc\n\n// ${'x'.repeat(190_000)}\n`])),
    };
    const tooBig = await submit(big);
    assert.equal(tooBig.status, 413, JSON.stringify(tooBig.body).slice(0, 300));
    assert.match(tooBig.body.error, new RegExp(`at most ${MAX_SUBMISSION_BYTES / 1024} KiB of files; this one is larger than`));

    // Just over the bytes, in a body that fits: the exact message, not the body limit's.
    const over = await submit({ ...exerciseFiles.solution(), 'notes.go': `package calc\n// ${'y'.repeat(MAX_SUBMISSION_BYTES)}\n` });
    assert.equal(over.status, 413);
    assert.match(over.body.error, new RegExp(`at most ${MAX_SUBMISSION_BYTES / 1024} KiB of files; these are \\d+ KiB`));

    const many = await submit({
      ...exerciseFiles.solution(),
      ...Object.fromEntries(Array.from({ length: MAX_SUBMISSION_FILES }, (_, i) => [`f${i}.go`, 'package calc\n'])),
    });
    assert.equal(many.status, 413);
    assert.match(many.body.error, new RegExp(`at most ${MAX_SUBMISSION_FILES} files`));

    const mine = await call(lab.url, 'GET', '/api/me/assignments', { cookie });
    assert.deepEqual(
      mine.body.assignments[0].exercises.map((e: any) => e.submissionId),
      [null],
      'nothing was stored',
    );
  });
});
