/**
 * npm run fuzz -- [--iterations N] [--seed S] [--seconds T] [--no-lsp]
 *
 * Feeds random and mutated inputs to the core, the CLI and the language server (over stdio) and checks the
 * invariants: nothing throws or hangs, no internal error, every finding and edit lies inside the document,
 * fix-all edits never overlap, applying fix-all twice changes nothing the second time, a fix never breaks
 * the parse of a file that parsed cleanly, each input is analysed within a time and memory bound, the server
 * answers after every input. A failing input is saved under test/fixtures/fuzz/ as a regression fixture.
 */
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { readBuildConfig } from '../server/src/core/buildconfig';
import { applyEdits, fixAllEdits } from '../server/src/core/fixes';
import { fsHost } from '../server/src/core/host';
import { MAX_LIST_ENTRIES, parseSettings, SettingsSchema } from '../server/src/core/settings';
import { lint } from '../server/src/core/lint';
import { PositionMap } from '../server/src/core/position';
import { scanDirectives } from '../server/src/core/preproc';
import { directivesMet } from '../server/src/core/scan';
import { initParser, type Parser } from '../server/src/core/parser';
import { DocumentSession } from '../server/src/core/session';
import type { LintResult, TextEdit } from '../server/src/core/types';
import { generateSource } from './gen-source';
import { LspClient } from './lsp-client';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures');
const OUT = path.join(FIXTURES, 'fuzz');
/** Per-input bounds: generous for a 2-core machine, far below a hang. */
export const TIME_BOUND_MS = 5000;
export const HEAP_BOUND_MB = 1024;

export class Rng {
  constructor(private s: number) {}
  next(): number {
    this.s = (this.s * 1664525 + 1013904223) >>> 0;
    return this.s / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: T[]): T {
    return xs[this.int(xs.length)];
  }
}

const TOKENS = ['#if', '#ifdef X', '#else', '#endif', '#elif 0', '#define Py_LIMITED_API 0x030A0000', '#define Py_LIMITED_API', '#define Py_TARGET_ABI3T 0x030F0000', '#include <Python.h>', '#include "self.h"', '/*', '*/', '//', '"', "'", '\\\n', '(', ')', '{', '}', '->tp_name', '.ob_refcnt', 'PyTuple_GET_ITEM(a, 0)', 'PyList_GET_ITEM(', 'PY_VERSION_HEX >=', 'Py_PACK_VERSION(3, 12)', '\0', '\r\n', '\uFEFF', '😀', 'static PyTypeObject T = {', 'abi3lint: ignore[ABI004]', '\\'];

/** One fuzz input. */
export function makeInput(rng: Rng, corpus: string[]): string {
  const kind = rng.int(6);
  if (kind === 0) {
    // random bytes (read as latin1: every byte survives)
    const n = rng.int(4000);
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = rng.int(256);
    return b.toString(rng.int(2) ? 'latin1' : 'utf8');
  }
  const base = rng.pick(corpus);
  if (kind === 1) {
    // byte flips
    const chars = [...base];
    for (let k = 0; k < 1 + rng.int(20); k++) chars[rng.int(Math.max(1, chars.length))] = String.fromCharCode(rng.int(128));
    return chars.join('');
  }
  if (kind === 2) return base.slice(0, rng.int(base.length + 1)); // truncation
  if (kind === 3) {
    // token splices
    let s = base;
    for (let k = 0; k < 1 + rng.int(10); k++) {
      const at = rng.int(s.length + 1);
      s = s.slice(0, at) + rng.pick(TOKENS) + s.slice(at);
    }
    return s;
  }
  if (kind === 4) {
    // splice two fixtures
    const other = rng.pick(corpus);
    return base.slice(0, rng.int(base.length + 1)) + other.slice(rng.int(other.length + 1));
  }
  // grammar-based: generated extension code with random directives and API calls
  let s = generateSource(20 + rng.int(400), rng.int(1e6));
  for (let k = 0; k < rng.int(6); k++) {
    const lines = s.split('\n');
    lines.splice(rng.int(lines.length), 0, rng.pick(TOKENS));
    s = lines.join('\n');
  }
  return s;
}

