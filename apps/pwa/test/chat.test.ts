import type { PeerInfo, TaskContext, TaskHandler } from 'mesh-core'
import { describe, expect, it } from 'vitest'
import { createChatLog } from '../src/chat/chat-log'
import { chatTaskName, defineChat, maxChatLength, parseChatPost, sendChat } from '../src/chat/chat-post'
import type { ChatComponents } from '../src/chat/chat-post'

const alice = '12D3KooWAliceAliceAliceAliceAliceAliceAliceAlice'
const bob = '12D3KooWBobBobBobBobBobBobBobBobBobBobBobBobBob1'

function peer(id: string, name: string): PeerInfo {
  return {
    id,
    name,
    role: 'browser',
    capabilities: {},
    status: 'healthy',
    link: 'webrtc',
    rttMs: 1,
    rttAvgMs: 1,
    rttHistory: [1],
    quality: 'excellent',
    addresses: [],
    startedAt: 0,
    lastSeen: 0
  }
}

/** Enough of a Mesh for the chat: one known peer, Bob, and a task that `run` decides. */
function fakeMesh(run: (name: string, args: unknown, peer: string | undefined) => Promise<unknown>) {
  const handlers = new Map<string, TaskHandler>()
  const mesh: ChatComponents = {
    peerId: alice,
    peers: () => [peer(bob, 'bob')],
    define: (name, handler) => {
      handlers.set(name, handler)
    },
    task: (_needs, name, args, o) => run(name, args, o.peer)
  }
  return { mesh, handlers }
}

const ctx: TaskContext = {
  from: bob,
  signal: new AbortController().signal,
  attempt: 1,
  idempotencyKey: 'k',
  emit: () => {},
  progress: () => {}
}

describe('parseChatPost', () => {
  it('accepts { text } up to the limit', () => {
    expect(parseChatPost({ text: 'hi' })).toEqual({ text: 'hi' })
    expect(parseChatPost({ text: 'x'.repeat(maxChatLength) }).text).toHaveLength(maxChatLength)
  })

  it.each([null, 'hi', ['hi'], {}, { text: 4 }, { text: 'x'.repeat(maxChatLength + 1) }])(
    'rejects %j',
    (args) => {
      expect(() => parseChatPost(args)).toThrow(expect.objectContaining({ name: 'InvalidChatPostError' }))
    }
  )
})

describe('chat.post handler', () => {
  it('logs a valid message with the sender and answers ok', async () => {
    const { mesh, handlers } = fakeMesh(() => Promise.resolve(undefined))
    const log = createChatLog()
    defineChat(mesh, log)
    const handler = handlers.get(chatTaskName)
    expect(handler).toBeDefined()
    expect(await handler?.({ text: 'hello' }, ctx)).toEqual({ ok: true })
    expect(log.entries()).toMatchObject([
      { kind: 'message', direction: 'in', from: bob, peer: bob, peerName: 'bob', text: 'hello' }
    ])
  })

  it('throws on bad arguments and logs nothing', () => {
    const { mesh, handlers } = fakeMesh(() => Promise.resolve(undefined))
    const log = createChatLog()
    defineChat(mesh, log)
    expect(() => handlers.get(chatTaskName)?.({ text: 1 }, ctx)).toThrow()
    expect(log.entries()).toEqual([])
  })
})

describe('sendChat', () => {
  it('sends a chat.post task to the chosen peer and logs it as out', async () => {
    const calls: unknown[] = []
    const { mesh } = fakeMesh((name, args, to) => {
      calls.push({ name, args, to })
      return Promise.resolve({ ok: true })
    })
    const log = createChatLog()
    expect(await sendChat(mesh, log, bob, 'hi bob')).toBe(true)
    expect(calls).toEqual([{ name: chatTaskName, args: { text: 'hi bob' }, to: bob }])
    expect(log.entries()).toMatchObject([{ kind: 'message', direction: 'out', from: alice, peer: bob }])
  })

  it('logs a failure line when the task fails', async () => {
    const { mesh } = fakeMesh(() => Promise.reject(new Error('timed out')))
    const log = createChatLog()
    expect(await sendChat(mesh, log, bob, 'hi')).toBe(false)
    const [entry] = log.entries()
    expect(entry?.kind).toBe('error')
    expect(entry?.text).toContain('timed out')
  })
})

describe('chat log', () => {
  it('keeps only the newest entries and notifies subscribers', () => {
    const log = createChatLog(2)
    let notified = 0
    const off = log.subscribe(() => notified++)
    for (const text of ['a', 'b', 'c']) {
      log.append({ kind: 'message', direction: 'in', from: bob, peer: bob, peerName: 'bob', text, at: 0 })
    }
    off()
    log.append({ kind: 'error', peer: bob, peerName: 'bob', text: 'd', at: 0 })
    expect(log.entries().map((e) => e.text)).toEqual(['c', 'd'])
    expect(notified).toBe(3)
  })
})
