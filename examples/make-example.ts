/**
 * Writes the example SavedModel to examples/model (or the directory given), using graft's own
 * SavedModel and checkpoint writers. `npm start` runs this first.
 */
import * as path from 'node:path';
import { saveSavedModel, writeCheckpointFiles } from 'tf-graft/node';
import { buildExampleModel } from './tiny-model';

const out = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, 'model'));
const { savedModel, checkpoint } = buildExampleModel();
const staging = `${out}.variables-staging`;
await writeCheckpointFiles(path.join(staging, 'variables'), checkpoint);
// Regenerated on every run: replace what an earlier run wrote.
await saveSavedModel(out, savedModel, { variablesFrom: path.join(staging, 'variables'), overwrite: true });
const { rm } = await import('node:fs/promises');
await rm(staging, { recursive: true, force: true });
console.log(`wrote ${out}`);
