/**
 * Starting files inherited across a chapter's pages (src/lib/starting-files.ts,
 * docs/authoring.md): every page's files resolve (a file that no page has is
 * an error), the built manifest lists the same tabs, the server serves the
 * same contents, and no page keeps a copy of a file it would inherit
 * unchanged (the duplicates inheritance exists to remove).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLessons } from '../../server/lessons.ts';
import { LessonManifestSchema } from '../../src/lib/protocol.ts';
import { ownStartingFiles, startingFilePath } from '../../src/lib/starting-files.ts';
import { allStartingFiles, CONTENT_DIR, startingFilesOf } from '../helpers/starting-files.ts';

const SITE = process.env.SITE_DIR ?? join(import.meta.dirname, '..', '..', 'dist');

test('every page of every chapter resolves its starting files', () => {
  const all = allStartingFiles();
  assert.ok(all.size >= 30, `${all.size} pages`);
  for (const [id, files] of all) {
    assert.ok(files.length > 0, id);
    for (const f of files) assert.ok(f.from.split('/')[0] === id.split('/')[0], `${id}: ${f.name} comes from another chapter (${f.from})`);
    startingFilesOf(id); // every resolved file can be read
  }
});

test('pages share their starting files: no page keeps a copy it would inherit unchanged', () => {
  const all = allStartingFiles();
  const ids = [...all.keys()];
  let inherited = 0;
  for (const [k, id] of ids.entries()) {
    inherited += all.get(id)!.filter((f) => f.from !== id).length;
    const earlier = ids
      .slice(0, k)
      .filter((p) => p.split('/')[0] === id.split('/')[0])
      .reverse();
    for (const name of ownStartingFiles(CONTENT_DIR, id)) {
      // The file the page would inherit without its own copy: the nearest earlier page's.
      const from = earlier.find((p) => ownStartingFiles(CONTENT_DIR, p).includes(name));
      if (!from) continue;
      const read = (p: string) => readFileSync(startingFilePath(CONTENT_DIR, { name, from: p }), 'utf8');
      assert.notEqual(read(id), read(from), `content/${id}/files/${name} is the same as ${from}'s: remove it, the page inherits it`);
    }
  }
  assert.ok(inherited > 0, 'no page inherits a file');
});

test('the manifest lists the same tabs, and the server serves the same files', async () => {
  const manifest = LessonManifestSchema.parse(JSON.parse(readFileSync(join(SITE, 'lessons.json'), 'utf8')));
  const all = allStartingFiles();
  assert.deepEqual(
    Object.fromEntries(manifest.lessons.map((l) => [l.id, l.files])),
    Object.fromEntries([...all].map(([id, files]) => [id, files.map((f) => f.name)])),
  );
  const lessons = loadLessons(SITE, CONTENT_DIR);
  for (const lesson of lessons.all()) {
    const served = Object.fromEntries((await lessons.startingFiles(lesson)).map((f) => [f.name, f.content]));
    assert.deepEqual(served, startingFilesOf(lesson.id), lesson.id);
  }
});
