/**
 * The body of `freezeRequantizationRanges` (freeze-requantization-ranges.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { attr } from '../../ir/attr';
import type { Graph } from '../../ir/graph';
import { graphIndex } from '../../ir/graph';
import { type Node, makeNode } from '../../ir/node';
import { renameNodeInputs } from '../../ir/rename';
import { makeTensor } from '../../ir/tensor';
import { withNodesIfChanged } from '../../ir/edit';
import { GraftError } from '../../errors';
import type { ApplyOf } from '../../transform/define';
import type { freezeRequantizationRanges } from '../freeze-requantization-ranges';

const PRINT_SUFFIX = '__print__';

const REQUANT_PREFIX = '__requant_min_max:';

/** One logged range. */
export interface MinMaxRecord {
  readonly name: string;
  readonly min: number;
  readonly max: number;
}

/** The `[min][max]` records of a log, in order (lines that do not fit the format are skipped). */
export function parseRequantizationLog(text: string): MinMaxRecord[] {
  const records: MinMaxRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes(`${PRINT_SUFFIX};${REQUANT_PREFIX}`)) continue;
    const parts = line.split(';');
    if (parts.length < 2) continue;
    // The last part starting with the prefix holds the numbers; the one before it, the name.
    let at = -1;
    for (let i = 1; i < parts.length; i++) if (parts[i]!.startsWith(REQUANT_PREFIX)) at = i;
    if (at < 0) continue;
    const pieces = parts[at]!.split('[');
    if (pieces.length !== 3 || pieces[0] !== REQUANT_PREFIX) continue;
    const minParts = pieces[1]!.split(']');
    const maxParts = pieces[2]!.split(']');
    if (minParts.length !== 2 || maxParts.length !== 2) continue;
    const min = parseFloat32(minParts[0]!);
    const max = parseFloat32(maxParts[0]!);
    if (min === undefined || max === undefined) continue;
    const nameField = parts[at - 1]!;
    if (!nameField.endsWith(PRINT_SUFFIX)) continue;
    records.push({ name: nameField.slice(0, -PRINT_SUFFIX.length), min, max });
  }
  return records;
}

function parseFloat32(s: string): number | undefined {
  const t = s.trim();
  if (t === '') return undefined;
  const v = Number(t);
  return Number.isNaN(v) && !/^[+-]?nan$/i.test(t) ? undefined : Math.fround(v);
}

/**
 * Freezes the ranges of the logged `RequantizationRange` nodes of `graph`.
 *
 * @example
 * ```ts
 * const frozen = freezeRequantizationRangesFromLog(graph, logText, { minPercentile: 5, maxPercentile: 5 });
 * ```
 */
export function freezeRequantizationRangesFromLog(graph: Graph, log: string, opts: { minPercentile?: number; maxPercentile?: number } = {}): Graph {
  const minPercentile = Math.fround(opts.minPercentile ?? 5);
  const maxPercentile = Math.fround(opts.maxPercentile ?? 5);
  const records = parseRequantizationLog(log);
  if (records.length === 0) throw new GraftError('transform/bad-param', 'No min/max range logs were found in the log file');
  const { byName } = graphIndex(graph);
  const byNode = new Map<string, MinMaxRecord[]>();
  for (const r of records) {
    const list = byNode.get(r.name) ?? [];
    list.push(r);
    byNode.set(r.name, list);
  }
  const missing = [...byNode.keys()].filter((n) => !byName.has(n));
  if (missing.length > 0) {
    throw new GraftError('transform/bad-param', `Nodes were found in the log file that aren't present in the graph: ${missing.slice(0, 5).join(', ')}`, { node: missing[0]! });
  }
  const ranges = new Map<string, [number, number]>();
  for (const [name, list] of byNode) {
    const mins = list.map((r) => r.min).sort((a, b) => a - b);
    const maxs = list.map((r) => r.max).sort((a, b) => a - b);
    // TF: round(n · p/100) for the min, round(n · (1 − p/100)) for the max, clamped to the list.
    const minIndex = Math.max(0, roundHalfAway(Math.fround(mins.length * Math.fround(minPercentile / 100))));
    const maxIndex = Math.min(maxs.length - 1, roundHalfAway(Math.fround(maxs.length * Math.fround(1 - Math.fround(maxPercentile / 100)))));
    ranges.set(name, [mins[Math.min(minIndex, mins.length - 1)]!, maxs[Math.max(0, maxIndex)]!]);
  }
  const out: Node[] = [];
  const renames = new Map<string, string>();
  for (const node of graph.nodes) {
    const range = ranges.get(node.name);
    if (!range) {
      out.push(node);
      continue;
    }
    if (node.op !== 'RequantizationRange') {
      throw new GraftError('transform/bad-param', `Node is expected to be a RequantizationRange op: ${node.name}, but is: ${node.op}`, { node: node.name, op: node.op });
    }
    const minName = `${node.name}/frozen_min`;
    const maxName = `${node.name}/frozen_max`;
    out.push(floatConst(minName, range[0]), floatConst(maxName, range[1]));
    renames.set(`${node.name}:0`, `${minName}:0`);
    renames.set(`${node.name}:1`, `${maxName}:0`);
  }
  return renameNodeInputs(withNodesIfChanged(graph, out), renames);
}

function floatConst(name: string, v: number): Node {
  return makeNode({ name, op: 'Const', attrs: { dtype: attr.type('float'), value: attr.tensor(makeTensor('float', [], [v])) } });
}

function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

export const apply: ApplyOf<typeof freezeRequantizationRanges> = async (graph, params, ctx) => {
  if (!params.minMaxLogFile) throw new GraftError('transform/bad-param', 'You must pass a file name to min_max_log_file');
  // The core reads no file itself: the pipeline's runner gives a reader (the CLI gives Node's).
  if (!ctx.readFile) {
    throw new GraftError('transform/bad-param', `min_max_log_file names a file (${params.minMaxLogFile}), but the pipeline was run without a file reader: pass readFile to runPipeline (tf-graft/node's nodeFileSystem.readFile), or call freezeRequantizationRangesFromLog with the log's text`);
  }
  const bytes = await ctx.readFile(params.minMaxLogFile);
  return freezeRequantizationRangesFromLog(graph, new TextDecoder().decode(bytes), { minPercentile: params.minPercentile, maxPercentile: params.maxPercentile });
};
