/**
 * End to end in a real VS Code: the packaged VSIX is installed into code-server, which Chromium drives through
 * playwright-core. Opens an example extension source and checks squiggles, the Problems view, a hover with the
 * Limited API version, and a quick fix that removes a diagnostic. Screenshots go to test-results/.
 * Needs what scripts/setup-e2e installs (code-server under Node 24, Chromium, playwright-core); without it this
 * test fails and says so.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { missingTools, openAndWaitForSquiggles, readTimings, startVsCode, type VsCode } from '../../scripts/vscode-harness';
import { ROOT } from '../helpers/fixtures';

const RESULTS = path.join(ROOT, 'test-results');

describe('VS Code (code-server) with the packaged extension', { timeout: 240000 }, () => {
  let vs: VsCode | undefined;
  let page: any;

  before(async () => {
    const missing = missingTools();
    assert.deepEqual(missing, [], `missing ${missing.join(', ')}: run scripts/setup-e2e to run the VS Code test`);
    fs.mkdirSync(RESULTS, { recursive: true });
    vs = await startVsCode(path.join(ROOT, 'examples', 'spam'), fs.createWriteStream(path.join(RESULTS, 'code-server.log')));
    page = vs.page;
  });

  after(async () => {
    await vs?.close();
  });

  const goTo = async (line: number, col: number): Promise<void> => {
    await page.keyboard.press('Control+G');
    await page.keyboard.type(`${line}:${col}`);
    await page.keyboard.press('Enter');
  };

  test('squiggles, Problems, hover, and a quick fix that removes a diagnostic', async (t) => {
    t.after(async () => {
      if (page) await page.screenshot({ path: path.join(RESULTS, 'vscode-last.png') }).catch(() => undefined);
    });
    // open the example through Quick Open
    await openAndWaitForSquiggles(page, 'spammodule.c');
    await page.screenshot({ path: path.join(RESULTS, 'vscode-squiggles.png') });
    // the extension recorded its activation (the benchmark reports these times; a test does not judge them)
    const timings = readTimings(vs!.timingsFile);
    assert.equal(timings.length, 1, 'one activation recorded');
    assert.ok(timings[0].activationMs > 0 && timings[0].serverReadyMs > 0 && timings[0].moduleMs !== null, JSON.stringify(timings));
    fs.writeFileSync(path.join(RESULTS, 'vscode-activation.json'), JSON.stringify(timings, null, 2) + '\n');

    // the Problems view lists abi3lint's findings with their codes
    await page.keyboard.press('Control+Shift+M');
    await page.waitForSelector('.markers-panel .monaco-list-row', { timeout: 20000 });
    const problems: string = await page.locator('.markers-panel').innerText();
    for (const code of ['ABI004', 'ABI001', 'ABI002', 'ABI006']) assert.match(problems, new RegExp(code), `Problems view lacks ${code}`);
    await page.screenshot({ path: path.join(RESULTS, 'vscode-problems.png') });

    // hover over PyType_GetName (line 25): the version that added it to the Limited API
    await goTo(25, 30);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    await page.waitForSelector('.monaco-hover', { state: 'visible', timeout: 20000 });
    // the diagnostic part shows first; abi3lint's hover part follows
    await page.waitForFunction(`[...document.querySelectorAll('.monaco-hover')].some((h) => h.innerText.includes('Limited API: since 3.11'))`, null, { timeout: 20000 });
    const hover: string = (await page.locator('.monaco-hover').allInnerTexts()).join('\n');
    assert.match(hover, /Limited API: since 3\.11/);
    assert.match(hover, /PyType_GetName/);
    await page.screenshot({ path: path.join(RESULTS, 'vscode-hover.png') });
    await page.keyboard.press('Escape');

    // quick fix on PyTuple_GET_ITEM (line 23); the status bar counts the errors
    const errors = async (): Promise<number> => {
      const label: string = (await page.locator('[id="status.problems"]').first().getAttribute('aria-label')) ?? '';
      return Number(/Errors?: (\d+)/i.exec(label)?.[1] ?? NaN);
    };
    const before = await errors();
    assert.ok(before > 5, `status bar says ${before} errors`);
    await goTo(23, 25);
    // the cursor is there (the status bar says so) before the menu is asked for; a menu opened while the editor
    // was still moving (seen once in CI: no entry within 20 s, passing on reruns) is closed and asked again
    await page.locator('[id="status.editor.selection"]', { hasText: 'Ln 23, Col 25' }).first().waitFor({ timeout: 20000 });
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Replace with PyTuple_GetItem' });
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+.');
      try {
        await fix.first().waitFor({ timeout: 8000 });
        break;
      } catch (e) {
        if (attempt === 3) throw e;
        await page.keyboard.press('Escape');
      }
    }
    await page.screenshot({ path: path.join(RESULTS, 'vscode-quickfix.png') });
    await fix.first().click();
    // (browser-side expressions are strings: this project compiles without the DOM library)
    await page.waitForFunction(`document.querySelector('.monaco-editor .view-lines')?.textContent?.includes('PyTuple_GetItem(args,\u00a00)') || document.querySelector('.monaco-editor .view-lines')?.textContent?.includes('PyTuple_GetItem(args, 0)')`, null, { timeout: 20000 });
    await page.waitForFunction(
      `(() => { const m = /Errors?: (\\d+)/i.exec(document.querySelector('[id="status.problems"]')?.getAttribute('aria-label') ?? ''); return !!m && Number(m[1]) === ${before - 1}; })()`,
      null,
      { timeout: 20000 },
    );
    // and the Problems view drops the fixed entry (it refreshes after the status bar)
    await page.waitForFunction(`!(document.querySelector('.markers-panel')?.innerText ?? '').includes("'PyTuple_GET_ITEM'")`, null, { timeout: 20000 });
    const afterText: string = await page.locator('.markers-panel').innerText();
    assert.doesNotMatch(afterText, /'PyTuple_GET_ITEM'/);
    assert.match(afterText, /ABI002/);
    await page.screenshot({ path: path.join(RESULTS, 'vscode-after-fix.png') });
  });
});
