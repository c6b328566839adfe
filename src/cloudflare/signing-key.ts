/** A signing key as users pass it: a secret string (at least 32 bytes) or raw bytes. */
export type SigningKey = string | Uint8Array

const MIN_KEY_BYTES = 32

/** The raw bytes jose verifies HS256 with; short keys are refused (the Node hub refuses the same ones). */
export function toKeyBytes(signingKey: SigningKey): Uint8Array {
  const bytes = typeof signingKey === 'string' ? new TextEncoder().encode(signingKey) : Uint8Array.from(signingKey)
  if (bytes.byteLength < MIN_KEY_BYTES) {
    throw new TypeError(
      `react-durable-iterator: signingKey must be at least ${MIN_KEY_BYTES} bytes for HS256 (got ${bytes.byteLength}).`,
    )
  }
  return bytes
}
