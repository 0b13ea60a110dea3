/** Code actions from a lint result: each finding's fixes, a suppression, its documentation; the file's minimum
 *  target; fix-all. The fixes themselves are the core's (Fix.kind says what each does). */
import { pathToFileURL } from 'node:url';
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type WorkspaceEdit } from 'vscode-languageserver/node';
import { chooseFix, fixAllEdits } from '../core/fixes';
import { suppressionFix } from '../core/report';
import type { Finding, LintResult, TextEdit } from '../core/types';

export const SOURCE_FIX_ALL = `${CodeActionKind.SourceFixAll}.abi3lint`;

/** Edits of other files that go with a fix (by URI). */
export type OtherEdits = { uri: string; edits: TextEdit[] }[];

export function editFor(uri: string, edits: TextEdit[], others: OtherEdits = []): WorkspaceEdit {
  const changes: Record<string, { range: TextEdit['range']; newText: string }[]> = { [uri]: edits.map((e) => ({ range: e.range, newText: e.newText })) };
  for (const o of others) changes[o.uri] = [...(changes[o.uri] ?? []), ...o.edits.map((e) => ({ range: e.range, newText: e.newText }))];
  return { changes };
}

/** A fix's edits of other files (paths) as URIs. */
export const othersOf = (fix: { otherFiles?: { path: string; edits: TextEdit[] }[] }): OtherEdits => (fix.otherFiles ?? []).map((o) => ({ uri: pathToFileURL(o.path).href, edits: o.edits }));

/**
 * A migration's edit, shown as a preview before it is applied where the client supports change annotations
 * (VS Code's refactor preview): the annotation needs confirmation and carries what the migration leaves to
 * the user.
 */
export function previewEditFor(uri: string, edits: TextEdit[], label: string, notes: string[] | undefined, annotations: boolean, others: OtherEdits = []): WorkspaceEdit {
  if (!annotations) return editFor(uri, edits, others);
  const id = 'abi3lint.migration';
  const docs = [{ uri, edits }, ...others];
  return {
    documentChanges: docs.map((d) => ({ textDocument: { uri: d.uri, version: null }, edits: d.edits.map((e) => ({ range: e.range, newText: e.newText, annotationId: id })) })),
    changeAnnotations: { [id]: { label, needsConfirmation: true, description: notes?.length ? notes.join(' ') : 'abi3lint migration to the Limited API (unsafe: review it)' } },
  };
}

/** A finding's quick fixes; the suppression and documentation entries once per line and rule (`seen`). */
function findingActions(uri: string, f: Finding, diag: Diagnostic, lineText: string, seen: Set<string>, annotations: boolean): CodeAction[] {
  const actions: CodeAction[] = [];
  const best = chooseFix(f, { unsafe: false });
  for (const fix of f.fixes) {
    if (!fix.edits.length) continue;
    if (fix.kind === 'migrate') {
      actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diag], edit: previewEditFor(uri, fix.edits, fix.title, fix.notes, annotations, othersOf(fix)) });
      continue;
    }
    actions.push({
      title: fix.title,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diag],
      isPreferred: fix === best && fix.safety === 'safe',
      edit: editFor(uri, fix.edits),
    });
  }
  const key = `${f.range.start.line} ${f.code}`;
  if (seen.has(key)) return actions;
  seen.add(key);
  const suppress = suppressionFix(f, lineText);
  if (suppress) actions.push({ title: suppress.title, kind: CodeActionKind.QuickFix, diagnostics: [diag], edit: editFor(uri, suppress.edits) });
  actions.push({ title: `Show documentation for ${f.code} (${f.name})`, kind: CodeActionKind.QuickFix, diagnostics: [diag], command: { title: 'Show documentation', command: 'abi3lint.server.showRuleDocs', arguments: [f.code] } });
  return actions;
}

/** "Fix all ABI004 problems in this file": the safe fixes of one rule, for each rule among the findings in range. */
function ruleFixAlls(uri: string, inRange: Finding[], all: Finding[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const code of [...new Set(inRange.map((f) => f.code))].sort()) {
    const { edits, fixes } = fixAllEdits(all.filter((f) => f.code === code), { unsafe: false });
    if (fixes < 2) continue; // (one fix is the quick fix itself)
    const name = all.find((f) => f.code === code)!.name;
    out.push({ title: `Fix all ${code} (${name}) problems in this file (${fixes})`, kind: CodeActionKind.QuickFix, edit: editFor(uri, edits) });
  }
  return out;
}

export function codeActions(p: CodeActionParams, r: LintResult, text: string, diagnosticOf: (f: Finding) => Diagnostic, annotations = false): CodeAction[] {
  const uri = p.textDocument.uri;
  const only = p.context.only;
  const wants = (kind: string): boolean => !only || only.some((o) => kind === o || kind.startsWith(o + '.'));
  const actions: CodeAction[] = [];
  let lines: string[] | null = null;
  const lineText = (n: number): string => (lines ??= text.split('\n'))[n] ?? '';
  if (wants(CodeActionKind.QuickFix)) {
    const overlaps = (f: Finding): boolean => !(f.range.end.line < p.range.start.line || f.range.start.line > p.range.end.line);
    const inRange = r.findings.filter(overlaps);
    const seen = new Set<string>();
    for (const f of inRange) actions.push(...findingActions(uri, f, diagnosticOf(f), lineText(f.range.start.line), seen, annotations));
    actions.push(...ruleFixAlls(uri, inRange, r.findings));
    // and the whole file's safe fixes, in the same menu (the source.fixAll action below is for fix-on-save)
    if (inRange.length) {
      const all = fixAllEdits(r.findings, { unsafe: false });
      const codes = new Set(r.findings.filter((f) => f.fixes.some((x) => x.safety === 'safe' && x.edits.length)).map((f) => f.code));
      if (all.fixes >= 2 && codes.size >= 2) actions.push({ title: `Fix all safe abi3lint problems in this file (${all.fixes})`, kind: CodeActionKind.QuickFix, edit: editFor(uri, all.edits) });
    }
    const raise = r.raiseToMinimum;
    if (raise) actions.push({ title: raise.title, kind: CodeActionKind.QuickFix, edit: editFor(uri, raise.edits) });
  }
  if (wants(SOURCE_FIX_ALL)) {
    const { edits, fixes } = fixAllEdits(r.findings, { unsafe: false });
    if (edits.length) actions.push({ title: `Fix all safe abi3lint problems (${fixes})`, kind: SOURCE_FIX_ALL, edit: editFor(uri, edits) });
  }
  return actions;
}
