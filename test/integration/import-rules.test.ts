// The dependency rule of the README's architecture section, checked on every import of every
// source file (static, dynamic and re-exports):
//   firmware/core      the bottom: Node built-ins and itself, nothing else
//   drivers/ ui-led/ portal-client/   the parts: firmware only through firmware/core; no part
//                      imports another
//   firmware/ (gate, config, cli, daemon)   the top: may use every part
//   portal-client/mock/   a separate program: no product source imports it
//   scripts/ test/     harnesses above everything; product source imports neither, and scripts
//                      never import test/
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/repo.js';

const SOURCE_ROOTS = ['firmware', 'drivers', 'ui-led', 'portal-client', 'scripts', 'test'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

interface ImportEdge {
  /** Repository-relative path of the importing file. */
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** Repository-relative target for relative specifiers; null for packages and built-ins. */
  target: string | null;
}

/** Every import, dynamic import, re-export and require in a file's text. */
function importsOf(file: string, text: string): ImportEdge[] {
  const specifiers = new Set<string>();
  const patterns = [
    /\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    // A specifier built at run time (`./${entry}`) names no file to check.
    for (const m of text.matchAll(pattern)) if (!m[1].includes('${')) specifiers.add(m[1]);
  }
  return [...specifiers].map((specifier) => ({
    from: file,
    specifier,
    target: specifier.startsWith('.') ? relative(REPO, resolve(REPO, dirname(file), specifier)) : null,
  }));
}

const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
const PARTS = ['drivers', 'ui-led', 'portal-client'] as const;

/** The rule an edge breaks, or null. */
function breach(edge: ImportEdge): string | null {
  const { from, target, specifier } = edge;
  if (under(from, 'firmware/core')) {
    if (target === null) return specifier.startsWith('node:') ? null : 'core imports only node: built-ins';
    return under(target, 'firmware/core') ? null : 'core imports only itself';
  }
  if (target === null) return null;
  const product = ['firmware', ...PARTS].some((root) => under(from, root));
  if (product && (under(target, 'scripts') || under(target, 'test'))) return 'product source imports no harness';
  if (under(from, 'scripts') && under(target, 'test')) return 'scripts never import test/';
  if (product && under(target, 'portal-client/mock') && !under(from, 'portal-client/mock')) {
    return 'the mock portal is a separate program';
  }
  for (const part of PARTS) {
    if (!under(from, part)) continue;
    if (under(target, 'firmware') && !under(target, 'firmware/core'))
      return `${part} reaches firmware only through core`;
    const other = PARTS.find((p) => p !== part && under(target, p));
    if (other && !(under(from, 'portal-client/mock') && other === 'portal-client')) return `${part} imports ${other}`;
  }
  return null;
}

describe('import rules', () => {
  const self = relative(REPO, new URL(import.meta.url).pathname); // its examples are not imports
  const edges = SOURCE_ROOTS.flatMap((root) => sourceFiles(join(REPO, root)))
    .map((path) => relative(REPO, path))
    .filter((file) => file !== self)
    .flatMap((file) => importsOf(file, readFileSync(join(REPO, file), 'utf8')));

  it('reads the imports of the whole tree', () => {
    expect(edges.length).toBeGreaterThan(500);
    expect(edges.some((e) => e.from === 'firmware/gate/runner.ts' && e.target === 'firmware/core/errors.js')).toBe(
      true,
    );
  });

  it('no import breaks the dependency rule', () => {
    const breaches = edges.flatMap((e) => {
      const rule = breach(e);
      return rule ? [`${e.from} → ${e.specifier}: ${rule}`] : [];
    });
    expect(breaches).toEqual([]);
  });

  it('every relative import resolves to a file of the tree', () => {
    const missing = edges.filter((e) => {
      if (e.target === null) return false;
      const candidates = [e.target, e.target.replace(/\.js$/, '.ts'), e.target.replace(/\.mjs$/, '.mts')];
      return !candidates.some((c) => {
        try {
          return statSync(join(REPO, c)).isFile();
        } catch {
          return false;
        }
      });
    });
    expect(missing.map((e) => `${e.from} → ${e.specifier}`)).toEqual([]);
  });

  it('catches each kind of breach', () => {
    const edge = (from: string, specifier: string) => importsOf(from, `import x from '${specifier}';`)[0];
    expect(breach(edge('firmware/core/clock.ts', 'undici'))).toBe('core imports only node: built-ins');
    expect(breach(edge('firmware/core/clock.ts', '../gate/model.js'))).toBe('core imports only itself');
    expect(breach(edge('firmware/core/clock.ts', 'node:fs'))).toBeNull();
    expect(breach(edge('drivers/input.ts', '../firmware/gate/model.js'))).toBe(
      'drivers reaches firmware only through core',
    );
    expect(breach(edge('drivers/input.ts', '../firmware/core/errors.js'))).toBeNull();
    expect(breach(edge('ui-led/player.ts', '../drivers/input.js'))).toBe('ui-led imports drivers');
    expect(breach(edge('ui-led/player.ts', '../portal-client/client.js'))).toBe('ui-led imports portal-client');
    expect(breach(edge('drivers/input.ts', '../portal-client/client.js'))).toBe('drivers imports portal-client');
    expect(breach(edge('portal-client/client.ts', '../drivers/input.js'))).toBe('portal-client imports drivers');
    expect(breach(edge('firmware/daemon/daemon.ts', '../../portal-client/mock/server.js'))).toBe(
      'the mock portal is a separate program',
    );
    expect(breach(edge('portal-client/mock/server.ts', '../protocol/envelope.js'))).toBeNull();
    expect(breach(edge('firmware/cli/main.ts', '../../test/support/repo.js'))).toBe(
      'product source imports no harness',
    );
    expect(breach(edge('scripts/bench/gate.ts', '../../test/support/repo.js'))).toBe('scripts never import test/');
    expect(importsOf('a.ts', "const m = await import('./b.js'); export * from './c.js';").map((e) => e.target)).toEqual(
      ['c.js', 'b.js'],
    );
  });
});
