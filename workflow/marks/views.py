"""Screens of tutors and trainers, and the candidate's continuous-assessment marks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import confirmed
from accounts.listing import paginate
from accounts.models import Role, TrainingLink
from rules import cc as cc_rules
from workflow.errors import WorkflowError
from workflow.marks import cc, cc_grid, cc_views, forms, tutoring
from workflow.web import autosave_field, own_enrolments


def _tutor_own(request):
    if not request.user.has_role(Role.TUTEUR):
        raise PermissionDenied
    return tutoring.tutor_evaluations_for(request.user)


def _tutor_form(current, data=None):
    return forms.TutorGridForm(
        data,
        criteria=current.grid_version.criteria.all(),
        initial_points={s.criterion_id: s.points for s in current.scores.all()},
        initial={"comment": current.comment},
    )


@login_required
def tutor_home(request, pk=None):
    own = _tutor_own(request)
    evaluations = paginate(request, own)
    if pk is not None:
        current = own.filter(pk=pk).first()
        if current is None:
            raise PermissionDenied
    else:
        current = own.filter(state__in=tutoring.EDITABLE).first()
    form, status, confirming, saved_note, submit_error = None, 200, False, "", ""
    editable = current is not None and current.state in tutoring.EDITABLE
    action = request.POST.get("action") if request.method == "POST" else None
    if current is not None and action in {"save", "submit"}:
        if not editable:
            messages.error(request, _("Cette évaluation ne peut plus être modifiée."))
            return redirect("jury:tutor_evaluation", pk=current.pk)
        # The marks posted with either button are saved first, each valid one even beside an
        # invalid one; the submission then needs its confirmation (accounts.access.confirmed).
        form = _tutor_form(current, request.POST)
        valid = form.is_valid()
        try:
            tutoring.tutor_evaluation_save(
                actor=request.user,
                evaluation=current,
                points=form.points(),
                comment=form.cleaned_data.get("comment") if "comment" in request.POST else None,
            )
            if valid and action == "submit" and confirmed(request):
                tutoring.tutor_evaluation_submit(actor=request.user, evaluation=current)
        except WorkflowError as error:
            submit_error, valid = error.message, False
        else:
            if valid and action == "save":
                messages.success(request, _("Brouillon enregistré."))
                return redirect("jury:tutor_evaluation", pk=current.pk)
            if valid and confirmed(request):
                messages.success(request, _("Évaluation remise. Merci !"))
                return redirect("jury:tutor_evaluation", pk=current.pk)
            if form.errors:
                saved_note = _(
                    "Les autres valeurs sont enregistrées dans le brouillon ; "
                    "seuls ces champs ne le sont pas."
                )
        confirming = valid and action == "submit"
        status = 200 if valid else 400
        current.refresh_from_db()
        if not form.errors:
            form = None
    if current is not None and form is None:
        form = _tutor_form(current)
    if editable:
        form.mark_saved(tutoring.tutor_field_values(current))
    return render(
        request,
        "workflow/tutor_home.html",
        {
            "evaluations": evaluations,
            "page": evaluations,
            "current": current,
            "form": form,
            "editable": editable,
            "confirming": confirming,
            "saved_note": saved_note,
            "submit_error": submit_error,
            "saved_total": tutoring.tutor_saved_total(current) if current else None,
        },
        status=status,
    )


@login_required
@require_POST
def tutor_field(request, pk):
    """Save one field of the tutor's grid (its autosave); answer JSON with its French error."""
    current = get_object_or_404(_tutor_own(request), pk=pk)
    form = forms.TutorGridForm(criteria=current.grid_version.criteria.all())

    def save(name, value, expected):
        if name == "comment":
            points, comment = {}, value
        else:
            points, comment = {int(name[1:]): value}, None
        saved = tutoring.tutor_evaluation_save(
            actor=request.user,
            evaluation=current,
            points=points,
            comment=comment,
            expected={name: expected},
        )
        values = tutoring.tutor_field_values(saved)
        return values.get(name, ""), tutoring.tutor_saved_total(saved)

    return autosave_field(request, form, save)


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
    cohort, module = cc_views.cc_target(request, cohort_id, module_id)
    mark_form = forms.CCMarkForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and mark_form.is_valid():
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
    page = paginate(request, cc_views.cohort_enrolments(cohort))
    enrolments = list(page.object_list)
    records = list(
        cc.CCMark.objects.filter(module=module, enrolment__in=[e.pk for e in enrolments]).order_by(
            "label", "pk"
        )
    )
    labels = [c.label for c in cc_grid.grid_columns(module=module, cohort=cohort)]
    marks = {(m.enrolment_id, m.label): m for m in records}
    by_enrolment = {e.pk: [] for e in enrolments}
    for record in records:
        by_enrolment[record.enrolment_id].append(record)
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
            "page": page,
            "mark_form": mark_form,
            "import_form": forms.CCImportForm(),
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
