"""The back office's screens, one module per domain: cohorts, people, links, invitations."""
