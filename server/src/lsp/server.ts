/**
 * The abi3lint language server: a thin adapter from LSP to the core (DocumentSession, lint, hover, fixes).
 * Runs over IPC for VS Code and over stdio (`abi3lint-lsp --stdio`) for any LSP client. Every handler is a
 * named method of AbiServer, and register() lists them all in one place.
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  CompletionItemKind,
  CompletionItemTag,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  FileChangeType,
  LSPErrorCodes,
  MarkupKind,
  MessageType,
  ResponseError,
  ShowMessageNotification,
  TextDocumentSyncKind,
  type CancellationToken,
  type CodeAction,
  type CodeActionParams,
  type CompletionItem,
  type CompletionList,
  type CompletionParams,
  type Connection,
  type Diagnostic,
  type DidChangeTextDocumentParams,
  type DidChangeWatchedFilesParams,
  type DidCloseTextDocumentParams,
  type DidOpenTextDocumentParams,
  type ExecuteCommandParams,
  type Hover,
  type HoverParams,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceFoldersChangeEvent,
} from 'vscode-languageserver/node';
import type { BuildConfig } from '../core/buildconfig';
import { BUILD_FILES } from '../core/buildconfig';
import { loadCatalog, ruleDocUri } from '../core/catalog';
import { formatCompletions, hoverForFormat } from '../core/formatHelp';
import { completions, describeSource, hoverForDirective, hoverForName, wordAt } from '../core/hover';
import { fsHost, isInside, type LintHost } from '../core/host';
import { defineTargetFix } from '../core/fixes';
import { isTooLarge, lint, suggestedTarget } from '../core/lint';
import { DocumentSession, InvalidChange } from '../core/session';
import { parseSettings, type Settings } from '../core/settings';
import type { SourceFile } from '../core/audit/sources';
import type { LintResult, Target } from '../core/types';
import { minorToHex, minorToString } from '../core/version';
import { collectCFiles } from '../core/walk';
import { auditCommand } from './audit';
import { codeActions, editFor, previewEditFor, SOURCE_FIX_ALL } from './codeActions';
import { fixText } from '../core/migrate';
import { Diagnostics, sameDiagnostics } from './diagnostics';
import type { InactiveRegions, InitializationOptions, ServerStatus } from './protocol';

/**
 * Quiet time after a keystroke before checking. None by default: an edit costs about a millisecond to analyse
 * (docs/benchmarks.md), so the server checks at once, after the changes already received (setImmediate
 * coalesces a burst). ABI3LINT_DEBOUNCE_MS sets a delay.
 */
const DEBOUNCE_MS = Number.isFinite(Number(process.env.ABI3LINT_DEBOUNCE_MS)) && process.env.ABI3LINT_DEBOUNCE_MS !== undefined ? Number(process.env.ABI3LINT_DEBOUNCE_MS) : 0;
/** After an analysis this slow, the next change waits for quiet; it never waits more than MAX_QUIET_MS (see schedule()). */
const QUIET_FROM_MS = 10;
const MAX_QUIET_MS = 250;
/** The workspace check reads at most this many files. */
const MAX_WORKSPACE_FILES = 20000;
const COMMANDS = ['abi3lint.server.checkWorkspace', 'abi3lint.server.showRuleDocs', 'abi3lint.server.targetDetails', 'abi3lint.server.stats', 'abi3lint.server.migrateFile', 'abi3lint.server.audit'];

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
  /** The generation `result` is of. */
  resultGeneration?: number;
  /** The analysis of one generation, shared by every request that waits for it. */
  pending?: { generation: number; promise: Promise<void> };
  /** How long the last analysis took, ms, and when it ended (a slow one spaces the next: see schedule()). */
  lastAnalysisMs?: number;
  lastAnalysisEnd?: number;
  /** Why the server's text no longer matches the editor's (an invalid change); cleared by a full text. */
  outOfSync?: string;
  /** The lowest target an unchecked document could use, for the generation it was computed on. */
  suggested?: { generation: number; minor: number | null };
  /** What the client was last sent: diagnostics are published again only when they change. */
  published?: Diagnostic[];
  publishedInactive?: LintResult['inactive'];
}

const uriToPath = (uri: string): string => {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
  } catch {
    return uri;
  }
};

