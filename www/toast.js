// Short-lived notices in the corner of the product ("Invite sent", errors).
import { h } from './dom.js';

const LIFETIME = 3_500;

export function toast(message, kind = 'info') {
  const root = document.querySelector('[data-testid="toasts"]');
  if (!root) return;
  const el = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status', testid: 'toast' }, message);
  root.append(el);
  while (root.children.length > 4) root.firstElementChild.remove();
  setTimeout(() => {
    el.classList.add('leaving');
    setTimeout(() => el.remove(), 300);
  }, LIFETIME);
}
