/**
 * File inheritance between a chapter's pages (src/lib/starting-files.ts): a
 * page's own file wins, a missing one comes from the nearest earlier page
 * that has it, a page without `files:` lists what the previous one lists, and
 * a file no page has is an error that names the page and the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_STARTING_FILES, resolveStartingFiles, type ChapterPage } from '../../../src/lib/starting-files.ts';

const sources = (pages: ChapterPage[]) =>
  Object.fromEntries([...resolveStartingFiles(pages)].map(([id, files]) => [id, files.map((f) => `${f.name}<-${f.from}`)]));

test('own files win; missing ones come from the nearest earlier page that has them', () => {
  assert.deepEqual(
    sources([
      { id: 'c/one', files: ['main.go', 'go.mod'], own: ['go.mod', 'main.go'] },
      { id: 'c/two', files: ['main.go', 'go.mod', 'data.txt'], own: ['data.txt'] },
      { id: 'c/three', files: ['main.go', 'go.mod'], own: ['main.go'] },
      { id: 'c/four', files: ['data.txt', 'main.go', 'go.mod'], own: [] },
    ]),
    {
      'c/one': ['main.go<-c/one', 'go.mod<-c/one'],
      'c/two': ['main.go<-c/one', 'go.mod<-c/one', 'data.txt<-c/two'],
      'c/three': ['main.go<-c/three', 'go.mod<-c/one'],
      // data.txt skips c/three, which does not list it: the nearest page that has it.
      'c/four': ['data.txt<-c/two', 'main.go<-c/three', 'go.mod<-c/one'],
    },
  );
});

test('a page without files: lists what the previous page lists; the first one the default', () => {
  assert.deepEqual(
    sources([
      { id: 'c/one', own: ['go.mod', 'main.go'] },
      { id: 'c/two', files: ['main.go', 'go.mod', 'greet/greet.go'], own: ['greet/greet.go'] },
      { id: 'c/three', own: [] },
    ]),
    {
      'c/one': DEFAULT_STARTING_FILES.map((n) => `${n}<-c/one`),
      'c/two': ['main.go<-c/one', 'go.mod<-c/one', 'greet/greet.go<-c/two'],
      'c/three': ['main.go<-c/one', 'go.mod<-c/one', 'greet/greet.go<-c/two'],
    },
  );
});

test('a file that neither the page nor an earlier one has is an error naming both', () => {
  assert.throws(
    () =>
      resolveStartingFiles([
        { id: 'c/one', files: ['main.go', 'go.mod'], own: ['go.mod', 'main.go'] },
        { id: 'c/two', files: ['main.go', 'go.mod', 'notes.txt'], own: [] },
      ]),
    /Lesson "c\/two" lists the starting file "notes\.txt", but neither content\/c\/two\/files\/notes\.txt nor an earlier page of its chapter has it/,
  );
  // A later page's file is no help to an earlier one.
  assert.throws(
    () =>
      resolveStartingFiles([
        { id: 'c/one', files: ['main.go', 'go.mod', 'x.go'], own: ['go.mod', 'main.go'] },
        { id: 'c/two', files: ['x.go'], own: ['x.go'] },
      ]),
    /Lesson "c\/one" lists the starting file "x\.go"/,
  );
  assert.throws(() => resolveStartingFiles([{ id: 'c/one', files: ['main.go', 'main.go'], own: ['main.go'] }]), /lists a starting file twice/);
});
