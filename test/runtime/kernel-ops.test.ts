/**
 * The op names missingKernels reads without loading the kernels (src/runtime/kernel-ops.ts) are
 * exactly the ops the built-in kernels register.
 */
import { describe, expect, it } from 'vitest';
import { BUILTIN_KERNEL_OPS } from '../../src/runtime/kernel-ops';
import { BUILTIN_KERNELS } from '../../src/runtime/kernels';

describe('BUILTIN_KERNEL_OPS', () => {
  it('names every op of BUILTIN_KERNELS and no other (add a new kernel\'s op to src/runtime/kernel-ops.ts)', () => {
    const registered = BUILTIN_KERNELS.ops();
    expect(registered.filter((op) => !BUILTIN_KERNEL_OPS.has(op))).toEqual([]);
    expect([...BUILTIN_KERNEL_OPS].filter((op) => !BUILTIN_KERNELS.has(op))).toEqual([]);
    expect(BUILTIN_KERNEL_OPS.size).toBe(registered.length);
  });
});
