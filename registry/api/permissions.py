from rest_framework.permissions import SAFE_METHODS, BasePermission


class ReadOnlyUnlessAuthenticated(BasePermission):
    """Anyone may read (what they see is narrowed by the permission path); only authenticated
    users may write, and the service functions then check their department roles."""

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or bool(
            request.user and request.user.is_authenticated
        )
