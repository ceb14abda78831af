/**
 * Every string the site's user interface shows, in one place (the lesson prose
 * lives in content/). Pages and components import `ui`; browser modules get
 * the strings they need the same way (Vite bundles this small module).
 */
export const ui = {
  siteTitle: 'Go Build Lab',
  siteTagline: 'How Go programs are built and run — read it, then run it on a real toolchain.',
  skipToContent: 'Skip to content',
  homeLink: 'All lessons',
  chaptersHeading: 'Chapters',
  lessonsInChapter: (title: string) => `Lessons in ${title}`,
  chapterLabel: (n: number) => `Chapter ${n}`,
  noLessons: 'No lessons yet.',
  previousLesson: 'Previous',
  nextLesson: 'Next',
  lessonNav: 'Lesson navigation',

  workbench: 'Workbench',
  editorRegion: 'Editor',
  filesTablist: 'Files',
  editorLoading: 'Loading the editor…',
  editorTabHint: 'Tab indents · Ctrl+M: Tab moves focus',
  editorLoadFailed: 'The editor could not load; the file is shown read-only.',
  editorFilesLoading: 'Loading your files…',
  editorFilesError: (error: string) => `Could not load your files: ${error}`,
  editorAriaLabel: (file: string) => `Editor: ${file}`,

  saveSaved: 'Saved',
  saveSaving: 'Saving…',
  saveFailed: (error: string) => `Not saved: ${error}`,

  toolbar: 'Run controls',
  run: 'Run',
  running: 'Running…',
  stop: 'Stop',
  reset: 'Reset',
  resetTitle: 'Restore the starting files?',
  resetConfirmText: 'Restore the starting files? Your changes will be lost.',
  resetConfirm: 'Restore',
  resetCancel: 'Cancel',
  resetFailed: (error: string) => `Reset failed: ${error}`,
  runCommand: (command: string) => `$ ${command}`,

  outputRegion: 'Output',
  outputEmpty: 'Press Run to build and run the program. Its output appears here.',
  exitStatus: (code: number, ms: number) => `exit status ${code} · ${formatMs(ms)}`,
  runStopped: 'Stopped.',
  runFailed: (error: string) => `Run failed: ${error}`,

  terminalRegion: 'Terminal',
  terminalHint: 'A shell in your sandboxed copy of this lesson. Try go version. Shift+Tab leaves it.',
  terminalLoading: 'Starting the terminal…',
  terminalConnecting: 'Connecting…',
  terminalEnded: '[session ended — press Enter to reconnect]',
  terminalError: (error: string) => `[error: ${error}]`,
  terminalAriaLabel: 'Terminal: a shell in the lesson folder',

  diagramSource: 'Diagram source',
  diagramError: 'This diagram could not be drawn; its source is shown instead.',
} as const;

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export type UiStrings = typeof ui;
