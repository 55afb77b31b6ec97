/**
 * The body of `foldBatchNorms` (fold-batch-norms.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { attr } from '../../ir/attr';
import { graphIndex } from '../../ir/graph';
import { type Node, makeNode } from '../../ir/node';
import { setAttrs, updateNode } from '../../ir/edit';
import { attrWithDefault } from '../../ir/op-facts';
import { attrText } from '../../ir/attr';
import type { ApplyOf } from '../../transform/define';
import { LINEAR_OPS, channelVector, floatArray, floatTensor, scaleWeights } from '../shared/conv-weights';
import { type LinearChain, type Refusal, matchLinearChain } from '../shared/linear-chain';
import { controlInputs, dataInputs } from '../../ir/node';
import { constAt, constValue } from '../../ir/match';
import { RewritePlan } from '../../ir/rewrite';
import type { foldBatchNorms } from '../fold-batch-norms';

const OFFSET_OPS = new Set(['Add', 'AddV2', 'BiasAdd']);

export const apply: ApplyOf<typeof foldBatchNorms> = (graph, _params, ctx) => {
  const idx = graphIndex(graph);
  const plan = new RewritePlan(graph, ctx.protectedNodes);
  const skip = (r: Refusal | { code: Refusal['code']; node: string; message: string; hint?: string }, severity: 'warning' | 'info' = r.code === 'not-const' ? 'info' : 'warning'): void => {
    ctx.report({ severity, code: r.code, node: r.node, message: r.message, ...(r.hint ? { hint: r.hint } : {}) });
    ctx.count('skipped');
  };

  /** The Mul's chain and scale Const, trying `Mul(conv, s)` and then `Mul(s, conv)`. */
  const matchMul = (mul: Node): { chain: LinearChain; scaleNode: Node } | undefined => {
    const d = dataInputs(mul);
    if (d.length !== 2) return undefined;
    for (const [li, si] of [[0, 1], [1, 0]] as const) {
      const scaleNode = constAt(idx, d[si]);
      if (!scaleNode) continue;
      const m = matchLinearChain(idx, d[li], mul.name, LINEAR_OPS, ctx.protectedNodes);
      if (m === null) continue;
      if ('refusal' in m) {
        skip(m.refusal);
        return undefined;
      }
      return { chain: m.chain, scaleNode };
    }
    return undefined;
  };

  /** The offset Add after the Mul, when it can be folded too. */
  const matchOffset = (mul: Node, chain: LinearChain): { add: Node; constNode: Node; values: Float64Array } | undefined => {
    const consumers = idx.consumers.get(mul.name) ?? [];
    if (consumers.length !== 1 || ctx.protectedNodes.has(mul.name)) return undefined;
    const add = consumers[0]!.node;
    if (!OFFSET_OPS.has(add.op) || consumers[0]!.ref.control || consumers[0]!.ref.port !== 0) return undefined;
    const d = dataInputs(add);
    if (d.length !== 2) return undefined;
    const mulAt = d.findIndex((s) => s === mul.name || s === `${mul.name}:0`);
    if (mulAt < 0 || (add.op === 'BiasAdd' && mulAt !== 0)) return undefined;
    const constNode = constAt(idx, d[1 - mulAt]!);
    if (!constNode) return undefined;
    const t = constValue(constNode);
    if (t.dtype !== chain.weightsTensor.dtype) return undefined;
    if (add.op === 'BiasAdd') {
      const f = attrWithDefault(add, 'data_format');
      const bf = f?.kind === 's' && attrText(f.value) === 'NCHW' ? 'NCHW' : 'NHWC';
      if (bf !== chain.format || t.shape.length !== 1 || t.shape[0] !== chain.channels) return undefined;
      return { add, constNode, values: Float64Array.from(floatArray(t)) };
    }
    const values = channelVector(t, chain.channels, chain.format);
    return values ? { add, constNode, values } : undefined;
  };

  let folded = 0;
  for (const mul of graph.nodes) {
    if (mul.op !== 'Mul') continue;
    const m = matchMul(mul);
    if (!m) continue;
    const { chain, scaleNode } = m;
    const { conv, weights, weightsTensor: wt } = chain;
    const st = constValue(scaleNode);
    const scale = st.dtype === wt.dtype ? channelVector(st, chain.channels, chain.format) : undefined;
    if (!scale) {
      skip({
        code: 'bad-shape',
        node: mul.name,
        message: `Mul constant input to batch norm has bad shape: '${scaleNode.name}' is ${st.dtype}[${st.shape.join(',')}], not one ${wt.dtype} per output channel of '${conv.name}' (${chain.channels}, ${chain.format})`,
      });
      continue;
    }
    const offset = matchOffset(mul, chain);
    const head = offset?.add ?? mul;
    const members = [head.name, mul.name, conv.name, weights.name, ...(chain.bias ? [chain.bias.add.name] : [])];
    if (!plan.claim(members)) continue;

    plan.replace(weights.name, [setAttrs(weights, { value: attr.tensor(scaleWeights(conv, wt, scale)) })]);
    const controls = [...new Set([...controlInputs(mul), ...(offset ? controlInputs(offset.add) : []), ...(chain.bias ? controlInputs(chain.bias.add) : [])])];
    if (!chain.bias && !offset) {
      // TensorFlow's result: the conv itself, renamed to the Mul.
      const renamed = updateNode(conv, { name: head.name, inputs: [...conv.inputs, ...controls.filter((c) => !conv.inputs.includes(c))] });
      plan.replace(conv.name, []);
      plan.replace(head.name, [renamed]);
      plan.rename(conv.name, head.name);
    } else {
      const f = wt.dtype === 'double' ? (x: number) => x : Math.fround;
      const values = Array.from(scale, (s, c) => f(f((chain.bias?.values[c] ?? 0) * s) + (offset?.values[c] ?? 0)));
      const dtype = wt.dtype === 'double' ? 'double' : 'float';
      const biasName = plan.uniqueName(`${conv.name}_bn_offset`);
      const dataFormat = conv.attrs['data_format'];
      const nodes = [
        makeNode({ name: biasName, op: 'Const', device: conv.device, attrs: { dtype: attr.type(dtype), value: attr.tensor(floatTensor(dtype, [values.length], values)) } }),
        makeNode({
          name: head.name,
          op: 'BiasAdd',
          device: conv.device,
          inputs: [conv.name, biasName, ...controls],
          attrs: { T: conv.attrs['T'] ?? attr.type(dtype), ...(dataFormat && conv.op !== 'MatMul' ? { data_format: dataFormat } : {}) },
        }),
      ];
      plan.replace(head.name, nodes);
      if (head !== mul) plan.replace(mul.name, []);
      if (chain.bias) {
        plan.replace(chain.bias.add.name, []);
        plan.dropIfUnused(chain.bias.constNode.name);
      }
      if (offset) plan.dropIfUnused(offset.constNode.name);
    }
    plan.dropIfUnused(scaleNode.name);
    folded++;
  }
  if (folded > 0) ctx.count('folded', folded);
  return plan.apply();
};
