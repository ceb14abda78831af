/**
 * The classroom API from the browser (docs/api.md, "Classes"; shapes in
 * src/lib/protocol-classroom.ts): one typed function per endpoint, each
 * checking the answer against its schema (wire.ts) and throwing an ApiError
 * that carries the HTTP status and the server's sentence.
 */
import type { z } from 'zod';
import {
  AssignmentCreatedSchema,
  AssignmentUpdatedSchema,
  ClassCreatedSchema,
  ClassDetailSchema,
  ClassSummarySchema,
  JoinCodeAnswerSchema,
  JoinResultSchema,
  MyAssignmentsSchema,
  RecoveryCodeAnswerSchema,
  RegradeResultSchema,
  ResultsGridSchema,
  SubmissionAcceptedSchema,
  SubmissionHistorySchema,
  SubmissionSchema,
  TeacherInfoSchema,
  type AssignmentCreateRequest,
  type AssignmentUpdateRequest,
  type ClassUpdateRequest,
  type OverrideRequest,
  type RegradeRequest,
} from '../../lib/protocol-classroom.ts';
import { responseError } from '../files-api.ts';
import { readAnswer } from '../wire.ts';
import { rememberJoined as remember } from './joined.ts';

/** A failed request: `status` lets callers tell "not signed in" (401) from other failures. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Sends the request; a failure throws an ApiError with the server's sentence. */
async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    const err = await responseError(res);
    const retry = res.headers.get('retry-after');
    throw new ApiError(res.status, res.status === 429 && retry ? `${err.message} (retry after ${retry} s)` : err.message);
  }
  return res;
}

/** A request whose answer is `schema`'s: a malformed answer is an ApiError that says what is wrong with it. */
async function call<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown): Promise<z.output<S>> {
  const res = await send(method, path, body);
  try {
    return await readAnswer(res, schema);
  } catch (err) {
    throw new ApiError(res.status, (err as Error).message);
  }
}

/** A request answered with 204 (no body). */
async function act(method: string, path: string): Promise<void> {
  await send(method, path);
}

const seg = encodeURIComponent;

// ------------------------------------------------------------------ teacher
export const teacherMe = () => call(TeacherInfoSchema, 'GET', '/api/teacher/me');
export const teacherSignup = (email: string, password: string, name: string) =>
  call(TeacherInfoSchema, 'POST', '/api/teacher/signup', { email, password, name });
export const teacherLogin = (email: string, password: string) => call(TeacherInfoSchema, 'POST', '/api/teacher/login', { email, password });
export const teacherLogout = () => act('POST', '/api/teacher/logout');

export const listClasses = () => call(ClassSummarySchema.array(), 'GET', '/api/classes');
export const createClass = (name: string) => call(ClassCreatedSchema, 'POST', '/api/classes', { name });
export const getClass = (id: string) => call(ClassDetailSchema, 'GET', `/api/classes/${seg(id)}`);
export const updateClass = (id: string, body: ClassUpdateRequest) => call(ClassSummarySchema, 'PATCH', `/api/classes/${seg(id)}`, body);
export const deleteClass = (id: string) => act('DELETE', `/api/classes/${seg(id)}`);
/** The class's live event stream (protocol-classroom.ts, ClassSubmissionEvent); the EventSource reconnects by itself. */
export const classEventsUrl = (id: string) => `/api/classes/${seg(id)}/events`;
export const joinCode = (id: string, action: 'rotate' | 'close') => call(JoinCodeAnswerSchema, 'POST', `/api/classes/${seg(id)}/join-code`, { action });
export const resetRecoveryCode = (id: string, learnerId: string) =>
  call(RecoveryCodeAnswerSchema, 'POST', `/api/classes/${seg(id)}/learners/${seg(learnerId)}/recovery-code`);
export const createAssignment = (id: string, body: AssignmentCreateRequest) =>
  call(AssignmentCreatedSchema, 'POST', `/api/classes/${seg(id)}/assignments`, body);
export const updateAssignment = (id: string, assignmentId: string, body: AssignmentUpdateRequest) =>
  call(AssignmentUpdatedSchema, 'PATCH', `/api/classes/${seg(id)}/assignments/${seg(assignmentId)}`, body);
export const deleteAssignment = (id: string, assignmentId: string) => act('DELETE', `/api/classes/${seg(id)}/assignments/${seg(assignmentId)}`);
export const submissionHistory = (id: string, learnerId: string, assignmentId: string, lesson: string) =>
  call(
    SubmissionHistorySchema,
    'GET',
    `/api/classes/${seg(id)}/learners/${seg(learnerId)}/submissions?assignmentId=${seg(assignmentId)}&lesson=${seg(lesson)}`,
  );
export const getResults = (id: string) => call(ResultsGridSchema, 'GET', `/api/classes/${seg(id)}/results`);
export const resultsCsvUrl = (id: string) => `/api/classes/${seg(id)}/results.csv`;
export const regrade = (id: string, body: RegradeRequest = {}) => call(RegradeResultSchema, 'POST', `/api/classes/${seg(id)}/regrade`, body);
export const getSubmission = (id: string) => call(SubmissionSchema, 'GET', `/api/submissions/${seg(id)}`);
export const overrideSubmission = (id: string, body: OverrideRequest) => call(SubmissionSchema, 'POST', `/api/submissions/${seg(id)}/override`, body);

// ------------------------------------------------------------------ learner
const joined = <T>(answer: Promise<T>) =>
  answer.then((r) => {
    remember(true);
    return r;
  });

export const join = (code: string, name: string) => joined(call(JoinResultSchema, 'POST', '/api/join', { code, name }));
export const recover = (recoveryCode: string) => joined(call(JoinResultSchema, 'POST', '/api/recover', { recoveryCode }));
export const myAssignments = () =>
  joined(call(MyAssignmentsSchema, 'GET', '/api/me/assignments')).catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 401) remember(false); // the cookie expired or was reset
    throw err;
  });
/** Stores the files and answers at once (202); the grade comes from submissionEventsUrl. */
export const submit = (assignmentId: string, lesson: string, files: Record<string, string>) =>
  call(SubmissionAcceptedSchema, 'POST', `/api/assignments/${seg(assignmentId)}/submissions`, { lesson, files });
/** A submission's event stream: its state now, and its grade when it comes. */
export const submissionEventsUrl = (id: string) => `/api/submissions/${seg(id)}/events`;
