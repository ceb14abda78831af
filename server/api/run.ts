/**
 * `POST /api/run`: write the files, run the command in the sandbox, stream
 * NDJSON events (stdout, stderr, ..., exit last). See docs/api.md.
 *
 * The stream has backpressure: while the client does not take what was sent
 * (the response's buffer is full), the command's output and event channel are
 * not read, so the command blocks on its writes and a slow reader costs the
 * server a bounded amount of memory; the command's wall clock runs on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_BODY_BYTES, RunRequestSchema, type RunEvent } from '../../src/lib/protocol.ts';
import { parseInput, readJsonBody, sendError } from '../http/json.ts';
import { SANDBOX_HOME } from '../workspace/mounts.ts';
import type { Release } from '../fairness/admission.ts';
import { FULL_CPU_WEIGHT_MS, runInSandbox, type RunFlow } from '../sandbox/sandbox.ts';
import { startWaiting } from '../sandbox/warm.ts';
import { fileSizes } from '../workspace/files.ts';
import { saveFiles } from '../workspace/lesson-folder.ts';
import { claimantOf, lessonById, runLimits, takeRun, type Lab } from '../lab.ts';
import { sessionOf, stage } from './context.ts';
import { commandStarted, sandboxEnded } from '../observability/metrics.ts';

/** Folder of a Run that names no lesson, inside the session's workspace. */
export const PLAYGROUND_FOLDER = 'playground';

export async function postRun(lab: Lab, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = parseInput(RunRequestSchema, await readJsonBody(req, MAX_BODY_BYTES));
  const files = fileSizes(body.files, lab.config.MAX_FILE_BYTES);
  const command = body.command;
  const lesson = body.lesson === undefined ? null : lessonById(lab, body.lesson);
  const observe = body.observe !== false;
  const mergeOutput = body.merge === true;
  const folder = lesson ? lesson.id : PLAYGROUND_FOLDER;

  stage(req, 'session');
  const session = await sessionOf(lab, req, res, false);
  if (session && lab.activeRuns.has(session.id)) {
    sendError(res, 409, 'a Run is already in progress in this session; stop it or wait for it to finish');
    return;
  }
  const abort = new AbortController();
  // The client went away (or pressed Stop): kill the command, or leave the queue.
  res.on('close', () => abort.abort());
  let queuedAt = 0;
  // Told the queue position as it changes; sent as queued events once the stream is open.
  let tellQueued = (position: number) => {
    queuedAt = position;
  };
  // Throws Busy (429) at once when this learner, their address or the machine has no room.
  const who = claimantOf(lab, req, session?.id ?? null);
  const client = who.address;
  takeRun(lab, who);
  const admitted = lab.admission.enter(who, (position) => tellQueued(position), abort.signal);
  // Claimed before the first await below, so two requests cannot both pass the check.
  if (session) lab.activeRuns.add(session.id);
  let release: Release | null = null;
  let scratch: Awaited<ReturnType<Lab['sessions']['throwaway']>> | null = null;
  try {
    stage(req, 'workspace');
    if (!session) scratch = await lab.sessions.throwaway();
    const workspace = session ?? scratch!;
    stage(req, 'files');
    await saveFiles(workspace, folder, files);
    res.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    // The client learns at once that its Run was accepted (Node holds headers back until the first write).
    res.flushHeaders();
    // Events come in bursts (one frame of the go wrapper is dozens of phase
    // events): the lines of one turn of the event loop go out as one string,
    // in one write (one chunk of the chunked response).
    // Those lines are what one turn read (a chunk per pipe): bounded.
    let lines: string[] = [];
    const send = (event: RunEvent) => {
      if (res.writableEnded || res.destroyed) return;
      if (lines.length === 0) process.nextTick(flush);
      lines.push(JSON.stringify(event) + '\n');
    };
    let flow: RunFlow | null = null;
    let draining = false;
    function flush() {
      if (lines.length === 0) return;
      const text = lines.join('');
      lines = [];
      if (res.writableEnded || res.destroyed) return;
      // Past the response's high-water mark: stop reading the command until the client has taken it.
      if (!res.write(text) && flow && !draining) {
        draining = true;
        flow.pause();
        res.once('drain', () => {
          draining = false;
          flow?.resume();
        });
      }
    }
    const end = () => {
      flush();
      res.end();
    };
    if (queuedAt) send({ type: 'queued', position: queuedAt });
    tellQueued = (position) => send({ type: 'queued', position });
    try {
      stage(req, 'admission');
      release = await admitted;
    } catch {
      end(); // the client left while waiting
      return;
    }
    stage(req, 'sandbox');
    const sandboxFor = { user: workspace.owner, home: workspace.home, gocache: workspace.gocache };
    const endCommand = commandStarted('run');
    const result = await runInSandbox(
      lab.sandbox,
      {
        // A session's sandbox was started after its last Run; a throwaway workspace starts cold.
        take: () => (session ? lab.warm.take(workspace.dir, sandboxFor) : startWaiting(lab.sandbox, sandboxFor)),
        cwd: `${SANDBOX_HOME}/${folder}`,
        cgo: lesson?.cgo ?? false,
        observe,
        commandLine: command,
        mergeOutput,
        startDemoted: lab.heavyClients.has(client),
        workspaceFull: () => lab.sessions.storageOf(workspace).full(workspace.dir),
      },
      runLimits(lab.config),
      {
        onOutput: (type, data) => send({ type, data }),
        onFlow: (f) => {
          flow = f;
        },
        onEvent: (event) => send(event),
        onStage: (name) => stage(req, name),
        // A long Run gives its slot to the queue (admission.ts: background places).
        onDemoted: () => release?.toBackground(),
        signal: abort.signal,
      },
    );
    endCommand(result.reason);
    sandboxEnded(result.reason);
    if (session) lab.warm.refill(workspace.dir, sandboxFor);
    // Long commands, and commands a limit had to stop, make their client "heavy" for a while.
    if (result.durationMs > FULL_CPU_WEIGHT_MS || result.reason !== 'exited') lab.heavyClients.mark(client);
    stage(req, 'answer');
    send({ type: 'exit', ...result });
    end();
  } finally {
    if (release) release();
    else
      admitted.then(
        (r) => r(),
        () => {},
      );
    if (session) lab.activeRuns.delete(session.id);
    stage(req, 'cleanup');
    await scratch?.dispose();
  }
}
