/**
 * lint(): the one analysis behind the CLI, the language server and the tests.
 */
import * as path from 'node:path';
import { loadCatalog, minorOf, statusAt, targetIndex, type Catalog, type Replacement } from './catalog';
import { TARGET_MINORS, type CapiEntry } from './dataSchema';
import { collectDeclarations, declaringRows, functionAround, typeObjectDeclarationAt } from './declarations';
import { initParser, type Node, type Parser, type Tree } from './parser';
import { evaluateConditionals, scanDirectives, shiftPreproc, type Directive, type PPEnv, type PreprocResult } from './preproc';
import { DEFAULT_SETTINGS, type Settings } from './settings';
import { fsHost, isInside, type LintHost } from './host';
import { buildTarget, readBuildConfig, type BuildConfig } from './buildconfig';
import { findTargetDefines, isPythonHInclude, type TargetDefine } from './target';
import type { Finding, Fix, LintResult, Range, Severity, Target, TextEdit } from './types';
import { minorToHex, minorToString, NEWEST_HEADERS, parseTargetOption } from './version';

export { fsHost, isInside, type LintHost };

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
}

/** What the language server's session keeps between two analyses of one document (see DocumentSession). */
export interface IncrementalState {
  text: string;
  lineCount: number;
  /** Everything besides the text that the findings of the lexical pass depend on ('' = never reuse). */
  key: string;
  directives: Directive[];
  /** The preprocessor evaluations, for the target in `ppKey`. */
  ppKey: string;
  pp: PreprocResult[];
  /** Findings of the lexical pass, before suppression, in line order. */
  scanned: Finding[];
  /** Those of them spanning lines, and the lines other findings' fixes edit beyond their own line (sorted). */
  multiLine: Finding[];
  editLines: number[];
  /** In line order, and counted by name (the file's minimum is found among names, not uses). */
  minContrib: MinContrib[];
  minCounts: Map<string, { minor: number; count: number }>;
  /** What the project's declarations make of each name asked about. */
  memo: Map<string, ProjectState>;
}

export interface IncrementalInput {
  prev?: IncrementalState;
  /** The edited span of the current text since `prev` ([start, end) in current offsets) and the length change. */
  dirty?: { start: number; end: number; delta: number } | null;
  /** Set by analyze: the state for the next call; `regional` tells whether this call rescanned only a region. */
  next?: IncrementalState;
  regional?: boolean;
  /** Whether the directives and #if evaluation were carried over (moved) instead of recomputed. */
  directivesKept?: boolean;
}

/** An edit between two analyses, in lines: old lines [firstLine, lastOldLine] became [firstLine, lastNewLine]. */
interface LineEdit {
  firstLine: number;
  lastOldLine: number;
  lastNewLine: number;
  lineDelta: number;
  delta: number;
  /** Offset in both texts of the first edited line's start; end of the last edited line, old and new. */
  startOffset: number;
  oldEnd: number;
  newEnd: number;
}

function lineEditOf(prev: IncrementalState, dirty: { start: number; end: number; delta: number }, text: string, pos: PositionMap): LineEdit {
  const firstLine = pos.position(dirty.start).line;
  const lastNewLine = pos.position(dirty.end).line;
  const lineDelta = pos.lineCount - prev.lineCount;
  const nl = text.indexOf('\n', dirty.end);
  const newEnd = nl < 0 ? text.length : nl;
  return { firstLine, lastNewLine, lastOldLine: lastNewLine - lineDelta, lineDelta, delta: dirty.delta, startOffset: pos.starts[firstLine], oldEnd: newEnd - dirty.delta, newEnd };
}

/**
 * The previous directives moved past an edit, when the edit cannot have changed any: no directive on the
 * edited lines, and neither the old nor the new lines hold a `#`, a backslash or a comment delimiter. The
 * directive objects are moved in place (the session owns them; the kept #if evaluations refer to them).
 */
function movedDirectives(prev: IncrementalState, edit: LineEdit, text: string): Directive[] | null {
  const risky = /[#\\]|\/\*|\*\//;
  if (risky.test(text.slice(edit.startOffset, edit.newEnd)) || risky.test(prev.text.slice(edit.startOffset, edit.oldEnd))) return null;
  const ds = prev.directives;
  // the first directive ending at or after the first edited line
  let lo = 0;
  let hi = ds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ds[mid].endLine < edit.firstLine) lo = mid + 1;
    else hi = mid;
  }
  if (lo < ds.length && ds[lo].line <= edit.lastOldLine) return null;
  const { lineDelta, delta } = edit;
  for (let k = lo; k < ds.length; k++) {
    const d = ds[k];
    d.line += lineDelta;
    d.endLine += lineDelta;
    d.start += delta;
    d.end += delta;
    d.restStart += delta;
  }
  return ds;
}

export interface LintDocument {
  path: string;
  text: string;
}

/** Files larger than this are not analysed (a notice says so). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;
const MAX_INCLUDE_DEPTH = 8;

const lineStarts = (text: string): number[] => {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
};

export class PositionMap {
  readonly starts: number[];
  /** `starts`: the line starts of `text` when the caller keeps them (the session updates them per edit). */
  constructor(
    readonly text: string,
    starts?: number[],
  ) {
    this.starts = starts ?? lineStarts(text);
  }
  position(offset: number): { line: number; character: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo] };
  }
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
  offset(line: number, character: number): number {
    return (this.starts[Math.min(line, this.starts.length - 1)] ?? 0) + character;
  }
  get lineCount(): number {
    return this.starts.length;
  }
}

/** What the project's own declarations make of a name: declared (never flagged), or provided by a polyfill. */
interface ProjectState {
  project: boolean;
  covered: boolean;
  /** The rows where the file declares the name (kept across edits: only the edited region is looked at again). */
  rows: number[];
}

interface Suppression {
  line: number;
  codes: Set<string> | null;
}

/** `/* abi3lint: ignore[ABI004, macro-only-api] *\/` on a line, or alone on the line before; `ignore-file` for the file. */
export const SUPPRESSION_RE = /abi3lint:\s*(ignore-file|ignore)\b(?:\s*\[([^\]]*)\])?/;

interface Ctx {
  doc: LintDocument;
  cat: Catalog;
  pos: PositionMap;
  target: Target;
  tIdx: number;
  pp: PreprocResult;
  /** Whether the project declares a name itself, or a member (asked only before reporting: see declaringRows). */
  isProjectName: (name: string) => boolean;
  isProjectMember: (member: string) => boolean;
  findings: Finding[];
  enabled: (code: string) => boolean;
  severity: (code: string) => Severity | 'off';
  report: Report;
  defineInFile: TargetDefine | null;
  /** Uses of versioned Limited API names: the file's minimum version is their maximum (project names excepted). */
  minContrib: MinContrib[];
  /** A project polyfill under a version condition provides the name for every header version from the target on. */
  coveredByPolyfill: (name: string) => boolean;
  /** C library headers the file (or a project header it includes) includes itself. */
  systemIncludes: Set<string>;
  libcReported: Set<string>;
  /** ABI015 findings made (first uses are file-wide: no regional reuse). */
  libcFindings: number;
  /** The `#include <Python.h>` directive, where a missing C library include goes. */
  pythonHInclude: Directive | null;
  /** The start of the function definition around an offset, null at file scope. */
  functionAt: (offset: number) => number | null;
  tree: Tree;
  /** Findings past MAX_FINDINGS. */
  dropped: number;
  /** Checks that threw (once each): the others still report. */
  ruleFailures: Set<string>;
}

