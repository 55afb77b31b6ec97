import { describe, expect, it } from 'vitest';
import { removeControlDependencies } from '../../src/transforms/remove-control-dependencies';
import { graphBuilder, nodeOf, snapshot } from '../helpers/graph-builder';
import { run } from '../helpers/context';

describe('remove_control_dependencies', () => {
  it('drops ^inputs and keeps data inputs with their ports', () => {
    const b = graphBuilder();
    b.op('NoOp', [], {}, 'init');
    b.op('Split', [], {}, 's');
    b.op('Add', ['s:1', 's', '^init'], {}, 'add');
    const g = b.graph();
    const before = snapshot(g);
    const { graph: out, ctx } = run(removeControlDependencies, g);
    expect(nodeOf(out, 'add').inputs).toEqual(['s:1', 's']);
    expect(nodeOf(out, 's')).toBe(nodeOf(g, 's'));
    expect(ctx.counters.get('removed_edges')).toBe(1);
    expect(snapshot(g)).toBe(before);
    expect(run(removeControlDependencies, out).graph).toBe(out);
  });
});
