/**
 * The VS Code extension: starts the abi3lint language server (dist/server.js over IPC), shows the current
 * file's Limited API target in the status bar, and offers a few commands. All analysis lives in the server.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { auditBuiltExtension } from './audit';
import { SERVER_NODE_FLAGS, type InactiveRegions, type InitializationOptions, type ServerStatus } from '../../server/src/lsp/protocol';


let client: LanguageClient | undefined;
/** Set by the bundle's first statement (scripts/build.mjs), so activation time includes loading this code. */
const loadStart = (globalThis as { __abi3lintLoadStart?: number }).__abi3lintLoadStart;

/**
 * Activation timings: in the output channel, and appended as a JSON line to $ABI3LINT_TIMINGS_FILE when set
 * (the benchmark and the end-to-end test read them there).
 */
interface Timings {
  /** Evaluating this bundle (from its first statement to its last). */
  moduleMs: number | null;
  /** The activate() call. */
  activateMs: number;
  /** What VS Code counts as activation: loading the code plus the activate() call. */
  activationMs: number;
  /** Between the bundle's evaluation and the activate() call: the extension host's own work. */
  hostDelayMs: number | null;
  serverReadyMs?: number;
  error?: string;
}

function recordTimings(output: vscode.LogOutputChannel, t: Timings): void {
  output.info(
    `activated in ${t.activationMs.toFixed(1)} ms (code ${t.moduleMs?.toFixed(1) ?? '?'} ms, activate() ${t.activateMs.toFixed(1)} ms)` +
      (t.serverReadyMs !== undefined ? `; server ready after ${t.serverReadyMs.toFixed(1)} ms` : '') +
      (t.error ? `; server failed to start: ${t.error}` : ''),
  );
  const file = process.env.ABI3LINT_TIMINGS_FILE;
  if (file && t.serverReadyMs !== undefined) {
    try {
      fs.appendFileSync(file, JSON.stringify({ ...t, at: new Date().toISOString() }) + '\n');
    } catch {
      /* best effort */
    }
  }
}
const TRACE = process.env.ABI3LINT_TRACE_FILE;
/** One JSON line per event, epoch milliseconds (the page's clock is the same machine's): for the benchmark only. */
function trace(event: string, uri: string, n?: number): void {
  if (!TRACE) return;
  try {
    fs.appendFileSync(TRACE, JSON.stringify({ event, at: performance.timeOrigin + performance.now(), uri, n }) + '\n');
  } catch {
    /* best effort */
  }
}

let statusItem: vscode.StatusBarItem;
const statuses = new Map<string, ServerStatus>();
/** Inactive #if regions per document, drawn dimmed (as vscode-clangd does) instead of as hint diagnostics. */
const inactive = new Map<string, vscode.Range[]>();
let inactiveDecoration: vscode.TextEditorDecorationType | undefined;

function drawInactive(): void {
  if (!inactiveDecoration) return;
  for (const editor of vscode.window.visibleTextEditors) editor.setDecorations(inactiveDecoration, inactive.get(editor.document.uri.toString()) ?? []);
}

function updateStatusItem(): void {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !['c', 'cpp'].includes(editor.document.languageId)) {
    statusItem.hide();
    return;
  }
  const s = statuses.get(editor.document.uri.toString());
  if (!client || client.state !== State.Running) {
    statusItem.text = '$(warning) abi3lint: stopped';
    statusItem.tooltip = 'The abi3lint server is not running. Click to restart.';
    statusItem.command = 'abi3lint.restartServer';
  } else if (!s) {
    statusItem.text = '$(sync~spin) abi3lint';
    statusItem.tooltip = 'Checking…';
    statusItem.command = 'abi3lint.showTargetDetails';
  } else if (s.health === 'error') {
    statusItem.text = '$(error) abi3lint';
    statusItem.tooltip = `abi3lint could not check this file: ${s.message ?? ''}`;
    statusItem.command = 'abi3lint.showTargetDetails';
  } else if (s.target) {
    const src = s.source ? ` · ${s.source.replace(/^#define in /, '')}` : '';
    statusItem.text = `$(check) ${s.target}${src.length > 40 ? '' : src}`;
    statusItem.tooltip = `Limited API target: ${s.target} (${s.source ?? ''})${s.minimum ? `\nThis file needs at least ${s.minimum}.` : ''}\nClick for details.`;
    statusItem.command = 'abi3lint.showTargetDetails';
  } else {
    statusItem.text = '$(circle-slash) abi3lint: not checked';
    statusItem.tooltip = `${s.source ?? 'No Py_LIMITED_API.'}\nClick to choose a target.`;
    statusItem.command = 'abi3lint.notChecked';
    void offerTarget(editor.document.uri, s.source);
  }
  statusItem.show();
}

