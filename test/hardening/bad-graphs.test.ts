/**
 * Bad graphs and feeds (docs/reliability.md, "Bad graphs and feeds"): what TensorFlow refuses when
 * it imports a graph is named when graft loads it, by `graft run` as by `graft transform`, with the
 * node: duplicate names, an input reading an output its producer does not have, a cycle that is
 * not a while loop's (also one through a `Merge` fed back by anything but a `NextIteration`), a
 * `DataType` number graft does not know; feeds that contradict a placeholder's known dimensions
 * (TensorFlow's producer-21 rule for empty shapes respected); names cut in messages; no
 * JavaScript wording and no stack trace; inputs unchanged. Real while loops and conds still run.
 *
 * The graphs are written with graft's own writers (a `DataType` it does not know is written as
 * `dtype(N)`, which encodes the number N).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { graphBuilder } from '../../src/ir/builder';
import type { DType } from '../../src/ir/dtype';
import type { Graph } from '../../src/ir/graph';
import { makeGraph } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { makeTensor } from '../../src/ir/tensor';
import { validateGraph } from '../../src/ir/validate';
import { encodeGraphDef } from '../../src/io/graphdef';
import { HAVE_MODELS, SKIP_REASON, allModelPaths, modelPath } from '../helpers/models';
import { useScratch } from '../helpers/scratch';
import { batchedCases, expectOutcome, hashTree, planned, type StepResult } from './harness';

const { freshDir } = useScratch('graft-hardening-bad-graphs');
let dir = '';

const F = { T: attr.type('float') };
const constF = (name: string, values = [1, 2]) => makeNode({ name, op: 'Const', attrs: { dtype: attr.type('float'), value: attr.tensor(makeTensor('float', [values.length], values)) } });
const placeholder = (name: string, dims: readonly number[] | null, dtype: DType = 'float') => makeNode({ name, op: 'Placeholder', attrs: { dtype: attr.type(dtype), shape: attr.shape(dims) } });
const identity = (name: string, inputs: string[]) => makeNode({ name, op: 'Identity', inputs, attrs: F });

/** A TF1 while loop, i = 0; while i < 10: i += 1, with its back edge NextIteration → Merge. */
function whileLoop(): Graph {
  const I = { T: attr.type('int32') };
  const b = graphBuilder();
  b.const('zero', makeTensor('int32', [], [0]));
  b.const('ten', makeTensor('int32', [], [10]));
  b.op('Enter', ['zero'], { ...I, frame_name: attr.s('while') }, 'while/Enter');
  b.op('Enter', ['ten'], { ...I, frame_name: attr.s('while'), is_constant: attr.b(true) }, 'while/limit');
  b.op('Merge', ['while/Enter', 'while/NextIteration'], { ...I, N: attr.i(2) }, 'while/Merge');
  b.op('Less', ['while/Merge', 'while/limit'], I, 'while/Less');
  b.op('LoopCond', ['while/Less'], {}, 'while/LoopCond');
  b.op('Switch', ['while/Merge', 'while/LoopCond'], I, 'while/Switch');
  b.op('Identity', ['while/Switch:1'], I, 'while/Identity');
  b.op('Const', ['^while/Identity'], { dtype: attr.type('int32'), value: attr.tensor(makeTensor('int32', [], [1])) }, 'while/one');
  b.op('AddV2', ['while/Identity', 'while/one'], I, 'while/add');
  b.op('NextIteration', ['while/add'], I, 'while/NextIteration');
  b.op('Exit', ['while/Switch'], I, 'exit');
  b.op('Identity', ['exit'], I, 'y');
  return b.graph();
}

