/**
 * Lookup tables as TF 2.x writes them, through function calls:
 *
 * 1. the table created in the main graph (`HashTableV2`, as `tf.saved_model.save` re-creates a
 *    tracked `StaticHashTable`), filled by an initializer function that the init op
 *    (`__saved_model_init_op`'s `NoOp`) calls, read by the signature's function;
 * 2. the table created inside a function (`__inference__creator_*`, as a re-saved restored
 *    resource has it: a `StatefulPartitionedCall` in the main graph outputs its handle), the
 *    initializer and the signature function taking that handle;
 * 3. a table created, filled and read inside one function (a `tf.function` building a
 *    `StaticHashTable` itself: the lookup waits on the initializer by a control edge, as
 *    automatic control dependencies order ops on one resource), called twice in one session.
 *
 * And `optimize` on a SavedModel of layout 1 or 2 verifies its signature (the original run with
 * its init op, as TF Serving loads it) and writes a result whose lookup has the inlined
 * initializer as a control input: it fills its own table, with no init op to run.
 *
 * Expected values: the lookup of the keys in the table's (key, value) pairs, the default for a
 * key not there (`tf.lookup.StaticHashTable.lookup`'s documented behaviour).
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attr, type AttrValue } from '../../src/ir/attr';
import type { FunctionDef, Graph } from '../../src/ir/graph';
import { makeNode, type Node } from '../../src/ir/node';
import { makeStringTensor, makeTensor, tensorToArray, type Tensor } from '../../src/ir/tensor';
import { createSession, runGraph } from '../../src/runtime';
import { graphBuilder } from '../helpers/graph-builder';
import { failure } from '../helpers/failure';
import { useScratch } from '../helpers/scratch';
import { saveSavedModel } from '../../src/io/model-files';
import { optimize } from '../../src/workflow/optimize-files';

const DT_STRING = 7;
const DT_INT64 = 9;
const DT_RESOURCE = 20;
const ints = (t: Tensor) => Array.from(tensorToArray(t) as BigInt64Array, Number);
const strs = (v: string[]) => makeStringTensor([v.length], v);
const TABLE_ATTRS = { key_dtype: attr.type('string'), value_dtype: attr.type('int64') };
const FIND_ATTRS = { Tin: attr.type('string'), Tout: attr.type('int64') };

/** keys a, b, c -> 10, 20, 30 */
function fillNodes(table: string): Node[] {
  return [
    makeNode({ name: 'keys', op: 'Const', attrs: { dtype: attr.type('string'), value: attr.tensor(strs(['a', 'b', 'c'])) } }),
    makeNode({ name: 'values', op: 'Const', attrs: { dtype: attr.type('int64'), value: attr.tensor(makeTensor('int64', [3], [10, 20, 30])) } }),
    makeNode({ name: 'init', op: 'InitializeTableV2', inputs: [table, 'keys:output:0', 'values:output:0'], attrs: { Tkey: attr.type('string'), Tval: attr.type('int64') } }),
  ];
}

function lookupNodes(table: string, query: string, deps: string[] = []): Node[] {
  return [
    makeNode({ name: 'default', op: 'Const', attrs: { dtype: attr.type('int64'), value: attr.tensor(makeTensor('int64', [], [-1])) } }),
    makeNode({ name: 'find', op: 'LookupTableFindV2', inputs: [table, query, 'default:output:0', ...deps], attrs: FIND_ATTRS }),
    makeNode({ name: 'Identity', op: 'Identity', inputs: ['find:values:0'], attrs: { T: attr.type('int64') } }),
  ];
}

const fn = (name: string, inputs: { name: string; type: number }[], outputs: { name: string; type: number }[], nodes: Node[], ret: Record<string, string>, controlRet: Record<string, string> = {}): FunctionDef => ({
  signature: { name, input_arg: inputs, output_arg: outputs, ...(Object.keys(controlRet).length ? { control_output: Object.keys(controlRet) } : {}) },
  attrs: {},
  nodes,
  ret,
  controlRet,
});

/** The initializer: InitializeTableV2(table, keys, values), a control output of the function. */
const initializer = () => fn('__inference__initializer_20', [{ name: 'table', type: DT_RESOURCE }], [], fillNodes('table'), {}, { init: 'init' });
/** The signature's function: LookupTableFindV2(table, q, -1). */
const lookup = () => fn('__inference_lookup_30', [{ name: 'q', type: DT_STRING }, { name: 'table', type: DT_RESOURCE }], [{ name: 'identity', type: DT_INT64 }], lookupNodes('table', 'q'), { identity: 'Identity:output:0' });

const call = (name: string, f: string, inputs: string[], tin: string[], tout: string[]): [string, string[], Record<string, AttrValue>, string] => [
  'StatefulPartitionedCall',
  inputs,
  { f: attr.func(f), Tin: attr.list({ type: tin as never }), Tout: attr.list({ type: tout as never }), config: attr.s(''), config_proto: attr.s(''), executor_type: attr.s('') },
  name,
];

