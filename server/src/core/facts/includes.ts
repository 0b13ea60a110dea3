/**
 * Project headers a file includes with `#include "..."` (searched like a compiler: the including file's
 * folder, then the include folders), read as data: their directives, target defines, system includes and the
 * names they declare. Cached by path and text across files and keystrokes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collectDeclarations, mayDeclare } from '../declarations';
import { fsHost, isInside, isReallyInside, type LintHost } from '../host';
import { initParser, parseNow } from '../parser';
import { scanDirectives, type ConditionUse, type Directive, type PreprocResult } from '../preproc';
import type { Settings } from '../settings';
import type { Target } from '../types';
import { conditionsKey, evaluateAtTarget, type Conditions } from './conditions';
import { findTargetDefines, isPythonHInclude, type TargetDefine } from './defines';

const MAX_INCLUDE_DEPTH = 8;

/** What abi3lint keeps of a project header: its directives and the names it declares. */
export interface HeaderInfo {
  /** Distinct per header text read (part of the session's context key). */
  id: number;
  /** Its absolute path. */
  file: string;
  stamp: string | null;
  text: string;
  directives: Directive[];
  /** `#include <...>` lines and target defines of the header itself. */
  systemIncludes: string[];
  defines: TargetDefine[];
  /** The rows that declare a name (a struct member when `member`); their #if decides (see project.ts). */
  rowsOf(name: string, member: boolean): number[] | undefined;
  /** Every declared name and struct member, with the rows that declare them. */
  declarations(): HeaderDeclarations;
  lineCount: number;
  /** The header's #if conditions per target (computed when a name is asked about). */
  conditions?: Map<string, Conditions>;
  /** The header is a link whose real path leaves the workspace: never read. */
  outside?: boolean;
}

/** Project headers by path, reused while the header is unchanged: the language server checks the including
 *  file on every keystroke and a CLI run includes the same headers from many files. */
const headerCache = new Map<string, HeaderInfo>();
let headerIds = 0;

function headerInfo(file: string, text: string, stamp: string | null): HeaderInfo {
  const hit = headerCache.get(file);
  if (hit && hit.text === text) {
    hit.stamp = stamp;
    return hit;
  }
  return headerInfoOf(file, text, stamp, scanDirectives(text));
}

export interface HeaderDeclarations {
  names: Map<string, number[]>;
  members: Map<string, number[]>;
}

/**
 * What a header declares, read from its tree (parsed here, and freed). Asked only for a name that the text
 * may declare (see mayDeclare): most headers are never parsed in a CLI run, as most names their includers ask
 * about are plainly used there (`PyObject *self`), not declared.
 */
function declarationsOf(text: string, directives: Directive[]): HeaderDeclarations {
  const names = new Map<string, number[]>();
  const members = new Map<string, number[]>();
  const tree = parseNow(text);
  try {
    for (const decl of collectDeclarations(tree.rootNode)) {
      const row = decl.node.startPosition.row;
      addRow(names, decl.name, row);
      for (const mm of decl.members ?? []) addRow(members, mm, row);
    }
  } finally {
    tree.delete();
  }
  for (const [mm, rows] of pastedRows(text, directives)) for (const row of rows) addRow(members, mm, row);
  return { names, members };
}

/**
 * A header the CLI checks as a file of its own is also included by others: its directives are taken from that
 * check (the CLI checks headers first), its declarations read when a name is asked about.
 */
export function shareAsHeader(file: string, text: string, directives: Directive[], host: LintHost): void {
  const stamp = host.stamp?.(path.resolve(file));
  if (typeof stamp !== 'string' || headerCache.get(file)?.stamp === stamp) return;
  headerInfoOf(path.resolve(file), text, stamp, directives);
}

function headerInfoOf(file: string, text: string, stamp: string | null, directives: Directive[]): HeaderInfo {
  let decls: HeaderDeclarations | null = null;
  let pasted: Map<string, number[]> | null = null;
  /** Answers by name (`.name` for members): the language server asks them again on every keystroke. */
  const asked = new Map<string, number[] | undefined>();
  const declarations = (): HeaderDeclarations => (decls ??= declarationsOf(text, directives));
  const entry: HeaderInfo = {
    id: ++headerIds,
    file,
    stamp,
    text,
    directives,
    systemIncludes: directives.map((d) => (d.name === 'include' ? /^<([^>]+)>/.exec(d.rest)?.[1] : undefined)).filter((x): x is string => !!x),
    defines: findTargetDefines(file, directives),
    declarations,
    rowsOf(name, member) {
      const k = member ? `.${name}` : name;
      if (asked.has(k)) return asked.get(k);
      let rows: number[] | undefined;
      if (decls || mayDeclare(text, name)) rows = (member ? declarations().members : declarations().names).get(name);
      else if (member) rows = (pasted ??= pastedRows(text, directives)).get(name);
      asked.set(k, rows);
      return rows;
    },
    lineCount: text.split('\n').length,
  };
  remember(file, entry);
  return entry;
}

