// Bytes each page downloads: the entry chunk plus the page's lazy chunk and everything it imports,
// raw and gzip, from a production build with a manifest.
//   npx tsx review-ui/bench/bundle-size.ts
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

interface Chunk {
  file: string;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
  isEntry?: boolean;
  src?: string;
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = mkdtempSync(join(tmpdir(), 'phatnguoi-ui-size-'));
await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir, manifest: true } });
const manifest = JSON.parse(readFileSync(join(outDir, '.vite/manifest.json'), 'utf8')) as Record<string, Chunk>;

function closure(key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const i of manifest[key]?.imports ?? []) closure(i, seen);
  return seen;
}
function size(keys: Set<string>): { raw: number; gz: number } {
  let raw = 0;
  let gz = 0;
  const files = new Set<string>();
  for (const k of keys) {
    const c = manifest[k]!;
    files.add(c.file);
    for (const css of c.css ?? []) files.add(css);
  }
  for (const f of files) {
    const buf = readFileSync(join(outDir, f));
    raw += buf.length;
    gz += gzipSync(buf).length;
  }
  return { raw, gz };
}
const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry)!;
const entry = closure(entryKey);
const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
const e = size(entry);
console.log(`${'page'.padEnd(40)} ${'total raw'.padStart(10)} ${'total gzip'.padStart(11)} ${'own gzip'.padStart(9)}`);
console.log(`${'(shell: entry + login)'.padEnd(40)} ${kb(e.raw).padStart(10)} ${kb(e.gz).padStart(11)} ${kb(e.gz).padStart(9)}`);
for (const dyn of manifest[entryKey]!.dynamicImports ?? []) {
  const own = closure(dyn);
  for (const k of entry) own.delete(k);
  const o = size(own);
  const all = new Set([...entry, ...closure(dyn)]);
  const a = size(all);
  console.log(`${(manifest[dyn]!.src ?? dyn).replace('src/pages/', '').padEnd(40)} ${kb(a.raw).padStart(10)} ${kb(a.gz).padStart(11)} ${kb(o.gz).padStart(9)}`);
}
