/**
 * Progress follows the learner: a learner's ✓ done lessons and
 * their copy of each lesson's files, kept in the classroom database so another
 * browser signed in with the recovery code shows the same state.
 *
 *   GET /api/me/progress               -> LearnerProgress
 *   PUT /api/me/progress?lesson=ID     -> LearnerProgress (the lesson marked done)
 *   GET /api/me/files?lesson=ID        -> LearnerFiles
 *   PUT /api/me/files?lesson=ID {files} -> LearnerFilesSaved
 *
 * All under the learner's cookie (401 without it); each learner reaches only
 * their own rows, which are found by the cookie's learner and never by an id
 * in the request, so there is nothing of another learner to name. A lesson
 * the server does not know is 404: rows exist only for real lessons, which
 * bounds what a learner can store (limits.ts, MAX_LEARNER_FILES_*).
 *
 * "Done" is the learner's own word (the browser marks it when Check passes),
 * as it was in the browser before: it is the learner's bookmark, not a grade.
 * Grades are submissions, checked by the server.
 */
import type { LearnerFiles, LearnerFilesSaved, LearnerProgress } from '../../src/lib/protocol-classroom.ts';
import { SaveFilesRequestSchema } from '../../src/lib/protocol.ts';
import { lessonById } from '../lab.ts';
import { queryParam } from '../http/query.ts';
import { parseInput, readJsonBody, sendJson } from '../http/json.ts';
import { HttpError } from '../http/errors.ts';
import { fileSizes } from '../workspace/files.ts';
import type { Classroom, ClassroomHandler } from './context.ts';
import { iso } from './views.ts';
import { requireLearner } from './identity.ts';
import { MAX_LEARNER_FILES_BODY_BYTES, MAX_LEARNER_FILES_BYTES, MAX_LEARNER_FILES_COUNT } from './limits.ts';
import type { LearnerRow } from './store.ts';

async function progressOf(c: Classroom, learner: LearnerRow): Promise<LearnerProgress> {
  const rows = await c.store.progressOfLearner(learner.id);
  // A lesson removed from the site since it was done is not shown (nor counted on the home page).
  return { learnerId: learner.id, done: rows.filter((r) => c.lab.lessons.get(r.lesson)).map((r) => ({ lesson: r.lesson, doneAt: iso(r.doneAt) })) };
}

export const getProgress: ClassroomHandler = async (c, req, res) => {
  const learner = await requireLearner(c, req);
  sendJson(res, 200, await progressOf(c, learner));
};

export const markDone: ClassroomHandler = async (c, req, res) => {
  const learner = await requireLearner(c, req);
  const lesson = lessonById(c.lab, queryParam(req, 'lesson'));
  await c.store.markDone(learner.id, lesson.id, Date.now());
  sendJson(res, 200, await progressOf(c, learner));
};

export const getFiles: ClassroomHandler = async (c, req, res) => {
  const learner = await requireLearner(c, req);
  const lesson = lessonById(c.lab, queryParam(req, 'lesson'));
  const copy = await c.store.learnerFiles(learner.id, lesson.id);
  const starting = await c.lab.lessons.startingFiles(lesson);
  const answer: LearnerFiles = {
    lesson: lesson.id,
    files: copy?.files ?? null,
    savedAt: copy ? iso(copy.savedAt) : null,
    startingFiles: Object.fromEntries(starting.map((f) => [f.name, f.content])),
  };
  sendJson(res, 200, answer);
};

export const saveFiles: ClassroomHandler = async (c, req, res) => {
  const learner = await requireLearner(c, req);
  const lesson = lessonById(c.lab, queryParam(req, 'lesson'));
  const body = parseInput(
    SaveFilesRequestSchema,
    await readJsonBody(req, MAX_LEARNER_FILES_BODY_BYTES).catch((err) => {
      if (err instanceof HttpError && err.status === 413) {
        throw new HttpError(
          413,
          `a lesson's saved files hold at most ${MAX_LEARNER_FILES_BYTES / 1024} KiB; these are larger than ${Math.floor(MAX_LEARNER_FILES_BODY_BYTES / 1024)} KiB`,
        );
      }
      throw err;
    }),
  );
  const files = fileSizes(body.files, c.lab.config.MAX_FILE_BYTES);
  const names = Object.keys(files);
  if (names.length > MAX_LEARNER_FILES_COUNT) {
    throw new HttpError(413, `a lesson's saved files are at most ${MAX_LEARNER_FILES_COUNT}; these are ${names.length}`);
  }
  const bytes = names.reduce((n, name) => n + Buffer.byteLength(files[name]), 0);
  if (bytes > MAX_LEARNER_FILES_BYTES) {
    throw new HttpError(413, `a lesson's saved files hold at most ${MAX_LEARNER_FILES_BYTES / 1024} KiB; these are ${Math.ceil(bytes / 1024)} KiB`);
  }
  const savedAt = await c.store.saveLearnerFiles(learner.id, lesson.id, files, Date.now());
  const answer: LearnerFilesSaved = { lesson: lesson.id, savedAt: iso(savedAt) };
  sendJson(res, 200, answer);
};
