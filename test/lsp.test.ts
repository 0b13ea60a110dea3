/**
 * The language server, driven over stdio by a real JSON-RPC client. Every step awaits the server's own
 * messages; nothing sleeps.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { applyLspEdits, LspClient } from '../scripts/lsp-client';
import { spawnSync } from 'node:child_process';
import { headersFor, ROOT } from './helpers/fixtures';

const SOURCE = `#define Py_LIMITED_API 0x03090000
#include <Python.h>

PyObject *first(PyObject *t)
{
    PyObject *x = PyTuple_GET_ITEM(t, 0);
    PyObject *n = PyType_GetName(Py_TYPE(x));
    return n;
}
`;

type Range = { start: { line: number; character: number }; end: { line: number; character: number } };

describe('language server over stdio', { timeout: 60000 }, () => {
  let client: LspClient;
  let dir: string;
  let uri: string;
  let text = SOURCE;
  let version = 1;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-lsp-'));
    const file = path.join(dir, 'mod.c');
    fs.writeFileSync(file, SOURCE);
    fs.writeFileSync(path.join(dir, 'other.c'), '#define Py_LIMITED_API 0x030C0000\n#include <Python.h>\nint n(PyObject *l) { return (int)PyList_GET_SIZE(l); }\n');
    uri = pathToFileURL(file).href;
    client = new LspClient();
    const init = await client.initialize(pathToFileURL(dir).href);
    assert.equal(init.capabilities.textDocumentSync.change, 2, 'incremental sync');
    assert.ok(init.capabilities.hoverProvider);
    assert.ok(init.capabilities.codeActionProvider.codeActionKinds.includes('source.fixAll.abi3lint'));
  });
  after(async () => {
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const change = async (range: Range | null, newText: string) => {
    version++;
    text = range ? applyLspEdits(text, [{ range, newText }]) : newText;
    const mark = client.mark();
    await client.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [range ? { range, text: newText } : { text: newText }],
    });
    return client.current(uri, version, mark);
  };
  const codes = (d: { diagnostics: { code?: string; range: Range }[] }) => d.diagnostics.filter((x) => x.code).map((x) => `${x.range.start.line}:${x.range.start.character} ${x.code}`);

  test('diagnostics after open, with code, link and range', async () => {
    const mark = client.mark();
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version, text } });
    const d = await client.diagnostics(uri, version, mark);
    assert.deepEqual(codes(d), ['5:18 ABI004', '6:18 ABI002']);
    // the rule's page, bundled: a file URI that exists (every local editor opens it)
    const href = d.diagnostics.find((x) => x.code)!.codeDescription!.href;
    assert.match(href, /^file:\/\/.*\/docs\/rules\/ABI004\.md$/);
    assert.ok(fs.existsSync(fileURLToPath(href)), href);
    const status = await client.next<{ uri: string; target: string }>('abi3lint/status', (s) => s.uri === uri, mark);
    assert.match(status.target, /3\.9/);
  });

  test('the workspace check at start reports files that are not open', async () => {
    const other = pathToFileURL(path.join(dir, 'other.c')).href;
    const d = await client.diagnostics(other);
    assert.deepEqual(codes(d), ['2:33 ABI004']);
  });

  test('hover: signature, status at the target, added-in version, docs link', async () => {
    const h = await client.conn.sendRequest<any>('textDocument/hover', { textDocument: { uri }, position: { line: 6, character: 22 } });
    const v: string = h.contents.value;
    assert.match(v, /PyObject \*PyType_GetName\(PyTypeObject \*\)/);
    assert.match(v, /Too new for abi3 3\.9: needs 3\.11/);
    assert.match(v, /Limited API: since 3\.11/);
    assert.match(v, /Returns: new reference/);
    assert.match(v, /docs\.python\.org\/3\/c-api\/type\.html#c\.PyType_GetName/);
    const d = await client.conn.sendRequest<any>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 10 } });
    assert.match(d.contents.value, /0x03090000 → Python 3\.9/);
  });

  test('quick fix edits, applied to the text, remove the diagnostic', async () => {
    const actions = await client.conn.sendRequest<any[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 5, character: 18 }, end: { line: 5, character: 18 } },
      context: { diagnostics: [] },
    });
    const fix = actions.find((a) => a.title === 'Replace with PyTuple_GetItem');
    assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
    assert.equal(fix.isPreferred, true);
    assert.ok(actions.some((a) => a.title === 'Suppress ABI004 on this line'));
    assert.ok(actions.some((a) => a.title === 'Set Py_LIMITED_API to 0x030B0000 (3.11): removes 1 finding, 1 remain'), JSON.stringify(actions.map((a) => a.title)));
    const edits = fix.edit.changes[uri];
    const d = await change(edits[0].range, edits[0].newText);
    assert.match(text, /PyTuple_GetItem\(t, 0\)/);
    assert.deepEqual(codes(d), ['6:18 ABI002']);
  });

  test('an edit that changes no diagnostic is analysed but not republished', async () => {
    const before = await client.current(uri, version);
    const mark = client.mark();
    // a space typed at the end of the line after the last finding: nothing moves
    const last = text.split('\n').length - 1;
    const d = await change({ start: { line: last, character: 0 }, end: { line: last, character: 0 } }, ' ');
    assert.equal(client.publishedFor(uri, version, mark), false, 'no publish for an unchanged list');
    assert.deepEqual(codes(d), codes(before));
    // and undoing it: still nothing to publish
    const d2 = await change({ start: { line: last, character: 0 }, end: { line: last, character: 1 } }, '');
    assert.deepEqual(codes(d2), codes(before));
  });

  test('an edit that raises the target clears the too-new diagnostic', async () => {
    const d = await change({ start: { line: 0, character: 23 }, end: { line: 0, character: 33 } }, '0x030B0000');
    assert.equal(text.split('\n')[0], '#define Py_LIMITED_API 0x030B0000');
    assert.deepEqual(codes(d), []);
  });

  test('an edit that adds violations reports them; fix-all repairs them', async () => {
    const d = await change({ start: { line: 7, character: 0 }, end: { line: 7, character: 0 } }, '    Py_ssize_t k = PyList_GET_SIZE(t) + PyTuple_GET_SIZE(t);\n');
    assert.deepEqual(codes(d), ['7:19 ABI004', '7:40 ABI004']);
    const actions = await client.conn.sendRequest<any[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.abi3lint'] },
    });
    assert.equal(actions.length, 1);
    const fixed = applyLspEdits(text, actions[0].edit.changes[uri]);
    assert.match(fixed, /PyList_Size\(t\) \+ PyTuple_Size\(t\)/);
    const after = await change(null, fixed);
    assert.deepEqual(codes(after), []);
  });

  test('completion offers names valid at the target first, with the version in the detail', async () => {
    await change({ start: { line: 8, character: 0 }, end: { line: 8, character: 0 } }, '    PyType_GetQ\n');
    const res = await client.conn.sendRequest<any>('textDocument/completion', { textDocument: { uri }, position: { line: 8, character: 15 } });
    const item = res.items.find((i: any) => i.label === 'PyType_GetQualName');
    assert.ok(item, 'PyType_GetQualName offered');
    assert.equal(item.detail, 'Limited API since 3.11');
    // at 3.9 the same name is too new: offered after the valid ones, and marked
    await change({ start: { line: 0, character: 23 }, end: { line: 0, character: 33 } }, '0x03090000');
    const res2 = await client.conn.sendRequest<any>('textDocument/completion', { textDocument: { uri }, position: { line: 8, character: 15 } });
    const item2 = res2.items.find((i: any) => i.label === 'PyType_GetQualName');
    assert.ok(item2);
    assert.match(item2.detail, /needs Limited API 3\.11/);
    assert.equal(item2.labelDetails.description, 'needs Limited API 3.11');
    assert.equal(item2.tags, undefined, 'too new is not deprecated: no strikethrough');
    const res3 = await client.conn.sendRequest<any>('textDocument/completion', { textDocument: { uri }, position: { line: 8, character: 11 } });
    const valid = res3.items.find((i: any) => i.label === 'PyType_GetFlags');
    const tooNew = res3.items.find((i: any) => i.label === 'PyType_GetName');
    assert.ok(valid && tooNew && valid.sortText < tooNew.sortText);
  });

  test('a configuration change applies per-rule severity; a bad setting gets one message and the defaults', async () => {
    let d = await change({ start: { line: 8, character: 0 }, end: { line: 9, character: 0 } }, '    (void)Py_NewRef(t);\n');
    const sev = (x: typeof d) => x.diagnostics.filter((y) => y.code).map((y) => [y.code, y.severity]);
    assert.deepEqual(sev(d), [['ABI002', 1], ['ABI002', 1]], text);
    client.settings = { severity: { 'api-newer-than-target': 'warning' } };
    let mark = client.mark();
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    d = await client.diagnostics(uri, version, mark);
    assert.deepEqual(sev(d), [['ABI002', 2], ['ABI002', 2]]);
    client.settings = { severity: 'loud' };
    mark = client.mark();
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    const msg = await client.next<{ message: string }>('window/showMessage', () => true, mark);
    assert.match(msg.message, /abi3lint\.severity/);
    d = await client.diagnostics(uri, version, mark);
    assert.deepEqual(sev(d), [['ABI002', 1], ['ABI002', 1]]);
    client.settings = {};
  });

  test('garbage input: the server stays up and answers', async () => {
    const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1') + '\n#if\n#define Py_LIMITED_API (((\n"unterminated\n/* open';
    const d = await change(null, junk);
    assert.equal(d.uri, uri);
    const h = await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 2 } });
    assert.ok(h === null || typeof h === 'object');
    const back = await change(null, SOURCE);
    assert.deepEqual(codes(back), ['5:18 ABI004', '6:18 ABI002']);
    assert.equal(client.proc.exitCode, null);
  });
});

test('inactive #if regions: hint diagnostics by default; only the notification for a client that draws them', { timeout: 60000 }, async () => {
  const text = '#define Py_LIMITED_API 0x03090000\n#include <Python.h>\n#if Py_LIMITED_API+0 >= 0x030B0000\nstatic int x;\n#endif\nint y;\n';
  for (const mode of ['diagnostics', 'notification'] as const) {
    const client = new LspClient();
    try {
      await client.conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: mode === 'notification' ? { inactiveRegions: 'notification' } : {} });
      await client.conn.sendNotification('initialized', {});
      const uri = pathToFileURL(path.join(os.tmpdir(), `inactive-${mode}.c`)).href;
      const mark = client.mark();
      await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
      const regions = await client.next<{ uri: string; regions: { startLine: number; endLine: number }[] }>('abi3lint/inactiveRegions', (p) => p.uri === uri, mark);
      assert.deepEqual(regions.regions.map((r) => [r.startLine, r.endLine]), [[3, 4]]);
      const d = await client.current(uri, 1, mark);
      const hints = d.diagnostics.filter((x) => x.tags?.includes(1));
      assert.equal(hints.length, mode === 'diagnostics' ? 1 : 0, `${mode}: ${JSON.stringify(d.diagnostics)}`);
    } finally {
      await client.close();
    }
  }
});

test('the quick-fix menu: one suppression and one documentation entry per line and rule, and a per-rule fix-all', { timeout: 60000 }, async () => {
  const client = new LspClient(undefined, { ...process.env, ABI3LINT_NO_WORKSPACE_CHECK: '1' });
  try {
    await client.initialize(null);
    const uri = pathToFileURL(path.join(os.tmpdir(), 'menu.c')).href;
    const text = '#define Py_LIMITED_API 0x03090000\n#include <Python.h>\nPyObject *f(PyObject *t) { return PyTuple_Pack(2, PyTuple_GET_ITEM(t, 0), PyTuple_GET_ITEM(t, 1)); }\nPyObject *g(PyObject *l) { return PyList_GET_ITEM(l, 0); }\n';
    const mark = client.mark();
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
    const d = await client.current(uri, 1, mark);
    assert.deepEqual(d.diagnostics.map((x) => `${x.range.start.line} ${x.code}`), ['2 ABI004', '2 ABI004', '3 ABI004']);
    const actions = await client.conn.sendRequest<{ title: string }[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, context: { diagnostics: [] } });
    const titles = actions.map((a) => a.title);
    assert.equal(titles.filter((t) => t === 'Suppress ABI004 on this line').length, 1, titles.join('\n'));
    assert.equal(titles.filter((t) => t.startsWith('Show documentation for ABI004')).length, 1, titles.join('\n'));
    assert.equal(titles.filter((t) => t === 'Replace with PyTuple_GetItem').length, 2, titles.join('\n'));
    assert.ok(titles.includes('Fix all ABI004 (macro-only-api) problems in this file (3)'), titles.join('\n'));
  } finally {
    await client.close();
  }
});

test('format strings: ABI016 diagnostics, a hover listing each unit with its Python version, and completion of units valid at the target', { timeout: 60000 }, async () => {
  const client = new LspClient(undefined, { ...process.env, ABI3LINT_NO_WORKSPACE_CHECK: '1' });
  try {
    await client.initialize(null);
    const uri = pathToFileURL(path.join(os.tmpdir(), 'formats.c')).href;
    const text = '#define Py_LIMITED_API 0x03090000\n#include <Python.h>\nPyObject *f(PyObject *o) { return PyUnicode_FromFormat("got %T, %d", o, 1); }\nPyObject *g(void) { return Py_BuildValue("(ip)", 1, 0); }\n';
    const mark = client.mark();
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
    const d = await client.current(uri, 1, mark);
    assert.deepEqual(d.diagnostics.map((x) => `${x.range.start.line}:${x.range.start.character} ${x.code}`), ['2:60 ABI016', '3:44 ABI016']);
    const h = await client.conn.sendRequest<any>('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 61 } });
    assert.match(h.contents.value, /PyUnicode_FromFormat format/);
    assert.match(h.contents.value, /`%T` \(T\): Python 3\.13 and later ✗ \(the target is 3\.9; ABI016\) ◀/);
    assert.match(h.contents.value, /`%d` \(d\): all versions/);
    const h2 = await client.conn.sendRequest<any>('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 44 } });
    assert.match(h2.contents.value, /`p`: Python 3\.14 and later ✗/);
    // completion right after '%': no unit newer than the target
    const c = await client.conn.sendRequest<any>('textDocument/completion', { textDocument: { uri }, position: { line: 2, character: 61 } });
    const labels = (c.items ?? c).map((i: any) => i.label);
    assert.ok(labels.includes('d') && labels.includes('U') && labels.includes('zd'), labels.join(' '));
    for (const tooNew of ['T', 'N', 'X', 'o', 'ls', 'jd']) assert.ok(!labels.includes(tooNew), `${tooNew} is offered at 3.9`);
  } finally {
    await client.close();
  }
});

test('a flood of one name: the first use carries the count and the other uses as related information; one-click fix-alls', { timeout: 60000 }, async () => {
  const client = new LspClient(undefined, { ...process.env, ABI3LINT_NO_WORKSPACE_CHECK: '1' });
  try {
    await client.initialize(null);
    const uri = pathToFileURL(path.join(os.tmpdir(), 'flood.c')).href;
    const text =
      '#define Py_LIMITED_API 0x03090000\n#include <Python.h>\n' +
      'PyObject *a(PyObject *t) { return PyTuple_GET_ITEM(t, 0); }\nPyObject *b(PyObject *t) { return PyTuple_GET_ITEM(t, 1); }\nPyObject *c(PyObject *t) { return PyTuple_GET_ITEM(t, 2); }\n' +
      'Py_ssize_t d(PyObject *l) { return PyList_GET_SIZE(l); }\nstatic PyType_Slot s[] = {{Py_tp_doc, NULL}, {0, NULL}};\n';
    const mark = client.mark();
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
    const d = await client.current(uri, 1, mark);
    const tuple = d.diagnostics.filter((x) => /PyTuple_GET_ITEM/.test(x.message));
    assert.equal(tuple.length, 3, 'one diagnostic per use');
    assert.match(tuple[0].message, /\(3 uses in this file\)$/);
    assert.deepEqual((tuple[0] as any).relatedInformation.map((r: any) => `${r.location.range.start.line} ${r.message}`), ["3 another use of 'PyTuple_GET_ITEM'", "4 another use of 'PyTuple_GET_ITEM'"]);
    assert.doesNotMatch(tuple[1].message, /uses in this file/);
    const actions = await client.conn.sendRequest<{ title: string }[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, context: { diagnostics: [] } });
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Fix all ABI004 (macro-only-api) problems in this file (4)'), titles.join('\n'));
    assert.ok(titles.includes('Fix all safe abi3lint problems in this file (5)'), titles.join('\n'));
  } finally {
    await client.close();
  }
});

test('an unchecked file: on its first line, a quick fix defines Py_LIMITED_API at the lowest version it needs; a client that runs abi3lint.setTarget is offered it too', { timeout: 60000 }, async () => {
  for (const clientCommands of [[], ['abi3lint.setTarget']]) {
    const client = new LspClient(undefined, { ...process.env, ABI3LINT_NO_WORKSPACE_CHECK: '1' });
    try {
      await client.initialize(null, {}, { clientCommands });
      const uri = pathToFileURL(path.join(os.tmpdir(), `unchecked-${clientCommands.length}.c`)).href;
      const text = '/* a module */\n#include <Python.h>\nPyObject *f(PyObject *t) { return PyType_GetQualName((PyTypeObject *)t); }\n';
      const mark = client.mark();
      await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
      await client.current(uri, 1, mark);
      const actions = await client.conn.sendRequest<any[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } });
      const define = actions.find((a) => a.title === 'Define Py_LIMITED_API 0x030B0000 (3.11) in this file: the lowest version its API needs');
      assert.ok(define, JSON.stringify(actions.map((a) => a.title)));
      assert.deepEqual(define.edit.changes[uri], [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, newText: '#define Py_LIMITED_API 0x030B0000\n' }]);
      const set = actions.find((a) => a.command?.command === 'abi3lint.setTarget');
      if (clientCommands.length) assert.deepEqual(set?.command.arguments, ['3.11']);
      else assert.equal(set, undefined, 'not offered to a client that cannot run it');
      const details = await client.conn.sendRequest<any>('workspace/executeCommand', { command: 'abi3lint.server.targetDetails', arguments: [uri] });
      assert.equal(details.suggestedTarget, '3.11');
      assert.equal(details.target, null);
    } finally {
      await client.close();
    }
  }
});

