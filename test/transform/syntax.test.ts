import { describe, expect, it } from 'vitest';
import { GraftError } from '../../src/errors';
import { parseBoolParam, parseDTypeParam, parseFloatParam, parseIgnoreErrors, parseIntParam, parseShapeParam } from '../../src/transform/param-text';
import {
  formatCaret,
  paramsToMap,
  parseTransforms,
  positionAt,
  printTransforms,
  TransformParseError,
  type TransformCall,
} from '../../src/transform/syntax';
import { editDistance, nearestNames } from '../../src/suggest';

/** The list as TensorFlow's `TransformParameters`: [name, {key: values}] pairs. */
function tf(source: string): [string, Record<string, string[]>][] {
  return parseTransforms(source).calls.map((c) => [c.name, Object.fromEntries(paramsToMap(c))]);
}

function parseError(source: string): TransformParseError {
  try {
    parseTransforms(source);
  } catch (e) {
    expect(e).toBeInstanceOf(TransformParseError);
    expect(e).toBeInstanceOf(GraftError);
    expect((e as GraftError).code).toBe('transform/parse');
    return e as TransformParseError;
  }
  throw new Error(`expected ${JSON.stringify(source)} not to parse`);
}

function thrown(f: () => unknown): GraftError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(GraftError);
    return e as GraftError;
  }
  throw new Error('expected a throw');
}

describe('parseTransforms: the §2.2 table', () => {
  it('foo', () => {
    expect(tf('foo')).toEqual([['foo', {}]]);
  });

  it('foo bar / foo() bar()', () => {
    expect(tf('foo bar')).toEqual([['foo', {}], ['bar', {}]]);
    expect(tf('foo() bar()')).toEqual([['foo', {}], ['bar', {}]]);
    const calls = parseTransforms('foo() bar').calls;
    expect(calls.map((c) => c.hasParens)).toEqual([true, false]);
  });

  it('foo(bob_something=sue)', () => {
    expect(tf('foo(bob_something=sue)')).toEqual([['foo', { bob_something: ['sue'] }]]);
  });

  it('bar(a=1, b=2, a=3): repeated keys accumulate in order', () => {
    expect(tf('bar(a=1, b=2, a=3)')).toEqual([['bar', { a: ['1', '3'], b: ['2'] }]]);
    expect([...paramsToMap(parseTransforms('bar(a=1, b=2, a=3)').calls[0]).keys()]).toEqual(['a', 'b']);
  });

  it('bar(a="1", b="1,2,3", a=3)', () => {
    expect(tf('bar(a="1", b="1,2,3", a=3)')).toEqual([['bar', { a: ['1', '3'], b: ['1,2,3'] }]]);
    expect(parseTransforms('bar(a="1", b="1,2,3", a=3)').calls[0].params.map((p) => p.quoted)).toEqual([true, true, false]);
  });

  it('f(a=1 b=2) without a comma is accepted', () => {
    expect(tf('f(a=1 b=2)')).toEqual([['f', { a: ['1'], b: ['2'] }]]);
  });

  it('f(a=1,) is an error', () => {
    const e = parseError('f(a=1,)');
    expect(e.reason).toBe("Looking for parameter name, but found ) (no comma or space is allowed before ')')");
    expect(e.pos).toEqual({ offset: 6, line: 1, column: 7 });
    expect(e.message).toBe(
      "line 1, column 7: Looking for parameter name, but found ) (no comma or space is allowed before ')')\n  f(a=1,)\n        ^",
    );
  });

  it('f(a=1 ) is an error with the same message', () => {
    const e = parseError('f(a=1 )');
    expect(e.reason.startsWith('Looking for parameter name, but found )')).toBe(true);
    expect(e.pos.column).toBe(7);
  });

  it('f(a =1) is an error: Looking for =, but found  =1)', () => {
    const e = parseError('f(a =1)');
    expect(e.reason).toBe("Looking for =, but found  =1) (no space is allowed around '=')");
    expect(e.pos).toEqual({ offset: 3, line: 1, column: 4 });
    expect(e.message).toBe("line 1, column 4: Looking for =, but found  =1) (no space is allowed around '=')\n  f(a =1)\n     ^");
  });

  it('f(a= 1) is an error', () => {
    const e = parseError('f(a= 1)');
    expect(e.reason).toBe("Looking for parameter name, but found  1) (no space is allowed around '=')");
    expect(e.pos.column).toBe(5);
  });

  it('f(a=x:0) is an error: ":" needs quotes', () => {
    const e = parseError('f(a=x:0)');
    expect(e.reason.startsWith('Looking for parameter name, but found :0)')).toBe(true);
    expect(e.reason).toContain('double quotes');
    expect(e.pos.column).toBe(6);
    expect(tf('f(a="x:0")')).toEqual([['f', { a: ['x:0'] }]]);
  });

  it("f(a='x') is an error: single quotes do not quote", () => {
    const e = parseError("f(a='x')");
    expect(e.reason).toBe("Looking for parameter name, but found 'x') (single quotes do not quote a value; use double quotes)");
    expect(e.pos.column).toBe(5);
  });

  it("f(a=x') is accepted with value x (the stray ' is swallowed)", () => {
    expect(tf("f(a=x')")).toEqual([['f', { a: ['x'] }]]);
    // Then one '"' and one "'", in that order.
    expect(tf('f(a=x"\')')).toEqual([['f', { a: ['x'] }]]);
    expect(tf('f(a="x""\' b=2)')).toEqual([['f', { a: ['x'], b: ['2'] }]]);
    // Only one of each: a second "'" is not swallowed.
    expect(parseError("f(a=x'')").reason.startsWith("Looking for parameter name, but found ')")).toBe(true);
  });

  it('f(a="") gives the empty string', () => {
    expect(tf('f(a="")')).toEqual([['f', { a: [''] }]]);
  });

  it('a,b is an error: comma does not separate transforms', () => {
    const e = parseError('a,b');
    expect(e.reason).toBe('Looking for transform name, but found ,b (transforms are separated by spaces)');
    expect(e.calls.map((c) => c.name)).toEqual(['a']); // TF leaves the partial list
  });

  it('backslash-newline is an error naming the shell, and nothing is parsed (P2)', () => {
    const e = parseError('\\\n');
    expect(e.reason).toBe(
      'Looking for transform name, but found \\ (line continuation backslashes belong to the shell, not the transform string)',
    );
    expect(e.hint).toBe('line continuation backslashes belong to the shell, not the transform string');
    expect(e.calls).toEqual([]);
    expect(e.pos).toEqual({ offset: 0, line: 1, column: 1 });
  });

  it('backslash-newline inside parentheses gets the same explanation', () => {
    const e = parseError('strip_unused_nodes(type=float, \\\n  shape="1,2")');
    expect(e.reason).toContain('Looking for parameter name, but found \\ (line continuation backslashes');
    expect(e.pos.column).toBe(32);
  });
});

