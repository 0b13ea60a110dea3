/**
 * Regression fixtures saved by `npm run fuzz` (test/fixtures/fuzz/), and a short deterministic fuzz run:
 * the invariants of scripts/fuzz.ts hold for every input.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkBuildFile, checkIncremental, checkInvariants, checkSettings, makeInput, Rng } from '../scripts/fuzz';
import { FIXTURES, fixtureFiles } from './helpers/fixtures';

test('saved fuzz inputs keep the invariants', async () => {
  const dir = path.join(FIXTURES, 'fuzz');
  const files = fs.existsSync(dir) ? fixtureFiles(dir) : [];
  for (const f of files) {
    const text = fs.readFileSync(f, 'latin1');
    // an input saved for the incremental form replays its seeded edits
    const seed = fs.existsSync(`${f}.why`) ? /^incremental \(seed (\d+)\)/.exec(fs.readFileSync(`${f}.why`, 'utf8'))?.[1] : undefined;
    const why = seed ? await checkIncremental(text, Number(seed)) : await checkInvariants(text, f);
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

test('60 inputs edited 12 times each: the incremental session equals a full analysis of the same tree after every edit (seed 20261122)', async () => {
  const corpus = [...fixtureFiles(path.join(FIXTURES, 'rules')), ...fixtureFiles(path.join(FIXTURES, 'projects'))].map((f) => fs.readFileSync(f, 'latin1'));
  const rng = new Rng(20261123);
  for (let i = 0; i < 60; i++) {
    const text = makeInput(rng, corpus);
    const why = await checkIncremental(text, 20261122 + i);
    assert.equal(why, null, `input #${i}: ${why}`);
  }
});

test("build files and settings: 60 mutated build files and 300 random settings objects (seed 20261122)", { timeout: 120000 }, () => {
  const rng = new Rng(20261122);
  for (let i = 0; i < 60; i++) assert.equal(checkBuildFile(rng), null);
  for (let i = 0; i < 300; i++) assert.equal(checkSettings(rng), null);
});
