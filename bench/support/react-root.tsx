import type { ReactNode } from 'react'
import { flushSync } from 'react-dom'
import { createRoot } from 'react-dom/client'

export interface Mounted {
  /** Renders `element` in place of the tree; committed, with its effects run, when this returns. */
  render(element: ReactNode): void
  unmount(): void
}

/**
 * Mounts a tree with React's own client API, outside any act() environment: components update the way they would
 * in a browser, and that is what the benchmarks measure. Renders are synchronous (flushSync), so a mount/unmount
 * loop commits every step.
 */
export function mount(element: ReactNode): Mounted {
  ;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false
  const container = document.createElement('div')
  document.body.append(container)
  const root = createRoot(container)
  flushSync(() => root.render(element))
  return {
    render: (next) => flushSync(() => root.render(next)),
    unmount: () => {
      flushSync(() => root.unmount())
      container.remove()
    },
  }
}
