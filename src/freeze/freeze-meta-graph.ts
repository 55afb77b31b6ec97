/**
 * `freezeMetaGraph`'s body (src/freeze/freeze.ts declares it and says how freezing works): loaded on
 * the first call, so that it stays out of what the core loads on import
 * (test/package/browser.test.ts).
 */
import { GraftError } from '../errors';
import type { Graph } from '../ir/graph';
import { baseDType } from '../ir/dtype';
import { tensorName } from '../ir/node';
import type { Tensor } from '../ir/tensor';
import type { Checkpoint } from '../io/checkpoint';
import { type MetaGraph } from '../io/saved-model';
import type { Diagnostic } from '../diagnostics';
import { nearestNames } from '../suggest';
import { extractSubGraph, missingOutputError, nodeNameOf } from './extract';
import { CALL_OPS, inlineFunctionCalls } from '../ir/inline';
import { objectGraphVariableValues } from './object-graph';
import { VARIABLE_OPS } from './tf1';
import { freezeGraphNow } from './freeze-graph';
import { tf1VariableValues } from './variable-keys';
import { tableInitializers, wireTableInitializers } from './tables';
import { type KeptVariable, variableKey, writtenVariables } from './saver';
import { savedModelInit } from '../io/saved-model-init';
import { checkFields, checkMetaGraph, checkOptions } from '../ir/check';

import type { FreezeOptions, FreezeResult } from './freeze';

const INIT_SIGNATURE = '__saved_model_init_op';

interface ChosenOutputs {
  outputs: string[];
  inputs: string[];
  signature?: FreezeResult['signature'];
  diagnostics: Diagnostic[];
}

function chooseOutputs(mg: MetaGraph, opts: FreezeOptions, file?: string): ChosenOutputs {
  const diagnostics: Diagnostic[] = [];
  const keys = Object.keys(mg.signatures).filter((k) => k !== INIT_SIGNATURE);
  let key = opts.signature;
  if (key !== undefined && !mg.signatures[key]) {
    const near = nearestNames(key, keys);
    throw new GraftError(
      'model/unknown-signature',
      `No signature '${key}'; the model has ${keys.length ? keys.map((k) => `'${k}'`).join(', ') : 'none'}${near.length ? ` (did you mean '${near[0]}'?)` : ''}`,
      { ...(file ? { file } : {}) },
    );
  }
  if (key === undefined && !opts.outputNodeNames?.length) {
    if (mg.signatures.serving_default) key = 'serving_default';
    else if (keys.length === 1) {
      key = keys[0]!;
      diagnostics.push({ severity: 'info', code: 'freeze/signature', message: `No serving_default signature: froze the only signature, '${key}'` });
    } else if (keys.length === 0) {
      throw new GraftError('freeze/missing-output', 'The model has no signatures: say which outputs to keep (`outputNodeNames`)', { ...(file ? { file } : {}) });
    } else {
      throw new GraftError('model/unknown-signature', `No serving_default signature; choose one of ${keys.map((k) => `'${k}'`).join(', ')} (\`signature\`), or give \`outputNodeNames\``, { ...(file ? { file } : {}) });
    }
  }
  const sig = key !== undefined ? mg.signatures[key] : undefined;
  const names = (side: 'inputs' | 'outputs'): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [k, t] of Object.entries(sig?.[side] ?? {})) {
      if (t.name === null) {
        throw new GraftError('freeze/unsupported', `Signature '${key}' ${side.slice(0, -1)} '${k}' is a ${t.encoding} tensor; only dense (named) tensors can be frozen`, { ...(file ? { file } : {}) });
      }
      out[k] = tensorName(t.name);
    }
    return out;
  };
  const sigInputs = sig ? names('inputs') : {};
  const sigOutputs = sig ? names('outputs') : {};
  const outputs = opts.outputNodeNames?.length ? opts.outputNodeNames.map(tensorName) : Object.values(sigOutputs);
  if (outputs.length === 0) throw new GraftError('freeze/missing-output', `Signature '${key}' has no outputs: say which outputs to keep (\`outputNodeNames\`)`);
  const signature = sig && key !== undefined && !opts.outputNodeNames?.length ? { key, inputs: sigInputs, outputs: sigOutputs } : undefined;
  return { outputs: [...new Set(outputs)], inputs: [...new Set(Object.values(sigInputs))], ...(signature ? { signature } : {}), diagnostics };
}

function hasCalls(g: Graph): boolean {
  const lib = new Set(g.library.functions.map((f) => f.signature.name));
  return g.nodes.some((n) => CALL_OPS.has(n.op) || lib.has(n.op));
}

