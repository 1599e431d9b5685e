"""Signals other modules listen to.

``release_published`` is sent once, after the transaction that published a release has committed,
with ``release`` (the published :class:`~safeguard.procedures.models.Release`). Receivers must not
rely on it alone for anything that has to happen (a crash between commit and send loses it): the
subscriptions module also sweeps published releases on a schedule.
"""

from django.dispatch import Signal

release_published = Signal()
