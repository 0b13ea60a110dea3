/**
 * The integrations people expect from a linter, each run the way its host runs it: the pre-commit hook (files
 * as arguments, exit codes), the GitHub Action's steps (its shell, inputs and outputs, on examples/), the VS Code
 * problem matcher (its pattern against the CLI's text output), and the build-file hints of --min-version (read
 * back by abi3lint's own build-file reader).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { buildHints } from '../server/src/cli/buildhints';
import { readBuildConfig } from '../server/src/core/buildconfig';
import { fsHost } from '../server/src/core/host';
import { ROOT } from './helpers/fixtures';

const CLI = path.join(ROOT, 'bin', 'abi3lint.js');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

function tmpCopyOfExamples(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-integration-'));
  fs.cpSync(path.join(ROOT, 'examples'), path.join(dir, 'examples'), { recursive: true });
  return dir;
}

test('pre-commit: the hook runs abi3lint on the staged C files it selects, and fails on findings', () => {
  const hooks = parseYaml(fs.readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as { id: string; entry: string; language: string; files: string; args?: string[] }[];
  const hook = hooks.find((h) => h.id === 'abi3lint')!;
  assert.equal(hook.language, 'node');
  assert.ok(Object.keys(pkg.bin).includes(hook.entry), 'the entry is one of the package\'s programs');
  const staged = ['examples/spam/spammodule.c', 'examples/spam/setup.py', 'README.md', 'examples/modern/fastio.c'];
  const selected = staged.filter((f) => new RegExp(hook.files).test(f));
  assert.deepEqual(selected, ['examples/spam/spammodule.c', 'examples/modern/fastio.c']);
  // as pre-commit runs it: entry, then the hook's args, then the files
  const run = (files: string[]) => spawnSync(process.execPath, [CLI, ...(hook.args ?? []), ...files], { cwd: ROOT, encoding: 'utf8' });
  const bad = run(selected);
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stdout, /spammodule\.c:\d+:\d+: error ABI/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-precommit-'));
  fs.writeFileSync(path.join(dir, 'clean.c'), '#define Py_LIMITED_API 0x03090000\n#include <Python.h>\nPyObject *f(PyObject *t) { return PyTuple_GetItem(t, 0); }\n');
  const good = run([path.join(dir, 'clean.c')]);
  assert.equal(good.status, 0, good.stdout + good.stderr);
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  if?: string;
}

/** Runs the action's shell steps as the runner would (expressions resolved from inputs and step outputs). */
function runActionSteps(inputs: Record<string, string>, cwd: string): { outputs: Record<string, string>; logs: string; exit: number } {
  const action = parseYaml(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default: string }>; runs: { using: string; steps: Step[] } };
  assert.equal(action.runs.using, 'composite');
  const values: Record<string, string> = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, inputs[k] ?? v.default]));
  const stepOutputs: Record<string, Record<string, string>> = {};
  const expr = (s: string): string =>
    s.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, e: string) => {
      const input = /^inputs\.([\w-]+)$/.exec(e);
      if (input) return values[input[1]];
      const out = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(e);
      if (out) return stepOutputs[out[1]]?.[out[2]] ?? '';
      const cmp = /^inputs\.([\w-]+) == '([^']*)'$/.exec(e);
      if (cmp) return String(values[cmp[1]] === cmp[2]);
      throw new Error(`unknown expression ${e}`);
    });
  let logs = '';
  for (const step of action.runs.steps) {
    if (step.if && expr(step.if) !== 'true') continue;
    if (step.uses) {
      // (actions from the marketplace are not run here: their inputs are checked)
      for (const v of Object.values(step.with ?? {})) assert.doesNotThrow(() => expr(String(v)));
      continue;
    }
    if (/npm ci/.test(step.run!)) continue; // (installing: this checkout is built already)
    const outFile = path.join(cwd, `.github-output-${step.id ?? 'x'}`);
    fs.writeFileSync(outFile, '');
    const env = { ...process.env, GITHUB_ACTION_PATH: ROOT, GITHUB_OUTPUT: outFile, ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expr(v)])) };
    const r = spawnSync('bash', ['-e', '-c', expr(step.run!)], { cwd, env, encoding: 'utf8' });
    logs += r.stdout + r.stderr;
    if (step.id) stepOutputs[step.id] = Object.fromEntries(fs.readFileSync(outFile, 'utf8').split('\n').filter(Boolean).map((l) => l.split('=', 2) as [string, string]));
    if (r.status !== 0) return { outputs: stepOutputs.check ?? {}, logs, exit: r.status ?? -1 };
  }
  return { outputs: stepOutputs.check ?? {}, logs, exit: 0 };
}

