"""A concrete path for every route of the app, for tests that visit them all."""

from django.urls import URLPattern, URLResolver, get_resolver


def app_paths(measure, update, focus_area, area):
    """A concrete path for every route outside /admin/, built from the URLconf."""
    values = {
        "pk": measure.pk,
        "update_pk": update.pk,
        "slug": None,
    }
    paths = set()

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if str(entry.pattern).startswith("admin/"):
                    continue
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                if "<slug:slug>" in route:
                    slug = area.slug if route.startswith("areas/") else focus_area.slug
                    route = route.replace("<slug:slug>", slug)
                route = route.replace("<int:pk>", str(values["pk"]))
                route = route.replace("<int:update_pk>", str(values["update_pk"]))
                # A password-reset link that does not work: its page still answers.
                route = route.replace("<uidb64>", "MQ").replace("<token>", "sample-token")
                assert "<" not in route, f"no sample value for {route}"
                paths.add("/" + route)

    walk(get_resolver().url_patterns)
    return paths
