/** The CLI as users run it: the built bin, its output formats, exit codes and --fix. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import Ajv from 'ajv-draft-04';
import { ROOT } from './helpers/fixtures';
import { generateSource } from '../scripts/gen-source';
import { main } from '../server/src/cli/main';
import { LspClient } from '../scripts/lsp-client';

const BIN = path.join(ROOT, 'bin', 'abi3lint.js');

function run(args: string[], cwd = ROOT): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function tmpProject(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-cli-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const MOD = `#define Py_LIMITED_API 0x03090000
#include <Python.h>

PyObject *f(PyObject *t)
{
    PyObject *a = PyTuple_GET_ITEM(t, 0);
    return PyList_GET_ITEM(a, PyTuple_GET_SIZE(t) - 1);
}
`;

test('the examples show every rule', () => {
  const r = run(['--format', 'json', 'examples']);
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout);
  const codes = new Set<string>(out.files.flatMap((f: any) => f.findings.map((x: any) => x.code)));
  for (let i = 1; i <= 17; i++) {
    const code = `ABI${String(i).padStart(3, '0')}`;
    assert.ok(codes.has(code), `examples do not show ${code}`);
  }
});

test('--format json has the documented shape', () => {
  const dir = tmpProject({ 'src/mod.c': MOD });
  const r = run(['--format', 'json', 'src'], dir);
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout);
  assert.equal(out.version, 1);
  const f = out.files[0];
  assert.equal(f.path, path.join('src', 'mod.c'));
  assert.deepEqual(f.target, { version: '3.9', hex: '0x03090000', abi3t: false, source: `${path.join('src', 'mod.c')}:1` });
  assert.equal(f.minimumVersion, '3.2');
  const first = f.findings[0];
  assert.deepEqual(Object.keys(first), ['code', 'name', 'severity', 'line', 'column', 'endLine', 'endColumn', 'identifier', 'kind', 'message', 'fixes']);
  assert.deepEqual(
    { code: first.code, name: first.name, severity: first.severity, line: first.line, column: first.column, endLine: first.endLine, endColumn: first.endColumn, identifier: first.identifier },
    { code: 'ABI004', name: 'macro-only-api', severity: 'error', line: 6, column: 19, endLine: 6, endColumn: 35, identifier: 'PyTuple_GET_ITEM' },
  );
  assert.deepEqual(first.fixes[0], { title: 'Replace with PyTuple_GetItem', safety: 'safe', edits: [{ line: 6, column: 19, endLine: 6, endColumn: 35, newText: 'PyTuple_GetItem' }] });
});

test('--format sarif validates against the SARIF 2.1.0 schema', () => {
  const schemaFile = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
  const validate = ajv.compile(schema);
  const r = run(['--format', 'sarif', 'examples']);
  assert.equal(r.code, 1, r.stderr);
  const log: { runs: { tool: { driver: { rules: unknown[] } }; results: { fixes?: unknown[] }[] }[] } = JSON.parse(r.stdout);
  const valid = validate(log as unknown);
  assert.ok(valid, JSON.stringify(validate.errors, null, 1));
  assert.equal(log.runs[0].tool.driver.rules.length, 19);
  assert.ok(log.runs[0].results.length > 10);
  assert.ok(log.runs[0].results.some((x) => x.fixes?.length));
});

test('--format github prints workflow annotations', () => {
  const dir = tmpProject({ 'mod.c': MOD });
  const r = run(['--format', 'github', '.'], dir);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[0], "::error file=mod.c,line=6,col=19,endLine=6,endColumn=35,title=ABI004 macro-only-api::'PyTuple_GET_ITEM' is a macro hidden from the Limited API; use PyTuple_GetItem");
});

test('--fix applies safe fixes, and a second run changes nothing', () => {
  const dir = tmpProject({ 'mod.c': MOD });
  const r = run(['--fix', 'mod.c'], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const fixed = fs.readFileSync(path.join(dir, 'mod.c'), 'utf8');
  assert.match(fixed, /PyTuple_GetItem\(t, 0\)/);
  assert.match(fixed, /PyList_GetItem\(a, PyTuple_Size\(t\) - 1\)/);
  const again = run(['--fix', 'mod.c'], dir);
  assert.equal(again.code, 0);
  assert.equal(fs.readFileSync(path.join(dir, 'mod.c'), 'utf8'), fixed);
  // the fixed file compiles the same way abi3lint now says: cleanly
  assert.match(again.stdout, /No findings in 1 file/);
});

test('--min-version, --explain, --target, --select', () => {
  const dir = tmpProject({ 'a.c': '#include <Python.h>\nPyObject *f(PyObject *o) { return PyType_GetName(Py_TYPE(o)); }\n' });
  let r = run(['a.c'], dir);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /1 without a Limited API target/);
  r = run(['--target', '3.9', 'a.c'], dir);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /a\.c:2:35: error ABI002/);
  r = run(['--target', '3.9', '--min-version', 'a.c'], dir);
  assert.equal(r.stdout.split('\n')[0], 'a.c: Py_LIMITED_API >= 0x030B0000 (3.11)');
  assert.match(r.stdout, /one abi3 wheel for Python 3\.11 and later \(wheel tag cp311-abi3\)/);
  r = run(['--target', '3.9', '--min-version', '-q', 'a.c'], dir);
  assert.equal(r.stdout.trim(), 'a.c: Py_LIMITED_API >= 0x030B0000 (3.11)');
  r = run(['--target', '3.9', '--ignore', 'api-newer-than-target', 'a.c'], dir);
  assert.equal(r.code, 0);
  r = run(['--explain', 'ABI004']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^# ABI004: macro-only-api/);
  assert.match(r.stdout, /## Fix safety/);
});

test('bad flags and values: a message naming them, exit 2, no stack trace', () => {
  for (const args of [['--bogus'], ['--format', 'xml', '.'], ['--target', '2.7', '.'], ['--target', 'banana', '.'], ['--select', 'ABI999', '.'], ['--explain', 'nope'], ['--unsafe-fixes', '.'], ['no/such/path']]) {
    const r = run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /^abi3lint: /, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('abi3lint migrate prints a unified diff that git apply takes, notes on stderr; --write applies it; the result has no ABI006', () => {
  const src = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'migrate', 'pair-positional.c'), 'utf8');
  const dir = tmpProject({ 'pair.c': src });
  spawnSync('git', ['init', '-q'], { cwd: dir });
  const r = run(['migrate', '--target', '3.9', 'pair.c'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^--- a\/pair\.c\n\+\+\+ b\/pair\.c\n@@ /);
  assert.match(r.stdout, /^\+static PyType_Spec PairType_spec = \{$/m);
  assert.match(r.stderr, /pair\.c: note: PairType becomes a mutable type below 3\.10/);
  assert.match(r.stderr, /1 of 1 file\(s\) would change; 0 error\(s\) left\./);
  assert.equal(fs.readFileSync(path.join(dir, 'pair.c'), 'utf8'), src, 'without --write nothing changes');
  fs.writeFileSync(path.join(dir, 'migration.diff'), r.stdout);
  const apply = spawnSync('git', ['apply', '--check', 'migration.diff'], { cwd: dir, encoding: 'utf8' });
  assert.equal(apply.status, 0, apply.stderr);
  const w = run(['migrate', '--target', '3.9', '--write', 'pair.c'], dir);
  assert.equal(w.code, 0, w.stderr);
  assert.equal(w.stdout, '');
  const after = run(['--target', '3.9', '--format', 'json', 'pair.c'], dir);
  assert.deepEqual(JSON.parse(after.stdout).files.flatMap((f: any) => f.findings.map((x: any) => x.code)), []);
  assert.equal(run(['migrate', '--target', 'banana', 'pair.c'], dir).code, 2);
});

test('abi3lint migrate on a file whose types a project header declares: the header is in the diff too (given or not), and --write writes both', () => {
  const fx = path.join(ROOT, 'test', 'fixtures', 'migrate');
  const files = { 'boxes-header.c': fs.readFileSync(path.join(fx, 'boxes-header.c'), 'utf8'), 'boxes.h': fs.readFileSync(path.join(fx, 'boxes.h'), 'utf8') };
  for (const given of [['boxes-header.c'], ['boxes.h', 'boxes-header.c']]) {
    const dir = tmpProject(files);
    const r = run(['migrate', '--target', '3.10', ...given], dir);
    assert.equal(r.code, 0, r.stderr);
    const diffs = [...r.stdout.matchAll(/^\+\+\+ b\/(\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(diffs, ['boxes-header.c', 'boxes.h'], given.join(' '));
    assert.match(r.stdout, /^\+extern PyTypeObject \*Box_Type;$/m);
    assert.match(r.stdout, /^\+#define Box_Check\(o\) \(Py_TYPE\(o\) == Box_Type\)$/m);
    const w = run(['migrate', '--target', '3.10', '--write', ...given], dir);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'boxes.h'), 'utf8'), fs.readFileSync(path.join(fx, 'boxes.3.10.out.h'), 'utf8'));
    assert.equal(fs.readFileSync(path.join(dir, 'boxes-header.c'), 'utf8'), fs.readFileSync(path.join(fx, 'boxes-header.3.10.out.c'), 'utf8'));
  }
});

test('--jobs: worker threads give the output and exit status of one thread, in the same order; auto keeps a small tree in one thread', () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 60; i++) files[`m${String(i).padStart(2, '0')}.c`] = generateSource(80 + ((i * 37) % 200), i + 3);
  files['shared.h'] = '#include <Python.h>\nstatic inline PyObject *first(PyObject *t) { return PyTuple_GET_ITEM(t, 0); }\n';
  const dir = tmpProject(files);
  const env = { ...process.env, ABI3LINT_DEBUG_JOBS: '1' };
  const runIn = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env });
  for (const format of ['json', 'text']) {
    const one = runIn(['--format', format, '-j', '1', '.']);
    const two = runIn(['--format', format, '-j', '2', '.']);
    assert.match(two.stderr, /61 files, 1 workers \(1 started early\)/, 'the run used a worker started before the bundle loaded');
    assert.match(two.stderr, /a worker checked [1-9]\d* files/, 'the worker checked files');
    assert.equal(two.status, one.status);
    assert.ok(one.stdout.length > 1000);
    assert.equal(two.stdout, one.stdout, `${format}: -j 2 and -j 1 differ`);
  }
  const auto = runIn(['--format', 'json', '.']);
  assert.match(auto.stderr, /61 files, 0 workers \(0 started early\)/, 'auto: a tree of a few hundred kB stays in one thread');
  assert.equal(auto.stdout, runIn(['--format', 'json', '-j', '1', '.']).stdout);
});

test('JSON is written as the files are done, in their order: the first part before the last file is checked', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 60; i++) files[`m${String(i).padStart(2, '0')}.c`] = generateSource(150 + ((i * 37) % 200), i + 3);
  const dir = tmpProject(files);
  const events: string[] = [];
  const sink = (kind: string, isTTY = false) => ({ isTTY, write: (chunk: string) => (events.push(`${kind}${chunk}`), true) });
  const status = await main(['--format', 'json', '-j', '1', '.'], { stdout: sink('out:') as never, stderr: sink('err:', true) as never, cwd: dir });
  const writes = events.filter((e) => e.startsWith('out:'));
  const lastProgress = events.map((e) => e.startsWith('err:') && /\[60\/60\]/.test(e)).lastIndexOf(true);
  assert.ok(writes.length > 2, `${writes.length} writes`);
  assert.ok(events.indexOf(writes[0]) < lastProgress, 'the first entries were written before the last file was done');
  const text = writes.map((w) => w.slice(4)).join('');
  const one = spawnSync(process.execPath, [BIN, '--format', 'json', '-j', '1', '.'], { cwd: dir, encoding: 'utf8' });
  assert.equal(text, one.stdout);
  assert.equal(status, one.status);
  assert.equal(JSON.parse(text).files.length, 60);
});

test('the code cache: written by the first run (whole, no temporary file left), accepted by the next; the language server writes it while it runs', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-cache-'));
  const dir = path.join(home, 'abi3lint', 'v8');
  const env = { ...process.env, XDG_CACHE_HOME: home };
  // a preload that says whether V8 took the cache (vm.Script's cachedDataRejected)
  const probe = path.join(home, 'probe.js');
  fs.writeFileSync(probe, "const vm = require('vm'); const S = vm.Script; vm.Script = class extends S { constructor(s, o) { super(s, o); if (o && o.cachedData) process.stderr.write(`code cache ${this.cachedDataRejected ? 'rejected' : 'accepted'}\\n`); } };\n");
  const cli = (): ReturnType<typeof spawnSync> => spawnSync(process.execPath, ['-r', probe, BIN, '--format', 'json', path.join(ROOT, 'examples')], { encoding: 'utf8', env });
  const first = cli();
  assert.doesNotMatch(String(first.stderr), /code cache/, 'the first run has no cache to read');
  const written = fs.readdirSync(dir);
  assert.equal(written.length, 1, written.join(', '));
  assert.match(written[0], /^cli\.js-\d+-\d+-v[\d.]+-\w+\.bin$/);
  assert.ok(fs.statSync(path.join(dir, written[0])).size > 100_000);
  const second = cli();
  assert.match(String(second.stderr), /code cache accepted/);
  assert.equal(second.stdout, first.stdout);
  // abi3lint-lsp: a server lives long, and a cache written at its exit would lack the start-up's bytecode (aged
  // out): it is written about two seconds after the start, while the server runs
  const seen = new Promise<void>((resolve) => {
    const w = fs.watch(dir, (_e, f) => {
      if (typeof f === 'string' && f.startsWith('server.js-') && f.endsWith('.bin')) {
        w.close();
        resolve();
      }
    });
  });
  const client = new LspClient(path.join(ROOT, 'bin', 'abi3lint-lsp.js'), env);
  try {
    await client.initialize(null);
    await seen;
    assert.equal(client.proc.exitCode, null, 'the server still runs');
    assert.ok(fs.readdirSync(dir).every((f) => !f.endsWith('.tmp')));
  } finally {
    await client.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('--jobs: a run that ends before checking (a usage error) does not wait for the workers started early', () => {
  const dir = tmpProject({ 'a.c': MOD });
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [BIN, '--format', 'yaml', '-j', '2', '.'], { cwd: dir, encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--format/);
  assert.ok(Date.now() - t0 < 15000, 'the process ended');
  assert.equal(run(['-j', 'many', '.'], dir).code, 2);
  assert.match(run(['-j', 'many', '.'], dir).stderr, /not auto or a whole number/);
});