describe('parseTransforms: more of TF’s grammar', () => {
  it('P1: the transform_graph_test cases', () => {
    expect(tf('foo')).toEqual([['foo', {}]]);
    expect(tf('foo bar')).toEqual([['foo', {}], ['bar', {}]]);
    expect(tf('foo() bar()')).toEqual([['foo', {}], ['bar', {}]]);
    expect(tf('foo(bob_something=sue)')).toEqual([['foo', { bob_something: ['sue'] }]]);
    const m1 = paramsToMap(parseTransforms('bar(a=1, b=2, a=3)').calls[0]);
    expect(m1.get('a')).toHaveLength(2);
    expect(m1.get('b')).toHaveLength(1);
    const m2 = paramsToMap(parseTransforms('bar(a="1", b="1,2,3", a=3)').calls[0]);
    expect(m2.get('a')).toEqual(['1', '3']);
    expect(m2.get('b')).toEqual(['1,2,3']);
  });

  it('empty and whitespace-only strings parse to no transforms', () => {
    expect(tf('')).toEqual([]);
    expect(tf(' \t\n\v\f\r ')).toEqual([]);
  });

  it('foo (a=1) records foo, then fails on "("', () => {
    const e = parseError('foo (a=1)');
    expect(e.reason).toBe("Looking for transform name, but found (a=1) (no space is allowed between a transform name and its '(')");
    expect(e.calls.map((c) => c.name)).toEqual(['foo']);
  });

  it('needs no space after ")" and allows a leading comma and spaces before a name', () => {
    expect(tf('foo(a=1)bar')).toEqual([['foo', { a: ['1'] }], ['bar', {}]]);
    expect(tf('f(,a=1,\n\tb=2)')).toEqual([['f', { a: ['1'], b: ['2'] }]]);
    expect(tf('f( a=1)')).toEqual([['f', { a: ['1'] }]]);
    expect(parseError('f(a=1,,b=2)').reason.startsWith('Looking for parameter name, but found ,b=2)')).toBe(true);
  });

  it('bare values allow letters, digits, _ . / -', () => {
    expect(tf('f(a=-1.5e3, b=some/node_name.x)')).toEqual([['f', { a: ['-1.5e3'], b: ['some/node_name.x'] }]]);
  });

  it('quoted values keep escapes raw and may hold anything else', () => {
    const calls = parseTransforms('f(a="x\\"y", b="(1, 2): \'q\'", c="two\nlines")').calls;
    expect(calls[0].params.map((p) => p.value)).toEqual(['x\\"y', "(1, 2): 'q'", 'two\nlines']);
  });

  it('an unterminated quote is TF’s "Looking for parameter name" error at the text after the quote', () => {
    const e = parseError('f(a="abc');
    expect(e.reason.startsWith('Looking for parameter name, but found abc (')).toBe(true);
    expect(e.reason).toContain('never closed');
    expect(e.pos.column).toBe(6); // where TF's <rest> starts, just after the quote
    // An escaped quote does not close the value, nor does a backslash at the very end.
    expect(parseError('f(a="abc\\")').reason.startsWith('Looking for parameter name, but found abc\\")')).toBe(true);
    expect(parseError('f(a="abc\\').reason.startsWith('Looking for parameter name, but found abc\\ (')).toBe(true);
  });

  it('names are ASCII only', () => {
    expect(parseError('földs').reason.startsWith('Looking for transform name, but found ölds')).toBe(true);
  });

  it('deviation: input ending inside parentheses is an error (TF drops the transform silently)', () => {
    for (const [src, column] of [['foo(a=1', 4], ['foo(', 4], ['foo(a=', 4], ['x y(a="1"', 4]] as const) {
      const e = parseError(src);
      expect(e.reason.startsWith(`Unterminated parameter list for '${src === 'x y(a="1"' ? 'y' : 'foo'}'`)).toBe(true);
      expect(e.pos.column).toBe(column);
    }
    expect(parseError('x y(a="1"').calls.map((c) => c.name)).toEqual(['x']);
  });

  it('TF errors (not success) on a trailing comma or space inside parentheses', () => {
    expect(parseError('foo(a=1,').reason.startsWith('Looking for parameter name, but found end of input')).toBe(true);
    expect(parseError('foo(a=1 ').reason.startsWith('Looking for parameter name, but found end of input')).toBe(true);
  });

  it('the rest in a message stops at the line break', () => {
    const e = parseError('f(a=1)\n,g\nh');
    expect(e.reason).toBe('Looking for transform name, but found ,g (transforms are separated by spaces)');
    expect(parseError('f(a\n=1)').reason).toBe("Looking for =, but found end of line (no space is allowed around '=')");
  });
});

