/**
 * npm run bench -- [corpus folder] [--runs N] [--json out.json]
 *
 * Measures abi3lint against its floors and against the compiler, all ratios taken in the same run (these
 * machines are noisy): throughput vs parse-only, keystroke latency in the language server vs incremental
 * re-parse, per-file time vs `gcc -fsyntax-only`, server memory, start-up, and scaling with size and count.
 * Without a corpus it generates one (extension-like C with Python API calls) and adds tree-sitter-c's own
 * src/parser.c (from node_modules) as a huge file.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { loadCatalog } from '../server/src/core/catalog';
import { lint } from '../server/src/core/lint';
import { initParser } from '../server/src/core/parser';
import { DocumentSession } from '../server/src/core/session';

const ROOT = path.resolve(__dirname, '..', '..');
const CACHE = process.env.ABI3LINT_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'abi3lint');

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

/** Extension-like C: functions calling the API (one call in ten outside the Limited API at 3.9), guards. */
export function generateSource(lines: number, seed = 1): string {
  let x = seed;
  const rnd = (n: number): number => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % n;
  };
  // mostly Limited API calls, as in a file on its way to abi3; one call in ten is a finding
  const clean = ['PyList_GetItem(o, i)', 'PyLong_AsLong(o)', 'PyObject_GetAttrString(o, "x")', 'PyDict_GetItemString(o, "k")', 'PyFloat_AsDouble(o)', 'PyTuple_GetItem(o, i)', 'PyObject_Repr(o)', 'PyNumber_Add(o, o)', 'PySequence_Size(o)'];
  const flagged = ['PyTuple_GET_ITEM(o, i)', 'PyUnicode_AsUTF8(o)', 'PyType_GetName(Py_TYPE(o))', 'Py_NewRef(o)', 'PyBytes_AS_STRING(o)'];
  const out: string[] = ['#define Py_LIMITED_API 0x03090000', '#include <Python.h>', '#include <string.h>', ''];
  let fn = 0;
  while (out.length < lines) {
    fn++;
    out.push(`static PyObject *`, `func_${fn}(PyObject *self, PyObject *o)`, '{', '    Py_ssize_t i = 0;', '    PyObject *r = NULL;');
    const body = 4 + rnd(20);
    for (let k = 0; k < body; k++) {
      const c = rnd(10) === 0 ? flagged[rnd(flagged.length)] : clean[rnd(clean.length)];
      if (rnd(7) === 0) out.push('#if Py_LIMITED_API+0 >= 0x030B0000', `    r = (PyObject *)${c};`, '#else', '    r = NULL;', '#endif');
      else out.push(`    if (i++ > ${k}) r = (PyObject *)${c};`);
    }
    out.push('    (void)self;', '    return r;', '}', '');
  }
  return out.slice(0, lines).join('\n') + '\n';
}

