/**
 * The classroom API from the browser (docs/api.md, "Classes"; shapes in
 * src/lib/protocol.ts): one typed function per endpoint, each throwing an
 * ApiError that carries the HTTP status and the server's sentence.
 */
import type {
  AssignmentCreateRequest,
  AssignmentUpdated,
  AssignmentUpdateRequest,
  ClassUpdateRequest,
  SubmissionAccepted,
  SubmissionHistory,
  ClassCreated,
  ClassDetail,
  ClassSummary,
  JoinResult,
  MyAssignments,
  OverrideRequest,
  RegradeRequest,
  RegradeResult,
  ResultsGrid,
  Submission,
  TeacherInfo,
} from '../../lib/protocol.ts';
import { responseError } from '../files-api.ts';
import { rememberJoined as remember } from './joined.ts';

/** A failed request: `status` lets callers tell "not signed in" (401) from other failures. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
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
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

const seg = encodeURIComponent;

// ------------------------------------------------------------------ teacher
export const teacherMe = () => call<TeacherInfo>('GET', '/api/teacher/me');
export const teacherSignup = (email: string, password: string, name: string) => call<TeacherInfo>('POST', '/api/teacher/signup', { email, password, name });
export const teacherLogin = (email: string, password: string) => call<TeacherInfo>('POST', '/api/teacher/login', { email, password });
export const teacherLogout = () => call<void>('POST', '/api/teacher/logout');

export const listClasses = () => call<ClassSummary[]>('GET', '/api/classes');
export const createClass = (name: string) => call<ClassCreated>('POST', '/api/classes', { name });
export const getClass = (id: string) => call<ClassDetail>('GET', `/api/classes/${seg(id)}`);
export const updateClass = (id: string, body: ClassUpdateRequest) => call<ClassSummary>('PATCH', `/api/classes/${seg(id)}`, body);
export const deleteClass = (id: string) => call<void>('DELETE', `/api/classes/${seg(id)}`);
/** The class's live event stream (protocol.ts, ClassSubmissionEvent); the EventSource reconnects by itself. */
export const classEventsUrl = (id: string) => `/api/classes/${seg(id)}/events`;
export const joinCode = (id: string, action: 'rotate' | 'close') => call<{ joinCode: string | null }>('POST', `/api/classes/${seg(id)}/join-code`, { action });
export const resetRecoveryCode = (id: string, learnerId: string) =>
  call<{ recoveryCode: string }>('POST', `/api/classes/${seg(id)}/learners/${seg(learnerId)}/recovery-code`);
export const createAssignment = (id: string, body: AssignmentCreateRequest) => call<{ id: string }>('POST', `/api/classes/${seg(id)}/assignments`, body);
export const updateAssignment = (id: string, assignmentId: string, body: AssignmentUpdateRequest) =>
  call<AssignmentUpdated>('PATCH', `/api/classes/${seg(id)}/assignments/${seg(assignmentId)}`, body);
export const deleteAssignment = (id: string, assignmentId: string) => call<void>('DELETE', `/api/classes/${seg(id)}/assignments/${seg(assignmentId)}`);
export const submissionHistory = (id: string, learnerId: string, assignmentId: string, lesson: string) =>
  call<SubmissionHistory>('GET', `/api/classes/${seg(id)}/learners/${seg(learnerId)}/submissions?assignmentId=${seg(assignmentId)}&lesson=${seg(lesson)}`);
export const getResults = (id: string) => call<ResultsGrid>('GET', `/api/classes/${seg(id)}/results`);
export const resultsCsvUrl = (id: string) => `/api/classes/${seg(id)}/results.csv`;
export const regrade = (id: string, body: RegradeRequest = {}) => call<RegradeResult>('POST', `/api/classes/${seg(id)}/regrade`, body);
export const getSubmission = (id: string) => call<Submission>('GET', `/api/submissions/${seg(id)}`);
export const overrideSubmission = (id: string, body: OverrideRequest) => call<Submission>('POST', `/api/submissions/${seg(id)}/override`, body);

// ------------------------------------------------------------------ learner
const joined = <T>(answer: Promise<T>) =>
  answer.then((r) => {
    remember(true);
    return r;
  });

export const join = (code: string, name: string) => joined(call<JoinResult>('POST', '/api/join', { code, name }));
export const recover = (recoveryCode: string) => joined(call<JoinResult>('POST', '/api/recover', { recoveryCode }));
export const myAssignments = () =>
  joined(call<MyAssignments>('GET', '/api/me/assignments')).catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 401) remember(false); // the cookie expired or was reset
    throw err;
  });
/** Stores the files and answers at once (202); the grade comes from submissionEventsUrl. */
export const submit = (assignmentId: string, lesson: string, files: Record<string, string>) =>
  call<SubmissionAccepted>('POST', `/api/assignments/${seg(assignmentId)}/submissions`, { lesson, files });
/** A submission's event stream: its state now, and its grade when it comes. */
export const submissionEventsUrl = (id: string) => `/api/submissions/${seg(id)}/events`;
