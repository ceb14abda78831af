/**
 * What a "Try it" button types into the terminal for a lesson's runnable
 * block (pure, so it is unit-tested; try-it.ts does the typing).
 */

/**
 * The text typed for a block: the block in a subshell that starts in the
 * lesson's folder (~/<lesson id>, where the terminal opens), as the content
 * test runs it. A block that `cd`s elsewhere (many work in a copy under /tmp)
 * or sets a variable leaves the terminal as it was, so the next block finds
 * the lesson's files. Multi-line blocks keep their lines (heredocs, loops).
 */
export function subshellCommand(block: string, lesson: string): string {
  // Lesson ids are folder slugs; anything else is not put into a shell line.
  const dir = /^[\w/-]+$/.test(lesson) ? `~/${lesson}` : '~';
  const open = block.includes('\n') ? `( cd ${dir} || exit\n` : `( cd ${dir} && `;
  // After a `#` the closing parenthesis could be part of a comment: it goes on a line of its own.
  const close = /[\n#]/.test(block) ? '\n)' : ' )';
  return `${open}${block}${close}`;
}
