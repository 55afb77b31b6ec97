/**
 * The body of `insertLogging` (insert-logging.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { attr } from '../../ir/attr';
import { type DType, baseDType } from '../../ir/dtype';
import { graphIndex } from '../../ir/graph';
import { type Node, makeNode } from '../../ir/node';
import { replaceInputs, withNodesIfChanged } from '../../ir/edit';
import { attrWithDefault } from '../../ir/op-facts';
import { hasNoOutputs } from '../../ir/op-outputs';
import type { ApplyOf } from '../../transform/define';
import type { insertLogging } from '../insert-logging';

const BOOL_OPS = new Set([
  'Equal', 'NotEqual', 'Less', 'LessEqual', 'Greater', 'GreaterEqual', 'LogicalAnd', 'LogicalOr',
  'LogicalNot', 'IsNan', 'IsInf', 'IsFinite', 'ApproximateEqual', 'InTopK', 'InTopKV2', 'IsVariableInitialized',
]);

const SWITCH_OPS = new Set(['Switch', 'RefSwitch']);

const PRINT_SUFFIX = '__print__';

function typeAttr(n: Node, name: string): DType | undefined {
  const a = attrWithDefault(n, name);
  return a?.kind === 'type' ? a.value : undefined;
}

/** The dtype of output `port` of `n`, when graft can tell it from the op and its attributes. */
export function outputDType(n: Node, port: number): DType | undefined {
  const T = typeAttr(n, 'T');
  switch (n.op) {
    case 'NoOp': case 'Assert': case 'SaveV2': case 'Save': case 'InitializeTable': case 'InitializeTableV2':
      return undefined;
    case 'Const': case 'Placeholder': case 'PlaceholderV2': case 'PlaceholderWithDefault': case 'Variable':
    case 'VariableV2': case 'ReadVariableOp': case 'ParallelConcat':
      return port === 0 ? typeAttr(n, 'dtype') : undefined;
    case 'VarHandleOp': return port === 0 ? 'resource' : undefined;
    case 'Cast': return port === 0 ? typeAttr(n, 'DstT') : undefined;
    case 'Shape': case 'Size': case 'ShapeN': return typeAttr(n, 'out_type') ?? 'int32';
    case 'Rank': return port === 0 ? 'int32' : undefined;
    case 'ArgMax': case 'ArgMin': return port === 0 ? (typeAttr(n, 'output_type') ?? 'int64') : undefined;
    case 'Where': return port === 0 ? 'int64' : undefined;
    case 'FusedBatchNorm': return port <= 4 ? T : undefined;
    case 'FusedBatchNormV2': case 'FusedBatchNormV3':
      return port === 0 ? T : port <= (n.op === 'FusedBatchNormV3' ? 5 : 4) ? typeAttr(n, 'U') : undefined;
    case 'Switch': case 'RefSwitch': return port <= 1 ? T : undefined;
    case 'Merge': case 'RefMerge': return port === 0 ? T : port === 1 ? 'int32' : undefined;
    case 'Unique': return port === 0 ? T : port === 1 ? (typeAttr(n, 'out_idx') ?? 'int32') : undefined;
    case 'TopKV2': case 'TopK': return port === 0 ? T : port === 1 ? 'int32' : undefined;
    case 'Split': case 'SplitV': case 'Unpack': {
      const count = attrWithDefault(n, n.op === 'Unpack' ? 'num' : 'num_split');
      return count?.kind === 'i' && port < Number(count.value) ? T : undefined;
    }
    case 'IdentityN': {
      const l = n.attrs['T'];
      return l?.kind === 'list' ? l.value.type?.[port] : undefined;
    }
    case 'QuantizeV2': return port === 0 ? T : port <= 2 ? 'float' : undefined;
    case 'Dequantize': return port === 0 ? 'float' : undefined;
    default:
      // An op without outputs (AssignVariableOp, NoOp, SaveV2) is only ever a control input.
      if (port !== 0 || hasNoOutputs(n.op)) return undefined;
      if (BOOL_OPS.has(n.op)) return 'bool';
      return T ?? typeAttr(n, 'dtype') ?? typeAttr(n, 'out_type');
  }
}

export const apply: ApplyOf<typeof insertLogging> = (graph, params, ctx) => {
  const idx = graphIndex(graph);
  const ops = new Set(params.op);
  const printFor = new Map<string, Node>();
  /** consumer name → (input index → new input). */
  const rewires = new Map<string, Map<number, string>>();
  for (const n of graph.nodes) {
    if (ops.size > 0 && !ops.has(n.op)) continue;
    if (params.prefix.length > 0 && !params.prefix.some((p) => n.name.startsWith(p))) continue;
    if (n.name.endsWith(PRINT_SUFFIX) || idx.byName.has(n.name + PRINT_SUFFIX)) continue;
    // A Print between NextIteration and its Merge would break the loop's back edge (TensorFlow
    // then refuses the graph as a cycle): a NextIteration is logged through the Merge instead.
    if (n.op === 'NextIteration' || n.op === 'RefNextIteration') continue;
    const consumers = idx.consumers.get(n.name) ?? [];
    if (consumers.length === 0) continue;
    const ports = new Set<number>();
    for (const c of consumers) ports.add(c.ref.control ? 0 : c.ref.port);
    const printed = SWITCH_OPS.has(n.op) ? [0] : [...ports].sort((a, b) => a - b);
    const types = printed.map((p) => outputDType(n, p));
    const t0 = outputDType(n, 0);
    if (!t0 || types.some((t) => !t) || ['resource', 'variant'].includes(baseDType(t0))) {
      ctx.report({ severity: 'info', code: 'unknown-output-type', node: n.name, message: `Cannot tell the output dtypes of ${n.op} '${n.name}' (or they cannot be printed); no Print added` });
      continue;
    }
    const name = n.name + PRINT_SUFFIX;
    const message = (params.showOp ? `;${n.op};` : '') + (params.showName ? `;${name};` : '') + params.message;
    printFor.set(n.name, makeNode({
      name,
      op: 'Print',
      inputs: [n.name, ...printed.map((p) => `${n.name}:${p}`)],
      attrs: {
        T: attr.type(baseDType(t0)),
        U: attr.list({ type: types.map((t) => baseDType(t!)) }),
        message: attr.s(message),
        first_n: attr.i(params.firstN),
        summarize: attr.i(params.summarize),
      },
    }));
    for (const c of consumers) {
      if (c.ref.control || c.ref.port !== 0) continue;
      let m = rewires.get(c.node.name);
      if (!m) rewires.set(c.node.name, (m = new Map()));
      m.set(c.inputIndex, name);
    }
  }
  if (printFor.size === 0) return graph;
  ctx.count('inserted', printFor.size);
  const out: Node[] = [];
  for (const n of graph.nodes) {
    const m = rewires.get(n.name);
    out.push(m ? replaceInputs(n, n.inputs.map((s, i) => m.get(i) ?? s)) : n);
    const p = printFor.get(n.name);
    if (p) out.push(p);
  }
  return withNodesIfChanged(graph, out);
};
