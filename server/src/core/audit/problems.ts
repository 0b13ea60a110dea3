/**
 * Binary verdicts as problems on source lines: each import a finding names goes to every line of the sources
 * that names it; what no line names (a header macro's symbol, a link to libpython) goes to the module's init
 * function (`PyInit_<name>`), else to the binary itself. A bare module without a tag is judged by the target of
 * the source file that defines its init function, as the linter resolves it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { auditModule, auditPaths, type AuditKind, type ModuleAudit, type Tag } from './index';
import { explain, usesOf, type SourceFile } from './sources';
import { loadCatalog } from '../catalog';
import type { Target } from '../types';
import { minorToString } from '../version';

export interface AuditProblem {
  /** A source file's path as given in `sources`, or the module's file (the wheel for a member). */
  file: string;
  /** 0-based. */
  line: number;
  character: number;
  length: number;
  severity: 'error' | 'warning';
  code: AuditKind;
  message: string;
  /** The module the verdict is about (wheel!member for a wheel's). */
  module: string;
}

/** At most this many lines per symbol: a name used 400 times is one verdict, not 400 problems. */
const MAX_USES_PER_SYMBOL = 50;

/** `demo/_speedups.cpython-312-x86_64-linux-gnu.so` → `_speedups`. */
export function moduleName(file: string): string {
  const member = file.includes('!') ? file.slice(file.lastIndexOf('!') + 1) : file;
  return path.basename(member).split('.')[0];
}

/** The source file and position of `PyInit_<name>(` (a definition or a declaration), if the sources have it. */
export function initFunction(mod: ModuleAudit, sources: SourceFile[]): { file: string; line: number; character: number; length: number } | null {
  const name = `PyInit_${moduleName(mod.file)}`;
  const uses = usesOf(sources, name);
  const u = uses.find((x) => /^\s*\(/.test(lineOf(sources, x.file, x.line).slice(x.character + name.length))) ?? uses[0];
  return u ? { file: u.file, line: u.line - 1, character: u.character, length: name.length } : null;
}

function lineOf(sources: SourceFile[], file: string, line: number): string {
  return sources.find((s) => s.path === file)?.text.split('\n')[line - 1] ?? '';
}

/** The tag a bare module is judged by when its file name carries no version: the target of its init function's file. */
export function tagFromTarget(target: Target): Tag {
  const s = target.source;
  const from = s.kind === 'define' ? `Py_LIMITED_API at ${path.basename(s.file)}:${s.line}` : s.kind === 'build-config' ? `${path.basename(s.file)}${s.line ? `:${s.line}` : ''} (${s.detail})` : s.detail;
  return { abi: target.abi3t ? 'abi3t' : 'abi3', minor: target.minor, source: `the sources' target, ${from}` };
}

/**
 * Audits the paths with the sources beside them: bare modules whose name gives no version are judged by the
 * target of the file defining their init function (`targetOf`, the linter's resolution), then explained and
 * placed on source lines.
 */
export async function auditWithSources(
  paths: string[],
  sources: SourceFile[],
  targetOf: (file: string) => Promise<Target | null>,
  opts: { tag?: Tag; limit?: number } = {},
): Promise<{ modules: ModuleAudit[]; problems: AuditProblem[]; messages: string[] }> {
  const cat = loadCatalog();
  const { modules, problems: messages } = auditPaths(paths, opts);
  for (let i = 0; i < modules.length; i++) {
    const m = modules[i];
    if (m.tag.minor !== null || m.file.includes('!') || m.format === null) continue;
    const init = initFunction(m, sources);
    const target = init && (await targetOf(init.file));
    if (target) modules[i] = auditModule(m.file, fs.readFileSync(m.file), tagFromTarget(target), cat);
  }
  for (const m of modules) m.explanations = explain(m, sources, cat);
  return { modules, problems: modules.flatMap((m) => auditProblems(m, sources)), messages };
}

/** The module's findings placed on source lines. */
export function auditProblems(mod: ModuleAudit, sources: SourceFile[]): AuditProblem[] {
  const out: AuditProblem[] = [];
  const label = path.basename(mod.file.includes('!') ? mod.file.slice(mod.file.lastIndexOf('!') + 1) : mod.file);
  const init = initFunction(mod, sources);
  const fallback = init ?? { file: mod.file.split('!')[0], line: 0, character: 0, length: 0 };
  const gates = new Map<string, Map<number, number>>();
  for (const f of mod.findings) {
    const why = f.symbol ? mod.explanations?.find((x) => x.symbol === f.symbol) : undefined;
    const message = `${label}: ${f.message}${why ? `. Why: ${why.message}` : ''}`;
    const uses = f.symbol ? usesOf(sources, f.symbol, gates).slice(0, MAX_USES_PER_SYMBOL) : [];
    if (!uses.length) {
      const where = f.symbol ? ` (no source line names ${f.symbol}: a macro or inline function of the headers calls it)` : '';
      out.push({ ...fallback, severity: f.severity, code: f.kind, message: message + (init ? where : ''), module: mod.file });
      continue;
    }
    for (const u of uses) out.push({ file: u.file, line: u.line - 1, character: u.character, length: f.symbol!.length, severity: f.severity, code: f.kind, message, module: mod.file });
  }
  return out;
}
