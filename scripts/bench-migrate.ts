/**
 * How far `abi3lint migrate` carries real extension code toward the Limited API:
 *
 *   npm run bench:migrate -- --target 3.9 [-I dir]... [-D NAME[=V]]... [--link lib.c|lib.cc]... [--pythonpath dir]... [--json out.json] paths...
 *
 * For every .c file that compiles with the full API against the newest headers (the others are skipped:
 * other platforms, generated headers), gcc's errors under -DPy_LIMITED_API=<target> summed over every header
 * set from the target to 3.15, before and after the migration (every safe and unsafe fix, over several passes;
 * the migrated copy is written to a temporary folder, the sources are not touched); whether the migrated file
 * builds as an abi3 shared object with the target's headers; and if it does, whether it imports on every
 * CPython of this machine from the target up (the module's own smoke test: its init runs). A module made of
 * several files (ujson: the module's init in one, the encoder's and decoder's Python code in two more beside it)
 * is built from the migrated copies of all of them: those without a PyInit_ are measured first.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { applyEdits } from '../server/src/core/fixes';
import { fixText } from '../server/src/core/migrate';
import { minorToHex, parseTargetOption } from '../server/src/core/version';
import { collectCFiles } from '../server/src/core/walk';
import { CACHE } from './cache';
import { buildExtension, interpreters, runScript } from './runtime';

interface Row {
  file: string;
  before: number;
  after: number;
  /** Of `after`: errors gcc places in the file itself (the rest are in the project headers it includes). */
  afterInFile: number;
  /** Project headers next to it migrated too. */
  headers: number;
  fixes: number;
  builds: boolean | null;
  imports: string[];
  /** Pythons on which the smoke script printed what it prints with the original (null: no script). */
  smoke: string[] | null;
  failures: string[];
  notes: number;
  /** Pythons the original does not build for with the full API, whose smoke reference is its output on `reference`. */
  smokeAgainst?: { pythons: string[]; reference: string };
}

const headerDir = (v: string): string => path.join(CACHE, 'headers', v);
/** Sources (--link, C or C++) compiled into every module: a library the project builds with its extension. */
let link: string[] = [];
/** The migrated copies of the files measured so far that are parts of a module, not modules: by original path. */
const parts = new Map<string, string | null>();
/** Folders of the project's Python code the module imports at init (--pythonpath: lazy-object-proxy's utils). */
let pythonPath: string[] = [];

/** The -I folders and the -D flags among the compiler arguments, for buildExtension. */
const includeDirs = (extra: string[]): string[] => extra.filter((a) => a.startsWith('-I')).map((a) => a.slice(2));
const defineFlags = (extra: string[]): string[] => extra.filter((a) => a.startsWith('-D'));
/** Whether a C file defines a module's init (the others are parts of a module, or plain C). */
const definesModule = (text: string): boolean => /PyInit_/.test(text);

