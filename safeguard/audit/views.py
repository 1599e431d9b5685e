from safeguard.core.views_generic import ScopedListView

from . import selectors
from .filters import AccessLogFilter, ChangeLogFilter


class _AuditList(ScopedListView):
    permission_required = "audit.view_log"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        from django.core.exceptions import PermissionDenied

        if request.user.is_authenticated and not request.user.has_perm(self.permission_required):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}


class ChangeLogView(_AuditList):
    template_name = "audit/change_log.html"
    filterset_class = ChangeLogFilter

    def selector(self, user):
        return selectors.change_log(user=user)


class AccessLogView(_AuditList):
    template_name = "audit/access_log.html"
    filterset_class = AccessLogFilter

    def selector(self, user):
        return selectors.access_log(user=user)
