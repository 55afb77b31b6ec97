/**
 * Graph validation: what must hold after every transform step.
 */
import type { Graph } from './graph';
import type { Node } from './node';
import { inputNodeName } from './node';
import { executionOrder } from './topo';
import type { ErrorCode } from '../errors';
import { nearestNames } from '../suggest';

export interface ValidationProblem {
  readonly code: Extract<ErrorCode, 'graph/dangling-input' | 'graph/duplicate-name' | 'graph/cycle' | 'graph/missing-node'>;
  readonly node: string;
  readonly message: string;
}

export interface ValidateOptions {
  /** Tensors or node names that must exist (graph inputs and outputs). */
  readonly required?: readonly string[];
  /** Also check for cycles outside loop frames (costs a sort). Default true. */
  readonly cycles?: boolean;
  /**
   * A valid graph this one was made from (the previous step's). When the nodes are a subsequence
   * of its nodes (the same objects, in order: only removals), no edge is new, so no cycle can be,
   * and the sort is skipped.
   */
  readonly previous?: Graph | readonly Node[];
}

/** True when `nodes` are some of `before`'s node objects, in the same order. */
function onlyRemovals(nodes: readonly Node[], before: readonly Node[]): boolean {
  let j = 0;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    while (j < before.length && before[j] !== n) j++;
    if (j === before.length) return false;
    j++;
  }
  return true;
}

/**
 * Finds dangling inputs, duplicate names, cycles not broken by a loop's Merge, and missing
 * required nodes. Returns [] for a valid graph.
 */
export function validateGraph(graph: Graph | readonly Node[], opts: ValidateOptions = {}): ValidationProblem[] {
  const nodes = 'nodes' in graph ? graph.nodes : graph;
  const problems: ValidationProblem[] = [];
  const seen = new Set<string>();
  for (const n of nodes) {
    if (seen.has(n.name)) problems.push({ code: 'graph/duplicate-name', node: n.name, message: `Duplicate node name '${n.name}'` });
    seen.add(n.name);
  }
  for (const n of nodes) {
    for (const input of n.inputs) {
      const name = inputNodeName(input);
      if (!seen.has(name)) {
        problems.push({ code: 'graph/dangling-input', node: n.name, message: `Node '${n.name}' (${n.op}) has input '${name}', which does not exist` });
      }
    }
  }
  for (const name of opts.required ?? []) {
    const nodeName = name.replace(/^\^/, '').split(':')[0]!;
    if (!seen.has(nodeName)) {
      const near = nearestNames(nodeName, seen, 2);
      const also = near.length > 0 ? ` (did you mean ${near.map((x) => `'${x}'`).join(' or ')}?)` : '';
      problems.push({ code: 'graph/missing-node', node: nodeName, message: `Required node '${nodeName}' is missing${also}` });
    }
  }
  const previous = opts.previous && ('nodes' in opts.previous ? opts.previous.nodes : opts.previous);
  if (opts.cycles !== false && problems.length === 0 && !(previous && onlyRemovals(nodes, previous))) {
    const { inCycle } = executionOrder(graph);
    if (inCycle.length > 0) {
      problems.push({ code: 'graph/cycle', node: inCycle[0]!.name, message: `${inCycle.length} nodes sit on a cycle outside any loop frame, e.g. '${inCycle[0]!.name}'` });
    }
  }
  return problems;
}
