/** ABI001 non-limited-api: a C API name outside the Limited API at every version. */
import { compatFix } from '../compat';
import { replacementHint } from './replacements';
import { defineRule } from './rule';
import { isMacroOnly, nameFixes } from './name-use';

export default defineRule({
  meta: { code: 'ABI001', name: 'non-limited-api', reuse: 'local' },
  create: (cx) => ({
    name(use) {
      const e = use.entry;
      if (use.status?.kind !== 'not-limited' || !e || e.private || isMacroOnly(use) || use.own()) return;
      const shim = compatFix(cx.doc.text, cx.pos, use.name, cx.target.minor, cx.pp.directives);
      cx.report(use.start, use.end, `'${use.name}' is not part of the Limited API${replacementHint(use.replacement, cx.target.minor)}`, {
        identifier: use.name,
        fixes: shim ? [shim, ...nameFixes(cx, use)] : nameFixes(cx, use),
        deprecated: e.deprecated ? true : undefined,
      });
    },
  }),
});
