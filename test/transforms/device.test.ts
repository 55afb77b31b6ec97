import { describe, expect, it } from 'vitest';
import { removeDevice } from '../../src/transforms/remove-device';
import { setDevice } from '../../src/transforms/set-device';
import { graphBuilder, nodeOf, snapshot } from '../helpers/graph-builder';
import { run } from '../helpers/context';

function devices() {
  const b = graphBuilder();
  b.op('Const', [], {}, 'gpu', { device: '/device:GPU:0' });
  b.op('Relu', ['gpu'], {}, 'none');
  return b.graph();
}

describe('remove_device', () => {
  it('clears every device; untouched nodes stay the same objects', () => {
    const g = devices();
    const before = snapshot(g);
    const out = run(removeDevice, g).graph;
    expect(out.nodes.map((n) => n.device)).toEqual(['', '']);
    expect(nodeOf(out, 'none')).toBe(nodeOf(g, 'none'));
    expect(snapshot(g)).toBe(before);
    expect(run(removeDevice, out).graph).toBe(out);
  });
});

describe('set_device', () => {
  it('sets every device', () => {
    const out = run(setDevice, devices(), { device: '/device:CPU:0' }).graph;
    expect(out.nodes.map((n) => n.device)).toEqual(['/device:CPU:0', '/device:CPU:0']);
  });
  it('if_default=true only fills empty devices', () => {
    const out = run(setDevice, devices(), { device: '/device:CPU:0', ifDefault: true }).graph;
    expect(out.nodes.map((n) => n.device)).toEqual(['/device:GPU:0', '/device:CPU:0']);
  });
  it('returns the same graph when nothing changes', () => {
    const g = devices();
    expect(run(setDevice, g, { device: '/device:GPU:0', ifDefault: false }).graph).not.toBe(g);
    const b = graphBuilder();
    b.op('Const', [], {}, 'c');
    const empty = b.graph();
    expect(run(setDevice, empty).graph).toBe(empty);
  });
});