test('GitHub Action: SARIF for code scanning by default, annotations otherwise, failing on findings', () => {
  const dir = tmpCopyOfExamples();
  const sarif = runActionSteps({ paths: 'examples' }, dir);
  assert.equal(sarif.outputs['exit-code'], '1');
  assert.equal(sarif.exit, 1, sarif.logs);
  const log = JSON.parse(fs.readFileSync(path.join(dir, 'abi3lint.sarif'), 'utf8'));
  assert.equal(log.version, '2.1.0');
  assert.ok(log.runs[0].results.length > 5);
  const ann = runActionSteps({ paths: 'examples/modern', sarif: 'false', target: '3.9', args: '--select ABI015' }, dir);
  assert.equal(ann.exit, 1);
  assert.match(ann.logs, /^::error file=examples\/modern\/fastio\.c,line=11,col=9,/m);
  assert.doesNotMatch(ann.logs, /ABI014/);
  const clean = runActionSteps({ paths: 'examples/modern', sarif: 'false', args: '--select ABI006' }, dir);
  assert.equal(clean.outputs['exit-code'], '0');
  assert.equal(clean.exit, 0, clean.logs);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('VS Code problem matcher $abi3lint reads the CLI text output', () => {
  const matcher = pkg.contributes.problemMatchers.find((m: { name: string }) => m.name === 'abi3lint');
  const re = new RegExp(matcher.pattern.regexp);
  const text = spawnSync(process.execPath, [CLI, '--no-progress', 'examples'], { cwd: ROOT, encoding: 'utf8' }).stdout;
  const json = JSON.parse(spawnSync(process.execPath, [CLI, '--format', 'json', 'examples'], { cwd: ROOT, encoding: 'utf8' }).stdout);
  const want = json.files.flatMap((f: { path: string; findings: { line: number; column: number; code: string; severity: string }[] }) => f.findings.filter((x) => x.severity !== 'hint').map((x) => `${f.path} ${x.line} ${x.column} ${x.severity} ${x.code}`));
  const got = text
    .split('\n')
    .map((l) => re.exec(l))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => `${m[matcher.pattern.file]} ${m[matcher.pattern.line]} ${m[matcher.pattern.column]} ${m[matcher.pattern.severity]} ${m[matcher.pattern.code]}`);
  assert.ok(want.length > 10);
  assert.deepEqual(got, want);
});

test('--min-version prints build settings that abi3lint reads back as the same target', () => {
  const hints = buildHints(11);
  assert.match(hints, /cp311-abi3/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-hints-'));
  const line = (re: RegExp): string => re.exec(hints)![0].trim();
  const files: Record<string, string> = {
    'setup.py': `from setuptools import setup, Extension\nsetup(ext_modules=[${line(/Extension\(\.\.\., .*\)/).replace('...', "'m', ['m.c']")}], ${line(/options=\{.*\}/)})\n`,
    'setup.cfg': `[bdist_wheel]\n${line(/py_limited_api = cp311/)}\n`,
    'pyproject.toml': `[tool.scikit-build]\n${line(/wheel\.py-api = "cp311"/)}\n`,
    'CMakeLists.txt': `${line(/python_add_library\(.*\)/)}\n`,
    'meson.build': `${line(/py\.extension_module\(.*\)/)}\n`,
  };
  for (const [name, text] of Object.entries(files)) {
    const sub = fs.mkdtempSync(path.join(dir, 'p-'));
    fs.writeFileSync(path.join(sub, name), text);
    const cfg = readBuildConfig(path.join(sub, 'm.c'), sub, fsHost);
    assert.ok(cfg && cfg.facts.length, `${name}: ${text}`);
    for (const f of cfg.facts) if (f.minor !== null) assert.equal(f.minor, 11, `${name}: ${f.detail}`);
  }
  const r = spawnSync(process.execPath, [CLI, '--min-version', 'examples/spam'], { cwd: ROOT, encoding: 'utf8' });
  assert.match(r.stdout, /spammodule\.c: Py_LIMITED_API >= 0x030B0000 \(3\.11\)/);
  assert.match(r.stdout, /wheel tag cp311-abi3/);
  fs.rmSync(dir, { recursive: true, force: true });
});
