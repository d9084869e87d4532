// The driver.js and Shepherd examples of docs/tours.md, run as written
// (only their imports are pointed at the installed packages, served by the
// test) against the shared tours config: onstage decides each step, the
// library draws it at its anchor, Next is `advanced`, a `track` that makes
// a step's `done` hold moves the popover by itself, and closing is a skip.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, startHarness } from './harness.mjs';
import { inPage, PAGE, until } from './inpage.mjs';

const TOURS = JSON.parse(readFileSync(join(ROOT, '..', 'shared', 'examples', 'timelines', 'tours.config.json'), 'utf8'));
const DOC = readFileSync(join(ROOT, 'docs', 'tours.md'), 'utf8');

/** The ```js block that follows the `<!-- example: NAME ...-->` marker in docs/tours.md. */
function example(name) {
  const at = DOC.indexOf(`<!-- example: ${name} `);
  assert.ok(at >= 0, `docs/tours.md has no ${name} example`);
  const m = /```js\n([\s\S]*?)```/.exec(DOC.slice(at));
  assert.ok(m, `no code after the ${name} marker`);
  return m[1];
}

const VENDOR = {
  '/vendor/driver.js.mjs': ['node_modules/driver.js/dist/driver.js.mjs', 'text/javascript'],
  '/vendor/driver.css': ['node_modules/driver.js/dist/driver.css', 'text/css'],
  '/vendor/shepherd.mjs': ['node_modules/shepherd.js/dist/js/shepherd.mjs', 'text/javascript'],
  '/vendor/shepherd.css': ['node_modules/shepherd.js/dist/css/shepherd.css', 'text/css'],
};

let h;
before(async () => {
  h = await startHarness();
});
after(() => h?.close());

/** The bare page with the installed library served under /vendor/, the two anchors of the tours config, and `os`. */
async function open(user) {
  const opened = await h.openPage(PAGE, {
    beforeLoad: async ({ context }) => {
      for (const [path, [file, contentType]] of Object.entries(VENDOR)) {
        await context.route(`**${path}`, (route) => route.fulfill({ path: join(ROOT, file), contentType }));
      }
    },
  });
  await inPage(opened.page, `
    document.body.insertAdjacentHTML('beforeend',
      '<div style="margin:80px"><button id="new-project">New project</button></div>' +
      '<div style="margin:80px"><section id="integrations">Integrations</section></div>');
    window.__now = 1772000000000;
    window.os = await onstage.init({ config: arg.config, userId: arg.user, tzOffsetMinutes: 0, now: () => window.__now,
      attributes: { id: arg.user, plan: 'free' } });`, { config: TOURS, user });
  return opened;
}