/** The graphs of this suite, by file name. */
function graphs(): Record<string, Graph> {
  const long = 'n'.repeat(1 << 20);
  const cond = graphBuilder();
  cond.placeholder('x', 'float', [2]);
  cond.const('pred', makeTensor('bool', [], [1]));
  cond.op('Switch', ['x', 'pred'], F, 'sw');
  cond.op('Identity', ['sw:0'], F, 'a');
  cond.op('Neg', ['sw:1'], F, 'b');
  cond.op('Merge', ['a', 'b'], { ...F, N: attr.i(2) }, 'm');
  cond.op('Identity', ['m'], F, 'y');
  return {
    'dup.pb': makeGraph([constF('x'), constF('x'), identity('y', ['x'])]),
    'const-port.pb': makeGraph([constF('c'), identity('y', ['c:7'])]),
    'placeholder-port.pb': makeGraph([placeholder('p', [2]), identity('y', ['p:1'])]),
    'noop-port.pb': makeGraph([makeNode({ name: 'n', op: 'NoOp' }), constF('c'), makeNode({ name: 'y', op: 'AddV2', inputs: ['c', 'n'], attrs: F })]),
    'switch-port.pb': makeGraph([placeholder('p', [2]), makeNode({ name: 'b', op: 'Const', attrs: { dtype: attr.type('bool'), value: attr.tensor(makeTensor('bool', [], [1])) } }), makeNode({ name: 's', op: 'Switch', inputs: ['p', 'b'], attrs: F }), identity('y', ['s:2'])]),
    'merge-cycle.pb': makeGraph([placeholder('p', [-1]), makeNode({ name: 'm', op: 'Merge', inputs: ['p', 'a'], attrs: { ...F, N: attr.i(2) } }), identity('a', ['m']), identity('y', ['m'])]),
    'cycle.pb': makeGraph([placeholder('p', [-1]), makeNode({ name: 'a', op: 'AddV2', inputs: ['p', 'b'], attrs: F }), identity('b', ['a']), identity('y', ['a'])]),
    'self-loop.pb': makeGraph([identity('y', ['y'])]),
    'dtype-placeholder.pb': makeGraph([placeholder('p', [1], 'dtype(77)' as DType), identity('y', ['p'])]),
    'dtype-const.pb': makeGraph([makeNode({ name: 'c', op: 'Const', attrs: { dtype: attr.type('float'), value: attr.tensor({ dtype: 'dtype(77)' as DType, shape: [1], data: { kind: 'content', bytes: new Uint8Array(4) } } as never) } }), identity('y', ['c'])]),
    'dtype-attr.pb': makeGraph([constF('c'), makeNode({ name: 'y', op: 'Identity', inputs: ['c'], attrs: { T: attr.type('dtype(99)' as DType) } })]),
    'feed.pb': makeGraph([placeholder('p', [-1, 1]), identity('y', ['p'])]),
    'legacy-empty.pb': makeGraph([placeholder('p', []), identity('y', ['p'])], { versions: { producer: 21, minConsumer: 0, badConsumers: [] } }),
    'current-empty.pb': makeGraph([placeholder('p', []), identity('y', ['p'])], { versions: { producer: 22, minConsumer: 0, badConsumers: [] } }),
    'long-name.pb': makeGraph([constF('c'), identity('y', [long])]),
    'long-dup.pb': makeGraph([constF(long), constF(long), identity('y', [long])]),
    'while.pb': whileLoop(),
    'cond.pb': cond.graph(),
  };
}

beforeAll(() => {
  dir = freshDir('graphs');
  for (const [name, g] of Object.entries(graphs())) fs.writeFileSync(path.join(dir, name), encodeGraphDef(g));
  // A feed nested 100,000 arrays deep, and a ragged one.
  fs.writeFileSync(path.join(dir, 'deep.json'), `${'['.repeat(100_000)}1${']'.repeat(100_000)}`);
  fs.writeFileSync(path.join(dir, 'ragged.json'), '[[1],[2,3]]');
});

const at = (name: string) => path.join(dir, name);

