"""Signals other modules listen to.

``extract_loaded`` is sent (after the import's transaction commits) when an extract becomes the
current one for its authority, kind and year, with ``extract`` and ``superseded`` (the extract it
replaced, or None). The indicators module recomputes the partnership's figures on it.
"""

from django.dispatch import Signal

extract_loaded = Signal()
