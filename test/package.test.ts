/** The VSIX: built with vsce from the allowlist, its contents listed and its size bounded. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers/fixtures';

test('the VSIX holds exactly the run-time files and stays under 5 MB', { timeout: 120000 }, () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-vsix-')), 'abi3lint.vsix');
  const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--out', out], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const size = fs.statSync(out).size;
  assert.ok(size < 5 * 1024 * 1024, `the VSIX is ${size} bytes`);
  const list = spawnSync('unzip', ['-Z1', out], { encoding: 'utf8' });
  assert.equal(list.status, 0, list.stderr);
  const files = list.stdout.trim().split('\n').filter((f) => f.startsWith('extension/')).map((f) => f.slice('extension/'.length)).sort();
  const rules = Array.from({ length: 19 }, (_, i) => `docs/rules/ABI${String(i + 1).padStart(3, '0')}.md`);
  assert.deepEqual(
    files,
    [
      'LICENSE.txt',
      'changelog.md',
      'client/icon.png',
      'data/behaviour.json',
      'data/compat/abi3lint_compat.h',
      'data/capi.json',
      'data/replacements.json',
      'data/rules.json',
      'dist/extension.js',
      'dist/server.js',
      'dist/tree-sitter-c.wasm',
      'dist/web-tree-sitter.wasm',
      ...rules,
      'package.json',
      'readme.md',
      'syntaxes/abi3lint.injection.json',
    ].sort(),
  );
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
});

test('the language server starts with the same Node flags from VS Code, from abi3lint-lsp and in the benchmark', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SERVER_NODE_FLAGS } = require('../server/src/lsp/protocol') as { SERVER_NODE_FLAGS: string[] };
  assert.ok(SERVER_NODE_FLAGS.length > 0);
  const shebang = fs.readFileSync(path.join(ROOT, 'bin', 'abi3lint-lsp.js'), 'utf8').split('\n')[0];
  assert.equal(shebang, `#!/usr/bin/env -S node ${SERVER_NODE_FLAGS.join(' ')}`);
  const client = fs.readFileSync(path.join(ROOT, 'client', 'src', 'extension.ts'), 'utf8');
  assert.match(client, /run: \{ module, transport: TransportKind\.ipc, options: \{ execArgv: SERVER_NODE_FLAGS \} \}/);
  assert.match(fs.readFileSync(path.join(ROOT, 'scripts', 'bench.ts'), 'utf8'), /SERVER_NODE_FLAGS/);
  // the flags are valid for this Node: the server starts and answers --version with them
  const r = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, path.join(ROOT, 'dist', 'server.js'), '--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^abi3lint-lsp /);
});
