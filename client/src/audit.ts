/**
 * "abi3lint: Audit Built Extension…": picks a wheel or extension module (found in the workspace, or browsed to,
 * or the one right-clicked in the Explorer), asks the server to audit it against the workspace's sources, and
 * shows the verdicts in the Problems view on the source lines they concern. Kept apart from the live
 * diagnostics: a new audit replaces the last; "Clear Audit Results" removes them.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { AuditReply } from '../../server/src/lsp/audit';

const BINARIES = '**/*.{whl,so,pyd,dylib}';
const SKIP = '**/{node_modules,.git,.tox,.nox,.venv,venv,site-packages}/**';

interface Pick extends vscode.QuickPickItem {
  uri?: vscode.Uri;
}

async function choose(): Promise<vscode.Uri[] | undefined> {
  const found = await vscode.workspace.findFiles(BINARIES, SKIP, 500);
  // wheels first (what users install), then modules, each by path
  found.sort((a, b) => Number(b.path.endsWith('.whl')) - Number(a.path.endsWith('.whl')) || a.path.localeCompare(b.path));
  const items: Pick[] = found.map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(path.dirname(uri.fsPath)), uri }));
  items.push({ label: '$(folder-opened) Browse…', detail: 'A wheel, a .so/.pyd/.dylib module, or a folder of them' });
  const pick = await vscode.window.showQuickPick(items, {
    title: 'abi3lint: Audit Built Extension',
    placeHolder: found.length ? 'The wheel or module to check against the Stable ABI and these sources' : 'No wheel or module in this workspace: browse to one',
    matchOnDescription: true,
  });
  if (!pick) return undefined;
  if (pick.uri) return [pick.uri];
  return vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: true, openLabel: 'Audit', filters: { 'Wheels and extension modules': ['whl', 'so', 'pyd', 'dylib'], 'All files': ['*'] } });
}

export async function auditBuiltExtension(client: LanguageClient | undefined, collection: vscode.DiagnosticCollection, target?: unknown): Promise<void> {
  if (!client) return;
  const uris = target instanceof vscode.Uri ? [target] : Array.isArray(target) && target.every((t) => t instanceof vscode.Uri) ? (target as vscode.Uri[]) : await choose();
  if (!uris?.length) return;
  const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'abi3lint: auditing' }, () =>
    client.sendRequest('workspace/executeCommand', { command: 'abi3lint.server.audit', arguments: [uris.map((u) => u.toString())] }),
  ) as AuditReply | { error: string } | null;
  if (!r) return;
  if ('error' in r) return void vscode.window.showErrorMessage(`abi3lint: ${r.error}`);
  collection.clear();
  for (const p of r.problems) {
    const uri = vscode.Uri.parse(p.uri);
    collection.set(
      uri,
      p.diagnostics.map((d) => {
        const range = new vscode.Range(d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character);
        const diag = new vscode.Diagnostic(range, typeof d.message === "string" ? d.message : d.message.value, d.severity === 1 ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
        diag.source = d.source;
        diag.code = d.code;
        return diag;
      }),
    );
  }
  const shown = r.problems.length ? 'Show Problems' : undefined;
  const say = r.problems.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const choice = await say(`abi3lint audit: ${r.summary}.`, ...(shown ? [shown] : []));
  if (choice === shown) await vscode.commands.executeCommand('workbench.actions.view.problems');
}
