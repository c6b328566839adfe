import type { ReactRenderer } from '@storybook/react-vite'
import type { ArgsStoryFn, BeforeEach, LoaderFunction } from 'storybook/internal/types'
import type { ReconnectOptions } from '../src'
import { ChatScenario } from './app/ChatScenario'
import { MockDurableServer, type MockDurableServerOptions } from './mocks/mock-durable-server'
import { mockDurableHandlers } from './mocks/msw-handlers'

/** A story's set-up: how the mock server behaves, and how the app uses the stream. */
export interface ScenarioArgs {
  mock?: MockDurableServerOptions
  consumers?: number
  enabled?: boolean
  reconnect?: ReconnectOptions
  refreshBeforeExpirySeconds?: number
}

/** The story's mock server, made by the loader below (one per story run). */
function mockServerOf({ loaded }: { loaded: Record<string, unknown> }): MockDurableServer {
  const server = loaded.mockServer
  if (!(server instanceof MockDurableServer)) throw new Error('No mock server: spread `scenario` into the meta.')
  return server
}

const createMockServer: LoaderFunction<ReactRenderer, ScenarioArgs> = ({ args }) => ({
  mockServer: new MockDurableServer(args.mock),
})

const routeToMockServer: BeforeEach<ReactRenderer, ScenarioArgs> = (context) => {
  const server = mockServerOf(context)
  context.msw.use(...mockDurableHandlers(server))
  return () => server.stop()
}

const renderChat: ArgsStoryFn<ReactRenderer, ScenarioArgs> = ({ mock: _mock, ...args }, context) => (
  <ChatScenario {...args} server={mockServerOf(context)} />
)

/**
 * Meta annotations for stories of the chat app against a fresh mock server: the loader creates the server
 * from the story's `mock` arg, `beforeEach` puts its msw handlers in front of the network (msw-storybook-addon
 * resets them after the story), and the render shows the app beside the server's counters.
 */
export const scenario = {
  argTypes: { mock: { control: false } as const },
  loaders: createMockServer,
  beforeEach: routeToMockServer,
  render: renderChat,
}
