/**
 * True outside production builds. Bundlers replace `process.env.NODE_ENV` (as React and TanStack Query require),
 * so the guidance in error messages, written `DEV && '…'`, is left out of production bundles, which keep the facts.
 */
export const DEV = process.env.NODE_ENV !== 'production'

/** A message: what happened, then (outside production builds) what to do about it. */
export function withGuidance(what: string, guidance: string | false): string {
  return guidance ? `${what} ${guidance}` : what
}
