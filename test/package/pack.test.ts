/**
 * The package as people install it (issue #12): `npm pack` (which builds, through `prepare`), then
 * install the tarball into a fresh project and use it there: the `graft` bin, `import` (ESM),
 * `require` (CJS, on the wasm backend like ESM), and the types under `moduleResolution` node16
 * and bundler with `skipLibCheck: false` (graft's public types must not pull in tfjs's DOM types).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';

const ROOT = path.join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
const LONG = 15 * 60_000;

let work = '';
let project = '';

function run(cmd: string, args: string[], cwd = project): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
}

describe('npm pack → npm install → use', () => {
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'graft-pack-'));
    run('npm', ['pack', '--pack-destination', work, '--silent'], ROOT);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack wrote no tarball in ${work}`);
    project = path.join(work, 'consumer');
    run('mkdir', ['-p', project], work);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    run('npm', ['install', path.join(work, tarball), '@types/node@20', '--no-audit', '--no-fund', '--prefer-offline', '--silent']);
  }, LONG);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the tarball is tf-graft with its LICENSE, and holds no sources or tests', () => {
    const files = readdirSync(path.join(project, 'node_modules', pkg.name));
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'dist', 'package.json']));
    expect(files).not.toContain('src');
    expect(files).not.toContain('test');
  });

  it('npx graft --version and --help', () => {
    expect(run('npx', ['--no-install', 'graft', '--version']).trim()).toBe(`graft ${pkg.version}`);
    expect(run('npx', ['--no-install', 'graft', '--help'])).toMatch(/Usage: graft <command>/);
  }, LONG);

  it.skipIf(!HAVE_MODELS)(`npx graft summarize on a real model (${HAVE_MODELS ? 'models present' : SKIP_REASON})`, () => {
    expect(run('npx', ['--no-install', 'graft', 'summarize', modelPath('serving_half_plus_two_cpu')])).toMatch(/serving_default/);
  }, LONG);

  // One graph built with the core, transformed, run with the runtime; the node and testing entries
  // used too: every subpath loads under both module systems.
  const script = (load: (spec: string) => string) => `${load('tf-graft')}
${load('tf-graft/node').replace(' g ', ' n ').replace('g =', 'n =')}
${load('tf-graft/runtime').replace(' g ', ' r ').replace('g =', 'r =')}
${load('tf-graft/testing').replace(' g ', ' t ').replace('g =', 't =')}
(async () => {
  const b = t.graphBuilder();
  b.placeholder('x', 'float', [2]);
  b.op('Identity', ['x'], {}, 'id_expect_removed');
  b.op('Neg', ['id_expect_removed'], {}, 'y');
  const { graph } = await g.runPipeline(b.graph(), 'remove_nodes(op=Identity)', { inputs: ['x'], outputs: ['y'] });
  t.expectRemoved(graph);
  const s = await r.createSession(graph);
  const [y] = await s.run({ x: g.makeTensor('float', [2], [1, 2]) }, ['y']);
  console.log(JSON.stringify({ transforms: g.createRegistry().list().length, backend: s.backend, y: Array.from(g.tensorToNumbers(y)), node: typeof n.loadModel, coreHasNoLoader: typeof g.loadModel }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

  it('import (ESM) and require (CJS) load every entry point and run a graph, both on the wasm backend', () => {
    writeFileSync(path.join(project, 'esm.mjs'), script((spec) => `import * as g from '${spec}';`));
    writeFileSync(path.join(project, 'cjs.cjs'), script((spec) => `const g = require('${spec}');`));
    for (const file of ['esm.mjs', 'cjs.cjs']) {
      const r = JSON.parse(run('node', [file])) as { transforms: number; backend: string; y: number[]; node: string; coreHasNoLoader: string };
      expect(r.transforms, file).toBeGreaterThan(25);
      expect(r.backend, file).toBe('wasm');
      expect(r.y, file).toEqual([-1, -2]);
      expect(r.node, file).toBe('function');
      expect(r.coreHasNoLoader, file).toBe('undefined');
    }
  }, LONG);

  it('types check with skipLibCheck false under moduleResolution node16 and bundler', () => {
    writeFileSync(
      path.join(project, 'use.ts'),
      `import { createRegistry, graphBuilder, mapNodes, setAttrs, runPipeline, type Graph } from 'tf-graft';
import { loadModel, optimize, type LoadOptions } from 'tf-graft/node';
import { createSession, type KernelContext, type WasmPaths } from 'tf-graft/runtime';
import { applyTransform, expectRemains, expectRemoved } from 'tf-graft/testing';
const b = graphBuilder();
b.placeholder('x', 'float', [2]);
const g: Graph = b.graph();
export const n: number = createRegistry().list().length + g.nodes.length;
export const p = runPipeline(g, 'strip_unused_nodes', { outputs: ['x'] });
export const m: Graph = mapNodes(g, (node) => setAttrs(node, {}));
export const kernel = (ctx: KernelContext) => [ctx.tf.neg(ctx.input(0))];
export const wasm: WasmPaths = '/wasm/';
export const s = createSession(g, { wasmPaths: wasm });
export const l = (o: LoadOptions) => loadModel('m.pb', o);
export const o = optimize;
export const t = applyTransform;
export const checks = [expectRemains, expectRemoved];
`,
    );
    for (const [module, resolution] of [['node16', 'node16'], ['esnext', 'bundler']] as const) {
      const config = `tsconfig.${resolution}.json`;
      writeFileSync(
        path.join(project, config),
        JSON.stringify({ compilerOptions: { module, moduleResolution: resolution, target: 'es2022', lib: ['es2022'], strict: true, skipLibCheck: false, noEmit: true, types: ['node'] }, files: ['use.ts'] }),
      );
      let out = '';
      try {
        out = run('node', [TSC, '-p', config]);
      } catch (e) {
        out = `${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}`;
        expect.fail(`tsc (${resolution}) failed:\n${out}`);
      }
      expect(out.trim(), resolution).toBe('');
    }
  }, LONG);
});
