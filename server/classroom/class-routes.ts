/**
 * A teacher's classes: create, list, rename, archive and delete them, one
 * class's detail, its join code, its learners' recovery codes, its
 * assignments (create, edit, archive, delete), its results (grid and CSV)
 * and its live event stream. Every route needs the teacher's cookie (401)
 * and answers 404 for a class that is not theirs.
 */
import {
  AssignmentCreateRequestSchema,
  AssignmentUpdateRequestSchema,
  ClassCreateRequestSchema,
  ClassUpdateRequestSchema,
  JoinCodeRequestSchema,
  type AssignmentCreated,
  type AssignmentUpdated,
  type ClassChangeEvent,
  type ClassCreated,
  type ClassDetail,
  type JoinCodeAnswer,
  type RecoveryCodeAnswer,
} from '../../src/lib/protocol-classroom.ts';
import { parseInput, readJsonBody, sendJson } from '../http/json.ts';
import { HttpError } from '../http/errors.ts';
import { newId, newJoinCode, newRecoveryCode } from './auth.ts';
import type { Classroom, ClassroomHandler } from './context.ts';
import { ownClass, requireTeacher } from './identity.ts';
import { CLASSROOM_BODY_BYTES, CODE_DRAW_ATTEMPTS, MAX_ASSIGNMENTS_PER_CLASS, MAX_CLASSES_PER_TEACHER } from './limits.ts';
import { buildGrid, gridToCsv } from './results.ts';
import type { AssignmentRow } from './store.ts';
import { assignmentView, classLearner, classSummary, withDistinctNames } from './views.ts';

/** Draws random codes until `use` accepts one (it answers false when the code is taken). */
export async function drawCode(draw: () => string, use: (code: string) => Promise<boolean>): Promise<string> {
  for (let i = 0; i < CODE_DRAW_ATTEMPTS; i++) {
    const code = draw();
    if (await use(code)) return code;
  }
  throw new Error(`no free code after ${CODE_DRAW_ATTEMPTS} random draws`);
}

export const createClass: ClassroomHandler = async (c, req, res) => {
  const teacher = await requireTeacher(c, req);
  const { name } = parseInput(ClassCreateRequestSchema, await readJsonBody(req, CLASSROOM_BODY_BYTES));
  if ((await c.store.classesOfTeacher(teacher.id)).length >= MAX_CLASSES_PER_TEACHER) {
    throw new HttpError(409, `you have ${MAX_CLASSES_PER_TEACHER} classes, the most one teacher may have`);
  }
  const id = newId();
  const joinCode = await drawCode(newJoinCode, (code) => c.store.createClass({ id, teacherId: teacher.id, name, joinCode: code, createdAt: Date.now() }));
  const created: ClassCreated = { id, joinCode };
  sendJson(res, 201, created);
};

/** Tells the class's open grids that something other than a submission changed (they read the class again). */
export function announceChange(c: Classroom, classId: string, what: ClassChangeEvent['what']): void {
  const event: ClassChangeEvent = { what };
  c.events.publish(`class:${classId}`, 'change', event);
}

export const listClasses: ClassroomHandler = async (c, req, res) => {
  const teacher = await requireTeacher(c, req);
  sendJson(res, 200, (await c.store.classesOfTeacher(teacher.id)).map(classSummary));
};

export const getClass: ClassroomHandler = async (c, req, res, params) => {
  const cls = await ownClass(c, await requireTeacher(c, req), params.id);
  const detail: ClassDetail = {
    ...classSummary(cls),
    assignments: (await c.store.assignmentsOfClass(cls.id)).map(assignmentView),
    learners: withDistinctNames(await c.store.learnersOfClass(cls.id)).map(classLearner),
  };
  sendJson(res, 200, detail);
};

