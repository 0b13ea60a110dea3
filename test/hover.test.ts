/** Hover texts: what they say, and what they do not repeat. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hoverForDirective, hoverForName } from '../server/src/core/hover';
import type { Target } from '../server/src/core/types';

const t39: Target = { minor: 9, abi3t: false, source: { kind: 'option', detail: '3.9' } };

test("a private name's hover does not claim a Limited API version", () => {
  const h = hoverForName('_Py_Dealloc', t39)!;
  assert.match(h, /Limited API: no \(a private name\)/);
  assert.doesNotMatch(h, /Limited API: since/);
});

test('a PY_VERSION_HEX guard: the hover does not repeat ABI008 when the file has a target (it does without one)', () => {
  const text = '#if PY_VERSION_HEX >= 0x030C0000\n#endif\n';
  assert.doesNotMatch(hoverForDirective(text, 0, t39)!, /PY_VERSION_HEX is the version of the build headers/);
  assert.match(hoverForDirective(text, 0, null)!, /PY_VERSION_HEX is the version of the build headers/);
});

test('a slot or flag name shows its run-time floor from data/behaviour.json', () => {
  const h = hoverForName('Py_TPFLAGS_IMMUTABLETYPE', t39)!;
  assert.match(h, /\*\*Run time:\*\* Py_TPFLAGS_IMMUTABLETYPE in a spec's flags needs Python 3\.10: older Pythons ignore the bit/);
});

test("PyObject_DelAttr's hover names the superseded 3.13.0 headers and shows the replacement with parameter names", () => {
  const t35: Target = { minor: 5, abi3t: false, source: { kind: 'option', detail: '3.5' } };
  const h = hoverForName('PyObject_DelAttr', t35)!;
  assert.match(h, /CPython 3\.13\.0's headers declare it as an exported function at targets 3\.2–3\.12: a binary built with them at such a target needs Python 3\.13/);
  assert.match(h, /\*\*Use instead:\*\* `PyObject_SetAttr\(v, name, NULL\)` \(3\.2\+, safe\)/);
});
