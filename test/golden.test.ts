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
import { parseGraphDefText, printGraphDefText } from '../src/io/graphdef';
import { runPipeline } from '../src/transform/runner';

const DIR = path.join(import.meta.dirname, 'golden');
const lines = (file: string) => readFileSync(file, 'utf8').split(/[\n,]/).map((s) => s.trim()).filter(Boolean);

describe('golden pipelines (test/golden/*)', () => {
  for (const name of readdirSync(DIR).sort().filter((n) => existsSync(path.join(DIR, n, 'pipeline.txt')))) {
    it(name, async () => {
      const dir = path.join(DIR, name);
      const input = parseGraphDefText(readFileSync(path.join(dir, 'input.pbtxt'), 'utf8'));
      const { graph } = await runPipeline(input, readFileSync(path.join(dir, 'pipeline.txt'), 'utf8').trim(), {
        inputs: lines(path.join(dir, 'inputs.txt')),
        outputs: lines(path.join(dir, 'outputs.txt')),
      });
      const actual = printGraphDefText(graph);
      const expectedFile = path.join(dir, 'expected.pbtxt');
      if (process.env.GRAFT_UPDATE_GOLDEN === '1') writeFileSync(expectedFile, actual);
      expect(existsSync(expectedFile), `${expectedFile} is missing (GRAFT_UPDATE_GOLDEN=1 writes it)`).toBe(true);
      // Compared in canonical text: parse and print the expected file the same way.
      expect(actual).toBe(printGraphDefText(parseGraphDefText(readFileSync(expectedFile, 'utf8'))));
    });
  }
});
