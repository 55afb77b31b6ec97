/**
 * The body of `sortByExecutionOrder` (sort-by-execution-order.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { GraftError } from '../../errors';
import { executionOrder } from '../../ir/topo';
import { withNodesIfChanged } from '../../ir/edit';
import type { ApplyOf } from '../../transform/define';
import type { sortByExecutionOrder } from '../sort-by-execution-order';

export const apply: ApplyOf<typeof sortByExecutionOrder> = (graph) => {
  const { order, inCycle, unknownInputs } = executionOrder(graph);
  if (unknownInputs.length > 0) {
    const [node, missing] = unknownInputs[0]!;
    throw new GraftError('graph/dangling-input', `Node '${node}': Unknown input node '${missing}'`, { node });
  }
  if (inCycle.length > 0) {
    throw new GraftError('graph/cycle', `${inCycle.length} nodes in a cycle, e.g. '${inCycle[0]!.name}'`, { node: inCycle[0]!.name });
  }
  return withNodesIfChanged(graph, order);
};
