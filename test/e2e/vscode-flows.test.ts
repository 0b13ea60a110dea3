/**
 * The editor experience on a project, in a real VS Code (code-server + Chromium, the packaged VSIX): an unchecked
 * file goes to checked in one click, a rule's code opens its bundled page, unsafe fixes say so in their titles,
 * and a flood of one name reads as one problem. Assertions are on what the page shows; screenshots go to
 * test-results/ (the README's VS Code section uses vscode-not-checked.png, vscode-set-target.png and
 * vscode-migration-preview.png).
 * Needs what scripts/setup-e2e installs; without it this test fails and says so.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { missingTools, startVsCode, type VsCode } from '../../scripts/vscode-harness';
import { spawnSync } from 'node:child_process';
import { headersFor, ROOT } from '../helpers/fixtures';

const RESULTS = path.join(ROOT, 'test-results');

const UNCHECKED = `/* No Py_LIMITED_API here, and no build file sets one. */
#include <Python.h>

PyObject *first(PyObject *t) { return PyTuple_GET_ITEM(t, 0); }
PyObject *qualname(PyObject *o) { return PyType_GetQualName(Py_TYPE(o)); }
`;

const FLOOD = `#define Py_LIMITED_API 0x03090000
#include <Python.h>

void fill(PyObject *t, PyObject *a, PyObject *b, PyObject *c)
{
    PyTuple_SET_ITEM(t, 0, a);
    PyTuple_SET_ITEM(t, 1, b);
    PyTuple_SET_ITEM(t, 2, c);
}

PyObject *pair(PyObject *t) { return PyTuple_Pack(2, PyTuple_GET_ITEM(t, 0), PyTuple_GET_ITEM(t, 1)); }
`;

/** Built at test time with CPython 3.13.0's headers, which make PyObject_DelAttr a 3.13 symbol at any target. */
const DELATTR = `#define Py_LIMITED_API 0x03050000
#include <Python.h>

