/**
 * Format strings of the C API's three format languages, read from the source: the functions that take one (and
 * which argument), the string literals (concatenated, with escapes) or the file's object-like macros that
 * expand to them, and their units with document offsets. Used by ABI016/ABI017, hover and completion.
 */

export type Family = 'PyArg_Parse' | 'Py_BuildValue' | 'PyUnicode_FromFormat';

/** Functions taking a format string: its family and the argument index of the format. */
export const FORMAT_FUNCTIONS: ReadonlyMap<string, { family: Family; arg: number }> = new Map([
  ['PyArg_Parse', { family: 'PyArg_Parse', arg: 1 }],
  ['PyArg_ParseTuple', { family: 'PyArg_Parse', arg: 1 }],
  ['PyArg_VaParse', { family: 'PyArg_Parse', arg: 1 }],
  ['PyArg_ParseTupleAndKeywords', { family: 'PyArg_Parse', arg: 2 }],
  ['PyArg_VaParseTupleAndKeywords', { family: 'PyArg_Parse', arg: 2 }],
  ['_PyArg_Parse_SizeT', { family: 'PyArg_Parse', arg: 1 }],
  ['_PyArg_ParseTuple_SizeT', { family: 'PyArg_Parse', arg: 1 }],
  ['_PyArg_ParseTupleAndKeywords_SizeT', { family: 'PyArg_Parse', arg: 2 }],
  ['Py_BuildValue', { family: 'Py_BuildValue', arg: 0 }],
  ['Py_VaBuildValue', { family: 'Py_BuildValue', arg: 0 }],
  ['_Py_BuildValue_SizeT', { family: 'Py_BuildValue', arg: 0 }],
  ['PyObject_CallFunction', { family: 'Py_BuildValue', arg: 1 }],
  ['PyObject_CallMethod', { family: 'Py_BuildValue', arg: 2 }],
  ['_PyObject_CallFunction_SizeT', { family: 'Py_BuildValue', arg: 1 }],
  ['_PyObject_CallMethod_SizeT', { family: 'Py_BuildValue', arg: 2 }],
  ['PyEval_CallFunction', { family: 'Py_BuildValue', arg: 1 }],
  ['PyEval_CallMethod', { family: 'Py_BuildValue', arg: 2 }],
  ['PyUnicode_FromFormat', { family: 'PyUnicode_FromFormat', arg: 0 }],
  ['PyUnicode_FromFormatV', { family: 'PyUnicode_FromFormat', arg: 0 }],
  ['PyErr_Format', { family: 'PyUnicode_FromFormat', arg: 1 }],
  ['PyErr_FormatV', { family: 'PyUnicode_FromFormat', arg: 1 }],
  ['PyErr_WarnFormat', { family: 'PyUnicode_FromFormat', arg: 2 }],
  ['PyErr_ResourceWarning', { family: 'PyUnicode_FromFormat', arg: 2 }],
]);

