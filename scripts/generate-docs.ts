/**
 * Writes docs/transforms.md from the registry's metadata (`npm run docs`).
 * test/transform/docs.test.ts fails when the committed file is stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRegistry, generateTransformDocs } from '../src/transform/index';

const target = resolve(dirname(fileURLToPath(import.meta.url)), '../docs/transforms.md');
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, generateTransformDocs(createRegistry()));
process.stdout.write(`wrote ${target}\n`);