static PyObject *del(PyObject *self, PyObject *args)
{
    PyObject *o, *n;
    if (!PyArg_ParseTuple(args, "OO", &o, &n)) return NULL;
    if (PyObject_DelAttr(o, n) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {{"delete", del, METH_VARARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "delattr", NULL, -1, methods};
PyMODINIT_FUNC PyInit_delattr(void) { return PyModule_Create(&def); }
`;

const STATIC_TYPE = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'migrate', 'counter-designated.c'), 'utf8').replace('#define PY_SSIZE_T_CLEAN', '#define Py_LIMITED_API 0x030A0000\n#define PY_SSIZE_T_CLEAN');

describe('VS Code (code-server): from not checked to checked, rule pages, fix titles, floods', { timeout: 300000 }, () => {
  let vs: VsCode | undefined;
  let page: any;
  let source: string;

  before(async () => {
    const missing = missingTools();
    assert.deepEqual(missing, [], `missing ${missing.join(', ')}: run scripts/setup-e2e to run the VS Code test`);
    fs.mkdirSync(RESULTS, { recursive: true });
    source = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-flows-'));
    fs.mkdirSync(path.join(source, 'plain'));
    fs.writeFileSync(path.join(source, 'plain', 'unchecked.c'), UNCHECKED);
    fs.mkdirSync(path.join(source, 'demo'));
    fs.writeFileSync(path.join(source, 'demo', 'flood.c'), FLOOD);
    fs.writeFileSync(path.join(source, 'demo', 'counter.c'), STATIC_TYPE);
    fs.mkdirSync(path.join(source, 'ext', 'build'), { recursive: true });
    fs.writeFileSync(path.join(source, 'ext', 'delattr.c'), DELATTR);
    const gcc = spawnSync('gcc', ['-shared', '-fPIC', '-I', headersFor('3.13.0'), '-o', path.join(source, 'ext', 'build', 'delattr.abi3.so'), path.join(source, 'ext', 'delattr.c')], { encoding: 'utf8' });
    assert.equal(gcc.status, 0, gcc.stderr);
    vs = await startVsCode(source, fs.createWriteStream(path.join(RESULTS, 'code-server-flows.log')));
    page = vs.page;
  });

  after(async () => {
    await vs?.close();
    if (source) fs.rmSync(source, { recursive: true, force: true });
  });

  /** Quick Open (Control+P) or the Command Palette (F1), once the workbench (not a webview) has the keyboard:
   *  retried after a click into the editor. */
  const quickInput = async (key: string, what: string): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      await page.keyboard.press(key);
      const shown = await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 5000 }).then(() => true, () => false);
      if (shown) return;
      if (attempt === 3) throw new Error(`${what} did not appear`);
      await page.locator('.monaco-editor .view-lines').first().click();
    }
  };
  const open = async (name: string): Promise<void> => {
    await quickInput('Control+P', 'Quick Open');
    await page.keyboard.type(name);
    // (the list shows recent files until the filter applies: wait for the row of this file)
    await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 20000 });
    await page.keyboard.press('Enter');
    await page.waitForFunction(`[...document.querySelectorAll('.tab.active')].some((t) => t.textContent.includes(${JSON.stringify(name)}))`, null, { timeout: 20000 });
  };
  const goTo = async (line: number, col: number): Promise<void> => {
    await page.keyboard.press('Control+G');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10000 });
    await page.keyboard.type(`${line}:${col}`);
    // (the row that goes there appears once the input is read; Enter before that can be lost)
    await page.locator('.quick-input-list .monaco-list-row', { hasText: `line ${line}` }).first().waitFor({ timeout: 10000 }).catch(() => undefined);
    await page.keyboard.press('Enter');
    const closed = await page.waitForSelector('.quick-input-widget', { state: 'hidden', timeout: 5000 }).then(() => true, () => false);
    if (!closed) {
      await page.keyboard.press('Enter');
      await page.waitForSelector('.quick-input-widget', { state: 'hidden', timeout: 5000 });
    }
  };
  const shot = (name: string) => page.screenshot({ path: path.join(RESULTS, name) });
  /** Ctrl+. at (line, col) until the Quick Fix menu shows `title` (under load the first press can be lost). */
  const quickFix = async (line: number, col: number, title: string): Promise<any> => {
    const row = page.locator('.action-widget .monaco-list-row', { hasText: title });
    for (let attempt = 0; ; attempt++) {
      await goTo(line, col);
      await page.keyboard.press('Control+.');
      if (await row.first().waitFor({ timeout: 10000 }).then(() => true, () => false)) return row;
      if (attempt === 2) throw new Error(`no "${title}" in the Quick Fix menu at ${line}:${col}`);
      await page.keyboard.press('Escape');
    }
  };

  test('an unchecked file: the status says so, a notification offers the ways forward, the version picker checks it', async (t) => {
    t.after(() => shot('vscode-flows-last.png').catch(() => undefined));
    await open('unchecked.c');
    // the status item and the once-per-session notification
    await page.locator('.statusbar-item', { hasText: 'abi3lint: not checked' }).first().waitFor({ timeout: 30000 });
    const toast = page.locator('.notification-toast', { hasText: 'abi3lint does not check unchecked.c' });
    await toast.first().waitFor({ timeout: 30000 });
    const toastText: string = await toast.first().innerText();
    assert.match(toastText, /no Py_LIMITED_API: the file does not define it, no build configuration sets it/);
    for (const b of ['Set Target…', 'Open Settings', 'Learn More']) assert.ok(await toast.first().locator('.monaco-button', { hasText: b }).count(), `no "${b}" button`);
    assert.equal(await page.locator('.monaco-editor .squiggly-error').count(), 0, 'nothing is checked yet');
    await shot('vscode-not-checked.png');
    // Set Target… → a version picker with the lowest version this file needs first
    await toast.first().locator('.monaco-button', { hasText: 'Set Target…' }).click();
    const first = page.locator('.quick-input-list .monaco-list-row').first();
    await first.waitFor({ timeout: 20000 });
    const firstText: string = await first.innerText();
    assert.match(firstText, /3\.11/);
    assert.match(firstText, /the lowest this file needs/);
    await shot('vscode-set-target.png');
    await page.keyboard.press('Enter');
    // checked now: the status names the target and the squiggle of the hidden macro appears
    await page.locator('.statusbar-item', { hasText: '3.11' }).first().waitFor({ timeout: 30000 });
    await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 30000 });
    await shot('vscode-checked.png');
  });

  test("a rule's code in the hover opens its bundled page, rendered", async (t) => {
    t.after(() => shot('vscode-flows-last.png').catch(() => undefined));
    await goTo(4, 45); // PyTuple_GET_ITEM in unchecked.c, checked at 3.11 now
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    const link = page.locator('.monaco-hover a', { hasText: 'ABI004' });
    await link.first().waitFor({ timeout: 20000 });
    await link.first().click();
    await page.waitForFunction(`[...document.querySelectorAll('.tab')].some((t) => /Preview ABI004\\.md/.test(t.textContent))`, null, { timeout: 30000 });
    // rendered, and the source tab was not left open
    const tabs: string[] = await page.locator('.tab').allInnerTexts();
    assert.ok(!tabs.some((t) => /^ABI004\.md/.test(t.trim())), tabs.join(' | '));
    await shot('vscode-rule-page.png');
    // back to the source (the preview's webview keeps the keyboard otherwise)
    await page.locator('.tab', { hasText: 'unchecked.c' }).first().click();
    await page.locator('.monaco-editor .view-lines').first().click();
  });

  test('the Quick Fix menu: unsafe fixes say so in a fixed place; one flood, one count and one fix-all', async (t) => {
    t.after(() => shot('vscode-flows-last.png').catch(() => undefined));
    await open('flood.c');
    await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 60000 });
    await page.keyboard.press('Control+Shift+M');
    await page.waitForFunction(`(document.querySelector('.markers-panel')?.innerText ?? '').includes('3 uses in this file')`, null, { timeout: 30000 });
    const problems: string = await page.locator('.markers-panel').innerText();
    assert.equal((problems.match(/3 uses in this file/g) ?? []).length, 1, problems);
    assert.doesNotMatch(problems, /\[macro-only-api\]/, 'no [rule-name] after the message');
    await quickFix(6, 10, 'Replace with PyTuple_SetItem (unsafe: fails unless the tuple is new; steals the item)');
    const menu: string = await page.locator('.action-widget').first().innerText();
    assert.equal((menu.match(/Suppress ABI004 on this line/g) ?? []).length, 1, menu);
    assert.match(menu, /Fix all ABI004 \(macro-only-api\) problems in this file \(2\)/);
    await shot('vscode-unsafe-fix.png');
    await page.keyboard.press('Escape');
  });

  test('a static type: the migration quick fix opens the refactor preview; applied, the type is a heap type and ABI006 is gone', async (t) => {
    t.after(() => shot('vscode-flows-last.png').catch(() => undefined));
    await open('counter.c');
    const line = STATIC_TYPE.split('\n').findIndex((l) => l.startsWith('static PyTypeObject CounterType = {')) + 1;
    await goTo(line, 25);
    // (the static type's line is in view now: its squiggle)
    await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 60000 });
    const convert = await quickFix(line, 25, "Convert 'CounterType' to a heap type (PyType_Spec) (unsafe: review the preview)");
    await convert.first().click();
    // the edit needs confirmation: VS Code shows it in the Refactor Preview panel, nothing is applied yet
    const apply = page.locator('.monaco-button', { hasText: /^Apply$/ });
    await apply.first().waitFor({ timeout: 30000 });
    const panel: string = await page.locator('.part.panel').first().innerText();
    assert.match(panel, /counter\.c/);
    assert.doesNotMatch(await page.locator('.monaco-editor .view-lines').first().innerText(), /PyType_Spec/);
    await shot('vscode-migration-preview.png');
    // edits that need confirmation start unchecked: the user opts in (here: the file's box, all its edits)
    const fileBox = page.locator('.part.panel .edit-checkbox').first();
    await fileBox.click();
    await page.waitForFunction(`[...document.querySelectorAll('.part.panel .edit-checkbox')].every((c) => c.getAttribute('aria-checked') === 'true')`, null, { timeout: 10000 });
    await apply.first().click();
    await page.waitForFunction(`[...document.querySelectorAll('.monaco-editor .view-lines')].some((v) => v.innerText.includes('CounterType_slots'))`, null, { timeout: 30000 });
    // the Problems view (the panel shows it again once the preview is done): counter.c keeps only its tp_alloc
    if (!(await page.locator('.markers-panel').first().isVisible().catch(() => false))) await page.keyboard.press('Control+Shift+M');
    await page.waitForFunction(
      `(() => { const t = document.querySelector('.markers-panel')?.innerText ?? ''; return t.includes("'tp_alloc'") && !t.includes('is a static PyTypeObject'); })()`,
      null,
      { timeout: 30000 },
    );
  });

  test('"abi3lint: Audit Built Extension…": the module found in the workspace, its verdict in the Problems view on the source line', async (t) => {
    t.after(() => shot('vscode-flows-last.png').catch(() => undefined));
    await page.keyboard.press('Escape');
    await quickInput('F1', 'the Command Palette');
    await page.keyboard.type('abi3lint: Audit Built Extension');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Audit Built Extension' }).first().waitFor({ timeout: 20000 });
    await page.keyboard.press('Enter');
    // the picker lists what the workspace holds
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'delattr.abi3.so' });
    await row.first().waitFor({ timeout: 30000 });
    assert.match(await row.first().innerText(), /ext\/build/);
    await shot('vscode-audit-pick.png');
    await row.first().click();
    const toast = page.locator('.notification-toast', { hasText: 'abi3lint audit: 1 module(s), 1 error(s)' });
    await toast.first().waitFor({ timeout: 60000 });
    assert.match(await toast.first().innerText(), /it needs Python 3\.13/);
    await toast.first().locator('.monaco-button', { hasText: 'Show Problems' }).click();
    // (the view draws only the rows in sight: filter it to this module's verdicts)
    const filter = page.locator('.viewpane-filter input, .markers-panel-action-filter input').first();
    await filter.waitFor({ timeout: 20000 });
    await filter.fill('abi3lint audit');
    await page.waitForFunction(`(document.querySelector('.markers-panel')?.innerText ?? '').includes('imports PyObject_DelAttr')`, null, { timeout: 30000 });
    const problems: string = await page.locator('.markers-panel').innerText();
    assert.match(problems, /delattr\.c/);
    assert.match(problems, /delattr\.abi3\.so: imports PyObject_DelAttr, in the Stable ABI only from 3\.13/);
    assert.match(problems, /\[Ln 8, Col 9\]/);
    await shot('vscode-audit.png');
  });
});
