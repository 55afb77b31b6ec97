/**
 * `graft show` = `saved_model_cli show`, checked against TensorFlow's own expected outputs
 * (`tensorflow/python/tools/saved_model_cli_test.py`) and the text format of
 * `saved_model_cli.py` (`_show_tag_sets`, `_show_signature_def_map_keys`,
 * `_show_inputs_outputs_mgd`, `_print_tensor_info`, `_show_all`, `_show_ops_in_metagraph_mgd`,
 * `_show_defined_functions`, `_print_args`).
 *
 * TF's tests compare `stdout.strip()`; graft returns the exact stdout, so the literals here carry
 * the leading blank line `--all` starts with and the final newline.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GraftError } from '../../src/errors';
import { showSavedModel } from '../../src/inspect/show';
import { pyFloatRepr } from '../../src/inspect/show-text';
import { opsUsedByGraph } from '../../src/inspect/ops-used';
import { loadModel } from '../../src/io/model-files';
import type { MetaGraph, SavedModelProto, Signature, TensorInfo } from '../../src/io/saved-model';
import { attr, shapeOf } from '../../src/ir/attr';
import { makeGraph } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { HAVE_MODELS, SKIP_REASON, allModelPaths, modelPath } from '../helpers/models';

// ---------------------------------------------------------------- synthetic models

const float = (name: string | null, dims: number[] | null, dtype: TensorInfo['dtype'] = 'float'): TensorInfo => ({
  name,
  dtype,
  shape: shapeOf(dims),
  encoding: name === null ? 'coo_sparse' : 'name',
});

/** The `__saved_model_init_op` signature every TF2 SavedModel has. */
const INIT_OP: Signature = {
  methodName: '',
  inputs: {},
  outputs: { __saved_model_init_op: { name: 'NoOp', dtype: 'invalid', shape: shapeOf(null), encoding: 'name' } },
};

function metaGraph(tags: string[], signatures: Record<string, Signature>, proto: Record<string, unknown> = {}, ops = ['Op1']): MetaGraph {
  const graph = makeGraph(ops.map((op, i) => makeNode({ name: `n${i}`, op })));
  return { tags, graph, signatures, proto: { meta_info_def: { tags }, ...proto } };
}

const spec = (name: string, dims: number[], dtype: number) => ({ tensor_spec_value: { name, shape: { dim: dims.map((size) => ({ size })) }, dtype } });
const tuple = (...values: unknown[]) => ({ tuple_value: { values } });
const DT_FLOAT = 1;
const DT_INT32 = 3;

/**
 * The object graph `save.save` writes for testShowAllWithFunctions' DummyModel (func1 traced with
 * (int32, int32, True), func2 with its input_signature, __call__ traced with (int32, c=7)).
 */
const FUNCTIONS_OBJECT_GRAPH = {
  nodes: [
    {
      children: [
        { node_id: 1, local_name: 'func1' },
        { node_id: 2, local_name: 'func2' },
        { node_id: 3, local_name: '__call__' },
        { node_id: 4, local_name: 'signatures' },
      ],
      user_object: { identifier: '_generic_user_object' },
    },
    { function: { concrete_functions: ['__inference_func1_10'] } },
    { function: { concrete_functions: ['__inference_func2_20'] } },
    { function: { concrete_functions: ['__inference___call___30'] } },
    { user_object: { identifier: 'signature_map' } },
  ],
  concrete_functions: {
    __inference_func1_10: { canonicalized_input_signature: tuple(tuple(spec('a', [], DT_INT32), spec('b', [], DT_INT32), { bool_value: true }), { dict_value: {} }) },
    __inference_func2_20: { canonicalized_input_signature: tuple(tuple(spec('x', [2, 2], DT_FLOAT)), { dict_value: {} }) },
    __inference___call___30: { canonicalized_input_signature: tuple(tuple(spec('y', [], DT_INT32), { int64_value: 7 }), { dict_value: {} }) },
  },
};

