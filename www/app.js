// Smoke page: loads the wasm package built into www/pkg/ and shows the
// library version. The real demo replaces this once the engine API exists.
const status = document.getElementById('status');
const versionEl = document.getElementById('version');

function show(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

try {
  const { default: init, version } = await import('./pkg/onstage.js');
  await init();
  versionEl.textContent = version();
  show('ready', 'The wasm package is loaded.');
} catch (err) {
  show('error', `The wasm package did not load: ${err.message}. Build it with \`npm run build\` (or run \`npm start\`).`);
  console.error(err);
}
