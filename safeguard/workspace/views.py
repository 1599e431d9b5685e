from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from safeguard.partnerships.selectors import role_assignments_for_user


@login_required
def home(request):
    return render(request, "workspace/home.html", {"assignments": role_assignments_for_user(user=request.user)})