// ---------------------------------------------------------------- TF's own expectations

describe('saved_model_cli_test expectations, on hand-built models', () => {
  it('testShowAllWithFunctions: signatures, ops line, Concrete Functions', async () => {
    const model: SavedModelProto = {
      schemaVersion: 1,
      metaGraphs: [
        metaGraph(
          ['serve'],
          {
            serving_default: { methodName: 'tensorflow/serving/predict', inputs: { x: float('serving_default_x:0', [2, 2]) }, outputs: { output_0: float('PartitionedCall:0', [2, 2]) } },
            __saved_model_init_op: INIT_OP,
          },
          { object_graph_def: FUNCTIONS_OBJECT_GRAPH },
        ),
      ],
    };
    // Verbatim from the test's exp_out (TF mocks the op set to {'Op1'}; the graph here has one Op1 node).
    const expected = `MetaGraphDef with tag-set: 'serve' contains the following SignatureDefs:

signature_def['__saved_model_init_op']:
  The given SavedModel SignatureDef contains the following input(s):
  The given SavedModel SignatureDef contains the following output(s):
    outputs['__saved_model_init_op'] tensor_info:
        dtype: DT_INVALID
        shape: unknown_rank
        name: NoOp
  Method name is: 

signature_def['serving_default']:
  The given SavedModel SignatureDef contains the following input(s):
    inputs['x'] tensor_info:
        dtype: DT_FLOAT
        shape: (2, 2)
        name: serving_default_x:0
  The given SavedModel SignatureDef contains the following output(s):
    outputs['output_0'] tensor_info:
        dtype: DT_FLOAT
        shape: (2, 2)
        name: PartitionedCall:0
  Method name is: tensorflow/serving/predict
The MetaGraph with tag set ['serve'] contains the following ops: {'Op1'}

Concrete Functions:
  Function Name: '__call__'
    Option #1
      Callable with:
        Argument #1
          y: TensorSpec(shape=(), dtype=tf.int32, name='y')
        Argument #2
          DType: int
          Value: 7

  Function Name: 'func1'
    Option #1
      Callable with:
        Argument #1
          a: TensorSpec(shape=(), dtype=tf.int32, name='a')
        Argument #2
          b: TensorSpec(shape=(), dtype=tf.int32, name='b')
        Argument #3
          DType: bool
          Value: True

  Function Name: 'func2'
    Option #1
      Callable with:
        Argument #1
          x: TensorSpec(shape=(2, 2), dtype=tf.float32, name='x')`;
    const out = await showSavedModel(model, { all: true });
    expect(out.trim()).toBe(expected);
    // Exact stdout: a leading blank line (print('\nMetaGraphDef...')) and a final newline.
    expect(out.startsWith('\nMetaGraphDef')).toBe(true);
    expect(out.endsWith("name='x')\n")).toBe(true);
  });

  it('testShowAllWithPureConcreteFunction: a bare concrete function', async () => {
    const og = {
      nodes: [
        { children: [{ node_id: 1, local_name: 'pure_concrete_function' }, { node_id: 2, local_name: 'signatures' }] },
        { bare_concrete_function: { concrete_function_name: '__inference_multiply_5', argument_keywords: ['a', 'b'] } },
        { user_object: { identifier: 'signature_map' } },
      ],
      concrete_functions: {
        __inference_multiply_5: { canonicalized_input_signature: tuple(tuple(spec('a', [], DT_FLOAT), spec('b', [], DT_FLOAT)), { dict_value: {} }) },
      },
    };
    const model: SavedModelProto = {
      schemaVersion: 1,
      metaGraphs: [
        metaGraph(
          ['serve'],
          {
            __saved_model_init_op: INIT_OP,
            serving_default: {
              methodName: 'tensorflow/serving/predict',
              inputs: { b: float('serving_default_b:0', []), a: float('serving_default_a:0', []) },
              outputs: { output_0: float('PartitionedCall:0', []) },
            },
          },
          { object_graph_def: og },
        ),
      ],
    };
    const out = await showSavedModel(model, { all: true });
    expect(out).toContain(`signature_def['serving_default']:
  The given SavedModel SignatureDef contains the following input(s):
    inputs['a'] tensor_info:
        dtype: DT_FLOAT
        shape: ()
        name: serving_default_a:0
    inputs['b'] tensor_info:
        dtype: DT_FLOAT
        shape: ()
        name: serving_default_b:0
`);
    expect(out.trim().endsWith(`The MetaGraph with tag set ['serve'] contains the following ops: {'Op1'}

Concrete Functions:
  Function Name: 'pure_concrete_function'
    Option #1
      Callable with:
        Argument #1
          a: TensorSpec(shape=(), dtype=tf.float32, name='a')
        Argument #2
          b: TensorSpec(shape=(), dtype=tf.float32, name='b')`)).toBe(true);
  });

  it('testShowCommandListOpsNoTags: --list_ops without a tag-set warns, then lists tag-sets', async () => {
    const model: SavedModelProto = { schemaVersion: 1, metaGraphs: [metaGraph(['serve'], {})] };
    expect(await showSavedModel(model, { listOps: true })).toBe(
      "--list_ops must be paired with a tag-set or with --all.\nThe given SavedModel contains the following tag-sets:\n'serve'\n",
    );
  });

  it('testPrintREFTypeTensor: ref dtypes print as DT_FLOAT_REF', async () => {
    const model: SavedModelProto = {
      schemaVersion: 1,
      metaGraphs: [metaGraph(['serve'], { s: { methodName: 'm', inputs: {}, outputs: { v: float('v:0', [], 'float_ref') } } })],
    };
    expect(await showSavedModel(model, { tagSet: 'serve', signatureDef: 's' })).toContain("  outputs['v'] tensor_info:\n      dtype: DT_FLOAT_REF\n");
  });
});

