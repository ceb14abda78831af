/**
 * `POST /api/check` `{"lesson": ID, "files": {...}}`: runs the lesson's
 * exercise checks against the learner's files in the sandbox and answers with
 * a CheckResult (src/lib/protocol.ts; Exercism's results.json v3 shape).
 *
 * Two forms of answer, chosen by the request's Accept header: one JSON object
 * (the default), or, with `Accept: application/x-ndjson`, a stream of
 * CheckEvent lines: `queued {position}` each time the check moves up the line
 * for a free runner, `started`, then `result` (or `error`). A check that waits
 * behind a busy class is then not a silent button. Either way a refusal (full
 * queue, the learner's own budget) is a 429 with Retry-After before anything
 * else is sent.
 *
 * The grading itself (a throwaway workspace, hidden tests written after the
 * learner's files, a Run's limits) is server/grading/grade-exercise.ts, shared with the
 * classroom's submissions. A check is a Run for the machine's fairness
 * (per-learner Run rate and admission slot and queue, taken here).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CheckRequestSchema, MAX_BODY_BYTES, type CheckEvent } from '../../src/lib/protocol.ts';
import { parseInput, readJsonBody, sendJson } from '../http/json.ts';
import { HttpError } from '../http/errors.ts';
import { fileSizes } from '../workspace/files.ts';
import { gradeExercise } from '../grading/grade-exercise.ts';
import { claimantOf, lessonById, takeRun, type Lab } from '../lab.ts';
import { sessionOf, stage } from './context.ts';
import { observed } from '../observability/metrics.ts';

/** The media type of the streamed answer (as `POST /api/run`'s). */
const NDJSON = 'application/x-ndjson';

/** Whether the request's Accept header lists the streamed form (and does not refuse it with q=0). */
export function wantsStream(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((range) => {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    return type === NDJSON && !params.some((p) => /^q=0(\.0*)?$/.test(p.replace(/\s+/g, '')));
  });
}

export async function postCheck(lab: Lab, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = parseInput(CheckRequestSchema, await readJsonBody(req, MAX_BODY_BYTES));
  const lesson = lessonById(lab, body.lesson);
  if (!lesson.exercise) throw new HttpError(404, `lesson "${lesson.id}" has no exercise to check`);
  const files = fileSizes(body.files, lab.config.MAX_FILE_BYTES);
  const stream = wantsStream(req.headers.accept);

  stage(req, 'session');
  // The learner's own budget and share, when the request has a valid session (a class shares one address).
  const session = await sessionOf(lab, req, res, false);
  const claimant = claimantOf(lab, req, session?.id ?? null);
  const client = claimant.address;
  takeRun(lab, claimant);
  const abort = new AbortController();
  // The client went away: leave the queue, or stop the checks (a finished response also closes; nothing runs then).
  res.on('close', () => abort.abort());
  let queuedAt = 0;
  // Told the queue position as it changes; sent as queued events once the stream is open.
  let tellQueued = (position: number) => {
    queuedAt = position;
  };
  // Throws Busy (429 with Retry-After) at once, before any answer is begun, when there is no room.
  const admitted = lab.admission.enter(claimant, (position) => tellQueued(position), abort.signal);
  stage(req, 'grading');

  if (!stream) {
    try {
      const result = await observed('check', gradeExercise(lab, { lesson, files, client, claimant, admitted, signal: abort.signal }), (r) => r.status);
      if (!abort.signal.aborted) sendJson(res, 200, result);
    } catch (err) {
      if (!abort.signal.aborted) throw err; // else the client left while it waited: nobody to answer
    }
    return;
  }

  res.writeHead(200, {
    'content-type': `${NDJSON}; charset=utf-8`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  // The client learns at once that its check was accepted (Node holds headers back until the first write).
  res.flushHeaders();
  // A handful of short lines and one bounded result (outputs are truncated): no backpressure needed.
  const send = (event: CheckEvent) => {
    if (!res.writableEnded && !res.destroyed) res.write(JSON.stringify(event) + '\n');
  };
  if (queuedAt) send({ type: 'queued', position: queuedAt });
  tellQueued = (position) => send({ type: 'queued', position });
  // Registered before the grading awaits the same promise, so `started` goes out before its result.
  admitted.then(
    () => send({ type: 'started' }),
    () => {},
  );
  try {
    const result = await observed('check', gradeExercise(lab, { lesson, files, client, claimant, admitted, signal: abort.signal }), (r) => r.status);
    if (!abort.signal.aborted) send({ type: 'result', result });
  } catch (err) {
    if (!abort.signal.aborted) {
      console.error(`[lab] POST /api/check failed:`, err);
      send({ type: 'error', error: `internal error: ${(err as Error).message}` });
    }
  } finally {
    stage(req, 'answer');
    if (!res.writableEnded) res.end();
  }
}