const COMPLETION_KIND: Record<string, CompletionItemKind> = {
  function: CompletionItemKind.Function,
  inline: CompletionItemKind.Function,
  macro: CompletionItemKind.Snippet,
  const: CompletionItemKind.Constant,
  enumerator: CompletionItemKind.Constant,
  typedef: CompletionItemKind.Struct,
  struct: CompletionItemKind.Struct,
};

export class AbiServer {
  private readonly docs = new Map<string, OpenDoc>();
  /** Unopened files the workspace check published diagnostics for (their results are not kept: the client has them). */
  private readonly workspaceResults = new Set<string>();
  private readonly buildCache = new Map<string, BuildConfig | null>();
  private readonly settingsCache = new Map<string, Settings>();
  private readonly reportedProblems = new Set<string>();
  private readonly failedOnce = new Set<string>();
  private readonly diagnostics = new Diagnostics();
  private folders: string[] = [];
  private hasConfigCapability = false;
  private hasShowDocument = false;
  /** The client shows edits with change annotations (a preview for migrations). */
  private hasChangeAnnotations = false;
  /** The client applies edits the server sends (workspace/applyEdit). */
  private hasApplyEdit = false;
  /** Commands the client itself runs (initializationOptions.clientCommands). */
  private clientCommands: string[] = [];
  private logLevel: Level = 'info';
  private shuttingDown = false;
  /** The last valid abi3lint.target seen, used while the setting holds an invalid value. */
  private lastValidTarget: string | null = null;
  private readonly invalidTargetOf = new WeakMap<Settings, string>();
  /** Increments when a workspace check starts: an older one still running stops. */
  private workspaceRun = 0;

  /** Reads open documents from memory, everything else from disk. */
  private readonly host: LintHost = {
    readFile: (file) => this.openSession(file)?.text ?? fsHost.readFile(file),
    stamp: (file) => (this.openSession(file) ? null : fsHost.stamp!(file)), // open: read from memory
  };

  constructor(private readonly connection: Connection) {}

  /** Every handler, in one place. */
  register(): void {
    const c = this.connection;
    c.onInitialize((p) => this.onInitialize(p));
    c.onInitialized(() => this.onInitialized());
    c.onDidChangeConfiguration(() => void this.relintAll());
    c.onDidChangeWatchedFiles((p) => this.onDidChangeWatchedFiles(p));
    c.onDidOpenTextDocument((p) => this.onDidOpen(p));
    c.onDidChangeTextDocument((p) => this.onDidChange(p));
    c.onDidCloseTextDocument((p) => this.onDidClose(p));
    c.onHover((p, token) => this.onHover(p, token));
    c.onCompletion((p, token) => this.onCompletion(p, token));
    c.onCodeAction((p, token) => this.onCodeAction(p, token));
    c.onExecuteCommand((p) => this.onExecuteCommand(p));
    c.onShutdown(() => this.onShutdown());
  }

  private log(level: Exclude<Level, 'off'>, msg: string): void {
    if (LEVELS.indexOf(level) > LEVELS.indexOf(this.logLevel)) return;
    const line = `[${level}] ${msg}`;
    if (level === 'error') this.connection.console.error(line);
    else if (level === 'warn') this.connection.console.warn(line);
    else this.connection.console.log(line);
  }

  private openSession(file: string): DocumentSession | undefined {
    for (const d of this.docs.values()) if (d.session.path === file) return d.session;
    return undefined;
  }

  /** Includes and build files are read only inside the file's workspace folder (or its own folder). */
  private rootFor(file: string): string {
    return this.folders.filter((f) => isInside(f, file)).sort((a, b) => b.length - a.length)[0] ?? path.dirname(file);
  }

