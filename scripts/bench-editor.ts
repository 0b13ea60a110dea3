/**
 * Keystroke to squiggle in a real VS Code (code-server + Chromium, the packaged VSIX): a 4,000-line generated
 * file (or a real one), the middle error finding on a name; its last character deleted (the squiggle goes: the
 * name becomes one the data does not know) and typed back (it returns).
 * Times are taken on both sides of the language client: the page records the keydown and the moment the
 * editor's count of error squiggles changes (a MutationObserver); the extension host records when it sent the
 * change and received the diagnostics (ABI3LINT_TRACE_FILE). Same machine, epoch milliseconds.
 *
 *   node out/scripts/bench-editor.js [--runs 40] [--lines 4000 | --file real.c (with its own Py_LIMITED_API)]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { generateSource } from './gen-source';
import { lint } from '../server/src/core/lint';
import { missingTools, openAndWaitForSquiggles, startVsCode } from './vscode-harness';

export interface SquiggleLatency {
  lines: number;
  runs: number;
  /** keydown → squiggle count changed, per edit (ms). */
  total: number[];
  /** keydown → the client sent didChange. */
  toChange: number[];
  /** didChange sent → diagnostics received by the client (the server's analysis, IPC, the publish). */
  toDiagnostics: number[];
  /** diagnostics received → the squiggle on screen. */
  toPaint: number[];
}

const OBSERVER = `(() => {
  const w = window;
  w.__abi3 = { keydown: 0, changes: [] };
  document.addEventListener('keydown', () => { w.__abi3.keydown = performance.timeOrigin + performance.now(); }, true);
  const editor = document.querySelector('.editor-group-container.active .monaco-editor');
  let last = editor.querySelectorAll('.squiggly-error').length;
  new MutationObserver(() => {
    const n = editor.querySelectorAll('.squiggly-error').length;
    if (n !== last) { last = n; w.__abi3.changes.push({ at: performance.timeOrigin + performance.now(), n }); }
  }).observe(editor, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });
})()`;

interface Trace {
  event: 'change' | 'diagnostics';
  at: number;
}

const readTrace = (file: string): Trace[] =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Trace)
    : [];

/** One edit: press `key`, wait until the squiggle count is `want`; the four times. */
async function edit(page: any, traceFile: string, key: string, want: number): Promise<[number, number, number, number]> {
  const seen = readTrace(traceFile).length;
  await page.evaluate('window.__abi3.changes = []');
  await page.keyboard.press(key);
  await page.waitForFunction(`window.__abi3.changes.some((c) => c.n === ${want})`, null, { timeout: 20000, polling: 'raf' });
  const { keydown, painted } = (await page.evaluate(`({ keydown: window.__abi3.keydown, painted: window.__abi3.changes.find((c) => c.n === ${want}).at })`)) as { keydown: number; painted: number };
  // the extension host's events for this edit: the first change after the keydown, the first diagnostics after it
  let trace = readTrace(traceFile).slice(seen);
  for (let k = 0; k < 20 && !trace.some((t) => t.event === 'diagnostics'); k++) {
    await new Promise((r) => setTimeout(r, 25));
    trace = readTrace(traceFile).slice(seen);
  }
  const change = trace.find((t) => t.event === 'change' && t.at >= keydown - 5)?.at ?? NaN;
  const diags = trace.find((t) => t.event === 'diagnostics' && t.at >= change)?.at ?? NaN;
  return [painted - keydown, change - keydown, diags - change, painted - diags];
}

/** Where to type in a real file: the end of the middle error finding's name (from an in-process lint). */
async function spotIn(text: string): Promise<{ line: number; col: number }> {
  const r = await lint({ path: '/bench/real.c', text }, { buildConfig: null });
  const named = r.findings.filter((f) => f.severity === 'error' && f.identifier && f.range.start.line === f.range.end.line && f.range.end.character - f.range.start.character === f.identifier.length);
  if (!named.length) throw new Error('the file has no error finding on a name to edit');
  const f = named[Math.floor(named.length / 2)];
  return { line: f.range.start.line, col: f.range.end.character + 1 };
}

export async function keystrokeToSquiggle(runs = 40, lines = 4000, file?: string): Promise<SquiggleLatency> {
  const missing = missingTools();
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: run scripts/setup-e2e`);
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-squiggle-'));
  const text = file ? fs.readFileSync(file, 'utf8') : generateSource(lines, 13);
  fs.writeFileSync(path.join(ws, 'big.c'), text);
  lines = text.split('\n').length;
  const vs = await startVsCode(ws);
  const out: SquiggleLatency = { lines, runs, total: [], toChange: [], toDiagnostics: [], toPaint: [] };
  try {
    const page = vs.page;
    await openAndWaitForSquiggles(page, 'big.c');
    // the middle error finding on a name, cursor after its last character (deleting it makes another name)
    const { line, col } = await spotIn(text);
    const last = text.split('\n')[line][col - 2];
    await page.keyboard.press('Control+G');
    await page.keyboard.type(`${line + 1}:${col}`);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1000);
    await page.evaluate(OBSERVER);
    const before = (await page.evaluate(`document.querySelector('.editor-group-container.active .monaco-editor').querySelectorAll('.squiggly-error').length`)) as number;
    if (process.env.ABI3LINT_BENCH_DEBUG) {
      console.log('squiggles before', before, 'line', line + 1, 'col', col);
      await page.screenshot({ path: '/tmp/bench-editor-0.png' });
      await page.keyboard.press('Backspace');
      await page.waitForTimeout(2000);
      console.log('after', await page.evaluate(`document.querySelector('.editor-group-container.active .monaco-editor').querySelectorAll('.squiggly-error').length`));
      await page.screenshot({ path: '/tmp/bench-editor-1.png' });
      await page.keyboard.press('M');
      await page.waitForTimeout(2000);
    }
    for (let i = 0; i < runs; i++) {
      for (const [key, want] of [['Backspace', before - 1], [last, before]] as const) {
        const t = await edit(page, vs.traceFile, key, want);
        out.total.push(t[0]);
        out.toChange.push(t[1]);
        out.toDiagnostics.push(t[2]);
        out.toPaint.push(t[3]);
        await page.waitForTimeout(150); // a user's pause between keys: each edit is measured alone
      }
    }
  } finally {
    await vs.close();
    fs.rmSync(ws, { recursive: true, force: true });
  }
  return out;
}

if (require.main === module) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '40' }, lines: { type: 'string', default: '4000' }, file: { type: 'string' } } });
  keystrokeToSquiggle(Number(values.runs), Number(values.lines), values.file).then(
    (r) => {
      const q = (xs: number[], p: number): string => {
        const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
        return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(1) : 'n/a';
      };
      for (const k of ['total', 'toChange', 'toDiagnostics', 'toPaint'] as const) console.log(`${k.padEnd(14)} p50 ${q(r[k], 50)} ms  p95 ${q(r[k], 95)} ms  (${r[k].length} edits)`);
    },
    (e: unknown) => {
      console.error(`bench-editor: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(2);
    },
  );
}
