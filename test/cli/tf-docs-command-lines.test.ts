/**
 * Command lines copied from TensorFlow's documentation, run through graft against real models
 * (issue 13, must-show 1). Each command is kept as the documentation prints it, continuation
 * backslashes and quotes included, and split into words by a small POSIX-shell reader; then only
 * the tool's path becomes the graft command, and the example's file paths, node names and input
 * shapes become those of a real model (the substitutions are listed with each case).
 *
 * Sources:
 * - freeze_graph: tensorflow/models research/slim/README.md, "Freezing the exported Graph";
 *   the deprecated flags with the values freeze_graph.py documents as their defaults.
 * - transform_graph: tensorflow/tools/graph_transforms/README.md, "Eight-bit Calculations"
 *   (the multi-line --transforms) and "Using the Graph Transform Tool" (continuation backslashes
 *   inside the quotes, which reach the tool: TensorFlow's parser fails on them, and so does graft,
 *   saying why).
 * - summarize_graph: the same README, "Inspecting Graphs".
 * - saved_model_cli: TensorFlow's SavedModel guide, "Full examples of run" (--inputs, --outdir,
 *   and --input_exprs).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { readCheckpointFiles } from '../../src/io/checkpoint/bundle-files';
import { loadModel, saveGraph } from '../../src/io/model-files';
import { readNpy, writeNpy } from '../../src/io/npy';
import { makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';
import { useScratch } from '../helpers/scratch';

const scratch = useScratch('graft-tf-docs');

/**
 * Words of a shell command line: a leading `$ ` prompt dropped, backslash-newline outside quotes
 * joining lines, single quotes literal (a backslash-newline inside them stays, as in a real shell),
 * double quotes with `\\`, `\"`, `\$` escapes. `;` is kept as a character: the SavedModel guide
 * writes `--inputs x1=a.npy;x2=b.npy` unquoted and means the value (a shell would end the command
 * there); saved_model_cli splits the value at `;`.
 */
function shellWords(text: string): string[] {
  const src = text.trim().replace(/^\$\s*/, '');
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\' && src[i + 1] === '\n') {
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
      continue;
    }
    word ??= '';
    if (c === "'") {
      const end = src.indexOf("'", i + 1);
      word += src.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      for (i++; src[i] !== '"'; i++) {
        if (src[i] === '\\' && '"\\$'.includes(src[i + 1]!)) i++;
        word += src[i];
      }
    } else if (c === '\\') word += src[++i];
    else word += c;
  }
  if (word !== null) words.push(word);
  return words;
}

