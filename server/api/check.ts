/**
 * `POST /api/check` `{"lesson": ID, "files": {...}}`: runs the lesson's
 * exercise checks against the learner's files in the sandbox and answers with
 * a CheckResult (src/lib/protocol.ts; Exercism's results.json v3 shape).
 *
 * The grading itself (a throwaway workspace, hidden tests written after the
 * learner's files, a Run's limits) is server/grading.ts, shared with the
 * classroom's submissions. A check is a Run for the machine's fairness
 * (per-client Run rate here, admission slots and queue in the grading).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_BODY_BYTES } from '../../src/lib/protocol.ts';
import { asObject, readJsonBody, sendJson } from '../http/json.ts';
import { BadRequestError, validateFiles } from '../workspace/files.ts';
import { gradeExercise } from '../grading.ts';
import { claimantOf, lessonById, sessionOf, takeRun, type Lab } from './context.ts';
import { observed } from '../observability/metrics.ts';

export async function postCheck(lab: Lab, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = asObject(await readJsonBody(req, MAX_BODY_BYTES));
  const lesson = lessonById(lab, body.lesson);
  if (!lesson.exercise) throw new BadRequestError(`lesson "${lesson.id}" has no exercise to check`, 404);
  const files = validateFiles(body.files, lab.config.MAX_FILE_BYTES);

  // The learner's own budget and share, when the request has a valid session (a class shares one address).
  const session = await sessionOf(lab, req, res, false);
  const claimant = claimantOf(lab, req, session?.id ?? null);
  const client = claimant.address;
  takeRun(lab, claimant);
  const abort = new AbortController();
  // The client went away: stop the checks (a response that finished also closes; nothing is running then).
  res.on('close', () => abort.abort());
  const result = await observed('check', gradeExercise(lab, { lesson, files, client, claimant, signal: abort.signal }), (r) => r.status);
  if (!abort.signal.aborted) sendJson(res, 200, result);
}
