/**
 * File:line references in the Output (`./main.go:6:2: undefined: x`, a
 * panic's `/home/learner/<lesson>/main.go:12 +0x1d`) made into links that
 * show that line in the editor. Pure splitting here; workbench.ts builds
 * the links once a Run has ended.
 */
import { learnerFile } from './source-file.ts';

export interface FileRef {
  /** The reference as printed. */
  text: string;
  /** One of the learner's files. */
  file: string;
  line: number;
}

// A path ending in a source file's name, then :line (and :column, kept in the text).
const REF = /(?:\.{0,2}\/)?[\w.\-/]*?[\w.-]+\.(?:go|mod|s|c|h):\d+(?::\d+)?/g;

/**
 * The text split into plain strings and references to the learner's files
 * (`files`, relative names, of lesson `lesson`); references to other files
 * (the standard library's) stay plain text.
 */
export function splitRefs(text: string, files: readonly string[], lesson: string): Array<string | FileRef> {
  const out: Array<string | FileRef> = [];
  let last = 0;
  for (const m of text.matchAll(REF)) {
    const [whole] = m;
    const parts = /^(.*?):(\d+)(?::\d+)?$/.exec(whole)!;
    const file = learnerFile(parts[1]!, files, lesson);
    const line = Number(parts[2]);
    if (!file || line < 1) continue;
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push({ text: whole, file, line });
    last = m.index + whole.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
