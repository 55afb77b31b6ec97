/**
 * The body of `quantizeNodes` (quantize-nodes.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { attr, type AttrValue } from '../../ir/attr';
import { baseDType, type DType } from '../../ir/dtype';
import type { Graph } from '../../ir/graph';
import { graphIndex } from '../../ir/graph';
import { type NodeMatch, type OpTypePattern, matchedNodes, replaceMatchingOpTypes } from '../../ir/match';
import { type Node, controlInputs, dataInputs, isControlInput, makeNode, parseInput } from '../../ir/node';
import { attrWithDefault } from '../../ir/op-facts';
import { renameNodeInputs } from '../../ir/rename';
import { makeTensor } from '../../ir/tensor';
import { updateNode, withNodesIfChanged } from '../../ir/edit';
import { validateGraph } from '../../ir/validate';
import { GraftError } from '../../errors';
import type { TransformContext, ApplyOf } from '../../transform/define';
import { mergeDuplicateNodes } from '../merge-duplicate-nodes';
import type { quantizeNodes } from '../quantize-nodes';

/** How one float op becomes its quantized form (spec §10.2). */
interface QuantizableOp {
  readonly quantized: string;
  /** Attributes copied from the float op. */
  readonly copy: readonly string[];
  /** dtype attributes set on the quantized op. */
  readonly types: Readonly<Record<string, DType>>;
  /** True when the quantized op outputs qint32 (then Requantize brings it back to quint8). */
  readonly int32Output: boolean;
  /** Input indexes passed through unquantized (Concat's dim, Reshape's shape, ResizeBilinear's size). */
  readonly unquantized: readonly number[];
  /** Min/max order: `[v…, min0, max0, min1, max1…]` (contiguous) or `[v…, mins…, maxes…]` (separate). */
  readonly layout: 'contiguous' | 'separate';
}

const PRODUCT = { T1: 'quint8', T2: 'quint8', Toutput: 'qint32' } as const;

const op = (quantized: string, o: Partial<Omit<QuantizableOp, 'quantized'>>): QuantizableOp => ({
  quantized,
  copy: o.copy ?? [],
  types: o.types ?? {},
  int32Output: o.int32Output ?? false,
  unquantized: o.unquantized ?? [],
  layout: o.layout ?? 'contiguous',
});

/** The float ops quantize_nodes rewrites. */
export const QUANTIZABLE_OPS: Readonly<Record<string, QuantizableOp>> = {
  Add: op('QuantizedAdd', { types: PRODUCT, int32Output: true }),
  AvgPool: op('QuantizedAvgPool', { copy: ['ksize', 'strides', 'padding'], types: { T: 'quint8' } }),
  BiasAdd: op('QuantizedBiasAdd', { types: { T1: 'quint8', T2: 'quint8', out_type: 'qint32' }, int32Output: true }),
  Concat: op('QuantizedConcat', { copy: ['N'], types: { T: 'quint8' }, unquantized: [0], layout: 'separate' }),
  Conv2D: op('QuantizedConv2D', { copy: ['strides', 'padding'], types: { Tinput: 'quint8', Tfilter: 'quint8', out_type: 'qint32' }, int32Output: true }),
  MatMul: op('QuantizedMatMul', { copy: ['transpose_a', 'transpose_b'], types: PRODUCT, int32Output: true }),
  MaxPool: op('QuantizedMaxPool', { copy: ['ksize', 'strides', 'padding'], types: { T: 'quint8' } }),
  Mul: op('QuantizedMul', { types: PRODUCT, int32Output: true }),
  Relu: op('QuantizedRelu', { types: { Tinput: 'quint8' } }),
  Relu6: op('QuantizedRelu6', { types: { Tinput: 'quint8' } }),
  ResizeBilinear: op('QuantizedResizeBilinear', { copy: ['align_corners', 'half_pixel_centers'], types: { T: 'quint8' }, unquantized: [1] }),
  Reshape: op('QuantizedReshape', { types: { T: 'quint8' }, unquantized: [1] }),
};

