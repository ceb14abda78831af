/**
 * `GET /api/workspace/list?lesson=ID`: everything in the lesson's folder of the
 * caller's session (WorkspaceListing, src/lib/protocol.ts), so the editor can
 * show files made in the terminal and Reset can say what it will remove.
 * Everything listed was written by the learner's processes: the walk is
 * bounded and follows nothing (workspace/lesson-folder.ts, listLessonFolder).
 * It also starts the workspace's next sandbox ahead (sandbox/warm.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http/json.ts';
import { ensureDirBeneath } from '../workspace/beneath.ts';
import { listLessonFolder } from '../workspace/lesson-folder.ts';
import { queryParam } from '../http/query.ts';
import { lessonById, type Lab } from '../lab.ts';
import { sessionOf } from './context.ts';

export async function getWorkspaceList(lab: Lab, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const lesson = lessonById(lab, queryParam(req, 'lesson'));
  const session = (await sessionOf(lab, req, res, true))!;
  // A folder not made yet lists as empty (it is made, like GET /api/workspace/files would, without its files).
  await ensureDirBeneath(session.home, lesson.id, session.owner);
  const listing = await listLessonFolder(lab.folders, session, lesson);
  sendJson(res, 200, listing ?? { lesson: lesson.id, files: [], truncated: false });
  // The page reads the folder as it opens (and before each Run): a sandbox
  // started now waits for the first Run, which would otherwise start one cold.
  // One per workspace, in the pool's bounded, idle-timed set (like after a Run).
  lab.warm.refill(session.dir, { user: session.owner, home: session.home, gocache: session.gocache });
}
