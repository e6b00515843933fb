import type { Needs, PeerInfo, TaskHandler, TaskOptions } from 'mesh-core'
import { peerName } from '../peers/peer-names'
import type { ChatLog } from './chat-log'

/** The task every Mesh console defines to receive chat messages. */
export const chatTaskName = 'chat.post'

/** The longest chat message accepted, in UTF-16 code units (`String.length`). */
export const maxChatLength = 2_000

/** How long a send waits for the other peer to accept the message. */
export const chatTimeoutMs = 5_000

/** What the chat needs from the mesh; a `Mesh` is one. */
export interface ChatComponents {
  readonly peerId: string
  peers(): PeerInfo[]
  define(name: string, handler: TaskHandler): void
  task(needs: Needs, name: string, args: unknown, o: TaskOptions): PromiseLike<unknown>
}

export interface ChatPost {
  text: string
}

/** The arguments of a `chat.post` task are not `{ text: string }` of at most `maxChatLength`. */
export class InvalidChatPostError extends Error {
  override name = 'InvalidChatPostError'
}

/** Validates the arguments of an inbound `chat.post`; throws `InvalidChatPostError`. */
export function parseChatPost(args: unknown): ChatPost {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new InvalidChatPostError('chat.post takes an object { text }')
  }
  const { text } = args as Record<string, unknown>
  if (typeof text !== 'string') throw new InvalidChatPostError('chat.post: text must be a string')
  if (text.length > maxChatLength) {
    throw new InvalidChatPostError(`chat.post: text is longer than ${maxChatLength} characters`)
  }
  return { text }
}

/** The start of a message, to quote it in a failure line. */
function preview(text: string, length = 60): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`
}

/** Defines the `chat.post` handler, which appends what it receives to the log. */
export function defineChat(mesh: ChatComponents, log: ChatLog): void {
  mesh.define(chatTaskName, (args, ctx) => {
    const { text } = parseChatPost(args)
    log.append({
      kind: 'message',
      direction: 'in',
      from: ctx.from,
      peer: ctx.from,
      peerName: peerName(mesh, ctx.from),
      text,
      at: Date.now()
    })
    return { ok: true }
  })
}

/**
 * Sends `text` to `peer` as a `chat.post` task and logs the outcome: the message once the
 * peer has accepted it, or a failure line. Resolves to whether it was delivered.
 */
export async function sendChat(
  mesh: ChatComponents,
  log: ChatLog,
  peer: string,
  text: string
): Promise<boolean> {
  const name = peerName(mesh, peer)
  try {
    await mesh.task({}, chatTaskName, { text } satisfies ChatPost, {
      peer,
      timeoutMs: chatTimeoutMs
    })
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    log.append({
      kind: 'error',
      peer,
      peerName: name,
      text: `Could not send “${preview(text)}” to ${name}: ${reason}`,
      at: Date.now()
    })
    return false
  }
  log.append({
    kind: 'message',
    direction: 'out',
    from: mesh.peerId,
    peer,
    peerName: name,
    text,
    at: Date.now()
  })
  return true
}
