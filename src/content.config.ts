/**
 * The content collections: the single source of truth for lesson metadata.
 *
 *   content/<chapter>/chapter.yaml           -> `chapters` (id: <chapter>)
 *   content/<chapter>/<lesson>/index.mdx     -> `lessons`  (id: <chapter>/<lesson>)
 *   content/<chapter>/<lesson>/files/<name>  -> the lesson's starting files (those it
 *                                               does not have are inherited from the
 *                                               chapter's earlier pages:
 *                                               src/lib/starting-files.ts)
 *   content/<chapter>/<lesson>/exercise/     -> its exercise's checks and solution
 *                                               (src/lib/exercise.ts), when the
 *                                               frontmatter has `exercise`
 *   content/claims.json                      -> `articles` and `claims`: the claims
 *                                               ledger (every claim of the source
 *                                               articles, its verdict, and the lesson
 *                                               section and runnable blocks that answer
 *                                               it; tests/content/claims.test.ts checks
 *                                               that those exist; page: /claims/)
 *
 * The build fails with a message naming the lesson and the file when a lesson
 * lists a starting file that neither it nor an earlier page of its chapter has.
 */
import { checkExerciseFolder } from './lib/exercise.ts';
import { fileNameProblem } from './lib/file-names.ts';
import { ownStartingFiles, resolveStartingFiles } from './lib/starting-files.ts';
import { defineCollection } from 'astro:content';
import { file, glob, type Loader } from 'astro/loaders';
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

/** A file name relative to the lesson's files/ folder: the rule every file name of the lab follows. */
const fileName = z.string().superRefine((name, ctx) => {
  const problem = fileNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: `${problem}: must be a relative path below files/` });
});

/** The glob loader, then a check that every listed starting file exists, in the page's files/ or an earlier page's. */
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
      type Page = { id: string; data: { order?: number; files?: string[] } };
      const chapters = new Map<string, Page[]>();
      for (const entry of context.store.values() as Iterable<Page>) {
        const chapter = entry.id.split('/')[0];
        chapters.set(chapter, [...(chapters.get(chapter) ?? []), entry]);
      }
      for (const pages of chapters.values()) {
        // Reading order, as src/lib/lessons.ts sorts (a malformed order fails the schema, not here).
        pages.sort((a, b) => (a.data.order ?? 0) - (b.data.order ?? 0) || a.id.localeCompare(b.id));
        resolveStartingFiles(pages.map((p) => ({ id: p.id, files: p.data.files, own: ownStartingFiles(CONTENT_DIR.pathname, p.id) })));
      }
      for (const entry of context.store.values()) {
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
    /**
     * Starting files, in tab order: in the lesson's files/ folder, or inherited
     * from an earlier page of the chapter. Absent: the previous page's list
     * (the first page's: main.go, go.mod). src/lib/starting-files.ts.
     */
    files: z.array(fileName).min(1).optional(),
    /** The Run button's command, run by the sandbox's shell in the lesson folder. */
    run: z.string().min(1).default('go run .'),
    /** The lesson needs cgo (a C compiler in the sandbox). */
    cgo: z.boolean().default(false),
    /**
     * The lesson's exercise: the task and hints (public); its checks and
     * solution live in exercise/ (see checkExerciseFolder).
     */
    exercise: z
      .object({
        task: z.string().min(1),
        hints: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .optional(),
  }),
});

/** The ledger file, read once for each of its two collections. */
const LEDGER = 'content/claims.json';
const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase letters, digits and single dashes');

/** The five source articles (../shared/seeds), which the ledger's claims come from. */
const articles = defineCollection({
  loader: file(LEDGER, { parser: (text) => JSON.parse(text).articles }),
  schema: z
    .object({
      id: slug,
      /** The article's file name in shared/seeds. */
      file: z.string().regex(/^\d{3}_[0-9a-f]{16}\.txt$/),
      /** Its title, in Chinese as published, and in English. */
      title: z.string().min(1),
      titleEn: z.string().min(1),
    })
    .strict(),
});

/**
 * One claim of an article: where it is, its words and an English rendering, a
 * verdict, and its answer: a lesson section and the runnable blocks
 * (```sh try id="...") that prove what is true.
 */
const claims = defineCollection({
  loader: file(LEDGER, { parser: (text) => JSON.parse(text).claims }),
  schema: z
    .object({
      id: slug,
      /** An `articles` id. */
      article: slug,
      /** The article's section (heading) that makes the claim, in its words. */
      section: z.string().min(1),
      /** The claim in the article's words (Chinese), quoted or closely excerpted. */
      original: z.string().min(1),
      /** The claim in English. */
      english: z.string().min(1),
      verdict: z.union([z.enum(['true', 'false', 'partly']), z.string().regex(/^true until Go 1\.\d+$/)]),
      /** What is true, in one or two sentences: the answer the lesson shows. */
      answer: z.string().min(1),
      /** The lesson id (<chapter>/<lesson>) that answers it, and the heading anchor there. */
      lesson: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/),
      anchor: z.string().min(1),
      /** The ids of the blocks in that lesson that prove the answer. */
      blocks: z.array(slug).min(1),
    })
    .strict(),
});

export const collections = { chapters, lessons, articles, claims };
