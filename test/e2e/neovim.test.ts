/**
 * A real LSP client: headless Neovim starts `abi3lint-lsp --stdio` (dist/server.js) on an example extension
 * and reports the diagnostics, a hover and the code actions it received. Needs `nvim` (apt-get install neovim;
 * scripts/setup-e2e installs it); without it this test fails and says so.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/fixtures';

test('Neovim shows abi3lint diagnostics, hover and quick fixes', { timeout: 60000 }, () => {
  const which = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  assert.ok(!which.error, 'nvim is not installed: run scripts/setup-e2e (or apt-get install neovim) to run the editor tests');
  const file = path.join(ROOT, 'examples', 'spam', 'spammodule.c');
  const r = spawnSync('nvim', ['--headless', '-i', 'NONE', '-n', '-u', path.join(__dirname, '..', '..', '..', 'test', 'e2e', 'nvim-init.lua'), file], {
    cwd: path.dirname(file),
    encoding: 'utf8',
    env: { ...process.env, ABI3LINT_LSP: path.join(ROOT, 'dist', 'server.js'), ABI3LINT_HOVER_LINE: '22', ABI3LINT_HOVER_COL: '24' },
    timeout: 50000,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  assert.ok(line, `no report from nvim (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  const out = JSON.parse(line);
  assert.equal(out.ok, true, JSON.stringify(out));
  const codes = out.diagnostics.map((d: { code: string }) => d.code);
  for (const c of ['ABI004', 'ABI001', 'ABI002', 'ABI005', 'ABI006']) assert.ok(codes.includes(c), `no ${c} in ${codes.join(',')}`);
  assert.match(out.hover, /PyTuple_GET_ITEM/);
  assert.match(out.hover, /Not in the Limited API/);
  assert.ok(out.actions.includes('Replace with PyTuple_GetItem'), out.actions.join(' | '));
});
