// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import { metaPairs, TRY_META } from './src/lib/try-blocks.ts';

/**
 * Monaco's ES modules import ~100 small stylesheets; Astro would link all of them
 * (90 kB, render-blocking) into every lesson page. This plugin empties them, and
 * src/client/monaco.ts injects Monaco's prebuilt stylesheet when Monaco loads.
 * @returns {import('vite').Plugin}
 */
function monacoCssOnDemand() {
  return {
    name: 'go-build-lab:monaco-css-on-demand',
    enforce: 'pre',
    load(id) {
      if (/[\\/]monaco-editor[\\/]esm[\\/].*\.css($|\?)/.test(id)) return '';
    },
  };
}

/**
 * Marks a lesson's runnable blocks (```sh try ...: the content test runs them)
 * with data-try on their <pre>, so src/client/try-it.ts can add a "Try it"
 * button that sends the command to the terminal, and a block with id="NAME"
 * gets the anchor id="try-NAME".
 * @returns {import('shiki').ShikiTransformer}
 */
function tryBlocks() {
  return {
    name: 'go-build-lab:try-blocks',
    pre(node) {
      const raw = this.options.meta?.__raw ?? '';
      if (!TRY_META.test(raw)) return;
      node.properties['data-try'] = '';
      // id="NAME" (tests/content/blocks.ts checks its form): the block's anchor,
      // which the claims ledger (content/claims.yaml, /claims/) links to.
      for (const [key, value] of metaPairs(raw).pairs) {
        if (key === 'id') node.properties.id = `try-${value}`;
      }
    },
  };
}

/**
 * Keeps each diagram's mermaid source (<pre><code class="language-mermaid">)
 * out of the search index: search excerpts showed raw `flowchart LR … -->`
 * text. Astro 7's Markdown processor takes no rehype plugins, so the built
 * pages get data-pagefind-ignore on those <pre>s before scripts/setup.ts runs
 * pagefind over dist/.
 * @returns {import('astro').AstroIntegration}
 */
function mermaidSourceNotIndexed() {
  return {
    name: 'go-build-lab:mermaid-source-not-indexed',
    hooks: {
      'astro:build:done': async ({ dir }) => {
        const { readdir, readFile, writeFile } = await import('node:fs/promises');
        const { fileURLToPath } = await import('node:url');
        const { join } = await import('node:path');
        const root = fileURLToPath(dir);
        for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
          if (!entry.isFile() || !entry.name.endsWith('.html')) continue;
          const path = join(entry.parentPath, entry.name);
          const html = await readFile(path, 'utf8');
          const marked = html.replaceAll('<pre><code class="language-mermaid">', '<pre data-pagefind-ignore><code class="language-mermaid">');
          if (marked !== html) await writeFile(path, marked);
        }
      },
    },
  };
}

// The site is static: the lab server (server/) serves dist/ at `/` next to its API.
export default defineConfig({
  output: 'static',
  integrations: [mdx(), mermaidSourceNotIndexed()],
  trailingSlash: 'always',
  build: { format: 'directory' },
  markdown: {
    // ```mermaid fences skip the highlighter and stay plain source,
    // <pre><code class="language-mermaid">, readable without JavaScript;
    // src/client/diagrams.ts draws them as SVG when they come near the viewport.
    syntaxHighlight: { type: 'shiki', excludeLangs: ['mermaid'] },
    shikiConfig: { theme: 'github-dark-high-contrast', transformers: [tryBlocks()] },
  },
  vite: {
    plugins: [monacoCssOnDemand()],
    build: {
      // Monaco, mermaid and xterm are large on-demand chunks; they never load with the page.
      chunkSizeWarningLimit: 6000,
      rolldownOptions: {
        onwarn(warning, warn) {
          // @astrojs/mdx marks its modules with a directive the bundler does not know; harmless.
          if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.message.includes('astro:head-inject')) return;
          warn(warning);
        },
      },
    },
  },
});
