import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attr, attrEquals, type AttrValue } from '../../src/ir/attr';
import { makeNode } from '../../src/ir/node';
import { attrWithDefault, isStatefulOp, knownOp, knownOps, missingDefaultAttrs, opFacts, outputsVariant } from '../../src/ir/op-facts';
import { MODELS_DIR } from '../helpers/models';

const MODELS = MODELS_DIR;
const CATALOG = path.join(MODELS, 'CATALOG.md');

function expectAttr(actual: AttrValue | undefined, expected: AttrValue): void {
  expect(actual).toBeDefined();
  expect(attrEquals(actual!, expected), `${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`).toBe(true);
}

/** Op names from the catalog's "**Ops (...)**: Name×N, ..." lines. */
function catalogOps(kind: RegExp): Set<string> {
  const ops = new Set<string>();
  for (const line of readFileSync(CATALOG, 'utf8').split('\n')) {
    const m = /\*\*Ops \(([^)]*)\)\*\*: (.*)$/.exec(line);
    if (!m || !kind.test(m[1]!)) continue;
    for (const item of m[2]!.split(',')) {
      const name = item.trim().replace(/×\d+$/, '');
      if (name) ops.add(name);
    }
  }
  return ops;
}

describe.skipIf(!existsSync(CATALOG))('ops of the shared models', () => {
  it('knows every op of every main graph', () => {
    const ops = catalogOps(/main graph/);
    expect(ops.size).toBeGreaterThan(100);
    expect([...ops].filter((op) => !knownOp(op))).toEqual([]);
  });

  it('knows every op of every function library', () => {
    const ops = catalogOps(/function/);
    expect(ops.size).toBeGreaterThan(20);
    expect([...ops].filter((op) => !knownOp(op))).toEqual([]);
  });
});

describe('defaults', () => {
  it('FusedBatchNormV3 defaults to training mode', () => {
    const d = opFacts('FusedBatchNormV3')!.defaults;
    expectAttr(d.is_training, attr.b(true));
    expectAttr(d.epsilon, attr.f(0.0001));
    expectAttr(d.data_format, attr.s('NHWC'));
    expectAttr(d.exponential_avg_factor, attr.f(1));
    expect(d.T).toBeUndefined();
    for (const op of ['FusedBatchNorm', 'FusedBatchNormV2']) expectAttr(opFacts(op)!.defaults.is_training, attr.b(true));
  });

  it('Conv2D and DepthwiseConv2dNative', () => {
    const d = opFacts('Conv2D')!.defaults;
    expectAttr(d.data_format, attr.s('NHWC'));
    expectAttr(d.dilations, attr.list({ i: [1, 1, 1, 1] }));
    expectAttr(d.use_cudnn_on_gpu, attr.b(true));
    expectAttr(d.explicit_paddings, attr.list({}));
    expect(d.padding).toBeUndefined();
    expect(d.strides).toBeUndefined();
    expect(opFacts('Conv2D')!.attrTypes!.strides).toBe('list(int)');
    expect(opFacts('DepthwiseConv2dNative')!.defaults.use_cudnn_on_gpu).toBeUndefined();
    expectAttr(opFacts('DepthwiseConv2dNative')!.defaults.dilations, attr.list({ i: [1, 1, 1, 1] }));
  });

  it('other common defaults', () => {
    expectAttr(opFacts('MatMul')!.defaults.transpose_a, attr.b(false));
    expectAttr(opFacts('BiasAdd')!.defaults.data_format, attr.s('NHWC'));
    expectAttr(opFacts('LeakyRelu')!.defaults.alpha, attr.f(0.2));
    expectAttr(opFacts('MaxPool')!.defaults.T, attr.type('float'));
    expectAttr(opFacts('Mean')!.defaults.keep_dims, attr.b(false));
    expectAttr(opFacts('Mean')!.defaults.Tidx, attr.type('int32'));
    expectAttr(opFacts('ArgMax')!.defaults.output_type, attr.type('int64'));
    expectAttr(opFacts('Shape')!.defaults.out_type, attr.type('int32'));
    expectAttr(opFacts('StridedSlice')!.defaults.shrink_axis_mask, attr.i(0));
    expectAttr(opFacts('Squeeze')!.defaults.squeeze_dims, attr.list({}));
    expectAttr(opFacts('Placeholder')!.defaults.shape, attr.shape(null));
    expectAttr(opFacts('Enter')!.defaults.parallel_iterations, attr.i(10));
    expectAttr(opFacts('Assign')!.defaults.validate_shape, attr.b(true));
    expectAttr(opFacts('AssignVariableOp')!.defaults.validate_shape, attr.b(false));
    expectAttr(opFacts('QuantizeV2')!.defaults.mode, attr.s('MIN_COMBINED'));
    expectAttr(opFacts('QuantizeV2')!.defaults.ensure_minimum_range, attr.f(0.01));
    expectAttr(opFacts('Dequantize')!.defaults.dtype, attr.type('float'));
    expectAttr(opFacts('PrintV2')!.defaults.end, attr.s('\n'));
    expectAttr(opFacts('InitializeTableFromTextFileV2')!.defaults.delimiter, attr.s('\t'));
    expectAttr(opFacts('StatefulPartitionedCall')!.defaults.config, attr.s(''));
    expect(opFacts('Add')!.defaults).toEqual({});
  });
});

