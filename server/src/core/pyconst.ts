/**
 * Constant values in a setup.py, read as data (never executed): module-level `NAME = expr` assignments whose
 * expression is made of literals and other such names, with the few operations build scripts use to spell a
 * version: tuples, `"...".format(...)` (with `*name` and `{:02x}`-style specs), f-strings, `"..." % x`,
 * `hex(n)`, `int(s, base)`, `+` on strings and numbers, indexing a tuple. Anything else is unknown.
 */
import type { PyTok } from './buildconfig';

export type PyValue = string | number | PyValue[];

/** A name assigned more than once with different values, or from something unknown, has no value. */
const AMBIGUOUS = Symbol('ambiguous');

export class PyConstants {
  private readonly exprStart = new Map<string, number[]>();
  private readonly memo = new Map<string, PyValue | typeof AMBIGUOUS>();
  private depth = 0;

  constructor(private readonly toks: PyTok[]) {
    for (let i = 0; i + 1 < toks.length; i++) {
      const t = toks[i];
      const statementStart = i === 0 || toks[i - 1].line < t.line || toks[i - 1].v === ';';
      if (t.t === 'name' && statementStart && toks[i + 1].v === '=' && toks[i + 2]?.v !== '=') {
        const list = this.exprStart.get(t.v) ?? [];
        list.push(i + 2);
        this.exprStart.set(t.v, list);
      }
    }
  }

  /** The value of a name, when every assignment to it gives the same known value. */
  value(name: string): PyValue | undefined {
    const m = this.memo.get(name);
    if (m !== undefined) return m === AMBIGUOUS ? undefined : m;
    const starts = this.exprStart.get(name);
    if (!starts || this.depth > 20) return undefined;
    this.memo.set(name, AMBIGUOUS); // (a cycle has no value)
    this.depth++;
    const values = starts.map((s) => this.evaluate(s));
    this.depth--;
    const first = values[0]?.value;
    const same = first !== undefined && values.every((v) => v.value !== undefined && JSON.stringify(v.value) === JSON.stringify(first));
    this.memo.set(name, same ? first : AMBIGUOUS);
    return same ? first : undefined;
  }

  /** Evaluates the expression starting at token `i`: its value (undefined if unknown) and the next index. */
  evaluate(i: number): { value: PyValue | undefined; next: number } {
    let left = this.primary(i);
    while (left.next < this.toks.length) {
      const op = this.toks[left.next];
      if (op.v !== '+' && op.v !== '%') break;
      const right = this.primary(left.next + 1);
      left = { value: binary(op.v, left.value, right.value), next: right.next };
    }
    return left;
  }

  private primary(i: number): { value: PyValue | undefined; next: number } {
    const t = this.toks[i];
    if (!t) return { value: undefined, next: i };
    let cur: { value: PyValue | undefined; next: number };
    if (t.t === 'str') cur = this.strings(i);
    else if (t.t === 'num') cur = { value: Number(t.v.replace(/_/g, '')), next: i + 1 };
    else if (t.v === '(') cur = this.tuple(i);
    else if (t.t === 'name' && (t.v === 'hex' || t.v === 'int' || t.v === 'str') && this.toks[i + 1]?.v === '(') cur = this.builtin(i);
    else if (t.t === 'name') cur = { value: this.value(t.v), next: i + 1 };
    else return { value: undefined, next: i + 1 };
    // postfix: .format(...) and [index]
    for (;;) {
      const n = this.toks[cur.next];
      if (n?.v === '.' && this.toks[cur.next + 1]?.v === 'format' && this.toks[cur.next + 2]?.v === '(') {
        const args = this.args(cur.next + 3);
        cur = { value: typeof cur.value === 'string' && args.values ? format(cur.value, args.values) : undefined, next: args.next };
      } else if (n?.v === '[' && this.toks[cur.next + 1]?.t === 'num' && this.toks[cur.next + 2]?.v === ']') {
        const k = Number(this.toks[cur.next + 1].v);
        cur = { value: Array.isArray(cur.value) ? cur.value[k] : undefined, next: cur.next + 3 };
      } else return cur;
    }
  }

  /** Adjacent string literals (f-strings evaluated). */
  private strings(i: number): { value: PyValue | undefined; next: number } {
    let s = '';
    let known = true;
    let j = i;
    while (this.toks[j]?.t === 'str') {
      const tok = this.toks[j];
      if (tok.prefix && /f/i.test(tok.prefix)) {
        const v = this.fString(tok.v);
        if (v === undefined) known = false;
        else s += v;
      } else s += tok.v;
      j++;
    }
    return { value: known ? s : undefined, next: j };
  }

