/**
 * The runtime truth: builds a small C module once as an abi3 shared object against the headers you choose, then
 * imports it and calls its `run(helpers)` with every CPython on this machine from the target up, each call in a
 * forked child (scripts/runtime_driver.py). "Build with the lowest version, test on every minor" as a command:
 *
 *   node out/scripts/runtime.js [--target 3.9] [--headers 3.9] [-D NAME[=V]]... file.c...
 *   node out/scripts/runtime.js --facts [--json out.json] [--markdown]   # every proof of data/behaviour.json
 *
 * A proof file is C that includes Python.h and defines `static PyObject *proof(PyObject *self, PyObject *helpers)`
 * (helpers: a dict from the driver: version, spec, Index, IntOnly, WithMeta, BufferByDunder); the harness adds the
 * module around it. Per interpreter the outcome is ok (with the repr of the result), exception (type and
 * message), import-error, crash (the signal) or timeout, plus any warnings raised. Interpreters: pyenv's
 * 3.X versions (the newest patch of each minor) and $ABI3LINT_CACHE/pythons/3.X/python
 * (scripts/fetch-python-interpreters: Debian sid's 3.14 and 3.15, unpacked). Builds are cached by content.
 *
 * This runs the code it is given: it is a developer's and CI's tool, never started by the editor or the server.
 */
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { minorNumber } from '../server/src/core/behaviour';
import { minorToHex } from '../server/src/core/version';
import { CACHE } from './cache';

const run = promisify(execFile);

export interface Interpreter {
  /** "3.X" */
  minor: string;
  /** The full version the interpreter reports, e.g. "3.9.18". */
  version: string;
  /** Where it comes from (pyenv, Debian sid). */
  source: string;
  command: string;
}

export interface BuildSpec {
  /** The proof's C file. */
  file: string;
  /** Py_LIMITED_API as "3.X". */
  target: string;
  /** The header version to build with, "3.X" (a folder of $CACHE/headers). */
  headers: string;
  /** Extra -D options, as NAME or NAME=VALUE. */
  defines?: string[];
  /** Built with the full API (no Py_LIMITED_API) and run only on the Python of `headers`: what the real
   *  functions do, for a proof of a shim of API the Limited API lacks. */
  full?: boolean;
}

export type Status = 'ok' | 'exception' | 'import-error' | 'crash' | 'timeout' | 'not-run';

export interface Outcome {
  status: Status;
  detail: string;
  warnings: string[];
}

const DRIVER = path.resolve(__dirname, '../../scripts/runtime_driver.py');

export { minorNumber };
export const hexOf = (m: string): string => minorToHex(minorNumber(m));

