"""The application's URLs plus a bare view, for ``scripts/bench_scale.py``'s throughput probe.

The bare view answers through the same middleware as every page, so the ratio of a page's
throughput to this view's is the cost of the page itself. Served only by the benchmark's own
gunicorn (settings ``scripts.bench_settings``), never by the application.
"""

from django.http import HttpResponse
from django.urls import path

from config.urls import handler500 as handler500
from config.urls import urlpatterns as application_urls
from scripts.bench_scale import BARE_PATH


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path(BARE_PATH, bare, name="bench-bare"), *application_urls]
