/**
 * data/behaviour.json against the Pythons of this machine: every fact is proven at run time (a proof module
 * built once as abi3, imported on every CPython from its target up) or says why it cannot be and cites a header
 * or the docs instead. A proof that stops holding fails here.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { BehaviourFileSchema, minorNumber } from '../server/src/core/behaviour';
import { lint } from '../server/src/core/lint';
import { checkFacts, inRange, interpreters } from '../scripts/runtime';
import { ROOT } from './helpers/fixtures';

const data = BehaviourFileSchema.parse(JSON.parse(fs.readFileSync(path.join(ROOT, 'data', 'behaviour.json'), 'utf8')));
const WANTED = ['3.6', '3.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13', '3.14', '3.15'];

test('behaviour.json: at least 40 facts, each with a runtime proof or a reason and a citation', () => {
  assert.ok(data.facts.length >= 40, `only ${data.facts.length} facts`);
  const ids = new Set<string>();
  for (const f of data.facts) {
    assert.ok(!ids.has(f.id), `duplicate fact id ${f.id}`);
    ids.add(f.id);
    assert.ok(f.proofs?.length || f.unproven, `${f.id} has neither a proof nor a reason why it cannot have one`);
    for (const p of f.proofs ?? []) assert.ok(fs.existsSync(path.join(ROOT, p.file)), `${f.id}: ${p.file} does not exist`);
  }
  const proven = data.facts.filter((f) => f.proofs?.length && !f.refuted).length;
  assert.ok(proven >= 40, `only ${proven} facts proven at run time`);
});

test('every proof separates the Pythons its fact says differ (the outcomes below and from the version are not the same)', () => {
  for (const f of data.facts) {
    if (f.refuted || f.outcome === 'none' || f.direction === 'headers') continue;
    for (const p of f.proofs ?? []) {
      const before = Object.entries(p.expect).filter(([k]) => minorNumber(k.split('-')[0]) < minorNumber(f.version)).map(([, v]) => v);
      const after = Object.entries(p.expect).filter(([k]) => minorNumber(k.split('-')[0]) >= minorNumber(f.version)).map(([, v]) => v);
      assert.ok(before.length && after.length, `${f.id}: the proof's expectations do not cover both sides of ${f.version}`);
      for (const b of before) assert.ok(!after.includes(b), `${f.id}: the same outcome '${b}' on both sides of ${f.version}`);
    }
  }
});

test('the runtime proofs hold on every CPython of this machine (3.6 to 3.15)', async () => {
  const pythons = interpreters();
  const have = new Set(pythons.map((p) => p.minor));
  const missing = WANTED.filter((m) => !have.has(m));
  assert.deepEqual(
    missing,
    [],
    `CPython ${missing.join(', ')} missing: the runtime proofs need every minor version from 3.6 (pyenv install 3.X for 3.6-3.13; ` +
      `scripts/fetch-python-interpreters for Debian sid's 3.14 and 3.15; README "Runtime proofs")`,
  );
  const { checks, buildErrors } = await checkFacts(data.facts, pythons);
  assert.deepEqual(buildErrors, []);
  const bad = checks.filter((c) => !c.ok).map((c) => `${c.fact} (proof ${c.proof}) on ${c.minor}: expected ${c.expected ?? '(no expectation)'}, got ${c.got}`);
  assert.deepEqual(bad, []);
  // every proof ran on every Python from its target up
  for (const f of data.facts) {
    for (const [i, p] of (f.proofs ?? []).entries()) {
      const ran = checks.filter((c) => c.fact === f.id && c.proof === i).map((c) => c.minor);
      const due = WANTED.filter((m) => minorNumber(m) >= minorNumber(p.target));
      assert.deepEqual(ran, due, `${f.id}: proof ${i} ran on ${ran.join(', ')}`);
      for (const m of due) assert.ok(Object.keys(p.expect).some((k) => inRange(k, m)), `${f.id}: no expectation for ${m}`);
    }
  }
});

test('docs/behaviour.md lists every fact (npm run runtime -- --facts --markdown regenerates the table)', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'behaviour.md'), 'utf8');
  for (const f of data.facts) assert.ok(doc.includes(`| \`${f.id}\` |`), `docs/behaviour.md has no row for ${f.id}`);
});

test('the rules flag the proof files of their facts at the proofs\' targets (the code that breaks at run time is the code reported)', async () => {
  let covered = 0;
  for (const f of data.facts) {
    if (f.refuted || f.outcome === 'none' || f.detect === 'runtime' || f.direction === 'headers') continue;
    for (const p of f.proofs ?? []) {
      if (p.defines?.length) continue; // parametrised proofs: the rule cases in test/rules/ABI016|7.test.ts cover them
      const minor = minorNumber(p.target);
      const due = f.direction === 'rejected' || minorNumber(f.version) > minor;
      if (!due || (f.construct.kind === 'hash-units' && minor >= 13)) continue;
      const text = fs.readFileSync(path.join(ROOT, p.file), 'utf8');
      // a proof that must write a flag's value (its name is hidden at the proof's target) is no test of the rule
      if ('flag' in f.construct && f.construct.flag && !text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').includes(f.construct.flag)) continue;
      const r = await lint({ path: path.join(ROOT, p.file), text }, { buildConfig: null, select: ['ABI016', 'ABI017'], settings: { target: p.target } });
      const hit = r.findings.find((x) => x.message.includes(`: ${f.title} `));
      if (f.detect === 'source') assert.ok(hit, `${f.id}: ${p.file} at ${p.target} is not reported (${r.findings.map((x) => x.message).join(' | ') || 'no findings'})`);
      if (hit) {
        assert.equal(hit.kind, 'runtime');
        covered++;
      }
    }
  }
  assert.ok(covered >= 9, `only ${covered} proof files reported`);
});
