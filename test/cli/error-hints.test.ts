/**
 * Every error code is documented in docs/errors.md, and the CLI prints that row's "what to do"
 * as the hint of an error that carries none (src/cli/error-hints.ts is generated from the doc).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_HINTS } from '../../src/cli/error-hints';
import { main } from '../../src/cli/main';
import { errorHintsModule, hintsFromErrorsDoc } from '../../scripts/error-hints';
import { useScratch } from '../helpers/scratch';

const ROOT = path.join(import.meta.dirname, '../..');
const doc = readFileSync(path.join(ROOT, 'docs/errors.md'), 'utf8');
const { freshDir } = useScratch('graft-error-hints');

describe('error hints', () => {
  it('src/cli/error-hints.ts is generated from docs/errors.md (run `npm run docs` when stale)', () => {
    expect(readFileSync(path.join(ROOT, 'src/cli/error-hints.ts'), 'utf8')).toBe(errorHintsModule(hintsFromErrorsDoc(doc)));
  });

  it('every ErrorCode in src/errors.ts has a row in docs/errors.md', () => {
    const union = readFileSync(path.join(ROOT, 'src/errors.ts'), 'utf8').split('export type ErrorCode =')[1]!.split(';')[0]!;
    const codes = [...union.matchAll(/'([a-z_]+\/[a-z0-9_-]+)'/g)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThan(30);
    expect(codes.filter((c) => !(c in ERROR_HINTS))).toEqual([]);
  });

  it('the CLI prints the documented hint after the message', async () => {
    const dir = freshDir('hint');
    const file = path.join(dir, 'model.tflite');
    const bytes = new Uint8Array(64);
    bytes.set([0x1c, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33]); // root offset, then the 'TFL3' identifier
    (await import('node:fs')).writeFileSync(file, bytes);
    const err: string[] = [];
    const code = await main(['summarize', file], { out: () => {}, err: (t) => void err.push(t), interactive: false });
    expect(code).toBe(1);
    expect(err[0]).toMatch(/^graft: error \[io\/wrong-format\]: .*model\.tflite is a TFLite flatbuffer/);
    expect(err[1]).toBe(`  hint: ${ERROR_HINTS['io/wrong-format']}`);
  });
});
