/**
 * Fix-all over several passes, and the migration of a file: every safe and unsafe fix (replacement API,
 * static types to heap types) applied until nothing changes. Used by `abi3lint --fix`, `abi3lint migrate` and
 * the editor's "Migrate file to the Limited API" (a preview there).
 */
import { applyEdits, fixAllEdits } from '../fixes';
import { lint, type LintOptions } from '../lint';
import type { LintDocument, LintResult, TextEdit } from '../types';

export interface FixedText {
  text: string;
  /** Fixes applied, over all passes. */
  fixes: number;
  /** What the applied migrations leave to the user, once each. */
  notes: string[];
  /** The result of the last analysis (of `text`). */
  result: LintResult;
  /** Edits of other files (project headers) the applied migrations made, by path, against their text on disk;
   *  only with `otherFiles` asked for. */
  otherFiles: Map<string, TextEdit[]>;
}

/**
 * Applies fix-all (unsafe fixes too when asked) until nothing changes, at most `passes` times. With
 * `otherFiles`, migrations that also edit project headers are made too, their header edits returned (the caller
 * writes or shows them); without, such a migration is left as a finding.
 */
export async function fixText(doc: LintDocument, opts: LintOptions, unsafe: boolean, passes = 5, otherFiles = false): Promise<FixedText> {
  let current = doc.text;
  let result = await lint(doc, opts);
  let fixes = 0;
  const notes = new Set<string>();
  const others = new Map<string, TextEdit[]>();
  for (let pass = 0; pass < passes; pass++) {
    const { edits, fixes: n, applied } = fixAllEdits(result.findings, { unsafe, otherFiles });
    if (!edits.length) break;
    const next = applyEdits(current, edits);
    if (next.text === current) break;
    current = next.text;
    fixes += n;
    for (const f of applied) for (const note of f.notes ?? []) notes.add(note);
    for (const f of applied) for (const o of f.otherFiles ?? []) others.set(o.path, [...(others.get(o.path) ?? []), ...o.edits]);
    result = await lint({ path: doc.path, text: current }, opts);
  }
  return { text: current, fixes, notes: [...notes], result, otherFiles: others };
}
