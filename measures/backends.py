"""Django's model backend, with each person's permissions kept in the cache.

Every page asks what the user may do; without this that is two queries per
request. The permissions are keyed by the data version, which moves with any
change to people, groups or their permissions (measures.freshness).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Subquery

from .freshness import cached, remember_version
from .models import DataVersion


class CachedPermissionsBackend(ModelBackend):
    def get_user(self, user_id):
        """The request's user, with the data version read in the same query:
        a page served from the cache then asks the database once."""
        version = DataVersion.objects.filter(pk=1)
        try:
            user = (
                get_user_model()
                ._default_manager.annotate(
                    version_epoch=Subquery(version.values("epoch")[:1]),
                    version_number=Subquery(version.values("number")[:1]),
                )
                .get(pk=user_id)
            )
        except get_user_model().DoesNotExist:
            return None
        if user.version_epoch is not None:
            remember_version(user, user.version_epoch, user.version_number)
        return user if self.user_can_authenticate(user) else None

    def _get_permissions(self, user_obj, obj, from_name):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        attribute = f"_{from_name}_perm_cache"
        if not hasattr(user_obj, attribute):
            setattr(
                user_obj,
                attribute,
                cached(
                    f"perms:{from_name}:{user_obj.pk}",
                    lambda: super(CachedPermissionsBackend, self)._get_permissions(
                        user_obj, obj, from_name
                    ),
                    holder=user_obj,
                ),
            )
        return getattr(user_obj, attribute)