describe('positions and caret', () => {
  const src = 'fold_constants(ignore_errors=true)\n  strip_unused_nodes(type=float, shape="1,28,28")';

  it('records name and value positions, including on line 2', () => {
    const [fold, strip] = parseTransforms(src).calls;
    expect(fold.namePos).toEqual({ offset: 0, line: 1, column: 1 });
    expect(fold.params[0].namePos).toEqual({ offset: 15, line: 1, column: 16 });
    expect(fold.params[0].valuePos).toEqual({ offset: 29, line: 1, column: 30 });
    expect(strip.namePos).toEqual({ offset: 37, line: 2, column: 3 });
    const shape = strip.params[1];
    expect(shape.name).toBe('shape');
    expect(shape.namePos).toEqual({ offset: 68, line: 2, column: 34 });
    expect(shape.valuePos).toEqual({ offset: 74, line: 2, column: 40 }); // the opening quote
    expect(src[shape.valuePos.offset]).toBe('"');
    expect(shape.value).toBe('1,28,28');
  });

  it('reports errors on later lines with the right line and caret', () => {
    const e = parseError('fold_constants\nstrip_unused_nodes(type=float,\n   shape=1:2)');
    expect(e.pos).toEqual({ offset: 56, line: 3, column: 11 });
    expect(e.message).toBe(
      'line 3, column 11: Looking for parameter name, but found :2) ' +
        '(a value with characters other than letters, digits and _ . / - must be written in double quotes)\n' +
        '     shape=1:2)\n' +
        '            ^',
    );
  });

  it('formatCaret lines up under tabs, at end of line, and counts code points', () => {
    expect(formatCaret('f(a =1)', { offset: 3, line: 1, column: 4 })).toBe('  f(a =1)\n     ^');
    expect(formatCaret('\tf(a =1)', positionAt('\tf(a =1)', 4))).toBe('  \tf(a =1)\n  \t   ^');
    expect(formatCaret('abc\r\ndef', positionAt('abc\r\ndef', 3))).toBe('  abc\n     ^');
    expect(formatCaret('abc', positionAt('abc', 3))).toBe('  abc\n     ^');
    const s = 'f(a="😀", b c)';
    const e = parseError(s);
    expect(e.pos.column).toBe(11); // the emoji is one column
    expect(e.pos.offset).toBe(11); // but two UTF-16 units
    expect(formatCaret(s, e.pos)).toBe(`  ${s}\n            ^`);
  });

  it('positionAt', () => {
    expect(positionAt('a\nbc', 3)).toEqual({ offset: 3, line: 2, column: 2 });
    expect(positionAt('a\r\nbc', 3)).toEqual({ offset: 3, line: 2, column: 1 });
  });
});

