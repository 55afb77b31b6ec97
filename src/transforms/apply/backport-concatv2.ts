/**
 * The body of `backportConcatV2` (backport-concatv2.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { attrWithDefault } from '../../ir/op-facts';
import { mapNodes, removeAttrs, updateNode } from '../../ir/edit';
import type { ApplyOf } from '../../transform/define';
import { controlInputs, dataInputs } from '../../ir/node';
import type { backportConcatV2 } from '../backport-concatv2';

export const apply: ApplyOf<typeof backportConcatV2> = (graph, _params, ctx) => {
  return mapNodes(graph, (node) => {
    if (node.op !== 'ConcatV2') return node;
    const data = dataInputs(node);
    if (data.length < 2) return node;
    const tidx = attrWithDefault(node, 'Tidx');
    if (tidx?.kind === 'type' && tidx.value !== 'int32') {
      ctx.report({ severity: 'warning', code: 'int64-axis', node: node.name, message: `ConcatV2 '${node.name}' has a ${tidx.value} axis; Concat only takes int32` });
      return node;
    }
    ctx.count('backported');
    const axis = data[data.length - 1]!;
    return updateNode(removeAttrs(node, ['Tidx']), { op: 'Concat', inputs: [axis, ...data.slice(0, -1), ...controlInputs(node)] });
  });
};
