/**
 * A real VS Code for the end-to-end test and the benchmark: the packaged VSIX installed into code-server (under
 * the Node 24 that scripts/setup-e2e puts in the cache), driven by Chromium through playwright-core.
 * Nothing here is mocked: what it measures is what a user's VS Code does.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { CACHE } from './cache';

const ROOT = path.resolve(__dirname, '..', '..');
const E2E = path.join(CACHE, 'e2e');
export const NODE24 = path.join(E2E, 'node-24.21.0', 'bin', 'node');
export const CODE_SERVER = path.join(E2E, 'code-server-4.139.1', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const PLAYWRIGHT = path.join(E2E, 'playwright-1.64.1', 'node_modules', 'playwright-core');
export const CHROMIUM = '/usr/bin/chromium';

/** What the harness needs and is missing (empty when everything is installed). */
export function missingTools(): string[] {
  return (
    [
      ['Node 24', NODE24],
      ['code-server', CODE_SERVER],
      ['playwright-core', PLAYWRIGHT],
      ['chromium', CHROMIUM],
    ] as const
  )
    .filter(([, p]) => !fs.existsSync(p))
    .map(([what, p]) => `${what} (${p})`);
}

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

/** Resolves when code-server answers /healthz (bounded: 120 attempts, 500 ms apart). */
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

export interface VsCode {
  dir: string;
  workspace: string;
  /** Activation timings the extension appended (one JSON line per activation). */
  timingsFile: string;
  /** The client's change/diagnostics timestamps (ABI3LINT_TRACE_FILE). */
  traceFile: string;
  // playwright-core is loaded from the e2e cache at run time: typed loosely
  page: any;
  browser: any;
  close(): Promise<void>;
}

/**
 * Packages the extension, installs it into a fresh code-server profile, opens `workspaceFrom` (copied) in
 * Chromium. `log` receives code-server's output.
 */
export async function startVsCode(workspaceFrom: string, log?: NodeJS.WritableStream): Promise<VsCode> {
  const missing = missingTools();
  if (missing.length) throw new Error(`missing: ${missing.join(', ')}: run scripts/setup-e2e`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-vscode-'));
  const vsix = path.join(dir, 'abi3lint.vsix');
  const pkg = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--out', vsix], { cwd: ROOT, encoding: 'utf8' });
  if (pkg.status !== 0) throw new Error(`vsce package failed:\n${pkg.stdout}${pkg.stderr}`);
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
  const timingsFile = path.join(dir, 'timings.jsonl');
  const traceFile = path.join(dir, 'trace.jsonl');
  const env = {
    ...process.env,
    XDG_DATA_HOME: path.join(dir, 'xdg-data'),
    XDG_CONFIG_HOME: path.join(dir, 'xdg-config'),
    PATH: `${path.dirname(NODE24)}:${process.env.PATH}`,
    ABI3LINT_TIMINGS_FILE: timingsFile,
    ABI3LINT_TRACE_FILE: traceFile,
  };
  const inst = spawnSync(NODE24, [CODE_SERVER, '--user-data-dir', user, '--extensions-dir', ext, '--install-extension', vsix], { env, encoding: 'utf8' });
  if (inst.status !== 0) throw new Error(`installing the VSIX failed:\n${inst.stdout}${inst.stderr}`);
  const workspace = path.join(dir, 'workspace');
  fs.cpSync(workspaceFrom, workspace, { recursive: true });
  const port = await freePort();
  const proc = spawn(
    NODE24,
    [CODE_SERVER, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--user-data-dir', user, '--extensions-dir', ext, workspace],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (log) {
    proc.stdout!.pipe(log);
    proc.stderr!.pipe(log);
  } else {
    proc.stdout!.resume();
    proc.stderr!.resume();
  }
  let browser: any;
  const close = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    if (proc.pid) {
      try {
        process.kill(-proc.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await healthy(port, proc);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { chromium } = require(PLAYWRIGHT);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    return { dir, workspace, timingsFile, traceFile, page, browser, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Opens a file through Quick Open and waits for abi3lint's first squiggle in it. */
export async function openAndWaitForSquiggles(page: any, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.keyboard.type(name);
  await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 20000 });
  await page.keyboard.press('Enter');
  await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 60000 });
}

/** Activation timings recorded so far. */
export interface ActivationTimings {
  moduleMs: number | null;
  activateMs: number;
  activationMs: number;
  hostDelayMs: number | null;
  serverReadyMs: number;
}

export function readTimings(file: string): ActivationTimings[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ActivationTimings);
}
