/** Marks the peer every peer elects to coordinate: the longest-running healthy one. */
export function CoordinatorBadge() {
  return (
    <span
      className="badge badge-coordinator"
      data-testid="coordinator-badge"
      title="Coordinator: the longest-running healthy peer"
    >
      coordinator
    </span>
  )
}
