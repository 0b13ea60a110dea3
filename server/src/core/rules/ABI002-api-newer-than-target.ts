/** ABI002 api-newer-than-target: a Limited API name that only exists from a version newer than the target. */
import { raiseTargetFix } from '../fixes';
import { minorToString } from '../version';
import { replacementHint } from './replacements';
import { defineRule } from './rule';
import { nameFixes } from './name-use';

export default defineRule({
  meta: { code: 'ABI002', name: 'api-newer-than-target', reuse: 'local' },
  create: (cx) => ({
    name(use) {
      const st = use.status;
      if (st?.kind !== 'too-new' || use.own()) return;
      const fixes = nameFixes(cx, use);
      const raise = raiseTargetFix(cx.doc.text, cx.pos, cx.limitedDefineInFile, st.since, ': drops support for older Pythons');
      if (raise) fixes.push(raise);
      const minor = cx.target.minor;
      cx.report(use.start, use.end, `'${use.name}' is in the Limited API only from ${minorToString(st.since)}; this file targets ${minorToString(minor)}${replacementHint(use.replacement, minor)}`, {
        identifier: use.name,
        fixes,
        deprecated: use.entry?.deprecated ? true : undefined,
      });
    },
  }),
});
