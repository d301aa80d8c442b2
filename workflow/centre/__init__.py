"""The centre's screens: the dashboard with its figures and SVG charts, a jury session's
organisation (members, candidates, schedule, convocations, publication), a candidate's file
(absences, accommodations, fraud, retakes, épreuves and written marks) and whole history."""
