/**
 * The built-in transforms: structural graph transforms faithful to TensorFlow's Graph Transform
 * Tool (each file documents where graft differs).
 */
import type { Transform } from '../transform/define';
import { addDefaultAttributes } from './add-default-attributes';
import { mergeDuplicateNodes } from './merge-duplicate-nodes';
import { obfuscateNames } from './obfuscate-names';
import { removeAttribute } from './remove-attribute';
import { removeControlDependencies } from './remove-control-dependencies';
import { removeDevice } from './remove-device';
import { removeNodes } from './remove-nodes';
import { renameAttribute } from './rename-attribute';
import { renameNode } from './rename-node';
import { renameOp } from './rename-op';
import { setDevice } from './set-device';
import { sortByExecutionOrder } from './sort-by-execution-order';
import { stripUnusedNodes } from './strip-unused-nodes';

export {
  addDefaultAttributes,
  mergeDuplicateNodes,
  obfuscateNames,
  removeAttribute,
  removeControlDependencies,
  removeDevice,
  removeNodes,
  renameAttribute,
  renameNode,
  renameOp,
  setDevice,
  sortByExecutionOrder,
  stripUnusedNodes,
};

/** Every built-in transform, in alphabetical order of name. */
export const builtinTransforms: readonly Transform[] = [
  addDefaultAttributes,
  mergeDuplicateNodes,
  obfuscateNames,
  removeAttribute,
  removeControlDependencies,
  removeDevice,
  removeNodes,
  renameAttribute,
  renameNode,
  renameOp,
  setDevice,
  sortByExecutionOrder,
  stripUnusedNodes,
] as readonly Transform[];