/** Runs one check; a check that throws is recorded once and the remaining checks go on. */
function guarded(ctx: Ctx, what: string, f: () => void): void {
  try {
    f();
  } catch (e) {
    ctx.ruleFailures.add(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Whether the headers of version `h` declare a name for Limited API target `t` (from the per-target data). */
function headerDeclares(e: CapiEntry, t: number, h: number): boolean {
  const c = e.limited?.[targetIndex(t)] ?? 'N';
  if (c === 'Y' || c === 'M') return true;
  if (c === 'G') {
    const first = e.limitedFirstHeader?.[targetIndex(t)];
    return !!first && first !== '-' && h >= parseInt(first, 16);
  }
  if (c === 'R') return !e.limitedRemovedIn || h < minorOf(e.limitedRemovedIn);
  return false;
}

function ruleName(cat: Catalog, code: string): string {
  return cat.rules.get(code)?.name ?? code;
}

/** More findings than this in one file are counted, not kept (a generated file must not flood an editor). */
export const MAX_FINDINGS = 5000;

/** Adds a finding with its configured severity, unless the rule is deselected or set to off. */
export type Report = (code: string, range: Range, message: string, extra?: Partial<Finding>) => void;

function makeReport(cat: Catalog, findings: Finding[], enabled: (code: string) => boolean, severity: (code: string) => Severity | 'off'): Report {
  return (code, range, message, extra = {}) => {
    if (!enabled(code)) return;
    const sev = severity(code);
    if (sev === 'off') return;
    findings.push({ code, name: ruleName(cat, code), severity: sev, range, message, fixes: [], ...extra });
  };
}

function push(ctx: Ctx, code: string, start: number, end: number, message: string, extra: Partial<Finding> = {}): void {
  if (!ctx.enabled(code)) return;
  if (ctx.findings.length >= MAX_FINDINGS) {
    ctx.dropped++;
    return;
  }
  ctx.report(code, ctx.pos.range(start, end), message, extra);
}


/** Fixes from the replacement table that exist at the target. */
function replacementFixes(ctx: Ctx, r: Replacement, ident: [number, number] | null, callOf: (() => Node | null) | null, memberOf: (() => Node | null) | null): Fix[] {
  const fixes: Fix[] = [];
  for (const alt of r.alternatives) {
    if (minorOf(alt.since) > ctx.target.minor) continue;
    const edits: TextEdit[] = [];
    let title = `Replace with ${alt.new}`;
    if (alt.safety !== 'display-only') {
      const member = r.form === 'member' && alt.template ? (memberOf?.() ?? null) : null;
      const call = r.form !== 'member' && alt.template ? (callOf?.() ?? null) : null;
      if (member) {
        const obj = member.childForFieldName('argument');
        if (obj) {
          const text = alt.template!.replace(/\$0/g, obj.text);
          edits.push({ range: ctx.pos.range(member.startIndex, member.endIndex), newText: text });
          title = `Replace with ${text}`;
        }
      } else if (alt.template && call) {
        const args = call.childForFieldName('arguments');
        const list = args ? args.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map((c) => c.text) : [];
        const need = Math.max(0, ...[...alt.template.matchAll(/\$(\d)/g)].map((m) => Number(m[1])));
        if (list.length >= need && (need > 0 || list.length === 0 || /\$/.test(alt.template) === false)) {
          const text = alt.template.replace(/\$(\d)/g, (_m, i: string) => list[Number(i) - 1] ?? '');
          edits.push({ range: ctx.pos.range(call.startIndex, call.endIndex), newText: text });
          title = `Replace with ${text.length > 60 ? alt.new + '(...)' : text}`;
        }
      } else if (!alt.template && ident && r.form === 'rename') {
        edits.push({ range: ctx.pos.range(ident[0], ident[1]), newText: alt.new });
      }
    }
    if (edits.length === 0) {
      fixes.push({ title: `Hint: use ${alt.new} (${alt.since}+). ${alt.note}`, safety: 'display-only', edits: [] });
    } else {
      fixes.push({ title: `${title} (${alt.safety === 'safe' ? 'keeps behaviour' : 'review: ' + alt.note})`.replace(/ \(keeps behaviour\)$/, ''), safety: alt.safety, edits });
    }
    break; // the first alternative valid at the target is the recommended one
  }
  return fixes;
}

/** A fix that raises the file's own Py_LIMITED_API to `minor`. */
function raiseTargetFix(ctx: Ctx, minor: number): Fix | null {
  const d = ctx.defineInFile;
  if (!d || d.macro !== 'Py_LIMITED_API') return null;
  const dir = d.directive;
  const valueStart = ctx.doc.text.indexOf(d.value, dir.start + '#define Py_LIMITED_API'.length - 1);
  if (!d.value || valueStart < 0 || valueStart > dir.end) return null;
  return {
    title: `Set Py_LIMITED_API to ${minorToHex(minor)} (${minorToString(minor)}): drops support for older Pythons`,
    safety: 'unsafe',
    edits: [{ range: ctx.pos.range(valueStart, valueStart + d.value.length), newText: minorToHex(minor) }],
  };
}

export interface MinContrib {
  line: number;
  minor: number;
  name: string;
}

function noteMinimum(ctx: Ctx, e: CapiEntry, name: string, offset: number): void {
  if (!e.limitedSince) return;
  ctx.minContrib.push({ line: ctx.pos.position(offset).line, minor: minorOf(e.limitedSince), name });
}

/** Uses counted by name. */
type MinCounts = Map<string, { minor: number; count: number }>;

function countMin(into: MinCounts, cs: MinContrib[], sign: 1 | -1): MinCounts {
  for (const c of cs) {
    const e = into.get(c.name);
    if (e) {
      const count = e.count + sign;
      if (count > 0) into.set(c.name, { minor: e.minor, count });
      else into.delete(c.name);
    } else if (sign > 0) into.set(c.name, { minor: c.minor, count: 1 });
  }
  return into;
}

/** The file's minimum version: the newest contribution whose name is the C API's, not the project's own. */
function minimumOf(ctx: Ctx, counts: MinCounts): number | null {
  for (const [name, { minor }] of [...counts].sort((a, b) => b[1].minor - a[1].minor)) {
    if (!ctx.isProjectName(name) && !ctx.coveredByPolyfill(name)) return Math.max(minor, ctx.target.abi3t ? 15 : 2);
  }
  return null;
}

/** Platform macros that imply a manifest feature macro (projects guard Windows code with _WIN32 or their own
 *  FOO_WINDOWS, fork() code with unix/linux/BSD/macOS tests). */
const FEATURE_GUARDS: Record<string, RegExp> = {
  MS_WINDOWS: /^(MS_WINDOWS|_WIN32|_WIN64|WIN32|__CYGWIN__|__MINGW32__|\w*WINDOWS\w*|\w*_WIN32\w*)$/,
  HAVE_FORK: /^(HAVE_FORK|__unix__|__unix|unix|__linux__|__linux|__APPLE__|__MACH__|__FreeBSD__|__NetBSD__|__OpenBSD__|__DragonFly__|__sun|_AIX|\w*(POSIX|LINUX|UNIX|BSD|DARWIN|MACOS|OSX|SUNOS|AIX)\w*)$/,
};

/** Files that only build on one platform say so in their path (psutil/arch/windows/disk.c, posixmodule.c). */
const FEATURE_PATHS: Record<string, RegExp> = {
  MS_WINDOWS: /(^|[\\/_.-])(win|win32|win64|windows|nt)([\\/_.-]|$)/i,
  HAVE_FORK: /(^|[\\/_.-])(posix|unix|linux|bsd|freebsd|netbsd|openbsd|darwin|osx|macos|sunos|aix)([\\/_.-]|$)/i,
};

function isGuarded(feature: string, guards: ReadonlySet<string>, file = ''): boolean {
  if (guards.has(feature)) return true;
  if (FEATURE_PATHS[feature]?.test(file)) return true;
  const re = FEATURE_GUARDS[feature];
  return !!re && [...guards].some((g) => re.test(g));
}

/** Checks one use of a name. */
function checkName(ctx: Ctx, name: string, start: number, end: number, isCall: boolean, inMacro: boolean): void {
  const e = ctx.cat.names.get(name);
  if (!e) {
    if (ctx.cat.internal.has(name)) {
      if (!ctx.isProjectName(name)) push(ctx, 'ABI009', start, end, `'${name}' is declared only by CPython's internal headers (Py_BUILD_CORE); it is not part of any stable API`, { identifier: name });
    } else if (ctx.cat.libcByName.has(name)) {
      // like gcc: an undeclared function is reported at its first call in the file, an undeclared variable
      // or constant at its first use in each function
      checkLibc(ctx, name, start, end, () => {
        const fn = isCall ? null : ctx.functionAt(start);
        return `${name}@${fn === null ? 'file' : fn}`;
      });
    }
    return;
  }
  const { minor, abi3t } = ctx.target;
  const st = statusAt(e, name, minor, abi3t);
  // the project's own declaration (or a polyfill) of the name: asked only when something would be reported
  const own = (): boolean => ctx.isProjectName(name) || ctx.coveredByPolyfill(name);
  const repl = ctx.cat.replacements.get(name);
  // the call around the name, looked up in the tree only when a fix rewrites the whole call
  const callOf = (): Node | null => {
    if (!isCall || inMacro) return null;
    const id = ctx.tree.rootNode.descendantForIndex(start, end);
    const parent = id?.parent;
    return parent && parent.type === 'call_expression' && parent.childForFieldName('function')?.startIndex === start ? parent : null;
  };
  const fixes = (): Fix[] => (repl ? replacementFixes(ctx, repl, [start, end], callOf, null) : []);
  const hint = (): string => {
    if (!repl) return '';
    const alt = repl.alternatives.find((a) => minorOf(a.since) <= minor);
    if (alt) return `; use ${alt.template && !alt.template.startsWith('((') ? alt.template.replace(/\$\d/g, '…') : alt.new}`;
    const later = repl.alternatives[repl.alternatives.length - 1];
    return `; ${later.new} replaces it from ${later.since}`;
  };
  const deprecated = e.deprecated ? true : undefined;
  switch (st.kind) {
    case 'limited': {
      noteMinimum(ctx, e, name, start);
      const feature = e.manifest?.ifdef;
      if (feature && !isGuarded(feature, ctx.pp.guardAt(ctx.pos.position(start).line), ctx.doc.path) && !own()) {
        push(ctx, 'ABI013', start, end, `'${name}' exists only where ${feature} is defined; guard its use with #ifdef ${feature}`, { identifier: name });
      }
      if (e.deprecated && repl) {
        const alt = repl.alternatives.find((a) => minorOf(a.since) <= minor);
        if (alt && !own()) {
          push(ctx, 'ABI014', start, end, `'${name}' is deprecated since ${e.deprecated === '?' ? 'an earlier release' : e.deprecated}; ${alt.new} replaces it at this target`, {
            identifier: name,
            fixes: fixes(),
            deprecated: true,
          });
        }
      }
      return;
    }
    case 'too-new': {
      if (own()) return;
      noteMinimum(ctx, e, name, start);
      const f = fixes();
      const raise = raiseTargetFix(ctx, st.since);
      if (raise) f.push(raise);
      push(ctx, 'ABI002', start, end, `'${name}' is in the Limited API only from ${minorToString(st.since)}; this file targets ${minorToString(minor)}${hint()}`, {
        identifier: name,
        fixes: f,
        deprecated,
      });
      return;
    }
    case 'removed':
      if (own()) return;
      push(ctx, 'ABI007', start, end, `'${name}' is no longer in the Limited API of the ${st.removedIn} headers; it stops compiling there${hint()}`, { identifier: name, fixes: fixes(), deprecated });
      return;
    case 'abi-only':
    case 'private':
      if (own()) return;
      push(
        ctx,
        'ABI003',
        start,
        end,
        st.kind === 'abi-only'
          ? `'${name}' is in the Stable ABI only for old binaries; it is not part of the Limited API${hint()}`
          : `'${name}' is private CPython API (leading underscore); it can change in any release${hint()}`,
        { identifier: name, fixes: fixes(), deprecated },
      );
      return;
    case 'abi3t-incompatible':
      if (own()) return;
      push(ctx, 'ABI012', start, end, `'${name}' is not available under abi3t (the free-threaded stable ABI)${hint()}`, { identifier: name, fixes: fixes() });
      return;
    case 'not-limited': {
      if (own()) return;
      if (e.private) {
        push(ctx, 'ABI003', start, end, `'${name}' is private CPython API (leading underscore) and not in the Limited API${hint()}`, { identifier: name, fixes: fixes(), deprecated });
        return;
      }
      const macroLike = e.kind === 'macro' || e.kind === 'inline' || e.kind === 'const';
      if (macroLike && repl) {
        push(ctx, 'ABI004', start, end, `'${name}' is a ${e.kind === 'inline' ? 'static inline function' : 'macro'} hidden from the Limited API${hint()}`, {
          identifier: name,
          fixes: fixes(),
          deprecated,
        });
        return;
      }
      push(ctx, 'ABI001', start, end, `'${name}' is not part of the Limited API${hint()}`, { identifier: name, fixes: fixes(), deprecated });
      return;
    }
  }
}

const LIBC_PREFERENCE = ['errno.h', 'stdio.h', 'stdlib.h', 'string.h', 'ctype.h', 'unistd.h', 'time.h', 'sys/time.h', 'sys/types.h'];

/** A C library name that only reached the file through Python.h, which no longer includes its header. */
function checkLibc(ctx: Ctx, name: string, start: number, end: number, keyOf: () => string): void {
  const headers = ctx.cat.libcByName.get(name)!;
  const libc = ctx.cat.data.libc;
  if (headers.some((h) => libc[h]?.included[ctx.tIdx] === 'Y' || ctx.systemIncludes.has(h))) return;
  // a header the file includes may pull the name in too (stdlib.h declares size_t, ...)
  for (const inc of ctx.systemIncludes) if (libc[inc]?.names.includes(name)) return;
  const key = keyOf();
  if (ctx.libcReported.has(key) || ctx.isProjectName(name)) return;
  ctx.libcReported.add(key);
  ctx.libcFindings++;
  const header = [...headers].sort((a, b) => (LIBC_PREFERENCE.indexOf(a) + 1 || 99) - (LIBC_PREFERENCE.indexOf(b) + 1 || 99) || a.localeCompare(b))[0];
  const fixes: Fix[] = [];
  const anchor = ctx.pythonHInclude;
  if (anchor) {
    const at = ctx.pos.position(anchor.end);
    fixes.push({ title: `Include <${header}> after Python.h`, safety: 'safe', edits: [{ range: { start: at, end: at }, newText: `\n#include <${header}>` }] });
  }
  const inc = libc[header]?.included ?? '';
  const from = inc.indexOf('N');
  const when = from > 0 && !inc.slice(from).includes('Y') ? ` from target ${minorToString(TARGET_MINORS[from])} on` : ' with some header versions';
  push(ctx, 'ABI015', start, end, `'${name}' comes from <${header}>, which Python.h stops including under the Limited API${when}; include <${header}> yourself`, { identifier: name, fixes });
}

/** Checks `obj->member` / `obj.member`. */
function checkMember(ctx: Ctx, member: string, start: number, end: number, inMacro: boolean): void {
  // Only CPython's prefixed member names (tp_name, ob_refcnt, co_code, f_back, ...): plain words such as
  // `free` or `buf` are just as likely members of system or project structs, which abi3lint cannot type.
  if (!/^[a-z]{1,5}_[A-Za-z0-9_]+$/.test(member)) return;
  const owners = ctx.cat.members.get(member);
  if (!owners) return;
  const { tIdx } = ctx;
  const visible = owners.filter((o) => ctx.cat.names.get(o)?.limitedComplete?.[tIdx] === 'Y');
  if (visible.length) {
    if (ctx.target.abi3t && visible.every((o) => ctx.cat.names.get(o)?.abi3t === 'opaque') && !ctx.isProjectMember(member)) {
      push(ctx, 'ABI012', start, end, `'${member}' is a member of ${visible.join('/')}, which is opaque under abi3t; use the accessor functions (Py_TYPE, Py_REFCNT, Py_SIZE)`, { identifier: member });
    }
    return;
  }
  if (ctx.isProjectMember(member)) return;
  const r = ctx.cat.memberReplacements.get(member);
  const owner = owners.map((o) => ctx.cat.names.get(o)?.tag ?? o).filter((v, i, a) => a.indexOf(v) === i);
  const typeName = owners.find((o) => !o.startsWith('struct ')) ?? owner[0];
  let hint = '';
  if (r) {
    const alt = r.alternatives.find((a) => minorOf(a.since) <= ctx.target.minor);
    hint = alt ? `; use ${alt.template ? alt.template.replace('$0', '…') : alt.new}` : `; ${r.alternatives[r.alternatives.length - 1].new} replaces it from ${r.alternatives[r.alternatives.length - 1].since}`;
  }
  push(ctx, 'ABI005', start, end, `'${member}' is a member of ${typeName}, which is opaque in the Limited API at ${minorToString(ctx.target.minor)}${hint}`, {
    identifier: member,
    fixes: r
      ? replacementFixes(ctx, r, null, null, () => {
          if (inMacro) return null;
          const f = ctx.tree.rootNode.descendantForIndex(start, end)?.parent;
          return f && f.type === 'field_expression' ? f : null;
        })
      : [],
  });
}

const C_KEYWORDS = new Set(
  'auto break case char const continue default do double else enum extern float for goto if inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while defined'.split(' '),
);

const isIdStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isIdChar = (c: number): boolean => isIdStart(c) || (c >= 48 && c <= 57);

/**
 * One lexical pass over the text: comments (suppressions), literals skipped, directives (macro bodies checked
 * with their parameters excluded, #include paths, condition lines skipped), then every identifier and every
 * `->member` / `.member`. Only names the data knows go on to the checks, so the syntax tree is consulted for
 * a handful of positions instead of being walked node by node.
 */
function scan(ctx: Ctx, suppressions: Suppression[], from = 0, to = ctx.doc.text.length, fromLine = 0): void {
  const text = ctx.doc.text;
  const n = to;
  const cat = ctx.cat;
  let i = from;
  let line = fromLine;
  let lineStart = from;
  let atLineStart = true;
  // the directive being read: kind and, for #define, its parameters and where its body starts
  let dir: 'none' | 'skip' | 'define' = 'none';
  let defineParams = new Set<string>();
  let defineNameDone = false;
  const newline = (at: number): void => {
    line++;
    lineStart = at + 1;
    atLineStart = true;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      // a directive ends at an unescaped newline
      if (dir !== 'none' && text.charCodeAt(i - 1) !== 92 && !(text.charCodeAt(i - 1) === 13 && text.charCodeAt(i - 2) === 92)) dir = 'none';
      newline(i);
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xfeff || c === 92) {
      i++;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      // block comment
      const before = text.slice(lineStart, i);
      const e = text.indexOf('*/', i + 2);
      const stop = e < 0 ? n : e + 2;
      const body = text.slice(i, stop);
      for (let k = i; k < stop; k++) if (text.charCodeAt(k) === 10) newline(k);
      atLineStart = false;
      addSuppression(body, line, before, suppressions);
      i = stop;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 47) {
      const before = text.slice(lineStart, i);
      let e = i;
      while (e < n && text.charCodeAt(e) !== 10) e++;
      addSuppression(text.slice(i, e), line, before, suppressions);
      i = e;
      continue;
    }
    if (c === 34 || c === 39) {
      // string or character literal
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92) {
          if (text.charCodeAt(i + 1) === 10) newline(i + 1);
          i += 2;
          continue;
        }
        if (d === c || d === 10) break;
        i++;
      }
      if (i < n && text.charCodeAt(i) === c) i++;
      atLineStart = false;
      continue;
    }
    if (c === 35 && atLineStart && dir === 'none') {
      // a directive: read its name
      let j = i + 1;
      while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
      let k = j;
      while (k < n && isIdChar(text.charCodeAt(k))) k++;
      const name = text.slice(j, k);
      atLineStart = false;
      if (name === 'define') {
        dir = 'define';
        defineParams = new Set();
        defineNameDone = false;
        i = k;
        continue;
      }
      if (name === 'include' && !ctx.pp.isInactive(line)) {
        const m = /^\s*([<"][^>"\n]*[>"])/.exec(text.slice(k, k + 300));
        if (m && /^[<"](?:internal\/)?pycore_\w+\.h[>"]$|^[<"]internal\//.test(m[1])) {
          const s0 = k + m[0].length - m[1].length;
          push(ctx, 'ABI009', s0, s0 + m[1].length, `${m[1]} is one of CPython's internal headers; it requires Py_BUILD_CORE and is not part of any stable API`, { identifier: m[1] });
        }
      }
      dir = 'skip'; // conditions (#if ...), #include paths, #pragma, #error: not uses of names
      i = k;
      continue;
    }
    atLineStart = false;
    if (c >= 48 && c <= 57) {
      // a number (0x1F, 1.5e3, 10UL): skip it whole, so `.e3` is not read as a member
      i++;
      while (i < n && (isIdChar(text.charCodeAt(i)) || text.charCodeAt(i) === 46)) i++;
      continue;
    }
    if (isIdStart(c)) {
      let e = i + 1;
      while (e < n && isIdChar(text.charCodeAt(e))) e++;
      const start = i;
      const name = text.slice(start, e);
      i = e;
      if (dir === 'skip') continue;
      if (dir === 'define' && !defineNameDone) {
        // the macro's name, then its parameters
        defineNameDone = true;
        if (text.charCodeAt(e) === 40) {
          // the parameter list ends at `)`, or with the directive (found by the incremental fuzz: a `(` with no
          // `)` on its line took the file's next `)` lines later, skipping the code between as parameters)
          let stop = e + 1;
          for (; stop < n; stop++) {
            const ch = text.charCodeAt(stop);
            if (ch === 41) break;
            if (ch === 10 && text.charCodeAt(stop - 1) !== 92 && !(text.charCodeAt(stop - 1) === 13 && text.charCodeAt(stop - 2) === 92)) break;
          }
          for (const p of text.slice(e + 1, stop).split(',')) defineParams.add(p.trim().replace(/\.\.\.$/, ''));
          for (let k = e; k < stop; k++) if (text.charCodeAt(k) === 10) newline(k);
          // (at an unterminated list, the newline is left to end the directive)
          i = text.charCodeAt(stop) === 41 ? stop + 1 : stop;
        }
        if (/^Py_BUILD_CORE/.test(name) && !ctx.pp.isInactive(line)) {
          push(ctx, 'ABI009', start, e, `${name} exposes CPython's internal API, which has no stability promise and is disabled under Py_LIMITED_API`, { identifier: name });
        }
        continue;
      }
      const inMacro = dir === 'define';
      if (inMacro && (defineParams.has(name) || name === '__VA_ARGS__')) continue;
      // member access: `->name` or `.name` (not a designator `{ .name =` / `, .name =`)
      let p = start - 1;
      while (p >= 0 && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p--;
      const prev = text.charCodeAt(p);
      const isArrow = prev === 62 && text.charCodeAt(p - 1) === 45;
      const isDot = prev === 46;
      if (isArrow || isDot) {
        if (isDot && !isArrow) {
          let q = p - 1;
          while (q >= 0 && /\s/.test(text[q])) q--;
          const before = text.charCodeAt(q);
          if (before === 123 || before === 44 || before === 61 || before === 40) continue; // a designator
        }
        if (ctx.pp.isInactive(line)) continue;
        guarded(ctx, `checking member '${name}'`, () => checkMember(ctx, name, start, e, inMacro));
        continue;
      }
      if (!cat.names.has(name) && !cat.internal.has(name) && !cat.libcByName.has(name)) continue;
      if (C_KEYWORDS.has(name) || ctx.pp.isInactive(line)) continue;
      // a `#` stringizes its argument in a macro body
      if (inMacro && text.charCodeAt(p) === 35) continue;
      let q = e;
      while (q < n && (text.charCodeAt(q) === 32 || text.charCodeAt(q) === 9)) q++;
      const isCall = text.charCodeAt(q) === 40;
      guarded(ctx, `checking '${name}'`, () => checkName(ctx, name, start, e, isCall, inMacro));
      continue;
    }
    i++;
  }
}

function addSuppression(comment: string, endLine: number, before: string, suppressions: Suppression[]): void {
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

function checkStaticType(ctx: Ctx, node: Node): void {
  const type = node.childForFieldName('type');
  if (!type || type.text !== 'PyTypeObject') return;
  if (ctx.isProjectName('PyTypeObject')) return;
  const storage = node.children.filter((c): c is Node => !!c && c.type === 'storage_class_specifier').map((c) => c.text);
  if (storage.includes('extern') || storage.includes('typedef')) return;
  for (const d of node.childrenForFieldName('declarator')) {
    let cur: Node | null = d;
    while (cur && cur.type === 'init_declarator') cur = cur.childForFieldName('declarator');
    if (!cur || cur.type !== 'identifier') continue; // pointers and arrays of pointers are fine
    const tIdx = ctx.tIdx;
    const complete = ctx.cat.names.get('struct _typeobject')?.limitedComplete?.[tIdx] === 'Y';
    if (complete) continue;
    push(
      ctx,
      'ABI006',
      cur.startIndex,
      cur.endIndex,
      `'${cur.text}' is a static PyTypeObject; PyTypeObject is opaque in the Limited API, so types must be created at run time from a PyType_Spec (PyType_FromSpec)`,
      {
        identifier: cur.text,
        fixes: [{ title: 'Hint: describe the type with PyType_Slot[] and a PyType_Spec, then create it with PyType_FromSpec (PyType_FromModuleAndSpec from 3.10) during module init', safety: 'display-only', edits: [] }],
      },
    );
  }
}

/** What abi3lint keeps of a project header: its directives and the names it declares. */
interface HeaderInfo {
  /** Distinct per header text read (part of the session's context key). */
  id: number;
  stamp: string | null;
  text: string;
  directives: Directive[];
  /** `#include <...>` lines and target defines of the header itself. */
  systemIncludes: string[];
  defines: TargetDefine[];
  names: Set<string>;
  members: Set<string>;
}

/** Project headers by path, reused while the header is unchanged: the language server checks the including
 *  file on every keystroke and a CLI run includes the same headers from many files. */
const headerCache = new Map<string, HeaderInfo>();
let headerIds = 0;

function headerInfo(parser: Parser, file: string, text: string, stamp: string | null): HeaderInfo {
  const hit = headerCache.get(file);
  if (hit && hit.text === text) {
    hit.stamp = stamp;
    return hit;
  }
  const directives = scanDirectives(text);
  const entry: HeaderInfo = {
    id: ++headerIds,
    stamp,
    text,
    directives,
    systemIncludes: directives.map((d) => (d.name === 'include' ? /^<([^>]+)>/.exec(d.rest)?.[1] : undefined)).filter((x): x is string => !!x),
    defines: findTargetDefines(file, directives),
    names: new Set(),
    members: new Set(),
  };
  const tree = parser.parse(text);
  if (tree) {
    try {
      for (const decl of collectDeclarations(tree.rootNode)) {
        entry.names.add(decl.name);
        for (const mm of decl.members ?? []) entry.members.add(mm);
      }
    } finally {
      tree.delete();
    }
  }
  if (headerCache.size >= 256) headerCache.delete(headerCache.keys().next().value!);
  headerCache.set(file, entry);
  return entry;
}

/** Project headers named by #include "..." (searched like a compiler: the including file's folder, then include dirs). */
function resolveInclude(parser: Parser, spec: string, fromDir: string, includeDirs: string[], root: string | undefined, host: LintHost): { file: string; info: HeaderInfo } | null {
  for (const dir of [fromDir, ...includeDirs]) {
    const file = path.resolve(dir, spec);
    if (root && !isInside(root, file)) continue;
    const stamp = host.stamp ? host.stamp(file) : null;
    if (stamp === undefined) continue;
    const hit = stamp !== null ? headerCache.get(file) : undefined;
    if (hit && hit.stamp === stamp) return { file, info: hit };
    const text = host.readFile(file);
    if (text !== undefined) return { file, info: headerInfo(parser, file, text, stamp) };
  }
  return null;
}

/** Derived from a file's directive list, kept with it (a session keeps the list across edits that touch no
 *  directive, moving the directives in place; their lines and offsets are read from the objects). */
const includeDirectives = new WeakMap<Directive[], Directive[]>();
const targetDefinesOf = new WeakMap<Directive[], { file: string; defines: TargetDefine[] }>();

interface IncludeInfo {
  /** `#include <...>` of the project headers this file includes. */
  systemIncludes: Set<string>;
  /** The project headers included, directly or not. */
  headers: HeaderInfo[];
  targetDefines: TargetDefine[];
  notices: string[];
}

async function scanIncludes(doc: LintDocument, directives: Directive[], opts: LintOptions, settings: Settings): Promise<IncludeInfo> {
  const host = opts.host ?? fsHost;
  const info: IncludeInfo = { systemIncludes: new Set(), headers: [], targetDefines: [], notices: [] };
  const seen = new Set<string>([path.resolve(doc.path)]);
  const root = opts.root;
  const includeDirs = settings.includeDirs.map((d) => path.resolve(root ?? path.dirname(doc.path), d)).filter((d) => !root || isInside(root, d));
  const { parser } = await initParser();
  let sawPythonH = false;
  const visit = (file: string, dirs: Directive[], depth: number): void => {
    for (const d of dirs) {
      if (isPythonHInclude(d)) sawPythonH = true;
      if (d.name !== 'include') continue;
      const m = /^"([^"]+)"/.exec(d.rest);
      if (!m) continue;
      const r = resolveInclude(parser, m[1], path.dirname(file), includeDirs, root, host);
      if (!r || seen.has(r.file)) continue;
      seen.add(r.file);
      if (depth >= MAX_INCLUDE_DEPTH) {
        info.notices.push(`includes nested deeper than ${MAX_INCLUDE_DEPTH} levels were not followed (${m[1]})`);
        continue;
      }
      for (const sys of r.info.systemIncludes) info.systemIncludes.add(sys);
      const wasPythonH = sawPythonH;
      for (const t of r.info.defines) info.targetDefines.push(wasPythonH && !t.afterPythonH ? { ...t, afterPythonH: true } : t);
      info.headers.push(r.info);
      visit(r.file, r.info.directives, depth + 1);
    }
  };
  // (only #include lines matter here: kept per directive list, which a session moves in place between edits)
  let includes = includeDirectives.get(directives);
  if (!includes) includeDirectives.set(directives, (includes = directives.filter((d) => d.name === 'include')));
  visit(doc.path, includes, 0);
  return info;
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

/** A result with nothing found yet (lint(), and the session's incremental and full analyses, fill it). */
export function emptyResult(path: string): LintResult {
  return { path, target: null, minimumVersion: null, findings: [], inactive: [], notices: [], timing: { parse: 0, analyze: 0 } };
}

/**
 * Lints one C document. Never throws: internal failures become a notice.
 */
export async function lint(doc: LintDocument, opts: LintOptions = {}): Promise<LintResult> {
  const t0 = performance.now();
  const settings: Settings = { ...DEFAULT_SETTINGS, ...(opts.settings ?? {}) };
  const result = emptyResult(doc.path);
  if (doc.text.length > MAX_FILE_BYTES) {
    result.noTargetReason = `file is ${(doc.text.length / 1048576).toFixed(1)} MB, over the ${MAX_FILE_BYTES / 1048576} MB limit: not analysed`;
    result.notices.push(result.noTargetReason);
    return result;
  }
  let tree: Tree | null = null;
  try {
    const cat = loadCatalog();
    const { parser } = await initParser();
    const text = doc.text.includes('\0') ? doc.text.replace(/\0/g, ' ') : doc.text;
    const docN = text === doc.text ? doc : { ...doc, text };
    if (text !== doc.text) result.notices.push('NUL bytes were read as spaces');
    const tp = performance.now();
    tree = parser.parse(text);
    result.timing.parse = performance.now() - tp;
    if (!tree) throw new Error('tree-sitter returned no tree');
    return await analyze(docN, tree, cat, settings, opts, result, t0);
  } catch (e) {
    result.internalError = e instanceof Error ? e.message : String(e);
    result.notices.push(`internal error, file not fully checked: ${result.internalError}`);
    return result;
  } finally {
    tree?.delete();
  }
}

/** Analysis over an existing tree (the language server keeps trees between edits). */
export async function analyze(
  doc: LintDocument,
  tree: Tree,
  cat: Catalog,
  settings: Settings,
  opts: LintOptions,
  result: LintResult,
  t0 = performance.now(),
): Promise<LintResult> {
  const ta = performance.now();
  const pos = new PositionMap(doc.text, opts.lineStarts);
  const inc = opts.incremental;
  const prev = inc?.prev;
  const edit = prev && inc.dirty ? lineEditOf(prev, inc.dirty, doc.text, pos) : null;
  const kept = prev && edit ? movedDirectives(prev, edit, doc.text) : null;
  const directives = kept ?? scanDirectives(doc.text);
  if (inc) inc.directivesKept = !!kept;
  const includes = await scanIncludes(doc, directives, opts, settings);
  result.notices.push(...includes.notices);
  const enabled = ruleFilter(cat, opts.select, opts.ignore);
  const severity = resolveSeverity(cat, settings);
  const report = makeReport(cat, result.findings, enabled, severity);
  const push0 = (code: string, d: Directive, message: string): void => report(code, pos.range(d.start, d.end), message);

  // --- target resolution
  let own = targetDefinesOf.get(directives);
  if (!own || own.file !== doc.path) targetDefinesOf.set(directives, (own = { file: doc.path, defines: findTargetDefines(doc.path, directives) }));
  const defines = [...includes.targetDefines.filter((t) => !t.afterPythonH), ...own.defines];
  let target: Target | null = null;
  let limitedDefine: TargetDefine | null = null;
  let abi3tDefine: TargetDefine | null = null;
  let gil = false;
  for (const d of defines) {
    const inFile = d.file === doc.path;
    if (d.afterPythonH) {
      if (inFile) push0('ABI010', d.directive, `${d.macro} is defined after #include <Python.h>, where it has no effect; move it above the include`);
      continue;
    }
    if (d.macro === 'Py_GIL_DISABLED') {
      gil = true;
      continue;
    }
    if (!d.decoded.ok) {
      if (inFile) push0('ABI010', d.directive, `invalid ${d.macro} value: ${d.decoded.reason}`);
      continue;
    }
    if (d.decoded.note && inFile) push0('ABI010', d.directive, `${d.macro}: ${d.decoded.note}`);
    const prev = d.macro === 'Py_LIMITED_API' ? limitedDefine : abi3tDefine;
    if (prev && prev.decoded.ok && prev.decoded.minor !== d.decoded.minor) {
      if (inFile) push0('ABI010', d.directive, `${d.macro} is defined again with a different value (${minorToString(d.decoded.minor)}; first ${minorToString(prev.decoded.minor)} at ${path.basename(prev.file)}:${prev.directive.line + 1})`);
      continue;
    }
    if (prev) continue;
    if (d.macro === 'Py_LIMITED_API') limitedDefine = d;
    else {
      abi3tDefine = d;
      if (d.decoded.ok && d.decoded.minor < 15) {
        if (inFile) push0('ABI010', d.directive, `Py_TARGET_ABI3T must be 0x030F0000 (3.15) or above: abi3t starts with 3.15`);
        abi3tDefine = null;
      }
    }
  }
  // --- build configuration (read as data, never run)
  let cfg: BuildConfig | null;
  if (opts.buildConfig !== undefined) cfg = opts.buildConfig;
  else {
    const key = path.dirname(path.resolve(doc.path));
    const cache = opts.buildConfigCache;
    if (cache?.has(key)) cfg = cache.get(key) ?? null;
    else {
      cfg = readBuildConfig(doc.path, opts.root, opts.host ?? fsHost);
      cache?.set(key, cfg);
    }
  }
  if (cfg) for (const p of cfg.problems) result.notices.push(p);
  const bt = buildTarget(cfg);
  const fromDefine = (d: TargetDefine, abi3t: boolean): Target => ({
    minor: (d.decoded as { minor: number }).minor,
    abi3t,
    source: { kind: 'define', file: d.file, line: d.directive.line + 1 },
  });
  if (abi3tDefine) {
    // as CPython's pyabi.h: Py_TARGET_ABI3T sets Py_LIMITED_API, the lower of the two winning
    const a = fromDefine(abi3tDefine, true);
    if (limitedDefine && (limitedDefine.decoded as { minor: number }).minor < a.minor) target = { ...fromDefine(limitedDefine, true) };
    else target = a;
  } else if (limitedDefine) {
    target = fromDefine(limitedDefine, gil || settings.abi3t);
  } else if (bt) {
    target = { minor: bt.minor, abi3t: bt.abi3t || settings.abi3t, source: { kind: 'build-config', file: bt.file, line: bt.line, detail: bt.detail } };
  } else if (settings.target) {
    const t = parseTargetOption(settings.target);
    if (t.ok) target = { minor: t.minor, abi3t: settings.abi3t, source: { kind: 'option', detail: `target ${settings.target}` } };
  }
  result.target = target;
  if (cfg) checkBuildAgreement(cfg, limitedDefine, target, doc, pos, report);
  if (!target) {
    result.noTargetReason = 'no Py_LIMITED_API: the file does not define it, no build configuration sets it, and no target option was given';
    finish(result, []);
    result.timing.analyze = performance.now() - ta;
    return result;
  }
  if (target.abi3t && target.minor < 15) target = { ...target, minor: 15 };

  // --- preprocessor conditions at the target
  const env: PPEnv = {
    defined: new Map([['Py_LIMITED_API', { lo: BigInt(minorToHex(target.minor)), hi: BigInt(minorToHex(target.minor)) }]]),
    // a Limited API build without abi3t is a build for the default (GIL) interpreter: with Py_GIL_DISABLED it
    // would be abi3t (CPython's pyabi.h)
    undefinedKnown: new Set(target.abi3t ? [] : ['Py_TARGET_ABI3T', 'Py_GIL_DISABLED']),
    pyVersionHex: { lo: BigInt(minorToHex(target.minor)), hi: (1n << 32n) - 1n },
  };
  // patchlevel.h: the headers of any Limited API build are Python 3, of the target's minor version or later
  env.defined.set('PY_MAJOR_VERSION', { lo: 3n, hi: 3n });
  env.defined.set('PY_MINOR_VERSION', { lo: BigInt(target.minor), hi: 255n });
  if (target.abi3t) {
    env.defined.set('Py_TARGET_ABI3T', { lo: BigInt(minorToHex(target.minor)), hi: BigInt(minorToHex(target.minor)) });
    env.defined.set('Py_GIL_DISABLED', 'empty');
  }
  const baseDefined = new Map(env.defined);
  const baseUndefined = new Set(env.undefinedKnown);
  // (each evaluation starts from the environment before the file's own #defines: evaluateConditionals adds them)
  const envAt = (hex: bigint): PPEnv => ({
    defined: new Map([...baseDefined].filter(([k]) => k !== 'PY_MINOR_VERSION').concat([['PY_MINOR_VERSION', { lo: (hex >> 16n) & 0xffn, hi: (hex >> 16n) & 0xffn }]])),
    undefinedKnown: new Set(baseUndefined),
    pyVersionHex: { lo: hex, hi: hex },
  });
  // The same conditions with the version of the oldest and of the newest headers a Limited API build may use:
  // a project declaration shadows a C API name only where it exists for every header version from the target
  // on (`#if PY_VERSION_HEX < 0x030D0000` polyfills vanish with the 3.13 headers).
  // Without a condition on the Python version, every header version sees the same branches.
  // After an edit that touched no directive, the previous evaluations are moved instead of recomputed.
  const ppKey = JSON.stringify(target);
  let pp: PreprocResult;
  let ppOld: PreprocResult;
  let ppNew: PreprocResult;
  if (kept && edit && prev && prev.ppKey === ppKey) {
    const move = (r: PreprocResult): PreprocResult => shiftPreproc(r, edit.lastOldLine, edit.lineDelta);
    pp = move(prev.pp[0]);
    ppOld = prev.pp[1] === prev.pp[0] ? pp : move(prev.pp[1]);
    ppNew = prev.pp[2] === prev.pp[0] ? pp : prev.pp[2] === prev.pp[1] ? ppOld : move(prev.pp[2]);
  } else {
    pp = evaluateConditionals(directives, env, pos.lineCount);
    const versionDependent = directives.some((d) => /\bPY_(VERSION_HEX|MINOR_VERSION)\b/.test(d.rest));
    ppOld = versionDependent ? evaluateConditionals(directives, envAt(BigInt(minorToHex(target.minor))), pos.lineCount) : pp;
    ppNew = versionDependent ? evaluateConditionals(directives, envAt(BigInt(minorToHex(Math.max(target.minor, NEWEST_HEADERS)))), pos.lineCount) : pp;
  }
  const declActive = (line: number): boolean => !pp.isInactive(line) && !ppOld.isInactive(line) && !ppNew.isInactive(line);
  const ppByHeader = new Map<number, PreprocResult>([
    [target.minor, ppOld],
    [Math.max(target.minor, NEWEST_HEADERS), ppNew],
  ]);
  const ppAt = (minor: number): PreprocResult => {
    let r = ppByHeader.get(minor);
    if (!r) {
      r = evaluateConditionals(directives, envAt(BigInt(minorToHex(minor))), pos.lineCount);
      ppByHeader.set(minor, r);
    }
    return r;
  };
  // The define itself is evaluated by the headers; the file's own `#ifndef Py_LIMITED_API` guards are inactive.
  result.inactive = pp.inactive;

  // The project's own declarations, looked up per name and only for names about to be reported.
  const headers = includes.headers;
  const headerNames = { has: (n: string): boolean => headers.some((h) => h.names.has(n)) };
  const headerMembers = { has: (n: string): boolean => headers.some((h) => h.members.has(n)) };
  const memo = new Map<string, ProjectState>();
  const rowOf = (o: number): number => pos.position(o).line;
  const stateOf = (name: string, member: boolean, rows: number[]): ProjectState => {
    const st: ProjectState = { project: false, covered: false, rows };
    if (member) {
      st.project = rows.length > 0;
      return st;
    }
    // a declaration shadows the C API name where it exists for every header version from the target on;
    // a polyfill under `#if PY_VERSION_HEX < 0x030D0000` covers only the header versions that see it
    const conditional: number[] = [];
    for (const r of rows) {
      if (declActive(r)) st.project = true;
      else if (!pp.isInactive(r)) conditional.push(r);
    }
    const e = cat.names.get(name);
    if (!st.project && conditional.length && e) {
      st.covered = true;
      for (let h = Math.max(target.minor, 6); h <= NEWEST_HEADERS; h++) {
        if (conditional.some((r) => !ppAt(h).isInactive(r))) continue;
        if (!headerDeclares(e, target.minor, h)) {
          st.covered = false;
          break;
        }
      }
    }
    return st;
  };
  /** Rows of names to look at again only inside [from, to) (the edited region); others are kept, moved. */
  let regionRows: { from: number; to: number; old: Map<string, ProjectState>; firstLine: number; lastOld: number; lineDelta: number } | null = null;
  const projectState = (name: string, member: boolean): ProjectState => {
    const k = member ? `.${name}` : name;
    let st = memo.get(k);
    if (st) return st;
    const was = regionRows?.old.get(k);
    let rows: number[];
    if (regionRows && was) {
      const { from, to, firstLine, lastOld, lineDelta } = regionRows;
      rows = was.rows.filter((r) => r < firstLine).concat(declaringRows(tree, doc.text, name, member, rowOf, from, to), was.rows.filter((r) => r > lastOld).map((r) => r + lineDelta));
    } else rows = declaringRows(tree, doc.text, name, member, rowOf);
    st = stateOf(name, member, rows);
    memo.set(k, st);
    return st;
  };
  let functionMemo: { offset: number; fn: number | null } | null = null;
  const ctx: Ctx = {
    doc,
    cat,
    pos,
    target,
    tIdx: targetIndex(target.minor),
    pp,
    isProjectName: (name) => headerNames.has(name) || projectState(name, false).project,
    isProjectMember: (m) => headerMembers.has(m) || projectState(m, true).project,
    findings: result.findings,
    enabled,
    severity,
    report,
    defineInFile: limitedDefine && limitedDefine.file === doc.path ? limitedDefine : null,
    minContrib: [],
    systemIncludes: new Set([...includes.systemIncludes, ...(pp.memo.systemIncludes ??= directives.filter((d) => d.name === 'include' && !pp.isInactive(d.line)).map((d) => /^<([^>]+)>/.exec(d.rest)?.[1]).filter((x): x is string => !!x))]),
    libcReported: new Set(),
    libcFindings: 0,
    tree,
    functionAt: (offset: number): number | null => {
      if (functionMemo?.offset !== offset) functionMemo = { offset, fn: functionAround(tree, offset) };
      return functionMemo.fn;
    },
    dropped: 0,
    ruleFailures: new Set(),
    pythonHInclude: (pp.memo.pythonH ??= directives.find((d) => isPythonHInclude(d)) ?? null),
    coveredByPolyfill: (name) => !headerNames.has(name) && projectState(name, false).covered,
  };

  // ABI008: PY_VERSION_HEX choosing code in a Limited API build
  for (const c of (pp.memo.versionConditions ??= pp.conditions.filter((c) => c.ids.includes('PY_VERSION_HEX')))) {
    const d = c.directive;
    // every PY_VERSION_HEX of the condition (comments blanked), all replaced by the one fix
    const raw = doc.text.slice(d.start, d.end).replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) => ' '.repeat(m.length));
    const hits = [...raw.matchAll(/\bPY_VERSION_HEX\b/g)].map((m) => d.start + (m.index ?? 0));
    const fix: Fix[] = hits.length
      ? [{ title: 'Test Py_LIMITED_API+0 instead (the oldest Python the binary must load on)', safety: 'unsafe', edits: hits.map((at) => ({ range: pos.range(at, at + 14), newText: 'Py_LIMITED_API+0' })) }]
      : [];
    report(
      'ABI008',
      hits.length ? pos.range(hits[0], hits[0] + 14) : pos.range(d.start, d.end),
      'PY_VERSION_HEX is the version of the headers used for the build, not of the Python that will load this abi3 binary; test Py_LIMITED_API+0 to choose API',
      { identifier: 'PY_VERSION_HEX', fixes: fix },
    );
  }

  const suppressions: Suppression[] = [];
  const before = result.findings.length;
  const key = inc ? JSON.stringify([target, settings, opts.select ?? null, opts.ignore ?? null, headers.map((h) => h.id), [...ctx.systemIncludes].sort()]) : '';
  const region = prev && edit && kept && inc?.dirty && prev.key && prev.key === key && prev.ppKey === ppKey ? reusableRegion(ctx, prev, edit, inc.dirty) : null;
  /** Previous answers about project declarations for the names the edited region mentions (old or new text). */
  let recheck: Map<string, ProjectState> | null = null;
  if (inc) inc.regional = !!region;
  if (region && prev) {
    // what the project declares carries over for names the edit did not touch; the others are asked again
    recheck = new Map();
    const ld = edit!.lineDelta;
    const lastOld = region.lastOld;
    for (const [k, v] of prev.memo) memo.set(k, ld && v.rows.some((r) => r > lastOld) ? { ...v, rows: v.rows.map((r) => (r > lastOld ? r + ld : r)) } : v);
    const oldText = prev.text.slice(region.start, region.oldEnd);
    const newText = doc.text.slice(region.start, region.end);
    const mentions = (t: string, name: string): boolean => {
      for (let i = t.indexOf(name); i >= 0; i = t.indexOf(name, i + 1)) {
        const before = i > 0 ? t.charCodeAt(i - 1) : 32;
        const after = i + name.length < t.length ? t.charCodeAt(i + name.length) : 32;
        if (!isIdChar(before) && !isIdChar(after)) return true;
      }
      return false;
    };
    for (const [k, v] of prev.memo) {
      const name = k.startsWith('.') ? k.slice(1) : k;
      if (!mentions(oldText, name) && !mentions(newText, name)) continue;
      recheck.set(k, v);
      memo.delete(k);
    }
    regionRows = { from: region.start, to: region.end, old: recheck, firstLine: region.startLine, lastOld, lineDelta: ld };
    // the lexical pass over the edited top-level nodes only; findings elsewhere are moved, not recomputed
    guarded(ctx, 'names and members', () => scan(ctx, suppressions, region.start, region.end, region.startLine));
  } else {
    guarded(ctx, 'names and members', () => scan(ctx, suppressions));
  }
  const fresh = result.findings.slice(before);
  let regionMin: MinContrib[] = [];
  let scannedNow = region ? region.keptBefore.concat(fresh.slice().sort((x, y) => x.range.start.line - y.range.start.line), region.keptAfter) : fresh;
  if (region) {
    result.findings.length = before;
    for (const f of scannedNow) result.findings.push(f);
    regionMin = ctx.minContrib;
    ctx.minContrib = region.minBefore.concat(regionMin, region.minAfter);
  }
  const declarationsChanged = (): boolean => {
    for (const [k, v] of recheck ?? []) {
      const st = k.startsWith('.') ? projectState(k.slice(1), true) : projectState(k, false);
      if (st.project !== v.project || st.covered !== v.covered) return true;
    }
    return false;
  };
  if (region && (suppressions.length || ctx.libcFindings || ctx.ruleFailures.size || result.findings.length > MAX_FINDINGS || declarationsChanged())) {
    // suppressions, first-use findings and a changed project declaration are file-wide: redo the whole pass
    result.findings.length = before;
    ctx.minContrib = [];
    suppressions.length = 0;
    ctx.libcReported.clear();
    ctx.libcFindings = 0;
    // (answers about declarations computed so far are those of the current text: kept)
    guarded(ctx, 'names and members', () => scan(ctx, suppressions));
    scannedNow = result.findings.slice(before);
    inc!.regional = false;
  }
  // contributions counted by name: after a regional pass, the previous counts less the region's old uses
  const counts =
    region && inc?.regional && prev
      ? countMin(countMin(new Map(prev.minCounts), prev.minContrib.slice(region.minBefore.length, prev.minContrib.length - region.minAfter.length), -1), regionMin, 1)
      : countMin(new Map(), ctx.minContrib, 1);
  if (inc) {
    const reusable = !suppressions.length && !ctx.dropped && !ctx.libcFindings;
    const multi = (fs: Finding[]): Finding[] => fs.filter((f) => f.range.start.line !== f.range.end.line);
    const editLinesOf = (fs: Finding[], into: Set<number>): Set<number> => {
      for (const f of fs) for (const fx of f.fixes) for (const e of fx.edits) for (let l = e.range.start.line; l <= e.range.end.line; l++) if (l < f.range.start.line || l > f.range.end.line) into.add(l);
      return into;
    };
    const regional = !!region && !!inc.regional;
    const multiLine = regional ? region!.multiLine.concat(multi(fresh)) : multi(scannedNow);
    const editLines = regional ? [...editLinesOf(fresh, new Set(region!.editLines))].sort((x, y) => x - y) : [...editLinesOf(scannedNow, new Set())].sort((x, y) => x - y);
    // (a full pass reports in text order; kept and rescanned findings are merged in order)
    const byLine = <T>(xs: T[], line: (x: T) => number): T[] => {
      for (let k = 1; k < xs.length; k++) if (line(xs[k]) < line(xs[k - 1])) return xs.slice().sort((x, y) => line(x) - line(y));
      return xs;
    };
    inc.next = {
      text: doc.text,
      lineCount: pos.lineCount,
      key: reusable ? key : '',
      directives,
      ppKey,
      pp: [pp, ppOld, ppNew],
      scanned: !reusable ? [] : regional ? scannedNow : byLine(scannedNow, (f) => f.range.start.line),
      multiLine: reusable ? multiLine : [],
      editLines: reusable ? editLines : [],
      minContrib: regional ? ctx.minContrib : byLine(ctx.minContrib, (c) => c.line),
      minCounts: counts,
      memo,
    };
  }
  guarded(ctx, 'ABI006', () => {
    // `PyTypeObject Name`: a static type object (not a pointer), looked up in the tree at each such text. Not
    // part of the regional pass: a declaration's declarators can change with text after it (found by the
    // incremental fuzz), and the text search is cheap.
    for (const m of doc.text.matchAll(/\bPyTypeObject(?=\s+[A-Za-z_])/g)) {
      const at = m.index ?? 0;
      if (pp.isInactive(pos.position(at).line)) continue;
      const decl = typeObjectDeclarationAt(tree, at, at + 12);
      if (decl) checkStaticType(ctx, decl);
    }
  });
  if (target.abi3t) guarded(ctx, 'ABI012', () => checkAbi3tModuleInit(ctx, tree.rootNode));
  if (ctx.ruleFailures.size) result.notices.push(...[...ctx.ruleFailures].map((f) => `a check failed and was skipped (other rules still ran): ${f}`));

  if (ctx.dropped) result.notices.push(`${ctx.dropped} more findings were not reported (more than ${MAX_FINDINGS} in one file)`);
  result.minimumVersion = minimumOf(ctx, counts);
  finish(result, suppressions);
  result.timing.analyze = performance.now() - ta;
  void t0;
  return result;
}

function checkBuildAgreement(
  cfg: BuildConfig,
  define: TargetDefine | null,
  target: Target | null,
  doc: LintDocument,
  pos: PositionMap,
  report: Report,
): void {
  const where = (f: { file: string; line?: number }): string => `${path.basename(f.file)}${f.line ? ':' + f.line : ''}`;
  const add = (message: string, range: Range): void => report('ABI011', range, message);
  const top: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: Math.max(0, doc.text.indexOf('\n') < 0 ? doc.text.length : doc.text.indexOf('\n')) } };
  const defRange = define && define.file === doc.path ? pos.range(define.directive.start, define.directive.end) : top;
  const cfgDefines = cfg.facts.filter((f) => f.kind === 'define');
  const tags = cfg.facts.filter((f) => f.kind === 'tag');
  const fileMinor = define && define.decoded.ok ? define.decoded.minor : null;
  if (fileMinor !== null) {
    for (const f of cfgDefines) {
      if (f.minor !== null && f.minor !== fileMinor) {
        add(`${where(f)} defines Py_LIMITED_API as ${minorToString(f.minor)} (${f.detail}) but this file defines ${minorToString(fileMinor)}; the two must agree`, defRange);
      }
    }
  }
  if (!define && cfgDefines.length === 0 && tags.length) {
    const t = tags[0];
    add(`${where(t)} tags the wheel abi3 (${t.detail}) but Py_LIMITED_API is never defined for this file: it is built against the full API and the abi3 wheel is broken. Define Py_LIMITED_API before including Python.h (or in define_macros)`, top);
    return;
  }
  const effective = target?.minor ?? null;
  if (effective === null) return;
  for (const t of tags) {
    if (t.minor === null || t.minor === effective) continue;
    if (t.minor < effective) {
      add(`${where(t)} tags the wheel for ${minorToString(t.minor)}+ (${t.detail}) but the code targets ${minorToString(effective)}: the wheel would install on Pythons where it cannot load`, defRange);
    } else {
      add(`${where(t)} tags the wheel for ${minorToString(t.minor)}+ (${t.detail}) while the code targets ${minorToString(effective)}: the tag excludes Pythons the binary supports`, defRange);
    }
  }
}

