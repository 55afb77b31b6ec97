/**
 * Graph validation: what must hold after every transform step.
 */
import type { Graph } from './graph';
import { graphIndex } from './graph';
import type { Node } from './node';
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
  const idx = graphIndex(graph);
  for (const n of nodes) {
    for (const ref of idx.inputs.get(n.name) ?? []) {
      if (!seen.has(ref.node)) {
        problems.push({ code: 'graph/dangling-input', node: n.name, message: `Node '${n.name}' (${n.op}) has input '${ref.node}', which does not exist` });
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
  if (opts.cycles !== false && problems.length === 0) {
    const { inCycle } = executionOrder(graph);
    if (inCycle.length > 0) {
      problems.push({ code: 'graph/cycle', node: inCycle[0]!.name, message: `${inCycle.length} nodes sit on a cycle outside any loop frame, e.g. '${inCycle[0]!.name}'` });
    }
  }
  return problems;
}
