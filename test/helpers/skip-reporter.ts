/**
 * A vitest reporter that adds one line when the real-model folder is absent: how many tests were
 * skipped, and how to point the run at the models (GRAFT_MODELS).
 */
import type { Reporter, TestModule } from 'vitest/node';
import { HAVE_MODELS, MODELS_DIR } from './models';

export default class SkipReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    if (HAVE_MODELS) return;
    let skipped = 0;
    for (const m of modules) for (const t of m.children.allTests('skipped')) if (t) skipped++;
    process.stdout.write(`\n${skipped} tests skipped: the real models folder ${MODELS_DIR} is absent (set GRAFT_MODELS to it)\n`);
  }
}
