/** Every rule fixture: the findings abi3lint reports are exactly the inline expectations. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { lint } from '../server/src/core/lint';
import { FIXTURES, fixtureFiles, readExpectations } from './helpers/fixtures';

for (const file of [...fixtureFiles(path.join(FIXTURES, 'rules')), ...fixtureFiles(path.join(FIXTURES, 'projects'))]) {
  const isProject = file.includes(`${path.sep}projects${path.sep}`);
  test(`fixture ${path.relative(FIXTURES, file)}`, async () => {
    const text = fs.readFileSync(file, 'utf8');
    // rule fixtures stand alone; project fixtures read their build configuration (never executing it)
    const r = await lint({ path: file, text }, isProject ? { root: path.dirname(file) } : { buildConfig: null });
    const got = r.findings.map((f) => `${f.range.start.line + 1} ${f.code}`).sort();
    const want = readExpectations(text).map((e) => `${e.line} ${e.code}`).sort();
    assert.deepEqual(got, want, r.findings.map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1} ${f.code} ${f.message}`).join('\n'));
    assert.deepEqual(r.notices, []);
  });
}

test('every rule in the catalogue has a fixture that triggers it', async () => {
  const rules = JSON.parse(fs.readFileSync(path.join(FIXTURES, '..', '..', 'data', 'rules.json'), 'utf8')).rules as { code: string }[];
  const seen = new Set<string>();
  for (const file of [...fixtureFiles(path.join(FIXTURES, 'rules')), ...fixtureFiles(path.join(FIXTURES, 'projects'))]) {
    for (const e of readExpectations(fs.readFileSync(file, 'utf8'))) seen.add(e.code);
  }
  for (const r of rules) assert.ok(seen.has(r.code), `no fixture expects ${r.code}`);
});

test('a setup.py is read, never executed', async () => {
  const dir = path.join(FIXTURES, 'projects', 'tagged-without-define');
  const file = path.join(dir, 'demo.c');
  const r = await lint({ path: file, text: fs.readFileSync(file, 'utf8') }, { root: dir });
  assert.equal(r.target?.minor, 9);
  assert.equal(r.target?.source.kind, 'build-config');
  assert.ok(!fs.existsSync(path.join(dir, 'PWNED')), 'setup.py was executed');
});
