/**
 * CPython versions as abi3lint uses them: a minor number of Python 3 (9 = 3.9).
 * `Py_LIMITED_API` values are PY_VERSION_HEX numbers (0x03090000 = 3.9); the value 3 means 3.2.
 */

/** Oldest Limited API target: 3.2, when PEP 384 introduced it. */
export const OLDEST_TARGET = 2;
/** Newest CPython minor version whose headers the data was built from. */
export const NEWEST_HEADERS = 15;
/** abi3t (free-threaded stable ABI) exists from 3.15 on. */
export const ABI3T_SINCE = 15;

export function minorToString(minor: number): string {
  return `3.${minor}`;
}

export function minorToHex(minor: number): string {
  return `0x03${minor.toString(16).toUpperCase().padStart(2, '0')}0000`;
}

/** Parses "3.9", "3.10", "cp39", "cp310", "39", "310" into a minor number; null when not a 3.x version. */
export function parseVersionString(text: string): number | null {
  const s = text.trim().toLowerCase();
  let m = /^3\.(\d{1,2})(?:\.\d+)?$/.exec(s);
  if (m) return Number(m[1]);
  m = /^(?:cp|abi)?3(\d{1,2})$/.exec(s);
  if (m) return Number(m[1]);
  return null;
}

export type HexDecode =
  | { ok: true; minor: number; exact: boolean }
  | { ok: false; reason: string };

/**
 * Decodes a numeric `Py_LIMITED_API` value. `3` (and anything below 0x03020000 but >= 3) means 3.2,
 * as CPython's headers treat it. A value that is not Python 3, or has micro/release bits set, is reported.
 */
export function decodeLimitedApiNumber(value: bigint): HexDecode {
  if (value === 3n) return { ok: true, minor: 2, exact: true };
  if (value < 3n) return { ok: false, reason: `${value} is below 3; CPython's headers treat it as 3.2 but it is not a valid target` };
  const major = Number((value >> 24n) & 0xffn);
  const minor = Number((value >> 16n) & 0xffn);
  const rest = value & 0xffffn;
  if (value > 0xffffffffn || major !== 3) {
    return { ok: false, reason: `0x${value.toString(16)} is not a Python 3 version (expected 0x03XX0000, e.g. 0x030A0000 for 3.10)` };
  }
  if (minor < OLDEST_TARGET) {
    return { ok: false, reason: `0x${value.toString(16).padStart(8, '0')} is 3.${minor}; the Limited API starts at 3.2` };
  }
  return { ok: true, minor, exact: rest === 0n };
}

/** Parses a C integer literal (decimal, hex, octal, with U/L suffixes). */
export function parseCInteger(text: string): bigint | null {
  const s = text.trim().replace(/[uUlL]+$/, '');
  try {
    if (/^0[xX][0-9a-fA-F]+$/.test(s)) return BigInt(s);
    if (/^0[0-7]*$/.test(s)) return BigInt('0o' + (s.slice(1) || '0'));
    if (/^[1-9][0-9]*$/.test(s)) return BigInt(s);
  } catch {
    return null;
  }
  return null;
}

/** Parses a user-given target: "3.9", "cp39", "0x03090000", "3". */
export function parseTargetOption(text: string): { ok: true; minor: number } | { ok: false; reason: string } {
  const v = parseVersionString(text);
  if (v !== null && text.trim() !== '3') {
    if (v < OLDEST_TARGET) return { ok: false, reason: `3.${v} is older than the Limited API (3.2)` };
    return { ok: true, minor: v };
  }
  const n = parseCInteger(text);
  if (n === null) return { ok: false, reason: `'${text}' is not a version (use 3.X or a hex value such as 0x030A0000)` };
  const d = decodeLimitedApiNumber(n);
  return d.ok ? { ok: true, minor: d.minor } : d;
}
