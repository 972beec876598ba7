// Every error code the api can answer with has a sentence in both dictionaries, and every placeholder of that sentence
// is a parameter the api sends with the code (`params` of the error body), so no English `message`, raw code or
// unfilled `{placeholder}` reaches the reader. The codes are read from the source: each `new UserError('code', …)`,
// `new ConflictError(msg, 'code', …)`, `fieldError('code', …)` and so on in api/src and the core modules it uses, with
// the keys of the `params` object given at that site.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { vi } from '../src/i18n/vi';
import { en } from '../src/i18n/en';
import { interpolate, type Translate } from '../src/i18n/index';
import { ApiError } from '../src/api/client';
import { apiErrorText, errorParams } from '../src/components/ErrorNote';

const ROOT = join(import.meta.dirname, '..', '..');

interface Site {
  code: string;
  /** Parameter names the site sends (`details.params` keys); null when it sends none. */
  params: string[];
  where: string;
  /** `apiError.` for answers of the api, `oidc.error.` for sign-in refusals (shown on the sign-in page). */
  namespace: 'apiError.' | 'oidc.error.';
}

/** Error classes, where their code argument sits, the code when it is left out, and their HTTP status when fixed. */
const CLASSES: Record<string, { codeArg: number; defaultCode?: string; clientCode?: string }> = {
  UserError: { codeArg: 0 },
  SignInRefused: { codeArg: 0 },
  UnauthorizedError: { codeArg: 1, defaultCode: 'unauthorized' },
  ForbiddenError: { codeArg: 1, defaultCode: 'forbidden' },
  NotFoundError: { codeArg: 1, defaultCode: 'not_found' },
  ConflictError: { codeArg: 1, defaultCode: 'conflict' },
  // 5xx: the client sees only the generic code (api/src/plugins/errors.ts).
  OperationalError: { codeArg: 0, clientCode: 'unavailable' },
  InternalError: { codeArg: 0, clientCode: 'internal' },
};

/** Sites whose code is not a literal, and why that is fine. */
const DYNAMIC_OK: Record<string, string> = {
  'api/src/domain/field-error.ts': 'the helper itself; its callers are read as fieldError(code, …) sites',
  'api/src/oidc/staff.ts': 'a StaffRefusal from claims.ts, each with an oidc.error.* sentence (oidc-sign-in test)',
  'api/src/oidc/citizen.ts': 'a citizen claim refusal from claims.ts, each with an oidc.error.* sentence (oidc-sign-in test)',
  'api/src/oidc/login-state.ts': "SignInRefused passes its callers' codes on (read at each `new SignInRefused('code', …)`)",
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.ts$/.test(name) && !/\.d\.ts$/.test(name)) out.push(p);
  }
  return out;
}

/** Keys of `params: { … }` inside an options/details argument, or of the details object itself for ConflictError. */
function paramsOf(args: readonly ts.Expression[]): string[] {
  const keys: string[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isPropertyAssignment(n) && n.name.getText() === 'params' && ts.isObjectLiteralExpression(n.initializer)) {
      for (const p of n.initializer.properties) if (p.name) keys.push(p.name.getText());
    } else if (ts.isShorthandPropertyAssignment(n) && n.name.getText() === 'params') {
      keys.push('?');
    }
    ts.forEachChild(n, visit);
  };
  args.forEach(visit);
  return keys.sort();
}

function literal(e: ts.Expression | undefined): string | undefined {
  return e && (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) ? e.text : undefined;
}

