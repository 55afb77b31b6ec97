/**
 * Issue 10, item 6 (a library that checks its callers): misuse gets a GraftError
 * (`api/bad-argument`, naming the parameter), never a raw TypeError.
 */
import { describe, expect, it } from 'vitest';
import { defineTransform } from '../../src/transform/define';
import { runPipeline } from '../../src/transform/runner';
import { graphBuilder } from '../helpers/graph-builder';

const bad = (param: string) => expect.objectContaining({ name: 'GraftError', code: 'api/bad-argument', param });

describe('runPipeline checks its arguments', () => {
  it('runPipeline(null) and a graph whose nodes is a string (findings)', async () => {
    await expect(runPipeline(null as never, 'remove_device')).rejects.toEqual(bad('graph'));
    await expect(runPipeline({ nodes: 'x' } as never, 'remove_device')).rejects.toEqual(bad('graph'));
  });
  it('a pipeline that is neither a string nor a Pipeline; options that are not an object (new)', async () => {
    const g = graphBuilder().graph();
    await expect(runPipeline(g, 42 as never)).rejects.toEqual(bad('pipeline'));
    await expect(runPipeline(g, null as never)).rejects.toEqual(bad('pipeline'));
    await expect(runPipeline(g, 'remove_device', null as never)).rejects.toEqual(bad('options'));
  });
});

describe('defineTransform errors are GraftErrors', () => {
  const apply = (g: never) => g;
  it('a bad name (finding), a bad parameter name, no apply, no params, not an object (new)', () => {
    expect(() => defineTransform({ name: 'bad name!', summary: '', params: {}, apply })).toThrow(bad('def.name'));
    expect(() => defineTransform({ name: 'ok', summary: '', params: { 'bad-key': {} as never }, apply })).toThrow(bad('def.params'));
    expect(() => defineTransform({ name: 'ok', summary: '', params: {} } as never)).toThrow(bad('def.apply'));
    expect(() => defineTransform({ name: 'ok', summary: '', apply } as never)).toThrow(bad('def.params'));
    expect(() => defineTransform(null as never)).toThrow(bad('def'));
  });
});