describe('statefulness', () => {
  it('marks state, randomness and side effects', () => {
    for (const op of ['VariableV2', 'Variable', 'VarHandleOp', 'RandomUniform', 'TruncatedNormal', 'Assign', 'AssignVariableOp',
      'ReadVariableOp', 'SaveV2', 'RestoreV2', 'Assert', 'PrintV2', 'StatefulPartitionedCall', 'ApplyGradientDescent', 'IteratorGetNext']) {
      expect(isStatefulOp(op), op).toBe(true);
    }
    for (const op of ['Add', 'Const', 'Conv2D', 'Identity', 'PartitionedCall', 'StatelessIf', 'Placeholder', 'FusedBatchNormV3', 'StatelessRandomUniform']) {
      expect(isStatefulOp(op), op).toBe(false);
    }
  });

  it('treats unknown ops as stateful', () => {
    expect(knownOp('MyCustomOp')).toBe(false);
    expect(opFacts('MyCustomOp')).toBeUndefined();
    expect(isStatefulOp('MyCustomOp')).toBe(true);
  });
});

describe('variant outputs', () => {
  it('TensorList ops are pure; the ones making lists, and nodes typed variant, output a variant', () => {
    const node = (op: string, attrs: Record<string, AttrValue> = {}) => makeNode({ name: 'n', op, attrs });
    for (const op of ['EmptyTensorList', 'TensorListReserve', 'TensorListFromTensor', 'TensorListSetItem', 'TensorListPushBack', 'TensorListPopBack', 'TensorListResize', 'TensorListSplit']) {
      expect(isStatefulOp(op), op).toBe(false);
      expect(outputsVariant(node(op)), op).toBe(true);
    }
    for (const op of ['TensorListStack', 'TensorListGetItem', 'TensorListLength', 'TensorListGather', 'Add']) {
      expect(outputsVariant(node(op, { element_dtype: attr.type('float'), T: attr.type('float') })), op).toBe(false);
    }
    expect(outputsVariant(node('Identity', { T: attr.type('variant') }))).toBe(true);
    expect(outputsVariant(node('TensorListGetItem', { element_dtype: attr.type('variant') }))).toBe(true);
    expect(outputsVariant(node('IdentityN', { T: attr.list({ type: ['float', 'variant'] }) }))).toBe(true);
    expect(opFacts('TensorListStack')?.defaults.num_elements).toEqual(attr.i(-1));
  });
});

describe('node helpers', () => {
  it('missingDefaultAttrs on a bare FusedBatchNormV3', () => {
    const bn = makeNode({ name: 'bn', op: 'FusedBatchNormV3', inputs: ['x', 's', 'o', 'm', 'v'], attrs: { T: attr.type('float'), U: attr.type('float') } });
    const missing = missingDefaultAttrs(bn);
    expect(Object.keys(missing).sort()).toEqual(['data_format', 'epsilon', 'exponential_avg_factor', 'is_training']);
    expectAttr(missing.is_training, attr.b(true));
    const partial = makeNode({ name: 'bn2', op: 'FusedBatchNormV3', attrs: { is_training: attr.b(false), epsilon: attr.f(0.001) } });
    expect(Object.keys(missingDefaultAttrs(partial)).sort()).toEqual(['data_format', 'exponential_avg_factor']);
    expect(missingDefaultAttrs(makeNode({ name: 'u', op: 'MyCustomOp' }))).toEqual({});
  });

  it('attrWithDefault prefers the node attribute', () => {
    const bn = makeNode({ name: 'bn', op: 'FusedBatchNormV3', attrs: { is_training: attr.b(false) } });
    expectAttr(attrWithDefault(bn, 'is_training'), attr.b(false));
    expectAttr(attrWithDefault(bn, 'epsilon'), attr.f(0.0001));
    expect(attrWithDefault(bn, 'T')).toBeUndefined();
    expect(attrWithDefault(bn, 'nonexistent')).toBeUndefined();
  });

  it('knownOps is sorted and complete for the inference ops', () => {
    const ops = knownOps();
    expect(ops).toEqual([...ops].sort());
    for (const op of ['BatchMatMulV3', 'ResizeBilinear', 'MirrorPad', 'QuantizedConv2D', 'RequantizationRange', 'While', 'IdentityN', 'BroadcastTo']) {
      expect(ops, op).toContain(op);
    }
  });
});
