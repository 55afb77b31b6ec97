/**
 * After tsup: graft's published types must not pull in tfjs-core's declarations, which reference
 * DOM types (ImageData, IDBFactory, ...) and a global `Long`, so a Node-only project that checks
 * library types (`skipLibCheck: false`) would fail on them. The kernel API's few tfjs types are
 * replaced by a structural stand-in: `tf` is the tfjs-core module (typed loosely), a tensor is
 * what graft's runtime reads of one. Kernel authors who want tfjs's own types import
 * '@tensorflow/tfjs-core' themselves and cast.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

const IMPORT = "import * as tfcore from '@tensorflow/tfjs-core';";
const STAND_IN = `/** tfjs-core as graft's kernel API exposes it (import '@tensorflow/tfjs-core' for its own types). */
declare namespace tfcore {
    interface Tensor {
        readonly shape: number[];
        readonly dtype: string;
        readonly size: number;
        readonly rank: number;
        dispose(): void;
    }
}
/** The tfjs-core module, loaded lazily by the runtime. */
declare const tfcore: { readonly [name: string]: any };`;

// Every declaration file of every entry point (and the chunks they share).
for (const file of readdirSync('dist').filter((f) => /\.d\.c?ts$/.test(f)).map((f) => `dist/${f}`)) {
  const text = readFileSync(file, 'utf8');
  // The declaration bundler leaves a bare `import '@tensorflow/tfjs-core';` in the files that use a
  // shared chunk's tfjs types: it carries no names, only the package's declarations, so it goes.
  const out = text.replace(IMPORT, STAND_IN).replace(/^import ['"]@tensorflow\/[^'"]+['"];\n/gm, '');
  // Any other import of tfjs (or a DOM-typed package) would leak its declarations again.
  if (/(?:from|import\(|require\(|^import)\s*['"]@tensorflow\//m.test(out)) throw new Error(`${file} imports tfjs types in a form scripts/public-types.mjs does not rewrite`);
  writeFileSync(file, out);
}
