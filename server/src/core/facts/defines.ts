/**
 * Where a file's Limited API target comes from: its own `#define Py_LIMITED_API`, a project header it includes,
 * or an option. Values are decoded the way CPython's headers read them.
 */
import { evaluate, type Directive, type PPEnv } from '../preproc';
import { decodeLimitedApiNumber, minorToHex, minorToString } from '../version';

export const TARGET_MACROS = ['Py_LIMITED_API', 'Py_TARGET_ABI3T', 'Py_GIL_DISABLED'] as const;
export type TargetMacro = (typeof TARGET_MACROS)[number];

export interface TargetDefine {
  macro: TargetMacro;
  directive: Directive;
  file: string;
  /** The value as written. */
  value: string;
  decoded: { ok: true; minor: number; note?: string } | { ok: false; reason: string };
  /** Defined after Python.h was included (no effect on the headers). */
  afterPythonH: boolean;
}

const PYTHON_H = /^[<"]\s*Python\.h\s*[>"]$/;

export function isPythonHInclude(d: Directive): boolean {
  return d.name === 'include' && PYTHON_H.test(d.rest.trim());
}

/** Decodes a `#define Py_LIMITED_API <value>` value given the macros defined before it. */
export function decodeTargetValue(value: string, env: PPEnv): TargetDefine['decoded'] {
  const v = value.trim();
  if (v === '') return { ok: true, minor: 2, note: 'an empty Py_LIMITED_API means 3.2; write 3 or 0x03020000 to say so' };
  if (/\bPY_VERSION_HEX\b/.test(v)) {
    return { ok: false, reason: 'PY_VERSION_HEX makes the target whatever Python builds the extension, so the wheel is not abi3 for older versions; use a fixed value such as 0x030A0000' };
  }
  const r = evaluate(v, env);
  if (!r.value || r.value.lo !== r.value.hi) {
    return { ok: false, reason: `'${v}' is not a constant version (expected 0x03XX0000, 3, or Py_PACK_VERSION(3, X))` };
  }
  const d = decodeLimitedApiNumber(r.value.lo);
  if (!d.ok) return d;
  if (!d.exact) return { ok: true, minor: d.minor, note: `${v} has micro/release bits set; ${minorToHex(d.minor)} is the usual spelling` };
  return { ok: true, minor: d.minor };
}

/** Finds the target macros defined by a file's directives, in order, tracking `#define`d helper macros. */
export function findTargetDefines(file: string, directives: Directive[]): TargetDefine[] {
  const env: PPEnv = { defined: new Map(), undefinedKnown: new Set(), pyVersionHex: null };
  const out: TargetDefine[] = [];
  let sawPythonH = false;
  for (const d of directives) {
    if (isPythonHInclude(d)) sawPythonH = true;
    if (d.name !== 'define') continue;
    const m = /^([A-Za-z_]\w*)(\()?\s*(.*)$/.exec(d.rest);
    if (!m || m[2]) continue;
    const name = m[1];
    if ((TARGET_MACROS as readonly string[]).includes(name)) {
      const decoded = name === 'Py_GIL_DISABLED' ? ({ ok: true, minor: 0 } as const) : decodeTargetValue(m[3], env);
      out.push({ macro: name as TargetMacro, directive: d, file, value: m[3], decoded, afterPythonH: sawPythonH });
    }
    const ev = m[3] ? evaluate(m[3], env).value : null;
    env.defined.set(name, m[3] ? ev : 'empty');
  }
  return out;
}

export function describeTarget(minor: number, abi3t: boolean): string {
  return abi3t ? `abi3t ${minorToString(minor)}` : `abi3 >= ${minorToString(minor)}`;
}
