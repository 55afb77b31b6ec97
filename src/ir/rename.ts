/**
 * Rewiring consumers: TensorFlow's `RenameNodeInputs` (spec §1.10).
 *
 * A rename maps a *source* reference to a destination. Sources are `name`, `name:N`, `^name`, or
 * `name:*` (a wildcard for every reference to `name`, whatever its port or `^`). A non-wildcard
 * source matches an input whose canonical form is the same (`x` and `x:0` match each other; `x:1`
 * and `^x` do not) and is replaced by the destination verbatim. A wildcard keeps the input's own
 * `^` and `:port` around the destination. Renames chain (`a→f`, `f→e` turns `a` into `e`); a chain
 * that comes back to a name it has visited is an error.
 *
 * Differences from TensorFlow: the wildcard keeps the whole suffix after the node name (TF keeps
 * only the first `:` token, which matters only for function-body names `x:out:0`); the result
 * keeps library and versions; untouched nodes stay the same objects.
 */
import { GraftError } from '../errors';
import type { Graph } from './graph';
import { mapNodes, replaceInputs } from './edit';
import { canonicalInput, parseInput } from './node';
import { checkGraphShallow, checkObject } from './check';
import { badArgument } from '../errors';

interface Rule {
  readonly source: string;
  readonly canonical: string;
  readonly wildcard: boolean;
  readonly dest: string;
}

/** Renames as a `Map` or a plain record: source reference → destination. */
export type Renames = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

/** Compiles renames into a function that rewrites one input string. */
export function inputRenamer(renames: Renames): (input: string) => string {
  if (!(renames instanceof Map)) checkObject('inputRenamer', 'renames', renames, 'a Map or an object of source -> destination names');
  const byNode = new Map<string, Rule[]>();
  const entries = renames instanceof Map ? [...renames.entries()] : Object.entries(renames as Record<string, string>);
  for (const [source, dest] of entries) {
    const wildcard = source.endsWith(':*');
    const ref = wildcard ? { node: source.replace(/^\^/, '').slice(0, -2) } : parseInput(source);
    let list = byNode.get(ref.node);
    if (!list) byNode.set(ref.node, (list = []));
    list.push({ source, canonical: wildcard ? '' : canonicalInput(source), wildcard, dest });
  }
  return (input: string): string => {
    if (byNode.size === 0) return input;
    let current = input;
    let visited: Set<string> | undefined;
    for (;;) {
      const ref = parseInput(current);
      const rules = byNode.get(ref.node);
      if (!rules) return current;
      let next: string | undefined;
      const canonical = canonicalInput(current);
      for (const r of rules) {
        if (r.wildcard) {
          const prefix = ref.control ? '^' : '';
          const body = ref.control ? current.slice(1) : current;
          next = prefix + r.dest + body.slice(ref.node.length);
        } else if (r.canonical === canonical) {
          next = r.dest;
        }
      }
      if (next === undefined) return current;
      visited ??= new Set();
      if (visited.has(ref.node)) {
        throw new GraftError('graph/cycle', `RenameNodeInputs argument contains a cycle for ${ref.node}`, { node: ref.node });
      }
      visited.add(ref.node);
      current = next;
    }
  };
}

/**
 * Rewrites every input of every node (except those in `nodesToIgnore`) through `renames`.
 * Returns `graph` itself when nothing changed.
 *
 * @example
 * renameNodeInputs(graph, { 'quantize_a:*': 'quantize_b' }) // quantize_a:1 → quantize_b:1
 */
export function renameNodeInputs(graph: Graph, renames: Renames, nodesToIgnore: ReadonlySet<string> = new Set()): Graph {
  checkGraphShallow('renameNodeInputs', 'graph', graph);
  if (!(nodesToIgnore instanceof Set)) throw badArgument('renameNodeInputs', 'nodesToIgnore', 'a Set of node names', nodesToIgnore);
  const rename = inputRenamer(renames);
  return mapNodes(graph, (node) => {
    if (nodesToIgnore.has(node.name)) return node;
    let changed = false;
    const inputs = node.inputs.map((s) => {
      const t = rename(s);
      if (t !== s) changed = true;
      return t;
    });
    return changed ? replaceInputs(node, inputs) : node;
  });
}
