import { useRef, useState } from 'react'
import type { ConnectionState } from 'mesh-core'
import { sendChat } from './chat/chat-post'
import { ChatPanel } from './components/ChatPanel'
import { ConnectionBadge } from './components/ConnectionBadge'
import { JoinCard } from './components/JoinCard'
import { MusicPanel } from './components/MusicPanel'
import { canChat, PeerList } from './components/PeerList'
import { SelfCard } from './components/SelfCard'
import { SensorsPanel } from './components/SensorsPanel'
import { TasksPanel } from './components/TasksPanel'
import { UpdatePrompt } from './components/UpdatePrompt'
import { useChat } from './hooks/useChat'
import { useExposeMesh } from './hooks/useExposeMesh'
import { useMeshView } from './hooks/useMeshView'
import { useStarted } from './hooks/useStarted'
import { useTaskRuns } from './hooks/useTaskRuns'
import type { Started } from './start'
import { defineDemoTasks, offersDemoTasks } from './tasks/demo-tasks'
import { createRunLog } from './tasks/run-log'
import { runTask } from './tasks/run-task'

interface AppProps {
  started: Promise<Started>
  /** Problems with the query string, shown once as banners. */
  problems: string[]
  /** This console's address without query or hash, for the QR code. */
  joinUrl: string
}

export function App({ started, problems, joinUrl }: AppProps) {
  const start = useStarted(started)
  const mesh = start.phase === 'ready' ? start.mesh : undefined
  const chat = start.phase === 'ready' ? start.chat : undefined
  const view = useMeshView(mesh)
  const entries = useChat(chat)
  useExposeMesh(mesh)
  const [runLog] = useState(createRunLog)
  const runs = useTaskRuns(runLog)

  const [chosenPeer, setChosenPeer] = useState<string>()
  const composeInput = useRef<HTMLInputElement>(null)
  const chatPeers = view.peers.filter(canChat)
  // Until one is chosen, write to a peer that is up rather than one that is paused or gone.
  const chatPeer = chatPeers.some((p) => p.id === chosenPeer)
    ? chosenPeer
    : (chatPeers.find((p) => p.status === 'healthy') ?? chatPeers[0])?.id
  const state: ConnectionState = start.phase === 'failed' ? 'stopped' : view.state

  const send = (peer: string, text: string): Promise<boolean> =>
    mesh === undefined || chat === undefined ? Promise.resolve(false) : sendChat(mesh, chat, peer, text)

  const messagePeer = (id: string): void => {
    setChosenPeer(id)
    composeInput.current?.focus()
  }

  return (
    <>
      <header className="app-header">
        <img src="/favicon.svg" alt="" width={28} height={28} />
        <h1>Mesh</h1>
        <ConnectionBadge state={state} />
      </header>
      <UpdatePrompt />
      {problems.map((problem) => (
        <div key={problem} className="banner banner-warning" role="alert" data-testid="config-error">
          {problem}
        </div>
      ))}
      {start.phase === 'failed' && (
        <div className="banner banner-error" role="alert">
          <strong>This peer could not start.</strong> <span data-testid="fatal-error">{start.error}</span>
        </div>
      )}
      <main className="layout">
        <SelfCard
          id={mesh?.peerId}
          name={mesh?.name}
          failed={start.phase === 'failed'}
          mesh={mesh}
          capabilities={view.capabilities}
          coordinator={mesh !== undefined && view.coordinator === mesh.peerId}
        />
        <PeerList peers={view.peers} coordinator={view.coordinator} onMessage={messagePeer} />
        <ChatPanel
          peers={chatPeers}
          peer={chatPeer}
          onPeerChange={setChosenPeer}
          entries={entries}
          onSend={send}
          enabled={mesh !== undefined}
          inputRef={composeInput}
        />
        <TasksPanel
          peers={view.peers}
          self={mesh && { id: mesh.peerId, name: mesh.name, tasks: view.capabilities.tasks }}
          runs={runs}
          onRun={mesh && ((request) => runTask(mesh, runLog, request))}
          onOfferDemo={
            mesh && !offersDemoTasks(view.capabilities.tasks) ? () => defineDemoTasks(mesh) : undefined
          }
        />
        <SensorsPanel mesh={mesh} peers={view.peers} capabilities={view.capabilities} />
        <MusicPanel mesh={mesh} />
        <JoinCard url={joinUrl} />
      </main>
    </>
  )
}
