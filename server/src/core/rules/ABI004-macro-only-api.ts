/** ABI004 macro-only-api: a macro or static inline accessor hidden from the Limited API, with a function equivalent. */
import { replacementHint } from './replacements';
import { defineRule } from './rule';
import { isMacroOnly, nameFixes } from './name-use';

export default defineRule({
  meta: { code: 'ABI004', name: 'macro-only-api', reuse: 'local' },
  create: (cx) => ({
    name(use) {
      const e = use.entry;
      if (use.status?.kind !== 'not-limited' || !e || e.private || !isMacroOnly(use) || use.own()) return;
      cx.report(use.start, use.end, `'${use.name}' is a ${e.kind === 'inline' ? 'static inline function' : 'macro'} hidden from the Limited API${replacementHint(use.replacement, cx.target.minor)}`, {
        identifier: use.name,
        fixes: nameFixes(cx, use),
        deprecated: e.deprecated ? true : undefined,
      });
    },
  }),
});
