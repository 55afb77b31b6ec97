/**
 * Assertions and debug output, with TensorFlow's messages (`tensorflow/core/kernels/logging_ops.cc`,
 * `check_numerics_op.cc`, `string_format_op.cc`).
 *
 * - `Assert` fails with `assertion failed: [data 0] [data 1] ...`, each datum summarized to
 *   `summarize` elements, as a GraftError naming the node.
 * - `CheckNumerics`/`CheckNumericsV2` pass their input through, or fail with
 *   `<message> : Tensor had NaN values` (V2 tells -Inf from +Inf).
 * - `Print` passes its first input through and prints `message[data]...`; `PrintV2` prints its
 *   string scalar followed by `end`. Text goes to the caller's sink (`RuntimeOptions.print`), never
 *   to stdout by itself; with no sink it is dropped.
 * - `StringFormat` fills `template`'s placeholders with numpy-like summaries.
 */
import { baseDType } from '../../ir/dtype';
import { makeStringTensor, tensorStrings, tensorToNumbers } from '../../ir/tensor';
import type { Kernel, KernelContext } from '../kernel';
import { summarizeValue } from './summarize';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

const assertKernel: Kernel = (ctx) => {
  const cond = ctx.host(0);
  if (cond.shape.length > 1 || (cond.shape.length === 1 && cond.shape[0] !== 1)) {
    throw ctx.fail(`In[0] should be a scalar: [${cond.shape.join(',')}]`);
  }
  if (tensorToNumbers(cond)[0]) return [];
  const summarize = ctx.attrInt('summarize', 3);
  const parts: string[] = [];
  for (let i = 1; i < ctx.inputs.length; i++) parts.push(`[${summarizeValue(ctx.host(i), summarize)}]`);
  throw ctx.fail(`assertion failed: ${parts.join(' ')}`);
};

function checkNumerics(v2: boolean): Kernel {
  return (ctx) => {
    const t = ctx.host(0);
    const values = tensorToNumbers(t);
    let nan = false;
    let posInf = false;
    let negInf = false;
    for (const x of values) {
      if (Number.isNaN(x)) nan = true;
      else if (x === Infinity) posInf = true;
      else if (x === -Infinity) negInf = true;
    }
    if (nan || posInf || negInf) {
      let status: string;
      if (v2) {
        const found = [negInf && '-Inf', posInf && '+Inf', nan && 'NaN'].filter((s): s is string => !!s);
        status = found.length === 3 ? '-Inf, +Inf, and NaN' : found.join(' and ');
      } else {
        status = (posInf || negInf) && nan ? 'Inf and NaN' : nan ? 'NaN' : 'Inf';
      }
      throw ctx.fail(`${ctx.attrString('message', '')} : Tensor had ${status} values`);
    }
    return [ctx.inputs[0]!];
  };
}

/** How many times a node has printed in this session (Print's `first_n`). */
function printCount(ctx: KernelContext): number {
  const key = `print-count:${ctx.node.name}`;
  const n = (ctx.resources.get(key) as number | undefined) ?? 0;
  ctx.resources.set(key, n + 1);
  return n;
}

const printKernel: Kernel = (ctx) => {
  const firstN = ctx.attrInt('first_n', -1);
  if (firstN < 0 || printCount(ctx) < firstN) {
    const summarize = ctx.attrInt('summarize', 3);
    let msg = ctx.attrString('message', '');
    for (let i = 1; i < ctx.inputs.length; i++) msg += `[${summarizeValue(ctx.host(i), summarize)}]`;
    ctx.print(`${msg}\n`, 'stderr');
  }
  return [ctx.inputs[0]!];
};

const printV2Kernel: Kernel = (ctx) => {
  const t = ctx.host(0);
  if (t.shape.length !== 0) throw ctx.fail(`Input is expected to be scalar, but got [${t.shape.join(',')}]`);
  if (baseDType(t.dtype) !== 'string') throw ctx.fail(`input must be a string scalar, not ${t.dtype}`);
  ctx.print(text(tensorStrings(t)[0]!) + ctx.attrString('end', '\n'), ctx.attrString('output_stream', 'stderr'));
  return [];
};

const stringFormatKernel: Kernel = (ctx) => {
  const template = ctx.attrString('template', '%s');
  const placeholder = ctx.attrString('placeholder', '%s');
  const summarize = ctx.attrInt('summarize', 3);
  const pieces = placeholder ? template.split(placeholder) : [template];
  const holes = pieces.length - 1;
  if (holes !== ctx.inputs.length) {
    throw ctx.fail(`num placeholders in template and num inputs must match: ${holes} vs. ${ctx.inputs.length}`);
  }
  let msg = pieces[0]!;
  for (let i = 0; i < ctx.inputs.length; i++) msg += summarizeValue(ctx.host(i), summarize, true) + pieces[i + 1]!;
  return [makeStringTensor([], [msg])];
};

export const DEBUG_KERNELS: Record<string, Kernel> = {
  Assert: assertKernel,
  CheckNumerics: checkNumerics(false),
  CheckNumericsV2: checkNumerics(true),
  Print: printKernel,
  PrintV2: printV2Kernel,
  StringFormat: stringFormatKernel,
};
