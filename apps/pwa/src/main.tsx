import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { readStartOptions } from './config/start-options'
import type { NameStore } from './config/start-options'
import { startMesh } from './start'
import { wantsDemoTasks } from './tasks/demo-tasks'
import './styles/base.css'
import './styles/panels.css'
import './styles/tasks.css'

function localStore(): NameStore | undefined {
  try {
    return window.localStorage
  } catch {
    // Reading `localStorage` itself throws where storage is blocked.
    return undefined
  }
}

const options = readStartOptions(window.location.search, localStore())
// Started once, outside React, so a re-render or StrictMode never starts a second peer.
const started = startMesh(options, { demoTasks: wantsDemoTasks(window.location.search) })
// The App shows a failure; this only keeps it from also being reported as unhandled.
void started.catch(() => undefined)
const joinUrl = `${window.location.origin}${window.location.pathname}`

const root = document.getElementById('root')
if (root === null) throw new Error('index.html has no #root element')
createRoot(root).render(
  <StrictMode>
    <App started={started} problems={options.problems} joinUrl={joinUrl} />
  </StrictMode>
)
