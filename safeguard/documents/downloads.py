"""Serving a library file: streamed by Django (never by a static or media server) with headers that
stop a browser from running or sniffing it."""

from __future__ import annotations

import logging

from django.http import FileResponse, Http404

from .models import DocumentVersion

logger = logging.getLogger(__name__)

#: A file must never run script or load anything, even if a browser is persuaded to render it.
FILE_CSP = "default-src 'none'; sandbox"


def file_response(version: DocumentVersion, *, latest: bool, private: bool) -> FileResponse:
    """Stream ``version``'s file as a download.

    ``private``: a workspace file (never stored by shared caches or indexed); otherwise a public
    document, which caches may keep for five minutes.
    """
    try:
        handle = version.file.storage.open(version.file.name, "rb")
    except (FileNotFoundError, IsADirectoryError, ValueError):
        logger.error("Document version %s: its file is missing from the document storage", version.pk)
        raise Http404("This file is missing. Tell the business unit.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=version.download_name(latest=latest),
        content_type=version.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["ETag"] = f'"{version.sha256}"'
    if private:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
    else:
        response["Cache-Control"] = "public, max-age=300"
    return response
