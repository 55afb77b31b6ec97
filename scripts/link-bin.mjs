/**
 * After `npm ci` / `npm install` in a checkout (the `prepare` script), links the package's own
 * `graft` command into node_modules/.bin, so that `npx graft ...` runs this checkout's build:
 * npm links the bins of dependencies, never the root package's own, and `npx graft` would
 * otherwise look for a package named `graft` on the registry (an unrelated one).
 *
 * Only on install (not on `npm pack`, which also runs `prepare`), and only into a node_modules
 * folder of this checkout (not one linked from elsewhere).
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const command = process.env.npm_command;
const modules = path.join(root, 'node_modules');
if ((command === 'ci' || command === 'install') && existsSync(modules) && !lstatSync(modules).isSymbolicLink()) {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const binDir = path.join(modules, '.bin');
  mkdirSync(binDir, { recursive: true });
  for (const [name, file] of Object.entries(pkg.bin ?? {})) {
    const target = path.join(root, file);
    const link = path.join(binDir, name);
    rmSync(link, { force: true });
    symlinkSync(path.relative(binDir, target), link);
    chmodSync(target, 0o755);
    process.stdout.write(`linked ${path.relative(root, link)} -> ${file}\n`);
  }
}
