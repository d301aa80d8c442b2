"""The CC grid of a module for a cohort (a page, one JSON save per cell) and the CC import with
its preview.

Who may open them: the module's trainer for that cohort, or the staff with the evaluation duty
on the cohort's establishment (``cc_may_enter``); anyone else gets the 404 of a missing page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.listing import paginate, query_without
from accounts.models import Cohort, Enrolment
from referentiel.models import Module
from rules import cc as cc_rules
from workflow.errors import WorkflowError
from workflow.marks import cc_grid, cc_import, forms
from workflow.marks.access import cc_may_enter
from workflow.marks.cc import CCMarkConflict, cc_changes_batched
from workflow.models import CCMark
from workflow.web import posted_id

IMPORT_SALT = "workflow.cc-import"
IMPORT_MAX_AGE = 3600
GRID_PAGE_SIZE = 50


def cc_target(request, cohort_id, module_id) -> tuple[Cohort, Module]:
    """Return the cohort and CC module the user may mark; 404 for anyone else."""
    cohort = Cohort.objects.filter(pk=cohort_id).select_related("establishment").first()
    module = Module.objects.filter(pk=module_id, cc_points__gt=0).select_related("bloc").first()
    if (
        cohort is None
        or module is None
        or module.bloc.title_id != cohort.title_id
        or not cc_may_enter(request.user, module=module, cohort=cohort)
    ):
        raise Http404
    return cohort, module


def cohort_enrolments(cohort):
    return (
        Enrolment.objects.filter(cohort=cohort)
        .select_related("candidate")
        .order_by("candidate__last_name", "candidate__first_name", "pk")
    )


def _posted_columns(data) -> list[cc_grid.GridColumn]:
    columns = []
    for index in range(100):
        if f"col-{index}" not in data:
            break
        try:
            columns.append(cc_grid.column_from(data[f"col-{index}"], data.get(f"sur-{index}")))
        except ValueError:
            raise Http404 from None
    return columns


def _added_column(request, add_form) -> list[tuple[str, int]]:
    if add_form.is_bound and add_form.is_valid():
        return [(add_form.cleaned_data["evaluation"], add_form.cleaned_data["sur"])]
    return []


@login_required
def cc_grid_page(request, cohort_id, module_id):
    """Show the grid; a POST (the page without JavaScript) saves every valid changed cell."""
    cohort, module = cc_target(request, cohort_id, module_id)
    add_form = forms.CCColumnForm(request.GET if "evaluation" in request.GET else None)
    added = _added_column(request, add_form)
    problems, posted, saved = [], {}, 0
    if request.method == "POST":
        problems, posted, saved = _save_posted(request, cohort, module)
        if not problems:
            messages.success(
                request, _("Grille enregistrée : %(n)d note(s) modifiée(s).") % {"n": saved}
            )
            return redirect(request.get_full_path())
        added = [(c.label, c.out_of) for c in _posted_columns(request.POST)]
    columns = cc_grid.grid_columns(module=module, cohort=cohort, added=added)
    page = paginate(request, cohort_enrolments(cohort), GRID_PAGE_SIZE)
    rows = cc_grid.grid_rows(page.object_list, module=module, columns=columns)
    for row in rows:
        for index, cell in enumerate(row["cells"]):
            key = (row["enrolment"].pk, index)
            row["cells"][index] = {"cell": cell, "index": index, "posted": posted.get(key)}
    return render(
        request,
        "workflow/cc_grid.html",
        {
            "cohort": cohort,
            "module": module,
            "columns": list(enumerate(columns)),
            "rows": rows,
            "page": page,
            "query": query_without(request),
            "problems": problems,
            "saved": saved,
            "add_form": add_form,
            "scales": ", ".join(str(scale) for scale in cc_rules.CC_SCALES),
        },
    )


def _save_posted(request, cohort, module):
    """Save the posted cells that changed; return the problems (candidate, column, message,
    the value typed), the values typed in the cells refused, and how many were saved."""
    columns = _posted_columns(request.POST)
    cells = {}
    for name, value in request.POST.items():
        parts = name.split("-")
        if len(parts) == 3 and parts[0] == "c":
            pk, index = posted_id(parts[1]), posted_id(parts[2])
            if pk is not None and index is not None and index < len(columns):
                cells[(pk, index)] = value
    enrolments = {
        e.pk: e for e in cohort_enrolments(cohort).filter(pk__in={pk for pk, _i in cells})
    }
    stored = {
        (m.enrolment_id, m.label): m
        for m in CCMark.objects.filter(module=module, enrolment__in=list(enrolments))
    }
    problems, posted, saved = [], {}, 0
    # One transaction: the candidates locked once, their portfolios re-tested once at the end.
    with cc_changes_batched(actor=request.user, enrolment_ids=list(enrolments), bloc=module.bloc):
        for (pk, index), text in sorted(cells.items()):
            enrolment, column = enrolments.get(pk), columns[index]
            if enrolment is None:
                continue
            record = stored.get((pk, column.label))
            if text.strip() == cc_grid.cell_text(record, column.out_of):
                continue
            version = _int(request.POST.get(f"v-{pk}-{index}"))
            try:
                cc_grid.cc_cell_save(
                    actor=request.user,
                    enrolment=enrolment,
                    module=module,
                    column=column,
                    text=text,
                    version=version,
                )
                saved += 1
            except CCMarkConflict as conflict:
                theirs = cc_grid.cell_text(conflict.current, column.out_of) or _("vide")
                problems.append(
                    (
                        enrolment,
                        column,
                        _(
                            "modifiée entre-temps par quelqu'un d'autre (« %(v)s ») : "
                            "enregistrez à nouveau pour la remplacer par la vôtre, ou remettez "
                            "« %(v)s »."
                        )
                        % {"v": theirs},
                        text,
                    )
                )
                posted[(pk, index)] = text
            except WorkflowError as error:
                problems.append((enrolment, column, error.message, text))
                posted[(pk, index)] = text
    return problems, posted, saved


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
@require_POST
def cc_grid_cell(request, cohort_id, module_id):
    """Save one cell (``static/js/cc_grid.js``): JSON with the cell as stored and its version,
    an error (400) or the other person's value (409)."""
    cohort, module = cc_target(request, cohort_id, module_id)
    try:
        column = cc_grid.column_from(request.POST.get("label"), request.POST.get("sur"))
    except ValueError as error:
        return JsonResponse({"error": str(error)}, status=400)
    enrolment = cohort_enrolments(cohort).filter(pk=_int(request.POST.get("enrolment"))).first()
    if enrolment is None:
        raise Http404
    try:
        record = cc_grid.cc_cell_save(
            actor=request.user,
            enrolment=enrolment,
            module=module,
            column=column,
            text=request.POST.get("value", ""),
            version=_int(request.POST.get("version")),
        )
    except CCMarkConflict as conflict:
        current = conflict.current
        return JsonResponse(
            {
                "conflict": True,
                "error": conflict.message,
                "theirs": cc_grid.cell_text(current, column.out_of),
                "version": current.version if current else 0,
            },
            status=409,
        )
    except WorkflowError as error:
        return JsonResponse({"error": error.message}, status=400)
    return JsonResponse(
        {
            "value": cc_grid.cell_text(record, column.out_of),
            "version": record.version if record else 0,
        }
    )


