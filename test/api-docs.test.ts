/**
 * docs/api.md lists every public name of every entry point (scripts/api-docs.ts writes it with
 * `npm run docs`): this fails when an entry point's exports and the page differ, and pins what the
 * curated API promises (the editing helpers public, internals not).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENTRY_POINTS, apiMarkdown, publicNames } from '../scripts/api-docs';

const ROOT = path.join(import.meta.dirname, '..');
const names = publicNames(ROOT);
const of = (spec: string) => new Set((names.get(spec) ?? []).map((n) => n.name));

describe('docs/api.md', () => {
  it('is what the entry points export (npm run docs rewrites it)', () => {
    expect(readFileSync(path.join(ROOT, 'docs/api.md'), 'utf8')).toBe(apiMarkdown(names));
  }, 60_000);

  it('every entry point of package.json is listed, and every listed one is in package.json', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
    const subpaths = Object.keys(pkg.exports).filter((k) => k !== './package.json').map((k) => (k === '.' ? pkg.name : `${pkg.name}/${k.slice(2)}`));
    expect(ENTRY_POINTS.map((e) => e.specifier).sort()).toEqual(subpaths.sort());
    for (const e of ENTRY_POINTS) expect(of(e.specifier).size, e.specifier).toBeGreaterThan(5);
  });

  it('the core has the editing helpers a custom transform needs, and none of the internals', () => {
    const core = of('tf-graft');
    for (const n of ['mapNodes', 'filterNodes', 'updateNode', 'setAttrs', 'replaceInputs', 'findMatches', 'constValue', 'RewritePlan', 'renameNodeInputs', 'defineTransform', 'runPipeline']) {
      expect(core.has(n), n).toBe(true);
    }
    for (const n of ['crc32c', 'maskCrc32c', 'parseTransforms', 'positionAt', 'convertObjectParams', 'parseBoolParam', 'camelCase', 'joinChunks', 'editDistance', 'bytesKey', 'loadModel', 'nodeFileSystem', 'createSession']) {
      expect(core.has(n), n).toBe(false);
    }
    expect(of('tf-graft/node').has('loadModel')).toBe(true);
    expect(of('tf-graft/runtime').has('createSession')).toBe(true);
    expect(of('tf-graft/testing').has('expectRemoved')).toBe(true);
  });
});
