// The demo's guided tour, drawn from onstage's decision for the `tour`
// slot with the page's own small code (docs/tours.md shows the same with
// driver.js and Shepherd): a popover next to the element the current
// step's `content.anchor` names, that element highlighted, the steps as
// dots. A step without a `done` condition has a Next button (the host
// reports `advanced`); a step with one waits for the user to do the thing
// (onstage completes it when its condition holds), and can be skipped.
// "Skip tour" is a dismissal: the tour comes back after its cool-down, at
// the step where the user left it.
import { h, mount } from './dom.js';

const TARGET_CLASS = 'tour-target';

/** The step's definition in the config (to know whether it has a `done`). */
function stepDef(def, stepId) {
  return def?.steps?.find((s) => s.id === stepId);
}

function clearTarget() {
  for (const el of document.querySelectorAll(`.${TARGET_CLASS}`)) el.classList.remove(TARGET_CLASS);
}

export function createTour({ advance, dismiss }) {
  let layer = null;
  let anchor = null;

  /** Places the popover below the anchor (above when there is no room), inside the page. */
  function place() {
    const pop = layer?.firstElementChild;
    if (!pop || !anchor?.isConnected) return;
    const a = anchor.getBoundingClientRect();
    const p = pop.getBoundingClientRect();
    const margin = 12;
    const below = a.bottom + margin + p.height <= window.innerHeight || a.top < p.height + margin;
    const top = (below ? a.bottom + margin : a.top - margin - p.height) + window.scrollY;
    const left = Math.min(Math.max(a.left + window.scrollX, 8), document.documentElement.scrollWidth - p.width - 8);
    Object.assign(pop.style, { top: `${Math.round(top)}px`, left: `${Math.round(left)}px` });
    pop.dataset.placement = below ? 'below' : 'above';
  }
  window.addEventListener('resize', place);

  /**
   * Draws the tour for decision `d` (of the `tour` slot) into `el`;
   * `def` is the tour's definition in the config.
   */
  function render(el, d, def) {
    layer = el;
    clearTarget();
    const step = d.step;
    const content = d.content ?? {};
    const index = d.items.findIndex((s) => s.id === step);
    const hasDone = stepDef(def, step)?.done !== undefined;
    anchor = typeof content.anchor === 'string' ? document.querySelector(content.anchor) : null;
    anchor?.classList.add(TARGET_CLASS);
    mount(el,
      h('div', { class: 'tour-popover', role: 'dialog', 'aria-label': content.title ?? d.experience, testid: 'tour-popover', dataset: { step, anchor: content.anchor ?? '' } },
        h('div', { class: 'tour-head' },
          h('span', { class: 'eyebrow', testid: 'tour-progress' }, `Tour · step ${index + 1} of ${d.items.length}`),
          h('button', {
            type: 'button', class: 'exp-dismiss', title: 'Skip tour', 'aria-label': 'Skip tour', testid: 'tour-skip',
            onclick: () => dismiss(d.experience),
          }, '×')),
        h('h3', { testid: 'tour-title' }, content.title ?? d.experience),
        typeof content.body === 'string' && h('p', { testid: 'tour-body' }, content.body),
        hasDone && typeof content.hint === 'string' && h('p', { class: 'tour-hint', testid: 'tour-hint' }, content.hint),
        h('div', { class: 'tour-foot' },
          h('ol', { class: 'tour-dots', 'aria-label': 'Steps' },
            d.items.map((s) => h('li', { class: s.id === step ? 'current' : s.done ? 'done' : '', testid: `tour-step-${s.id}`, dataset: { done: s.done }, title: s.id }))),
          hasDone
            ? h('button', { type: 'button', class: 'link', testid: 'tour-skip-step', onclick: () => advance(d.experience, step) }, 'Skip this step')
            : h('button', { type: 'button', class: 'btn btn-primary', testid: 'tour-next', onclick: () => advance(d.experience, step) },
              typeof content.cta === 'string' ? content.cta : 'Next'))));
    if (anchor) {
      anchor.scrollIntoView?.({ block: 'nearest', behavior: 'instant' });
      requestAnimationFrame(place);
      place();
    }
  }

  /** Nothing to show: the layer empties and no element stays highlighted. */
  function clear(el) {
    clearTarget();
    anchor = null;
    mount(el);
  }

  return { render, clear };
}
