"""Writes of the catalog oroint owns that are more than a form's save: an image's content facts."""

import hashlib
import mimetypes
from pathlib import PurePath

from django.core.files.base import File

from channels.models import ProductImage

# The image types the stores accept, known by their first bytes (the browser's content type and the
# file name are whatever the uploader's machine said).
SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
]
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}


def image_mime_type(head: bytes) -> str | None:
    """The MIME type of an image from its first bytes; None when it is none the stores take."""
    for signature, mime_type in SIGNATURES:
        if head.startswith(signature):
            return mime_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def store_image(*, image: ProductImage, upload: File) -> ProductImage:
    """Attach `upload` to `image` with its SHA-256, size, type and file name, then save it.

    The hash is of the content, so that an image whose content a store already holds is not sent
    again; the caller has checked the type (image_mime_type), as the admin form does.
    """
    digest = hashlib.sha256()
    size = 0
    head = b""
    for chunk in upload.chunks():
        if len(head) < 16:
            head += chunk[: 16 - len(head)]
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    name = PurePath(upload.name or "image").name
    mime_type = image_mime_type(head) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    # Stored under the extension of what the content is, whatever the uploaded name said ("x.html"
    # holding a PNG header is stored as x.png and served as an image, never as a page).
    upload.name = PurePath(name).stem + (EXTENSIONS.get(mime_type) or PurePath(name).suffix)
    image.file = upload
    image.sha256 = digest.hexdigest()
    image.size = size
    image.filename = name
    image.mime_type = mime_type
    image.save()
    return image


def delete_image(*, image: ProductImage) -> None:
    """Delete the image and its file (a row gone with its file left behind would fill the disk)."""
    image.file.delete(save=False)
    image.delete()
