/**
 * What `fuse_pad_and_conv`, `fuse_resize_and_conv` and `fuse_resize_pad_and_conv` share: finding
 * the `Conv2D` whose input chain can be fused, the checks that keep the fused op equivalent, and
 * the fused node's attributes.
 *
 * `FusedPadConv2D` and `FusedResizeAndPadConv2D` have no `dilations` and no `data_format`, take
 * int32 paddings, and resize like `ResizeBilinear` with `half_pixel_centers=false`. A match that
 * would lose one of these is left alone with a diagnostic (`<transform>/unsupported`); TensorFlow
 * fuses it regardless and changes the results.
 */
import { type AttrValue, attr, attrText } from '../../ir/attr';
import { type Graph, type GraphIndex, graphIndex } from '../../ir/graph';
import type { Node } from '../../ir/node';
import { controlInputs, dataInputs, parseInput } from '../../ir/node';
import { attrWithDefault } from '../../ir/op-facts';
import type { TransformContext } from '../../transform/define';
import { RewritePlan } from '../../ir/rewrite';

/** The node feeding input `i` of `n` through output 0, if it is of `op` and only `n` reads it. */
export function soleProducer(idx: GraphIndex, n: Node, i: number, op: string, protectedNodes: ReadonlySet<string>): Node | undefined {
  const d = dataInputs(n);
  const s = d[i];
  if (s === undefined) return undefined;
  const ref = parseInput(s);
  if (ref.port !== 0) return undefined;
  const p = idx.byName.get(ref.node);
  if (!p || p.op !== op || protectedNodes.has(p.name)) return undefined;
  const consumers = idx.consumers.get(p.name) ?? [];
  return consumers.every((c) => c.node.name === n.name) ? p : undefined;
}

/** Why a Conv2D cannot become a fused op (or undefined when it can). */
export function convUnsupported(conv: Node): string | undefined {
  const dil = attrWithDefault(conv, 'dilations');
  if (dil?.kind === 'list' && (dil.value.i ?? []).some((v) => Number(v) !== 1)) return 'it is dilated';
  const fmt = attrWithDefault(conv, 'data_format');
  if (fmt?.kind === 's' && attrText(fmt.value) !== 'NHWC') return `its data_format is ${attrText(fmt.value)}`;
  const pad = conv.attrs['padding'];
  if (pad?.kind !== 's' || !['SAME', 'VALID'].includes(attrText(pad.value))) return 'its padding is not SAME or VALID';
  if (conv.attrs['strides']?.kind !== 'list') return 'it has no strides';
  return undefined;
}

/** Why a MirrorPad cannot be fused (its paddings must be int32). */
export function mirrorPadUnsupported(pad: Node): string | undefined {
  if (pad.attrs['mode']?.kind !== 's') return `'${pad.name}' has no mode`;
  const t = attrWithDefault(pad, 'Tpaddings');
  return t?.kind === 'type' && t.value !== 'int32' ? `'${pad.name}' has ${t.value} paddings` : undefined;
}

/** Why a ResizeBilinear cannot be fused (half-pixel centers). */
export function resizeUnsupported(resize: Node): string | undefined {
  const h = attrWithDefault(resize, 'half_pixel_centers');
  return h?.kind === 'b' && h.value ? `'${resize.name}' uses half_pixel_centers` : undefined;
}

/** The attributes the fused op takes from the conv: T, padding, strides. */
export function convAttrs(conv: Node): Record<string, AttrValue> {
  return {
    T: conv.attrs['T'] ?? attr.type('float'),
    padding: conv.attrs['padding']!,
    strides: conv.attrs['strides']!,
  };
}

/** Control inputs of several nodes, each once. */
export function mergedControls(...nodes: Node[]): string[] {
  return [...new Set(nodes.flatMap(controlInputs))];
}

/** Reports a refused fusion. */
export function reportUnsupported(ctx: TransformContext, conv: Node, why: string): void {
  ctx.report({ severity: 'warning', code: 'unsupported', node: conv.name, message: `Conv2D '${conv.name}' was not fused: ${why}` });
}

/** The ops a fusion can take in above the conv, with why each may be refused. */
const CHAIN_CHECKS = {
  MirrorPad: mirrorPadUnsupported,
  ResizeBilinear: resizeUnsupported,
} satisfies Record<string, (n: Node) => string | undefined>;

/**
 * The loop the three fusions share. For every two-input `Conv2D`, follows input 0 up through
 * `chainOps` (nearest first): each must be the sole producer of the previous node's input 0 and
 * have two data inputs. A match one of the checks refuses is reported and left alone; otherwise
 * the conv is replaced by the nodes `build` returns, the chain is removed, and `fused` is counted.
 */
export function fuseConvChains<const Ops extends readonly (keyof typeof CHAIN_CHECKS)[]>(
  graph: Graph,
  ctx: TransformContext,
  transform: string,
  chainOps: Ops,
  build: (conv: Node, chain: { readonly [K in keyof Ops]: Node }, plan: RewritePlan) => Node[],
): Graph {
  const idx = graphIndex(graph);
  const plan = new RewritePlan(graph, ctx.protectedNodes);
  for (const conv of graph.nodes) {
    if (conv.op !== 'Conv2D' || dataInputs(conv).length !== 2) continue;
    const chain: Node[] = [];
    for (const op of chainOps) {
      const p = soleProducer(idx, chain[chain.length - 1] ?? conv, 0, op, ctx.protectedNodes);
      if (!p || dataInputs(p).length !== 2) break;
      chain.push(p);
    }
    if (chain.length !== chainOps.length) continue;
    let why = convUnsupported(conv);
    for (let i = 0; i < chain.length && why === undefined; i++) why = CHAIN_CHECKS[chainOps[i]!](chain[i]!);
    if (why) {
      reportUnsupported(ctx, conv, why);
      continue;
    }
    if (!plan.claim([conv.name, ...chain.map((n) => n.name)])) continue;
    // Every op of the chain matched, so it holds one node per op.
    plan.replace(conv.name, build(conv, chain as unknown as { readonly [K in keyof Ops]: Node }, plan));
    for (const n of chain) plan.replace(n.name, []);
    ctx.count('fused');
  }
  return plan.apply();
}
