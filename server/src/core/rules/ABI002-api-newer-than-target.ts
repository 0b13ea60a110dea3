/** ABI002 api-newer-than-target: a Limited API name that only exists from a version newer than the target. */
import { compatFix } from '../compat';
import { raiseTargetFix } from '../fixes';
import { minorToString } from '../version';
import { replacementHint } from './replacements';
import { minorOf } from '../catalog';
import { defineRule, type NameUse, type RuleContext } from './rule';
import { nameFixes } from './name-use';
import { slotEntryGuardFix } from '../migrate/slotEntry';

/** What a symbol the Stable ABI adds after the target does to the wheel on the older Pythons. */
function linkConsequence(use: NameUse, minor: number, since: number): string {
  const capi = use.entry?.addedInDocs ?? use.entry?.firstHeader;
  const older = `Python ${minorToString(minor)}${since - 1 > minor ? ` to ${minorToString(since - 1)}` : ''}`;
  if (capi && minorOf(capi) <= minor) return `the symbol is outside the Stable ABI on ${older}: python3.dll there lacks it (the wheel does not load on Windows), and elsewhere the wheel depends on a non-stable symbol`;
  return `${older} has no such symbol: the wheel does not load there`;
}

/**
 * A name only newer headers declare at the target ('G'), used where only those headers compile the line
 * (`#if PY_VERSION_HEX >= 0x030C0000`): no compile break there. If those headers declare it as a macro or
 * static inline, nothing is needed at run time either ('none'); an exported function still needs its Python
 * ('link'). Undefined: not such a case.
 */
function gatedBreak(cx: RuleContext, use: NameUse): 'none' | 'link' | undefined {
  const e = use.entry;
  if (!e || e.limited?.[cx.tIdx] !== 'G') return undefined;
  const first = parseInt(e.limitedFirstHeader?.[cx.tIdx] ?? '-', 16);
  if (!(first <= cx.headerFloor(cx.pos.position(use.start).line))) return undefined;
  return e.limitedInline?.[cx.tIdx] === 'Y' ? 'none' : 'link';
}

export default defineRule({
  meta: { code: 'ABI002', name: 'api-newer-than-target', reuse: 'local' },
  create: (cx) => ({
    name(use) {
      const st = use.status;
      if (st?.kind !== 'too-new' || use.own()) return;
      const gated = gatedBreak(cx, use);
      if (gated === 'none') return;
      const breaks = gated ?? st.breaks;
      const fixes = nameFixes(cx, use);
      const shim = compatFix(cx.doc.text, cx.pos, use.name, cx.target.minor, cx.pp.directives);
      if (shim) fixes.unshift(shim);
      const guard = shim ? null : slotEntryGuardFix(cx.doc.text, cx.pos, cx.tree, cx.cat, use.start, cx.target.minor);
      if (guard) fixes.push(guard);
      const raise = raiseTargetFix(cx.doc.text, cx.pos, cx.limitedDefineInFile, st.since, ': drops support for older Pythons');
      if (raise) fixes.push(raise);
      const minor = cx.target.minor;
      const hint = replacementHint(use.replacement, minor);
      const message =
        breaks === 'link'
          ? `'${use.name}' is in the Stable ABI only from ${minorToString(st.since)}; this file targets ${minorToString(minor)}: it compiles, but ${linkConsequence(use, minor, st.since)}${hint}`
          : `'${use.name}' is in the Limited API only from ${minorToString(st.since)}; this file targets ${minorToString(minor)}${hint}`;
      cx.report(use.start, use.end, message, { identifier: use.name, fixes, deprecated: use.entry?.deprecated ? true : undefined, kind: breaks });
    },
  }),
});
