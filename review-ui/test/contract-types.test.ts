// A change of a contract type breaks the UI's type check: the TypeScript compiler checks UI modules against core's
// contracts with contracts changed in memory (a rule detail field renamed, an endpoint's answer changed), and the UI
// modules that use them must fail to compile on exactly what changed. (That they compile against the contracts as
// they are is the UI's own type check, `tsc -p review-ui`.)
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// caseText reads the case's rule detail (the violation event's schema); TokensPage calls the admin token endpoints.
const UI_FILES = ['review-ui/src/components/caseText.tsx', 'review-ui/src/pages/admin/TokensPage.tsx'].map((f) => join(ROOT, f));

function compilerOptions(): ts.CompilerOptions {
  const configPath = join(ROOT, 'review-ui/tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configPath));
  return { ...parsed.options, noEmit: true, skipLibCheck: true };
}

const options = compilerOptions();

/** Errors of the UI files when `edits` (file → [from, to]) are applied to core's sources in memory. */
function uiErrors(edits: Record<string, [string, string]> = {}): string[] {
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language) => {
    const edit = Object.entries(edits).find(([f]) => resolve(file) === join(ROOT, f));
    if (edit) {
      const text = readFileSync(file, 'utf8');
      const [from, to] = edit[1];
      expect(text).toContain(from);
      return ts.createSourceFile(file, text.replace(from, to), language);
    }
    return getSourceFile(file, language);
  };
  const program = ts.createProgram(UI_FILES, options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && UI_FILES.includes(resolve(d.file.fileName)))
    .map((d) => `${d.file!.fileName.slice(ROOT.length + 1)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('contract changes reach the UI type check', () => {
  it("renaming a field of the violation event's rule detail breaks the case text; changing an endpoint's answer breaks the page that calls it", () => {
    const errors = uiErrors({
      'core/src/contracts/violation-event.ts': ['secondsAfterRed: Type.Optional(', 'secondsSinceRed: Type.Optional('],
      'core/src/contracts/api/endpoints.ts': ["'GET /api/admin/tokens': { response: ApiTokenList }", "'GET /api/admin/tokens': { response: OkResponse }"],
    });
    expect(errors.some((e) => e.startsWith('review-ui/src/components/caseText.tsx') && e.includes('secondsAfterRed'))).toBe(true);
    expect(errors.some((e) => e.startsWith('review-ui/src/pages/admin/TokensPage.tsx') && e.includes("'items'"))).toBe(true);
  }, 60_000);
});
