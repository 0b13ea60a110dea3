/**
 * Builds data/capi.json from CPython's real headers (3.6 ... 3.15), the stable ABI manifest, refcounts.dat
 * and the 3.15 HTML documentation (facts only). Run as `npm run data:build` after `npm run data:headers`.
 *
 * Method: for each header version H and each target T <= H, preprocess Python.h with -DPy_LIMITED_API=T
 * (gcc -E -dD keeps the macro definitions in place, with line markers naming their header), parse the result
 * with tree-sitter and record every declared name. Plus once without Py_LIMITED_API (the full API), once for
 * abi3t (3.15, Py_TARGET_ABI3T) and once with Py_BUILD_CORE and the internal headers (3.15, internal names).
 * The output is deterministic: same inputs, byte-identical file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { collectDeclarations, type Declaration } from '../server/src/core/declarations';
import { initParser } from '../server/src/core/parser';
import { CapiDataSchema, type CapiData, type CapiEntry, TARGET_MINORS, HEADER_MINORS } from '../server/src/core/dataSchema';
import { CACHE } from './cache';

const ROOT = path.resolve(__dirname, '..', '..');
const HEADERS = path.join(CACHE, 'headers');
const DOCS = path.join(CACHE, 'docs', '3.15', 'c-api');
const SHARED = process.env.ABI3LINT_SHARED ?? path.resolve(ROOT, '..', 'shared', 'cpython');
const OUT = path.join(ROOT, 'data', 'capi.json');

const PROBE_HEADERS = ['Python.h', 'structmember.h', 'frameobject.h', 'marshal.h', 'datetime.h', 'pythread.h'];

type Seen = { kind: CapiEntry['kind']; header: string; sig: string; members?: string[]; deprecated?: boolean; tag?: string; unusable?: string; macroToo?: boolean };
type RunResult = Map<string, Seen>;

function fail(msg: string): never {
  process.stderr.write(`build-data: ${msg}\n`);
  process.exit(1);
}

function headerDir(minor: number): string {
  const d = path.join(HEADERS, `3.${minor}`);
  if (!fs.existsSync(path.join(d, 'Python.h'))) {
    fail(`no headers for 3.${minor} in ${d}. Run 'npm run data:headers' first (it says how to get what is missing).`);
  }
  return d;
}

const KIND_RANK: Record<CapiEntry['kind'], number> = {
  function: 9, inline: 8, data: 7, macro: 6, const: 5, typedef: 4, struct: 3, union: 3, enum: 2, enumerator: 1,
};

/** Strips GCC attributes and storage noise from a declaration's text and normalizes spacing. */
export function normalizeSignature(text: string): string {
  let s = text;
  // remove __attribute__((...)) with balanced parentheses
  for (;;) {
    const i = s.search(/__attribute__\s*\(/);
    if (i < 0) break;
    let j = s.indexOf('(', i);
    let depth = 0;
    for (; j < s.length; j++) {
      if (s[j] === '(') depth++;
      else if (s[j] === ')' && --depth === 0) break;
    }
    s = s.slice(0, i) + s.slice(j + 1);
  }
  s = s.replace(/\b(extern|__extension__|__inline__|__inline|__restrict|__restrict__)\b/g, (m) => (m.startsWith('__inline') ? 'inline' : ''));
  s = s.replace(/\s+/g, ' ').replace(/\s*;\s*$/, '').trim();
  s = s.replace(/\s*\*\s*/g, ' *');
  while (/\*\s+\*/.test(s)) s = s.replace(/\*\s+\*/g, '**');
  s = s.replace(/\( /g, '(').replace(/ \)/g, ')').replace(/ ,/g, ',');
  return s.trim();
}

interface Preprocessed {
  code: string;
  lineFile: string[];
  macros: Map<string, { sig: string; header: string; functionLike: boolean; params: string[]; body: string }>;
  /** C library headers a Python header includes directly ("stdio.h", "sys/types.h"). */
  systemIncludes: Set<string>;
}

/** "/usr/include/x86_64-linux-gnu/sys/types.h" -> "sys/types.h"; gcc's own include dir likewise. */
export function systemHeaderName(file: string): string {
  const i = file.lastIndexOf('/include/');
  return (i >= 0 ? file.slice(i + '/include/'.length) : path.basename(file)).replace(/^[^/]*-linux-gnu\//, '');
}

function preprocess(dir: string, defines: string[], includes: string[]): Preprocessed {
  const src = includes.map((h) => `#include <${h}>`).join('\n') + '\n';
  const res = spawnSync('gcc', ['-E', '-dD', '-w', '-I', dir, ...defines.map((d) => `-D${d}`), '-x', 'c', '-'], {
    input: src,
    maxBuffer: 512 * 1024 * 1024,
    encoding: 'utf8',
  });
  if (res.error) fail(`gcc could not run: ${res.error.message}`);
  if (!res.stdout) fail(`gcc -E produced nothing for ${dir} ${defines.join(' ')}: ${res.stderr}`);
  const prefix = dir.endsWith('/') ? dir : dir + '/';
  const lines = res.stdout.split('\n');
  const code: string[] = [];
  const lineFile: string[] = [];
  const macros: Preprocessed['macros'] = new Map();
  let file = '';
  let inPython = false;
  const systemIncludes = new Set<string>();
  for (const line of lines) {
    if (line.startsWith('# ')) {
      const m = /^# \d+ "([^"]*)"((?: \d)*)/.exec(line);
      if (m) {
        const entering = / 1\b/.test(m[2]);
        const wasPython = inPython;
        file = m[1];
        inPython = file.startsWith(prefix) && !file.endsWith('/pyconfig.h');
        if (entering && wasPython && !file.startsWith(prefix) && file.startsWith('/')) systemIncludes.add(systemHeaderName(file));
      }
      code.push('');
      lineFile.push('');
      continue;
    }
    if (line.startsWith('#define ') || line.startsWith('#undef ')) {
      if (inPython) {
        const d = /^#define ([A-Za-z_]\w*)(\([^)]*\))?\s?(.*)$/.exec(line);
        if (d) {
          const body = d[3] ?? '';
          const sig = d[2] ? `${d[1]}${d[2].replace(/\s*,\s*/g, ', ')}` : body && body.length <= 60 ? `${d[1]} ${body}` : d[1];
          const params = d[2] ? d[2].slice(1, -1).split(',').map((x) => x.trim()).filter(Boolean) : [];
          macros.set(d[1], { sig, header: file.slice(prefix.length), functionLike: !!d[2], params, body });
        } else {
          const u = /^#undef ([A-Za-z_]\w*)/.exec(line);
          if (u) macros.delete(u[1]);
        }
      }
      code.push('');
      lineFile.push('');
      continue;
    }
    if (inPython) {
      // `Py_DEPRECATED(3.13) typedef wchar_t Py_UNICODE;` expands to an attribute before `typedef`, which
      // tree-sitter reads as a declaration of `wchar_t`: drop the attribute (deprecations come from the raw headers).
      code.push(line.replace(/__attribute__\s*\(\(\s*__deprecated__\s*\)\)\s*typedef\b/g, 'typedef'));
      lineFile.push(file.slice(prefix.length));
    } else {
      code.push('');
      lineFile.push('');
    }
  }
  return { code: code.join('\n'), lineFile, macros, systemIncludes };
}

function isApiName(name: string): boolean {
  return !name.startsWith('__') && /^[A-Za-z_]/.test(name);
}

async function extract(pre: Preprocessed): Promise<RunResult> {
  const { parser } = await initParser();
  const tree = parser.parse(pre.code);
  if (!tree) fail('tree-sitter returned no tree');
  const out: RunResult = new Map();
  try {
    const decls: Declaration[] = collectDeclarations(tree.rootNode);
    for (const d of decls) {
      const bare = d.name.replace(/^(struct|union|enum) /, '');
      if (!isApiName(bare)) continue;
      const header = pre.lineFile[d.node.startPosition.row] ?? '';
      if (!header) continue;
      let sig: string;
      if (d.kind === 'inline') {
        const body = d.node.childForFieldName('body');
        sig = normalizeSignature(body ? d.node.text.slice(0, body.startIndex - d.node.startIndex) : d.node.text);
        sig = sig.replace(/^(static )?(inline )?/, 'static inline ').replace(/^static inline static /, 'static inline ');
      } else if (d.kind === 'struct' || d.kind === 'union' || d.kind === 'enum') {
        sig = d.name;
      } else if (d.kind === 'typedef' && d.tag) {
        sig = `typedef ${d.tag} ${d.name}`;
      } else if (d.kind === 'enumerator') {
        sig = normalizeSignature(d.node.text);
      } else {
        sig = normalizeSignature(d.node.text);
        if (sig.length > 300) sig = sig.slice(0, 297) + '...';
      }
      const prev = out.get(d.name);
      const seen: Seen = { kind: d.kind as CapiEntry['kind'], header, sig, members: d.members, deprecated: d.deprecated, tag: d.tag };
      if (!prev || KIND_RANK[seen.kind] > KIND_RANK[prev.kind] || (seen.members && !prev.members && seen.kind === prev.kind)) {
        if (prev?.deprecated) seen.deprecated = true;
        out.set(d.name, seen);
      } else if (d.deprecated) {
        prev.deprecated = true;
      }
    }
  } finally {
    tree.delete();
  }
  for (const [name, m] of pre.macros) {
    if (!isApiName(name)) continue;
    if (!m.functionLike && !m.body.trim() && /_H_?$/.test(name)) continue; // include guards
    const prev = out.get(name);
    const kind = m.functionLike ? 'macro' : 'const';
    if (prev && m.functionLike && (prev.kind === 'function' || prev.kind === 'data')) prev.macroToo = true;
    if (!prev || KIND_RANK[kind] > KIND_RANK[prev.kind]) out.set(name, { kind, header: m.header, sig: m.sig, deprecated: prev?.deprecated });
  }
  markUnusableMacros(pre, out);
  return out;
}

const C_WORDS = new Set(
  'auto break case char const continue default do double else enum extern float for goto if inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while _Bool _Complex _Static_assert _Alignof _Alignas _Generic _Thread_local NULL defined'.split(' '),
);

/**
 * A macro the headers define can still be unusable at a target: its expansion names an API the same run does
 * not declare, or reaches into a struct that is incomplete there (`PyObject_NEW` expands to `->tp_basicsize`
 * in the 3.6-3.8 headers). Such a macro fails to compile exactly like an undeclared name, so it does not count.
 */
function markUnusableMacros(pre: Preprocessed, run: RunResult): void {
  const completeMembers = new Set<string>();
  const allMembers = new Set<string>();
  for (const s of run.values()) {
    if (s.kind === 'struct' || s.kind === 'union' || s.kind === 'typedef') for (const m of s.members ?? []) completeMembers.add(m);
  }
  for (const names of ALL_MEMBERS.values()) for (const m of names) allMembers.add(m);
  const memo = new Map<string, string | null>();
  const check = (name: string, depth: number): string | null => {
    if (memo.has(name)) return memo.get(name)!;
    const m = pre.macros.get(name);
    if (!m || depth > 40) return null;
    memo.set(name, null); // cycle guard: a macro naming itself is not expanded again
    const params = new Set(m.params.map((p) => p.replace(/\.\.\.$/, '')));
    const tokens = m.body.match(/->\s*[A-Za-z_]\w*|\.\s*[A-Za-z_]\w*|[A-Za-z_]\w*|#+/g) ?? [];
    let reason: string | null = null;
    for (let i = 0; i < tokens.length && !reason; i++) {
      const t = tokens[i];
      if (t.startsWith('#')) {
        if (t === '#') i++; // stringized argument
        continue;
      }
      if (t.startsWith('->') || t.startsWith('.')) {
        const member = t.replace(/^(->|\.)\s*/, '');
        if (params.has(member)) continue;
        if (allMembers.has(member) && !completeMembers.has(member)) reason = `member ${member} of an incomplete struct`;
        continue;
      }
      if (params.has(t) || C_WORDS.has(t) || t.startsWith('__') || t === '__VA_ARGS__') continue;
      if (pre.macros.has(t)) {
        const r = check(t, depth + 1);
        if (r) reason = `${t}: ${r}`;
        continue;
      }
      if (KNOWN_API.has(t) && !run.has(t)) reason = `${t} undeclared`;
    }
    memo.set(name, reason);
    return reason;
  };
  for (const [name] of pre.macros) {
    const r = check(name, 0);
    const s = run.get(name);
    if (r && s && (s.kind === 'macro' || s.kind === 'const')) {
      s.unusable = r;
      if (process.env.ABI3LINT_DEBUG_MACROS?.split(',').includes(name)) process.stderr.write(`unusable ${name}: ${r}\n`);
    }
  }
}

/** Every name any full-API run declares, and every struct member: filled from the full runs first. */
const KNOWN_API = new Set<string>();
const ALL_MEMBERS = new Map<string, string[]>();

function probeIncludes(dir: string): string[] {
  return PROBE_HEADERS.filter((h) => fs.existsSync(path.join(dir, h)));
}

/** Py_DEPRECATED(3.X) annotations in the raw header text: name -> version. */
function scanDeprecations(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'internal') walk(p);
        continue;
      }
      if (!e.name.endsWith('.h')) continue;
      const text = fs.readFileSync(p, 'utf8').replace(/\\\n/g, ' ');
      const re = /Py_DEPRECATED\((3\.\d+)\)/g;
      let m: RegExpExecArray | null;
      while ((m = re.exec(text))) {
        // the declaration runs to the next ';' or '{'; its name is the identifier before the first '(' at depth 0
        const rest = text.slice(m.index + m[0].length, m.index + m[0].length + 600);
        const end = rest.search(/[;{]/);
        const decl = (end >= 0 ? rest.slice(0, end) : rest).replace(/PyAPI_(FUNC|DATA)\s*\([^)]*\)/, ' ');
        let name: string | undefined;
        const fn = /([A-Za-z_]\w*)\s*\(/.exec(decl);
        if (fn && !/^(struct|typedef)$/.test(fn[1])) name = fn[1];
        else {
          const ids = decl.match(/[A-Za-z_]\w*/g);
          name = ids?.[ids.length - 1];
        }
        if (name && !out.has(name)) out.set(name, m[1]);
      }
    }
  };
  walk(dir);
  return out;
}

