/**
 * oRPC's signed value, `<value>.<base64url HMAC-SHA256 of value>`, as `sign`/`unsign` from `@orpc/server/helpers`
 * make and read it. WebCrypto only, so the Node hub, the Durable Object and the token signers share it.
 */

function hmacKey(key: Uint8Array, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', Uint8Array.from(key), { name: 'HMAC', hash: 'SHA-256' }, false, [usage])
}

/** `value` followed by a dot and its signature. */
export async function signValue(value: string, key: Uint8Array): Promise<string> {
  const signature = await crypto.subtle.sign('HMAC', await hmacKey(key, 'sign'), new TextEncoder().encode(value))
  return `${value}.${encodeBase64url(new Uint8Array(signature))}`
}

export type UnsignedValue = { ok: true; value: string } | { ok: false; reason: 'malformed' | 'bad signature' }

/**
 * The value of a signed value if its signature is right, or why not: no signature to check, or one that does not
 * match. The signature is split off at the last dot, as oRPC does.
 */
export async function unsignValue(signed: string, key: Uint8Array): Promise<UnsignedValue> {
  const lastDot = signed.lastIndexOf('.')
  const signature = lastDot === -1 ? undefined : decodeBase64url(signed.slice(lastDot + 1))
  if (!signature) return { ok: false, reason: 'malformed' }
  const value = signed.slice(0, lastDot)
  const verified = await crypto.subtle.verify(
    'HMAC',
    await hmacKey(key, 'verify'),
    signature,
    new TextEncoder().encode(value),
  )
  return verified ? { ok: true, value } : { ok: false, reason: 'bad signature' }
}

function encodeBase64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function decodeBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
    return Uint8Array.from(binary, (char) => char.charCodeAt(0))
  } catch {
    return undefined
  }
}
