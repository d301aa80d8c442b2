from django.core.management.base import BaseCommand

from workflow.evaluation.reminders import assignment_reminders_send


class Command(BaseCommand):
    help = (
        "Send the reminders of assignments due soon and the overdue alerts to the centre. "
        "Safe to run as often as you like (e.g. daily from cron): nothing is sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days-before",
            type=int,
            default=None,
            help="Days before the due date to remind (default: PREUVES_REMINDER_DAYS_BEFORE).",
        )

    def handle(self, *args, days_before=None, **options):
        report = assignment_reminders_send(days_before=days_before)
        self.stdout.write(
            f"{report.reminders} reminder(s) sent, {report.overdue_alerts} overdue alert(s) sent."
        )
