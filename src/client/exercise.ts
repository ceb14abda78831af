/**
 * The exercise section of a lesson page: hints one at a time, and the Check
 * button, which sends the learner's current files to POST /api/check and
 * shows each check's result. While the lab is busy the check waits in line and
 * the status says how many are ahead of it; a refusal (the line is full) says
 * when to try again, and when that time has come. A pass marks the lesson done (progress.ts).
 * A learner who joined a class can also submit the files to an assignment
 * (classroom/submit.ts).
 */
import { ui } from '../lib/ui-strings.ts';
import { renderResult } from './check-results.ts';
import { CheckRefused, checkStream } from './check-stream.ts';
import { hasJoined } from './classroom/joined.ts';
import { loadFiles } from './files-api.ts';
import { markDone, showProgress } from './progress.ts';

/** Detail of the `lab:files-request` event: the workbench answers with the editor's files (saved first). */
export interface FilesRequest {
  resolve(files: Record<string, string>): void;
}

/** The editor's files if a workbench answers, else the workspace's saved copy. */
async function currentFiles(lesson: string): Promise<Record<string, string>> {
  const fromWorkbench = await new Promise<Record<string, string> | null>((resolve) => {
    const event = new CustomEvent<FilesRequest>('lab:files-request', { detail: { resolve }, cancelable: true });
    document.dispatchEvent(event);
    if (!event.defaultPrevented) resolve(null);
  });
  if (fromWorkbench) return fromWorkbench;
  const { files } = await loadFiles(lesson);
  return Object.fromEntries(files.map((f) => [f.name, f.content]));
}

function setupHints(root: HTMLElement): void {
  const button = root.querySelector<HTMLButtonElement>('[data-hint-next]');
  const hints = [...root.querySelectorAll<HTMLElement>('[data-hint]')];
  if (!button || hints.length === 0) return;
  const update = () => {
    const shown = hints.filter((h) => !h.hidden).length;
    button.hidden = shown === hints.length;
    button.textContent = ui.exerciseShowHint(shown + 1, hints.length);
  };
  button.addEventListener('click', () => {
    const next = hints.find((h) => h.hidden);
    if (next) {
      next.hidden = false;
      next.focus();
    }
    update();
  });
  update();
}

/** Check and every Submit button of the exercise, disabled together while one of them runs. */
function setExerciseBusy(root: HTMLElement, busy: boolean): void {
  for (const b of root.querySelectorAll<HTMLButtonElement>('[data-check], [data-submit-to]')) b.disabled = busy;
}

export function setupExercise(root: HTMLElement): void {
  const lesson = root.dataset.lesson!;
  setupHints(root);
  const button = root.querySelector<HTMLButtonElement>('[data-check]')!;
  const status = root.querySelector<HTMLElement>('[data-check-status]')!;
  const summary = root.querySelector<HTMLElement>('[data-check-summary]')!;
  const list = root.querySelector<HTMLElement>('[data-check-results]')!;
  showProgress();
  // A learner in a class also gets "Submit to <assignment>" buttons beside Check.
  // Loaded only in a browser that joined a class (classroom/joined.ts).
  if (hasJoined()) {
    void import('./classroom/submit.ts').then(({ setupSubmit }) =>
      setupSubmit({ root, lesson, currentFiles, status, summary, list, busy: (on) => setExerciseBusy(root, on) }),
    );
  }
  // A refused check says when to try again, and says so again when that time has come. Not a
  // count every second: the status is a live region, and a screen reader would read each number.
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const stopRetryTimer = () => {
    clearTimeout(retryTimer);
    retryTimer = undefined;
  };
  const showRefusal = (seconds: number) => {
    status.textContent = ui.checkRefused(seconds);
    retryTimer = setTimeout(() => {
      status.textContent = ui.checkRetryNow;
    }, seconds * 1000);
  };
  button.addEventListener('click', async () => {
    stopRetryTimer();
    setExerciseBusy(root, true);
    status.textContent = ui.checkRunning;
    summary.textContent = '';
    list.replaceChildren();
    try {
      const files = await currentFiles(lesson);
      // Streamed: a check waiting behind a busy class says where it is in the line, and when it starts.
      const result = await checkStream(
        { lesson, files },
        {
          queued: (position) => {
            status.textContent = ui.checkQueued(position - 1);
          },
          started: () => {
            status.textContent = ui.checkRunning;
          },
        },
      );
      renderResult(list, summary, result);
      status.textContent = '';
      // Check is disabled while it runs (focus would fall to the page): on to the verdict.
      summary.focus();
      if (result.status === 'pass') {
        markDone(lesson);
        showProgress();
      }
    } catch (err) {
      if (err instanceof CheckRefused) showRefusal(err.retryAfterSeconds);
      else status.textContent = ui.checkFailedToRun((err as Error).message);
    } finally {
      setExerciseBusy(root, false);
    }
  });
}

for (const root of document.querySelectorAll<HTMLElement>('[data-exercise]')) setupExercise(root);
