/**
 * The Output's file:line links (src/client/output-links.ts) and the kind of
 * each stderr finding (src/client/phase-model.ts parseDiagnostic): compiler
 * notes are information, compile and vet findings errors and warnings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitRefs } from '../../../src/client/output-links.ts';
import { isCompilerNote, parseDiagnostic } from '../../../src/client/phase-model.ts';

const files = ['main.go', 'go.mod', 'sub/x.go'];
const lesson = 'compiler/source-to-machine-code';

test("references to the learner's files become links; the rest stays text", () => {
  assert.deepEqual(splitRefs('./main.go:6:2: undefined: x\n', files, lesson), [{ text: './main.go:6:2', file: 'main.go', line: 6 }, ': undefined: x\n']);
  assert.deepEqual(splitRefs(`main.main()\n\t/home/learner/${lesson}/main.go:12 +0x1d\n`, files, lesson), [
    'main.main()\n\t',
    { text: `/home/learner/${lesson}/main.go:12`, file: 'main.go', line: 12 },
    ' +0x1d\n',
  ]);
  assert.deepEqual(splitRefs('sub/x.go:3:1: syntax error', files, lesson)[0], { text: 'sub/x.go:3:1', file: 'sub/x.go', line: 3 });
  // The standard library's files, files not in the lesson, and prose stay plain.
  assert.deepEqual(splitRefs('/usr/local/go/src/fmt/print.go:294 +0x4e', files, lesson), ['/usr/local/go/src/fmt/print.go:294 +0x4e']);
  assert.deepEqual(splitRefs('other.go:1:1: x', files, lesson), ['other.go:1:1: x']);
  assert.deepEqual(splitRefs('Hello, main.go!', files, lesson), ['Hello, main.go!']);
  assert.deepEqual(splitRefs('', files, lesson), []);
});

test('-gcflags=-m lines are compiler notes, shown as information, not errors', () => {
  for (const line of [
    './main.go:5:6: can inline add',
    './main.go:12:13: inlining call to fmt.Println',
    './main.go:9:2: moved to heap: p',
    './main.go:8:14: p does not escape',
    './main.go:13:13: ... argument does not escape',
    './main.go:13:14: x escapes to heap',
    './main.go:7:6: leaking param: p',
    './main.go:7:6: cannot inline run: function too complex: cost 90 exceeds budget 80',
  ]) {
    assert.equal(parseDiagnostic(line, files, false)?.severity, 'info', line);
  }
  assert.equal(isCompilerNote('undefined: x'), false);
});

test('compile errors stay errors, vet findings warnings', () => {
  assert.equal(parseDiagnostic('./main.go:6:14: undefined: x', files, false)?.severity, 'error');
  assert.equal(parseDiagnostic('./main.go:6:2: declared and not used: p', files, false)?.severity, 'error');
  assert.equal(parseDiagnostic('./main.go:6:14: syntax error: unexpected newline', files, false)?.severity, 'error');
  assert.equal(parseDiagnostic('main.go:6:14: fmt.Printf format %d has arg s of wrong type string', files, true)?.severity, 'warning');
});