  private async settingsFor(uri: string): Promise<Settings> {
    const cached = this.settingsCache.get(uri);
    if (cached) return cached;
    let raw: unknown = {};
    if (this.hasConfigCapability) {
      try {
        raw = await this.connection.workspace.getConfiguration({ scopeUri: uri, section: 'abi3lint' });
      } catch (e) {
        this.log('warn', `could not read settings: ${String(e)}`);
      }
    }
    const cat = loadCatalog();
    const { settings, problems, invalid } = parseSettings(raw ?? {}, (k) => cat.rules.has(k) || cat.rulesByName.has(k));
    if ('target' in invalid) {
      // an invalid target never silently stops the checking: the last valid one stays, and the status says why
      this.invalidTargetOf.set(settings, String(invalid.target));
      settings.target = this.lastValidTarget;
    } else if (settings.target) this.lastValidTarget = settings.target;
    for (const p of problems) {
      if (this.reportedProblems.has(p)) continue;
      this.reportedProblems.add(p);
      void this.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `abi3lint: ${p}` });
      this.log('warn', p);
    }
    this.settingsCache.set(uri, settings);
    this.logLevel = settings.logLevel;
    return settings;
  }

  private sendStatus(uri: string, r: LintResult | undefined, error?: string, version?: number): void {
    const status: ServerStatus = {
      uri,
      version,
      target: r?.target ? `${r.target.abi3t ? 'abi3t' : 'abi3 ≥'} ${minorToString(r.target.minor)}` : null,
      source: r?.target ? describeSource(r.target) : (r?.noTargetReason ?? null),
      minimum: r?.minimumVersion != null ? minorToString(r.minimumVersion) : null,
      health: error ? 'error' : 'ok',
      message: error,
    };
    void this.connection.sendNotification('abi3lint/status', status);
  }

  /** Checks an open document and publishes what changed. */
  private async lintDoc(doc: OpenDoc): Promise<void> {
    const generation = doc.generation;
    const file = doc.session.path;
    try {
      const settings = await this.settingsFor(doc.uri);
      if (doc.generation !== generation) return;
      const t0 = performance.now();
      const r = await doc.session.lint({ settings, host: this.host, root: this.rootFor(file), buildConfigCache: this.buildCache, invalidTarget: this.invalidTargetOf.get(settings) });
      doc.lastAnalysisEnd = performance.now();
      doc.lastAnalysisMs = doc.lastAnalysisEnd - t0;
      if (doc.generation !== generation || !this.docs.has(doc.uri)) return; // stale: a newer change is pending
      doc.result = r;
      doc.resultGeneration = generation;
      await this.publish(doc, r);
      for (const n of r.notices) this.log('info', `${path.basename(file)}: ${n}`);
      this.sendStatus(doc.uri, r, undefined, doc.version);
      this.log('debug', `linted ${path.basename(file)} v${doc.version}: ${r.findings.length} findings, parse ${r.timing.parse.toFixed(1)} ms, analysis ${r.timing.analyze.toFixed(1)} ms`);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (!this.failedOnce.has(msg)) {
        this.failedOnce.add(msg);
        this.log('error', `checking ${file} failed: ${e instanceof Error ? e.stack : msg}`);
      }
      this.sendStatus(doc.uri, undefined, msg, doc.version);
    }
  }

  private async publish(doc: OpenDoc, r: LintResult): Promise<void> {
    const diagnostics = this.diagnostics.forResult(r, doc.uri);
    if (!doc.published || !sameDiagnostics(doc.published, diagnostics)) {
      doc.published = diagnostics;
      await this.connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
    }
    if (doc.publishedInactive !== r.inactive) {
      doc.publishedInactive = r.inactive;
      const regions: InactiveRegions = { uri: doc.uri, version: doc.version, regions: r.inactive };
      void this.connection.sendNotification('abi3lint/inactiveRegions', regions);
    }
  }

  /**
   * Schedules the analysis of a document after a change. While this file's analyses are quick (under
   * QUIET_FROM_MS: typing in nearly any file) the change is checked at once. After a slow one, analyses are
   * spaced by at least as long as it took (at most MAX_QUIET_MS): a change that comes later than that is checked
   * at once, one that comes sooner waits; and a change that finds the previous one still waiting is part of a
   * storm, which is analysed only once it has been quiet for as long as an analysis takes (2 ms at least). Requests never queue behind analyses of
   * texts already replaced.
   */
  private schedule(doc: OpenDoc, delay = DEBOUNCE_MS || this.quietFor(doc)): void {
    doc.timer?.();
    const run = (): void => {
      doc.timer = undefined;
      void this.analyse(doc);
    };
    if (delay < 2) {
      // two turns of the event loop: the connection hands over one message per turn, so every change already
      // received is applied (and cancels this) before the analysis starts; a burst costs one analysis
      let h = setImmediate(() => (h = setImmediate(run)));
      doc.timer = () => clearImmediate(h);
    } else {
      const h = setTimeout(run, delay);
      doc.timer = () => clearTimeout(h);
    }
  }

  private quietFor(doc: OpenDoc): number {
    const took = doc.lastAnalysisMs ?? 0;
    if (doc.timer) return Math.min(MAX_QUIET_MS, Math.max(2, took)); // (a storm: wait for quiet)
    if (took < QUIET_FROM_MS) return 0;
    return Math.max(0, Math.min(MAX_QUIET_MS, took) - (performance.now() - (doc.lastAnalysisEnd ?? 0)));
  }

  /** The analysis of the document's current generation (one, however many wait for it). */
  private analyse(doc: OpenDoc): Promise<void> {
    if (doc.pending?.generation !== doc.generation) doc.pending = { generation: doc.generation, promise: this.lintDoc(doc) };
    return doc.pending.promise;
  }

  private async relintAll(): Promise<void> {
    this.settingsCache.clear();
    this.buildCache.clear();
    for (const d of this.docs.values()) {
      d.generation++;
      this.schedule(d, 0);
    }
    if (this.workspaceResults.size) await this.checkWorkspace();
  }

  /** The C files of the workspace folders, with the settings of each folder (asked once per folder). */
  private async workspaceFiles(): Promise<{ file: string; settings: Settings }[]> {
    const out: { file: string; settings: Settings }[] = [];
    for (const folder of this.folders) {
      const settings = await this.settingsFor(pathToFileURL(folder).href);
      const walk = collectCFiles(['.'], { base: folder, exclude: settings.exclude, confineTo: folder, maxFiles: MAX_WORKSPACE_FILES, maxDepth: 30 });
      for (const p of walk.problems) this.log('warn', `workspace: ${p}`);
      for (const file of walk.files) if (out.length < MAX_WORKSPACE_FILES) out.push({ file, settings });
    }
    return out;
  }

  /** The workspace's C files and their text (the editor's for open ones), for the binary audit. */
  private async workspaceSources(): Promise<SourceFile[]> {
    const out: SourceFile[] = [];
    for (const { file } of await this.workspaceFiles()) {
      const text = this.docs.get(pathToFileURL(file).href)?.session.text ?? fsHost.readFile(file);
      if (text !== undefined) out.push({ path: file, text });
    }
    return out;
  }

  /** The target the linter resolves for a file (its defines, the build configuration, the settings). */
  private async targetOfFile(file: string): Promise<Target | null> {
    const uri = pathToFileURL(file).href;
    const open = this.docs.get(uri);
    if (open?.result) return open.result.target;
    const text = fsHost.readFile(file);
    if (text === undefined) return null;
    const settings = await this.settingsFor(uri);
    const r = await lint({ path: file, text }, { settings, host: this.host, root: this.rootFor(file), buildConfigCache: this.buildCache });
    return r.target;
  }

  /** Checks every C file of the workspace folders that is not open, with progress. A newer check (settings
   *  changed again) stops an older one. */
  private async checkWorkspace(): Promise<number> {
    if (!this.folders.length) return 0;
    const run = ++this.workspaceRun;
    const progress = await this.connection.window.createWorkDoneProgress().catch(() => null);
    const files = await this.workspaceFiles();
    progress?.begin('abi3lint: checking workspace', 0, `${files.length} files`, true);
    let n = 0;
    for (const { file, settings } of files) {
      if (progress?.token.isCancellationRequested || run !== this.workspaceRun || this.shuttingDown) break;
      const uri = pathToFileURL(file).href;
      n++;
      if (this.docs.has(uri)) continue;
      const text = fsHost.readFile(file);
      if (text === undefined) continue;
      const s = new DocumentSession(file, text);
      try {
        const r = await s.lint({ settings, host: this.host, root: this.rootFor(file), buildConfigCache: this.buildCache });
        if (run !== this.workspaceRun) break; // superseded while this file was checked
        if (this.docs.has(uri)) continue; // opened meanwhile: the editor's version wins
        this.workspaceResults.add(uri);
        await this.connection.sendDiagnostics({ uri, diagnostics: r.findings.map((f) => this.diagnostics.forFinding(f, uri)) });
      } finally {
        s.dispose();
      }
      if (n % 10 === 0) progress?.report(Math.round((100 * n) / files.length), `${n}/${files.length}`);
    }
    progress?.done();
    this.log('info', `workspace check: ${n} of ${files.length} files${run !== this.workspaceRun ? ' (superseded by a newer check)' : ''}`);
    return files.length;
  }

  /** The result of the document's newest text (analysed now, once for all waiting requests, if it is not). */
  private async resultFor(uri: string): Promise<{ doc: OpenDoc; result: LintResult } | null> {
    const doc = this.docs.get(uri);
    if (!doc || doc.outOfSync) return null;
    if (doc.resultGeneration !== doc.generation) {
      doc.timer?.();
      doc.timer = undefined;
      await this.analyse(doc);
    }
    return doc.result ? { doc, result: doc.result } : null;
  }

  /** What hover and completion need: the newest text, and the target of the last analysis (they never wait
   *  for diagnostics, only for a first analysis). */
  private async targetFor(uri: string): Promise<{ doc: OpenDoc; target: LintResult['target'] } | null> {
    const doc = this.docs.get(uri);
    if (!doc || doc.outOfSync) return null;
    if (!doc.result) await this.analyse(doc);
    return { doc, target: doc.result?.target ?? null };
  }

  /**
   * Runs a request handler: refused after shutdown (InvalidRequest), answered with RequestCancelled when the
   * client cancels it; any other failure is logged and answered with `fallback`.
   */
  private async guarded<T>(what: string, fallback: T, f: () => Promise<T>, token?: CancellationToken): Promise<T> {
    if (this.shuttingDown) throw new ResponseError(ErrorCodes.InvalidRequest, `the server is shutting down: ${what} refused`);
    if (token?.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, `${what} cancelled`);
    try {
      const r = await f();
      if (token?.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, `${what} cancelled`);
      return r;
    } catch (e) {
      if (e instanceof ResponseError) throw e;
      this.log('error', `${what} failed: ${String(e)}`);
      return fallback;
    }
  }

  onInitialize(params: InitializeParams): InitializeResult {
    const caps = params.capabilities;
    this.hasConfigCapability = !!caps.workspace?.configuration;
    this.hasShowDocument = !!caps.window?.showDocument?.support;
    this.hasChangeAnnotations = !!caps.workspace?.workspaceEdit?.changeAnnotationSupport && !!caps.workspace?.workspaceEdit?.documentChanges;
    this.hasApplyEdit = !!caps.workspace?.applyEdit;
    this.folders = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri));
    if (!this.folders.length && params.rootUri) this.folders = [uriToPath(params.rootUri)];
    const init = params.initializationOptions as InitializationOptions | undefined;
    if (init?.logLevel && LEVELS.includes(init.logLevel)) this.logLevel = init.logLevel;
    this.diagnostics.inactiveAsDiagnostics = init?.inactiveRegions !== 'notification';
    this.clientCommands = Array.isArray(init?.clientCommands) ? init.clientCommands.filter((c): c is string => typeof c === 'string').slice(0, 20) : [];
    loadCatalog();
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: false },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['_', '%'], resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll, SOURCE_FIX_ALL, CodeActionKind.Source] },
        executeCommandProvider: { commands: COMMANDS },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'abi3lint', version: '0.1.0' },
    };
  }

  onInitialized(): void {
    const c = this.connection;
    if (this.hasConfigCapability) void c.client.register(DidChangeConfigurationNotification.type, { section: 'abi3lint' }).catch(() => undefined);
    void c.client.register(DidChangeWatchedFilesNotification.type, { watchers: BUILD_FILES.map((f) => ({ globPattern: `**/${f}` })) }).catch(() => undefined);
    // check the whole workspace once at start, with progress, so the Problems view shows unopened files too
    if (this.folders.length && process.env.ABI3LINT_NO_WORKSPACE_CHECK !== '1') {
      void this.checkWorkspace().catch((e) => this.log('error', `workspace check failed: ${String(e)}`));
    }
    if (this.folders.length) c.workspace.onDidChangeWorkspaceFolders((ev) => this.onDidChangeWorkspaceFolders(ev));
  }

  onDidChangeWorkspaceFolders(ev: WorkspaceFoldersChangeEvent): void {
    this.folders = this.folders.filter((f) => !ev.removed.some((r) => uriToPath(r.uri) === f)).concat(ev.added.map((a) => uriToPath(a.uri)));
    void this.relintAll();
  }

  onDidChangeWatchedFiles(ev: DidChangeWatchedFilesParams): void {
    if (ev.changes.some((c) => BUILD_FILES.some((b) => uriToPath(c.uri).endsWith(path.sep + path.basename(b))) || c.type === FileChangeType.Deleted)) {
      this.log('info', 'build configuration changed: checking again');
      void this.relintAll();
    }
  }

  onDidOpen(p: DidOpenTextDocumentParams): void {
    const uri = p.textDocument.uri;
    this.docs.get(uri)?.session.dispose();
    const doc: OpenDoc = { uri, version: p.textDocument.version, session: new DocumentSession(uriToPath(uri), p.textDocument.text), generation: 0 };
    this.docs.set(uri, doc);
    this.schedule(doc, 0);
  }

  onDidChange(p: DidChangeTextDocumentParams): void {
    const doc = this.docs.get(p.textDocument.uri);
    if (!doc) return;
    const changes = (Array.isArray(p.contentChanges) ? p.contentChanges : []).map((c) => ('range' in c && c.range !== undefined ? { range: c.range, text: c.text } : { text: c.text }));
    // out of step with the editor: only a whole new text brings the document back
    if (doc.outOfSync && !changes.some((c) => !('range' in c))) return;
    try {
      doc.session.applyChanges(doc.outOfSync ? changes.slice(changes.findLastIndex((c) => !('range' in c))) : changes);
      doc.outOfSync = undefined;
    } catch (e) {
      this.lostSync(doc, e instanceof InvalidChange ? e.message : `applying a change failed: ${String(e)}`);
      return;
    }
    const version = p.textDocument.version;
    if (Number.isInteger(version) && version <= doc.version) this.log('warn', `${path.basename(doc.session.path)}: version ${version} after ${doc.version}: kept ${doc.version}`);
    if (Number.isInteger(version)) doc.version = Math.max(doc.version, version);
    doc.generation++;
    this.schedule(doc);
  }

  /** The editor sent a change the server cannot apply: nothing more is said about the document (its
   *  diagnostics are withdrawn) until a whole new text arrives. */
  private lostSync(doc: OpenDoc, reason: string): void {
    doc.outOfSync = reason;
    doc.generation++;
    doc.timer?.();
    doc.timer = undefined;
    doc.result = undefined;
    doc.published = [];
    this.log('error', `${path.basename(doc.session.path)}: ${reason}; change refused, the document is out of sync until the editor sends its whole text`);
    void this.connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: [] });
    this.sendStatus(doc.uri, undefined, `out of sync with the editor (${reason}): reopen the file`, doc.version);
  }

  onDidClose(p: DidCloseTextDocumentParams): void {
    const uri = p.textDocument.uri;
    const doc = this.docs.get(uri);
    if (!doc) return;
    doc.timer?.();
    doc.session.dispose();
    this.docs.delete(uri);
    this.settingsCache.delete(uri);
    if (!this.workspaceResults.has(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  onHover(p: HoverParams, token: CancellationToken): Promise<Hover | null> {
    return this.guarded(
      'hover',
      null,
      async () => {
        const r = await this.targetFor(p.textDocument.uri);
        if (!r || token.isCancellationRequested) return null;
        const text = r.doc.session.text;
        const pos = r.doc.session.positions;
        const at = pos.clamp(p.position ?? { line: 0, character: 0 });
        const markdown = (value: string): Hover => ({ contents: { kind: MarkupKind.Markdown, value } });
        const fmt = hoverForFormat(text, pos.offset(at.line, at.character), r.target);
        if (fmt) return markdown(fmt);
        const dir = hoverForDirective(text, at.line, r.target, pos.starts);
        const w = wordAt(text, at.line, at.character, pos.starts);
        if (w && /^(Py_LIMITED_API|Py_TARGET_ABI3T|PY_VERSION_HEX)$/.test(w.word) && dir) return markdown(dir);
        const h = w ? hoverForName(w.word, r.target) : null;
        if (h) return markdown(h);
        return dir ? markdown(dir) : null;
      },
      token,
    );
  }

  onCompletion(p: CompletionParams, token: CancellationToken): Promise<CompletionList | CompletionItem[]> {
    return this.guarded<CompletionList | CompletionItem[]>(
      'completion',
      [],
      async () => {
        const r = await this.targetFor(p.textDocument.uri);
        if (!r || token.isCancellationRequested) return [];
        const pos = r.doc.session.positions;
        const at = pos.clamp(p.position ?? { line: 0, character: 0 });
        const lineStart = pos.starts[at.line];
        const units = formatCompletions(r.doc.session.text, pos.offset(at.line, at.character), r.target);
        if (units) {
          return units.map((u, i): CompletionItem => ({ label: u.label, kind: CompletionItemKind.EnumMember, detail: u.detail, sortText: String(i).padStart(4, '0') }));
        }
        const prefix = /[A-Za-z_]\w*$/.exec(r.doc.session.text.slice(Math.max(lineStart, lineStart + at.character - 200), lineStart + at.character))?.[0] ?? '';
        const items: CompletionItem[] = completions(prefix, r.target).map((c, i) => ({
          label: c.name,
          kind: (c.kind && COMPLETION_KIND[c.kind]) || CompletionItemKind.Variable,
          detail: c.valid ? c.detail : `✗ ${c.detail}`,
          // too new or not limited: said in the label's description; the strikethrough is for deprecation only
          labelDetails: c.valid ? undefined : { description: c.detail },
          sortText: `${c.valid ? '0' : '9'}${String(i).padStart(5, '0')}`,
          tags: c.deprecated ? [CompletionItemTag.Deprecated] : undefined,
        }));
        return { isIncomplete: true, items };
      },
      token,
    );
  }

  onCodeAction(p: CodeActionParams, token: CancellationToken): Promise<CodeAction[]> {
    return this.guarded(
      'code actions',
      [],
      async () => {
        const r = await this.resultFor(p.textDocument.uri);
        if (!r || token.isCancellationRequested) return [];
        const pos = r.doc.session.positions;
        const range = { start: pos.clamp(p.range?.start ?? { line: 0, character: 0 }), end: pos.clamp(p.range?.end ?? { line: 0, character: 0 }) };
        const actions = codeActions({ ...p, range, context: p.context ?? { diagnostics: [] } }, r.result, r.doc.session.text, (f) => this.diagnostics.forFinding(f, p.textDocument.uri), this.hasChangeAnnotations);
        // a file that is not checked: from "not checked" to checked in one step, on its first line
        if (!r.result.target && range.start.line === 0 && !isTooLarge(r.doc.session.text)) actions.push(...(await this.targetActions(r.doc)));
        return actions;
      },
      token,
    );
  }

  onExecuteCommand(p: ExecuteCommandParams): Promise<unknown> {
    return this.guarded(`command ${p.command}`, null, async () => {
      switch (p.command) {
        case 'abi3lint.server.checkWorkspace':
          return await this.checkWorkspace();
        case 'abi3lint.server.stats':
          return this.stats((p.arguments?.[0] as { gc?: boolean } | undefined)?.gc);
        case 'abi3lint.server.showRuleDocs': {
          const code = String(p.arguments?.[0] ?? '');
          const uri = ruleDocUri(code);
          // the bundled page opens in the editor; a web page (no bundle) in the browser
          if (this.hasShowDocument) await this.connection.window.showDocument({ uri, external: !uri.startsWith('file:') });
          return uri;
        }
        case 'abi3lint.server.targetDetails':
          return this.targetDetails(String(p.arguments?.[0] ?? ''));
        case 'abi3lint.server.migrateFile':
          return await this.migrateFile(String(p.arguments?.[0] ?? ''), p.arguments?.[1] === 'preview-only');
        case 'abi3lint.server.audit':
          return await auditCommand(p.arguments, { sources: () => this.workspaceSources(), targetOf: (f) => this.targetOfFile(f) });
      }
      return null;
    });
  }

  /** Memory figures (after a full collection when the process runs with --expose-gc: live memory, not garbage). */
  private stats(gc: boolean | undefined): object {
    const collect = (globalThis as { gc?: () => void }).gc;
    if (collect && gc) collect();
    const m = process.memoryUsage();
    return { rss: m.rss, peakRss: process.resourceUsage().maxRSS * 1024, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, openDocuments: this.docs.size, workspaceResults: this.workspaceResults.size };
  }

  /** The lowest target an unchecked document could use (an analysis at the newest target), memoised per generation. */
  private async suggestion(doc: OpenDoc): Promise<number | null> {
    if (doc.suggested?.generation === doc.generation) return doc.suggested.minor;
    const settings = await this.settingsFor(doc.uri);
    const minor = await suggestedTarget({ path: doc.session.path, text: doc.session.text }, { settings, host: this.host, root: this.rootFor(doc.session.path), buildConfigCache: this.buildCache });
    doc.suggested = { generation: doc.generation, minor };
    return minor;
  }

  /** For an unchecked document: define the target in the file; and, when the client handles it, set it for the workspace. */
  private async targetActions(doc: OpenDoc): Promise<CodeAction[]> {
    const minor = await this.suggestion(doc);
    if (minor === null) return [];
    const fix = defineTargetFix(doc.session.text, doc.session.positions, minor);
    const out: CodeAction[] = [{ title: fix.title, kind: CodeActionKind.QuickFix, edit: editFor(doc.uri, fix.edits) }];
    if (this.clientCommands.includes('abi3lint.setTarget')) {
      out.push({ title: 'Set the Limited API target for this workspace…', kind: CodeActionKind.QuickFix, command: { title: 'Set target', command: 'abi3lint.setTarget', arguments: [minorToString(minor)] } });
    }
    return out;
  }

  /**
   * "Migrate file to the Limited API": every safe and unsafe fix, migrations included, over several passes, as
   * one edit of the document, sent to the client to apply (with a preview where it shows annotated edits).
   * Returns what was done and what is left; never part of fix-all on save.
   */
  private async migrateFile(uri: string, previewOnly: boolean): Promise<object | null> {
    const doc = this.docs.get(uri);
    if (!doc) return null;
    if (isTooLarge(doc.session.text)) return { applied: false, fixes: 0, notes: [], remaining: 0, message: 'the file is too large to migrate' };
    const settings = await this.settingsFor(uri);
    const text = doc.session.text;
    const done = await fixText({ path: doc.session.path, text }, { settings, host: this.host, root: this.rootFor(doc.session.path), buildConfigCache: this.buildCache }, true, 5, true);
    const summary = { fixes: done.fixes, notes: done.notes, remaining: done.result.findings.filter((f) => f.severity === 'error').length, target: done.result.target ? minorToString(done.result.target.minor) : null };
    if (done.text === text) return { ...summary, applied: false, edit: null };
    const whole = { range: { start: { line: 0, character: 0 }, end: doc.session.positions.position(text.length) }, newText: done.text };
    const others = [...done.otherFiles].map(([file, edits]) => ({ uri: pathToFileURL(file).href, edits }));
    const edit = previewEditFor(uri, [whole], `Migrate ${path.basename(doc.session.path)} to the Limited API (${done.fixes} changes)`, done.notes, this.hasChangeAnnotations, others);
    if (previewOnly || !this.hasApplyEdit) return { ...summary, applied: false, edit };
    const r = await this.connection.workspace.applyEdit({ label: `abi3lint: migrate ${path.basename(doc.session.path)}`, edit });
    return { ...summary, applied: r.applied, edit: null };
  }

  private async targetDetails(uri: string): Promise<object | null> {
    const doc = this.docs.get(uri);
    const r = doc?.result;
    if (!doc || !r) return null;
    const suggested = r.target || isTooLarge(doc.session.text) ? null : await this.suggestion(doc);
    return {
      suggestedTarget: suggested === null ? null : minorToString(suggested),
      target: r.target ? { version: minorToString(r.target.minor), hex: minorToHex(r.target.minor), abi3t: r.target.abi3t, source: describeSource(r.target) } : null,
      reason: r.noTargetReason ?? null,
      minimumVersion: r.minimumVersion != null ? minorToString(r.minimumVersion) : null,
      findings: r.findings.length,
      inactiveRegions: r.inactive.length,
    };
  }

  onShutdown(): void {
    this.shuttingDown = true;
    for (const d of this.docs.values()) {
      d.timer?.();
      d.session.dispose();
    }
    this.docs.clear();
  }
}

export function startServer(connection: Connection): void {
  new AbiServer(connection).register();
  connection.listen();
}
