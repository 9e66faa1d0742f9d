"""Cached pages, and how every write makes them stale at once.

A page's body is rendered once and kept in Django's cache under a key made
of the data version, the day, the address and what else it depends on (the
user, for a page that is the user's own); each process also keeps the
entries it read last in its memory. Every write moves the data version
(`data_changed`): saves and deletes of the app's models through signals
connected in apps.py, and bulk writes, which send no signals, by calling it
themselves or writing inside `one_change()`. The version is read from the
database, so a cache that holds old entries or is gone never serves a stale
page; it only stops saving time.
"""

import contextvars
import hashlib
import logging
import threading
import uuid
from collections import OrderedDict
from contextlib import contextmanager

from django.core.cache import cache
from django.db.models import F
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from agreement.models import Agreement

from .models import DataVersion

logger = logging.getLogger(__name__)

# How long a rendered page may be kept: it is keyed by the day anyway.
PAGE_TIMEOUT = 24 * 60 * 60
# Writes to these apps' models move the version; history rows, the log of
# sent e-mails and the version itself do not change what pages show.
WATCHED_APPS = {"agreement", "measures", "followup", "auth"}
UNWATCHED = {
    "dataversion",
    "notification",
    "notificationoptout",
    "permission",
    "importbatch",
    "importrow",
}
# What a process keeps of the versioned entries it read: at most
# LOCAL_ENTRIES of them and about LOCAL_BYTES of rendered HTML (a timeline
# of 1,000 measures is 0.5 MB).
LOCAL_ENTRIES = 256
LOCAL_BYTES = 32 * 1024 * 1024


class _Memory:
    """The versioned entries this process read last, newest last. An entry
    never changes under its key, so it is served from here without asking
    the shared cache again; the oldest go first when there are too many."""

    def __init__(self, entries, size):
        self.entries = entries
        self.size = size
        self.held = 0
        self.store = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            found = self.store.get(key)
            if found is None:
                return None
            self.store.move_to_end(key)
            return found[0]

    def put(self, key, value):
        size = _size(value)
        if size > self.size // 4:
            return  # one entry never crowds out the rest
        with self.lock:
            if key in self.store:
                return
            self.store[key] = (value, size)
            self.held += size
            while len(self.store) > self.entries or self.held > self.size:
                _key, (_value, dropped) = self.store.popitem(last=False)
                self.held -= dropped

    def clear(self):
        with self.lock:
            self.store.clear()
            self.held = 0


def _size(value):
    """Roughly what an entry holds: its HTML, or a little for anything else."""
    if isinstance(value, dict) and "body" in value:
        value = value["body"]
    return len(value) if isinstance(value, str) else 1024


_memory = _Memory(LOCAL_ENTRIES, LOCAL_BYTES)

# Set inside one_change(): the writes there move the version once, at the end.
_in_one_change = contextvars.ContextVar("in_one_change", default=False)


def _row():
    row, _created = DataVersion.objects.get_or_create(pk=1, defaults={"epoch": uuid.uuid4().hex})
    return row


def remember_version(holder, epoch, number):
    """Note the version read along with something else (the request's user)."""
    holder._data_version = f"{epoch}-{number}"


def data_version(holder=None):
    """The data's version now, e.g. "3f2a…-1042"; read once per `holder` (the
    request's user), which every page's parts share."""
    remembered = getattr(holder, "_data_version", None)
    if remembered is not None:
        return remembered
    row = DataVersion.objects.filter(pk=1).values_list("epoch", "number").first()
    if row is None:
        row = (_row().epoch, 0)
    version = f"{row[0]}-{row[1]}"
    if holder is not None:
        holder._data_version = version
    return version


def database_epoch(holder=None):
    """This database's own mark, made at random with its first version: a key
    that holds it is never read from another database's entries (a restored
    backup, a test or benchmark database) in a shared cache."""
    return data_version(holder).split("-", 1)[0]


def cached(key, make, *, holder=None, timeout=PAGE_TIMEOUT):
    """`make()`, kept in the cache under `key` and the data version, and in
    the process's memory in front of it (`_Memory`)."""
    versioned = f"{key}:{data_version(holder)}"
    value = _memory.get(versioned)
    if value is None:
        value = kept(versioned, make, timeout=timeout)
        _memory.put(versioned, value)
    return value


def forget_local():
    """Empty the process's memory of cached entries (the tests do, with the cache)."""
    _memory.clear()


def kept(key, make, *, timeout):
    """`make()`, kept in the cache under `key` as it is: for what can never
    change under its key (a frozen meeting's PDF), or via `cached`."""
    try:
        value = cache.get(key)
    except Exception:  # a cache that is down only stops saving time
        logger.warning("The cache does not answer", exc_info=True)
        value = None
    if value is None:
        value = make()
        try:
            cache.set(key, value, timeout)
        except Exception:
            logger.warning("The cache does not answer", exc_info=True)
    return value


def data_changed():
    """Move the version: call after any write that sends no signal."""
    if not DataVersion.objects.filter(pk=1).update(number=F("number") + 1):
        _row()


@contextmanager
def one_change():
    """Many writes as one change: the version moves once, when the block ends
    without an error (an import deletes and writes thousands of rows, each of
    which would otherwise move it)."""
    token = _in_one_change.set(True)
    try:
        yield
    finally:
        _in_one_change.reset(token)
    data_changed()


def on_write(sender, **kwargs):
    """A model of the app was saved or deleted, or its relations changed."""
    if _in_one_change.get() or sender.__module__ == "__fake__":
        return  # a migration's own models, before the version's table is there
    meta = sender._meta
    if meta.app_label not in WATCHED_APPS or meta.model_name in UNWATCHED:
        return
    if meta.model_name.startswith("historical"):
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # logging in changes nothing shown
    data_changed()


def cached_page_part(name, *parts, render, holder=None):
    """The HTML `render()` makes for `name`, cached by the data version, the
    day and the language; `parts` say what else it depends on."""
    key = ":".join(
        [
            "page",
            name,
            timezone.localdate().isoformat(),
            translation.get_language() or "",
            *(str(part) for part in parts),
        ]
    )
    return cached(key, render, holder=holder)


def query_key(request):
    """The request's query string as part of a key: the links a cached body
    holds are made from it, so two addresses never share one body."""
    items = sorted(request.GET.lists())
    return hashlib.sha256(repr(items).encode()).hexdigest()[:16]


def cached_page(request, template, body_template, name, parts, make, **shell):
    """`template` around a body rendered from `body_template` and kept in the
    cache (see `cached_page_part`); `make()` gives the body's context and is
    only called when the body must be rendered, `shell` is what both need.
    A `title` in what `make()` gives is kept with the body, for the shell's
    <title>. The body holds no form with a CSRF token: it is shared between
    requests."""

    def render_body():
        context = {**shell, **make()}
        html = render_to_string(body_template, context, request)
        return {"body": html, "title": str(context.get("title", ""))}

    part = cached_page_part(
        name, *parts, query_key(request), render=render_body, holder=request.user
    )
    return render(
        request,
        template,
        {**shell, "body": mark_safe(part["body"]), "title": part["title"]},  # noqa: S308 — our own rendered template
    )


def current_agreement(request):
    """The current agreement, looked up once per request and kept in the
    cache for the day (see AgreementQuerySet.current)."""
    if not hasattr(request, "_current_agreement"):
        today = timezone.localdate()
        request._current_agreement = cached(
            f"agreement:{today.isoformat()}",
            lambda: Agreement.objects.current(today),
            holder=getattr(request, "user", None),
        )
    return request._current_agreement
