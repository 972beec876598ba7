// The workspace boundaries (docs/architecture.md, "Layer rules"), checked on the source itself: no package cycle;
// a workspace imports another only through what that one's package.json `exports` lists, and only one it declares
// as a dependency; relative imports stay inside their workspace; and the roles (ingest, detector, api, review-ui)
// import no other role: what a camera node shares lives in core (core/src/camera-node).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCOPE = '@phatnguoi/';

interface Workspace {
  dir: string;
  name: string;
  deps: Set<string>;
  devDeps: Set<string>;
  exports: Record<string, string | null>;
}

function workspaces(): Workspace[] {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
  return root.workspaces.map((dir) => {
    const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as {
      name: string;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
      exports?: Record<string, string | null>;
    };
    const ours = (m?: Record<string, string>) =>
      new Set(
        Object.keys(m ?? {})
          .filter((n) => n.startsWith(SCOPE))
          .map((n) => n.slice(SCOPE.length)),
      );
    return { dir, name: pkg.name.slice(SCOPE.length), deps: ours(pkg.dependencies), devDeps: ours(pkg.devDependencies), exports: pkg.exports ?? {} };
  });
}

/** Whether `subpath` ('.' or './x/y') is exported: an exact key, or a `*` pattern whose match no null entry excludes. */
export function isExported(exports: Record<string, string | null>, subpath: string): boolean {
  let best: { key: string; target: string | null } | null = null;
  for (const [key, target] of Object.entries(exports)) {
    if (key === subpath) return target !== null;
    const star = key.indexOf('*');
    if (star < 0) continue;
    const [pre, post] = [key.slice(0, star), key.slice(star + 1)];
    if (subpath.startsWith(pre) && subpath.endsWith(post) && subpath.length >= pre.length + post.length) {
      if (!best || key.length > best.key.length) best = { key, target };
    }
  }
  return best !== null && best.target !== null;
}

/** Packages and the roles: a role is a process of the service (or its UI); it may use core, never another role. */
const ROLES = new Set(['ingest', 'detector', 'api', 'review-ui']);
/**
 * Where a role may still use a tool workspace: the demo seed (api/src/seed, api/src/cli/seed.ts) judges the
 * simulator's scenes with the detector's offline pipeline to seed demo cases. It is demo tooling, not the api's
 * request path, and goes through the public exports like any other import.
 */
const ROLE_EXCEPTIONS: { file: RegExp; target: string }[] = [
  { file: /^api\/src\/(seed\/|cli\/seed\.ts$)/, target: 'sim' },
  { file: /^api\/src\/(seed\/|cli\/seed\.ts$)/, target: 'detector' },
];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
      const p = join(d, entry);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|tsx)$/.test(entry) && !entry.endsWith('.d.ts')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