// ---------------------------------------------------------------- format details

describe('format details', () => {
  const sigs: Record<string, Signature> = {
    z_sig: { methodName: 'tensorflow/serving/predict', inputs: {}, outputs: {} },
    a_sig: {
      methodName: 'tensorflow/serving/predict',
      inputs: {
        vec: float('vec:0', [-1]),
        scalar: float('s:0', []),
        img: float('img:0', [-1, 299, 299, 3]),
        unknown: float('u:0', null),
        sparse: float(null, [-1, -1], 'int64'),
        noshape: { name: 'n:0', dtype: 'string', shape: null, encoding: 'name' },
      },
      outputs: { out: float('out:0', [-1, 1]) },
    },
  };
  const model: SavedModelProto = { schemaVersion: 1, metaGraphs: [metaGraph(['serve'], sigs)] };

  it('prints shapes as TF does: rank 1 without a trailing comma, () for scalars and absent shapes', async () => {
    expect(await showSavedModel(model, { tagSet: 'serve', signatureDef: 'a_sig' })).toBe(`The given SavedModel SignatureDef contains the following input(s):
  inputs['img'] tensor_info:
      dtype: DT_FLOAT
      shape: (-1, 299, 299, 3)
      name: img:0
  inputs['noshape'] tensor_info:
      dtype: DT_STRING
      shape: ()
      name: n:0
  inputs['scalar'] tensor_info:
      dtype: DT_FLOAT
      shape: ()
      name: s:0
  inputs['sparse'] tensor_info:
      dtype: DT_INT64
      shape: (-1, -1)
      name: 
  inputs['unknown'] tensor_info:
      dtype: DT_FLOAT
      shape: unknown_rank
      name: u:0
  inputs['vec'] tensor_info:
      dtype: DT_FLOAT
      shape: (-1)
      name: vec:0
The given SavedModel SignatureDef contains the following output(s):
  outputs['out'] tensor_info:
      dtype: DT_FLOAT
      shape: (-1, 1)
      name: out:0
Method name is: tensorflow/serving/predict
`);
  });

  it('lists signature keys sorted', async () => {
    expect(await showSavedModel(model, { tagSet: 'serve' })).toBe(
      'The given SavedModel MetaGraphDef contains SignatureDefs with the following keys:\nSignatureDef key: "a_sig"\nSignatureDef key: "z_sig"\n',
    );
  });

  it('--list_ops with a tag-set prints the op set before the keys', async () => {
    const m: SavedModelProto = { schemaVersion: 1, metaGraphs: [metaGraph(['serve'], sigs, {}, ['Mul', 'Add', 'Mul'])] };
    expect((await showSavedModel(m, { tagSet: 'serve', listOps: true })).split('\n')[0]).toBe(
      "The MetaGraph with tag set ['serve'] contains the following ops: {'Add', 'Mul'}",
    );
    const empty: SavedModelProto = { schemaVersion: 1, metaGraphs: [metaGraph(['serve'], {}, {}, [])] };
    expect((await showSavedModel(empty, { tagSet: 'serve', listOps: true })).split('\n')[0]).toMatch(/ops: set\(\)$/);
  });

  it('orders tag-sets as TF: listing sorts tags inside each set, --all keeps file order in the header', async () => {
    const m: SavedModelProto = {
      schemaVersion: 1,
      metaGraphs: [metaGraph(['serve', 'gpu'], {}), metaGraph(['train'], {}), metaGraph(['serve'], {})],
    };
    expect(await showSavedModel(m, {})).toBe("The given SavedModel contains the following tag-sets:\n'serve'\n'gpu, serve'\n'train'\n");
    const headers = (await showSavedModel(m, { all: true })).split('\n').filter((l) => l.startsWith('MetaGraphDef'));
    expect(headers).toEqual([
      "MetaGraphDef with tag-set: 'serve' contains the following SignatureDefs:",
      "MetaGraphDef with tag-set: 'serve, gpu' contains the following SignatureDefs:",
      "MetaGraphDef with tag-set: 'train' contains the following SignatureDefs:",
    ]);
    // Tag order and blanks around commas do not matter when selecting.
    expect(await showSavedModel(m, { tagSet: ' gpu ,serve' })).toContain('contains SignatureDefs with the following keys:');
  });

  it('prints N/A for concrete functions when tf.saved_model.load would need tags', async () => {
    const m: SavedModelProto = {
      schemaVersion: 1,
      metaGraphs: [metaGraph(['serve'], {}, { object_graph_def: FUNCTIONS_OBJECT_GRAPH }), metaGraph(['train'], {})],
    };
    expect((await showSavedModel(m, { all: true })).endsWith('\nConcrete Functions: N/A (could not be listed due to unknown reasons)\n')).toBe(true);
  });

  it('prints named arguments, lists, dicts, None and floats as _print_args does', async () => {
    const og = {
      nodes: [
        { children: [{ node_id: 1, local_name: 'f' }, { node_id: 2, local_name: 'g' }] },
        { function: { concrete_functions: ['__inference_f_2', '__inference_f_1'] } },
        { function: { concrete_functions: ['__inference_g_1'] } },
      ],
      concrete_functions: {
        // Sorted by name, so _1 is option 1. Only keyword arguments: no "Option" line, but the number is used.
        __inference_f_1: { canonicalized_input_signature: tuple(tuple(), { dict_value: { fields: { x: spec('x', [-1], DT_FLOAT), a: spec('a', [], DT_INT32) } } }) },
        __inference_f_2: {
          canonicalized_input_signature: tuple(
            tuple({ list_value: { values: [{ int64_value: 1 }, { string_value: 's' }] } }, { none_value: {} }, { float64_value: 1e-5 }, { string_value: 'mode' }),
            { dict_value: {} },
          ),
        },
        __inference_g_1: { canonicalized_input_signature: tuple(tuple({ dict_value: { fields: { k: { float64_value: 2 } } } }), { dict_value: {} }) },
      },
    };
    const m: SavedModelProto = { schemaVersion: 1, metaGraphs: [metaGraph(['serve'], {}, { object_graph_def: og })] };
    const out = await showSavedModel(m, { all: true });
    expect(out.slice(out.indexOf('\nConcrete Functions:'))).toBe(`
Concrete Functions:
  Function Name: 'f'
        Named Argument #1
          a
        Named Argument #2
          x
    Option #2
      Callable with:
        Argument #1
          DType: list
          Value: [1, 's', \b\b]
        Argument #2
          DType: NoneType
          Value: None
        Argument #3
          DType: float
          Value: 1e-05
        Argument #4
          mode

  Function Name: 'g'
    Option #1
      Callable with:
        Argument #1
          DType: dict
          Value: {'k': 2.0, \b\b}
`);
  });

  it('ends in "Concrete Functions:" without a newline when the root holds no function', async () => {
    const og = { nodes: [{ children: [{ node_id: 1, local_name: 'v' }] }, { variable: { dtype: 1 } }], concrete_functions: {} };
    const m: SavedModelProto = { schemaVersion: 1, metaGraphs: [metaGraph(['serve'], {}, { object_graph_def: og })] };
    expect((await showSavedModel(m, { all: true })).endsWith("{'Op1'}\n\nConcrete Functions:")).toBe(true);
  });

  it('formats floats as Python repr does', () => {
    const cases: [number, string][] = [
      [1, '1.0'], [2.5, '2.5'], [0.1, '0.1'], [1e-4, '0.0001'], [1e-5, '1e-05'], [1.5e-7, '1.5e-07'],
      [123.456, '123.456'], [1e15, '1000000000000000.0'], [1e16, '1e+16'], [2.5e20, '2.5e+20'],
      [-0, '-0.0'], [-3, '-3.0'], [Infinity, 'inf'], [NaN, 'nan'],
    ];
    for (const [x, s] of cases) expect(pyFloatRepr(x)).toBe(s);
  });

  it('follows PartitionedCall functions for the op set, leaving function names out', () => {
    const graph = makeGraph([makeNode({ name: 'c', op: 'StatefulPartitionedCall', attrs: { f: attr.func('fn') } })], {
      library: {
        functions: [
          { signature: { name: 'fn' }, attrs: {}, nodes: [makeNode({ name: 'm', op: 'MatMul' }), makeNode({ name: 'i', op: 'inner' })], ret: {}, controlRet: {} },
          { signature: { name: 'inner' }, attrs: {}, nodes: [makeNode({ name: 'r', op: 'Relu' })], ret: {}, controlRet: {} },
          { signature: { name: 'unused' }, attrs: {}, nodes: [makeNode({ name: 't', op: 'Tanh' })], ret: {}, controlRet: {} },
        ],
      },
    });
    expect(opsUsedByGraph(graph)).toEqual(['MatMul', 'Relu', 'StatefulPartitionedCall']);
  });
});

