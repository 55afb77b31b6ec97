/**
 * Matching the producer a batch norm folds into: a linear op with constant weights, optionally
 * followed by a bias add, and nothing else reading the intermediate values.
 *
 * ```
 * Conv2D | DepthwiseConv2dNative | MatMul (*, Const weights)        "conv"
 *   [ → BiasAdd(conv, Const[C]) | Add|AddV2(conv, Const per-channel) ]  "bias" (optional)
 *   → the consumer (a batch norm, a Mul, a BatchToSpaceND, a ConcatV2)
 * ```
 *
 * The checks are the ones that make a fold safe: the weights Const is read only by the conv (a
 * shared weight would be rescaled for its other readers too: onnxscript's guard, TensorFlow's
 * `fold_old_batch_norms` has none), the conv and the bias add are read only inside the chain, and
 * none of them is a protected graph input or output. A failed check is returned as a refusal with
 * a stable code so the transform can say why it left the match alone.
 */
import type { GraphIndex } from '../../ir/graph';
import type { Node } from '../../ir/node';
import { dataInputs, parseInput } from '../../ir/node';
import { constAt, constValue } from '../../ir/match';
import type { Tensor } from '../../ir/tensor';
import { baseDType } from '../../ir/dtype';
import { attrWithDefault } from '../../ir/op-facts';
import { attrText } from '../../ir/attr';
import { type ChannelFormat, channelFormat, channelVector, floatArray, isScalableDType, outputChannels } from './conv-weights';

/** A matched linear producer. */
export interface LinearChain {
  readonly conv: Node;
  /** The weights `Const`. */
  readonly weights: Node;
  readonly weightsTensor: Tensor;
  readonly channels: number;
  readonly format: ChannelFormat;
  /** The bias add after the conv, when there is one. */
  readonly bias?: { readonly add: Node; readonly constNode: Node; readonly values: Float64Array };
  /** The last node of the chain (the bias add, or the conv). */
  readonly tail: Node;
}

/** Why a chain that looked foldable was left alone. `code` is the part after `<transform>/`. */
export interface Refusal {
  readonly code: 'shared-weights' | 'shared-output' | 'protected' | 'not-const' | 'bad-shape' | 'unsupported-dtype' | 'data-format';
  readonly node: string;
  readonly message: string;
  readonly hint?: string;
}

export type ChainMatch = { readonly chain: LinearChain } | { readonly refusal: Refusal } | null;

const BIAS_OPS = new Set(['BiasAdd', 'Add', 'AddV2']);

/** The consumer names of `name` other than those allowed, for messages. */
function otherConsumers(idx: GraphIndex, name: string, allowed: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const c of idx.consumers.get(name) ?? []) if (!allowed.has(c.node.name)) out.push(c.node.name);
  return out;
}

/**
 * Matches the producer read by `input` (an input string of `consumer`).
 * Returns null when it is not a linear chain at all, a refusal when it is one but folding it would
 * be wrong, else the chain.
 */
