/** ABI001 non-limited-api: a C API name outside the Limited API at every version. */
import { compatFix } from '../compat';
import { asciiStrFix } from '../migrate/asciiStr';
import { TABLE_TYPES, unusedDefinitionFix } from '../migrate/deadCode';
import { replacementHint } from './replacements';
import { defineRule, type NameUse, type RuleContext } from './rule';
import type { Fix } from '../types';
import { isMacroOnly, nameFixes } from './name-use';

/** `PyUnicode_New(n, 127)` filled through its data pointer: built as bytes instead (Py_SETREF's shim with it). */
function asciiStrIn(cx: RuleContext, use: NameUse): Fix | null {
  const call = use.call();
  if (!call) return null;
  // `PyUnicode_New(0, …)`: the empty str
  const a = call.childForFieldName('arguments')?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
  if (a.length === 2 && a[0]?.text === '0') return { kind: 'replace', title: 'Replace with PyUnicode_FromStringAndSize(NULL, 0) (the empty str)', safety: 'safe', edits: [{ range: cx.pos.range(call.startIndex, call.endIndex), newText: 'PyUnicode_FromStringAndSize(NULL, 0)' }] };
  const setref = compatFix(cx.doc.text, cx.pos, 'Py_SETREF', cx.target.minor, cx.pp.directives);
  if (!setref && !/abi3lint_setref|abi3lint_compat\.h/.test(cx.doc.text)) return null;
  return asciiStrFix(cx.doc.text, cx.pos, call, setref);
}

export default defineRule({
  meta: { code: 'ABI001', name: 'non-limited-api', reuse: 'local' },
  create: (cx) => ({
    name(use) {
      const e = use.entry;
      if (use.status?.kind !== 'not-limited' || !e || e.private || isMacroOnly(use) || use.own()) return;
      // under `#ifdef NAME` (or `#if defined(NAME)`) of itself: no header declares it in a Limited API build, and
      // the project does not (own() above), so the block is not compiled there
      if (cx.pp.guardAt(cx.pos.position(use.start).line).has(use.name)) return;
      const shim = compatFix(cx.doc.text, cx.pos, use.name, cx.target.minor, cx.pp.directives);
      // a method table that converted types left unused
      const unused = TABLE_TYPES.has(use.name) ? unusedDefinitionFix(cx.doc.path, cx.doc.text, cx.pos, cx.tree, cx.pp.directives, use.start, (w) => cx.watch(w)) : null;
      const ascii = use.name === 'PyUnicode_New' ? asciiStrIn(cx, use) : null;
      cx.report(use.start, use.end, `'${use.name}' is not part of the Limited API${replacementHint(use.replacement, cx.target.minor)}`, {
        identifier: use.name,
        fixes: [...(unused ? [unused] : []), ...(ascii ? [ascii] : []), ...(shim ? [shim] : []), ...nameFixes(cx, use)],
        deprecated: e.deprecated ? true : undefined,
      });
    },
  }),
});
