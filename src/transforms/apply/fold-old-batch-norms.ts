/**
 * The body of `foldOldBatchNorms` (fold-old-batch-norms.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { attr } from '../../ir/attr';
import { graphIndex } from '../../ir/graph';
import { type Node, makeNode, parseInput } from '../../ir/node';
import { setAttrs, updateNode } from '../../ir/edit';
import { attrWithDefault } from '../../ir/op-facts';
import { attrText } from '../../ir/attr';
import { numElements, tensorToNumbers } from '../../ir/tensor';
import type { ApplyOf } from '../../transform/define';
import { CONV_OPS, floatArray, floatTensor, isScalableDType, scaleWeights } from '../shared/conv-weights';
import { type LinearChain, type Refusal, matchLinearChain } from '../shared/linear-chain';
import { controlInputs, dataInputs } from '../../ir/node';
import { constAt, constValue } from '../../ir/match';
import { RewritePlan } from '../../ir/rewrite';
import type { foldOldBatchNorms } from '../fold-old-batch-norms';

const BN_OPS = new Set(['BatchNormWithGlobalNormalization', 'FusedBatchNorm', 'FusedBatchNormV2', 'FusedBatchNormV3']);

interface BnParams {
  readonly input: string;
  readonly scale: Float64Array;
  readonly offset: Float64Array;
  readonly consts: readonly Node[];
  readonly format: 'NHWC' | 'NCHW';
}

type Skip = { readonly severity?: 'warning' | 'info'; readonly code: Refusal['code'] | 'training-mode' | 'bad-attr' | 'no-linear-input'; readonly node: string; readonly message: string; readonly hint?: string };

const f32 = Math.fround;

/**
 * The batch norm's per-channel scale and offset, computed as TensorFlow does in float32:
 * `scale = 1/sqrt(var+eps)·gamma`, `offset = −mean·scale + beta`.
 */
export function batchNormScaleOffset(mean: ArrayLike<number>, variance: ArrayLike<number>, beta: ArrayLike<number>, gamma: ArrayLike<number> | null, epsilon: number): { scale: Float64Array; offset: Float64Array } {
  const n = mean.length;
  const scale = new Float64Array(n);
  const offset = new Float64Array(n);
  const eps = f32(epsilon);
  for (let c = 0; c < n; c++) {
    const inv = f32(1 / f32(Math.sqrt(f32(variance[c]! + eps))));
    scale[c] = gamma ? f32(inv * gamma[c]!) : inv;
    offset[c] = f32(f32(-mean[c]! * scale[c]!) + beta[c]!);
  }
  return { scale, offset };
}

