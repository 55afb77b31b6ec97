/** The Chromium the browser test drives: `$GRAFT_CHROMIUM`, or `chromium` / `chromium-browser` on the PATH. */
import { accessSync, constants } from 'node:fs';
import * as path from 'node:path';

function findChromium(): string | undefined {
  const given = process.env['GRAFT_CHROMIUM'];
  const candidates = given
    ? [given]
    : (process.env['PATH'] ?? '').split(path.delimiter).flatMap((dir) => (dir ? ['chromium', 'chromium-browser'].map((n) => path.join(dir, n)) : []));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export const CHROMIUM = findChromium();
export const NO_CHROMIUM_REASON = process.env['GRAFT_CHROMIUM']
  ? `GRAFT_CHROMIUM=${process.env['GRAFT_CHROMIUM']} is not an executable`
  : 'no chromium on the PATH (apt-get install chromium, or set GRAFT_CHROMIUM to a Chromium executable)';