/**
 * Members a header builds by token pasting: `#define FIELDS(pref) PyObject *pref##_weakreflist;` used as
 * `FIELDS(m)` declares `m_weakreflist` (immutables' _map.h), which no tree of the header shows. Yields each
 * pasted name with the row of the macro's use.
 */
export function* pastedMembers(text: string, directives: Directive[]): Generator<[string, number]> {
  for (const d of directives) {
    if (d.name !== 'define' || !d.rest.includes('##')) continue;
    const m = /^(\w+)\(([^)]*)\)/.exec(d.rest);
    if (!m) continue;
    const params = m[2].split(',').map((p) => p.trim());
    const suffixes: [number, string][] = [];
    for (const p of d.rest.slice(m[0].length).matchAll(/\b(\w+)\s*##\s*(\w+)/g)) {
      const i = params.indexOf(p[1]);
      if (i >= 0) suffixes.push([i, p[2]]);
    }
    if (!suffixes.length) continue;
    const use = new RegExp(`\\b${m[1]}\\s*\\(([^()]*)\\)`, 'g');
    for (const u of text.matchAll(use)) {
      if (u.index! >= d.start && u.index! < d.end) continue;
      const args = u[1].split(',').map((a) => a.trim());
      const row = lineAt(text, u.index!);
      for (const [i, suffix] of suffixes) if (/^\w+$/.test(args[i] ?? '')) yield [args[i] + suffix, row];
    }
  }
}

function pastedRows(text: string, directives: Directive[]): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  for (const [mm, row] of pastedMembers(text, directives)) addRow(rows, mm, row);
  return rows;
}

