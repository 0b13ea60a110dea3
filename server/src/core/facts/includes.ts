/**
 * Project headers a file includes with `#include "..."` (searched like a compiler: the including file's
 * folder, then the include folders), read as data: their directives, target defines, system includes and the
 * names they declare. Cached by path and text across files and keystrokes.
 */
import * as path from 'node:path';
import { collectDeclarations } from '../declarations';
import { fsHost, isInside, type LintHost } from '../host';
import { initParser, type Parser } from '../parser';
import { scanDirectives, type ConditionUse, type Directive, type PreprocResult } from '../preproc';
import type { Settings } from '../settings';
import { findTargetDefines, isPythonHInclude, type TargetDefine } from './defines';

const MAX_INCLUDE_DEPTH = 8;

/** What abi3lint keeps of a project header: its directives and the names it declares. */
export interface HeaderInfo {
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
  const includeDirs = settings.includeDirs.map((d) => path.resolve(root ?? path.dirname(file), d)).filter((d) => !root || isInside(root, d));
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
  visit(file, includes, 0);
  return info;
}

