/**
 * A whole process that loads a GraphDef file with graft and reads every attribute of every node
 * (so nothing is left undecoded). Bundled and run by bench/anchor.ts to measure peak memory.
 */
import { readFileSync } from 'node:fs';
import { decodeGraphDef } from '../../src/io/graphdef';

const file = process.argv[2]!;
const t = performance.now();
const graph = decodeGraphDef(readFileSync(file), file);
let attrs = 0;
for (const n of graph.nodes) attrs += Object.keys(n.attrs).length;
console.log(JSON.stringify({ nodes: graph.nodes.length, attrs, ms: performance.now() - t }));
