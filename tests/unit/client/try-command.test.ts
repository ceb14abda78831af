/** "Try it" types a block in a subshell started in the lesson folder (src/client/try-command.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subshellCommand } from '../../../src/client/try-command.ts';

test('one line: one subshell line; several lines: kept as lines', () => {
  assert.equal(subshellCommand('go run .', 'go-run/what-go-run-does'), '( cd ~/go-run/what-go-run-does && go run . )');
  assert.equal(subshellCommand('cd /tmp\npwd', 'a/b'), '( cd ~/a/b || exit\ncd /tmp\npwd\n)');
  assert.equal(subshellCommand('ls', 'a/b; rm -rf x'), '( cd ~ && ls )');
  // A comment cannot swallow the closing parenthesis.
  assert.equal(subshellCommand('go run . # again', 'a/b'), '( cd ~/a/b && go run . # again\n)');
});

test('in bash, a block that cds elsewhere or sets a variable leaves the shell as it was', () => {
  const home = mkdtempSync(join(tmpdir(), 'try-home-'));
  mkdirSync(join(home, 'go-run/what-go-run-does'), { recursive: true });
  writeFileSync(join(home, 'go-run/what-go-run-does/go.mod'), 'module example.com/hello\n');
  // As the terminal gets it: each line entered in turn to one shell, then the next block.
  const script = [
    subshellCommand('echo "in: $(pwd)"\nmkdir -p /tmp/try-w && cd /tmp/try-w && X=1 && echo "then: $(pwd)"', 'go-run/what-go-run-does'),
    subshellCommand('echo "next: $(head -1 go.mod) X=${X:-unset}"', 'go-run/what-go-run-does'),
    subshellCommand('echo "commented: $(basename $(pwd))" # a comment', 'go-run/what-go-run-does'),
    'echo "shell: $(pwd)"',
  ].join('\n');
  const out = execFileSync('bash', ['-c', script], { cwd: tmpdir(), env: { ...process.env, HOME: home }, encoding: 'utf8' });
  assert.deepEqual(out.trim().split('\n'), [
    `in: ${home}/go-run/what-go-run-does`,
    'then: /tmp/try-w',
    'next: module example.com/hello X=unset',
    'commented: what-go-run-does',
    `shell: ${tmpdir()}`,
  ]);
});
