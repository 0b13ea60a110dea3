/**
 * End to end in a real VS Code: the packaged VSIX is installed into code-server, which Chromium drives through
 * playwright-core. Opens an example extension source and checks squiggles, the Problems view, a hover with the
 * Limited API version, and a quick fix that removes a diagnostic. Screenshots go to test-results/.
 * Needs what scripts/setup-e2e installs (code-server under Node 24, Chromium, playwright-core); without it this
 * test fails and says so.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CACHE, ROOT } from '../helpers/fixtures';

const E2E = path.join(CACHE, 'e2e');
const NODE24 = path.join(E2E, 'node-24.21.0', 'bin', 'node');
const CODE_SERVER = path.join(E2E, 'code-server-4.139.1', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const PLAYWRIGHT = path.join(E2E, 'playwright-1.64.1', 'node_modules', 'playwright-core');
const RESULTS = path.join(ROOT, 'test-results');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Resolves when code-server answers /healthz (bounded: 60 attempts). */
async function healthy(port: number, proc: ChildProcess): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (proc.exitCode !== null) throw new Error(`code-server exited with ${proc.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => {
        req.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('code-server did not become healthy');
}

describe('VS Code (code-server) with the packaged extension', { timeout: 240000 }, () => {
  let dir: string;
  let proc: ChildProcess | undefined;
  let browser: any;
  let page: any;
  let port: number;

  before(async () => {
    for (const [what, p] of [
      ['Node 24', NODE24],
      ['code-server', CODE_SERVER],
      ['playwright-core', PLAYWRIGHT],
      ['chromium', '/usr/bin/chromium'],
    ]) {
      assert.ok(fs.existsSync(p), `${what} is missing (${p}): run scripts/setup-e2e to run the VS Code test`);
    }
    fs.mkdirSync(RESULTS, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-vscode-'));
    const vsix = path.join(dir, 'abi3lint.vsix');
    const pkg = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--out', vsix], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(pkg.status, 0, pkg.stdout + pkg.stderr);
    const user = path.join(dir, 'user');
    const ext = path.join(dir, 'ext');
    fs.mkdirSync(path.join(user, 'User'), { recursive: true });
    fs.writeFileSync(
      path.join(user, 'User', 'settings.json'),
      JSON.stringify({
        'chat.disableAIFeatures': true,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'workbench.startupEditor': 'none',
        'extensions.autoUpdate': false,
        'security.workspace.trust.enabled': false,
        'workbench.tips.enabled': false,
        'editor.hover.delay': 200,
      }),
    );
    const env = { ...process.env, XDG_DATA_HOME: path.join(dir, 'xdg-data'), XDG_CONFIG_HOME: path.join(dir, 'xdg-config'), PATH: `${path.dirname(NODE24)}:${process.env.PATH}` };
    const inst = spawnSync(NODE24, [CODE_SERVER, '--user-data-dir', user, '--extensions-dir', ext, '--install-extension', vsix], { env, encoding: 'utf8' });
    assert.equal(inst.status, 0, inst.stdout + inst.stderr);
    const ws = path.join(dir, 'workspace');
    fs.cpSync(path.join(ROOT, 'examples', 'spam'), ws, { recursive: true });
    port = await freePort();
    proc = spawn(
      NODE24,
      [CODE_SERVER, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--user-data-dir', user, '--extensions-dir', ext, ws],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const log = fs.createWriteStream(path.join(RESULTS, 'code-server.log'));
    proc.stdout!.pipe(log);
    proc.stderr!.pipe(log);
    await healthy(port, proc);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { chromium } = require(PLAYWRIGHT);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    if (proc?.pid) {
      try {
        process.kill(-proc.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const goTo = async (line: number, col: number): Promise<void> => {
    await page.keyboard.press('Control+G');
    await page.keyboard.type(`${line}:${col}`);
    await page.keyboard.press('Enter');
  };

  test('squiggles, Problems, hover, and a quick fix that removes a diagnostic', async (t) => {
    t.after(async () => {
      if (page) await page.screenshot({ path: path.join(RESULTS, 'vscode-last.png') }).catch(() => undefined);
    });
    // open the example through Quick Open
    await page.keyboard.press('Control+P');
    await page.keyboard.type('spammodule.c');
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 20000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 60000 });
    await page.screenshot({ path: path.join(RESULTS, 'vscode-squiggles.png') });

    // the Problems view lists abi3lint's findings with their codes
    await page.keyboard.press('Control+Shift+M');
    await page.waitForSelector('.markers-panel .monaco-list-row', { timeout: 20000 });
    const problems: string = await page.locator('.markers-panel').innerText();
    for (const code of ['ABI004', 'ABI001', 'ABI002', 'ABI006']) assert.match(problems, new RegExp(code), `Problems view lacks ${code}`);
    await page.screenshot({ path: path.join(RESULTS, 'vscode-problems.png') });

    // hover over PyType_GetName (line 25): the version that added it to the Limited API
    await goTo(25, 30);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    await page.waitForSelector('.monaco-hover', { state: 'visible', timeout: 20000 });
    // the diagnostic part shows first; abi3lint's hover part follows
    await page.waitForFunction(`[...document.querySelectorAll('.monaco-hover')].some((h) => h.innerText.includes('Limited API: since 3.11'))`, null, { timeout: 20000 });
    const hover: string = (await page.locator('.monaco-hover').allInnerTexts()).join('\n');
    assert.match(hover, /Limited API: since 3\.11/);
    assert.match(hover, /PyType_GetName/);
    await page.screenshot({ path: path.join(RESULTS, 'vscode-hover.png') });
    await page.keyboard.press('Escape');

    // quick fix on PyTuple_GET_ITEM (line 23); the status bar counts the errors
    const errors = async (): Promise<number> => {
      const label: string = (await page.locator('[id="status.problems"]').first().getAttribute('aria-label')) ?? '';
      return Number(/Errors?: (\d+)/i.exec(label)?.[1] ?? NaN);
    };
    const before = await errors();
    assert.ok(before > 5, `status bar says ${before} errors`);
    await goTo(23, 25);
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Replace with PyTuple_GetItem' });
    await fix.first().waitFor({ timeout: 20000 });
    await page.screenshot({ path: path.join(RESULTS, 'vscode-quickfix.png') });
    await fix.first().click();
    // (browser-side expressions are strings: this project compiles without the DOM library)
    await page.waitForFunction(`document.querySelector('.monaco-editor .view-lines')?.textContent?.includes('PyTuple_GetItem(args,\u00a00)') || document.querySelector('.monaco-editor .view-lines')?.textContent?.includes('PyTuple_GetItem(args, 0)')`, null, { timeout: 20000 });
    await page.waitForFunction(
      `(() => { const m = /Errors?: (\\d+)/i.exec(document.querySelector('[id="status.problems"]')?.getAttribute('aria-label') ?? ''); return !!m && Number(m[1]) === ${before - 1}; })()`,
      null,
      { timeout: 20000 },
    );
    // and the Problems view drops the fixed entry (it refreshes after the status bar)
    await page.waitForFunction(`!(document.querySelector('.markers-panel')?.innerText ?? '').includes("'PyTuple_GET_ITEM'")`, null, { timeout: 20000 });
    const afterText: string = await page.locator('.markers-panel').innerText();
    assert.doesNotMatch(afterText, /'PyTuple_GET_ITEM'/);
    assert.match(afterText, /ABI002/);
    await page.screenshot({ path: path.join(RESULTS, 'vscode-after-fix.png') });
  });
});
