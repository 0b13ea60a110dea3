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
import type { PositionMap } from './position';
import type { Fix } from './types';
import { minorToString } from './version';

export interface ShimBlock {
  /** The names it supplies (`#define Py_NewRef …`). */
  names: string[];
  /** The version that added them to the Limited API; null for names in no Limited API (PyObject_CallOneArg). */
  below: number | null;
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
      const block: ShimBlock = { names, below: hex ? (parseInt(hex, 16) >> 16) & 0xff : null, text };
      for (const n of names) if (!n.startsWith('ABI3LINT_')) blocks.set(n, block); // (not the header's own helper macro)
      start = -1;
    }
  }
  return blocks;
}

/** Where shims go: after `#include <Python.h>`, else after the file's first block of #include lines. */
function insertionOffset(text: string): number | null {
  const m = /^[ \t]*#[ \t]*include[ \t]*[<"]Python\.h[>"][^\n]*\n/m.exec(text) ?? /^(?:[ \t]*#[ \t]*include[^\n]*\n)+/m.exec(text);
  return m ? m.index + m[0].length : null;
}

/** The fix that supplies `name` at the target with its shim, when there is one for it. */
export function compatFix(text: string, pos: PositionMap, name: string, minor: number): Fix | null {
  const block = compatShims().get(name);
  if (!block || (block.below !== null && minor >= block.below)) return null;
  const at = insertionOffset(text);
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