const VERSIONS = Array.from({ length: 14 }, (_, i) => `3.${i + 2}`).reverse();
let offered = false;

/** Once per session, the first unchecked C file: say why, with the ways forward as buttons. */
async function offerTarget(uri: vscode.Uri, reason: string | null): Promise<void> {
  if (offered) return;
  offered = true;
  const pick = await vscode.window.showInformationMessage(
    `abi3lint does not check ${path.basename(uri.fsPath)}: ${reason ?? 'no Py_LIMITED_API'}.`,
    'Set Target…',
    'Open Settings',
    'Learn More',
  );
  await runNotCheckedChoice(pick);
}

async function runNotCheckedChoice(pick: string | undefined): Promise<void> {
  if (pick === 'Set Target…') await vscode.commands.executeCommand('abi3lint.setTarget');
  else if (pick === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'abi3lint.target');
  else if (pick === 'Learn More') await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(extensionPath('README.md')));
}

let extensionRoot = '';
const extensionPath = (rel: string): string => path.join(extensionRoot, rel);

/** What the server suggests for the active unchecked file (the lowest version its API needs). */
async function suggestedTarget(): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!client || !editor) return undefined;
  const d = (await client.sendRequest('workspace/executeCommand', { command: 'abi3lint.server.targetDetails', arguments: [editor.document.uri.toString()] }).catch(() => null)) as { suggestedTarget?: string | null } | null;
  return d?.suggestedTarget ?? undefined;
}

/** A version picker that sets abi3lint.target for the workspace (the suggestion first and marked). */
async function setTarget(suggested?: string): Promise<void> {
  const hint = suggested ?? (await suggestedTarget());
  const items: vscode.QuickPickItem[] = VERSIONS.map((v) => ({ label: v, description: v === hint ? 'the lowest this file needs' : undefined }));
  if (hint) items.sort((a, b) => (a.label === hint ? -1 : b.label === hint ? 1 : 0));
  const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Limited API target for this workspace (abi3lint.target)', title: 'abi3lint: Set Limited API Target' });
  if (!pick) return;
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('abi3lint').update('target', pick.label, target);
  void vscode.window.setStatusBarMessage(`abi3lint: target ${pick.label} set for ${target === vscode.ConfigurationTarget.Workspace ? 'this workspace' : 'all workspaces'}`, 4000);
}

/** Rule codes and names from the bundled catalogue. */
function ruleItems(): vscode.QuickPickItem[] {
  try {
    const rules = (JSON.parse(fs.readFileSync(extensionPath(path.join('data', 'rules.json')), 'utf8')) as { rules: { code: string; name: string; summary: string }[] }).rules;
    return rules.map((r) => ({ label: r.code, description: r.name, detail: r.summary }));
  } catch {
    return [];
  }
}

async function openRuleDocs(code?: string): Promise<void> {
  let pick = code;
  if (!pick) pick = (await vscode.window.showQuickPick(ruleItems(), { placeHolder: 'Rule', matchOnDescription: true, matchOnDetail: true }))?.label;
  if (!pick || !/^ABI\d{3}$/.test(pick)) return;
  await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(extensionPath(path.join('docs', 'rules', `${pick}.md`))));
}

/**
 * A diagnostic's code links to the rule's bundled page as a file (command links are not followed from there):
 * when such a page opens as text, show it rendered instead.
 */
