/** ABI007 removed-from-limited-api: a name newer headers no longer declare under the Limited API. */
import { replacementHint } from './replacements';
import { defineRule } from './rule';
import { nameFixes } from './name-use';
import { trashcanFix } from './trashcan';

export default defineRule({
  meta: { code: 'ABI007', name: 'removed-from-limited-api', reuse: 'local' },
  create: (cx) => ({
    name(use) {
      const st = use.status;
      if (st?.kind !== 'removed' || use.own()) return;
      cx.report(use.start, use.end, `'${use.name}' is no longer in the Limited API of the ${st.removedIn} headers; it stops compiling there${replacementHint(use.replacement, cx.target.minor)}`, {
        identifier: use.name,
        fixes: [...nameFixes(cx, use), ...[trashcanFix(cx.doc.text, cx.pos, use.name, use.start)].filter((f) => f !== null)],
        deprecated: use.entry?.deprecated ? true : undefined,
      });
    },
  }),
});