/** What an editor does between two analyses: type a character or a token, delete a span, break or join lines. */
export const EDITS = ['x', ' ', '\n', '\n    ', 'PyTuple_GET_ITEM(t, 0)', 'Py_NewRef(o);', '(', ')', '{', '}', ';', '#if 0\n', '#endif\n', '/*', '*/', '"', '\\', 'int PyList_GET_SIZE(void);\n', '->tp_name', 'PyTypeObject T', 'abi3lint: ignore'];

/**
 * The incremental form (the language server's DocumentSession: moved directives, kept findings, regional
 * rescans) against a full analysis of the same text and tree, after each of a seeded series of edits. Null
 * when they agree.
 */
export async function checkIncremental(text: string, seed: number, steps = 12): Promise<string | null> {
  const rng = new Rng(seed);
  const file = '/fuzz/session.c';
  const opts = { settings: { target: '3.9' }, buildConfig: null };
  const key = (r: LintResult): string => JSON.stringify([r.target, r.minimumVersion, r.inactive, r.internalError ?? null, r.findings.map((f) => [f.code, f.range, f.message, f.fixes])]);
  const session = new DocumentSession(file, text);
  try {
    let cur = text;
    await session.lint(opts);
    for (let i = 0; i < steps; i++) {
      const pos = new PositionMap(cur);
      // mostly near one spot, as typing is
      const a = rng.int(cur.length + 1);
      const b = rng.int(3) ? a : Math.min(cur.length, a + rng.int(16));
      const ins = rng.int(4) ? rng.pick(EDITS) : '';
      session.applyChanges([{ range: { start: pos.position(a), end: pos.position(b) }, text: ins }]);
      cur = cur.slice(0, a) + ins + cur.slice(b);
      const inc = await session.lint(opts);
      // the oracle: a full analysis of the same tree (an incremental re-parse of broken code may recover
      // differently from a fresh parse; the analysis must not add differences of its own)
      const full = await session.lintFull(opts);
      if (key(inc) !== key(full)) {
        if (process.env.ABI3LINT_FUZZ_VERBOSE) console.error(firstDifference(inc, full));
        return `incremental (seed ${seed}): after edit ${i} (${JSON.stringify(ins)} at ${a}..${b}) the session differs from a full analysis`;
      }
    }
    return null;
  } finally {
    session.dispose();
  }
}

/** The first finding (or field) where an incremental result and the full analysis differ, for
 *  ABI3LINT_FUZZ_VERBOSE=1. */
function firstDifference(inc: LintResult, full: LintResult): string {
  for (const k of ['target', 'minimumVersion', 'inactive', 'internalError'] as const) {
    if (JSON.stringify(inc[k]) !== JSON.stringify(full[k])) return `${k}: ${JSON.stringify(inc[k])} vs ${JSON.stringify(full[k])}`;
  }
  const show = (f: LintResult['findings'][number] | undefined): string => (f ? JSON.stringify([f.code, f.range, f.message, f.fixes]) : 'nothing');
  for (let i = 0; i < Math.max(inc.findings.length, full.findings.length); i++) {
    if (show(inc.findings[i]) !== show(full.findings[i])) return `finding ${i}:\n  incremental ${show(inc.findings[i])}\n  full        ${show(full.findings[i])}`;
  }
  return 'no difference found';
}

/** Build files as templates to mutate: each format's Py_LIMITED_API and abi3 spellings. */
const BUILD_TEMPLATES: Record<string, string> = {
  'setup.py': "from setuptools import setup, Extension\nmacros = []\nmacros.append(('Py_LIMITED_API', '0x03090000'))\nsetup(ext_modules=[Extension('m', ['m.c'], py_limited_api=True, define_macros=macros + [('Py_LIMITED_API', hexversion)])], options={'bdist_wheel': {'py_limited_api': 'cp39'}})\n",
  'setup.cfg': '[bdist_wheel]\npy_limited_api = cp39\n[build_ext]\ndefine = Py_LIMITED_API=0x03090000\n',
  'pyproject.toml': '[tool.scikit-build]\nwheel.py-api = "cp39"\n[tool.meson-python]\nlimited-api = true\n[[tool.setuptools.ext-modules]]\nname = "m"\npy-limited-api = true\ndefine-macros = [["Py_LIMITED_API", "0x03090000"]]\n',
  'meson.build': "py.extension_module('m', 'm.c', limited_api: '3.9', c_args: ['-DPy_LIMITED_API=0x03090000'])\n",
  'CMakeLists.txt': 'Python_add_library(m MODULE USE_SABI 3.9 WITH_SOABI m.c)\nadd_compile_definitions(Py_LIMITED_API=0x03090000)\n',
  'compile_commands.json': '[{"directory": ".", "file": "m.c", "arguments": ["cc", "-DPy_LIMITED_API=0x03090000", "-c", "m.c"]}]',
};

