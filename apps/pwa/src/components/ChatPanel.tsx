import { useId, useState } from 'react'
import type { FormEvent, RefObject } from 'react'
import type { PeerInfo } from 'mesh-core'
import type { ChatEntry } from '../chat/chat-log'
import { maxChatLength } from '../chat/chat-post'

interface ChatPanelProps {
  /** The peers that can be written to. */
  peers: PeerInfo[]
  /** The chosen peer, or `undefined` when there is none to choose. */
  peer: string | undefined
  onPeerChange: (id: string) => void
  entries: readonly ChatEntry[]
  /** Sends and resolves to whether the peer accepted the message. */
  onSend: (peer: string, text: string) => Promise<boolean>
  /** False until this peer has started. */
  enabled: boolean
  /** The message input, so the peer list can move focus to it. */
  inputRef: RefObject<HTMLInputElement | null>
}

function formatTime(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
}

function Entry({ entry }: { entry: ChatEntry }) {
  if (entry.kind === 'error') {
    return (
      <li className="entry entry-error" data-testid="message-error" role="alert">
        {entry.text}
      </li>
    )
  }
  const incoming = entry.direction === 'in'
  return (
    <li
      className={`entry entry-${entry.direction}`}
      data-testid="message"
      data-from={entry.from}
      data-peer={entry.peer}
      data-direction={entry.direction}
    >
      <span className="entry-meta">
        {incoming ? `from ${entry.peerName}` : `to ${entry.peerName}`} · <time>{formatTime(entry.at)}</time>
      </span>
      <span className="entry-text">{entry.text}</span>
    </li>
  )
}

/** Messages with one peer at a time, carried by the `chat.post` task. */
export function ChatPanel({ peers, peer, onPeerChange, entries, onSend, enabled, inputRef }: ChatPanelProps) {
  const [text, setText] = useState('')
  const [sending, setSending] = useState(false)
  const ids = useId()
  const canSend = enabled && peer !== undefined && text.trim() !== '' && !sending

  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault()
    if (!canSend || peer === undefined) return
    const sent = text
    // Cleared at once so the next message can be typed; a failure line quotes what was lost.
    setText('')
    setSending(true)
    void onSend(peer, sent)
      .catch(() => false)
      .finally(() => {
        setSending(false)
        inputRef.current?.focus()
      })
  }

  return (
    <section className="card" aria-labelledby={`${ids}-heading`}>
      <h2 id={`${ids}-heading`}>Messages</h2>
      <ol className="log" aria-live="polite" aria-label="Messages">
        {entries.length === 0 && <li className="muted">No messages yet.</li>}
        {entries.map((entry) => (
          <Entry key={entry.id} entry={entry} />
        ))}
      </ol>
      <form className="compose" onSubmit={submit}>
        <label htmlFor={`${ids}-peer`}>To</label>
        <select
          id={`${ids}-peer`}
          data-testid="msg-peer"
          value={peer ?? ''}
          disabled={peers.length === 0}
          onChange={(event) => onPeerChange(event.target.value)}
        >
          {peers.map((p) => (
            <option key={p.id} value={p.id}>
              {p.status === 'healthy' ? p.name : `${p.name} (${p.status})`}
            </option>
          ))}
        </select>
        <label htmlFor={`${ids}-text`} className="visually-hidden">
          Message
        </label>
        <input
          id={`${ids}-text`}
          ref={inputRef}
          data-testid="msg-input"
          type="text"
          autoComplete="off"
          enterKeyHint="send"
          placeholder={peers.length === 0 ? 'No one to write to yet' : 'Write a message'}
          maxLength={maxChatLength}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <button type="submit" className="button" data-testid="msg-send" disabled={!canSend}>
          {sending ? 'Sending…' : 'Send'}
        </button>
      </form>
    </section>
  )
}
