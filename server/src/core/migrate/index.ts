/**
 * Fix-all over several passes, and the migration of a file: every safe and unsafe fix (replacement API,
 * static types to heap types) applied until nothing changes. Used by `abi3lint --fix`, `abi3lint migrate` and
 * the editor's "Migrate file to the Limited API" (a preview there).
 */
import { applyEdits, fixAllEdits } from '../fixes';
import { lint, type LintOptions } from '../lint';
import type { LintDocument, LintResult } from '../types';

export interface FixedText {
  text: string;
  /** Fixes applied, over all passes. */
  fixes: number;
  /** What the applied migrations leave to the user, once each. */
  notes: string[];
  /** The result of the last analysis (of `text`). */
  result: LintResult;
}

/** Applies fix-all (unsafe fixes too when asked) until nothing changes, at most `passes` times. */
export async function fixText(doc: LintDocument, opts: LintOptions, unsafe: boolean, passes = 5): Promise<FixedText> {
  let current = doc.text;
  let result = await lint(doc, opts);
  let fixes = 0;
  const notes = new Set<string>();
  for (let pass = 0; pass < passes; pass++) {
    const { edits, fixes: n, applied } = fixAllEdits(result.findings, { unsafe });
    if (!edits.length) break;
    const next = applyEdits(current, edits);
    if (next.text === current) break;
    current = next.text;
    fixes += n;
    for (const f of applied) for (const note of f.notes ?? []) notes.add(note);
    result = await lint({ path: doc.path, text: current }, opts);
  }
  return { text: current, fixes, notes: [...notes], result };
}
