/**
 * Group `io`: reading and writing GraphDefs, graft against plain protobufjs on the same bytes.
 *
 * For each synthetic graph (`synthetic.ts`: 100k small nodes; 4 Consts holding 200 MiB):
 * - load: `decodeGraphDef` (bytes → immutable IR) vs protobufjs `decodeMessage`;
 * - save bytes: `encodeGraphDef` of a freshly built graph (every message made from IR fields), of
 *   the loaded graph unchanged (fast path: nodes reuse their decoded message), vs `encodeMessage`;
 * - save to a file: `encodeGraphDefChunks` + `nodeFileSystem.writeFile` (writev, payloads never
 *   joined) for the fresh, unchanged and 1 %-edited graph, vs `encodeMessage` + `fs.writeFileSync`;
 * - the 1 % edit itself (one `updateGraph`).
 * Bytes written for an unchanged graph must equal the input; the edited graph's bytes must equal
 * protobufjs's encoding of the same edit made on the decoded message.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Draft } from 'immer';
import { nodeFileSystem } from '../src/io/fs';
import { decodeGraphDef, encodeGraphDef, encodeGraphDefChunks } from '../src/io/graphdef';
import { updateNode } from '../src/ir/edit';
import { type Graph, updateGraph } from '../src/ir/graph';
import type { Node } from '../src/ir/node';
import { decodeMessage, encodeMessage } from '../src/proto';
import { type BenchCase, defineCase } from './case';
import { largeGraph, smallGraph } from './synthetic';

const GROUP = 'io';
const EDIT_DEVICE = '/device:CPU:0';

type GraphDefMsg = { node: { device?: string }[] };

/** Lazily built data for one synthetic graph, shared by its cases. */
interface Fixture {
  /** Prefixes the case names. */
  readonly label: string;
  built(): Graph;
  bytes(): Uint8Array;
  loaded(): Graph;
  message(): GraphDefMsg;
  edited(): Graph;
  editedBytes(): Uint8Array;
  /**
   * Drops everything built, after the fixture's last case: a loaded 100k-node graph keeps about
   * a million objects alive, which would make every later case's GC slow.
   */
  release(): void;
}

/** A memoized value that `releaseAll` drops again. */
function lazy<T>(make: () => T, registry: (() => void)[]): () => T {
  let value: T | undefined;
  let done = false;
  registry.push(() => {
    value = undefined;
    done = false;
  });
  return () => {
    if (!done) {
      value = make();
      done = true;
    }
    return value as T;
  };
}

/** Indices of the 1 % of nodes an edit touches (at least one), spread evenly. */
function editIndices(nodeCount: number): number[] {
  const count = Math.max(1, Math.ceil(nodeCount / 100));
  const step = Math.floor(nodeCount / count);
  return Array.from({ length: count }, (_, k) => k * step);
}

/** The 1 % edit: those nodes replaced by copies placed on a device, in one `produce`. */
function editOnePercent(graph: Graph): Graph {
  const indices = editIndices(graph.nodes.length);
  return updateGraph(graph, (draft) => {
    // Read the originals from the base graph, never through the draft.
    for (const i of indices) draft.nodes[i] = updateNode(graph.nodes[i]!, { device: EDIT_DEVICE }) as Draft<Node>;
  });
}

function fixture(label: string, build: () => Graph): Fixture {
  const resets: (() => void)[] = [];
  const built = lazy(build, resets);
  const bytes = lazy(() => encodeGraphDef(built()), resets);
  const loaded = lazy(() => decodeGraphDef(bytes()), resets);
  const edited = lazy(() => editOnePercent(loaded()), resets);
  return {
    label,
    built,
    bytes,
    loaded,
    release: () => resets.forEach((r) => r()),
    message: lazy(() => decodeMessage<GraphDefMsg>('tensorflow.GraphDef', bytes()), resets),
    edited,
    editedBytes: lazy(() => {
      // The same edit made on a separately decoded message, encoded by protobufjs.
      const m = decodeMessage<GraphDefMsg>('tensorflow.GraphDef', bytes());
      for (const i of editIndices(m.node.length)) m.node[i]!.device = EDIT_DEVICE;
      return encodeMessage('tensorflow.GraphDef', m);
    }, resets),
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

let tempDir: string | undefined;
/** A path in a temporary directory removed when the process exits. */
function tempPath(name: string): string {
  if (tempDir === undefined) {
    const dir = mkdtempSync(join(process.env.GRAFT_BENCH_TMP ?? tmpdir(), 'graft-bench-'));
    tempDir = dir;
    const clean = (): void => rmSync(dir, { recursive: true, force: true });
    process.on('exit', clean);
    // Ctrl-C would otherwise leave hundreds of MB in the temporary directory.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        clean();
        process.exit(130);
      });
    }
  }
  return join(tempDir, name);
}