/** Renames, archives or restores a class (`{name?, archived?}`); answers its summary. */
export const updateClass: ClassroomHandler = async (c, req, res, params) => {
  const cls = await ownClass(c, await requireTeacher(c, req), params.id);
  const { name, archived } = parseInput(ClassUpdateRequestSchema, await readJsonBody(req, CLASSROOM_BODY_BYTES));
  // Archiving again keeps the first time; restoring clears it.
  const archivedAt = archived === undefined ? undefined : archived ? (cls.archivedAt ?? Date.now()) : null;
  await c.store.updateClass(cls.id, { name, archivedAt });
  announceChange(c, cls.id, 'class');
  sendJson(res, 200, classSummary((await c.store.classById(cls.id))!));
};

/** Deletes a class with its learners, assignments and submissions; its open grids are told (`deleted`) and closed. */
export const deleteClass: ClassroomHandler = async (c, req, res, params) => {
  const cls = await ownClass(c, await requireTeacher(c, req), params.id);
  await c.store.deleteClass(cls.id);
  c.events.publish(`class:${cls.id}`, 'deleted', { classId: cls.id }, true);
  res.writeHead(204, { 'cache-control': 'no-store' });
  res.end();
};

/** The live grid's stream (events.ts; event types in protocol.ts, ClassSubmissionEvent). */
export const classEvents: ClassroomHandler = async (c, req, res, params) => {
  const teacher = await requireTeacher(c, req);
  const cls = await ownClass(c, teacher, params.id);
  c.events.open(req, res, `class:${cls.id}`, `teacher:${teacher.id}`);
};

export const joinCode: ClassroomHandler = async (c, req, res, params) => {
  const cls = await ownClass(c, await requireTeacher(c, req), params.id);
  const { action } = parseInput(JoinCodeRequestSchema, await readJsonBody(req, CLASSROOM_BODY_BYTES));
  if (action === 'close') {
    await c.store.setJoinCode(cls.id, null);
    announceChange(c, cls.id, 'class');
    const closed: JoinCodeAnswer = { joinCode: null };
    return sendJson(res, 200, closed);
  }
  const code = await drawCode(newJoinCode, (candidate) => c.store.setJoinCode(cls.id, candidate));
  announceChange(c, cls.id, 'class');
  const answer: JoinCodeAnswer = { joinCode: code };
  sendJson(res, 200, answer);
};

/** A new recovery code for a learner; the old one stops working, and so do the learner's sessions (the old code may have leaked). */
export const resetRecoveryCode: ClassroomHandler = async (c, req, res, params) => {
  const cls = await ownClass(c, await requireTeacher(c, req), params.id);
  const learner = await c.store.learnerById(params.learnerId);
  if (!learner || learner.classId !== cls.id) throw new HttpError(404, 'no such learner in this class');
  const recoveryCode = await drawCode(newRecoveryCode, (code) => c.store.setRecoveryCode(learner.id, code));
  await c.store.deleteLearnerSessions(learner.id);
  const answer: RecoveryCodeAnswer = { recoveryCode };
  sendJson(res, 200, answer);
};

/** An assignment's lesson ids (their count checked by the schema): no repeats, each a lesson with an exercise (400 names the first bad one). */
function assignmentLessons(c: Classroom, ids: string[]): string[] {
  const seen = new Set<string>();
  for (const id of ids) {
    const lesson = c.lab.lessons.get(id);
    const shown = JSON.stringify(id.slice(0, 100));
    if (!lesson) throw new HttpError(400, `unknown lesson ${shown}`);
    if (!lesson.exercise) throw new HttpError(400, `lesson ${shown} has no exercise`);
    if (seen.has(id)) throw new HttpError(400, `lesson ${shown} is listed twice`);
    seen.add(id);
  }
  return [...seen];
}

