/**
 * `diffGraphs`: nodes removed, added and changed, at input level (data in order, control as a
 * set) and attribute level (which key, a short before/after), functions and signatures.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { diffGraphs, diffSignatures, formatGraphDiff } from '../../src/inspect/diff';
import { summarizeAttr, summarizeTensor } from '../../src/inspect/diff-graphs';
import { diffModels } from '../../src/inspect/diff-files';
import { attr } from '../../src/ir/attr';
import { type FunctionDef, makeGraph } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { makeTensor } from '../../src/ir/tensor';
import type { TensorInfo } from '../../src/io/saved-model';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';

const fn = (name: string, nodes: ReturnType<typeof makeNode>[], ret: Record<string, string> = {}): FunctionDef => ({
  signature: { name },
  attrs: {},
  nodes,
  ret,
  controlRet: {},
});

describe('diffGraphs', () => {
  const x = makeNode({ name: 'x', op: 'Placeholder', attrs: { dtype: attr.type('float') } });
  const w = makeNode({ name: 'w', op: 'Const', attrs: { dtype: attr.type('float'), value: attr.tensor(makeTensor('float', [2], [1, 2])) } });
  const read = makeNode({ name: 'w/read', op: 'Identity', inputs: ['w'], attrs: { T: attr.type('float') } });
  const init = makeNode({ name: 'init', op: 'NoOp' });
  const mul = makeNode({ name: 'mul', op: 'Mul', inputs: ['x', 'w/read', '^init'], attrs: { T: attr.type('float') } });

  it('finds nothing between a graph and itself, or an equal rebuilt copy', async () => {
    const g = makeGraph([x, w, read, init, mul]);
    const d = await diffGraphs(g, g);
    expect(d.summary).toEqual({ removed: 0, added: 0, changed: 0, unchanged: 5, nodesBefore: 5, nodesAfter: 5 });
    // The same values written differently (value list vs packed bytes, `a:0` vs `a`) are equal.
    const w2 = makeNode({ name: 'w', op: 'Const', attrs: { dtype: attr.type('float'), value: attr.tensor({ dtype: 'float', shape: [2], data: { kind: 'values', field: 'float_val', values: [1, 2] } }) } });
    const mul2 = makeNode({ name: 'mul', op: 'Mul', inputs: ['x:0', 'w/read', '^init'], attrs: { T: attr.type('float') } });
    expect((await diffGraphs(g, makeGraph([x, w2, read, init, mul2]))).summary.changed).toBe(0);
  });

  it('lists removed, added and changed nodes with their input and attribute changes', async () => {
    const a = makeGraph([x, w, read, init, mul]);
    const w3 = makeNode({ name: 'w', op: 'Const', device: '/cpu:0', attrs: { dtype: attr.type('float'), value: attr.tensor(makeTensor('float', [2], [1, 3])) } });
    const other = makeNode({ name: 'other', op: 'NoOp' });
    const mul3 = makeNode({ name: 'mul', op: 'MulNoNan', inputs: ['x', 'w', '^other'], attrs: { T: attr.type('half'), extra: attr.i(3) } });
    const b = makeGraph([x, w3, other, mul3]);
    const d = await diffGraphs(a, b);
    expect(d.removed).toEqual([
      { name: 'w/read', op: 'Identity' },
      { name: 'init', op: 'NoOp' },
    ]);
    expect(d.added).toEqual([{ name: 'other', op: 'NoOp' }]);
    expect(d.changed).toEqual([
      {
        name: 'w',
        op: 'Const',
        device: { before: '', after: '/cpu:0' },
        attrs: [{ key: 'value', change: 'changed', before: 'float[2] [1,2]', after: 'float[2] [1,3]' }],
      },
      {
        name: 'mul',
        op: 'MulNoNan',
        opBefore: 'Mul',
        inputs: { data: { before: ['x', 'w/read'], after: ['x', 'w'] }, control: { removed: ['^init'], added: ['^other'] } },
        attrs: [
          { key: 'T', change: 'changed', before: 'float', after: 'half' },
          { key: 'extra', change: 'added', after: '3' },
        ],
      },
    ]);
    expect(d.summary).toEqual({ removed: 2, added: 1, changed: 2, unchanged: 1, nodesBefore: 5, nodesAfter: 4 });
    const text = formatGraphDiff(d);
    expect(text).toContain('  - Identity  w/read');
    expect(text).toContain('  ~ mul (Mul -> MulNoNan)');
    expect(text).toContain('      input 1: w/read -> w');
    expect(text).toContain('      control: -^init +^other');
    expect(text).toContain('      attr extra: added 3');
    expect(text.split('\n').at(-1)).toBe('2 removed, 1 added, 2 changed, 1 unchanged (5 -> 4 nodes)');
  });

  it('diffs functions present on both sides node by node, and lists the others whole', async () => {
    const body = makeNode({ name: 'm', op: 'Mul', inputs: ['a', 'a'], attrs: { T: attr.type('float') } });
    const body2 = makeNode({ name: 'm', op: 'Mul', inputs: ['a', 'b'], attrs: { T: attr.type('float') } });
    const a = makeGraph([x], { library: { functions: [fn('f', [body], { y: 'm:z:0' }), fn('gone', [body, init])] } });
    const b = makeGraph([x], { library: { functions: [fn('f', [body2], { y: 'm:z:1' }), fn('new', [body])] } });
    const d = await diffGraphs(a, b);
    expect(d.changed).toEqual([{ name: 'm', op: 'Mul', function: 'f', inputs: { data: { before: ['a', 'a'], after: ['a', 'b'] } } }]);
    expect(d.functions).toEqual({
      removed: [{ name: 'gone', nodes: 2 }],
      added: [{ name: 'new', nodes: 1 }],
      changed: [{ name: 'f', signature: false, ret: ['ret y: m:z:0 -> m:z:1'] }],
    });
    const text = formatGraphDiff(d);
    expect(text).toContain('  ~ f/m (Mul)');
    expect(text).toContain('function removed: gone (2 nodes)');
    expect(text).toContain('; functions: 1 removed, 1 added, 1 changed');
  });
});

describe('attribute summaries', () => {
  it('summarizes tensors by dtype, shape and a fingerprint of their elements, small ones by value', () => {
    const big = makeTensor('float', [3, 4], Array.from({ length: 12 }, (_, i) => i));
    expect(summarizeTensor(big)).toMatch(/^float\[3,4\] #[0-9a-f]{8}$/);
    // The fingerprint is of the elements, not of how they are stored.
    const packed = makeTensor('float', [3, 4], new Float32Array(Array.from({ length: 12 }, (_, i) => i)));
    expect(summarizeTensor(packed)).toBe(summarizeTensor(big));
    expect(summarizeTensor(makeTensor('float', [3, 4], Array.from({ length: 12 }, (_, i) => i + 1)))).not.toBe(summarizeTensor(big));
    expect(summarizeTensor(makeTensor('int32', [], [7]))).toBe('int32[] 7');
    expect(summarizeTensor(makeTensor('bool', [2], [true, false]))).toBe('bool[2] [true,false]');
  });

  it('summarizes the other kinds in a few characters', () => {
    expect(summarizeAttr(attr.s('SAME'))).toBe('"SAME"');
    expect(summarizeAttr(attr.s('x'.repeat(100)))).toHaveLength(42);
    expect(summarizeAttr(attr.list({ i: [1, 2, 2, 1] }))).toBe('[1,2,2,1]');
    expect(summarizeAttr(attr.list({ i: Array.from({ length: 20 }, (_, i) => i) }))).toBe('[0,1,2,3,4,5,6,7,... (20)]');
    expect(summarizeAttr(attr.shape([-1, 28]))).toBe('[?,28]');
    expect(summarizeAttr(attr.func('body', { T: attr.type('float') }))).toBe('body (1 attr)');
    expect(summarizeAttr(attr.f(0.1))).toBe('0.1');
  });
});

describe('diffSignatures', () => {
  const info = (name: string, dims: number[]): TensorInfo => ({ name, dtype: 'float', shape: { dims, unknownRank: false }, encoding: 'name' });
  it('lists keys removed and added, and the inputs and outputs that changed', () => {
    const a = { serving_default: { methodName: 'tensorflow/serving/predict', inputs: { x: info('x:0', [-1, 3]) }, outputs: { y: info('y:0', [-1]) } }, old: { methodName: 'm', inputs: {}, outputs: {} } };
    const b = { serving_default: { methodName: 'tensorflow/serving/predict', inputs: { x: info('x:0', [-1, 3]) }, outputs: { y: info('z:0', [-1]) } }, fresh: { methodName: 'm', inputs: {}, outputs: {} } };
    expect(diffSignatures(a, b)).toEqual({ removed: ['old'], added: ['fresh'], changed: [{ key: 'serving_default', changes: ['output y: y:0 float [?] -> z:0 float [?]'] }] });
  });
});

describe.skipIf(!HAVE_MODELS)(`diffModels on real files (${HAVE_MODELS ? 'present' : SKIP_REASON})`, () => {
  it('finds no difference between the text GraphDef and the binary .meta TensorFlow wrote of one graph', async () => {
    // tfx_estimator_checkpoint: graph.pbtxt and model.ckpt-1000.meta hold the same graph (2502
    // nodes, 497 in functions), one as text, one binary: attributes, inputs and function
    // signatures decode differently (enums as numbers or names) and must still compare equal.
    const d = await diffModels(modelPath('tfx_estimator_checkpoint/graph.pbtxt'), modelPath('tfx_estimator_checkpoint/model.ckpt-1000.meta'));
    expect(d.summary).toEqual({ removed: 0, added: 0, changed: 0, unchanged: 2999, nodesBefore: 2999, nodesAfter: 2999 });
    expect(d.functions).toEqual({ removed: [], added: [], changed: [] });
    expect(d.signatures).toBeUndefined(); // a GraphDef has none
  }, 60_000);
});

describe('graft diff on bad input', () => {
  async function cli(args: string[]) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await main(args, { out: (t) => stdout.push(t), err: (t) => stderr.push(t), interactive: false });
    return { code, stdout, stderr };
  }
  it('names the missing file, prints nothing on stdout, no stack, exit 1; one path is a usage error (exit 2)', async () => {
    const missing = await cli(['diff', '/nonexistent/a.pb', '/nonexistent/b.pb']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toEqual([]);
    expect(missing.stderr[0]).toBe('graft: error [io/not-found]: /nonexistent/a.pb: no such file or directory');
    expect(missing.stderr.join('\n')).not.toMatch(/\n\s+at /);
    const one = await cli(['diff', '/nonexistent/a.pb', '--json']);
    expect(one.code).toBe(2);
    expect(one.stdout).toEqual([]);
    expect(one.stderr[0]).toMatch(/^graft: error \[cli\/usage\]: diff takes two model paths/);
  });
});
