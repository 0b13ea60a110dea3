/** ABI014 deprecated-api: a deprecated Limited API name whose replacement exists at the target. */
import { alternativeAt } from './replacements';
import { defineRule } from './rule';
import { nameFixes } from './name-use';

export default defineRule({
  meta: { code: 'ABI014', name: 'deprecated-api', reuse: 'local' },
  create: (cx) => ({
    name(use) {
      const e = use.entry;
      if (use.status?.kind !== 'limited' || !e?.deprecated || !use.replacement) return;
      const alt = alternativeAt(use.replacement, cx.target.minor);
      if (!alt || use.own()) return;
      cx.report(use.start, use.end, `'${use.name}' is deprecated since ${e.deprecated === '?' ? 'an earlier release' : e.deprecated}; ${alt.new} replaces it at this target`, {
        identifier: use.name,
        fixes: nameFixes(cx, use),
        deprecated: true,
      });
    },
  }),
});
