/**
 * The browser's reading of what the server sends (src/client/wire.ts): an
 * answer or event that does not match its schema is an Error that says what
 * is wrong, never a value cast into a type it does not have; event types the
 * browser does not know are ignored, as the protocol says; NDJSON lines are
 * put back together however the stream is cut.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CheckEventSchema, LessonFilesSchema, RunEventSchema, TerminalServerMessageSchema } from '../../../src/lib/protocol.ts';
import { ClassSubmissionEventSchema, MyAssignmentsSchema } from '../../../src/lib/protocol-classroom.ts';
import { parseAnswer, parseEvent, parseJson, readAnswer, readLines } from '../../../src/client/wire.ts';

test('an answer that matches its schema comes back with only its fields', () => {
  const files = parseAnswer(LessonFilesSchema, { lesson: 'l', files: [{ name: 'main.go', content: 'x' }], extra: 1 });
  assert.deepEqual(files, { lesson: 'l', files: [{ name: 'main.go', content: 'x' }] });
});

test('a malformed answer is an Error naming the field and the problem', () => {
  const cases: unknown[] = [{ lesson: 'l', files: [{ name: 7, content: 'x' }] }, { lesson: 'l' }, { lesson: 'l', files: 'main.go' }, null, [], '<html>'];
  for (const value of cases) {
    assert.throws(() => parseAnswer(LessonFilesSchema, value), /^Error: the server's answer could not be read \(.+\)$/, JSON.stringify(value));
  }
  assert.throws(() => parseAnswer(LessonFilesSchema, { lesson: 'l', files: [{ name: 7, content: 'x' }] }), /"files\.0\.name": .*string/);
  assert.throws(() => parseAnswer(MyAssignmentsSchema, { learner: {}, assignments: [] }), /"learner\.id"/);
});

test('readAnswer: a body that is not JSON (a proxy page) is an Error, not a SyntaxError from deep inside', async () => {
  await assert.rejects(readAnswer(new Response('<html>busy</html>'), LessonFilesSchema), /could not be read \(it is not JSON\)/);
  assert.deepEqual(await readAnswer(new Response('{"lesson":"l","files":[]}'), LessonFilesSchema), { lesson: 'l', files: [] });
});

test('stream events: known types parse, unknown types and non-events are ignored, a malformed known type is an Error', () => {
  assert.deepEqual(parseEvent(RunEventSchema, '{"type":"stdout","data":"hi"}'), { type: 'stdout', data: 'hi' });
  for (const ignored of ['', '  ', '{', '[]', '"stdout"', '{"data":"x"}', '{"type":7}', '{"type":"a-newer-kind","x":1}']) {
    assert.equal(parseEvent(RunEventSchema, ignored), null, ignored);
  }
  for (const bad of ['{"type":"stdout","data":5}', '{"type":"exit","code":"0","reason":"exited","durationMs":1}', '{"type":"phase","phase":"load"}']) {
    assert.throws(() => parseEvent(RunEventSchema, bad), /the server sent a "(stdout|exit|phase)" event that could not be read/, bad);
  }
  // Clients tolerate exit reasons they do not know (docs/api.md).
  assert.equal(parseEvent(RunEventSchema, '{"type":"exit","code":1,"reason":"a-new-limit","durationMs":3}')?.type, 'exit');
  const result = parseEvent(CheckEventSchema, '{"type":"result","result":{"status":"pass","tests":[]}}');
  assert.deepEqual(result, { type: 'result', result: { status: 'pass', tests: [] } });
  assert.throws(() => parseEvent(CheckEventSchema, '{"type":"result","result":{"status":"great"}}'), /"result" event/);
  assert.throws(() => parseEvent(TerminalServerMessageSchema, '{"type":"output","data":null}'), /"output" event/);
});

test('parseJson (SSE data): malformed JSON and wrong fields are Errors naming what was read', () => {
  const ok = { submissionId: 's', learnerId: 'l', assignmentId: 'a', lesson: 'x', status: 'pass' };
  assert.deepEqual(parseJson(ClassSubmissionEventSchema, JSON.stringify(ok), 'a live event'), ok);
  assert.throws(() => parseJson(ClassSubmissionEventSchema, '{', 'a live event'), /a live event could not be read \(it is not JSON\)/);
  assert.throws(() => parseJson(ClassSubmissionEventSchema, JSON.stringify({ ...ok, status: 'great' }), 'a live event'), /a live event .*"status"/);
});

test('readLines: lines cut anywhere by the network come out whole, the last one without a newline too', async () => {
  const text = '{"type":"stdout","data":"a"}\n{"type":"stdout","data":"b\\n"}\n\n{"type":"exit"';
  for (const size of [1, 2, 7, text.length]) {
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array<ArrayBuffer>>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.slice(i, i + size));
        controller.close();
      },
    });
    const lines: string[] = [];
    await readLines(body, (line) => lines.push(line));
    assert.deepEqual(lines, ['{"type":"stdout","data":"a"}', '{"type":"stdout","data":"b\\n"}', '', '{"type":"exit"'], `pieces of ${size}`);
  }
});
