/** Findings as LSP diagnostics: one Diagnostic object per finding (kept findings are reused across edits). */
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic } from 'vscode-languageserver/node';
import { ruleDocUri } from '../core/catalog';
import type { Finding, LintResult } from '../core/types';

const docUris = new Map<string, string>();
const docUri = (code: string): string => {
  let u = docUris.get(code);
  if (!u) docUris.set(code, (u = ruleDocUri(code)));
  return u;
};

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint } as const;

export class Diagnostics {
  // one Diagnostic per finding and per inactive range object: findings an edit did not touch are kept by the
  // session, so most of a republished list is reused, not rebuilt
  private readonly of = new WeakMap<object, Diagnostic>();

  constructor(
    /** Inactive #if regions as greyed hint diagnostics, unless the client draws them from abi3lint/inactiveRegions. */
    public inactiveAsDiagnostics = true,
  ) {}

  forFinding(f: Finding, uri: string): Diagnostic {
    let d = this.of.get(f);
    if (!d) {
      d = {
        relatedInformation: f.related?.map((r) => ({ location: { uri, range: r.range }, message: r.message })),
        range: f.range,
        severity: SEVERITY[f.severity],
        code: f.code,
        codeDescription: { href: docUri(f.code) },
        source: 'abi3lint',
        message: f.message,
        tags: f.deprecated ? [DiagnosticTag.Deprecated] : undefined,
        // (quick fixes come from the server's own result, so the fixes need not travel with every publish)
        data: f.identifier ? { identifier: f.identifier } : undefined,
      };
      this.of.set(f, d);
    }
    return d;
  }

  forResult(r: LintResult, uri: string): Diagnostic[] {
    const out = r.findings.map((f) => this.forFinding(f, uri));
    // inactive preprocessor regions: greyed out (Unnecessary hints) for clients that do not draw them from the
    // abi3lint/inactiveRegions notification (the VS Code extension does: it halves a large file's publish)
    if (!this.inactiveAsDiagnostics) return out;
    for (const reg of r.inactive) {
      if (reg.endLine <= reg.startLine) continue;
      let d = this.of.get(reg);
      if (!d) {
        d = {
          range: { start: { line: reg.startLine, character: 0 }, end: { line: reg.endLine, character: 0 } },
          severity: DiagnosticSeverity.Hint,
          source: 'abi3lint',
          message: `Inactive at the target: ${reg.reason}`,
          tags: [DiagnosticTag.Unnecessary],
        };
        this.of.set(reg, d);
      }
      out.push(d);
    }
    return out;
  }
}

/** Whether two diagnostic lists say the same (kept findings are the same objects, so mostly by identity). */
export function sameDiagnostics(a: Diagnostic[], b: Diagnostic[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && JSON.stringify(a[i]) !== JSON.stringify(b[i])) return false;
  return true;
}
