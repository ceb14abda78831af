/**
 * "Submit to <assignment>" beside an exercise's Check, for a learner who
 * joined a class in this browser (GET /api/me/assignments answers 200) when this lesson is in
 * one or more of their assignments. A submission sends the same files Check
 * does; the server stores it and answers at once ("submitted, grading…"),
 * and the grade comes over the submission's event stream, shown the same way
 * as a Check's (the stored result, so the page says what the teacher sees).
 * A failure to submit leaves the files as they are and says why.
 */
import { SubmissionInfoSchema, type MyAssignments, type SubmissionInfo } from '../../lib/protocol-classroom.ts';
import { classroomUi } from '../../lib/ui-strings-classroom.ts';
import { renderResult } from '../check-results.ts';
import { markDone, showProgress } from '../progress.ts';
import { parseJson } from '../wire.ts';
import { getSubmission, myAssignments, submissionEventsUrl, submit } from './api.ts';

/** When the event stream is refused (EventSource does not retry then), the grade is asked for this often… */
const POLL_MS = 3000;
/** …this many times (5 minutes), then the page points to the class page instead. */
const MAX_POLLS = 100;

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
    const accepted = await submit(assignment.id, ctx.lesson, files);
    // Stored: the learner may go on working while it is graded.
    ctx.status.textContent = accepted.late ? classroomUi.submittedGradingLate(assignment.title) : classroomUi.submittedGrading(assignment.title);
    ctx.root.dataset.grading = accepted.submissionId;
    awaitGrade(ctx, assignment.title, accepted.submissionId, accepted.late);
  } catch (err) {
    // The results of an earlier Check or Submit stay; the editor's files were never touched.
    ctx.status.textContent = classroomUi.submitFailed((err as Error).message);
  } finally {
    ctx.busy(false);
  }
}

/** The grade of a stored submission, over its event stream (or, when that is refused, by asking now and then). */
function awaitGrade(ctx: SubmitContext, title: string, id: string, late: boolean): void {
  let done = false;
  const show = (info: SubmissionInfo) => {
    if (done || info.pending) return;
    done = true;
    // A newer submission's state owns the page; this one's grade is on the class page.
    if (ctx.root.dataset.grading !== id) return;
    delete ctx.root.dataset.grading;
    renderResult(ctx.list, ctx.summary, info.result);
    ctx.status.textContent = late ? classroomUi.submittedLate(title) : classroomUi.submitted(title);
    if ((info.override?.status ?? info.result.status) === 'pass') {
      markDone(ctx.lesson);
      showProgress();
    }
  };
  const source = new EventSource(submissionEventsUrl(id));
  source.addEventListener('submission', (message) => {
    let info: SubmissionInfo;
    try {
      info = parseJson(SubmissionInfoSchema, (message as MessageEvent<string>).data, "the submission's event");
    } catch (err) {
      // Said where the grade would be; the stream's next event (or the end of it) may still bring the grade.
      if (!done && ctx.root.dataset.grading === id) ctx.status.textContent = classroomUi.submitFailed((err as Error).message);
      return;
    }
    show(info);
    if (done) source.close();
  });
  source.addEventListener('error', () => {
    // CONNECTING: the browser reconnects by itself (the stream starts with the state now). CLOSED: refused.
    if (done || source.readyState !== EventSource.CLOSED) return;
    void (async () => {
      for (let i = 0; i < MAX_POLLS && !done; i++) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        try {
          show(await getSubmission(id));
        } catch {
          /* try again */
        }
      }
      if (!done && ctx.root.dataset.grading === id) ctx.status.textContent = classroomUi.gradingLost;
    })();
  });
}
