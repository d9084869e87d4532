// The configuration editor: the config's JSON in a textarea and an Apply
// button. The text is parsed and validated first (validateConfig): any
// error refuses it and the running config stays in force; a valid config
// restarts onstage for the same user with it.
import { h, mount } from './dom.js';

export function createConfigEditor(root, { initialText, validate, apply, warnings }) {
  let appliedText = initialText;
  const textarea = h('textarea', { testid: 'config-text', spellcheck: 'false', rows: '18', 'aria-label': 'Configuration JSON' });
  textarea.value = initialText;
  const status = h('span', { class: 'config-status', testid: 'config-status', dataset: { state: 'applied' } }, 'acme.json is in force.');
  const problems = h('ul', { class: 'problems', testid: 'config-problems' });
  const applyButton = h('button', { type: 'button', class: 'btn btn-primary', testid: 'config-apply' }, 'Apply');
  const revertButton = h('button', { type: 'button', class: 'btn', testid: 'config-revert' }, 'Back to acme.json');

  function show(state, message, list = []) {
    status.dataset.state = state;
    status.textContent = message;
    mount(problems, list.map((p) => h('li', {
      class: `problem ${p.severity}`, testid: 'config-problem', dataset: { severity: p.severity, code: p.code, path: p.path },
    },
    h('span', { class: 'severity' }, p.severity),
    h('code', { class: 'path' }, p.path || '$'),
    h('span', { class: 'code' }, p.code),
    h('span', { class: 'message' }, p.message))));
  }

  async function applyText(text) {
    let config;
    try {
      config = JSON.parse(text);
    } catch (err) {
      show('error', 'Not applied: the text is not valid JSON. The current configuration stays in force.',
        [{ severity: 'error', code: 'invalid_json', path: '$', message: err.message }]);
      return;
    }
    let list;
    try {
      list = validate(config);
    } catch (err) {
      list = [{ severity: 'error', code: err.code ?? 'invalid_config', path: '$', message: err.message }];
    }
    const errors = list.filter((p) => p.severity === 'error').length;
    if (errors > 0) {
      show('error', `Refused: ${errors} error${errors === 1 ? '' : 's'}. The current configuration stays in force.`, list);
      return;
    }
    try {
      await apply(config);
    } catch (err) {
      show('error', `Refused: ${err.message}`, err.problems ?? []);
      return;
    }
    appliedText = text;
    const all = [...list, ...warnings().filter((w) => !list.some((p) => p.code === w.code && p.path === w.path))
      .map((w) => ({ severity: 'warning', code: w.code, path: w.path ?? '', message: w.message }))];
    show('applied', `Applied${all.length ? ` with ${all.length} warning${all.length === 1 ? '' : 's'}` : ''}. The user's history carried over: unchanged signals kept their data.`, all);
  }

  applyButton.addEventListener('click', () => applyText(textarea.value));
  revertButton.addEventListener('click', () => {
    textarea.value = initialText;
    applyText(initialText);
  });
  textarea.addEventListener('input', () => {
    if (textarea.value !== appliedText) {
      status.dataset.state = 'edited';
      status.textContent = 'Edited: not applied yet.';
    }
  });

  mount(root,
    h('p', { class: 'muted small' },
      'Change stages, segments or experiences and apply: onstage validates the config first, and refuses it with every problem and its JSON path. ',
      h('strong', {}, 'The user keeps their history'),
      ': every signal whose definition is unchanged keeps its data (changed and new signals start empty), and the stage, dismissals and caps carry over.'),
    textarea,
    h('div', { class: 'editor-actions' }, applyButton, revertButton, status),
    problems);
}
