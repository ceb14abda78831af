/**
 * Every string the site's user interface shows, in one place (the lesson prose
 * lives in content/). Pages and components import `ui`; browser modules get
 * the strings they need the same way (Vite bundles this small module). The
 * classroom's strings are beside it, in ui-strings-classroom.ts: every lesson
 * page loads this module, and only classroom pages need those.
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
  darkTheme: 'Dark theme',
  searchLink: 'Search',
  searchHeading: 'Search the lessons',
  searchNoScript: 'Search needs JavaScript; the home page lists every lesson.',
  onThisPage: 'On this page',
  mythCheckLabel: 'Myth check',
  viewSwitch: 'Show the lesson or the workbench',
  viewRead: 'Read',
  viewCode: 'Code',
  tryIt: '▶ Try it in the terminal',
  tryItLabel: (firstLine: string) => `Try it in the terminal: ${firstLine}`,
  tryItSent: 'Sent to the terminal.',
  tryItNoTerminal: 'The terminal is not ready; type the command there yourself.',
  lessonDone: 'Done',
  /** Home page: how far the learner is (the browser's progress, or the class's server copy for a learner). */
  progressSummary: (done: number, of: number) => `${done} of ${of} done`,
  progressContinue: 'continue with',
  progressStart: 'start with',
  progressAllDone: (of: number) => `All ${of} lessons done.`,
  /** Lesson page, learner in a class: the server's copy of the files and this browser's both changed. */
  learnerFilesKept: (savedAt: string) => `This browser's files were kept. Your files saved from another browser (${savedAt}) differ.`,
  learnerFilesUseSaved: 'Use the saved files instead',
  learnerFilesLoadFailed: (error: string) => `The saved files could not be loaded: ${error}`,
  exerciseHeading: 'Exercise',
  exerciseShowHint: (n: number, of: number) => `Show hint ${n} of ${of}`,
  exerciseHintLabel: (n: number) => `Hint ${n}`,
  exerciseSolution: 'Show the solution',
  checkButton: 'Check',
  checkRunning: 'Checking your files in the sandbox…',
  checkPassed: 'All checks passed. Lesson done.',
  checkFailed: (failed: number, total: number) => `${failed} of ${total} checks did not pass.`,
  checkError: 'Your code did not compile or could not run:',
  /** A result the grader flagged for a teacher's look (CheckResult.review): the sentence follows. */
  checkReview: (why: string) => `⚑ ${why}`,
  checkFailedToRun: (error: string) => `The check could not run: ${error}`,
  /** A check waiting for a free runner behind `ahead` others (0: it goes next). */
  checkQueued: (ahead: number) => ahead <= 0 ? 'The lab is busy. Waiting in line: you are next…'
    : `The lab is busy. Waiting in line: ${ahead} ahead of you…`,
  /** The line was full (429): when pressing Check again is likely to work (the server's Retry-After); checkRetryNow then. */
  checkRefused: (seconds: number) => `The lab is too busy to take your check right now. Try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`,
  checkRetryNow: 'You can press Check again now.',
  checkStatus: { pass: '✓ passed', fail: '✗ failed', error: '! error' } as Record<'pass' | 'fail' | 'error', string>,
  mythCheckTag: 'Myth check',

  workbench: 'Workbench',
  editorRegion: 'Editor',
  filesTablist: 'Files',
  editorLoading: 'Loading the editor…',
  editorTabHint: 'Tab indents · Esc then Tab leaves · Ctrl+M: Tab always leaves',
  editorTabHintArmed: 'Tab or Shift+Tab now leaves the editor',
  editorTabHintMoves: 'Tab moves focus · Ctrl+M: Tab indents',
  editorLoadFailed: 'The editor could not load; the file is shown read-only.',
  editorFilesLoading: 'Loading your files…',
  editorFilesError: (error: string) => `Could not load your files: ${error}`,
  editorAriaLabel: (file: string) => `Editor: ${file}`,

  saveSaved: 'Saved',
  saveSaving: 'Saving…',
  saveFailed: (error: string) => `Not saved: ${error}`,
  /** Files changed both in the editor and in the terminal since they last matched: the editor's text was kept (and saved). */
  fileSyncConflict: (files: string[]) =>
    `${new Intl.ListFormat('en', { type: 'conjunction' }).format(files)} also changed in the terminal; the editor's version was kept`,

  paneHide: 'Hide',
  paneShow: 'Show',
  paneMaximize: 'Maximize',
  paneRestore: 'Restore',
  paneName: { editor: 'the editor', output: 'the output', terminal: 'the terminal' },
  splitterEditorOutput: 'Resize the editor and the output (arrow keys)',
  splitterOutputTerminal: 'Resize the output and the terminal (arrow keys)',

  toolbar: 'Run controls',
  run: 'Run',
  running: 'Running…',
  stop: 'Stop',
  format: 'Format',
  formatTitle: 'Format the open file with gofmt (Shift+Alt+F in the editor)',
  formatFailed: (error: string) => `Not formatted: ${error}`,
  formatBusy: 'Not formatted: wait for the running command to end',
  formatExit: (code: number | undefined) => `gofmt exited with status ${code ?? 'unknown'}`,
  reset: 'Reset',
  resetTitle: 'Restore the starting files?',
  resetConfirmText: 'Restore the starting files? Your changes will be lost. The terminal starts afresh in the lesson folder.',
  resetConfirm: 'Restore',
  resetCancel: 'Cancel',
  resetFailed: (error: string) => `Reset failed: ${error}`,
  /** Above the list of what Reset removes (files the editor, the terminal or a Try it block made). */
  resetRemoves: (n: number) => (n === 1 ? 'This file is not one of the starting files and will be removed:' : `These ${n} files are not starting files and will be removed:`),
  resetRemovesMore: 'and more (the list is cut short).',
  /** Beside the tabs: files in the lesson folder the editor does not open (a built program, a huge file…). */
  otherFilesLabel: 'Also in the folder:',
  otherFile: (name: string, kind: string, bytes: number) => {
    const size = bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
    const what: Record<string, string> = { binary: `binary, ${size}`, large: `too large to edit, ${size}`, unread: `${size}`, symlink: 'symlink', dir: 'folder', other: 'special file' };
    return `${name} (${what[kind] ?? kind})`;
  },
  runCommand: (command: string) => `$ ${command}`,

  outputRegion: 'Output',
  outputEmpty: 'Press Run to build and run the program. Its output appears here.',
  exitStatus: (code: number, ms: number) => `exit status ${code} · ${formatMs(ms)}`,
  /** A go command typed in the terminal ended (its own status; the time from its trace). */
  goCommandExit: (code: number, ms?: number) => `go exited with status ${code}${ms === undefined ? '' : ` · ${formatMs(ms)}`}`,
  runStopped: 'Stopped.',
  runFailed: (error: string) => `Run failed: ${error}`,

  terminalRegion: 'Terminal',
  terminalHint: 'A shell in your sandboxed copy of this lesson. Try go version. Shift+Tab leaves it.',
  terminalLoading: 'Starting the terminal…',
  terminalConnecting: 'Connecting…',
  terminalEnded: '[session ended — press Enter to reconnect]',
  terminalError: (error: string) => `[error: ${error}]`,
  terminalAriaLabel: 'Terminal: a shell in the lesson folder',

  phaseRegion: 'Build phases',
  phaseIdle: 'Press Run (or run a go command in the terminal) to watch the build, step by step.',
  phaseStarting: 'Starting…',
  phaseQueued: (position: number) => `Waiting for a free runner (position ${position})…`,
  phaseLabel: {
    load: 'Loading packages',
    compile: 'Compiling packages',
    cgo: 'Running cgo',
    link: 'Linking',
    run: 'Running',
    test: 'Testing',
    vet: 'Vetting',
  },
  phaseStepName: { load: 'Load', compile: 'Compile', cgo: 'cgo', link: 'Link', run: 'Run', test: 'Test', vet: 'Vet' },
  phaseStateText: { pending: 'not started', active: 'in progress', done: 'done', failed: 'stopped' },
  phaseCompileCount: (done: number, total: number) => `${done} of ${total} packages`,
  phaseProgressLabel: 'Packages compiled or taken from the build cache',
  phaseFinished: 'Finished',
  phaseFailed: 'Stopped',
  phaseBuildFailed: 'The build failed',
  phaseNoBuild: 'This command ran no go build step the lab could watch.',
  phaseCacheSummary: (packages: number, cached: number) =>
    `${packages} ${packages === 1 ? 'package' : 'packages'}, ${cached} from the build cache`,
  phaseLabAdded: 'lab added:',
  phaseReproduce: 'How to reproduce outside the lab',
  phaseReproduceText:
    'The lab adds these two flags of the go command itself to watch the build. Run the same command with files of your own:',
  phaseReproduceAfter:
    'trace.json is a Chrome trace (open it in ui.perfetto.dev); actiongraph.json lists every action with its inputs and timings.',
  phaseActionGraph: 'Action graph',
  phaseActionGraphLoading: 'Drawing the action graph…',
  phaseActionGraphNone: 'No action graph yet: run a go build, run, test or vet command.',
  phaseActionGraphError: 'The action graph could not be drawn.',
  graphStdBuild: (n: number, cached: number | undefined) =>
    cached === undefined ? `${n} standard-library packages` : `${n} standard-library packages, ${cached} from cache`,
  graphStdOther: (mode: string, n: number) => `${n} standard-library ${mode} actions`,
  graphFromCache: 'from the build cache',
  graphRan: (ms: number | null) => (ms === null ? 'ran' : `ran, ${formatMs(ms)}`),
  graphPlanned: 'planned',
  graphLegend: 'Dashed green: taken from the build cache. Solid orange: a tool ran now.',
  diagramLive: 'Live from your last go command:',

  // Look inside the compiler (src/components/workbench/DeepDive.astro, src/client/deep-dive.ts)
  deepToggle: 'Look inside the compiler',
  deepRegion: 'Look inside the compiler',
  deepTablist: 'Compiler deep dives',
  deepTab: { inline: 'Inlining & escapes', asm: 'Assembly', ssa: 'SSA', buildinfo: 'Build info' },
  deepIntro: {
    inline:
      'The compiler\'s own report (-gcflags=-m) of which calls it inlined and which values escape to the heap, shown beside your code. These are notes, not errors.',
    asm: 'The assembly the compiler generates for each function of your package (-gcflags=-S), before the linker lays it out. Links go to the source line of each instruction.',
    ssa: 'One function in the compiler\'s SSA form, after each optimization pass (GOSSAFUNC writes ssa.html). Click a value or block to follow it through the passes.',
    buildinfo: 'What the go command stamps into every program it builds: the Go version, the module, its dependencies and the build settings (go version -m).',
  },
  deepRun: { inline: 'Annotate my code', asm: 'Show assembly', ssa: 'Dump SSA', buildinfo: 'Show build info' },
  deepRunning: 'Running…',
  deepCommandLabel: 'Runs in your sandbox:',
  deepStale: 'Your files changed since this ran: run it again to see the compiler\'s view of them.',
  deepFailed: (error: string) => `Could not run it: ${error}`,
  deepBuildFailed: 'The build failed: the go command\'s messages are below.',
  deepOutput: 'The command\'s output',
  deepNothingPrinted: '(it printed nothing)',
  deepNotesSummary: (notes: number, lines: number) =>
    `Inlining and escapes: ${notes} compiler ${notes === 1 ? 'note' : 'notes'} on ${lines} ${lines === 1 ? 'line' : 'lines'}, shown in the editor beside each line.`,
  deepNotesNone: 'Inlining and escapes: the compiler reported nothing about your files.',
  deepNotesCleared: 'Compiler notes cleared.',
  deepNotesClearedByEdit: 'Compiler notes cleared: your files changed. Run it again to see the new ones.',
  deepNotesClear: 'Clear notes',
  deepNotesHover: 'Compiler notes (go build -gcflags=-m), not errors:',
  deepNotesMore: (n: number) => `(+${n} more)`,
  deepNotesLegend:
    'Orange: allocated on the heap. Blue: inlining. Purple: an interface call made direct. Green: stays on the stack.',
  deepLineLink: (file: string, line: number) => `${file}:${line}`,
  deepLineLinkLabel: (file: string, line: number) => `Go to ${file} line ${line}`,
  deepAsmFunction: 'Function',
  deepAsmYours: 'Your functions',
  deepAsmGenerated: 'Generated by the compiler',
  deepAsmHideBookkeeping: 'Hide PCDATA and FUNCDATA (stack-map and garbage-collector bookkeeping, not machine code)',
  deepAsmSummary: (name: string, functions: number) => `Assembly: ${functions} ${functions === 1 ? 'function' : 'functions'}; showing ${name}.`,
  deepAsmShowing: (name: string) => `Showing the assembly of ${name}.`,
  deepAsmNone: 'Assembly: the listing has no functions.',
  deepAsmListing: (name: string) => `Assembly of ${name}`,
  deepAsmMachineCode: (lines: number) => `Machine code and relocations (${lines} lines)`,
  deepSsaFunction: 'Function (GOSSAFUNC)',
  deepSsaCacheNote:
    'GOSSAFUNC is part of every package\'s build-cache key, so this build recompiles every package your program imports (often 20 seconds or more). The lab gives it a throwaway cache in the sandbox\'s /tmp so those copies do not fill your workspace.',
  deepSsaBadName: (why: string) => `Not a function name (${why}).`,
  deepSsaNoFunction: (name: string) =>
    `SSA: the compiler compiled no function named ${name} in this package, so nothing was dumped. Pick one from the list.`,
  deepSsaDumped: (func: string) => `SSA of ${func} written to ssa.html in your lesson folder, shown below.`,
  deepSsaFrameTitle: (func: string) => `SSA of ${func} (the compiler's ssa.html)`,
  deepSsaOpen: 'Open ssa.html in a new tab',
  deepBuildInfoDone: 'Build info shown.',
  deepBuildInfoNoBinary:
    'go version -m found no Go program: only package main builds an executable (any other package builds an archive).',

  diagramSource: 'Diagram source',
  diagramEnlarge: 'Enlarge',
  diagramEnlargeLabel: 'Enlarge the diagram (full screen, with zoom)',
  diagramDialog: 'Diagram, full screen',
  diagramStage: 'Diagram: arrow keys scroll, + and − zoom, 0 fits it to the screen',
  diagramZoomIn: 'Zoom in',
  diagramZoomOut: 'Zoom out',
  diagramFit: 'Fit',
  diagramClose: 'Close',
  diagramZoomLevel: (percent: number) => `${percent}%`,
  diagramError: 'This diagram could not be drawn; its source is shown instead.',


} as const;

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
