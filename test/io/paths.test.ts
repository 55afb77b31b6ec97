/** The string path helpers of the browser-safe core agree with Node's `path.posix`. */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { basenamePath, dirnamePath, joinPath, normalizePath } from '../../src/io/paths';

const CASES = ['', '.', '..', '/', '//', 'a', 'a/', '/a', '/a/', 'a/b', 'a//b/', './a', 'a/./b', 'a/../b', '../a/b', 'a/b/../../..', '/..', '/a/../..', 'model/variables/variables', 'dir/saved_model.pb', '/x/y/z.meta'];

describe('string paths match path.posix', () => {
  it.each(CASES)('%j', (p) => {
    expect(normalizePath(p)).toBe(path.posix.normalize(p));
    expect(dirnamePath(p)).toBe(path.posix.dirname(p));
    expect(basenamePath(p)).toBe(path.posix.basename(p));
  });

  it('join', () => {
    const parts: string[][] = [['a', 'b'], ['a/', '/b'], ['', 'a'], ['/', 'a', '..', 'b'], ['model', 'assets', 'vocab.txt'], ['a', '../..'], [], [''], ['/a/b', '../c/']];
    for (const p of parts) expect(joinPath(...p), JSON.stringify(p)).toBe(path.posix.join(...p));
  });
});
