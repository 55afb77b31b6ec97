/**
 * Writes docs/transforms.md from the registry's metadata, and src/cli/error-hints.ts from
 * docs/errors.md (`npm run docs`).
 * test/transform/docs.test.ts fails when the committed file is stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRegistry, generateTransformDocs } from '../src/transform/index';
import { errorHintsModule, hintsFromErrorsDoc } from './error-hints';

const target = resolve(dirname(fileURLToPath(import.meta.url)), '../docs/transforms.md');
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, generateTransformDocs(createRegistry()));
process.stdout.write(`wrote ${target}\n`);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const hintsFile = resolve(root, 'src/cli/error-hints.ts');
writeFileSync(hintsFile, errorHintsModule(hintsFromErrorsDoc(readFileSync(resolve(root, 'docs/errors.md'), 'utf8'))));
process.stdout.write(`wrote ${hintsFile}\n`);

// docs/api.md: the public names of every entry point (test/api-docs.test.ts checks it).
const { apiMarkdown, publicNames } = await import('./api-docs');
const apiFile = resolve(root, 'docs/api.md');
writeFileSync(apiFile, apiMarkdown(publicNames(root)));
process.stdout.write(`wrote ${apiFile}\n`);
