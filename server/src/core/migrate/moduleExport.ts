/**
 * Migration for abi3t (3.15+, PEP 793): a multi-phase module's `PyInit_<name>` returning `PyModuleDef_Init(&def)`
 * becomes the export hook `PyModExport_<name>` returning a static `PySlot` array made from the PyModuleDef:
 *
 *   static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "m", doc, size, methods, slots, traverse, clear, free};
 *   PyMODINIT_FUNC PyInit_m(void) { return PyModuleDef_Init(&def); }
 * becomes
 *   PyABIInfo_VAR(m_abi_info);
 *   static PySlot m_module_slots[] = { PySlot_DATA(Py_mod_abi, &m_abi_info), PySlot_STATIC_DATA(Py_mod_name, "m"),
 *       …, PySlot_STATIC_DATA(Py_mod_slots, slots), PySlot_END };
 *   PyMODEXPORT_FUNC PyModExport_m(void) { return m_module_slots; }
 *
 * The legacy `PyModuleDef_Slot[]` array is kept and nested (Py_mod_slots), so its Py_mod_exec and feature slots
 * keep their meaning. Refused with the reason: single-phase init (`PyModule_Create` with code after it), a
 * PyModuleDef that other code uses (`PyType_GetModuleByDef`, `PyState_FindModule`: a module made from slots has
 * no PyModuleDef), an initializer with `#if` inside.
 */
import type { Node } from '../parser';
import { matchingBrace, splitInitializer, type InitElement } from './cinit';
import type { Migration, OffsetEdit } from './heapType';

const FIELDS = ['m_base', 'm_name', 'm_doc', 'm_size', 'm_methods', 'm_slots', 'm_traverse', 'm_clear', 'm_free'];

const isNullish = (v: string | undefined): boolean => v === undefined || /^\(?\s*(NULL|0|\(\s*void\s*\*\s*\)\s*0)\s*\)?$/.test(v.trim());

function fieldsOf(elements: InitElement[]): Map<string, string> | string {
  const out = new Map<string, string>();
  let i = 0;
  for (const e of elements) {
    if (e.field) {
      i = FIELDS.indexOf(e.field);
      if (i < 0) return `unknown PyModuleDef field .${e.field}`;
    }
    const f = FIELDS[i++];
    if (!f) return 'more initializers than PyModuleDef has members';
    out.set(f, e.value.trim());
  }
  return out;
}

/** A name not used in the text yet: `base`, else `base_2`, … */
function freshName(text: string, base: string): string {
  for (let i = 1; ; i++) {
    const n = i === 1 ? base : `${base}_${i}`;
    if (!new RegExp(`\\b${n}\\b`).test(text)) return n;
  }
}

/** The whole lines of [start, end), with the newline after them. */
function lines(text: string, start: number, end: number): { start: number; end: number } {
  const s = text.lastIndexOf('\n', start - 1) + 1;
  const nl = text.indexOf('\n', end);
  return { start: /^\s*$/.test(text.slice(s, start)) ? s : start, end: nl >= 0 && /^\s*$/.test(text.slice(end, nl)) ? nl + 1 : end };
}

