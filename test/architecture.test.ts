/**
 * The layering of docs/architecture.md, checked: its table of layers says what each may import,
 * imports (static, type-only and `import()`) only point down it, there is no import cycle, and
 * tfjs is loaded lazily by the runtime alone (importing graft must not pay for it).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/** Top-level folder of a source file (`ir`, `io`, ...), or the file name for src/*.ts. */
function layerOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0]!.replace(/\.ts$/, '');
}

/** The package's entry points (src/index.ts, src/node.ts, ...): the public API, above every layer. */
const ENTRIES = new Set(['index', 'node', 'runtime-entry', 'testing']);

/** Files below every layer: any layer may import them, and they import nothing of graft. */
const BASE = new Set(['errors', 'version', 'diagnostics', 'suggest']);

/** What each layer may import (besides itself and the base files). */
const ALLOWED: Record<string, readonly string[]> = {
  proto: [],
  ir: ['proto'],
  io: ['proto', 'ir'],
  runtime: ['proto', 'ir', 'io'],
  transform: ['proto', 'ir'],
  transforms: ['proto', 'ir', 'transform', 'runtime'],
  freeze: ['proto', 'ir', 'io', 'runtime'],
  inspect: ['proto', 'ir', 'io'],
  verify: ['proto', 'ir', 'io', 'runtime', 'transform', 'inspect'],
  workflow: ['proto', 'ir', 'io', 'runtime', 'transform', 'transforms', 'freeze', 'inspect', 'verify'],
  cli: ['proto', 'ir', 'io', 'runtime', 'transform', 'transforms', 'freeze', 'inspect', 'verify', 'workflow'],
};

/**
 * Deliberate exceptions. `createRegistry()` is the one place the framework names the built-in
 * set (it imports the list, never a transform's internals), so that a string pipeline runs
 * without wiring; everything else in src/transform knows no particular transform.
 */
const EXCEPTIONS = new Set(['transform/registry.ts → transforms']);

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/g;