/** A refusal: the exit code, the error code, the node named, a short message, the input unchanged. */
function refused(name: string, argv: () => string[], code: string, opts: { input: string; says?: RegExp; out?: string } ) {
  return planned(
    name,
    () => ({ before: hashTree(at(opts.input)) }),
    () => [{ argv: argv() }],
    ([r]: StepResult[], t) => {
      expectOutcome(r!, 1, code);
      if (opts.says) expect(r!.stderr).toMatch(opts.says);
      expect(r!.stderr).not.toContain('never computed');
      expect(Math.max(...r!.stderr.split('\n').map((l) => l.length)), 'a readable line').toBeLessThan(1000);
      expect(hashTree(at(opts.input)), 'input bytes unchanged').toBe(t.before);
      if (opts.out) expect(fs.existsSync(opts.out), 'no output').toBe(false);
    },
  );
}

function works(name: string, argv: () => string[], input: string, says: RegExp) {
  return planned(
    name,
    () => ({ before: hashTree(at(input)) }),
    () => [{ argv: argv() }],
    ([r]: StepResult[], t) => {
      expectOutcome(r!, 0);
      expect(r!.stdout).toMatch(says);
      expect(hashTree(at(input))).toBe(t.before);
    },
  );
}

const run = (file: string, ...more: string[]) => () => ['run', at(file), '--output', 'y', '--backend', 'cpu', ...more];
const transform = (file: string) => () => ['transform', at(file), path.join(dir, `out-${file}`), 'strip_unused_nodes(type=float)'];

