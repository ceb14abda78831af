/**
 * The assembly deep dive's listing (DeepDive.astro, `data-asm*`): a function
 * picker (the learner's functions first, then the compiler's own), the
 * symbol's header line as the compiler printed it, and its instructions with
 * their source positions; positions in the learner's files are links to the
 * editor line (one link where the line changes, not one per instruction, so
 * the keyboard path stays short).
 */
import { ui } from '../lib/ui-strings.ts';
import { BOOKKEEPING_OPS, type AsmInstruction, type AsmSymbol } from './asm.ts';

export type FunctionEntry = { symbol: AsmSymbol; generated: boolean };

/** A position as shown: the learner's file, the standard library below src/, or as printed. */
function shortPosition(i: AsmInstruction): string {
  if (i.line === null) return '?';
  const path = i.file ?? (i.path.includes('/src/') ? i.path.slice(i.path.lastIndexOf('/src/') + 5) : i.path);
  return `${path}:${i.line}`;
}

export class AsmView {
  private readonly root: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly bookkeeping: HTMLInputElement;
  private readonly header: HTMLElement;
  private readonly listing: HTMLElement;
  private readonly dataBox: HTMLDetailsElement;
  private readonly dataSummary: HTMLElement;
  private readonly dataLines: HTMLElement;
  private functions: FunctionEntry[] = [];
  private readonly onSource: (file: string, line: number) => void;

  constructor(panel: HTMLElement, onSource: (file: string, line: number) => void) {
    const $ = <T extends HTMLElement>(name: string) => panel.querySelector<T>(`[data-${name}]`)!;
    this.onSource = onSource;
    this.root = $('asm');
    this.select = $<HTMLSelectElement>('asm-func');
    this.bookkeeping = $<HTMLInputElement>('asm-bookkeeping');
    this.header = $('asm-header');
    this.listing = $('asm-listing');
    this.dataBox = $<HTMLDetailsElement>('asm-data');
    this.dataSummary = $('asm-data-summary');
    this.dataLines = $('asm-data-lines');
    this.select.addEventListener('change', () => this.render());
    this.bookkeeping.addEventListener('change', () => this.render());
    this.listing.addEventListener('click', (e) => {
      const link = (e.target as HTMLElement).closest<HTMLElement>('[data-file]');
      if (link) this.onSource(link.dataset.file!, Number(link.dataset.line));
    });
  }

  /** Show a new listing; keeps the function picked before when it is still there. Returns the one shown. */
  show(functions: FunctionEntry[]): string {
    const previous = this.select.value;
    this.functions = functions;
    const groups: Array<[string, FunctionEntry[]]> = [
      [ui.deepAsmYours, functions.filter((f) => !f.generated)],
      [ui.deepAsmGenerated, functions.filter((f) => f.generated)],
    ];
    this.select.replaceChildren(
      ...groups
        .filter(([, list]) => list.length)
        .map(([label, list]) => {
          const group = document.createElement('optgroup');
          group.label = label;
          for (const f of list) group.append(new Option(f.symbol.name, f.symbol.name));
          return group;
        }),
    );
    const names = functions.map((f) => f.symbol.name);
    this.select.value = names.includes(previous) ? previous : (names[0] ?? '');
    this.root.hidden = false;
    this.render();
    return this.select.value;
  }

  hide(): void {
    this.root.hidden = true;
  }

  private render(): void {
    const symbol = this.functions.find((f) => f.symbol.name === this.select.value)?.symbol;
    if (!symbol) return;
    this.header.textContent = symbol.header;
    this.listing.setAttribute('aria-label', ui.deepAsmListing(symbol.name));
    const hide = this.bookkeeping.checked;
    const out = document.createDocumentFragment();
    let lastLinked = '';
    for (const i of symbol.instructions) {
      const bookkeeping = BOOKKEEPING_OPS.has(i.op);
      if (bookkeeping && hide) continue;
      const row = document.createElement('span');
      if (bookkeeping) row.className = 'bk';
      const pc = document.createElement('span');
      pc.className = 'pc';
      pc.textContent = `${i.pc} `;
      const where = shortPosition(i);
      let pos: HTMLElement;
      if (i.file && i.line !== null && where !== lastLinked) {
        pos = document.createElement('button');
        pos.setAttribute('type', 'button');
        pos.className = 'dd-link pos';
        pos.dataset.file = i.file;
        pos.dataset.line = String(i.line);
        pos.setAttribute('aria-label', ui.deepLineLinkLabel(i.file, i.line));
        lastLinked = where;
      } else {
        pos = document.createElement('span');
        pos.className = 'pos';
        if (i.line !== null) pos.title = `${i.path}:${i.line}`;
      }
      pos.textContent = where;
      const op = document.createElement('span');
      op.className = 'op';
      op.textContent = i.op;
      row.append(pc, pos, ' ', op, i.args ? ` ${i.args}` : '', '\n');
      out.append(row);
    }
    this.listing.replaceChildren(out);
    this.dataSummary.textContent = ui.deepAsmMachineCode(symbol.data.length);
    this.dataLines.textContent = symbol.data.join('\n');
    this.dataBox.hidden = symbol.data.length === 0;
  }
}
