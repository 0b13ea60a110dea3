/**
 * `abi3lint.server.audit`: audits built modules (wheels, .so/.pyd/.dylib files, folders) against the workspace's
 * C sources and answers with the verdicts as diagnostics on source lines. The client shows them in a collection
 * of its own (VS Code: the Problems view), apart from the live diagnostics of the files.
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import { minorToString } from '../core/version';
import { auditWithSources } from '../core/audit/problems';
import type { SourceFile } from '../core/audit/sources';
import type { Target } from '../core/types';

export interface AuditContext {
  /** The workspace's C files with their text (the editor's text for open ones). */
  sources(): Promise<SourceFile[]>;
  /** The Limited API target the linter resolves for a source file. */
  targetOf(file: string): Promise<Target | null>;
}

export interface AuditReply {
  modules: { file: string; tag: string; minimum: string | null; errors: number; warnings: number }[];
  /** Diagnostics grouped by the document they belong to (a source file, else the binary). */
  problems: { uri: string; diagnostics: Diagnostic[] }[];
  /** Paths that are not modules, folders without any. */
  messages: string[];
  summary: string;
}

const Args = z.tuple([z.union([z.string(), z.array(z.string()).min(1).max(1000)])]).rest(z.unknown());

const toPath = (s: string): string => (s.startsWith('file:') ? fileURLToPath(s) : path.resolve(s));

export async function auditCommand(args: unknown[] | undefined, ctx: AuditContext): Promise<AuditReply | { error: string }> {
  const parsed = Args.safeParse(args ?? []);
  if (!parsed.success) return { error: 'abi3lint.server.audit takes a wheel, module or folder (a path or file URI), or a list of them' };
  const given = ([] as string[]).concat(parsed.data[0]);
  let paths: string[];
  try {
    paths = given.map(toPath);
  } catch {
    return { error: `not a file path or file URI: ${given.join(', ')}` };
  }
  const sources = await ctx.sources();
  const { modules, problems, messages } = await auditWithSources(paths, sources, (f) => ctx.targetOf(f));
  const byUri = new Map<string, Diagnostic[]>();
  for (const p of problems) {
    const uri = pathToFileURL(p.file).href;
    const d: Diagnostic = {
      range: { start: { line: p.line, character: p.character }, end: { line: p.line, character: p.character + p.length } },
      severity: p.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      source: 'abi3lint audit',
      code: p.code,
      message: p.message,
    };
    byUri.set(uri, [...(byUri.get(uri) ?? []), d]);
  }
  const count = (m: (typeof modules)[number], s: string): number => m.findings.filter((f) => f.severity === s).length;
  const errors = modules.reduce((n, m) => n + count(m, 'error'), 0);
  const warnings = modules.reduce((n, m) => n + count(m, 'warning'), 0);
  const needs = modules.map((m) => m.minimum).filter((x): x is number => x !== null);
  const summary =
    `${modules.length} module(s), ${errors} error(s), ${warnings} warning(s)` +
    (needs.length ? `; ${modules.length === 1 ? 'it needs' : 'the newest needs'} Python ${minorToString(Math.max(...needs))}` : '') +
    (messages.length ? `; ${messages.join('; ')}` : '');
  return {
    modules: modules.map((m) => ({
      file: m.file,
      tag: m.tag.abi ? `${m.tag.abi}${m.tag.minor !== null ? ` ${minorToString(m.tag.minor)}` : ''} (${m.tag.source})` : 'no abi3 tag',
      minimum: m.minimum !== null ? minorToString(m.minimum) : null,
      errors: count(m, 'error'),
      warnings: count(m, 'warning'),
    })),
    problems: [...byUri].map(([uri, diagnostics]) => ({ uri, diagnostics })),
    messages,
    summary,
  };
}