export const apply: ApplyOf<typeof quantizeNodes> = (graph, params, ctx) => {
  const hasInput = params.inputMin !== undefined || params.inputMax !== undefined;
  if (hasInput && (params.inputMin === undefined || params.inputMax === undefined)) {
    throw new GraftError('transform/bad-param', 'You must pass both input_min and input_max into quantize_nodes');
  }
  const hasFallback = params.fallbackMin !== undefined || params.fallbackMax !== undefined;
  if (hasFallback && (params.fallbackMin === undefined || params.fallbackMax === undefined)) {
    throw new GraftError('transform/bad-param', 'You must pass both fallback_min and fallback_max into quantize_nodes');
  }
  let g = graph;
  if (hasInput) g = checked(quantizePlaceholders(g, params.inputMin!, params.inputMax!, ctx), 'quantize placeholders');
  g = checked(hoistFakeQuants(g), 'hoist fake quants');
  g = checked(convertFakeQuantsToRequantize(g), 'convert fake quants');
  const fallback = hasFallback ? { min: params.fallbackMin!, max: params.fallbackMax! } : undefined;
  g = checked(quantizeEachNode(g, new Set(params.ignoreOp), fallback, ctx), 'quantize nodes');
  g = checked(mergeAdjacentRequantizes(g), 'merge adjacent requantizes');
  g = checked(ctx.run(mergeDuplicateNodes, g), 'merge duplicate nodes');
  g = checked(removeRedundantQuantizations(g, ctx), 'remove redundant quantizations');
  return g;
};

/** TF's `IsGraphValid` after each pass: every input names an existing node. */
function checked(graph: Graph, pass: string): Graph {
  const problems = validateGraph(graph, { cycles: false }).filter((p) => p.code === 'graph/dangling-input');
  if (problems.length > 0) {
    throw new GraftError('transform/invalid-output', `quantize_nodes (${pass}): invalid graph with inputs referring to nonexistent nodes: ${problems.slice(0, 3).map((p) => p.message).join('; ')}`, {
      node: problems[0]!.node,
    });
  }
  return graph;
}

const constFloat = (name: string, value: number, inputs: readonly string[] = []): Node =>
  makeNode({ name, op: 'Const', inputs, attrs: { dtype: attr.type('float'), value: attr.tensor(makeTensor('float', [], [value])) } });

const constInts = (name: string, shape: number[], values: number[], inputs: readonly string[]): Node =>
  makeNode({ name, op: 'Const', inputs, attrs: { dtype: attr.type('int32'), value: attr.tensor(makeTensor('int32', shape, values)) } });

const dequantizeNode = (name: string, inputs: readonly string[]): Node =>
  makeNode({ name, op: 'Dequantize', inputs, attrs: { T: attr.type('quint8'), mode: attr.s('MIN_FIRST') } });

function typeOf(node: Node, name: string): DType | undefined {
  const a = attrWithDefault(node, name);
  return a?.kind === 'type' ? baseDType(a.value) : undefined;
}

// ------------------------------------------------------------------ pass 1

/** Float placeholders take quint8 in [min, max]; a Dequantize feeds their consumers. */
export function quantizePlaceholders(graph: Graph, min: number, max: number, ctx?: Pick<TransformContext, 'report'>): Graph {
  const out: Node[] = [];
  const renames = new Map<string, string>();
  const ignore = new Set<string>();
  for (const node of graph.nodes) {
    if (node.op !== 'Placeholder') {
      out.push(node);
      continue;
    }
    const dtype = typeOf(node, 'dtype');
    if (dtype !== 'float') {
      ctx?.report({ severity: 'info', code: 'placeholder-not-float', node: node.name, message: `Placeholder '${node.name}' is ${dtype ?? 'untyped'}, not float: left as it is (TensorFlow would make it quint8)` });
      out.push(node);
      continue;
    }
    const ns = `${node.name}_eightbit`;
    const deq = `${ns}/dequantize`;
    out.push(updateNode(node, { attrs: { ...node.attrs, dtype: attr.type('quint8') } }));
    out.push(constFloat(`${ns}/min`, min), constFloat(`${ns}/max`, max));
    out.push(dequantizeNode(deq, [node.name, `${ns}/min`, `${ns}/max`]));
    renames.set(node.name, deq);
    ignore.add(deq);
  }
  if (renames.size === 0) return graph;
  return renameNodeInputs(withNodesIfChanged(graph, out), renames, ignore);
}

// ------------------------------------------------------------------ pass 2

