"""The view serving the OpenAPI schema."""

import threading

from drf_spectacular.views import SpectacularAPIView

_GENERATING = threading.Lock()


class SchemaView(SpectacularAPIView):
    """The schema, generated for one request at a time: drf-spectacular shares state between
    threads (it loads its extensions' classes lazily, on first use), and concurrent first
    requests to a fresh server process could fail with a 500."""

    def dispatch(self, request, *args, **kwargs):
        with _GENERATING:
            return super().dispatch(request, *args, **kwargs)