  private fString(body: string): string | undefined {
    let ok = true;
    const out = body.replace(/\{\{|\}\}|\{([A-Za-z_]\w*)(?:\[(\d+)\])?(?::([^}]*))?\}/g, (m, name?: string, idx?: string, spec?: string) => {
      if (m === '{{') return '{';
      if (m === '}}') return '}';
      let v = this.value(name!);
      if (idx !== undefined) v = Array.isArray(v) ? v[Number(idx)] : undefined;
      const r = v === undefined || Array.isArray(v) ? undefined : applySpec(v, spec ?? '');
      if (r === undefined) ok = false;
      return r ?? '';
    });
    return ok ? out : undefined;
  }

  private tuple(i: number): { value: PyValue | undefined; next: number } {
    const args = this.args(i + 1);
    if (!args.values) return { value: undefined, next: args.next };
    return { value: args.values.length === 1 && !args.trailingComma ? args.values[0] : args.values, next: args.next };
  }

  /** Comma-separated expressions up to the closing ')' (`*name` spreads a tuple). */
  private args(i: number): { values: PyValue[] | null; next: number; trailingComma: boolean } {
    const values: PyValue[] = [];
    let known = true;
    let j = i;
    let trailingComma = false;
    while (j < this.toks.length && this.toks[j].v !== ')') {
      trailingComma = false;
      const spread = this.toks[j].v === '*';
      const e = this.evaluate(spread ? j + 1 : j);
      if (e.next === j) return { values: null, next: j + 1, trailingComma };
      if (e.value === undefined || (spread && !Array.isArray(e.value))) known = false;
      else if (spread) values.push(...(e.value as PyValue[]));
      else values.push(e.value);
      j = e.next;
      if (this.toks[j]?.v === ',') {
        j++;
        trailingComma = true;
      } else if (this.toks[j]?.v !== ')') return { values: null, next: j, trailingComma };
    }
    return { values: known ? values : null, next: j + 1, trailingComma };
  }

  private builtin(i: number): { value: PyValue | undefined; next: number } {
    const fn = this.toks[i].v;
    const args = this.args(i + 2);
    const a = args.values;
    let value: PyValue | undefined;
    if (a && fn === 'hex' && typeof a[0] === 'number') value = `0x${a[0].toString(16)}`;
    else if (a && fn === 'int' && typeof a[0] === 'string') {
      const n = parseInt(a[0], typeof a[1] === 'number' ? a[1] : 10);
      value = Number.isNaN(n) ? undefined : n;
    } else if (a && fn === 'str' && a.length === 1 && !Array.isArray(a[0])) value = String(a[0]);
    return { value, next: args.next };
  }
}

function binary(op: string, l: PyValue | undefined, r: PyValue | undefined): PyValue | undefined {
  if (l === undefined || r === undefined) return undefined;
  if (op === '+') {
    if (typeof l === 'string' && typeof r === 'string') return l + r;
    if (typeof l === 'number' && typeof r === 'number') return l + r;
    if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
    return undefined;
  }
  // "..." % value (printf style: %d %x %02x %s)
  if (typeof l !== 'string') return undefined;
  const vals = Array.isArray(r) ? r : [r];
  let k = 0;
  let ok = true;
  const out = l.replace(/%%|%(0?\d*)([dixXs])/g, (m, width: string, conv: string) => {
    if (m === '%%') return '%';
    const v = vals[k++];
    if (v === undefined || Array.isArray(v)) {
      ok = false;
      return '';
    }
    const spec = `${width}${conv === 'i' ? 'd' : conv}`;
    return applySpec(v, spec) ?? ((ok = false), '');
  });
  return ok && k === vals.length ? out : undefined;
}

/** A format spec of the kinds build scripts use: "", "d", "x", "X", "02x", "02d", "s". */
function applySpec(v: string | number, spec: string): string | undefined {
  const m = /^(0?)(\d*)([dxXs]?)$/.exec(spec);
  if (!m) return undefined;
  const [, zero, width, conv] = m;
  let s: string;
  if (conv === 'x' || conv === 'X') {
    if (typeof v !== 'number') return undefined;
    s = v.toString(16);
    if (conv === 'X') s = s.toUpperCase();
  } else s = String(v);
  return width ? s.padStart(Number(width), zero ? '0' : ' ') : s;
}

/** str.format with positional fields ({} {0} {:02x} {1:d}). */
function format(template: string, args: PyValue[]): string | undefined {
  let auto = 0;
  let ok = true;
  const out = template.replace(/\{\{|\}\}|\{(\d*)(?::([^}]*))?\}/g, (m, index: string, spec?: string) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const v = args[index === '' ? auto++ : Number(index)];
    const r = v === undefined || Array.isArray(v) ? undefined : applySpec(v, spec ?? '');
    if (r === undefined) ok = false;
    return r ?? '';
  });
  return ok ? out : undefined;
}
