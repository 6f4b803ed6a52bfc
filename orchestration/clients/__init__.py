"""orchestration's own clients of external HTTP endpoints, on the shared base client (orchestration.outbound)."""
