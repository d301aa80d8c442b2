"""``{% role_todo role as items %}``: a role's work to do, counted, for the home page (it lives
here, above ``workflow``, because the home pages of ``accounts`` and ``centres`` show the
workflow's counts)."""

from django import template

from workflow.centre.todo import staff_todo, todo_for

register = template.Library()


@register.simple_tag(takes_context=True)
def role_todo(context, role):
    return todo_for(context["request"].user, role)


@register.simple_tag(takes_context=True)
def centre_todo(context):
    """Return the centre's work to do for the staff member asking (the dashboard's and the back
    office's summary)."""
    return staff_todo(context["request"].user)
