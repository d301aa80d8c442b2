"""Placement surveys (RULES.md §6: surveys for at least 2 years after certification).

At the publication of their results each certified candidate confirms or corrects their contact
data and says whether they agree to the surveys; 6, 12 and 24 months after the jury a survey goes
out by e-mail with a personal link, reminded, and the staff read the answers and the response
rates per cohort and per establishment, and export them. It sits above ``documents`` (whose
export writers it uses) and reads the published decisions of ``workflow``, which knows nothing
of it: the daily ``surveys_send`` command opens the follow-ups of newly published results.
"""
