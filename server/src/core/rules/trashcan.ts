/**
 * The trashcan macros (`Py_TRASHCAN_BEGIN(op, dealloc)` … `Py_TRASHCAN_END`, and the older `_SAFE_` pair) left
 * the Limited API in 3.9. They only bound the C stack when a deeply nested structure is freed; without them the
 * dealloc does the same work. The fix removes a pair as a whole (each on a line of its own), unsafe: freeing a
 * very deep nesting can then overflow the C stack.
 */
import type { PositionMap } from '../position';
import type { Fix } from '../types';

const BEGIN = /^[ \t]*(Py_TRASHCAN_BEGIN|Py_TRASHCAN_SAFE_BEGIN)[ \t]*\([^()\n]*\)[ \t]*;?[ \t]*\n/gm;
const END = /^[ \t]*(Py_TRASHCAN_END|Py_TRASHCAN_SAFE_END[ \t]*\([^()\n]*\))[ \t]*;?[ \t]*\n/m;

/** The removal of the BEGIN/END pair a trashcan name at `offset` belongs to. */
export function trashcanFix(text: string, pos: PositionMap, name: string, offset: number): Fix | null {
  if (!/^Py_TRASHCAN_(SAFE_)?(BEGIN|END)$/.test(name)) return null;
  for (const b of text.matchAll(BEGIN)) {
    const bStart = b.index!;
    const bEnd = bStart + b[0].length;
    const e = END.exec(text.slice(bEnd));
    if (!e) continue;
    const eStart = bEnd + e.index;
    const eEnd = eStart + e[0].length;
    if (/Py_TRASHCAN_(SAFE_)?BEGIN/.test(text.slice(bEnd, eStart))) continue; // (not this pair)
    if (offset < bStart || offset >= eEnd) continue;
    if (!(offset < bEnd || offset >= eStart)) return null;
    return {
      kind: 'replace',
      title: `Remove the ${b[1]} … ${e[1].replace(/\s*\(.*$/, '')} pair (unsafe: freeing a very deep nesting may then overflow the C stack)`,
      safety: 'unsafe',
      edits: [
        { range: pos.range(bStart, bEnd), newText: '' },
        { range: pos.range(eStart, eEnd), newText: '' },
      ],
    };
  }
  return null;
}
