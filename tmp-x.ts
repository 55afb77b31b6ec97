import { loadModel, mainGraph } from './src/io/model-files';
const m = await loadModel('/work/shared/models/serving_half_plus_two_tf2');
const g = mainGraph(m);
const f = g.library.functions[0]!;
console.log(f.signature.name, JSON.stringify(f.extras, (k, v) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 1500));
console.log(JSON.stringify(f.nodes[0]!.attrs).slice(0,500));
