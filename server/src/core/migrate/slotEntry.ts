/**
 * A slot entry newer than the target in a `PyModuleDef_Slot[]` or `PyType_Slot[]` array:
 *
 *   static PyModuleDef_Slot m_slots[] = {
 *       {Py_mod_exec, m_exec},
 *       {Py_mod_gil, Py_MOD_GIL_NOT_USED},
 *       {0, NULL}
 *   };
 *
 * At a target below 3.13 the `Py_mod_gil` line does not compile (and if newer headers let it, the older Pythons
 * refuse the module: "unknown slot ID"). The entry is kept for builds whose target has it, behind
 * `#if Py_LIMITED_API+0 >= 0x030D0000`. Unsafe: a wheel built for the lower target has no such entry on any
 * Python, so the defaults apply (for `Py_mod_multiple_interpreters`: not importable in a subinterpreter with
 * its own GIL; `Py_mod_gil` matters only on free-threaded builds, which never load an abi3 module).
 */
import type { Catalog } from '../catalog';
import { minorOf, targetIndex } from '../catalog';
import type { Node, Tree } from '../parser';
import type { PositionMap } from '../position';
import type { Fix } from '../types';
import { minorToHex, minorToString } from '../version';

const SLOT_ARRAYS = new Set(['PyModuleDef_Slot', 'PyType_Slot']);

/** The `{id, value}` entry of a slot array around `offset`, if that is where it stands. */
function slotEntryAt(tree: Tree, offset: number): Node | null {
  let n: Node | null = tree.rootNode.descendantForIndex(offset);
  while (n && n.type !== 'initializer_list') n = n.parent;
  const list = n?.parent;
  if (!n || list?.type !== 'initializer_list') return null;
  const decl = list.parent?.type === 'init_declarator' ? list.parent.parent : null;
  const type = decl?.type === 'declaration' ? decl.childForFieldName('type')?.text : undefined;
  return type && SLOT_ARRAYS.has(type) ? n : null;
}

/** The newest version at which a name of the entry joins the Limited API, when some name is not there at the
 *  target; null when every name is (or one never joins it: no guard helps). */
function entryVersion(cat: Catalog, entry: string, minor: number): number | null {
  let need = 0;
  for (const m of entry.matchAll(/\b[A-Za-z_]\w*\b/g)) {
    const e = cat.names.get(m[0]);
    if (!e?.limited || e.limited[targetIndex(minor)] === 'Y') continue;
    if (!e.limitedSince) return null;
    need = Math.max(need, minorOf(e.limitedSince));
  }
  return need > minor ? need : null;
}

/** The fix for a too-new name inside a slot entry that stands on lines of its own, or null. */
export function slotEntryGuardFix(text: string, pos: PositionMap, tree: Tree, cat: Catalog, offset: number, minor: number): Fix | null {
  const entry = slotEntryAt(tree, offset);
  if (!entry) return null;
  const lineStart = text.lastIndexOf('\n', entry.startIndex - 1) + 1;
  const nl = text.indexOf('\n', entry.endIndex);
  const tail = text.slice(entry.endIndex, nl < 0 ? text.length : nl);
  // the entry alone on its lines: indentation before, its comma (and a comment) after
  if (nl < 0 || !/^[ \t]*$/.test(text.slice(lineStart, entry.startIndex)) || !/^[ \t]*,?[ \t]*(?:\/\*.*\*\/[ \t]*|\/\/.*)?$/.test(tail)) return null;
  const need = entryVersion(cat, entry.text, minor);
  if (need === null) return null;
  const guard = `#if Py_LIMITED_API+0 >= ${minorToHex(need)}\n`;
  if (text.slice(Math.max(0, lineStart - guard.length), lineStart) === guard) return null;
  return {
    kind: 'replace',
    title: `Keep this slot only in builds for ${minorToString(need)}+: #if Py_LIMITED_API+0 >= ${minorToHex(need)} (unsafe: a build for ${minorToString(minor)} has no such slot on any Python)`,
    safety: 'unsafe',
    edits: [
      { range: pos.range(lineStart, lineStart), newText: guard },
      { range: pos.range(nl + 1, nl + 1), newText: '#endif\n' },
    ],
    notes: [`a slot entry newer than ${minorToString(minor)} is left out of builds for ${minorToString(minor)}: the module then has that slot's default on every Python`],
  };
}
