/** ABI003 private-api: underscore-private or ABI-only names, even where the headers happen to declare them. */
import { compatFix } from '../compat';
import { replacementHint } from './replacements';
import { defineRule } from './rule';
import { nameFixes } from './name-use';

export default defineRule({
  meta: { code: 'ABI003', name: 'private-api', reuse: 'local' },
  create: (cx) => ({
    name(use) {
      const kind = use.status?.kind;
      const e = use.entry;
      if (!e || !(kind === 'abi-only' || kind === 'private' || (kind === 'not-limited' && e.private)) || use.own()) return;
      const hint = replacementHint(use.replacement, cx.target.minor);
      const message =
        kind === 'abi-only'
          ? `'${use.name}' is in the Stable ABI only for old binaries; it is not part of the Limited API${hint}`
          : kind === 'private'
            ? `'${use.name}' is private CPython API (leading underscore); it can change in any release${hint}`
            : `'${use.name}' is private CPython API (leading underscore) and not in the Limited API${hint}`;
      // a private name with a Limited API spelling in the compat header (_PyEval_SliceIndex)
      const shim = compatFix(cx.doc.text, cx.pos, use.name, cx.target.minor, cx.pp.directives);
      cx.report(use.start, use.end, message, { identifier: use.name, fixes: shim ? [shim, ...nameFixes(cx, use)] : nameFixes(cx, use), deprecated: e.deprecated ? true : undefined });
    },
  }),
});