describe('errors', () => {
  const model: SavedModelProto = { schemaVersion: 1, metaGraphs: [metaGraph(['serve'], { b: INIT_OP, a: INIT_OP })] };

  it('unknown tag-set: model/unknown-tag-set, listing the tag-sets', async () => {
    const e = await showSavedModel(model, { tagSet: 'train' }, 'm/').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(GraftError);
    expect((e as GraftError).code).toBe('model/unknown-tag-set');
    expect((e as GraftError).file).toBe('m/');
    expect((e as GraftError).message).toContain("'train'");
    expect((e as GraftError).message).toContain("'serve'");
    // A subset of the tags is not the tag-set.
    await expect(showSavedModel({ schemaVersion: 1, metaGraphs: [metaGraph(['serve', 'gpu'], {})] }, { tagSet: 'serve' })).rejects.toThrow(/could not be found/);
  });

  it('unknown signature: model/unknown-signature, listing the keys', async () => {
    await expect(showSavedModel(model, { tagSet: 'serve', signatureDef: 'nope' })).rejects.toThrow(
      expect.objectContaining({ code: 'model/unknown-signature', message: 'Could not find signature "nope". Please choose from: b, a' }),
    );
  });

  it('a signature without a tag-set is ignored, as in TF', async () => {
    expect(await showSavedModel(model, { signatureDef: 'nope' })).toBe("The given SavedModel contains the following tag-sets:\n'serve'\n");
  });
});

