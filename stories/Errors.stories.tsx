import { expect, within } from 'storybook/test'
import preview from '../.storybook/preview'
import { type ScenarioArgs, scenario } from './scenario'

/** How each kind of refusal reaches the user: `error` with a code, or retries that give up. */
const meta = preview.type<{ args: ScenarioArgs }>().meta({ title: 'Errors', ...scenario })

/** The token procedure answers 401 UNAUTHORIZED: terminal at once, no socket. */
export const TokenUnauthorized = meta.story({
  args: { mock: { token: 'unauthorized' } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await canvas.findByText('Status: error')
    await expect(canvas.getByText('Error code: TOKEN_REFUSED')).toBeVisible()
    await expect(canvas.getByText(/UNAUTHORIZED/)).toBeVisible()
    await expect(canvas.getByText('Sockets accepted: 0')).toBeVisible()
  },
})

/** The token procedure returns a string the client cannot read as a token. */
export const MalformedToken = meta.story({
  args: { mock: { token: 'malformed' } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await canvas.findByText('Status: error')
    await expect(canvas.getByText('Error code: INVALID_TOKEN')).toBeVisible()
    await expect(canvas.getByText('Sockets accepted: 0')).toBeVisible()
  },
})

/**
 * The server closes every socket with 4001 (token refused) right after it opens, even for a token the procedure has
 * just issued: the two disagree (signing key, format), which no retry fixes. Terminal at once, naming what to check.
 */
export const SocketRefusesToken = meta.story({
  args: { mock: { socket: 'refuse-token' } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await canvas.findByText('Status: error', {}, { timeout: 10_000 })
    await expect(canvas.getByText('Error code: CONNECTION_REFUSED')).toBeVisible()
    await expect(canvas.getByText(/refused a token just issued/)).toBeVisible()
    await expect(await canvas.findByText('Connections refused: 1')).toBeVisible()
    await expect(canvas.getByText('Sockets accepted: 0')).toBeVisible()
    await expect(await canvas.findByText('Tokens fetched: 1')).toBeVisible()
  },
})

/** The server closes the socket with 4003 (forbidden) right after it opens: terminal, no retry. */
export const SocketForbidden = meta.story({
  args: { mock: { socket: 'forbid' } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await canvas.findByText('Status: error')
    await expect(canvas.getByText('Error code: CONNECTION_REFUSED')).toBeVisible()
    await expect(canvas.getByText(/4003: forbidden/)).toBeVisible()
    await expect(await canvas.findByText('Connections refused: 1')).toBeVisible()
    await expect(canvas.getByText('Sockets accepted: 0')).toBeVisible()
  },
})
