"""The files oroint owns (product images), served to staff only: the admin's image previews."""

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.views.static import serve


@staff_member_required
def media(request: HttpRequest, path: str) -> HttpResponse:
    # django.views.static.serve refuses paths outside MEDIA_ROOT; unlike django.conf.urls.static it
    # also works with DEBUG off, which is why it is called here rather than through that helper.
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    # An uploaded file is data, never a page: no script of it runs in the admin's origin.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if not response.get("Content-Type", "").startswith("image/"):
        response["Content-Disposition"] = "attachment"
    return response
