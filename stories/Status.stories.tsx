import { expect, waitFor, within } from 'storybook/test'
import preview from '../.storybook/preview'
import { type ScenarioArgs, scenario } from './scenario'

/** One story per status the hook can show, each reached the way an app would reach it. */
const meta = preview.type<{ args: ScenarioArgs }>().meta({ title: 'Status', ...scenario })

/** `enabled: false`: no token call, no socket. */
export const Idle = meta.story({
  args: { enabled: false },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(await canvas.findByText('Status: idle')).toBeVisible()
    await expect(canvas.getByText('Tokens fetched: 0')).toBeVisible()
    await expect(canvas.getByText('Sockets accepted: 0')).toBeVisible()
  },
})

/** The token call is held by the server, so the first attempt never gets past fetching its token. */
export const Connecting = meta.story({
  args: { mock: { token: 'hold' } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await canvas.findByText('Token calls held: 1')
    await expect(canvas.getByText('Status: connecting')).toBeVisible()
    await expect(canvas.getByText('Sockets accepted: 0')).toBeVisible()
  },
})

/** Subscribed: ticker events flow, and a message sent over the same socket comes back as an event. */
export const Open = meta.story({
  play: async ({ canvasElement, userEvent }) => {
    const canvas = within(canvasElement)
    await canvas.findByText('Status: open')
    await canvas.findAllByText(/ticker: tick \d+/)
    await userEvent.click(canvas.getByRole('button', { name: 'Send hello' }))
    await expect(await canvas.findByText(/you: hello/)).toBeVisible()
    await expect(await canvas.findByText('Sockets open: 1')).toBeVisible()
    await expect(canvas.getByText('Event ids in order: yes')).toBeVisible()
  },
})

/**
 * The server drops the socket and refuses connections for a while: `reconnecting`, with attempts climbing;
 * once it accepts again the stream resumes from the last event id, with no gap and no repeat.
 */
export const Reconnecting = meta.story({
  args: { reconnect: { minDelayMs: 150, maxDelayMs: 600 } },
  play: async ({ canvasElement, userEvent }) => {
    const canvas = within(canvasElement)
    await canvas.findByText('Status: open')
    await canvas.findAllByText(/ticker: tick \d+/)
    await userEvent.click(canvas.getByRole('button', { name: 'Drop sockets and refuse' }))
    await canvas.findByText('Status: reconnecting')
    await waitFor(() => expect(attemptShown(canvasElement)).toBeGreaterThanOrEqual(3), { timeout: 10_000 })
    await expect(canvas.getByText('Sockets open: 0')).toBeVisible()
    const lastIdBefore = lastEventIdShown(canvasElement)

    await userEvent.click(canvas.getByRole('button', { name: 'Accept connections' }))
    await canvas.findByText('Status: open', {}, { timeout: 10_000 })
    await expect(canvas.getByText('Attempt: 0')).toBeVisible()
    // The ticker went on during the outage: the events missed meanwhile arrive, in order.
    await waitFor(() => expect(lastEventIdShown(canvasElement)).toBeGreaterThan(lastIdBefore + 1))
    await expect(canvas.getByText('Event ids in order: yes')).toBeVisible()
  },
})

/** `close()` closes the stream (and its socket) until `reconnect()`. */
export const Closed = meta.story({
  play: async ({ canvasElement, userEvent }) => {
    const canvas = within(canvasElement)
    await canvas.findByText('Status: open')
    await userEvent.click(canvas.getByRole('button', { name: 'Close' }))
    await expect(await canvas.findByText('Status: closed')).toBeVisible()
    await expect(await canvas.findByText('Sockets open: 0')).toBeVisible()
  },
})

/** `reconnect()` reopens a closed stream on a new socket, resuming where it stopped. */
export const ReopenedAfterClose = meta.story({
  play: async ({ canvasElement, userEvent }) => {
    const canvas = within(canvasElement)
    await canvas.findByText('Status: open')
    await userEvent.click(canvas.getByRole('button', { name: 'Close' }))
    await canvas.findByText('Status: closed')
    await userEvent.click(canvas.getByRole('button', { name: 'Reconnect' }))
    await expect(await canvas.findByText('Status: open')).toBeVisible()
    await expect(await canvas.findByText('Sockets accepted: 2')).toBeVisible()
    await expect(await canvas.findByText('Sockets open: 1')).toBeVisible()
  },
})

function numberAfter(canvasElement: HTMLElement, label: string): number {
  const line = within(canvasElement).getByText(new RegExp(`^${label}: `))
  return Number(line.textContent?.slice(label.length + 2))
}

function attemptShown(canvasElement: HTMLElement): number {
  return numberAfter(canvasElement, 'Attempt')
}

function lastEventIdShown(canvasElement: HTMLElement): number {
  return numberAfter(canvasElement, 'Last event id')
}
