/**
 * Golden tests: each folder of test/golden holds `input.pbtxt`, `pipeline.txt`, `inputs.txt`,
 * `outputs.txt` and `expected.pbtxt`; the pipeline's result, printed as canonical text, must equal
 * the expected file. `GRAFT_UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts` rewrites the
 * expected files (review the diff before committing it). Folders without `pipeline.txt` belong to
 * other golden tests (`test/golden/cli`: test/golden-cli.test.ts).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGoldenCase } from '../src/testing/index';

const DIR = path.join(import.meta.dirname, 'golden');
const lines = (file: string) => readFileSync(file, 'utf8').split(/[\n,]/).map((s) => s.trim()).filter(Boolean);

describe('golden pipelines (test/golden/*)', () => {
  for (const name of readdirSync(DIR).sort().filter((n) => existsSync(path.join(DIR, n, 'pipeline.txt')))) {
    it(name, async () => {
      const dir = path.join(DIR, name);
      const expectedFile = path.join(dir, 'expected.pbtxt');
      // tf-graft/testing's golden runner: both graphs compared as canonical GraphDef text.
      const golden = (expected: string) =>
        runGoldenCase({
          input: readFileSync(path.join(dir, 'input.pbtxt'), 'utf8'),
          pipeline: readFileSync(path.join(dir, 'pipeline.txt'), 'utf8').trim(),
          inputs: lines(path.join(dir, 'inputs.txt')),
          outputs: lines(path.join(dir, 'outputs.txt')),
          expected,
        });
      if (process.env.GRAFT_UPDATE_GOLDEN === '1') writeFileSync(expectedFile, (await golden('')).actual);
      expect(existsSync(expectedFile), `${expectedFile} is missing (GRAFT_UPDATE_GOLDEN=1 writes it)`).toBe(true);
      const r = await golden(readFileSync(expectedFile, 'utf8'));
      expect(r.actual).toBe(r.expected);
    });
  }
});
