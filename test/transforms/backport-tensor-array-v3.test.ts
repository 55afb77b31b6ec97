/** backport_tensor_array_v3: TensorFlow's backports_test cases, then graft's additions. */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { backportTensorArrayV3 } from '../../src/transforms/backport-tensor-array-v3';
import { graphBuilder, nodeOf, snapshot } from '../helpers/graph-builder';
import { run } from '../helpers/context';

const F = attr.type('float');

describe('backport_tensor_array_v3 (TensorFlow backports_test)', () => {
  it('TestBackportTensorArrayV3: V3 → V2, flow readers read X/replacement_flow_node (float 1.0)', () => {
    const b = graphBuilder();
    b.const('size_node', makeTensor('int32', [], [1]));
    b.op('TensorArrayV3', ['size_node'], { dtype: F, element_shape: attr.shape([1, 2]), dynamic_size: attr.b(false), clear_after_read: attr.b(true), tensor_array_name: attr.s('some_name') }, 'tensor_array_node');
    b.op('Identity', ['tensor_array_node:0'], {}, 'handle_output_node');
    b.op('Identity', ['tensor_array_node:1'], {}, 'flow_output_node');
    b.op('TensorArrayGradV3', ['tensor_array_node:0', 'tensor_array_node:1'], { source: attr.s('foo') }, 'tensor_array_grad_node');
    b.op('Identity', ['tensor_array_grad_node:0'], {}, 'grad_handle_output_node');
    b.op('Identity', ['tensor_array_grad_node:1'], {}, 'grad_flow_output_node');
    const g = b.graph();
    const before = snapshot(g);
    const { graph: out, ctx } = run(backportTensorArrayV3, g, {}, { outputs: ['handle_output_node', 'grad_handle_output_node'] });
    expect(nodeOf(out, 'tensor_array_node').op).toBe('TensorArrayV2');
    expect(nodeOf(out, 'tensor_array_node').attrs).toEqual(nodeOf(g, 'tensor_array_node').attrs);
    expect(nodeOf(out, 'tensor_array_grad_node').op).toBe('TensorArrayGradV2');
    for (const n of out.nodes) expect(n.inputs).not.toContain('tensor_array_node:1');
    expect(nodeOf(out, 'flow_output_node').inputs).toEqual(['tensor_array_node/replacement_flow_node']);
    expect(nodeOf(out, 'tensor_array_grad_node').inputs).toEqual(['tensor_array_node:0', 'tensor_array_node/replacement_flow_node']);
    expect(nodeOf(out, 'grad_flow_output_node').inputs).toEqual(['tensor_array_grad_node/replacement_flow_node']);
    const flow = nodeOf(out, 'tensor_array_node/replacement_flow_node');
    expect(flow.op).toBe('Const');
    expect(flow.attrs.dtype).toEqual(F);
    const v = flow.attrs.value;
    expect(v?.kind === 'tensor' && v.value.shape).toEqual([]);
    expect(v?.kind === 'tensor' && tensorToNumbers(v.value)).toEqual([1]);
    // the Const sits right after its TensorArray, as TensorFlow's ReplaceMatchingOpTypes puts it
    const names = out.nodes.map((n) => n.name);
    expect(names.indexOf('tensor_array_node/replacement_flow_node')).toBe(names.indexOf('tensor_array_node') + 1);
    expect(ctx.counters.get('backported')).toBe(2);
    expect(snapshot(g)).toBe(before);
  });

  it('TestBackportTensorArrayV3Subtypes: each other V3 op is renamed …V2', () => {
    for (const op of ['TensorArrayWriteV3', 'TensorArrayReadV3', 'TensorArrayGatherV3', 'TensorArrayScatterV3', 'TensorArrayConcatV3', 'TensorArraySplitV3', 'TensorArraySizeV3', 'TensorArrayCloseV3']) {
      const b = graphBuilder();
      b.op(op, [], {}, 'v3_node');
      const { graph: out } = run(backportTensorArrayV3, b.graph());
      expect(nodeOf(out, 'v3_node').op).toBe(`${op.slice(0, -2)}V2`);
    }
  });

  it('control inputs on a TensorArray are left alone; a graph without V3 ops is returned as is', () => {
    const b = graphBuilder();
    b.const('n', makeTensor('int32', [], [1]));
    b.op('TensorArrayV3', ['n'], { dtype: F }, 'ta');
    b.op('NoOp', ['^ta'], {}, 'after');
    const { graph: out } = run(backportTensorArrayV3, b.graph());
    expect(nodeOf(out, 'after').inputs).toEqual(['^ta']);
    const b2 = graphBuilder();
    b2.const('a', 1);
    const g2 = b2.graph();
    expect(run(backportTensorArrayV3, g2).graph).toBe(g2);
  });

  it('refuses to add a second node named X/replacement_flow_node', () => {
    const b = graphBuilder();
    b.const('n', makeTensor('int32', [], [1]));
    b.op('TensorArrayV3', ['n'], { dtype: F }, 'ta');
    b.const('ta/replacement_flow_node', 2);
    expect(() => run(backportTensorArrayV3, b.graph())).toThrow(/already has that name/);
  });
});
