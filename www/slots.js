// The places on the page where onstage's decisions appear (home, sidebar,
// banner, and the tour layer): renders each slot's experience from its
// decision and wires its dismiss and call-to-action buttons to dismissed /
// converted (a tour's Next to advanced: see tour.js).
import { h, mount, s } from './dom.js';
import { createTour } from './tour.js';

/** Checklist items the product can do in one click (item id -> product button). */
const ITEM_ACTIONS = {
  workspace: 'action-create-workspace',
  integration: 'action-connect-integration',
  report: 'action-build-report',
  invite: 'action-invite-teammate',
};

const EYEBROW = { checklist: 'Getting started', nudge: 'Suggested for you', upgrade_prompt: 'Upgrade', tour: 'Tour' };

const ICONS = {
  checklist: 'M5 10.5l3 3 7-7',
  nudge: 'M10 2.5l2.2 4.6 5 .7-3.6 3.5.9 5-4.5-2.4-4.5 2.4.9-5L2.8 7.8l5-.7z',
  upgrade_prompt: 'M10 16V4m0 0l-5 5m5-5l5 5',
};

function icon(kind) {
  const path = ICONS[kind] ?? ICONS.nudge;
  return h('span', { class: 'exp-icon' }, s('svg', { viewBox: '0 0 20 20', 'aria-hidden': 'true' },
    s('path', { d: path, fill: 'none', stroke: 'currentColor', 'stroke-width': '2', 'stroke-linecap': 'round', 'stroke-linejoin': 'round' })));
}

export function createSlots({ interact, advance, act, config, toast }) {
  const elements = [...document.querySelectorAll('[data-slot]')];
  const lastKey = new Map();
  const tour = createTour({ advance, dismiss: (id) => interact('dismissed', id) });

  function definition(id) {
    return config().experiences?.find((e) => e.id === id);
  }

  function dismissButton(slot, id, label = 'Dismiss') {
    return h('button', {
      type: 'button', class: 'exp-dismiss', title: label, 'aria-label': label, testid: `${slot}-dismiss`,
      onclick: () => interact('dismissed', id),
    }, '×');
  }

  function ctaButton(slot, id, content) {
    const label = content.cta ?? (content.feature ? `Try ${content.feature}` : 'Tell me more');
    return h('button', {
      type: 'button', class: `btn ${slot === 'banner' ? 'btn-light' : 'btn-primary'}`, testid: `${slot}-cta`,
      onclick: () => {
        interact('converted', id);
        // A nudge towards a feature converts when the user opens it.
        if (typeof content.feature === 'string') act('feature_used', { feature: content.feature });
        toast(`${label}: onstage recorded a conversion of ${id}.`);
      },
    }, label);
  }

  function checklist(slot, d) {
    const def = definition(d.experience);
    const items = d.items.map((item, i) => ({ ...item, label: def?.items?.[i]?.label ?? item.id }));
    const done = items.filter((i) => i.done).length;
    return h('div', { class: 'exp exp-checklist' },
      h('div', { class: 'exp-head' },
        icon('checklist'),
        h('div', { class: 'exp-titles' },
          h('span', { class: 'eyebrow' }, EYEBROW.checklist),
          h('h3', { testid: `${slot}-title` }, d.content?.title ?? d.experience)),
        h('div', { class: 'progress', title: `${done} of ${items.length} done` },
          h('span', { testid: 'checklist-progress' }, `${done} of ${items.length}`),
          h('span', { class: 'bar' }, h('span', { style: `width:${items.length ? (100 * done) / items.length : 0}%` }))),
        dismissButton(slot, d.experience, 'Hide checklist')),
      h('ol', { class: 'checklist' },
        items.map((item) => h('li', { testid: `checklist-item-${item.id}`, dataset: { done: item.done }, class: item.done ? 'done' : '' },
          h('span', { class: 'tick', 'aria-hidden': 'true' }),
          h('span', { class: 'item-label' }, item.label),
          item.done ? h('span', { class: 'item-state' }, 'Done')
            : ITEM_ACTIONS[item.id] && h('button', {
              type: 'button', class: 'link',
              onclick: () => document.querySelector(`[data-testid="${ITEM_ACTIONS[item.id]}"]`)?.click(),
            }, 'Do it now →')))));
  }

  function card(slot, d, kind) {
    const content = d.content ?? {};
    const body = typeof content.body === 'string' ? content.body : null;
    return h('div', { class: `exp exp-card exp-${kind}` },
      icon(kind),
      h('div', { class: 'exp-titles' },
        h('span', { class: 'eyebrow' }, EYEBROW[kind] ?? kind),
        h('h3', { testid: `${slot}-title` }, content.title ?? d.experience),
        body && h('p', {}, body),
        h('div', { class: 'exp-actions' }, ctaButton(slot, d.experience, content))),
      dismissButton(slot, d.experience));
  }

  function banner(slot, d, kind) {
    const content = d.content ?? {};
    return h('div', { class: `exp exp-banner exp-${kind}` },
      icon(kind === 'upgrade_prompt' ? kind : 'nudge'),
      h('div', { class: 'exp-titles' }, h('strong', { testid: `${slot}-title` }, content.title ?? d.experience)),
      ctaButton(slot, d.experience, content),
      dismissButton(slot, d.experience));
  }

  /** Draws every slot; returns {slot: experience id or null} for what is on the page. */
  function render(decisions) {
    const displayed = {};
    for (const el of elements) {
      const slot = el.dataset.slot;
      const d = decisions[slot];
      const id = d?.experience ?? null;
      displayed[slot] = id;
      const kind = id ? (definition(id)?.kind ?? 'nudge') : null;
      const key = JSON.stringify([id, d?.step, d?.variation, d?.holdout, d?.content, d?.items]);
      if (lastKey.get(slot) === key) continue;
      lastKey.set(slot, key);
      Object.assign(el.dataset, {
        experience: id ?? '', step: d?.step ?? '', variation: d?.variation ?? '', holdout: d?.holdout ?? false, kind: kind ?? '',
      });
      el.classList.toggle('slot-empty', !id);
      if (el.dataset.layer === 'tour') {
        // The tour floats over the page, next to the element its step names.
        if (id && kind === 'tour') tour.render(el, d, definition(id));
        else tour.clear(el);
      } else if (!id) {
        mount(el, h('span', { class: 'slot-label' }, `${slot} slot`, d ? '' : ' (not in this config)'));
      } else if (slot === 'banner') {
        mount(el, banner(slot, d, kind));
      } else if (kind === 'checklist') {
        mount(el, checklist(slot, d));
      } else {
        mount(el, card(slot, d, kind));
      }
    }
    return displayed;
  }

  return { render };
}
