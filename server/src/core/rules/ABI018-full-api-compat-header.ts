/**
 * ABI018 full-api-compat-header: a compat header written for the full C API (pythoncapi_compat.h) included by a
 * Limited API file. It chooses its polyfills by PY_VERSION_HEX, the version of the headers used for the build:
 * with older headers it compiles polyfills made of API the Limited API lacks, with newer ones it supplies
 * nothing, and the names newer than the target stay undeclared. The fix puts in its place the compat shims of
 * the names the file takes from it (data/compat/abi3lint_compat.h), when every one of them has a shim or is in
 * the Limited API at the target.
 */
import * as path from 'node:path';
import { statusAt } from '../catalog';
import { compatShims, isFullApiCompatHeader, type ShimBlock } from '../compat';
import type { HeaderInfo } from '../facts/includes';
import { IDENT, EOF, Lexer } from '../lexer';
import type { Directive } from '../preproc';
import type { Fix } from '../types';
import { minorToString } from '../version';
import { defineRule, type RuleContext } from './rule';

const isFullApiCompat = (h: HeaderInfo): boolean => isFullApiCompatHeader(h.file, h.text);

/** The header an `#include "…"` line names, among the project headers the file includes. */
function includedHeader(d: Directive, headers: readonly HeaderInfo[]): HeaderInfo | undefined {
  const spec = /^"([^"]+)"/.exec(d.rest.trim())?.[1];
  if (!spec) return undefined;
  const tail = path.normalize(spec).replace(/^(\.\.?[/\\])+/, '');
  return headers.find((h) => h.file === path.normalize(spec) || h.file.endsWith(path.sep + tail));
}

/** The names of `declared` the file's own text uses (identifiers outside comments and strings). */
function namesUsed(text: string, declared: Map<string, number[]>): Set<string> {
  const used = new Set<string>();
  const lx = new Lexer(text);
  for (let k = lx.next(); k !== EOF; k = lx.next()) {
    if (k !== IDENT) continue;
    const name = text.slice(lx.start, lx.end);
    if (declared.has(name)) used.add(name);
  }
  return used;
}

interface Plan {
  /** The shim blocks the file needs, once each, in the header's order. */
  blocks: ShimBlock[];
  /** The names those blocks supply to the file. */
  shimmed: string[];
  /** Names it takes from the header that neither the Limited API at the target nor a shim supplies. */
  missing: string[];
}

function plan(cx: RuleContext, used: Set<string>): Plan {
  const shims = compatShims();
  const blocks = new Set<ShimBlock>();
  const missing: string[] = [];
  const shimmed: string[] = [];
  for (const name of [...used].sort()) {
    const e = cx.cat.names.get(name);
    if (e && statusAt(e, name, cx.target.minor, cx.target.abi3t).kind === 'limited') continue;
    const b = shims.get(name);
    if (b && (b.below === null || b.below > cx.target.minor)) {
      blocks.add(b);
      shimmed.push(name);
    } else missing.push(name);
  }
  const order = [...new Set(shims.values())];
  return { blocks: [...blocks].sort((a, b) => order.indexOf(a) - order.indexOf(b)), shimmed, missing };
}

/** The include line replaced by the shims (and by Python.h where the file had it only through this header). */
function replaceFix(cx: RuleContext, d: Directive, spec: string, p: Plan): Fix {
  const text = cx.doc.text;
  const lineStart = text.lastIndexOf('\n', d.start - 1) + 1;
  const nl = text.indexOf('\n', d.end);
  const lineEnd = nl < 0 ? text.length : nl + 1;
  const pythonHBefore = cx.pythonHInclude !== null && cx.pythonHInclude.start < d.start;
  const fresh = p.blocks.filter((b) => !text.includes(b.text.split('\n')[1]));
  const body = fresh.length ? `/* abi3lint compat shim (data/compat/abi3lint_compat.h) */\n${fresh.map((b) => b.text).join('')}` : '';
  const names = p.shimmed.slice(0, 4).join(', ') + (p.shimmed.length > 4 ? ', …' : '');
  return {
    kind: 'replace',
    title: `Replace ${spec} with ${p.blocks.length ? `compat shims (${names})` : 'nothing: the Limited API has all this file takes from it'}`,
    safety: 'safe',
    edits: [{ range: { start: cx.pos.position(lineStart), end: cx.pos.position(lineEnd) }, newText: `${pythonHBefore ? '' : '#include <Python.h>\n'}${body}` }],
  };
}

export default defineRule({
  meta: { code: 'ABI018', name: 'full-api-compat-header', reuse: 'local' },
  file(cx) {
    const headers = cx.project.projectHeaders().filter(isFullApiCompat);
    if (!headers.length) return;
    let used: Set<string> | null = null;
    for (const d of cx.pp.directives) {
      if (d.name !== 'include' || cx.pp.isInactive(d.line)) continue;
      const h = includedHeader(d, headers);
      if (!h) continue;
      used ??= namesUsed(cx.doc.text, new Map(headers.flatMap((x) => [...x.declarations().names])));
      const p = plan(cx, new Set([...used].filter((n) => h.declarations().names.has(n))));
      const spec = path.basename(h.file);
      const target = minorToString(cx.target.minor);
      const base = `${spec} is written for the full C API: it picks its polyfills by PY_VERSION_HEX, the version of the headers used for the build, so with older headers it compiles API the Limited API lacks and with newer ones it leaves names newer than ${target} undeclared`;
      const message = p.missing.length
        ? `${base}; of what it supplies to this file, neither the Limited API at ${target} nor a compat shim has ${p.missing.slice(0, 6).join(', ')}${p.missing.length > 6 ? ', …' : ''}`
        : `${base}; compat shims written with the Limited API at ${target} can take its place`;
      const start = d.restStart;
      cx.report(start, start + (/^"[^"]*"/.exec(cx.doc.text.slice(start))?.[0].length ?? 1), message, {
        identifier: spec,
        fixes: p.missing.length ? [] : [replaceFix(cx, d, spec, p)],
      });
    }
  },
});
