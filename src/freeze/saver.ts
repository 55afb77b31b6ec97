/**
 * Which variables a model writes, and their keys: what `optimize` keeps as variables (a counter's
 * `incr_counter`, a `train` step) instead of freezing them; `add-saver.ts` writes them back with a
 * TF1 saver.
 */
import { attrText } from '../ir/attr';
import type { DType } from '../ir/dtype';
import { type Graph, graphIndex } from '../ir/graph';
import { type Node, parseInput } from '../ir/node';
import type { Tensor } from '../ir/tensor';
import { VARIABLE_OPS, isStateUpdateOp } from './tf1';

/** A variable kept as a variable, with the value it starts from. */
export interface KeptVariable {
  /** The variable's node. */
  readonly node: string;
  readonly op: 'VariableV2' | 'Variable' | 'VarHandleOp';
  /** Its checkpoint key and runtime key: the node name, or a VarHandleOp's shared_name. */
  readonly key: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly value: Tensor;
}

const PASS_THROUGH = new Set(['Identity', 'RefIdentity', 'Snapshot', 'Enter', 'RefEnter', 'Switch', 'RefSwitch', 'Merge', 'RefMerge']);

/** A VarHandleOp's shared_name (its node name when empty), or a ref variable's node name. */
export function variableKey(node: Node): string {
  if (node.op !== 'VarHandleOp') return node.name;
  const a = node.attrs.shared_name;
  const s = a?.kind === 's' ? attrText(a.value) : '';
  return s || node.name;
}

/**
 * The variable nodes that state-update ops of `graph` write (input 0 traced back through
 * pass-through ops), in graph order. Writes inside functions that are still called are not seen:
 * freeze inlines calls first.
 */
export function writtenVariables(graph: Graph): string[] {
  const { byName } = graphIndex(graph);
  const out = new Set<string>();
  for (const n of graph.nodes) {
    if (!isStateUpdateOp(n.op) || n.inputs.length === 0) continue;
    let ref = parseInput(n.inputs[0]!);
    for (let guard = 0; guard < 256 && !ref.control; guard++) {
      const src = byName.get(ref.node);
      if (!src) break;
      if (VARIABLE_OPS.has(src.op)) {
        out.add(src.name);
        break;
      }
      if (!PASS_THROUGH.has(src.op) || src.inputs.length === 0) break;
      ref = parseInput(src.inputs[0]!);
    }
  }
  return graph.nodes.filter((n) => out.has(n.name)).map((n) => n.name);
}