export function matchLinearChain(
  idx: GraphIndex,
  input: string,
  consumer: string,
  ops: ReadonlySet<string>,
  protectedNodes: ReadonlySet<string>,
): ChainMatch {
  const ref = parseInput(input);
  if (ref.control || ref.port !== 0) return null;
  const first = idx.byName.get(ref.node);
  if (!first) return null;
  let conv: Node | undefined;
  let biasAdd: Node | undefined;
  let biasConst: Node | undefined;
  if (BIAS_OPS.has(first.op)) {
    const d = dataInputs(first);
    if (d.length !== 2) return null;
    const order = first.op === 'BiasAdd' ? [[0, 1]] : [[0, 1], [1, 0]];
    for (const [li, ci] of order) {
      const l = parseInput(d[li!]!);
      const lin = l.port === 0 ? idx.byName.get(l.node) : undefined;
      const c = constAt(idx, d[ci!]!);
      if (lin && ops.has(lin.op) && c) {
        conv = lin;
        biasAdd = first;
        biasConst = c;
        break;
      }
    }
    if (!biasAdd) return null;
  } else if (ops.has(first.op)) {
    conv = first;
  } else {
    return null;
  }
  if (!conv) return null;
  const refuse = (code: Refusal['code'], node: string, message: string, hint?: string): ChainMatch => ({
    refusal: { code, node, message, ...(hint ? { hint } : {}) },
  });

  const cd = dataInputs(conv);
  if (cd.length !== 2) return null;
  const weights = constAt(idx, cd[1]!);
  if (!weights) {
    return refuse('not-const', conv.name, `The weights of ${conv.op} '${conv.name}' are not a Const`, 'Run remove_nodes(op=Identity) and fold_constants first so that weights become Consts.');
  }
  const wt = constValue(weights);
  if (!isScalableDType(wt.dtype)) {
    return refuse('unsupported-dtype', conv.name, `The weights of '${conv.name}' are ${wt.dtype}; only float and double weights are rescaled`);
  }
  const channels = outputChannels(conv, wt);
  if (typeof channels === 'string') return refuse('bad-shape', conv.name, channels);
  const format = channelFormat(conv);

  let bias: LinearChain['bias'];
  if (biasAdd && biasConst) {
    const bt = constValue(biasConst);
    if (baseDType(bt.dtype) !== baseDType(wt.dtype)) {
      return refuse('unsupported-dtype', biasAdd.name, `The bias of '${biasAdd.name}' is ${bt.dtype} but the weights are ${wt.dtype}`);
    }
    let values: Float64Array | undefined;
    if (biasAdd.op === 'BiasAdd') {
      const f = attrWithDefault(biasAdd, 'data_format');
      const bf = f?.kind === 's' && attrText(f.value) === 'NCHW' ? 'NCHW' : 'NHWC';
      if (bf !== format) return refuse('data-format', biasAdd.name, `'${biasAdd.name}' is ${bf} but '${conv.name}' is ${format}`);
      values = bt.shape.length === 1 && bt.shape[0] === channels ? Float64Array.from(floatArray(bt)) : undefined;
    } else {
      values = channelVector(bt, channels, format);
    }
    if (!values) {
      return refuse('bad-shape', biasAdd.name, `The bias of '${biasAdd.name}' has shape [${bt.shape.join(',')}], not one value per channel of '${conv.name}' (${channels} channels, ${format})`);
    }
    bias = { add: biasAdd, constNode: biasConst, values };
  }

  const tail = biasAdd ?? conv;
  for (const n of [conv, tail, weights]) {
    if (protectedNodes.has(n.name)) {
      return refuse('protected', n.name, `'${n.name}' is a graph input or output, so it cannot be folded away or rescaled`);
    }
  }
  const wOthers = otherConsumers(idx, weights.name, new Set([conv.name]));
  if (wOthers.length > 0) {
    return refuse('shared-weights', conv.name, `The weights '${weights.name}' of '${conv.name}' are also read by '${wOthers[0]}'${wOthers.length > 1 ? ` and ${wOthers.length - 1} more` : ''}; rescaling them would change those nodes`, 'Give each layer its own weights Const if the fold is wanted.');
  }
  const tOthers = otherConsumers(idx, tail.name, new Set([consumer]));
  if (tOthers.length > 0) {
    return refuse('shared-output', tail.name, `'${tail.name}' is also read by '${tOthers[0]}'; folding would change what that node sees`);
  }
  if (biasAdd) {
    const cOthers = otherConsumers(idx, conv.name, new Set([biasAdd.name]));
    if (cOthers.length > 0) return refuse('shared-output', conv.name, `'${conv.name}' is also read by '${cOthers[0]}'; folding would change what that node sees`);
  }
  return { chain: { conv, weights, weightsTensor: wt, channels, format, ...(bias ? { bias } : {}), tail } };
}