/** A string's decoded characters, each with the document offset where its source text starts. */
export interface Decoded {
  value: string;
  offsets: number[];
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'", '?': '?' };

/** Decodes the string literals in `src` (adjacent literals concatenate; other text between them is skipped).
 *  `base` is the document offset of `src`. Returns null when `src` holds no complete literal. */
export function decodeLiterals(src: string, base: number): Decoded | null {
  let value = '';
  const offsets: number[] = [];
  let i = 0;
  let found = false;
  while (i < src.length) {
    const q = src.indexOf('"', i);
    if (q < 0) break;
    let j = q + 1;
    while (j < src.length && src[j] !== '"') {
      if (src[j] === '\n') return null;
      offsets.push(base + j);
      if (src[j] === '\\' && j + 1 < src.length) {
        const e = src[j + 1];
        const oct = /^[0-7]{1,3}/.exec(src.slice(j + 1, j + 4));
        const hex = e === 'x' ? /^[0-9A-Fa-f]+/.exec(src.slice(j + 2)) : null;
        if (hex) {
          value += String.fromCharCode(parseInt(hex[0], 16) & 0xff);
          j += 2 + hex[0].length;
        } else if (oct) {
          value += String.fromCharCode(parseInt(oct[0], 8) & 0xff);
          j += 1 + oct[0].length;
        } else {
          value += SIMPLE_ESCAPES[e] ?? e;
          j += 2;
        }
        continue;
      }
      value += src[j];
      j++;
    }
    if (j >= src.length) return null;
    found = true;
    i = j + 1;
  }
  return found ? { value, offsets } : null;
}

/** One unit of a format string: its key (what data/behaviour.json names), text and document range. */
export interface FormatUnit {
  key: string;
  text: string;
  start: number;
  end: number;
  /** A "#" length follows the unit (PyArg_Parse and Py_BuildValue families). */
  hash: boolean;
}

/** The end of a format's unit list: PyArg_Parse stops at ':' (function name) or ';' (error message). */
function unitsEnd(family: Family, value: string): number {
  if (family !== 'PyArg_Parse') return value.length;
  const m = /[:;]/.exec(value);
  return m ? m.index : value.length;
}

function argUnits(family: Family, d: Decoded): FormatUnit[] {
  const out: FormatUnit[] = [];
  const v = d.value;
  const end = unitsEnd(family, v);
  const at = (k: number): number => d.offsets[k] ?? d.offsets[d.offsets.length - 1];
  for (let i = 0; i < end; i++) {
    const c = v[i];
    if (!/[A-Za-z(]/.test(c)) continue;
    const base = c === 'e' && (v[i + 1] === 's' || v[i + 1] === 't') ? 2 : 1;
    const len = base + (v[i + base] === '*' || v[i + base] === '&' ? 1 : 0);
    const hash = v[i + len] === '#';
    const text = v.slice(i, i + len + (hash ? 1 : 0));
    out.push({ key: v.slice(i, i + base), text, start: at(i), end: at(i + text.length - 1) + 1, hash });
    i += text.length - 1;
  }
  return out;
}

const PERCENT = /%([-0#+ ]*)(\*|\d+)?(?:\.(\*|\d+))?(hh|ll|[hlzjt])?([A-Za-z%])/g;

function percentUnits(d: Decoded): FormatUnit[] {
  const out: FormatUnit[] = [];
  const at = (k: number): number => d.offsets[k] ?? d.offsets[d.offsets.length - 1];
  for (const m of d.value.matchAll(PERCENT)) {
    const [text, flags, width, prec, len, conv] = m;
    if (conv === '%') continue;
    const start = at(m.index ?? 0);
    const end = at((m.index ?? 0) + text.length - 1) + 1;
    const keys = new Set<string>([conv]);
    if (flags.includes('-')) keys.add('-');
    if (width === '*' || prec === '*') keys.add('*');
    if (len === 'j' || len === 't') keys.add(len);
    if (len === 'l' && /[sVxX]/.test(conv)) keys.add(`l${conv}`);
    for (const key of keys) out.push({ key, text, start, end, hash: false });
  }
  return out;
}

/** The units of a decoded format string of a family. */
export function formatUnits(family: Family, d: Decoded): FormatUnit[] {
  return family === 'PyUnicode_FromFormat' ? percentUnits(d) : argUnits(family, d);
}

/** The file's object-like macros whose body is only string literals: name → decoded body. */
export function stringMacros(text: string): Map<string, Decoded> {
  const out = new Map<string, Decoded>();
  for (const m of text.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+("(?:[^"\\\n]|\\.)*"(?:[ \t]*"(?:[^"\\\n]|\\.)*")*)[ \t]*$/gm)) {
    const bodyAt = (m.index ?? 0) + m[0].indexOf(m[2], m[0].indexOf(m[1]) + m[1].length);
    const d = decodeLiterals(m[2], bodyAt);
    if (d) out.set(m[1], d);
  }
  return out;
}