/** `FakeQuantWithMinMaxVars(X1(X2(…X_{depth+1})), Const, Const)`, each X_i (i ≤ depth) with one data input. */
function hoistPattern(depth: number): OpTypePattern {
  let chain: OpTypePattern = { op: '*' };
  for (let i = 0; i < depth; i++) chain = { op: '*', inputs: [chain] };
  return { op: 'FakeQuantWithMinMaxVars', inputs: [chain, { op: 'Const' }, { op: 'Const' }] };
}

/** Moves each FakeQuant above the single-input ops before it (depth 3, then 2, then 1). */
export function hoistFakeQuants(graph: Graph): Graph {
  let g = graph;
  for (const depth of [3, 2, 1]) {
    g = replaceMatchingOpTypes(g, hoistPattern(depth), (m) => {
      const fq = m.node;
      const chain: Node[] = [];
      let cur: NodeMatch = m.inputs[0]!;
      for (let i = 0; i <= depth; i++) {
        chain.push(cur.node);
        cur = cur.inputs[0]!;
      }
      const deepest = chain[depth - 1]!;
      const hoistedName = `${fq.name}_hoisted`;
      const deepestData = deepest.inputs.findIndex((s) => s !== '' && !isControlInput(s));
      const hoisted = updateNode(fq, { name: hoistedName, inputs: [deepest.inputs[deepestData]!, ...fq.inputs.slice(1)] });
      const rewired = chain.map((n, i) => {
        let x = n;
        if (i === depth - 1) {
          const inputs = [...x.inputs];
          inputs[deepestData] = hoistedName;
          x = updateNode(x, { inputs });
        }
        // X1 takes the FakeQuant's name, so the FakeQuant's consumers now read it.
        if (i === 0) x = updateNode(x, { name: fq.name });
        return x;
      });
      return [hoisted, m.inputs[1]!.node, m.inputs[2]!.node, ...rewired];
    });
  }
  return g;
}

// ------------------------------------------------------------------ pass 3

/** `FakeQuantWithMinMaxVars(x, Const min, Const max)` → QuantizeV2(qint32) → Requantize(min, max) → Dequantize. */
export function convertFakeQuantsToRequantize(graph: Graph): Graph {
  const pattern: OpTypePattern = { op: 'FakeQuantWithMinMaxVars', inputs: [{ op: '*' }, { op: 'Const' }, { op: 'Const' }] };
  return replaceMatchingOpTypes(graph, pattern, (m) => {
    const fq = m.node;
    const minNode = m.inputs[1]!.node;
    const maxNode = m.inputs[2]!.node;
    const data = dataInputs(fq);
    const ns = `${fq.name}_eightbit`;
    const quantize = makeNode({
      name: `${ns}/quantize`,
      op: 'QuantizeV2',
      inputs: [data[0]!, minNode.name, maxNode.name],
      attrs: { T: attr.type('qint32'), mode: attr.s('MIN_FIRST') },
    });
    const requantize = makeNode({
      name: `${ns}/requantize`,
      op: 'Requantize',
      inputs: [`${quantize.name}:0`, `${quantize.name}:1`, `${quantize.name}:2`, minNode.name, maxNode.name],
      attrs: { Tinput: attr.type('qint32'), out_type: attr.type('quint8') },
    });
    const deq = dequantizeNode(fq.name, [`${requantize.name}:0`, `${requantize.name}:1`, `${requantize.name}:2`]);
    return [m.inputs[0]!.node, minNode, maxNode, quantize, requantize, deq];
  });
}

// ------------------------------------------------------------------ pass 4

/** `input:0` → `input__port__0`, `^x` → `__hat__x` (TF's unique-name rule for chain nodes). */
export function uniqueInputName(input: string): string {
  let s = input.startsWith('^') ? `__hat__${input.slice(1)}` : input;
  const colon = s.lastIndexOf(':');
  if (colon >= 0 && /^\d+$/.test(s.slice(colon + 1))) s = `${s.slice(0, colon)}__port__${s.slice(colon + 1)}`;
  return s;
}

