/**
 * The built-in transforms. Placeholder written by the transform-framework engineer so that
 * `createRegistry()` compiles; the built-in transforms engineer overwrites this file.
 */
import type { Transform } from '../transform/define';

export const builtinTransforms: readonly Transform[] = [];
