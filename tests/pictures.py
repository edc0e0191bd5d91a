"""Small pictures for upload tests, made on the spot (no files in the repository)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def picture_bytes(fmt: str = "PNG", size=(8, 8), color=(20, 90, 160), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color if mode != "1" else 0).save(out, format=fmt)
    return out.getvalue()


def picture(name: str = "logo.png", fmt: str = "PNG", **drawn) -> SimpleUploadedFile:
    """An uploaded picture as a browser sends it; `drawn` goes to picture_bytes."""
    return SimpleUploadedFile(name, picture_bytes(fmt, **drawn))
