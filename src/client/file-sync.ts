/**
 * The three-way rule that keeps the workbench's editor and the learner's
 * workspace in step. Both can change a lesson's files: the editor (typing,
 * autosaved) and the terminal (`go mod tidy`, `go get`, `gofmt -w`, `sed -i`…).
 * Without this rule the editor never shows the terminal's change, and the
 * next Run (which sends the editor's files) silently writes the old text back.
 *
 * Per file, `base` is the content last known to be the same in the editor and
 * in the workspace. Comparing the editor's and the workspace's content with it
 * says who changed the file since then. Pure: no DOM, no fetch (workbench.ts
 * does the I/O).
 */

/** What to do with one file after reading the workspace. */
export type FileDecision =
  /** The workspace is as it was: nothing to do (the editor's own edits, if any, are saved as usual). */
  | { action: 'keep' }
  /** Only the terminal changed it: show the workspace's content in the editor; it is the new base. */
  | { action: 'load'; content: string }
  /** Both changed it, to the same text: nothing to show; that text is the new base. */
  | { action: 'agree'; content: string }
  /** Both changed it differently: keep (and save) the editor's version, and tell the learner. */
  | { action: 'conflict' };

/** The three-way decision for one file. */
export function decideFile(base: string, editor: string, workspace: string): FileDecision {
  if (workspace === base) return { action: 'keep' };
  if (editor === workspace) return { action: 'agree', content: workspace };
  if (editor === base) return { action: 'load', content: workspace };
  return { action: 'conflict' };
}

/** What a sync does, over all of a lesson's files. */
export interface SyncPlan {
  /** Put into the editor (not as a learner edit), and make the base. */
  load: Record<string, string>;
  /** Make the base (the editor already shows it). */
  agree: Record<string, string>;
  /** Changed on both sides: the editor's version stays and is saved; the learner is told. In workspace order. */
  conflicts: string[];
}

/**
 * Applies decideFile to each workspace file. A file the editor does not have,
 * or whose base is unknown, is left alone: without a base nobody can tell who
 * changed it, and leaving it never loses anything (the editor's text stays).
 */
export function planSync(
  base: ReadonlyMap<string, string>,
  editor: Readonly<Record<string, string>>,
  workspace: ReadonlyArray<{ name: string; content: string }>,
): SyncPlan {
  const plan: SyncPlan = { load: {}, agree: {}, conflicts: [] };
  for (const { name, content } of workspace) {
    const known = base.get(name);
    if (known === undefined || !Object.hasOwn(editor, name)) continue;
    const d = decideFile(known, editor[name]!, content);
    if (d.action === 'load') plan.load[name] = d.content;
    else if (d.action === 'agree') plan.agree[name] = d.content;
    else if (d.action === 'conflict') plan.conflicts.push(name);
  }
  return plan;
}

/**
 * The smallest single replacement that turns `from` into `to`: the text
 * between their common prefix and common suffix. Replacing only that span
 * lets the editor keep the cursor and scroll position of the untouched parts.
 * Offsets are UTF-16 indices into `from`.
 */
export function changedSpan(from: string, to: string): { start: number; end: number; text: string } {
  const max = Math.min(from.length, to.length);
  let start = 0;
  while (start < max && from.charCodeAt(start) === to.charCodeAt(start)) start++;
  let tail = 0;
  while (tail < max - start && from.charCodeAt(from.length - 1 - tail) === to.charCodeAt(to.length - 1 - tail)) tail++;
  // Never split a surrogate pair (the editor counts code units too, but a half pair is not text).
  if (start > 0 && isHighSurrogate(from.charCodeAt(start - 1))) start--;
  if (tail > 0 && isLowSurrogate(from.charCodeAt(from.length - tail))) tail--;
  return { start, end: from.length - tail, text: to.slice(start, to.length - tail) };
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;
