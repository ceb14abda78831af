/**
 * The reaper: an idle workspace is closed (unmounted, its own cache entries
 * dropped, its waiting sandbox killed); an expired one is deleted, and its
 * old cookie then gets a new session.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type LabServer } from '../helpers/server.ts';
import { newSession, postRun } from '../helpers/api.ts';
import { mountsUnder, sandboxProcesses, waitingSandboxes as waitingOf } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';

const LESSON = 'go-run/what-go-run-does';
const AS_ROOT = process.getuid?.() === 0;

/** A state these tests wait for (tests/helpers/wait.ts), with this file's deadline. */
const until = (what: string, check: () => boolean, timeoutMs = 8000) => waitFor(check, what, { timeoutMs });

describe('reaper', { skip: !AS_ROOT && 'workspace mounts need root' }, () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer({ env: { REAP_INTERVAL_MS: '200', SESSION_IDLE_MS: '800', WORKSPACE_RETENTION_MS: '4000' } });
  });
  after(() => lab?.stop());

  test('idle workspaces are closed, expired ones deleted', async () => {
    const waitingSandboxes = () => waitingOf(lab.pid);
    const before = waitingSandboxes();
    const { cookie } = await newSession(lab.url, LESSON);
    const run = await postRun(lab.url, { files: {}, command: 'echo kept > notes.txt && go run .', lesson: LESSON }, cookie);
    assert.equal(run.exit?.code, 0, run.stderr);
    const sessions = join(lab.dataDir, 'sessions');
    assert.ok(mountsUnder(sessions).length >= 2, 'the workspace and its cache are mounted while in use');
    await until('the waiting sandbox to start', () => waitingSandboxes() > before);

    await until('the idle workspace to be unmounted', () => mountsUnder(sessions).length === 0);
    assert.equal(waitingSandboxes(), before, 'its waiting sandbox was killed');
    assert.deepEqual(sandboxProcesses(lab.pid), []);

    // Coming back within the retention time: the files are still there (mounted again on use).
    const back = await postRun(lab.url, { files: {}, command: 'cat notes.txt', lesson: LESSON }, cookie);
    assert.equal(back.stdout, 'kept\n');

    await until('the expired workspace to be deleted', () => readdirSync(sessions).length === 0, 10_000);
    const res = await fetch(`${lab.url}/api/workspace/files?lesson=${LESSON}`, { headers: { cookie } });
    assert.match(res.headers.get('set-cookie') ?? '', /lab_session=/, 'the old cookie gets a new session');
  });
});
