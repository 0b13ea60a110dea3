/**
 * Glob patterns for `exclude`, matched in time linear in the pattern times the path (a set of pattern
 * positions advanced one character at a time, never backtracking): a hostile pattern such as `**\/?*?*?*…b`
 * cannot stall the CLI or the server. Supported: `*` (any run of characters but `/`), `**` (any run of
 * characters, `/` included; `**\/` at a folder boundary: no folder or any folders), `?` (one character but `/`), `[abc]`, `[a-z]`,
 * `[!x]` / `[^x]`, and `{a,b}` alternatives (expanded, at most MAX_EXPANSIONS per pattern). Dots are not
 * special. Patterns longer than MAX_PATTERN characters are refused.
 */

export const MAX_PATTERN = 1024;
const MAX_EXPANSIONS = 64;

/** `opt` consumes nothing: it allows the next atoms, or skips `skip` of them (`**` then `/` may match nothing). */
type Atom = { k: 'lit'; c: string } | { k: 'any' } | { k: 'star' } | { k: 'globstar' } | { k: 'opt'; skip: number } | { k: 'class'; neg: boolean; set: string[] };

/** `{a,b}c` -> [`ac`, `bc`] (nested braces too), bounded. */
function expandBraces(p: string, out: string[] = []): string[] {
  const open = p.indexOf('{');
  if (open < 0 || out.length >= MAX_EXPANSIONS) {
    if (out.length < MAX_EXPANSIONS) out.push(p);
    return out;
  }
  let depth = 0;
  const parts: string[] = [];
  let from = open + 1;
  for (let i = open; i < p.length; i++) {
    const c = p[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      parts.push(p.slice(from, i));
      for (const alt of parts) expandBraces(p.slice(0, open) + alt + p.slice(i + 1), out);
      return out;
    } else if (c === ',' && depth === 1) {
      parts.push(p.slice(from, i));
      from = i + 1;
    }
  }
  out.push(p); // an unclosed brace is a literal
  return out;
}

function compileOne(p: string): Atom[] {
  const atoms: Atom[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*') {
      if (p[i + 1] === '*') {
        let j = i + 1;
        while (p[j + 1] === '*') j++;
        if ((i === 0 || p[i - 1] === '/') && p[j + 1] === '/') {
          atoms.push({ k: 'opt', skip: 2 }, { k: 'globstar' }, { k: 'lit', c: '/' });
          i = j + 1;
        } else {
          atoms.push({ k: 'globstar' });
          i = j;
        }
      } else if (atoms[atoms.length - 1]?.k !== 'star') atoms.push({ k: 'star' });
    } else if (c === '?') atoms.push({ k: 'any' });
    else if (c === '[') {
      const close = p.indexOf(']', i + 2);
      if (close < 0) {
        atoms.push({ k: 'lit', c });
        continue;
      }
      let body = p.slice(i + 1, close);
      const neg = body[0] === '!' || body[0] === '^';
      if (neg) body = body.slice(1);
      const set: string[] = [];
      for (let k = 0; k < body.length; k++) {
        if (body[k + 1] === '-' && k + 2 < body.length) {
          for (let x = body.charCodeAt(k); x <= body.charCodeAt(k + 2) && set.length < 512; x++) set.push(String.fromCharCode(x));
          k += 2;
        } else set.push(body[k]);
      }
      atoms.push({ k: 'class', neg, set });
      i = close;
    } else if (c === '\\' && i + 1 < p.length) atoms.push({ k: 'lit', c: p[++i] });
    else atoms.push({ k: 'lit', c });
  }
  return atoms;
}

/** Whether the atoms match the whole of `s`: the set of reachable pattern positions, one character at a time. */
function matches(atoms: Atom[], s: string): boolean {
  const n = atoms.length;
  let cur = new Uint8Array(n + 1);
  let next = new Uint8Array(n + 1);
  // positions reachable without consuming: a star or globstar may match nothing
  const close = (set: Uint8Array): void => {
    for (let k = 0; k < n; k++) {
      if (!set[k]) continue;
      const a = atoms[k];
      if (a.k === 'star' || a.k === 'globstar' || a.k === 'opt') set[k + 1] = 1;
      if (a.k === 'opt') set[k + 1 + a.skip] = 1;
    }
  };
  cur[0] = 1;
  close(cur);
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    next.fill(0);
    let any = false;
    for (let k = 0; k < n; k++) {
      if (!cur[k]) continue;
      const a = atoms[k];
      switch (a.k) {
        case 'lit':
          if (a.c === ch) next[k + 1] = 1;
          break;
        case 'any':
          if (ch !== '/') next[k + 1] = 1;
          break;
        case 'class':
          if (ch !== '/' && a.set.includes(ch) !== a.neg) next[k + 1] = 1;
          break;
        case 'star':
          if (ch !== '/') next[k] = 1;
          break;
        case 'globstar':
          next[k] = 1;
          break;

      }
    }
    close(next);
    for (let k = 0; k <= n; k++) if (next[k]) any = true;
    if (!any) return false;
    [cur, next] = [next, cur];
  }
  return cur[n] === 1;
}

/** A matcher for a list of patterns (any may match); patterns that are too long are reported, not used. */
export function compileGlobs(patterns: string[]): { match: (path: string) => boolean; problems: string[] } {
  const problems: string[] = [];
  const compiled: Atom[][] = [];
  for (const p of patterns) {
    if (p.length > MAX_PATTERN) {
      problems.push(`exclude pattern of ${p.length} characters ignored (at most ${MAX_PATTERN})`);
      continue;
    }
    for (const e of expandBraces(p.startsWith('./') ? p.slice(2) : p)) compiled.push(compileOne(e));
  }
  return { match: (path) => compiled.some((atoms) => matches(atoms, path)), problems };
}
