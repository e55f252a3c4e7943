"""The report page (通報): ``/report/?type=<kind>&id=<pk>``. GET shows what is being reported
and the form; POST sends the report and goes back to the content. What the member may not
see, or is their own, is a 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sns import moderation
from sns.client_input import id_or_none
from sns.errors import Refused
from sns.models import Report
from sns.moderation import targets
from sns.moderation.reports import DETAILS_MAX_LENGTH


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why are you reporting this?"), choices=Report.Reason.choices,
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label=gettext_lazy("Anything the moderators should know"), required=False,
        max_length=DETAILS_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Optional. Only the moderators read this; the member you "
                               "report is not told who reported them."),
    )


def _target_or_404(request) -> tuple[targets.Target, object]:
    kind = targets.by_key(request.GET.get("type", ""))
    pk = id_or_none(request.GET.get("id"))
    if kind is None or pk is None:
        raise Http404
    found = kind.visible_to(request.user)
    if not kind.is_member:
        found = found.select_related(f"{kind.owner}__profile")
    target = get_object_or_404(found, pk=pk)
    if kind.owner_of(target).pk == request.user.pk:
        raise Http404
    return kind, target


@require_http_methods(["GET", "POST"])
def report(request):
    kind, target = _target_or_404(request)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = moderation.report_create(
                reporter=request.user, target=target, **form.cleaned_data
            )
        except ObjectDoesNotExist:
            raise Http404 from None
        except Refused as error:
            form.add_error(None, error)
        else:
            if sent.already_open:
                messages.info(request, _(
                    "You have already reported this. The moderators will look at it."
                ))
            else:
                messages.success(request, _("Thank you, the moderators will look at it."))
            return redirect(kind.url(target))
    owner = kind.owner_of(target)
    return render(request, "sns/report.html", {
        "form": form,
        "kind": kind,
        "target": target,
        "owner": owner,
        "heading": kind.heading(target),
        "excerpt": kind.excerpt(target),
        "back_url": kind.url(target),
    })
