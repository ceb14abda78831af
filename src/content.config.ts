/**
 * The content collections: the single source of truth for lesson metadata.
 *
 *   content/<chapter>/chapter.yaml           -> `chapters` (id: <chapter>)
 *   content/<chapter>/<lesson>/index.mdx     -> `lessons`  (id: <chapter>/<lesson>)
 *   content/<chapter>/<lesson>/files/<name>  -> the lesson's starting files
 *   content/<chapter>/<lesson>/exercise/     -> its exercise's checks and solution
 *                                               (src/lib/exercise.ts), when the
 *                                               frontmatter has `exercise`
 *
 * The build fails with a message naming the lesson and the file when a lesson
 * lists a starting file that does not exist.
 */
import { existsSync, statSync } from 'node:fs';
import { checkExerciseFolder } from './lib/exercise.ts';
import { defineCollection } from 'astro:content';
import { glob, type Loader } from 'astro/loaders';
import { z } from 'astro/zod';

const CONTENT_DIR = new URL('../content/', import.meta.url);

const chapters = defineCollection({
  loader: glob({
    base: './content',
    pattern: '*/chapter.yaml',
    generateId: ({ entry }) => entry.replace(/\/chapter\.ya?ml$/, ''),
  }),
  schema: z.object({
    title: z.string().min(1),
    order: z.number(),
    summary: z.string(),
  }),
});

/** A file name relative to the lesson's files/ folder: forward slashes, no `..`, not absolute. */
const fileName = z
  .string()
  .min(1)
  .refine((name) => !name.startsWith('/') && !name.split('/').some((part) => part === '' || part === '.' || part === '..'), {
    message: 'must be a relative path below files/ (no leading "/", no "." or ".." parts)',
  });

/** The glob loader, then a check that every listed starting file exists. */
function lessonLoader(): Loader {
  const inner = glob({
    base: './content',
    pattern: '*/*/index.mdx',
    generateId: ({ entry }) => entry.replace(/\/index\.mdx$/, ''),
  });
  return {
    name: 'lesson-loader',
    async load(context) {
      await inner.load(context);
      for (const entry of context.store.values()) {
        const files = (entry.data as { files?: string[] }).files ?? [];
        for (const name of files) {
          const url = new URL(`${entry.id}/files/${name}`, CONTENT_DIR);
          if (!existsSync(url) || !statSync(url).isFile()) {
            throw new Error(
              `Lesson "${entry.id}" lists the starting file "${name}", but content/${entry.id}/files/${name} does not exist.`,
            );
          }
        }
        if (new Set(files).size !== files.length) {
          throw new Error(`Lesson "${entry.id}" lists a starting file twice: ${files.join(', ')}`);
        }
        checkExerciseFolder(CONTENT_DIR.pathname, entry.id, (entry.data as { exercise?: unknown }).exercise !== undefined);
      }
    },
  };
}

const lessons = defineCollection({
  loader: lessonLoader(),
  schema: z.object({
    title: z.string().min(1),
    summary: z.string(),
    order: z.number(),
    /** Starting files relative to the lesson's files/ folder, in tab order. */
    files: z.array(fileName).min(1).default(['main.go', 'go.mod']),
    /** The Run button's command, run by the sandbox's shell in the lesson folder. */
    run: z.string().min(1).default('go run .'),
    /** The lesson needs cgo (a C compiler in the sandbox). */
    cgo: z.boolean().default(false),
    /**
     * The lesson's exercise: the task and hints (public); its checks and
     * solution live in exercise/ (see checkExerciseFolder).
     */
    exercise: z.object({
      task: z.string().min(1),
      hints: z.array(z.string().min(1)).default([]),
    }).strict().optional(),
  }),
});

export const collections = { chapters, lessons };
