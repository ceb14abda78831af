/**
 * Every malformed input, on every endpoint that takes a JSON body, answers
 * the same way: status 400, a JSON body that is exactly `{"error": "<one
 * sentence>"}` (src/lib/protocol.ts's ErrorBody), bounded in size whatever
 * the input was. The bodies are varied as an attacker would vary them: wrong
 * JSON types at every level, prototype keys, NUL bytes and huge names that an
 * answer must not echo back, trailing garbage, deep nesting.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type LabServer } from '../helpers/server.ts';
import { newSession } from '../helpers/api.ts';

const LESSON = 'go-run/what-go-run-does';
const EXERCISE_LESSON = 'go-test/the-test-binary';
/** Longest acceptable error sentence: a file name (at most 255 bytes, escaped) quoted in a sentence fits; an echoed body does not. */
const MAX_ERROR_CHARS = 2048;

/** Bodies no endpoint accepts: not a JSON object, or not JSON at all. */
const NOT_AN_OBJECT = [
  'null',
  '42',
  '"go run ."',
  'true',
  '[]',
  '[{"files":{}}]',
  '{',
  '{"files":{}}{"command":"x"}',
  '\u0000',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
];

/** A `files` value as an attacker varies it (each on its own makes a body bad). */
const BAD_FILES: unknown[] = [
  null,
  'main.go',
  7,
  true,
  ['main.go'],
  [['main.go', 'package main']],
  { 'main.go': null },
  { 'main.go': 1 },
  { 'main.go': ['package main'] },
  { 'main.go': { content: 'x' } },
  { '../x.go': '' },
  { '/abs.go': '' },
  { 'a\\b.go': '' },
  { 'a\0.go': '' },
  { '': '' },
  { 'a/./b.go': '' },
  { 'a//b.go': '' },
  { ['\\' + 'x'.repeat(200_000)]: '' },
  { ['x'.repeat(200_000)]: 1 },
  { ['\u001b'.repeat(250)]: '' },
  Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`f${i}.go`, ''])),
];

async function send(url: string, method: string, path: string, body: string, cookie?: string): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(url + path, {
    method,
    body,
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

function assertUniform400(r: { status: number; type: string; text: string }, what: string): void {
  assert.equal(r.status, 400, `${what}: ${r.text.slice(0, 300)}`);
  assert.match(r.type, /^application\/json/, what);
  assert.ok(r.text.length <= MAX_ERROR_CHARS + 20, `${what}: an answer of ${r.text.length} characters echoes the input`);
  const body = JSON.parse(r.text);
  assert.deepEqual(Object.keys(body), ['error'], `${what}: the body is {"error": ...} and nothing else`);
  assert.equal(typeof body.error, 'string', what);
  assert.ok(body.error.length > 0 && body.error.length <= MAX_ERROR_CHARS, `${what}: ${body.error.slice(0, 100)}`);
}

describe('malformed bodies: one 400 shape everywhere', () => {
  let lab: LabServer;
  let cookie: string;
  before(async () => {
    lab = await startServer({ env: { API_REQUESTS_BURST: '10000', SIGN_IN_BURST: '10000', CODE_ATTEMPTS_BURST: '10000' } });
    cookie = (await newSession(lab.url, LESSON)).cookie;
  });
  after(async () => {
    await lab?.stop();
  });

  const ok = { files: { 'main.go': 'package main\n' }, command: 'true' };
  const endpoints: Array<{ name: string; method: string; path: string; good: Record<string, unknown>; fields: Record<string, unknown[]> }> = [
    {
      name: 'POST /api/run',
      method: 'POST',
      path: '/api/run',
      good: ok,
      fields: {
        files: BAD_FILES,
        command: [undefined, null, 1, ['go', 'run', '.'], { cmd: 'go' }, true, '', '   ', 'go run .\0; rm -rf ~', 'x'.repeat(4097)],
        lesson: [null, 1, '', ['go-run'], { id: LESSON }, true],
        observe: [null, 'false', 0, 1, [], {}],
        merge: [null, 'true', 1, [true], {}],
      },
    },
    {
      name: 'PUT /api/workspace/files',
      method: 'PUT',
      path: `/api/workspace/files?lesson=${encodeURIComponent(LESSON)}`,
      good: { files: ok.files },
      fields: { files: [undefined, ...BAD_FILES] },
    },
    {
      name: 'POST /api/check',
      method: 'POST',
      path: '/api/check',
      good: { lesson: EXERCISE_LESSON, files: ok.files },
      fields: { lesson: [undefined, null, 0, '', [EXERCISE_LESSON], { toString: EXERCISE_LESSON }], files: [undefined, ...BAD_FILES] },
    },
    {
      name: 'POST /api/teacher/signup',
      method: 'POST',
      path: '/api/teacher/signup',
      good: { email: 'a@example.org', password: 'correct horse battery', name: 'Ann' },
      fields: {
        email: [undefined, null, 1, ['a@example.org'], 'not-an-email', `${'a'.repeat(400)}@example.org`],
        password: [undefined, '', 5, ['pw']],
        name: [undefined, null, 3, '', 'Ann\u202Eevil', { first: 'Ann' }],
      },
    },
    {
      name: 'POST /api/join',
      method: 'POST',
      path: '/api/join',
      good: { code: 'ABCDEF', name: 'Bo' },
      fields: { code: [undefined, null, 123456, '', ['ABCDEF']], name: [undefined, null, 7, 'B\u0000o'] },
    },
  ];

  for (const e of endpoints) {
    test(`${e.name}: bodies that are not a JSON object`, async () => {
      for (const raw of NOT_AN_OBJECT) assertUniform400(await send(lab.url, e.method, e.path, raw, cookie), `${e.name} ${JSON.stringify(raw.slice(0, 40))}`);
    });

    test(`${e.name}: each field wrong in each way`, async () => {
      for (const [field, values] of Object.entries(e.fields)) {
        for (const value of values) {
          const body = { ...e.good, [field]: value };
          if (value === undefined) delete body[field];
          const what = `${e.name} ${field}=${JSON.stringify(value)?.slice(0, 60)}`;
          assertUniform400(await send(lab.url, e.method, e.path, JSON.stringify(body), cookie), what);
        }
      }
    });

    test(`${e.name}: prototype keys and extra fields change nothing`, async () => {
      // __proto__ as an own key (JSON.parse makes one) must not stand in for a missing field.
      const [first] = Object.keys(e.good);
      const rest = Object.fromEntries(Object.entries(e.good).filter(([k]) => k !== first));
      const raw = JSON.stringify({ ...rest, extra: { deep: [1, 2, 3] } }).replace(/^\{/, `{"__proto__":${JSON.stringify({ [first]: e.good[first] })},`);
      assertUniform400(await send(lab.url, e.method, e.path, raw, cookie), `${e.name} ${first} only in __proto__`);
      const viaConstructor = JSON.stringify({ ...rest, constructor: { prototype: { [first]: e.good[first] } } });
      assertUniform400(await send(lab.url, e.method, e.path, viaConstructor, cookie), `${e.name} ${first} only in constructor.prototype`);
    });
  }

  test('after all of that the server is healthy and still takes a good Run', async () => {
    assert.equal((await fetch(`${lab.url}/healthz`)).status, 200);
    const r = await send(
      lab.url,
      'POST',
      '/api/run',
      JSON.stringify({
        files: { 'main.go': 'package main\n\nfunc main() { println("ok") }\n', 'go.mod': 'module m\n\ngo 1.26\n' },
        command: 'go run .',
        observe: false,
      }),
      cookie,
    );
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.match(r.text, /"type":"exit","code":0/);
  });
});
