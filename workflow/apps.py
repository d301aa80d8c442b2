from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Évaluation et certification")

    def ready(self):
        # The portfolio package sits below the workflow: the readers the workflow admits to a
        # candidate's files (accepted evaluators, the session's jury) are registered with it here.
        from portfolio.access import read_grant_register
        from portfolio.services.uploads import stored_files_register
        from workflow.evaluation.access import evaluator_may_read
        from workflow.evaluation.reevaluation import (
            portfolios_lock_for_cc,
            portfolios_retest_after_cc,
        )
        from workflow.evaluation.subjects import FOLDER as SUBJECTS_FOLDER
        from workflow.jury.access import jury_may_read_file
        from workflow.jury.closing import closing_jobs_register
        from workflow.jury.computed import stale_results_connect
        from workflow.jury.publication import publication_jobs_register
        from workflow.marks.cc import cc_changed_register
        from workflow.models import EpreuvePaper, ExamSubject

        # The marked papers of the épreuves and the national subjects are stored files too:
        # cleanup keeps them and the rescan checks those held while the scanner was away.
        stored_files_register(EpreuvePaper, "papers")
        stored_files_register(ExamSubject, SUBJECTS_FOLDER)
        read_grant_register(evaluator_may_read)
        read_grant_register(jury_may_read_file)
        publication_jobs_register()
        closing_jobs_register()
        # The deliberation screen's stored results go stale when one of their inputs changes.
        stale_results_connect()
        # A CC mark changed after a portfolio's first scoring may call for a second evaluation.
        cc_changed_register(lock=portfolios_lock_for_cc, follow=portfolios_retest_after_cc)
