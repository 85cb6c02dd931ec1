from django.http import HttpResponse, JsonResponse


def home(request):
    return HttpResponse("Comptoir is running.", content_type="text/plain")


def healthz(request):
    """For load balancers (and the API benchmark's bare-view baseline): no database."""
    return JsonResponse({"status": "ok"})
