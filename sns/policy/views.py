"""The policy pages: the policy itself, accepting the rules (again), waiting for approval."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sns.client_input import next_path
from sns.middleware import policy_exempt
from sns.moderation.members import inviter_of
from sns.site_policy import identity_policy, policy_current, policy_rules, rules_pending

from . import services


def _policy_context(site_policy) -> dict:
    return {
        "policy": site_policy,
        "rules": policy_rules(site_policy),
        "identity": identity_policy(),
    }


@login_not_required
@policy_exempt
def policy_page(request):
    """What the site is for, whom it gathers, its rules and which names members use."""
    return render(request, "sns/policy.html", _policy_context(policy_current()))


def _safe_next(request) -> str:
    """Where to go after accepting: the page the member was on its way to, on this site."""
    return next_path(request, request.POST.get("next") or request.GET.get("next") or "") or "/"


@policy_exempt
@require_http_methods(["GET", "POST"])
def rules_accept(request):
    """The rules and one button: "I accept". Members are sent here while the rules they
    accepted are older than the current ones."""
    site_policy = policy_current()
    next_url = _safe_next(request)
    if request.user.awaiting_approval or not rules_pending(request.user, site_policy):
        return redirect(next_url)
    if request.method == "POST":
        services.rules_accept(member=request.user)
        return redirect(next_url)
    context = _policy_context(site_policy)
    context["next"] = next_url
    context["first_time"] = request.user.rules_accepted_at is None
    return render(request, "sns/rules_accept.html", context)


@policy_exempt
def awaiting_approval(request):
    """What a member who joined while the site approves each newcomer sees until then."""
    member = request.user
    if not member.awaiting_approval:
        return redirect("home")
    return render(request, "sns/awaiting_approval.html", {
        "inviter": inviter_of(member),
    })