/** What `freezeMetaGraph` resolves to. */
export function freezeMetaGraphNow(mg: MetaGraph, checkpoint: Checkpoint | null, opts: FreezeOptions & { file?: string } = {}): FreezeResult {
  checkMetaGraph('freezeMetaGraph', 'mg', mg);
  if (checkpoint !== null) checkFields('freezeMetaGraph', 'checkpoint', checkpoint, { header: 'object', entries: 'object' }, 'a Checkpoint (readCheckpoint) or null');
  checkOptions('freezeMetaGraph', 'opts', opts);
  const chosen = chooseOutputs(mg, opts, opts.file);
  const diagnostics = [...chosen.diagnostics];
  const graphNames = new Set(mg.graph.nodes.map((n) => n.name));
  for (const o of opts.outputNodeNames?.length ? opts.outputNodeNames : chosen.outputs) {
    if (!graphNames.has(nodeNameOf(o))) throw missingOutputError(mg.graph, o);
  }
  const inputs = chosen.inputs.filter((i) => graphNames.has(nodeNameOf(i)));
  // Signature inputs stay even when the outputs do not need them, so the signature still holds.
  let sub = extractSubGraph(mg.graph, [...chosen.outputs, ...inputs]);
  // Tables keep their initializers (see tables.ts).
  let inits = tableInitializers(mg.graph, new Set(sub.nodes.map((n) => n.name)));
  if (inits.length) sub = extractSubGraph(mg.graph, [...chosen.outputs, ...inputs, ...inits]);
  if (hasCalls(sub)) {
    const protectedNodes = new Set([...chosen.outputs, ...inputs].map(nodeNameOf));
    const inl = inlineFunctionCalls(sub, { protectedNodes });
    sub = extractSubGraph(inl.graph, [...chosen.outputs, ...inputs]);
    // TF 2.x tables: the initializer functions the init op calls are inlined too; their init ops
    // are found again in the inlined graph, by the table they fill.
    if (inits.length) {
      inits = tableInitializers(inl.graph, new Set(sub.nodes.map((n) => n.name)));
      if (inits.length) sub = extractSubGraph(inl.graph, [...chosen.outputs, ...inputs, ...inits]);
    }
  }
  const needs = sub.nodes.filter((n) => VARIABLE_OPS.has(n.op)).map((n) => n.name);
  let values = new Map<string, Tensor>();
  if (needs.length) {
    if (!checkpoint) {
      throw new GraftError('runtime/missing-variable', `The graph has ${needs.length} variable(s) (${needs.slice(0, 3).join(', ')}${needs.length > 3 ? ', ...' : ''}) but no checkpoint was given`, { node: needs[0] });
    }
    const og = objectGraphVariableValues(mg, mg.graph, checkpoint, opts.file);
    values = og.values;
    if (og.others.length) {
      diagnostics.push({
        severity: 'warning',
        code: 'freeze/non-variable-resource',
        message: `Captured resources that are not variables were kept: ${og.others.map((o) => `${o.node} (${o.kind})`).join(', ')}`,
      });
    }
    if (needs.some((n) => !values.has(n))) {
      for (const [k, v] of tf1VariableValues(mg.graph, checkpoint, opts.file)) if (!values.has(k)) values.set(k, v);
    }
  }
  // Variables the graph writes stay variables when asked: freezing them would change what it does.
  const written = opts.keepWrittenVariables ? writtenVariables(sub) : [];
  const kept: KeptVariable[] = [];
  const subByName = new Map(sub.nodes.map((n) => [n.name, n]));
  for (const name of written) {
    const node = subByName.get(name)!;
    const value = values.get(name);
    if (!value) {
      throw new GraftError('runtime/missing-variable', `Variable '${name}' (${node.op}), which the kept signatures write, has no value in the checkpoint${opts.file ? ` ${opts.file}` : ''}`, {
        node: name,
        op: node.op,
        ...(opts.file ? { file: opts.file } : {}),
      });
    }
    const dt = node.attrs.dtype;
    kept.push({ node: name, op: node.op as KeptVariable['op'], key: variableKey(node), dtype: dt?.kind === 'type' ? baseDType(dt.value) : baseDType(value.dtype), shape: [...value.shape], value });
  }
  const frozen = freezeGraphNow(sub, values, [...chosen.outputs, ...inputs, ...inits], {
    ...(written.length ? { denylist: [...(opts.denylist ?? []), ...written] } : {}),
    ...(checkpoint ? { knownKeys: checkpoint.entries.keys() } : {}),
    ...(opts.file ? { file: opts.file } : {}),
    ...(opts.clearDevices ? { clearDevices: true } : {}),
    ...(opts.allowlist ? { allowlist: opts.allowlist } : {}),
    ...(opts.denylist && !written.length ? { denylist: opts.denylist } : {}),
  });
  const tableDiagnostics: Diagnostic[] = [];
  const assetBytes = new Map<string, { filename: string; bytes: Uint8Array }>();
  if (inits.length) {
    for (const a of savedModelInit(mg).assets) {
      const bytes = opts.assets?.get(a.filename);
      if (bytes) assetBytes.set(a.tensor.includes(':') ? a.tensor : `${a.tensor}:0`, { filename: a.filename, bytes });
    }
  }
  const graph = wireTableInitializers(frozen.graph, inits, assetBytes, tableDiagnostics);
  return {
    graph,
    inputs,
    outputs: chosen.outputs,
    ...(chosen.signature ? { signature: chosen.signature } : {}),
    converted: frozen.converted,
    kept,
    diagnostics: [...diagnostics, ...frozen.diagnostics, ...tableDiagnostics],
  };
}
