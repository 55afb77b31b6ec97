import { describe, expect, it } from 'vitest';
import { GraftError } from '../../src/errors';
import { defineTransform } from '../../src/transform/define';
import { createRegistry } from '../../src/transform/registry';
import { builtinTransforms } from '../../src/transforms';
import { addConst, kinds, noop, thrown } from './helpers';

const renamed = defineTransform({ name: 'obfuscate_names_test', aliases: ['obsfucate_names_test'], summary: 's', params: {}, apply: (g) => g });

describe('createRegistry', () => {
  it('holds the built-ins by default and nothing with builtins: false', () => {
    expect(createRegistry().names()).toEqual(builtinTransforms.map((t) => t.name).sort());
    expect(createRegistry({ builtins: false }).names()).toEqual([]);
  });

  it('registers, gets, resolves, lists sorted by name', () => {
    const r = createRegistry({ builtins: false }).register(noop).register(addConst);
    expect(r.names()).toEqual(['test_add_const', 'test_noop']);
    expect(r.list().map((t) => t.name)).toEqual(['test_add_const', 'test_noop']);
    expect(r.get('test_noop')).toEqual({ transform: noop });
    expect(r.resolve('test_noop').transform).toBe(noop);
    expect(r.has('test_noop')).toBe(true);
    expect(r.has('TEST_NOOP')).toBe(false); // case-sensitive, like TensorFlow
    expect(r.get('nope')).toBeUndefined();
  });

  it('resolves an alias and says so', () => {
    const r = createRegistry({ builtins: false }).register(renamed);
    const entry = r.resolve('obsfucate_names_test');
    expect(entry.transform).toBe(renamed);
    expect(entry.viaAlias).toEqual({ name: 'obsfucate_names_test' });
    expect(r.names()).toEqual(['obfuscate_names_test']); // aliases are not names
    expect(r.aliasesOf('obfuscate_names_test')).toEqual([{ name: 'obsfucate_names_test' }]);
  });

  it('unknown name: transform/unknown, "not recognized", nearest names', () => {
    const r = createRegistry({ builtins: false }).register(noop).register(addConst);
    const e = thrown(() => r.resolve('test_nop'));
    expect(e).toBeInstanceOf(GraftError);
    expect(e.code).toBe('transform/unknown');
    expect(e.message).toBe("Transform 'test_nop' not recognized. Did you mean 'test_noop'?");
    expect(thrown(() => r.resolve('test_no_such_transform')).message).toContain('not recognized');
  });

  it('duplicate name or alias clash throws transform/duplicate unless override', () => {
    const r = createRegistry({ builtins: false }).register(noop).register(renamed);
    const other = defineTransform({ name: 'test_noop', summary: 'other', params: {}, apply: (g) => g });
    expect(thrown(() => r.register(other)).code).toBe('transform/duplicate');
    // A new transform whose name is an existing alias.
    const clashName = defineTransform({ name: 'obsfucate_names_test', summary: 's', params: {}, apply: (g) => g });
    expect(thrown(() => r.register(clashName)).message).toContain("is already an alias of 'obfuscate_names_test'");
    // A new transform whose alias is an existing name.
    const clashAlias = defineTransform({ name: 'fresh', aliases: ['test_noop'], summary: 's', params: {}, apply: (g) => g });
    expect(thrown(() => r.register(clashAlias)).code).toBe('transform/duplicate');
    expect(r.has('fresh')).toBe(false); // nothing half-registered

    r.register(other, { override: true });
    expect(r.resolve('test_noop').transform).toBe(other);
    expect(r.list().filter((t) => t.name === 'test_noop')).toHaveLength(1);
  });

  it('override of a transform with aliases drops the old aliases', () => {
    const r = createRegistry({ builtins: false }).register(renamed);
    const plain = defineTransform({ name: 'obfuscate_names_test', summary: 'new', params: {}, apply: (g) => g });
    r.register(plain, { override: true });
    expect(r.has('obsfucate_names_test')).toBe(false);
  });

  it('registries are independent; copy and extend do not affect the source', () => {
    const a = createRegistry({ builtins: false });
    const b = createRegistry({ builtins: false });
    a.register(noop);
    expect(b.has('test_noop')).toBe(false);
    const c = a.copy().register(addConst);
    expect(a.has('test_add_const')).toBe(false);
    expect(c.has('test_noop')).toBe(true);
    const d = a.extend([kinds]);
    expect(d.names()).toEqual(['test_kinds', 'test_noop']);
    expect(d.resolve('test_kinds_old').transform).toBe(kinds);
    expect(a.has('test_kinds')).toBe(false);
    // A fresh default registry never sees custom registrations.
    expect(createRegistry().has('test_noop')).toBe(false);
  });
});
