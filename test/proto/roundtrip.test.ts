import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { MODELS_DIR } from '../helpers/models';
import { GraftError } from '../../src/errors';
import {
  decodeMessage,
  encodeMessage,
  Long,
  messageType,
  parseTextMessage,
  printTextMessage,
  type FunctionDefMsg,
  type GraphDefMsg,
  type MessageName,
  type NodeDefMsg,
  type SavedModelMsg,
} from '../../src/proto/index';

const MODELS = MODELS_DIR;

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = path.join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}

/** Which message a model file holds, or undefined for files that hold none of ours. */
function binaryKind(file: string): MessageName | undefined {
  const base = path.basename(file);
  if (base === 'saved_model.pb') return 'tensorflow.SavedModel';
  if (base.endsWith('.meta')) return 'tensorflow.MetaGraphDef';
  // fingerprint.pb (FingerprintDef) and keras_metadata.pb (SavedMetadata) are not graphs.
  if (base.endsWith('.pb') && base !== 'fingerprint.pb' && base !== 'keras_metadata.pb') return 'tensorflow.GraphDef';
  return undefined;
}

/** Collects the paths of every object in `o` that carries unknown fields. */
function unknownPaths(o: unknown, at = '', out: string[] = []): string[] {
  if (o === null || typeof o !== 'object' || ArrayBuffer.isView(o)) return out;
  const u = (o as { $unknowns?: unknown[] }).$unknowns;
  if (u !== undefined && u.length > 0) out.push(at || '<root>');
  for (const [k, v] of Object.entries(o)) unknownPaths(v, `${at}.${k}`, out);
  return out;
}

/**
 * Files whose bytes are valid but not in canonical field order, so no
 * field-number-order encoder can reproduce them. Checked below to be a
 * fixpoint and to be exactly this case.
 */
const NON_CANONICAL: Record<string, string> = {
  'serving_half_plus_two_tf2/saved_model.pb': 'every message is written with its fields in descending number order',
};

/** Field numbers of the top-level fields of `bytes`, in wire order. */
function topLevelFields(bytes: Uint8Array): number[] {
  const r = protobuf.Reader.create(bytes);
  const out: number[] = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    out.push(tag >>> 3);
    r.skipType(tag & 7);
  }
  return out;
}

function subMessage(bytes: Uint8Array, field: number): Uint8Array {
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === field && (tag & 7) === 2) return r.bytes();
    r.skipType(tag & 7);
  }
  throw new Error(`no field ${field}`);
}

const haveModels = existsSync(MODELS);
const files = haveModels ? walk(MODELS) : [];
const binaries = files.filter((f) => binaryKind(f) !== undefined);
const texts = files.filter((f) => f.endsWith('.pbtxt'));

