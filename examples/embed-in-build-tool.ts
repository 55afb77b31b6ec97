/**
 * graft inside a build tool: a build step, in the style of a bundler plugin, that turns a
 * SavedModel into its optimized form. Everything happens on bytes: the model comes in as a map of
 * relative paths to `Uint8Array`s and goes out as assets to emit; no file path is ever touched,
 * so the same code runs in a bundler, a worker or a browser.
 *
 * Run it: `npx tsx examples/embed-in-build-tool.ts`
 */
import * as path from 'node:path';
import { encodeSavedModel, writeCheckpoint, optimizeInMemory, type OptimizeReport } from 'tf-graft';
import { buildExampleModel } from './tiny-model';

/** An asset the plugin asks the bundler to emit. */
export interface EmittedAsset {
  readonly fileName: string;
  readonly source: Uint8Array;
}

export interface GraftPluginOptions {
  /** Where the optimized model goes in the output (default `models/<name>`). */
  readonly outDir?: string;
  /** Pipeline (default: the serving article's). */
  readonly transforms?: string;
  /** Called with each model's report (a bundler would log it, or fail the build). */
  readonly onReport?: (name: string, report: OptimizeReport) => void;
}

/**
 * The plugin: `optimizeModel(name, files)` is what a bundler hook (`load`, `generateBundle`,
 * `processAssets`) would call for each SavedModel it meets.
 */
export function graftOptimizePlugin(options: GraftPluginOptions = {}) {
  return {
    name: 'graft-optimize',
    async optimizeModel(name: string, files: ReadonlyMap<string, Uint8Array>): Promise<EmittedAsset[]> {
      const { files: optimized, report } = await optimizeInMemory(files, {
        ...(options.transforms !== undefined ? { transforms: options.transforms } : {}),
      });
      options.onReport?.(name, report);
      const dir = options.outDir ?? `models/${name}`;
      return [...optimized].map(([rel, source]) => ({ fileName: `${dir}/${rel}`, source }));
    },
  };
}

/** The model's files as a bundler would hand them over: built here in memory, never written. */
export function exampleModelFiles(): Map<string, Uint8Array> {
  const { savedModel, checkpoint } = buildExampleModel();
  const { index, shards } = writeCheckpoint(checkpoint);
  const files = new Map<string, Uint8Array>([
    ['saved_model.pb', encodeSavedModel(savedModel)],
    ['variables/variables.index', index],
  ]);
  shards.forEach((s, i) => files.set(`variables/variables.data-${String(i).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}`, s));
  return files;
}

/** Runs the plugin on the example model; returns what it would emit and the report. */
export async function main(): Promise<{ assets: EmittedAsset[]; report: OptimizeReport; inputBytes: number }> {
  const input = exampleModelFiles();
  let report: OptimizeReport | undefined;
  const plugin = graftOptimizePlugin({ onReport: (_, r) => (report = r) });
  const assets = await plugin.optimizeModel('tiny', input);
  const inputBytes = [...input.values()].reduce((s, b) => s + b.length, 0);
  return { assets, report: report!, inputBytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const { assets, report, inputBytes } = await main();
  const { original, optimized } = report.stages;
  console.log(`in: ${inputBytes} bytes, ${original.nodes} nodes; out: ${assets.map((a) => `${a.fileName} (${a.source.length} bytes)`).join(', ')}, ${optimized.nodes} nodes`);
  console.log(`verified: ${report.verification?.status}, max |diff| ${report.verification?.maxAbsDiff}`);
}