describe('bad graphs are named when loaded', () => {
  batchedCases([
    // The findings.
    refused('run: duplicate node names → graph/duplicate-name', run('dup.pb'), 'graph/duplicate-name', { input: 'dup.pb', says: /'x'/ }),
    refused("run: an input 'c:7' on a Const (one output) → graph/bad-output-index", run('const-port.pb'), 'graph/bad-output-index', { input: 'const-port.pb', says: /output 7 of 'c' \(Const\)/ }),
    refused('run: a cycle through a Merge outside any while loop → graph/cycle (not "never computed")', run('merge-cycle.pb'), 'graph/cycle', { input: 'merge-cycle.pb', says: /NextIteration/ }),
    refused('run: a plain cycle → graph/cycle, not "never computed"', run('cycle.pb'), 'graph/cycle', { input: 'cycle.pb', says: /'a' \(AddV2\)/ }),
    refused("run: a Placeholder whose dtype is DataType 77 → graph/unknown-dtype naming the node and attribute", run('dtype-placeholder.pb'), 'graph/unknown-dtype', { input: 'dtype-placeholder.pb', says: /'p'.*'dtype'.*77/ }),
    refused("run: a Const whose tensor is DataType 77 → graph/unknown-dtype naming 'value'", run('dtype-const.pb'), 'graph/unknown-dtype', { input: 'dtype-const.pb', says: /'c' \(Const\).*'value'.*77/ }),
    refused('run: a [2,2] feed for a [-1,1] placeholder → runtime/bad-feed', run('feed.pb', '--input', 'p=[[1,2],[3,4]]'), 'runtime/bad-feed', { input: 'feed.pb', says: /\[\?,1\].*\[2,2\]/ }),
    refused('run: a 1 MB node name in a dangling input → graph/dangling-input, a short message', run('long-name.pb'), 'graph/dangling-input', { input: 'long-name.pb', says: /… \(1048576 characters\)', which does not exist/ }),
    // More of our own.
    refused('transform: duplicate node names → graph/duplicate-name, no output', transform('dup.pb'), 'graph/duplicate-name', { input: 'dup.pb', out: at('out-dup.pb') }),
    refused("run: an input 'p:1' on a Placeholder → graph/bad-output-index", run('placeholder-port.pb'), 'graph/bad-output-index', { input: 'placeholder-port.pb', says: /output 1 of 'p'/ }),
    refused("run: a data input from a NoOp (no outputs) → graph/bad-output-index", run('noop-port.pb'), 'graph/bad-output-index', { input: 'noop-port.pb', says: /no outputs/ }),
    refused("run: 's:2' on a Switch (two outputs) → graph/bad-output-index", run('switch-port.pb'), 'graph/bad-output-index', { input: 'switch-port.pb', says: /2 outputs/ }),
    refused("transform: 'c:7' on a Const → graph/bad-output-index, no output", transform('const-port.pb'), 'graph/bad-output-index', { input: 'const-port.pb', out: at('out-const-port.pb') }),
    refused('transform: a cycle through a Merge → graph/cycle, no output', transform('merge-cycle.pb'), 'graph/cycle', { input: 'merge-cycle.pb', out: at('out-merge-cycle.pb') }),
    refused('run: a node that is its own input → graph/cycle', run('self-loop.pb'), 'graph/cycle', { input: 'self-loop.pb' }),
    refused("run: an Identity whose T is DataType 99 → graph/unknown-dtype naming 'T'", run('dtype-attr.pb'), 'graph/unknown-dtype', { input: 'dtype-attr.pb', says: /'T'.*99/ }),
    refused('run: a feed for a placeholder of DataType 77 → graph/unknown-dtype', run('dtype-placeholder.pb', '--input', 'p=[1]'), 'graph/unknown-dtype', { input: 'dtype-placeholder.pb' }),
    refused('run: a [2] feed for a scalar placeholder (producer 22: an empty shape is a scalar) → runtime/bad-feed', run('current-empty.pb', '--input', 'p=[1,2]'), 'runtime/bad-feed', { input: 'current-empty.pb' }),
    refused('run: a feed nested 100,000 arrays deep → runtime/bad-feed (no stack overflow)', () => [...run('feed.pb')(), '--input', `p=${at('deep.json')}`], 'runtime/bad-feed', { input: 'deep.json', says: /254/ }),
    refused('run: a ragged nested feed → runtime/bad-feed', () => [...run('feed.pb')(), '--input', `p=${at('ragged.json')}`], 'runtime/bad-feed', { input: 'ragged.json', says: /ragged/ }),
    refused('transform: a 1 MB node name, duplicated → a short message', transform('long-dup.pb'), 'graph/duplicate-name', { input: 'long-dup.pb', says: /characters\)/ }),
    works('summarize: a graph with a Merge cycle lists it as a graph problem (exit 0: it only reports)', () => ['summarize', at('merge-cycle.pb')], 'merge-cycle.pb', /Graph problems[^\n]*: 1\n  \[graph\/cycle\]/),
    works('summarize: duplicate names listed as a graph problem', () => ['summarize', at('dup.pb')], 'dup.pb', /\[graph\/duplicate-name\] Duplicate node name 'x'/),
    // What must keep working.
    works('run: a [2] feed for an empty-shape placeholder of a producer-21 graph (unknown shape) → exit 0', run('legacy-empty.pb', '--input', 'p=[1,2]'), 'legacy-empty.pb', /float \[2\]/),
    works('run: a TF1 while loop (NextIteration back into Merge) → exit 0', () => ['run', at('while.pb'), '--output', 'y', '--backend', 'cpu'], 'while.pb', /10/),
    works('run: a cond (Switch, two branches into a Merge) → exit 0', run('cond.pb', '--input', 'x=[1,2]'), 'cond.pb', /-1 -2/),
  ]);
});

describe('validation on the real models', () => {
  it.skipIf(!HAVE_MODELS)('finds no problem in any shared model (no false refusal)', async () => {
    if (!HAVE_MODELS) return void SKIP_REASON;
    const { loadModel, mainGraph } = await import('../../src/io/model-files');
    const found: string[] = [];
    for (const rel of allModelPaths()) {
      const g = mainGraph(await loadModel(modelPath(rel)));
      for (const p of validateGraph(g)) found.push(`${rel}: ${p.code} ${p.message}`);
    }
    expect(found).toEqual([]);
  }, 120_000);
});
