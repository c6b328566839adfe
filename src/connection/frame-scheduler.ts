/**
 * Calls `callback` once, at the next animation frame where there is one, or after `fallbackMs` if that comes
 * first: in a background tab, where frames stop, updates still arrive (as often as the browser lets timers run).
 * Returns a function that cancels it.
 */
export function onNextFrame(callback: () => void, fallbackMs = 100): () => void {
  let done = false
  const run = () => {
    if (done) return
    done = true
    cancel()
    callback()
  }
  const frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(run) : undefined
  const timer = setTimeout(run, frame === undefined ? 16 : fallbackMs)
  function cancel() {
    done = true
    if (frame !== undefined) cancelAnimationFrame(frame)
    clearTimeout(timer)
  }
  return cancel
}
