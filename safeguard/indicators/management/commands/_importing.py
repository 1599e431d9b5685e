"""Shared by the import commands: find the partnership, read the file, report the service's answer."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from safeguard.partnerships.models import Partnership


def partnership_by_slug(slug: str) -> Partnership:
    found = Partnership.objects.filter(slug=slug).first()
    if found is None:
        raise CommandError(f"There is no partnership with the slug '{slug}'. Check the slug in its address.")
    return found


def read(path: str) -> bytes:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"There is no file at {path}. Check the path.")
    return file.read_bytes()


def run(command, action) -> None:
    try:
        result = action()
    except ValidationError as exc:
        raise CommandError("Nothing was saved:\n" + "\n".join(f"- {m}" for m in exc.messages)) from None
    for line in result.messages:
        command.stdout.write(line)