describe('printTransforms', () => {
  it('prints canonically', () => {
    expect(printTransforms(parseTransforms('  foo()\n\nbar(a=1 b="2",a="x:0")baz(c="")'))).toBe('foo bar(a=1, b=2, a="x:0") baz(c="")');
    expect(printTransforms(parseTransforms('f(a="x y", b=".5", c="1,2")'))).toBe('f(a="x y", b=.5, c="1,2")');
    expect(printTransforms([])).toBe('');
  });

  it('print(parse(s)) is a fixed point and keeps the meaning', () => {
    const cases = [
      'foo',
      'foo bar',
      'foo() bar()',
      'bar(a=1, b=2, a=3)',
      'bar(a="1", b="1,2,3", a=3)',
      "f(a=x')",
      'f(a="")',
      'f(a="with spaces", b="a,b,c", c="node:1", d="x\\"y\\"", e="back\\\\slash", f="(paren)")',
      'strip_unused_nodes(type=float, shape="1,28,28") fold_constants(ignore_errors=true)\n  fold_batch_norms',
      'f(a="multi\nline")',
      'remove_nodes(op=Identity, op=CheckNumerics) rename_op(old_op_name=Mul, new_op_name="Mul_2")',
    ];
    for (const s of cases) {
      const once = printTransforms(parseTransforms(s));
      expect(printTransforms(parseTransforms(once))).toBe(once);
      expect(tf(once)).toEqual(tf(s));
    }
  });

  it('refuses what the syntax cannot express', () => {
    const call = (name: string, key: string, value: string): TransformCall[] => [
      {
        name,
        namePos: { offset: 0, line: 1, column: 1 },
        hasParens: true,
        params: [{ name: key, value, quoted: false, namePos: { offset: 0, line: 1, column: 1 }, valuePos: { offset: 0, line: 1, column: 1 } }],
      },
    ];
    expect(thrown(() => printTransforms(call('f', 'a', 'say "hi"'))).code).toBe('transform/bad-param');
    expect(thrown(() => printTransforms(call('f', 'a', 'ends\\'))).code).toBe('transform/bad-param');
    expect(thrown(() => printTransforms(call('bad name', 'a', '1'))).code).toBe('transform/parse');
    expect(thrown(() => printTransforms(call('f', 'a-b', '1'))).code).toBe('transform/parse');
    expect(printTransforms(call('f', 'a', 'say \\"hi\\"'))).toBe('f(a="say \\"hi\\"")');
  });
});

