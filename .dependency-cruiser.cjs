/**
 * The lab's module layers, checked by dependency-cruiser in the typecheck
 * suite (scripts/test.ts): no import cycles, and no import from a lower
 * layer into a higher one. From the bottom up:
 *
 *   src/lib (wire protocol, exercise schema, UI strings: shared with the browser)
 *   server/util, server/http, server/config.ts, server/lessons.ts
 *   server/workspace  <  server/phases, server/fairness  <  server/sandbox
 *   server/sessions.ts  <  server/lab.ts, server/grading/
 *   server/api, server/classroom  <  server/app.ts  <  server/main.ts
 *
 * The browser (src/) never imports the server.
 */
const above = (...paths) => `^server/(${paths.join('|')})`;
const HIGH = ['api/', 'classroom/', 'app\\.ts', 'main\\.ts'];
const LAB = [...HIGH, 'lab\\.ts', 'grading', 'sessions\\.ts'];

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Import cycles make layers meaningless and start-up order fragile.', from: {}, to: { circular: true } },
    { name: 'browser-not-server', severity: 'error', comment: 'The browser bundle must not pull in server code.', from: { path: '^src/' }, to: { path: '^server/' } },
    { name: 'shared-lib-is-shared', severity: 'error', comment: 'src/lib is imported by the server and the browser: it imports neither.', from: { path: '^src/lib/' }, to: { path: '^(server|src/(client|components|layouts|pages))/' } },
    { name: 'http-is-low', severity: 'error', comment: 'HTTP helpers serve every layer above them.', from: { path: '^server/(http|util)/' }, to: { path: [above(...LAB), '^server/(sandbox|workspace|phases|fairness)/'] } },
    { name: 'workspace-below-sandbox', severity: 'error', comment: 'The sandbox mounts workspaces; a workspace knows nothing of the sandbox.', from: { path: '^server/workspace/' }, to: { path: [above(...LAB), '^server/(sandbox|phases|fairness)/'] } },
    { name: 'sandbox-below-lab', severity: 'error', comment: 'The sandbox, phases and fairness run commands; they do not know who asked.', from: { path: '^server/(sandbox|phases|fairness)/' }, to: { path: above(...LAB) } },
    { name: 'lab-below-handlers', severity: 'error', comment: 'The Lab, sessions and grading serve the API and the classroom, never the reverse.', from: { path: '^server/(lab\\.ts|sessions\\.ts|grading)' }, to: { path: above(...HIGH) } },
    { name: 'classroom-not-api', severity: 'error', comment: 'The classroom and the lab API are peers; what both need lives below them (server/lab.ts).', from: { path: '^server/classroom/' }, to: { path: '^server/api/' } },
    { name: 'api-not-classroom', severity: 'error', comment: 'The lab API works without the classroom.', from: { path: '^server/api/' }, to: { path: '^server/classroom/' } },
    { name: 'app-is-top', severity: 'error', comment: 'Only main.ts (and tests) start the app.', from: { path: '^server/', pathNot: '^server/(main|app)\\.ts$' }, to: { path: above('app\\.ts', 'main\\.ts') } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|\\.data|\\.astro)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6'],
  },
};
