"""Blocking pages: block a member (with confirmation), the list of whom I block, unblock."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import services
from ..models import User
from ..selectors.blocks import blocked_by
from ..selectors.connections import member_or_404

BLOCKS_PER_PAGE = 30


@require_http_methods(["GET", "POST"])
def block(request, pk: int):
    """GET asks to confirm; POST blocks. A member already blocked either way is a 404."""
    member = member_or_404(request.user, pk)
    if member.pk == request.user.pk:
        return redirect(member)
    if request.method == "POST":
        services.block_create(blocker=request.user, blocked=member)
        messages.success(request, _("You blocked %(name)s. You will no longer see each other.")
                         % {"name": member.display_name})
        return redirect("accounts:blocks")
    return render(request, "accounts/block_confirm.html", {"member": member})


def blocks(request):
    page = Paginator(blocked_by(request.user), BLOCKS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/blocks.html", {"page": page})


@require_POST
def unblock(request, pk: int):
    member = get_object_or_404(User.objects.select_related("profile"), pk=pk)
    if services.block_remove(blocker=request.user, blocked_id=member.pk):
        messages.success(request, _("You unblocked %(name)s.") % {"name": member.display_name})
    return redirect("accounts:blocks")
