/**
 * graft's core in a real browser (issue #12): the core entry bundles with esbuild for
 * `platform: 'browser'` with no Node built-in anywhere in graft's own code (an import of one is an
 * error, never a silent shim), stays within its size budget without tfjs, and runs in headless
 * Chromium: the serving article's pipeline on a real frozen GraphDef, one run of the result on
 * the wasm backend, and `optimizeInMemory` on a real SavedModel, each giving the same bytes as
 * Node does in this process.
 *
 * The page reports back by POSTing its result to the test's own loopback server, so the test
 * needs no DevTools client: Chromium is started with `--headless` on the page's URL and killed
 * once the result (or an error) has arrived.
 *
 * Chromium: `$GRAFT_CHROMIUM`, else `chromium` / `chromium-browser` on the PATH (`.ci/run`
 * installs Debian's `chromium`); the browser test is skipped, saying so, when there is none.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as http from 'node:http';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type BuildOptions, type BuildResult, type Metafile, type Plugin, build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, NO_CHROMIUM_REASON } from '../helpers/chromium';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';
import { SCENARIO_FILES, type ScenarioResult, runScenario } from './browser/scenario';

const ROOT = path.join(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'src');
/** The core entry point (`tf-graft`). */
const CORE_ENTRY = path.join(SRC, 'index.ts');
const PAGE_ENTRY = path.join(import.meta.dirname, 'browser/page.ts');
/**
 * The budget of the core (issue #12), which the test enforces: what loads on import, minified,
 * without tfjs, in a code-splitting build: the entry chunk and the chunks it imports statically.
 * What the core loads with `import()` on first use (the runtime, transform bodies, the bodies of
 * async exports) is listed apart and not counted.
 *
 * History, on import: 687 KB when first measured this way (2026-12, the runtime still a static
 * export of src/index.ts); 520 KB once the runtime moved to tf-graft/runtime and optimizeInMemory's
 * stages behind import(); 533 KB before the built-in transforms' bodies moved behind import()
 * (`lazyApply`), 464 KB after; 476 KB with later work, and 457 KB once the bodies of the async
 * exports (runPipeline, runPipelineVerified, compare, readFeeds, bench, verifyCallSequence,
 * optimizeInMemory) had moved to files of their own; 387 KB once inspection (summarizeModel,
 * diffGraphs, diffLoadedModels, showSavedModel), freezing and converting (freezeMetaGraph,
 * freezeGraph, toSavedModel, predictSignature) and shape inference (inferShapes,
 * inferFunctionShapes, opsWithShapeFns) became async, their bodies loaded on first use
 * (docs/architecture.md). A sizeable new export keeps within it the same way.
 */
const CORE_BUDGET_BYTES = 400 * 1024;
const LONG = 180_000;

const inNodeModules = (file: string): boolean => file.split(path.sep).includes('node_modules');

/**
 * Fails the build on any Node built-in that graft's own code imports (statically or with
 * `import()`), before esbuild's resolver could map it through a `browser` field. Packages graft
 * depends on keep their own declared browser replacements (tfjs and protobufjs map `fs` to
 * nothing); a built-in they import without one fails in esbuild itself on this platform.
 */
const noNodeBuiltins: Plugin = {
  name: 'graft-no-node-builtins',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (!isBuiltin(args.path) || inNodeModules(args.importer)) return undefined;
      return { errors: [{ text: `${path.relative(ROOT, args.importer) || args.importer} imports the Node built-in '${args.path}'${args.kind === 'dynamic-import' ? ' (dynamically)' : ''}` }] };
    });
  },
};

const browserBuild = (opts: BuildOptions): BuildOptions => ({
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  write: false,
  metafile: true,
  logLevel: 'silent',
  absWorkingDir: ROOT,
  plugins: [noNodeBuiltins],
  ...opts,
});