function readParams(bn: Node, idx: ReturnType<typeof graphIndex>, allowTraining: boolean): BnParams | Skip {
  const d = dataInputs(bn);
  if (d.length !== 5) return { severity: 'info', code: 'bad-shape', node: bn.name, message: `${bn.op} '${bn.name}' has ${d.length} data inputs, expected 5` };
  const gngn = bn.op === 'BatchNormWithGlobalNormalization';
  if (!gngn) {
    const t = attrWithDefault(bn, 'is_training');
    if (t?.kind === 'b' && t.value && !allowTraining) {
      return {
        severity: 'warning',
        code: 'training-mode',
        node: bn.name,
        message: `${bn.op} '${bn.name}' is in training mode (is_training ${bn.attrs['is_training'] ? 'is true' : 'is absent, which means true'}): it normalizes with batch statistics, so its moving averages cannot be folded`,
        hint: 'Export the model for inference (is_training=false), or pass allow_training_mode=true to fold the moving averages anyway as TensorFlow does.',
      };
    }
  }
  const consts = d.slice(1).map((s) => constAt(idx, s));
  const missing = consts.findIndex((c) => !c);
  if (missing >= 0) {
    return {
      severity: 'info',
      code: 'not-const',
      node: bn.name,
      message: `Input ${missing + 1} of ${bn.op} '${bn.name}' ('${d[missing + 1]}') is not a Const`,
      hint: 'Run remove_nodes(op=Identity) and fold_constants first.',
    };
  }
  const [c1, c2, c3, c4] = consts as Node[];
  const [meanN, varN, betaN, gammaN] = gngn ? [c1!, c2!, c3!, c4!] : [c3!, c4!, c2!, c1!];
  for (const c of [meanN, varN, betaN, gammaN]) {
    const t = constValue(c);
    if (!isScalableDType(t.dtype)) return { severity: 'warning', code: 'unsupported-dtype', node: bn.name, message: `'${c.name}' of '${bn.name}' is ${t.dtype}, not float` };
  }
  const mean = floatArray(constValue(meanN));
  const C = mean.length;
  const named: [string, Node][] = [['Variance', varN], ['Beta', betaN], ['gamma', gammaN]];
  if (constValue(meanN).shape.length !== 1) return { severity: 'warning', code: 'bad-shape', node: bn.name, message: `Mean input to batch norm '${bn.name}' has bad shape: [${constValue(meanN).shape.join(',')}]` };
  for (const [label, n] of named) {
    const s = constValue(n).shape;
    if (s.length !== 1 || s[0] !== C) return { severity: 'warning', code: 'bad-shape', node: bn.name, message: `${label} input to batch norm '${bn.name}' has bad shape: [${s.join(',')}] (mean has ${C})` };
  }
  let epsilon: number;
  let useGamma = true;
  if (gngn) {
    const e = bn.attrs['variance_epsilon'];
    const s = bn.attrs['scale_after_normalization'];
    if (e?.kind !== 'f' || s?.kind !== 'b') {
      return { severity: 'warning', code: 'bad-attr', node: bn.name, message: `'${bn.name}' lacks variance_epsilon or scale_after_normalization` };
    }
    epsilon = e.value;
    useGamma = s.value;
  } else {
    const e = attrWithDefault(bn, 'epsilon');
    epsilon = e?.kind === 'f' ? e.value : 1e-4;
  }
  const { scale, offset } = batchNormScaleOffset(mean, floatArray(constValue(varN)), floatArray(constValue(betaN)), useGamma ? floatArray(constValue(gammaN)) : null, epsilon);
  const fmt = gngn ? undefined : attrWithDefault(bn, 'data_format');
  const format = fmt?.kind === 's' && attrText(fmt.value) === 'NCHW' ? 'NCHW' : 'NHWC';
  return { input: d[0]!, scale, offset, consts: [c1!, c2!, c3!, c4!], format };
}

