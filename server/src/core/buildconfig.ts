/**
 * Build configuration, read as data and never executed: setup.py (tokenized, never run), setup.cfg,
 * pyproject.toml, meson.build, CMakeLists.txt and compile_commands.json. Tells what the build defines
 * (`Py_LIMITED_API` reaching the compiler) and what it tags (an abi3 wheel), and where.
 */
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import * as fs from 'node:fs';
import { isInside, isReallyInside, MAX_INCLUDE_BYTES, type LintHost } from './host';
import { PositionMap } from './position';
import { decodeTargetValue } from './facts/defines';
import { parseVersionString } from './version';
import { PyConstants } from './pyconst';

export interface BuildFact {
  kind: 'define' | 'tag';
  /** Python 3 minor version, or null when the build says "abi3" without a version. */
  minor: number | null;
  abi3t?: boolean;
  file: string;
  /** 1-based line, when known. */
  line?: number;
  detail: string;
  /** The build sets it to an expression abi3lint cannot evaluate without running the build file. */
  unevaluable?: string;
}

export interface BuildConfig {
  dir: string;
  files: string[];
  facts: BuildFact[];
  problems: string[];
}

export const BUILD_FILES = ['pyproject.toml', 'setup.cfg', 'setup.py', 'meson.build', 'CMakeLists.txt', 'compile_commands.json', 'build/compile_commands.json'];

/** 1-based line of an offset, by binary search over the line starts (build files can be megabytes long:
 *  counting from the start for every match was quadratic). */
function lineFinder(text: string): (index: number) => number {
  let pos: PositionMap | null = null;
  return (index) => (index < 0 ? 1 : (pos ??= new PositionMap(text)).position(index).line + 1);
}

/** More facts than this from one file are not kept (a generated build file must not flood the analysis). */
const MAX_FACTS_PER_FILE = 1000;

function versionFromDefineValue(value: string | null | undefined): number | null {
  if (value === null || value === undefined) return 2;
  const d = decodeTargetValue(String(value), { defined: new Map(), undefinedKnown: new Set(), pyVersionHex: null });
  return d.ok ? d.minor : null;
}

/** A minimal Python tokenizer: enough to read literal keyword arguments of setup()/Extension(). */
export type PyTok = { t: 'name' | 'str' | 'num' | 'op'; v: string; line: number; prefix?: string };
export function tokenizePython(src: string, limit = 200000): PyTok[] {
  const out: PyTok[] = [];
  let i = 0;
  let line = 1;
  const n = src.length;
  while (i < n && out.length < limit) {
    const c = src[i];
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\\' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    const sm = /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(src.slice(i, i + 5));
    if (sm) {
      const q = sm[2];
      const startLine = line;
      let j = i + sm[0].length;
      let val = '';
      while (j < n && !src.startsWith(q, j)) {
        if (src[j] === '\\' && j + 1 < n) {
          val += src[j + 1];
          j += 2;
          continue;
        }
        if (src[j] === '\n') {
          line++;
          if (q.length === 1) break;
        }
        val += src[j];
        j++;
      }
      i = Math.min(n, j + q.length);
      out.push({ t: 'str', v: val, line: startLine, prefix: sm[1] || undefined });
      continue;
    }
    const m = /^[A-Za-z_]\w*/.exec(src.slice(i, i + 200));
    if (m) {
      out.push({ t: 'name', v: m[0], line });
      i += m[0].length;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F_]+|\d[\d_]*(\.\d+)?)/.exec(src.slice(i, i + 64));
    if (num) {
      out.push({ t: 'num', v: num[0], line });
      i += num[0].length;
      continue;
    }
    out.push({ t: 'op', v: c, line });
    i++;
  }
  return out;
}

/** Where the expression at `from` ends: the first ',', ')' or ']' outside brackets (for messages). */
function exprEnd(toks: PyTok[], from: number): number {
  let depth = 0;
  for (let j = from; j < toks.length && j < from + 64; j++) {
    const v = toks[j].v;
    if (toks[j].t === 'op' && (v === '(' || v === '[' || v === '{')) depth++;
    else if (toks[j].t === 'op' && (v === ')' || v === ']' || v === '}')) {
      if (depth === 0) return j;
      depth--;
    } else if (toks[j].t === 'op' && v === ',' && depth === 0) return j;
  }
  return from + 1;
}

/** The text of an expression's tokens, for messages. */
const exprText = (toks: PyTok[], from: number, to: number): string =>
  toks
    .slice(from, Math.min(Math.max(to, exprEnd(toks, from)), from + 24))
    .map((t) => (t.t === 'str' ? JSON.stringify(t.v) : t.v))
    .join('')
    .slice(0, 60);

