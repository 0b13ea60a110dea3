/**
 * lint(): the one analysis behind the CLI, the language server and the tests. analyze() reads top to bottom:
 * directives and includes, the target (and the configuration checks), #if conditions at the target, the
 * project's own declarations, the lexical pass with the rules' handlers, the whole-file checks, the minimum
 * version. The rules live in rules/, the facts they read in facts/, reuse across edits in incremental/.
 */
import * as path from 'node:path';
import { loadCatalog, targetIndex, type Catalog } from './catalog';
import { RuleRunner } from './checks';
import { conditionsKey, evaluateAtTarget, type Conditions } from './facts/conditions';
import { activeSystemIncludes, fileTargetDefines, pythonHInclude, scanIncludes, shareAsHeader, type IncludeInfo } from './facts/includes';
import { minimumOf } from './facts/minimum';
import { ProjectDeclarations } from './facts/project';
import { resolveTarget, type TargetResolution } from './facts/target';
import { isFullApiCompatHeader } from './compat';
import { raiseTargetFix } from './fixes';
import { fsHost, isInside, type LintHost } from './host';
import { lexicalPassWithReuse } from './incremental/pass';
import { lineEditOf, movedDirectives, type IncrementalInput, type LineEdit, type Reuse } from './incremental/state';
import { initParser, LazyTree, type Tree } from './parser';
import { functionAround } from './declarations';
import { PositionMap } from './position';
import { scanDirectives, type Directive } from './preproc';
import { finish, MAX_FINDINGS, Reporter } from './report';
import { RULES } from './rules';
import type { Facts } from './rules/rule';
import type { BuildConfig } from './buildconfig';
import { DEFAULT_SETTINGS, type Settings } from './settings';
import type { Finding, Fix, LintDocument, LintResult, Target } from './types';
import { HEADER_MINORS } from './dataSchema';
import { NEWEST_HEADERS, minorToString } from './version';

export type { LintDocument } from './types';

export { fsHost, isInside, type LintHost };
export { PositionMap } from './position';
export { MAX_FINDINGS, SUPPRESSION_RE } from './report';
export type { IncrementalInput, IncrementalState, Reuse } from './incremental/state';

export interface LintOptions {
  settings?: Partial<Settings>;
  /** Rules to run (codes or names); default all. */
  select?: string[];
  ignore?: string[];
  host?: LintHost;
  /** Include and config lookups never leave this folder (default: the file's folder's filesystem root is allowed). */
  root?: string;
  /** Build configuration: read from the file's folder upwards unless given (null: none). */
  buildConfig?: BuildConfig | null;
  /** Kept by a DocumentSession between edits: reuse the lexical pass outside the edited region. */
  incremental?: IncrementalInput;
  /** Line starts of the text, when the caller keeps them. */
  lineStarts?: number[];
  /** Shared between files of one run: build configurations by folder. */
  buildConfigCache?: Map<string, BuildConfig | null>;
  /** A checked header (.h) is also remembered as a project header, for the files that include it (the CLI). */
  shareHeaders?: boolean;
  /** The value of the target setting when it is invalid (settings.target is then the last valid one, or null). */
  invalidTarget?: string;
}


/** Files larger than this are not analysed (a notice says so). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

/** A result with nothing found yet (lint(), and the session's incremental and full analyses, fill it). */
export function emptyResult(path: string): LintResult {
  return { path, target: null, minimumVersion: null, findings: [], inactive: [], notices: [], timing: { parse: 0, analyze: 0 } };
}

/** The UTF-8 size of a text, or a lower bound when it is clearly within `limit` (no count of short texts). */
function utf8Size(text: string, limit: number): number {
  return text.length * 3 <= limit ? text.length : Buffer.byteLength(text, 'utf8');
}

/** The UTF-8 size of a text over MAX_FILE_BYTES, or null when it is within (counted once). */
function oversize(text: string): number | null {
  const bytes = utf8Size(text, MAX_FILE_BYTES);
  return bytes > MAX_FILE_BYTES ? bytes : null;
}

/** Whether a text is over MAX_FILE_BYTES, counted in UTF-8 bytes. */
export const isTooLarge = (text: string): boolean => oversize(text) !== null;

/** The result for a file too large to analyse (a notice says so), or null. The limit counts UTF-8 bytes. */
export function tooLarge(path: string, text: string): LintResult | null {
  const bytes = oversize(text);
  if (bytes === null) return null;
  const result = emptyResult(path);
  result.noTargetReason = `file is ${(bytes / 1048576).toFixed(1)} MB, over the ${MAX_FILE_BYTES / 1048576} MB limit: not analysed`;
  result.notices.push(result.noTargetReason);
  return result;
}

/** The settings of a run: the defaults, overridden by what the options give. */
export const settingsOf = (opts: LintOptions): Settings => ({ ...DEFAULT_SETTINGS, ...(opts.settings ?? {}) });

/** A result for an analysis that threw inside abi3lint (a bug): the file was not fully checked. */
export function failed(result: LintResult, e: unknown): LintResult {
  result.internalError = e instanceof Error ? e.message : String(e);
  result.notices.push(`internal error, file not fully checked: ${result.internalError}`);
  return result;
}

