/** ABI006 static-type-object: a static `PyTypeObject`, which the Limited API cannot describe. */
import { typeObjectDeclarationAt } from '../declarations';
import type { Node } from '../parser';
import { defineRule, type RuleContext } from './rule';

function checkDeclaration(cx: RuleContext, node: Node): void {
  const type = node.childForFieldName('type');
  if (!type || type.text !== 'PyTypeObject' || cx.project.isName('PyTypeObject')) return;
  const storage = node.children.filter((c): c is Node => !!c && c.type === 'storage_class_specifier').map((c) => c.text);
  if (storage.includes('extern') || storage.includes('typedef')) return;
  for (const d of node.childrenForFieldName('declarator')) {
    let cur: Node | null = d;
    while (cur && cur.type === 'init_declarator') cur = cur.childForFieldName('declarator');
    if (!cur || cur.type !== 'identifier') continue; // pointers and arrays of pointers are fine
    if (cx.cat.names.get('struct _typeobject')?.limitedComplete?.[cx.tIdx] === 'Y') continue;
    cx.report(
      cur.startIndex,
      cur.endIndex,
      `'${cur.text}' is a static PyTypeObject; PyTypeObject is opaque in the Limited API, so types must be created at run time from a PyType_Spec (PyType_FromSpec)`,
      {
        identifier: cur.text,
        fixes: [{ kind: 'hint', title: 'Hint: describe the type with PyType_Slot[] and a PyType_Spec, then create it with PyType_FromSpec (PyType_FromModuleAndSpec from 3.10) during module init', safety: 'display-only', edits: [] }],
      },
    );
  }
}

export default defineRule({
  meta: { code: 'ABI006', name: 'static-type-object', reuse: 'local' },
  // `PyTypeObject Name`: a static type object (not a pointer), looked up in the tree at each such text. A
  // whole-file check: a declaration's declarators can change with text after it (found by the incremental
  // fuzz), and the text search is cheap.
  file(cx) {
    for (const m of cx.doc.text.matchAll(/\bPyTypeObject(?=\s+[A-Za-z_])/g)) {
      const at = m.index ?? 0;
      if (cx.pp.isInactive(cx.pos.position(at).line)) continue;
      const decl = typeObjectDeclarationAt(cx.tree, at, at + 12);
      if (decl) checkDeclaration(cx, decl);
    }
  },
});
