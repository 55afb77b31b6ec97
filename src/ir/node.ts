/**
 * Nodes and the names of their edges.
 *
 * An input is `name` (output 0), `name:N` (output N) or `^name` (a control dependency).
 * Inside function bodies an output is named `node:out_arg:index` (e.g. `MatMul:product:0`).
 */
import { GraftError } from '../errors';
import type { AttrValue } from './attr';
import { checkNodeShallow, checkString, nodeProblem } from './check';
import { badArgument } from '../errors';

/** An immutable node: TensorFlow's `NodeDef`. */
export interface Node {
  readonly name: string;
  readonly op: string;
  /** Inputs in order; control inputs (`^x`) come last, as TensorFlow requires. */
  readonly inputs: readonly string[];
  readonly device: string;
  readonly attrs: Readonly<Record<string, AttrValue>>;
  /**
   * NodeDef fields graft does not model (`experimental_debug_info`, `experimental_type`, unknown
   * fields), carried through untouched.
   */
  readonly extras?: Readonly<Record<string, unknown>>;
}

/** A parsed input reference. */
export interface InputRef {
  /** The producing node's name. */
  readonly node: string;
  /** Output index; 0 for a control input. In function bodies, the index within `outputArg`. */
  readonly port: number;
  readonly control: boolean;
  /** For function-body names `node:out_arg:index`, the output argument's name. */
  readonly outputArg?: string;
}

/**
 * Parses `x`, `x:1`, `^x`, and function-body names `x:out:0`.
 * @example parseInput('conv/BiasAdd:1') // { node: 'conv/BiasAdd', port: 1, control: false }
 */
export function parseInput(input: string): InputRef {
  if (typeof input !== 'string') checkString('parseInput', 'input', input);
  const control = input.startsWith('^');
  const body = control ? input.slice(1) : input;
  const parts = body.split(':');
  if (parts.length === 1) return { node: body, port: 0, control };
  const last = parts[parts.length - 1]!;
  if (!/^\d+$/.test(last)) {
    // TF's parser takes everything after the first ':' as the suffix; a non-numeric suffix such
    // as in 'a:b' is kept in the name so that nothing is lost.
    return { node: body, port: 0, control };
  }
  const port = Number(last);
  if (parts.length === 3) return { node: parts[0]!, port, control, outputArg: parts[1]! };
  return { node: parts.slice(0, -1).join(':'), port, control };
}

/** The node name an input refers to (`^a:1` → `a`). */
export function inputNodeName(input: string): string {
  if (typeof input !== 'string') checkString('inputNodeName', 'input', input);
  // The same answer as parseInput(input).node, without splitting (graph walks call this per edge).
  const body = input.charCodeAt(0) === 94 /* ^ */ ? input.slice(1) : input;
  const c = body.lastIndexOf(':');
  if (c < 0) return body;
  if (c === body.length - 1) return body;
  for (let i = c + 1; i < body.length; i++) {
    const d = body.charCodeAt(i);
    if (d < 48 || d > 57) return body;
  }
  const first = body.indexOf(':');
  if (first === c) return body.slice(0, c);
  // `node:out_arg:index` (exactly two colons) names `node`; more colons keep all but the port.
  return body.indexOf(':', first + 1) === c ? body.slice(0, first) : body.slice(0, c);
}

/** Formats an input: port 0 is written without `:0`, as TensorFlow writes it. */
export function formatInput(ref: InputRef): string {
  if (typeof ref !== 'object' || ref === null || typeof ref.node !== 'string') throw badArgument('formatInput', 'ref', 'an InputRef ({ node, port, control })', ref);
  if (ref.control) return `^${ref.node}`;
  if (ref.outputArg !== undefined) return `${ref.node}:${ref.outputArg}:${ref.port}`;
  return ref.port === 0 ? ref.node : `${ref.node}:${ref.port}`;
}

/** TensorFlow's canonical form with an explicit port: `a` → `a:0`, `^a` → `^a:0`. */
export function canonicalInput(input: string): string {
  checkString('canonicalInput', 'input', input);
  const ref = parseInput(input);
  const prefix = ref.control ? '^' : '';
  if (ref.outputArg !== undefined) return `${prefix}${ref.node}:${ref.outputArg}:${ref.port}`;
  return `${prefix}${ref.node}:${ref.port}`;
}

/** TensorFlow's tensor name with an explicit port: `a` → `a:0`, `a:1` kept. */
export function tensorName(input: string): string {
  checkString('tensorName', 'input', input);
  const ref = parseInput(input);
  return `${ref.node}:${ref.port}`;
}

/** The short form `--inputs`/`--outputs` use: `a:0` → `a`, other ports kept. */
export function shortTensorName(tensor: string): string {
  checkString('shortTensorName', 'tensor', tensor);
  return formatInput(parseInput(tensor));
}

/** An output key `name:port` used by indexes. */
export function outputKey(node: string, port: number): string {
  return `${node}:${port}`;
}

/** True for a control input. */
export function isControlInput(input: string): boolean {
  if (typeof input !== 'string') checkString('isControlInput', 'input', input);
  return input.startsWith('^');
}

/** Creates a frozen node. */
export function makeNode(fields: {
  name: string;
  op: string;
  inputs?: readonly string[];
  device?: string;
  attrs?: Record<string, AttrValue>;
  extras?: Record<string, unknown>;
}): Node {
  const problem = nodeProblem(fields, 'fields');
  if (problem) throw new GraftError('api/bad-argument', `makeNode: ${problem}`, { param: 'fields' });
  if (!fields.name) throw new GraftError('graph/bad-edge', `A ${fields.op} node needs a name`);
  const node: Node = {
    name: fields.name,
    op: fields.op,
    inputs: Object.freeze([...(fields.inputs ?? [])]),
    device: fields.device ?? '',
    attrs: Object.freeze({ ...(fields.attrs ?? {}) }),
    ...(fields.extras ? { extras: fields.extras } : {}),
  };
  return Object.freeze(node);
}

/** The data inputs of a node, in order (control inputs and empty strings skipped). */
export function dataInputs(node: Node): string[] {
  checkNodeShallow('dataInputs', 'node', node);
  return node.inputs.filter((s) => s !== '' && !isControlInput(s));
}

/** The control inputs of a node (`^x`), in order. */
export function controlInputs(node: Node): string[] {
  checkNodeShallow('controlInputs', 'node', node);
  return node.inputs.filter(isControlInput);
}
