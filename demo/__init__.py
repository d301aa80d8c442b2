"""The demo centre, built through every package's real services (`manage.py demo`); it sits on
top of the dependency order because it uses them all."""
