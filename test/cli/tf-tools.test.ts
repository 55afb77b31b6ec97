/**
 * TensorFlow's tools, run through graft with their own flags (issue #13): summarize_graph's
 * `--in_graph` form and its greppable lines, saved_model_cli scan's denylist report.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readNpy, writeNpy } from '../../src/io/npy';
import { makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';
import { useScratch } from '../helpers/scratch';

const scratch = useScratch('graft-tf-tools');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => void out.push(t), err: (t) => void err.push(t), interactive: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe.skipIf(!HAVE_MODELS)(`summarize_graph's form (skipped if ${SKIP_REASON})`, () => {
  const pb = modelPath('nns_mnist_softmax_frozen', 'mnist.pb');

  it('--in_graph prints the Found lines, the inferred output shape and the benchmark_model line', async () => {
    const r = await cli('summarize', `--in_graph=${pb}`);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    // summarize_graph prints each node info followed by a space.
    expect(lines).toContain('Found 1 possible inputs: (name=input, type=float(1), shape=[?,784]) ');
    expect(lines).toContain('No variables spotted.');
    expect(lines).toContain('Found 1 possible outputs: (name=softmax, op=Softmax) ');
    // 784*10 weights + 10 biases.
    expect(lines).toContain('Found 7850 (7.85k) const parameters, 0 (0) variable parameters, and 0 control_edges');
    expect(lines).toContain('Output shapes (inferred): softmax:0 float [?,10]');
    expect(lines).toContain('To use with tensorflow/tools/benchmark:benchmark_model try these arguments:');
    expect(lines).toContain(
      `bazel run tensorflow/tools/benchmark:benchmark_model -- --graph=${pb} --show_flops --input_layer=input --input_layer_type=float --input_layer_shape=-1,784 --output_layer=softmax`,
    );
  });

  it('--print_structure lists nodes in execution order with constant values', async () => {
    const r = await cli('summarize', '--in_graph', pb, '--print_structure');
    expect(r.code).toBe(0);
    expect(r.out).toContain('\nMatMul (MatMul): [input, Weight/read]\nadd (Add): [MatMul, bias/read]\nsoftmax (Softmax): [add]');
    expect(r.out).toMatch(/\nWeight \(Const\): \[\], value=Tensor<type: float shape: \[784,10\] values: \[\S+ \S+ \S+\.\.\.\]\.\.\.>/);
  });

  it('both a positional path and --in_graph is a usage error', async () => {
    const r = await cli('summarize', pb, `--in_graph=${pb}`);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('Unknown argument');
  });

  it('a TF2 SavedModel: the signature output shape is inferred through the function call', async () => {
    const r = await cli('summarize', modelPath('tfnet_keras_mlp_tf211'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('Output shapes (inferred): StatefulPartitionedCall:0 float [?,10]');
    expect(r.out).toContain('Found 2 possible inputs: (name=serving_default_input_1, type=float(1), shape=[?,28,28,1]) (name=saver_filename, type=string(7), shape=[]) ');
    // benchmark_model reads GraphDefs only: no suggestion for a SavedModel.
    expect(r.out).not.toContain('benchmark_model');
  });
});

describe.skipIf(!HAVE_MODELS)(`saved_model_cli scan (skipped if ${SKIP_REASON})`, () => {
  it('names the denylisted op a Keras model uses (a tf.print left in: PrintV2)', async () => {
    const r = await cli('scan', '--dir', modelPath('tfnet_keras_mlp_tf211'));
    expect(r).toMatchObject({ code: 0, out: "MetaGraph with tag set ['serve'] contains the following denylisted ops: {'PrintV2'}" });
  });

  it('a model without them, and --op_denylist with --tag_set', async () => {
    const dir = modelPath('serving_half_plus_two_tf2');
    expect((await cli('scan', '--dir', dir)).out).toBe("MetaGraph with tag set ['serve'] does not contain the default denylisted ops: {'WriteFile', 'ReadFile', 'PrintV2'}");
    const r = await cli('scan', '--dir', dir, '--tag_set', 'serve', '--op_denylist', 'ReadVariableOp,NoSuchOp,AddV2');
    expect(r.out).toBe("MetaGraph with tag set ['serve'] contains the following denylisted ops: {'AddV2', 'ReadVariableOp'}");
    const j = JSON.parse((await cli('scan', '--dir', dir, '--json')).out);
    expect(j.metaGraphs).toEqual([{ tags: ['serve'], denylist: ['WriteFile', 'ReadFile', 'PrintV2'], found: [] }]);
  });

  it('an unknown tag set fails naming the ones there are', async () => {
    const r = await cli('scan', '--dir', modelPath('serving_half_plus_two_tf2'), '--tag_set', 'gpu');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("tag-set 'gpu' could not be found");
  });
});

describe.skipIf(!HAVE_MODELS)(`saved_model_cli run (skipped if ${SKIP_REASON})`, () => {
  // serving_half_plus_two: y = 0.5 * x + 2 (TF Serving's test model).
  const dir = modelPath('serving_half_plus_two_cpu');
  const base = ['run', '--dir', dir, '--tag_set', 'serve', '--signature_def', 'serving_default'];

  it('--input_exprs: one "Result for output key" block per output, numpy-printed', async () => {
    const r = await cli(...base, '--input_exprs', 'x=np.ones((3,1))');
    expect(r).toMatchObject({ code: 0, out: 'Result for output key y:\n[[2.5]\n [2.5]\n [2.5]]' });
  });

  it('--inputs from .npy, --outdir writes <key>.npy and needs --overwrite the second time', async () => {
    const d = scratch.freshDir('run');
    const x = path.join(d, 'my_data1.npy');
    writeFileSync(x, writeNpy(makeTensor('float', [3, 1], [1, 2, 3])));
    const out = path.join(d, 'out');
    const r = await cli(...base, '--inputs', `x=${x}`, '--outdir', out);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`Result for output key y:\n[[2.5]\n [3. ]\n [3.5]]\nOutput y is saved to ${path.join(out, 'y.npy')}`);
    expect(tensorToNumbers(readNpy(readFileSync(path.join(out, 'y.npy'))))).toEqual([2.5, 3, 3.5]);
    const again = await cli(...base, '--inputs', `x=${x}`, '--outdir', out);
    expect(again.code).not.toBe(0);
    expect(again.err).toContain(`Output file ${path.join(out, 'y.npy')} already exists. Add "--overwrite" to overwrite the existing output files.`);
    expect((await cli(...base, '--inputs', `x=${x}`, '--outdir', out, '--overwrite')).code).toBe(0);
  });

  it('--outdir inside the model, or naming a file, is refused before anything is written', async () => {
    const model = scratch.copyModel('serving_half_plus_two_cpu');
    const inside = await cli('run', '--dir', model, '--input_exprs', 'x=[[1.0]]', '--outdir', path.join(model, 'variables'), '--overwrite');
    expect(inside.code).not.toBe(0);
    expect(inside.err).toContain('io/overlaps-input');
    expect(inside.out).toBe('');
    const file = scratch.writeTemp('taken', 'keep me');
    const r = await cli('run', '--dir', model, '--input_exprs', 'x=[[1.0]]', '--outdir', file);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(`--outdir ${file} is a file`);
    expect(r.out).toBe('');
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('--input_examples feeds serialized tf.Examples to a regress signature', async () => {
    const r = await cli('run', '--dir', dir, '--tag_set', 'serve', '--signature_def', 'regress_x_to_y', '--input_examples', 'inputs=[{"x":[1.0]},{"x":[3.0]}]');
    expect(r).toMatchObject({ code: 0, out: 'Result for output key outputs:\n[[2.5]\n [3.5]]' });
  });

  it('TF-only flags are accepted with a note; a wrong key and a pickle are refused', async () => {
    const r = await cli(...base, '--input_exprs', 'x=[[0.0]]', '--tf_debug', '--worker', 'grpc://x:1', '--init_tpu', '--use_tfrt');
    expect(r.code).toBe(0);
    expect(r.err.split('\n').filter((l) => l.startsWith('note: --'))).toHaveLength(4);
    const bad = await cli(...base, '--input_exprs', 'X=[[1.0]]');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('"X" is not a valid input key. Please choose from "x", or use --show option.');
    const pkl = scratch.writeTemp('my_data2.pkl', new Uint8Array([0x80, 0x04, 0x95]));
    const p = await cli(...base, '--inputs', `x=${pkl}`);
    expect(p.code).not.toBe(0);
    expect(p.err).toContain('graft does not load pickles');
  });

  it('multi-output signatures print every key sorted (int32 scalars)', async () => {
    const r = await cli('run', '--dir', modelPath('tfjs_model_multi_output'), '--tag_set', 'serve', '--signature_def', 'serving_default', '--input_exprs', 'x=3;y=4');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Result for output key output_0:\n-?\d+\nResult for output key output_1:\n-?\d+$/);
  });

  it('inputs the command line does not give fail as in TensorFlow, unless --generate_inputs asks for seeded ones', async () => {
    const none = await cli(...base);
    expect(none.code).toBe(2);
    expect(none.err).toContain('At least one of --inputs, --input_exprs or --input_examples must be required');
    expect(none.out).toBe('');
    const multi = ['run', '--dir', modelPath('tfjs_model_multi_output'), '--tag_set', 'serve', '--signature_def', 'serving_default'];
    const half = await cli(...multi, '--input_exprs', 'x=3');
    expect(half.code).toBe(1);
    expect(half.err).toContain("graft: error [runtime/missing-feed]: You must feed a value for placeholder tensor 'serving_default_y' with dtype int32 and shape []");
    expect(half.err).toContain('--generate_inputs');
    expect(half.out).toBe('');
    const generated = await cli(...multi, '--input_exprs', 'x=3', '--generate_inputs');
    expect(generated.code).toBe(0);
    expect(generated.err).toContain('note: inputs not given were generated (seed 1): serving_default_y int32 []');
    expect(generated.out).toMatch(/^Result for output key output_0:\n-?\d+\nResult for output key output_1:\n-?\d+$/);
  });
});

describe.skipIf(!HAVE_MODELS)(`graft transform on a TF2 SavedModel (work inside functions) (skipped if ${SKIP_REASON})`, () => {
  it('says up front that the work is inside functions and names what handles it', async () => {
    const out = path.join(scratch.freshDir('tf2'), 'out');
    const r = await cli('transform', modelPath('tfexamples_fake_effdet_lite0'), out, 'fold_constants fold_batch_norms strip_unused_nodes');
    expect(r.code).toBe(0);
    const warning = r.err.split('\n').find((l) => l.startsWith('warning:'));
    expect(warning).toMatch(/the graph's work is inside \d+ library functions \(\d+ nodes\) called by \d+ nodes/);
    expect(warning).toContain('Add inline_partitionedcall as the first transform');
    expect(warning).toContain('graft optimize');
    expect(r.out).toContain('47 -> 47');
  });

  it('with inline_partitionedcall first: no warning, and the steps after it see the functions’ nodes', async () => {
    const out = path.join(scratch.freshDir('tf2'), 'out');
    const r = await cli('transform', modelPath('serving_half_plus_two_tf2'), out, 'inline_partitionedcall strip_unused_nodes', '--json');
    expect(r.code).toBe(0);
    expect(r.err).not.toContain('warning:');
    const j = JSON.parse(r.out);
    expect(j.warning).toBeUndefined();
    const steps = j.report.steps as { nodesBefore: number; nodesAfter: number }[];
    expect(steps[0]!.nodesAfter).toBeGreaterThan(steps[0]!.nodesBefore);
  });

  it('with inline_partitionedcall later: the steps before it are named', async () => {
    const out = path.join(scratch.freshDir('tf2'), 'out');
    const r = await cli('transform', modelPath('serving_half_plus_two_tf2'), out, 'fold_constants inline_partitionedcall', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).warning).toContain('The step before inline_partitionedcall sees only the main graph');
  });

  it('a TF1 SavedModel (work in the main graph) gets no warning', async () => {
    const out = path.join(scratch.freshDir('tf1'), 'out');
    const r = await cli('transform', modelPath('serving_half_plus_two_cpu'), out, 'strip_unused_nodes');
    expect(r.code).toBe(0);
    expect(r.err).not.toContain('warning:');
  });
});
