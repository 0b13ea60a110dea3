/** ABI006 static-type-object: a static `PyTypeObject`, which the Limited API cannot describe. */
import { typeObjectDeclarationAt } from '../declarations';
import { staticTypeToHeap } from '../migrate/heapType';
import { PositionMap } from '../position';
import type { Node } from '../parser';
import type { Fix } from '../types';
import { defineRule, type RuleContext } from './rule';

/** A static type object declared by a declaration: its name, and whether this declaration defines it. */
interface StaticType {
  name: string;
  start: number;
  end: number;
  defines: boolean;
  decl: Node;
}

function staticTypesOf(cx: RuleContext, node: Node): StaticType[] {
  const type = node.childForFieldName('type');
  if (!type || type.text !== 'PyTypeObject' || cx.project.isName('PyTypeObject')) return [];
  const storage = node.children.filter((c): c is Node => !!c && c.type === 'storage_class_specifier').map((c) => c.text);
  if (storage.includes('extern') || storage.includes('typedef')) return [];
  if (cx.cat.names.get('struct _typeobject')?.limitedComplete?.[cx.tIdx] === 'Y') return [];
  const out: StaticType[] = [];
  for (const d of node.childrenForFieldName('declarator')) {
    let cur: Node | null = d;
    while (cur && cur.type === 'init_declarator') cur = cur.childForFieldName('declarator');
    if (!cur || cur.type !== 'identifier') continue; // pointers and arrays of pointers are fine
    out.push({ name: cur.text, start: cur.startIndex, end: cur.endIndex, defines: d.type === 'init_declarator', decl: node });
  }
  return out;
}

/** One finding per type: on its definition (else its last declaration), the other declarations related. */
function report(cx: RuleContext, decls: StaticType[]): void {
  const main = decls.find((d) => d.defines) ?? decls[decls.length - 1];
  const related = decls.filter((d) => d !== main).map((d) => ({ range: cx.pos.range(d.start, d.end), message: `'${d.name}' is also declared here` }));
  cx.report(
    main.start,
    main.end,
    `'${main.name}' is a static PyTypeObject; PyTypeObject is opaque in the Limited API, so types must be created at run time from a PyType_Spec (PyType_FromSpec)`,
    {
      identifier: main.name,
      related: related.length ? related : undefined,
      fixes: migrationFixes(cx, main, decls),
    },
  );
}

const HINT = 'describe the type with PyType_Slot[] and a PyType_Spec, then create it with PyType_FromSpec (PyType_FromModuleAndSpec from 3.10) during module init';

/** The heap-type migration (unsafe, a preview), else the hint with the reason it cannot be made here. */
function migrationFixes(cx: RuleContext, main: StaticType, decls: StaticType[]): Fix[] {
  if (!main.defines || decls.some((d) => d.decl !== main.decl && d.defines)) return [{ kind: 'hint', title: `Hint: ${HINT}`, safety: 'display-only', edits: [] }];
  const headers = cx.project.headerTexts();
  const m = staticTypeToHeap({ text: cx.doc.text, tree: cx.tree, cat: cx.cat, minor: cx.target.minor, name: main.name, definition: main.decl, forward: decls.filter((d) => d.decl !== main.decl).map((d) => d.decl), directives: cx.pp.directives, headers });
  if (!m.ok) return [{ kind: 'hint', title: `Hint: ${HINT}. Not converted automatically: ${m.reason}`, safety: 'display-only', edits: [] }];
  return [
    {
      kind: 'migrate',
      title: `Convert '${main.name}' to a heap type (PyType_Spec) (unsafe: review the preview)`,
      safety: 'unsafe',
      edits: m.edits.map((e) => ({ range: cx.pos.range(e.start, e.end), newText: e.newText })),
      notes: m.notes.length ? m.notes : undefined,
      otherFiles: m.otherFiles?.map((o) => {
        const pos = new PositionMap(headers.find((h) => h.file === o.file)!.text);
        return { path: o.file, edits: o.edits.map((e) => ({ range: pos.range(e.start, e.end), newText: e.newText })) };
      }),
    },
  ];
}

export default defineRule({
  meta: { code: 'ABI006', name: 'static-type-object', reuse: 'local' },
  // `PyTypeObject Name`: a static type object (not a pointer), looked up in the tree at each such text. A
  // whole-file check: a declaration's declarators can change with text after it (found by the incremental
  // fuzz), and the text search is cheap.
  file(cx) {
    const byName = new Map<string, StaticType[]>();
    for (const m of cx.doc.text.matchAll(/\bPyTypeObject(?=\s+[A-Za-z_])/g)) {
      const at = m.index ?? 0;
      if (cx.pp.isInactive(cx.pos.position(at).line)) continue;
      const decl = typeObjectDeclarationAt(cx.tree, at, at + 12);
      for (const t of decl ? staticTypesOf(cx, decl) : []) byName.set(t.name, [...(byName.get(t.name) ?? []), t]);
    }
    for (const decls of byName.values()) report(cx, decls);
  },
});
