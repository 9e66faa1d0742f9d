"""Django's model backend, with each person's permissions kept in the cache.

Every page asks what the user may do; without this that is two queries per
request. The permissions are keyed by the data version, which moves with any
change to people, groups or their permissions (measures.freshness).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models.expressions import RawSQL

from .freshness import cached, remember_version

# The data version's columns as two plain subselects: unlike Subquery(),
# Python need not compile them anew on every request. A test checks the
# table's name against the model's.
VERSION_EPOCH = "SELECT epoch FROM measures_dataversion WHERE id = 1"
VERSION_NUMBER = "SELECT number FROM measures_dataversion WHERE id = 1"


class CachedPermissionsBackend(ModelBackend):
    def get_user(self, user_id):
        """The request's user, with the data version read in the same query:
        a page served from the cache then asks the database once."""
        try:
            user = (
                get_user_model()
                ._default_manager.annotate(
                    version_epoch=RawSQL(VERSION_EPOCH, ()),  # noqa: S611 — fixed SQL
                    version_number=RawSQL(VERSION_NUMBER, ()),  # noqa: S611 — fixed SQL
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