function errorSites(): { sites: Site[]; dynamic: string[] } {
  const files = [...sourceFiles(join(ROOT, 'api/src')), ...['errors', 'storage', 'db', 'camera-node/clips'].map((f) => join(ROOT, `core/src/${f}.ts`))];
  const sites: Site[] = [];
  const dynamic: string[] = [];
  for (const file of files) {
    const rel = relative(ROOT, file);
    const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const where = (n: ts.Node) => `${rel}:${src.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    const visit = (n: ts.Node) => {
      if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && CLASSES[n.expression.text]) {
        const cls = n.expression.text;
        const spec = CLASSES[cls]!;
        const args = n.arguments ?? [];
        const arg = args[spec.codeArg];
        const code = spec.clientCode ?? (arg === undefined ? spec.defaultCode : literal(arg));
        if (code === undefined) {
          if (!DYNAMIC_OK[rel]) dynamic.push(`${where(n)}: ${n.getText().slice(0, 80)}`);
        } else {
          sites.push({ code, params: paramsOf(args), where: where(n), namespace: cls === 'SignInRefused' ? 'oidc.error.' : 'apiError.' });
        }
      } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.SuperKeyword && rel !== 'core/src/errors.ts') {
        // A subclass of an error class (TooManyAttemptsError, SignInRefused): its code is in its super call.
        const cls = ts.findAncestor(n, ts.isClassDeclaration);
        const base = cls?.heritageClauses?.[0]?.types[0]?.expression.getText();
        const spec = base ? CLASSES[base] : undefined;
        if (spec) {
          const code = spec.clientCode ?? literal(n.arguments[spec.codeArg]);
          if (code === undefined) {
            if (!DYNAMIC_OK[rel]) dynamic.push(`${where(n)}: ${n.getText().slice(0, 80)}`);
          } else sites.push({ code, params: paramsOf(n.arguments), where: where(n), namespace: base === 'SignInRefused' ? 'oidc.error.' : 'apiError.' });
        }
      } else if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'fieldError' && n.arguments.length > 0) {
        const code = literal(n.arguments[0]);
        if (code === undefined) dynamic.push(`${where(n)}: ${n.getText().slice(0, 80)}`);
        else {
          // fieldError(code, field, message, params?): the fourth argument is the params object itself.
          const p = n.arguments[3];
          const params = p && ts.isObjectLiteralExpression(p) ? p.properties.map((x) => x.name?.getText() ?? '?').sort() : [];
          sites.push({ code, params, where: where(n), namespace: 'apiError.' });
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  // The error handler's own codes: fastify validation, statuses without an AppError, 5xx (api/src/plugins/errors.ts).
  const handler = readFileSync(join(ROOT, 'api/src/plugins/errors.ts'), 'utf8');
  for (const m of handler.matchAll(/code: '([a-z_]+)'|return '([a-z_]+)'/g)) {
    sites.push({ code: (m[1] ?? m[2])!, params: [], where: 'api/src/plugins/errors.ts', namespace: 'apiError.' });
  }
  return { sites, dynamic };
}

const placeholders = (s: string) => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort();

describe('api error codes in words', () => {
  const { sites, dynamic } = errorSites();

  it('finds the codes in the source (a refactor that hides them fails here rather than passing with none)', () => {
    expect(dynamic).toEqual([]);
    const codes = new Set(sites.map((s) => s.code));
    for (const c of ['invalid_plate', 'plate_kind_mismatch', 'invalid_geometry', 'validation', 'internal', 'unavailable', 'not_found', 'bad_date']) {
      expect(codes, c).toContain(c);
    }
    expect(sites.find((s) => s.code === 'plate_kind_mismatch')?.params).toEqual(['kind', 'plate']);
    expect(sites.find((s) => s.code === 'amount_out_of_range')?.params).toEqual(['max', 'min']);
    expect(sites.find((s) => s.code === 'too_many_attempts')?.params).toEqual(['seconds']);
  });

  it('has a Vietnamese and an English sentence for every code, using only the parameters every site of it sends', () => {
    const byKey = new Map<string, Site[]>();
    for (const s of sites) byKey.set(s.namespace + s.code, [...(byKey.get(s.namespace + s.code) ?? []), s]);
    const problems: string[] = [];
    for (const [key, list] of byKey) {
      const viText = (vi as Record<string, string>)[key];
      const enText = (en as Record<string, string>)[key];
      if (viText === undefined || enText === undefined) {
        problems.push(
          `${key} (${list[0]!.where}): no ${viText === undefined ? 'vi' : ''}${viText === undefined && enText === undefined ? '/' : ''}${enText === undefined ? 'en' : ''} text`,
        );
        continue;
      }
      for (const s of list) {
        for (const [lang, text] of [
          ['vi', viText],
          ['en', enText],
        ] as const) {
          const missing = placeholders(text).filter((p) => !s.params.includes(p));
          if (missing.length) problems.push(`${key} (${lang}) uses {${missing.join('}, {')}} which ${s.where} does not send`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe("an api error in the reader's words", () => {
  const tOf = (dict: Record<string, string>) => ((key: string, vars?: Record<string, string | number>) => interpolate(dict[key] ?? key, vars)) as Translate;

  it('names the refused plate and its kind in Vietnamese, with the kind in words, and never the English message', () => {
    const err = new ApiError(400, 'invalid_plate', '"ABC123" is not a valid motorbike plate', 'r1', [], { plate: 'ABC123', kind: 'motorbike' });
    expect(apiErrorText(tOf(vi), err)).toBe('“ABC123” không phải biển số xe máy hợp lệ.');
    expect(apiErrorText(tOf(en), err)).toBe('“ABC123” is not a valid motorbike plate.');
    const status = new ApiError(409, 'illegal_transition', 'a rejected case cannot get a notice', 'r2', [], { status: 'rejected' });
    expect(apiErrorText(tOf(vi), status)).toBe(`Không thực hiện được với hồ sơ đang ở trạng thái “${vi['status.rejected']}”.`);
  });

  it("formats numbers the reader's way and keeps unknown coded values as sent", () => {
    const nf = new Intl.NumberFormat('vi-VN');
    const err = new ApiError(400, 'amount_out_of_range', 'x', 'r3', [], { min: 4_000_000, max: 6_000_000 });
    expect(apiErrorText(tOf(vi), err, (n) => nf.format(n))).toBe('Số tiền phạt phải trong khung 4.000.000–6.000.000 đồng của hành vi này.');
    expect(errorParams(tOf(vi), { kind: 'tractor', plate: 'X' })).toEqual({ kind: 'tractor', plate: 'X' });
  });
});
