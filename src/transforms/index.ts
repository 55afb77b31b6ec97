/**
 * The built-in transforms, one declaration each, named after the transform (each documents where
 * graft differs from TensorFlow); the body of each is `apply/<name>.ts`, loaded on first use. They
 * are listed once, in `all.ts`.
 */
import { type Transform, markBuiltinTransforms } from '../transform/define';
import * as all from './all';

export * from './all';

/** Every built-in transform, in alphabetical order of name. */
export const builtinTransforms: readonly Transform[] = Object.freeze(
  (Object.values(all) as readonly Transform[]).slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
);
markBuiltinTransforms(builtinTransforms);
