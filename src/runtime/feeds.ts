/**
 * Deterministic inputs for a graph's placeholders, for tests and benchmarks. The generator is
 * `ir/seeded-inputs.ts` (shared with verification); this module keeps the runtime's names.
 */
export { seededFeeds, seededTensor } from '../ir/seeded-inputs';
export { seededRandom } from '../ir/random';
