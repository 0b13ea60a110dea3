/**
 * Editor help inside format strings (text only, no tree: hover and completion answer from the newest text):
 * which call and argument a string literal is, a hover listing each unit with the Python version it needs,
 * and completion of units valid at the target.
 */
import { loadBehaviour, minorNumber } from './behaviour';
import { FORMAT_FUNCTIONS, decodeLiterals, formatUnits, type Family } from './formats';
import type { Target } from './types';
import { minorToString } from './version';

export interface FormatContext {
  family: Family;
  fn: string;
  /** Offsets of the string literal the cursor is in. */
  literal: { start: number; end: number };
  /** The decoded format (all adjacent literals of the argument). */
  value: string;
  offsets: number[];
}

const LOOKBACK = 4000;

/** The string literal around `offset` on its line: [start of the opening quote, end after the closing one). */
function literalAround(text: string, offset: number): { start: number; end: number } | null {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let i = lineStart;
  while (i < text.length && text[i] !== '\n') {
    if (text[i] === '/' && text[i + 1] === '/') return null;
    if (text[i] === "'") {
      i = skipQuoted(text, i, "'");
      continue;
    }
    if (text[i] === '"') {
      const end = skipQuoted(text, i, '"');
      if (offset > i && offset < end) return { start: i, end };
      i = end;
      continue;
    }
    i++;
  }
  return null;
}

function skipQuoted(text: string, at: number, q: string): number {
  let j = at + 1;
  while (j < text.length && text[j] !== q && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
  return Math.min(j + 1, text.length);
}

/** The format-taking call and argument the literal at `offset` belongs to, if any. */
export function formatAt(text: string, offset: number): FormatContext | null {
  const lit = literalAround(text, offset);
  if (!lit) return null;
  // back to the unmatched '(' of the call, counting the commas at depth 0
  let depth = 0;
  let commas = 0;
  let open = -1;
  for (let i = lit.start - 1; i >= Math.max(0, lit.start - LOOKBACK); i--) {
    const c = text[i];
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '(' || c === '[' || c === '{') {
      if (depth === 0) {
        open = c === '(' ? i : -1;
        break;
      }
      depth--;
    } else if (c === ',' && depth === 0) commas++;
    else if (c === ';') return null;
  }
  if (open < 0) return null;
  const fn = /([A-Za-z_]\w*)\s*$/.exec(text.slice(Math.max(0, open - 80), open))?.[1];
  const spec = fn ? FORMAT_FUNCTIONS.get(fn) : undefined;
  if (!fn || !spec || spec.arg !== commas) return null;
  // the whole argument: adjacent literals up to the next top-level ',' or ')'
  let end = lit.end;
  const tail = /^(\s*"(?:[^"\\\n]|\\.)*")*/.exec(text.slice(end));
  end += tail ? tail[0].length : 0;
  let start = lit.start;
  const head = /("(?:[^"\\\n]|\\.)*"\s*)*$/.exec(text.slice(Math.max(0, start - LOOKBACK), start));
  start -= head ? head[0].length : 0;
  const d = decodeLiterals(text.slice(start, end), start);
  return d ? { family: spec.family, fn, literal: lit, value: d.value, offsets: d.offsets } : null;
}

/** The versions of a format's units: the facts' versions, or every version for units with no fact. */
function unitVersion(family: Family, key: string): { version: string; title: string } | null {
  const f = loadBehaviour().units.get(family)?.get(key);
  return f ? { version: f.version, title: f.title } : null;
}

const FAMILY_NAME: Record<Family, string> = { PyArg_Parse: 'PyArg_Parse*', Py_BuildValue: 'Py_BuildValue', PyUnicode_FromFormat: 'PyUnicode_FromFormat' };

