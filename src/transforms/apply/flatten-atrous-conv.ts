/**
 * The body of `flattenAtrousConv` (flatten-atrous-conv.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { attr, attrText } from '../../ir/attr';
import { dtypeSize } from '../../ir/dtype';
import { graphIndex } from '../../ir/graph';
import { type Node, makeNode } from '../../ir/node';
import { setAttrs } from '../../ir/edit';
import { attrWithDefault } from '../../ir/op-facts';
import { type Tensor, tensorBytes, tensorToNumbers } from '../../ir/tensor';
import type { ApplyOf } from '../../transform/define';
import { dataInputs } from '../../ir/node';
import { constAt, constValue } from '../../ir/match';
import { mergedControls, soleProducer } from '../shared/fused-conv';
import { RewritePlan } from '../../ir/rewrite';
import type { flattenAtrousConv } from '../flatten-atrous-conv';

/** The filter with `bh−1` zero rows between its rows and `bw−1` zero columns between its columns. */
export function dilateFilter(filter: Tensor, bh: number, bw: number): Tensor {
  const [h, w, cin, cout] = filter.shape as [number, number, number, number];
  const size = dtypeSize(filter.dtype)!;
  const inner = cin * cout * size;
  const nh = (h - 1) * bh + 1;
  const nw = (w - 1) * bw + 1;
  const src = tensorBytes(filter);
  const out = new Uint8Array(nh * nw * inner);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const from = (i * w + j) * inner;
      out.set(src.subarray(from, from + inner), (i * bh * nw + j * bw) * inner);
    }
  }
  return { dtype: filter.dtype, shape: Object.freeze([nh, nw, cin, cout]), data: { kind: 'content', bytes: out } };
}

function ints(n: Node | undefined): number[] | undefined {
  if (!n) return undefined;
  const t = constValue(n);
  return t.dtype === 'int32' || t.dtype === 'int64' ? tensorToNumbers(t) : undefined;
}

export const apply: ApplyOf<typeof flattenAtrousConv> = (graph, _params, ctx) => {
  const idx = graphIndex(graph);
  const plan = new RewritePlan(graph, ctx.protectedNodes);
  const refuse = (node: string, message: string, code: 'unsupported' | 'shared-weights' = 'unsupported'): void => {
    ctx.report({ severity: 'warning', code, node, message });
  };
  for (const b2s of graph.nodes) {
    if (b2s.op !== 'BatchToSpaceND' || dataInputs(b2s).length !== 3) continue;
    const conv = soleProducer(idx, b2s, 0, 'Conv2D', ctx.protectedNodes) ?? soleProducer(idx, b2s, 0, 'DepthwiseConv2dNative', ctx.protectedNodes);
    if (!conv || dataInputs(conv).length !== 2) continue;
    const s2b = soleProducer(idx, conv, 0, 'SpaceToBatchND', ctx.protectedNodes);
    if (!s2b || dataInputs(s2b).length !== 3) continue;
    const filterNode = constAt(idx, dataInputs(conv)[1]!);
    const [x, blockIn, padsIn] = dataInputs(s2b) as [string, string, string];
    const block = ints(constAt(idx, blockIn));
    const block2 = ints(constAt(idx, dataInputs(b2s)[1]!));
    if (!filterNode || !block) {
      ctx.report({ severity: 'info', code: 'not-const', node: b2s.name, message: `The filter or block shape of the atrous conv '${conv.name}' is not a Const`, hint: 'Run fold_constants first.' });
      continue;
    }
    const filter = constValue(filterNode);
    if (block.length !== 2 || filter.shape.length !== 4 || dtypeSize(filter.dtype) === undefined) {
      refuse(b2s.name, `block shape [${block.join(',')}] or filter shape [${filter.shape.join(',')}] is not that of a 2-D atrous conv`);
      continue;
    }
    if (!block2 || block2.join() !== block.join()) {
      refuse(b2s.name, `'${b2s.name}' and '${s2b.name}' use different block shapes`);
      continue;
    }
    const strides = attrWithDefault(conv, 'strides');
    if (strides?.kind !== 'list' || (strides.value.i ?? []).some((v) => Number(v) !== 1)) {
      refuse(b2s.name, `'${conv.name}' has strides other than 1`);
      continue;
    }
    const innerPadding = conv.attrs['padding'];
    if (innerPadding?.kind !== 's' || attrText(innerPadding.value) !== 'VALID') {
      refuse(b2s.name, `'${conv.name}' does not use VALID padding inside the space-to-batch`);
      continue;
    }
    if ((idx.consumers.get(filterNode.name) ?? []).some((c) => c.node.name !== conv.name)) {
      refuse(conv.name, `The filter '${filterNode.name}' of '${conv.name}' is also read elsewhere; dilating it would change those nodes`, 'shared-weights');
      continue;
    }
    const [bh, bw] = block as [number, number];
    const [h, w] = filter.shape as [number, number];
    let padding = 'SAME';
    const pads = ints(constAt(idx, padsIn));
    const crops = ints(constAt(idx, dataInputs(b2s)[2]!));
    if (pads && crops && pads.length === 4 && crops.length === 4) {
      const base = pads.map((p, i) => p - crops[i]!);
      const same = [(h - 1) * bh, (w - 1) * bw].flatMap((total) => [Math.floor(total / 2), total - Math.floor(total / 2)]);
      if (base.every((v) => v === 0)) padding = 'VALID';
      else if (base.join() !== same.join()) {
        refuse(b2s.name, `the paddings minus crops [${base.join(',')}] are neither VALID nor SAME for this filter`);
        continue;
      }
    } else {
      ctx.report({ severity: 'info', code: 'unchecked-padding', node: b2s.name, message: `The paddings of '${s2b.name}' are not Consts; assuming SAME padding as TensorFlow does` });
    }
    if (!plan.claim([b2s.name, conv.name, s2b.name, filterNode.name])) continue;
    plan.replace(filterNode.name, [setAttrs(filterNode, { value: attr.tensor(dilateFilter(filter, bh, bw)) })]);
    const keep = ['T', 'strides', 'data_format', ...(conv.op === 'Conv2D' ? ['use_cudnn_on_gpu'] : [])];
    const attrs = Object.fromEntries(keep.filter((k) => conv.attrs[k]).map((k) => [k, conv.attrs[k]!]));
    plan.replace(b2s.name, [makeNode({
      name: b2s.name,
      op: conv.op,
      device: conv.device,
      inputs: [x, filterNode.name, ...mergedControls(s2b, conv, b2s)],
      attrs: { ...attrs, padding: attr.s(padding) },
    })]);
    plan.replace(conv.name, []);
    plan.replace(s2b.name, []);
    plan.rename(conv.name, b2s.name);
    for (const s of [blockIn, padsIn, ...dataInputs(b2s).slice(1)]) {
      const c = constAt(idx, s);
      if (c) plan.dropIfUnused(c.name);
    }
    ctx.count('flattened');
  }
  return plan.apply();
};
