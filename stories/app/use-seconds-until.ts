import { useEffect, useState } from 'react'

/** Seconds from now until `atMs` (local epoch ms), re-rendering a few times a second. */
export function useSecondsUntil(atMs: number | undefined): number | undefined {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (atMs === undefined) return
    const timer = setInterval(() => setNow(Date.now()), 200)
    return () => clearInterval(timer)
  }, [atMs])
  return atMs === undefined ? undefined : Math.max(0, (atMs - now) / 1000)
}
