/**
 * Editing helpers: dedupeControlInputs keeps the first control input on each node and drops
 * control inputs on nodes that are also read as data, for short lists (compared in place) and
 * long ones (sets) alike.
 */
import { describe, expect, it } from 'vitest';
import { dedupeControlInputs } from '../../src/ir/edit';
import { seededRandom } from '../../src/ir/random';

/** The rule, written out with sets. */
function reference(inputs: readonly string[]): string[] {
  const node = (s: string) => s.replace(/^\^/, '').replace(/:\d+$/, '');
  const data = new Set(inputs.filter((s) => !s.startsWith('^')).map(node));
  const seen = new Set<string>();
  return inputs.filter((s) => {
    if (!s.startsWith('^')) return true;
    const n = node(s);
    if (data.has(n) || seen.has(n)) return false;
    seen.add(n);
    return true;
  });
}

describe('dedupeControlInputs', () => {
  it('drops repeated control inputs and those on nodes read as data', () => {
    expect(dedupeControlInputs(['a', 'b:1', '^b', '^c', '^c', '^d', '^a:0'])).toEqual(['a', 'b:1', '^c', '^d']);
    expect(dedupeControlInputs(['a', 'b'])).toEqual(['a', 'b']);
  });

  it('agrees with the rule on seeded random lists, short and long', () => {
    const rand = seededRandom(5);
    for (let round = 0; round < 400; round++) {
      const n = round % 4 === 0 ? 33 + Math.floor(rand() * 40) : Math.floor(rand() * 12);
      const names = Math.max(1, Math.floor(n / 2));
      const inputs: string[] = [];
      for (let i = 0; i < n; i++) {
        const name = `n${Math.floor(rand() * names)}`;
        const r = rand();
        inputs.push(r < 0.4 ? `^${name}` : r < 0.6 ? `${name}:1` : name);
      }
      expect(dedupeControlInputs(inputs)).toEqual(reference(inputs));
    }
  });
});
