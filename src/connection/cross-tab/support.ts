/** Whether this environment can share a stream across tabs: a browser with BroadcastChannel and Web Locks. */
export function canShareAcrossTabs(): boolean {
  return (
    typeof BroadcastChannel === 'function' &&
    typeof navigator !== 'undefined' &&
    typeof navigator.locks?.request === 'function'
  )
}
