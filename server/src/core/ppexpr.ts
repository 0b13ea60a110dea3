/**
 * `#if` expressions, evaluated with three-valued logic over intervals: a value is known exactly, known to lie
 * in [lo, hi] (PY_VERSION_HEX in a Limited API build is only known to be at least the target), or unknown.
 */

/** A value in a preprocessor expression: an interval [lo, hi], or null for unknown. */
export type PPValue = { lo: bigint; hi: bigint } | null;
export type Tri = true | false | null;

const MAXV = (1n << 63n) - 1n;
const exact = (v: bigint): PPValue => ({ lo: v, hi: v });

export interface PPEnv {
  /** Macro -> value; `null` value = defined with an unknown value; absent = consult `known`. */
  defined: Map<string, PPValue | 'empty'>;
  /** Macros known not to be defined. */
  undefinedKnown: Set<string>;
  /** PY_VERSION_HEX as known in this build. */
  pyVersionHex: PPValue;
}

type Tok = { t: 'num'; v: bigint } | { t: 'id'; v: string } | { t: 'op'; v: string };

function tokenize(s: string): Tok[] | null {
  const out: Tok[] = [];
  const re = /\s*(?:(0[xX][0-9a-fA-F]+|\d+)[uUlL]*|([A-Za-z_]\w*)|(<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%<>!~&|^?:(),]))/y;
  let pos = 0;
  while (pos < s.length) {
    if (/^\s*$/.test(s.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return null;
    pos = re.lastIndex;
    if (m[1] !== undefined) {
      const lit = m[1];
      if (/^0\d*[89]/.test(lit)) return null; // not a valid octal literal: the expression is malformed
      out.push({ t: 'num', v: /^0[xX]/.test(lit) ? BigInt(lit) : /^0\d/.test(lit) ? BigInt('0o' + lit.slice(1)) : BigInt(lit) });
    } else if (m[2] !== undefined) out.push({ t: 'id', v: m[2] });
    else out.push({ t: 'op', v: m[3] });
    if (out.length > 10000) return null;
  }
  return out;
}

export function truth(v: PPValue): Tri {
  if (!v) return null;
  if (v.lo > 0n || v.hi < 0n) return true;
  if (v.lo === 0n && v.hi === 0n) return false;
  return null;
}
const fromTri = (t: Tri): PPValue => (t === null ? null : exact(t ? 1n : 0n));
const negate = (x: Tri): Tri => (x === null ? null : !x);

function arith(op: string, a: PPValue, b: PPValue): PPValue {
  if (!a || !b) return null;
  if (op === '+') return { lo: a.lo + b.lo, hi: a.hi + b.hi > MAXV ? MAXV : a.hi + b.hi };
  if (op === '-') return { lo: a.lo - b.hi, hi: a.hi - b.lo };
  if (a.lo !== a.hi || b.lo !== b.hi) return null;
  const x = a.lo;
  const y = b.lo;
  switch (op) {
    case '*':
      return exact(x * y);
    case '/':
      return y === 0n ? null : exact(x / y);
    case '%':
      return y === 0n ? null : exact(x % y);
    case '<<':
      return y < 0n || y > 63n ? null : exact(x << y);
    case '>>':
      return y < 0n || y > 63n ? null : exact(x >> y);
    case '&':
      return exact(x & y);
    case '|':
      return exact(x | y);
    case '^':
      return exact(x ^ y);
  }
  return null;
}

function compare(op: string, a: PPValue, b: PPValue): PPValue {
  if (!a || !b) return null;
  const lt = (x: PPValue & object, y: PPValue & object): Tri => (x.hi < y.lo ? true : x.lo >= y.hi ? false : null);
  const apart = a.hi < b.lo || b.hi < a.lo;
  const exactly = a.lo === a.hi && b.lo === b.hi;
  switch (op) {
    case '<':
      return fromTri(lt(a, b));
    case '>':
      return fromTri(lt(b, a));
    case '<=':
      return fromTri(negate(lt(b, a)));
    case '>=':
      return fromTri(negate(lt(a, b)));
    case '==':
      return exactly ? exact(a.lo === b.lo ? 1n : 0n) : apart ? exact(0n) : null;
    case '!=':
      return exactly ? exact(a.lo !== b.lo ? 1n : 0n) : apart ? exact(1n) : null;
  }
  return null;
}

function logical(op: string, a: PPValue, b: PPValue): PPValue {
  const x = truth(a);
  const y = truth(b);
  if (op === '&&') return fromTri(x === false || y === false ? false : x === true && y === true ? true : null);
  return fromTri(x === true || y === true ? true : x === false && y === false ? false : null);
}

/** Binary operators by precedence, loosest first, with how each level combines its operands. */
const LEVELS: [string[], (op: string, a: PPValue, b: PPValue) => PPValue][] = [
  [['||'], logical],
  [['&&'], logical],
  [['|'], arith],
  [['^'], arith],
  [['&'], arith],
  [['==', '!='], compare],
  [['<', '>', '<=', '>='], compare],
  [['<<', '>>'], arith],
  [['+', '-'], arith],
  [['*', '/', '%'], arith],
];

/** `Py_PACK_VERSION(3, 12)` (and `_Py_PACK_VERSION`, `_Py_PACK_FULL_VERSION`) with literal arguments. */
function packVersion(name: string, inner: Tok[]): PPValue {
  if (!/^_?Py_PACK_(FULL_)?VERSION$/.test(name)) return null;
  const parts: Tok[][] = [[]];
  for (const x of inner) {
    if (x.t === 'op' && x.v === ',') parts.push([]);
    else parts[parts.length - 1].push(x);
  }
  const args = parts.map((part) => (part.length === 1 && part[0].t === 'num' ? part[0].v : null));
  if (args.length < 2 || args.some((a) => a === null)) return null;
  const [maj, min, mic = 0n, lvl = 0n, ser = 0n] = args as bigint[];
  return exact((maj << 24n) | (min << 16n) | (mic << 8n) | (lvl << 4n) | ser);
}

/** A recursive-descent evaluator over the tokens of one expression; bounded in depth and steps. */
class Evaluator {
  readonly ids: string[] = [];
  p = 0;
  private steps = 0;

  constructor(
    private readonly toks: Tok[],
    private readonly env: PPEnv,
    private depth: number,
  ) {}

  private isOp(v: string): boolean {
    const t = this.toks[this.p];
    return !!t && t.t === 'op' && t.v === v;
  }

  ternary(): PPValue {
    const c = this.binary(0);
    if (!this.isOp('?')) return c;
    this.p++;
    const a = this.ternary();
    if (this.isOp(':')) this.p++;
    const b = this.ternary();
    const t = truth(c);
    if (t === true) return a;
    if (t === false) return b;
    if (a && b) return { lo: a.lo < b.lo ? a.lo : b.lo, hi: a.hi > b.hi ? a.hi : b.hi };
    return null;
  }

  private binary(level: number): PPValue {
    if (level === LEVELS.length) return this.primary();
    const [ops, combine] = LEVELS[level];
    let a = this.binary(level + 1);
    for (;;) {
      const t = this.toks[this.p];
      if (!t || t.t !== 'op' || !ops.includes(t.v)) return a;
      this.p++;
      a = combine(t.v, a, this.binary(level + 1));
    }
  }

  private primary(): PPValue {
    if (++this.steps > 20000) return null;
    const t = this.toks[this.p++];
    if (!t) return null;
    if (t.t === 'num') return exact(t.v);
    if (t.t === 'op') return this.prefix(t.v);
    if (t.v === 'defined') return this.defined();
    if (this.isOp('(')) return this.macroCall(t.v);
    return this.lookup(t.v);
  }

  /** `( expr )` and the unary operators. */
  private prefix(op: string): PPValue {
    if (op === '(') {
      if (this.depth > 200) return null;
      this.depth++;
      const v = this.ternary();
      this.depth--;
      if (this.isOp(')')) this.p++;
      return v;
    }
    if (op === '!') return fromTri(negate(truth(this.primary())));
    if (op === '-') {
      const v = this.primary();
      return v ? { lo: -v.hi, hi: -v.lo } : null;
    }
    if (op === '+') return this.primary();
    if (op === '~') {
      const v = this.primary();
      return v && v.lo === v.hi ? exact(~v.lo) : null;
    }
    return null;
  }

  /** `defined X` / `defined(X)`. */
  private defined(): PPValue {
    const paren = this.isOp('(');
    if (paren) this.p++;
    const n = this.toks[this.p++];
    const name = n && n.t === 'id' ? n.v : undefined;
    if (paren && this.isOp(')')) this.p++;
    if (!name) return null;
    this.ids.push(name);
    const env = this.env;
    if (env.defined.has(name) || (name === 'PY_VERSION_HEX' && env.pyVersionHex)) return exact(1n);
    if (env.undefinedKnown.has(name)) return exact(0n);
    return null;
  }

  /** A function-like macro: only the version-packing macros have a known value. */
  private macroCall(name: string): PPValue {
    this.p++;
    let d = 1;
    const argStart = this.p;
    while (this.p < this.toks.length && d > 0) {
      const x = this.toks[this.p];
      if (x.t === 'op' && x.v === '(') d++;
      if (x.t === 'op' && x.v === ')') d--;
      this.p++;
    }
    const v = packVersion(name, this.toks.slice(argStart, this.p - 1));
    if (!v) this.ids.push(name);
    return v;
  }

  private lookup(name: string): PPValue {
    this.ids.push(name);
    const env = this.env;
    if (name === 'PY_VERSION_HEX') return env.pyVersionHex;
    const d = env.defined.get(name);
    if (d === 'empty') return null;
    if (d !== undefined) return d;
    if (env.undefinedKnown.has(name)) return exact(0n);
    return null;
  }
}

/** Evaluates a #if expression with three-valued logic. Never throws. */
export function evaluate(expr: string, env: PPEnv, depth = 0): { value: PPValue; ids: string[] } {
  let toks: Tok[] | null;
  try {
    toks = tokenize(expr);
  } catch {
    toks = null;
  }
  if (!toks) return { value: null, ids: [] };
  const ev = new Evaluator(toks, env, depth);
  let value: PPValue;
  try {
    value = ev.ternary();
    if (ev.p < toks.length) value = null; // trailing garbage: unknown
  } catch {
    value = null;
  }
  return { value, ids: ev.ids };
}