/** Every module a source text names: `from '...'` (static, re-export, type-only), `import '...'` and `import('...')`; comments stripped. */
function specsIn(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  return [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

const importSpecs = (file: string): string[] => specsIn(readFileSync(file, 'utf8'));

const ARCHITECTURE_MD = path.resolve(import.meta.dirname, '../docs/architecture.md');

/**
 * docs/architecture.md's table of layers: each row's layers (a folder `src/x/` is `x`, a file
 * `src/x.ts` is `x`) and what its "imports" column lists (the back-quoted names before any
 * parenthesis; "none", "nothing of graft" and "any layer" list none).
 */
function documentedLayers(): { layers: string[]; imports: string[] }[] {
  const text = readFileSync(ARCHITECTURE_MD, 'utf8');
  const section = text.slice(text.indexOf('## Layers'), text.indexOf('\n## ', text.indexOf('## Layers') + 1));
  const header = section.split('\n').find((l) => l.startsWith('| layer |'))!;
  const column = header.split('|').map((c) => c.trim()).indexOf('imports');
  expect(column, 'the table of layers has an "imports" column').toBeGreaterThan(0);
  return section
    .split('\n')
    .filter((l) => l.startsWith('| `src/'))
    .map((row) => {
      const cells = row.split('|').map((c) => c.trim());
      const layers = [...cells[1]!.matchAll(/`src\/([^`/]+?)(?:\.ts|\/)`/g)].map((m) => m[1]!);
      const imports = [...cells[column]!.split('(')[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
      return { layers, imports };
    });
}

describe('architecture', () => {
  const all = files(SRC);

  it('docs/architecture.md lists every file and folder of src/, with the imports this test allows', () => {
    const rows = documentedLayers();
    const documented = rows.flatMap((r) => r.layers);
    const tree = readdirSync(SRC).map((name) => name.replace(/\.ts$/, ''));
    expect(tree.filter((name) => !documented.includes(name))).toEqual([]);
    expect(documented.filter((name) => !tree.includes(name))).toEqual([]);
    for (const { layers, imports } of rows) {
      for (const layer of layers) {
        if (BASE.has(layer) || ENTRIES.has(layer)) {
          expect(imports, `${layer} (base or entry point) lists no imports`).toEqual([]);
          continue;
        }
        expect([...imports].sort(), `the imports of src/${layer}/ in docs/architecture.md`).toEqual([...(ALLOWED[layer] ?? ['(not in the test)'])].sort());
      }
    }
    const baseRow = rows.find((r) => r.layers.includes('errors'))!;
    expect(new Set(baseRow.layers)).toEqual(BASE);
    const entryRow = rows.find((r) => r.layers.includes('index'))!;
    expect(new Set(entryRow.layers)).toEqual(ENTRIES);
  });

  it('imports only point down the layers of docs/architecture.md (static, type-only and import())', () => {
    const violations: string[] = [];
    for (const file of all) {
      const layer = layerOf(file);
      const allowed = ALLOWED[layer];
      if (!allowed) continue; // the entry points and the base files
      for (const spec of importSpecs(file)) {
        if (!spec.startsWith('.')) continue;
        const target = layerOf(path.resolve(path.dirname(file), spec));
        if (target === layer || BASE.has(target) || allowed.includes(target)) continue;
        if (EXCEPTIONS.has(`${path.relative(SRC, file)} → ${target}`)) continue;
        violations.push(`${path.relative(SRC, file)} imports ${spec} (${layer} → ${target})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('the layering check sees side-effect, dynamic, type-only and multi-line imports, not those in comments', () => {
    const sample = [
      "import './a';",
      "const m = await import('../b');",
      "export { c } from './c';",
      "import type { D } from '../d';",
      'import {\n  e,\n  f,\n} from "./ef";',
      "// const x = await import('../not-this');",
      "/** lazyApply(() => import('./nor-this')) */",
    ].join('\n');
    expect(specsIn(sample)).toEqual(['./a', '../b', './c', '../d', './ef']);
  });

  it('no import cycles between files of src/ (type-only imports included)', () => {
    const edges = new Map<string, string[]>();
    for (const file of all) {
      const targets: string[] = [];
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const spec = m[3]!;
        if (!spec.startsWith('.')) continue;
        const base = path.resolve(path.dirname(file), spec);
        const target = [`${base}.ts`, path.join(base, 'index.ts'), base].find((t) => all.includes(t));
        if (target !== undefined) targets.push(target);
      }
      edges.set(file, targets);
    }
    // Depth-first search; a file met again while still on the stack closes a cycle.
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      stack.push(file);
      for (const t of edges.get(file) ?? []) {
        if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].map((f) => path.relative(SRC, f)).join(' → '));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of all) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it("a built-in's body (src/transforms/apply/) is imported by nothing statically: its declaration loads it with import()", () => {
    const APPLY = path.join(SRC, 'transforms', 'apply');
    const offenders: string[] = [];
    for (const file of all) {
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        if (m[2] || !m[3]!.startsWith('.')) continue; // type-only imports are erased
        const target = path.resolve(path.dirname(file), m[3]!);
        if (target.startsWith(APPLY + path.sep)) offenders.push(`${path.relative(SRC, file)} imports ${m[3]}`);
      }
    }
    expect(offenders).toEqual([]);
    const declarations = readdirSync(path.join(SRC, 'transforms')).filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'all.ts');
    expect(declarations.length).toBeGreaterThan(20);
    for (const f of declarations) {
      const name = f.replace(/\.ts$/, '');
      expect(readFileSync(path.join(SRC, 'transforms', f), 'utf8'), f).toContain(`lazyApply(() => import('./apply/${name}')`);
      expect(statSync(path.join(APPLY, f)).isFile(), `apply/${f}`).toBe(true);
    }
  });

  it('the base files import nothing of graft', () => {
    const offenders: string[] = [];
    for (const file of all) {
      if (!BASE.has(layerOf(file))) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        if (!m[3]!.startsWith('.')) continue;
        const target = path.resolve(path.dirname(file), m[3]!);
        if (target.startsWith(SRC + path.sep)) offenders.push(`${path.relative(SRC, file)} imports ${m[3]}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('nothing imports tfjs statically: only the runtime loads it, with import()', () => {
    const offenders: string[] = [];
    for (const file of all) {
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        if (m[3]!.startsWith('@tensorflow/') && !m[2]) offenders.push(path.relative(SRC, file));
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the runtime is loaded lazily by the layers above it', () => {
    const offenders: string[] = [];
    for (const file of all) {
      const layer = layerOf(file);
      if (layer === 'runtime' || layer === 'cli' || file.endsWith('index.ts') || ENTRIES.has(layer)) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const spec = m[3]!;
        if (!m[2] && spec.startsWith('.') && layerOf(path.resolve(path.dirname(file), spec)) === 'runtime') {
          offenders.push(`${path.relative(SRC, file)} imports ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});

/**
 * The modules an entry point loads, following relative imports (static, re-exports and dynamic
 * `import()`; type-only imports are erased by every compiler and not followed), and the bare
 * specifiers they name, with the file that names each.
 */
export function importGraph(entry: string): { files: string[]; bare: { spec: string; from: string; dynamic: boolean }[] } {
  const seen = new Set<string>();
  const bare: { spec: string; from: string; dynamic: boolean }[] = [];
  const STATIC = /(?:^|\n|;)\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;
  const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  const resolve = (from: string, spec: string): string => {
    const base = path.resolve(path.dirname(from), spec);
    const hit = [base, `${base}.ts`, path.join(base, 'index.ts')].find((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    });
    if (!hit) throw new Error(`${path.relative(SRC, from)}: cannot resolve ${spec}`);
    return hit;
  };
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    if (!file.endsWith('.ts')) return; // data (proto/bundle.json)
    // Comments name imports in examples (`import('x')` in a doc comment): strip them first.
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
    const found: { spec: string; dynamic: boolean }[] = [];
    for (const m of text.matchAll(STATIC)) if (!m[1]) found.push({ spec: m[2]!, dynamic: false });
    for (const m of text.matchAll(DYNAMIC)) found.push({ spec: m[1]!, dynamic: true });
    for (const { spec, dynamic } of found) {
      if (spec.startsWith('.')) visit(resolve(file, spec));
      else bare.push({ spec, from: path.relative(SRC, file), dynamic });
    }
  };
  visit(entry);
  return { files: [...seen].map((f) => path.relative(SRC, f)).sort(), bare };
}

const NODE_BUILTINS = new Set(builtinModules);
const isNodeBuiltin = (spec: string): boolean => spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0]!) || NODE_BUILTINS.has(spec);

describe('the browser-safe entry points', () => {
  // The core and the runtime run in a browser: nothing they load, statically or with import(),
  // may name a Node built-in (a bundler for the browser fails on it).
  for (const entry of ['index.ts', 'runtime-entry.ts', 'testing/index.ts']) {
    it(`src/${entry} reaches no Node built-in, statically or dynamically`, () => {
      const { files, bare } = importGraph(path.join(SRC, entry));
      expect(files.length).toBeGreaterThan(1);
      expect(bare.filter((b) => isNodeBuiltin(b.spec)).map((b) => `${b.from} imports ${b.spec}${b.dynamic ? ' (dynamic)' : ''}`)).toEqual([]);
    });
  }

  it('the walker sees static, re-exported and dynamic imports of built-ins', () => {
    const { bare } = importGraph(path.join(SRC, 'io/fs.ts'));
    expect(bare.map((b) => b.spec)).toEqual(expect.arrayContaining(['node:fs', 'node:fs/promises']));
    expect(isNodeBuiltin('fs/promises') && isNodeBuiltin('path') && isNodeBuiltin('node:module') && !isNodeBuiltin('protobufjs')).toBe(true);
  });
});
