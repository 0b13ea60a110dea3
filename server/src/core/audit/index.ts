/**
 * The binary side: what a built extension module imports from Python, judged against the Stable ABI manifest
 * (as data/capi.json carries it) and the tag it is sold under. A module is read, never loaded or run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { unzipSync } from 'fflate';
import { loadCatalog, minorOf, type Catalog } from '../catalog';
import { minorToString } from '../version';
import { BinaryFormatError, isElf, readElf, type Imports } from './elf';
import { isMachO, readMachO } from './macho';
import { isPe, readPe } from './pe';
import type { Explanation } from './sources';

export type SymbolStatus = 'stable' | 'abi-only' | 'not-stable' | 'private' | 'other';

export interface SymbolVerdict {
  name: string;
  status: SymbolStatus;
  /** The Stable ABI version that added it (minor), for stable and ABI-only symbols. */
  since?: number;
  /** Usable under abi3t (3.15's free-threaded stable ABI). */
  abi3t?: boolean;
}

export interface Tag {
  abi: 'abi3' | 'abi3t' | 'version-specific' | null;
  /** The oldest Python the tag promises (cp39 → 9); null when the tag does not say. */
  minor: number | null;
  /** Where it was read: wheel file name, WHEEL metadata, module file name, --tag. */
  source: string;
}

export type AuditKind = 'newer-than-tag' | 'not-stable' | 'abi3t-incompatible' | 'version-specific-link' | 'unreadable';

export interface AuditFinding {
  kind: AuditKind;
  severity: 'error' | 'warning';
  message: string;
  symbol?: string;
}

export interface ModuleAudit {
  /** The module's path (inside a wheel: wheel path + '!' + member). */
  file: string;
  format: Imports['format'] | null;
  tag: Tag;
  libraries: string[];
  symbols: SymbolVerdict[];
  /** The oldest Python whose Stable ABI has every symbol it imports; null when none is from Python. */
  minimum: number | null;
  findings: AuditFinding[];
  /** With sources (`--sources`): where the binary and the source disagree, and why. */
  explanations?: Explanation[];
}

const MODULE = /\.(so|pyd|dylib)$/;
/** One CPython version's library: libpython3.12.so.1.0, python312.dll, libpython3.12.dylib, Python.framework/Versions/3.12/Python. */
const VERSION_LIBRARY = /(^|\/)libpython3\.\d+[a-z]*\.(so|dylib)|^python3\d+\.dll$|Python\.framework\/Versions\/3\.\d+/i;

/** Each imported symbol against the manifest. */
export function classify(cat: Catalog, name: string): SymbolVerdict {
  const e = cat.names.get(name);
  const m = e?.manifest;
  if (m && (m.kind === 'function' || m.kind === 'data')) {
    return { name, status: m.abiOnly ? 'abi-only' : 'stable', since: minorOf(m.added ?? '3.2'), abi3t: e?.abi3t === true };
  }
  if (e || cat.internal.has(name) || /^_?Py[A-Z_]/.test(name)) return { name, status: name.startsWith('_') ? 'private' : 'not-stable' };
  return { name, status: 'other' };
}

/** The tag in a wheel's or module's file name: `x-1.0-cp39-abi3-manylinux_x86_64.whl`, `m.abi3.so`, `m.cpython-312-x86_64-linux-gnu.so`. */
export function tagFromName(file: string): Tag {
  const base = path.basename(file);
  const wheel = /-(cp3(\d+)|py3\d*)-(abi3t|abi3|none|cp3\d+t?)-[^-]+\.whl$/.exec(base);
  if (wheel) {
    const minor = wheel[2] ? Number(wheel[2]) : null;
    const abi = wheel[3] === 'abi3' || wheel[3] === 'abi3t' ? wheel[3] : wheel[3] === 'none' ? null : 'version-specific';
    return { abi, minor, source: `wheel file name (${wheel[1]}-${wheel[3]})` };
  }
  if (/\.abi3\.so$/.test(base)) return { abi: 'abi3', minor: null, source: 'module file name (.abi3.so)' };
  if (/\.abi3t\.so$/.test(base)) return { abi: 'abi3t', minor: null, source: 'module file name (.abi3t.so)' };
  const specific = /\.cpython-3(\d+)t?-/.exec(base) ?? /\.cp3(\d+)-win/.exec(base);
  if (specific) return { abi: 'version-specific', minor: Number(specific[1]), source: `module file name (CPython 3.${specific[1]} only)` };
  return { abi: null, minor: null, source: 'no tag' };
}

/** `Tag:` lines of a wheel's WHEEL metadata: the lowest abi3 promise among them. */
export function tagFromWheelMetadata(text: string): Tag | null {
  const tags = [...text.matchAll(/^Tag:\s*(cp3(\d+)|py3\d*)-(abi3t|abi3|none|cp3\d+t?)-\S+\s*$/gm)];
  if (!tags.length) return null;
  const t = tags.sort((a, b) => Number(a[2] ?? 99) - Number(b[2] ?? 99))[0];
  const abi = t[3] === 'abi3' || t[3] === 'abi3t' ? t[3] : t[3] === 'none' ? null : 'version-specific';
  return { abi, minor: t[2] ? Number(t[2]) : null, source: `WHEEL metadata (Tag: ${t[0].slice(5).trim()})` };
}

