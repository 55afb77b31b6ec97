/** Summaries of models on disk with what graft cannot run (tf-graft/node). */
import type { FileSystem } from '../io/fs';
import type { ModelSummary, SummarizeOptions } from '../inspect/summarize';
import { summarize } from '../inspect/summarize-files';
import type { KernelRegistry } from '../runtime/index';
import { modelUnsupportedOps } from './support';

/**
 * `summarize` plus what graft cannot run (`unsupportedOps`), which needs the runtime's kernel
 * registry (and so lives here, above the runtime, not in `inspect`).
 *
 * @example
 * ```ts
 * const s = await summarizeWithSupport('model/');
 * for (const u of s.unsupportedOps ?? []) if (u.ops.length) console.log(u.signature, u.ops);
 * ```
 */
export async function summarizeWithSupport(path: string, opts: Omit<SummarizeOptions, 'variableShapes'> & { fs?: FileSystem; kernels?: KernelRegistry } = {}): Promise<ModelSummary> {
  return summarize(path, { ...opts, unsupportedOps: (model, summary) => modelUnsupportedOps(model, summary, opts.kernels) });
}
