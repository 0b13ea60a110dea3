/**
 * The file's Limited API target: its own defines and those of project headers included before Python.h (as
 * CPython's pyabi.h reads them), else the build configuration (read as data, never run), else the setting.
 * Problems with the file's own defines are returned as data; the ABI010 rule reports them.
 */
import * as path from 'node:path';
import { buildTarget, readBuildConfig, type BuildConfig } from '../buildconfig';
import { fsHost, type LintHost } from '../host';
import type { Settings } from '../settings';
import type { Target } from '../types';
import { minorToString, parseTargetOption } from '../version';
import type { TargetDefine } from './defines';

export interface TargetProblem {
  define: TargetDefine;
  message: string;
}

export interface TargetResolution {
  target: Target | null;
  /** The Py_LIMITED_API define in force (the file's or a header's). */
  limitedDefine: TargetDefine | null;
  /** What is wrong with the file's own target defines. */
  problems: TargetProblem[];
  buildConfig: BuildConfig | null;
}

interface BuildConfigSource {
  /** Given by the caller (null: none), else read from the file's folder upwards. */
  given?: BuildConfig | null;
  root?: string;
  host?: LintHost;
  cache?: Map<string, BuildConfig | null>;
}

/** The defines in force, in order: which Py_LIMITED_API and Py_TARGET_ABI3T count, and what is wrong. */
function chooseDefines(file: string, defines: TargetDefine[]): { limited: TargetDefine | null; abi3t: TargetDefine | null; gil: boolean; problems: TargetProblem[] } {
  const problems: TargetProblem[] = [];
  const problem = (d: TargetDefine, message: string): void => {
    if (d.file === file) problems.push({ define: d, message });
  };
  let limited: TargetDefine | null = null;
  let abi3t: TargetDefine | null = null;
  let gil = false;
  for (const d of defines) {
    if (d.afterPythonH) {
      problem(d, `${d.macro} is defined after #include <Python.h>, where it has no effect; move it above the include`);
      continue;
    }
    if (d.macro === 'Py_GIL_DISABLED') {
      gil = true;
      continue;
    }
    if (!d.decoded.ok) {
      problem(d, `invalid ${d.macro} value: ${d.decoded.reason}`);
      continue;
    }
    if (d.decoded.note) problem(d, `${d.macro}: ${d.decoded.note}`);
    const first = d.macro === 'Py_LIMITED_API' ? limited : abi3t;
    if (first && first.decoded.ok && first.decoded.minor !== d.decoded.minor) {
      problem(d, `${d.macro} is defined again with a different value (${minorToString(d.decoded.minor)}; first ${minorToString(first.decoded.minor)} at ${path.basename(first.file)}:${first.directive.line + 1})`);
      continue;
    }
    if (first) continue;
    if (d.macro === 'Py_LIMITED_API') limited = d;
    else if (d.decoded.minor < 15) problem(d, `Py_TARGET_ABI3T must be 0x030F0000 (3.15) or above: abi3t starts with 3.15`);
    else abi3t = d;
  }
  return { limited, abi3t, gil, problems };
}

function buildConfigFor(file: string, src: BuildConfigSource): BuildConfig | null {
  if (src.given !== undefined) return src.given;
  const key = path.dirname(path.resolve(file));
  if (src.cache?.has(key)) return src.cache.get(key) ?? null;
  const cfg = readBuildConfig(file, src.root, src.host ?? fsHost, emptyFolders(src.cache), foundFolders(src.cache));
  src.cache?.set(key, cfg);
  return cfg;
}

/** Folders found to hold no build file, kept with the caller's cache (one run, one set of settings). */
const emptyFoldersOf = new WeakMap<Map<string, BuildConfig | null>, Set<string>>();
function emptyFolders(cache: Map<string, BuildConfig | null> | undefined): Set<string> | undefined {
  if (!cache) return undefined;
  let s = emptyFoldersOf.get(cache);
  if (!s) emptyFoldersOf.set(cache, (s = new Set()));
  if (cache.size === 0) s.clear(); // (the caller cleared its cache: build files may have changed)
  return s;
}

/** Folders whose build files were read (no compilation database), kept with the caller's cache: psutil's
 *  setup.py serves the files of fifteen folders below it and is read once, not once per folder. */
const foundFoldersOf = new WeakMap<Map<string, BuildConfig | null>, Map<string, BuildConfig>>();
function foundFolders(cache: Map<string, BuildConfig | null> | undefined): Map<string, BuildConfig> | undefined {
  if (!cache) return undefined;
  let m = foundFoldersOf.get(cache);
  if (!m) foundFoldersOf.set(cache, (m = new Map()));
  if (cache.size === 0) m.clear();
  return m;
}

const minorOfDefine = (d: TargetDefine): number => (d.decoded as { minor: number }).minor;

/** `defines`: those of included project headers (before Python.h), then the file's own. */
export function resolveTarget(file: string, defines: TargetDefine[], settings: Settings, src: BuildConfigSource): TargetResolution {
  const { limited, abi3t, gil, problems } = chooseDefines(file, defines);
  const buildConfig = buildConfigFor(file, src);
  const fromDefine = (d: TargetDefine, isAbi3t: boolean): Target => ({ minor: minorOfDefine(d), abi3t: isAbi3t, source: { kind: 'define', file: d.file, line: d.directive.line + 1 } });
  let target: Target | null = null;
  const bt = buildTarget(buildConfig);
  if (abi3t) {
    // as CPython's pyabi.h: Py_TARGET_ABI3T sets Py_LIMITED_API, the lower of the two winning
    target = limited && minorOfDefine(limited) < minorOfDefine(abi3t) ? fromDefine(limited, true) : fromDefine(abi3t, true);
  } else if (limited) {
    target = fromDefine(limited, gil || settings.abi3t);
  } else if (bt) {
    target = { minor: bt.minor, abi3t: bt.abi3t || settings.abi3t, source: { kind: 'build-config', file: bt.file, line: bt.line, detail: bt.detail } };
  } else if (settings.target) {
    const t = parseTargetOption(settings.target);
    if (t.ok) target = { minor: t.minor, abi3t: settings.abi3t, source: { kind: 'option', detail: `target ${settings.target}` } };
  }
  return { target, limitedDefine: limited, problems, buildConfig };
}
