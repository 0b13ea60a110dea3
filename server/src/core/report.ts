/**
 * Reporting: which rules run (select/ignore), at which severity (settings), the cap on findings per file,
 * suppression comments, and the final order of findings.
 */
import type { Catalog } from './catalog';
import type { Settings } from './settings';
import type { Finding, Fix, LintResult, Range, Severity } from './types';

/** More findings than this in one file are counted, not kept (a generated file must not flood an editor). */
export const MAX_FINDINGS = 5000;

/** `/* abi3lint: ignore[ABI004, macro-only-api] *\/` on a line, or alone on the line before; `ignore-file` for the file. */
export const SUPPRESSION_RE = /abi3lint:\s*(ignore-file|ignore)\b(?:\s*\[([^\]]*)\])?/;

export interface Suppression {
  /** -1: the whole file. */
  line: number;
  codes: Set<string> | null;
}

/** Adds findings with their configured severity, unless the rule is deselected or set to off. */
export class Reporter {
  /** Findings past MAX_FINDINGS. */
  dropped = 0;
  private readonly selected: (code: string) => boolean;
  private readonly severityOf: (code: string) => Severity | 'off';

  constructor(
    private readonly cat: Catalog,
    settings: Settings,
    select: string[] | undefined,
    ignore: string[] | undefined,
    /** Where findings go (the result's list). */
    readonly findings: Finding[],
  ) {
    this.selected = ruleFilter(cat, select, ignore);
    this.severityOf = resolveSeverity(cat, settings);
  }

  enabled(code: string): boolean {
    return this.selected(code) && this.severityOf(code) !== 'off';
  }

  /** Reports without the cap (configuration findings: a handful per file). */
  add(code: string, range: Range, message: string, extra: Partial<Finding> = {}): void {
    if (!this.selected(code)) return;
    const severity = this.severityOf(code);
    if (severity === 'off') return;
    this.findings.push({ code, name: this.cat.rules.get(code)?.name ?? code, severity, range, message, fixes: [], ...extra });
  }

  /** Reports within the cap of MAX_FINDINGS per file. */
  addCapped(code: string, range: () => Range, message: string, extra?: Partial<Finding>): void {
    if (!this.selected(code)) return;
    if (this.findings.length >= MAX_FINDINGS) {
      this.dropped++;
      return;
    }
    this.add(code, range(), message, extra);
  }
}

function resolveSeverity(cat: Catalog, settings: Settings): (code: string) => Severity | 'off' {
  const over = new Map<string, Severity | 'off'>();
  for (const [k, v] of Object.entries(settings.severity)) {
    const code = cat.rules.has(k) ? k : cat.rulesByName.get(k)?.code;
    if (code) over.set(code, v);
  }
  return (code) => over.get(code) ?? cat.rules.get(code)?.severity ?? 'warning';
}

function ruleFilter(cat: Catalog, select?: string[], ignore?: string[]): (code: string) => boolean {
  const norm = (xs?: string[]): Set<string> | null =>
    xs && xs.length ? new Set(xs.map((x) => (cat.rules.has(x.toUpperCase()) ? x.toUpperCase() : (cat.rulesByName.get(x)?.code ?? x)))) : null;
  const sel = norm(select);
  const ign = norm(ignore) ?? new Set<string>();
  return (code) => (!sel || sel.has(code)) && !ign.has(code);
}

/** A suppression comment, if `comment` is one; `before` is the text on its line before it. */
export function addSuppression(comment: string, endLine: number, before: string, suppressions: Suppression[]): void {
  const m = SUPPRESSION_RE.exec(comment);
  if (!m) return;
  const codes = m[2] ? new Set(m[2].split(',').map((x) => x.trim()).filter(Boolean)) : null;
  if (m[1] === 'ignore-file') {
    suppressions.push({ line: -1, codes });
    return;
  }
  suppressions.push({ line: endLine, codes });
  if (!before.trim()) suppressions.push({ line: endLine + 1, codes });
}

/** The quick fix that suppresses a finding with a comment at the end of its line, `lineText` (null: the line has one). */
export function suppressionFix(f: Finding, lineText: string): Fix | null {
  if (SUPPRESSION_RE.test(lineText)) return null;
  const at = { line: f.range.start.line, character: lineText.replace(/\r$/, '').length };
  return { kind: 'suppress', title: `Suppress ${f.code} on this line`, safety: 'safe', edits: [{ range: { start: at, end: at }, newText: ` /* abi3lint: ignore[${f.code}] */` }] };
}

/** Drops suppressed findings and puts the rest in text order (then by code). */
export function finish(result: LintResult, suppressions: Suppression[]): void {
  if (suppressions.length) {
    result.findings = result.findings.filter((f) => {
      for (const s of suppressions) {
        if (s.line !== -1 && s.line !== f.range.start.line) continue;
        if (!s.codes || s.codes.has(f.code) || s.codes.has(f.name)) return false;
      }
      return true;
    });
  }
  result.findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  markRepeats(result.findings);
}

/** At most this many other uses are listed in the first use's related information. */
export const MAX_RELATED_USES = 20;

/**
 * One finding per occurrence, but the first occurrence of a name (per rule) carries the count and the other
 * uses as related information ("Show all uses"), so a flood of the same name reads as one problem. The first
 * finding is replaced by a copy: the objects the incremental state keeps are never changed.
 */
function markRepeats(findings: Finding[]): void {
  const groups = new Map<string, number[]>();
  findings.forEach((f, i) => {
    if (!f.identifier) return;
    const key = `${f.code}\0${f.identifier}`;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const first = findings[g[0]];
    const others = g.slice(1, 1 + MAX_RELATED_USES).map((i) => ({ range: findings[i].range, message: `another use of '${first.identifier}'` }));
    findings[g[0]] = { ...first, message: `${first.message} (${g.length} uses in this file)`, related: [...(first.related ?? []), ...others] };
  }
}
