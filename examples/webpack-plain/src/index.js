// A plain-JS page: no framework. webpack bundles it into dist/; the same
// file runs unbundled in dist/plain/ (an import map points "onstage" at the
// package's files).
import { init } from 'onstage';

const config = await (await fetch(new URL('saas.json', location.href))).json();

const user = new URLSearchParams(location.search).get('user') ?? 'wes';
const $ = (id) => document.getElementById(id);

const onstage = await init({ config, userId: user, attributes: { id: user, role: 'admin' } });

function render() {
  const { banner, home } = onstage.decide(['banner', 'home']);
  $('banner').textContent = banner.experience ? banner.content.title : 'No message';
  $('banner').dataset.experience = banner.experience ?? '';
  $('home').replaceChildren(
    ...home.items.map((item) => Object.assign(document.createElement('li'), { textContent: `${item.done ? '✓' : '○'} ${item.label}` })),
  );
  $('home').dataset.experience = home.experience ?? '';
  $('invites').textContent = String(onstage.evaluate().signals.invites);
  if (home.experience) onstage.shown(home.experience);
}

onstage.subscribe(render);
$('invite').addEventListener('click', () => onstage.track('teammate_invited'));
render();
document.body.dataset.ready = 'true';
