/** What every classroom handler works with. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Lab } from '../api/context.ts';
import type { TokenBuckets } from '../fairness/token-bucket.ts';
import type { Params } from '../http/router.ts';
import type { ClassroomStore } from './store.ts';

export interface Classroom {
  lab: Lab;
  store: ClassroomStore;
  /** Teacher sign-in and sign-up attempts per client address, and sign-in attempts per email. */
  signInRate: TokenBuckets;
  emailRate: TokenBuckets;
  /** Join and recovery-code attempts per client address. */
  codeRate: TokenBuckets;
  /** Classes with a regrade running (one at a time per class). */
  regrading: Set<string>;
}

export type ClassroomHandler = (c: Classroom, req: IncomingMessage, res: ServerResponse, params: Params) => Promise<void>;

export const iso = (ms: number): string => new Date(ms).toISOString();
