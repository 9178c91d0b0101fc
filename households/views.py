from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def household_list(request):
    return render(request, "households/household_list.html", {})
