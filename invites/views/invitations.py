"""The inviter's page (my invitations, the form, resend and revoke) and the invitee's
invitation page (GET shows the offer, POST signs up)."""

from allauth.account.internal.flows.signup import prevent_enumeration
from allauth.account.utils import complete_signup
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sns.errors import Refused
from sns.site_policy import policy_current, policy_rules

from .. import selectors, services
from ..forms import InvitationForm, SignupForm
from ..models import Invitation


@require_http_methods(["GET", "POST"])
def my_invitations(request):
    user = request.user
    # Said instead of the form (and the invitations left) when the member may not invite at
    # all; a POST from a page loaded earlier meets the same answer (the service checks too).
    refusal = selectors.invite_refusal(user)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            invitation = services.invitation_create(
                inviter=user, email=form.cleaned_data["email"],
                message=form.cleaned_data["message"],
            )
        except Refused as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your invitation to %(email)s is on its way.")
                             % {"email": invitation.email})
            return redirect("invites:mine")
    invitations = user.invitations_sent.select_related("accepted_user__profile")
    page = Paginator(invitations, 25).get_page(request.GET.get("page"))
    return render(request, "invites/mine.html", {
        "form": form,
        "page": page,
        "refusal": refusal,
        "left": None if refusal else selectors.invitations_left(user),
    })


@require_POST
def resend(request, pk: int):
    invitation = get_object_or_404(request.user.invitations_sent, pk=pk)
    try:
        services.invitation_resend(invitation=invitation, by=request.user)
    except Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The invitation to %(email)s was sent again with a new link.")
                         % {"email": invitation.email})
    return redirect("invites:mine")


@require_POST
def revoke(request, pk: int):
    invitation = get_object_or_404(request.user.invitations_sent, pk=pk)
    if services.invitation_revoke(invitation=invitation):
        messages.success(request, _("The invitation to %(email)s was revoked.")
                         % {"email": invitation.email})
    else:
        messages.error(request, _("This invitation can no longer be revoked."))
    return redirect("invites:mine")


@login_not_required
@require_http_methods(["GET", "POST"])
def accept(request, token: str):
    """The invitation page: GET shows the offer and never uses it up; POST signs up."""
    try:
        invitation = selectors.usable_invitation(token)
    except Invitation.DoesNotExist:
        raise Http404(_("This invitation does not exist.")) from None
    site_policy = policy_current()
    context = {
        "invitation": invitation, "policy": site_policy, "rules": policy_rules(site_policy),
    }
    if not invitation.is_pending:
        return render(request, "invites/unusable.html", context, status=410)
    if request.user.is_authenticated:
        return render(request, "invites/already_member.html", context)

    form = SignupForm(request.POST or None, initial={"email": invitation.email})
    if request.method == "POST" and form.is_valid():
        signup = services.Signup(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            language=translation.get_language() or settings.LANGUAGE_CODE,
            profile=form.profile_fields(),
        )
        try:
            user = services.invitation_redeem(token=token, signup=signup)
        except services.InvitationNotUsable:
            invitation.refresh_from_db()
            return render(request, "invites/unusable.html", context, status=410)
        except services.AddressTaken as taken:
            # What any address that needs confirming gets (the same redirect and message);
            # allauth mails the address's owner that someone tried to sign up with it. The
            # invitation stays pending for another try.
            return prevent_enumeration(request, email=str(taken))
        except Refused as error:
            form.add_error("email", str(error))
        else:
            # Logs in at once when the invited address was kept; otherwise mails a
            # confirmation link first (allauth's mandatory verification).
            return complete_signup(
                request, user, settings.ACCOUNT_EMAIL_VERIFICATION, success_url="/"
            )
    context["form"] = form
    return render(request, "invites/accept.html", context)
