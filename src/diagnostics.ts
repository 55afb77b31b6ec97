/**
 * Findings as data: what a transform, the runner or `freeze` reports instead of printing. Below
 * every layer (like `errors.ts`), so any layer can produce or carry one.
 */

export type Severity = 'error' | 'warning' | 'info';

/** A finding reported by a transform, the runner or freeze. Data, never printed by the library. */
export interface Diagnostic {
  readonly severity: Severity;
  /** Stable code, `<transform>/<kind>` such as `fold_constants/unsupported-op`. */
  readonly code: string;
  /** The transform that reported it (filled in by the runner). */
  readonly transform?: string;
  readonly node?: string;
  readonly message: string;
  readonly hint?: string;
}