/** Why a matched float node stays float, or undefined when it can be quantized. */
function refusal(node: Node): string | undefined {
  const t = typeOf(node, 'T');
  if (t !== 'float') return `its type T is ${t ?? 'missing'}, not float`;
  const fmt = attrWithDefault(node, 'data_format');
  if (fmt?.kind === 's') {
    const f = typeof fmt.value === 'string' ? fmt.value : new TextDecoder().decode(fmt.value);
    if (f !== 'NHWC') return `data_format ${f} has no quantized kernel (TensorFlow would drop it and compute NHWC)`;
  }
  const dil = attrWithDefault(node, 'dilations');
  if (dil?.kind === 'list' && (dil.value.i ?? []).some((d) => Number(d) !== 1)) {
    return 'dilations other than 1 have no quantized kernel (TensorFlow would drop them)';
  }
  return undefined;
}

function quantizeEachNode(graph: Graph, ignore: ReadonlySet<string>, fallback: { min: number; max: number } | undefined, ctx: TransformContext): Graph {
  const ops = Object.keys(QUANTIZABLE_OPS).filter((o) => !ignore.has(o));
  if (ops.length === 0) return graph;
  let quantized = 0;
  const out = replaceMatchingOpTypes(graph, { op: ops.join('|') }, (m) => {
    const node = m.node;
    const why = refusal(node);
    if (why) {
      ctx.report({ severity: 'info', code: 'left-float', node: node.name, message: `'${node.name}' (${node.op}) stays float: ${why}` });
      return [node];
    }
    quantized++;
    return quantizeNode(node, QUANTIZABLE_OPS[node.op]!, fallback);
  });
  if (quantized > 0) ctx.count('quantized', quantized);
  return out;
}

/** The nodes replacing one float op (spec §10.3 step 4). */
function quantizeNode(node: Node, q: QuantizableOp, fallback: { min: number; max: number } | undefined): Node[] {
  const emitted: Node[] = [];
  const ns = `${node.name}_eightbit`;
  const data = dataInputs(node);
  const controls = controlInputs(node);
  const chainOf = new Map<string, string>();
  const values: string[] = [];
  const mins: string[] = [];
  const maxs: string[] = [];
  data.forEach((s, i) => {
    if (q.unquantized.includes(i)) {
      values.push(s);
      return;
    }
    let quantize = chainOf.get(s);
    if (!quantize) {
      const u = `${ns}/${uniqueInputName(s)}`;
      const src = `^${parseInput(s).node}`;
      quantize = `${u}/quantize`;
      chainOf.set(s, quantize);
      emitted.push(
        constInts(`${u}/reshape_dims`, [1], [-1], [src]),
        constInts(`${u}/reduction_dims`, [1], [0], [src]),
        makeNode({ name: `${u}/reshape`, op: 'Reshape', inputs: [s, `${u}/reshape_dims`], attrs: { T: attr.type('float') } }),
        makeNode({ name: `${u}/min`, op: 'Min', inputs: [`${u}/reshape`, `${u}/reduction_dims`], attrs: { T: attr.type('float'), keep_dims: attr.b(false) } }),
        makeNode({ name: `${u}/max`, op: 'Max', inputs: [`${u}/reshape`, `${u}/reduction_dims`], attrs: { T: attr.type('float'), keep_dims: attr.b(false) } }),
        makeNode({ name: quantize, op: 'QuantizeV2', inputs: [s, `${u}/min`, `${u}/max`], attrs: { T: attr.type('quint8'), mode: attr.s('MIN_FIRST') } }),
      );
    }
    values.push(`${quantize}:0`);
    mins.push(`${quantize}:1`);
    maxs.push(`${quantize}:2`);
  });
  const rangeInputs = q.layout === 'separate' ? [...mins, ...maxs] : mins.flatMap((m, i) => [m, maxs[i]!]);
  const attrs: Record<string, AttrValue> = {};
  for (const name of q.copy) {
    const a = attrWithDefault(node, name);
    if (!a) throw new GraftError('graph/bad-attr', `Node '${node.name}' (${node.op}) has no '${name}' attribute, which quantize_nodes copies to ${q.quantized}`, { node: node.name, op: node.op });
    attrs[name] = a;
  }
  for (const [name, t] of Object.entries(q.types)) attrs[name] = attr.type(t);
  const eightbit = `${node.name}/eightbit`;
  emitted.push(makeNode({ name: eightbit, op: q.quantized, inputs: [...values, ...rangeInputs, ...controls], attrs }));
  let src = eightbit;
  if (q.int32Output) {
    let min: string;
    let max: string;
    if (fallback) {
      min = `${eightbit}/fallback_min`;
      max = `${eightbit}/fallback_max`;
      emitted.push(constFloat(min, fallback.min), constFloat(max, fallback.max));
    } else {
      const range = `${eightbit}/requant_range`;
      emitted.push(makeNode({ name: range, op: 'RequantizationRange', inputs: [`${eightbit}:0`, `${eightbit}:1`, `${eightbit}:2`], attrs: { Tinput: attr.type('qint32') } }));
      min = `${range}:0`;
      max = `${range}:1`;
    }
    src = `${eightbit}/requantize`;
    emitted.push(
      makeNode({ name: src, op: 'Requantize', inputs: [`${eightbit}:0`, `${eightbit}:1`, `${eightbit}:2`, min, max], attrs: { Tinput: attr.type('qint32'), out_type: attr.type('quint8') } }),
    );
  }
  emitted.push(dequantizeNode(node.name, [`${src}:0`, `${src}:1`, `${src}:2`]));
  return emitted;
}

