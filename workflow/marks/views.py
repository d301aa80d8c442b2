"""Screens of tutors and trainers, and the candidate's continuous-assessment marks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.listing import paginate
from accounts.models import Cohort, Enrolment, Role, TrainingLink
from referentiel.models import Module
from rules import cc as cc_rules
from workflow.errors import WorkflowError
from workflow.marks import cc, forms, tutoring
from workflow.marks.access import trainer_may_mark
from workflow.web import own_enrolments


@login_required
def tutor_home(request, pk=None):
    if not request.user.has_role(Role.TUTEUR):
        raise PermissionDenied
    own = tutoring.tutor_evaluations_for(request.user)
    evaluations = paginate(request, own)
    if pk is not None:
        current = own.filter(pk=pk).first()
        if current is None:
            raise PermissionDenied
    else:
        current = own.filter(state__in=tutoring.EDITABLE).first()
    form = None
    if current is not None:
        criteria = current.grid_version.criteria.all()
        initial = {s.criterion_id: s.points for s in current.scores.all()}
        form = forms.TutorGridForm(
            request.POST or None,
            criteria=criteria,
            initial_points=initial,
            initial={"comment": current.comment},
            require_all=request.POST.get("action") == "submit",
        )
        if request.method == "POST":
            if current.state not in tutoring.EDITABLE:
                messages.error(request, _("Cette évaluation ne peut plus être modifiée."))
            elif form.is_valid():
                try:
                    tutoring.tutor_evaluation_save(
                        actor=request.user,
                        evaluation=current,
                        points=form.points(),
                        comment=form.cleaned_data["comment"],
                    )
                    if request.POST.get("action") == "submit":
                        tutoring.tutor_evaluation_submit(actor=request.user, evaluation=current)
                        messages.success(request, _("Évaluation remise. Merci !"))
                    else:
                        messages.success(request, _("Brouillon enregistré."))
                    return redirect("jury:tutor_evaluation", pk=current.pk)
                except WorkflowError as error:
                    form.add_error(None, error.message)
    return render(
        request,
        "workflow/tutor_home.html",
        {
            "evaluations": evaluations,
            "page": evaluations,
            "current": current,
            "form": form,
            "editable": current is not None and current.state in tutoring.EDITABLE,
        },
    )


@login_required
def trainer_home(request):
    if not request.user.has_role(Role.FORMATEUR):
        raise PermissionDenied
    links = paginate(
        request,
        TrainingLink.objects.filter(trainer=request.user, module__cc_points__gt=0)
        .select_related("module__bloc", "cohort")
        .order_by("cohort__name", "module__bloc__number", "module__order", "pk"),
    )
    return render(request, "workflow/trainer_home.html", {"links": links, "page": links})


@login_required
def trainer_marks(request, cohort_id, module_id):
    cohort = get_object_or_404(Cohort, pk=cohort_id)
    module = get_object_or_404(Module, pk=module_id)
    if not trainer_may_mark(request.user, module=module, cohort=cohort):
        raise PermissionDenied
    mark_form = forms.CCMarkForm(None, cohort=cohort)
    import_form = forms.CCImportForm()
    report = None
    if request.method == "POST" and request.POST.get("action") == "import":
        import_form = forms.CCImportForm(request.POST, request.FILES)
        if import_form.is_valid():
            try:
                report = cc.cc_import_csv(
                    actor=request.user,
                    module=module,
                    cohort=cohort,
                    content=request.FILES["file"].read(),
                )
            except WorkflowError as error:
                import_form.add_error(None, error.message)
            if report is not None and report.ok:
                messages.success(
                    request,
                    _("Import réussi : %(c)s créées, %(u)s modifiées, %(n)s inchangées.")
                    % {"c": report.created, "u": report.updated, "n": report.unchanged},
                )
                return redirect("jury:trainer_marks", cohort_id=cohort.pk, module_id=module.pk)
    elif request.method == "POST":
        mark_form = forms.CCMarkForm(request.POST, cohort=cohort)
        if mark_form.is_valid():
            data = mark_form.cleaned_data
            try:
                cc.cc_mark_enter(
                    actor=request.user,
                    enrolment=data["enrolment"],
                    module=module,
                    label=data["label"],
                    mark=data["mark"],
                    out_of=data["out_of"],
                    absence=data["absence"] or "",
                )
                messages.success(request, _("Note enregistrée."))
                return redirect("jury:trainer_marks", cohort_id=cohort.pk, module_id=module.pk)
            except WorkflowError as error:
                mark_form.add_error(None, error.message)
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort)
        .select_related("candidate")
        .order_by("candidate__last_name", "candidate__first_name", "pk")
    )
    records = list(
        cc.CCMark.objects.filter(module=module, enrolment__cohort=cohort).order_by("label", "pk")
    )
    marks = {(m.enrolment_id, m.label): m for m in records}
    labels = sorted({m.label for m in records})
    by_enrolment = {e.pk: [] for e in enrolments}
    for record in records:
        by_enrolment.setdefault(record.enrolment_id, []).append(record)
    rows = [
        {
            "enrolment": e,
            "cells": [marks.get((e.pk, label)) for label in labels],
            "points": cc.module_cc_points(e, module, by_enrolment[e.pk]),
        }
        for e in enrolments
    ]
    return render(
        request,
        "workflow/trainer_marks.html",
        {
            "cohort": cohort,
            "module": module,
            "labels": labels,
            "rows": rows,
            "mark_form": mark_form,
            "import_form": import_form,
            "report": report,
            "scales": ", ".join(str(scale) for scale in cc_rules.CC_SCALES),
        },
    )


@login_required
def candidate_cc(request):
    enrolments = [
        {"enrolment": e, "modules": cc.cc_marks_for_candidate(e)}
        for e in own_enrolments(request.user)
    ]
    return render(request, "workflow/candidate_cc.html", {"enrolments": enrolments})
