/**
 * Whether this browser joined a class (the learner cookie itself is HttpOnly,
 * so scripts cannot see it). Lesson pages load the Submit code and ask for
 * the learner's assignments only then: a learner who never joined costs no
 * request, no 401 in the console and no classroom code on every page.
 * api.ts keeps it up to date (set on join, recover and a 200 from
 * /api/me/assignments; cleared on a 401 there).
 */
const JOINED_KEY = 'golab:joined-class';

export function rememberJoined(joined: boolean): void {
  try {
    if (joined) localStorage.setItem(JOINED_KEY, '1');
    else localStorage.removeItem(JOINED_KEY);
  } catch {
    /* storage disabled: pages ask the server every time */
  }
}

export function hasJoined(): boolean {
  try {
    return localStorage.getItem(JOINED_KEY) !== null;
  } catch {
    return true;
  }
}
