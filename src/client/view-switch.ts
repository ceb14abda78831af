/**
 * On a narrow screen the lesson's prose and its workbench would be one long
 * column (the workbench ~10,000 px down): a Read / Code switch at the bottom
 * of the screen shows one or the other instead, and Read comes back to where
 * the learner was reading. "Try it" asks for the Code view (lab:show-code).
 * On a wide screen both are shown side by side and the switch is hidden (CSS).
 */
export type LessonView = 'read' | 'code';

/** The layout's breakpoint, as in the lesson page's CSS. */
const NARROW = '(max-width: 62rem)';

export function setupViewSwitch(layout: HTMLElement): void {
  const buttons = [...layout.querySelectorAll<HTMLButtonElement>('[data-view-button]')];
  const narrow = matchMedia(NARROW);
  const prose = layout.querySelector<HTMLElement>('.prose');
  /**
   * Where the learner was reading: the prose element at the top of the screen
   * and its offset. Kept as an element, not a scroll position: diagrams drawn
   * meanwhile change the page's height above it.
   */
  let reading: { element: Element; top: number } | undefined;
  const readingPlace = () => {
    const header = document.querySelector('.site-header')?.getBoundingClientRect().bottom ?? 0;
    const element = document.elementFromPoint(innerWidth / 2, header + 8);
    return element && prose?.contains(element) ? { element, top: element.getBoundingClientRect().top } : undefined;
  };
  const show = (view: LessonView) => {
    if (layout.dataset.view === view) return;
    if (view === 'code' && narrow.matches) reading = readingPlace();
    layout.dataset.view = view;
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.viewButton === view));
    if (!narrow.matches) return;
    if (view === 'code') scrollTo(0, 0);
    else if (reading) scrollBy(0, reading.element.getBoundingClientRect().top - reading.top);
  };
  for (const b of buttons) b.addEventListener('click', () => show(b.dataset.viewButton as LessonView));
  document.addEventListener('lab:show-code', () => {
    if (narrow.matches) show('code');
  });
}

const layout = document.querySelector<HTMLElement>('[data-lesson-layout]');
if (layout) setupViewSwitch(layout);