/** Imports in graft's own code that esbuild replaced by an empty module (a `browser` map's `false`): silent shims. */
function shimmedOwnImports(meta: Metafile): string[] {
  return Object.entries(meta.inputs).flatMap(([file, input]) =>
    inNodeModules(file) ? [] : input.imports.filter((i) => i.path.startsWith('(disabled):')).map((i) => `${file} imports ${i.original ?? i.path}, replaced by an empty module`),
  );
}

/** The five largest contributors to a bundle (graft's folders, packages), minified bytes. */
function largestParts(meta: Metafile): string {
  const by = new Map<string, number>();
  for (const out of Object.values(meta.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(out.inputs)) {
      const part = inNodeModules(file) ? file.split('node_modules/').pop()!.split('/').slice(0, file.includes('node_modules/@') ? 2 : 1).join('/') : file.split('/').slice(0, 2).join('/');
      by.set(part, (by.get(part) ?? 0) + bytesInOutput);
    }
  }
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([part, n]) => `${part} ${(n / 1024).toFixed(0)} KB`).join(', ');
}

/** esbuild's result, or its errors as one message each. */
async function tryBuild(opts: BuildOptions): Promise<{ errors: string[]; result?: BuildResult<{ write: false; metafile: true }> }> {
  try {
    return { errors: [], result: (await build(browserBuild(opts))) as BuildResult<{ write: false; metafile: true }> };
  } catch (e) {
    const errors = (e as { errors?: { text: string }[] }).errors;
    if (!errors) throw e;
    return { errors: errors.map((x) => x.text) };
  }
}

/**
 * A code-split build of one entry seen as a browser loads it: `onImport`, the entry chunk and the
 * chunks it imports statically (all of it loads before the entry runs), and `lazy`, every other
 * chunk (reached only through `import()`, loaded on first use), each with its size.
 */
function splitLoad(meta: Metafile, entry: string): { onImport: number; onImportInputs: string[]; lazy: { chunk: string; bytes: number }[] } {
  const outputs = meta.outputs;
  const entryChunk = Object.keys(outputs).find((f) => outputs[f]!.entryPoint === path.relative(ROOT, entry));
  if (!entryChunk) throw new Error(`no chunk for ${entry} in the split build`);
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !outputs[file]) return;
    seen.add(file);
    for (const i of outputs[file]!.imports) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(entryChunk);
  const js = Object.keys(outputs).filter((f) => f.endsWith('.js'));
  return {
    onImport: [...seen].reduce((sum, f) => sum + outputs[f]!.bytes, 0),
    onImportInputs: [...seen].flatMap((f) => Object.keys(outputs[f]!.inputs)),
    lazy: js.filter((f) => !seen.has(f)).map((f) => ({ chunk: path.basename(f), bytes: outputs[f]!.bytes })).sort((a, b) => b.bytes - a.bytes),
  };
}

