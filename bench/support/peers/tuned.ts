// The settings a competent user would pick instead of the libraries' defaults, for the "(tuned)" variant of each
// peer. The defaults (partysocket 3 s growing to 10 s, retries reset after 5 s up; oRPC's ClientRetryPlugin 2 s;
// react-use-websocket 5 s and 20 attempts) make drop and expiry gaps mostly a measure of settings.

/** partysocket: first retry after 250 ms, growing ×1.3 to at most 2 s; a socket up for 1 s resets the count. */
export const TUNED_PARTYSOCKET_OPTIONS = {
  minReconnectionDelay: 250,
  maxReconnectionDelay: 2000,
  minUptime: 1000,
} as const

/** oRPC's ClientRetryPlugin: resubscribe (and, upstream-style, retry a failed token refresh) after 250 ms. */
export const TUNED_RETRY_DELAY_MS = 250

/** react-use-websocket: reconnect every 250 ms, and never give up (the default stops after 20 attempts). */
export const TUNED_REACT_USE_WEBSOCKET_OPTIONS = {
  reconnectInterval: 250,
  reconnectAttempts: Number.POSITIVE_INFINITY,
} as const

/** The variant of a peer: library defaults, or the settings above. */
export interface PeerVariant {
  tuned: boolean
}