/** `PyInit_<module>` (a function definition) to the PEP 793 export hook; a reason when it cannot be done here. */
export function moduleInitToExport(text: string, init: Node, module: string): Migration {
  const body = init.childForFieldName('body');
  if (!body) return { ok: false, reason: `PyInit_${module} has no body` };
  const code = text.slice(body.startIndex, body.endIndex).replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ');
  const ret = /^\{\s*return\s+(?:\(\s*PyObject\s*\*\s*\)\s*)?PyModuleDef_Init\s*\(\s*&\s*([A-Za-z_]\w*)\s*\)\s*;\s*\}$/.exec(code);
  if (!ret) {
    const single = /\bPyModule_Create2?\s*\(/.test(code);
    return { ok: false, reason: single ? `PyInit_${module} uses single-phase initialization (PyModule_Create): move what follows the creation into a Py_mod_exec function and return PyModuleDef_Init(&def) first (PEP 489), then migrate` : `PyInit_${module} does more than return PyModuleDef_Init(&def)` };
  }
  const def = ret[1];
  const m = new RegExp(`(^|\\n)[ \\t]*(static[ \\t]+)?(?:struct[ \\t]+)?PyModuleDef[ \\t]+${def}[ \\t]*=\\s*\\{`).exec(text);
  if (!m) return { ok: false, reason: `the PyModuleDef ${def} is not defined in this file` };
  if (!m[2]) return { ok: false, reason: `${def} is not static: other files may use it by name` };
  const open = m.index + m[0].length - 1;
  const close = matchingBrace(text, open);
  if (close < 0) return { ok: false, reason: `${def}'s initializer does not end` };
  const semi = text.indexOf(';', close);
  const init0 = splitInitializer(text, open, close);
  if (init0.hasDirective) return { ok: false, reason: `${def}'s initializer has preprocessor conditionals (#if inside it)` };
  const fields = fieldsOf(init0.elements);
  if (typeof fields === 'string') return { ok: false, reason: fields };
  const defSpan = lines(text, m.index + m[1].length, semi + 1);
  // a module made from slots has no PyModuleDef: other uses of it cannot stay
  for (const u of text.matchAll(new RegExp(`\\b${def}\\b`, 'g'))) {
    const at = u.index!;
    if ((at >= defSpan.start && at < defSpan.end) || (at >= init.startIndex && at < init.endIndex)) continue;
    const line = text.slice(text.lastIndexOf('\n', at - 1) + 1, text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at)).trim();
    return { ok: false, reason: `${def} is also used outside PyInit_${module} (\`${line}\`): a module made from slots has no PyModuleDef; give it a Py_mod_token slot and use PyType_GetModuleByToken by hand` };
  }
  const name = fields.get('m_name');
  if (!name || isNullish(name)) return { ok: false, reason: `${def} has no m_name` };
  const info = freshName(text, `${module}_abi_info`);
  const slots = freshName(text, `${module}_module_slots`);
  const data = (v: string): string => (/^"/.test(v) ? v : `(void *)(${v})`);
  const entries = [`PySlot_DATA(Py_mod_abi, &${info})`, `PySlot_STATIC_DATA(Py_mod_name, ${data(name)})`];
  const doc = fields.get('m_doc');
  if (!isNullish(doc)) entries.push(`PySlot_STATIC_DATA(Py_mod_doc, ${data(doc!)})`);
  const size = fields.get('m_size');
  if (size !== undefined && !/^-\s*1$/.test(size)) entries.push(`PySlot_SIZE(Py_mod_state_size, ${size})`);
  for (const [f, slot] of [['m_methods', 'Py_mod_methods'], ['m_slots', 'Py_mod_slots']]) {
    const v = fields.get(f);
    if (!isNullish(v)) entries.push(`PySlot_STATIC_DATA(${slot}, ${v})`);
  }
  for (const [f, slot] of [['m_traverse', 'Py_mod_state_traverse'], ['m_clear', 'Py_mod_state_clear'], ['m_free', 'Py_mod_state_free']]) {
    const v = fields.get(f);
    if (!isNullish(v)) entries.push(`PySlot_FUNC(${slot}, ${v})`);
  }
  entries.push('PySlot_END');
  const notes = size !== undefined && /^-\s*1$/.test(size) ? [`${def}.m_size was -1 (no per-module state): the slots leave Py_mod_state_size out, the default`] : [];
  const slotsText = `PyABIInfo_VAR(${info});\n\nstatic PySlot ${slots}[] = {\n${entries.map((e) => `    ${e},\n`).join('')}};\n`;
  const edits: OffsetEdit[] = [
    { start: defSpan.start, end: defSpan.end, newText: slotsText },
    { start: init.startIndex, end: init.endIndex, newText: `PyMODEXPORT_FUNC\nPyModExport_${module}(void)\n{\n    return ${slots};\n}` },
  ];
  // a prototype of the old hook (`PyMODINIT_FUNC PyInit_m(void);`) goes too
  for (const p of text.matchAll(new RegExp(`(^|\\n)[ \\t]*PyMODINIT_FUNC[ \\t]+PyInit_${module}[ \\t]*\\([^)]*\\)[ \\t]*;[ \\t]*(?=\\n)`, 'g'))) {
    const s = p.index! + p[1].length;
    edits.push({ start: s, end: s + p[0].length - p[1].length + 1, newText: '' });
  }
  edits.sort((a, b) => a.start - b.start);
  for (let i = 1; i < edits.length; i++) if (edits[i].start < edits[i - 1].end) return { ok: false, reason: `${def} and PyInit_${module} overlap in this text` };
  return { ok: true, edits, notes };
}