describe('the core in the browser', () => {
  it('a Node built-in in graft code fails the browser bundle (the check below can fail)', async () => {
    for (const spec of ['node:path', 'fs/promises']) {
      const { errors } = await tryBuild({ stdin: { contents: `export const f = () => import('${spec}');`, resolveDir: SRC, sourcefile: 'probe.ts', loader: 'ts' } });
      expect(errors.join('\n')).toContain(`imports the Node built-in '${spec}' (dynamically)`);
    }
  });

  it('the core entry bundles for the browser with no Node built-in; what loads on import, minified without tfjs, is printed and held within the budget', async () => {
    const core = { entryPoints: [CORE_ENTRY], minify: true, external: ['@tensorflow/*'] };
    const { errors, result } = await tryBuild(core);
    expect(errors, 'esbuild --platform=browser on the core').toEqual([]);
    expect(shimmedOwnImports(result!.metafile)).toEqual([]);
    const whole = result!.outputFiles[0]!.contents.length;
    // What a code-splitting bundler loads on import; the rest (behind import()) loads on first use.
    const split = await build(browserBuild({ ...core, splitting: true, outdir: path.join(ROOT, 'dist-browser-probe') }));
    const { onImport, onImportInputs, lazy } = splitLoad(split.metafile!, CORE_ENTRY);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    const status = onImport <= CORE_BUDGET_BYTES ? 'within it' : `OVER by ${kb(onImport - CORE_BUDGET_BYTES)}`;
    // The numbers people want to see; vitest prints them with the test.
    console.log(
      `tf-graft core, bundled for the browser, minified, tfjs external, code-split: ${kb(onImport)} loads on import ` +
        `(the entry chunk and its static imports; budget ${kb(CORE_BUDGET_BYTES)}: ${status}); ` +
        `lazy chunks, loaded on first use through import(): ${lazy.map((c) => `${c.chunk} ${kb(c.bytes)}`).join(', ') || 'none'}; ` +
        `${kb(whole)} as one file; largest parts of that file: ${largestParts(result!.metafile)}`,
    );
    // The runtime (tf-graft/runtime) is reached from the core only through import().
    expect(onImportInputs.filter((f) => f.startsWith('src/runtime/'))).toEqual([]);
    expect(lazy.some((c) => c.chunk.startsWith('runtime-'))).toBe(true);
    expect(onImport).toBeLessThanOrEqual(CORE_BUDGET_BYTES);
  }, LONG);
});

/** What the page posts back. */
interface PageResult {
  readonly error?: string;
  readonly userAgent: string;
  readonly nodesBefore: number;
  readonly nodesAfter: number;
  readonly backend: string;
  readonly verification: string;
  readonly output: { dtype: string; shape: number[]; bytes: string };
  readonly pipelineGraphDef: string;
  readonly savedModelPb: string;
}

const WASM_DIR = path.join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>graft in the browser</title>
<script type="module" src="/page.js"></script>
`;

/** A loopback server for the page, its bundle, the wasm binaries and the scenario's model files; it takes the page's POST. */
function serve(bundle: Uint8Array): Promise<{ url: string; result: Promise<PageResult>; close: () => Promise<void> }> {
  let settle!: (r: PageResult) => void;
  const result = new Promise<PageResult>((resolve) => (settle = resolve));
  const files = new Set<string>(SCENARIO_FILES);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, type: string, body: string | Uint8Array) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method === 'POST' && url.pathname === '/result') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        send(204, 'text/plain', '');
        try {
          settle(JSON.parse(Buffer.concat(chunks).toString('utf8')) as PageResult);
        } catch (e) {
          settle({ error: `unreadable result: ${(e as Error).message}` } as PageResult);
        }
      });
      return;
    }
    if (url.pathname === '/') return send(200, 'text/html; charset=utf-8', PAGE);
    if (url.pathname === '/page.js') return send(200, 'text/javascript; charset=utf-8', bundle);
    // Only the files the page needs: the wasm binaries by name, the scenario's model files.
    const wasm = /^\/wasm\/(tfjs-backend-wasm(-simd|-threaded-simd)?\.wasm)$/.exec(url.pathname);
    const model = url.pathname.startsWith('/models/') ? decodeURIComponent(url.pathname.slice('/models/'.length)) : undefined;
    const file = wasm ? path.join(WASM_DIR, wasm[1]!) : model && files.has(model) ? modelPath(model) : undefined;
    if (!file) return send(404, 'text/plain', `not served: ${url.pathname}`);
    readFile(file).then(
      (bytes) => send(200, wasm ? 'application/wasm' : 'application/octet-stream', bytes),
      (e: Error) => send(500, 'text/plain', e.message),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}/`,
        result,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Starts headless Chromium on `url` in a fresh profile, in its own process group (so all of it can be stopped). */
