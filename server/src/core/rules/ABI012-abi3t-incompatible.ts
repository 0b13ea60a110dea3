/** ABI012 abi3t-incompatible: what the free-threaded stable ABI (abi3t, 3.15+) forbids. */
import type { Node } from '../parser';
import type { Fix } from '../types';
import { moduleInitToExport } from '../migrate/moduleExport';
import { replacementHint } from './replacements';
import { defineRule, type RuleContext } from './rule';
import { nameFixes } from './name-use';
import { CPYTHON_MEMBER, visibleOwners } from './ABI005-opaque-struct-member';

/** PyInit_* (returning a PyModuleDef) without a PyModExport_* entry point. */
function checkModuleInit(cx: RuleContext): void {
  let init = null;
  let hasExport = false;
  for (const c of cx.tree.rootNode.namedChildren) {
    if (!c || c.type !== 'function_definition') continue;
    const m = /\b(PyInit_\w+|PyModExport_\w+)\s*\(/.exec(c.childForFieldName('declarator')?.text ?? '');
    if (!m) continue;
    if (m[1].startsWith('PyModExport_')) hasExport = true;
    else init = c;
  }
  if (!init || hasExport) return;
  const d = init.childForFieldName('declarator');
  const nameMatch = d ? /PyInit_\w+/.exec(d.text) : null;
  const start = d && nameMatch ? d.startIndex + d.text.indexOf(nameMatch[0]) : init.startIndex;
  const end = nameMatch ? start + nameMatch[0].length : init.endIndex;
  cx.report(start, end, 'under abi3t a module must export PyModExport_<name> (module slots); a PyInit_ function returning a PyModuleDef is not loadable there', {
    identifier: nameMatch?.[0],
    fixes: nameMatch ? exportFixes(cx, init, nameMatch[0].slice('PyInit_'.length)) : [],
  });
}

/** The PEP 793 migration (unsafe, a preview), else a hint with the reason it cannot be made here. */
function exportFixes(cx: RuleContext, init: Node, module: string): Fix[] {
  const m = moduleInitToExport(cx.doc.text, init, module);
  const hint = `Hint: export PyModExport_${module} returning a static PySlot array (Py_mod_abi, Py_mod_name, Py_mod_methods, Py_mod_exec, …) instead`;
  if (!m.ok) return [{ kind: 'hint', title: `${hint}. Not converted automatically: ${m.reason}`, safety: 'display-only', edits: [] }];
  return [
    {
      kind: 'migrate',
      title: `Export PyModExport_${module} (module slots, PEP 793) instead of PyInit_${module} (unsafe: review the preview)`,
      safety: 'unsafe',
      edits: m.edits.map((e) => ({ range: cx.pos.range(e.start, e.end), newText: e.newText })),
      notes: m.notes.length ? m.notes : undefined,
    },
  ];
}

export default defineRule({
  meta: { code: 'ABI012', name: 'abi3t-incompatible', reuse: 'local' },
  create: (cx) => ({
    name(use) {
      if (use.status?.kind !== 'abi3t-incompatible' || use.own()) return;
      cx.report(use.start, use.end, `'${use.name}' is not available under abi3t (the free-threaded stable ABI)${replacementHint(use.replacement, cx.target.minor)}`, {
        identifier: use.name,
        fixes: nameFixes(cx, use),
      });
    },
    member(use) {
      if (!cx.target.abi3t || !CPYTHON_MEMBER.test(use.name)) return;
      const owners = cx.cat.members.get(use.name);
      const visible = owners ? visibleOwners(cx, owners) : [];
      if (!visible.length || !visible.every((o) => cx.cat.names.get(o)?.abi3t === 'opaque') || cx.project.isMember(use.name)) return;
      cx.report(use.start, use.end, `'${use.name}' is a member of ${visible.join('/')}, which is opaque under abi3t; use the accessor functions (Py_TYPE, Py_REFCNT, Py_SIZE)`, { identifier: use.name });
    },
  }),
  file(cx) {
    if (cx.target.abi3t) checkModuleInit(cx);
  },
});
