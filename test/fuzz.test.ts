/**
 * Regression fixtures saved by `npm run fuzz` (test/fixtures/fuzz/), and a short deterministic fuzz run:
 * the invariants of scripts/fuzz.ts hold for every input.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkInvariants, makeInput, Rng } from '../scripts/fuzz';
import { FIXTURES, fixtureFiles } from './helpers/fixtures';

test('saved fuzz inputs keep the invariants', async () => {
  const dir = path.join(FIXTURES, 'fuzz');
  const files = fs.existsSync(dir) ? fixtureFiles(dir) : [];
  for (const f of files) {
    const why = await checkInvariants(fs.readFileSync(f, 'latin1'), f);
    assert.equal(why, null, `${path.basename(f)}: ${why}`);
  }
});

test('300 generated and mutated inputs keep the invariants (seed 20261122)', async () => {
  const corpus = [...fixtureFiles(path.join(FIXTURES, 'rules')), ...fixtureFiles(path.join(FIXTURES, 'projects'))].map((f) => fs.readFileSync(f, 'latin1'));
  const rng = new Rng(20261122);
  for (let i = 0; i < 300; i++) {
    const text = makeInput(rng, corpus);
    const why = await checkInvariants(text);
    assert.equal(why, null, `input #${i}: ${why}\n${JSON.stringify(text.slice(0, 400))}`);
  }
});
