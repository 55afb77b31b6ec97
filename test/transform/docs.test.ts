import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateTransformDocs } from '../../src/transform/docs';
import { createRegistry } from '../../src/transform/registry';
import { testRegistry } from './helpers';

const DOCS = fileURLToPath(new URL('../../docs/transforms.md', import.meta.url));

describe('generateTransformDocs', () => {
  it('docs/transforms.md is up to date with the registry', () => {
    const expected = generateTransformDocs(createRegistry());
    const actual = existsSync(DOCS) ? readFileSync(DOCS, 'utf8') : '';
    expect(actual === expected, 'docs/transforms.md is stale or missing: run `npm run docs` (tsx scripts/generate-docs.ts)').toBe(true);
  });

  it('documents each transform: sorted, aliases, summary, description, requires, parameter table', () => {
    const md = generateTransformDocs(testRegistry());
    const headings = [...md.matchAll(/^## (\S+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual([...headings].sort());
    expect(headings).toContain('test_kinds');
    const section = md.slice(md.indexOf('## test_kinds'), md.indexOf('## test_noop'));
    expect(section).toContain('Aliases: `test_kinds_old` (deprecated: renamed in 0.2)');
    expect(section).toContain('Takes every kind of parameter.');
    expect(section).toContain('Records its parameters.\nSecond | line.');
    expect(section).toContain('Usually runs after: [`test_noop`](#test_noop)');
    expect(section).toContain('| parameter | type | repeated | default | description |');
    expect(section).toContain('| `type` | dtype (e.g. `float`, `int32`) | no | `float` | A data type. |');
    expect(section).toContain('| `op` | string | yes | none | Op names. |');
    expect(section).toContain('| `mode` | enum: `MIN_COMBINED`, `SCALED` | no | `MIN_COMBINED` | A mode. |');
    expect(section).toContain('| `max_inputs` | int (>= 0, <= 100) | no | `10` | An int. |');
    expect(section).toContain('| `clear_output_shapes` | bool | no | `true` | A bool. |');
    expect(section).toContain('| `old_knob` | int | no | none | Unused. **Deprecated:** has no effect |');
    expect(md).toContain('| [`test_noop`](#test_noop) | Changes nothing. |');
    expect(md).toContain('Parameters: none (besides `ignore_errors`).');
  });

  it('is deterministic and says when nothing is registered', () => {
    expect(generateTransformDocs(testRegistry())).toBe(generateTransformDocs(testRegistry()));
    expect(generateTransformDocs(createRegistry({ builtins: false }))).toContain('No transforms are registered.');
  });
});