function lineAt(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function addRow(m: Map<string, number[]>, name: string, row: number): void {
  const rows = m.get(name);
  if (rows) rows.push(row);
  else m.set(name, [row]);
}

/** A header's #if conditions at a target, evaluated as the including file's are, kept with the header. */
export function headerConditions(h: HeaderInfo, target: Target): Conditions {
  h.conditions ??= new Map();
  const key = conditionsKey(target);
  let c = h.conditions.get(key);
  if (!c) h.conditions.set(key, (c = evaluateAtTarget(h.directives, target, h.lineCount, null)));
  return c;
}

/** The cache holds at most this much header text (and this many headers), least recently used first out:
 *  a project with 2,000 headers is read once, not once per keystroke. */
const CACHE_BYTES = 64 * 1024 * 1024;
const CACHE_ENTRIES = 10000;
let cachedBytes = 0;

function remember(file: string, entry: HeaderInfo): void {
  const old = headerCache.get(file);
  if (old) cachedBytes -= old.text.length;
  headerCache.delete(file);
  headerCache.set(file, entry);
  cachedBytes += entry.text.length;
  for (const [k, v] of headerCache) {
    if (cachedBytes <= CACHE_BYTES && headerCache.size <= CACHE_ENTRIES) break;
    headerCache.delete(k);
    cachedBytes -= v.text.length;
  }
}

/** A cache hit, moved to the most recently used end. */
function recall(file: string): HeaderInfo | undefined {
  const hit = headerCache.get(file);
  if (hit) {
    headerCache.delete(file);
    headerCache.set(file, hit);
  }
  return hit;
}

/**
 * Project headers named by #include "..." (searched like a compiler: the including file's folder, then include
 * dirs). Under a root, a header whose real path (symlinks resolved) leaves it is not read: `escaped` names it.
 */
function resolveInclude(spec: string, fromDir: string, includeDirs: string[], root: string | undefined, host: LintHost, escaped: string[]): { file: string; info: HeaderInfo } | null {
  for (const dir of [fromDir, ...includeDirs]) {
    const file = path.resolve(dir, spec);
    if (root && !isInside(root, file)) continue;
    const stamp = host.stamp ? host.stamp(file) : null;
    if (stamp === undefined) continue;
    const hit = stamp !== null ? recall(file) : undefined;
    if (hit && hit.stamp === stamp) return hit.outside && root ? (escaped.push(file), null) : { file, info: hit };
    const text = host.readFile(file);
    if (text === undefined) continue;
    if (root && stamp !== null && !isReallyInside(root, file)) {
      // (kept, empty, so that the next keystroke does not resolve the link again)
      remember(file, { ...headerInfo(file, '', stamp), outside: true });
      escaped.push(file);
      return null;
    }
    return { file, info: headerInfo(file, text, stamp) };
  }
  return null;
}

/** Include folders as absolute paths inside the root, resolved once per settings value. */
const includeDirsOf = new WeakMap<string[], Map<string, string[]>>();
function resolvedIncludeDirs(dirs: string[], base: string, root: string | undefined): string[] {
  let byBase = includeDirsOf.get(dirs);
  if (!byBase) includeDirsOf.set(dirs, (byBase = new Map()));
  const key = `${base}\0${root ?? ''}`;
  let out = byBase.get(key);
  if (!out) {
    out = [...new Set(dirs.map((d) => path.resolve(base, d)))].filter((d) => (!root || isInside(root, d)) && fs.existsSync(d));
    if (byBase.size > 100) byBase.clear();
    byBase.set(key, out);
  }
  return out;
}

/** Derived from a file's directive list, kept with it (a session keeps the list across edits that touch no
 *  directive, moving the directives in place; their lines and offsets are read from the objects). */
const includeDirectives = new WeakMap<Directive[], Directive[]>();
const targetDefinesOf = new WeakMap<Directive[], { file: string; defines: TargetDefine[] }>();
const pythonHOf = new WeakMap<Directive[], Directive | null>();
/** Derived from one #if evaluation (its moved copies share the `conditions` array, so the key is that). */
const activeSystemIncludesOf = new WeakMap<ConditionUse[], string[]>();

/** The file's own target defines (Py_LIMITED_API, Py_TARGET_ABI3T, Py_GIL_DISABLED). */
export function fileTargetDefines(file: string, directives: Directive[]): TargetDefine[] {
  let own = targetDefinesOf.get(directives);
  if (!own || own.file !== file) targetDefinesOf.set(directives, (own = { file, defines: findTargetDefines(file, directives) }));
  return own.defines;
}

/** The `#include <Python.h>` directive, where a missing C library include goes. */
export function pythonHInclude(directives: Directive[]): Directive | null {
  let d = pythonHOf.get(directives);
  if (d === undefined) pythonHOf.set(directives, (d = directives.find((x) => isPythonHInclude(x)) ?? null));
  return d;
}

/** `#include <...>` headers of the file's active lines. */
export function activeSystemIncludes(directives: Directive[], pp: PreprocResult): string[] {
  let out = activeSystemIncludesOf.get(pp.conditions);
  if (!out) {
    out = directives.filter((d) => d.name === 'include' && !pp.isInactive(d.line)).map((d) => /^<([^>]+)>/.exec(d.rest)?.[1]).filter((x): x is string => !!x);
    activeSystemIncludesOf.set(pp.conditions, out);
  }
  return out;
}

export interface IncludeInfo {
  /** `#include <...>` of the project headers this file includes. */
  systemIncludes: Set<string>;
  /** The project headers included, directly or not. */
  headers: HeaderInfo[];
  targetDefines: TargetDefine[];
  notices: string[];
}

export async function scanIncludes(file: string, directives: Directive[], where: { host?: LintHost; root?: string }, settings: Settings): Promise<IncludeInfo> {
  const host = where.host ?? fsHost;
  const info: IncludeInfo = { systemIncludes: new Set(), headers: [], targetDefines: [], notices: [] };
  const seen = new Set<string>([path.resolve(file)]);
  const root = where.root;
  const includeDirs = resolvedIncludeDirs(settings.includeDirs, root ?? path.dirname(file), root);
  const escaped: string[] = [];
  await initParser(); // (a header's declarations are read with it when asked: parseNow)
  let sawPythonH = false;
  const visit = (file: string, dirs: Directive[], depth: number): void => {
    for (const d of dirs) {
      if (isPythonHInclude(d)) sawPythonH = true;
      if (d.name !== 'include') continue;
      const m = /^"([^"]+)"/.exec(d.rest);
      if (!m) continue;
      const r = resolveInclude(m[1], path.dirname(file), includeDirs, root, host, escaped);
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
  visit(file, includes, 0);
  for (const e of new Set(escaped)) info.notices.push(`${path.basename(e)} is a link that leaves the workspace (${e}): not read`);
  return info;
}

