/** ABI004 macro-only-api: a macro or static inline accessor hidden from the Limited API, with a function equivalent. */
import { unicodeReadFix } from '../migrate/unicodeRead';
import { replacementHint } from './replacements';
import { defineRule, type NameUse, type RuleContext } from './rule';
import type { Fix } from '../types';
import { isMacroOnly, nameFixes } from './name-use';

const readFix = (text: string, pos: RuleContext['pos'], call: ReturnType<NameUse['call']>): Fix[] => {
  const f = call ? unicodeReadFix(text, pos, call) : null;
  return f ? [f] : [];
};

/** `PyUnicode_READY(s)`: 0 (success) in its place. Every str is ready from 3.12, and the Limited API's functions
 *  ready a legacy one themselves before that; the argument is no longer evaluated. */
function readyFix(cx: RuleContext, use: NameUse): Fix[] {
  const call = use.call();
  const args = call?.childForFieldName('arguments')?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
  if (!call || args.length !== 1 || !/^[\w.>-]+$/.test(args[0]!.text)) return [];
  return [{ kind: 'replace', title: 'Replace with 0 (unsafe: the Limited API readies strings itself)', safety: 'unsafe', edits: [{ range: cx.pos.range(call.startIndex, call.endIndex), newText: '0' }] }];
}

export default defineRule({
  meta: { code: 'ABI004', name: 'macro-only-api', reuse: 'local' },
  create: (cx) => ({
    name(use) {
      const e = use.entry;
      if (use.status?.kind !== 'not-limited' || !e || e.private || !isMacroOnly(use) || use.own()) return;
      cx.report(use.start, use.end, `'${use.name}' is a ${e.kind === 'inline' ? 'static inline function' : 'macro'} hidden from the Limited API${replacementHint(use.replacement, cx.target.minor)}`, {
        identifier: use.name,
        fixes: [...(use.name === 'PyUnicode_READ' ? readFix(cx.doc.text, cx.pos, use.call()) : use.name === 'PyUnicode_READY' ? readyFix(cx, use) : []), ...nameFixes(cx, use)],
        deprecated: e.deprecated ? true : undefined,
      });
    },
  }),
});