export const createAssignment: ClassroomHandler = async (c, req, res, params) => {
  const cls = await ownClass(c, await requireTeacher(c, req), params.id);
  const body = parseInput(AssignmentCreateRequestSchema, await readJsonBody(req, CLASSROOM_BODY_BYTES));
  const lessons = assignmentLessons(c, body.lessons);
  if (cls.assignments >= MAX_ASSIGNMENTS_PER_CLASS)
    throw new HttpError(409, `this class has ${MAX_ASSIGNMENTS_PER_CLASS} assignments, the most one class may have`);
  const assignment: AssignmentRow = {
    id: newId(),
    classId: cls.id,
    title: body.title,
    lessons,
    due: body.due ?? null,
    latePolicy: body.latePolicy ?? 'mark',
    createdAt: Date.now(),
  };
  await c.store.createAssignment(assignment);
  announceChange(c, cls.id, 'assignments');
  const created: AssignmentCreated = { id: assignment.id };
  sendJson(res, 201, created);
};

/** The class's assignment of the route (404 when it is not this class's). */
async function ownAssignment(c: Classroom, classId: string, assignmentId: string): Promise<AssignmentRow> {
  const a = await c.store.assignmentById(assignmentId);
  if (!a || a.classId !== classId) throw new HttpError(404, 'no such assignment in this class');
  return a;
}

/**
 * Edits an assignment: only the fields sent change (`due: null` removes the
 * due time). Lessons left out lose their submissions (`removedSubmissions`
 * says how many). Answers the Assignment.
 */
export const updateAssignment: ClassroomHandler = async (c, req, res, params) => {
  const cls = await ownClass(c, await requireTeacher(c, req), params.id);
  const a = await ownAssignment(c, cls.id, params.assignmentId);
  const body = parseInput(AssignmentUpdateRequestSchema, await readJsonBody(req, CLASSROOM_BODY_BYTES));
  const archived = body.archived;
  const next: AssignmentRow = {
    ...a,
    title: body.title ?? a.title,
    lessons: body.lessons === undefined ? a.lessons : assignmentLessons(c, body.lessons),
    due: body.due === undefined ? a.due : body.due,
    latePolicy: body.latePolicy ?? a.latePolicy,
    archivedAt: archived === undefined ? (a.archivedAt ?? null) : archived ? (a.archivedAt ?? Date.now()) : null,
  };
  const removedSubmissions = await c.store.updateAssignment(next);
  announceChange(c, cls.id, 'assignments');
  const answer: AssignmentUpdated = { ...assignmentView((await c.store.assignmentById(a.id))!), removedSubmissions };
  sendJson(res, 200, answer);
};

/** Deletes an assignment with its submissions. */
export const deleteAssignment: ClassroomHandler = async (c, req, res, params) => {
  const cls = await ownClass(c, await requireTeacher(c, req), params.id);
  const a = await ownAssignment(c, cls.id, params.assignmentId);
  await c.store.deleteAssignment(a.id);
  announceChange(c, cls.id, 'assignments');
  res.writeHead(204, { 'cache-control': 'no-store' });
  res.end();
};

async function grid(c: Classroom, classId: string, name: string) {
  const [assignments, learners, subs] = await Promise.all([
    c.store.assignmentsOfClass(classId),
    c.store.learnersOfClass(classId),
    c.store.submissionFactsOfClass(classId),
  ]);
  return buildGrid({ id: classId, name }, assignments, withDistinctNames(learners), subs, (id) => c.lab.lessons.get(id)?.title ?? id);
}

export const results: ClassroomHandler = async (c, req, res, params) => {
  const cls = await ownClass(c, await requireTeacher(c, req), params.id);
  sendJson(res, 200, await grid(c, cls.id, cls.name));
};

export const resultsCsv: ClassroomHandler = async (c, req, res, params) => {
  const cls = await ownClass(c, await requireTeacher(c, req), params.id);
  const csv = gridToCsv(await grid(c, cls.id, cls.name));
  // The file name from the class name, reduced to characters that need no quoting in any browser.
  const fileName = `${cls.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'class'}-results.csv`;
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${fileName}"`,
    'content-length': Buffer.byteLength(csv),
    'cache-control': 'no-store',
  });
  res.end(csv);
};