describe('parameter converters (U4–U9 and §2.4)', () => {
  it('U4 count / U5 one string, via paramsToMap', () => {
    const m = paramsToMap(parseTransforms('t(foo=a, foo=b, bar=c)').calls[0]);
    expect(m.get('foo')?.length).toBe(2);
    expect(m.get('bar')?.length).toBe(1);
    expect(m.get('not_present')?.length ?? 0).toBe(0);
    expect(m.get('bar')).toEqual(['c']);
  });

  it('U6/U7 parseIntParam', () => {
    expect(parseIntParam('bar', '-23')).toBe(-23);
    expect(parseIntParam('bar', '10')).toBe(10);
    expect(parseIntParam('bar', ' \t42\n')).toBe(42);
    expect(parseIntParam('bar', '007')).toBe(7);
    expect(Object.is(parseIntParam('bar', '-0'), 0)).toBe(true);
    expect(parseIntParam('bar', '9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    const e = thrown(() => parseIntParam('not_a_number', 'not_numerical'));
    expect(e.code).toBe('transform/bad-param');
    expect(e.message).toBe("Couldn't interpret the not_a_number argument as a number:not_numerical");
    expect(thrown(() => parseIntParam('float', '-23.232323')).message).toBe("Couldn't interpret the float argument as a number:-23.232323");
    for (const bad of ['+5', '', ' ', '-', '1e3', '0x10', '1 2', '٣', '99999999999999999999']) {
      expect(thrown(() => parseIntParam('n', bad)).message).toBe(`Couldn't interpret the n argument as a number:${bad}`);
    }
    // Within int64 but not exact in a JS number: refused with its own message.
    expect(thrown(() => parseIntParam('n', '9007199254740993')).message).toContain('2^53');
  });

  it('U8 parseFloatParam', () => {
    expect(parseFloatParam('bar', '-23.2323')).toBeCloseTo(-23.2323, 6);
    expect(parseFloatParam('foo', '10.0')).toBe(10);
    for (const [s, v] of [['1e-3', 0.001], ['.5', 0.5], ['5.', 5], ['+2', 2], [' 3 ', 3], ['1E2', 100], ['0x10', 16]] as const) {
      expect(parseFloatParam('x', s)).toBe(v);
    }
    expect(parseFloatParam('x', '-INF')).toBe(-Infinity);
    expect(parseFloatParam('x', 'nan')).toBeNaN();
    const e = thrown(() => parseFloatParam('not_a_number', 'not_numerical'));
    expect(e.message).toBe("Couldn't interpret the not_a_number argument as a float number:not_numerical");
    for (const bad of ['', '.', '1e', '1.2.3', 'infinity', '1,5', '- 1']) {
      expect(() => parseFloatParam('x', bad)).toThrow(GraftError);
    }
  });

  it('U9 parseBoolParam', () => {
    expect(parseBoolParam('true', 'true')).toBe(true);
    expect(parseBoolParam('false', 'false')).toBe(false);
    expect(parseBoolParam('one', '1')).toBe(true);
    expect(parseBoolParam('zero', '0')).toBe(false);
    const e = thrown(() => parseBoolParam('not_a_bool', 'not_boolean'));
    expect(e.message).toBe("Couldn't interpret the not_a_bool argument as a boolean:not_boolean (expected true, false, 0 or 1)");
    for (const bad of ['True', 'TRUE', ' true', 'yes', '']) expect(() => parseBoolParam('b', bad)).toThrow(GraftError);
  });

  it('P3 parseIgnoreErrors', () => {
    expect(parseIgnoreErrors(['true'])).toBe(true);
    expect(parseIgnoreErrors(['false'])).toBe(false);
    expect(parseIgnoreErrors(['TRUE', 'junk'])).toBe(true); // first value, lower-cased
    expect(parseIgnoreErrors(undefined)).toBe(false);
    expect(parseIgnoreErrors([])).toBe(false);
    expect(thrown(() => parseIgnoreErrors(['Foo'])).message).toBe('ignore_errors should be true or false, found foo');
  });

  it('parseShapeParam', () => {
    expect(parseShapeParam('shape', '1,28,28')).toEqual([1, 28, 28]);
    expect(parseShapeParam('shape', '1, 2, 3')).toEqual([1, 2, 3]);
    expect(parseShapeParam('shape', '-1,28')).toEqual([-1, 28]);
    expect(parseShapeParam('shape', '?, 28')).toEqual([-1, 28]); // our extension
    expect(parseShapeParam('shape', '5')).toEqual([5]);
    expect(thrown(() => parseShapeParam('shape', '')).message).toBe('Specified shape is empty.');
    for (const bad of ['1,,2', '1,a', '1.5', ' ', '1,']) {
      expect(thrown(() => parseShapeParam('shape', bad)).message).toBe(`Could parse as shape: '${bad}'`);
    }
    expect(thrown(() => parseShapeParam('shape', '1,-2')).message).toContain("Could parse as shape: '1,-2'");
  });

  it('parseDTypeParam', () => {
    expect(parseDTypeParam('type', 'float')).toBe('float');
    expect(parseDTypeParam('type', 'float32')).toBe('float');
    expect(parseDTypeParam('type', 'float64')).toBe('double');
    expect(parseDTypeParam('type', 'float16')).toBe('half');
    expect(parseDTypeParam('type', 'half')).toBe('half');
    expect(parseDTypeParam('type', 'quint8')).toBe('quint8');
    expect(parseDTypeParam('type', 'float32_ref')).toBe('float_ref');
    expect(parseDTypeParam('type', 'int32_ref')).toBe('int32_ref');
    for (const bad of ['Float', 'DT_FLOAT', 'float_ref_ref', '_ref', 'int', '']) {
      const e = thrown(() => parseDTypeParam('type', bad));
      expect(e.code).toBe('transform/bad-param');
      expect(e.message).toContain(`Couldn't interpret the type argument as a data type:${bad} (expected one of float, double, int32`);
    }
  });
});

describe('nearestNames', () => {
  const registry = [
    'add_default_attributes', 'fold_batch_norms', 'fold_constants', 'fold_old_batch_norms', 'remove_nodes',
    'rename_op', 'strip_unused_nodes', 'remove_device', 'set_device',
  ];

  it('suggests close spellings, best first', () => {
    expect(nearestNames('fold_constant', registry)).toEqual(['fold_constants']);
    expect(nearestNames('fold_constnats', registry)).toEqual(['fold_constants']); // a transposition is one edit
    expect(nearestNames('Fold_Constants', registry)).toEqual(['fold_constants']);
    expect(nearestNames('strip_unused', registry)).toEqual(['strip_unused_nodes']);
    expect(nearestNames('remove_node', registry)[0]).toBe('remove_nodes');
  });

  it('suggests nothing for unrelated names and respects max', () => {
    expect(nearestNames('quantize', registry)).toEqual([]);
    expect(nearestNames('fold_constants', registry)).toEqual([]); // itself is not a suggestion
    expect(nearestNames('ab', ['ac', 'ad', 'ae', 'xyz'], 2)).toEqual(['ac', 'ad']);
    expect(nearestNames('ab', ['ac'], 0)).toEqual([]);
  });

  it('editDistance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});

describe('parser property: random strings', () => {
  it('whatever parses prints to a fixed point with the same meaning; whatever fails throws TransformParseError', () => {
    // A fixed-seed LCG keeps the test deterministic.
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const alphabet = ['a', 'b', '_', '1', '(', ')', '=', ',', ' ', '\n', '"', "'", '\\', ':', '.', '-', '/', 'é'];
    let parsed = 0;
    for (let k = 0; k < 5000; k++) {
      let s = '';
      const len = 1 + rand(16);
      for (let j = 0; j < len; j++) s += alphabet[rand(alphabet.length)];
      let list;
      try {
        list = parseTransforms(s);
      } catch (e) {
        expect(e).toBeInstanceOf(TransformParseError);
        continue;
      }
      parsed++;
      const once = printTransforms(list);
      expect(printTransforms(parseTransforms(once))).toBe(once);
      expect(tf(once)).toEqual(tf(s));
    }
    expect(parsed).toBeGreaterThan(100);
  });
});
