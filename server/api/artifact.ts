/**
 * `GET /api/workspace/artifact?lesson=ID&path=ssa.html`: a file the toolchain
 * wrote into the lesson folder, read back for the page (the compiler's
 * GOSSAFUNC dump, shown in the workbench's deep dive).
 *
 * The learner controls the lesson folder, so the file is anything they made
 * it: it is read with the symlink-proof helpers (a symlink or hard link named
 * ssa.html is refused, never followed), only names on an allow-list are
 * served, and the answer is sandboxed by its own CSP: scripts run (the dump's
 * collapsible columns need them) but in an opaque origin, with no cookies,
 * storage or same-origin requests, and no network at all.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBytesBeneath, FileTooLargeError } from '../workspace/beneath.ts';
import { HttpError } from '../http/errors.ts';
import { fileNameProblem } from '../../src/lib/file-names.ts';
import { lessonById, type Lab } from '../lab.ts';
import { queryParam } from '../http/query.ts';
import { sessionOf } from './context.ts';

/** Artifact file names the page may read, and the type each is served as. */
export const ARTIFACT_TYPES: Readonly<Record<string, string>> = {
  'ssa.html': 'text/html; charset=utf-8',
};

/**
 * `sandbox allow-scripts` without allow-same-origin: the document gets an
 * opaque origin even when opened directly. The rest keeps its scripts and
 * styles inline only and lets only this site's pages frame it.
 */
export const ARTIFACT_CSP =
  "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'";

/** The validated relative path and its content type; 400 for anything else. */
export function artifactPath(value: string | null): { path: string; type: string } {
  if (value === null || value === '') throw new HttpError(400, 'missing artifact path (query parameter "path", e.g. ssa.html)');
  const problem = fileNameProblem(value);
  if (problem) throw new HttpError(400, problem);
  const name = value.slice(value.lastIndexOf('/') + 1);
  const type = Object.hasOwn(ARTIFACT_TYPES, name) ? ARTIFACT_TYPES[name] : undefined;
  if (!type) {
    throw new HttpError(400, `${JSON.stringify(name.slice(0, 100))} is not an artifact the page may read (only ${Object.keys(ARTIFACT_TYPES).join(', ')})`);
  }
  return { path: value, type };
}

export async function getArtifact(lab: Lab, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const lesson = lessonById(lab, queryParam(req, 'lesson'));
  const { path, type } = artifactPath(queryParam(req, 'path'));
  const session = await sessionOf(lab, req, res, false);
  if (!session) throw new HttpError(404, `no ${path}: this browser has no workspace yet (open the lesson first)`);
  const max = lab.config.MAX_ARTIFACT_BYTES;
  let bytes: Buffer | null;
  try {
    bytes = await readBytesBeneath(session.home, `${lesson.id}/${path}`, max, true);
  } catch (err) {
    if (err instanceof FileTooLargeError) throw new HttpError(413, `${path} is larger than ${max} bytes (MAX_ARTIFACT_BYTES)`);
    throw err;
  }
  if (!bytes) throw new HttpError(404, `no ${path} in the lesson folder: run the command that writes it first`);
  res.writeHead(200, {
    'content-type': type,
    'content-length': bytes.length,
    'cache-control': 'no-store',
    'content-security-policy': ARTIFACT_CSP,
    'x-content-type-options': 'nosniff',
    // Replaces the site-wide DENY: the workbench frames this (CSP frame-ancestors says the same).
    'x-frame-options': 'SAMEORIGIN',
    'cross-origin-resource-policy': 'same-origin',
  });
  res.end(bytes);
}
