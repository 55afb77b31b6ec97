/** Type-level tests of the schema → parameter types inference (and of the builder's typing). */
import { describe, expectTypeOf, it } from 'vitest';
import type { DType } from '../../src/ir/dtype';
import type { Graph } from '../../src/ir/graph';
import { defineTransform, param, type ParamInput, type ParamValues, type Transform } from '../../src/transform/define';
import { pipeline } from '../../src/transform/pipeline';

const t = defineTransform({
  name: 'typed',
  summary: 's',
  params: {
    flag: param.bool({ doc: 'd', default: false }),
    max_size: param.int({ doc: 'd', default: 10, min: 0 }),
    opt_int: param.int({ doc: 'd' }),
    ratio: param.float({ doc: 'd' }),
    label: param.string({ doc: 'd', default: 'x' }),
    type: param.dtype({ doc: 'd', default: 'float' }),
    shape: param.shape({ doc: 'd' }),
    mode: param.enum(['a', 'b'], { doc: 'd', default: 'a' }),
    mode_no_default: param.enum(['a', 'b'], { doc: 'd' }),
    op: param.repeated(param.string({ doc: 'd' })),
    dims: param.repeated(param.int({ doc: 'd' })),
  },
  apply(graph, p) {
    expectTypeOf(p.maxSize).toEqualTypeOf<number>();
    expectTypeOf(p.modeNoDefault).toEqualTypeOf<'a' | 'b' | undefined>();
    return graph;
  },
});

type V = ParamValues<typeof t.params>;
type I = ParamInput<typeof t.params>;

describe('ParamValues (what apply receives)', () => {
  it('has camelCase keys with exact value types; defaults remove undefined', () => {
    expectTypeOf<V['flag']>().toEqualTypeOf<boolean>();
    expectTypeOf<V['maxSize']>().toEqualTypeOf<number>();
    expectTypeOf<V['optInt']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<V['ratio']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<V['label']>().toEqualTypeOf<string>();
    expectTypeOf<V['type']>().toEqualTypeOf<DType>();
    expectTypeOf<V['shape']>().toEqualTypeOf<number[] | undefined>();
    expectTypeOf<V['mode']>().toEqualTypeOf<'a' | 'b'>();
    expectTypeOf<V['modeNoDefault']>().toEqualTypeOf<'a' | 'b' | undefined>();
    expectTypeOf<V['op']>().toEqualTypeOf<readonly string[]>();
    expectTypeOf<V['dims']>().toEqualTypeOf<readonly number[]>();
    expectTypeOf<keyof V>().toEqualTypeOf<'flag' | 'maxSize' | 'optInt' | 'ratio' | 'label' | 'type' | 'shape' | 'mode' | 'modeNoDefault' | 'op' | 'dims'>();
  });

  it('ParamInput makes every key optional and lets repeated keys take one value', () => {
    expectTypeOf<I['maxSize']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<I['mode']>().toEqualTypeOf<'a' | 'b' | undefined>();
    expectTypeOf<I['op']>().toEqualTypeOf<readonly string[] | string | undefined>();
    expectTypeOf<{}>().toMatchTypeOf<I>();
  });

  it('a defined transform is a Transform and fits a list of transforms', () => {
    expectTypeOf(t).toMatchTypeOf<Transform>();
    const list: readonly Transform[] = [t];
    expectTypeOf(list[0]!.apply).returns.toEqualTypeOf<Graph | Promise<Graph>>();
  });

  it('rejects defaults of the wrong type', () => {
    // @ts-expect-error 'floaty' is not a DType
    param.dtype({ doc: 'd', default: 'floaty' });
    // @ts-expect-error an int default must be a number
    param.int({ doc: 'd', default: '3' });
    // @ts-expect-error the enum default must be one of its values
    param.enum(['a', 'b'], { doc: 'd', default: 'c' });
  });
});

describe('builder typing', () => {
  it('types params of a transform object by its schema (camelCase)', () => {
    const p = pipeline();
    // Type checks only: the invalid calls would throw at run time, so they sit in a function
    // that is never called.
    const typeOnly = (): void => {
      p.use(t, { maxSize: 3, mode: 'b', op: ['Identity'], shape: [1, 2], ignoreErrors: true });
      p.use(t, { op: 'Identity' });
      // @ts-expect-error snake_case keys are for strings; the typed builder uses camelCase
      p.use(t, { max_size: 3 });
      // @ts-expect-error unknown key
      p.use(t, { maxSizes: 3 });
      // @ts-expect-error wrong value type
      p.use(t, { maxSize: 'big' });
      // @ts-expect-error not an enum value
      p.use(t, { mode: 'c' });
      // A name takes any record; it is checked when added (against the pipeline's registry).
      p.use('fold_constants', { max_constant_size_in_bytes: 5, anything: true });
    };
    void typeOnly;
    expectTypeOf(p.use(t)).toEqualTypeOf(p);
  });
});
