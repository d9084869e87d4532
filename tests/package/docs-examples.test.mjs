// The code examples of the package's docs are excerpts of files the tests
// run (the example apps, the e2e tests, the demo): each block marked
// `<!-- example: PATH -->` must appear, line for line, in PATH. So an
// example cannot drift from code that is built and driven in npm test.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = ['README.md', 'docs/react.md', 'docs/openfeature.md', 'docs/preview-and-inspector.md', 'docs/browser.md'];

for (const doc of DOCS) {
  test(`${doc}: every marked example is in the file it names`, () => {
    const text = readFileSync(`${ROOT}${doc}`, 'utf8');
    const blocks = [...text.matchAll(/<!-- example: (\S+) -->\n```\w*\n([\s\S]*?)\n```/g)];
    if (doc !== 'docs/browser.md') assert.ok(blocks.length > 0, `${doc} has examples`);
    for (const [, path, code] of blocks) {
      assert.ok(existsSync(`${ROOT}${path}`), `${doc}: ${path} exists`);
      const source = readFileSync(`${ROOT}${path}`, 'utf8');
      assert.ok(source.includes(code), `${doc}: this example is no longer in ${path}:\n${code}`);
    }
  });
}
