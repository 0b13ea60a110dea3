/**
 * `#if PY_VERSION_HEX >= 0x030E0000` around code written for a newer C API, `#else` around code for older
 * Pythons: in a Limited API build, the question ABI008's usual fix asks (`Py_LIMITED_API+0 >= …`, the oldest
 * Python the binary loads on) picks the old branch, and the old branch of such code is often the one built on
 * CPython's internals (simplejson's `PyUnicode_KIND`/`DATA`/`READ` encoder beside a `PyUnicodeWriter` one).
 *
 * When the newer branch names only API that is in the Limited API at the target or that a compat shim supplies,
 * and the older one does not compile there, the better rewrite takes the newer branch in every Limited API build
 * (`defined(Py_LIMITED_API) || PY_VERSION_HEX >= X`; `!defined(Py_LIMITED_API) && PY_VERSION_HEX < X`), and the
 * shims make it run on the older Pythons. Decided per version a file tests, for all its guards of that version
 * together: a definition under one guard and its use under another stay on the same side.
 */
import { minorOf, type Catalog } from '../catalog';
import { compatShims } from '../compat';
import { evaluate, type PPEnv } from '../ppexpr';
import type { Directive } from '../preproc';
import { minorToHex, minorToString } from '../version';

export interface NewestGuard {
  /** Edits of the condition, as offsets into the document. */
  edits: { start: number; end: number; newText: string }[];
  title: string;
}

const API = /\b(_?Py[A-Za-z0-9_]*|PY_[A-Z0-9_]+)\b/g;
const ATOM = /\bPY_VERSION_HEX\s*(>=|>|<=|<)\s*(0[xX][0-9A-Fa-f]+|\d+)[uUlL]*/g;

interface Guard {
  directive: Directive;
  atoms: { start: number; end: number; op: string; hex: string }[];
  key: string;
  /** [start, end) of the branch the condition opens, and of its #else branch (null without one). */
  then: [number, number];
  other: [number, number] | null;
  ok: boolean;
}

/** The branch an #if at directive `i` opens, and the rest of its chain (#elif and #else branches, null when
 *  there are none). */
function branches(directives: Directive[], i: number): { then: [number, number]; other: [number, number] | null } | null {
  let depth = 0;
  let next: Directive | null = null;
  for (let k = i + 1; k < directives.length; k++) {
    const d = directives[k];
    if (d.name === 'if' || d.name === 'ifdef' || d.name === 'ifndef') depth++;
    else if (depth > 0 && d.name === 'endif') depth--;
    else if (depth === 0 && (d.name === 'elif' || d.name === 'else')) next ??= d;
    else if (depth === 0 && d.name === 'endif') {
      const open = directives[i];
      return next ? { then: [open.end, next.start], other: [next.start, d.start] } : { then: [open.end, d.start], other: null };
    }
  }
  return null;
}

/** A condition a Limited API build decides whatever PY_VERSION_HEX is (`defined(Py_LIMITED_API) || PY_VERSION_HEX
 *  >= X`, which this rewrite writes): the version test only matters to full API builds. */
