import { describe, expect, it } from 'vitest';
import { GraftError } from '../../src/errors';
import { parsePipeline, Pipeline, pipeline } from '../../src/transform/pipeline';
import { resolvePipeline } from '../../src/transform/pipeline';
import { addConst, kinds, noop, testRegistry, thrown } from './helpers';

const registry = testRegistry();
const parse = (s: string) => parsePipeline(s, registry);

describe('parsePipeline: converting string parameters with the schema', () => {
  it('converts every kind and leaves defaults to resolution', () => {
    const p = parse('test_kinds(type=float32, shape="1,?,28", op=Identity, op=CheckNumerics, mode=SCALED, max_inputs=7, ratio=-2.5e1, clear_output_shapes=0)');
    expect(p.steps[0]!.params).toEqual({
      type: 'float',
      shape: [1, -1, 28],
      op: ['Identity', 'CheckNumerics'],
      mode: 'SCALED',
      maxInputs: 7,
      ratio: -25,
      clearOutputShapes: false,
    });
    const [step] = resolvePipeline(p, registry);
    expect(step!.params).toEqual({
      type: 'float', shape: [1, -1, 28], op: ['Identity', 'CheckNumerics'], mode: 'SCALED', maxInputs: 7, ratio: -25, clearOutputShapes: false, oldKnob: undefined,
    });
    expect(resolvePipeline(parse('test_kinds'), registry)[0]!.params).toEqual({
      type: 'float', shape: undefined, op: [], mode: 'MIN_COMBINED', maxInputs: 10, ratio: undefined, clearOutputShapes: true, oldKnob: undefined,
    });
  });

  it('unknown transform: position, caret, "not recognized", suggestion', () => {
    const e = thrown(() => parse('test_noop\n  test_add_cnst(name=z)'));
    expect(e.code).toBe('transform/unknown');
    expect(e.message).toBe("line 2, column 3: Transform 'test_add_cnst' not recognized. Did you mean 'test_add_const'?\n    test_add_cnst(name=z)\n    ^");
    expect(thrown(() => parse('test_no_such_transform')).message).toContain('not recognized');
  });

  it('unknown parameter: transform/unknown-param with line, column, caret and "did you mean"', () => {
    const e = thrown(() => parse('test_noop test_kinds(max_input=3)'));
    expect(e.code).toBe('transform/unknown-param');
    expect(e.message).toBe(
      "line 1, column 22: Unknown parameter 'max_input' for 'test_kinds'. Did you mean 'max_inputs'?\n  test_noop test_kinds(max_input=3)\n                       ^",
    );
    expect(e.hint).toBe('did you mean max_inputs');
    // A misspelled ignore_errors is caught too (TensorFlow would silently not ignore errors).
    expect(thrown(() => parse('test_noop(ignore_error=true)')).message).toContain("Did you mean 'ignore_errors'?");
    expect(thrown(() => parse('test_noop(x=1)')).message).toContain('it takes no parameters besides ignore_errors');
  });

  it('accepts ignore_errors on every transform, with TensorFlow rules', () => {
    expect(parse('test_noop(ignore_errors=true)').steps[0]!.ignoreErrors).toBe(true);
    expect(parse('test_noop(ignore_errors=TRUE)').steps[0]!.ignoreErrors).toBe(true); // lower-cased, unlike other bools
    expect(parse('test_noop(ignore_errors=false)').steps[0]!.ignoreErrors).toBe(false);
    expect(parse('test_noop').steps[0]!.ignoreErrors).toBe(false);
    expect(parse('test_noop(ignore_errors=true, ignore_errors=foo)').steps[0]!.ignoreErrors).toBe(true); // first value wins
    const e = thrown(() => parse('test_noop(ignore_errors=foo)'));
    expect(e.code).toBe('transform/bad-param');
    expect(e.message).toContain('ignore_errors should be true or false, found foo');
    expect(e.message).toContain('line 1, column 25');
  });

  it('repeated key on a non-repeated parameter is an error at the second occurrence', () => {
    const e = thrown(() => parse('test_kinds(max_inputs=1, max_inputs=2)'));
    expect(e.code).toBe('transform/bad-param');
    expect(e.message).toBe("line 1, column 26: Expected a single 'max_inputs' parameter, but found 2 occurrences\n  test_kinds(max_inputs=1, max_inputs=2)\n                           ^");
  });

  it('bad values: TensorFlow messages with position, bounds, enum values', () => {
    const bad = (s: string) => thrown(() => parse(s));
    expect(bad('test_kinds(max_inputs=1.5)').message).toContain("line 1, column 23: Couldn't interpret the max_inputs argument as a number:1.5");
    expect(bad('test_kinds(max_inputs=101)').message).toContain('The max_inputs argument must be at most 100, found 101');
    expect(bad('test_kinds(max_inputs=-1)').message).toContain('must be at least 0');
    expect(bad('test_kinds(clear_output_shapes=True)').message).toContain("Couldn't interpret the clear_output_shapes argument as a boolean:True");
    expect(bad('test_kinds(ratio=abc)').message).toContain('as a float number:abc');
    expect(bad('test_kinds(shape="1,x")').message).toContain("Could parse as shape: '1,x'");
    expect(bad('test_kinds(type=floot)').message).toContain('as a data type:floot');
    const e = bad('test_kinds(mode=SCALD)');
    expect(e.code).toBe('transform/bad-param');
    expect(e.message).toContain("Invalid value 'SCALD' for the mode argument: expected one of MIN_COMBINED, SCALED (did you mean 'SCALED'?)");
    expect(e.message).toContain('\n  test_kinds(mode=SCALD)\n                  ^');
    expect(e.cause).toBeInstanceOf(GraftError);
  });

  it('parse errors keep the syntax module\'s code', () => {
    expect(thrown(() => parse('test_noop(a =1)')).code).toBe('transform/parse');
  });

  it('records the alias as written', () => {
    const p = parse('test_kinds_old');
    expect(p.steps[0]!.name).toBe('test_kinds_old');
    expect(p.steps[0]!.transform).toBe(kinds);
    expect(p.steps[0]!.viaAlias?.name).toBe('test_kinds_old');
    expect(p.toString()).toBe('test_kinds_old');
  });
});

