import { useRegisterSW } from 'virtual:pwa-register/react'

/**
 * The service worker lifecycle, told to the user: an update waits until they reload
 * (registerType 'prompt'), and the first install says the app now works offline.
 */
export function UpdatePrompt() {
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    offlineReady: [offlineReady, setOfflineReady],
    updateServiceWorker
  } = useRegisterSW()

  if (needRefresh) {
    return (
      <div className="banner banner-info" role="alert" data-testid="update-prompt">
        <span>A new version is available.</span>
        <span className="banner-actions">
          <button type="button" className="button" onClick={() => void updateServiceWorker(true)}>
            Reload
          </button>
          <button type="button" className="button button-quiet" onClick={() => setNeedRefresh(false)}>
            Later
          </button>
        </span>
      </div>
    )
  }
  if (offlineReady) {
    return (
      <div className="banner banner-info" role="status" data-testid="offline-ready">
        <span>Ready to work offline.</span>
        <span className="banner-actions">
          <button type="button" className="button button-quiet" onClick={() => setOfflineReady(false)}>
            Dismiss
          </button>
        </span>
      </div>
    )
  }
  return null
}