/** The graft argv for a TensorFlow command line: the tool becomes its graft command. */
function graftArgv(text: string, substitutions: Readonly<Record<string, string>>): string[] {
  let words = shellWords(text).map((w) => Object.entries(substitutions).reduce((s, [from, to]) => s.split(from).join(to), w));
  if (/^python3?$/.test(words[0]!)) words = words.slice(1);
  const tool = words[0]!;
  if (tool === 'saved_model_cli') return words.slice(1);
  const name = path.basename(tool).replace(/\.py$/, '');
  const command = { freeze_graph: 'freeze', transform_graph: 'transform', summarize_graph: 'summarize' }[name];
  if (!command) throw new Error(`no graft command for ${tool}`);
  return [command, ...words.slice(1)];
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => void out.push(t), err: (t) => void err.push(t), interactive: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('the shell reader', () => {
  it('joins continuation lines, keeps quoted text, and keeps backslashes inside single quotes', () => {
    expect(shellWords(`$ tool --a=1 \\\n--b='x y' --c="q\\"d" \\\n--t='\\\nfoo \\\nbar'`)).toEqual(['tool', '--a=1', '--b=x y', '--c=q"d', '--t=\\\nfoo \\\nbar']);
  });
});

describe.skipIf(!HAVE_MODELS)(`TensorFlow's documented command lines, run by graft (skipped if ${SKIP_REASON})`, () => {
  /** tf2onnx_regression_checkpoint: pred = X * W + b, W and b in the checkpoint `model`. */
  async function regressionGraphPb(): Promise<string> {
    const meta = await loadModel(modelPath('tf2onnx_regression_checkpoint', 'model.meta'));
    if (meta.kind !== 'meta-graph') throw new Error('expected a MetaGraphDef');
    const pb = path.join(scratch.freshDir('graph'), 'regression_inf_graph.pb');
    await saveGraph(meta.metaGraph.graph, pb);
    return pb;
  }

  /** The checkpoint's W and b, and the frozen graph's constants for them. */
  async function checkFrozen(frozen: string): Promise<void> {
    const m = await loadModel(frozen);
    if (m.kind !== 'graph-def') throw new Error('expected a GraphDef');
    expect(m.graph.nodes.filter((n) => /Variable/.test(n.op))).toEqual([]);
    const ckpt = await readCheckpointFiles(modelPath('tf2onnx_regression_checkpoint', 'model'));
    for (const name of ['W', 'b']) {
      const node = m.graph.nodes.find((n) => n.name === name)!;
      expect(node.op).toBe('Const');
      const v = node.attrs.value;
      if (v?.kind !== 'tensor') throw new Error('Const without a value');
      const entry = ckpt.entries.get(name)!;
      const want = new Float32Array(new Uint8Array(entry.data!).buffer);
      expect(tensorToNumbers(v.value)).toEqual([...want]);
    }
  }

  it('freeze_graph (TF-slim README): --input_graph, --input_checkpoint, --input_binary=true', async () => {
    const out = path.join(scratch.freshDir('frozen'), 'frozen_inception_v3.pb');
    const argv = graftArgv(
      `bazel-bin/tensorflow/python/tools/freeze_graph \\
  --input_graph=/tmp/inception_v3_inf_graph.pb \\
  --input_checkpoint=/tmp/checkpoints/inception_v3.ckpt \\
  --input_binary=true --output_graph=/tmp/frozen_inception_v3.pb \\
  --output_node_names=InceptionV3/Predictions/Reshape_1`,
      {
        '/tmp/inception_v3_inf_graph.pb': await regressionGraphPb(),
        '/tmp/checkpoints/inception_v3.ckpt': modelPath('tf2onnx_regression_checkpoint', 'model'),
        '/tmp/frozen_inception_v3.pb': out,
        'InceptionV3/Predictions/Reshape_1': 'pred',
      },
    );
    const r = await cli(argv);
    expect(r.err).toBe('note: --input_binary is accepted and ignored: graft tells binary and text GraphDefs apart by their bytes');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Converted 2 variable(s) to constants');
    await checkFrozen(out);
  });

  it("freeze_graph with its deprecated flags (freeze_graph.py's documented defaults) and TF 2.x names", async () => {
    const out = path.join(scratch.freshDir('frozen'), 'frozen_graph.pb');
    const argv = graftArgv(
      `python freeze_graph.py \\
  --input_graph=some_graph_def.pb --input_saver= --input_binary \\
  --input_checkpoint=model.ckpt-8361242 \\
  --output_graph=/tmp/frozen_graph.pb --output_node_names=softmax \\
  --restore_op_name=save/restore_all --filename_tensor_name=save/Const:0 \\
  --clear_devices --initializer_nodes= --checkpoint_version=2 \\
  --variable_names_denylist=`,
      {
        'some_graph_def.pb': await regressionGraphPb(),
        'model.ckpt-8361242': modelPath('tf2onnx_regression_checkpoint', 'model'),
        '/tmp/frozen_graph.pb': out,
        '=softmax': '=pred',
      },
    );
    const r = await cli(argv);
    expect(r.code).toBe(0);
    const notes = r.err.split('\n').map((l) => /^note: (--\w+) is accepted and ignored/.exec(l)?.[1]);
    expect(notes).toEqual(['--input_saver', '--input_binary', '--restore_op_name', '--filename_tensor_name', '--initializer_nodes', '--checkpoint_version']);
    await checkFrozen(out);
  });

  const mnist = modelPath('nns_mnist_softmax_frozen', 'mnist.pb');

  it("transform_graph with the README's multi-line --transforms (Eight-bit Calculations)", async () => {
    const out = path.join(scratch.freshDir('transform'), 'optimized_inception_graph.pb');
    const argv = graftArgv(
      `bazel-bin/tensorflow/tools/graph_transforms/transform_graph \\
--in_graph=tensorflow_inception_graph.pb \\
--out_graph=optimized_inception_graph.pb \\
--inputs='Mul:0' \\
--outputs='softmax:0' \\
--transforms='
 add_default_attributes
 strip_unused_nodes(type=float, shape="1,299,299,3")
 remove_nodes(op=Identity, op=CheckNumerics)
 fold_old_batch_norms
 quantize_weights
 quantize_nodes
 strip_unused_nodes'`,
      { 'tensorflow_inception_graph.pb': mnist, 'optimized_inception_graph.pb': out, 'Mul:0': 'input:0', '1,299,299,3': '1,784' },
    );
    expect(argv.at(-1)).toBe('--transforms=\n add_default_attributes\n strip_unused_nodes(type=float, shape="1,784")\n remove_nodes(op=Identity, op=CheckNumerics)\n fold_old_batch_norms\n quantize_weights\n quantize_nodes\n strip_unused_nodes');
    const r = await cli(argv);
    expect(r.code).toBe(0);
    const steps = r.out.split('\n').filter((l) => /^\d+ /.test(l)).map((l) => l.split(/\s+/)[1]);
    expect(steps).toEqual(['add_default_attributes', 'strip_unused_nodes(type=float,', 'remove_nodes(op=Identity,', 'fold_old_batch_norms', 'quantize_weights', 'quantize_nodes', 'strip_unused_nodes']);
    const m = await loadModel(out);
    if (m.kind !== 'graph-def') throw new Error('expected a GraphDef');
    const ops = new Set(m.graph.nodes.map((n) => n.op));
    expect(ops.has('Identity')).toBe(false);
    expect(ops.has('QuantizedMatMul')).toBe(true);
    // Still the digit classifier: 9.raw (28x28 uint8) scaled to [0,1] is a 9.
    const nine = path.join(scratch.freshDir('in'), 'nine.npy');
    writeFileSync(nine, writeNpy(makeTensor('float', [1, 784], Array.from(readFileSync(modelPath('nns_mnist_softmax_frozen', '9.raw')), (v) => v / 255))));
    const run = await cli(['run', out, '--input', `input=${nine}`, '--json']);
    const p = JSON.parse(run.out).outputs[0].values as number[];
    expect(p.indexOf(Math.max(...p))).toBe(9);
  });

  it('transform_graph with continuation backslashes inside the quotes: refused as TensorFlow refuses them, saying why', async () => {
    const out = path.join(scratch.freshDir('transform'), 'optimized_inception_graph.pb');
    const argv = graftArgv(
      `bazel-bin/tensorflow/tools/graph_transforms/transform_graph \\
--in_graph=tensorflow_inception_graph.pb \\
--out_graph=optimized_inception_graph.pb \\
--inputs='Mul:0' \\
--outputs='softmax:0' \\
--transforms='\\
strip_unused_nodes(type=float, shape="1,299,299,3") \\
remove_nodes(op=Identity, op=CheckNumerics) \\
fold_old_batch_norms \\
'`,
      { 'tensorflow_inception_graph.pb': mnist, 'optimized_inception_graph.pb': out, 'Mul:0': 'input:0', '1,299,299,3': '1,784' },
    );
    const r = await cli(argv);
    // TensorFlow: "Looking for transform name, but found \" (ParseTransformParameters).
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('Looking for transform name, but found \\');
    expect(r.err).toContain('line continuation backslashes belong to the shell');
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('summarize_graph --in_graph (README, Inspecting Graphs)', async () => {
    const argv = graftArgv('bazel-bin/tensorflow/tools/graph_transforms/summarize_graph --in_graph=tensorflow_inception_graph.pb', { 'tensorflow_inception_graph.pb': mnist });
    const r = await cli(argv);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines).toContain('Found 1 possible inputs: (name=input, type=float(1), shape=[?,784]) ');
    expect(lines).toContain('Found 1 possible outputs: (name=softmax, op=Softmax) ');
    expect(lines).toContain(`bazel run tensorflow/tools/benchmark:benchmark_model -- --graph=${mnist} --show_flops --input_layer=input --input_layer_type=float --input_layer_shape=-1,784 --output_layer=softmax`);
  });

  // tf2onnx_saved_model_with_redundant_inputs: signature inputs x and y (float [1,10]), output z = x + 1 (y unused).
  const twoInputs = modelPath('tf2onnx_saved_model_with_redundant_inputs');
  const x = Array.from({ length: 10 }, (_, i) => i + 1);

  it('saved_model_cli run --inputs x1=...npy;x2=...npy --outdir (SavedModel guide)', async () => {
    const d = scratch.freshDir('smcli');
    writeFileSync(path.join(d, 'my_data1.npy'), writeNpy(makeTensor('float', [1, 10], x)));
    writeFileSync(path.join(d, 'my_data2.npy'), writeNpy(makeTensor('double', [1, 10], new Array(10).fill(0.5))));
    const argv = graftArgv(
      `$ saved_model_cli run --dir /tmp/saved_model_dir --tag_set serve \\
--signature_def x1_x2_to_y --inputs x1=/tmp/my_data1.npy;x2=/tmp/my_data2.npy \\
--outdir /tmp/out`,
      { '/tmp/saved_model_dir': twoInputs, x1_x2_to_y: 'serving_default', 'x1=': 'x=', 'x2=': 'y=', '/tmp/my_data': path.join(d, 'my_data'), '/tmp/out': path.join(d, 'out') },
    );
    expect(argv.slice(0, 9)).toEqual(['run', '--dir', twoInputs, '--tag_set', 'serve', '--signature_def', 'serving_default', '--inputs', `x=${d}/my_data1.npy;y=${d}/my_data2.npy`]);
    const r = await cli(argv);
    expect(r.code).toBe(0);
    // numpy: '%s' % (np.arange(1, 11, dtype=np.float32).reshape(1, 10) + 1)
    expect(r.out).toBe(`Result for output key z:\n[[ 2.  3.  4.  5.  6.  7.  8.  9. 10. 11.]]\nOutput z is saved to ${path.join(d, 'out', 'z.npy')}`);
    expect(tensorToNumbers(readNpy(readFileSync(path.join(d, 'out', 'z.npy'))))).toEqual(x.map((v) => v + 1));
  });

  it("saved_model_cli run --inputs x1=...npz[x] --input_exprs 'x2=np.ones((3,1))' (SavedModel guide)", async () => {
    const argv = graftArgv(
      `$ saved_model_cli run --dir /tmp/saved_model_dir --tag_set serve \\
--signature_def x1_x2_to_y --inputs x1=/tmp/my_data1.npz[x] \\
--input_exprs 'x2=np.ones((3,1))'`,
      {
        '/tmp/saved_model_dir': twoInputs,
        x1_x2_to_y: 'serving_default',
        'x1=': 'x=',
        'x2=': 'y=',
        // numpy.savez of x = [[1..10]] (float32), made by numpy.
        '/tmp/my_data1.npz': path.join(import.meta.dirname, 'fixtures', 'my_data1.npz'),
        '(3,1)': '(1,10)',
      },
    );
    expect(argv.at(-1)).toBe('y=np.ones((1,10))');
    const r = await cli(argv);
    expect(r).toMatchObject({ code: 0, out: 'Result for output key z:\n[[ 2.  3.  4.  5.  6.  7.  8.  9. 10. 11.]]' });
  });

  it("saved_model_cli run --input_exprs on TF Serving's half_plus_two (y = 0.5 x + 2)", async () => {
    const argv = graftArgv(
      `saved_model_cli run --dir /tmp/saved_model_dir --tag_set serve --signature_def serving_default --input_exprs 'x=[[1],[2],[3]]'`,
      { '/tmp/saved_model_dir': modelPath('serving_half_plus_two_cpu') },
    );
    const r = await cli(argv);
    // numpy: '%s' % (np.array([[1],[2],[3]], np.float32) * 0.5 + 2)
    expect(r).toMatchObject({ code: 0, out: 'Result for output key y:\n[[2.5]\n [3. ]\n [3.5]]' });
  });
});