// ------------------------------------------------------------------ pass 5

const MERGE_REQUANTIZES: OpTypePattern = {
  op: 'Requantize',
  inputs: [
    {
      op: 'QuantizeV2',
      inputs: [
        {
          op: 'Dequantize',
          inputs: [
            { op: 'Requantize', inputs: [{ op: '*' }, { op: '*' }, { op: '*' }, { op: 'RequantizationRange' }, { op: 'RequantizationRange' }] },
            { op: 'Requantize' },
            { op: 'Requantize' },
          ],
        },
        { op: 'Const' },
        { op: 'Const' },
      ],
    },
    { op: 'QuantizeV2' },
    { op: 'QuantizeV2' },
    { op: 'Const' },
    { op: 'Const' },
  ],
};

/** A dynamic requantization followed by a constant one becomes the constant one alone. */
export function mergeAdjacentRequantizes(graph: Graph): Graph {
  return replaceMatchingOpTypes(graph, MERGE_REQUANTIZES, (m) => {
    const outer = m.node;
    const inner = m.inputs[0]!.inputs[0]!.inputs[0]!;
    const source = inner.inputs[0]!.node;
    const outerMin = m.inputs[3]!.node;
    const outerMax = m.inputs[4]!.node;
    const controls = outer.inputs.filter(isControlInput);
    const merged = updateNode(outer, { inputs: [`${source.name}:0`, `${source.name}:1`, `${source.name}:2`, outerMin.name, outerMax.name, ...controls] });
    const out = [source, outerMin];
    if (outerMax.name !== outerMin.name) out.push(outerMax);
    out.push(merged);
    return out;
  });
}

// ------------------------------------------------------------------ pass 7

/** Eight-bit consumers of `QuantizeV2(Dequantize(q, min, max), Min, Max)` read `q, min, max` directly. */
export function removeRedundantQuantizations(graph: Graph, ctx?: Pick<TransformContext, 'protectedNodes'>): Graph {
  const renames = new Map<string, string>();
  const { byName } = graphIndex(graph);
  const pattern: OpTypePattern = { op: 'QuantizeV2', inputs: [{ op: 'Dequantize' }, { op: 'Min' }, { op: 'Max' }] };
  const out = replaceMatchingOpTypes(
    graph,
    pattern,
    (m, mctx) => {
      const q = m.node;
      const d = m.inputs[0]!.node;
      const original = matchedNodes(m);
      const dData = dataInputs(d);
      // Only when the eight-bit type is the same on both sides (see the module comment).
      const dtype = typeOf(d, 'T');
      if (dtype === undefined || dtype !== typeOf(q, 'T') || dData.length < 3 || !dData.slice(0, 3).every((s) => byName.has(parseInput(s).node))) return original;
      renames.set(`${q.name}:0`, dData[0]!);
      renames.set(`${q.name}:1`, dData[1]!);
      renames.set(`${q.name}:2`, dData[2]!);
      // The Dequantize still feeds float consumers (in practice always: the Reshape of the Min/Max
      // chain reads it), so the matched nodes stay; strip_unused_nodes removes what is dead.
      if (mctx.outputNodes.has(d.name) || ctx?.protectedNodes.has(d.name)) return original;
      return [];
    },
    { allowInconsistencies: true },
  );
  return renames.size === 0 ? out : renameNodeInputs(out, renames);
}
