import { it, expect } from 'vitest';
import { attr } from '../../src/ir/attr';
import { makeNode } from '../../src/ir/node';
import { makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { evaluateNode } from '../../src/runtime';
it('deq', async () => {
  const q = makeTensor('quint8', [4], [0, 6, 64, 255]);
  for (const mode of ['MIN_FIRST', 'MIN_COMBINED', 'SCALED']) {
    const n = makeNode({ name: 'd', op: 'Dequantize', inputs: ['a', 'b', 'c'], attrs: { T: attr.type('quint8'), mode: attr.s(mode) } });
    const [y] = await evaluateNode(n, [q, makeTensor('float', [], [0]), makeTensor('float', [], [4])], { backend: 'cpu' });
    console.log(mode, tensorToNumbers(y!));
  }
  const n = makeNode({ name: 'q', op: 'QuantizeV2', inputs: ['a', 'b', 'c'], attrs: { T: attr.type('quint8'), mode: attr.s('MIN_FIRST') } });
  const out = await evaluateNode(n, [makeTensor('float', [5], [0.1, 0.2, 1, 4, -1]), makeTensor('float', [], [0]), makeTensor('float', [], [4])], { backend: 'cpu' });
  console.log(out.map(tensorToNumbers));
});
