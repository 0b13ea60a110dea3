/**
 * Compat shims (data/compat/abi3lint_compat.h): Limited API functions newer than a file's target, written
 * with what the Limited API has at the target, each block guarded so it compiles only below the version that
 * added the real function. A fix supplies the block a too-new name needs inline, after the file's includes:
 * the file stays self-contained (no file to add to the build), and each block is the header's own text, the
 * one test/compat.test.ts proves (compiled at every target with every header set, and equal at run time to
 * the real function on every CPython of the machine).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataDir } from './catalog';
import { decodeTargetValue } from './facts/defines';
import type { PositionMap } from './position';
import type { Directive } from './preproc';
import type { Fix } from './types';
import { minorToString } from './version';

/** A compat header of the pythoncapi-compat project (its include guard, or its file name), vendored into a
 *  project: written for the full C API (ABI018 reports the files that include it; it is not checked itself). */
export const isFullApiCompatHeader = (file: string, text: string): boolean =>
  /\.h$/i.test(file) && (path.basename(file) === 'pythoncapi_compat.h' || (text.includes('PYTHONCAPI_COMPAT') && /^[ \t]*#[ \t]*define[ \t]+PYTHONCAPI_COMPAT\b/m.test(text)));

export interface ShimBlock {
  /** The names it supplies (`#define Py_NewRef …`). */
  names: string[];
  /** The version that added them to the Limited API; null for names in no Limited API (PyObject_CallOneArg). */
  below: number | null;
  /** The lowest target the block is written for (its guard's `Py_LIMITED_API+0 >= 0x03XX0000`: the API it is
   *  built on is that recent); null for every target. */
  from: number | null;
  /** The block as inserted: its guard written `Py_LIMITED_API+0 < 0x03XX0000`. */
  text: string;
}

let blocks: Map<string, ShimBlock> | null = null;

/** The header's top-level `#if … #endif` blocks, by each name they supply. */
export function compatShims(): Map<string, ShimBlock> {
  if (blocks) return blocks;
  blocks = new Map();
  const file = path.join(dataDir(), 'compat', 'abi3lint_compat.h');
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    const d = /^\s*#\s*(if|ifdef|ifndef|endif)\b/.exec(lines[i])?.[1];
    if (d && d.startsWith('if')) {
      if (depth++ === 1) start = i; // (depth 0 is the include guard)
    } else if (d === 'endif' && --depth === 1 && start >= 0) {
      const body = lines.slice(start, i + 1);
      const names = body.flatMap((l) => /^\s*#\s*define\s+(\w+)/.exec(l)?.[1] ?? []);
      const hex = /ABI3LINT_BELOW\((0x[0-9A-Fa-f]+)\)/.exec(body[0])?.[1];
      const text = body.join('\n').replace(/ABI3LINT_BELOW\((0x[0-9A-Fa-f]+)\)/g, 'Py_LIMITED_API+0 < $1') + '\n';
      const from = /Py_LIMITED_API\+0 >= (0x[0-9A-Fa-f]+)/.exec(body[0])?.[1];
      const block: ShimBlock = { names, below: hex ? (parseInt(hex, 16) >> 16) & 0xff : null, from: from ? (parseInt(from, 16) >> 16) & 0xff : null, text };
      for (const n of names) if (!n.startsWith('ABI3LINT_')) blocks.set(n, block); // (not the header's own helper macro)
      start = -1;
    }
  }
  return blocks;
}

/**
 * Where shims go: after the `#include <Python.h>` directive, else after the file's leading block of #include
 * lines (a project header in it brings Python.h; `<stddef.h>` first must not win). Directives as the lexer read
 * them: an include inside a comment is none.
 */
export function afterIncludes(text: string, directives: Directive[]): number | null {
  // (an `#include` whose header is not on its line is no include the shims can follow)
  const inc = directives.filter((d) => d.name === 'include' && /^[<"]/.test(d.rest.trim()));
  const d = inc.find((x) => /^[<"]Python\.h[>"]/.test(x.rest.trim())) ?? leadingBlockEnd(text, inc);
  if (!d) return null;
  const nl = text.indexOf('\n', d.end);
  return nl < 0 ? null : nl + 1;
}

/** The last #include of the first block of them: only blank lines, comments and directives between. */
function leadingBlockEnd(text: string, inc: Directive[]): Directive | undefined {
  let last = inc[0];
  for (const next of inc.slice(1)) {
    const between = text.slice(last.end, next.start).replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
    if (!between.split('\n').every((l) => /^\s*(#.*)?$/.test(l))) break;
    last = next;
  }
  return last;
}

/** The fix that supplies `name` at the target with its shim, when there is one for it. */
export function compatFix(text: string, pos: PositionMap, name: string, minor: number, directives: Directive[]): Fix | null {
  const block = compatShims().get(name);
  if (!block || (block.below !== null && minor >= block.below) || (block.from !== null && minor < block.from)) return null;
  // (a block already in the file is never added twice, even where the analysis cannot see it supply the name)
  if (text.includes(block.text.split('\n')[1])) return null;
  // the guard tests the Py_LIMITED_API the compiler sees: a define in the file with another value (an invalid
  // one, the target coming from elsewhere) would leave the shim out
  for (const d of directives) {
    const v = d.name === 'define' ? /^Py_LIMITED_API\s+(\S+)/.exec(d.rest)?.[1] : undefined;
    if (v === undefined) continue;
    const decoded = decodeTargetValue(v, { defined: new Map(), undefinedKnown: new Set(), pyVersionHex: null });
    if (!decoded.ok || decoded.minor !== minor) return null;
  }
  const at = afterIncludes(text, directives);
  if (at === null) return null;
  const where = pos.position(at);
  const why = block.below === null ? 'it is in no Limited API' : `for Pythons below ${minorToString(block.below)}`;
  return {
    kind: 'replace',
    title: `Supply ${name} with a compat shim (${why}; keeps the target)`,
    safety: 'safe',
    edits: [{ range: { start: where, end: where }, newText: `\n/* abi3lint compat shim (data/compat/abi3lint_compat.h) */\n${block.text}` }],
  };
}
