"""The centre's back office: cohorts, training links, people, VAE accompaniments, declared
conflicts and invitations, in the application's own screens rather than the Django admin."""