function removeFile(path: string): void {
  rmSync(path, { force: true });
}

function casesFor(fx: Fixture): BenchCase[] {
  const tag = fx.label;
  const n = (s: string): string => `${tag}: ${s}`;
  const size = (): number => fx.bytes().length;
  const file = (s: string): string => tempPath(`${tag}-${s}.pb`);
  const PB_DECODE = n('protobufjs decode');
  const PB_ENCODE = n('protobufjs encode');
  const PB_WRITE = n('protobufjs encode+writeFileSync');

  const writeCase = (name: string, graph: () => Graph, expected: () => Uint8Array, after?: () => void): BenchCase =>
    defineCase({
      group: GROUP,
      name: n(name),
      baseline: PB_WRITE,
      bytes: size,
      setup: () => ({ graph: graph(), path: file(name.replace(/\W+/g, '-')), expected: expected() }),
      run: ({ graph, path }) => nodeFileSystem.writeFile(path, encodeGraphDefChunks(graph)),
      check: ({ path, expected }) => sameBytes(readFileSync(path), expected),
      teardown: ({ path }) => {
        removeFile(path);
        after?.();
      },
    });

  return [
    defineCase({ group: GROUP, name: PB_DECODE, bytes: size, setup: fx.bytes, run: (b) => decodeMessage('tensorflow.GraphDef', b) }),
    defineCase({ group: GROUP, name: n('graft load (decodeGraphDef)'), baseline: PB_DECODE, bytes: size, setup: fx.bytes, run: (b) => decodeGraphDef(b) }),
    defineCase({
      group: GROUP,
      name: PB_ENCODE,
      bytes: size,
      setup: () => ({ m: fx.message(), expected: fx.bytes() }),
      run: ({ m }) => encodeMessage('tensorflow.GraphDef', m),
      check: ({ expected }, out) => sameBytes(out, expected),
    }),
    defineCase({ group: GROUP, name: n('graft save bytes, fresh IR'), baseline: PB_ENCODE, bytes: size, setup: fx.built, run: (g) => encodeGraphDef(g) }),
    defineCase({
      group: GROUP,
      name: n('graft save bytes, loaded unchanged'),
      baseline: PB_ENCODE,
      bytes: size,
      setup: () => ({ g: fx.loaded(), expected: fx.bytes() }),
      run: ({ g }) => encodeGraphDef(g),
      check: ({ expected }, out) => sameBytes(out, expected),
    }),
    defineCase({
      group: GROUP,
      name: PB_WRITE,
      bytes: size,
      setup: () => ({ m: fx.message(), path: file('protobufjs') }),
      run: ({ m, path }) => writeFileSync(path, encodeMessage('tensorflow.GraphDef', m)),
      teardown: ({ path }) => removeFile(path),
    }),
    writeCase('graft save+write, fresh IR', fx.built, fx.bytes),
    writeCase('graft save+write, loaded unchanged', fx.loaded, fx.bytes),
    defineCase({ group: GROUP, name: n('graft edit 1 % (updateGraph)'), setup: fx.loaded, run: (g) => editOnePercent(g) }),
    writeCase('graft save+write, 1 % edited', fx.edited, fx.editedBytes, () => fx.release()),
  ];
}

/** The `io` group: the 100k-node graph, then the 200 MiB graph (4 Consts of 50 MiB). */
export const ioCases: readonly BenchCase[] = [
  ...casesFor(fixture('100k nodes', () => smallGraph())),
  ...casesFor(fixture('200 MiB', () => largeGraph())),
];
