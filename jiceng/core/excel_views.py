"""Pages for Excel import and export (under ``/excel/``, URL names ``excel:*``).

Templates to download, the upload form, the job page (progress bar polled with htmx, then the
per-row error table and the downloads), and the export link any list can point at with its own
query string: ``{% url 'excel:export' 'members' %}?{{ request.GET.urlencode }}``.
Jobs and their files are seen only by the user who started them (404 for anyone else).
"""

import io
import os
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiceng.core.excel import write_template
from jiceng.core.excel_jobs import KINDS, export_filename, get_kind, inline_limit, start_export, start_import
from jiceng.core.models import ExcelJob
from jiceng.core.scope import scope_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_MB = 200


class UploadForm(forms.Form):
    file = forms.FileField(label="Excel 文件", help_text="xlsx 或 xls 格式，使用本页提供的模板填写。")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(f"文件超过 {MAX_UPLOAD_MB} MB，请分成几个文件上传。")
        return upload


def _allowed(user, permission: str) -> bool:
    return not scope_for(user, permission).empty


def _user_job(request, pk) -> ExcelJob:
    return get_object_or_404(ExcelJob, pk=pk, user=request.user)


@login_required
def excel_home(request):
    kinds = [
        {
            "kind": kind,
            "can_import": _allowed(request.user, kind.import_permission),
            "can_export": _allowed(request.user, kind.export_permission),
        }
        for kind in KINDS.values()
    ]
    kinds = [k for k in kinds if k["can_import"] or k["can_export"]]
    if not kinds:
        raise PermissionDenied("您没有导入或导出数据的权限。")
    jobs = ExcelJob.objects.filter(user=request.user).order_by("-created_at", "-id")[:20]
    return render(request, "excel/home.html", {"kinds": kinds, "jobs": jobs, "limit": inline_limit()})


@login_required
@require_GET
def template_download(request, kind):
    kind = get_kind(kind)
    if not _allowed(request.user, kind.import_permission):
        raise PermissionDenied(f"您没有导入{kind.label}的权限。")
    buffer = io.BytesIO()
    write_template(kind.load_spec(), buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = _attachment(f"{kind.label}导入模板.xlsx")
    return response


def _attachment(filename: str) -> str:
    """RFC 6266: an ASCII fallback name and the real (Chinese) one."""
    from urllib.parse import quote

    return f"attachment; filename=\"template.xlsx\"; filename*=UTF-8''{quote(filename)}"


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, kind):
    kind = get_kind(kind)
    if not _allowed(request.user, kind.import_permission):
        raise PermissionDenied(f"您没有导入{kind.label}的权限。")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        # Stored and queued only: the worker opens the file (a hostile one costs the request nothing).
        job = start_import(request.user, kind.key, form.cleaned_data["file"])
        return redirect("excel:job_detail", pk=job.pk)
    spec = kind.load_spec()
    return render(request, "excel/upload.html", {"kind": kind, "form": form, "spec": spec})


@login_required
def job_detail(request, pk):
    job = _user_job(request, pk)
    kind = KINDS.get(job.kind)
    return render(request, "excel/job.html", {"job": job, "kind": kind})


@login_required
@require_GET
def job_progress(request, pk):
    """The progress bar alone, for htmx polling; a finished job reloads the whole page."""
    job = _user_job(request, pk)
    response = render(request, "excel/_job_progress.html", {"job": job})
    if job.finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def job_errors(request, pk):
    job = _user_job(request, pk)
    if not job.error_report:
        raise Http404("没有错误报告。")
    return FileResponse(job.error_report.open("rb"), as_attachment=True, filename=f"错误报告-{job.pk}.xlsx")


@login_required
@require_GET
def job_result(request, pk):
    job = _user_job(request, pk)
    if not job.result:
        raise Http404("没有导出文件。")
    name = Path(job.result.name or "").name
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=name, content_type=XLSX)


@login_required
@require_GET
def export(request, kind):
    """Export what the list with the same query string shows; large exports become a job."""
    kind = get_kind(kind)
    if not _allowed(request.user, kind.export_permission):
        raise PermissionDenied(f"您没有导出{kind.label}的权限。")
    params = {key: request.GET.getlist(key) for key in request.GET if key not in ("after", "before", "page")}
    job, inline = start_export(request.user, kind.key, params)
    if job is not None:
        return redirect("excel:job_detail", pk=job.pk)
    path, _count = inline
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    os.unlink(path)  # the open handle keeps the data until the response is sent
    return FileResponse(handle, as_attachment=True, filename=export_filename(kind), content_type=XLSX)


@login_required
@require_POST
def export_checked(request, kind):
    """批量导出: only the rows ticked on a list (``ids``), through the same export as the list's
    导出 Excel: the kind's scope (``visible_to``) and masking apply, so a ticked id outside the
    user's scope is simply not in the file. Only kinds whose filter set reads ``ids``."""
    from django.contrib import messages

    from jiceng.core.filters import IdListField

    kind = get_kind(kind)
    if not _allowed(request.user, kind.export_permission):
        raise PermissionDenied(f"您没有导出{kind.label}的权限。")
    if not getattr(kind.load_exporter(), "checked_rows", False):
        raise Http404
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "excel:home"
    try:
        ids = IdListField().clean(request.POST.getlist("ids"))
    except forms.ValidationError as exc:
        messages.error(request, f"未导出：{exc.messages[0]}")
        return redirect(back)
    if not ids:
        messages.error(request, "未导出：请先勾选要导出的记录。")
        return redirect(back)
    job, inline = start_export(request.user, kind.key, {"ids": [str(i) for i in ids]})
    if job is not None:
        return redirect("excel:job_detail", pk=job.pk)
    path, _count = inline
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    os.unlink(path)
    return FileResponse(handle, as_attachment=True, filename=export_filename(kind), content_type=XLSX)
