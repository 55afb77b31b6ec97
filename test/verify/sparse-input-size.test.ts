/**
 * Seeded COO sparse inputs obey the generated-input limit: a signature whose dense shape asks for
 * more rows than the limit allows is refused with runtime/too-large before anything is allocated
 * (it used to build one BigInt per index element first, running out of memory on a model's
 * declared [200000000, 4] shape).
 */
import { describe, expect, it } from 'vitest';
import { makeGraph } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { seededSparseInput } from '../../src/verify/feeds';
import { isGraftError } from '../../src/errors';
import type { TensorInfo } from '../../src/io/saved-model';
import { tensorToNumbers } from '../../src/ir/tensor';

const graph = makeGraph([
  makeNode({ name: 'idx', op: 'Placeholder', attrs: { dtype: { kind: 'type', value: 'int64' } } }),
  makeNode({ name: 'val', op: 'Placeholder', attrs: { dtype: { kind: 'type', value: 'float' } } }),
  makeNode({ name: 'shp', op: 'Placeholder', attrs: { dtype: { kind: 'type', value: 'int64' } } }),
]);

function info(dims: number[]): TensorInfo {
  return {
    name: null,
    dtype: 'float',
    shape: { dims, unknownRank: false },
    encoding: 'coo_sparse',
    raw: { coo_sparse: { indices_tensor_name: 'idx:0', values_tensor_name: 'val:0', dense_shape_tensor_name: 'shp:0' } },
  } as TensorInfo;
}

describe('seededSparseInput size limit', () => {
  it('refuses a dense shape whose indices would exceed the limit, as a GraftError', () => {
    let err: unknown;
    try {
      seededSparseInput(graph, info([200_000_000, 4]), 1, 1, 'x');
    } catch (e) {
      err = e;
    }
    expect(isGraftError(err)).toBe(true);
    expect((err as { code: string }).code).toBe('runtime/too-large');
  });

  it('still seeds a small input: one value per row at [row, 0]', () => {
    const t = seededSparseInput(graph, info([3, 5]), 1, 1, 'x')!;
    expect(t.indices.shape).toEqual([3, 2]);
    expect(tensorToNumbers(t.indices)).toEqual([0, 0, 1, 0, 2, 0]);
    expect(tensorToNumbers(t.denseShape)).toEqual([3, 5]);
    expect(t.values.shape).toEqual([3]);
  });
});
