/**
 * ABI019 object-pointer-argument: a pointer to an object struct of the extension (`MyObject *self`) passed to
 * Py_INCREF, Py_TYPE and the other object macros at a target from 3.11, where the Limited API declares them as
 * functions of `PyObject *` with no casting macro around them (the full API and older targets cast for you).
 * gcc 14 and clang reject it (incompatible pointer types); older gcc warns.
 */
import type { Node } from '../parser';
import { defineRule } from './rule';

/** The object macros the Limited API stops casting for from 3.11 (object.h), and the argument each takes. */
const OBJECT_ARGUMENT: ReadonlyMap<string, string> = new Map([
  ['Py_INCREF', 'PyObject'], ['Py_XINCREF', 'PyObject'], ['Py_XDECREF', 'PyObject'],
  ['Py_TYPE', 'PyObject'], ['Py_REFCNT', 'PyObject'], ['Py_SIZE', 'PyObject'], ['Py_IS_TYPE', 'PyObject'],
  ['Py_SET_REFCNT', 'PyObject'], ['Py_SET_TYPE', 'PyObject'], ['Py_SET_SIZE', 'PyVarObject'], ['PyObject_TypeCheck', 'PyObject'],
]);

/** The declared type of `name` where it is used: a parameter or local of the function, as `T *` (one pointer). */
function pointeeOf(use: Node, name: string): string | null {
  let fn: Node | null = use.parent;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  if (!fn) return null;
  for (const decl of fn.descendantsOfType(['parameter_declaration', 'declaration'])) {
    if (!decl || decl.startIndex > use.startIndex) continue;
    for (const d of decl.childrenForFieldName('declarator')) {
      let n: Node | null = d?.type === 'init_declarator' ? d.childForFieldName('declarator') : d;
      if (n?.type !== 'pointer_declarator') continue;
      n = n.childForFieldName('declarator');
      if (n?.type === 'identifier' && n.text === name) {
        const t = decl.childForFieldName('type');
        return t?.type === 'type_identifier' || t?.type === 'struct_specifier' ? t.text : null;
      }
    }
  }
  return null;
}

export default defineRule({
  meta: { code: 'ABI019', name: 'object-pointer-argument', reuse: 'local' },
  create: (cx) => ({
    name(use) {
      const want = OBJECT_ARGUMENT.get(use.name);
      if (!want || cx.target.minor < 11 || use.own()) return;
      const call = use.call();
      const arg = call?.childForFieldName('arguments')?.namedChildren.find((c) => c && c.type !== 'comment');
      if (!arg || arg.type !== 'identifier') return;
      const type = pointeeOf(arg, arg.text);
      // (the object types of the API itself are fine where they are PyObject, and PyVarObject for Py_SET_SIZE)
      if (!type || type === want || (want === 'PyObject' && type === 'PyObject')) return;
      cx.report(arg.startIndex, arg.endIndex, `'${arg.text}' is a ${type} *; ${use.name} takes a ${want} * in the Limited API from 3.11 (no casting macro there: gcc 14 rejects it)`, {
        identifier: use.name,
        fixes: [{ kind: 'replace', title: `Cast to (${want} *)`, safety: 'safe', edits: [{ range: cx.pos.range(arg.startIndex, arg.endIndex), newText: `(${want} *)${arg.text}` }] }],
      });
    },
  }),
});
