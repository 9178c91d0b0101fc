from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from . import selectors
from .models import IdentificationCase


@login_required
def case_detail(request, pk: int):
    try:
        case = selectors.case_get(user=request.user, pk=pk)
    except IdentificationCase.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "identification/case_detail.html",
        {"case": case, "timeline": selectors.case_timeline(case)},
    )
