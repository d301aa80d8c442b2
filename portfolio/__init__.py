"""What candidates bring: portfolios per bloc and their evidence, the mémoire; uploads, content
checks, storage, manifests and downloads, with the candidate's screens."""