/**
 * Lints one C document. Never throws: internal failures become a notice.
 */
export async function lint(doc: LintDocument, opts: LintOptions = {}): Promise<LintResult> {
  const big = tooLarge(doc.path, doc.text);
  if (big) return big;
  const result = emptyResult(doc.path);
  let tree: LazyTree | null = null;
  try {
    const cat = loadCatalog();
    const { parser } = await initParser();
    const text = doc.text.includes('\0') ? doc.text.replace(/\0/g, ' ') : doc.text;
    if (text !== doc.text) result.notices.push('NUL bytes were read as spaces');
    tree = new LazyTree(parser, text);
    const done = (await analyze(text === doc.text ? doc : { ...doc, text }, tree as unknown as Tree, cat, settingsOf(opts), opts, result)).result;
    result.timing.parse = tree.parseMs;
    return done;
  } catch (e) {
    return failed(result, e);
  } finally {
    tree?.delete();
  }
}

/** The file's directives: moved from the previous analysis when the edit cannot have changed any. */
function directivesOf(doc: LintDocument, pos: PositionMap, inc: IncrementalInput | undefined): { directives: Directive[]; edit: LineEdit | null; kept: boolean } {
  const prev = inc?.prev;
  const edit = prev && inc.dirty ? lineEditOf(prev, inc.dirty, doc.text, pos) : null;
  const moved = prev && edit ? movedDirectives(prev, edit, doc.text) : null;
  return { directives: moved ?? scanDirectives(doc.text), edit, kept: !!moved };
}

/** The target and the checks of its definition and of the build configuration (which run without a target too). */
function targetOf(doc: LintDocument, pos: PositionMap, directives: Directive[], includes: IncludeInfo, settings: Settings, opts: LintOptions, runner: RuleRunner, result: LintResult): TargetResolution {
  const defines = [...includes.targetDefines.filter((t) => !t.afterPythonH), ...fileTargetDefines(doc.path, directives)];
  const res = resolveTarget(doc.path, defines, settings, { given: opts.buildConfig, root: opts.root, host: opts.host, cache: opts.buildConfigCache });
  if (res.buildConfig) result.notices.push(...res.buildConfig.problems);
  if (opts.invalidTarget !== undefined && res.target?.source.kind === 'option') {
    result.notices.push(`the setting abi3lint.target is invalid (${JSON.stringify(String(opts.invalidTarget).slice(0, 40))}): checked with its last valid value, ${settings.target}`);
  }
  result.target = res.target;
  runner.runConfig({ doc, pos, target: res.target, limitedDefine: res.limitedDefine, targetProblems: res.problems, buildConfig: res.buildConfig });
  return res;
}

/**
 * The lowest target a file without one could use: the minimum of an analysis at the newest target (3.2 when it
 * uses no versioned API). Null when the file cannot be analysed at all.
 */
export async function suggestedTarget(doc: LintDocument, opts: LintOptions = {}): Promise<number | null> {
  const r = await lint(doc, { ...opts, settings: { ...(opts.settings ?? {}), target: minorToString(NEWEST_HEADERS) } });
  return r.target ? (r.minimumVersion ?? 2) : null;
}

/** Why a file has no target, naming what was found: an invalid setting, a build file's value that cannot be
 *  evaluated without running it (with file and line), or nothing at all. */
function noTargetReason(res: TargetResolution, opts: LintOptions): string {
  const option =
    opts.invalidTarget !== undefined ? `the setting abi3lint.target is invalid (${JSON.stringify(String(opts.invalidTarget).slice(0, 40))})` : 'no target option was given';
  const opaque = res.buildConfig?.facts.find((f) => f.kind === 'define' && f.unevaluable !== undefined);
  if (opaque) {
    const where = `${path.basename(opaque.file)}${opaque.line ? `:${opaque.line}` : ''}`;
    return `no Py_LIMITED_API abi3lint can read: ${where} sets it to \`${opaque.unevaluable}\`, which cannot be evaluated without running ${path.basename(opaque.file)} (abi3lint never runs build files), and ${option}. Set abi3lint.target (or --target), or #define Py_LIMITED_API in the file`;
  }
  return `no Py_LIMITED_API: the file does not define it, no build configuration sets it, and ${option}`;
}

/** What every rule reads about this analysis. */
function factsOf(doc: LintDocument, tree: Tree, cat: Catalog, pos: PositionMap, target: Target, cond: Conditions, includes: IncludeInfo, directives: Directive[], res: TargetResolution): Facts {
  let fnMemo: { offset: number; fn: number | null } | null = null;
  const limited = res.limitedDefine;
  return {
    doc,
    cat,
    pos,
    tree,
    target,
    tIdx: targetIndex(target.minor),
    pp: cond.pp,
    project: new ProjectDeclarations(tree, doc.text, pos, cat, target, cond, includes.headers),
    systemIncludes: new Set([...includes.systemIncludes, ...activeSystemIncludes(directives, cond.pp)]),
    pythonHInclude: pythonHInclude(directives),
    limitedDefineInFile: limited && limited.file === doc.path ? limited : null,
    functionAt(offset) {
      if (fnMemo?.offset !== offset) fnMemo = { offset, fn: functionAround(tree, offset) };
      return fnMemo.fn;
    },
    headerFloor(line) {
      for (let h = Math.max(target.minor, HEADER_MINORS[0]); h <= NEWEST_HEADERS; h++) if (!cond.at(h).isInactive(line)) return h;
      return NEWEST_HEADERS + 1;
    },
  };
}