function versionOf(command: string): string | null {
  const r = spawnSync(command, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8', timeout: 20000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

function pyenvRoot(): string | null {
  if (process.env.PYENV_ROOT && fs.existsSync(process.env.PYENV_ROOT)) return process.env.PYENV_ROOT;
  const r = spawnSync('pyenv', ['root'], { encoding: 'utf8' });
  if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  const home = path.join(process.env.HOME ?? '', '.pyenv');
  return fs.existsSync(home) ? home : null;
}

/** The CPython 3 interpreters here, one per minor version (the newest patch release), oldest first. */
export function interpreters(): Interpreter[] {
  const byMinor = new Map<string, Interpreter>();
  const root = pyenvRoot();
  const versions = root && fs.existsSync(path.join(root, 'versions')) ? fs.readdirSync(path.join(root, 'versions')) : [];
  for (const v of versions.filter((x) => /^3\.\d+\.\d+$/.test(x)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))) {
    const minor = v.split('.').slice(0, 2).join('.');
    const command = path.join(root!, 'versions', v, 'bin', `python${minor}`);
    if (fs.existsSync(command)) byMinor.set(minor, { minor, version: v, source: `pyenv ${v}`, command });
  }
  const cached = path.join(CACHE, 'pythons');
  for (const minor of fs.existsSync(cached) ? fs.readdirSync(cached) : []) {
    const command = path.join(cached, minor, 'python');
    if (byMinor.has(minor) || !/^3\.\d+$/.test(minor) || !fs.existsSync(command)) continue;
    const version = versionOf(command);
    const source = fs.existsSync(path.join(cached, minor, 'SOURCE')) ? fs.readFileSync(path.join(cached, minor, 'SOURCE'), 'utf8').trim().split(' ').slice(0, 3).join(' ') : 'cache';
    if (version) byMinor.set(minor, { minor, version, source, command });
  }
  return [...byMinor.values()].sort((a, b) => minorNumber(a.minor) - minorNumber(b.minor));
}

/** A module name per build (the same file built with other options is another module). */
function moduleName(spec: BuildSpec, key: string): string {
  return `proof_${path.basename(spec.file, '.c').replace(/[^A-Za-z0-9_]/g, '_')}_${key}`;
}

function wrapperSource(spec: BuildSpec, name: string): string {
  return [
    `#include ${JSON.stringify(path.resolve(spec.file))}`,
    '/* added by scripts/runtime.ts: the module around the proof */',
    `static PyMethodDef abi3lint_proof_methods[] = {{"run", (PyCFunction)(void (*)(void))proof, METH_O, NULL}, {NULL, NULL, 0, NULL}};`,
    `static struct PyModuleDef abi3lint_proof_def = {PyModuleDef_HEAD_INIT, "${name}", NULL, -1, abi3lint_proof_methods, NULL, NULL, NULL, NULL};`,
    `PyMODINIT_FUNC PyInit_${name}(void) { return PyModule_Create(&abi3lint_proof_def); }`,
    '',
  ].join('\n');
}

export class BuildError extends Error {}

/** A proof file and the files it includes with `#include "…"` (relative to it, transitively): what its build's
 *  cache key must cover (a proof of the compat header includes data/compat/abi3lint_compat.h). */
function localSources(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file) || !fs.existsSync(file)) return [];
  seen.add(file);
  const text = fs.readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^[ \t]*#[ \t]*include[ \t]*"([^"]+)"/gm)) localSources(path.resolve(path.dirname(file), m[1]), seen);
  return [...seen];
}

/** Builds a proof as an abi3 shared object (cached by content); returns the module's name and path. */
export async function build(spec: BuildSpec): Promise<{ name: string; so: string }> {
  const headers = path.join(CACHE, 'headers', spec.headers);
  if (!fs.existsSync(path.join(headers, 'Python.h'))) {
    throw new BuildError(`no CPython ${spec.headers} headers in ${headers}: run scripts/fetch-cpython-headers`);
  }
  const args = ['-shared', '-fPIC', '-O1', '-g0', ...(spec.full ? [] : [`-DPy_LIMITED_API=${hexOf(spec.target)}`]), ...(spec.defines ?? []).map((d) => `-D${d}`), '-I', headers,
    '-Werror=implicit-function-declaration', '-Werror=int-conversion', '-Werror=incompatible-pointer-types'];
  const hash = createHash('sha256').update(JSON.stringify(args)).update(wrapperSource(spec, '')).update(fs.readFileSync(path.join(headers, 'SOURCE')));
  for (const f of localSources(spec.file)) hash.update(fs.readFileSync(f));
  const key = hash.digest('hex').slice(0, 12);
  const name = moduleName(spec, key);
  const wrapper = wrapperSource(spec, name);
  const dir = path.join(CACHE, 'runtime', key);
  const so = path.join(dir, `${name}.abi3.so`);
  if (fs.existsSync(so)) return { name, so };
  fs.mkdirSync(dir, { recursive: true });
  const src = path.join(dir, `${name}.c`);
  fs.writeFileSync(src, wrapper);
  try {
    await run('gcc', [...args, '-o', `${so}.tmp`, src], { maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new BuildError(`${spec.file} does not build at target ${spec.target} with ${spec.headers} headers:\n${err.stderr ?? err.message}`);
  }
  fs.renameSync(`${so}.tmp`, so);
  return { name, so };
}

/** Imports each module and calls its run() on one interpreter; a missing outcome is `not-run`. */
export async function exercise(py: Interpreter, modules: { name: string; so: string }[]): Promise<Map<string, Outcome>> {
  const out = new Map<string, Outcome>();
  if (!modules.length) return out;
  const r = await run(py.command, [DRIVER, ...modules.map((m) => `${m.name}=${m.so}`)], { maxBuffer: 64 << 20, timeout: 600_000 }).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? '' }));
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue;
    const o = JSON.parse(line) as Outcome & { module: string };
    out.set(o.module, { status: o.status, detail: o.detail, warnings: o.warnings ?? [] });
  }
  for (const m of modules) if (!out.has(m.name)) out.set(m.name, { status: 'not-run', detail: r.stderr.trim().split('\n').pop() ?? '', warnings: [] });
  return out;
}