/** Layout 1 or 2: the table made in the main graph, or by a creator function. */
function savedModelGraph(createdIn: 'main' | 'function'): Graph {
  const b = graphBuilder();
  const functions = [initializer(), lookup()];
  let table: string;
  if (createdIn === 'main') {
    table = b.op('HashTableV2', [], { ...TABLE_ATTRS, shared_name: attr.s('hash_table_7c1e') }, 'hash_table');
  } else {
    functions.push(fn('__inference__creator_10', [], [{ name: 'identity', type: DT_RESOURCE }], [
      makeNode({ name: 'hash_table', op: 'HashTableV2', attrs: { ...TABLE_ATTRS, shared_name: attr.s('hash_table_7c1e') } }),
      makeNode({ name: 'Identity', op: 'Identity', inputs: ['hash_table:table_handle:0'], attrs: { T: attr.type('resource') } }),
    ], { identity: 'Identity:output:0' }));
    b.op(...call('StatefulPartitionedCall_creator', '__inference__creator_10', [], [], ['resource']));
    table = 'StatefulPartitionedCall_creator:0';
  }
  b.op(...call('StatefulPartitionedCall_init', '__inference__initializer_20', [table], ['resource'], []));
  b.op('NoOp', ['^StatefulPartitionedCall_init'], {}, 'NoOp');
  b.placeholder('serving_default_q', 'string', [-1]);
  b.op(...call('StatefulPartitionedCall', '__inference_lookup_30', ['serving_default_q', table], ['string', 'resource'], ['int64']));
  return b.graph({ library: { functions } });
}

describe('lookup tables through TF 2.x function calls', () => {
  for (const createdIn of ['main', 'function'] as const) {
    it(`table created in the ${createdIn === 'main' ? 'main graph' : 'creator function'}, filled by the init op's initializer function, read by the signature function`, async () => {
      const g = savedModelGraph(createdIn);
      const s = await createSession(g, { backend: 'cpu', init: { targets: ['NoOp'] } });
      try {
        const [a] = await s.run({ serving_default_q: strs(['b', 'zzz', 'a']) }, ['StatefulPartitionedCall:0']);
        const [b] = await s.run({ serving_default_q: strs(['c']) }, ['StatefulPartitionedCall:0']);
        expect(ints(a!)).toEqual([20, -1, 10]);
        expect(ints(b!)).toEqual([30]);
      } finally {
        s.dispose();
      }
      // Without the init op, nothing fills the table: TensorFlow's message.
      expect(await failure(runGraph(g, { serving_default_q: strs(['a']) }, ['StatefulPartitionedCall:0'], { backend: 'cpu' }))).toContain('Table not initialized.');
    });
  }

  it('a table created, filled and read inside one function (the lookup after the initializer), called twice', async () => {
    const body = [
      makeNode({ name: 'hash_table', op: 'HashTableV2', attrs: { ...TABLE_ATTRS, shared_name: attr.s('hash_table_local') } }),
      ...fillNodes('hash_table:table_handle:0'),
      ...lookupNodes('hash_table:table_handle:0', 'q', ['^init']),
    ];
    const b = graphBuilder();
    b.placeholder('q', 'string', [-1]);
    b.op(...call('call', '__inference_local_table_40', ['q'], ['string'], ['int64']));
    const g = b.graph({ library: { functions: [fn('__inference_local_table_40', [{ name: 'q', type: DT_STRING }], [{ name: 'identity', type: DT_INT64 }], body, { identity: 'Identity:output:0' })] } });
    const s = await createSession(g, { backend: 'cpu' });
    try {
      const [a] = await s.run({ q: strs(['c', 'a', 'nope']) }, ['call:0']);
      const [again] = await s.run({ q: strs(['b']) }, ['call:0']);
      expect(ints(a!)).toEqual([30, 10, -1]);
      expect(ints(again!)).toEqual([20]);
    } finally {
      s.dispose();
    }
  });
});

describe('graft optimize on a TF 2.x SavedModel with such a table', () => {
  const scratch = useScratch('graft-tables-functions');
  for (const createdIn of ['main', 'function'] as const) {
    it(`verifies it, and the result looks keys up by itself (table created in the ${createdIn === 'main' ? 'main graph' : 'creator function'})`, async () => {
      const info = (name: string, dtype: 'string' | 'int64') => ({ name, dtype, shape: { dims: [-1], unknownRank: false }, encoding: 'name' as const });
      const dir = path.join(scratch.freshDir(createdIn), 'model');
      await saveSavedModel(dir, {
        schemaVersion: 1,
        metaGraphs: [
          {
            tags: ['serve'],
            graph: { ...savedModelGraph(createdIn), versions: { producer: 1286, minConsumer: 12, badConsumers: [] } },
            signatures: {
              serving_default: { methodName: 'tensorflow/serving/predict', inputs: { q: info('serving_default_q:0', 'string') }, outputs: { ids: info('StatefulPartitionedCall:0', 'int64') } },
              __saved_model_init_op: { methodName: '', inputs: {}, outputs: { __saved_model_init_op: { name: 'NoOp', dtype: 'invalid', shape: { dims: [], unknownRank: true }, encoding: 'name' } } },
            },
            proto: { meta_info_def: { tags: ['serve'], tensorflow_version: '2.11.0' } },
          },
        ],
      });
      const out = path.join(scratch.freshDir('out'), 'opt');
      const { report, savedModel } = await optimize(dir, out);
      expect(report.verdicts).toEqual([{ key: 'serving_default', verified: true }]);
      const mg = savedModel.metaGraphs[0]!;
      const sig = mg.signatures.serving_default!;
      // The result runs with no init op of its own given: its table fills itself.
      const [ids] = await runGraph(mg.graph, { [sig.inputs.q!.name!]: strs(['c', 'x', 'b']) }, [sig.outputs.ids!.name!], { backend: 'cpu' });
      expect(ints(ids!)).toEqual([30, -1, 20]);
      // It does so because the lookup waits on the inlined initializer, a control input of it.
      const find = mg.graph.nodes.find((n) => n.op === 'LookupTableFindV2')!;
      const init = mg.graph.nodes.find((n) => n.op === 'InitializeTableV2')!;
      expect(find.inputs).toContain(`^${init.name}`);
    }, 60_000);
  }
});
