/**
 * The abi3lint language server: a thin adapter from LSP to the core (DocumentSession, lint, hover, fixes).
 * Runs over IPC for VS Code and over stdio (`abi3lint-lsp --stdio`) for any LSP client.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeAction,
  CodeActionKind,
  CompletionItemKind,
  CompletionItemTag,
  DiagnosticSeverity,
  DiagnosticTag,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  MarkupKind,
  MessageType,
  ShowMessageNotification,
  TextDocumentSyncKind,
  type CodeActionParams,
  type CompletionItem,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { loadCatalog } from '../core/catalog';
import type { BuildConfig } from '../core/buildconfig';
import { BUILD_FILES } from '../core/buildconfig';
import { chooseFix, fixAllEdits } from '../core/fixes';
import { completions, describeSource, hoverForDirective, hoverForName, wordAt } from '../core/hover';
import { fsHost, isInside, type LintHost } from '../core/host';
import { DocumentSession } from '../core/session';
import { parseSettings, type Settings } from '../core/settings';
import { SUPPRESSION_RE } from '../core/lint';
import type { Finding, LintResult, TextEdit } from '../core/types';
import { minorToHex, minorToString } from '../core/version';
import type { InactiveRegions, InitializationOptions, ServerStatus } from './protocol';

export const RULE_DOCS_URL = 'https://github.com/abi3lint/abi3lint/blob/main/docs/rules/';
/**
 * Quiet time after a keystroke before checking. None by default: an edit costs about a millisecond to analyse
 * (docs/benchmarks.md), so the server checks at once, after the changes already received (setImmediate
 * coalesces a burst). ABI3LINT_DEBOUNCE_MS sets a delay.
 */
const DEBOUNCE_MS = Number.isFinite(Number(process.env.ABI3LINT_DEBOUNCE_MS)) && process.env.ABI3LINT_DEBOUNCE_MS !== undefined ? Number(process.env.ABI3LINT_DEBOUNCE_MS) : 0;
const C_EXT = /\.(c|h)$/i;

type Level = Settings['logLevel'];
const LEVELS: Level[] = ['off', 'error', 'warn', 'info', 'debug'];

interface OpenDoc {
  uri: string;
  version: number;
  session: DocumentSession;
  /** Cancels the scheduled check, if one is pending. */
  timer?: () => void;
  /** Increments on every change; a lint started for an older generation is not published. */
  generation: number;
  result?: LintResult;
  /** What the client was last sent: diagnostics are published again only when they change. */
  published?: Diagnostic[];
  publishedInactive?: LintResult['inactive'];
}

/** Whether two diagnostic lists say the same (kept findings are the same objects, so mostly by identity). */
function sameDiagnostics(a: Diagnostic[], b: Diagnostic[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && JSON.stringify(a[i]) !== JSON.stringify(b[i])) return false;
  return true;
}