test('a static type: the migration quick fix is a preview (annotated, needs confirmation) where the client shows one; "Migrate file" sends the whole migration by workspace/applyEdit', { timeout: 60000 }, async () => {
  const file = path.join(ROOT, 'test', 'fixtures', 'migrate', 'counter-designated.c');
  const text = fs.readFileSync(file, 'utf8');
  const uri = pathToFileURL(path.join(os.tmpdir(), 'abi3lint-migrate-lsp', 'counter.c')).href;
  for (const annotations of [false, true]) {
    const client = new LspClient(undefined, { ...process.env, ABI3LINT_NO_WORKSPACE_CHECK: '1' });
    let applied: any = null;
    client.conn.onRequest('workspace/applyEdit', (p: any) => {
      applied = p;
      return { applied: true };
    });
    client.settings = { target: '3.9' };
    try {
      const caps = annotations ? { workspace: { configuration: true, applyEdit: true, workspaceEdit: { documentChanges: true, changeAnnotationSupport: { groupsOnLabel: true } } } } : {};
      await client.initialize(null, caps);
      const mark = client.mark();
      await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
      await client.current(uri, 1, mark);
      const line = text.split('\n').findIndex((l) => l.startsWith('static PyTypeObject CounterType = {'));
      const actions = await client.conn.sendRequest<any[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line, character: 21 }, end: { line, character: 21 } }, context: { diagnostics: [] } });
      const m = actions.find((a) => a.title === "Convert 'CounterType' to a heap type (PyType_Spec) (unsafe: review the preview)");
      assert.ok(m, actions.map((a) => a.title).join('\n'));
      assert.notEqual(m.isPreferred, true);
      if (annotations) {
        assert.equal(m.edit.changeAnnotations['abi3lint.migration'].needsConfirmation, true);
        assert.ok(m.edit.documentChanges[0].edits.every((e: any) => e.annotationId === 'abi3lint.migration'));
      } else assert.ok(m.edit.changes[uri].length > 5);
      // fix-all never includes it
      const fixAll = await client.conn.sendRequest<any[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll'] } });
      for (const a of fixAll) assert.ok(!JSON.stringify(a.edit).includes('PyType_Spec'), a.title);
      const r = await client.conn.sendRequest<any>('workspace/executeCommand', { command: 'abi3lint.server.migrateFile', arguments: [uri] });
      assert.equal(r.target, '3.9');
      assert.ok(r.fixes >= 3, JSON.stringify(r));
      assert.equal(r.remaining, 0);
      if (annotations) {
        assert.equal(r.applied, true);
        const edit = applied.edit.documentChanges[0].edits[0];
        assert.match(edit.newText, /static PyType_Spec CounterType_spec = \{/);
        assert.equal(applied.edit.changeAnnotations['abi3lint.migration'].needsConfirmation, true);
      } else {
        assert.equal(applied, null, 'a client without workspace/applyEdit gets the edit back instead');
        assert.match(r.edit.changes[uri][0].newText, /static PyType_Spec CounterType_spec = \{/);
      }
    } finally {
      await client.close();
    }
  }
});

