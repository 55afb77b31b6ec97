// Builds src/proto/bundle.json from the .proto files in proto/.
//
// The JSON is protobufjs's reflection format (root.toJSON()); src/proto loads it
// at run time, so no .proto parsing happens in the library. Field names keep
// TensorFlow's snake_case (keepCase). The output is deterministic: files are
// loaded in sorted order, comments are dropped and the JSON is pretty-printed
// with a trailing newline, so `npm run build:proto` on a clean tree leaves git
// with no diff.
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const protoDir = path.resolve(here, '../proto');
const outFile = path.resolve(here, '../src/proto/bundle.json');

const files = readdirSync(protoDir)
  .filter((f) => f.endsWith('.proto'))
  .sort();

const root = new protobuf.Root();
// Our imports are bare file names relative to proto/; google/protobuf/* comes
// bundled with protobufjs (its "common" types), which it resolves by itself.
root.resolvePath = (_origin, target) => {
  if (target.startsWith('google/protobuf/')) return target;
  return path.isAbsolute(target) ? target : path.join(protoDir, path.basename(target));
};
root.loadSync(files.map((f) => path.join(protoDir, f)), { keepCase: true });
root.resolveAll();

const json = JSON.stringify(root.toJSON({ keepComments: false }), null, 2) + '\n';
writeFileSync(outFile, json);
console.log(`wrote ${path.relative(process.cwd(), outFile)} from ${files.length} files`);