/** Runs up to `limit` tasks at a time. */
export async function pool<T, R>(items: T[], limit: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await f(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Builds every spec, then runs each on every interpreter from its target up. Outcomes by spec index, then minor. */
export async function proveAll(specs: BuildSpec[], pythons = interpreters()): Promise<{ built: ({ name: string; so: string } | BuildError)[]; outcomes: Map<string, Outcome>[] }> {
  const built = await pool(specs, 8, (s) => build(s).catch((e: unknown) => (e instanceof BuildError ? e : new BuildError(String(e)))));
  const perPython = await pool(pythons, 6, (py) => {
    const mods = specs.flatMap((s, i) => ((s.full ? py.minor === s.headers : minorNumber(py.minor) >= minorNumber(s.target)) && !(built[i] instanceof BuildError) ? [built[i] as { name: string; so: string }] : []));
    return exercise(py, mods);
  });
  const outcomes = specs.map((_, i) => {
    const m = new Map<string, Outcome>();
    const b = built[i];
    if (b instanceof BuildError) return m;
    pythons.forEach((py, j) => {
      const o = perPython[j].get(b.name);
      if (o) m.set(py.minor, o);
    });
    return m;
  });
  return { built, outcomes };
}

export const describeOutcome = (o: Outcome): string => `${o.status}${o.detail ? `: ${o.detail}` : ''}${o.warnings.length ? ` [${o.warnings.join('; ')}]` : ''}`;

/** The Pythons a range key covers: "3.9", "3.10-3.12", "3.13-". */
export function inRange(key: string, minor: string): boolean {
  const [lo, hi] = key.split('-');
  const m = minorNumber(minor);
  if (hi === undefined) return m === minorNumber(lo);
  return m >= minorNumber(lo) && (hi === '' || m <= minorNumber(hi));
}

/**
 * Whether an outcome is what a proof expects: "status: detail" starts with the expectation's text before " [";
 * the warnings, joined, start with what is inside "[...]" when given, and are empty when not.
 */
export function matches(expect: string, o: Outcome): boolean {
  const at = expect.indexOf(' [');
  const main = at < 0 ? expect : expect.slice(0, at);
  const head = `${o.status}${o.detail ? `: ${o.detail}` : ''}`;
  if (!head.startsWith(main)) return false;
  if (at < 0) return o.warnings.length === 0;
  return o.warnings.join('; ').startsWith(expect.slice(at + 2).replace(/\]$/, ''));
}

export interface ProofCheck {
  fact: string;
  proof: number;
  minor: string;
  expected: string | null;
  got: string;
  ok: boolean;
}

/** Runs every proof of data/behaviour.json on every interpreter from its target up and compares. */
export async function checkFacts(facts: { id: string; proofs?: (BuildSpec & { expect: Record<string, string> })[] }[], pythons = interpreters()): Promise<{ checks: ProofCheck[]; buildErrors: string[] }> {
  const items = facts.flatMap((f) => (f.proofs ?? []).map((p, i) => ({ fact: f.id, index: i, proof: p })));
  const { built, outcomes } = await proveAll(items.map((x) => x.proof), pythons);
  const checks: ProofCheck[] = [];
  const buildErrors: string[] = [];
  items.forEach((x, i) => {
    const b = built[i];
    if (b instanceof BuildError) {
      buildErrors.push(`${x.fact}: ${b.message}`);
      return;
    }
    for (const [minor, o] of outcomes[i]) {
      const key = Object.keys(x.proof.expect).find((k) => inRange(k, minor));
      const expected = key ? x.proof.expect[key] : null;
      checks.push({ fact: x.fact, proof: x.index, minor, expected, got: describeOutcome(o), ok: expected !== null && matches(expected, o) });
    }
  });
  return { checks, buildErrors };
}

function table(rows: [string, string][]): string {
  // consecutive Pythons with the same outcome on one line
  const out: string[] = [];
  let i = 0;
  while (i < rows.length) {
    let j = i;
    while (j + 1 < rows.length && rows[j + 1][1] === rows[i][1]) j++;
    out.push(`  ${(i === j ? rows[i][0] : `${rows[i][0]}-${rows[j][0]}`).padEnd(10)} ${rows[i][1]}`);
    i = j + 1;
  }
  return out.join('\n');
}

interface FactRow {
  id: string;
  direction: string;
  version: string;
  detect: string;
  refuted?: string;
  unproven?: { why: string };
  proofs?: unknown[];
}

/** The facts as a Markdown table for docs/behaviour.md: what each proof showed, per range of Pythons. */
function markdownTable(facts: FactRow[], checks: ProofCheck[]): string {
  const rows = ['| fact | claim | found at run time (per Python) | verdict |', '| --- | --- | --- | --- |'];
  for (const f of facts) {
    const claim = `${f.direction === 'needs' ? 'needs' : f.direction === 'rejected' ? 'rejected from' : 'headers'} ${f.version}`;
    const proofs = (f.proofs ?? []).map((_, i) => {
      const mine = checks.filter((c) => c.fact === f.id && c.proof === i);
      return table(mine.map((c) => [c.minor, c.got.replace(/\|/g, '\\|')])).split('\n').map((l) => l.trim().replace(/\s{2,}/, ' → ')).join('; ');
    });
    const ok = checks.filter((c) => c.fact === f.id).every((c) => c.ok);
    const verdict = f.unproven ? 'not testable here (cited)' : f.refuted ? 'refuted' : ok ? 'confirmed' : 'MISMATCH';
    rows.push(`| \`${f.id}\` | ${claim} | ${proofs.join(' / ') || f.unproven?.why.replace(/\|/g, '\\|') || ''} | ${verdict} |`);
  }
  return rows.join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { target: { type: 'string', default: '3.9' }, headers: { type: 'string' }, define: { type: 'string', short: 'D', multiple: true }, facts: { type: 'boolean' }, json: { type: 'string' }, markdown: { type: 'boolean' } },
    allowPositionals: true,
  });
  const pythons = interpreters();
  if (!pythons.length) throw new Error('no CPython 3 interpreter found (pyenv install 3.X, or scripts/fetch-python-interpreters)');
  console.log(`interpreters: ${pythons.map((p) => `${p.version} (${p.source})`).join(', ')}`);
  if (values.facts) {
    const data = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../data/behaviour.json'), 'utf8')) as { facts: { id: string; proofs?: (BuildSpec & { expect: Record<string, string> })[] }[] };
    const { checks, buildErrors } = await checkFacts(data.facts, pythons);
    for (const e of buildErrors) console.log(`BUILD ERROR ${e}`);
    const bad = checks.filter((c) => !c.ok);
    for (const c of bad) console.log(`MISMATCH ${c.fact} proof ${c.proof} on ${c.minor}: expected ${c.expected ?? '(no expectation)'}, got ${c.got}`);
    console.log(`${checks.length - bad.length}/${checks.length} outcomes as the facts say, ${buildErrors.length} build errors`);
    if (values.json) fs.writeFileSync(values.json, JSON.stringify(checks, null, 2));
    if (values.markdown) console.log(markdownTable(data.facts as FactRow[], checks));
    process.exitCode = bad.length || buildErrors.length ? 1 : 0;
    return;
  }
  const specs = positionals.map((file) => ({ file, target: values.target!, headers: values.headers ?? values.target!, defines: values.define }));
  const { built, outcomes } = await proveAll(specs, pythons);
  specs.forEach((s, i) => {
    console.log(`${s.file} (Py_LIMITED_API ${hexOf(s.target)}, ${s.headers} headers)`);
    const b = built[i];
    if (b instanceof BuildError) console.log(b.message);
    else console.log(table([...outcomes[i]].map(([m, o]) => [m, describeOutcome(o)])));
  });
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(`runtime: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  });
}

/**
 * A whole extension module (its own PyInit_<name>), built into a folder of its own: as abi3 with `target`, or
 * with the full API when `target` is null. Source given as text (a migration's output) or a file.
 */
/** Builds a module: `target` null is the full API; with `abi3t` the target is Py_TARGET_ABI3T (an `.abi3t.so`). */
/** `sources`: more files compiled into the module (the other C files of a module made of several, a C++ library:
 *  linked with libstdc++). */
export async function buildExtension(o: { name: string; source: string; target: string | null; abi3t?: boolean; headers: string; into: string; include?: string[]; sources?: string[]; defines?: string[] }): Promise<string> {
  const headers = path.join(CACHE, 'headers', o.headers);
  if (!fs.existsSync(path.join(headers, 'Python.h'))) throw new BuildError(`no CPython ${o.headers} headers in ${headers}: run scripts/fetch-cpython-headers`);
  fs.mkdirSync(o.into, { recursive: true });
  const src = path.join(o.into, `${o.name}.c`);
  fs.writeFileSync(src, o.source);
  const so = path.join(o.into, o.target ? `${o.name}.${o.abi3t ? 'abi3t' : 'abi3'}.so` : `${o.name}.so`);
  const limited = o.target ? [`-D${o.abi3t ? 'Py_TARGET_ABI3T' : 'Py_LIMITED_API'}=${hexOf(o.target)}`] : [];
  try {
    await run('gcc', ['-shared', '-fPIC', '-O1', '-g0', ...limited, '-I', headers, ...(o.include ?? []).flatMap((d) => ['-I', d]), ...(o.defines ?? []), '-Werror=implicit-function-declaration', '-Werror=int-conversion', '-Werror=incompatible-pointer-types', '-o', so, src, ...(o.sources ?? []), ...(o.sources?.some((f) => /\.(?:cc|cpp|cxx)$/.test(f)) ? ['-lstdc++', '-lm'] : [])], { maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new BuildError(`${o.name} does not build (${o.target ? `abi3 ${o.target}` : 'full API'}, ${o.headers} headers):\n${err.stderr ?? err.message}`);
  }
  return so;
}

/** Runs a Python script with `dir` first on sys.path; its output, or the error that ended it. */
export async function runScript(py: Interpreter, dir: string, script: string, pythonPath: string[] = []): Promise<{ ok: boolean; out: string }> {
  const prelude = `import sys; sys.path[0:0] = ${JSON.stringify([dir, ...pythonPath])}\n`;
  return run(py.command, ['-X', 'faulthandler', '-c', prelude + script], { timeout: 60_000, maxBuffer: 16 << 20 }).then(
    (r) => ({ ok: true, out: r.stdout }),
    (e: { stdout?: string; stderr?: string; signal?: string }) => ({ ok: false, out: `${e.stdout ?? ''}${e.signal ? `[signal ${e.signal}] ` : ''}${(e.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` }),
  );
}