/** A finding of the lexical pass after lines past `after` moved by `lineDelta`. */
function moveLines(f: Finding, after: number, lineDelta: number): Finding {
  const mv = (r: Range): Range =>
    r.end.line > after
      ? { start: r.start.line > after ? { line: r.start.line + lineDelta, character: r.start.character } : r.start, end: { line: r.end.line + lineDelta, character: r.end.character } }
      : r;
  return { ...f, range: mv(f.range), fixes: f.fixes.map((fx) => ({ ...fx, edits: fx.edits.map((e) => ({ range: mv(e.range), newText: e.newText })) })) };
}

/**
 * Whether the previous lexical pass can be reused outside the edited region, and that region: the top-level
 * syntax nodes the edit touched, widened to whole lines. Null means: do the whole pass. Findings and minimum
 * contributions outside the region are kept, those below it moved by the edit's line change.
 */
function reusableRegion(
  ctx: Ctx,
  prev: IncrementalState,
  edit: LineEdit,
  dirty: { start: number; end: number; delta: number },
): {
  start: number;
  end: number;
  oldEnd: number;
  startLine: number;
  lastOld: number;
  keptBefore: Finding[];
  keptAfter: Finding[];
  multiLine: Finding[];
  editLines: number[];
  minBefore: MinContrib[];
  minAfter: MinContrib[];
} | null {
  const text = ctx.doc.text;
  const root = ctx.tree.rootNode;
  let start = dirty.start;
  let end = dirty.end;
  // the top-level nodes touching the edited span: found by index, not by walking every top-level node
  let node: Node | null = root.firstChildForIndex(dirty.start);
  const before = node ? node.previousSibling : root.lastChild;
  if (before && before.endIndex >= dirty.start) node = before;
  for (let guard = 0; node && node.startIndex <= dirty.end && guard < 100000; guard++) {
    start = Math.min(start, node.startIndex);
    end = Math.max(end, node.endIndex);
    node = node.nextSibling;
  }
  start = text.lastIndexOf('\n', start - 1) + 1;
  // a comment (or any node) ending on the region's first line starts the region
  for (let guard = 0; start > 0 && guard < 8; guard++) {
    const inside = root.descendantForIndex(start, start);
    if (!inside || inside.startIndex >= start || inside.type === 'translation_unit') break;
    let top: Node = inside;
    while (top.parent && top.parent.type !== 'translation_unit') top = top.parent;
    if (top.startIndex >= start) break;
    start = text.lastIndexOf('\n', top.startIndex - 1) + 1;
  }
  const nl = text.indexOf('\n', end);
  end = nl < 0 ? text.length : nl;
  // a line continued into or out of the region could change how its first or last line reads
  if (start >= 2 && /\\\r?$/.test(text.slice(text.lastIndexOf('\n', start - 2) + 1, start - 1))) return null;
  if (/\\\r?$/.test(text.slice(text.lastIndexOf('\n', end - 1) + 1, end))) return null;
  if (text.slice(start, end).includes('abi3lint:')) return null;
  // the lexical pass starts the region in code: not inside a block comment opened before it (an unterminated
  // `/*` is a comment to the end for the lexical pass, but an error node that ends early in the tree)
  const opener = text.lastIndexOf('/*', start - 1);
  if (opener >= 0) {
    const closer = text.indexOf('*/', opener + 2);
    if (closer < 0 || closer + 2 > start) return null;
  }
  const pos = ctx.pos;
  const startLine = pos.position(start).line;
  const lastOld = pos.position(end).line - edit.lineDelta;
  for (const f of prev.multiLine) {
    if (f.range.start.line <= lastOld && f.range.end.line >= startLine) return null; // spans the region's edge
  }
  const el = prev.editLines;
  for (let lo = 0, hi = el.length; lo < hi; ) {
    const mid = (lo + hi) >> 1;
    if (el[mid] < startLine) lo = mid + 1;
    else if (el[mid] > lastOld) hi = mid;
    else return null; // a fix of a finding elsewhere edits the region
  }
  // the others sit on one line with their fixes: those starting before the region are kept, those after moved
  const firstAt = <T>(xs: T[], line: (x: T) => number, min: number): number => {
    let lo = 0;
    let hi = xs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (line(xs[mid]) < min) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const sc = prev.scanned;
  const fLine = (f: Finding): number => f.range.start.line;
  const a = firstAt(sc, fLine, startLine);
  const b = firstAt(sc, fLine, lastOld + 1);
  const ld = edit.lineDelta;
  const editsAfter = (f: Finding): boolean => f.fixes.some((fx) => fx.edits.some((e) => e.range.end.line > lastOld));
  const keptBefore = ld ? sc.slice(0, a).map((f) => (editsAfter(f) ? moveLines(f, lastOld, ld) : f)) : sc.slice(0, a);
  const keptAfter = ld ? sc.slice(b).map((f) => moveLines(f, lastOld, ld)) : sc.slice(b);
  const multiLine = prev.multiLine.map((f) => (ld && f.range.end.line > lastOld ? moveLines(f, lastOld, ld) : f));
  const editLines = ld ? el.map((l) => (l > lastOld ? l + ld : l)) : el;
  const mc = prev.minContrib;
  const cLine = (c: MinContrib): number => c.line;
  const minBefore = mc.slice(0, firstAt(mc, cLine, startLine));
  const rest = mc.slice(firstAt(mc, cLine, lastOld + 1));
  const minAfter = ld ? rest.map((c) => ({ ...c, line: c.line + ld })) : rest;
  return { start, end, oldEnd: end - dirty.delta, startLine, lastOld, keptBefore, keptAfter, multiLine, editLines, minBefore, minAfter };
}

function checkAbi3tModuleInit(ctx: Ctx, root: Node): void {
  // PyInit_* returning PyModuleDef_Init / PyModule_Create without a PyModExport_* entry point
  let init: Node | null = null;
  let hasExport = false;
  for (const c of root.namedChildren) {
    if (!c || c.type !== 'function_definition') continue;
    const d = c.childForFieldName('declarator');
    const text = d?.text ?? '';
    const m = /\b(PyInit_\w+|PyModExport_\w+)\s*\(/.exec(text);
    if (!m) continue;
    if (m[1].startsWith('PyModExport_')) hasExport = true;
    else init = c;
  }
  if (init && !hasExport) {
    const d = init.childForFieldName('declarator');
    const nameMatch = d ? /PyInit_\w+/.exec(d.text) : null;
    const start = d && nameMatch ? d.startIndex + d.text.indexOf(nameMatch[0]) : init.startIndex;
    const end = nameMatch ? start + nameMatch[0].length : init.endIndex;
    push(ctx, 'ABI012', start, end, 'under abi3t a module must export PyModExport_<name> (module slots); a PyInit_ function returning a PyModuleDef is not loadable there', {
      identifier: nameMatch?.[0],
    });
  }
}

function finish(result: LintResult, suppressions: Suppression[]): void {
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
}
