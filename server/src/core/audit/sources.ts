/**
 * Source and binary side by side: for what a module imports beyond its tag (and for gated names it does not
 * import), where the sources name it and why the two verdicts differ: headers of a superseded patch release
 * (3.13.0 made PyObject_DelAttr a function), a `PY_VERSION_HEX` branch the build headers took (an exported
 * function there needs its Python; an inline one needs nothing), or no source line at all (a header macro or
 * inline function calls it).
 */
import type { Catalog } from '../catalog';
import { targetIndex } from '../catalog';
import { scanDirectives } from '../preproc';
import { minorToString } from '../version';
import type { ModuleAudit } from './index';

export interface SourceFile {
  path: string;
  text: string;
}

export interface Explanation {
  symbol: string;
  /** Where the sources name it (file:line), at most a few. */
  uses: string[];
  /** Imported by the module. */
  imported: boolean;
  message: string;
}

export interface Use {
  file: string;
  line: number;
  /** 0-based column of the name on its line. */
  character: number;
  /** The version a `#if PY_VERSION_HEX >= V` around the use requires, if any. */
  gate: number | null;
}

/** Lines (1-based) inside `#if PY_VERSION_HEX >= 0x03XX…` blocks (up to their #else/#elif/#endif), with V. */
function versionGates(text: string): Map<number, number> {
  const out = new Map<number, number>();
  const open: { v: number | null; from: number }[] = [];
  for (const d of scanDirectives(text)) {
    if (d.name === 'if' || d.name === 'ifdef' || d.name === 'ifndef') {
      const m = /PY_VERSION_HEX\s*>=?\s*0x03([0-9A-Fa-f]{2})/.exec(d.rest);
      open.push({ v: m ? parseInt(m[1], 16) : null, from: d.endLine + 1 });
    } else if (d.name === 'elif' || d.name === 'else' || d.name === 'endif') {
      const top = open[open.length - 1];
      if (top?.v != null) for (let l = top.from; l < d.line; l++) out.set(l + 1, Math.max(top.v, out.get(l + 1) ?? 0));
      if (d.name === 'endif') open.pop();
      else if (top) top.v = null;
    }
  }
  return out;
}

/** Where the sources name `name` (comments left out), with the PY_VERSION_HEX gate around each use. */
export function usesOf(sources: SourceFile[], name: string, gates: Map<string, Map<number, number>> = new Map()): Use[] {
  const out: Use[] = [];
  const re = new RegExp(`\\b${name}\\b`, 'g');
  for (const s of sources) {
    if (!s.text.includes(name)) continue;
    const code = s.text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (c) => c.replace(/[^\n]/g, ' '));
    for (const m of code.matchAll(re)) {
      const before = code.slice(0, m.index);
      const line = before.split('\n').length;
      const character = m.index - (before.lastIndexOf('\n') + 1);
      let g = gates.get(s.path);
      if (!g) gates.set(s.path, (g = versionGates(s.text)));
      out.push({ file: s.path, line, character, gate: g.get(line) ?? null });
    }
  }
  return out;
}

/** Why the module's imports differ from what its sources say at its tag. */
export function explain(mod: ModuleAudit, sources: SourceFile[], cat: Catalog): Explanation[] {
  const target = mod.tag.minor;
  if (target === null) return [];
  const gates = new Map<string, Map<number, number>>();
  const out: Explanation[] = [];
  const imported = new Set(mod.symbols.map((s) => s.name));
  const where = (uses: Use[]): string[] => uses.slice(0, 3).map((u) => `${u.file}:${u.line}`);
  for (const s of mod.symbols) {
    if (s.since === undefined || s.since <= target) continue;
    const uses = usesOf(sources, s.name, gates);
    const e = cat.names.get(s.name);
    const sup = e?.superseded?.find((x) => x.targets.includes(minorToString(target)));
    let message: string;
    if (!uses.length) message = `no source line names ${s.name}: a macro or inline function of the headers that built the module calls it, so the module needs ${minorToString(s.since)}; build with the headers of the target's version (${minorToString(target)})`;
    else if (sup) message = `the source is right at ${minorToString(target)} (a macro over other API there), but CPython ${sup.release}'s headers declare ${s.name} as an exported function at that target: the module was built with them and needs ${minorToString(s.since)}; rebuild with any other ${sup.release.split('.').slice(0, 2).join('.')}.x or older headers`;
    else if (uses.every((u) => u.gate !== null)) message = `the source names ${s.name} only inside \`#if PY_VERSION_HEX >= 0x03${uses[0].gate!.toString(16).padStart(2, '0').toUpperCase()}0000\`: the build headers (${minorToString(uses[0].gate!)} or newer) took that branch, and there ${s.name} is an exported function, so the module needs ${minorToString(s.since)} (test Py_LIMITED_API+0 instead: ABI008)`;
    else message = `the source names ${s.name} outside any version gate: abi3lint reports it there (ABI002) at target ${minorToString(target)}`;
    out.push({ symbol: s.name, uses: where(uses), imported: true, message });
  }
  // the other side: gated names the binary does not import, because the headers made them inline
  const tIdx = targetIndex(target);
  const seen = new Set(out.map((x) => x.symbol));
  for (const src of sources) {
    for (const m of src.text.matchAll(/\b(Py_?[A-Z]\w*)\b/g)) {
      const name = m[1];
      if (seen.has(name) || imported.has(name)) continue;
      const e = cat.names.get(name);
      if (e?.limited?.[tIdx] !== 'G' || e.limitedInline?.[tIdx] !== 'Y') continue;
      const uses = usesOf(sources, name, gates).filter((u) => u.gate !== null);
      if (!uses.length) continue;
      seen.add(name);
      out.push({ symbol: name, uses: where(uses), imported: false, message: `the source names ${name} inside a PY_VERSION_HEX gate and the module imports nothing for it: the build headers define it inline, so it needs no newer Python` });
    }
  }
  return out;
}