export const apply: ApplyOf<typeof foldOldBatchNorms> = (graph, params, ctx) => {
  const idx = graphIndex(graph);
  const plan = new RewritePlan(graph, ctx.protectedNodes);
  const skip = (s: Skip | Refusal, severity: 'warning' | 'info' = 'warning'): void => {
    ctx.report({ severity: ('severity' in s && s.severity) || severity, code: s.code, node: s.node, message: s.message, ...(s.hint ? { hint: s.hint } : {}) });
    ctx.count('skipped');
  };

  /** Folds one chain: rescaled weights in place, offset Const + BiasAdd returned for the caller to place. */
  const fuse = (chain: LinearChain, scale: ArrayLike<number>, offset: ArrayLike<number>, outName: string, controls: readonly string[]): Node[] => {
    const { conv, weights, weightsTensor: wt } = chain;
    plan.replace(weights.name, [setAttrs(weights, { value: attr.tensor(scaleWeights(conv, wt, scale)) })]);
    const f = wt.dtype === 'double' ? (x: number) => x : f32;
    const bias = chain.bias?.values;
    const values = Array.from(offset, (o, c) => (bias ? f(f(bias[c]! * scale[c]!) + o) : o));
    const offsetName = plan.uniqueName(`${conv.name}_bn_offset`);
    const dtype = wt.dtype === 'double' ? 'double' : 'float';
    const offsetConst = makeNode({ name: offsetName, op: 'Const', device: conv.device, attrs: { dtype: attr.type(dtype), value: attr.tensor(floatTensor(dtype, [values.length], values)) } });
    const ctl = [...controls];
    if (chain.bias) {
      plan.replace(chain.bias.add.name, []);
      plan.dropIfUnused(chain.bias.constNode.name);
      for (const item of controlInputs(chain.bias.add)) ctl.push(item);
    }
    const dataFormat = conv.attrs['data_format'];
    const biasAdd = makeNode({
      name: outName,
      op: 'BiasAdd',
      device: conv.device,
      inputs: [conv.name, offsetName, ...new Set(ctl)],
      attrs: { T: conv.attrs['T'] ?? attr.type(dtype), ...(dataFormat ? { data_format: dataFormat } : {}) },
    });
    return [offsetConst, biasAdd];
  };

  /** The chain read by `input`; a refusal is reported here, a non-chain as `no-linear-input`. */
  const matchChain = (input: string, consumer: string, bn: Node): LinearChain | undefined => {
    const m = matchLinearChain(idx, input, consumer, CONV_OPS, ctx.protectedNodes);
    if (m === null) {
      skip({ code: 'no-linear-input', node: bn.name, message: `'${input}' before ${bn.op} '${bn.name}' is not a Conv2D or DepthwiseConv2dNative with constant weights (optionally followed by a bias add)` }, 'info');
      return undefined;
    }
    if ('refusal' in m) {
      skip(m.refusal);
      return undefined;
    }
    return m.chain;
  };

  const chainNodes = (c: LinearChain): string[] => [c.conv.name, c.weights.name, ...(c.bias ? [c.bias.add.name] : [])];

  let folded = 0;
  for (const bn of graph.nodes) {
    if (!BN_OPS.has(bn.op)) continue;
    const p = readParams(bn, idx, params.allowTrainingMode);
    if (!('scale' in p)) {
      skip(p);
      continue;
    }
    const extra = (idx.consumers.get(bn.name) ?? []).find((c) => !c.ref.control && c.ref.port > 0);
    if (extra) {
      skip({ code: 'shared-output', node: bn.name, message: `Output ${extra.ref.port} of '${bn.name}' is read by '${extra.node.name}'; only output 0 survives a fold` });
      continue;
    }
    const C = p.scale.length;
    const bnControls = controlInputs(bn);
    const src = idx.byName.get(parseInput(p.input).node);
    const formatOk = (c: LinearChain): boolean => {
      if (c.format === p.format) return true;
      skip({ code: 'data-format', node: bn.name, message: `'${bn.name}' is ${p.format} but '${c.conv.name}' is ${c.format}` });
      return false;
    };
    const channelsOk = (c: LinearChain, want: number): boolean => {
      if (c.channels === want) return true;
      skip({ code: 'bad-shape', node: bn.name, message: `'${c.conv.name}' has ${c.channels} output channels but '${bn.name}' normalizes ${want}` });
      return false;
    };
    const passthrough = (n: Node): boolean => {
      if (ctx.protectedNodes.has(n.name)) {
        skip({ code: 'protected', node: n.name, message: `'${n.name}' is a graph input or output, so it cannot be renamed` });
        return false;
      }
      const others = (idx.consumers.get(n.name) ?? []).filter((c) => c.node.name !== bn.name);
      if (others.length > 0) {
        skip({ code: 'shared-output', node: n.name, message: `'${n.name}' is also read by '${others[0]!.node.name}'` });
        return false;
      }
      return true;
    };

    if (src && src.op === 'BatchToSpaceND' && parseInput(p.input).port === 0 && !parseInput(p.input).control) {
      // Pass B: an atrous convolution's BatchToSpaceND sits between the conv and the batch norm.
      const b2s = src;
      const bd = dataInputs(b2s);
      if (bd.length !== 3) continue;
      const chain = matchChain(bd[0]!, b2s.name, bn);
      if (!chain || !formatOk(chain) || !channelsOk(chain, C) || !passthrough(b2s)) continue;
      if (!plan.claim([bn.name, b2s.name, ...chainNodes(chain)])) continue;
      const biasName = plan.uniqueName(`${chain.conv.name}/biasadd`);
      const nodes = fuse(chain, p.scale, p.offset, biasName, []);
      const moved = updateNode(b2s, { name: bn.name, inputs: [biasName, ...b2s.inputs.slice(1), ...bnControls] });
      plan.replace(bn.name, [...nodes, moved]);
      plan.replace(b2s.name, []);
      plan.rename(b2s.name, bn.name);
    } else if (src && (src.op === 'ConcatV2') && parseInput(p.input).port === 0 && !parseInput(p.input).control) {
      // Pass C: a channel concat of several convolutions.
      const concat = src;
      const cd = dataInputs(concat);
      const axisNode = constAt(idx, cd[cd.length - 1] ?? '');
      if (cd.length < 3 || !axisNode) {
        skip({ code: 'not-const', node: bn.name, message: `The axis of ConcatV2 '${concat.name}' is not a Const` }, 'info');
        continue;
      }
      const parts = cd.slice(0, -1);
      if (new Set(parts.map((s) => parseInput(s).node)).size !== parts.length) {
        skip({ code: 'shared-output', node: concat.name, message: `'${concat.name}' reads the same node twice; its weights cannot be scaled two ways` });
        continue;
      }
      const chains: LinearChain[] = [];
      for (const s of parts) {
        const c = matchChain(s, concat.name, bn);
        if (!c) break;
        chains.push(c);
      }
      if (chains.length !== parts.length) continue;
      if (!chains.every(formatOk) || !passthrough(concat)) continue;
      const axisT = constValue(axisNode);
      const rawAxis = numElements(axisT.shape) === 1 ? tensorToNumbers(axisT)[0]! : NaN;
      const axis = rawAxis < 0 ? rawAxis + 4 : rawAxis;
      const channelAxis = p.format === 'NCHW' ? 1 : 3;
      const split = axis === channelAxis;
      if (split) {
        const total = chains.reduce((s, c) => s + c.channels, 0);
        if (total !== C) {
          skip({ code: 'bad-shape', node: bn.name, message: `The convolutions concatenated by '${concat.name}' have ${total} channels but '${bn.name}' normalizes ${C}` });
          continue;
        }
      } else if (!chains.every((c) => channelsOk(c, C))) {
        continue;
      }
      if (!plan.claim([bn.name, concat.name, ...chains.flatMap(chainNodes)])) continue;
      const out: Node[] = [];
      const newInputs: string[] = [];
      let at = 0;
      chains.forEach((c, i) => {
        const sl = split ? [at, at + c.channels] : [0, C];
        at += c.channels;
        const name = plan.uniqueName(`${concat.name}_bn_in${i}`);
        for (const item of fuse(c, p.scale.subarray(sl[0], sl[1]), p.offset.subarray(sl[0], sl[1]), name, [])) out.push(item);
        newInputs.push(name);
      });
      const moved = updateNode(concat, { name: bn.name, inputs: [...newInputs, ...concat.inputs.slice(parts.length), ...bnControls] });
      plan.replace(bn.name, [...out, moved]);
      plan.replace(concat.name, []);
      plan.rename(concat.name, bn.name);
    } else {
      // Pass A: the convolution (and its bias) feeds the batch norm directly.
      const chain = matchChain(p.input, bn.name, bn);
      if (!chain || !formatOk(chain) || !channelsOk(chain, C)) continue;
      if (!plan.claim([bn.name, ...chainNodes(chain)])) continue;
      plan.replace(bn.name, fuse(chain, p.scale, p.offset, bn.name, bnControls));
    }
    for (const c of p.consts) plan.dropIfUnused(c.name);
    folded++;
  }
  if (folded > 0) ctx.count('folded', folded);
  return plan.apply();
};