// ---------------------------------------------------------------- real models

describe.skipIf(!HAVE_MODELS)(`real SavedModels${HAVE_MODELS ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  /**
   * `saved_model_cli show --all` for serving_half_plus_two_cpu. The six-signature TF testdata model
   * of testShowCommandAll minus `classify_x2_to_y3`, which this export does not have; every line
   * format is TF's exp_out verbatim:
   * - `\nMetaGraphDef with tag-set: '<tags>' contains the following SignatureDefs:` (_show_all);
   * - `\nsignature_def['<key>']:` then the inputs/outputs block at indent 1 (_show_inputs_outputs_mgd);
   * - `    inputs['<k>'] tensor_info:` and dtype/shape/name at 8 spaces (_print_tensor_info);
   * - `  Method name is: <method>`;
   * - the ops line of _show_ops_in_metagraph_mgd (TF mocks its set; graft prints it sorted);
   * - no "Concrete Functions" section: this TF1 export has no object graph.
   */
  const EXPECTED_CPU_ALL = `
MetaGraphDef with tag-set: 'serve' contains the following SignatureDefs:

signature_def['classify_x_to_y']:
  The given SavedModel SignatureDef contains the following input(s):
    inputs['inputs'] tensor_info:
        dtype: DT_STRING
        shape: unknown_rank
        name: tf_example:0
  The given SavedModel SignatureDef contains the following output(s):
    outputs['scores'] tensor_info:
        dtype: DT_FLOAT
        shape: (-1, 1)
        name: y:0
  Method name is: tensorflow/serving/classify

signature_def['regress_x2_to_y3']:
  The given SavedModel SignatureDef contains the following input(s):
    inputs['inputs'] tensor_info:
        dtype: DT_FLOAT
        shape: (-1, 1)
        name: x2:0
  The given SavedModel SignatureDef contains the following output(s):
    outputs['outputs'] tensor_info:
        dtype: DT_FLOAT
        shape: (-1, 1)
        name: y3:0
  Method name is: tensorflow/serving/regress

signature_def['regress_x_to_y']:
  The given SavedModel SignatureDef contains the following input(s):
    inputs['inputs'] tensor_info:
        dtype: DT_STRING
        shape: unknown_rank
        name: tf_example:0
  The given SavedModel SignatureDef contains the following output(s):
    outputs['outputs'] tensor_info:
        dtype: DT_FLOAT
        shape: (-1, 1)
        name: y:0
  Method name is: tensorflow/serving/regress

signature_def['regress_x_to_y2']:
  The given SavedModel SignatureDef contains the following input(s):
    inputs['inputs'] tensor_info:
        dtype: DT_STRING
        shape: unknown_rank
        name: tf_example:0
  The given SavedModel SignatureDef contains the following output(s):
    outputs['outputs'] tensor_info:
        dtype: DT_FLOAT
        shape: (-1, 1)
        name: y2:0
  Method name is: tensorflow/serving/regress

signature_def['serving_default']:
  The given SavedModel SignatureDef contains the following input(s):
    inputs['x'] tensor_info:
        dtype: DT_FLOAT
        shape: (-1, 1)
        name: x:0
  The given SavedModel SignatureDef contains the following output(s):
    outputs['y'] tensor_info:
        dtype: DT_FLOAT
        shape: (-1, 1)
        name: y:0
  Method name is: tensorflow/serving/predict
The MetaGraph with tag set ['serve'] contains the following ops: {'Add', 'Assign', 'Const', 'Identity', 'MergeV2Checkpoints', 'Mul', 'NoOp', 'Pack', 'ParseExample', 'Placeholder', 'PlaceholderWithDefault', 'Reshape', 'RestoreV2', 'SaveV2', 'ShardedFilename', 'StringJoin', 'VariableV2'}
`;

  let cpu: SavedModelProto;
  beforeAll(async () => {
    const m = await loadModel(modelPath('serving_half_plus_two_cpu'));
    if (m.kind !== 'saved-model') throw new Error('serving_half_plus_two_cpu is not a SavedModel');
    cpu = m.savedModel;
  });

  it('show --all on serving_half_plus_two_cpu matches saved_model_cli line for line', async () => {
    expect((await showSavedModel(cpu, { all: true })).split('\n')).toEqual(EXPECTED_CPU_ALL.split('\n'));
  });

  it('the ops include every op testShowCommandListOps asserts for half_plus_two', async () => {
    const line = (await showSavedModel(cpu, { tagSet: 'serve', listOps: true })).split('\n')[0]!;
    for (const op of ['VariableV2', 'Add', 'RestoreV2', 'ShardedFilename', 'Placeholder', 'Mul', 'Pack', 'Reshape', 'SaveV2', 'Const', 'Identity', 'Assign', 'ParseExample', 'StringJoin', 'MergeV2Checkpoints', 'NoOp']) {
      expect(line).toContain(`'${op}'`);
    }
  });

  it('agrees with the signatures TF Serving reported (half_plus_two_model_metadata.json)', async () => {
    const meta = JSON.parse(readFileSync(modelPath('serving_half_plus_two_cpu', 'half_plus_two_model_metadata.json'), 'utf8')) as {
      metadata: { signature_def: { signature_def: Record<string, { inputs: Record<string, { name: string; dtype: string }>; method_name: string }> } };
    };
    const sigs = meta.metadata.signature_def.signature_def;
    const keys = (await showSavedModel(cpu, { tagSet: 'serve' })).split('\n').slice(1, -1);
    expect(keys).toEqual(Object.keys(sigs).sort().map((k) => `SignatureDef key: "${k}"`));
    for (const [key, sig] of Object.entries(sigs)) {
      const text = await showSavedModel(cpu, { tagSet: 'serve', signatureDef: key });
      expect(text.endsWith(`Method name is: ${sig.method_name}\n`)).toBe(true);
      for (const [k, t] of Object.entries(sig.inputs)) {
        expect(text).toContain(`  inputs['${k}'] tensor_info:\n      dtype: ${t.dtype}\n`);
        expect(text).toContain(`      name: ${t.name}\n`);
      }
    }
  });

  it('testShowCommandTags / testShowCommandInputsOutputs formats on the real model', async () => {
    expect(await showSavedModel(cpu, {})).toBe("The given SavedModel contains the following tag-sets:\n'serve'\n");
    expect(await showSavedModel(cpu, { tagSet: 'serve', signatureDef: 'serving_default' })).toBe(`The given SavedModel SignatureDef contains the following input(s):
  inputs['x'] tensor_info:
      dtype: DT_FLOAT
      shape: (-1, 1)
      name: x:0
The given SavedModel SignatureDef contains the following output(s):
  outputs['y'] tensor_info:
      dtype: DT_FLOAT
      shape: (-1, 1)
      name: y:0
Method name is: tensorflow/serving/predict
`);
  });

  it('TF2 serving_half_plus_two_tf2: init op signature and Concrete Functions from the object graph', async () => {
    const m = await loadModel(modelPath('serving_half_plus_two_tf2'));
    if (m.kind !== 'saved-model') throw new Error('not a SavedModel');
    const out = await showSavedModel(m.savedModel, { all: true });
    expect(out).toContain(`
signature_def['__saved_model_init_op']:
  The given SavedModel SignatureDef contains the following input(s):
  The given SavedModel SignatureDef contains the following output(s):
    outputs['__saved_model_init_op'] tensor_info:
        dtype: DT_INVALID
        shape: unknown_rank
        name: NoOp
  Method name is: 
`);
    // The ops come from the main graph and the functions StatefulPartitionedCall reaches.
    expect(out).toMatch(/contains the following ops: \{[^}]*'ReadVariableOp'[^}]*'StatefulPartitionedCall'/);
    // Root children that are functions, sorted; variables, the asset and `signatures` are not listed.
    const tail = out.slice(out.indexOf('\nConcrete Functions:'));
    expect(tail.split('\n').filter((l) => l.startsWith('  Function Name'))).toEqual(
      ['classify_x2y3', 'classify_xy', 'predict', 'regress_x2y3', 'regress_xy', 'regress_xy2'].map((n) => `  Function Name: '${n}'`),
    );
    expect(tail.startsWith(`
Concrete Functions:
  Function Name: 'classify_x2y3'
    Option #1
      Callable with:
        Argument #1
          inputs: TensorSpec(shape=(1,), dtype=tf.float32, name='inputs')

  Function Name: 'classify_xy'
    Option #1
      Callable with:
        Argument #1
          inputs: TensorSpec(shape=(None,), dtype=tf.string, name='inputs')
`)).toBe(true);
  });

  it('ref-typed outputs (serving_counter) print DT_FLOAT_REF', async () => {
    const m = await loadModel(modelPath('serving_counter'));
    if (m.kind !== 'saved-model') throw new Error('not a SavedModel');
    expect(await showSavedModel(m.savedModel, { all: true })).toMatch(/\n {8}dtype: DT_FLOAT_REF\n/);
  });

  it('coo_sparse inputs (tfx_transform_fn) print an empty name, as _print_tensor_info does', async () => {
    const m = await loadModel(modelPath('tfx_transform_fn'));
    if (m.kind !== 'saved-model') throw new Error('not a SavedModel');
    expect(await showSavedModel(m.savedModel, {})).toBe("The given SavedModel contains the following tag-sets:\n'transform'\n");
    const key = Object.keys(m.savedModel.metaGraphs[0]!.signatures)[0]!;
    expect(await showSavedModel(m.savedModel, { tagSet: 'transform', signatureDef: key })).toMatch(/\n {6}dtype: DT_STRING\n {6}shape: \(-1, -1\)\n {6}name: \n/);
  });

  it('every SavedModel in the shared models prints every applicable combination without throwing', async () => {
    const dirs = allModelPaths().filter((p) => !/\.(pb|pbtxt|meta)$/.test(p));
    expect(dirs.length).toBeGreaterThan(20);
    for (const dir of dirs) {
      const m = await loadModel(modelPath(dir));
      if (m.kind !== 'saved-model') throw new Error(`${dir} did not load as a SavedModel`);
      const sm = m.savedModel;
      const all = await showSavedModel(sm, { all: true }, m.path);
      expect(all.startsWith('\nMetaGraphDef with tag-set:'), dir).toBe(true);
      const hasObjects = sm.metaGraphs.some((g) => Object.prototype.hasOwnProperty.call(g.proto, 'object_graph_def'));
      expect(all.includes('\nConcrete Functions:'), dir).toBe(hasObjects);
      expect((await showSavedModel(sm, {}, m.path)).startsWith('The given SavedModel contains the following tag-sets:\n'), dir).toBe(true);
      for (const mg of sm.metaGraphs) {
        const tagSet = mg.tags.join(',');
        const keys = await showSavedModel(sm, { tagSet, listOps: true }, m.path);
        expect(keys.split('\n').filter((l) => l.startsWith('SignatureDef key:')).length, dir).toBe(Object.keys(mg.signatures).length);
        for (const key of Object.keys(mg.signatures)) {
          const one = await showSavedModel(sm, { tagSet, signatureDef: key }, m.path);
          expect(one.startsWith('The given SavedModel SignatureDef contains the following input(s):\n'), `${dir} ${key}`).toBe(true);
          expect(all, `${dir} ${key}`).toContain(`\nsignature_def['${key}']:\n`);
        }
      }
    }
  }, 60_000);
});
