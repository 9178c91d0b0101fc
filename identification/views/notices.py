"""Comparison data set uploads and the public notices (print-ready HTML and xlsx, exports logged)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from organization.audit import Kind as AuditKind
from organization.audit import record_access
from organization.models import Role
from organization.selectors import town_list, village_list
from suixi_monitor.downloads import xlsx_attachment
from suixi_monitor.forms import run_service

from .. import downloads, forms, notices, selectors, services, spreadsheets
from .cases import NAV, _crumbs

# --- comparison data sets -----------------------------------------------------------


@login_required
def dataset_list(request):
    _require_dataset_role(request)
    form = forms.DatasetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = run_service(
            form, services.dataset_upload_create, actor=request.user, **form.cleaned_data
        )
        if result is not None:
            upload, created = result
            if created:
                messages.success(request, "文件已上传，正在后台导入，完成后会通知您。")
            else:
                messages.info(request, "该文件此前已上传，未重复导入")
            return redirect("identification:dataset_upload", upload.pk)
    return render(
        request,
        "identification/dataset_list.html",
        {
            **NAV,
            "form": form,
            "datasets": selectors.dataset_list(user=request.user)[:200],
            "uploads": selectors.dataset_upload_list(user=request.user)[:20],
            "latest": selectors.latest_datasets()
            if request.user.role == Role.COUNTY_BUREAU
            else [],
            "crumbs": _crumbs(("比对数据", "")),
        },
    )


@login_required
def dataset_upload_detail(request, pk: int):
    """The progress of one comparison file while a worker reads it, then its outcome."""
    upload = _dataset_upload(request, pk)
    return render(
        request,
        "identification/dataset_upload.html",
        {
            **NAV,
            "upload": upload,
            "errors": upload.errors[:500],
            "crumbs": _crumbs(
                ("比对数据", reverse("identification:datasets")), (upload.original_name, "")
            ),
        },
    )


@login_required
def dataset_upload_errors(request, pk: int):
    return downloads.dataset_errors_response(request, _dataset_upload(request, pk))


def _require_dataset_role(request) -> None:
    if not selectors.can_upload_datasets(request.user):
        raise PermissionDenied


def _dataset_upload(request, pk: int):
    """Roles without data sets are refused (403); another department's upload is not found."""
    _require_dataset_role(request)
    return get_object_or_404(selectors.dataset_upload_list(user=request.user), pk=pk)


# --- notices -----------------------------------------------------------------------


def _notice_response(request, notice: notices.Notice, target: str):
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "html"
    record_access(
        request,
        kind=AuditKind.EXPORT,
        what=f"{notice.title}（{target}）",
        detail=file_format,
        rows=len(notice.rows),
    )
    if file_format == "xlsx":
        content = spreadsheets.notice_workbook(
            title=notice.title,
            subtitle=" ".join(
                filter(
                    None,
                    [
                        notice.number,
                        notice.subtitle,
                        f"公示时间：{notice.period}。" if notice.period else "",
                    ],
                )
            ),
            headers=notices.HEADERS,
            rows=notice.table(),
            footer=[notice.closing, f"{notice.issuer}    {notice.issued_on:%Y年%m月%d日}"],
        )
        services.notice_export_log(
            actor=request.user,
            kind=notice.title,
            target=target,
            file_format="xlsx",
            row_count=len(notice.rows),
        )
        return xlsx_attachment(content, f"{notice.title}.xlsx")
    services.notice_export_log(
        actor=request.user,
        kind=notice.title,
        target=target,
        file_format="html",
        row_count=len(notice.rows),
    )
    return render(
        request, "identification/notice.html", {**NAV, "notice": notice, "headers": notices.HEADERS}
    )


@login_required
def notice_village(request, village_pk: int):
    village = get_object_or_404(village_list(user=request.user), pk=village_pk)
    return _notice_response(
        request, notices.village_notice(user=request.user, village=village), str(village)
    )


@login_required
def notice_town(request, town_pk: int):
    town = get_object_or_404(town_list(user=request.user), pk=town_pk)
    return _notice_response(request, notices.town_notice(user=request.user, town=town), str(town))


@login_required
def announcement_list(request):
    announcements = selectors.announcement_list(user=request.user)
    return render(
        request,
        "identification/announcement_list.html",
        {
            **NAV,
            "announcements": announcements.prefetch_related("filings")[:200],
            "villages": village_list(user=request.user)[:300]
            if request.user.role != Role.COUNTY_BUREAU
            else [],
            "towns": town_list(user=request.user),
            "crumbs": _crumbs(("公示与公告", "")),
        },
    )


@login_required
def announcement_detail(request, pk: int):
    announcement = get_object_or_404(selectors.announcement_list(user=request.user), pk=pk)
    return _notice_response(
        request,
        notices.announcement_notice(user=request.user, announcement=announcement),
        announcement.label,
    )