async function renderRulePage(editor: vscode.TextEditor | undefined): Promise<void> {
  const file = editor?.document.uri;
  if (!file || file.scheme !== 'file' || path.dirname(file.fsPath) !== extensionPath(path.join('docs', 'rules'))) return;
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  await vscode.commands.executeCommand('markdown.showPreview', file);
}

async function startClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): Promise<void> {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: SERVER_NODE_FLAGS } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS, '--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'c' },
      { scheme: 'file', language: 'cpp', pattern: '**/*.{h,c}' },
    ],
    outputChannel: output,
    initializationOptions: {
      logLevel: vscode.workspace.getConfiguration('abi3lint').get('logLevel', 'info'),
      inactiveRegions: 'notification',
      clientCommands: ['abi3lint.setTarget'],
    } satisfies InitializationOptions,
    synchronize: { configurationSection: 'abi3lint' },
    middleware: {
      // (with $ABI3LINT_TRACE_FILE set, the benchmark's timestamps on this side: a change sent, diagnostics received)
      didChange: (event, next) => {
        trace('change', event.document.uri.toString());
        return next(event);
      },
      handleDiagnostics: (uri, diagnostics, next) => {
        trace('diagnostics', uri.toString(), diagnostics.length);
        next(uri, diagnostics);
      },
      // the server's "Show documentation" opens the bundled page, rendered
      executeCommand: async (command, args, next) => (command === 'abi3lint.server.showRuleDocs' ? openRuleDocs(String(args[0] ?? '')) : next(command, args)),
    },
  };
  client = new LanguageClient('abi3lint', 'abi3lint', serverOptions, clientOptions);
  client.onDidChangeState(() => updateStatusItem());
  await client.start();
  client.onNotification('abi3lint/status', (s: ServerStatus) => {
    statuses.set(s.uri, s);
    updateStatusItem();
  });
  client.onNotification('abi3lint/inactiveRegions', (p: InactiveRegions) => {
    inactive.set(
      p.uri,
      p.regions.filter((r) => r.endLine > r.startLine).map((r) => new vscode.Range(r.startLine, 0, r.endLine - 1, Number.MAX_SAFE_INTEGER)),
    );
    drawInactive();
  });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const t0 = performance.now();
  const output = vscode.window.createOutputChannel('abi3lint', { log: true });
  extensionRoot = context.extensionPath;
  statusItem = vscode.window.createStatusBarItem('abi3lint.target', vscode.StatusBarAlignment.Right, 100);
  statusItem.name = 'abi3lint target';
  inactiveDecoration = vscode.window.createTextEditorDecorationType({ opacity: '0.55', rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed });
  const audits = vscode.languages.createDiagnosticCollection('abi3lint audit');
  context.subscriptions.push(output, statusItem, inactiveDecoration, audits);
  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor((e) => {
      updateStatusItem();
      void renderRulePage(e);
    }),
    vscode.window.onDidChangeVisibleTextEditors(() => drawInactive()),
    vscode.workspace.onDidCloseTextDocument((d) => inactive.delete(d.uri.toString())),
    vscode.commands.registerCommand('abi3lint.restartServer', async () => {
      output.info('restarting the server');
      statuses.clear();
      inactive.clear();
      drawInactive();
      if (client) await client.stop().catch(() => undefined);
      await startClient(context, output);
    }),
    vscode.commands.registerCommand('abi3lint.checkWorkspace', async () => {
      if (!client) return;
      const n = await client.sendRequest('workspace/executeCommand', { command: 'abi3lint.server.checkWorkspace', arguments: [] });
      void vscode.window.showInformationMessage(`abi3lint checked ${String(n)} files.`);
    }),
    vscode.commands.registerCommand('abi3lint.showTargetDetails', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!client || !editor) return;
      const d = (await client.sendRequest('workspace/executeCommand', { command: 'abi3lint.server.targetDetails', arguments: [editor.document.uri.toString()] })) as {
        target: { version: string; hex: string; abi3t: boolean; source: string } | null;
        reason: string | null;
        minimumVersion: string | null;
        findings: number;
      } | null;
      if (!d) return;
      const msg = d.target
        ? `Target ${d.target.abi3t ? 'abi3t' : 'abi3'} ${d.target.version} (${d.target.hex}) from ${d.target.source}. ${d.minimumVersion ? `The file needs at least ${d.minimumVersion}. ` : ''}${d.findings} finding(s).`
        : `Not checked: ${d.reason ?? 'no Limited API target'}.`;
      void vscode.window.showInformationMessage(msg);
    }),
    vscode.commands.registerCommand('abi3lint.migrateFile', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!client || !editor) return;
      // the server sends the edit back with workspace/applyEdit, annotated: VS Code shows it in the refactor preview
      const r = (await client.sendRequest('workspace/executeCommand', { command: 'abi3lint.server.migrateFile', arguments: [editor.document.uri.toString()] })) as {
        applied: boolean;
        fixes: number;
        notes: string[];
        remaining: number;
        target: string | null;
        message?: string;
      } | null;
      if (!r) return;
      if (r.message) return void vscode.window.showWarningMessage(`abi3lint: ${r.message}.`);
      if (!r.target) return void vscode.window.showInformationMessage('abi3lint: this file has no Limited API target yet; set one first (abi3lint: Set Limited API Target for Workspace…).');
      if (!r.fixes) return void vscode.window.showInformationMessage(`abi3lint: nothing to migrate at ${r.target} (${r.remaining} error(s) need changes by hand).`);
      const notes = r.notes.length ? ` Left to you: ${r.notes.join(' ')}` : '';
      void vscode.window.showInformationMessage(`abi3lint: ${r.applied ? 'migrated' : 'not applied'}: ${r.fixes} change(s) at ${r.target}, ${r.remaining} error(s) left.${notes}`);
    }),
    vscode.commands.registerCommand('abi3lint.auditBuiltExtension', async (target?: unknown) => {
      await started.catch(() => undefined);
      await auditBuiltExtension(client, audits, target);
    }),
    vscode.commands.registerCommand('abi3lint.clearAuditResults', () => audits.clear()),
    vscode.commands.registerCommand('abi3lint.openRuleDocs', (code?: string) => openRuleDocs(code)),
    vscode.commands.registerCommand('abi3lint.setTarget', (suggested?: string) => setTarget(typeof suggested === 'string' ? suggested : undefined)),
    vscode.commands.registerCommand('abi3lint.notChecked', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return;
      const s = statuses.get(editor.document.uri.toString());
      const choice = await vscode.window.showQuickPick(
        [
          { label: 'Set Target…', detail: 'Choose abi3lint.target for this workspace' },
          { label: 'Define', description: 'Py_LIMITED_API in this file', detail: 'The quick fix on the first line inserts #define Py_LIMITED_API with the lowest version the file needs' },
          { label: 'Open Settings', detail: 'abi3lint.target in the Settings editor' },
          { label: 'Learn More', detail: 'How abi3lint finds a file\'s target (README)' },
        ],
        { title: `Not checked: ${s?.source ?? 'no Py_LIMITED_API'}`, placeHolder: 'How should abi3lint check this file?' },
      );
      if (choice?.label === 'Define') {
        editor.selection = new vscode.Selection(0, 0, 0, 0);
        await vscode.commands.executeCommand('editor.action.quickFix');
      } else await runNotCheckedChoice(choice?.label);
    }),
  );
  // the server starts in the background: activation does not wait for a process to spawn and initialize
  const started = startClient(context, output);
  updateStatusItem();
  const activated = performance.now();
  const moduleMs = loadStart !== undefined ? loadEnd - loadStart : null;
  const timings: Timings = {
    moduleMs,
    activateMs: activated - t0,
    activationMs: (moduleMs ?? 0) + activated - t0,
    hostDelayMs: moduleMs !== null ? t0 - loadEnd : null,
  };
  void started.then(
    () => recordTimings(output, { ...timings, serverReadyMs: performance.now() - activated }),
    (e: unknown) => {
      recordTimings(output, { ...timings, error: e instanceof Error ? e.message : String(e) });
      updateStatusItem();
    },
  );
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
}

/** The bundle's last statement (see loadStart). */
const loadEnd = performance.now();
