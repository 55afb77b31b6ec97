/** Inputs: generated deterministically, read from .npy and JSON, converted to the placeholder's dtype. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../src/io/npy';
import { makeTensor, tensorToArray, tensorToNumbers } from '../../src/ir/tensor';
import { coerceFeed, generateFeeds, parseFeedSpec, readFeeds, tensorFromJson } from '../../src/verify/feeds';
import { nodeFileSystem } from '../../src/io/fs';
import { graphBuilder } from '../helpers/graph-builder';

const tmp = mkdtempSync(path.join(tmpdir(), 'graft-feeds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function graph() {
  const b = graphBuilder();
  b.placeholder('x', 'float', [-1, 3]);
  b.placeholder('ids', 'int32', [2]);
  b.placeholder('flag', 'bool', []);
  b.placeholder('anything', 'float', null);
  return b.graph();
}

describe('generateFeeds', () => {
  it('gives every placeholder a value of its dtype, unknown dims = batch, unknown rank = scalar', () => {
    const feeds = generateFeeds(graph(), { batch: 4 });
    expect(Object.keys(feeds).sort()).toEqual(['anything', 'flag', 'ids', 'x']);
    expect(feeds.x).toMatchObject({ dtype: 'float', shape: [4, 3] });
    expect(feeds.ids).toMatchObject({ dtype: 'int32', shape: [2] });
    expect(feeds.flag).toMatchObject({ dtype: 'bool', shape: [] });
    expect(feeds.anything!.shape).toEqual([]);
  });

  it('keeps floats in [0.05, 1.05) and ints in [0, 10)', () => {
    const feeds = generateFeeds(graph(), { batch: 200 });
    const xs = tensorToNumbers(feeds.x!);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0.05);
    expect(Math.max(...xs)).toBeLessThan(1.05);
    for (const v of tensorToNumbers(feeds.ids!)) expect(v >= 0 && v < 10 && Number.isInteger(v)).toBe(true);
  });

  it('is deterministic, depends on the seed and on the name, not on node order', () => {
    const g = graph();
    const a = tensorToNumbers(generateFeeds(g, { seed: 3 }).x!);
    expect(tensorToNumbers(generateFeeds(g, { seed: 3 }).x!)).toEqual(a);
    expect(tensorToNumbers(generateFeeds(g, { seed: 4 }).x!)).not.toEqual(a);
    const reversed = { ...g, nodes: [...g.nodes].reverse() };
    expect(tensorToNumbers(generateFeeds(reversed, { seed: 3 }).x!)).toEqual(a);
  });

  it('honours only and skip', () => {
    expect(Object.keys(generateFeeds(graph(), { only: ['x', 'ids'], skip: ['ids'] }))).toEqual(['x']);
  });
});

describe('feeds from files', () => {
  it('parses name=source', () => {
    expect(parseFeedSpec('x:0=a.npy')).toEqual({ name: 'x:0', source: 'a.npy' });
    expect(() => parseFeedSpec('x')).toThrow(/name=file.npy/);
  });

  it('reads .npy, .json and inline JSON, converting to the placeholder dtype', async () => {
    const npy = path.join(tmp, 'x.npy');
    writeFileSync(npy, writeNpy(makeTensor('double', [1, 3], [0.5, 1.5, 2.5])));
    const json = path.join(tmp, 'ids.json');
    writeFileSync(json, JSON.stringify([7, 8]));
    const feeds = await readFeeds([`x=${npy}`, `ids=${json}`, 'flag=true', 'anything={"dtype":"float","shape":[2,2],"values":[1,2,3,4]}'], graph(), nodeFileSystem);
    expect(feeds.x).toMatchObject({ dtype: 'float', shape: [1, 3] });
    expect(tensorToNumbers(feeds.x!)).toEqual([0.5, 1.5, 2.5]);
    expect(feeds.ids!.dtype).toBe('int32');
    expect([...tensorToArray(feeds.ids!)]).toEqual([7, 8]);
    expect(feeds.flag).toMatchObject({ dtype: 'bool', shape: [] });
    expect(feeds.anything!.shape).toEqual([2, 2]);
  });

  it('refuses unknown nodes, ragged JSON, floats into ints and out-of-range ints', async () => {
    await expect(readFeeds(['nope=[1]'], graph())).rejects.toMatchObject({ code: 'graph/missing-node' });
    // Without a file system (the browser-safe core), a file source is refused, naming it; inline values need none.
    await expect(readFeeds(['x=in.npy'], graph())).rejects.toMatchObject({ code: 'api/bad-argument', param: 'fs', file: 'in.npy' });
    expect(Object.keys(await readFeeds(['flag=true'], graph()))).toEqual(['flag']);
    expect(() => tensorFromJson([[1, 2], [3]], 'float', 'j')).toThrow(/ragged/);
    expect(() => coerceFeed(makeTensor('float', [1], [1.5]), 'int32', 'f')).toThrow(/truncated/);
    expect(() => coerceFeed(makeTensor('int32', [1], [300]), 'uint8', 'f')).toThrow(/does not fit/);
    expect(tensorToNumbers(coerceFeed(makeTensor('uint8', [2], [0, 255]), 'float', 'f'))).toEqual([0, 255]);
  });

  it('refuses JSON values that are not numbers, booleans or strings (they read as NaN or 0 before)', async () => {
    // tf.Example objects fed to a float input, as `--input inputs=examples.json` on a regress signature does.
    expect(() => tensorFromJson([{ x: 1 }, { x: 4 }], 'float', 'j')).toThrow(/a value is an object.*tf\.Examples/);
    expect(() => tensorFromJson([1, null], 'float', 'j')).toThrow(/a value is null/);
    expect(() => tensorFromJson({ values: [[1], [{}]] }, 'float', 'j')).toThrow(/a value is an object/);
    expect(() => tensorFromJson({ values: { a: 1 } }, 'float', 'j')).toThrow(/a value is an object/);
    await expect(readFeeds(['x=[1,null]'], graph())).rejects.toMatchObject({ code: 'runtime/bad-feed' });
    // What stays accepted: numbers, booleans, and strings for a string input.
    expect(tensorToNumbers(tensorFromJson([1, true], 'float', 'j'))).toEqual([1, 1]);
  });
});