/** Markdown for a hover on a format string: each unit and the Python version it needs at run time. */
export function hoverForFormat(text: string, offset: number, target: Target | null): string | null {
  const ctx = formatAt(text, offset);
  if (!ctx) return null;
  const units = formatUnits(ctx.family, { value: ctx.value, offsets: ctx.offsets });
  if (!units.length) return null;
  const rows: string[] = [];
  const seen = new Set<string>();
  for (const u of units) {
    if (u.key === '(' || seen.has(`${u.start}:${u.key}`)) continue;
    seen.add(`${u.start}:${u.key}`);
    const v = unitVersion(ctx.family, u.key);
    const here = offset >= u.start && offset < u.end ? ' ◀' : '';
    const unit = u.key === u.text ? `\`${u.text}\`` : `\`${u.text}\` (${u.key})`;
    if (!v) rows.push(`- ${unit}: all versions (no known limit)${here}`);
    else {
      const ok = !target || minorNumber(v.version) <= target.minor;
      rows.push(`- ${unit}: Python ${v.version} and later${ok ? '' : ` ✗ (the target is ${minorToString(target!.minor)}; ABI016)`}${here}`);
    }
  }
  const hash = units.some((u) => u.hash) && ctx.family !== 'PyUnicode_FromFormat' ? '\n\n`#` lengths are `Py_ssize_t` with `PY_SSIZE_T_CLEAN` (required from 3.10; built with 3.13+ headers, 3.10-3.12 refuse them: ABI016/ABI017).' : '';
  return `**${FAMILY_NAME[ctx.family]} format** (\`${ctx.fn}\`)\n\n${rows.join('\n')}${hash}`;
}

/** Units a user may type in each family (one-letter units, the `e` encodings, and the conversions of `%`). */
const UNITS: Record<Family, string[]> = {
  PyArg_Parse: ['s', 's*', 's#', 'z', 'z*', 'z#', 'y', 'y*', 'y#', 'S', 'Y', 'U', 'w*', 'es', 'et', 'es#', 'et#', 'b', 'B', 'h', 'H', 'i', 'I', 'l', 'k', 'L', 'K', 'n', 'c', 'C', 'f', 'd', 'D', 'O', 'O!', 'O&', 'p'],
  Py_BuildValue: ['s', 's#', 'y', 'y#', 'z', 'z#', 'u', 'u#', 'U', 'U#', 'i', 'b', 'h', 'l', 'B', 'H', 'I', 'k', 'L', 'K', 'n', 'c', 'C', 'd', 'f', 'D', 'O', 'S', 'N', 'O&', 'p'],
  PyUnicode_FromFormat: ['c', 'd', 'i', 'u', 'x', 'X', 'o', 'ld', 'lu', 'lld', 'llu', 'zd', 'zu', 'jd', 'td', 'lx', 'p', 's', 'ls', 'A', 'U', 'V', 'S', 'R', 'T', 'N', '#T', '#N', '%'],
};

export interface UnitCompletion {
  label: string;
  detail: string;
}

/** Units valid at the target for the format string at `offset` (after `%` in PyUnicode_FromFormat formats). */
export function formatCompletions(text: string, offset: number, target: Target | null): UnitCompletion[] | null {
  const ctx = formatAt(text, offset);
  if (!ctx) return null;
  if (ctx.family === 'PyUnicode_FromFormat' && text[offset - 1] !== '%') return [];
  const out: UnitCompletion[] = [];
  for (const label of UNITS[ctx.family]) {
    const probe = ctx.family === 'PyUnicode_FromFormat' ? `%${label}` : label;
    const keys = formatUnits(ctx.family, { value: probe, offsets: [...probe].map((_, i) => i) }).map((u) => u.key);
    const needs = keys.map((k) => unitVersion(ctx.family, k)).filter((v): v is { version: string; title: string } => !!v);
    const newest = needs.sort((a, b) => minorNumber(b.version) - minorNumber(a.version))[0];
    if (newest && target && minorNumber(newest.version) > target.minor) continue;
    out.push({ label, detail: newest ? `Python ${newest.version} and later` : 'all versions (no known limit)' });
  }
  return out;
}
