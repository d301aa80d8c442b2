"""People (login by e-mail, several roles each), organisations, cohorts and enrolments, who
trained or accompanied whom, declared conflicts, invitations and the sign-in policy."""
