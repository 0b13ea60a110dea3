/** Helpers for the rules about uses of C API names. */
import { replacementFixes } from './replacements';
import type { NameUse, RuleContext } from './rule';
import type { Fix } from '../types';

/** A macro, static inline or constant with a replacement: ABI004's, not ABI001's. */
export const isMacroOnly = (use: NameUse): boolean => {
  const k = use.entry?.kind;
  return (k === 'macro' || k === 'inline' || k === 'const') && !!use.replacement;
};

/** The replacement table's fix for a use (none without a replacement). */
export const nameFixes = (cx: RuleContext, use: NameUse): Fix[] =>
  use.replacement ? replacementFixes(cx.pos, cx.target.minor, use.replacement, [use.start, use.end], () => use.call(), null) : [];
