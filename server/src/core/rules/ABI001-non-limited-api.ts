/** ABI001 non-limited-api: a C API name outside the Limited API at every version. */
import { compatFix } from '../compat';
import { TABLE_TYPES, unusedDefinitionFix } from '../migrate/deadCode';
import { replacementHint } from './replacements';
import { defineRule } from './rule';
import { isMacroOnly, nameFixes } from './name-use';

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
      const unused = TABLE_TYPES.has(use.name) ? unusedDefinitionFix(cx.doc.path, cx.doc.text, cx.pos, cx.tree, cx.pp.directives, use.start) : null;
      cx.report(use.start, use.end, `'${use.name}' is not part of the Limited API${replacementHint(use.replacement, cx.target.minor)}`, {
        identifier: use.name,
        fixes: [...(unused ? [unused] : []), ...(shim ? [shim] : []), ...nameFixes(cx, use)],
        deprecated: e.deprecated ? true : undefined,
      });
    },
  }),
});
