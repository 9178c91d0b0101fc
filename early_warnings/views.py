from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    return render(request, "early_warnings/home.html", {})


upload_list = upload_detail = town_inbox = village_inbox = county = home
