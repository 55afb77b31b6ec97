/**
 * Lazy GraphDef loading (src/io/graph-lazy.ts): names, ops, inputs and devices are decoded at
 * load; attributes only when first read (counted through `lazyAttrDecodeCount`), once; unchanged
 * nodes are written back as their own bytes, changed ones re-encoded canonically.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isGraftError } from '../../src/errors';
import { decodeGraphDef, encodeGraphDef, printGraphDefText } from '../../src/io/graphdef';
import { isUnchangedLoadedNode, lazyAttrDecodeCount } from '../../src/io/graph-lazy';
import { attr } from '../../src/ir/attr';
import { updateNode } from '../../src/ir/edit';
import { makeGraph, withNodes } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { makeStringTensor, makeTensor, makeValueTensor } from '../../src/ir/tensor';
import { validateGraph } from '../../src/ir/validate';
import { attrKeys, loadedAttrReader, tensorHeader } from '../../src/ir/encoded-attrs';
import { decodeMessage, encodeMessage } from '../../src/proto';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';

type GraphDefMsg = { node: { name: string; device?: string }[] };

function sample() {
  const nodes = [];
  for (let i = 0; i < 50; i++) {
    nodes.push(
      i % 2 === 0
        ? makeNode({ name: `c${i}`, op: 'Const', inputs: i > 0 ? [`^a${i - 1}`] : [], attrs: { dtype: attr.type('float'), value: attr.tensor(makeTensor('float', [2], [i, -i])) } })
        : makeNode({ name: `a${i}`, op: 'Add', inputs: [`c${i - 1}`, `c${i - 1}:0`], device: i % 5 === 0 ? '/device:CPU:0' : '', attrs: { T: attr.type('float') } }),
    );
  }
  nodes.push(makeNode({ name: 'noop', op: 'NoOp', inputs: ['^a49'] }));
  return encodeGraphDef(makeGraph(nodes, { versions: { producer: 27, minConsumer: 0, badConsumers: [] } }));
}

describe('lazy GraphDef loading', () => {
  it('reading every name, op, input and device decodes no attributes', () => {
    const before = lazyAttrDecodeCount();
    const g = decodeGraphDef(sample());
    let text = '';
    for (const n of g.nodes) text += n.name + n.op + n.inputs.join(',') + n.device;
    expect(text).toContain('a1Addc0,c0:0');
    expect(g.nodes).toHaveLength(51);
    expect(validateGraph(g)).toEqual([]);
    expect(lazyAttrDecodeCount()).toBe(before);
    // Asking for an attribute a node does not have decodes nothing either.
    expect(g.nodes[1]!.attrs._class).toBeUndefined();
    expect('_class' in g.nodes[1]!.attrs).toBe(false);
    expect('toString' in g.nodes[1]!.attrs).toBe(true);
    expect(lazyAttrDecodeCount()).toBe(before);
    // The first read of one node's attributes decodes that node only, and only once.
    const c2 = g.nodes[2]!;
    expect(c2.attrs.dtype).toEqual({ kind: 'type', value: 'float' });
    expect(lazyAttrDecodeCount()).toBe(before + 1);
    expect(Object.keys(c2.attrs)).toEqual(['dtype', 'value']);
    expect(c2.attrs.value?.kind).toBe('tensor');
    expect(lazyAttrDecodeCount()).toBe(before + 1);
    // A node without attributes decodes to {} and counts too.
    expect(Object.keys(g.nodes[50]!.attrs)).toEqual([]);
    expect(lazyAttrDecodeCount()).toBe(before + 2);
  });

  it('attrKeys lists a loaded node\'s keys without decoding; type and bool values read alone equal the full decode', () => {
    const bytes = encodeGraphDef(
      makeGraph([
        makeNode({ name: 'm', op: 'MatMul', attrs: { transpose_b: attr.b(true), T: attr.type('float'), transpose_a: attr.b(false), _class: attr.list({ s: ['loc:@x'] }) } }),
        makeNode({ name: 'r', op: 'Identity', attrs: { T: attr.type('float_ref'), U: attr.type('invalid'), dtype: attr.type('dtype(99)' as never) } }),
      ]),
    );
    const before = lazyAttrDecodeCount();
    const g = decodeGraphDef(bytes);
    expect([...attrKeys(g.nodes[0]!)].sort()).toEqual(['T', '_class', 'transpose_a', 'transpose_b']);
    expect([...attrKeys(g.nodes[1]!)].sort()).toEqual(['T', 'U', 'dtype']);
    expect(lazyAttrDecodeCount()).toBe(before);
    const one = g.nodes.map((n) => Object.fromEntries(['transpose_a', 'transpose_b', 'T', 'U', 'dtype'].filter((k) => attrKeys(n).includes(k)).map((k) => [k, n.attrs[k]])));
    expect(Object.isFrozen(one[0]!.T)).toBe(true);
    const full = decodeGraphDef(bytes);
    for (const [i, n] of full.nodes.entries()) {
      const all = { ...n.attrs };
      for (const [k, v] of Object.entries(one[i]!)) expect(v).toEqual(all[k]);
    }
    expect(one[0]).toEqual({ transpose_a: { kind: 'b', value: false }, transpose_b: { kind: 'b', value: true }, T: { kind: 'type', value: 'float' } });
    expect(one[1]).toEqual({ T: { kind: 'type', value: 'float_ref' }, U: { kind: 'type', value: 'invalid' }, dtype: { kind: 'type', value: 'dtype(99)' } });
    // Once decoded, the keys are the map's own.
    expect(Object.keys(g.nodes[0]!.attrs).sort()).toEqual(['T', '_class', 'transpose_a', 'transpose_b']);
    expect([...attrKeys(g.nodes[0]!)].sort()).toEqual(['T', '_class', 'transpose_a', 'transpose_b']);
  });

  it('a constant\'s value read alone equals the full decode, whatever form its values take', () => {
    const tensors = [
      makeTensor('float', [2, 3], [1, 2, 3, 4, 5, 6]),
      makeTensor('int64', [], [7]),
      makeTensor('int32', [1, 0, 4], []),
      makeTensor('double', [300], Array.from({ length: 300 }, (_, i) => i / 3)),
      makeTensor('uint8', [2], [1, 255]),
      makeValueTensor('float', [4], [2.5]),
      makeStringTensor([2], ['a', 'bc']),
    ];
    const bytes = encodeGraphDef(makeGraph(tensors.map((t, i) => makeNode({ name: `c${i}`, op: 'Const', attrs: { dtype: attr.type(t.dtype), value: attr.tensor(t) } }))));
    const one = decodeGraphDef(bytes).nodes.map((n) => n.attrs.value);
    const full = decodeGraphDef(bytes).nodes.map((n) => ({ ...n.attrs }).value);
    expect(one).toEqual(full);
    for (const [i, v] of one.entries()) {
      expect(v?.kind).toBe('tensor');
      if (v?.kind === 'tensor') expect(Object.isFrozen(v) && Object.isFrozen(v.value) && Object.isFrozen(v.value.shape) && Object.isFrozen(v.value.data)).toBe(true);
      expect(v).toEqual(full[i]);
    }
    expect(one.map((v) => (v?.kind === 'tensor' ? v.value.data.kind : '?'))).toEqual(['content', 'content', 'values', 'content', 'content', 'values', 'strings']);
    // tensorHeader reads a content tensor's dtype and shape in place, and says nothing of the rest.
    const before = lazyAttrDecodeCount();
    const headers = decodeGraphDef(bytes).nodes.map((n) => tensorHeader(n, 'value'));
    expect(lazyAttrDecodeCount()).toBe(before);
    expect(headers).toEqual(one.map((v) => (v?.kind === 'tensor' && v.value.data.kind === 'content' ? { dtype: v.value.dtype, shape: v.value.shape } : undefined)));
    // By position, for the node list as loaded (and only for it): the same answers.
    const g = decodeGraphDef(bytes);
    const reader = loadedAttrReader(g.nodes);
    expect(reader).toBeDefined();
    expect(g.nodes.map((_, i) => reader!.tensorHeader(i, 'value'))).toEqual(headers);
    expect(g.nodes.map((_, i) => reader!.hasAny(i, ['dtype']))).toEqual(g.nodes.map(() => true));
    expect(g.nodes.map((_, i) => reader!.hasAny(i, ['f', 'body']))).toEqual(g.nodes.map(() => false));
    expect(loadedAttrReader([...g.nodes])).toBeUndefined();
    expect(loadedAttrReader(g.nodes.slice(1))).toBeUndefined();
    expect(lazyAttrDecodeCount()).toBe(before);
  });

  it('reading one attribute decodes only it; a later full decode keeps its object and the file order', () => {
    const g = decodeGraphDef(sample());
    const c4 = g.nodes[4]!;
    const value = c4.attrs.value;
    expect(value?.kind).toBe('tensor');
    expect(Object.isFrozen(value)).toBe(true);
    expect(c4.attrs.value).toBe(value);
    expect('dtype' in c4.attrs).toBe(true);
    expect('T' in c4.attrs).toBe(false);
    // Listing keys decodes the rest: the order is the file's, the value read first is the same object.
    expect(Object.keys(c4.attrs)).toEqual(['dtype', 'value']);
    expect(c4.attrs.value).toBe(value);
    expect(c4.attrs.dtype).toEqual({ kind: 'type', value: 'float' });
    expect(Object.isFrozen(c4.attrs)).toBe(true);
    expect({ ...c4.attrs }).toEqual({ dtype: { kind: 'type', value: 'float' }, value });
  });

  it('reading one attribute leaves the others encoded: a bad one is reported only when it is read', () => {
    const good = [0x0a, 0x01, 0x54, 0x12, 0x02, 0x30, 0x01]; // key "T", value: type DT_FLOAT
    const bad = [0x0a, 0x01, 0x76, 0x12, 0x03, 0x42, 0x05, 0x08]; // key "v", a truncated tensor
    const node = [0x0a, 0x01, 0x78, 0x12, 0x04, ...Buffer.from('Relu'), 0x2a, good.length, ...good, 0x2a, bad.length, ...bad];
    const g = decodeGraphDef(Uint8Array.from([0x0a, node.length, ...node]), 'bad.pb');
    const x = g.nodes[0]!;
    expect(x.attrs.T).toEqual({ kind: 'type', value: 'float' });
    expect(() => x.attrs.v).toThrow(/node 'x'/);
    expect(() => Object.keys(x.attrs)).toThrow(/node 'x'/);
  });

  it.skipIf(!HAVE_MODELS)(`a real model: name/op/inputs of every node decode no attributes (skipped when ${SKIP_REASON})`, () => {
    const before = lazyAttrDecodeCount();
    const g = decodeGraphDef(new Uint8Array(readFileSync(modelPath('utensor_cifar10_cnn/cifar10_cnn.pb'))));
    expect(g.nodes.length).toBeGreaterThan(20);
    for (const n of g.nodes) expect(typeof (n.name + n.op + n.inputs.join())).toBe('string');
    expect(validateGraph(g)).toEqual([]);
    expect(lazyAttrDecodeCount()).toBe(before);
  });

  it('attributes are frozen values, and the loaded node is frozen', () => {
    const g = decodeGraphDef(sample());
    const n = g.nodes[1]!;
    expect(Object.isFrozen(n)).toBe(true);
    expect(Object.isFrozen(n.attrs)).toBe(true);
    expect(Object.isFrozen(n.attrs.T)).toBe(true);
    expect(() => {
      (n.attrs as Record<string, unknown>).T = attr.type('int32');
    }).toThrow(TypeError);
    expect(n.attrs.T).toEqual({ kind: 'type', value: 'float' });
    // Spreads and copies see plain values.
    expect({ ...n.attrs }).toEqual({ T: { kind: 'type', value: 'float' } });
    expect(JSON.parse(JSON.stringify(n))).toEqual({ name: 'a1', op: 'Add', inputs: ['c0', 'c0:0'], device: '', attrs: { T: { kind: 'type', value: 'float' } } });
  });

  it('a tensor payload is a view into the loaded bytes (no copy)', () => {
    const bytes = sample();
    const g = decodeGraphDef(bytes);
    const v = g.nodes[2]!.attrs.value!;
    if (v.kind !== 'tensor' || v.value.data.kind !== 'content') throw new Error('expected tensor_content');
    expect(v.value.data.bytes.buffer).toBe(bytes.buffer);
  });

  it('unchanged nodes are written back as their bytes; an edited node re-encodes alone, canonically', () => {
    const bytes = sample();
    const g = decodeGraphDef(bytes);
    expect(Buffer.from(encodeGraphDef(g)).equals(Buffer.from(bytes))).toBe(true);
    const before = lazyAttrDecodeCount();
    const edited = withNodes(g, g.nodes.map((n, i) => (i === 7 ? updateNode(n, { device: '/device:GPU:0' }) : n)));
    expect(isUnchangedLoadedNode(edited.nodes[6]!)).toBe(true);
    expect(isUnchangedLoadedNode(edited.nodes[7]!)).toBe(false);
    const out = encodeGraphDef(edited);
    // Its attributes were kept: written as their loaded bytes, none decoded.
    expect(lazyAttrDecodeCount()).toBe(before);
    // The same edit made on protobufjs's message gives the same bytes.
    const m = decodeMessage<GraphDefMsg>('tensorflow.GraphDef', bytes);
    m.node[7]!.device = '/device:GPU:0';
    expect(Buffer.from(out).equals(Buffer.from(encodeMessage('tensorflow.GraphDef', m)))).toBe(true);
    // Text output still sees every attribute.
    expect(printGraphDefText(edited)).toContain('device: "/device:GPU:0"');
  });

  it('rewired nodes keep their attribute bytes; a node whose attributes changed is decoded and re-encoded alone', () => {
    const bytes = sample();
    const g = decodeGraphDef(bytes);
    const before = lazyAttrDecodeCount();
    // Every Add reads c0 instead, one is renamed, one loses its device; Const 4 gets a new dtype.
    const edited = withNodes(
      g,
      g.nodes.map((n, i) => {
        if (i === 4) return updateNode(n, { attrs: { ...n.attrs, dtype: attr.type('int32') } });
        if (n.op !== 'Add') return n;
        return updateNode(n, { inputs: ['c0', ...n.inputs.slice(1)], ...(i === 9 ? { name: 'renamed' } : {}), ...(i === 5 ? { device: '' } : {}) });
      }),
    );
    const decodesToEdit = lazyAttrDecodeCount() - before;
    const out = encodeGraphDef(edited);
    // Encoding decoded nothing more: only node 4, whose attributes the edit itself read.
    expect(decodesToEdit).toBe(1);
    expect(lazyAttrDecodeCount()).toBe(before + 1);
    const m = decodeMessage<{ node: { name: string; device?: string; input?: string[]; attr: Record<string, { type?: number }> }[] }>('tensorflow.GraphDef', bytes);
    m.node.forEach((n, i) => {
      if (i % 2 === 1) n.input = ['c0', ...n.input!.slice(1)];
      if (i === 9) n.name = 'renamed';
      if (i === 5) delete n.device;
    });
    m.node[4]!.attr.dtype = { type: 3 };
    expect(Buffer.from(out).equals(Buffer.from(encodeMessage('tensorflow.GraphDef', m)))).toBe(true);
    expect(decodeGraphDef(out).nodes[4]!.attrs.dtype).toEqual({ kind: 'type', value: 'int32' });
  });

  it('attribute bytes protobufjs would write differently are re-encoded: digit keys, repeated keys, long length prefixes', () => {
    const t = [0x0a, 0x01, 0x54, 0x12, 0x02, 0x30, 0x01]; // key "T", type DT_FLOAT
    const digit = [0x0a, 0x01, 0x37, 0x12, 0x02, 0x30, 0x03]; // key "7", type DT_INT32
    const t2 = [0x0a, 0x01, 0x54, 0x12, 0x02, 0x30, 0x03]; // key "T" again, DT_INT32
    const padded = [0x0a, 0x81, 0x00, 0x54, 0x12, 0x02, 0x30, 0x01]; // key "T", its length in two bytes
    const node = (name: string, entries: number[][]) => {
      const body = [0x0a, name.length, ...Buffer.from(name), 0x12, 0x01, 0x58, 0x1a, 0x01, 0x61];
      for (const e of entries) body.push(0x2a, e.length, ...e);
      return [0x0a, body.length, ...body];
    };
    const a = [0x0a, 0x01, 0x61, 0x12, 0x01, 0x58];
    const bytes = Uint8Array.from([0x0a, a.length, ...a, ...node('x', [t, digit]), ...node('y', [t, t2]), ...node('z', [padded]), ...node('w', [t])]);
    const g = decodeGraphDef(bytes);
    const edited = withNodes(g, g.nodes.map((n) => (n.name === 'a' ? n : updateNode(n, { inputs: ['a:0'] }))));
    const m = decodeMessage<{ node: { input?: string[] }[] }>('tensorflow.GraphDef', bytes);
    for (const n of m.node.slice(1)) n.input = ['a:0'];
    const canonical = Buffer.from(encodeMessage('tensorflow.GraphDef', m));
    expect(Buffer.from(encodeGraphDef(edited)).equals(canonical)).toBe(true);
    // The padded length is not protobufjs's: that node was re-encoded, not copied.
    expect(canonical.includes(Buffer.from(padded))).toBe(false);
  });

  it('attribute bytes that do not decode give a GraftError naming the node and the file when first read', () => {
    // A NodeDef whose attr entry holds an AttrValue with a truncated `tensor` field.
    const entry = [0x0a, 0x01, 0x76, 0x12, 0x03, 0x42, 0x05, 0x08]; // key "v", value: field 8 len 5, 1 byte
    const node = [0x0a, 0x01, 0x78, 0x12, 0x05, ...Buffer.from('Const'), 0x2a, entry.length, ...entry];
    const bytes = Uint8Array.from([0x0a, node.length, ...node]);
    const g = decodeGraphDef(bytes, 'bad.pb');
    expect(g.nodes[0]!.name).toBe('x');
    let error: unknown;
    try {
      void g.nodes[0]!.attrs.v;
    } catch (e) {
      error = e;
    }
    expect(isGraftError(error)).toBe(true);
    if (!isGraftError(error)) return;
    expect(error.code).toMatch(/^io\//);
    expect(error.node).toBe('x');
    expect(error.file).toBe('bad.pb');
    expect(error.message).toContain("node 'x'");
  });
});