describe('builder', () => {
  it('is immutable: use and concat return new pipelines and leave the old ones alone', () => {
    const a = pipeline(registry);
    const b = a.use(noop);
    const c = b.use(addConst, { name: 'z' });
    expect(a.steps).toHaveLength(0);
    expect(b.steps).toHaveLength(1);
    expect(c.steps).toHaveLength(2);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.steps)).toBe(true);
    expect(() => (c.steps as unknown[]).push({})).toThrow();
    const d = b.concat(c);
    expect(d.toString()).toBe('test_noop test_noop test_add_const(name=z)');
    expect(b.toString()).toBe('test_noop');
    expect(d).toBeInstanceOf(Pipeline);
  });

  it('a string and a builder that say the same thing print the same', () => {
    const fromString = parse('test_kinds(op=Identity, max_inputs=3, type=float32, shape="1, 28,28", op=CheckNumerics, ignore_errors=true) test_add_const(name="a:0")');
    const fromBuilder = pipeline(registry)
      .use(kinds, { shape: [1, 28, 28], type: 'float', maxInputs: 3, op: ['Identity', 'CheckNumerics'] }, { ignoreErrors: true })
      .use(addConst, { name: 'a:0' });
    const byName = pipeline(registry)
      .use('test_kinds', { max_inputs: 3, shape: '1,28,28', type: 'float32', op: ['Identity', 'CheckNumerics'], ignoreErrors: true })
      .use('test_add_const', { name: 'a:0' });
    const canonical = 'test_kinds(type=float, shape="1,28,28", op=Identity, op=CheckNumerics, max_inputs=3, ignore_errors=true) test_add_const(name="a:0")';
    expect(fromString.toString()).toBe(canonical);
    expect(fromBuilder.toString()).toBe(canonical);
    expect(byName.toString()).toBe(canonical);
    // And the canonical text parses back to itself.
    expect(parse(canonical).toString()).toBe(canonical);
    expect(resolvePipeline(fromBuilder, registry).map((s) => s.params)).toEqual(resolvePipeline(fromString, registry).map((s) => s.params));
    expect(resolvePipeline(byName, registry).map((s) => s.params)).toEqual(resolvePipeline(fromString, registry).map((s) => s.params));
  });

  it('prints bools, floats and one repeated value canonically', () => {
    const p = pipeline(registry).use(kinds, { clearOutputShapes: false, ratio: 0.5, op: 'Identity', mode: 'SCALED' });
    expect(p.toString()).toBe('test_kinds(op=Identity, mode=SCALED, ratio=0.5, clear_output_shapes=false)');
    expect(pipeline(registry).use(kinds, { ratio: -Infinity }).toString()).toBe('test_kinds(ratio=-inf)');
  });

  it('checks typed params when a transform object is used', () => {
    const e = thrown(() => pipeline().use(noop).use(kinds, { maxInputs: 1.5 }));
    expect(e.code).toBe('transform/bad-param');
    expect(e.message).toBe('Step 2 (test_kinds): The max_inputs argument must be an integer (within ±(2^53 - 1)), found 1.5');
    expect(thrown(() => pipeline().use(kinds, { mode: 'X' as 'SCALED' })).message).toContain('expected one of MIN_COMBINED, SCALED');
    expect(thrown(() => pipeline().use(kinds, { shape: [1, -2] })).message).toContain('dimensions are integers >= -1');
    const u = thrown(() => pipeline().use(kinds, { maxInput: 3 } as never));
    expect(u.code).toBe('transform/unknown-param');
    expect(u.message).toBe("Step 1 (test_kinds): Unknown parameter 'maxInput' for 'test_kinds'. Did you mean 'maxInputs'?");
    expect(thrown(() => pipeline().use(kinds, { maxInputs: 1, max_inputs: 2 } as never)).message).toContain("'maxInputs' and 'max_inputs' name the same parameter");
  });

  it('checks steps given by name at use(), against the pipeline registry, with step number', () => {
    const e = thrown(() => pipeline(registry).use(noop).use('test_kinds', { maxInputs: 'many' }));
    expect(e.code).toBe('transform/bad-param');
    expect(e.message).toBe("Step 2 (test_kinds): Couldn't interpret the max_inputs argument as a number:many");
    const u = thrown(() => pipeline(registry).use('test_nope'));
    expect(u.code).toBe('transform/unknown');
    expect(u.message).toBe("Step 1: Transform 'test_nope' not recognized. Did you mean 'test_noop'?");
  });

  it('a name the pipeline registry lacks fails at use(), whatever a run would pass later', () => {
    const u = thrown(() => pipeline().use('custom_thing', { maxSize: 3 }, { ignoreErrors: true }));
    expect(u.code).toBe('transform/unknown');
    expect(u.message).toBe("Step 1: Transform 'custom_thing' not recognized.");
  });
});
