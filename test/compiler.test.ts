/**
 * The compiler is the judge: fixtures marked `// compile-check: 3.X ...` are compiled with gcc against the real
 * headers of each listed version at the fixture's own Py_LIMITED_API. The lines where gcc reports an error
 * (over all listed versions) must be exactly the lines where abi3lint expects a compiler-visible finding.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { lint } from '../server/src/core/lint';
import { FIXTURES, fixtureFiles, headersFor, readExpectations } from './helpers/fixtures';

/** Rules whose findings the compiler reports too (an undeclared name, an incomplete type). */
const VISIBLE = new Set(['ABI001', 'ABI002', 'ABI004', 'ABI005', 'ABI006', 'ABI007', 'ABI009', 'ABI012', 'ABI015']);

export function gccErrorLines(file: string, headers: string, extra: string[] = []): { lines: Set<number>; output: string } {
  const res = spawnSync('gcc', ['-fsyntax-only', '-Werror=implicit-function-declaration', '-Werror=implicit-int', '-I', headers, ...extra, file], { encoding: 'utf8' });
  if (res.error) throw new Error(`gcc could not run: ${res.error.message}`);
  const lines = new Set<number>();
  const base = path.basename(file);
  for (const l of res.stderr.split('\n')) {
    const m = /^(.+?):(\d+):\d+: (?:fatal )?error:/.exec(l);
    if (m && path.basename(m[1]) === base) lines.add(Number(m[2]));
  }
  return { lines, output: res.stderr };
}

const checked = fixtureFiles(path.join(FIXTURES, 'rules')).filter((f) => /compile-check:/.test(fs.readFileSync(f, 'utf8')));

test('some fixtures are compile-checked', () => {
  assert.ok(checked.length >= 6, `only ${checked.length} compile-checked fixtures`);
});

for (const file of checked) {
  const text = fs.readFileSync(file, 'utf8');
  const versions = /compile-check:\s*([\d. ]+)/.exec(text)![1].trim().split(/\s+/);
  test(`gcc agrees with ${path.basename(file)} (headers ${versions.join(', ')})`, async () => {
    const gccLines = new Set<number>();
    let output = '';
    for (const v of versions) {
      const r = gccErrorLines(file, headersFor(v));
      for (const l of r.lines) gccLines.add(l);
      output += `--- ${v}\n${r.output}`;
    }
    const exp = readExpectations(text);
    const want = [...new Set(exp.filter((e) => VISIBLE.has(e.code) && !e.invisible).map((e) => e.line))].sort((a, b) => a - b);
    assert.deepEqual([...gccLines].sort((a, b) => a - b), want, output);
    // and abi3lint itself reports exactly the expectations (compiler-visible or not)
    const res = await lint({ path: file, text }, { buildConfig: null });
    const got = [...new Set(res.findings.filter((f) => VISIBLE.has(f.code)).map((f) => f.range.start.line + 1))].sort((a, b) => a - b);
    const mine = [...new Set(exp.filter((e) => VISIBLE.has(e.code)).map((e) => e.line))].sort((a, b) => a - b);
    assert.deepEqual(got, mine);
  });
}