function readSetupPy(file: string, text: string, facts: BuildFact[]): void {
  const toks = tokenizePython(text);
  let consts: PyConstants | null = null;
  const evaluate = (i: number) => (consts ??= new PyConstants(toks)).evaluate(i);
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    // ("Py_LIMITED_API", "0x03090000") or ('Py_LIMITED_API', None) inside define_macros, or a value that names
    // module-level constants ("0x{:02x}{:02x}0000".format(*MIN_PY_VERSION))
    if (t.t === 'str' && t.v === 'Py_LIMITED_API' && toks[i + 1]?.v === ',') {
      const v = toks[i + 2];
      if (!v) continue;
      if (v.t === 'name' && v.v === 'None') {
        facts.push({ kind: 'define', minor: versionFromDefineValue(null), file, line: t.line, detail: 'define_macros Py_LIMITED_API=' });
        continue;
      }
      const e = evaluate(i + 2);
      const value = typeof e.value === 'number' ? `0x${e.value.toString(16)}` : typeof e.value === 'string' ? e.value : undefined;
      if (value === undefined) {
        const expr = exprText(toks, i + 2, e.next);
        facts.push({ kind: 'define', minor: null, file, line: t.line, detail: `define_macros Py_LIMITED_API=${expr}`, unevaluable: expr });
      } else {
        const shown = v.t === 'str' && e.next === i + 3 ? value : `${exprText(toks, i + 2, e.next)} = ${value}`;
        facts.push({ kind: 'define', minor: versionFromDefineValue(value), file, line: t.line, detail: `define_macros Py_LIMITED_API=${shown}` });
      }
    }
    // "-DPy_LIMITED_API=0x..." in extra_compile_args
    if (t.t === 'str') {
      const m = /^[-/]DPy_LIMITED_API(?:=(.*))?$/.exec(t.v);
      if (m) facts.push({ kind: 'define', minor: versionFromDefineValue(m[1] ?? null), file, line: t.line, detail: `${t.v}` });
    }
    // py_limited_api=True (Extension) / "py_limited_api": "cp39" (bdist_wheel options), maybe from a constant
    if ((t.t === 'name' || t.t === 'str') && t.v === 'py_limited_api') {
      const sep = toks[i + 1];
      const v = toks[i + 2];
      if (!sep || !v || (sep.v !== '=' && sep.v !== ':')) continue;
      if (v.t === 'name' && v.v === 'True') facts.push({ kind: 'tag', minor: null, file, line: t.line, detail: 'Extension(py_limited_api=True)' });
      else if (v.t === 'str' || v.t === 'name') {
        const e = evaluate(i + 2);
        const minor = typeof e.value === 'string' ? parseVersionString(e.value) : null;
        if (minor !== null) facts.push({ kind: 'tag', minor, file, line: t.line, detail: `bdist_wheel py_limited_api=${v.t === 'str' ? e.value : `${v.v} = ${e.value}`}` });
      }
    }
  }
}

function readSetupCfg(file: string, text: string, facts: BuildFact[]): void {
  let section = '';
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    const s = /^\[([^\]]+)\]$/.exec(l);
    if (s) {
      section = s[1].trim();
      continue;
    }
    const kv = /^([A-Za-z_.-]+)\s*[=:]\s*(.*)$/.exec(l);
    if (!kv) continue;
    const key = kv[1].replace(/-/g, '_');
    if ((section === 'bdist_wheel' || section === 'wheel') && key === 'py_limited_api') {
      const minor = parseVersionString(kv[2]);
      if (minor !== null) facts.push({ kind: 'tag', minor, file, line: i + 1, detail: `[${section}] py_limited_api = ${kv[2]}` });
    }
  }
}