describe.skipIf(!haveModels)(`binary model files round-trip (models in ${MODELS})`, () => {
  it('finds the model files', () => {
    expect(binaries.length).toBeGreaterThanOrEqual(40);
  });

  for (const file of binaries) {
    const rel = path.relative(MODELS, file);
    const kind = binaryKind(file)!;
    it(`${rel} as ${kind}`, () => {
      const bytes = readFileSync(file);
      const message = decodeMessage(kind, bytes, file);
      // The schema knows every field TensorFlow wrote.
      expect(unknownPaths(message)).toEqual([]);
      const again = encodeMessage(kind, message);
      if (NON_CANONICAL[rel] === undefined) {
        expect(Buffer.compare(Buffer.from(again), bytes)).toBe(0);
      } else {
        // Same content, canonical order: same length, stable on a second pass.
        expect(again.length).toBe(bytes.length);
        expect(Buffer.compare(Buffer.from(encodeMessage(kind, decodeMessage(kind, again))), Buffer.from(again))).toBe(0);
        expect(Buffer.compare(Buffer.from(again), bytes)).not.toBe(0);
      }
    });
  }

  it('explains the non-canonical file: its MetaGraphDef fields are in descending order', () => {
    const file = path.join(MODELS, 'serving_half_plus_two_tf2/saved_model.pb');
    const metaGraph = subMessage(readFileSync(file), 2);
    const order = topLevelFields(metaGraph);
    expect(order[0]).toBe(7);
    expect(order.at(-1)).toBe(1);
    expect([...order].sort((a, b) => b - a)).toEqual(order);
  });

  it('decodes what graft needs from a SavedModel (int64 as Long, enums as numbers, bytes as Uint8Array)', () => {
    const bytes = readFileSync(path.join(MODELS, 'serving_half_plus_two_cpu/saved_model.pb'));
    const model = decodeMessage<SavedModelMsg>('tensorflow.SavedModel', bytes);
    const meta = model.meta_graphs![0]!;
    expect(meta.meta_info_def!.tags).toEqual(['serve']);
    const signature = meta.signature_def!['serving_default']!;
    expect(signature.method_name).toMatch(/^tensorflow\/serving\//);
    const nodes = meta.graph_def!.node!;
    const c = nodes.find((n) => n.op === 'Const' && n.attr!['value']?.tensor != null)!;
    expect(typeof c.attr!['dtype']!.type).toBe('number');
    const tensor = c.attr!['value']!.tensor!;
    expect(tensor.dtype).toBe(c.attr!['dtype']!.type);
    const dims = tensor.tensor_shape?.dim ?? [];
    for (const d of dims) expect(Long.isLong(d.size) || typeof d.size === 'number').toBe(true);
    const withContent = nodes.find((n) => (n.attr?.['value']?.tensor?.tensor_content?.length ?? 0) > 0);
    if (withContent) expect(withContent.attr!['value']!.tensor!.tensor_content).toBeInstanceOf(Uint8Array);
  });

  it('keeps FunctionDef.arg_attr in file order (TensorFlow writes it in hash order)', () => {
    const bytes = readFileSync(path.join(MODELS, 'tfjs_times_three_float/saved_model.pb'));
    const model = decodeMessage<SavedModelMsg>('tensorflow.SavedModel', bytes);
    const fns = model.meta_graphs![0]!.graph_def!.library!.function!;
    const shuffled = fns.find((f) => (f as { $keyOrder?: unknown }).$keyOrder !== undefined);
    expect(shuffled).toBeDefined();
  });
});

describe.skipIf(!haveModels)('text model files parse, print and re-parse', () => {
  it('finds the text files', () => {
    expect(texts.length).toBeGreaterThanOrEqual(2);
  });

  for (const file of texts) {
    const rel = path.relative(MODELS, file);
    const kind: MessageName = path.basename(file) === 'saved_model.pbtxt' ? 'tensorflow.SavedModel' : 'tensorflow.GraphDef';
    it(`${rel} as ${kind}`, () => {
      const first = parseTextMessage(kind, readFileSync(file, 'utf8'), file);
      const printed = printTextMessage(kind, first);
      const second = parseTextMessage(kind, printed, file);
      const a = encodeMessage(kind, first);
      const b = encodeMessage(kind, second);
      expect(a.length).toBeGreaterThan(1000);
      expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
    });
  }

  it('reads the same graph from graph.pbtxt as from the binary checkpoint meta graph', () => {
    const dir = path.join(MODELS, 'tfx_estimator_checkpoint');
    const text = parseTextMessage<GraphDefMsg>('tensorflow.GraphDef', readFileSync(path.join(dir, 'graph.pbtxt'), 'utf8'));
    const meta = decodeMessage<{ graph_def?: GraphDefMsg }>('tensorflow.MetaGraphDef', readFileSync(path.join(dir, 'model.ckpt-1000.meta')));
    const names = (g: GraphDefMsg | null | undefined): string[] => (g?.node ?? []).map((n) => `${n.name}:${n.op}`);
    expect(names(text)).toEqual(names(meta.graph_def));
    expect(text.library?.function?.length).toBe(meta.graph_def?.library?.function?.length);
  });
});

describe('unknown fields', () => {
  it('survive decode and encode of a NodeDef with an extra field 99', () => {
    const known = encodeMessage('tensorflow.NodeDef', { name: 'x', op: 'Placeholder', input: ['a', '^b'] });
    // field 99, wire type 2 (tag varint 0x9a 0x06), 3 bytes "abc"; and field 100, varint 7
    const extra = Uint8Array.from([0x9a, 0x06, 3, 0x61, 0x62, 0x63, 0xa0, 0x06, 7]);
    const bytes = new Uint8Array(known.length + extra.length);
    bytes.set(known);
    bytes.set(extra, known.length);
    const node = decodeMessage<NodeDefMsg>('tensorflow.NodeDef', bytes);
    expect(node.name).toBe('x');
    expect(node.input).toEqual(['a', '^b']);
    expect(node.$unknowns?.length).toBe(2);
    expect(Buffer.compare(Buffer.from(encodeMessage('tensorflow.NodeDef', node)), Buffer.from(bytes))).toBe(0);
  });

  it('survive inside a nested message (a NodeDef inside a GraphDef)', () => {
    const nodeBytes = Uint8Array.from([...encodeMessage('tensorflow.NodeDef', { name: 'n', op: 'NoOp' }), 0x98, 0x06, 1]);
    const graph = Uint8Array.from([0x0a, nodeBytes.length, ...nodeBytes]);
    const decoded = decodeMessage<GraphDefMsg>('tensorflow.GraphDef', graph);
    expect(decoded.node![0]!.$unknowns?.length).toBe(1);
    expect(Buffer.compare(Buffer.from(encodeMessage('tensorflow.GraphDef', decoded)), Buffer.from(graph))).toBe(0);
  });
});

describe('FunctionDef integer-keyed maps', () => {
  /** A FunctionDef with arg_attr entries 2, 0, 1 and resource_arg_unique_id 1, 0, hand-encoded in that order. */
  function shuffledFunction(): Uint8Array {
    const ArgAttrs = messageType('tensorflow.FunctionDef').lookupType('ArgAttrs');
    const w = protobuf.Writer.create();
    w.uint32(10).fork().uint32(10).string('f').ldelim(); // signature { name: "f" }
    for (const k of [2, 0, 1]) {
      w.uint32(58).fork().uint32(8).uint32(k);
      ArgAttrs.encode({ attr: { _k: { i: k } } }, w.uint32(18).fork()).ldelim().ldelim();
    }
    for (const [k, v] of [[1, 5], [0, 6]] as const) w.uint32(66).fork().uint32(8).uint32(k).uint32(16).uint32(v).ldelim();
    return w.finish();
  }

  it('re-encode in file order', () => {
    const bytes = shuffledFunction();
    const fn = decodeMessage<FunctionDefMsg>('tensorflow.FunctionDef', bytes);
    expect(Object.keys(fn.arg_attr!)).toEqual(['0', '1', '2']); // what JavaScript does to the keys
    expect(Buffer.compare(Buffer.from(encodeMessage('tensorflow.FunctionDef', fn)), Buffer.from(bytes))).toBe(0);
  });

  it('write new keys after the recorded ones, and skip removed ones', () => {
    const fn = decodeMessage<FunctionDefMsg>('tensorflow.FunctionDef', shuffledFunction());
    delete fn.arg_attr!['0'];
    fn.arg_attr!['5'] = { attr: {} };
    const back = decodeMessage('tensorflow.FunctionDef', encodeMessage('tensorflow.FunctionDef', fn));
    expect((back as { $keyOrder?: { arg_attr?: number[] } }).$keyOrder?.arg_attr).toEqual([2, 1, 5]);
  });

  it('encode a plain copy (without the recorded order) in ascending order', () => {
    const fn = decodeMessage<FunctionDefMsg>('tensorflow.FunctionDef', shuffledFunction());
    const copy = { ...fn };
    const back = decodeMessage('tensorflow.FunctionDef', encodeMessage('tensorflow.FunctionDef', copy));
    expect((back as { $keyOrder?: unknown }).$keyOrder).toBeUndefined();
  });
});

describe('errors', () => {
  it.skipIf(!haveModels)('a truncated file gives io/truncated naming the file', () => {
    const file = path.join(MODELS, 'tf2onnx_regression_frozen/frozen.pb');
    const bytes = readFileSync(file).subarray(0, 200);
    let error: unknown;
    try {
      decodeMessage('tensorflow.GraphDef', bytes, file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GraftError);
    expect((error as GraftError).code).toBe('io/truncated');
    expect((error as GraftError).file).toBe(file);
    expect((error as GraftError).message).toContain(file);
  });

  it('a truncated length prefix in hand-made bytes gives io/truncated', () => {
    // field 1 (node), length 50, but only 2 bytes follow
    expect(() => decodeMessage('tensorflow.GraphDef', Uint8Array.from([0x0a, 50, 0x0a, 0x00]), 'g.pb')).toThrow(
      expect.objectContaining({ code: 'io/truncated', file: 'g.pb' }),
    );
  });

  it('an invalid wire type gives io/corrupt naming the file', () => {
    // field 1 with wire type 7, which does not exist
    expect(() => decodeMessage('tensorflow.GraphDef', Uint8Array.from([0x0f, 0x00]), 'bad.pb')).toThrow(
      expect.objectContaining({ code: 'io/corrupt', file: 'bad.pb' }),
    );
  });

  it('bad text gives io/corrupt with the file and line', () => {
    const text = 'node {\n  name: "a"\n  op: "NoOp"\n}\nnode {\n  nmae: "b"\n}\n';
    let error: unknown;
    try {
      parseTextMessage('tensorflow.GraphDef', text, 'g.pbtxt');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GraftError);
    expect((error as GraftError).code).toBe('io/corrupt');
    expect((error as GraftError).file).toBe('g.pbtxt');
    expect((error as GraftError).message).toMatch(/line 6/);
  });
});

describe('text format', () => {
  it('prints fields in number order and map keys sorted, and parses enum names', () => {
    const text = printTextMessage('tensorflow.NodeDef', {
      name: 'c',
      op: 'Const',
      attr: { value: { tensor: { dtype: 1, float_val: [1.5] } }, dtype: { type: 1 } },
    });
    expect(text).toBe(
      [
        'name: "c"',
        'op: "Const"',
        'attr {',
        '  key: "dtype"',
        '  value {',
        '    type: DT_FLOAT',
        '  }',
        '}',
        'attr {',
        '  key: "value"',
        '  value {',
        '    tensor {',
        '      dtype: DT_FLOAT',
        '      float_val: 1.5',
        '    }',
        '  }',
        '}',
      ].join('\n'),
    );
    const back = parseTextMessage<NodeDefMsg>('tensorflow.NodeDef', text);
    expect(back.attr!['dtype']!.type).toBe(1);
    expect(back.attr!['value']!.tensor!.float_val).toEqual([1.5]);
  });

  it('knows the newest DataType values and the *_REF ones', () => {
    const DataType = messageType('tensorflow.TensorProto').lookupEnum('DataType');
    expect(DataType.values['DT_FLOAT8_E4M3FN']).toBe(25);
    expect(DataType.values['DT_INT4']).toBe(29);
    expect(DataType.values['DT_FLOAT4_E2M1FN']).toBe(33);
    expect(DataType.values['DT_FLOAT_REF']).toBe(101);
    expect(DataType.values['DT_RESOURCE_REF']).toBe(120);
  });
});
