/**
 * "Submit to <assignment>" beside an exercise's Check, for a learner who
 * joined a class in this browser (GET /api/me/assignments answers 200) when this lesson is in
 * one or more of their assignments. A submission sends the same files Check
 * does and shows the per-test results the same way; a failure leaves the
 * files as they are and says why.
 */
import type { MyAssignments } from '../../lib/protocol.ts';
import { classroomUi } from '../../lib/ui-strings-classroom.ts';
import { renderResult } from '../check-results.ts';
import { markDone, showProgress } from '../progress.ts';
import { myAssignments, submit } from './api.ts';

export interface SubmitContext {
  root: HTMLElement;
  lesson: string;
  currentFiles(lesson: string): Promise<Record<string, string>>;
  status: HTMLElement;
  summary: HTMLElement;
  list: HTMLElement;
  /** Check and every Submit button, disabled together while one of them runs. */
  busy(on: boolean): void;
}

/** The assignments of the learner's class that contain `lesson` (none when not in a class). */
export function assignmentsWith(mine: MyAssignments, lesson: string): Array<{ id: string; title: string }> {
  return mine.assignments.filter((a) => a.lessons.includes(lesson)).map((a) => ({ id: a.id, title: a.title }));
}

export async function setupSubmit(ctx: SubmitContext): Promise<void> {
  const bar = ctx.root.querySelector<HTMLElement>('[data-submit-bar]');
  if (!bar) return;
  let mine: MyAssignments;
  try {
    mine = await myAssignments();
  } catch {
    return; // not in a class (401) or the server cannot say: the lesson works as before, without Submit
  }
  for (const a of assignmentsWith(mine, ctx.lesson)) {
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.submitTo = a.id;
    button.textContent = classroomUi.submitTo(a.title);
    button.addEventListener('click', () => void send(ctx, a));
    bar.append(button);
  }
}

async function send(ctx: SubmitContext, assignment: { id: string; title: string }): Promise<void> {
  ctx.busy(true);
  ctx.status.textContent = classroomUi.submitting;
  try {
    const files = await ctx.currentFiles(ctx.lesson);
    const result = await submit(assignment.id, ctx.lesson, files);
    renderResult(ctx.list, ctx.summary, result);
    ctx.status.textContent = result.late ? classroomUi.submittedLate(assignment.title) : classroomUi.submitted(assignment.title);
    if (result.status === 'pass') {
      markDone(ctx.lesson);
      showProgress();
    }
  } catch (err) {
    // The results of an earlier Check or Submit stay; the editor's files were never touched.
    ctx.status.textContent = classroomUi.submitFailed((err as Error).message);
  } finally {
    ctx.busy(false);
  }
}
