/**
 * verifyCallSequence: two models that write variables agree only when every call's outputs and the
 * final variables agree. A result that drops the write, or writes something else, fails; so does
 * one whose first call matches but whose state drifts.
 */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import type { Graph } from '../../src/ir/graph';
import { makeTensor } from '../../src/ir/tensor';
import { verifyCallSequence } from '../../src/verify/stateful';
import { graphBuilder } from '../helpers/graph-builder';

const f32 = (v: number) => makeTensor('float', [], [v]);
const tol = { rtol: 1e-4, atol: 1e-5 };
const dt = { dtype: attr.type('float') };

/** v += step (when `write`), then y = read(v) * 2 after the write. */
function counter(step: number, write = true): Graph {
  const b = graphBuilder();
  const v = b.op('VarHandleOp', [], { dtype: attr.type('float'), shape: attr.shape([]), shared_name: attr.s('v') }, 'v');
  const deps: string[] = [];
  if (write) deps.push(`^${b.op('AssignAddVariableOp', [v, b.const('step', f32(step))], dt, 'add')}`);
  const r = b.op('ReadVariableOp', [v, ...deps], dt, 'read');
  b.op('Mul', [r, b.const('two', f32(2))], { T: attr.type('float') }, 'y');
  return b.graph();
}

const side = (graph: Graph) => ({ graph, runtime: { backend: 'cpu' as const, variables: new Map([['v', f32(1)]]) }, fetches: ['y:0'] });
const calls = [0, 1, 2].map(() => ({ a: {}, b: {} }));

describe('verifyCallSequence', () => {
  it('passes when every call and the final state agree, naming each call and the variable', async () => {
    const r = await verifyCallSequence(side(counter(1)), side(counter(1)), calls, ['y'], tol);
    expect(r.variables).toEqual(['v']);
    expect(r.comparisons.map((c) => [c.name, c.pass])).toEqual([
      ['call 1: y', true],
      ['call 2: y', true],
      ['call 3: y', true],
      ['variable v', true],
    ]);
  });

  it('fails a result that does not write the variable, though its first call could match a frozen copy', async () => {
    const r = await verifyCallSequence(side(counter(1)), side(counter(1, false)), calls, ['y'], tol);
    expect(r.comparisons.find((c) => c.name === 'variable v')).toMatchObject({ pass: false, reason: 'the optimized model never writes it' });
    expect(r.comparisons.filter((c) => !c.pass).map((c) => c.name)).toEqual(['call 1: y', 'call 2: y', 'call 3: y', 'variable v']);
  });

  it('fails a result that writes another value', async () => {
    const r = await verifyCallSequence(side(counter(1)), side(counter(1.5)), calls, ['y'], tol);
    expect(r.comparisons.every((c) => !c.pass)).toBe(true);
  });
});
