// What the entries a token procedure runs in (`/server` on Node, `/cloudflare` in a Worker) export for tokens, written
// once: signing, verification and the response marking for oRPC's client. jose and WebCrypto only, no Node built-ins.
export {
  DURABLE_ITERATOR_TOKEN_HEADER,
  DurableIteratorTokenPlugin,
  type DurableIteratorTokenPluginOptions,
} from './token-header-plugin.js'
export {
  type DurableIteratorGrant,
  type SignDurableIteratorTokenOptions,
  signDurableIteratorToken,
  type TokenFormat,
} from './token-signing.js'
export {
  type VerifyDurableIteratorTokenOptions,
  verifyDurableIteratorToken,
} from './token-verification.js'
