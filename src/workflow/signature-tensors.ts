/**
 * How a workflow spells a signature's tensors: TF's `node:port` names (`tensorName`) and the
 * pipeline's flag form that drops `:0` (`flagName`). Shared by optimize, its strict verification
 * and its cost measurement.
 */
import { parseInput } from '../ir/node';

/** `x:0` → `x`; other ports kept (the form pipeline inputs and outputs use). */
export function flagName(tensor: string): string {
  const ref = parseInput(tensor);
  return ref.port === 0 ? ref.node : `${ref.node}:${ref.port}`;
}

/** The TF tensor name: `x` → `x:0`. */
export function tensorName(name: string): string {
  const ref = parseInput(name);
  return `${ref.node}:${ref.port}`;
}