function launch(chromium: string, url: string, profile: string): { child: ChildProcess; exited: Promise<string>; stop: () => void } {
  const args = [
    '--headless',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-extensions',
    '--no-first-run',
    '--no-default-browser-check',
    `--user-data-dir=${profile}`,
    // The page is the test's own, on loopback; and Chromium's sandbox cannot start as root or
    // without user namespaces, which is what CI containers give.
    '--no-sandbox',
    url,
  ];
  const child = spawn(chromium, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<string>((resolve) => {
    child.once('error', (e) => resolve(`could not start ${chromium}: ${e.message}`));
    child.once('exit', (code, signal) => resolve(`${chromium} exited (${signal ?? `code ${code}`}) before the page reported; its stderr ends:\n${stderr}`));
  });
  const stop = () => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  return { child, exited, stop };
}

const fromB64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

/** Where two byte strings first differ (for a readable failure), or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

const sameBytes = (what: string, browser: Uint8Array, node: Uint8Array) => {
  const at = firstDifference(browser, node);
  expect(at, `${what}: browser ${browser.length} bytes, Node ${node.length} bytes, first difference at byte ${at}`).toBe(-1);
};

describe.skipIf(!CHROMIUM || !HAVE_MODELS)(`headless Chromium runs the core on real models, byte for byte as Node (${!HAVE_MODELS ? SKIP_REASON : !CHROMIUM ? NO_CHROMIUM_REASON : CHROMIUM})`, () => {
  let page: PageResult;
  let node: ScenarioResult;

  beforeAll(async () => {
    const bundled = await build(browserBuild({ entryPoints: [PAGE_ENTRY], minify: true }));
    expect(shimmedOwnImports(bundled.metafile!)).toEqual([]);
    const server = await serve(bundled.outputFiles![0]!.contents);
    const profile = mkdtempSync(path.join(tmpdir(), 'graft-chromium-'));
    const browser = launch(CHROMIUM!, server.url, profile);
    try {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('the page did not report within 150 s'), 150_000)));
      const first = await Promise.race([server.result, browser.exited, timeout]);
      clearTimeout(timer);
      if (typeof first === 'string') throw new Error(first);
      if (first.error) throw new Error(`in Chromium: ${first.error}`);
      page = first;
    } finally {
      browser.stop();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    }
    // The same scenario in Node, on the same files.
    node = await runScenario(async (f) => new Uint8Array(await readFile(modelPath(f))));
  }, LONG);

  it('both ran on the wasm backend, in a real Chromium', () => {
    expect(page.userAgent).toMatch(/HeadlessChrome\//);
    expect(page.backend).toBe('wasm');
    expect(node.backend).toBe('wasm');
  });

  it("the article's pipeline on kws_cnn_s: the same GraphDef bytes", () => {
    expect(page.nodesAfter).toBe(node.nodesAfter);
    expect(node.nodesAfter).toBeLessThan(node.nodesBefore);
    const original = readFileSync(modelPath('kws_cnn_s/CNN_S.pb'));
    expect(firstDifference(node.pipelineGraphDef, original)).not.toBe(-1);
    sameBytes('optimized GraphDef', fromB64(page.pipelineGraphDef), node.pipelineGraphDef);
  });

  it('one run of the optimized graph on silence.wav: the same output tensor bytes', () => {
    expect(page.output.dtype).toBe(node.output.dtype);
    expect(page.output.shape).toEqual(node.output.shape);
    expect(node.output.shape).toEqual([1, 12]);
    // A probability vector that puts silence first: the run did real work.
    const probs = new Float32Array(node.output.bytes.slice().buffer);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(probs.indexOf(Math.max(...probs))).toBe(0);
    sameBytes('labels_softmax', fromB64(page.output.bytes), node.output.bytes);
  });

  it('optimizeInMemory on serving_half_plus_two_cpu: verified, the same saved_model.pb bytes', () => {
    expect(page.verification).toBe('pass');
    expect(node.verification).toBe('pass');
    sameBytes('saved_model.pb', fromB64(page.savedModelPb), node.savedModelPb);
  });
});
