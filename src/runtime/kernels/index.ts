/** The built-in kernels, by TensorFlow op name. */
import { type KernelRegistry, layeredRegistry } from '../kernel';
import { ARRAY_KERNELS } from './array';
import { AUDIO_KERNELS } from './audio';
import { CALL_KERNELS } from './calls';
import { DEBUG_KERNELS } from './debug';
import { IO_KERNELS } from './io';
import { MATH_KERNELS } from './math';
import { NN_KERNELS } from './nn';
import { PARSING_KERNELS } from './parsing';
import { SPARSE_KERNELS } from './sparse';
import { QUANTIZED_KERNELS } from './quantized';
import { STATE_KERNELS } from './state';
import { STRING_KERNELS } from './strings';
import { SUMMARY_KERNELS } from './summaries';
import { TABLE_KERNELS } from './tables';
import { TENSOR_ARRAY_KERNELS } from './tensor-array';
import { TENSOR_LIST_KERNELS } from './tensor-list';
import { TRAINING_KERNELS } from './training';

function builtins(): KernelRegistry {
  const r = layeredRegistry();
  for (const table of [STATE_KERNELS, MATH_KERNELS, NN_KERNELS, ARRAY_KERNELS, CALL_KERNELS, QUANTIZED_KERNELS, AUDIO_KERNELS, TENSOR_ARRAY_KERNELS, DEBUG_KERNELS, TENSOR_LIST_KERNELS, STRING_KERNELS, TABLE_KERNELS, PARSING_KERNELS, SPARSE_KERNELS, TRAINING_KERNELS, SUMMARY_KERNELS, IO_KERNELS]) {
    for (const [op, k] of Object.entries(table)) r.register(op, k);
  }
  return r;
}

/** The built-in kernels (read-only by convention: layer user kernels on top with createKernelRegistry). */
export const BUILTIN_KERNELS: KernelRegistry = builtins();
