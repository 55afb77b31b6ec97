/**
 * A reader that stops early (`graft summarize m | head -1`) closes stdout's pipe before graft
 * prints: graft stops printing and ends as it would have (exit 0, no EPIPE stack on stderr).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';

const MAIN = path.join(import.meta.dirname, '../../src/cli/main.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

describe('stdout closed by its reader', () => {
  it.skipIf(!HAVE_MODELS)(`summarize ends with exit 0 and no stack when nobody reads its output${HAVE_MODELS ? '' : ` (${SKIP_REASON})`}`, async () => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, 'summarize', modelPath('kws_cnn_s/CNN_S.pb')], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The read end closes at once: every write graft makes meets a closed pipe (EPIPE).
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toContain('EPIPE');
    expect(stderr).not.toMatch(/^\s+at .+[:(]/m);
    expect(code).toBe(0);
  }, 60_000);
});
