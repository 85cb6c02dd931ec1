from django.http import HttpResponse, JsonResponse

from comptoir.core import operations


def home(request):
    return HttpResponse("Comptoir is running.", content_type="text/plain")


def healthz(request):
    """For load balancers (and the API benchmark's bare-view baseline): no database."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """Readiness for load balancers and operators: 200 while the database answers (with the
    live workers and the queue; "degraded" when no worker runs), 503 when it does not."""
    ready, details = operations.readiness()
    return JsonResponse(details, status=200 if ready else 503)