export function decidedInLimitedBuild(cond: string, minor: number): boolean {
  const hex = BigInt(minorToHex(minor));
  const env: PPEnv = { defined: new Map([['Py_LIMITED_API', { lo: hex, hi: hex }], ['PY_MAJOR_VERSION', { lo: 3n, hi: 3n }]]), undefinedKnown: new Set(), pyVersionHex: null };
  const v = evaluate(cond.replace(/^\s*#\s*(el)?if\b/, ''), env).value;
  return v !== null && v.lo === v.hi;
}

/** Every C API name in [start, end) is in the Limited API at the target, supplied by a shim, or the file's own. */
function compiles(text: string, range: [number, number], cat: Catalog, tIdx: number, minor: number, own: (n: string) => boolean): boolean {
  const shims = compatShims();
  const body = text.slice(range[0], range[1]).replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ');
  for (const m of body.matchAll(API)) {
    const e = cat.names.get(m[1]);
    if (!e || e.limited?.[tIdx] === 'Y' || own(m[1])) continue;
    const shim = shims.get(m[1]);
    if (shim && (shim.below === null || minor < shim.below) && (shim.from === null || minor >= shim.from)) continue;
    // a replacement the migration makes (`PyList_SET_ITEM` → `PyList_SetItem`)
    const alt = cat.replacements.get(m[1])?.alternatives.find((a) => minorOf(a.since) <= minor);
    if (alt && alt.safety !== 'display-only') continue;
    return false;
  }
  return true;
}

/** Whether a condition holds with PY_VERSION_HEX at `hex` (other names as the build defines them). */
function holds(cond: string, hex: bigint): boolean | null {
  const env: PPEnv = { defined: new Map([['PY_MAJOR_VERSION', { lo: 3n, hi: 3n }]]), undefinedKnown: new Set(), pyVersionHex: { lo: hex, hi: hex } };
  const v = evaluate(cond, env).value;
  return v === null || v.lo !== v.hi ? null : v.lo !== 0n;
}

/**
 * The guards whose rewrite takes the newer branch, by the offset of their directive. `conditions` are the
 * file's #if/#elif directives testing PY_VERSION_HEX; `polyfill` says which guard a polyfill (left alone).
 */
export function newestBranchGuards(text: string, directives: Directive[], conditions: Directive[], cat: Catalog, tIdx: number, minor: number, own: (n: string) => boolean, polyfill: (d: Directive) => boolean): Map<number, NewestGuard> {
  const guards: Guard[] = [];
  const blocked = new Set<string>();
  const alone = new Set<number>();
  for (const d of conditions) {
    const raw = text.slice(d.start, d.end).replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) => ' '.repeat(m.length));
    const atoms = [...raw.matchAll(ATOM)].map((m) => ({ start: d.start + m.index!, end: d.start + m.index! + m[0].length, op: m[1], hex: m[2] }));
    const key = [...new Set(atoms.map((a) => BigInt(a.hex).toString(16)))].sort().join(',');
    const i = directives.findIndex((x) => x.start === d.start);
    const br = d.name === 'if' && i >= 0 ? branches(directives, i) : null;
    const cond = raw.replace(/^\s*#\s*if\b/, '');
    const atNewest = holds(cond, 0x7fffffffn);
    const atTarget = holds(cond, BigInt(minorToHex(minor)));
    // every PY_VERSION_HEX in a comparison the rewrite knows, one #if/#else, a known answer, not a polyfill
    // (a polyfill's guard asks about the headers and is left as it is: it neither joins nor blocks its version)
    if (polyfill(d)) continue;
    if (!atoms.length || atoms.length !== (raw.match(/\bPY_VERSION_HEX\b/g) ?? []).length || !br || atNewest === null || atTarget === null) {
      blocked.add(key);
      continue;
    }
    const newer = atNewest ? br.then : br.other;
    const older = atTarget ? br.then : br.other;
    const newerOk = !newer || compiles(text, newer, cat, tIdx, minor, own);
    const olderOk = !older || compiles(text, older, cat, tIdx, minor, own);
    // a guard whose branches name nothing the file defines, and define nothing, is on its own: it neither joins
    // nor blocks the others of its version (`{Py_mod_gil, …}` under a 3.13 guard beside 3.13 state code)
    const chain = text.slice(br.then[0], (br.other ?? br.then)[1]);
    const linked = /^\s*#\s*define\b/m.test(chain) || [...chain.matchAll(/\b[A-Za-z_]\w*\b/g)].some((m) => own(m[0]));
    if (!linked) {
      if (newerOk && !olderOk) alone.add(d.start);
      else continue;
    } else if (!newerOk) blocked.add(key);
    guards.push({ directive: d, atoms, key, then: br.then, other: br.other, ok: newerOk && !olderOk });
  }
  const out = new Map<number, NewestGuard>();
  const wanted = new Set(guards.filter((g) => g.ok && !alone.has(g.directive.start)).map((g) => g.key));
  for (const g of guards) {
    if (!alone.has(g.directive.start) && (!wanted.has(g.key) || blocked.has(g.key))) continue;
    const edits = g.atoms.map((a) => ({
      start: a.start,
      end: a.end,
      newText: a.op.startsWith('>') ? `(defined(Py_LIMITED_API) || PY_VERSION_HEX ${a.op} ${a.hex})` : `(!defined(Py_LIMITED_API) && PY_VERSION_HEX ${a.op} ${a.hex})`,
    }));
    out.set(g.directive.start, { edits, title: `Take the newer branch in a Limited API build (its API is in the Limited API at ${minorToString(minor)} or has a compat shim)` });
  }
  return out;
}