export function startServer(connection: Connection): void {
  const docs = new Map<string, OpenDoc>();
  // unopened files the workspace check published diagnostics for (their results are not kept: the client has them)
  const workspaceResults = new Set<string>();
  const buildCache = new Map<string, BuildConfig | null>();
  const settingsCache = new Map<string, Settings>();
  let folders: string[] = [];
  let hasConfigCapability = false;
  let hasShowDocument = false;
  let logLevel: Level = 'info';
  const reportedProblems = new Set<string>();
  /** Inactive #if regions as greyed hint diagnostics, unless the client draws them from abi3lint/inactiveRegions. */
  let inactiveAsDiagnostics = true;
  const failedOnce = new Set<string>();

  const log = (level: Exclude<Level, 'off'>, msg: string): void => {
    if (LEVELS.indexOf(level) > LEVELS.indexOf(logLevel)) return;
    const line = `[${level}] ${msg}`;
    if (level === 'error') connection.console.error(line);
    else if (level === 'warn') connection.console.warn(line);
    else connection.console.log(line);
  };

  const uriToPath = (uri: string): string => {
    try {
      return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
    } catch {
      return uri;
    }
  };
  /** Includes and build files are read only inside the file's workspace folder (or its own folder). */
  const rootFor = (file: string): string => folders.filter((f) => isInside(f, file)).sort((a, b) => b.length - a.length)[0] ?? path.dirname(file);

  /** Reads open documents from memory, everything else from disk. */
  const host: LintHost = {
    readFile(file) {
      for (const d of docs.values()) if (d.session.path === file) return d.session.text;
      return fsHost.readFile(file);
    },
    stamp(file) {
      for (const d of docs.values()) if (d.session.path === file) return null; // open: read from memory
      return fsHost.stamp!(file);
    },
  };

  async function settingsFor(uri: string): Promise<Settings> {
    const cached = settingsCache.get(uri);
    if (cached) return cached;
    let raw: unknown = {};
    if (hasConfigCapability) {
      try {
        raw = await connection.workspace.getConfiguration({ scopeUri: uri, section: 'abi3lint' });
      } catch (e) {
        log('warn', `could not read settings: ${String(e)}`);
      }
    }
    const { settings, problems } = parseSettings(raw ?? {});
    for (const p of problems) {
      if (reportedProblems.has(p)) continue;
      reportedProblems.add(p);
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `abi3lint: ${p}` });
      log('warn', p);
    }
    settingsCache.set(uri, settings);
    logLevel = settings.logLevel;
    return settings;
  }

  // one Diagnostic per finding and per inactive range object: findings an edit did not touch are kept by the
  // session, so most of a republished list is reused, not rebuilt
  const diagnosticOf = new WeakMap<object, Diagnostic>();
  function toDiagnostic(f: Finding): Diagnostic {
    let d = diagnosticOf.get(f);
    if (!d) {
      d = makeDiagnostic(f);
      diagnosticOf.set(f, d);
    }
    return d;
  }
  function makeDiagnostic(f: Finding): Diagnostic {
    const sev = f.severity === 'error' ? DiagnosticSeverity.Error : f.severity === 'warning' ? DiagnosticSeverity.Warning : f.severity === 'info' ? DiagnosticSeverity.Information : DiagnosticSeverity.Hint;
    return {
      range: f.range,
      severity: sev,
      code: f.code,
      codeDescription: { href: `${RULE_DOCS_URL}${f.code}.md` },
      source: 'abi3lint',
      message: `${f.message} [${f.name}]`,
      tags: f.deprecated ? [DiagnosticTag.Deprecated] : undefined,
      // (quick fixes come from the server's own result, so the fixes need not travel with every publish)
      data: f.identifier ? { identifier: f.identifier } : undefined,
    };
  }

  function diagnosticsFor(r: LintResult): Diagnostic[] {
    const out = r.findings.map(toDiagnostic);
    // inactive preprocessor regions: greyed out (Unnecessary hints) for clients that do not draw them from the
    // abi3lint/inactiveRegions notification (the VS Code extension does: it halves a large file's publish)
    if (!inactiveAsDiagnostics) return out;
    for (const reg of r.inactive) {
      if (reg.endLine <= reg.startLine) continue;
      let d = diagnosticOf.get(reg);
      if (!d) {
        d = {
          range: { start: { line: reg.startLine, character: 0 }, end: { line: reg.endLine, character: 0 } },
          severity: DiagnosticSeverity.Hint,
          source: 'abi3lint',
          message: `Inactive at the target: ${reg.reason}`,
          tags: [DiagnosticTag.Unnecessary],
        };
        diagnosticOf.set(reg, d);
      }
      out.push(d);
    }
    return out;
  }

  function sendStatus(uri: string, r: LintResult | undefined, error?: string, version?: number): void {
    const status: ServerStatus = {
      uri,
      version,
      target: r?.target ? `${r.target.abi3t ? 'abi3t' : 'abi3 ≥'} ${minorToString(r.target.minor)}` : null,
      source: r?.target ? describeSource(r.target) : (r?.noTargetReason ?? null),
      minimum: r?.minimumVersion != null ? minorToString(r.minimumVersion) : null,
      health: error ? 'error' : 'ok',
      message: error,
    };
    void connection.sendNotification('abi3lint/status', status);
  }

  async function lintDoc(doc: OpenDoc): Promise<void> {
    const generation = doc.generation;
    const file = doc.session.path;
    try {
      const settings = await settingsFor(doc.uri);
      if (doc.generation !== generation) return;
      const r = await doc.session.lint({ settings, host, root: rootFor(file), buildConfigCache: buildCache });
      if (doc.generation !== generation || !docs.has(doc.uri)) return; // stale: a newer change is pending
      doc.result = r;
      const diagnostics = diagnosticsFor(r);
      if (!doc.published || !sameDiagnostics(doc.published, diagnostics)) {
        doc.published = diagnostics;
        await connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
      }
      if (doc.publishedInactive !== r.inactive) {
        doc.publishedInactive = r.inactive;
        const regions: InactiveRegions = { uri: doc.uri, version: doc.version, regions: r.inactive };
        void connection.sendNotification('abi3lint/inactiveRegions', regions);
      }
      for (const n of r.notices) log('info', `${path.basename(file)}: ${n}`);
      sendStatus(doc.uri, r, undefined, doc.version);
      log('debug', `linted ${path.basename(file)} v${doc.version}: ${r.findings.length} findings, parse ${r.timing.parse.toFixed(1)} ms, analysis ${r.timing.analyze.toFixed(1)} ms`);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (!failedOnce.has(msg)) {
        failedOnce.add(msg);
        log('error', `checking ${file} failed: ${e instanceof Error ? e.stack : msg}`);
      }
      sendStatus(doc.uri, undefined, msg, doc.version);
    }
  }

  function schedule(doc: OpenDoc, delay = DEBOUNCE_MS): void {
    doc.timer?.();
    const run = (): void => {
      doc.timer = undefined;
      void lintDoc(doc);
    };
    if (delay <= 0) {
      const h = setImmediate(run);
      doc.timer = () => clearImmediate(h);
    } else {
      const h = setTimeout(run, delay);
      doc.timer = () => clearTimeout(h);
    }
  }

  async function relintAll(): Promise<void> {
    settingsCache.clear();
    buildCache.clear();
    for (const d of docs.values()) {
      d.generation++;
      schedule(d, 0);
    }
    if (workspaceResults.size) await checkWorkspace();
  }

  function listWorkspaceFiles(settings: Settings): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const skip = new Set(['node_modules', '.git', 'build', 'dist', '.venv', 'venv', '.tox']);
    const exclude = settings.exclude;
    // Lazy-load picomatch only when excludes are set.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const match = exclude.length ? (require('picomatch') as (p: string[]) => (s: string) => boolean)(exclude) : null;
    const walk = (dir: string, root: string, depth: number): void => {
      if (depth > 30 || out.length > 20000) return;
      let real: string;
      try {
        real = fs.realpathSync(dir);
      } catch {
        return;
      }
      if (seen.has(real) || !isInside(root, real)) return;
      seen.add(real);
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = path.join(dir, e.name);
        if (match && match(path.relative(root, p).split(path.sep).join('/'))) continue;
        if (e.isDirectory()) {
          if (!skip.has(e.name) && !e.name.startsWith('.')) walk(p, root, depth + 1);
        } else if (e.isFile() && C_EXT.test(e.name)) out.push(p);
      }
    };
    for (const f of folders) walk(f, f, 0);
    return out.sort();
  }

  async function checkWorkspace(): Promise<number> {
    if (!folders.length) return 0;
    const progress = await connection.window.createWorkDoneProgress().catch(() => null);
    const first = folders[0];
    const settings = await settingsFor(pathToFileURL(first).href);
    const files = listWorkspaceFiles(settings);
    progress?.begin('abi3lint: checking workspace', 0, `${files.length} files`, true);
    let n = 0;
    for (const file of files) {
      if (progress?.token.isCancellationRequested) break;
      const uri = pathToFileURL(file).href;
      n++;
      if (docs.has(uri)) continue;
      const text = fsHost.readFile(file);
      if (text === undefined) continue;
      const s = new DocumentSession(file, text);
      try {
        const r = await s.lint({ settings: await settingsFor(uri), host, root: rootFor(file), buildConfigCache: buildCache });
        if (docs.has(uri)) continue; // opened meanwhile: the editor's version wins
        workspaceResults.add(uri);
        await connection.sendDiagnostics({ uri, diagnostics: r.findings.map(toDiagnostic) });
      } finally {
        s.dispose();
      }
      if (n % 10 === 0) progress?.report(Math.round((100 * n) / files.length), `${n}/${files.length}`);
    }
    progress?.done();
    log('info', `workspace check: ${files.length} files`);
    return files.length;
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    hasConfigCapability = !!caps.workspace?.configuration;
    hasShowDocument = !!caps.window?.showDocument?.support;
    folders = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri));
    if (!folders.length && params.rootUri) folders = [uriToPath(params.rootUri)];
    const init = params.initializationOptions as InitializationOptions | undefined;
    if (init?.logLevel && LEVELS.includes(init.logLevel)) logLevel = init.logLevel;
    inactiveAsDiagnostics = init?.inactiveRegions !== 'notification';
    loadCatalog();
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: false },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['_'], resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll, `${CodeActionKind.SourceFixAll}.abi3lint`, CodeActionKind.Source] },
        executeCommandProvider: { commands: ['abi3lint.server.checkWorkspace', 'abi3lint.server.showRuleDocs', 'abi3lint.server.targetDetails', 'abi3lint.server.stats'] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'abi3lint', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    if (hasConfigCapability) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'abi3lint' }).catch(() => undefined);
    void connection.client
      .register(DidChangeWatchedFilesNotification.type, { watchers: BUILD_FILES.map((f) => ({ globPattern: `**/${f}` })) })
      .catch(() => undefined);
    // check the whole workspace once at start, with progress, so the Problems view shows unopened files too
    if (folders.length && process.env.ABI3LINT_NO_WORKSPACE_CHECK !== '1') {
      void checkWorkspace().catch((e) => log('error', `workspace check failed: ${String(e)}`));
    }
    if (folders.length) {
      connection.workspace.onDidChangeWorkspaceFolders((ev) => {
        folders = folders.filter((f) => !ev.removed.some((r) => uriToPath(r.uri) === f)).concat(ev.added.map((a) => uriToPath(a.uri)));
        void relintAll();
      });
    }
  });

  connection.onDidChangeConfiguration(() => void relintAll());
  connection.onDidChangeWatchedFiles((ev) => {
    if (ev.changes.some((c) => BUILD_FILES.some((b) => uriToPath(c.uri).endsWith(path.sep + path.basename(b))) || c.type === FileChangeType.Deleted)) {
      log('info', 'build configuration changed: checking again');
      void relintAll();
    }
  });

  connection.onDidOpenTextDocument((p) => {
    const uri = p.textDocument.uri;
    const existing = docs.get(uri);
    existing?.session.dispose();
    const doc: OpenDoc = { uri, version: p.textDocument.version, session: new DocumentSession(uriToPath(uri), p.textDocument.text), generation: 0 };
    docs.set(uri, doc);
    schedule(doc, 0);
  });
  connection.onDidChangeTextDocument((p) => {
    const doc = docs.get(p.textDocument.uri);
    if (!doc) return;
    try {
      doc.session.applyChanges(p.contentChanges.map((c) => ('range' in c && c.range ? { range: c.range, text: c.text } : { text: c.text })));
    } catch (e) {
      log('error', `applying a change failed: ${String(e)}`);
    }
    doc.version = p.textDocument.version;
    doc.generation++;
    schedule(doc);
  });
  connection.onDidCloseTextDocument((p) => {
    const doc = docs.get(p.textDocument.uri);
    if (!doc) return;
    doc.timer?.();
    doc.session.dispose();
    docs.delete(p.textDocument.uri);
    settingsCache.delete(p.textDocument.uri);
    if (!workspaceResults.has(p.textDocument.uri)) void connection.sendDiagnostics({ uri: p.textDocument.uri, diagnostics: [] });
  });

  /** Waits for the pending lint of a document so requests answer on fresh results. */
  async function resultFor(uri: string): Promise<{ doc: OpenDoc; result: LintResult } | null> {
    const doc = docs.get(uri);
    if (!doc) return null;
    if (doc.timer || !doc.result) {
      doc.timer?.();
      doc.timer = undefined;
      await lintDoc(doc);
    }
    return doc.result ? { doc, result: doc.result } : null;
  }

  connection.onHover(async (p, token) => {
    try {
      const r = await resultFor(p.textDocument.uri);
      if (!r || token.isCancellationRequested) return null;
      const text = r.doc.session.text;
      const dir = hoverForDirective(text, p.position.line, r.result.target);
      const w = wordAt(text, p.position.line, p.position.character);
      if (w && /^(Py_LIMITED_API|Py_TARGET_ABI3T|PY_VERSION_HEX)$/.test(w.word) && dir) return { contents: { kind: MarkupKind.Markdown, value: dir } };
      if (w) {
        const h = hoverForName(w.word, r.result.target);
        if (h) return { contents: { kind: MarkupKind.Markdown, value: h } };
      }
      return dir ? { contents: { kind: MarkupKind.Markdown, value: dir } } : null;
    } catch (e) {
      log('error', `hover failed: ${String(e)}`);
      return null;
    }
  });

  connection.onCompletion(async (p, token) => {
    try {
      const r = await resultFor(p.textDocument.uri);
      if (!r || token.isCancellationRequested) return [];
      const text = r.doc.session.text;
      const lineStart = text.split('\n', p.position.line).join('\n').length + (p.position.line ? 1 : 0);
      const before = text.slice(lineStart, lineStart + p.position.character);
      const prefix = /[A-Za-z_]\w*$/.exec(before)?.[0] ?? '';
      const items: CompletionItem[] = completions(prefix, r.result.target).map((c, i) => ({
        label: c.name,
        kind: c.kind === 'function' || c.kind === 'inline' ? CompletionItemKind.Function : c.kind === 'macro' ? CompletionItemKind.Snippet : c.kind === 'const' || c.kind === 'enumerator' ? CompletionItemKind.Constant : c.kind === 'typedef' || c.kind === 'struct' ? CompletionItemKind.Struct : CompletionItemKind.Variable,
        detail: c.valid ? c.detail : `✗ ${c.detail}`,
        sortText: `${c.valid ? '0' : '9'}${String(i).padStart(5, '0')}`,
        tags: !c.valid || c.deprecated ? [CompletionItemTag.Deprecated] : undefined,
      }));
      return { isIncomplete: true, items };
    } catch (e) {
      log('error', `completion failed: ${String(e)}`);
      return [];
    }
  });

  function editFor(uri: string, edits: TextEdit[]): WorkspaceEdit {
    return { changes: { [uri]: edits.map((e) => ({ range: e.range, newText: e.newText })) } };
  }

  connection.onCodeAction(async (p: CodeActionParams, token) => {
    try {
      const r = await resultFor(p.textDocument.uri);
      if (!r || token.isCancellationRequested) return [];
      const uri = p.textDocument.uri;
      const only = p.context.only;
      const wants = (kind: string): boolean => !only || only.some((o) => kind === o || kind.startsWith(o + '.'));
      const actions: CodeAction[] = [];
      const overlaps = (f: Finding): boolean => !(f.range.end.line < p.range.start.line || f.range.start.line > p.range.end.line);
      if (wants(CodeActionKind.QuickFix)) {
        for (const f of r.result.findings.filter(overlaps)) {
          const diag = toDiagnostic(f);
          const best = chooseFix(f, { unsafe: false });
          for (const fix of f.fixes) {
            if (!fix.edits.length) continue;
            actions.push({
              title: fix.safety === 'unsafe' ? `${fix.title} [unsafe]` : fix.title,
              kind: CodeActionKind.QuickFix,
              diagnostics: [diag],
              isPreferred: fix === best && fix.safety === 'safe',
              edit: editFor(uri, fix.edits),
            });
          }
          // suppression comment for the line
          const lineText = r.doc.session.text.split('\n')[f.range.start.line] ?? '';
          if (!SUPPRESSION_RE.test(lineText)) {
            actions.push({
              title: `Suppress ${f.code} on this line`,
              kind: CodeActionKind.QuickFix,
              diagnostics: [diag],
              edit: editFor(uri, [{ range: { start: { line: f.range.start.line, character: lineText.replace(/\r$/, '').length }, end: { line: f.range.start.line, character: lineText.replace(/\r$/, '').length } }, newText: ` /* abi3lint: ignore[${f.code}] */` }]),
            });
          }
          actions.push({ title: `Show documentation for ${f.code} (${f.name})`, kind: CodeActionKind.QuickFix, diagnostics: [diag], command: { title: 'Show documentation', command: 'abi3lint.server.showRuleDocs', arguments: [f.code] } });
        }
      }
      // set Py_LIMITED_API to the minimum the file needs
      const t = r.result.target;
      if (t && r.result.minimumVersion != null && r.result.minimumVersion !== t.minor && t.source.kind === 'define' && t.source.file === r.doc.session.path && wants(CodeActionKind.QuickFix)) {
        const line = t.source.line - 1;
        const lineText = r.doc.session.text.split('\n')[line] ?? '';
        const m = /(#\s*define\s+Py_LIMITED_API\s+)(\S[^/]*?)\s*(\/[*/].*)?$/.exec(lineText);
        if (m) {
          const min = r.result.minimumVersion;
          actions.push({
            title: `Set Py_LIMITED_API to ${minorToHex(min)} (${minorToString(min)}), the minimum this file needs`,
            kind: CodeActionKind.QuickFix,
            edit: editFor(uri, [{ range: { start: { line, character: m[1].length }, end: { line, character: m[1].length + m[2].length } }, newText: minorToHex(min) }]),
          });
        }
      }
      if (wants(`${CodeActionKind.SourceFixAll}.abi3lint`)) {
        const { edits, fixes } = fixAllEdits(r.result.findings, { unsafe: false });
        if (edits.length) actions.push({ title: `Fix all safe abi3lint problems (${fixes})`, kind: `${CodeActionKind.SourceFixAll}.abi3lint`, edit: editFor(uri, edits) });
      }
      return actions;
    } catch (e) {
      log('error', `code actions failed: ${String(e)}`);
      return [];
    }
  });

  connection.onExecuteCommand(async (p) => {
    try {
      if (p.command === 'abi3lint.server.checkWorkspace') return await checkWorkspace();
      if (p.command === 'abi3lint.server.stats') {
        // (a full collection first when the process was started with --expose-gc: live memory, not garbage)
        const gc = (globalThis as { gc?: () => void }).gc;
        if (gc && (p.arguments?.[0] as { gc?: boolean } | undefined)?.gc) gc();
        const m = process.memoryUsage();
        return { rss: m.rss, peakRss: process.resourceUsage().maxRSS * 1024, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, openDocuments: docs.size, workspaceResults: workspaceResults.size };
      }
      if (p.command === 'abi3lint.server.showRuleDocs') {
        const code = String(p.arguments?.[0] ?? '');
        const uri = `${RULE_DOCS_URL}${code}.md`;
        if (hasShowDocument) await connection.window.showDocument({ uri, external: true });
        return uri;
      }
      if (p.command === 'abi3lint.server.targetDetails') {
        const uri = String(p.arguments?.[0] ?? '');
        const r = docs.get(uri)?.result;
        if (!r) return null;
        return {
          target: r.target ? { version: minorToString(r.target.minor), hex: minorToHex(r.target.minor), abi3t: r.target.abi3t, source: describeSource(r.target) } : null,
          reason: r.noTargetReason ?? null,
          minimumVersion: r.minimumVersion != null ? minorToString(r.minimumVersion) : null,
          findings: r.findings.length,
          inactiveRegions: r.inactive.length,
        };
      }
    } catch (e) {
      log('error', `command ${p.command} failed: ${String(e)}`);
    }
    return null;
  });

  connection.onShutdown(() => {
    for (const d of docs.values()) {
      d.timer?.();
      d.session.dispose();
    }
    docs.clear();
  });

  connection.listen();
}