function gccErrors(file: string, minor: number | null, headers: string, extra: string[]): string[] {
  const limited = minor === null ? [] : [`-DPy_LIMITED_API=${minorToHex(minor)}`];
  const r = spawnSync('gcc', ['-fsyntax-only', '-fmax-errors=0', '-Werror=implicit-function-declaration', ...limited, '-I', headerDir(headers), ...extra, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return r.stderr.split('\n').filter((l) => /: (?:fatal )?error:/.test(l));
}
const errors = (file: string, minor: number | null, headers: string, extra: string[]): number => gccErrors(file, minor, headers, extra).length;

/** The file's folder copied (C sources and headers, recursively), its project headers migrated too (from the
 *  text the file's own migration left them: a type that is not static is declared in one). */
async function migratedCopy(file: string, minor: number, work: string): Promise<{ copy: string; headers: number; text: string; fixes: number; notes: string[] }> {
  const src = path.dirname(file);
  const dst = path.join(work, `${path.basename(src)}-${path.basename(file, '.c')}`);
  const done = await fixText({ path: file, text: fs.readFileSync(file, 'utf8') }, { settings: { target: `3.${minor}` }, buildConfig: null }, true, 5, true);
  let headers = 0;
  const copy = async (from: string, to: string, depth: number): Promise<void> => {
    fs.mkdirSync(to, { recursive: true });
    for (const e of fs.readdirSync(from, { withFileTypes: true })) {
      const a = path.join(from, e.name);
      if (e.isDirectory() && depth < 3 && !e.name.startsWith('.')) await copy(a, path.join(to, e.name), depth + 1);
      else if (e.isFile() && /\.h$/.test(e.name)) {
        const original = fs.readFileSync(a, 'utf8');
        const pending = done.otherFiles.get(path.resolve(a));
        const text = pending ? applyEdits(original, pending).text : original;
        const h = await fixText({ path: a, text }, { settings: { target: `3.${minor}` }, buildConfig: null }, true);
        if (h.fixes || pending) headers++;
        fs.writeFileSync(path.join(to, e.name), h.text);
      }
    }
  };
  await copy(src, dst, 0);
  const out = path.join(dst, path.basename(file));
  fs.writeFileSync(out, done.text);
  return { copy: out, headers, text: done.text, fixes: done.fixes, notes: done.notes };
}

async function measure(file: string, minor: number, extra: string[], work: string): Promise<Row | null> {
  if (errors(file, null, '3.15', ['-I', path.dirname(file), ...extra]) > 0) return null;
  const done = await migratedCopy(file, minor, work);
  const out = done.copy;
  let before = 0;
  let after = 0;
  let afterInFile = 0;
  for (let h = minor; h <= 15; h++) {
    before += errors(file, minor, `3.${h}`, ['-I', path.dirname(file), ...extra]);
    const e = gccErrors(out, minor, `3.${h}`, ['-I', path.dirname(out), ...extra]);
    after += e.length;
    afterInFile += e.filter((l) => l.startsWith(out + ':')).length;
  }
  const row: Row = { file, before, after, afterInFile, headers: done.headers, fixes: done.fixes, builds: null, imports: [], smoke: null, failures: [], notes: done.notes.length };
  const module = /PyMODINIT_FUNC\s+PyInit_(\w+)/.exec(done.text)?.[1];
  if (!module) parts.set(file, after === 0 ? out : null);
  if (after > 0 || !module) return row;
  const dir = path.join(work, `build-${module}-${path.basename(file, '.c')}`);
  const { siblings, pieces } = moduleFiles(file);
  const missing = pieces.filter((f) => !parts.get(f));
  if (missing.length) {
    row.builds = false;
    const why = (f: string): string => `${path.basename(f)} ${parts.has(f) ? 'did not migrate to 0 errors' : 'was not measured (not given, or not clean with the full API)'}`;
    row.failures.push(`its parts: ${missing.map(why).join(', ')}`);
    return row;
  }
  try {
    const source = [out, ...siblings].map((f) => `#include ${JSON.stringify(f)}\n`).join('');
    await buildExtension({ name: module, source, target: `3.${minor}`, headers: `3.${minor}`, into: dir, include: [path.dirname(out), ...includeDirs(extra)], sources: [...pieces.map((f) => parts.get(f)!), ...link], defines: defineFlags(extra) });
    row.builds = true;
  } catch (e) {
    row.builds = false;
    row.failures.push(String(e).split('\n').filter((l) => /error/.test(l)).slice(0, 3).join(' | '));
    return row;
  }
  // the module's smoke script (scripts/smoke/<module>.py, ours) when there is one: its output from the migrated
  // build must be the output from the original built with the full API for the same Python
  const smokeFile = path.join(__dirname, '..', '..', 'scripts', 'smoke', `${module}.py`);
  const smoke = fs.existsSync(smokeFile) ? fs.readFileSync(smokeFile, 'utf8') : null;
  row.smoke = smoke ? [] : null;
  const pythons = interpreters().filter((p) => Number(p.minor.split('.')[1]) >= minor);
  const migrated = new Map<string, string>();
  for (const py of pythons) {
    const r = await runScript(py, dir, `import ${module}\nprint("ok")\n`, pythonPath);
    if (r.ok) row.imports.push(py.minor);
    else row.failures.push(`${py.minor}: ${r.out.slice(0, 160)}`);
    if (!r.ok || !smoke) continue;
    const got = await runScript(py, dir, smoke, pythonPath);
    if (got.ok) migrated.set(py.minor, got.out);
    else row.failures.push(`${py.minor} smoke: migrated failed: ${got.out.slice(0, 120)}`);
  }
  if (smoke) await compareSmoke(row, { file, module, siblings, sources: [...pieces, ...link], extra, work, smoke, pythons, migrated });
  return row;
}

/**
 * The other files of a module, beside it: the plain C sources it includes into its build (a hash library the
 * module links, mmh3's murmurhash3.c), and the parts that use the C API but define no module (ujson's encoder and
 * decoder), compiled on their own (their static names may clash).
 */
function moduleFiles(file: string): { siblings: string[]; pieces: string[] } {
  const dir = path.dirname(file);
  const others = fs.readdirSync(dir).filter((n) => n.endsWith('.c') && path.join(dir, n) !== file).map((n) => path.join(dir, n));
  const texts = new Map(others.map((f) => [f, fs.readFileSync(f, 'utf8')]));
  const usesApi = (f: string): boolean => /#\s*include\s*[<"]Python\.h[>"]/.test(texts.get(f)!);
  const isModule = (f: string): boolean => definesModule(texts.get(f)!);
  return { siblings: others.filter((f) => !usesApi(f) && !isModule(f)), pieces: others.filter((f) => usesApi(f) && !isModule(f)) };
}

/**
 * The smoke script's output from the migration against the original built with the full API for the same
 * Python. An original written for newer Pythons only (audioop-lts needs 3.13's Py_mod_gil) has no full-API build
 * for the older ones: there its output on the oldest Python it builds for is the reference (`smokeAgainst`).
 */
async function compareSmoke(row: Row, o: { file: string; module: string; siblings: string[]; sources: string[]; extra: string[]; work: string; smoke: string; pythons: ReturnType<typeof interpreters>; migrated: Map<string, string> }): Promise<void> {
  const originalSource = [o.file, ...o.siblings].map((f) => `#include ${JSON.stringify(f)}\n`).join('');
  const include = [path.dirname(o.file), ...includeDirs(o.extra)];
  const want = new Map<string, string>();
  const unbuilt: string[] = [];
  for (const py of o.pythons) {
    if (!o.migrated.has(py.minor)) continue;
    const full = path.join(o.work, `full-${o.module}-${py.minor}`);
    try {
      await buildExtension({ name: o.module, source: originalSource, target: null, headers: py.minor, into: full, include, sources: o.sources, defines: defineFlags(o.extra) });
    } catch {
      unbuilt.push(py.minor);
      continue;
    }
    const r = await runScript(py, full, o.smoke, pythonPath);
    if (r.ok) want.set(py.minor, r.out);
    else row.failures.push(`${py.minor} smoke: original failed: ${r.out.slice(0, 120)}`);
  }
  const oldest = [...want.keys()][0];
  if (unbuilt.length && oldest) row.smokeAgainst = { pythons: unbuilt, reference: oldest };
  for (const [py, out] of o.migrated) {
    const ref = want.get(py) ?? (unbuilt.includes(py) && oldest ? want.get(oldest) : undefined);
    if (ref === undefined) continue;
    if (ref === out) row.smoke!.push(py);
    else row.failures.push(`${py} smoke: outputs differ`);
  }
  row.smoke!.sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { target: { type: 'string' }, I: { type: 'string', short: 'I', multiple: true }, D: { type: 'string', short: 'D', multiple: true }, json: { type: 'string' }, link: { type: 'string', multiple: true }, pythonpath: { type: 'string', multiple: true } },
  });
  const t = parseTargetOption(values.target ?? '3.9');
  if (!t.ok) throw new Error(`--target: ${t.reason}`);
  const extra = [...(values.I ?? []).map((d) => `-I${path.resolve(d)}`), ...(values.D ?? []).map((d) => `-D${d}`)];
  link = (values.link ?? []).map((f) => path.resolve(f));
  pythonPath = (values.pythonpath ?? []).map((f) => path.resolve(f));
  const { files } = collectCFiles(positionals, { base: process.cwd(), exclude: [] });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-bench-migrate-'));
  const rows: Row[] = [];
  let skipped = 0;
  // (the parts of a module before the modules: a module is built from their migrated copies)
  const isModule = (f: string): boolean => definesModule(fs.readFileSync(f, 'utf8'));
  const sources = files.filter((x) => x.endsWith('.c'));
  for (const f of [...sources.filter((x) => !isModule(x)), ...sources.filter(isModule)]) {
    const r = await measure(f, t.minor, extra, work);
    if (!r) {
      skipped++;
      continue;
    }
    rows.push(r);
    const share = r.before ? ((100 * (r.before - r.after)) / r.before).toFixed(0) : '-';
    const against = r.smokeAgainst ? ` (on ${r.smokeAgainst.pythons.join(', ')}, where the original does not build with the full API: as the original on ${r.smokeAgainst.reference})` : '';
    const smoked = r.smoke === null ? '' : `; smoke test as the original on ${r.smoke.join(', ') || 'none'}${against}`;
    const run = r.builds === null ? '' : r.builds ? ` builds; imports on ${r.imports.join(', ') || 'none'}${smoked}${r.failures.length ? `; fails on ${r.failures.join('; ')}` : ''}` : ` does not build${r.failures.length ? ` (${r.failures.join('; ')})` : ''}`;
    process.stdout.write(`${path.relative(process.cwd(), f)}: errors ${r.before} -> ${r.after} (${share} % removed; ${r.afterInFile} left in the file itself, ${r.after - r.afterInFile} in project headers, ${r.headers} of them migrated too), ${r.fixes} fixes, ${r.notes} notes${run}\n`);
  }
  const before = rows.reduce((a, r) => a + r.before, 0);
  const after = rows.reduce((a, r) => a + r.after, 0);
  const clean = rows.filter((r) => r.after === 0).length;
  process.stdout.write(
    `\n${rows.length} files (${skipped} skipped: not clean with the full API), target 3.${t.minor}: errors ${before} -> ${after} ` +
      `(${before ? ((100 * (before - after)) / before).toFixed(1) : '-'} % removed); ${clean} compile with no error; ` +
      `${rows.filter((r) => r.builds && !r.failures.length).length} build and import on every CPython from 3.${t.minor}\n`,
  );
  if (values.json) fs.writeFileSync(values.json, JSON.stringify({ target: t.minor, rows, before, after, clean }, null, 2));
}

main().catch((e) => {
  process.stderr.write(`bench-migrate: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
