/** Fixture files with inline expectations: `// expect: ABI004` (codes on the line where the finding starts). */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');

export interface Expectation {
  line: number; // 1-based
  code: string;
  /** The finding rests on facts gcc cannot see (the manifest, a build file). */
  invisible: boolean;
}

export function readExpectations(text: string): Expectation[] {
  const out: Expectation[] = [];
  text.split('\n').forEach((l, i) => {
    const m = /\/\/\s*expect:\s*(.*)$/.exec(l);
    if (!m) return;
    const invisible = /not-visible-to-gcc/.test(m[1]);
    for (const code of m[1].match(/ABI0\d\d/g) ?? []) out.push({ line: i + 1, code, invisible });
  });
  return out;
}

/** C files of a fixture folder, recursively, sorted. */
export function fixtureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...fixtureFiles(p));
    else if (/\.(c|h)$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

import { CACHE } from '../../scripts/cache';
export { CACHE };

/** The header folder of a CPython version, or a loud failure explaining how to get it. */
export function headersFor(version: string): string {
  const dir = path.join(CACHE, 'headers', version);
  if (!fs.existsSync(path.join(dir, 'Python.h'))) {
    throw new Error(`CPython ${version} headers are missing from ${dir}. Run 'npm run data:headers' (README: "Real CPython headers").`);
  }
  return dir;
}