interface DocFacts {
  page: string;
  added?: string;
  deprecated?: string;
  removedIn?: string;
  stolen?: string[];
  returns?: 'new' | 'borrowed';
}

/** Facts from the 3.15 HTML docs: page of each documented C name, version notes, stolen references. */
function readDocs(): Map<string, DocFacts> {
  const out = new Map<string, DocFacts>();
  if (!fs.existsSync(DOCS)) {
    fail(`no documentation in ${DOCS}. Run 'npm run data:headers' (it downloads Debian sid's python3.15-doc).`);
  }
  const strip = (h: string): string =>
    h.replace(/<[^>]+>/g, '').replace(/&#8220;|&#8221;|“|”/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/\s+/g, ' ');
  for (const file of fs.readdirSync(DOCS).sort()) {
    if (!file.endsWith('.html')) continue;
    const page = file.replace(/\.html$/, '');
    const html = fs.readFileSync(path.join(DOCS, file), 'utf8');
    const re = /<dt class="sig sig-object c" id="c\.([A-Za-z_][\w.]*)">/g;
    const hits: { name: string; index: number }[] = [];
    let m: RegExpExecArray | null;
    while ((m = re.exec(html))) hits.push({ name: m[1], index: m.index });
    for (let i = 0; i < hits.length; i++) {
      const { name, index } = hits[i];
      if (out.has(name)) continue;
      const chunk = html.slice(index, i + 1 < hits.length ? hits[i + 1].index : Math.min(html.length, index + 20000));
      const text = strip(chunk);
      const facts: DocFacts = { page };
      const added = /Added in version (3\.\d+)/.exec(text);
      if (added) facts.added = added[1];
      const dep = /Deprecated since version (3\.\d+)(?:, (?:will be )?removed in version (3\.\d+))?/.exec(text);
      if (dep) {
        facts.deprecated = dep[1];
        if (dep[2]) facts.removedIn = dep[2];
      }
      const ret = /Return value: (New|Borrowed) reference/.exec(text);
      if (ret) facts.returns = ret[1] === 'New' ? 'new' : 'borrowed';
      const stolen = new Set<string>();
      const sre = /"?steals"? (?:a )?reference(?:s)? to (?:the )?(?:<em>)?([A-Za-z_]\w*)/g;
      const plain = chunk.replace(/<(?!\/?em>)[^>]+>/g, '').replace(/&#8220;|&#8221;|“|”/g, '"').replace(/\s+/g, ' ');
      let s: RegExpExecArray | null;
      while ((s = sre.exec(plain))) stolen.add(s[1]);
      if (stolen.size) facts.stolen = [...stolen].sort();
      out.set(name, facts);
    }
  }
  return out;
}

interface RefInfo {
  returns?: 'new' | 'borrowed' | 'null';
  params: { name: string; type: string; effect: string; comment: string }[];
}

function readRefcounts(): Map<string, RefInfo> {
  const out = new Map<string, RefInfo>();
  const text = fs.readFileSync(path.join(SHARED, 'refcounts.dat'), 'utf8');
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const parts = line.split(':');
    if (parts.length < 4) continue;
    const [fn, type, param, effect, ...comment] = parts;
    let info = out.get(fn);
    if (!info) {
      info = { params: [] };
      out.set(fn, info);
    }
    if (!param) {
      if (effect === '+1') info.returns = 'new';
      else if (effect === '0') info.returns = 'borrowed';
      else if (effect === 'null') info.returns = 'null';
    } else {
      info.params.push({ name: param, type, effect, comment: comment.join(':') });
    }
  }
  return out;
}

interface ManifestItem {
  kind: string;
  added?: string;
  abi_only?: boolean;
  ifdef?: string;
  struct_abi_kind?: string;
  members?: string[];
}

function readManifest(): Map<string, ManifestItem> {
  const file = path.join(SHARED, 'stable_abi.toml');
  if (!fs.existsSync(file)) fail(`missing ${file} (the shared folder must sit beside the project)`);
  const doc = parseToml(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, Record<string, unknown>>>;
  const out = new Map<string, ManifestItem>();
  for (const [kind, items] of Object.entries(doc)) {
    for (const [name, v] of Object.entries(items)) {
      out.set(name, {
        kind,
        added: typeof v.added === 'string' ? v.added : undefined,
        abi_only: v.abi_only === true ? true : undefined,
        ifdef: typeof v.ifdef === 'string' ? v.ifdef : undefined,
        struct_abi_kind: typeof v.struct_abi_kind === 'string' ? v.struct_abi_kind : undefined,
        members: Array.isArray(v.members) ? (v.members as string[]) : undefined,
      });
    }
  }
  return out;
}

function sha(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16);
}

const minorOf = (v: string | undefined): number | undefined => (v ? Number(v.split('.')[1]) : undefined);
const hexDefine = (minor: number): string => `Py_LIMITED_API=0x03${minor.toString(16).padStart(2, '0')}0000`;

/**
 * The C library headers Python.h includes directly, with per target whether every header version from T on
 * still includes them under the Limited API (3.11 drops errno.h, stdio.h, stdlib.h; 3.13 ctype.h, unistd.h),
 * and the public names each declares with what it includes (gcc's own preprocessing of `#include <h>` alone).
 */
async function libcData(runs: Map<string, Set<string>>): Promise<CapiData['libc']> {
  const all = new Set<string>();
  for (const s of runs.values()) for (const h of s) all.add(h);
  const out: CapiData['libc'] = {};
  const { parser } = await initParser();
  for (const h of [...all].sort()) {
    const included = TARGET_MINORS.map((T) => (HEADER_MINORS.filter((H) => H >= T).every((H) => runs.get(`${H}:${T}`)!.has(h)) ? 'Y' : 'N')).join('');
    const res = spawnSync('gcc', ['-E', '-dD', '-w', '-x', 'c', '-'], { input: `#include <${h}>\n`, encoding: 'utf8', maxBuffer: 256 << 20 });
    if (!res.stdout) continue;
    const names = new Set<string>();
    const code: string[] = [];
    for (const line of res.stdout.split('\n')) {
      const d = /^#define ([A-Za-z]\w*)/.exec(line);
      if (d) names.add(d[1]);
      code.push(line.startsWith('#') ? '' : line);
    }
    const tree = parser.parse(code.join('\n'));
    if (tree) {
      try {
        for (const decl of collectDeclarations(tree.rootNode)) if (/^[A-Za-z]\w*$/.test(decl.name)) names.add(decl.name);
      } finally {
        tree.delete();
      }
    }
    for (const n of [...names]) if (KNOWN_API.has(n) || /^(_|__)/.test(n)) names.delete(n);
    out[h] = { included, names: [...names].sort() };
  }
  return out;
}

/** Patch releases whose headers were corrected later, and binaries built with them inherit (docs/data.md). */
const SUPERSEDED = ['3.13.0'];

const exportedFunction = (s: Seen | undefined): boolean => !!s && !s.unusable && (s.kind === 'function' || s.kind === 'data') && !s.macroToo;

/**
 * For each superseded release: the names its headers declare as an exported function or variable at a target
 * below its own minor version where the release that replaced it (the headers of that minor used above) does
 * not (there: a macro over another function, or nothing). Missing headers are said, not fatal.
 */
async function supersededReleases(limited: Map<string, RunResult>, sources: Record<string, string>): Promise<Map<string, { release: string; targets: string[] }[]>> {
  const out = new Map<string, { release: string; targets: string[] }[]>();
  for (const release of SUPERSEDED) {
    const dir = path.join(HEADERS, release);
    if (!fs.existsSync(path.join(dir, 'Python.h'))) {
      process.stderr.write(`WARNING: no headers of ${release} in ${dir} (npm run data:headers): its patch notes are left out\n`);
      continue;
    }
    sources[release] = fs.readFileSync(path.join(dir, 'SOURCE'), 'utf8').trim();
    const H = Number(release.split('.')[1]);
    const inc = probeIncludes(dir);
    const found = new Map<string, string[]>();
    for (const T of TARGET_MINORS) {
      if (T >= H) break;
      const old = await extract(preprocess(dir, [hexDefine(T)], inc));
      const now = limited.get(`${H}:${T}`)!;
      for (const [name, s] of old) {
        if (!exportedFunction(s) || exportedFunction(now.get(name))) continue;
        found.set(name, [...(found.get(name) ?? []), `3.${T}`]);
      }
    }
    for (const [name, targets] of found) out.set(name, [...(out.get(name) ?? []), { release, targets }]);
  }
  return out;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const sources: Record<string, string> = {};
  const full = new Map<number, RunResult>();
  const limited = new Map<string, RunResult>(); // `${H}:${T}`
  const limitedIncludes = new Map<string, Set<string>>(); // C library headers Python.h includes, per run
  const deprecations = new Map<string, string>();
  for (const H of HEADER_MINORS) {
    const dir = headerDir(H);
    sources[`3.${H}`] = fs.readFileSync(path.join(dir, 'SOURCE'), 'utf8').trim();
    const run = await extract(preprocess(dir, [], probeIncludes(dir)));
    full.set(H, run);
    for (const [n, s] of run) {
      KNOWN_API.add(n);
      if (s.members) ALL_MEMBERS.set(n, s.members);
    }
    for (const [n, v] of scanDeprecations(dir)) deprecations.set(n, v);
  }
  for (const H of HEADER_MINORS) {
    const dir = headerDir(H);
    const inc = probeIncludes(dir);
    for (const T of TARGET_MINORS) {
      if (T > H) break;
      const pre = preprocess(dir, [hexDefine(T)], inc);
      limitedIncludes.set(`${H}:${T}`, pre.systemIncludes);
      limited.set(`${H}:${T}`, await extract(pre));
    }
    process.stderr.write(`  3.${H}: ${full.get(H)!.size} names in the full API\n`);
  }
  const newest = HEADER_MINORS[HEADER_MINORS.length - 1];
  const newestDir = headerDir(newest);
  const abi3t = await extract(preprocess(newestDir, [`Py_TARGET_ABI3T=0x030${newest.toString(16)}0000`], probeIncludes(newestDir)));
  const internalIncludes = fs
    .readdirSync(path.join(newestDir, 'internal'))
    .filter((f) => /^pycore_.*\.h$/.test(f))
    .filter((f) => !/must not be included directly/.test(fs.readFileSync(path.join(newestDir, 'internal', f), 'utf8')))
    .sort()
    .map((f) => `internal/${f}`);
  const internal = await extract(preprocess(newestDir, ['Py_BUILD_CORE'], ['Python.h', ...internalIncludes]));

  const libc = await libcData(limitedIncludes);
  const superseded = await supersededReleases(limited, sources);

  const manifest = readManifest();
  const docs = readDocs();
  const refs = readRefcounts();

  // Every name: from any full-API run, the manifest, or the internal run.
  const names = new Set<string>();
  for (const r of full.values()) for (const n of r.keys()) names.add(n);
  for (const [n, item] of manifest) if (item.kind !== 'feature_macro') names.add(n);
  for (const n of internal.keys()) names.add(n);

  const entries: Record<string, CapiEntry> = {};
  const disagreements: CapiData['disagreements'] = [];
  const internalNames: string[] = [];
  for (const name of [...names].sort()) {
    const isTag = /^(struct|union|enum) /.test(name);
    let first: number | undefined;
    let last: number | undefined;
    let newestSeen: Seen | undefined;
    for (const H of HEADER_MINORS) {
      const s = full.get(H)!.get(name);
      if (s) {
        first ??= H;
        last = H;
        newestSeen = s;
      }
    }
    const m = manifest.get(name) ?? (isTag ? manifest.get(name.replace(/^(struct|union|enum) /, '')) : undefined);
    const inInternal = internal.get(name);
    if (!newestSeen && !inInternal && !m) continue;
    if (!newestSeen && !m && first === undefined) {
      // only declared under Py_BUILD_CORE: kept as a bare list
      if (!isTag) internalNames.push(name);
      continue;
    }
    const seen = newestSeen ?? inInternal;
    const mAdded = minorOf(m?.added);

    // Limited API status per target.
    let lim = '';
    const middleOnly: number[] = [];
    let complete = '';
    // for 'G' targets: whether every newer header that declares the name declares a macro or inline (no symbol)
    let inlineOnly = '';
    for (const T of TARGET_MINORS) {
      const hs = HEADER_MINORS.filter((h) => h >= T);
      const usable = (h: number): Seen | undefined => {
        const x = limited.get(`${h}:${T}`)!.get(name);
        return x && !x.unusable ? x : undefined;
      };
      const decl = hs.map((h) => !!usable(h));
      // an exported symbol the manifest adds after T makes the binary fail to load on T; a macro or inline does not
      const exported = hs.some((h) => ['function', 'data'].includes(usable(h)?.kind ?? '') && !usable(h)?.macroToo);
      const comp = hs.map((h) => !!limited.get(`${h}:${T}`)!.get(name)?.members);
      const all = decl.every(Boolean);
      const none = !decl.some(Boolean);
      let c: string;
      if (none) {
        // Items behind a feature macro the Linux headers do not define (MS_WINDOWS): the manifest decides.
        if (m?.ifdef && !m.abi_only && mAdded !== undefined && !newestSeen) c = mAdded <= T ? 'Y' : 'N';
        else c = 'N';
      } else if (all) c = mAdded !== undefined && mAdded > T && exported ? 'M' : 'Y';
      else if (decl[decl.length - 1]) c = 'G';
      else if (decl[0]) c = 'R';
      else {
        c = 'N';
        middleOnly.push(T);
      }
      lim += c;
      complete += comp.every(Boolean) ? 'Y' : 'N';
      inlineOnly += c === 'G' && hs.every((h) => !exportedFunction(usable(h))) ? 'Y' : 'N';
    }
    const entry: CapiEntry = {
      kind: (seen?.kind ?? (m?.kind === 'function' ? 'function' : m?.kind === 'data' ? 'data' : m?.kind === 'struct' ? 'struct' : m?.kind === 'typedef' ? 'typedef' : m?.kind === 'const' ? 'const' : 'macro')) as CapiEntry['kind'],
      header: seen?.header ?? '',
      signature: seen?.sig ?? '',
    };
    if (first !== undefined) entry.firstHeader = `3.${first}`;
    if (last !== undefined) entry.lastHeader = `3.${last}`;
    if (/[YMRG]/.test(lim)) {
      entry.limited = lim;
      if (lim.includes('G')) {
        // per target: the first header version that declares it there (hex digit of the minor), '-' for none
        entry.limitedFirstHeader = TARGET_MINORS.map((T) => {
          const h = HEADER_MINORS.find((H) => H >= T && (() => { const x = limited.get(`${H}:${T}`)!.get(name); return !!x && !x.unusable; })());
          return h === undefined ? '-' : h.toString(16);
        }).join('');
      }
      // The form the newest headers give the name at each target (Py_TYPE: a macro up to 3.13, a function from 3.14).
      const code: Record<string, string> = { function: 'f', inline: 'i', macro: 'm', const: 'c', data: 'd', typedef: 't', struct: 's', union: 's', enum: 'e', enumerator: 'e' };
      entry.limitedForms = TARGET_MINORS.map((T) => {
        const x = limited.get(`${newest}:${T}`)!.get(name);
        if (!x || x.unusable) return '-';
        return x.macroToo ? 'm' : code[x.kind];
      }).join('');
    }
    const since = lim.indexOf('Y');
    if (since >= 0) entry.limitedSince = `3.${TARGET_MINORS[since]}`;
    // Where a later header drops a name that earlier headers declared under Py_LIMITED_API (usable or not:
    // PySequence_Fast_GET_ITEM was declared for the Limited API until 3.13 though its expansion never compiled
    // there): the first header version that no longer declares it for a target at which the one before did.
    if (!lim.endsWith('Y')) {
      let lost: number | undefined;
      for (const T of TARGET_MINORS) {
        const hs = HEADER_MINORS.filter((h) => h >= T);
        for (let i = 1; i < hs.length; i++) {
          if (limited.get(`${hs[i - 1]}:${T}`)!.has(name) && !limited.get(`${hs[i]}:${T}`)!.has(name) && !hs.slice(i).some((h) => limited.get(`${h}:${T}`)!.has(name))) {
            lost = lost === undefined ? hs[i] : Math.min(lost, hs[i]);
            break;
          }
        }
      }
      if (lost !== undefined) entry.limitedRemovedIn = `3.${lost}`;
    }
    if (seen?.members || complete.includes('Y')) {
      if (seen?.members) entry.members = seen.members;
      if (complete.includes('Y')) entry.limitedComplete = complete;
      const limMembers = limited.get(`${newest}:${newest}`)!.get(name)?.members;
      if (limMembers) entry.limitedMembers = limMembers;
    }
    if (seen?.tag) entry.tag = seen.tag;
    // abi3t (3.15): declared, and for structs complete
    const t3 = abi3t.get(name);
    if (t3) {
      entry.abi3t = t3.members || !isTag ? true : 'opaque';
      if (isTag && !t3.members) entry.abi3t = 'opaque';
    }
    if (lim.includes('G') || lim.includes('M')) {
      const T = TARGET_MINORS[Math.max(lim.indexOf('G'), lim.indexOf('M'))];
      disagreements.push({
        name,
        target: `3.${T}`,
        issue: lim.includes('M') ? `headers declare it at this target but the manifest adds it in ${m?.added}` : 'newer headers declare it at this target but older ones do not',
      });
    }
    if (middleOnly.length) {
      disagreements.push({ name, target: `3.${middleOnly[0]}`, issue: 'only some header versions in between declare it at this target' });
    }
    if (m && !m.abi_only && m.kind !== 'feature_macro' && since < 0 && !m.ifdef) {
      disagreements.push({ name, target: m.added ?? '', issue: 'in the manifest but no header declares it under Py_LIMITED_API' });
    }
    if (m) {
      entry.manifest = { kind: m.kind };
      if (m.added) entry.manifest.added = m.added;
      if (m.abi_only) entry.manifest.abiOnly = true;
      if (m.ifdef) entry.manifest.ifdef = m.ifdef;
      if (m.struct_abi_kind) entry.manifest.structKind = m.struct_abi_kind;
      if (m.members) entry.manifest.members = m.members;
    }
    const bare = name.replace(/^(struct|union|enum) /, '');
    if (bare.startsWith('_') && !isTag) entry.private = true;
    if (last !== undefined && last < newest && !inInternal) entry.removedIn = `3.${last + 1}`;
    if (inlineOnly.includes('Y')) entry.limitedInline = inlineOnly;
    const sup = superseded.get(name);
    if (sup) entry.superseded = sup;
    const d = docs.get(name);
    const depVersion = deprecations.get(name) ?? d?.deprecated ?? (seen?.deprecated ? '?' : undefined);
    if (depVersion) entry.deprecated = depVersion;
    if (d) {
      entry.docs = `${d.page}#c.${name}`;
      if (d.added) entry.addedInDocs = d.added;
      if (d.removedIn) entry.docsRemovedIn = d.removedIn;
    }
    const r = refs.get(name);
    const ret = r?.returns ?? d?.returns;
    if (ret) entry.returns = ret;
    if (d?.stolen && r) {
      const idx = d.stolen.map((p) => r.params.findIndex((q) => q.name === p)).filter((i) => i >= 0);
      if (idx.length) entry.steals = idx;
    } else if (r) {
      const idx = r.params.map((p, i) => (/steal/i.test(p.comment) ? i : -1)).filter((i) => i >= 0);
      if (idx.length) entry.steals = idx;
    }
    entries[name] = entry;
  }

  const data: CapiData = {
    version: 1,
    headerVersions: HEADER_MINORS.map((m) => `3.${m}`),
    targets: TARGET_MINORS.map((m) => `3.${m}`),
    sources: {
      headers: sources,
      manifest: `stable_abi.toml sha256:${sha(path.join(SHARED, 'stable_abi.toml'))}`,
      refcounts: `refcounts.dat sha256:${sha(path.join(SHARED, 'refcounts.dat'))}`,
      docs: fs.existsSync(path.join(DOCS, '..', 'SOURCE')) ? fs.readFileSync(path.join(DOCS, '..', 'SOURCE'), 'utf8').trim() : 'python3.15-doc',
      gcc: execFileSync('gcc', ['-dumpfullversion']).toString().trim(),
    },
    names: entries,
    internal: internalNames,
    libc,
    disagreements,
  };
  const checked = CapiDataSchema.parse(data);
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  const json = JSON.stringify(checked);
  if (process.argv.includes('--check')) {
    // CI: the committed file must be what these inputs produce. When the inputs themselves moved (Debian sid
    // ships a newer 3.15 patch release), say so loudly and leave the file alone.
    const old = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
    if (old === json + '\n') {
      process.stderr.write(`data/capi.json is up to date (${Object.keys(entries).length} names)\n`);
      return;
    }
    let oldSources: unknown = null;
    try {
      oldSources = JSON.parse(old).sources;
    } catch {
      /* missing or corrupt: a real difference */
    }
    if (oldSources && JSON.stringify(oldSources) !== JSON.stringify(checked.sources)) {
      process.stderr.write(`WARNING: the inputs differ from those data/capi.json was built from:\n  committed: ${JSON.stringify(oldSources)}\n  here:      ${JSON.stringify(checked.sources)}\nRun 'npm run data:build' and commit the result to move to these inputs.\n`);
      return;
    }
    fail('data/capi.json differs from what the same inputs produce: run `npm run data:build` and commit it');
  }
  fs.writeFileSync(OUT, json + '\n');
  process.stderr.write(
    `wrote ${path.relative(process.cwd(), OUT)}: ${Object.keys(entries).length} names, ${internalNames.length} internal, ${disagreements.length} disagreements, ${(json.length / 1024).toFixed(0)} KiB in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
  );
}

main().catch((e) => fail(e instanceof Error ? (e.stack ?? e.message) : String(e)));