function readImports(buf: Uint8Array): Imports {
  if (isElf(buf)) return readElf(buf);
  if (isPe(buf)) return readPe(buf);
  if (isMachO(buf)) return readMachO(buf);
  throw new BinaryFormatError('not an extension module: abi3lint reads ELF (Linux), PE (Windows) and Mach-O (macOS) files');
}

/** One module's verdicts. */
export function auditModule(file: string, buf: Uint8Array, tag: Tag, cat: Catalog = loadCatalog()): ModuleAudit {
  let imports: Imports;
  try {
    imports = readImports(buf);
  } catch (e) {
    const message = e instanceof BinaryFormatError ? e.message : `cannot read: ${String(e)}`;
    return { file, format: null, tag, libraries: [], symbols: [], minimum: null, findings: [{ kind: 'unreadable', severity: 'error', message }] };
  }
  // (on Windows only what the module takes from a Python DLL is Python's: kernel32's names are not)
  const fromPython = (s: string): boolean => !imports.symbolLibrary || /^python3\d*\.dll$/i.test(imports.symbolLibrary.get(s) ?? '');
  const symbols = imports.symbols.filter(fromPython).map((s) => classify(cat, s)).filter((v) => v.status !== 'other');
  const stable = symbols.filter((s) => s.since !== undefined);
  const minimum = stable.length ? Math.max(...stable.map((s) => s.since!)) : null;
  const findings: AuditFinding[] = [];
  const promise = tag.abi === 'abi3' || tag.abi === 'abi3t';
  const sev = promise ? 'error' : 'warning';
  for (const s of symbols) {
    if (s.status === 'not-stable' || s.status === 'private') {
      findings.push({ kind: 'not-stable', severity: sev, symbol: s.name, message: `imports ${s.name}, which is not in the Stable ABI${s.status === 'private' ? ' (a private name)' : ''}: the module is bound to the CPython version it was built for` });
    } else if (tag.minor !== null && s.since! > tag.minor && promise) {
      findings.push({ kind: 'newer-than-tag', severity: 'error', symbol: s.name, message: `imports ${s.name}, in the Stable ABI only from ${minorToString(s.since!)}; the tag promises ${minorToString(tag.minor)} (${tag.source}): the module does not load on Python ${minorToString(tag.minor)}${s.since! - 1 > tag.minor ? ` to ${minorToString(s.since! - 1)}` : ''}` });
    }
    if (tag.abi === 'abi3t' && s.since !== undefined && !s.abi3t) {
      findings.push({ kind: 'abi3t-incompatible', severity: 'error', symbol: s.name, message: `imports ${s.name}, which abi3t (the free-threaded stable ABI) does not have` });
    }
  }
  for (const lib of imports.libraries) {
    if (VERSION_LIBRARY.test(lib) && promise) {
      findings.push({ kind: 'version-specific-link', severity: 'error', message: `links ${lib}, one CPython version's library: link nothing (Linux; on macOS \`-undefined dynamic_lookup\`) or python3.dll (Windows) for abi3` });
    }
  }
  return { file, format: imports.format, tag, libraries: imports.libraries, symbols, minimum, findings };
}

/** A wheel: each module in it, under the wheel's tag (its WHEEL metadata first, then its file name). */
export function auditWheel(file: string, data: Uint8Array, cat: Catalog = loadCatalog()): ModuleAudit[] {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(data, { filter: (f) => MODULE.test(f.name) || /\.dist-info\/WHEEL$/.test(f.name) });
  } catch (e) {
    return [{ file, format: null, tag: tagFromName(file), libraries: [], symbols: [], minimum: null, findings: [{ kind: 'unreadable', severity: 'error', message: `not a readable wheel (zip): ${e instanceof Error ? e.message : String(e)}` }] }];
  }
  const meta = Object.entries(entries).find(([n]) => /\.dist-info\/WHEEL$/.test(n));
  const tag = (meta && tagFromWheelMetadata(Buffer.from(meta[1]).toString('utf8'))) ?? tagFromName(file);
  return Object.entries(entries)
    .filter(([n]) => MODULE.test(n))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([n, buf]) => auditModule(`${file}!${n}`, buf, tag, cat));
}

/** Files and folders: wheels and modules in them (folders walked, at most `limit` files). */
export function auditPaths(paths: string[], opts: { tag?: Tag; limit?: number } = {}): { modules: ModuleAudit[]; problems: string[] } {
  const cat = loadCatalog();
  const modules: ModuleAudit[] = [];
  const problems: string[] = [];
  const limit = opts.limit ?? 100_000;
  const visit = (p: string, depth: number): void => {
    if (modules.length >= limit) return;
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return void problems.push(`${p}: no such file or folder`);
    if (st.isDirectory()) {
      if (depth > 20) return;
      for (const e of fs.readdirSync(p).sort()) if (!e.startsWith('.')) visit(path.join(p, e), depth + 1);
      return;
    }
    if (!st.isFile()) return;
    if (/\.whl$/.test(p)) modules.push(...auditWheel(p, fs.readFileSync(p), cat));
    else if (MODULE.test(p)) modules.push(auditModule(p, fs.readFileSync(p), opts.tag ?? tagFromName(p), cat));
    else if (depth === 0) problems.push(`${p}: not a wheel or an extension module (.whl, .so, .pyd, .dylib)`);
  };
  for (const p of paths) visit(p, 0);
  return { modules, problems };
}