# --- Import with a preview --------------------------------------------------------------------


@login_required
def cc_import_page(request, cohort_id, module_id):
    """Upload a file and show its preview: every change, or every error; nothing is written."""
    cohort, module = cc_target(request, cohort_id, module_id)
    form = forms.CCImportForm(request.POST or None, request.FILES or None)
    context = {"cohort": cohort, "module": module, "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            preview = cc_import.cc_import_preview(
                actor=request.user,
                module=module,
                cohort=cohort,
                content=upload.read(),
                filename=upload.name,
            )
        except WorkflowError as error:
            raise Http404 from error
        context.update(
            preview=preview,
            new_count=preview.count(cc_import.NEW),
            changed_count=preview.count(cc_import.CHANGED),
            unchanged_count=preview.count(cc_import.UNCHANGED),
        )
        if preview.ok and preview.writes_anything:
            # The parsed lines travel back signed (no file is kept): see cc_import_confirm.
            token = signing.dumps(
                {
                    "user": request.user.pk,
                    "cohort": cohort.pk,
                    "module": module.pk,
                    "entries": preview.entries,
                },
                salt=IMPORT_SALT,
                compress=True,
            )
            context["confirm_form"] = forms.CCImportConfirmForm(initial={"token": token})
    return render(request, "workflow/cc_import.html", context)


@login_required
@require_POST
def cc_import_confirm(request, cohort_id, module_id):
    cohort, module = cc_target(request, cohort_id, module_id)
    back = reverse("jury:cc_import", args=[cohort.pk, module.pk])
    form = forms.CCImportConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise signing.BadSignature
        payload = signing.loads(
            form.cleaned_data["token"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE
        )
        if (payload["user"], payload["cohort"], payload["module"]) != (
            request.user.pk,
            cohort.pk,
            module.pk,
        ):
            raise signing.BadSignature
        entries = payload["entries"]
    except signing.SignatureExpired:
        messages.error(
            request, _("L'aperçu date de plus d'une heure : déposez à nouveau le fichier.")
        )
        return redirect(back)
    except (signing.BadSignature, KeyError, TypeError):
        messages.error(request, _("Confirmation invalide : déposez à nouveau le fichier."))
        return redirect(back)
    try:
        counts = cc_import.cc_import_apply(
            actor=request.user, module=module, cohort=cohort, entries=entries
        )
    except WorkflowError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(
        request,
        _("Import réussi : %(c)s créées, %(u)s modifiées, %(n)s inchangées.")
        % {
            "c": counts[cc_import.NEW],
            "u": counts[cc_import.CHANGED],
            "n": counts[cc_import.UNCHANGED],
        },
    )
    return redirect("jury:cc_grid", cohort_id=cohort.pk, module_id=module.pk)