function readPyproject(file: string, text: string, facts: BuildFact[], problems: string[]): void {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    problems.push(`${file}: not valid TOML (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
    return;
  }
  const get = (obj: unknown, ...keys: string[]): unknown => {
    let cur = obj;
    for (const k of keys) {
      if (!cur || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string, unknown>)[k];
    }
    return cur;
  };
  const lineOf = lineFinder(text);
  const at = (needle: string): number => lineOf(text.indexOf(needle));
  // scikit-build-core: [tool.scikit-build] wheel.py-api = "cp39"
  const pyApi = get(doc, 'tool', 'scikit-build', 'wheel', 'py-api') ?? get(doc, 'tool', 'scikit-build', 'wheel.py-api');
  if (typeof pyApi === 'string') {
    const minor = parseVersionString(pyApi.replace(/^cp/, 'cp'));
    if (/^cp3\d+/.test(pyApi) && minor !== null) facts.push({ kind: 'tag', minor, file, line: at('py-api'), detail: `tool.scikit-build wheel.py-api = "${pyApi}"` });
  }
  // meson-python: [tool.meson-python] limited-api = true
  if (get(doc, 'tool', 'meson-python', 'limited-api') === true) facts.push({ kind: 'tag', minor: null, file, line: at('limited-api'), detail: 'tool.meson-python limited-api = true' });
  // setuptools: [[tool.setuptools.ext-modules]] py-limited-api = true, define-macros = [["Py_LIMITED_API", "0x03090000"]]
  const exts = get(doc, 'tool', 'setuptools', 'ext-modules');
  if (Array.isArray(exts)) {
    for (const e of exts) {
      if (get(e, 'py-limited-api') === true) facts.push({ kind: 'tag', minor: null, file, line: at('py-limited-api'), detail: 'tool.setuptools.ext-modules py-limited-api = true' });
      const dm = get(e, 'define-macros');
      if (Array.isArray(dm)) {
        for (const pair of dm) {
          if (Array.isArray(pair) && pair[0] === 'Py_LIMITED_API') {
            facts.push({ kind: 'define', minor: versionFromDefineValue(pair[1] as string | null), file, line: at('Py_LIMITED_API'), detail: `define-macros Py_LIMITED_API=${pair[1] ?? ''}` });
          }
        }
      }
    }
  }
  const bw = get(doc, 'tool', 'distutils', 'bdist_wheel', 'py-limited-api') ?? get(doc, 'tool', 'distutils', 'bdist_wheel', 'py_limited_api');
  if (typeof bw === 'string' && parseVersionString(bw) !== null) facts.push({ kind: 'tag', minor: parseVersionString(bw), file, line: at('limited'), detail: `tool.distutils.bdist_wheel py-limited-api = "${bw}"` });
}

/** meson.build and CMakeLists.txt: token scans of their (non-executable for us) call syntax. */
function readMeson(file: string, text: string, facts: BuildFact[]): void {
  const lineOf = lineFinder(text);
  const re = /\blimited_api\s*:\s*'([^']*)'|'-DPy_LIMITED_API(?:=([^']*))?'/g;
  let m: RegExpExecArray | null;
  for (let n = 0; (m = re.exec(text)) && n <= MAX_FACTS_PER_FILE; n++) {
    if (m[1] !== undefined) {
      const minor = parseVersionString(m[1]);
      // meson defines Py_LIMITED_API itself for extension_module(limited_api: ...)
      facts.push({ kind: 'define', minor, file, line: lineOf(m.index), detail: `limited_api: '${m[1]}'` });
    } else facts.push({ kind: 'define', minor: versionFromDefineValue(m[2] ?? null), file, line: lineOf(m.index), detail: m[0] });
  }
}

function readCMake(file: string, text: string, facts: BuildFact[]): void {
  const lineOf = lineFinder(text);
  const re = /\bUSE_SABI\s+([0-9.]+)|\bPy_LIMITED_API(?:=([0-9A-Fa-fxX]+))?/g;
  let m: RegExpExecArray | null;
  for (let n = 0; (m = re.exec(text)) && n <= MAX_FACTS_PER_FILE; n++) {
    const before = text.slice(Math.max(0, text.lastIndexOf('\n', m.index)), m.index);
    if (before.trim().startsWith('#')) continue;
    if (m[1]) facts.push({ kind: 'define', minor: parseVersionString(m[1]), file, line: lineOf(m.index), detail: `USE_SABI ${m[1]}` });
    else if (m[2]) facts.push({ kind: 'define', minor: versionFromDefineValue(m[2]), file, line: lineOf(m.index), detail: `Py_LIMITED_API=${m[2]}` });
  }
}

function readCompileCommands(file: string, text: string, facts: BuildFact[], problems: string[], forFile: string | undefined): void {
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    problems.push(`${file}: not valid JSON`);
    return;
  }
  if (!Array.isArray(entries)) return;
  for (const e of entries.slice(0, 100000)) {
    if (!e || typeof e !== 'object') continue;
    const rec = e as { file?: string; directory?: string; arguments?: string[]; command?: string };
    if (forFile && rec.file) {
      const abs = path.resolve(rec.directory ?? path.dirname(file), rec.file);
      if (abs !== forFile) continue;
    }
    const args = Array.isArray(rec.arguments) ? rec.arguments.join(' ') : (rec.command ?? '');
    const m = /(?:^|\s)[-/]DPy_LIMITED_API(?:=(\S+))?/.exec(args);
    if (m) {
      facts.push({ kind: 'define', minor: versionFromDefineValue(m[1] ?? null), file, detail: `-DPy_LIMITED_API${m[1] ? '=' + m[1] : ''}` });
      if (forFile) return;
    }
  }
}

/** A build file's text; a file that exists but is not read (too large, not a regular file, a link out of the
 *  workspace) is named in `problems`. */
function readBuildFile(host: LintHost, file: string, root: string | undefined, problems: string[]): string | undefined {
  const text = host.readFile(file);
  if (text === undefined) {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (st && !st.isFile()) problems.push(`${path.basename(file)} is not a regular file: not read`);
    else if (st && st.size > MAX_INCLUDE_BYTES) problems.push(`${path.basename(file)} is ${(st.size / 1048576).toFixed(1)} MB, over the ${MAX_INCLUDE_BYTES / 1048576} MB limit for build files: not read`);
    return undefined;
  }
  if (root && host.stamp?.(file) !== null && !isReallyInside(root, file)) {
    problems.push(`${path.basename(file)} is a link that leaves the workspace (${file}): not read`);
    return undefined;
  }
  return text;
}

function readOne(file: string, name: string, text: string, cfg: BuildConfig, forFile: string): void {
  const before = cfg.facts.length;
  if (name === 'setup.py') readSetupPy(file, text, cfg.facts);
  else if (name === 'setup.cfg') readSetupCfg(file, text, cfg.facts);
  else if (name === 'pyproject.toml') readPyproject(file, text, cfg.facts, cfg.problems);
  else if (name === 'meson.build') readMeson(file, text, cfg.facts);
  else if (name === 'CMakeLists.txt') readCMake(file, text, cfg.facts);
  else readCompileCommands(file, text, cfg.facts, cfg.problems, path.resolve(forFile));
  if (cfg.facts.length - before > MAX_FACTS_PER_FILE) {
    cfg.problems.push(`${name}: only its first ${MAX_FACTS_PER_FILE} Py_LIMITED_API settings were read (it has more)`);
    cfg.facts.length = before + MAX_FACTS_PER_FILE;
  }
}

/**
 * Reads the build configuration of the nearest folder (from the file's folder up to `root`) that has one.
 */
export function readBuildConfig(forFile: string, root: string | undefined, host: LintHost, empty?: Set<string>, found?: Map<string, BuildConfig>): BuildConfig | null {
  let dir = path.dirname(path.resolve(forFile));
  for (let depth = 0; depth < 12; depth++) {
    if (root && !isInside(root, dir)) return null;
    const known = found?.get(dir);
    if (known) return known;
    if (empty?.has(dir)) {
      // (a folder known to hold no build file: go on up without looking again)
      const up = path.dirname(dir);
      if (up === dir) return null;
      dir = up;
      continue;
    }
    const present: { name: string; text: string }[] = [];
    const problems: string[] = [];
    for (const name of BUILD_FILES) {
      const text = readBuildFile(host, path.join(dir, name), root, problems);
      if (text !== undefined) present.push({ name, text });
    }
    if (present.length || problems.length) {
      const cfg: BuildConfig = { dir, files: present.map((p) => path.join(dir, p.name)), facts: [], problems };
      for (const { name, text } of present) readOne(path.join(dir, name), name, text, cfg, forFile);
      // the same folder's files serve every source under it, but a compilation database answers per file
      if (!present.some((p) => p.name.endsWith('compile_commands.json'))) found?.set(dir, cfg);
      return cfg;
    }
    empty?.add(dir);
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  return null;
}

/** The target the build configuration gives (what reaches the compiler first, else what the wheel is tagged). */
export function buildTarget(cfg: BuildConfig | null): { minor: number; abi3t: boolean; file: string; line?: number; detail: string; kind: 'define' | 'tag' } | null {
  if (!cfg) return null;
  const def = cfg.facts.find((f) => f.kind === 'define' && f.minor !== null);
  if (def) return { minor: def.minor!, abi3t: false, file: def.file, line: def.line, detail: def.detail, kind: 'define' };
  const tag = cfg.facts.find((f) => f.kind === 'tag' && f.minor !== null);
  if (tag) return { minor: tag.minor!, abi3t: false, file: tag.file, line: tag.line, detail: tag.detail, kind: 'tag' };
  return null;
}
