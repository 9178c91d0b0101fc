"""The county's review of who saw personal data (the audit log)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..forms import AuditFilterForm
from ..selectors import audit_entries, may_review_audit_log

PAGE_SIZE = 50


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not may_review_audit_log(request.user):
        raise PermissionDenied("只有县扶贫局可以查看个人信息查阅记录")
    form = AuditFilterForm(request.GET or None)
    filters = form.filters() if request.GET else None
    qs = audit_entries(user=request.user, filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "organization/audit_log.html",
        {
            "form": form,
            "page": page,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "title": "个人信息查阅记录",
            "intro": "记录每一次个人信息的导出、下载、比对数据查看和按身份证号查询：谁、何时、"
            "查阅了什么。记录只增不改，任何人不能修改或删除。",
            "nav_active": "audit",
            "crumbs": [("个人信息查阅记录", "")],
        },
    )
