/** What every classroom handler works with. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Lab } from '../lab.ts';
import type { TokenBuckets } from '../fairness/token-bucket.ts';
import type { Params } from '../http/router.ts';
import type { CodeGuard } from './code-guard.ts';
import type { ClassroomEvents } from './events.ts';
import type { GradingQueue } from './grading-queue.ts';
import type { ClassroomStore } from './store.ts';

export interface Classroom {
  lab: Lab;
  store: ClassroomStore;
  /** Teacher sign-in and sign-up attempts per client address, and sign-in attempts per email. */
  signInRate: TokenBuckets;
  emailRate: TokenBuckets;
  /** Wrong join and recovery codes, per client address and server-wide. */
  codeGuard: CodeGuard;
  /** Classes with a regrade running (one at a time per class). */
  regrading: Set<string>;
  /** Live updates: the teachers' grids and the learners' waiting submissions. */
  events: ClassroomEvents;
  /** Pending submissions, graded as the machine has room. */
  grading: GradingQueue;
}

export type ClassroomHandler = (c: Classroom, req: IncomingMessage, res: ServerResponse, params: Params) => Promise<void>;
