// npm run build (core/src/cli/build.ts): which workspaces are type-checked together as one program (a plain
// `tsc -p .` on the shared options) and which keep a build of their own (the UI: DOM types, JSX, Vite).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { plainIncludes } from '../src/cli/build';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BASE = join(ROOT, 'tsconfig.base.json');

describe('build: one type-check program for the plain workspaces', () => {
  it('takes a workspace on the shared options, its include patterns made absolute', () => {
    expect(plainIncludes(join(ROOT, 'e2e'), { extends: '../tsconfig.base.json', include: ['src', '*.ts', '../core/src/**/*.d.ts'] }, BASE)).toEqual([
      join(ROOT, 'e2e/src'),
      join(ROOT, 'e2e/*.ts'),
      join(ROOT, 'core/src/**/*.d.ts'),
    ]);
    expect(plainIncludes(join(ROOT, 'sim'), { extends: '../tsconfig.base.json' }, BASE)).toEqual([join(ROOT, 'sim/**/*')]);
  });

  it('leaves out a workspace with options of its own or another base', () => {
    expect(
      plainIncludes(join(ROOT, 'review-ui'), { extends: '../tsconfig.base.json', compilerOptions: { jsx: 'react-jsx' }, include: ['src'] }, BASE),
    ).toBeNull();
    expect(plainIncludes(join(ROOT, 'x'), { extends: './tsconfig.other.json', include: ['src'] }, BASE)).toBeNull();
    expect(plainIncludes(join(ROOT, 'x'), { include: ['src'] }, BASE)).toBeNull();
  });

  it('in this repository: every workspace but the UI is checked in the one program', () => {
    const { workspaces } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
    const plain = workspaces.filter((ws) => plainIncludes(join(ROOT, ws), JSON.parse(readFileSync(join(ROOT, ws, 'tsconfig.json'), 'utf8')), BASE));
    expect(workspaces.filter((ws) => !plain.includes(ws))).toEqual(['review-ui']);
  });
});
