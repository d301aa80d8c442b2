"""Template tags shared by every role's pages."""