/** An analysis's result, and (given an incremental input) what it reused and the state for the next one. */
export interface Analysis {
  result: LintResult;
  reuse?: Reuse;
}

/** Analysis over an existing tree (the language server keeps trees between edits). */
export async function analyze(doc: LintDocument, tree: Tree, cat: Catalog, settings: Settings, opts: LintOptions, result: LintResult): Promise<Analysis> {
  const ta = performance.now();
  const pos = new PositionMap(doc.text, opts.lineStarts);
  const inc = opts.incremental;
  const { directives, edit, kept } = directivesOf(doc, pos, inc);
  if (opts.shareHeaders && /\.h$/i.test(doc.path)) shareAsHeader(doc.path, doc.text, directives, opts.host ?? fsHost);
  const includes = await scanIncludes(doc.path, directives, opts, settings);
  result.notices.push(...includes.notices);
  const reporter = new Reporter(cat, settings, opts.select, opts.ignore, result.findings);
  const runner = new RuleRunner(RULES, reporter);
  const res = targetOf(doc, pos, directives, includes, settings, opts, runner, result);
  if (!res.target) {
    result.noTargetReason = noTargetReason(res, opts);
    finish(result, []);
    result.timing.analyze = performance.now() - ta;
    return { result };
  }
  if (isFullApiCompatHeader(doc.path, doc.text)) {
    result.notices.push(`${path.basename(doc.path)} is a compat header written for the full C API (pythoncapi-compat): not checked itself; ABI018 reports the files that include it`);
    finish(result, []);
    result.timing.analyze = performance.now() - ta;
    return { result };
  }
  const target = res.target.abi3t && res.target.minor < 15 ? { ...res.target, minor: 15 } : res.target;
  const ppKey = conditionsKey(target);
  const prev = inc?.prev;
  const cond = evaluateAtTarget(directives, target, pos.lineCount, kept && edit && prev?.ppKey === ppKey ? { pp: prev.pp, lastOldLine: edit.lastOldLine, lineDelta: edit.lineDelta } : null);
  // The define itself is evaluated by the headers; the file's own `#ifndef Py_LIMITED_API` guards are inactive.
  result.inactive = cond.pp.inactive;
  const facts = factsOf(doc, tree, cat, pos, target, cond, includes, directives, res);
  const key = inc ? JSON.stringify([target, settings, opts.select ?? null, opts.ignore ?? null, includes.headers.map((h) => h.id), [...facts.systemIncludes].sort()]) : '';
  const { suppressions, counts, next, regional } = lexicalPassWithReuse({ facts, runner, reporter, inc, edit, directivesKept: kept, directives, cond, key, ppKey });
  runner.runFile(facts);
  if (runner.failures.size) result.notices.push(...[...runner.failures].map((f) => `a check failed and was skipped (other rules still ran): ${f}`));
  if (reporter.dropped) result.notices.push(`${reporter.dropped} more findings were not reported (more than ${MAX_FINDINGS} in one file)`);
  result.minimumVersion = minimumOf(counts, (name) => facts.project.owns(name), target.abi3t);
  finish(result, suppressions);
  result.raiseToMinimum = minimumFix(doc, pos, facts, result.minimumVersion, result.findings) ?? undefined;
  result.timing.analyze = performance.now() - ta;
  return { result, reuse: next ? { next, regional, directivesKept: kept } : undefined };
}

/** Setting the file's own Py_LIMITED_API (the target's source) to the minimum the file needs. */
function minimumFix(doc: LintDocument, pos: PositionMap, facts: Facts, minimum: number | null, findings: Finding[]) {
  const t = facts.target;
  const d = facts.limitedDefineInFile;
  if (minimum === null || minimum === t.minor || t.source.kind !== 'define' || !d || t.source.line !== d.directive.line + 1) return null;
  if (minimum < t.minor) return raiseTargetFix(doc.text, pos, d, minimum, ', the minimum this file needs (more Pythons)');
  // raising: offered only when it removes findings, saying how many it removes and how many remain
  const removed = findings.filter((f) => f.fixes.some((x) => x.kind === 'raise-target' && (raisedTo(x) ?? Infinity) <= minimum)).length;
  if (!removed) return null;
  const remain = findings.length - removed;
  return raiseTargetFix(doc.text, pos, d, minimum, `: removes ${removed} finding${removed === 1 ? '' : 's'}${remain ? `, ${remain} remain` : ''}`);
}

/** The minor version a raise-target fix sets. */
function raisedTo(fix: Fix): number | null {
  const v = parseInt(fix.edits[0]?.newText ?? '', 16);
  return Number.isNaN(v) ? null : (v >> 16) & 0xff;
}