/** A mutated or blown-up build file: read as data within the time bound, never throwing. */
export function checkBuildFile(rng: Rng): string | null {
  const name = rng.pick(Object.keys(BUILD_TEMPLATES));
  let text = BUILD_TEMPLATES[name];
  const chars = ['"', "'", '[', ']', '(', ')', '{', '}', '\\', '\n', '=', ',', '#', '\0', '😀', '\r\n', '0x', 'Py_LIMITED_API'];
  for (let k = rng.int(30); k > 0; k--) {
    const at = rng.int(text.length + 1);
    text = text.slice(0, at) + (rng.int(3) ? rng.pick(chars) : text.slice(rng.int(text.length), rng.int(text.length))) + text.slice(at + rng.int(3));
  }
  if (rng.int(50) === 0) text = text.repeat(Math.ceil((1.9 * 1048576) / Math.max(1, text.length))).slice(0, 1.9 * 1048576);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-fuzz-build-'));
  try {
    fs.writeFileSync(path.join(dir, name), text);
    const t0 = performance.now();
    readBuildConfig(path.join(dir, 'm.c'), dir, fsHost);
    const ms = performance.now() - t0;
    return ms > TIME_BOUND_MS ? `${name} of ${text.length} bytes took ${ms.toFixed(0)} ms` : null;
  } catch (e) {
    return `${name}: readBuildConfig threw ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Random settings objects: parsed without throwing, into valid settings, with bounded problems. */
export function checkSettings(rng: Rng): string | null {
  const values: unknown[] = [null, true, 0, -1, 1.5, '', '3.9', 'banana', '0x030A0000', [], ['**/x'], {}, { ABI004: 'off' }, { constructor: 'off' }, JSON.parse('{"__proto__": {"polluted": 1}}'), 'x'.repeat(5000), Array.from({ length: rng.int(2000) }, (_, i) => `p${i % 7}`)];
  const keys = ['target', 'abi3t', 'severity', 'exclude', 'includeDirs', 'logLevel', 'unknown', '__proto__', 'constructor', 'k'.repeat(rng.int(3000))];
  const raw: Record<string, unknown> = {};
  for (let k = rng.int(8); k > 0; k--) raw[rng.pick(keys)] = rng.pick(values);
  try {
    const { settings, problems } = parseSettings(rng.int(10) ? raw : rng.pick(values), (k) => /^ABI0\d\d$/.test(k));
    const again = SettingsSchema.safeParse(settings);
    if (!again.success) return `parseSettings returned invalid settings for ${JSON.stringify(raw).slice(0, 200)}`;
    if (problems.join('').length > 20000) return `${problems.join('').length} characters of problems`;
    if (settings.exclude.length > MAX_LIST_ENTRIES || settings.includeDirs.length > MAX_LIST_ENTRIES) return 'a list setting was not capped';
    if (({} as Record<string, unknown>).polluted !== undefined) return 'prototype pollution';
    return null;
  } catch (e) {
    return `parseSettings threw ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Invariants of one lint result on one text; returns the first violation, or null. */
export async function checkInvariants(text: string, file = '/fuzz/input.c'): Promise<string | null> {
  const { parser } = await initParser();
  const t0 = performance.now();
  let r: LintResult;
  try {
    r = await lint({ path: file, text }, { settings: { target: '3.9' }, buildConfig: null });
  } catch (e) {
    return `lint threw: ${e instanceof Error ? e.message : String(e)}`;
  }
  const ms = performance.now() - t0;
  if (ms > TIME_BOUND_MS) return `took ${ms.toFixed(0)} ms (bound ${TIME_BOUND_MS})`;
  const heap = process.memoryUsage().heapUsed / 1048576;
  if (heap > HEAP_BOUND_MB) return `heap ${heap.toFixed(0)} MB (bound ${HEAP_BOUND_MB})`;
  if (r.internalError) return `internal error: ${r.internalError}`;
  // the one lexer: the preprocessor's scanner and the rules' lexical pass meet the same directives
  const pre = scanDirectives(text).map((d) => `${d.start}:${d.line}`).join(' ');
  const met = directivesMet(text).map((d) => `${d.start}:${d.line}`).join(' ');
  if (pre !== met) return `the preprocessor and the lexical pass disagree on directives: [${pre}] vs [${met}]`;
  const pos = new PositionMap(text);
  const inside = (p: { line: number; character: number }): boolean => p.line >= 0 && p.line < pos.lineCount && p.character >= 0 && pos.offset(p.line, p.character) <= text.length;
  for (const f of r.findings) {
    if (!inside(f.range.start) || !inside(f.range.end)) return `finding ${f.code} out of range ${JSON.stringify(f.range)}`;
    for (const fx of f.fixes) for (const e of fx.edits) if (!inside(e.range.start) || !inside(e.range.end)) return `edit of ${f.code} out of range`;
  }
  // fix-all: non-overlapping, idempotent, never breaks a clean parse
  const { edits, deferred, applied } = fixAllEdits(r.findings, { unsafe: true });
  const once = applyEdits(text, edits);
  if (once.skipped) return `fix-all produced ${once.skipped} overlapping or out-of-range edits`;
  if (once.text !== text) {
    const before = parser.parse(text);
    const after = parser.parse(once.text);
    // (tree-sitter-c has no place for a conditional inside an initializer list, where gcc takes one: a fix that
    // keeps a slot entry behind #if ... #endif breaks the tree, not the C. The text with the conditional lines
    // the fixes add left blank is what must parse.)
    const broke = before && after && !before.rootNode.hasError && after.rootNode.hasError && parsesWithError(parser, applyEdits(text, edits.map(blankConditionals)).text);
    const brokenBefore = !!before?.rootNode.hasError;
    before?.delete();
    after?.delete();
    if (broke) return 'a fix broke the parse of a file that parsed cleanly';
    let r2: LintResult;
    try {
      r2 = await lint({ path: file, text: once.text }, { settings: { target: '3.9' }, buildConfig: null });
    } catch (e) {
      return `lint threw after fix-all: ${String(e)}`;
    }
    // Applying fix-all twice changes nothing the second time, unless the first pass had to leave fixes for
    // later (overlapping ones, or findings past the per-file cap), or rewrote or added a directive (a guard that
    // now tests Py_LIMITED_API+0; a shim's #if block in a file whose own #if/#endif do not balance, or that does
    // not parse cleanly, where the recovery around it changes: other code switches on, and its findings get
    // fixes in the next pass), or migrated a static type (the other types may convert in the next pass).
    const capped = r.notices.some((x) => /more findings were not reported/.test(x));
    const lines = text.split('\n');
    const rewroteDirective =
      edits.some((e) => (/^\s*#/m.test(e.newText) && (brokenBefore || evaluateConditionalsUnbalanced(text))) || (/^\s*#/.test(lines[e.range.start.line] ?? '') && (e.range.start.line !== e.range.end.line || e.range.start.character !== e.range.end.character))) ||
      applied.some((f) => f.kind === 'migrate');
    const again = fixAllEdits(r2.findings, { unsafe: true });
    if (!deferred && !capped && !rewroteDirective && again.edits.length) return `fix-all applied twice changes the text again (${again.edits.length} edits)`;
  }
  return null;
}

/** An edit with the conditional directive lines it adds left blank (as many lines). */
function blankConditionals(e: TextEdit): TextEdit {
  return { range: e.range, newText: e.newText.replace(/^[ \t]*#[ \t]*(?:if|ifdef|ifndef|elif|else|endif)\b.*$/gm, '') };
}

function parsesWithError(parser: Parser, text: string): boolean {
  const t = parser.parse(text);
  const bad = !!t?.rootNode.hasError;
  t?.delete();
  return bad;
}

/** Whether the file's #if / #endif do not balance (then an inserted, balanced #if block can still change what
 *  the conditions around it mean). */
function evaluateConditionalsUnbalanced(text: string): boolean {
  let depth = 0;
  for (const d of scanDirectives(text)) {
    if (d.name === 'if' || d.name === 'ifdef' || d.name === 'ifndef') depth++;
    else if (d.name === 'endif' && --depth < 0) return true;
    else if ((d.name === 'else' || d.name === 'elif') && depth === 0) return true;
  }
  return depth !== 0;
}

function save(text: string, why: string): string {
  fs.mkdirSync(OUT, { recursive: true });
  const name = crypto.createHash('sha1').update(text).digest('hex').slice(0, 12);
  const file = path.join(OUT, `${name}.c`);
  fs.writeFileSync(file, text, 'latin1');
  fs.writeFileSync(`${file}.why`, why + '\n');
  return file;
}

/** The language server fed whole texts: each must be analysed (its status arrives) and answer a hover. */
class Server {
  private readonly client = new LspClient(undefined, { ...process.env, ABI3LINT_DEBOUNCE_MS: '0' });
  private version = 1;
  private readonly uri = pathToFileURL('/fuzz/server-input.c').href;
  constructor() {
    this.client.settings = { target: '3.9' };
  }
  private analysed(version: number, since: number): Promise<unknown> {
    // every analysis ends with a status notification for its version (diagnostics are republished only when they change)
    return this.client.within(TIME_BOUND_MS * 2, 'abi3lint/status', (p: { version?: number }) => p.version === version, since);
  }
  async start(): Promise<void> {
    await this.client.initialize(null);
    const since = this.client.mark();
    await this.client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: this.uri, languageId: 'c', version: 1, text: '' } });
    await this.analysed(1, since);
  }
  async feed(text: string): Promise<string | null> {
    if (this.client.proc.exitCode !== null) return `server exited (${this.client.proc.exitCode})`;
    this.version++;
    const since = this.client.mark();
    await this.client.conn.sendNotification('textDocument/didChange', { textDocument: { uri: this.uri, version: this.version }, contentChanges: [{ text }] });
    try {
      await this.analysed(this.version, since);
      await this.client.conn.sendRequest('textDocument/hover', { textDocument: { uri: this.uri }, position: { line: 0, character: 1 } });
    } catch (e) {
      return `server: ${e instanceof Error ? e.message : String(e)}`;
    }
    this.client.received.length = 0; // (nothing older is waited for: keep the record short)
    return null;
  }
  get alive(): boolean {
    return this.client.proc.exitCode === null;
  }
  stop(): Promise<void> {
    return this.client.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { iterations: { type: 'string' }, seed: { type: 'string' }, seconds: { type: 'string' }, 'no-lsp': { type: 'boolean' } } });
  const iterations = Number(values.iterations ?? 1000);
  const seconds = Number(values.seconds ?? Infinity);
  const seed = Number(values.seed ?? Date.now() % 1e9);
  const rng = new Rng(seed);
  const corpus: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(c|h)$/.test(e.name)) corpus.push(fs.readFileSync(p, 'latin1'));
    }
  };
  walk(FIXTURES);
  walk(path.join(ROOT, 'examples'));
  const server = values['no-lsp'] ? null : new Server();
  await server?.start();
  const t0 = Date.now();
  let failures = 0;
  let n = 0;
  for (; n < iterations && (Date.now() - t0) / 1000 < seconds; n++) {
    const text = makeInput(rng, corpus);
    let why = await checkInvariants(text);
    if (!why && server && n % 5 === 0) why = await server.feed(text);
    if (!why && n % 3 === 0 && text.length < 200000) why = await checkIncremental(text, seed + n);
    if (!why && n % 20 === 0) why = checkBuildFile(rng) ?? checkSettings(rng);
    if (!why && n % 200 === 0) {
      // the CLI on the same input: exit 0 or 1, never 2, no stack trace
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-fuzz-'));
      fs.writeFileSync(path.join(dir, 'input.c'), text, 'latin1');
      const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'abi3lint.js'), '--target', '3.9', '--format', 'json', 'input.c'], { cwd: dir, encoding: 'utf8', timeout: TIME_BOUND_MS * 4 });
      if (r.status !== 0 && r.status !== 1) why = `CLI exited ${r.status}: ${r.stderr.slice(0, 300)}`;
      else {
        try {
          JSON.parse(r.stdout);
        } catch {
          why = 'CLI printed invalid JSON';
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
    if (why) {
      failures++;
      const file = save(text, why);
      process.stdout.write(`FAIL #${n}: ${why}\n  saved ${path.relative(ROOT, file)}\n`);
      if (server && !server.alive) break;
    }
    if (n % 500 === 0 && n) process.stderr.write(`${n} inputs, ${failures} failures, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  }
  await server?.stop();
  process.stdout.write(`fuzz: ${n} inputs (seed ${seed}) in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${failures} failures\n`);
  process.exitCode = failures ? 1 : 0;
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`fuzz: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(2);
  });
}
