/**
 * A vitest reporter that adds one line when the real-model folder is absent: how many tests were
 * skipped, and how to point the run at the models (GRAFT_MODELS); and one when the browser test
 * ran without a Chromium to drive.
 */
import type { Reporter, TestModule } from 'vitest/node';
import { CHROMIUM, NO_CHROMIUM_REASON } from './chromium';
import { HAVE_MODELS, MODELS_DIR } from './models';

export default class SkipReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    if (!CHROMIUM) {
      let browser = 0;
      for (const m of modules) if (m.moduleId.endsWith('browser.test.ts')) for (const t of m.children.allTests('skipped')) if (t) browser++;
      if (browser > 0) process.stdout.write(`\n${browser} browser tests skipped: ${NO_CHROMIUM_REASON}\n`);
    }
    if (HAVE_MODELS) return;
    let skipped = 0;
    for (const m of modules) for (const t of m.children.allTests('skipped')) if (t) skipped++;
    process.stdout.write(`\n${skipped} tests skipped: the real models folder ${MODELS_DIR} is absent (set GRAFT_MODELS to it)\n`);
  }
}
