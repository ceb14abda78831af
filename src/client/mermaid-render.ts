/**
 * Mermaid, imported on first use only (it is large): shared by the lesson
 * diagrams (diagrams.ts) and the action graph of the phase view.
 */
type Mermaid = typeof import('mermaid').default;
let mermaidPromise: Promise<Mermaid> | undefined;
let counter = 0;

export function loadMermaid(): Promise<Mermaid> {
  mermaidPromise ??= import('mermaid').then(({ default: mermaid }) => {
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral' });
    return mermaid;
  });
  return mermaidPromise;
}

/** Draw mermaid source as SVG markup; `prefix` keeps element ids of different callers apart. */
export async function renderMermaid(prefix: string, source: string): Promise<{ id: string; svg: string }> {
  const mermaid = await loadMermaid();
  const id = `${prefix}-${++counter}`;
  const { svg } = await mermaid.render(`${id}-svg`, source);
  return { id, svg };
}