test('"Audit built extension": a module built with the 3.13.0 headers, audited against the workspace sources, comes back as diagnostics on the source line (the editor\'s unsaved text counts)', { timeout: 60000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-lsp-audit-'));
  const source = `#define Py_LIMITED_API 0x03050000
#include <Python.h>
static PyObject *f(PyObject *self, PyObject *args)
{
    PyObject *o, *n;
    if (!PyArg_ParseTuple(args, "OO", &o, &n)) return NULL;
    if (PyObject_DelAttr(o, n) < 0) return NULL;
    Py_RETURN_NONE;
}
static PyMethodDef methods[] = {{"f", f, METH_VARARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "delattr", NULL, -1, methods};
PyMODINIT_FUNC PyInit_delattr(void) { return PyModule_Create(&def); }
`;
  fs.writeFileSync(path.join(dir, 'delattr.c'), source);
  fs.mkdirSync(path.join(dir, 'build'));
  const so = path.join(dir, 'build', 'delattr.abi3.so');
  const gcc = spawnSync('gcc', ['-shared', '-fPIC', '-I', headersFor('3.13.0'), '-o', so, path.join(dir, 'delattr.c')], { encoding: 'utf8' });
  assert.equal(gcc.status, 0, gcc.stderr);
  const client = new LspClient(undefined, { ...process.env, ABI3LINT_NO_WORKSPACE_CHECK: '1' });
  try {
    await client.initialize(pathToFileURL(dir).href);
    const audit = (args: unknown[]) => client.conn.sendRequest<any>('workspace/executeCommand', { command: 'abi3lint.server.audit', arguments: args });
    const srcUri = pathToFileURL(path.join(dir, 'delattr.c')).href;
    const r = await audit([pathToFileURL(so).href]);
    assert.equal(r.modules.length, 1);
    assert.equal(r.modules[0].tag, "abi3 3.5 (the sources' target, Py_LIMITED_API at delattr.c:1)");
    assert.equal(r.modules[0].minimum, '3.13');
    assert.match(r.summary, /^1 module\(s\), 1 error\(s\), 0 warning\(s\); it needs Python 3\.13$/);
    assert.deepEqual(r.problems.map((p: any) => [p.uri, p.diagnostics.map((d: any) => [d.range.start.line, d.range.start.character, d.range.end.character, d.code, d.severity, d.source])]), [[srcUri, [[6, 8, 24, 'newer-than-tag', 1, 'abi3lint audit']]]]);
    assert.match(r.problems[0].diagnostics[0].message, /^delattr\.abi3\.so: imports PyObject_DelAttr, in the Stable ABI only from 3\.13.*Why: .*CPython 3\.13\.0's headers/);
    // the editor's text, not the file on disk: two lines inserted above move the problem
    const mark = client.mark();
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: srcUri, languageId: 'c', version: 1, text: `/* one */\n/* two */\n${source}` } });
    await client.current(srcUri, 1, mark);
    const moved = await audit([so]);
    assert.equal(moved.problems[0].diagnostics[0].range.start.line, 8);
    assert.match(moved.modules[0].tag, /Py_LIMITED_API at delattr\.c:3/);
    // bad arguments: a message, and the server answers the next request
    assert.match((await audit([])).error, /takes a wheel, module or folder/);
    assert.match((await audit([42])).error, /takes a wheel, module or folder/);
    const none = await audit([path.join(dir, 'nothing.so')]);
    assert.deepEqual(none.modules, []);
    assert.match(none.summary, /nothing\.so: no such file or folder/);
  } finally {
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a type declared in a project header: the migration quick fix edits the header too, in the same (annotated) workspace edit', { timeout: 60000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-lsp-hdr-'));
  const src = path.join(ROOT, 'test', 'fixtures', 'migrate');
  for (const f of ['boxes-header.c', 'boxes.h']) fs.copyFileSync(path.join(src, f), path.join(dir, f));
  const text = fs.readFileSync(path.join(dir, 'boxes-header.c'), 'utf8');
  const uri = pathToFileURL(path.join(dir, 'boxes-header.c')).href;
  const header = pathToFileURL(path.join(dir, 'boxes.h')).href;
  for (const annotations of [false, true]) {
    const client = new LspClient(undefined, { ...process.env, ABI3LINT_NO_WORKSPACE_CHECK: '1' });
    client.settings = { target: '3.10' };
    try {
      const caps = annotations ? { workspace: { configuration: true, applyEdit: true, workspaceEdit: { documentChanges: true, changeAnnotationSupport: { groupsOnLabel: true } } } } : {};
      await client.initialize(pathToFileURL(dir).href, caps);
      const mark = client.mark();
      await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
      await client.current(uri, 1, mark);
      const line = text.split('\n').findIndex((l) => l.startsWith('PyTypeObject Box_Type = {'));
      const actions = await client.conn.sendRequest<any[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line, character: 15 }, end: { line, character: 15 } }, context: { diagnostics: [] } });
      const m = actions.find((a) => a.title === "Convert 'Box_Type' to a heap type (PyType_Spec) (unsafe: review the preview)");
      assert.ok(m, actions.map((a) => a.title).join('\n'));
      const byUri = annotations
        ? Object.fromEntries(m.edit.documentChanges.map((d: any) => [d.textDocument.uri, d.edits]))
        : m.edit.changes;
      assert.deepEqual(Object.keys(byUri).sort(), [uri, header].sort());
      assert.deepEqual(byUri[header].map((e: any) => e.newText), ['extern PyTypeObject *Box_Type;', 'Box_Type']);
      if (annotations) assert.ok(m.edit.documentChanges.every((d: any) => d.edits.every((e: any) => e.annotationId === 'abi3lint.migration')));
      // fix-all on save never includes it
      const fixAll = await client.conn.sendRequest<any[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll'] } });
      for (const a of fixAll) assert.ok(!JSON.stringify(a.edit).includes('boxes.h'), a.title);
    } finally {
      await client.close();
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