function collect(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...collect(p));
    else if (/\.[ch]$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

async function time<T>(f: () => Promise<T> | T): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await f();
  return [performance.now() - t0, v];
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string' }, json: { type: 'string' }, quick: { type: 'boolean' } } });
  const runs = Number(values.runs ?? (values.quick ? 3 : 5));
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: +(os.totalmem() / 2 ** 30).toFixed(1), node: process.version, platform: `${os.platform()} ${os.release()}` },
  };
  const lines: string[] = [];
  const say = (s: string): void => {
    lines.push(s);
    process.stdout.write(s + '\n');
  };

  // --- corpus
  let corpus: string;
  if (positionals[0]) corpus = path.resolve(positionals[0]);
  else {
    corpus = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-bench-'));
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(corpus, `gen${i}.c`), generateSource(300 + ((i * 137) % 1500), i + 1));
    fs.copyFileSync(require.resolve('tree-sitter-c/src/parser.c'), path.join(corpus, 'tree-sitter-c-parser.c'));
  }
  const files = collect(corpus).map((f) => ({ path: f, text: fs.readFileSync(f, 'utf8') }));
  const totalLines = files.reduce((n, f) => n + f.text.split('\n').length, 0);
  const totalBytes = files.reduce((n, f) => n + f.text.length, 0);
  report.corpus = { path: corpus, files: files.length, lines: totalLines, bytes: totalBytes, generated: !positionals[0] };
  say(`corpus: ${corpus} — ${files.length} files, ${totalLines} lines, ${(totalBytes / 1048576).toFixed(1)} MB; ${runs} runs after a warm-up; medians`);

  // --- start-up: data load, parser init
  const [loadMs] = await time(() => loadCatalog());
  const [initMs] = await time(() => initParser());
  report.startup = { dataLoadMs: loadMs, parserInitMs: initMs };
  say(`data load ${fmt(loadMs)} ms, parser init ${fmt(initMs)} ms`);

  // --- 1. throughput: lint vs parse-only, whole corpus
  const { parser } = await initParser();
  const settings = { target: '3.9' };
  const parseAll = (): void => {
    for (const f of files) parser.parse(f.text)?.delete();
  };
  const lintAll = async (): Promise<void> => {
    const cache = new Map();
    for (const f of files) await lint(f, { settings, buildConfigCache: cache });
  };
  parseAll();
  await lintAll();
  const parseT: number[] = [];
  const lintT: number[] = [];
  for (let i = 0; i < runs; i++) {
    parseT.push((await time(parseAll))[0]);
    lintT.push((await time(lintAll))[0]);
  }
  const throughput = { parseMs: median(parseT), lintMs: median(lintT), ratio: median(lintT) / median(parseT), parseRange: [Math.min(...parseT), Math.max(...parseT)], lintRange: [Math.min(...lintT), Math.max(...lintT)] };
  report.throughput = throughput;
  say(`1. throughput: parse-only ${fmt(throughput.parseMs)} ms (${fmt(throughput.parseRange[0])}–${fmt(throughput.parseRange[1])}), lint ${fmt(throughput.lintMs)} ms (${fmt(throughput.lintRange[0])}–${fmt(throughput.lintRange[1])}): ${throughput.ratio.toFixed(2)}× (goal ≤ 1.3×); ${((totalLines / throughput.lintMs) * 1000 / 1000).toFixed(0)}k lines/s`);

  // --- 3. against the compiler: per file vs gcc -fsyntax-only with the real headers
  const headers = path.join(CACHE, 'headers', '3.15');
  if (fs.existsSync(path.join(headers, 'Python.h'))) {
    const ratios: number[] = [];
    const per: { file: string; gccMs: number; lintMs: number }[] = [];
    for (const f of files.filter((x) => x.text.includes('Python.h')).slice(0, 40)) {
      const g: number[] = [];
      const l: number[] = [];
      for (let i = 0; i < Math.max(3, runs); i++) {
        g.push((await time(() => spawnSync('gcc', ['-fsyntax-only', '-w', '-I', headers, '-DPy_LIMITED_API=0x03090000', f.path])))[0]);
        l.push((await time(() => lint(f, { settings, buildConfig: null })))[0]);
      }
      per.push({ file: path.basename(f.path), gccMs: median(g), lintMs: median(l) });
      ratios.push(median(g) / median(l));
    }
    report.compiler = { files: per.length, medianSpeedup: median(ratios), minSpeedup: Math.min(...ratios), maxSpeedup: Math.max(...ratios), medianGccMs: median(per.map((p) => p.gccMs)), medianLintMs: median(per.map((p) => p.lintMs)) };
    say(`3. vs gcc -fsyntax-only (3.15 headers, ${per.length} files): gcc ${fmt(median(per.map((p) => p.gccMs)))} ms, abi3lint ${fmt(median(per.map((p) => p.lintMs)))} ms per file; abi3lint ${median(ratios).toFixed(1)}× faster (min ${Math.min(...ratios).toFixed(1)}×, max ${Math.max(...ratios).toFixed(1)}×; goal ≥ 10×)`);
  } else say('3. vs gcc: SKIPPED — no 3.15 headers (run npm run data:headers)');

  // --- 6. scaling: size and count
  const sizes = [1000, 10000, 100000];
  const scale: { lines: number; ms: number }[] = [];
  for (const n of sizes) {
    const doc = { path: `/bench/size${n}.c`, text: generateSource(n, 7) };
    await lint(doc, { settings, buildConfig: null });
    const t: number[] = [];
    for (let i = 0; i < Math.max(3, runs); i++) t.push((await time(() => lint(doc, { settings, buildConfig: null })))[0]);
    scale.push({ lines: n, ms: median(t) });
  }
  const counts = [10, 100, 300];
  const countScale: { files: number; ms: number }[] = [];
  const gen = Array.from({ length: 300 }, (_, i) => ({ path: `/bench/c${i}.c`, text: generateSource(400, i + 11) }));
  for (const c of counts) {
    const t: number[] = [];
    for (let i = 0; i < Math.max(3, runs); i++) t.push((await time(async () => { for (const d of gen.slice(0, c)) await lint(d, { settings, buildConfig: null }); }))[0]);
    countScale.push({ files: c, ms: median(t) });
  }
  report.scaling = { bySize: scale, byCount: countScale };
  say(`6. scaling by size: ${scale.map((s) => `${s.lines / 1000}k lines ${fmt(s.ms)} ms (${fmt((s.ms / s.lines) * 1000)} µs/line)`).join(', ')}`);
  say(`   by count (400-line files): ${countScale.map((s) => `${s.files} files ${fmt(s.ms)} ms (${fmt(s.ms / s.files)} ms/file)`).join(', ')}`);

  // --- 2, 4, 5: the language server over stdio
  const server = path.join(ROOT, 'dist', 'server.js');
  if (!fs.existsSync(server)) throw new Error('dist/server.js is missing: npm run build');
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-bench-ws-'));
  for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(ws, `m${i}.c`), generateSource(300, i + 101));
  const big = generateSource(16000, 3);
  const small = generateSource(500, 5);
  const tSpawn = performance.now();
  const proc = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ABI3LINT_DEBOUNCE_MS: '0', ABI3LINT_NO_WORKSPACE_CHECK: '1' } });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const waiters = new Map<string, (p: unknown) => void>();
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; version?: number }) => {
    const k = `${p.uri}@${p.version}`;
    waiters.get(k)?.(p);
    waiters.delete(k);
  });
  conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => ({ target: '3.9' })));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.listen();
  const diag = (uri: string, version: number): Promise<unknown> => new Promise((r) => waiters.set(`${uri}@${version}`, r));
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(ws).href, workspaceFolders: [{ uri: pathToFileURL(ws).href, name: 'ws' }], capabilities: { workspace: { configuration: true } } });
  const readyMs = performance.now() - tSpawn;
  await conn.sendNotification('initialized', {});
  const stats = async (): Promise<{ rss: number; heapUsed: number }> => (await conn.sendRequest('workspace/executeCommand', { command: 'abi3lint.server.stats', arguments: [] })) as { rss: number; heapUsed: number };

  // 5. first diagnostics on a 1k-line file after open
  const firstUri = pathToFileURL(path.join(ws, 'first.c')).href;
  const first = generateSource(1000, 9);
  const tOpen = performance.now();
  const p0 = diag(firstUri, 1);
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: firstUri, languageId: 'c', version: 1, text: first } });
  await p0;
  const firstDiagMs = performance.now() - tOpen;
  report.startup = { ...(report.startup as object), serverReadyMs: readyMs, firstDiagnostics1kMs: firstDiagMs };
  say(`5. start-up: server answers initialize after ${fmt(readyMs)} ms; first diagnostics on a 1k-line file ${fmt(firstDiagMs)} ms after open (goal ≤ 500 ms)`);

  // 2. keystroke latency
  const latency = async (text: string, name: string): Promise<{ p50: number; p95: number; reparseP50: number; reparseP95: number }> => {
    const uri = pathToFileURL(path.join(ws, name)).href;
    let version = 1;
    const opened = diag(uri, 1);
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version, text } });
    await opened;
    const mid = Math.floor(text.split('\n').length / 2);
    const times: number[] = [];
    const session = new DocumentSession(`/bench/${name}`, text);
    await session.parse();
    const reparse: number[] = [];
    for (let i = 0; i < 200; i++) {
      version++;
      const ch = i % 2 === 0 ? { range: { start: { line: mid, character: 4 }, end: { line: mid, character: 4 } }, text: 'x' } : { range: { start: { line: mid, character: 4 }, end: { line: mid, character: 5 } }, text: '' };
      const t0 = performance.now();
      const done = diag(uri, version);
      await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [ch] });
      await done;
      times.push(performance.now() - t0);
      session.applyChanges([ch]);
      const t1 = performance.now();
      await session.parse();
      reparse.push(performance.now() - t1);
    }
    session.dispose();
    return { p50: median(times), p95: pct(times, 95), reparseP50: median(reparse), reparseP95: pct(reparse, 95) };
  };
  const lat16k = await latency(big, 'big16k.c');
  const lat500 = await latency(small, 'small500.c');
  report.latency = { file16k: lat16k, file500: lat500 };
  say(`2. keystroke → diagnostics (200 edits): 16k lines p50 ${fmt(lat16k.p50)} ms p95 ${fmt(lat16k.p95)} ms vs incremental re-parse p50 ${fmt(lat16k.reparseP50)} ms (${(lat16k.p50 / lat16k.reparseP50).toFixed(1)}×); 500 lines p50 ${fmt(lat500.p50)} ms p95 ${fmt(lat500.p95)} ms vs ${fmt(lat500.reparseP50)} ms (${(lat500.p50 / lat500.reparseP50).toFixed(1)}×) (goal ≤ 1.2×)`);
  const afterEdits = await stats();

  // 4. memory after workspace checks
  await conn.sendRequest('workspace/executeCommand', { command: 'abi3lint.server.checkWorkspace', arguments: [] });
  const m1 = await stats();
  await conn.sendRequest('workspace/executeCommand', { command: 'abi3lint.server.checkWorkspace', arguments: [] });
  await conn.sendRequest('workspace/executeCommand', { command: 'abi3lint.server.checkWorkspace', arguments: [] });
  const m3 = await stats();
  report.memory = { afterEditsRssMB: afterEdits.rss / 1048576, afterCheckRssMB: m1.rss / 1048576, afterThreeChecksRssMB: m3.rss / 1048576, heapAfterThreeMB: m3.heapUsed / 1048576 };
  say(`4. server memory: RSS ${(afterEdits.rss / 1048576).toFixed(0)} MB after 400 edits, ${(m1.rss / 1048576).toFixed(0)} MB after a 300-file workspace check, ${(m3.rss / 1048576).toFixed(0)} MB after two more (goal ≤ 150 MB, no growth)`);
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  conn.dispose();
  proc.kill();
  fs.rmSync(ws, { recursive: true, force: true });
  if (!positionals[0]) fs.rmSync(corpus, { recursive: true, force: true });

  const out = values.json ?? path.join(ROOT, 'bench-results.json');
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  say(`results: ${out}`);
}

if (require.main === module) main().catch((e) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