/** Loads a docs example as a module: its package imports served under /vendor/, its CSS as a <link>. */
function load(page, code, imports) {
  return page.evaluate(async ({ code, imports }) => {
    for (const [specifier, url] of Object.entries(imports)) {
      if (url.endsWith('.css')) {
        code = code.replace(`import '${specifier}';`, '');
        document.head.insertAdjacentHTML('beforeend', `<link rel="stylesheet" href="${url}">`);
      } else {
        code = code.replace(`from '${specifier}'`, `from '${location.origin}${url}'`);
      }
    }
    if (/from '(?!http)/.test(code)) throw new Error(`an import was not pointed at /vendor/: ${code.slice(0, 200)}`);
    window.__example = await import(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
    return Object.keys(window.__example);
  }, { code, imports });
}

test("docs/tours.md's driver.js example draws each step onstage decides", async () => {
  const { page, errors } = await open('driver-user');
  const exported = await load(page, example('driver.js'), {
    'driver.js': '/vendor/driver.js.mjs',
    'driver.js/dist/driver.css': '/vendor/driver.css',
  });
  assert.deepEqual(exported, ['driveTourWithDriver']);
  await page.evaluate(() => { window.__stop = window.__example.driveTourWithDriver(window.os, 'main'); });
  const popover = () => page.evaluate(() => {
    const pop = document.querySelector('.driver-popover');
    return pop && {
      title: pop.querySelector('.driver-popover-title')?.textContent,
      description: pop.querySelector('.driver-popover-description')?.textContent,
      next: pop.querySelector('.driver-popover-next-btn')?.textContent,
      progress: pop.querySelector('.driver-popover-progress-text')?.textContent,
      // Every element driver.js raises above its overlay (one, the step's, or none).
      active: [...document.querySelectorAll('.driver-active-element')].map((el) => el.id).filter(Boolean).join(' ') || null,
    };
  });
  await until(async () => (await popover())?.active === 'new-project', 'the first step drawn at its anchor');
  assert.deepEqual(await popover(), {
    title: 'Welcome aboard', description: 'Create your first project', next: 'Next', progress: '1 of 5', active: 'new-project',
  });
  // onstage took the display: the tour is on screen.
  assert.equal(await page.evaluate(() => window.os.state().engine.interactions.onboarding.showing), true);
  // Next: advanced, and the next step is drawn. (Clicked by the page: on a
  // loaded machine driver.js may still be placing its popover, and a
  // pointer click then fails with "outside of the viewport".)
  await page.evaluate(() => document.querySelector('.driver-popover-next-btn').click());
  await until(async () => (await popover())?.description === 'Invite a teammate', 'the second step drawn');
  assert.equal((await popover()).next, 'Invite');
  assert.deepEqual(await page.evaluate(() => window.os.state().engine.interactions.onboarding.advanced), ['create_project']);
  // Doing what the step asks completes it: the popover moves by itself.
  await page.evaluate(() => { window.__now += 60000; window.os.track('teammate_invited'); });
  // (driver.js moves its highlight after a short animation.)
  await until(async () => {
    const p = await popover();
    return p?.description === 'Connect a tool' && p.active === 'integrations';
  }, 'the step after the one done, at its anchor');
  // Closing is a skip.
  await page.evaluate(() => document.querySelector('.driver-popover-close-btn').click());
  await until(async () => (await popover()) === null, 'the popover closed');
  const after = await page.evaluate(() => window.os.decide('main', { reasons: true }).reasons.find((r) => r.experience === 'onboarding'));
  assert.equal(after.result, 'cooling_down');
  assert.equal(after.step, 'connect');
  assert.deepEqual(errors, []);
});

test("docs/tours.md's Shepherd example draws each step onstage decides", async () => {
  const { page, errors } = await open('shepherd-user');
  const exported = await load(page, example('Shepherd'), {
    'shepherd.js': '/vendor/shepherd.mjs',
    'shepherd.js/dist/css/shepherd.css': '/vendor/shepherd.css',
  });
  assert.deepEqual(exported, ['driveTourWithShepherd']);
  await page.evaluate(() => { window.__stop = window.__example.driveTourWithShepherd(window.os, 'main'); });
  const step = () => page.evaluate(() => {
    const el = document.querySelector('.shepherd-element');
    return el && {
      title: el.querySelector('.shepherd-title')?.textContent,
      text: el.querySelector('.shepherd-text')?.textContent,
      button: el.querySelector('.shepherd-button')?.textContent,
      target: document.querySelector('.shepherd-target')?.id ?? null,
    };
  });
  await until(async () => (await step())?.text === 'Create your first project', 'the first step drawn');
  assert.deepEqual(await step(), { title: 'Welcome aboard', text: 'Create your first project', button: 'Next', target: 'new-project' });
  await page.click('.shepherd-button');
  await until(async () => (await step())?.text === 'Invite a teammate', 'the second step drawn');
  await page.evaluate(() => { window.__now += 60000; window.os.track('teammate_invited'); });
  await until(async () => (await step())?.text === 'Connect a tool', 'the step after the one done');
  assert.equal((await step()).target, 'integrations');
  // Moving on was not a skip: the tour is still shown.
  assert.equal(await page.evaluate(() => window.os.decide('main').experience), 'onboarding');
  await page.click('.shepherd-cancel-icon');
  await until(async () => (await step()) === null, 'the step closed');
  const after = await page.evaluate(() => window.os.decide('main', { reasons: true }).reasons.find((r) => r.experience === 'onboarding'));
  assert.equal(after.result, 'cooling_down');
  assert.deepEqual(after.steps.filter((s) => s.done).map((s) => [s.id, s.by]), [['create_project', 'advanced'], ['invite', 'done']]);
  assert.deepEqual(errors, []);
});
