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
import type { GraphIndex } from '../../ir/graph';
import type { Node } from '../../ir/node';
import { parseInput } from '../../ir/node';
import { attrWithDefault } from '../../ir/op-facts';
import type { TransformContext } from '../../transform/define';
import { controlInputs, dataInputs } from './linear-chain';

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
export function reportUnsupported(ctx: TransformContext, transform: string, conv: Node, why: string): void {
  ctx.report({ severity: 'warning', code: `${transform}/unsupported`, node: conv.name, message: `Conv2D '${conv.name}' was not fused: ${why}` });
}
