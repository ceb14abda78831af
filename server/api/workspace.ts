/**
 * The workspace API: a lesson's files in the caller's session.
 *
 *   GET  /api/workspace/files?lesson=ID   -> LessonFiles (makes the session if needed)
 *   PUT  /api/workspace/files?lesson=ID   {files: {name: content}} -> {saved: [names]}
 *   POST /api/workspace/reset?lesson=ID   -> LessonFiles (the starting files again)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_BODY_BYTES, SaveFilesRequestSchema, type FilesSaved } from '../../src/lib/protocol.ts';
import { parseInput, readJsonBody, sendJson } from '../http/json.ts';
import { fileSizes } from '../workspace/files.ts';
import { openLessonFolder, resetLessonFolder, saveFiles } from '../workspace/lesson-folder.ts';
import { lessonById, type Lab } from '../lab.ts';
import { queryParam } from '../http/query.ts';
import { sessionOf } from './context.ts';

export async function getFiles(lab: Lab, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const lesson = lessonById(lab, queryParam(req, 'lesson'));
  const session = (await sessionOf(lab, req, res, true))!;
  sendJson(res, 200, await openLessonFolder(lab.folders, session, lesson));
}

export async function putFiles(lab: Lab, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const lesson = lessonById(lab, queryParam(req, 'lesson'));
  const body = parseInput(SaveFilesRequestSchema, await readJsonBody(req, MAX_BODY_BYTES));
  const files = fileSizes(body.files, lab.config.MAX_FILE_BYTES);
  const session = (await sessionOf(lab, req, res, true))!;
  await saveFiles(session, lesson.id, files);
  const answer: FilesSaved = { saved: Object.keys(files) };
  sendJson(res, 200, answer);
}

export async function resetFiles(lab: Lab, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const lesson = lessonById(lab, queryParam(req, 'lesson'));
  const session = (await sessionOf(lab, req, res, true))!;
  sendJson(res, 200, await resetLessonFolder(lab.folders, session, lesson));
}