export function importsOf(text: string): string[] {
  const code = text.replace(/(^|\s)\/\*[\s\S]*?\*\//g, '$1').replace(/(^|\s)\/\/.*$/gm, '$1');
  return [...code.matchAll(IMPORT_RE)].map((m) => m[1]!);
}

function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

describe('workspace boundaries', () => {
  const all = workspaces();
  const byName = new Map(all.map((w) => [w.name, w]));

  it('finds a cycle and reads exports the way Node does (the checks below depend on it)', () => {
    expect(
      findCycle(
        new Map([
          ['a', new Set(['b'])],
          ['b', new Set(['a'])],
        ]),
      ),
    ).toEqual(['a', 'b', 'a']);
    expect(
      findCycle(
        new Map([
          ['a', new Set(['b'])],
          ['b', new Set()],
        ]),
      ),
    ).toBeNull();
    const exp = { '.': './src/index.ts', './*': './src/*.ts', './cli/*': null, './tf/*': './src/tf/*.ts' };
    expect(isExported(exp, '.')).toBe(true);
    expect(isExported(exp, './config')).toBe(true);
    expect(isExported(exp, './cli/stack')).toBe(false);
    expect(isExported({ './app': './src/app.ts' }, './services/cases')).toBe(false);
    expect(importsOf(`import a from '@x/y';\nexport { b } from "./b";\nconst c = await import('@x/z');\nimport './side';\n// from '@x/comment'`)).toEqual([
      '@x/y',
      './b',
      '@x/z',
      './side',
    ]);
  });

  it('has no package cycle (dependencies and devDependencies together)', () => {
    const graph = new Map(all.map((w) => [w.name, new Set([...w.deps, ...w.devDeps])]));
    expect(findCycle(graph)).toBeNull();
  });

  it('every workspace declares what it exports: no catch-all "./*" except core, the shared library (its CLIs excluded)', () => {
    for (const w of all) {
      expect(w.exports, `${w.dir}/package.json exports`).toBeTypeOf('object');
      if (w.name !== 'core') expect(Object.keys(w.exports), `${w.dir}/package.json exports`).not.toContain('./*');
    }
    expect(byName.get('core')!.exports['./cli/*']).toBeNull();
  });

  it('imports cross workspaces only through declared dependencies and their exports; roles import no other role', () => {
    const problems: string[] = [];
    for (const w of all) {
      const wsRoot = resolve(ROOT, w.dir) + sep;
      for (const file of sourceFiles(join(ROOT, w.dir))) {
        const rel = relative(ROOT, file).split(sep).join('/');
        const inSrc = rel.startsWith(`${w.dir}/src/`);
        for (const spec of importsOf(readFileSync(file, 'utf8'))) {
          if (spec.startsWith('.')) {
            if (!resolve(file, '..', spec).startsWith(wsRoot)) problems.push(`${rel}: relative import ${spec} leaves ${w.dir}/ (import the workspace by name)`);
            continue;
          }
          if (!spec.startsWith(SCOPE)) continue;
          const [name, ...rest] = spec.slice(SCOPE.length).split('/');
          const target = byName.get(name!);
          const subpath = rest.length ? `./${rest.join('/')}` : '.';
          if (!target) {
            problems.push(`${rel}: ${spec} is no workspace`);
            continue;
          }
          if (target.name === w.name) {
            problems.push(`${rel}: imports its own workspace by name (${spec}); use a relative import`);
            continue;
          }
          const declared = inSrc ? w.deps.has(target.name) : w.deps.has(target.name) || w.devDeps.has(target.name);
          if (!declared)
            problems.push(
              `${rel}: ${spec}, but ${w.dir}/package.json does not list ${SCOPE}${target.name} in ${inSrc ? 'dependencies' : 'dependencies or devDependencies'}`,
            );
          if (!isExported(target.exports, subpath)) problems.push(`${rel}: ${spec} is internal to ${target.dir} (not in its package.json exports)`);
          const roleToRole = ROLES.has(w.name) && ROLES.has(target.name);
          const roleToTool = ROLES.has(w.name) && target.name !== 'core' && !ROLES.has(target.name);
          if (inSrc && (roleToRole || roleToTool) && !ROLE_EXCEPTIONS.some((e) => e.file.test(rel) && e.target === target.name)) {
            problems.push(`${rel}: the ${w.name} role imports ${spec}; roles share code through core only`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('api routes call services: no SQL in a route file', () => {
    const routes = join(ROOT, 'api/src/routes');
    const withSql = sourceFiles(routes)
      .filter((f) => /\.query\s*(<|\()|\b(SELECT|INSERT INTO|DELETE FROM)\b|\bUPDATE \w+ SET\b/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(routes, f).split(sep).join('/'));
    expect(withSql).toEqual([]);
  });

  it('api layers: below the web layer nothing imports plugins or routes; routes reach repositories and jobs only through services', () => {
    const api = join(ROOT, 'api/src');
    const layerOf = (file: string) => relative(api, file).split(sep)[0]!;
    const problems: string[] = [];
    for (const file of sourceFiles(api)) {
      const layer = layerOf(file);
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = layerOf(resolve(dirname(file), spec));
        const below = ['services', 'repositories', 'domain', 'jobs', 'oidc', 'audit', 'notices', 'reports', 'outbox', 'seed'].includes(layer);
        if ((below && (target === 'plugins' || target === 'routes')) || (layer === 'routes' && (target === 'repositories' || target === 'jobs'))) {
          problems.push(`${relative(ROOT, file)} imports ${spec}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
